/*
 * local.h - a transport (transport.h) that runs a target's commands on this
 * machine: each command with `sh -c` in a directory, stdout and stderr
 * collected, the exit status as a host's shell reports it; uploads copy the
 * file; probes connect to 127.0.0.1. The operations run over it exactly as
 * over SSH -- same commands, same events -- so unit tests can drive deploy,
 * rollback and node control through every phase in a temporary directory
 * (target path = a directory of the test).
 *
 * Faults: an optional callback sees every connection attempt and action
 * before it happens and may make it fail the way a host would (an exit
 * status and stderr, without running it) or the way a network does (the
 * connection lost; for an upload, after some bytes arrived).
 */
#ifndef REL_LOCAL_H
#define REL_LOCAL_H

#include <stdint.h>

struct rel_transport;

enum rel_local_fault_kind {
    REL_LOCAL_RUN,  /* run it (the default) */
    REL_LOCAL_EXIT, /* do not run it: it ends with `status` and `message` on stderr */
    REL_LOCAL_LOST, /* the connection is lost (for an upload, after `cut_after` bytes) */
};

struct rel_local_fault {
    enum rel_local_fault_kind kind;
    int status;          /* EXIT */
    const char *message; /* EXIT: stderr; LOST: the error (default "connection lost") */
    uint64_t cut_after;  /* LOST, upload: bytes written before the cut */
};

/*
 * `what` is "connect", the command, "upload PATH" or "probe PORT". *f is
 * REL_LOCAL_RUN on entry; the strings it points to must live until the
 * action ends.
 */
typedef void (*rel_local_fault_fn)(void *ctx, const char *host, const char *what,
                                   struct rel_local_fault *f);

struct rel_local_opts {
    const char *dir;          /* working directory of the commands (copied) */
    rel_local_fault_fn fault; /* may be NULL */
    void *fault_ctx;
};

/* A transport for rel_runner_opts.transport; free it after the runner. */
int rel_local_transport_new(struct rel_transport **out, const struct rel_local_opts *opts);
void rel_local_transport_free(struct rel_transport *t);

#endif
