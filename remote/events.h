/*
 * events.h - what remote work reports while it runs.
 *
 * Every command relman runs on a host is reported here (begin and end, with
 * its exit status and the tail of its stderr), as are steps ("uploading"),
 * transfer progress and notes ("host key added to known_hosts"). The CLI
 * prints these lines (commands only with -v), the TUI shows them in its
 * command-log pane, tests record them. All callbacks are optional; `host` is
 * the target's name as the user wrote it.
 *
 * Callbacks are invoked from the thread driving the poll loop, synchronously:
 * they must not block for long and must not call back into the remote layer.
 */
#ifndef REL_EVENTS_H
#define REL_EVENTS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct rel_remote_command {
    const char *host;
    const char *command;     /* exactly what the remote shell ran */
    int exit_status;         /* 0..255, 128+N when killed by signal N, -1: none */
    const char *signal;      /* "KILL" etc. when killed by a signal, else NULL */
    const char *error;       /* transport failure (lost connection...), else NULL */
    const char *stderr_tail; /* last lines of stderr (may be "") */
    double seconds;          /* wall time */
};

struct rel_remote_event_ops {
    void (*command_begin)(void *ctx, const char *host, const char *command);
    void (*command_end)(void *ctx, const struct rel_remote_command *cmd);
    /* A step of an operation starts ("connect", "upload", "unpack", ...). */
    void (*step)(void *ctx, const char *host, const char *step, const char *detail);
    /* Transfer progress: `done` of `total` bytes after `seconds`. */
    void (*progress)(void *ctx, const char *host, uint64_t done, uint64_t total, double seconds);
    /* Something the operator should know that is not an error. */
    void (*note)(void *ctx, const char *host, const char *message);
    /* Streamed command output (relman logs -f); `is_stderr` tells which. */
    void (*output)(void *ctx, const char *host, const char *data, size_t len, int is_stderr);
};

struct rel_remote_events {
    const struct rel_remote_event_ops *ops;
    void *ctx;
};

/* Report through `ev` (NULL, or ops with NULL members, are fine). */
void rel_remote_step(const struct rel_remote_events *ev, const char *host, const char *step,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void rel_remote_note(const struct rel_remote_events *ev, const char *host, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rel_remote_vnote(const struct rel_remote_events *ev, const char *host, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));

#endif
