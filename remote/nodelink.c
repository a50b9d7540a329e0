/*
 * nodelink.c - core/dist carried over a TCP socket or an SSH tunnel, as a
 * non-blocking state machine with deadlines (see nodelink.h).
 */
#include "nodelink.h"

#include "ssh.h"
#include "sshtunnel.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/dist.h"
#include "core/error.h"
#include "core/term.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum link_state {
    L_EPMD_OPEN, /* connecting to epmd */
    L_EPMD_IO,   /* asking it for the port */
    L_DIST_OPEN, /* connecting to the node */
    L_HANDSHAKE,
    L_READY, /* idle, or a call is out (dist says which) */
    L_FAILED,
};

/* One byte stream: a socket of ours, or a direct-tcpip channel. */
struct stream {
    int fd;
    bool connecting; /* TCP: connect() in progress */
    struct rel_ssh_tunnel *t;
    char what[300]; /* "epmd on HOST:PORT", for messages */
};

struct rel_nodelink {
    enum link_state st;
    struct rel_ssh_session *s;
    struct stream io;
    struct rel_dist *dist;
    char *node, *alive, *host, *self, *cookie;
    int port;
    struct rel_buf epmd_in, epmd_out;
    int64_t deadline; /* of the opening, then of the call that is out */
    int call_timeout;
    char call_name[128];
    int error;
    bool want_write;
};

static int left_ms(int64_t deadline)
{
    int64_t left = deadline - rel_ssh_now_ms();
    return left > 0 ? (int)left : 0;
}

static void st_close(struct stream *st)
{
    rel_ssh_tunnel_free(st->t);
    st->t = NULL;
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    st->connecting = false;
}

static int link_fail(struct rel_nodelink *l, int rc)
{
    l->st = L_FAILED;
    l->error = rc;
    st_close(&l->io);
    return rc;
}

/* Start connecting the stream to host:port. */
static int st_start(struct rel_nodelink *l, int port, const char *what)
{
    struct stream *st = &l->io;
    st_close(st);
    snprintf(st->what, sizeof(st->what), "%s", what);
    if (l->s)
        return rel_ssh_tunnel_start(&st->t, l->s, l->host, port);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(l->host, portstr, &hints, &ai);
    if (g != 0)
        return rel_error_set(REL_ENOTFOUND, "%s: %s", st->what, gai_strerror(g));
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return rel_error_set_errno(REL_EIO, errno, "%s: socket", st->what);
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = errno;
    freeaddrinfo(ai);
    if (rc < 0 && err != EINPROGRESS) {
        close(fd);
        return rel_error_set(REL_ENOTFOUND, "%s: %s", st->what, strerror(err));
    }
    st->fd = fd;
    st->connecting = true;
    return 0;
}

/* REL_SSH_AGAIN until connected, 0, or negative. */
static int st_step_open(struct stream *st)
{
    if (st->t)
        return rel_ssh_tunnel_step(st->t);
    if (!st->connecting)
        return 0;
    struct pollfd pfd = {.fd = st->fd, .events = POLLOUT};
    if (poll(&pfd, 1, 0) == 0)
        return REL_SSH_AGAIN;
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
        soerr = errno;
    if (soerr)
        return rel_error_set(REL_ENOTFOUND, "%s: %s", st->what, strerror(soerr));
    st->connecting = false;
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

/* Send what `out` holds from *off; read into `in`. 1 when something moved,
 * 0 when nothing could, 2 at the end of the stream, negative on failure. */
static int st_pump(struct stream *st, const void *out, size_t outlen, size_t *sent,
                   struct rel_buf *in)
{
    int moved = 0;
    *sent = 0;
    if (outlen) {
        ssize_t n = st_write(st, out, outlen);
        if (n < 0)
            return (int)n;
        if (n != REL_SSH_AGAIN) {
            *sent = (size_t)n;
            moved = 1;
        }
    }
    char buf[16384];
    ssize_t n = st_read(st, buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    if (n == 0)
        return 2;
    if (n != REL_SSH_AGAIN) {
        if (rel_buf_put(in, buf, (size_t)n) < 0)
            return rel_error_set(REL_ELIMIT, "%s: message larger than the limit", st->what);
        moved = 1;
    }
    return moved;
}

static int start_dist(struct rel_nodelink *l)
{
    char what[300];
    snprintf(what, sizeof(what), "%s (port %d)", l->node, l->port);
    int rc = st_start(l, l->port, what);
    if (rc < 0)
        return rc;
    l->st = L_DIST_OPEN;
    return 0;
}

int rel_nodelink_start(struct rel_nodelink **out, const struct rel_nodelink_opts *o)
{
    *out = NULL;
    const char *at = strchr(o->node, '@');
    if (at == o->node || (at && !at[1]) || !*o->node)
        return rel_error_set(REL_EINVAL, "not a node name (name@host or name): %s", o->node);
    if (!o->cookie || !*o->cookie)
        return rel_error_set(REL_EINVAL, "%s: no cookie to connect with", o->node);
    struct rel_nodelink *l = rel_calloc(1, sizeof(*l));
    l->io.fd = -1;
    l->s = o->ssh;
    l->node = rel_strdup(o->node);
    l->alive = at ? rel_strndup(o->node, (size_t)(at - o->node)) : rel_strdup(o->node);
    l->host = rel_strdup(o->host ? o->host : at ? at + 1 : "127.0.0.1");
    l->cookie = rel_strdup(o->cookie);
    static unsigned serial;
    l->self = rel_asprintf("relman_%ld_%u@%s", (long)getpid(), ++serial,
                           o->self_host ? o->self_host
                           : at         ? at + 1
                                        : "localhost");
    l->deadline = rel_ssh_now_ms() + (o->timeout_ms > 0 ? o->timeout_ms : 5000);
    rel_buf_init(&l->epmd_in, 4096);
    int rc;
    if (o->dist_port > 0) {
        l->port = o->dist_port;
        rc = start_dist(l);
    } else {
        int ep = o->epmd_port;
        const char *env = getenv("ERL_EPMD_PORT");
        if (ep <= 0)
            ep = env && atoi(env) > 0 ? atoi(env) : 4369;
        char what[300];
        snprintf(what, sizeof(what), "epmd on %s:%d", l->host, ep);
        rel_dist_epmd_request(&l->epmd_out, l->alive);
        rc = st_start(l, ep, what);
        l->st = L_EPMD_OPEN;
    }
    if (rc < 0) {
        rel_nodelink_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* One round of the connected states; 1 moved, 0 nothing to do now. */
static int step_epmd(struct rel_nodelink *l)
{
    size_t sent = 0;
    int m = st_pump(&l->io, l->epmd_out.ptr, l->epmd_out.len, &sent, &l->epmd_in);
    if (m < 0)
        return m;
    if (sent) {
        memmove(l->epmd_out.ptr, l->epmd_out.ptr + sent, l->epmd_out.len - sent);
        rel_buf_truncate(&l->epmd_out, l->epmd_out.len - sent);
    }
    int r = rel_dist_epmd_reply(l->epmd_in.ptr, l->epmd_in.len, l->alive, &l->port);
    if (r < 0) {
        rel_error_prefix("%s", l->io.what);
        return r;
    }
    if (r == 1) {
        int rc = start_dist(l);
        return rc < 0 ? rc : 1;
    }
    if (m == 2)
        return rel_error_set(REL_ENOTFOUND, "%s: closed without an answer", l->io.what);
    l->want_write = l->epmd_out.len > 0;
    return m;
}

static int step_dist(struct rel_nodelink *l)
{
    size_t len, sent = 0;
    const void *out = rel_dist_output(l->dist, &len);
    struct rel_buf in = REL_BUF_INIT;
    rel_buf_init(&in, 1 << 20);
    int m = st_pump(&l->io, out, len, &sent, &in);
    if (m >= 0 && sent)
        rel_dist_sent(l->dist, sent);
    int rc = m;
    if (m >= 0 && in.len)
        rc = rel_dist_input(l->dist, in.ptr, in.len);
    rel_buf_free(&in);
    if (rc < 0)
        return rc;
    if (m == 2)
        return rel_dist_eof(l->dist);
    rel_dist_output(l->dist, &len);
    l->want_write = len > 0;
    return m;
}

int rel_nodelink_step(struct rel_nodelink *l)
{
    for (;;) {
        int rc = 0, moved = 0;
        switch (l->st) {
        case L_FAILED:
            return rel_error_set(l->error, "%s: the link has failed", l->node);
        case L_EPMD_OPEN:
        case L_DIST_OPEN:
            rc = st_step_open(&l->io);
            if (rc == 0) {
                if (l->st == L_EPMD_OPEN) {
                    l->st = L_EPMD_IO;
                } else {
                    rc = rel_dist_new(&l->dist, l->self, l->node, l->cookie);
                    l->st = L_HANDSHAKE;
                }
                moved = 1;
            } else if (rc == REL_SSH_AGAIN) {
                rc = 0;
                l->want_write = true;
            }
            break;
        case L_EPMD_IO:
            moved = rc = step_epmd(l);
            break;
        case L_HANDSHAKE:
            moved = rc = step_dist(l);
            if (rc >= 0 && rel_dist_ready(l->dist)) {
                l->st = L_READY;
                return 0;
            }
            break;
        case L_READY:
            if (!rel_dist_busy(l->dist))
                return 0;
            moved = rc = step_dist(l);
            if (rc >= 0 && !rel_dist_busy(l->dist))
                return 0;
            break;
        }
        if (rc < 0)
            return link_fail(l, rc);
        if (!left_ms(l->deadline)) {
            if (l->st == L_READY)
                rc = rel_error_set(REL_ETIMEOUT, "%s: %s did not answer within %d ms", l->node,
                                   l->call_name, l->call_timeout);
            else
                rc = rel_error_set(REL_ETIMEOUT, "%s: no answer in time", l->io.what);
            return link_fail(l, rc);
        }
        if (!moved)
            return REL_SSH_AGAIN;
    }
}

size_t rel_nodelink_pollfds(const struct rel_nodelink *l, struct pollfd *fds, size_t max,
                            int64_t *deadline)
{
    *deadline = l->st == L_FAILED ? 0 : l->deadline;
    if (!max || l->st == L_FAILED)
        return 0;
    if (l->s)
        return (size_t)rel_ssh_session_pollfd(l->s, fds);
    fds[0] = (struct pollfd){.fd = l->io.fd, .events = POLLIN | (l->want_write ? POLLOUT : 0)};
    return 1;
}

int rel_nodelink_call_start(struct rel_nodelink *l, const char *mod, const char *fun,
                            const struct rel_term *args, int timeout_ms)
{
    if (l->st != L_READY)
        return rel_error_set(REL_EIO, "%s: the link is not open", l->node);
    int rc = rel_dist_call(l->dist, mod, fun, args);
    if (rc < 0)
        return rc;
    l->call_timeout = timeout_ms > 0 ? timeout_ms : 5000;
    l->deadline = rel_ssh_now_ms() + l->call_timeout;
    snprintf(l->call_name, sizeof(l->call_name), "%s:%s", mod, fun);
    l->want_write = true;
    return 0;
}

int rel_nodelink_call_result(struct rel_nodelink *l, struct rel_term **result)
{
    return rel_dist_reply(l->dist, result);
}

/* ---- blocking ------------------------------------------------------------------ */

static int drive(struct rel_nodelink *l)
{
    for (;;) {
        int rc = rel_nodelink_step(l);
        if (rc != REL_SSH_AGAIN)
            return rc;
        struct pollfd pfd;
        int64_t deadline;
        size_t n = rel_nodelink_pollfds(l, &pfd, 1, &deadline);
        int timeout = left_ms(deadline);
        if (l->s && timeout > 50)
            timeout = 50; /* libssh2 may hold data it already read: look again soon */
        if (poll(n ? &pfd : NULL, (nfds_t)n, timeout) < 0 && errno != EINTR)
            return link_fail(l, rel_error_set_errno(REL_EIO, errno, "poll"));
    }
}

int rel_nodelink_open(struct rel_nodelink **out, const struct rel_nodelink_opts *o)
{
    int rc = rel_nodelink_start(out, o);
    if (rc == 0 && (rc = drive(*out)) < 0) {
        rel_nodelink_free(*out);
        *out = NULL;
    }
    return rc;
}

int rel_nodelink_call(struct rel_nodelink *l, const char *mod, const char *fun,
                      const struct rel_term *args, int timeout_ms, struct rel_term **result)
{
    *result = NULL;
    int rc = rel_nodelink_call_start(l, mod, fun, args, timeout_ms);
    if (rc == 0)
        rc = drive(l);
    if (rc == 0 && rel_nodelink_call_result(l, result) != 1)
        rc = link_fail(l, rel_error_set(REL_EIO, "%s: no answer to %s", l->node, l->call_name));
    return rc;
}

const char *rel_nodelink_peer(const struct rel_nodelink *l)
{
    return l->dist ? rel_dist_peer(l->dist) : NULL;
}

void rel_nodelink_free(struct rel_nodelink *l)
{
    if (!l)
        return;
    rel_dist_free(l->dist);
    st_close(&l->io);
    if (l->cookie)
        explicit_bzero(l->cookie, strlen(l->cookie));
    free(l->cookie);
    free(l->node);
    free(l->alive);
    free(l->host);
    free(l->self);
    rel_buf_free(&l->epmd_in);
    rel_buf_free(&l->epmd_out);
    free(l);
}

/* ---- a sequence of calls --------------------------------------------------------- */

#define MAX_CALLS 32

struct rel_nodecalls {
    struct rel_nodelink *l;
    struct rel_term *args[MAX_CALLS];
    struct rel_term *results[MAX_CALLS];
    const struct rel_nodecall *calls;
    size_t n, next; /* next: the call to send next */
    bool out;       /* a call is out */
    int timeout_ms;
};

int rel_nodecalls_start(struct rel_nodecalls **out, const struct rel_nodelink_opts *o,
                        const struct rel_nodecall *calls, size_t n)
{
    *out = NULL;
    if (n > MAX_CALLS)
        return rel_error_set(REL_ELIMIT, "more than %d calls", MAX_CALLS);
    struct rel_nodecalls *q = rel_calloc(1, sizeof(*q));
    q->calls = calls;
    q->n = n;
    q->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *text = rel_asprintf("%s.", calls[i].args);
        rc = rel_term_parse_one(&q->args[i], text, strlen(text), "call");
        free(text);
    }
    if (rc == 0)
        rc = rel_nodelink_start(&q->l, o);
    if (rc < 0) {
        rel_nodecalls_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

int rel_nodecalls_step(struct rel_nodecalls *q)
{
    for (;;) {
        int rc = rel_nodelink_step(q->l);
        if (rc != 0)
            return rc;
        if (q->out) {
            if (rel_nodelink_call_result(q->l, &q->results[q->next - 1]) != 1)
                return rel_error_set(REL_EIO, "%s: no answer", q->l->node);
            q->out = false;
        }
        if (q->next == q->n)
            return 0;
        const struct rel_nodecall *c = &q->calls[q->next];
        if ((rc = rel_nodelink_call_start(q->l, c->mod, c->fun, q->args[q->next], q->timeout_ms)) <
            0)
            return rc;
        q->next++;
        q->out = true;
    }
}

size_t rel_nodecalls_pollfds(const struct rel_nodecalls *q, struct pollfd *fds, size_t max,
                             int64_t *deadline)
{
    return rel_nodelink_pollfds(q->l, fds, max, deadline);
}

struct rel_term *const *rel_nodecalls_results(const struct rel_nodecalls *q, size_t *n)
{
    *n = q->n;
    return q->results;
}

const char *rel_nodecalls_peer(const struct rel_nodecalls *q)
{
    return q->l ? rel_nodelink_peer(q->l) : NULL;
}

void rel_nodecalls_free(struct rel_nodecalls *q)
{
    if (!q)
        return;
    rel_nodelink_free(q->l);
    for (size_t i = 0; i < q->n; i++) {
        rel_term_free(q->args[i]);
        rel_term_free(q->results[i]);
    }
    free(q);
}
