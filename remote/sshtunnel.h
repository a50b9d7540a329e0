/*
 * sshtunnel.h - a TCP connection opened from the SSH server's side
 * (`direct-tcpip`), as a byte stream: how relman reaches a node's epmd and
 * distribution port on a target without either being reachable from outside
 * the host (remote/nodelink). Non-blocking like the rest of remote/ssh.h:
 * REL_SSH_AGAIN means poll the session (rel_ssh_session_pollfd) and call
 * again.
 */
#ifndef REL_SSHTUNNEL_H
#define REL_SSHTUNNEL_H

#include <stddef.h>
#include <sys/types.h>

struct rel_ssh_session;
struct rel_ssh_tunnel;

/* Start opening host:port (as the server resolves it) on a ready session. */
int rel_ssh_tunnel_start(struct rel_ssh_tunnel **out, struct rel_ssh_session *s, const char *host,
                         int port);
/* REL_SSH_AGAIN; 0 open; REL_ENOTFOUND nothing listens there (or the server
 * forbids forwarding: the message says which); other negatives: the session
 * failed. */
int rel_ssh_tunnel_step(struct rel_ssh_tunnel *t);
/* Bytes read (> 0), 0 at the end of the stream, REL_SSH_AGAIN, or a negative
 * code. */
ssize_t rel_ssh_tunnel_read(struct rel_ssh_tunnel *t, void *buf, size_t len);
/* Bytes written (> 0), REL_SSH_AGAIN, or a negative code. */
ssize_t rel_ssh_tunnel_write(struct rel_ssh_tunnel *t, const void *buf, size_t len);
void rel_ssh_tunnel_free(struct rel_ssh_tunnel *t);

#endif
