/*
 * runner.c - many hosts from one poll loop (see runner.h). Each job is a
 * small state machine: pending, connecting, acting (one action through its
 * transport connection), sleeping, finished.
 */
#include "runner.h"

#include "events.h"
#include "layout.h"
#include "target.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECONNECTS 3
#define MAX_POLL_MS 200

enum job_state { J_PENDING, J_CONNECTING, J_ACTING, J_SLEEPING, J_FINISHED };

struct job {
    struct rel_job pub;
    const struct rel_op_ops *ops;
    enum job_state st;
    struct rel_transport_conn *c;
    struct rel_action act;
    bool act_pending; /* act waits for a (re)connection */
    bool cancel_seen; /* next() was told of the cancel */
    bool abandoned;   /* runs its abandon command, then ends */
    int reconnects;
    int env_fd; /* the read end of the pipe holding the env script, or -1 */
    int64_t sleep_until;
    char *last_error, *last_out, *last_err;
};

struct rel_runner {
    struct rel_runner_opts o;
    const struct rel_transport_ops *tops;
    struct job *jobs;
    size_t n, cap;
    size_t batch_start, batch_end; /* [start, end) is running */
    bool started;
    bool cancel_noted, abandoning;
    int64_t abandon_deadline;
    size_t skipped;
};

int rel_runner_new(struct rel_runner **out, const struct rel_runner_opts *opts)
{
    struct rel_runner *r = rel_calloc(1, sizeof(*r));
    if (opts)
        r->o = *opts;
    if (!r->o.transport)
        r->o.transport = rel_ssh_transport();
    r->tops = r->o.transport->ops;
    *out = r;
    return 0;
}

void rel_runner_add(struct rel_runner *r, const struct rel_remote_target *target,
                    const struct rel_op_ops *ops, void *op)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->jobs = rel_reallocarray(r->jobs, r->cap, sizeof(*r->jobs));
    }
    struct job *j = &r->jobs[r->n];
    memset(j, 0, sizeof(*j));
    j->pub.target = target;
    j->pub.op = op;
    j->pub.index = r->n;
    j->pub.last_status = -1;
    j->pub.last_out = "";
    j->pub.last_err = "";
    j->act.stdin_fd = -1;
    j->env_fd = -1;
    j->ops = ops;
    r->n++;
}

size_t rel_runner_count(const struct rel_runner *r)
{
    return r->n;
}

const struct rel_job *rel_runner_job(const struct rel_runner *r, size_t i)
{
    return i < r->n ? &r->jobs[i].pub : NULL;
}

size_t rel_runner_skipped(const struct rel_runner *r)
{
    return r->skipped;
}

static void set_last(struct job *j, int rc, int status, const char *out, const char *err)
{
    free(j->last_error);
    free(j->last_out);
    free(j->last_err);
    j->last_error = rc < 0 ? rel_strdup(rel_error_message()) : NULL;
    j->last_out = rel_strdup(out ? out : "");
    j->last_err = rel_strdup(err ? err : "");
    j->pub.last_rc = rc;
    j->pub.last_error = j->last_error;
    j->pub.last_status = status;
    j->pub.last_out = j->last_out;
    j->pub.last_err = j->last_err;
}

static void free_act(struct job *j)
{
    free(j->act.command);
    free(j->act.path);
    free((char *)j->act.call.node);
    if (j->act.call.cookie)
        explicit_bzero((char *)j->act.call.cookie, strlen(j->act.call.cookie));
    free((char *)j->act.call.cookie);
    memset(&j->act, 0, sizeof(j->act));
    j->act.stdin_fd = -1;
    if (j->env_fd >= 0)
        close(j->env_fd);
    j->env_fd = -1;
}

static void disconnect(struct rel_runner *r, struct job *j)
{
    r->tops->close(j->c);
    j->c = NULL;
}

static void finish(struct rel_runner *r, struct job *j, int result, const char *message)
{
    disconnect(r, j);
    free_act(j);
    j->st = J_FINISHED;
    j->pub.finished = true;
    j->pub.result = result;
    free(j->pub.message);
    j->pub.message = message ? rel_strdup(message) : NULL;
}

static int connect_job(struct rel_runner *r, struct job *j)
{
    disconnect(r, j);
    struct rel_transport_connect_opts o = {
        .events = r->o.events,
        .prompts = r->o.prompts,
        .prompt_ctx = r->o.prompt_ctx,
        .connect_timeout = r->o.connect_timeout,
    };
    return r->tops->connect(r->o.transport->ctx, &j->c, j->pub.target, &o);
}

/* Start the action in j->act (the connection is ready). */
static int start_action(struct rel_runner *r, struct job *j)
{
    int rc = 0;
    switch (j->act.kind) {
    case REL_ACT_EXEC: {
        /* the node's environment on stdin (layout.h), never in the command */
        if (j->act.stdin_fd < 0 && rel_layout_wants_env(j->act.command)) {
            if ((rc = rel_layout_env_pipe(&j->env_fd, j->pub.target)) < 0)
                return rc;
            j->act.stdin_fd = j->env_fd;
        }
        struct rel_transport_exec x = {.command = j->act.command,
                                       .stdin_fd = j->act.stdin_fd,
                                       .stdin_size = j->act.stdin_size,
                                       .stream = j->act.stream,
                                       .max_output = j->act.max_output,
                                       .timeout_ms = j->act.timeout_ms};
        rc = r->tops->exec(j->c, &x);
        break;
    }
    case REL_ACT_UPLOAD:
        rc = r->tops->upload(j->c, j->act.stdin_fd, j->act.stdin_size, j->act.path);
        break;
    case REL_ACT_PROBE:
        rc = r->tops->probe(j->c, j->act.port, j->act.timeout_ms);
        break;
    case REL_ACT_CALL:
        rc = r->tops->call
                 ? r->tops->call(j->c, &j->act.call)
                 : rel_error_set(REL_EUNSUPPORTED, "%s: no node calls over this transport",
                                 j->pub.target->name);
        break;
    default:
        break;
    }
    if (rc < 0)
        return rc;
    j->st = J_ACTING;
    return 0;
}

static bool canceled(struct rel_runner *r)
{
    return r->o.canceled && r->o.canceled(r->o.cancel_ctx);
}

/* Tell next() (once) that what it asked for did not run. */
static bool deliver_cancel(struct rel_runner *r, struct job *j)
{
    if (j->cancel_seen || !canceled(r))
        return false;
    j->cancel_seen = true;
    rel_error_set(REL_ECANCELED, "%s: canceled", j->pub.target->name);
    set_last(j, REL_ECANCELED, -1, NULL, NULL);
    return true;
}

/* Ask the operation what's next and set it going. Loops while actions end
 * immediately. */
static void advance(struct rel_runner *r, struct job *j)
{
    for (;;) {
        free_act(j);
        if (j->abandoned) {
            finish(r, j, REL_ECANCELED, NULL);
            free(j->pub.message);
            j->pub.message = rel_asprintf("%s: interrupted twice: abandoned", j->pub.target->name);
            return;
        }
        int rc = j->ops->next(&j->pub, &j->act);
        if (rc < 0) {
            finish(r, j, rc, rel_error_message());
            return;
        }
        if (j->act.kind != REL_ACT_DONE && !j->act.finishing && deliver_cancel(r, j))
            continue;
        switch (j->act.kind) {
        case REL_ACT_DONE:
            finish(r, j, 0, NULL);
            return;
        case REL_ACT_SLEEP:
            j->sleep_until = rel_ssh_now_ms() + j->act.sleep_ms;
            j->st = J_SLEEPING;
            return;
        case REL_ACT_EXEC:
        case REL_ACT_UPLOAD:
        case REL_ACT_PROBE:
        case REL_ACT_CALL:
            if (!j->c || !r->tops->alive(j->c)) {
                if (j->reconnects >= MAX_RECONNECTS) {
                    rel_error_set(REL_ESSH, "%s: connection lost, not reconnecting again",
                                  j->pub.target->name);
                    set_last(j, REL_ESSH, -1, NULL, NULL);
                    continue;
                }
                j->reconnects++;
                rel_remote_note(r->o.events, j->pub.target->name, "reconnecting");
                if (connect_job(r, j) < 0) {
                    set_last(j, rel_error_code(), -1, NULL, NULL);
                    continue;
                }
                j->act_pending = true;
                j->st = J_CONNECTING;
                return;
            }
            if ((rc = start_action(r, j)) < 0) {
                set_last(j, rc, -1, NULL, NULL);
                continue;
            }
            return;
        }
    }
}

/* A wait or a connection attempt is cut when the run is canceled (unless
 * it is for a finishing action). */
static bool cut_for_cancel(struct rel_runner *r, struct job *j)
{
    if (j->act.finishing || !deliver_cancel(r, j))
        return false;
    if (j->st == J_CONNECTING) {
        disconnect(r, j);
        j->act_pending = false;
    }
    advance(r, j);
    return true;
}

/* An upload is cut when the run is canceled: its connection is closed (the
 * partial file is the operation's to remove; it reconnects to do so). */
static bool cut_upload(struct rel_runner *r, struct job *j)
{
    if (j->act.finishing || !deliver_cancel(r, j))
        return false;
    disconnect(r, j);
    advance(r, j);
    return true;
}

/* Step one job as far as it goes. */
static void step_job(struct rel_runner *r, struct job *j)
{
    for (int guard = 0; guard < 1000; guard++) {
        switch (j->st) {
        case J_PENDING:
            j->pub.started = true;
            if (connect_job(r, j) < 0) {
                set_last(j, rel_error_code(), -1, NULL, NULL);
                advance(r, j);
                break;
            }
            j->st = J_CONNECTING;
            break;
        case J_CONNECTING: {
            if (cut_for_cancel(r, j))
                break;
            int rc = r->tops->step(j->c);
            if (rc == REL_SSH_AGAIN)
                return;
            if (rc == 0)
                j->pub.connected = true;
            set_last(j, rc, -1, NULL, NULL);
            if (j->act_pending) {
                j->act_pending = false;
                if (rc == 0 && (rc = start_action(r, j)) == 0)
                    break;
                set_last(j, rc, -1, NULL, NULL);
            }
            advance(r, j);
            break;
        }
        case J_ACTING: {
            /* a streamed command (logs -f) never ends by itself: a cancel
             * cuts it, closing the connection */
            if (j->act.stream && !j->act.finishing && deliver_cancel(r, j)) {
                disconnect(r, j);
                advance(r, j);
                break;
            }
            if (j->act.kind == REL_ACT_UPLOAD && cut_upload(r, j))
                break;
            int rc = r->tops->step(j->c);
            if (rc == REL_SSH_AGAIN)
                return;
            struct rel_transport_result res = {0};
            r->tops->result(j->c, &res);
            set_last(j, rc, res.status, res.out, res.err);
            j->pub.last_terms = res.terms;
            j->pub.last_nterms = res.nterms;
            j->pub.last_peer = res.peer;
            advance(r, j);
            j->pub.last_terms = NULL;
            j->pub.last_nterms = 0;
            j->pub.last_peer = NULL;
            break;
        }
        case J_SLEEPING:
            if (cut_for_cancel(r, j))
                break;
            if (rel_ssh_now_ms() < j->sleep_until)
                return;
            set_last(j, 0, -1, NULL, NULL);
            advance(r, j);
            break;
        case J_FINISHED:
            return;
        }
    }
}

static bool batch_failed(struct rel_runner *r)
{
    for (size_t i = r->batch_start; i < r->batch_end; i++)
        if (r->jobs[i].pub.result < 0)
            return true;
    return false;
}

/* Finish the hosts of the batches not started, saying why. */
static void skip_rest(struct rel_runner *r, const char *why)
{
    for (size_t i = r->batch_end; i < r->n; i++) {
        struct job *j = &r->jobs[i];
        char *msg = rel_asprintf("%s: not started: %s", j->pub.target->name, why);
        finish(r, j, REL_ECANCELED, msg);
        rel_remote_note(r->o.events, j->pub.target->name, "not started: %s", why);
        free(msg);
        r->skipped++;
    }
    r->batch_start = r->batch_end = r->n;
}

/* The cancel is first seen: say what each running host stops after. */
static void note_cancel(struct rel_runner *r)
{
    r->cancel_noted = true;
    for (size_t i = r->batch_start; i < r->batch_end; i++) {
        struct job *j = &r->jobs[i];
        if (j->st == J_FINISHED || j->st == J_PENDING)
            continue;
        const char *phase = j->ops->phase ? j->ops->phase(&j->pub) : NULL;
        if (phase)
            rel_remote_note(r->o.events, j->pub.target->name, "interrupted: stopping after %s",
                            phase);
        else
            rel_remote_note(r->o.events, j->pub.target->name, "interrupted: stopping");
    }
}

/* Abandon the run: drop what runs; each host runs its abandon command (on a
 * fresh connection), then ends. Hosts not started are not started. */
static void abandon(struct rel_runner *r)
{
    r->abandoning = true;
    r->abandon_deadline = rel_ssh_now_ms() + REL_RUNNER_ABANDON_MS;
    for (size_t i = r->batch_start; i < r->batch_end; i++) {
        struct job *j = &r->jobs[i];
        if (j->st == J_FINISHED)
            continue;
        char *cmd = j->st != J_PENDING && j->ops->abandon ? j->ops->abandon(&j->pub) : NULL;
        disconnect(r, j);
        free_act(j);
        j->abandoned = true;
        j->cancel_seen = true;
        j->act_pending = false;
        if (!cmd) {
            advance(r, j);
            continue;
        }
        j->act.kind = REL_ACT_EXEC;
        j->act.command = cmd;
        j->act.finishing = true;
        j->act.timeout_ms = REL_RUNNER_ABANDON_MS;
        j->pub.started = true;
        if (connect_job(r, j) < 0) {
            advance(r, j);
            continue;
        }
        j->act_pending = true;
        j->st = J_CONNECTING;
    }
    if (r->batch_end < r->n)
        skip_rest(r, "canceled");
}

/* The abandoned run took too long: end whatever is left. */
static void abandon_expired(struct rel_runner *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct job *j = &r->jobs[i];
        if (j->st != J_FINISHED) {
            rel_remote_note(r->o.events, j->pub.target->name,
                            "interrupted twice: gave up releasing what it holds");
            j->abandoned = true;
            advance(r, j);
        }
    }
}

int rel_runner_step(struct rel_runner *r)
{
    if (!r->started) {
        r->started = true;
        r->batch_start = 0;
        r->batch_end = r->o.batch && r->o.batch < r->n ? r->o.batch : r->n;
    }
    if (!r->cancel_noted && canceled(r))
        note_cancel(r);
    if (!r->abandoning && r->o.abandoned && r->o.abandoned(r->o.cancel_ctx))
        abandon(r);
    else if (r->abandoning && rel_ssh_now_ms() >= r->abandon_deadline)
        abandon_expired(r);
    for (;;) {
        bool active = false;
        for (size_t i = r->batch_start; i < r->batch_end; i++) {
            step_job(r, &r->jobs[i]);
            active = active || r->jobs[i].st != J_FINISHED;
        }
        if (active)
            return REL_SSH_AGAIN;
        if (r->batch_end >= r->n)
            return 0;
        if (canceled(r)) {
            skip_rest(r, "canceled");
            return 0;
        }
        if (r->o.stop_on_failure && batch_failed(r)) {
            skip_rest(r, "a host of an earlier batch failed");
            return 0;
        }
        r->batch_start = r->batch_end;
        r->batch_end =
            r->o.batch && r->batch_end + r->o.batch < r->n ? r->batch_end + r->o.batch : r->n;
    }
}

size_t rel_runner_pollfds(struct rel_runner *r, struct pollfd *fds, size_t max, int *timeout_ms)
{
    size_t n = 0;
    int64_t now = rel_ssh_now_ms();
    int timeout = MAX_POLL_MS;
    for (size_t i = r->batch_start; i < r->batch_end; i++) {
        struct job *j = &r->jobs[i];
        if (j->st == J_SLEEPING) {
            int64_t left = j->sleep_until - now;
            if (left < timeout)
                timeout = left > 0 ? (int)left : 0;
            continue;
        }
        if (j->st == J_FINISHED || !j->c || n >= max)
            continue;
        int64_t d = 0;
        n += r->tops->pollfds(j->c, &fds[n], max - n, &d);
        if (d) {
            int64_t left = d - now;
            if (left < timeout)
                timeout = left > 0 ? (int)left : 0;
        }
    }
    *timeout_ms = timeout;
    return n;
}

int rel_runner_run(struct rel_runner *r)
{
    size_t max = (r->n ? r->n : 1) * REL_TRANSPORT_MAX_FDS;
    struct pollfd *fds = rel_calloc(max, sizeof(*fds));
    while (rel_runner_step(r) == REL_SSH_AGAIN) {
        int timeout;
        size_t n = rel_runner_pollfds(r, fds, max, &timeout);
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            free(fds);
            return rel_error_set_errno(REL_EIO, errno, "poll");
        }
    }
    free(fds);
    for (size_t i = 0; i < r->n; i++)
        if (r->jobs[i].pub.result < 0) {
            rel_error_set(r->jobs[i].pub.result, "%s",
                          r->jobs[i].pub.message ? r->jobs[i].pub.message : "failed");
            return r->jobs[i].pub.result;
        }
    return 0;
}

void rel_runner_free(struct rel_runner *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct job *j = &r->jobs[i];
        if (j->st != J_FINISHED)
            finish(r, j, REL_ECANCELED, "canceled");
        if (j->ops->free)
            j->ops->free(j->pub.op);
        free(j->pub.message);
        free(j->last_error);
        free(j->last_out);
        free(j->last_err);
    }
    free(r->jobs);
    free(r);
}
