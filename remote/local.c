/*
 * local.c - the transport that runs commands on this machine (see local.h).
 *
 * A command is `sh -c COMMAND` forked in the transport's directory, its
 * stdin the action's file (or /dev/null), stdout and stderr two
 * non-blocking pipes that the runner polls; it is finished once both pipes
 * are at EOF and the shell has been reaped. An upload copies the file in
 * steps of UPLOAD_CHUNK. A connection itself is only a flag: "lost" once a
 * fault said so, and then every action on it fails until the runner
 * reconnects.
 */
#include "local.h"

#include "events.h"
#include "ssh.h"
#include "target.h"
#include "transport.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define UPLOAD_CHUNK ((size_t)64 << 10)
#define REAP_RETRY_MS 2

struct local {
    struct rel_transport pub;
    char *dir;
    rel_local_fault_fn fault;
    void *fault_ctx;
};

enum conn_state { C_CONNECTING, C_IDLE, C_EXEC, C_UPLOAD, C_PROBE, C_FAULT };

struct rel_transport_conn {
    struct local *l;
    char *host;
    const struct rel_remote_events *events;
    enum conn_state st;
    bool lost;
    int connect_rc;
    /* the running action */
    char *command; /* as reported */
    int64_t t0, deadline;
    bool stream;
    pid_t pid;
    int out_fd, err_fd;
    struct rel_buf out, err;
    int status;
    bool over;    /* stdout went over its cap */
    int fault_rc; /* C_FAULT: what step() returns */
    /* upload */
    int src_fd, dst_fd;
    uint64_t sent, size, cut;
    bool cut_set;
    char *buf;
    /* probe */
    int sock;
    int port;
};

static const struct rel_remote_event_ops *ev_ops(const struct rel_transport_conn *c)
{
    return c->events ? c->events->ops : NULL;
}

static void report_begin(struct rel_transport_conn *c)
{
    const struct rel_remote_event_ops *ops = ev_ops(c);
    if (ops && ops->command_begin)
        ops->command_begin(c->events->ctx, c->host, c->command);
}

static void report_end(struct rel_transport_conn *c, const char *error)
{
    const struct rel_remote_event_ops *ops = ev_ops(c);
    if (!ops || !ops->command_end)
        return;
    struct rel_remote_command rc = {
        .host = c->host,
        .command = c->command,
        .exit_status = c->status,
        .error = error,
        .stderr_tail = rel_buf_cstr(&c->err),
        .seconds = (double)(rel_ssh_now_ms() - c->t0) / 1000.0,
    };
    ops->command_end(c->events->ctx, &rc);
}

static void report_progress(struct rel_transport_conn *c)
{
    const struct rel_remote_event_ops *ops = ev_ops(c);
    if (ops && ops->progress)
        ops->progress(c->events->ctx, c->host, c->sent, c->size,
                      (double)(rel_ssh_now_ms() - c->t0) / 1000.0);
}

/* Ask the fault callback about `what`. */
static struct rel_local_fault ask_fault(struct rel_transport_conn *c, const char *what)
{
    struct rel_local_fault f = {.kind = REL_LOCAL_RUN};
    if (c->l->fault)
        c->l->fault(c->l->fault_ctx, c->host, what, &f);
    return f;
}

static int lost_error(struct rel_transport_conn *c, const char *message)
{
    c->lost = true;
    return rel_error_set(REL_ESSH, "%s (local): %s", c->host,
                         message ? message : "connection lost");
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Kill and reap a command still running; close what the action holds. */
static void end_action(struct rel_transport_conn *c)
{
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        c->pid = 0;
    }
    close_fd(&c->out_fd);
    close_fd(&c->err_fd);
    close_fd(&c->dst_fd);
    close_fd(&c->sock);
    free(c->buf);
    c->buf = NULL;
}

/* Reset for a new action named `command` (reported as such). */
static void begin_action(struct rel_transport_conn *c, const char *command, size_t max_output)
{
    end_action(c);
    free(c->command);
    c->command = rel_strdup(command);
    rel_buf_free(&c->out);
    rel_buf_free(&c->err);
    rel_buf_init(&c->out, max_output ? max_output : REL_SSH_DEFAULT_MAX_OUTPUT);
    rel_buf_init(&c->err, REL_SSH_STDERR_TAIL * 2);
    c->status = -1;
    c->over = false;
    c->t0 = rel_ssh_now_ms();
    c->deadline = 0;
    c->stream = false;
}

/* Handle a fault for a command-like action; true when it took the action. */
static bool apply_fault(struct rel_transport_conn *c, const struct rel_local_fault *f)
{
    if (f->kind == REL_LOCAL_EXIT) {
        c->status = f->status;
        if (f->message)
            rel_buf_puts(&c->err, f->message);
        c->fault_rc = 0;
        c->st = C_FAULT;
        return true;
    }
    if (f->kind == REL_LOCAL_LOST) {
        c->fault_rc = REL_ESSH;
        c->lost = true;
        c->st = C_FAULT;
        return true;
    }
    return false;
}

static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* ---- the ops ------------------------------------------------------------------ */

static int local_connect(void *ctx, struct rel_transport_conn **out,
                         const struct rel_remote_target *t,
                         const struct rel_transport_connect_opts *o)
{
    struct local *l = ctx;
    struct rel_transport_conn *c = rel_calloc(1, sizeof(*c));
    c->l = l;
    c->host = rel_strdup(t->name);
    c->events = o->events;
    c->out_fd = c->err_fd = c->dst_fd = c->sock = -1;
    c->st = C_CONNECTING;
    struct rel_local_fault f = ask_fault(c, "connect");
    c->connect_rc = f.kind == REL_LOCAL_RUN ? 0 : REL_ESSH;
    if (c->connect_rc < 0)
        c->lost = true;
    *out = c;
    return 0;
}

static int local_exec(struct rel_transport_conn *c, const struct rel_transport_exec *x)
{
    if (c->lost)
        return lost_error(c, NULL);
    begin_action(c, x->command, x->max_output);
    c->stream = x->stream;
    c->deadline = x->timeout_ms > 0 ? c->t0 + x->timeout_ms : 0;
    report_begin(c);
    struct rel_local_fault f = ask_fault(c, x->command);
    if (apply_fault(c, &f))
        return 0;
    int out[2], err[2];
    if (cloexec_pipe(out) < 0)
        return rel_error_set_errno(REL_EIO, errno, "%s (local): pipe", c->host);
    if (cloexec_pipe(err) < 0) {
        close(out[0]);
        close(out[1]);
        return rel_error_set_errno(REL_EIO, errno, "%s (local): pipe", c->host);
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        return rel_error_set_errno(REL_EIO, e, "%s (local): fork", c->host);
    }
    if (pid == 0) {
        int in = x->stdin_fd >= 0 ? x->stdin_fd : open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 ||
            chdir(c->l->dir) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", x->command, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    c->pid = pid;
    c->out_fd = out[0];
    c->err_fd = err[0];
    fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
    c->st = C_EXEC;
    return 0;
}

static int local_upload(struct rel_transport_conn *c, int fd, uint64_t size, const char *path)
{
    if (c->lost)
        return lost_error(c, NULL);
    struct rel_buf cmd = REL_BUF_INIT;
    rel_transport_upload_command(&cmd, path);
    begin_action(c, rel_buf_cstr(&cmd), 0);
    rel_buf_free(&cmd);
    report_begin(c);
    char *what = rel_asprintf("upload %s", path);
    struct rel_local_fault f = ask_fault(c, what);
    free(what);
    c->cut_set = f.kind == REL_LOCAL_LOST;
    c->cut = f.cut_after;
    if (f.kind == REL_LOCAL_EXIT && apply_fault(c, &f))
        return 0;
    c->dst_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (c->dst_fd < 0) {
        /* as `cat > PATH` would fail */
        rel_buf_printf(&c->err, "sh: %s: %s\n", path, strerror(errno));
        c->status = 1;
        c->fault_rc = 0;
        c->st = C_FAULT;
        return 0;
    }
    c->src_fd = fd;
    c->sent = 0;
    c->size = size;
    c->buf = rel_malloc(UPLOAD_CHUNK);
    c->st = C_UPLOAD;
    return 0;
}

static int local_probe(struct rel_transport_conn *c, int port, int timeout_ms)
{
    if (c->lost)
        return lost_error(c, NULL);
    end_action(c);
    c->port = port;
    c->deadline = timeout_ms > 0 ? rel_ssh_now_ms() + timeout_ms : 0;
    char what[32];
    snprintf(what, sizeof(what), "probe %d", port);
    struct rel_local_fault f = ask_fault(c, what);
    if (f.kind == REL_LOCAL_LOST) {
        c->fault_rc = REL_ESSH;
        c->lost = true;
        c->st = C_FAULT;
        return 0;
    }
    c->sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->sock < 0)
        return rel_error_set_errno(REL_EIO, errno, "%s (local): socket", c->host);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (f.kind == REL_LOCAL_EXIT ||
        (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)) {
        close_fd(&c->sock);
        c->fault_rc =
            rel_error_set(REL_ENOTFOUND, "%s: nothing listens on 127.0.0.1:%d", c->host, port);
        c->st = C_FAULT;
        return 0;
    }
    c->st = C_PROBE;
    return 0;
}

/* Read what is there from one pipe; false at EOF (the fd is then closed). */
static bool drain(struct rel_transport_conn *c, int *fd, bool is_stderr)
{
    char buf[8192];
    for (;;) {
        ssize_t n = read(*fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return true; /* EAGAIN */
        if (n == 0) {
            close_fd(fd);
            return false;
        }
        const struct rel_remote_event_ops *ops = ev_ops(c);
        if (c->stream && ops && ops->output) {
            ops->output(c->events->ctx, c->host, buf, (size_t)n, is_stderr);
        } else if (is_stderr) {
            struct rel_buf *b = &c->err;
            if (b->len + (size_t)n > REL_SSH_STDERR_TAIL * 2 - 1) {
                /* keep the tail */
                size_t keep = b->len > REL_SSH_STDERR_TAIL ? REL_SSH_STDERR_TAIL : b->len;
                memmove(b->ptr, b->ptr + b->len - keep, keep);
                rel_buf_truncate(b, keep);
            }
            size_t take = (size_t)n < REL_SSH_STDERR_TAIL ? (size_t)n : REL_SSH_STDERR_TAIL;
            rel_buf_put(b, buf + n - take, take);
        } else if (rel_buf_put(&c->out, buf, (size_t)n) < 0) {
            c->over = true; /* step() fails the command */
            return true;
        }
    }
}

static int step_exec(struct rel_transport_conn *c)
{
    if (c->out_fd >= 0)
        drain(c, &c->out_fd, false);
    if (c->err_fd >= 0)
        drain(c, &c->err_fd, true);
    if (c->over) {
        end_action(c);
        int rc = rel_error_set(REL_ELIMIT, "%s: the output of `%s` is over its cap", c->host,
                               c->command);
        report_end(c, rel_error_message());
        return rc;
    }
    if (c->deadline && rel_ssh_now_ms() >= c->deadline) {
        end_action(c);
        int rc = rel_error_set(REL_ESSH, "%s: `%s` timed out", c->host, c->command);
        report_end(c, rel_error_message());
        return rc;
    }
    if (c->out_fd >= 0 || c->err_fd >= 0)
        return REL_SSH_AGAIN;
    int ws;
    pid_t w = waitpid(c->pid, &ws, WNOHANG);
    if (w == 0)
        return REL_SSH_AGAIN;
    c->pid = 0;
    if (w < 0)
        c->status = -1;
    else if (WIFEXITED(ws))
        c->status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws))
        c->status = 128 + WTERMSIG(ws);
    report_end(c, NULL);
    return 0;
}

static int step_upload(struct rel_transport_conn *c)
{
    size_t want = UPLOAD_CHUNK;
    if (c->cut_set && c->cut - c->sent < want)
        want = (size_t)(c->cut - c->sent);
    ssize_t n = want ? read(c->src_fd, c->buf, want) : 0;
    if (n < 0 && errno == EINTR)
        return REL_SSH_AGAIN;
    if (n < 0) {
        int rc = rel_error_set_errno(REL_EIO, errno, "%s: reading the file to upload", c->host);
        end_action(c);
        report_end(c, rel_error_message());
        return rc;
    }
    if (n > 0) {
        if (write(c->dst_fd, c->buf, (size_t)n) != n) {
            rel_buf_printf(&c->err, "cat: write error: %s\n", strerror(errno));
            c->status = 1;
            end_action(c);
            report_end(c, NULL);
            return 0;
        }
        c->sent += (uint64_t)n;
        report_progress(c);
        return REL_SSH_AGAIN;
    }
    end_action(c);
    if (c->cut_set) {
        int rc = lost_error(c, NULL);
        report_end(c, rel_error_message());
        return rc;
    }
    c->status = 0;
    report_end(c, NULL);
    return 0;
}

static int step_probe(struct rel_transport_conn *c)
{
    struct pollfd p = {.fd = c->sock, .events = POLLOUT};
    if (poll(&p, 1, 0) == 0) {
        if (!c->deadline || rel_ssh_now_ms() < c->deadline)
            return REL_SSH_AGAIN;
        close_fd(&c->sock);
        return rel_error_set(REL_ESSH, "%s: nothing accepted a connection on 127.0.0.1:%d in time",
                             c->host, c->port);
    }
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len);
    close_fd(&c->sock);
    if (err)
        return rel_error_set(REL_ENOTFOUND, "%s: nothing listens on 127.0.0.1:%d (%s)", c->host,
                             c->port, strerror(err));
    return 0;
}

static int local_step(struct rel_transport_conn *c)
{
    enum conn_state st = c->st;
    int rc = 0;
    switch (st) {
    case C_CONNECTING:
        rc = c->connect_rc < 0 ? rel_error_set(REL_ESSH, "%s (local): connection refused", c->host)
                               : 0;
        break;
    case C_FAULT:
        if (c->fault_rc == REL_ESSH) {
            rc = lost_error(c, NULL);
            report_end(c, rel_error_message());
        } else if (c->fault_rc < 0) {
            rc = c->fault_rc;
            rel_error_set(rc, "%s: nothing listens on 127.0.0.1:%d", c->host, c->port);
        } else {
            report_end(c, NULL);
        }
        break;
    case C_EXEC:
        rc = step_exec(c);
        break;
    case C_UPLOAD:
        rc = step_upload(c);
        break;
    case C_PROBE:
        rc = step_probe(c);
        break;
    case C_IDLE:
        return 0;
    }
    if (rc != REL_SSH_AGAIN)
        c->st = C_IDLE;
    return rc;
}

static void local_result(struct rel_transport_conn *c, struct rel_transport_result *out)
{
    out->status = c->status;
    out->out = rel_buf_cstr(&c->out);
    out->err = rel_buf_cstr(&c->err);
}

static bool local_alive(const struct rel_transport_conn *c)
{
    return !c->lost;
}

static size_t local_pollfds(const struct rel_transport_conn *c, struct pollfd *fds, size_t max,
                            int64_t *deadline)
{
    size_t n = 0;
    *deadline = c->deadline;
    if (c->st == C_EXEC) {
        if (c->out_fd >= 0 && n < max)
            fds[n++] = (struct pollfd){.fd = c->out_fd, .events = POLLIN};
        if (c->err_fd >= 0 && n < max)
            fds[n++] = (struct pollfd){.fd = c->err_fd, .events = POLLIN};
        if (c->out_fd < 0 && c->err_fd < 0) /* waiting to reap the shell */
            *deadline = rel_ssh_now_ms() + REAP_RETRY_MS;
    } else if (c->st == C_PROBE && n < max) {
        fds[n++] = (struct pollfd){.fd = c->sock, .events = POLLOUT};
    } else if (c->st != C_IDLE) {
        *deadline = rel_ssh_now_ms(); /* ready to step at once */
    }
    return n;
}

static void local_close(struct rel_transport_conn *c)
{
    if (!c)
        return;
    end_action(c);
    rel_buf_free(&c->out);
    rel_buf_free(&c->err);
    free(c->command);
    free(c->host);
    free(c);
}

static const struct rel_transport_ops local_ops = {
    .connect = local_connect,
    .exec = local_exec,
    .upload = local_upload,
    .probe = local_probe,
    .step = local_step,
    .result = local_result,
    .alive = local_alive,
    .pollfds = local_pollfds,
    .close = local_close,
};

int rel_local_transport_new(struct rel_transport **out, const struct rel_local_opts *opts)
{
    struct local *l = rel_calloc(1, sizeof(*l));
    l->dir = rel_strdup(opts->dir ? opts->dir : ".");
    l->fault = opts->fault;
    l->fault_ctx = opts->fault_ctx;
    l->pub.ops = &local_ops;
    l->pub.ctx = l;
    *out = &l->pub;
    return 0;
}

void rel_local_transport_free(struct rel_transport *t)
{
    if (!t)
        return;
    struct local *l = (struct local *)t->ctx;
    free(l->dir);
    free(l);
}
