/*
 * dist.h - relman's side of Erlang's distribution protocol: a hidden node
 * that connects to one running node and calls functions on it, with no I/O
 * of its own.
 *
 * The connection is a byte stream the caller carries: a TCP socket on this
 * machine, or a `direct-tcpip` channel of an SSH session (remote/nodelink).
 * The caller feeds what it receives to rel_dist_input(), sends what
 * rel_dist_output() holds, and tells rel_dist_eof() when the stream ends. That
 * is why this is relman's own code rather than erl_interface's `ei`: ei's
 * calls block on file descriptors of its own table, while relman's SSH layer
 * is a non-blocking state machine with no descriptor per channel (see
 * docs/remote.md, "Live nodes").
 *
 * What is implemented (erts's "Distribution Protocol" documentation):
 *   - the handshake of OTP 23+ (send_name 'N', the status, the challenge, the
 *     reply with MD5(cookie ++ challenge), the peer's digest checked), as a
 *     hidden node (DFLAG_PUBLISHED unset) with the capability flags OTP 25
 *     and 26 make mandatory;
 *   - ticks (answered), and messages in the pass-through form (no atom cache);
 *   - calls through the node's `rex` server as erl_interface's ei_rpc makes
 *     them: {Self, {call, M, F, Args, user}} to the registered name rex, the
 *     answer {rex, Result}. One call at a time; the caller bounds it in time.
 * Everything else the node sends is read and dropped.
 *
 * The epmd query (PORT_PLEASE2_REQ) is here too, as two pure functions.
 */
#ifndef REL_DIST_H
#define REL_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rel_buf;
struct rel_term;
struct rel_dist;

/* Largest message accepted from a node (a reply to a call), in bytes. */
#define REL_DIST_MAX_MESSAGE ((size_t)64 << 20)

/*
 * A new connection to `peer` ("name@host", or "name" for whatever host the
 * node gives in the handshake) as the hidden node `self` ("relman_123@host";
 * OTP 25 nodes accept any host part, short or long). `cookie` is copied and
 * wiped on free. The send_name message is queued at once.
 */
int rel_dist_new(struct rel_dist **out, const char *self, const char *peer, const char *cookie);
void rel_dist_free(struct rel_dist *d);

/* Bytes waiting to be sent, and how many were; after rel_dist_sent(d, n)
 * the first n are gone. */
const void *rel_dist_output(const struct rel_dist *d, size_t *len);
void rel_dist_sent(struct rel_dist *d, size_t n);

/*
 * Bytes received. 0, or a negative rel_error code with the message set: the
 * node refused (its status, e.g. "not_allowed"), it is not the node asked for,
 * its digest is wrong (a different cookie), or it sent something malformed.
 * After an error the connection is unusable.
 */
int rel_dist_input(struct rel_dist *d, const void *data, size_t len);

/* The stream ended: always a negative code with the reason (during the
 * handshake, after our digest: "wrong cookie?"). */
int rel_dist_eof(struct rel_dist *d);

/* The handshake is done: calls can be made. */
bool rel_dist_ready(const struct rel_dist *d);

/* The peer's name as it gave it in the handshake (NULL before). */
const char *rel_dist_peer(const struct rel_dist *d);

/*
 * Queue the call M:F(Args...) (`args` a list, borrowed). REL_EINVAL when not
 * ready or a call is pending. The answer is taken with rel_dist_reply().
 */
int rel_dist_call(struct rel_dist *d, const char *mod, const char *fun,
                  const struct rel_term *args);

/* 1 and *out (the call's result, owned by the caller; {badrpc, Reason} as
 * the node sends it) when the answer has arrived, 0 while it has not. */
int rel_dist_reply(struct rel_dist *d, struct rel_term **out);

/* Is a call waiting for its answer? */
bool rel_dist_busy(const struct rel_dist *d);

/* ---- epmd ------------------------------------------------------------------ */

/* Append the PORT_PLEASE2_REQ for the node name's alive part ("foo" of
 * "foo@host"). */
void rel_dist_epmd_request(struct rel_buf *out, const char *alive);

/*
 * Parse epmd's PORT2_RESP from `len` bytes: 1 and *port when complete and
 * found, 0 when more bytes are needed, a negative code when epmd does not
 * know the name ("no node NAME registered with epmd") or the answer is
 * malformed.
 */
int rel_dist_epmd_reply(const void *data, size_t len, const char *alive, int *port);

#endif
