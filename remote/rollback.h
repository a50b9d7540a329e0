/*
 * rollback.h - switch targets back to their previous release.
 *
 * Per host (a runner operation): take the deploy lock, read `current` and
 * `previous`, stop the node when it runs, switch both links (`current` to
 * what was previous, `previous` to what was current) with the layout's one
 * switch command, start the node again when it was running and check its
 * health like a deploy does, then one audit line (audit.h) and unlock. A
 * host with no `previous` fails with REL_ENOTFOUND and is left as it was.
 */
#ifndef REL_ROLLBACK_H
#define REL_ROLLBACK_H

struct rel_remote_events;
struct rel_remote_target;
struct rel_runner;

struct rel_rollback_opts {
    int health_tcp;         /* 0: no TCP check */
    int health_timeout;     /* seconds */
    const char *audit_file; /* local audit log, or NULL */
    const struct rel_remote_events *events;
};

/* Add a rollback of `t` to `r` (`t` must outlive the runner). */
void rel_rollback_add(struct rel_runner *r, const struct rel_remote_target *t,
                      const struct rel_rollback_opts *opts);

#endif
