/*
 * proc.h - run a child process and collect its output.
 *
 * Used to ask the installed tools what only they know (`mix` for a project's
 * releases, `elixir` for build-time config) and to run hooks. The child gets
 * no shell: argv is executed directly. Output is captured with a cap so a
 * runaway child cannot exhaust memory.
 */
#ifndef REL_PROC_H
#define REL_PROC_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

struct rel_proc_opts {
    const char *cwd;        /* working directory, or NULL for ours */
    const char *const *env; /* extra "NAME=value" entries (NULL-terminated), or NULL */
    struct rel_buf *out;    /* captured stdout, or NULL to discard it */
    struct rel_buf *err;    /* captured stderr, or NULL to pass it through */
    size_t max_output;      /* cap on each captured stream (0: 16 MiB) */
    /* Each line of captured output as it comes (without its newline; a
     * last line without one at the end), both streams in arrival order;
     * `err` tells which. Called on the caller's thread. May be NULL. */
    void (*on_line)(void *ctx, int err, const char *line);
    void *line_ctx;
    /* Polled while the child runs (at least every 100 ms): once it returns
     * true the child's process group (the child runs in a group of its own
     * then) gets SIGTERM, and SIGKILL 2 s later, and rel_proc_run returns
     * REL_ECANCELED. May be NULL. */
    bool (*canceled)(void *ctx);
    void *cancel_ctx;
};

/*
 * Run argv[0] (looked up in PATH) with argv. On return *status holds the exit
 * status (0..255), or 128+signal when the child was killed by a signal.
 * Returns 0 when the child ran (whatever its status), or a negative code when
 * it could not be started or its output exceeded the cap (the child is then
 * killed). A non-zero *status is for the caller to judge.
 */
int rel_proc_run(int *status, const char *const *argv, const struct rel_proc_opts *opts);

/* True when `name` is an executable found in PATH; *path_out (optional) gets
 * a malloc'd full path. */
int rel_proc_which(char **path_out, const char *name);

#endif
