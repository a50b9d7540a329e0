/*
 * audit.h - the audit log: one line per action (deploy, rollback, start,
 * stop, restart), appended on the host (PATH/shared/audit.log) and locally
 * (PROJECT/.relman/audit.log, beside relman.yml).
 *
 * A line reads "TIME TARGET WHAT by WHO: RESULT", TIME in UTC ISO 8601:
 *
 *   2026-11-22T14:38:50Z web1 deploy foo 0.0.2 (0.0.2-20261122143850) by me@box: ok (...)
 *   2026-11-22T14:40:02Z web1 rollback releases/B -> releases/A by me@box: ok
 *   2026-11-22T14:41:10Z web1 stop releases/A by me@box: ok
 *
 * `relman status` and the TUI read the newest deploy or rollback line back.
 */
#ifndef REL_AUDIT_H
#define REL_AUDIT_H

struct rel_remote_events;
struct rel_remote_target;

/* PROJECT_DIR/.relman/audit.log, normalized (malloc'd). */
char *rel_audit_file(const char *project_dir);

/* "TIME TARGET WHAT by WHO: RESULT" with the time of now (malloc'd), its
 * control characters (newlines too) escaped (core/escape.h). */
char *rel_audit_line(const char *target, const char *what, const char *who, const char *result);

/* Append one line to the local audit file (creating it and its directory).
 * Errors name the file. */
int rel_audit_local(const char *file, const char *line);

/* rel_audit_local() when `file` is not NULL; a failure becomes a note for
 * `host` on `events` (an audit line never fails the action). */
void rel_audit_local_note(const char *file, const struct rel_remote_events *events,
                          const char *host, const char *line);

/* The command that appends LINE to PATH/shared/audit.log on the host. */
char *rel_audit_remote_cmd(const struct rel_remote_target *t, const char *line);

#endif
