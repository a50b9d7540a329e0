/*
 * sshchan.c - channels on a connected session: commands (stdin streamed or
 * interactive, output collected or streamed, PTYs) and TCP probes, stepped
 * without blocking (see ssh.h, sshsession.h).
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

#define UPLOAD_CHUNK ((size_t)256 << 10)
#define WRITE_QUEUE_MAX ((size_t)1 << 20)
#define READ_CHUNK 32768

/* ---- commands ---------------------------------------------------------- */

enum exec_state { X_OPEN, X_PTY, X_EXEC, X_IO, X_CLOSE, X_WAIT_CLOSED, X_DONE, X_FAILED };

struct rel_ssh_exec {
    struct rel_ssh_session *s;
    LIBSSH2_CHANNEL *ch;
    enum exec_state st;
    struct rel_ssh_exec_opts o;
    char *command;
    char *term;
    /* stdin */
    char *inbuf;
    size_t in_len, in_off;
    bool in_done; /* no more stdin data will come */
    bool eof_sent;
    uint64_t sent;
    struct rel_buf wq; /* interactive queue */
    int64_t last_progress;
    /* resize */
    bool resize_pending;
    int cols, rows;
    /* output */
    struct rel_buf out, err;
    /* result */
    int status;
    char *signal;
    int64_t t0, deadline;
    bool reported;
    int error;
    char *error_msg;
};

static const struct rel_remote_event_ops *ev_ops(struct rel_ssh_session *s)
{
    return s->opts.events ? s->opts.events->ops : NULL;
}

static void exec_report(struct rel_ssh_exec *x)
{
    if (x->reported)
        return;
    x->reported = true;
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    if (!ops || !ops->command_end)
        return;
    struct rel_remote_command c = {
        .host = x->s->label,
        .command = x->command,
        .exit_status = x->status,
        .signal = x->signal,
        .error = x->error ? x->error_msg : NULL,
        .stderr_tail = rel_buf_cstr(&x->err),
        .seconds = (double)(rel_ssh_now_ms() - x->t0) / 1000.0,
    };
    ops->command_end(x->s->opts.events->ctx, &c);
}

static int exec_fail(struct rel_ssh_exec *x, int code)
{
    x->st = X_FAILED;
    x->error = code;
    free(x->error_msg);
    x->error_msg = rel_strdup(rel_error_message());
    exec_report(x);
    rel_error_set(code, "%s", x->error_msg);
    return code;
}

static int exec_lib_fail(struct rel_ssh_exec *x, int lrc, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s `%.100s%s`", what, x->command,
             strlen(x->command) > 100 ? "..." : "");
    return exec_fail(x, rel_ssh_error(x->s, lrc, buf));
}

int rel_ssh_exec_start(struct rel_ssh_exec **out, struct rel_ssh_session *s,
                       const struct rel_ssh_exec_opts *opts)
{
    *out = NULL;
    if (s->st != S_READY)
        return rel_error_set(s->st == S_DEAD ? s->error : REL_EINVAL, "%s (%s): %s", s->label,
                             s->peer, s->st == S_DEAD ? "connection lost" : "not connected");
    struct rel_ssh_exec *x = rel_calloc(1, sizeof(*x));
    x->s = s;
    x->o = *opts;
    x->command = rel_strdup(opts->command);
    x->o.command = x->command;
    x->term = rel_strdup(opts->term ? opts->term : "xterm");
    x->cols = opts->cols > 0 ? opts->cols : 80;
    x->rows = opts->rows > 0 ? opts->rows : 24;
    rel_buf_init(&x->out, opts->max_output ? opts->max_output : REL_SSH_DEFAULT_MAX_OUTPUT);
    rel_buf_init(&x->err, REL_SSH_STDERR_TAIL * 2);
    rel_buf_init(&x->wq, WRITE_QUEUE_MAX);
    x->in_done = opts->stdin_fd < 0 && !opts->interactive;
    if (opts->stdin_fd >= 0)
        x->inbuf = rel_malloc(UPLOAD_CHUNK);
    x->status = -1;
    x->t0 = rel_ssh_now_ms();
    x->deadline = opts->timeout_ms > 0 ? x->t0 + opts->timeout_ms : 0;
    x->st = X_OPEN;
    const struct rel_remote_event_ops *ops = ev_ops(s);
    if (ops && ops->command_begin)
        ops->command_begin(s->opts.events->ctx, s->label, x->command);
    *out = x;
    return 0;
}

static void keep_tail(struct rel_buf *b, const char *data, size_t len)
{
    if (len >= REL_SSH_STDERR_TAIL) {
        rel_buf_clear(b);
        rel_buf_put(b, data + len - REL_SSH_STDERR_TAIL, REL_SSH_STDERR_TAIL);
        return;
    }
    if (b->len + len > REL_SSH_STDERR_TAIL) {
        size_t drop = b->len + len - REL_SSH_STDERR_TAIL;
        memmove(b->ptr, b->ptr + drop, b->len - drop);
        rel_buf_truncate(b, b->len - drop);
    }
    rel_buf_put(b, data, len);
}

static void exec_progress(struct rel_ssh_exec *x, bool force)
{
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    if (!ops || !ops->progress || !x->o.stdin_size) /* a few bytes of env: no progress */
        return;
    int64_t now = rel_ssh_now_ms();
    if (!force && now - x->last_progress < 200)
        return;
    x->last_progress = now;
    ops->progress(x->s->opts.events->ctx, x->s->label, x->sent, x->o.stdin_size,
                  (double)(now - x->t0) / 1000.0);
}

/* Push stdin: the file being streamed or the interactive queue. Returns 1
 * when it made progress, 0 when blocked or idle, <0 on error. */
static int exec_write(struct rel_ssh_exec *x)
{
    int progressed = 0;
    for (;;) {
        const char *data;
        size_t len;
        if (x->o.stdin_fd >= 0) {
            if (x->in_off == x->in_len && !x->in_done) {
                ssize_t n = read(x->o.stdin_fd, x->inbuf, UPLOAD_CHUNK);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0) {
                    rel_error_set_errno(REL_EIO, errno, "%s: reading the data to upload",
                                        x->s->label);
                    return exec_fail(x, REL_EIO);
                }
                x->in_len = (size_t)n;
                x->in_off = 0;
                if (n == 0) {
                    x->in_done = true;
                    exec_progress(x, true);
                }
            }
            data = x->inbuf + x->in_off;
            len = x->in_len - x->in_off;
        } else {
            data = x->wq.ptr;
            len = x->wq.len;
        }
        if (len == 0)
            break;
        ssize_t w = libssh2_channel_write(x->ch, data, len);
        if (w == LIBSSH2_ERROR_EAGAIN) {
            rel_ssh_want_io(x->s);
            break;
        }
        if (w < 0)
            return exec_lib_fail(x, (int)w, "sending data to");
        progressed = 1;
        x->sent += (uint64_t)w;
        if (x->o.stdin_fd >= 0) {
            x->in_off += (size_t)w;
            exec_progress(x, false);
        } else {
            memmove(x->wq.ptr, x->wq.ptr + w, x->wq.len - (size_t)w);
            rel_buf_truncate(&x->wq, x->wq.len - (size_t)w);
        }
    }
    bool drained = x->o.stdin_fd >= 0 ? x->in_off == x->in_len : x->wq.len == 0;
    if (x->in_done && drained && !x->eof_sent) {
        int r = libssh2_channel_send_eof(x->ch);
        if (r == LIBSSH2_ERROR_EAGAIN) {
            rel_ssh_want_io(x->s);
            return progressed;
        }
        if (r < 0)
            return exec_lib_fail(x, r, "sending end of input to");
        x->eof_sent = true;
        progressed = 1;
    }
    return progressed;
}

/* Drain stdout and stderr. Returns 1 on progress, 0 when blocked, <0 error. */
static int exec_read(struct rel_ssh_exec *x)
{
    int progressed = 0;
    char buf[READ_CHUNK];
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    for (int stream = 0; stream < 2; stream++) {
        for (;;) {
            ssize_t n = libssh2_channel_read_ex(x->ch, stream ? SSH_EXTENDED_DATA_STDERR : 0, buf,
                                                sizeof(buf));
            if (n == LIBSSH2_ERROR_EAGAIN) {
                rel_ssh_want_io(x->s);
                break;
            }
            if (n < 0)
                return exec_lib_fail(x, (int)n, "reading the output of");
            if (n == 0)
                break;
            progressed = 1;
            if (x->o.sink) {
                x->o.sink(x->o.sink_ctx, buf, (size_t)n, stream);
                if (stream)
                    keep_tail(&x->err, buf, (size_t)n);
            } else if (x->o.stream && ops && ops->output) {
                ops->output(x->s->opts.events->ctx, x->s->label, buf, (size_t)n, stream);
                if (stream)
                    keep_tail(&x->err, buf, (size_t)n);
            } else if (stream) {
                keep_tail(&x->err, buf, (size_t)n);
            } else if (rel_buf_put(&x->out, buf, (size_t)n) < 0) {
                rel_error_set(REL_ELIMIT, "%s: output of `%s` exceeds %zu bytes", x->s->label,
                              x->command, x->out.max);
                return exec_fail(x, REL_ELIMIT);
            }
        }
    }
    return progressed;
}

static const struct {
    const char *name;
    int number;
} signal_numbers[] = {
    {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"TRAP", 5},
    {"ABRT", 6},  {"BUS", 7},   {"FPE", 8},   {"KILL", 9},  {"USR1", 10},
    {"SEGV", 11}, {"USR2", 12}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15},
};

static void exec_collect_status(struct rel_ssh_exec *x)
{
    char *sig = NULL;
    size_t siglen = 0;
    libssh2_channel_get_exit_signal(x->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
    if (sig && siglen) {
        x->signal = rel_strndup(sig, siglen);
        x->status = 128;
        for (size_t i = 0; i < sizeof(signal_numbers) / sizeof(signal_numbers[0]); i++)
            if (strcmp(x->signal, signal_numbers[i].name) == 0)
                x->status = 128 + signal_numbers[i].number;
    } else {
        x->status = libssh2_channel_get_exit_status(x->ch);
    }
    if (sig)
        libssh2_free(x->s->ssh, sig);
}

int rel_ssh_exec_step(struct rel_ssh_exec *x)
{
    struct rel_ssh_session *s = x->s;
    s->want = 0;
    rel_ssh_keepalive(s);
    for (;;) {
        if (x->st == X_DONE)
            return 0;
        if (x->st == X_FAILED)
            return rel_error_set(x->error, "%s", x->error_msg);
        if (s->st == S_DEAD) {
            rel_error_set(s->error, "%s", s->error_msg ? s->error_msg : "connection lost");
            return exec_fail(x, s->error);
        }
        if (x->deadline && rel_ssh_now_ms() > x->deadline) {
            rel_error_set(REL_ESSH, "%s (%s): `%s` timed out after %d s", s->label, s->peer,
                          x->command, x->o.timeout_ms / 1000);
            return exec_fail(x, REL_ESSH);
        }
        switch (x->st) {
        case X_OPEN:
            x->ch = libssh2_channel_open_session(s->ssh);
            if (!x->ch) {
                int e = libssh2_session_last_errno(s->ssh);
                if (e == LIBSSH2_ERROR_EAGAIN) {
                    rel_ssh_want_io(s);
                    return REL_SSH_AGAIN;
                }
                return exec_lib_fail(x, e, "opening a channel for");
            }
            x->st = x->o.pty ? X_PTY : X_EXEC;
            break;
        case X_PTY: {
            int r = libssh2_channel_request_pty_ex(x->ch, x->term, (unsigned)strlen(x->term), NULL,
                                                   0, x->cols, x->rows, 0, 0);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                rel_ssh_want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "requesting a terminal for");
            x->st = X_EXEC;
            break;
        }
        case X_EXEC: {
            int r = libssh2_channel_exec(x->ch, x->command);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                rel_ssh_want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "starting");
            x->st = X_IO;
            break;
        }
        case X_IO: {
            if (x->resize_pending) {
                int r = libssh2_channel_request_pty_size(x->ch, x->cols, x->rows);
                if (r == LIBSSH2_ERROR_EAGAIN) {
                    rel_ssh_want_io(s);
                } else {
                    x->resize_pending = false;
                }
            }
            int w = exec_write(x);
            if (w < 0)
                return w;
            int r = exec_read(x);
            if (r < 0)
                return r;
            if (libssh2_channel_eof(x->ch)) {
                x->st = X_CLOSE;
                break;
            }
            if (!w && !r)
                return REL_SSH_AGAIN;
            break;
        }
        case X_CLOSE: {
            int r = libssh2_channel_close(x->ch);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                rel_ssh_want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "closing the channel of");
            x->st = X_WAIT_CLOSED;
            break;
        }
        case X_WAIT_CLOSED: {
            /* Output that raced with the close still has to be read. */
            int rd = exec_read(x);
            if (rd < 0)
                return rd;
            int r = libssh2_channel_wait_closed(x->ch);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                rel_ssh_want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "waiting for the end of");
            exec_collect_status(x);
            x->st = X_DONE;
            exec_report(x);
            return 0;
        }
        default:
            return REL_SSH_AGAIN;
        }
    }
}

int rel_ssh_exec_status(const struct rel_ssh_exec *x)
{
    return x->status;
}

const char *rel_ssh_exec_signal(const struct rel_ssh_exec *x)
{
    return x->signal;
}

const char *rel_ssh_exec_stdout(const struct rel_ssh_exec *x)
{
    return rel_buf_cstr(&x->out);
}

const char *rel_ssh_exec_stderr(const struct rel_ssh_exec *x)
{
    return rel_buf_cstr(&x->err);
}

uint64_t rel_ssh_exec_sent(const struct rel_ssh_exec *x)
{
    return x->sent;
}

int64_t rel_ssh_exec_elapsed_ms(const struct rel_ssh_exec *x)
{
    return rel_ssh_now_ms() - x->t0;
}

int rel_ssh_exec_write(struct rel_ssh_exec *x, const void *data, size_t len)
{
    if (x->in_done)
        return rel_error_set(REL_EINVAL, "%s: input already closed", x->s->label);
    if (rel_buf_put(&x->wq, data, len) < 0)
        return rel_error_set(REL_ELIMIT, "%s: too much input queued", x->s->label);
    return 0;
}

void rel_ssh_exec_close_stdin(struct rel_ssh_exec *x)
{
    x->in_done = true;
}

void rel_ssh_exec_resize(struct rel_ssh_exec *x, int cols, int rows)
{
    if (cols > 0 && rows > 0 && (cols != x->cols || rows != x->rows)) {
        x->cols = cols;
        x->rows = rows;
        x->resize_pending = true;
    }
}

/* Free a channel: a bounded blocking close on a live session, so freeing
 * never spins and never hangs on a dead peer. */
void rel_ssh_channel_release(struct rel_ssh_session *s, LIBSSH2_CHANNEL *ch)
{
    if (!ch)
        return;
    if (s->st == S_READY) {
        libssh2_session_set_blocking(s->ssh, 1);
        libssh2_session_set_timeout(s->ssh, 2000);
        libssh2_channel_free(ch);
        libssh2_session_set_timeout(s->ssh, 0);
        libssh2_session_set_blocking(s->ssh, 0);
    } else {
        libssh2_channel_free(ch);
    }
}

void rel_ssh_exec_free(struct rel_ssh_exec *x)
{
    if (!x)
        return;
    if (!x->reported && x->st != X_DONE) {
        rel_error_set(REL_ECANCELED, "canceled");
        x->error = REL_ECANCELED;
        x->error_msg = rel_strdup("canceled");
        exec_report(x);
    }
    rel_ssh_channel_release(x->s, x->ch);
    free(x->command);
    free(x->term);
    free(x->inbuf);
    free(x->signal);
    free(x->error_msg);
    rel_buf_free(&x->wq);
    rel_buf_free(&x->out);
    rel_buf_free(&x->err);
    free(x);
}

int rel_ssh_direct_open(struct rel_ssh_session *s, const char *host, int port, const char *what,
                        LIBSSH2_CHANNEL **ch)
{
    s->want = 0;
    rel_ssh_keepalive(s);
    if (s->st == S_DEAD)
        return rel_error_set(s->error, "%s", s->error_msg);
    *ch = libssh2_channel_direct_tcpip_ex(s->ssh, host, port, "127.0.0.1", 0);
    if (*ch)
        return 0;
    int e = libssh2_session_last_errno(s->ssh);
    if (e == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    if (e == LIBSSH2_ERROR_CHANNEL_FAILURE) {
        char *detail = NULL;
        libssh2_session_last_error(s->ssh, &detail, NULL, 0);
        bool prohibited = detail && strstr(detail, "prohibited");
        return rel_error_set(REL_ENOTFOUND, "%s: nothing answers on %s:%d%s", s->label, host, port,
                             prohibited ? " (the server forbids TCP forwarding: AllowTcpForwarding)"
                                        : "");
    }
    return rel_ssh_error(s, e, what);
}

/* ---- TCP probes -------------------------------------------------------- */

struct rel_ssh_probe {
    struct rel_ssh_session *s;
    char *host;
    int port;
    LIBSSH2_CHANNEL *ch;
    int result; /* REL_SSH_AGAIN until known */
    char *what; /* how it shows in the command log */
    int64_t t0;
    int64_t deadline; /* 0: none */
    int timeout_ms;
};

/* Probes are not shell commands, but they are remote actions: they show in
 * the command log like one, with status 0 (open) or 1 (nothing listens). */
static void probe_report(struct rel_ssh_probe *p)
{
    const struct rel_remote_event_ops *ops = ev_ops(p->s);
    if (!ops || !ops->command_end)
        return;
    struct rel_remote_command c = {
        .host = p->s->label,
        .command = p->what,
        .exit_status = p->result == 0               ? 0
                       : p->result == REL_ENOTFOUND ? 1
                                                    : -1,
        .error = p->result < 0 && p->result != REL_ENOTFOUND ? rel_error_message() : NULL,
        .stderr_tail = p->result == REL_ENOTFOUND ? rel_error_message() : "",
        .seconds = (double)(rel_ssh_now_ms() - p->t0) / 1000.0,
    };
    ops->command_end(p->s->opts.events->ctx, &c);
}

int rel_ssh_probe_start(struct rel_ssh_probe **out, struct rel_ssh_session *s, const char *host,
                        int port, int timeout_ms)
{
    *out = NULL;
    if (s->st != S_READY)
        return rel_error_set(REL_ESSH, "%s (%s): not connected", s->label, s->peer);
    struct rel_ssh_probe *p = rel_calloc(1, sizeof(*p));
    p->s = s;
    p->host = rel_strdup(host);
    p->port = port;
    p->result = REL_SSH_AGAIN;
    p->what = rel_asprintf("[tcp connect %s:%d through the ssh connection]", host, port);
    p->t0 = rel_ssh_now_ms();
    p->timeout_ms = timeout_ms;
    p->deadline = timeout_ms > 0 ? p->t0 + timeout_ms : 0;
    const struct rel_remote_event_ops *ops = ev_ops(s);
    if (ops && ops->command_begin)
        ops->command_begin(s->opts.events->ctx, s->label, p->what);
    *out = p;
    return 0;
}

int rel_ssh_probe_step(struct rel_ssh_probe *p)
{
    struct rel_ssh_session *s = p->s;
    if (p->result != REL_SSH_AGAIN)
        return p->result;
    if (s->st == S_DEAD)
        return p->result = rel_error_set(s->error, "%s", s->error_msg);
    int orc = rel_ssh_direct_open(s, p->host, p->port, "probing a TCP port", &p->ch);
    if (orc == 0) {
        p->result = 0;
        probe_report(p);
        return 0;
    }
    if (orc == REL_SSH_AGAIN && p->deadline && rel_ssh_now_ms() >= p->deadline) {
        /* the open stays pending in libssh2: this session cannot open
         * another channel, so it goes (the runner reconnects) */
        p->result = rel_ssh_fail(s, REL_ESSH,
                                 "nothing accepted a connection on %s:%d within %.1f s (the "
                                 "connection is closed)",
                                 p->host, p->port, (double)p->timeout_ms / 1000.0);
    } else if (orc == REL_SSH_AGAIN) {
        return REL_SSH_AGAIN;
    } else {
        p->result = orc;
    }
    int rc = p->result;
    char *msg = rel_strdup(rel_error_message());
    probe_report(p);
    rel_error_set(rc, "%s", msg); /* in case the event sink touched it */
    free(msg);
    return rc;
}

void rel_ssh_probe_free(struct rel_ssh_probe *p)
{
    if (!p)
        return;
    rel_ssh_channel_release(p->s, p->ch);
    free(p->host);
    free(p->what);
    free(p);
}

/* ---- for rel_ssh_drive() ------------------------------------------------ */

int rel_ssh_exec_step_cb(void *exec)
{
    return rel_ssh_exec_step(exec);
}

int rel_ssh_probe_step_cb(void *probe)
{
    return rel_ssh_probe_step(probe);
}
