/*
 * nodelink.c - core/dist driven over a TCP socket or an SSH tunnel, with
 * deadlines (see nodelink.h).
 */
#include "nodelink.h"

#include "ssh.h"
#include "sshtunnel.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/dist.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One byte stream: a socket of ours, or a direct-tcpip channel. */
struct stream {
    int fd;
    struct rel_ssh_session *s;
    struct rel_ssh_tunnel *t;
    const char *what; /* "epmd on HOST:PORT", for messages */
};

struct rel_nodelink {
    struct stream st;
    struct rel_dist *dist;
    char *node;
    bool broken;
};

static int left_ms(int64_t deadline)
{
    int64_t left = deadline - rel_ssh_now_ms();
    return left > 0 ? (int)left : 0;
}

/* Wait until the stream may make progress (or the deadline). */
static int st_wait(struct stream *st, bool want_write, int64_t deadline)
{
    struct pollfd pfd = {.fd = st->fd, .events = POLLIN | (want_write ? POLLOUT : 0)};
    int n = 1;
    if (st->s)
        n = rel_ssh_session_pollfd(st->s, &pfd);
    int timeout = left_ms(deadline);
    if (st->s && timeout > 100)
        timeout = 100; /* libssh2 may hold data it already read: look again soon */
    if (poll(n ? &pfd : NULL, (nfds_t)n, timeout) < 0 && errno != EINTR)
        return rel_error_set_errno(REL_EIO, errno, "poll");
    return 0;
}

static int st_open(struct stream *st, struct rel_ssh_session *s, const char *host, int port,
                   int64_t deadline)
{
    st->fd = -1;
    st->s = s;
    if (s) {
        int rc = rel_ssh_tunnel_start(&st->t, s, host, port);
        while (rc == 0 && (rc = rel_ssh_tunnel_step(st->t)) == REL_SSH_AGAIN) {
            if (!left_ms(deadline))
                return rel_error_set(REL_ETIMEOUT, "%s: no answer in time", st->what);
            if ((rc = st_wait(st, true, deadline)) < 0)
                return rc;
            rc = 0;
        }
        return rc;
    }
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(host, portstr, &hints, &ai);
    if (g != 0)
        return rel_error_set(REL_ENOTFOUND, "%s: %s", st->what, gai_strerror(g));
    int rc = REL_ENOTFOUND, err = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
            err = errno;
            close(fd);
            continue;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int n = poll(&pfd, 1, left_ms(deadline));
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
            st->fd = fd;
            rc = 0;
            break;
        }
        err = n == 0 ? ETIMEDOUT : soerr;
        close(fd);
    }
    freeaddrinfo(ai);
    if (rc < 0)
        return rel_error_set(err == ETIMEDOUT ? REL_ETIMEOUT : REL_ENOTFOUND, "%s: %s", st->what,
                             strerror(err ? err : ECONNREFUSED));
    return 0;
}

/* > 0 bytes, 0 end of stream, REL_SSH_AGAIN, or negative. */
static ssize_t st_read(struct stream *st, void *buf, size_t len)
{
    if (st->t)
        return rel_ssh_tunnel_read(st->t, buf, len);
    ssize_t n = read(st->fd, buf, len);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        return REL_SSH_AGAIN;
    return rel_error_set_errno(REL_EIO, errno, "%s", st->what);
}

static ssize_t st_write(struct stream *st, const void *buf, size_t len)
{
    if (st->t)
        return rel_ssh_tunnel_write(st->t, buf, len);
    ssize_t n = send(st->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        return REL_SSH_AGAIN;
    return rel_error_set_errno(REL_EIO, errno, "%s", st->what);
}

static void st_close(struct stream *st)
{
    rel_ssh_tunnel_free(st->t);
    st->t = NULL;
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
}

/* Ask epmd for the node's distribution port. */
static int epmd_port(struct rel_ssh_session *s, const char *host, int port, const char *alive,
                     int64_t deadline, int *out)
{
    char what[300];
    snprintf(what, sizeof(what), "epmd on %s:%d", host, port);
    struct stream st = {.fd = -1, .what = what};
    struct rel_buf req = REL_BUF_INIT, resp = REL_BUF_INIT;
    rel_buf_init(&resp, 4096);
    rel_dist_epmd_request(&req, alive);
    int rc = st_open(&st, s, host, port, deadline);
    size_t sent = 0;
    while (rc == 0) {
        if (sent < req.len) {
            ssize_t n = st_write(&st, req.ptr + sent, req.len - sent);
            if (n < 0) {
                rc = (int)n;
                break;
            }
            if (n != REL_SSH_AGAIN)
                sent += (size_t)n;
        }
        char buf[512];
        ssize_t n = st_read(&st, buf, sizeof(buf));
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n > 0 && n != REL_SSH_AGAIN && rel_buf_put(&resp, buf, (size_t)n) < 0) {
            rc = rel_error_set(REL_ELIMIT, "%s: answer too long", what);
            break;
        }
        int r = rel_dist_epmd_reply(resp.ptr, resp.len, alive, out);
        if (r != 0) {
            rc = r < 0 ? r : 0;
            if (r < 0)
                rel_error_prefix("%s", what);
            break;
        }
        if (n == 0) {
            rc = rel_error_set(REL_ENOTFOUND, "%s: closed without an answer", what);
            break;
        }
        if (!left_ms(deadline)) {
            rc = rel_error_set(REL_ETIMEOUT, "%s: no answer in time", what);
            break;
        }
        if (n == REL_SSH_AGAIN && (rc = st_wait(&st, sent < req.len, deadline)) < 0)
            break;
    }
    st_close(&st);
    rel_buf_free(&req);
    rel_buf_free(&resp);
    return rc;
}

/* Move bytes both ways once; waits when nothing moved. 0, or negative. */
static int pump(struct rel_nodelink *l, int64_t deadline)
{
    bool moved = false;
    size_t len;
    const void *out = rel_dist_output(l->dist, &len);
    if (len) {
        ssize_t n = st_write(&l->st, out, len);
        if (n < 0)
            return (int)n;
        if (n != REL_SSH_AGAIN) {
            rel_dist_sent(l->dist, (size_t)n);
            moved = true;
        }
    }
    char buf[16384];
    ssize_t n = st_read(&l->st, buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    if (n == 0)
        return rel_dist_eof(l->dist);
    if (n != REL_SSH_AGAIN) {
        int rc = rel_dist_input(l->dist, buf, (size_t)n);
        if (rc < 0)
            return rc;
        moved = true;
    }
    if (!moved) {
        rel_dist_output(l->dist, &len);
        return st_wait(&l->st, len > 0, deadline);
    }
    return 0;
}

int rel_nodelink_open(struct rel_nodelink **out, const struct rel_nodelink_opts *o)
{
    *out = NULL;
    const char *at = strchr(o->node, '@');
    if (!at || at == o->node || !at[1])
        return rel_error_set(REL_EINVAL, "not a node name (name@host): %s", o->node);
    int64_t deadline = rel_ssh_now_ms() + (o->timeout_ms > 0 ? o->timeout_ms : 5000);
    const char *host = o->host ? o->host : at + 1;
    char *alive = rel_strndup(o->node, (size_t)(at - o->node));
    int port = o->dist_port, rc = 0;
    if (port <= 0) {
        int ep = o->epmd_port;
        const char *env = getenv("ERL_EPMD_PORT");
        if (ep <= 0)
            ep = env && atoi(env) > 0 ? atoi(env) : 4369;
        rc = epmd_port(o->ssh, host, ep, alive, deadline, &port);
    }
    free(alive);
    if (rc < 0)
        return rc;
    struct rel_nodelink *l = rel_calloc(1, sizeof(*l));
    l->node = rel_strdup(o->node);
    char what[300];
    snprintf(what, sizeof(what), "%s (port %d)", o->node, port);
    l->st.fd = -1;
    l->st.what = l->node;
    static unsigned serial;
    char self[300];
    snprintf(self, sizeof(self), "relman_%ld_%u@%s", (long)getpid(), ++serial, at + 1);
    struct stream tmp = {.fd = -1, .what = what};
    rc = st_open(&tmp, o->ssh, host, port, deadline);
    l->st.fd = tmp.fd;
    l->st.s = tmp.s;
    l->st.t = tmp.t;
    if (rc == 0)
        rc = rel_dist_new(&l->dist, self, o->node, o->cookie);
    while (rc == 0 && !rel_dist_ready(l->dist)) {
        if (!left_ms(deadline))
            rc = rel_error_set(REL_ETIMEOUT, "%s: no handshake in time", o->node);
        else
            rc = pump(l, deadline);
    }
    if (rc < 0) {
        rel_nodelink_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int rel_nodelink_call(struct rel_nodelink *l, const char *mod, const char *fun,
                      const struct rel_term *args, int timeout_ms, struct rel_term **result)
{
    *result = NULL;
    if (l->broken)
        return rel_error_set(REL_EIO, "%s: the link was closed by an earlier failure", l->node);
    int64_t deadline = rel_ssh_now_ms() + (timeout_ms > 0 ? timeout_ms : 5000);
    int rc = rel_dist_call(l->dist, mod, fun, args);
    while (rc == 0) {
        if (rel_dist_reply(l->dist, result) == 1)
            return 0;
        if (!left_ms(deadline)) {
            rc = rel_error_set(REL_ETIMEOUT, "%s: %s:%s did not answer within %d ms", l->node, mod,
                               fun, timeout_ms > 0 ? timeout_ms : 5000);
            break;
        }
        rc = pump(l, deadline);
    }
    l->broken = true;
    return rc;
}

const char *rel_nodelink_peer(const struct rel_nodelink *l)
{
    return rel_dist_peer(l->dist);
}

void rel_nodelink_free(struct rel_nodelink *l)
{
    if (!l)
        return;
    rel_dist_free(l->dist);
    st_close(&l->st);
    free(l->node);
    free(l);
}
