/*
 * sshtransport.c - the transport over SSH (see transport.h): a connection is
 * a rel_ssh_session with at most one command or probe channel on it. An
 * upload is the command "cat > PATH" with the file as its stdin. Host keys
 * and authentication are the session's (ssh.h), untouched here.
 */
#include "transport.h"

#include "nodelink.h"
#include "ssh.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#include <poll.h>
#include <stdlib.h>

enum conn_state { C_CONNECTING, C_IDLE, C_EXEC, C_PROBE, C_CALL };

struct rel_transport_conn {
    struct rel_ssh_session *s;
    struct rel_ssh_exec *x; /* the last command (kept for its result) */
    struct rel_ssh_probe *p;
    struct rel_nodecalls *q; /* the last calls (kept for their answers) */
    enum conn_state st;
};

static void drop_channels(struct rel_transport_conn *c)
{
    rel_ssh_exec_free(c->x);
    c->x = NULL;
    rel_ssh_probe_free(c->p);
    c->p = NULL;
    rel_nodecalls_free(c->q);
    c->q = NULL;
}

static int ssh_connect(void *ctx, struct rel_transport_conn **out,
                       const struct rel_remote_target *t,
                       const struct rel_transport_connect_opts *o)
{
    (void)ctx;
    *out = NULL;
    struct rel_ssh_session *s = NULL;
    int rc =
        rel_target_session_new(&s, t, o->prompts, o->prompt_ctx, o->events, o->connect_timeout);
    if (rc < 0) {
        rel_ssh_session_free(s);
        return rc;
    }
    struct rel_transport_conn *c = rel_calloc(1, sizeof(*c));
    c->s = s;
    c->st = C_CONNECTING;
    *out = c;
    return 0;
}

static int start_exec(struct rel_transport_conn *c, const struct rel_ssh_exec_opts *xo)
{
    drop_channels(c);
    int rc = rel_ssh_exec_start(&c->x, c->s, xo);
    if (rc < 0)
        return rc;
    c->st = C_EXEC;
    return 0;
}

static int ssh_exec(struct rel_transport_conn *c, const struct rel_transport_exec *x)
{
    struct rel_ssh_exec_opts xo = {.command = x->command,
                                   .stdin_fd = x->stdin_fd,
                                   .stdin_size = x->stdin_size,
                                   .stream = x->stream,
                                   .max_output = x->max_output,
                                   .timeout_ms = x->timeout_ms};
    return start_exec(c, &xo);
}

static int ssh_upload(struct rel_transport_conn *c, int fd, uint64_t size, const char *path)
{
    struct rel_buf cmd = REL_BUF_INIT;
    rel_transport_upload_command(&cmd, path);
    struct rel_ssh_exec_opts xo = {
        .command = rel_buf_cstr(&cmd), .stdin_fd = fd, .stdin_size = size};
    int rc = start_exec(c, &xo);
    rel_buf_free(&cmd);
    return rc;
}

static int ssh_probe(struct rel_transport_conn *c, int port, int timeout_ms)
{
    drop_channels(c);
    int rc = rel_ssh_probe_start(&c->p, c->s, "127.0.0.1", port, timeout_ms);
    if (rc < 0)
        return rc;
    c->st = C_PROBE;
    return 0;
}

static int ssh_call(struct rel_transport_conn *c, const struct rel_transport_call *call)
{
    drop_channels(c);
    struct rel_nodelink_opts o = {.node = call->node,
                                  .cookie = call->cookie,
                                  .host = "127.0.0.1",
                                  .epmd_port = call->epmd_port,
                                  .dist_port = call->dist_port,
                                  .timeout_ms = call->timeout_ms,
                                  .ssh = c->s};
    int rc = rel_nodecalls_start(&c->q, &o, call->calls, call->ncalls);
    if (rc < 0)
        return rc;
    c->st = C_CALL;
    return 0;
}

static int ssh_step(struct rel_transport_conn *c)
{
    int rc;
    switch (c->st) {
    case C_CONNECTING:
        rc = rel_ssh_session_step(c->s);
        break;
    case C_EXEC:
        rc = rel_ssh_exec_step(c->x);
        break;
    case C_CALL:
        rc = rel_nodecalls_step(c->q);
        break;
    case C_PROBE:
        rc = rel_ssh_probe_step(c->p);
        if (rc != REL_SSH_AGAIN) {
            rel_ssh_probe_free(c->p);
            c->p = NULL;
        }
        break;
    default:
        return 0;
    }
    if (rc != REL_SSH_AGAIN)
        c->st = C_IDLE;
    return rc;
}

static void ssh_result(struct rel_transport_conn *c, struct rel_transport_result *out)
{
    out->status = c->x ? rel_ssh_exec_status(c->x) : -1;
    out->out = c->x ? rel_ssh_exec_stdout(c->x) : "";
    out->err = c->x ? rel_ssh_exec_stderr(c->x) : "";
    out->terms = c->q ? rel_nodecalls_results(c->q, &out->nterms) : NULL;
    out->peer = c->q ? rel_nodecalls_peer(c->q) : NULL;
}

static bool ssh_alive(const struct rel_transport_conn *c)
{
    return rel_ssh_session_alive(c->s);
}

static size_t ssh_pollfds(const struct rel_transport_conn *c, struct pollfd *fds, size_t max,
                          int64_t *deadline)
{
    *deadline = rel_ssh_session_deadline(c->s);
    if (c->st == C_CALL) {
        /* libssh2 may hold what it read for the tunnel: wake soon to look */
        int64_t d = rel_ssh_now_ms() + 50;
        if (!*deadline || d < *deadline)
            *deadline = d;
    }
    return max > 0 && rel_ssh_session_pollfd(c->s, &fds[0]) ? 1 : 0;
}

static void ssh_close(struct rel_transport_conn *c)
{
    if (!c)
        return;
    drop_channels(c);
    rel_ssh_session_free(c->s);
    free(c);
}

static const struct rel_transport_ops ssh_ops = {
    .connect = ssh_connect,
    .exec = ssh_exec,
    .upload = ssh_upload,
    .probe = ssh_probe,
    .call = ssh_call,
    .step = ssh_step,
    .result = ssh_result,
    .alive = ssh_alive,
    .pollfds = ssh_pollfds,
    .close = ssh_close,
};

const struct rel_transport *rel_ssh_transport(void)
{
    static const struct rel_transport t = {.ops = &ssh_ops, .ctx = NULL};
    return &t;
}
