/*
 * targets.c - the Targets screen of a release, and Attach.
 *
 * The upper pane lists the release's targets (relman.yml `targets:` whose
 * release is this one) with what the remote layer's status operation found:
 * reachable or not, the version `current` points to, the versions installed,
 * running or stopped, the node's pid, and the newest deploy or rollback line
 * of the host's audit log. The lower pane is the command log (cmdlog.h):
 * every command relman runs on a host, with its exit status, time and
 * stderr tail.
 *
 * Actions (on the marked targets, or the selected one): deploy, start, stop,
 * restart, rollback, logs, attach. Those that change a node ask first, in a
 * dialog that lists the hosts and the versions. Each runs in the background
 * (tui/remote.h: a worker thread drives the remote layer's runner, the same
 * operations the CLI runs: remote/deploy.h, remote/node.h); the screen stays
 * live, shows the step and bytes sent, and asks for the state again when an
 * action ends. Deploy first checks the tarball that `relman assemble` packs
 * (the release needs the `tar` step; core/project.h names it without a
 * plan), then asks.
 *
 * Attach connects in the background (host key and passphrase questions are
 * dialogs), then leaves curses (tui_external: def_prog_mode, endwin), runs
 * the node's remote console on the terminal (remote/console.h, the code
 * `relman remote TARGET` runs), and comes back with the screen redrawn.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/path.h"
#include "core/project.h"
#include "remote/audit.h"
#include "remote/console.h"
#include "remote/deploy.h"
#include "remote/layout.h"
#include "remote/node.h"
#include "remote/rollback.h"
#include "remote/runner.h"
#include "remote/ssh.h"
#include "remote/target.h"
#include "tui/cmdlog.h"
#include "tui/format.h"
#include "tui/list.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/remote.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- state ------------------------------------------------------------------- */

/* What a status (or an action) found on one target. */
struct found {
    bool reachable, installed, running;
    char *pid, *version, *current, *previous, *lock, *last_deploy;
    char *installed_versions; /* "0.0.5 0.0.4", newest first */
    char *error;              /* why it was not reachable / the action failed */
    char *note;               /* "already running", "not running", "deployed" ... */
    char *output;             /* logs */
};

struct trow {
    char name[128];
    bool resolved;
    struct rel_remote_target t; /* when resolved */
    char *resolve_error;
    bool marked;
    bool checked; /* a status came back */
    struct found f;
    char busy[32]; /* "deploying" while an action runs on it */
};

enum op_kind { OP_STATUS, OP_PREPARE, OP_DEPLOY, OP_NODE, OP_ROLLBACK, OP_LOGS, OP_CONNECT };

/* One background operation: inputs set on the UI thread before the job,
 * outputs written by the worker, read after the job ended. */
struct op {
    struct targets *ts;
    enum op_kind kind;
    enum rel_node_op node_op;
    size_t *rows; /* which targets */
    size_t n;
    bool then_status; /* ask for the state again at the end */
    /* inputs */
    const struct rel_remote_events *events;
    const struct rel_ssh_prompt_ops *prompts;
    void *prompt_ctx;
    struct rel_config_deploy deploy_cfg;
    char *audit_file;
    const struct rel_model *model; /* OP_PREPARE: pinned */
    struct rel_deploy *deploy;     /* OP_DEPLOY (owned by the op) */
    /* outputs */
    struct found *res; /* per target */
    int *rc;
    char *tarball;                   /* OP_PREPARE */
    struct rel_ssh_session *session; /* OP_CONNECT */
};

struct targets {
    struct tui_project *tp;
    char release[128];
    char local_version[128];
    struct trow *rows;
    size_t nrows;
    struct tui_list list;
    struct tui_cmdlog log;
    struct tui_remote *remote;
    int focus; /* 0: targets, 1: command log */
    struct op *op;
    bool pinned;
    long refreshed_ms;
    char *audit_file;
    char last[512]; /* the last outcome, shown above the log */
    bool last_error;
    /* waiting for a confirmation */
    struct op *pending;
};

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void found_free(struct found *f)
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

static char *dup_or_null(const char *s)
{
    return s ? rel_strdup(s) : NULL;
}

/* The version part of "releases/VSN-STAMP" or "VSN-STAMP", or NULL. */
static char *dir_version(const char *dir)
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

static void found_from_node(struct found *f, const struct rel_node_result *res)
{
    f->reachable = res->reachable;
    f->installed = res->installed;
    f->running = res->running;
    f->pid = dup_or_null(res->pid);
    f->version = dup_or_null(res->version);
    f->current = dup_or_null(res->current);
    f->previous = dup_or_null(res->previous);
    f->lock = dup_or_null(res->lock);
    f->last_deploy = dup_or_null(res->last_deploy);
    f->note = dup_or_null(res->note);
    f->output = dup_or_null(res->output);
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < res->nreleases; i++) {
        char *v = dir_version(res->releases[i]);
        rel_buf_printf(&b, "%s%s", b.len ? " " : "", v ? v : "?");
        free(v);
    }
    f->installed_versions = b.len ? rel_buf_detach(&b) : NULL;
    rel_buf_free(&b);
}

static void free_rows(struct targets *ts)
{
    for (size_t i = 0; i < ts->nrows; i++) {
        if (ts->rows[i].resolved)
            rel_target_free(&ts->rows[i].t);
        free(ts->rows[i].resolve_error);
        found_free(&ts->rows[i].f);
    }
    free(ts->rows);
    ts->rows = NULL;
    ts->nrows = 0;
}

/* The release a configured target runs (as the remote layer decides). */
static const char *target_release(const struct rel_config *cfg, const struct rel_config_target *t)
{
    if (t->release)
        return t->release;
    if (cfg->default_release)
        return cfg->default_release;
    return cfg->nreleases == 1 ? cfg->releases[0].name : NULL;
}

/* (Re)build the rows from relman.yml as currently edited. */
static void load_rows(struct targets *ts)
{
    free_rows(ts);
    const struct rel_config *cfg = tui_project_config(ts->tp);
    ts->rows = rel_calloc(cfg->ntargets + 1, sizeof(*ts->rows));
    for (size_t i = 0; i < cfg->ntargets; i++) {
        const struct rel_config_target *ct = &cfg->targets[i];
        const char *rel = target_release(cfg, ct);
        if (!rel || strcmp(rel, ts->release) != 0)
            continue;
        struct trow *row = &ts->rows[ts->nrows++];
        snprintf(row->name, sizeof(row->name), "%s", ct->name);
        if (rel_target_from_config(&row->t, cfg, ct, NULL, NULL) == 0) {
            row->resolved = true;
        } else {
            row->resolve_error = rel_strdup(rel_error_message());
            rel_error_clear();
        }
    }
    const struct rel_config_release *r = rel_config_find_release(cfg, ts->release);
    snprintf(ts->local_version, sizeof(ts->local_version), "%s", r && r->version ? r->version : "");
    tui_list_set_count(&ts->list, ts->nrows);
}

/* ---- operations ------------------------------------------------------------- */

static void op_free(struct op *op)
{
    if (!op)
        return;
    for (size_t i = 0; i < op->n; i++)
        found_free(&op->res[i]);
    free(op->res);
    free(op->rc);
    free(op->rows);
    free(op->audit_file);
    free(op->tarball);
    rel_deploy_free(op->deploy);
    if (op->session)
        rel_ssh_session_free(op->session);
    free(op);
}

/* A new operation on rows[] (copied). */
static struct op *op_new(struct targets *ts, enum op_kind kind, const size_t *rows, size_t n)
{
    struct op *op = rel_calloc(1, sizeof(*op));
    op->ts = ts;
    op->kind = kind;
    op->rows = rel_calloc(n + 1, sizeof(size_t));
    memcpy(op->rows, rows, n * sizeof(size_t));
    op->n = n;
    op->res = rel_calloc(n + 1, sizeof(*op->res));
    op->rc = rel_calloc(n + 1, sizeof(int));
    op->events = tui_remote_events(ts->remote);
    op->prompts = tui_remote_prompts(ts->remote);
    op->prompt_ctx = tui_remote_prompt_ctx(ts->remote);
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
                .audit_file = op->audit_file,
                .events = op->events,
            };
            rel_node_add(r, t, &o);
        }
    }
    rel_runner_run(r); /* each host's outcome is read below */
    rc = !changes && tui_job_canceled(job) ? rel_error_set(REL_ECANCELED, "canceled") : 0;
    for (size_t i = 0; i < rel_runner_count(r) && i < op->n; i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        struct found *f = &op->res[i];
        op->rc[i] = j->result;
        if (op->kind == OP_DEPLOY) {
            f->reachable = j->connected;
            f->note = rel_strdup(rel_deploy_outcome(j));
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
    rel_runner_free(r);
    return rc;
}

/* worker: find the tarball `relman assemble` packs (core's one rule, no
 * plan built); check it and read it (version, checksum) for the
 * confirmation. */
static int run_prepare(struct op *op, const struct rel_events *ev)
{
    (void)ev;
    int rc =
        rel_project_assembled_tarball(&op->tarball, op->model->project, op->model->release, "a");
    if (rc == 0) {
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
        return run_prepare(op, ev);
    case OP_CONNECT:
        return run_connect(op);
    default:
        return run_runner(op, job);
    }
}

/* ---- after an operation (UI thread) ------------------------------------------- */

static void start_op(struct targets *ts, struct op *op, const char *title);
static void attach_now(struct targets *ts, struct op *op);
static int targets_confirm(void *ctx, int key);

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

static const char *op_verb(const struct op *op)
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

/* Rows of every resolved target (for a refresh). */
static size_t all_rows(const struct targets *ts, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->nrows; i++)
        if (ts->rows[i].resolved)
            out[n++] = i;
    return n;
}

static void refresh(struct targets *ts)
{
    if (tui_remote_busy(ts->remote))
        return;
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = all_rows(ts, rows);
    if (n) {
        struct op *op = op_new(ts, OP_STATUS, rows, n);
        for (size_t i = 0; i < n; i++)
            snprintf(ts->rows[rows[i]].busy, sizeof(ts->rows[rows[i]].busy), "checking");
        start_op(ts, op, "status");
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
            found_free(&row->f);
            row->f = op->res[i];
            memset(&op->res[i], 0, sizeof(op->res[i]));
            row->checked = true;
        }
        ts->refreshed_ms = mono_ms();
        break;
    case OP_PREPARE:
        if (rc < 0) {
            set_last(ts, true, "deploy: %s", error);
            break;
        }
        /* ask, listing hosts and versions; OP_DEPLOY takes the prepared deploy */
        {
            struct op *dep = op_new(ts, OP_DEPLOY, op->rows, op->n);
            dep->deploy = op->deploy;
            op->deploy = NULL;
            struct rel_buf body = REL_BUF_INIT, q = REL_BUF_INIT, title = REL_BUF_INIT;
            char size[32];
            rel_buf_printf(&title, "Deploy %s %s to %zu target%s", ts->release,
                           rel_deploy_version(dep->deploy), op->n, op->n == 1 ? "" : "s");
            for (size_t i = 0; i < op->n; i++) {
                const struct trow *row = &ts->rows[op->rows[i]];
                char *cur = dir_version(row->f.current);
                rel_buf_printf(&body, "%-10s %s@%s port %d  %s  now: %s%s\n", row->name,
                               row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname,
                               row->t.ep.port, row->t.path,
                               !row->checked ? "unknown"
                               : cur         ? cur
                                             : "nothing deployed",
                               row->f.running ? " (running)" : "");
                free(cur);
            }
            rel_buf_printf(
                &body, "\ntarball %s\n%s, sha256 %.16s...  keep %d releases, batch %d", op->tarball,
                tui_format_size(size, sizeof(size), rel_deploy_size(dep->deploy)),
                rel_deploy_sha256(dep->deploy), dep->deploy_cfg.keep, dep->deploy_cfg.batch);
            rel_buf_printf(&q, "Deploy %s %s?  y: deploy  n: cancel", ts->release,
                           rel_deploy_version(dep->deploy));
            ts->pending = dep;
            tui_dialog(rel_buf_cstr(&title), rel_buf_cstr(&body), rel_buf_cstr(&q), "yn",
                       targets_confirm, ts);
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
        refresh(ts);
        break;
    case OP_LOGS: {
        const struct trow *row = &ts->rows[op->rows[0]];
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
                snprintf(text, sizeof(text), "%s: %s", op_verb(op),
                         op->res[i].note ? op->res[i].note : "ok");
                tui_cmdlog_add(&ts->log, TUI_CL_RESULT, row->name, text);
            }
        }
        if (failed)
            set_last(ts, true, "%s failed on %zu of %zu target%s: %s", op_verb(op), failed, op->n,
                     op->n == 1 ? "" : "s",
                     op->res[0].error ? op->res[0].error
                     : error          ? error
                                      : "");
        else if (op->kind == OP_DEPLOY)
            set_last(ts, false, "deployed %s %s to %zu target%s (releases/%s)", ts->release,
                     rel_deploy_version(op->deploy), op->n, op->n == 1 ? "" : "s",
                     rel_deploy_dirname(op->deploy));
        else
            set_last(ts, false, "%s: done on %zu target%s", op_verb(op), op->n,
                     op->n == 1 ? "" : "s");
        op_free(op);
        refresh(ts);
        return;
    }
    }
    op_free(op);
}

static void start_op(struct targets *ts, struct op *op, const char *title)
{
    char t[160];
    snprintf(t, sizeof(t), "%s %s", title, ts->release);
    if (tui_remote_start(ts->remote, t, op_run, op, op_done) < 0) {
        tui_core_error(title);
        for (size_t i = 0; i < op->n; i++)
            ts->rows[op->rows[i]].busy[0] = '\0';
        if (ts->pinned) {
            tui_project_unpin(ts->tp);
            ts->pinned = false;
        }
        op_free(op);
        return;
    }
    ts->op = op;
}

/* ---- attach (UI thread) ------------------------------------------------------- */

struct attach_ctx {
    struct targets *ts;
    const struct trow *row;
    struct rel_ssh_session *s;
    int status;
    char error[1024];
};

static void write_all(int fd, const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Runs with the terminal handed over (tui_external). */
static int attach_fn(void *ctx, int in_fd, int out_fd)
{
    struct attach_ctx *a = ctx;
    struct rel_buf cmd = REL_BUF_INIT, banner = REL_BUF_INIT, text = REL_BUF_INIT;
    rel_console_command(&cmd, &a->row->t);
    rel_console_banner(&banner, &a->row->t, rel_ssh_session_peer(a->s));
    char *save = NULL;
    for (char *l = strtok_r(banner.ptr, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        rel_buf_printf(&text, "relman: %s\r\n", l);
    rel_buf_puts(&text, "relman: then you are back in relman's screen.\r\n");
    write_all(out_fd, rel_buf_cstr(&text));
    struct rel_console_opts co = {.in_fd = in_fd, .out_fd = out_fd, .target = &a->row->t};
    int64_t started = rel_ssh_now_ms();
    a->status = rel_console_run(a->s, rel_buf_cstr(&cmd), &co);
    bool quick = rel_ssh_now_ms() - started < 1000;
    if (a->status < 0)
        snprintf(a->error, sizeof(a->error), "%s", rel_error_message());
    if ((a->status > 0 && quick) || (a->status < 0 && a->status != REL_ECANCELED)) {
        /* it failed at once (the node is not running, say): let the person
         * read what it said before the screen comes back */
        rel_buf_clear(&text);
        rel_buf_printf(&text, "\r\nrelman: the console ended: %s. Press Enter to go back.",
                       a->status > 0 ? "see above" : a->error);
        write_all(out_fd, rel_buf_cstr(&text));
        char c;
        while (read(in_fd, &c, 1) == 1 && c != '\n' && c != '\r')
            ;
    }
    rel_buf_free(&cmd);
    rel_buf_free(&banner);
    rel_buf_free(&text);
    return a->status;
}

static void attach_now(struct targets *ts, struct op *op)
{
    struct attach_ctx a = {.ts = ts, .row = &ts->rows[op->rows[0]], .s = op->session};
    tui_cmdlog_add(&ts->log, TUI_CL_STEP, a.row->name, "attach: the remote console");
    int rc = tui_external(attach_fn, &a);
    if (rc == REL_EUSAGE && !a.error[0]) {
        set_last(ts, true, "attach: %s", rel_error_message());
    } else if (rc == REL_ECANCELED) {
        set_last(ts, false, "left the %s console on %s: %s", a.row->t.release, a.row->name,
                 a.error);
    } else if (rc < 0) {
        set_last(ts, true, "attach %s: %s", a.row->name, a.error);
    } else if (rc == 0 || rc == 130) {
        /* 130: left with Ctrl-C, the way the banner says */
        set_last(ts, false, "left the %s console on %s", a.row->t.release, a.row->name);
    } else {
        set_last(ts, true, "left the %s console on %s (exit status %d)", a.row->t.release,
                 a.row->name, rc);
    }
    tui_cmdlog_add(&ts->log, ts->last_error ? TUI_CL_ERROR : TUI_CL_RESULT, a.row->name, ts->last);
    rel_ssh_session_free(op->session);
    op->session = NULL;
}

/* ---- starting actions (UI thread) --------------------------------------------- */

/* The targets an action applies to: the marked ones, else the selected one.
 * Unresolved targets are left out (and said so). Returns the count. */
static size_t chosen(struct targets *ts, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->nrows; i++)
        if (ts->rows[i].marked && ts->rows[i].resolved)
            out[n++] = i;
    if (n)
        return n;
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_error("no target to act on: relman.yml has no target for release %s", ts->release);
        return 0;
    }
    if (!ts->rows[sel].resolved) {
        tui_error("%s: %s", ts->rows[sel].name, ts->rows[sel].resolve_error);
        return 0;
    }
    out[0] = sel;
    return 1;
}

static int targets_confirm(void *ctx, int key)
{
    struct targets *ts = ctx;
    struct op *op = ts->pending;
    ts->pending = NULL;
    if (!op)
        return TUI_R_REDRAW;
    if (key != 'y') {
        tui_message("%s: not done", op_verb(op));
        op_free(op);
        return TUI_R_REDRAW;
    }
    const char *busy = op->kind == OP_DEPLOY     ? "deploying"
                       : op->kind == OP_ROLLBACK ? "rolling back"
                                                 : rel_node_op_info(op->node_op)->verb;
    for (size_t i = 0; i < op->n; i++)
        snprintf(ts->rows[op->rows[i]].busy, sizeof(ts->rows[op->rows[i]].busy), "%s", busy);
    start_op(ts, op, op_verb(op));
    return TUI_R_REDRAW;
}

/* "a1  root@127.0.0.2 port 22  0.0.5 running (pid 123)" for a dialog */
static void describe_row(const struct trow *row, struct rel_buf *out)
{
    char *cur = dir_version(row->f.current);
    rel_buf_printf(out, "%-10s %s@%s port %d  %s  ", row->name,
                   row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname, row->t.ep.port,
                   row->t.path);
    if (!row->checked)
        rel_buf_puts(out, "state unknown");
    else if (!row->f.reachable)
        rel_buf_puts(out, "unreachable");
    else if (!cur)
        rel_buf_puts(out, "nothing deployed");
    else if (row->f.running)
        rel_buf_printf(out, "%s running (pid %s)", cur, row->f.pid ? row->f.pid : "?");
    else
        rel_buf_printf(out, "%s stopped", cur);
    rel_buf_putc(out, '\n');
    free(cur);
}

static int ask_node_action(struct targets *ts, enum op_kind kind, enum rel_node_op nop)
{
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = chosen(ts, rows);
    if (!n) {
        free(rows);
        return TUI_R_REDRAW;
    }
    struct op *op = op_new(ts, kind, rows, n);
    op->node_op = nop;
    free(rows);
    const char *verb = op_verb(op);
    struct rel_buf body = REL_BUF_INIT, q = REL_BUF_INIT, title = REL_BUF_INIT;
    char cap[32];
    snprintf(cap, sizeof(cap), "%s", verb);
    cap[0] = (char)(cap[0] - 'a' + 'A');
    if (kind == OP_ROLLBACK)
        rel_buf_printf(&title, "Roll %s back on %zu target%s", ts->release, n, n == 1 ? "" : "s");
    else
        rel_buf_printf(&title, "%s %s on %zu target%s", cap, ts->release, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const struct trow *row = &ts->rows[op->rows[i]];
        describe_row(row, &body);
        if (kind == OP_ROLLBACK) {
            char *cur = dir_version(row->f.current), *prev = dir_version(row->f.previous);
            rel_buf_printf(&body, "%10s back from %s to %s\n", "", cur ? cur : "?",
                           prev ? prev : "? (no previous release known)");
            free(cur);
            free(prev);
        }
    }
    rel_buf_printf(&q, "%s %s on ", kind == OP_ROLLBACK ? "Roll back" : cap, ts->release);
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(&q, "%s%s", i ? ", " : "", ts->rows[op->rows[i]].name);
    rel_buf_printf(&q, "?  y: %s  n: cancel", kind == OP_ROLLBACK ? "roll back" : verb);
    ts->pending = op;
    tui_dialog(rel_buf_cstr(&title), rel_buf_cstr(&body), rel_buf_cstr(&q), "yn", targets_confirm,
               ts);
    rel_buf_free(&body);
    rel_buf_free(&q);
    rel_buf_free(&title);
    return TUI_R_REDRAW;
}

static int busy_message(struct targets *ts)
{
    struct tui_remote_progress p;
    tui_remote_progress(ts->remote, &p);
    tui_message("'%s' is running: wait for it to end", p.title);
    return TUI_R_REDRAW;
}

static int start_deploy(struct targets *ts)
{
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = chosen(ts, rows);
    if (!n) {
        free(rows);
        return TUI_R_REDRAW;
    }
    const struct rel_model *m = tui_project_model(ts->tp, ts->release);
    if (!m) {
        free(rows);
        tui_core_error(ts->release);
        return TUI_R_REDRAW;
    }
    struct op *op = op_new(ts, OP_PREPARE, rows, n);
    free(rows);
    op->model = m;
    tui_project_pin(ts->tp);
    ts->pinned = true;
    tui_message("deploy: reading the tarball of %s", ts->release);
    start_op(ts, op, "deploy (preparing)");
    return TUI_R_REDRAW;
}

static int start_simple(struct targets *ts, enum op_kind kind)
{
    /* logs and attach: the selected target only */
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_error("no target: relman.yml has no target for release %s", ts->release);
        return TUI_R_REDRAW;
    }
    if (!ts->rows[sel].resolved) {
        tui_error("%s: %s", ts->rows[sel].name, ts->rows[sel].resolve_error);
        return TUI_R_REDRAW;
    }
    const struct trow *row = &ts->rows[sel];
    if (kind == OP_CONNECT && !tui_can_external()) {
        tui_error("attach: the remote console needs a terminal (not in the headless mode; "
                  "`relman remote %s` from a shell)",
                  row->name);
        return TUI_R_REDRAW;
    }
    if (kind == OP_CONNECT && row->checked && row->f.reachable && !row->f.running) {
        tui_error("attach: the node on %s is not running%s", row->name,
                  row->f.installed ? " (S starts it)" : " (nothing deployed: D deploys)");
        return TUI_R_REDRAW;
    }
    struct op *op = op_new(ts, kind, &sel, 1);
    if (kind == OP_CONNECT)
        tui_message("attach: connecting to %s", ts->rows[sel].name);
    start_op(ts, op, op_verb(op));
    return TUI_R_REDRAW;
}

static void open_details(struct targets *ts)
{
    if (ts->focus == 1) {
        size_t i = tui_list_selected(&ts->log.list);
        const struct tui_cmdlog_line *l = tui_cmdlog_get(&ts->log, i);
        if (!l)
            return;
        struct rel_buf b = REL_BUF_INIT;
        tui_cmdlog_describe(l, &b);
        tui_pager_open("command", "a command of the log", rel_buf_cstr(&b));
        rel_buf_free(&b);
        return;
    }
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE)
        return;
    const struct trow *row = &ts->rows[sel];
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_printf(&b, "target:      %s\nrelease:     %s\n", row->name, ts->release);
    if (!row->resolved) {
        rel_buf_printf(&b, "error:       %s\n", row->resolve_error);
    } else {
        rel_buf_printf(&b, "host:        %s@%s port %d (%s)\npath:        %s\nhost keys:   %s\n",
                       row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname, row->t.ep.port,
                       row->t.ep.alias ? row->t.ep.alias : "", row->t.path,
                       rel_ssh_policy_name(row->t.policy));
        for (char **e = row->t.env; e && *e; e++)
            rel_buf_printf(&b, "env:         %s\n", *e);
    }
    if (row->checked) {
        const struct found *f = &row->f;
        rel_buf_printf(&b,
                       "\nreachable:   %s\ncurrent:     %s\nprevious:    %s\nversion:     %s\n"
                       "running:     %s%s%s\ninstalled:   %s\nlock:        %s\nlast deploy: %s\n",
                       f->reachable ? "yes" : "no", f->current ? f->current : "-",
                       f->previous ? f->previous : "-", f->version ? f->version : "-",
                       f->running ? "yes (pid " : "no", f->running && f->pid ? f->pid : "",
                       f->running ? ")" : "", f->installed_versions ? f->installed_versions : "-",
                       f->lock ? f->lock : "-", f->last_deploy ? f->last_deploy : "-");
        if (f->error)
            rel_buf_printf(&b, "error:       %s\n", f->error);
    }
    struct rel_buf masked = REL_BUF_INIT;
    rel_buf_puts(&masked, rel_buf_cstr(&b));
    tui_mask_secrets(&masked, NULL);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s", row->name);
    tui_pager_open(crumb, "target", rel_buf_cstr(&masked));
    rel_buf_free(&b);
    rel_buf_free(&masked);
}

/* ---- drawing ----------------------------------------------------------------------- */

/* "11-22 14:38 0.0.5 ok" or "11-22 14:40 rollback ok" (local time) from an audit line
 * "2026-11-22T14:38:50Z a1 deploy foo 0.0.5 (...) by WHO: ok ...". */
static void last_deploy_text(const char *line, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!line)
        return;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", line);
    char *w[6] = {0};
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    if (n < 3)
        return;
    char when[32];
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (strptime(w[0], "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        time_t t = timegm(&tm);
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%m-%d %H:%M", &tm);
    } else {
        snprintf(when, sizeof(when), "%.16s", w[0]);
    }
    const char *result = strstr(line, ": ");
    bool ok = result && strncmp(result + 2, "ok", 2) == 0;
    if (strcmp(w[2], "deploy") == 0 && n >= 5) /* the version says it was a deploy */
        snprintf(buf, size, "%s %s %s", when, w[4], ok ? "ok" : "FAILED");
    else
        snprintf(buf, size, "%s %s %s", when, w[2], ok ? "ok" : "FAILED");
}

static void state_text(const struct trow *row, char *buf, size_t size, enum tui_role *role)
{
    const char *ellipsis = tui_glyph(TUI_GLYPH_ELLIPSIS);
    *role = TUI_ROLE_DEFAULT;
    if (row->busy[0]) {
        snprintf(buf, size, "%s%s", row->busy, ellipsis);
        *role = TUI_ROLE_ACCENT;
    } else if (!row->resolved) {
        snprintf(buf, size, "%s config", tui_glyph(TUI_GLYPH_PROBLEM));
        *role = TUI_ROLE_PROBLEM;
    } else if (!row->checked) {
        snprintf(buf, size, "?");
        *role = TUI_ROLE_MUTED;
    } else if (!row->f.reachable) {
        snprintf(buf, size, "%s unreachable", tui_glyph(TUI_GLYPH_FAIL));
        *role = TUI_ROLE_PROBLEM;
    } else if (!row->f.installed) {
        snprintf(buf, size, "- none");
        *role = TUI_ROLE_MUTED;
    } else if (row->f.running) {
        snprintf(buf, size, "%s running", tui_draw_utf8() ? "●" : "*");
        *role = TUI_ROLE_OK;
    } else {
        snprintf(buf, size, "%s stopped", tui_draw_utf8() ? "○" : "o");
        *role = TUI_ROLE_WARNING;
    }
}

static void draw_targets(struct targets *ts, struct tui_rect r)
{
    bool wide = r.w >= 110;
    char hdr[300];
    if (wide)
        snprintf(hdr, sizeof(hdr), "  %-10s %-22s %-6s %-14s %-9s %-12s %-8s %s", "TARGET", "HOST",
                 "REACH", "STATE", "CURRENT", "INSTALLED", "PID", "LAST DEPLOY");
    else
        snprintf(hdr, sizeof(hdr), "  %-10s %-6s %-14s %-9s %-8s %s", "TARGET", "REACH", "STATE",
                 "CURRENT", "PID", "LAST DEPLOY");
    tui_put(r.y, 0, r.w, TUI_ROLE_HEADER, hdr);
    int h = r.h - 1;
    tui_list_layout(&ts->list, h);
    for (int i = 0; i < h && ts->list.top + (size_t)i < ts->list.nvisible; i++) {
        size_t pos = ts->list.top + (size_t)i;
        const struct trow *row = &ts->rows[ts->list.visible[pos]];
        int y = r.y + 1 + i;
        bool sel = pos == ts->list.sel;
        enum tui_role base =
            sel ? (ts->focus == 0 ? TUI_ROLE_SELECTION : TUI_ROLE_SELECTION_INACTIVE)
                : TUI_ROLE_DEFAULT;
        if (sel)
            tui_fill(y, 0, r.w, base);
        tui_put(y, 0, 1, base, sel ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
        tui_put(y, 1, 1, base, row->marked ? "+" : " ");
        char state[64], last[200], host[200];
        enum tui_role srole;
        state_text(row, state, sizeof(state), &srole);
        const struct found *f = &row->f;
        char *cur = dir_version(f->current);
        const char *reach = !row->checked  ? "?"
                            : f->reachable ? tui_glyph(TUI_GLYPH_OK)
                                           : tui_glyph(TUI_GLYPH_FAIL);
        last_deploy_text(f->last_deploy, last, sizeof(last));
        int x = 2;
        tui_put(y, x, 10, base, row->name);
        x += 11;
        if (wide) {
            if (row->resolved)
                snprintf(host, sizeof(host), "%s@%s:%d", row->t.ep.user ? row->t.ep.user : "?",
                         row->t.ep.hostname, row->t.ep.port);
            else
                snprintf(host, sizeof(host), "-");
            tui_put(y, x, 22, base, host);
            x += 23;
        }
        tui_put(y, x, 6,
                sel ? base
                    : (!row->checked  ? TUI_ROLE_MUTED
                       : f->reachable ? TUI_ROLE_OK
                                      : TUI_ROLE_PROBLEM),
                reach);
        x += 7;
        tui_put(y, x, 14, sel ? base : srole, state);
        x += 15;
        tui_put(y, x, 9, base, cur ? cur : "-");
        x += 10;
        if (wide) {
            tui_put(y, x, 12, base, f->installed_versions ? f->installed_versions : "-");
            x += 13;
        }
        tui_put(y, x, 8, base, f->running && f->pid ? f->pid : "-");
        x += 9;
        tui_put(y, x, r.w - x, base, last[0] ? last : "-");
        free(cur);
    }
}

static void draw_detail(struct targets *ts, int y, int w)
{
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_put(y, 1, w - 2, TUI_ROLE_MUTED,
                ts->nrows ? ""
                          : "no target of this release in relman.yml (targets: NAME: {host, "
                            "path, release}; see docs/remote.md)");
        return;
    }
    const struct trow *row = &ts->rows[sel];
    if (!row->resolved) {
        tui_put(y, 1, w - 2, TUI_ROLE_ERROR, row->resolve_error);
        return;
    }
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_printf(&b, "%s@%s:%d  %s", row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname,
                   row->t.ep.port, row->t.path);
    if (row->checked && row->f.error && !row->f.reachable)
        rel_buf_printf(&b, "  %s", row->f.error);
    else if (row->checked) {
        if (row->f.installed_versions)
            rel_buf_printf(&b, "  installed: %s", row->f.installed_versions);
        if (row->f.lock)
            rel_buf_printf(&b, "  LOCKED by %s", row->f.lock);
    }
    tui_put(y, 1, w - 2,
            row->checked && !row->f.reachable ? TUI_ROLE_ERROR
            : row->f.lock                     ? TUI_ROLE_WARNING
                                              : TUI_ROLE_MUTED,
            rel_buf_cstr(&b));
    rel_buf_free(&b);
}

static void draw_progress(struct targets *ts, int y, int w)
{
    struct tui_remote_progress p;
    tui_remote_progress(ts->remote, &p);
    if (p.running) {
        char line[600], sent[32], total[32];
        int n = snprintf(line, sizeof(line), "%s %s %s", p.title, tui_glyph(TUI_GLYPH_DOT),
                         p.step[0] ? p.step : "connecting");
        if (p.total && n > 0 && (size_t)n < sizeof(line))
            snprintf(line + n, sizeof(line) - (size_t)n, " %s / %s",
                     tui_format_size(sent, sizeof(sent), p.sent),
                     tui_format_size(total, sizeof(total), p.total));
        tui_putf(y, 1, w - 2, TUI_ROLE_ACCENT, "%s %s %.1f s", line, tui_glyph(TUI_GLYPH_DOT),
                 p.seconds);
    } else if (ts->last[0]) {
        tui_put(y, 1, w - 2, ts->last_error ? TUI_ROLE_ERROR : TUI_ROLE_OK, ts->last);
    }
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct targets *ts = v->data;
    /* targets on top (at most half), a detail line, the progress line, the log */
    int want = (int)ts->nrows + 1;
    int top_h = want < 2 ? 2 : want;
    int max_top = (r.h - 4) / 2;
    if (max_top < 2)
        max_top = 2;
    if (top_h > max_top)
        top_h = max_top;
    draw_targets(ts, (struct tui_rect){r.y, 0, top_h, r.w});
    int y = r.y + top_h;
    draw_detail(ts, y++, r.w);
    draw_progress(ts, y++, r.w);
    char rule[64];
    snprintf(rule, sizeof(rule), " commands%s ", ts->log.dropped ? " (older ones dropped)" : "");
    tui_hline(y, 0, r.w, ts->focus == 1 ? TUI_ROLE_ACCENT : TUI_ROLE_BORDER);
    tui_put(y, 2, r.w - 4, ts->focus == 1 ? TUI_ROLE_ACCENT : TUI_ROLE_BORDER, rule);
    y++;
    tui_cmdlog_draw(&ts->log, (struct tui_rect){y, 0, r.y + r.h - y, r.w}, ts->focus == 1);
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct targets *ts = v->data;
    size_t running = 0, marked = 0;
    for (size_t i = 0; i < ts->nrows; i++) {
        running += ts->rows[i].checked && ts->rows[i].f.running;
        marked += ts->rows[i].marked;
    }
    rel_buf_printf(out, "%zu target%s", ts->nrows, ts->nrows == 1 ? "" : "s");
    if (ts->refreshed_ms)
        rel_buf_printf(out, " %s %zu running", tui_glyph(TUI_GLYPH_DOT), running);
    if (marked)
        rel_buf_printf(out, " %s %zu marked", tui_glyph(TUI_GLYPH_DOT), marked);
    if (tui_remote_busy(ts->remote))
        rel_buf_printf(out, " %s working", tui_glyph(TUI_GLYPH_DOT));
}

/* ---- the view ---------------------------------------------------------------------- */

static int action(struct tui_view *v, enum tui_action a)
{
    struct targets *ts = v->data;
    bool busy = tui_remote_busy(ts->remote);
    switch (a) {
    case TUI_ACT_NEXT_PANE:
        ts->focus = !ts->focus;
        return TUI_R_REDRAW;
    case TUI_ACT_OPEN:
        open_details(ts);
        return TUI_R_REDRAW;
    case TUI_ACT_MARK: {
        size_t sel = tui_list_selected(&ts->list);
        if (sel != TUI_LIST_NONE) {
            ts->rows[sel].marked = !ts->rows[sel].marked;
            tui_list_action(&ts->list, TUI_ACT_MOVE_DOWN);
        }
        return TUI_R_REDRAW;
    }
    case TUI_ACT_REFRESH:
        if (busy)
            return busy_message(ts);
        load_rows(ts);
        refresh(ts);
        return TUI_R_REDRAW;
    case TUI_ACT_DEPLOY:
        return busy ? busy_message(ts) : start_deploy(ts);
    case TUI_ACT_START_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_START);
    case TUI_ACT_STOP_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_STOP);
    case TUI_ACT_RESTART_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_RESTART);
    case TUI_ACT_ROLLBACK:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_ROLLBACK, REL_NODE_STATUS);
    case TUI_ACT_LOGS:
        return busy ? busy_message(ts) : start_simple(ts, OP_LOGS);
    case TUI_ACT_ATTACH:
        return busy ? busy_message(ts) : start_simple(ts, OP_CONNECT);
    case TUI_ACT_BACK:
        if ((ts->focus == 0 ? ts->list.filter[0] : ts->log.list.filter[0]))
            return TUI_R_UNHANDLED;
        if (busy && ts->op && ts->op->kind != OP_STATUS && ts->op->kind != OP_LOGS &&
            ts->op->kind != OP_PREPARE) {
            tui_message("'%s' runs to its end (a deploy or node action is never left half "
                        "done); close the screen after",
                        op_verb(ts->op));
            return TUI_R_REDRAW;
        }
        if (busy)
            tui_remote_cancel(ts->remote);
        return TUI_R_UNHANDLED;
    case TUI_ACT_MOVE_LAST:
        if (ts->focus == 1)
            ts->log.follow = true;
        return TUI_R_UNHANDLED;
    case TUI_ACT_MOVE_UP:
    case TUI_ACT_PAGE_UP:
    case TUI_ACT_MOVE_FIRST:
        if (ts->focus == 1)
            ts->log.follow = false;
        return TUI_R_UNHANDLED;
    default:
        return TUI_R_UNHANDLED;
    }
}

static int reload(struct tui_view *v)
{
    struct targets *ts = v->data;
    if (tui_remote_busy(ts->remote))
        return 0; /* the rows are in use; `r` re-reads them after */
    load_rows(ts);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct targets *ts = v->data;
    return ts->focus == 1 ? &ts->log.list : &ts->list;
}

static void destroy(struct tui_view *v)
{
    struct targets *ts = v->data;
    tui_modal_cancel(ts);
    op_free(ts->pending);
    tui_remote_cancel(ts->remote);
    tui_remote_free(ts->remote); /* waits for the job; its done() is not called */
    if (ts->op)
        op_free(ts->op);
    if (ts->pinned)
        tui_project_unpin(ts->tp);
    free_rows(ts);
    tui_list_free(&ts->list);
    tui_cmdlog_free(&ts->log);
    free(ts->audit_file);
    free(ts);
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct targets *ts = ctx;
    if (i >= ts->nrows)
        return "";
    const struct trow *row = &ts->rows[i];
    snprintf(buf, size, "%s %s", row->name, row->resolved ? row->t.ep.hostname : "");
    return buf;
}

static const struct tui_view_ops targets_ops = {
    .scope = TUI_SCOPEID_TARGETS,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_targets_open(struct tui_project *tp, const char *release)
{
    struct targets *ts = rel_calloc(1, sizeof(*ts));
    ts->tp = tp;
    snprintf(ts->release, sizeof(ts->release), "%s", release);
    tui_list_init(&ts->list, row_text, NULL, ts);
    tui_cmdlog_init(&ts->log);
    tui_remote_new(&ts->remote, &ts->log);
    ts->audit_file = rel_audit_file(tui_project_core(tp)->root);
    load_rows(ts);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s targets", release, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&targets_ops, ts, crumb);
    refresh(ts);
    return 0;
}
