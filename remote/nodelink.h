/*
 * nodelink.h - calls to a running node as a hidden Erlang node (core/dist),
 * over TCP on this machine or through the SSH connection relman already has
 * to a target (remote/sshtunnel: epmd and the distribution port are reached
 * from the server's side, so neither needs to be open to the outside).
 *
 * Blocking, each step bounded by a deadline: opening (epmd, connect,
 * handshake) by `timeout_ms`, each call by its own timeout. After a failed
 * or timed-out call the link is closed (a late answer could be taken for
 * the next one's); open a new one.
 *
 * The cookie is held only in memory, wiped on free, and never printed: the
 * messages name the node, never the cookie.
 */
#ifndef REL_NODELINK_H
#define REL_NODELINK_H

struct rel_ssh_session;
struct rel_term;
struct rel_nodelink;

struct rel_nodelink_opts {
    const char *node;   /* "name@host", as the node calls itself */
    const char *cookie; /* borrowed */
    /* Where the node's host is reached: NULL for the host part of `node`
     * (TCP), or "127.0.0.1" (through SSH: the target itself). */
    const char *host;
    int epmd_port;  /* 0: ERL_EPMD_PORT of this process's environment, else 4369 */
    int dist_port;  /* > 0: the node listens there; epmd is not asked (epmd-less set-ups) */
    int timeout_ms; /* 0: 5000 */
    struct rel_ssh_session *ssh; /* ready session, or NULL: TCP from this machine */
};

/* Connect and shake hands. REL_ENOTFOUND when epmd or the port does not
 * answer or the node is not registered; REL_EAUTH for a refused handshake
 * or a wrong cookie; REL_ETIMEOUT. */
int rel_nodelink_open(struct rel_nodelink **out, const struct rel_nodelink_opts *o);

/*
 * M:F(Args) on the node (`args` a list, borrowed); *result (owned by the
 * caller) is what the function returned, or {badrpc, Reason} when it raised
 * or the module is missing (as rpc:call/4 gives it). REL_ETIMEOUT when no
 * answer came within timeout_ms (0: 5000).
 */
int rel_nodelink_call(struct rel_nodelink *l, const char *mod, const char *fun,
                      const struct rel_term *args, int timeout_ms, struct rel_term **result);

/* The node's name as it gave it in the handshake. */
const char *rel_nodelink_peer(const struct rel_nodelink *l);

void rel_nodelink_free(struct rel_nodelink *l);

#endif
