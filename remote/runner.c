#include "runner.h"

#include "events.h"
#include "target.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECONNECTS 3
#define MAX_POLL_MS 200

enum job_state { J_PENDING, J_CONNECTING, J_ACTING, J_SLEEPING, J_FINISHED };

struct job {
    struct rel_job pub;
    const struct rel_op_ops *ops;
    enum job_state st;
    struct rel_ssh_session *s;
    struct rel_ssh_exec *x;
    struct rel_ssh_probe *p;
    struct rel_action act;
    bool act_pending; /* act waits for a (re)connection */
    int reconnects;
    int64_t sleep_until;
    char *last_error, *last_out, *last_err;
};

struct rel_runner {
    struct rel_runner_opts o;
    struct job *jobs;
    size_t n, cap;
    size_t batch_start, batch_end; /* [start, end) is running */
    bool started;
    size_t skipped;
};

int rel_runner_new(struct rel_runner **out, const struct rel_runner_opts *opts)
{
    struct rel_runner *r = rel_calloc(1, sizeof(*r));
    if (opts)
        r->o = *opts;
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

static void release_channels(struct job *j)
{
    rel_ssh_exec_free(j->x);
    j->x = NULL;
    rel_ssh_probe_free(j->p);
    j->p = NULL;
}

static void finish(struct job *j, int result, const char *message)
{
    release_channels(j);
    rel_ssh_session_free(j->s);
    j->s = NULL;
    free(j->act.command);
    j->act.command = NULL;
    j->st = J_FINISHED;
    j->pub.finished = true;
    j->pub.result = result;
    free(j->pub.message);
    j->pub.message = message ? rel_strdup(message) : NULL;
}

static int new_session(struct rel_runner *r, struct job *j)
{
    struct rel_ssh_opts o;
    rel_ssh_opts_init(&o);
    o.label = j->pub.target->name;
    o.policy = j->pub.target->policy;
    o.prompts = r->o.prompts;
    o.prompt_ctx = r->o.prompt_ctx;
    o.events = r->o.events;
    o.connect_timeout = r->o.connect_timeout;
    rel_ssh_session_free(j->s);
    j->s = NULL;
    return rel_ssh_session_new(&j->s, &j->pub.target->ep, &o);
}

/* Start the action in j->act (the session is ready). */
static int start_action(struct job *j)
{
    switch (j->act.kind) {
    case REL_ACT_EXEC: {
        struct rel_ssh_exec_opts xo = {.command = j->act.command,
                                       .stdin_fd = j->act.stdin_fd,
                                       .stdin_size = j->act.stdin_size,
                                       .stream = j->act.stream,
                                       .max_output = j->act.max_output,
                                       .timeout_ms = j->act.timeout_ms};
        int rc = rel_ssh_exec_start(&j->x, j->s, &xo);
        if (rc < 0)
            return rc;
        break;
    }
    case REL_ACT_PROBE: {
        int rc = rel_ssh_probe_start(&j->p, j->s, "127.0.0.1", j->act.port);
        if (rc < 0)
            return rc;
        break;
    }
    default:
        break;
    }
    j->st = J_ACTING;
    return 0;
}

/* Ask the operation what's next and set it going. Loops while actions end
 * immediately. */
static void advance(struct rel_runner *r, struct job *j)
{
    for (;;) {
        free(j->act.command);
        memset(&j->act, 0, sizeof(j->act));
        j->act.stdin_fd = -1;
        int rc = j->ops->next(&j->pub, &j->act);
        if (rc < 0) {
            finish(j, rc, rel_error_message());
            return;
        }
        switch (j->act.kind) {
        case REL_ACT_DONE:
            finish(j, 0, NULL);
            return;
        case REL_ACT_SLEEP:
            j->sleep_until = rel_ssh_now_ms() + j->act.sleep_ms;
            j->st = J_SLEEPING;
            return;
        case REL_ACT_EXEC:
        case REL_ACT_PROBE:
            if (!j->s || !rel_ssh_session_alive(j->s)) {
                if (j->reconnects >= MAX_RECONNECTS) {
                    rel_error_set(REL_ESSH, "%s: connection lost, not reconnecting again",
                                  j->pub.target->name);
                    set_last(j, REL_ESSH, -1, NULL, NULL);
                    continue;
                }
                j->reconnects++;
                rel_remote_note(r->o.events, j->pub.target->name, "reconnecting");
                if (new_session(r, j) < 0) {
                    set_last(j, rel_error_code(), -1, NULL, NULL);
                    continue;
                }
                j->act_pending = true;
                j->st = J_CONNECTING;
                return;
            }
            if ((rc = start_action(j)) < 0) {
                set_last(j, rc, -1, NULL, NULL);
                continue;
            }
            return;
        }
    }
}

/* Step one job as far as it goes. */
static void step_job(struct rel_runner *r, struct job *j)
{
    for (int guard = 0; guard < 1000; guard++) {
        switch (j->st) {
        case J_PENDING:
            j->pub.started = true;
            if (new_session(r, j) < 0) {
                set_last(j, rel_error_code(), -1, NULL, NULL);
                advance(r, j);
                break;
            }
            j->st = J_CONNECTING;
            break;
        case J_CONNECTING: {
            int rc = rel_ssh_session_step(j->s);
            if (rc == REL_SSH_AGAIN)
                return;
            if (rc == 0)
                j->pub.connected = true;
            set_last(j, rc, -1, NULL, NULL);
            if (j->act_pending) {
                j->act_pending = false;
                if (rc == 0 && (rc = start_action(j)) == 0)
                    break;
                set_last(j, rc, -1, NULL, NULL);
            }
            advance(r, j);
            break;
        }
        case J_ACTING: {
            int rc;
            if (j->x) {
                rc = rel_ssh_exec_step(j->x);
                if (rc == REL_SSH_AGAIN)
                    return;
                set_last(j, rc, rel_ssh_exec_status(j->x), rel_ssh_exec_stdout(j->x),
                         rel_ssh_exec_stderr(j->x));
            } else {
                rc = rel_ssh_probe_step(j->p);
                if (rc == REL_SSH_AGAIN)
                    return;
                set_last(j, rc, -1, NULL, NULL);
            }
            release_channels(j);
            advance(r, j);
            break;
        }
        case J_SLEEPING:
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

int rel_runner_step(struct rel_runner *r)
{
    if (!r->started) {
        r->started = true;
        r->batch_start = 0;
        r->batch_end = r->o.batch && r->o.batch < r->n ? r->o.batch : r->n;
    }
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
        if (r->o.stop_on_failure && batch_failed(r)) {
            for (size_t i = r->batch_end; i < r->n; i++) {
                struct job *j = &r->jobs[i];
                char *msg = rel_asprintf("%s: not started: a host of an earlier batch failed",
                                         j->pub.target->name);
                finish(j, REL_ECANCELED, msg);
                rel_remote_note(r->o.events, j->pub.target->name,
                                "not started: a host of an earlier batch failed");
                free(msg);
                r->skipped++;
            }
            r->batch_start = r->batch_end = r->n;
            return 0;
        }
        r->batch_start = r->batch_end;
        r->batch_end = r->o.batch && r->batch_end + r->o.batch < r->n ? r->batch_end + r->o.batch
                                                                       : r->n;
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
        if (j->st == J_FINISHED || !j->s || n >= max)
            continue;
        if (rel_ssh_session_pollfd(j->s, &fds[n]))
            n++;
        int64_t d = rel_ssh_session_deadline(j->s);
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
    struct pollfd *fds = rel_calloc(r->n ? r->n : 1, sizeof(*fds));
    while (rel_runner_step(r) == REL_SSH_AGAIN) {
        int timeout;
        size_t n = rel_runner_pollfds(r, fds, r->n, &timeout);
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
            finish(j, REL_ECANCELED, "canceled");
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
