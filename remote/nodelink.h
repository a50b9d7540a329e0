/*
 * nodelink.h - calls to a running node as a hidden Erlang node (core/dist),
 * over TCP on this machine or through the SSH connection relman already has
 * to a target (remote/sshtunnel: epmd and the distribution port are reached
 * from the server's side, so neither needs to be open to the outside).
 *
 * Non-blocking like the rest of remote/ (start, then step while it says
 * REL_SSH_AGAIN, polling what pollfds() names), with blocking wrappers for
 * one-off use. Every phase is bounded by a deadline: opening (epmd, connect,
 * handshake) by `timeout_ms`, each call by its own timeout. After a failure
 * or a timed-out call the link is closed (a late answer could be taken for
 * the next one's); open a new one.
 *
 * The cookie is held only in memory, wiped on free, and never printed: the
 * messages name the node, never the cookie.
 */
#ifndef REL_NODELINK_H
#define REL_NODELINK_H

#include <stddef.h>
#include <stdint.h>

struct rel_ssh_session;
struct rel_term;
struct rel_nodelink;

struct rel_nodelink_opts {
    const char *node;   /* "name@host", as the node calls itself, or "name" (any host:
                           rel_nodelink_peer() then tells the whole name) */
    const char *cookie; /* borrowed */
    /* Where the node's host is reached: NULL for the host part of `node`
     * (TCP), or "127.0.0.1" (through SSH: the target itself). */
    const char *host;
    int epmd_port;  /* 0: ERL_EPMD_PORT of this process's environment, else 4369 */
    int dist_port;  /* > 0: the node listens there; epmd is not asked (epmd-less set-ups) */
    int timeout_ms; /* 0: 5000 */
    struct rel_ssh_session *ssh; /* ready session, or NULL: TCP from this machine */
    const char *self_host;       /* host part of relman's own node name; NULL: the node's */
};

struct pollfd;

/* Start opening (epmd, then the node). */
int rel_nodelink_start(struct rel_nodelink **out, const struct rel_nodelink_opts *o);
/* Advance: REL_SSH_AGAIN, 0 when open and no call is out (or its answer
 * came), negative when the link failed (it stays failed). */
int rel_nodelink_step(struct rel_nodelink *l);
/* What to poll, and the deadline (rel_ssh_now_ms() time) to wake at. With
 * SSH: the session's socket; libssh2 may hold data it already read, so wake
 * within ~50 ms too. */
size_t rel_nodelink_pollfds(const struct rel_nodelink *l, struct pollfd *fds, size_t max,
                            int64_t *deadline);
/* Send M:F(Args) on an open link; step until 0, then take the result. */
int rel_nodelink_call_start(struct rel_nodelink *l, const char *mod, const char *fun,
                            const struct rel_term *args, int timeout_ms);
/* 1 and *result (owned by the caller) once the answer came, else 0. */
int rel_nodelink_call_result(struct rel_nodelink *l, struct rel_term **result);

/* Blocking: start and step until open. REL_ENOTFOUND when epmd or the port does not
 * answer or the node is not registered; REL_EAUTH for a refused handshake
 * or a wrong cookie; REL_ETIMEOUT. */
int rel_nodelink_open(struct rel_nodelink **out, const struct rel_nodelink_opts *o);

/*
 * Blocking: M:F(Args) on the node (`args` a list, borrowed); *result (owned by the
 * caller) is what the function returned, or {badrpc, Reason} when it raised
 * or the module is missing (as rpc:call/4 gives it). REL_ETIMEOUT when no
 * answer came within timeout_ms (0: 5000).
 */
int rel_nodelink_call(struct rel_nodelink *l, const char *mod, const char *fun,
                      const struct rel_term *args, int timeout_ms, struct rel_term **result);

/* The node's name as it gave it in the handshake. */
const char *rel_nodelink_peer(const struct rel_nodelink *l);

void rel_nodelink_free(struct rel_nodelink *l);

/* ---- a sequence of calls on one link ------------------------------------------ */

struct rel_nodecall {
    const char *mod, *fun;
    const char *args; /* the argument list as Erlang text, e.g. "[process_count]" */
};

struct rel_nodecalls;

/* Open a link and make `calls` (borrowed, n at most 32) one after the
 * other, each within `timeout_ms` of the options. */
int rel_nodecalls_start(struct rel_nodecalls **out, const struct rel_nodelink_opts *o,
                        const struct rel_nodecall *calls, size_t n);
/* REL_SSH_AGAIN, 0 when every answer came, or negative (message set). */
int rel_nodecalls_step(struct rel_nodecalls *q);
size_t rel_nodecalls_pollfds(const struct rel_nodecalls *q, struct pollfd *fds, size_t max,
                             int64_t *deadline);
/* The answers so far (NULL for those not in), owned by q; and the node's name. */
struct rel_term *const *rel_nodecalls_results(const struct rel_nodecalls *q, size_t *n);
const char *rel_nodecalls_peer(const struct rel_nodecalls *q);
void rel_nodecalls_free(struct rel_nodecalls *q);

#endif
