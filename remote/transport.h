/*
 * transport.h - how the runner reaches a host: the seam between the remote
 * operations (deploy, rollback, node control, health) and SSH.
 *
 * A connection does one thing at a time: it connects, then runs a command
 * (stdin from a file, stdout and stderr collected, the exit status), uploads
 * a file, or opens a TCP connection from the host's side (a health probe).
 * Nothing blocks: each call starts the work and step() advances it,
 * returning REL_SSH_AGAIN while it goes on; the caller polls the fds
 * pollfds() names (and wakes at the deadline) in between. Every command is
 * reported through the events of the connect options (begin and end).
 *
 * Two implementations: rel_ssh_transport() (remote/sshtransport.c, over
 * remote/ssh.h: what relman uses), and the local one (remote/local.h), which
 * runs the same commands with `sh -c` on this machine, for unit tests of the
 * operations.
 */
#ifndef REL_TRANSPORT_H
#define REL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pollfd;
struct rel_buf;
struct rel_remote_events;
struct rel_remote_target;
struct rel_ssh_prompt_ops;
struct rel_term;
struct rel_nodecall;

/* One connection of an implementation (its own struct). */
struct rel_transport_conn;

struct rel_transport_connect_opts {
    const struct rel_remote_events *events;   /* may be NULL; kept by pointer */
    const struct rel_ssh_prompt_ops *prompts; /* host keys, passphrases; may be NULL */
    void *prompt_ctx;
    int connect_timeout; /* seconds, 0: the default */
};

struct rel_transport_exec {
    const char *command; /* for the host's shell */
    int stdin_fd;        /* stream this file as stdin, then EOF; -1: none (not closed) */
    uint64_t stdin_size; /* for progress events (0: unknown) */
    bool stream;         /* hand output to events->output instead of collecting it */
    size_t max_output;   /* cap on collected stdout (0: REL_SSH_DEFAULT_MAX_OUTPUT) */
    int timeout_ms;      /* 0: none */
};

/* Calls on the release's running node as a hidden Erlang node (remote/nodelink):
 * through the host's epmd and distribution port, from the host's side. */
struct rel_transport_call {
    const char *node;   /* "name" or "name@host" */
    const char *cookie; /* never shown */
    int epmd_port;      /* 0: 4369 */
    int dist_port;      /* > 0: epmd-less */
    int timeout_ms;     /* each phase and call */
    const struct rel_nodecall *calls;
    size_t ncalls;
};

/* What a finished command (or upload, or calls) left; valid until the next start. */
struct rel_transport_result {
    int status;                    /* 0..255, 128+N when killed by signal N, -1 when none */
    const char *out;               /* collected stdout ("" when streamed) */
    const char *err;               /* the tail of stderr */
    struct rel_term *const *terms; /* calls: the answers, in order (owned by the conn) */
    size_t nterms;
    const char *peer; /* calls: the node's whole name */
};

struct rel_transport_ops {
    /*
     * Start connecting to `t` (stepped with step()). *conn is set whenever
     * the call returns 0; a negative code (message set) means there is
     * nothing to close.
     */
    int (*connect)(void *ctx, struct rel_transport_conn **conn, const struct rel_remote_target *t,
                   const struct rel_transport_connect_opts *o);
    /* Start a command on a connected conn. */
    int (*exec)(struct rel_transport_conn *c, const struct rel_transport_exec *x);
    /* Start sending `size` bytes of file `fd` (not closed) to the absolute
     * path `path` on the host (created or truncated). Reported as a command,
     * with progress events. */
    int (*upload)(struct rel_transport_conn *c, int fd, uint64_t size, const char *path);
    /* Start opening a TCP connection to 127.0.0.1:port from the host,
     * given up after timeout_ms (0: none): a listener that never accepts
     * (its backlog full: the SYN is dropped) would otherwise hold it for
     * the kernel's whole connect timeout, minutes. */
    int (*probe)(struct rel_transport_conn *c, int port, int timeout_ms);
    /* Start calls on the node (stepped like the rest); step() gives
     * REL_ENOTFOUND when epmd answers that no such node runs. */
    int (*call)(struct rel_transport_conn *c, const struct rel_transport_call *call);
    /*
     * Advance the connection attempt or what was started: REL_SSH_AGAIN,
     * 0 when it is done (for a command: whatever its exit status), or a
     * negative code (message set): the connection failed or was lost, a
     * timeout, output over its cap; for a probe REL_ENOTFOUND when nothing
     * listens.
     */
    int (*step)(struct rel_transport_conn *c);
    /* The outcome of the last exec or upload (status -1 and "" otherwise). */
    void (*result)(struct rel_transport_conn *c, struct rel_transport_result *out);
    /* False once the connection failed or was lost. */
    bool (*alive)(const struct rel_transport_conn *c);
    /* Fill up to `max` fds to poll (returns how many) and *deadline (the
     * rel_ssh_now_ms() time to wake at the latest; 0: none). */
    size_t (*pollfds)(const struct rel_transport_conn *c, struct pollfd *fds, size_t max,
                      int64_t *deadline);
    /* Drop what runs and disconnect (best effort, bounded); NULL is fine. */
    void (*close)(struct rel_transport_conn *c);
};

struct rel_transport {
    const struct rel_transport_ops *ops;
    void *ctx; /* the first argument of connect */
};

/* Most fds a connection asks to poll (the runner's poll array). */
#define REL_TRANSPORT_MAX_FDS 2

/* SSH (remote/ssh.h), with the target's endpoint and host key policy. */
const struct rel_transport *rel_ssh_transport(void);

/* The command an upload is shown as (and that SSH runs): "cat > 'PATH'". */
int rel_transport_upload_command(struct rel_buf *out, const char *path);

#endif
