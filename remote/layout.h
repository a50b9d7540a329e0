/*
 * layout.h - where things live on a target, and the shell words that name
 * them. Every path and value that goes into a remote command is quoted with
 * rel_shell_quote() here or by the callers; nothing is pasted raw.
 *
 *   PATH/current            -> releases/VSN-STAMP  (switched with rename(2))
 *   PATH/previous           -> releases/VSN-STAMP  (what rollback returns to)
 *   PATH/releases/VSN-STAMP/  one unpacked release (bin/, erts-*, lib/, releases/)
 *   PATH/shared/tarballs/SHA256.tar.gz  uploaded tarballs (the newest `keep`)
 *   PATH/shared/tmp/        RELEASE_TMP of the node: run_erl pipe and logs (log/)
 *   PATH/shared/lock/info   the deploy lock (mkdir), who/when/what
 *   PATH/shared/audit.log   one line per action
 */
#ifndef REL_LAYOUT_H
#define REL_LAYOUT_H

#include <stdbool.h>

struct rel_buf;
struct rel_remote_target;

/* Append the quoted path PATH/rel (rel may be "" for PATH itself). */
int rel_layout_path(struct rel_buf *out, const struct rel_remote_target *t, const char *rel);

/* Append "env 'K=V' ... " for the node's commands: the target's env plus
 * RELEASE_TMP=PATH/shared/tmp unless the target sets it. Ends with a space. */
int rel_layout_env(struct rel_buf *out, const struct rel_remote_target *t);

/*
 * Append a command running `bin/NAME ARGS...` of the release in `dir`
 * (relative to PATH: "current", "releases/X") with the node's environment,
 * from PATH: "cd PATH && env ... PATH/DIR/bin/NAME ARGS". args is
 * NULL-terminated; each is quoted.
 */
int rel_layout_node_cmd(struct rel_buf *out, const struct rel_remote_target *t, const char *dir,
                        const char *const *args);

/* "VSN-YYYYmmddHHMMSS": split into version and stamp (pointers into a copy
 * the caller frees via *vsn). False when `name` does not have that form. */
bool rel_layout_parse_release_dir(const char *name, char **vsn, const char **stamp);

/* qsort comparator for "VSN-STAMP" names (char *): newest stamp first. */
int rel_layout_release_cmp_desc(const void *a, const void *b);

/* True for a version usable in a directory name: printable, no '/', not
 * "." or "..", at most 100 bytes. */
bool rel_layout_valid_version(const char *vsn);

/* UTC "YYYYmmddHHMMSS" (stamp) and ISO 8601 "YYYY-mm-ddTHH:MM:SSZ" of now. */
void rel_layout_stamp(char out[16]);
void rel_layout_iso_time(char out[32]);

/* "user@hostname" of whoever runs relman (for locks and audit lines). */
char *rel_layout_who(void);

#endif
