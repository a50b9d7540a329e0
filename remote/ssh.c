/*
 * ssh.c - libssh2 sessions as non-blocking state machines (the shape of
 * curl's lib/vssh/libssh2.c: one state per libssh2 call that may return
 * EAGAIN, one function translating libssh2's errors): connecting, the error
 * table, the step loop. Host keys are sshkeys.c, authentication sshauth.c,
 * command and probe channels sshchan.c; they share sshsession.h.
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

int64_t rel_ssh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

void rel_ssh_note(struct rel_ssh_session *s, const char *fmt, ...)
{
    if (!s->opts.events || !s->opts.events->ops || !s->opts.events->ops->note)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->opts.events->ops->note(s->opts.events->ctx, s->label, msg);
}

static void session_stepev(struct rel_ssh_session *s, const char *step, const char *detail)
{
    if (s->opts.events && s->opts.events->ops && s->opts.events->ops->step)
        s->opts.events->ops->step(s->opts.events->ctx, s->label, step, detail);
}

/* Remember what libssh2 wants to wait for after an EAGAIN. */
void rel_ssh_want_io(struct rel_ssh_session *s)
{
    if (s->ssh)
        s->want |= libssh2_session_block_directions(s->ssh);
}

/*
 * The one place libssh2's error codes become relman's. `lrc` is the libssh2
 * return code, `what` says what we were doing. Marks the session dead when the
 * failure is a transport one. Returns the REL_E* code with the message set.
 */
static const struct {
    int lrc;
    int code;
    const char *text;
} ssh_error_table[] = {
    {LIBSSH2_ERROR_SOCKET_NONE, REL_ESSH, "connection failed"},
    {LIBSSH2_ERROR_BANNER_RECV, REL_ESSH, "no SSH banner from the server (not an SSH server?)"},
    {LIBSSH2_ERROR_BANNER_SEND, REL_ESSH, "cannot send the SSH banner"},
    {LIBSSH2_ERROR_INVALID_MAC, REL_ESSH, "corrupted data (invalid MAC)"},
    {LIBSSH2_ERROR_KEX_FAILURE, REL_ESSH, "key exchange failed (no common algorithm)"},
    {LIBSSH2_ERROR_ALLOC, REL_ENOMEM, "out of memory in libssh2"},
    {LIBSSH2_ERROR_SOCKET_SEND, REL_ESSH, "connection lost (send failed)"},
    {LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, REL_ESSH, "key exchange failed"},
    {LIBSSH2_ERROR_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_HOSTKEY_INIT, REL_EHOSTKEY, "cannot use the server's host key"},
    {LIBSSH2_ERROR_HOSTKEY_SIGN, REL_EHOSTKEY, "the server's host key signature is invalid"},
    {LIBSSH2_ERROR_DECRYPT, REL_ESSH, "decryption failed"},
    {LIBSSH2_ERROR_SOCKET_DISCONNECT, REL_ESSH, "connection closed by the server"},
    {LIBSSH2_ERROR_PROTO, REL_ESSH, "SSH protocol error"},
    {LIBSSH2_ERROR_PASSWORD_EXPIRED, REL_EAUTH, "password expired"},
    {LIBSSH2_ERROR_FILE, REL_EAUTH, "cannot read the key file (wrong passphrase or unsupported format)"},
    {LIBSSH2_ERROR_METHOD_NONE, REL_ESSH, "no usable method"},
    {LIBSSH2_ERROR_AUTHENTICATION_FAILED, REL_EAUTH, "authentication failed"},
    {LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, REL_EAUTH, "the key could not be verified (wrong passphrase?)"},
    {LIBSSH2_ERROR_CHANNEL_OUTOFORDER, REL_ESSH, "channel out of order"},
    {LIBSSH2_ERROR_CHANNEL_FAILURE, REL_ESSH, "channel failure"},
    {LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, REL_ESSH, "the server denied the channel request"},
    {LIBSSH2_ERROR_CHANNEL_UNKNOWN, REL_ESSH, "unknown channel"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED, REL_ESSH, "channel window exceeded"},
    {LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED, REL_ESSH, "channel packet too large"},
    {LIBSSH2_ERROR_CHANNEL_CLOSED, REL_ESSH, "channel closed"},
    {LIBSSH2_ERROR_CHANNEL_EOF_SENT, REL_ESSH, "channel already at EOF"},
    {LIBSSH2_ERROR_SOCKET_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_REQUEST_DENIED, REL_ESSH, "request denied by the server"},
    {LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, REL_ESSH, "method not supported"},
    {LIBSSH2_ERROR_INVAL, REL_ESSH, "invalid argument to libssh2"},
    {LIBSSH2_ERROR_PUBLICKEY_PROTOCOL, REL_EAUTH, "public key protocol error"},
    {LIBSSH2_ERROR_BUFFER_TOO_SMALL, REL_ESSH, "buffer too small"},
    {LIBSSH2_ERROR_BAD_USE, REL_ESSH, "libssh2 misused"},
    {LIBSSH2_ERROR_AGENT_PROTOCOL, REL_EAUTH, "ssh-agent protocol error"},
    {LIBSSH2_ERROR_SOCKET_RECV, REL_ESSH, "connection lost (receive failed)"},
    {LIBSSH2_ERROR_ENCRYPT, REL_ESSH, "encryption failed"},
    {LIBSSH2_ERROR_BAD_SOCKET, REL_ESSH, "bad socket"},
    {LIBSSH2_ERROR_KNOWN_HOSTS, REL_EHOSTKEY, "known_hosts error"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_FULL, REL_ESSH, "channel window full"},
    {LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, REL_EAUTH, "key file authentication failed"},
};

bool rel_ssh_fatal_error(int lrc)
{
    switch (lrc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_INVALID_MAC:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_BAD_SOCKET:
        return true;
    default:
        return false;
    }
}

void rel_ssh_die(struct rel_ssh_session *s, int code)
{
    s->st = S_DEAD;
    s->error = code;
    free(s->error_msg);
    s->error_msg = rel_strdup(rel_error_message());
}

int rel_ssh_error(struct rel_ssh_session *s, int lrc, const char *what)
{
    int code = REL_ESSH;
    const char *text = "unknown libssh2 error";
    for (size_t i = 0; i < sizeof(ssh_error_table) / sizeof(ssh_error_table[0]); i++)
        if (ssh_error_table[i].lrc == lrc) {
            code = ssh_error_table[i].code;
            text = ssh_error_table[i].text;
            break;
        }
    char *detail = NULL;
    if (s->ssh)
        libssh2_session_last_error(s->ssh, &detail, NULL, 0);
    if (detail && *detail && strcmp(detail, text) != 0)
        rel_error_set(code, "%s (%s): %s: %s (%s)", s->label, s->peer, what, text, detail);
    else
        rel_error_set(code, "%s (%s): %s: %s", s->label, s->peer, what, text);
    if (rel_ssh_fatal_error(lrc))
        rel_ssh_die(s, code);
    return code;
}

/* A failure that is ours, not libssh2's: set the message, kill the session. */
int rel_ssh_fail(struct rel_ssh_session *s, int code, const char *fmt, ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rel_error_set(code, "%s (%s): %s", s->label, s->peer, msg);
    rel_ssh_die(s, code);
    return code;
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
    s->kh_name = ep->port == 22 ? rel_strdup(ep->hostname)
                                : rel_asprintf("[%s]:%d", ep->hostname, ep->port);
    s->sock = -1;
    s->st = S_RESOLVE;
    rel_buf_init(&s->tried, 4096);
    rel_buf_init(&s->kh_text, KNOWN_HOSTS_MAX);
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
    if (s->sock < 0 || s->st == S_DEAD)
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
    return s->st < S_READY ? s->deadline : 0;
}

/* A person may take their time answering a prompt: the connect timeout
 * starts again afterwards. */
void rel_ssh_after_prompt(struct rel_ssh_session *s)
{
    s->deadline = rel_ssh_now_ms() + (int64_t)s->timeout_s * 1000;
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
    int r = libssh2_session_handshake(s->ssh, s->sock);
    if (r == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    if (r != 0) {
        int rc = rel_ssh_error(s, r, "SSH handshake");
        rel_ssh_die(s, rc);
        return rc;
    }
    s->st = S_HOSTKEY;
    return 0;
}

int rel_ssh_session_step(struct rel_ssh_session *s)
{
    s->want = 0;
    for (;;) {
        if (s->st == S_READY)
            return 0;
        if (s->st == S_DEAD)
            return rel_error_set(s->error, "%s", s->error_msg ? s->error_msg : "session failed");
        if (s->deadline && rel_ssh_now_ms() > s->deadline)
            return rel_ssh_fail(s, REL_ESSH, "timed out while connecting");
        int rc;
        switch (s->st) {
        case S_RESOLVE: rc = step_resolve(s); break;
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
    if (s->kh)
        libssh2_knownhost_free(s->kh);
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
    if (s->ai)
        freeaddrinfo(s->ai);
    rel_sshconfig_free(&s->ep);
    rel_buf_free(&s->kh_text);
    rel_buf_free(&s->tried);
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

int rel_ssh_exec_step_cb(void *exec)
{
    return rel_ssh_exec_step(exec);
}

int rel_ssh_probe_step_cb(void *probe)
{
    return rel_ssh_probe_step(probe);
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

