/*
 * targets_ops.c - the Targets screen's background operations: status,
 * deploy (preparing, then deploying), start, stop, restart, rollback, logs
 * and the connection for Attach.
 *
 * An operation is a struct op: its inputs are set on the UI thread, then a
 * worker thread (tui/remote_job.h) runs op_run(), which drives the remote
 * layer's runner (the same operations the CLI runs: remote/deploy.h,
 * remote/node.h) and writes its outputs into the op; op_done() runs on the
 * UI thread when the job has ended and shows the outcome: the rows' state,
 * the last line above the log, the deploy confirmation once the tarball is
 * read, the console for Attach, the pager for logs.
 */
#include "tui/targets_int.h"

#include "core/alloc.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/escape.h"
#include "core/error.h"
#include "core/project.h"
#include "core/size.h"
#include "remote/deploy.h"
#include "remote/events.h"
#include "remote/layout.h"
#include "remote/rollback.h"
#include "remote/runner.h"
#include "remote/ssh.h"
#include "tui/attach.h"
#include "tui/format.h"
#include "tui/logview.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/remote_job.h"
#include "tui/screens.h"
#include "tui/ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- results ------------------------------------------------------------------ */

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tui_targets_found_free(struct found *f)
{
    free(f->pid);
    free(f->version);
    free(f->current);
    free(f->previous);
    free(f->lock);
    free(f->last_deploy);
    free(f->installed_versions);
    free(f->error);
    free(f->note);
    free(f->output);
    memset(f, 0, sizeof(*f));
}


/* The version part of "releases/VSN-STAMP" or "VSN-STAMP", or NULL. */
char *tui_targets_dir_version(const char *dir)
{
    if (!dir)
        return NULL;
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    char *vsn = NULL;
    const char *stamp;
    if (!rel_layout_parse_release_dir(base, &vsn, &stamp))
        return rel_strdup(base);
    return vsn;
}

/* What a host sent (status fields, versions, links, the lock's holder) is
 * kept as text: its control characters escaped (core/escape.h). */
static void found_from_node(struct found *f, const struct rel_node_result *res)
{
    f->reachable = res->reachable;
    f->installed = res->installed;
    f->running = res->running;
    f->pid = rel_escape_dup(res->pid, 0);
    f->version = rel_escape_dup(res->version, 0);
    f->current = rel_escape_dup(res->current, 0);
    f->previous = rel_escape_dup(res->previous, 0);
    f->lock = rel_escape_dup(res->lock, 0);
    f->last_deploy = rel_escape_dup(res->last_deploy, 0);
    f->note = rel_escape_dup(res->note, 0);
    f->output = rel_escape_dup(res->output, REL_ESCAPE_KEEP_LINES);
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < res->nreleases; i++) {
        char *v = tui_targets_dir_version(res->releases[i]);
        char *shown = rel_escape_dup(v ? v : "?", 0);
        rel_buf_printf(&b, "%s%s", b.len ? " " : "", shown);
        free(shown);
        free(v);
    }
    f->installed_versions = b.len ? rel_buf_detach(&b) : NULL;
    rel_buf_free(&b);
}

/* ---- operations --------------------------------------------------------------- */

void tui_targets_op_free(struct op *op)
{
    if (!op)
        return;
    for (size_t i = 0; i < op->n; i++)
        tui_targets_found_free(&op->res[i]);
    free(op->res);
    free(op->rc);
    free(op->rows);
    free(op->audit_file);
    free(op->tarball);
    free(op->built_note);
    rel_deploy_free(op->deploy);
    if (op->session)
        rel_ssh_session_free(op->session);
    free(op);
}

/* A new operation on rows[] (copied). */
struct op *tui_targets_op_new(struct targets *ts, enum op_kind kind, const size_t *rows, size_t n)
{
    struct op *op = rel_calloc(1, sizeof(*op));
    op->ts = ts;
    op->kind = kind;
    op->rows = rel_calloc(n + 1, sizeof(size_t));
    memcpy(op->rows, rows, n * sizeof(size_t));
    op->n = n;
    op->res = rel_calloc(n + 1, sizeof(*op->res));
    op->rc = rel_calloc(n + 1, sizeof(int));
    op->events = tui_remote_job_events(ts->remote);
    op->prompts = tui_remote_job_prompts(ts->remote);
    op->prompt_ctx = tui_remote_job_prompt_ctx(ts->remote);
    op->deploy_cfg = tui_project_config(ts->tp)->deploy;
    op->audit_file = rel_strdup(ts->audit_file);
    return op;
}

static const struct rel_remote_target *op_target(const struct op *op, size_t i)
{
    return &op->ts->rows[op->rows[i]].t;
}

/* worker: the runner asks between actions whether the job was canceled */
static bool job_canceled(void *job)
{
    return tui_job_canceled(job);
}

/* worker: the operations that go through the runner */
static int run_runner(struct op *op, struct tui_job *job)
{
    struct rel_runner_opts ro = {
        .events = op->events,
        .prompts = op->prompts,
        .prompt_ctx = op->prompt_ctx,
    };
    bool changes = op->kind == OP_DEPLOY || op->kind == OP_ROLLBACK ||
                   (op->kind == OP_NODE && rel_node_op_info(op->node_op)->changes);
    if (op->kind == OP_DEPLOY || op->kind == OP_ROLLBACK) {
        ro.batch = (size_t)op->deploy_cfg.batch;
        ro.stop_on_failure = true;
    }
    if (!changes) { /* read-only operations stop early when the job is canceled */
        ro.canceled = job_canceled;
        ro.cancel_ctx = job;
    }
    struct rel_runner *r = NULL;
    int rc = rel_runner_new(&r, &ro);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < op->n; i++) {
        const struct rel_remote_target *t = op_target(op, i);
        if (op->kind == OP_DEPLOY) {
            rel_deploy_add(op->deploy, r, t);
        } else if (op->kind == OP_ROLLBACK) {
            struct rel_rollback_opts o = {.health_tcp = op->deploy_cfg.health_tcp,
                                          .health_timeout = op->deploy_cfg.health_timeout,
                                          .audit_file = op->audit_file,
                                          .events = op->events};
            rel_rollback_add(r, t, &o);
        } else {
            struct rel_node_opts o = {
                .op = op->kind == OP_STATUS ? REL_NODE_STATUS
                      : op->kind == OP_LOGS ? REL_NODE_LOGS
                                            : op->node_op,
                .health_tcp = op->deploy_cfg.health_tcp,
                .health_timeout = op->deploy_cfg.health_timeout,
                .lines = 200,
                .follow = op->follow,
                .audit_file = op->audit_file,
                .events = op->events,
            };
            rel_node_add(r, t, &o);
        }
    }
    int run_rc = rel_runner_run(r); /* each host's outcome is read below */
    rc = !changes && tui_job_canceled(job) ? rel_error_set(REL_ECANCELED, "canceled") : 0;
    /* deploy.rollback_all: a failed run returns the hosts it switched */
    struct rel_rollback_all ra = {0};
    if (op->kind == OP_DEPLOY && op->deploy_cfg.rollback_all &&
        (run_rc < 0 || rel_runner_skipped(r)) && rel_rollback_all_init(&ra, r)) {
        ro.canceled = NULL;
        for (size_t k = 0; k < ra.n; k++)
            rel_remote_note(op->events, rel_runner_job(r, ra.hosts[k])->target->name,
                            "deploy.rollback_all: returning to the previous release");
        struct rel_rollback_opts o = {.health_tcp = op->deploy_cfg.health_tcp,
                                      .health_timeout = op->deploy_cfg.health_timeout,
                                      .audit_file = op->audit_file,
                                      .events = op->events};
        rel_rollback_all_run(&ra, &ro, &o);
    }
    for (size_t i = 0; i < rel_runner_count(r) && i < op->n; i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        struct found *f = &op->res[i];
        op->rc[i] = j->result;
        if (op->kind == OP_DEPLOY) {
            f->reachable = j->connected;
            f->note = rel_strdup(ra.back && ra.back[i] ? "deployed, then rolled back "
                                                         "(deploy.rollback_all)"
                                                       : rel_deploy_outcome(j));
            if (ra.error && ra.error[i]) { /* it stays on the new release */
                op->rc[i] = REL_ECHILD;
                f->error = rel_strdup(ra.error[i]);
            }
        } else if (op->kind == OP_ROLLBACK) {
            f->reachable = j->connected;
            f->note = rel_strdup(j->result == 0 ? "rolled back" : "rollback failed");
        } else {
            found_from_node(f, rel_node_result(j));
            f->reachable = f->reachable || j->connected;
        }
        if (j->result < 0)
            f->error = rel_strdup(j->message ? j->message : "failed");
    }
    rel_rollback_all_free(&ra);
    rel_runner_free(r);
    return rc;
}

/* worker: the tarball to deploy, as the CLI finds it (core/build.h
 * rel_build_deploy_tarball): the one the release's tar step packed, or,
 * for a release without that step, built and packed now (compiling when
 * needed; the model resolved from the saved relman.yml); then check it and
 * read it (version, checksum) for the confirmation. */
static int run_prepare(struct op *op, const struct rel_events *ev, struct tui_job *job)
{
    struct rel_build_opts bo = {
        .compile = REL_BUILD_COMPILE_AUTO,
        .dir = op->model->project->root,
        .ev = ev,
        .canceled = job_canceled,
        .cancel_ctx = job,
    };
    struct rel_build_tarball t;
    int rc = rel_build_deploy_tarball(&t, op->ts->release, &bo,
                                      "press a on the release, or `relman assemble`");
    if (rc == 0 && t.plan) {
        op->built = true;
        op->built_note =
            rel_asprintf("assembled %s %s (%llu written, %llu reused)%s", t.plan->name,
                         t.plan->version, (unsigned long long)t.stats.written,
                         (unsigned long long)t.stats.reused,
                         t.packed ? " and packed" : "; unchanged since the last pack");
    }
    if (rc == 0) {
        op->tarball = t.path;
        t.path = NULL;
        struct rel_deploy_opts dopts = {
            .tarball = op->tarball,
            .release = op->ts->release,
            .keep = op->deploy_cfg.keep,
            .health_tcp = op->deploy_cfg.health_tcp,
            .health_timeout = op->deploy_cfg.health_timeout,
            .audit_file = op->audit_file,
            .events = op->events,
        };
        rc = rel_deploy_new(&op->deploy, &dopts);
    }
    rel_build_tarball_free(&t);
    return rc;
}

/* worker: connect to the target for Attach */
static int run_connect(struct op *op)
{
    const struct rel_remote_target *t = op_target(op, 0);
    int rc = rel_target_session_new(&op->session, t, op->prompts, op->prompt_ctx, op->events, 0);
    if (rc == 0)
        rc = rel_ssh_drive(op->session, rel_ssh_session_step_cb, op->session);
    if (rc < 0) {
        char *msg = rel_strdup(rel_error_message());
        rel_ssh_session_free(op->session);
        op->session = NULL;
        rel_error_set(rc, "%s", msg);
        free(msg);
    }
    return rc;
}

/* worker thread */
static int op_run(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    struct op *op = arg;
    switch (op->kind) {
    case OP_PREPARE:
        return run_prepare(op, ev, job);
    case OP_CONNECT:
        return run_connect(op);
    default:
        return run_runner(op, job);
    }
}

/* ---- after an operation (UI thread) ------------------------------------------- */

static void set_last(struct targets *ts, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_last(struct targets *ts, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ts->last, sizeof(ts->last), fmt, ap);
    va_end(ap);
    ts->last_error = error;
    if (error)
        tui_error("%s", ts->last);
    else
        tui_message("%s", ts->last);
}

const char *tui_targets_op_verb(const struct op *op)
{
    switch (op->kind) {
    case OP_STATUS:
        return "status";
    case OP_PREPARE:
        return "deploy (preparing)";
    case OP_DEPLOY:
        return "deploy";
    case OP_ROLLBACK:
        return "rollback";
    case OP_LOGS:
        return "logs";
    case OP_CONNECT:
        return "attach";
    case OP_NODE:
        return rel_node_op_info(op->node_op)->name;
    }
    return "?";
}

/* Attach: the console on the terminal, then its outcome as the last line. */
static void attach_now(struct targets *ts, struct op *op)
{
    const struct trow *row = &ts->rows[op->rows[0]];
    char outcome[sizeof(ts->last)];
    bool error =
        tui_attach_console(&row->t, row->name, op->session, &ts->log, outcome, sizeof(outcome));
    set_last(ts, error, "%s", outcome);
    rel_ssh_session_free(op->session);
    op->session = NULL;
}

/* Rows of every resolved target (for a refresh). */
static size_t all_rows(const struct targets *ts, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->nrows; i++)
        if (ts->rows[i].resolved)
            out[n++] = i;
    return n;
}

long tui_targets_now_ms(void)
{
    return mono_ms();
}

void tui_targets_refresh_quiet(struct targets *ts)
{
    if (tui_remote_job_busy(ts->remote))
        return;
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = 0;
    for (size_t i = 0; i < ts->nrows; i++)
        if (ts->rows[i].resolved && ts->rows[i].checked && ts->rows[i].f.reachable)
            rows[n++] = i;
    if (n)
        tui_targets_start(ts, tui_targets_op_new(ts, OP_STATUS, rows, n), "status (auto-refresh)");
    else
        ts->refreshed_ms = mono_ms(); /* none to ask: try again an interval later */
    free(rows);
}

void tui_targets_refresh(struct targets *ts)
{
    if (tui_remote_job_busy(ts->remote))
        return;
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = all_rows(ts, rows);
    if (n) {
        struct op *op = tui_targets_op_new(ts, OP_STATUS, rows, n);
        for (size_t i = 0; i < n; i++)
            snprintf(ts->rows[rows[i]].busy, sizeof(ts->rows[rows[i]].busy), "checking");
        tui_targets_start(ts, op, "status");
    }
    free(rows);
}

static void op_done(void *arg, int rc, const char *error)
{
    struct op *op = arg;
    struct targets *ts = op->ts;
    ts->op = NULL;
    if (ts->pinned) {
        tui_project_unpin(ts->tp);
        ts->pinned = false;
    }
    for (size_t i = 0; i < op->n; i++)
        ts->rows[op->rows[i]].busy[0] = '\0';
    switch (op->kind) {
    case OP_STATUS:
        for (size_t i = 0; i < op->n; i++) {
            struct trow *row = &ts->rows[op->rows[i]];
            tui_targets_found_free(&row->f);
            row->f = op->res[i];
            memset(&op->res[i], 0, sizeof(op->res[i]));
            row->checked = true;
        }
        ts->refreshed_ms = mono_ms();
        break;
    case OP_PREPARE:
        if (op->built) /* the Releases screen looks again */
            tui_project_disk_changed(ts->tp);
        if (rc < 0) {
            set_last(ts, true, "deploy: %s", error);
            break;
        }
        if (op->built_note)
            tui_cmdlog_add(&ts->log, TUI_CL_RESULT, ts->release, op->built_note);
        /* ask, listing hosts and versions; OP_DEPLOY takes the prepared deploy */
        {
            struct op *dep = tui_targets_op_new(ts, OP_DEPLOY, op->rows, op->n);
            dep->deploy = op->deploy;
            op->deploy = NULL;
            struct rel_buf body = REL_BUF_INIT, q = REL_BUF_INIT, title = REL_BUF_INIT;
            char size[32];
            rel_buf_printf(&title, "Deploy %s %s to %zu target%s", ts->release,
                           rel_deploy_version(dep->deploy), op->n, op->n == 1 ? "" : "s");
            for (size_t i = 0; i < op->n; i++) {
                const struct trow *row = &ts->rows[op->rows[i]];
                char *cur = tui_targets_dir_version(row->f.current);
                rel_buf_printf(&body, "%-10s %s@%s port %d  %s  now: %s%s\n", row->name,
                               row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname,
                               row->t.ep.port, row->t.path,
                               !row->checked ? "unknown"
                               : cur         ? cur
                                             : "nothing deployed",
                               row->f.running ? " (running)" : "");
                free(cur);
            }
            if (op->built_note)
                rel_buf_printf(&body, "\n%s (the release has no tar step)", op->built_note);
            rel_buf_printf(
                &body, "\ntarball %s\n%s, sha256 %.16s...  keep %d releases, batch %d", op->tarball,
                rel_size_human(size, sizeof(size), rel_deploy_size(dep->deploy)),
                rel_deploy_sha256(dep->deploy), dep->deploy_cfg.keep, dep->deploy_cfg.batch);
            if (dep->deploy_cfg.rollback_all)
                rel_buf_puts(&body, "\nrollback_all: a failed run returns every host to its "
                                    "previous release");
            rel_buf_printf(&q, "Deploy %s %s?  y: deploy  n: cancel", ts->release,
                           rel_deploy_version(dep->deploy));
            ts->pending = dep;
            tui_dialog(rel_buf_cstr(&title), rel_buf_cstr(&body), rel_buf_cstr(&q), "yn",
                       tui_targets_confirm, ts);
            rel_buf_free(&body);
            rel_buf_free(&q);
            rel_buf_free(&title);
        }
        break;
    case OP_CONNECT:
        if (rc < 0) {
            set_last(ts, true, "attach: %s", error);
            break;
        }
        attach_now(ts, op);
        tui_targets_refresh(ts);
        break;
    case OP_LOGS: {
        const struct trow *row = &ts->rows[op->rows[0]];
        if (op->follow) {
            tui_remote_job_set_output(ts->remote, NULL, NULL);
            bool stopped = !ts->follow_view; /* the pager closed: we canceled */
            if (ts->follow_view) {
                char why[600];
                snprintf(why, sizeof(why), "logs -f ended: %s",
                         op->rc[0] < 0 ? (op->res[0].error ? op->res[0].error : error)
                                       : "the remote command exited");
                tui_logview_ended(ts->follow_view, why);
                ts->follow_view = NULL;
            }
            set_last(ts, !stopped && op->rc[0] < 0, "logs -f on %s: %s", row->name,
                     stopped ? "stopped" : "ended");
            break;
        }
        if (op->rc[0] < 0) {
            set_last(ts, true, "logs: %s", op->res[0].error ? op->res[0].error : error);
            break;
        }
        struct rel_buf text = REL_BUF_INIT;
        for (const char *c = op->res[0].output ? op->res[0].output : ""; *c; c++)
            if (*c != '\r') /* run_erl writes CRLF */
                rel_buf_putc(&text, *c);
        tui_mask_secrets(&text, NULL);
        char crumb[160], title[200];
        snprintf(crumb, sizeof(crumb), "logs %s", row->name);
        snprintf(title, sizeof(title), "%s: the node's newest log, last 200 lines", row->name);
        tui_pager_open(crumb, title, rel_buf_cstr(&text));
        struct tui_view *pv = tui_top();
        if (pv && pv->ops->list) /* the newest lines first in view */
            tui_list_action(pv->ops->list(pv), TUI_ACT_MOVE_LAST);
        rel_buf_free(&text);
        break;
    }
    default: {
        /* actions: one line per host in the log, then the state again */
        size_t failed = 0;
        for (size_t i = 0; i < op->n; i++) {
            const struct trow *row = &ts->rows[op->rows[i]];
            if (op->rc[i] < 0) {
                failed++;
                tui_cmdlog_add(&ts->log, TUI_CL_ERROR, row->name,
                               op->res[i].error ? op->res[i].error : "failed");
            } else {
                char text[300];
                snprintf(text, sizeof(text), "%s: %s", tui_targets_op_verb(op),
                         op->res[i].note ? op->res[i].note : "ok");
                tui_cmdlog_add(&ts->log, TUI_CL_RESULT, row->name, text);
            }
        }
        size_t returned = 0;
        for (size_t i = 0; op->kind == OP_DEPLOY && i < op->n; i++)
            returned += op->rc[i] == 0 && op->res[i].note &&
                        strstr(op->res[i].note, "then rolled back") != NULL;
        const char *first_error = error ? error : "";
        for (size_t i = 0; i < op->n; i++)
            if (op->rc[i] < 0 && op->res[i].error) {
                first_error = op->res[i].error;
                break;
            }
        if (failed)
            set_last(ts, true, "%s failed on %zu of %zu target%s: %s%s", tui_targets_op_verb(op),
                     failed, op->n, op->n == 1 ? "" : "s", first_error,
                     returned ? "; the others went back to their previous release "
                                "(deploy.rollback_all)"
                              : "");
        else if (op->kind == OP_DEPLOY)
            set_last(ts, false, "deployed %s %s to %zu target%s (releases/%s)", ts->release,
                     rel_deploy_version(op->deploy), op->n, op->n == 1 ? "" : "s",
                     rel_deploy_dirname(op->deploy));
        else
            set_last(ts, false, "%s: done on %zu target%s", tui_targets_op_verb(op), op->n,
                     op->n == 1 ? "" : "s");
        tui_targets_op_free(op);
        tui_targets_refresh(ts);
        return;
    }
    }
    tui_targets_op_free(op);
}

/* logs -f: what the remote command streams goes to the pager */
static void follow_output(void *ctx, const char *host, const char *text)
{
    (void)host;
    struct targets *ts = ctx;
    if (ts->follow_view)
        tui_logview_append(ts->follow_view, text);
}

/* The pager closed: end the remote command (the runner cuts a stream). */
static void follow_stop(void *ctx)
{
    struct targets *ts = ctx;
    ts->follow_view = NULL;
    tui_remote_job_cancel(ts->remote);
}

void tui_targets_follow(struct targets *ts, size_t sel)
{
    const struct trow *row = &ts->rows[sel];
    struct op *op = tui_targets_op_new(ts, OP_LOGS, &sel, 1);
    op->follow = true;
    char crumb[160], title[200];
    snprintf(crumb, sizeof(crumb), "logs -f %s", row->name);
    snprintf(title, sizeof(title), "%s: the node's log, live", row->name);
    ts->follow_view = tui_logview_open(crumb, title, follow_stop, ts);
    tui_remote_job_set_output(ts->remote, follow_output, ts);
    tui_targets_start(ts, op, "logs -f");
}

void tui_targets_start(struct targets *ts, struct op *op, const char *title)
{
    char t[160];
    snprintf(t, sizeof(t), "%s %s", title, ts->release);
    if (tui_remote_job_start(ts->remote, t, op_run, op, op_done) < 0) {
        tui_core_error(title);
        for (size_t i = 0; i < op->n; i++)
            ts->rows[op->rows[i]].busy[0] = '\0';
        if (ts->pinned) {
            tui_project_unpin(ts->tp);
            ts->pinned = false;
        }
        tui_targets_op_free(op);
        return;
    }
    ts->op = op;
}

int tui_targets_confirm(void *ctx, int key)
{
    struct targets *ts = ctx;
    struct op *op = ts->pending;
    ts->pending = NULL;
    if (!op)
        return TUI_R_REDRAW;
    if (key != 'y') {
        tui_message("%s: not done", tui_targets_op_verb(op));
        tui_targets_op_free(op);
        return TUI_R_REDRAW;
    }
    const char *busy = op->kind == OP_DEPLOY     ? "deploying"
                       : op->kind == OP_ROLLBACK ? "rolling back"
                                                 : rel_node_op_info(op->node_op)->verb;
    for (size_t i = 0; i < op->n; i++)
        snprintf(ts->rows[op->rows[i]].busy, sizeof(ts->rows[op->rows[i]].busy), "%s", busy);
    tui_targets_start(ts, op, tui_targets_op_verb(op));
    return TUI_R_REDRAW;
}
