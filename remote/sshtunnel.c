/*
 * sshtunnel.c - direct-tcpip channels as byte streams (see sshtunnel.h).
 */
#include "sshtunnel.h"

#include "sshsession.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

struct rel_ssh_tunnel {
    struct rel_ssh_session *s;
    char *host;
    int port;
    LIBSSH2_CHANNEL *ch;
};

int rel_ssh_tunnel_start(struct rel_ssh_tunnel **out, struct rel_ssh_session *s, const char *host,
                         int port)
{
    *out = NULL;
    if (s->st != S_READY)
        return rel_error_set(REL_ESSH, "%s (%s): not connected", s->label, s->peer);
    struct rel_ssh_tunnel *t = rel_calloc(1, sizeof(*t));
    t->s = s;
    t->host = rel_strdup(host);
    t->port = port;
    *out = t;
    return 0;
}

int rel_ssh_tunnel_step(struct rel_ssh_tunnel *t)
{
    if (t->ch)
        return 0;
    return rel_ssh_direct_open(t->s, t->host, t->port,
                               "opening a TCP connection through the ssh connection", &t->ch);
}

ssize_t rel_ssh_tunnel_read(struct rel_ssh_tunnel *t, void *buf, size_t len)
{
    struct rel_ssh_session *s = t->s;
    s->want = 0;
    rel_ssh_keepalive(s);
    if (s->st == S_DEAD)
        return rel_error_set(s->error, "%s", s->error_msg);
    ssize_t n = libssh2_channel_read(t->ch, buf, len);
    if (n > 0)
        return n;
    if (n == LIBSSH2_ERROR_EAGAIN) {
        if (libssh2_channel_eof(t->ch))
            return 0;
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    if (n == 0)
        return libssh2_channel_eof(t->ch) ? 0 : REL_SSH_AGAIN;
    return rel_ssh_error(s, (int)n, "reading through the ssh connection");
}

ssize_t rel_ssh_tunnel_write(struct rel_ssh_tunnel *t, const void *buf, size_t len)
{
    struct rel_ssh_session *s = t->s;
    s->want = 0;
    if (s->st == S_DEAD)
        return rel_error_set(s->error, "%s", s->error_msg);
    ssize_t n = libssh2_channel_write(t->ch, buf, len);
    if (n >= 0)
        return n ? n : REL_SSH_AGAIN;
    if (n == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    return rel_ssh_error(s, (int)n, "writing through the ssh connection");
}

void rel_ssh_tunnel_free(struct rel_ssh_tunnel *t)
{
    if (!t)
        return;
    rel_ssh_channel_release(t->s, t->ch);
    free(t->host);
    free(t);
}
