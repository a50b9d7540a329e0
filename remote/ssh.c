/*
 * ssh.c - libssh2 sessions as non-blocking state machines (the shape of
 * curl's lib/vssh/libssh2.c: one state per libssh2 call that may return
 * EAGAIN, one function translating libssh2's errors, in sshsession.c):
 * policies, connecting, the step loop, rel_ssh_drive(). Host keys are
 * sshkeys.c, authentication sshauth.c, command and probe channels
 * sshchan.c; they share sshsession.h.
 */
#define _GNU_SOURCE
#include "sshsession.h"

#include "events.h"
#include "sshconfig.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT 15

/* ---- small helpers ----------------------------------------------------- */

static const struct {
    enum rel_ssh_policy policy;
    const char *name;
} policy_names[] = {
    {REL_SSH_POLICY_STRICT, "strict"},
    {REL_SSH_POLICY_ACCEPT_NEW, "accept-new"},
    {REL_SSH_POLICY_ASK, "ask"},
};

int rel_ssh_policy_parse(enum rel_ssh_policy *out, const char *name)
{
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
        if (strcmp(name, policy_names[i].name) == 0) {
            *out = policy_names[i].policy;
            return 0;
        }
    if (strcmp(name, "yes") == 0) {
        *out = REL_SSH_POLICY_STRICT;
        return 0;
    }
    return rel_error_set(REL_ECONFIG,
                         "unknown host key policy '%s' (expected strict, accept-new or ask)", name);
}

const char *rel_ssh_policy_name(enum rel_ssh_policy policy)
{
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
        if (policy_names[i].policy == policy)
            return policy_names[i].name;
    return "unknown";
}

void rel_ssh_opts_init(struct rel_ssh_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->policy = REL_SSH_POLICY_ACCEPT_NEW;
    opts->use_agent = true;
}

static int libssh2_ready;

static int ensure_libssh2(void)
{
    if (!libssh2_ready) {
        if (libssh2_init(0) != 0)
            return rel_error_set(REL_ESSH, "cannot initialise libssh2");
        libssh2_ready = 1;
    }
    return 0;
}

/* ---- sessions ---------------------------------------------------------- */

static void session_stepev(struct rel_ssh_session *s, const char *step, const char *detail)
{
    if (s->opts.events && s->opts.events->ops && s->opts.events->ops->step)
        s->opts.events->ops->step(s->opts.events->ctx, s->label, step, detail);
}

int rel_ssh_session_new(struct rel_ssh_session **out, const struct rel_ssh_endpoint *ep,
                        const struct rel_ssh_opts *opts)
{
    *out = NULL;
    int rc = ensure_libssh2();
    if (rc < 0)
        return rc;
    struct rel_ssh_session *s = rel_calloc(1, sizeof(*s));
    rel_sshconfig_copy(&s->ep, ep);
    if (opts)
        s->opts = *opts;
    else
        rel_ssh_opts_init(&s->opts);
    s->label = rel_strdup(s->opts.label ? s->opts.label : ep->alias);
    s->opts.label = s->label;
    s->peer = rel_asprintf("%s@%s port %d", ep->user, ep->hostname, ep->port);
    /* OpenSSH uses HostKeyAlias as it is, without the port. */
    s->kh_name = ep->host_key_alias ? rel_sshknown_name(ep->host_key_alias, 22)
                                    : rel_sshknown_name(ep->hostname, ep->port);
    s->sock = -1;
    s->st = S_RESOLVE;
    rel_buf_init(&s->tried, 4096);
    rel_buf_init(&s->rx_head, 64 * 1024);
    *out = s;
    return 0;
}

bool rel_ssh_session_ready(const struct rel_ssh_session *s)
{
    return s->st == S_READY;
}

bool rel_ssh_session_alive(const struct rel_ssh_session *s)
{
    return s->st != S_DEAD;
}

const char *rel_ssh_session_label(const struct rel_ssh_session *s)
{
    return s->label;
}

const char *rel_ssh_session_peer(const struct rel_ssh_session *s)
{
    return s->peer;
}

int rel_ssh_session_pollfd(const struct rel_ssh_session *s, struct pollfd *pfd)
{
    if (s->st == S_DEAD)
        return 0;
    if (s->jump)
        return rel_ssh_proxy_pollfd(s, pfd);
    if (s->sock < 0)
        return 0;
    pfd->fd = s->sock;
    pfd->revents = 0;
    if (s->st == S_WAIT_CONNECT) {
        pfd->events = POLLOUT;
        return 1;
    }
    pfd->events = 0;
    if (s->want & LIBSSH2_SESSION_BLOCK_INBOUND)
        pfd->events |= POLLIN;
    if (s->want & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        pfd->events |= POLLOUT;
    if (!pfd->events)
        pfd->events = POLLIN; /* whatever the server says next */
    return 1;
}

int64_t rel_ssh_session_deadline(const struct rel_ssh_session *s)
{
    int64_t d = s->st == S_READY && s->keepalive_on ? s->next_keepalive
                : s->st < S_READY                   ? s->deadline
                                                    : 0;
    /* a ProxyJump hop's keepalives are due too */
    int64_t hop = s->jump && s->st != S_DEAD ? rel_ssh_session_deadline(s->jump) : 0;
    return hop && (!d || hop < d) ? hop : d;
}

/* ---- keepalives ----------------------------------------------------------- */

void rel_ssh_received(struct rel_ssh_session *s, const void *data, size_t len)
{
    if (len == 0)
        return;
    s->last_rx = rel_ssh_now_ms();
    if (!s->rx_head_done) {
        size_t room = s->rx_head.max > s->rx_head.len ? s->rx_head.max - s->rx_head.len : 0;
        rel_buf_put(&s->rx_head, data, len < room ? len : room);
    }
}

/* libssh2's recv, noting what the server sent and when: when it last sent
 * something (the answer to a keepalive counts) and what it offered in its
 * KEXINIT, two things libssh2 1.10 does not tell. */
static LIBSSH2_RECV_FUNC(sock_recv)
{
    struct rel_ssh_session *s = *abstract;
    ssize_t n = recv(socket, buffer, length, flags);
    if (n < 0)
        return errno == ENOENT ? -EAGAIN : -errno;
    rel_ssh_received(s, buffer, (size_t)n);
    return n;
}

static void keepalive_start(struct rel_ssh_session *s)
{
    if (s->keepalive_on || s->ep.server_alive_interval <= 0)
        return;
    /* want_reply: OpenSSH answers each one, which is what proves it alive */
    libssh2_keepalive_config(s->ssh, 1, (unsigned)s->ep.server_alive_interval);
    s->keepalive_on = true;
    s->last_rx = rel_ssh_now_ms();
    s->next_keepalive = s->last_rx + (int64_t)s->ep.server_alive_interval * 1000;
}

int rel_ssh_keepalive(struct rel_ssh_session *s)
{
    if (s->jump && rel_ssh_keepalive(s->jump) < 0) {
        rel_ssh_die(s, s->jump->error);
        return s->error;
    }
    if (!s->keepalive_on || s->st != S_READY)
        return 0;
    int64_t now = rel_ssh_now_ms();
    int interval = s->ep.server_alive_interval < 2 ? 2 : s->ep.server_alive_interval;
    int count = s->ep.server_alive_count > 0 ? s->ep.server_alive_count : 1;
    if (now - s->last_rx > (int64_t)interval * (count + 1) * 1000)
        return rel_ssh_fail(s, REL_ESSH,
                            "no answer from the server for %d s (ServerAliveInterval %d, "
                            "ServerAliveCountMax %d): connection lost",
                            (int)((now - s->last_rx) / 1000), s->ep.server_alive_interval, count);
    if (now < s->next_keepalive)
        return 0;
    int next = 0;
    int r = libssh2_keepalive_send(s->ssh, &next);
    /* A packet of a channel half sent makes libssh2 refuse another one
     * (LIBSSH2_ERROR_BAD_USE): the keepalive waits for the next turn. */
    if (r < 0 && rel_ssh_fatal_error(r))
        return rel_ssh_error(s, r, "keepalive");
    s->next_keepalive = now + (int64_t)(next > 0 ? next : 1) * 1000;
    return 0;
}

/* ---- connecting ---------------------------------------------------------- */

static int step_resolve(struct rel_ssh_session *s)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    char port[16];
    snprintf(port, sizeof(port), "%d", s->ep.port);
    s->timeout_s = s->opts.connect_timeout > 0 ? s->opts.connect_timeout
                   : s->ep.connect_timeout > 0 ? s->ep.connect_timeout
                                               : DEFAULT_CONNECT_TIMEOUT;
    s->deadline = rel_ssh_now_ms() + (int64_t)s->timeout_s * 1000;
    session_stepev(s, "connect", s->peer);
    if (s->ep.njumps || s->ep.proxy_command) {
        s->st = s->ep.njumps ? S_JUMP : S_PROXY;
        return 0;
    }
    /* Name resolution blocks; hosts are usually in /etc/hosts or DNS caches. */
    int r = getaddrinfo(s->ep.hostname, port, &hints, &s->ai);
    if (r != 0)
        return rel_ssh_fail(s, REL_ESSH, "cannot resolve %s: %s", s->ep.hostname, gai_strerror(r));
    s->ai_next = s->ai;
    s->st = S_CONNECT;
    return 0;
}

static int step_connect(struct rel_ssh_session *s)
{
    while (s->ai_next) {
        struct addrinfo *a = s->ai_next;
        s->ai_next = a->ai_next;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            s->connect_errno = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            s->sock = fd;
            s->st = S_WAIT_CONNECT;
            return REL_SSH_AGAIN;
        }
        s->connect_errno = errno;
        close(fd);
    }
    return rel_ssh_fail(s, REL_ESSH, "cannot connect: %s",
                        strerror(s->connect_errno ? s->connect_errno : ECONNREFUSED));
}

static int step_wait_connect(struct rel_ssh_session *s)
{
    struct pollfd p = {.fd = s->sock, .events = POLLOUT};
    if (poll(&p, 1, 0) <= 0)
        return REL_SSH_AGAIN;
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(s->sock, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        s->connect_errno = err;
        close(s->sock);
        s->sock = -1;
        s->st = S_CONNECT;
        return 0;
    }
    s->st = S_INIT;
    return 0;
}

static int step_init(struct rel_ssh_session *s)
{
    s->ssh = libssh2_session_init_ex(NULL, NULL, NULL, s);
    if (!s->ssh)
        return rel_ssh_fail(s, REL_ENOMEM, "cannot create an SSH session");
    libssh2_session_set_blocking(s->ssh, 0);
    rel_ssh_proxy_callbacks(s);
    if (!s->jump)
        libssh2_session_callback_set(s->ssh, LIBSSH2_CALLBACK_RECV, (void *)sock_recv);
    int rc = rel_ssh_load_known_hosts(s);
    if (rc == 0)
        rc = rel_ssh_pin_host_key_types(s);
    if (rc < 0)
        return rc;
    s->st = S_HANDSHAKE;
    return 0;
}

static int step_handshake(struct rel_ssh_session *s)
{
    int r = libssh2_session_handshake(s->ssh, s->jump ? rel_ssh_proxy_fd(s) : s->sock);
    if (r == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    if (r != 0) {
        char *why = rel_ssh_kex_diagnose(s);
        int rc = why ? rel_ssh_fail(s, REL_ESSH, "SSH handshake: %s", why)
                     : rel_ssh_error(s, r, "SSH handshake");
        free(why);
        rel_ssh_die(s, rc);
        return rc;
    }
    s->rx_head_done = true;
    rel_buf_free(&s->rx_head);
    s->st = S_HOSTKEY;
    return 0;
}

int rel_ssh_session_step(struct rel_ssh_session *s)
{
    s->want = 0;
    for (;;) {
        if (s->st == S_READY) {
            keepalive_start(s);
            return rel_ssh_keepalive(s);
        }
        if (s->st == S_DEAD)
            return rel_error_set(s->error, "%s", s->error_msg ? s->error_msg : "session failed");
        if (s->deadline && rel_ssh_now_ms() > s->deadline)
            return rel_ssh_fail(s, REL_ESSH, "timed out while connecting");
        int rc;
        switch (s->st) {
        case S_RESOLVE: rc = step_resolve(s); break;
        case S_JUMP:
        case S_JUMP_OPEN:
        case S_PROXY: rc = rel_ssh_proxy_step(s); break;
        case S_CONNECT: rc = step_connect(s); break;
        case S_WAIT_CONNECT: rc = step_wait_connect(s); break;
        case S_INIT: rc = step_init(s); break;
        case S_HANDSHAKE: rc = step_handshake(s); break;
        case S_HOSTKEY:
            rc = rel_ssh_check_host_key(s);
            if (rc == 0)
                s->st = S_AUTHLIST;
            break;
        case S_AUTHLIST:
        case S_AGENT_INIT:
        case S_AGENT_TRY:
        case S_KEYFILE_NEXT:
        case S_KEYFILE_TRY:
        case S_AUTH_FAILED: rc = rel_ssh_auth_step(s); break;
        default: rc = rel_ssh_fail(s, REL_ESSH, "internal error: bad state %d", (int)s->st);
        }
        if (rc != 0) {
            if (rc < 0 && s->st != S_DEAD)
                rel_ssh_die(s, rc);
            return rc;
        }
    }
}

void rel_ssh_session_free(struct rel_ssh_session *s)
{
    if (!s)
        return;
    if (s->agent) {
        libssh2_agent_disconnect(s->agent);
        libssh2_agent_free(s->agent);
    }
    rel_sshknown_free(&s->known);
    if (s->ssh) {
        if (s->st == S_READY) {
            /* Bounded, best effort: a polite goodbye, never a hang. */
            libssh2_session_set_blocking(s->ssh, 1);
            libssh2_session_set_timeout(s->ssh, 2000);
            libssh2_session_disconnect(s->ssh, "relman done");
        }
        libssh2_session_free(s->ssh);
    }
    if (s->sock >= 0)
        close(s->sock);
    rel_ssh_proxy_free(s);
    if (s->ai)
        freeaddrinfo(s->ai);
    rel_sshconfig_free(&s->ep);
    rel_buf_free(&s->tried);
    rel_buf_free(&s->rx_head);
    memset(s->passphrase, 0, sizeof(s->passphrase));
    free(s->authlist);
    free(s->rsa_refused);
    free(s->error_msg);
    free(s->label);
    free(s->peer);
    free(s->kh_name);
    free(s);
}

/* ---- blocking convenience ---------------------------------------------- */

int rel_ssh_session_step_cb(void *session)
{
    return rel_ssh_session_step(session);
}

int rel_ssh_drive(struct rel_ssh_session *s, int (*step)(void *obj), void *obj)
{
    for (;;) {
        int rc = step(obj);
        if (rc != REL_SSH_AGAIN)
            return rc;
        struct pollfd pfd;
        int n = rel_ssh_session_pollfd(s, &pfd);
        int timeout = 1000;
        int64_t deadline = rel_ssh_session_deadline(s);
        if (deadline) {
            int64_t left = deadline - rel_ssh_now_ms();
            if (left < timeout)
                timeout = left > 0 ? (int)left : 0;
        }
        if (poll(n ? &pfd : NULL, (nfds_t)n, timeout) < 0 && errno != EINTR)
            return rel_error_set_errno(REL_EIO, errno, "poll");
    }
}

