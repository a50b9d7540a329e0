/*
 * layout.h - where things live on a target, the shell commands that act on
 * that layout (lock, unlock, pid, daemon, stop, link switch), and the checks
 * of what is read back from a host. Every path and value that goes into a
 * remote command is quoted with rel_shell_quote() here or by the callers;
 * nothing is pasted raw. The operations (deploy.c, rollback.c, node.c,
 * health.c) build their commands from these; none builds another's.
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
#include <stddef.h>

struct rel_buf;
struct rel_remote_target;

/* Append the quoted path PATH/rel (rel may be "" for PATH itself). */
int rel_layout_path(struct rel_buf *out, const struct rel_remote_target *t, const char *rel);

/*
 * The node's environment never goes on a command line (a command line is
 * in every process listing of the host): the target's env plus
 * RELEASE_TMP=PATH/shared/tmp (unless the target sets it) reaches the host
 * on the command's stdin, as a shell function REL_LAYOUT_ENV_FN that runs
 * its arguments with that environment. A command that needs it starts with
 * REL_LAYOUT_ENV_PREAMBLE (it reads stdin and defines the function); the
 * runner sees the preamble (rel_layout_wants_env()) and hands the script
 * rel_layout_env_script() builds to the command's stdin.
 */
#define REL_LAYOUT_ENV_FN "relman_env"
#define REL_LAYOUT_ENV_PREAMBLE "eval \"$(cat)\"; "
/* Append the script: "relman_env() { (\nexport 'K=V'\n...exec \"$@\"\n) }\n". */
int rel_layout_env_script(struct rel_buf *out, const struct rel_remote_target *t);
/* A pipe holding the env script, its write end closed: *fd gets the read
 * end (the caller closes it). REL_EINVAL when the script is over 60000
 * bytes (it must fit the pipe's buffer). */
int rel_layout_env_pipe(int *fd, const struct rel_remote_target *t);
/* Whether `command` starts with REL_LAYOUT_ENV_PREAMBLE. */
bool rel_layout_wants_env(const char *command);

/*
 * Append a command running `bin/NAME ARGS...` of the release in `dir`
 * (relative to PATH: "current", "releases/X") with the node's environment,
 * from PATH: "cd PATH && relman_env PATH/DIR/bin/NAME ARGS". args is
 * NULL-terminated; each is quoted. The whole command must start with
 * REL_LAYOUT_ENV_PREAMBLE (the builders below do).
 */
int rel_layout_node_cmd(struct rel_buf *out, const struct rel_remote_target *t, const char *dir,
                        const char *const *args);

/* "VSN-YYYYmmddHHMMSS": split into version and stamp (pointers into a copy
 * the caller frees via *vsn). False when `name` does not have that form. */
bool rel_layout_parse_release_dir(const char *name, char **vsn, const char **stamp);

/* qsort comparator for "VSN-STAMP" names (char *): newest stamp first. */
int rel_layout_release_cmp_desc(const void *a, const void *b);

/* True for a version usable in a directory name: printable, no '/', not
 * "." or "..", at most 100 bytes; and no $ ` " \ (the path reaches a shell
 * in OTP's erlexec). */
bool rel_layout_valid_version(const char *vsn);

/* UTC "YYYYmmddHHMMSS" (stamp) and ISO 8601 "YYYY-mm-ddTHH:MM:SSZ" of now. */
void rel_layout_stamp(char out[16]);
void rel_layout_iso_time(char out[32]);

/* "user@hostname" of whoever runs relman (for locks and audit lines). */
char *rel_layout_who(void);

/* ---- commands (malloc'd strings for a rel_action) ---------------------------- */

/* `bin/NAME pid` of the release in dir ("current" or "releases/X"). These
 * three start with REL_LAYOUT_ENV_PREAMBLE. */
char *rel_layout_pid_cmd(const struct rel_remote_target *t, const char *dir);
/* `bin/NAME daemon` with its output shown after it detached. */
char *rel_layout_daemon_cmd(const struct rel_remote_target *t, const char *dir);
/* `bin/NAME stop`, then wait for OS process `pid` (digits) to exit: SIGTERM
 * after 20 s, SIGKILL after 30 s (then exit status 1). */
char *rel_layout_stop_cmd(const struct rel_remote_target *t, const char *dir, const char *pid);
/* Take the deploy lock: create PATH/releases, shared/tarballs, shared/tmp,
 * then mkdir PATH/shared/lock and write "WHO (relman pid N) since TIME:
 * WHAT" into lock/info. Read the result with rel_layout_lock_result(). */
char *rel_layout_lock_cmd(const struct rel_remote_target *t, const char *what);
/* 0 when the lock was taken; REL_ELOCKED naming its holder otherwise. */
int rel_layout_lock_result(const struct rel_remote_target *t, const char *out);
/* rm -rf PATH/shared/lock */
char *rel_layout_unlock_cmd(const struct rel_remote_target *t);

/*
 * Switch the links, atomically each: point PATH/current at `current`
 * ("releases/X"), and when `set_previous`, PATH/previous at `previous`
 * first. A NULL target removes that link. Each link is replaced by a
 * temporary link renamed over it (ln -sfn + mv -T), under `set -e`. Deploy,
 * its undo and rollback all switch with this one sequence.
 */
char *rel_layout_switch_cmd(const struct rel_remote_target *t, const char *current,
                            bool set_previous, const char *previous);

/* Append a shell snippet, run in PATH, printing "current=LINK\nprevious=LINK\n"
 * (empty when a link is missing). */
int rel_layout_read_links(struct rel_buf *out);
/* Append a shell snippet, run in PATH, printing "release=NAME\n" for each
 * release directory under releases/. */
int rel_layout_list_releases(struct rel_buf *out);

/* ---- what hosts say ----------------------------------------------------------- */

/* The pid printed by `bin/NAME pid` (digits only), or NULL. */
char *rel_layout_parse_pid(const char *out);
/* "releases/NAME" read back from the host, or NULL when it is anything else. */
char *rel_layout_checked_link(const char *v);
/* The line of s that best says what went wrong, into buf: the first
 * "** ..." exception line when there is one, else the last non-empty line. */
const char *rel_layout_last_line(const char *s, char *buf, size_t size);

#endif
