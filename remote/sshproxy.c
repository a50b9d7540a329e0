/*
 * sshproxy.c - sessions that do not open their own TCP connection:
 *
 * ProxyJump: the previous hop is a session of its own (connected, host key
 * checked, authenticated like any other, recursively for several hops), and
 * this session's SSH stream runs over a direct-tcpip channel of it. libssh2
 * 1.10 has no transport seam but its SEND/RECV callbacks
 * (libssh2_session_callback_set), so those read and write the hop's channel
 * instead of a socket, without blocking: an EAGAIN of the hop becomes -EAGAIN
 * for this session. Everything still waits on one fd, the first hop's TCP
 * socket (rel_ssh_session_pollfd), so the runner's poll loop is unchanged.
 * The alternative, a local socketpair pumped from the poll loop, would have
 * needed a second fd per session and a pump step in every caller.
 *
 * ProxyCommand: the command runs under /bin/sh with its stdin and stdout on
 * one end of a socketpair; the session uses the other end as its socket.
 * stderr is relman's (the command's complaints are seen, as with ssh).
 */
#define _GNU_SOURCE
#include "sshsession.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- ProxyJump ---------------------------------------------------------- */

static LIBSSH2_RECV_FUNC(jump_recv)
{
    (void)socket;
    (void)flags;
    struct rel_ssh_session *s = *abstract;
    ssize_t n = libssh2_channel_read(s->jump_ch, buffer, length);
    if (n == LIBSSH2_ERROR_EAGAIN || (n == 0 && !libssh2_channel_eof(s->jump_ch))) {
        s->jump_dirs = libssh2_session_block_directions(s->jump->ssh);
        return -EAGAIN;
    }
    if (n < 0)
        return -ECONNRESET;
    if (n > 0)
        rel_ssh_received(s, buffer, (size_t)n);
    return n; /* 0: the hop closed the channel (EOF) */
}

static LIBSSH2_SEND_FUNC(jump_send)
{
    (void)socket;
    (void)flags;
    struct rel_ssh_session *s = *abstract;
    ssize_t n = libssh2_channel_write(s->jump_ch, buffer, length);
    if (n == LIBSSH2_ERROR_EAGAIN) {
        s->jump_dirs = libssh2_session_block_directions(s->jump->ssh);
        return -EAGAIN;
    }
    return n < 0 ? -EPIPE : n;
}

void rel_ssh_proxy_callbacks(struct rel_ssh_session *s)
{
    if (!s->jump)
        return;
    /* libssh2 takes the callbacks as void * (POSIX allows the cast). */
    libssh2_session_callback_set(s->ssh, LIBSSH2_CALLBACK_RECV, (void *)jump_recv);
    libssh2_session_callback_set(s->ssh, LIBSSH2_CALLBACK_SEND, (void *)jump_send);
}

int rel_ssh_proxy_fd(const struct rel_ssh_session *s)
{
    while (s->jump)
        s = s->jump;
    return s->sock;
}

/*
 * One fd for the whole chain: the first hop's socket, readable for any hop's
 * data. Writable is asked for only when the hop itself waits to send (else a
 * full channel window would spin the loop), and when the hop's channel
 * already holds data this session has not read (the hop read it while
 * sending): then the socket's readiness to write wakes the loop at once.
 */
int rel_ssh_proxy_pollfd(const struct rel_ssh_session *s, struct pollfd *pfd)
{
    if (s->st == S_JUMP)
        return rel_ssh_session_pollfd(s->jump, pfd);
    if (!rel_ssh_session_pollfd(s->jump, pfd))
        return 0;
    short hop_out = pfd->events & POLLOUT;
    pfd->events = POLLIN;
    if ((s->jump_dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) && (!s->jump->jump || hop_out))
        pfd->events |= POLLOUT;
    if (s->jump_ch && libssh2_poll_channel_read(s->jump_ch, 0))
        pfd->events |= POLLOUT;
    return 1;
}

static int step_jump(struct rel_ssh_session *s)
{
    if (!s->jump) {
        struct rel_ssh_endpoint hop;
        rel_sshconfig_last_hop(&hop, &s->ep);
        struct rel_ssh_opts o = s->opts;
        char *label = rel_asprintf("%s via %s", s->label, hop.alias);
        o.label = label;
        int rc = rel_ssh_session_new(&s->jump, &hop, &o);
        free(label);
        rel_sshconfig_free(&hop);
        if (rc < 0)
            return rel_ssh_fail(s, rc, "%s", rel_error_message());
    }
    int rc = rel_ssh_session_step(s->jump);
    if (rc == REL_SSH_AGAIN)
        return rc;
    if (rc < 0) {
        /* The hop's message names the hop: pass it up unchanged. */
        rel_ssh_die(s, rc);
        return rc;
    }
    s->st = S_JUMP_OPEN;
    return 0;
}

static int step_jump_open(struct rel_ssh_session *s)
{
    s->jump_ch =
        libssh2_channel_direct_tcpip_ex(s->jump->ssh, s->ep.hostname, s->ep.port, "127.0.0.1", 0);
    if (!s->jump_ch) {
        int lrc = libssh2_session_last_errno(s->jump->ssh);
        if (lrc == LIBSSH2_ERROR_EAGAIN) {
            s->jump_dirs = libssh2_session_block_directions(s->jump->ssh);
            return REL_SSH_AGAIN;
        }
        char *detail = NULL;
        libssh2_session_last_error(s->jump->ssh, &detail, NULL, 0);
        return rel_ssh_fail(s, REL_ESSH,
                            "jump host %s (%s) cannot connect to %s port %d: %s (does its sshd "
                            "allow TCP forwarding there: AllowTcpForwarding, PermitOpen?)",
                            s->jump->ep.alias, rel_ssh_session_peer(s->jump), s->ep.hostname,
                            s->ep.port, detail && *detail ? detail : "channel refused");
    }
    rel_ssh_note(s, "connected through %s", rel_ssh_session_peer(s->jump));
    s->st = S_INIT;
    return 0;
}

/* ---- ProxyCommand --------------------------------------------------------- */

/* Expand %h %p %r %n %% (OpenSSH's ProxyCommand tokens); a host name with
 * characters a shell would act on is refused, since it lands in sh -c. */
static int proxy_command(struct rel_ssh_session *s, struct rel_buf *out)
{
    for (const char *h = s->ep.hostname; *h; h++)
        if (!(('a' <= *h && *h <= 'z') || ('A' <= *h && *h <= 'Z') || ('0' <= *h && *h <= '9') ||
              strchr(".-_:[]", *h)))
            return rel_ssh_fail(s, REL_ECONFIG,
                                "host name '%s' has characters a shell would act on; refusing "
                                "to put it into ProxyCommand",
                                s->ep.hostname);
    for (const char *p = s->ep.proxy_command; *p; p++) {
        if (*p != '%' || !p[1]) {
            rel_buf_putc(out, *p);
            continue;
        }
        switch (*++p) {
        case 'h':
            rel_buf_puts(out, s->ep.hostname);
            break;
        case 'p':
            rel_buf_printf(out, "%d", s->ep.port);
            break;
        case 'r':
            rel_buf_puts(out, s->ep.user);
            break;
        case 'n':
            rel_buf_puts(out, s->ep.alias);
            break;
        case '%':
            rel_buf_putc(out, '%');
            break;
        default:
            return rel_ssh_fail(s, REL_ECONFIG, "ProxyCommand '%s': unknown token %%%c",
                                s->ep.proxy_command, *p);
        }
    }
    return 0;
}

static int step_proxy(struct rel_ssh_session *s)
{
    struct rel_buf cmd = REL_BUF_INIT;
    int rc = proxy_command(s, &cmd);
    if (rc < 0)
        goto cleanup;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = rel_ssh_fail(s, REL_EIO, "socketpair for ProxyCommand: %s", strerror(errno));
        goto cleanup;
    }
    char *line = rel_asprintf("exec %s", rel_buf_cstr(&cmd));
    pid_t pid = fork();
    if (pid == 0) {
        /* its own process group: a Ctrl-C meant for relman must not cut the
         * connection relman needs to clean up on the host */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    int err = errno;
    free(line);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        rc = rel_ssh_fail(s, REL_EIO, "cannot start ProxyCommand: %s", strerror(err));
        goto cleanup;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    s->sock = sv[0];
    s->proxy_pid = (int)pid;
    rel_ssh_note(s, "connecting through ProxyCommand %s", rel_buf_cstr(&cmd));
    s->st = S_INIT;
cleanup:
    rel_buf_free(&cmd);
    return rc;
}

int rel_ssh_proxy_step(struct rel_ssh_session *s)
{
    switch (s->st) {
    case S_JUMP:
        return step_jump(s);
    case S_JUMP_OPEN:
        return step_jump_open(s);
    default:
        return step_proxy(s);
    }
}

void rel_ssh_proxy_free(struct rel_ssh_session *s)
{
    if (s->jump_ch) {
        if (rel_ssh_session_ready(s->jump)) {
            libssh2_session_set_blocking(s->jump->ssh, 1);
            libssh2_session_set_timeout(s->jump->ssh, 2000);
        }
        libssh2_channel_free(s->jump_ch);
        s->jump_ch = NULL;
    }
    rel_ssh_session_free(s->jump);
    s->jump = NULL;
    if (s->proxy_pid > 0) {
        /* The command sees EOF once our end is closed (the caller closed it);
         * give it a moment, then make sure it goes. */
        pid_t pid = (pid_t)s->proxy_pid;
        int status;
        for (int i = 0; i < 20 && waitpid(pid, &status, WNOHANG) == 0; i++) {
            if (i == 2)
                kill(pid, SIGTERM);
            usleep(10000);
        }
        if (waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        s->proxy_pid = 0;
    }
}
