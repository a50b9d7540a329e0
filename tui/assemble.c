/*
 * assemble.c - assembling a release from the TUI: core compiles when
 * needed, builds the plan and applies it on a worker thread, by the path
 * `relman assemble` takes with its defaults (core/build.h:
 * rel_build_release); this screen shows the step that runs (compile, plan,
 * assemble, hook COMMAND, tar), a progress bar (files, bytes, time) and the
 * log, where the compiler's and the hooks' output appear as they come, and
 * stays live meanwhile. `x` cancels (core stops between files or ends the
 * compiler; the release at its path stays as it was). The result (or the
 * error, in full) stays on the screen until it is closed.
 *
 * Quitting while it runs cancels and waits for the end (destroy joins the
 * worker). The model is resolved on the worker from the saved relman.yml
 * once the build ran, as the CLI does; when a compile ran the project is
 * re-read afterwards, so the screens see the new build.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/event.h"
#include "core/plan.h"
#include "core/project.h"
#include "core/resolve.h"
#include "core/size.h"
#include "tui/format.h"
#include "tui/job.h"
#include "tui/project.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct assemble {
    struct tui_project *tp;
    char release[128];
    char root[4096]; /* the project directory */
    struct tui_job *job;
    int job_fd;
    bool pinned;
    /* the worker's: the model resolved once the build ran, and the sink
     * that forwards to the job's while noting a compile */
    struct rel_project *proj;
    struct rel_model *model;
    const struct rel_events *job_ev;
    struct rel_events ev;
    /* written by the worker, read after the job ended */
    bool compiled;
    struct rel_assemble_stats stats;
    char dest[4096];
    char version[128];
    char tarball[4096];
    char result[10000]; /* the outcome, kept on the screen */
};

/* rel_build_opts.model: the release resolved from the saved relman.yml
 * once the build ran (on the worker; as the CLI's cli_load_model) */
static int fresh_model(void *ctx, const struct rel_model **m)
{
    struct assemble *as = ctx;
    int rc = rel_project_open(&as->proj, as->root, REL_PROJECT_NEED_CONFIG);
    const struct rel_config_release *r = NULL;
    if (rc == 0 && !(r = rel_config_find_release(as->proj->config, as->release)))
        rc = rel_error_set(REL_ENOTFOUND, "no release '%s' in relman.yml", as->release);
    if (rc == 0)
        rc = rel_resolve(&as->model, as->proj, r);
    if (rc == 0)
        rc = rel_model_check(as->model);
    *m = as->model;
    return rc;
}

/* The worker's sink: the job's, noting that a compile ran. */
static void fwd_begin(void *ctx, const char *step, uint64_t files, uint64_t bytes)
{
    struct assemble *as = ctx;
    as->compiled |= strcmp(step, "compile") == 0;
    rel_event_begin(as->job_ev, step, files, bytes);
}

static void fwd_advance(void *ctx, uint64_t files, uint64_t bytes)
{
    rel_event_advance(((struct assemble *)ctx)->job_ev, files, bytes);
}

static void fwd_log(void *ctx, enum rel_log_level level, const char *line)
{
    rel_event_log(((struct assemble *)ctx)->job_ev, level, "%s", line);
}

static void fwd_end(void *ctx, const char *step, int rc)
{
    rel_event_end(((struct assemble *)ctx)->job_ev, step, rc);
}

static const struct rel_event_ops fwd_ops = {
    .begin = fwd_begin,
    .advance = fwd_advance,
    .log = fwd_log,
    .end = fwd_end,
};

static bool job_canceled(void *ctx)
{
    return tui_job_canceled(ctx);
}

/* worker thread: core's one path (core/build.h), with the CLI's defaults */
static int run(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    struct assemble *as = arg;
    as->job_ev = ev;
    as->ev = (struct rel_events){.ops = &fwd_ops, .ctx = as};
    struct rel_build_opts bo = {
        .compile = REL_BUILD_COMPILE_AUTO, /* as `relman assemble` */
        .dir = as->root,
        .model = fresh_model,
        .model_ctx = as,
        .ev = &as->ev,
        .canceled = job_canceled,
        .cancel_ctx = job,
    };
    struct rel_plan *plan = NULL;
    int rc = rel_build_release(&plan, &as->stats, &bo);
    if (rc < 0)
        return rc;
    snprintf(as->dest, sizeof(as->dest), "%s", plan->dest);
    snprintf(as->version, sizeof(as->version), "%s", plan->version);
    if (plan->tar && plan->tarball)
        snprintf(as->tarball, sizeof(as->tarball), "%s", plan->tarball);
    for (size_t i = 0; i < plan->nnotes; i++)
        rel_event_log(ev, REL_LOG_INFO, "note: %s", plan->notes[i]);
    rel_plan_free(plan);
    return 0;
}

static void finish(struct assemble *as)
{
    if (as->pinned) {
        tui_project_unpin(as->tp);
        as->pinned = false;
    }
    rel_model_free(as->model);
    rel_project_free(as->proj);
    as->model = NULL;
    as->proj = NULL;
    if (as->compiled && tui_project_reload(as->tp) < 0) /* the screens see the new build */
        rel_error_clear();
    const struct tui_job_state *js = tui_job_state(as->job);
    if (js->rc == REL_ECANCELED) {
        snprintf(as->result, sizeof(as->result), "assembly canceled: %s", js->error);
        tui_message("%s", as->result);
    } else if (js->rc < 0) {
        snprintf(as->result, sizeof(as->result), "assembly failed: %s", js->error);
        tui_error("%s", as->result);
    } else {
        char size[32];
        snprintf(as->result, sizeof(as->result),
                 "assembled %s %s in %s: %llu files (%llu written, %llu reused), %s, %.1f s%s%s",
                 as->release, as->version, as->dest, (unsigned long long)as->stats.files,
                 (unsigned long long)as->stats.written, (unsigned long long)as->stats.reused,
                 rel_size_human(size, sizeof(size), as->stats.size), as->stats.seconds,
                 as->tarball[0] ? "; tarball " : "", as->tarball);
        tui_message("%s", as->result);
    }
}

static int job_ready(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    struct assemble *as = ctx;
    if (!as->job || !tui_job_pump(as->job))
        return TUI_R_NONE;
    if (!tui_job_state(as->job)->running) {
        tui_unwatch(as->job_fd);
        finish(as);
        tui_project_disk_changed(as->tp); /* the Releases screen looks again */
        return TUI_R_REDRAW;
    }
    return TUI_R_REDRAW;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct assemble *as = v->data;
    if (!as->job)
        return;
    const struct tui_job_state *js = tui_job_state(as->job);
    tui_putf(r.y, 1, r.w - 2, TUI_ROLE_ACCENT, "%s %s", as->release,
             js->running && tui_job_canceled(as->job) ? "- canceling"
             : js->running                            ? "- assembling (x cancels)"
             : js->rc == REL_ECANCELED                ? "- canceled"
             : js->rc < 0                             ? "- failed"
                                                      : "- done");
    int top = r.y + 1;
    if (as->result[0]) { /* the outcome stays, wrapped: all of it (up to half the screen) */
        int rows = tui_put_wrapped((struct tui_rect){top, 1, r.h / 2, r.w - 2}, 2,
                                   js->rc < 0 ? TUI_ROLE_ERROR : TUI_ROLE_OK, as->result);
        top += rows < r.h / 2 ? rows : r.h / 2;
    }
    tui_job_draw(as->job, (struct tui_rect){top, 0, r.y + r.h - top, r.w});
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct assemble *as = v->data;
    const struct tui_job_state *js = as->job ? tui_job_state(as->job) : NULL;
    rel_buf_puts(out, !js                       ? ""
                      : js->running             ? "running"
                      : js->rc == REL_ECANCELED ? "canceled"
                      : js->rc < 0              ? "failed"
                                                : "done");
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct assemble *as = v->data;
    bool running = as->job && tui_job_state(as->job)->running;
    if (a == TUI_ACT_CANCEL && running) {
        tui_job_cancel(as->job);
        tui_message("canceling: the release at its path stays as it was");
        return TUI_R_REDRAW;
    }
    if (a == TUI_ACT_CANCEL) {
        tui_message("nothing runs");
        return TUI_R_REDRAW;
    }
    if (a == TUI_ACT_BACK && running) {
        tui_message("the assembly is running: x cancels it (the release at its path stays as it "
                    "was); the screen closes after");
        return TUI_R_REDRAW;
    }
    return TUI_R_UNHANDLED;
}

static void destroy(struct tui_view *v)
{
    struct assemble *as = v->data;
    if (as->job) {
        tui_unwatch(as->job_fd);
        tui_job_free(as->job); /* waits for the worker */
    }
    if (as->pinned)
        tui_project_unpin(as->tp);
    rel_model_free(as->model);
    rel_project_free(as->proj);
    free(as);
}

static const struct tui_view_ops assemble_ops = {
    .scope = TUI_SCOPEID_ASSEMBLE,
    .draw = draw,
    .action = action,
    .status = status,
    .destroy = destroy,
};

int tui_assemble_open(struct tui_project *tp, const char *name)
{
    const struct rel_model *m = tui_project_model(tp, name);
    if (!m)
        return rel_error_code() ? rel_error_code() : REL_ERESOLVE;
    /* a model with errors is refused here, unless a build is due first
     * (it may be what the build fixes: the worker checks again after it) */
    char *why = NULL;
    int rc = rel_model_check(m);
    if (rc < 0 && !rel_build_needed(tui_project_core(tp), &why))
        return rc;
    free(why);
    rel_error_clear();
    struct assemble *as = rel_calloc(1, sizeof(*as));
    as->tp = tp;
    snprintf(as->root, sizeof(as->root), "%s", tui_project_core(tp)->root);
    snprintf(as->release, sizeof(as->release), "%s", name);
    tui_project_pin(tp);
    as->pinned = true;
    rc = tui_job_start(&as->job, "assemble", run, as);
    if (rc == 0)
        rc = tui_watch(as->job_fd = tui_job_fd(as->job), POLLIN, job_ready, as);
    if (rc < 0) {
        tui_job_free(as->job);
        tui_project_unpin(tp);
        free(as);
        return rc;
    }
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s assemble", name, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&assemble_ops, as, crumb);
    return 0;
}

struct start_ctx {
    struct tui_project *tp;
    char name[128];
};

static int save_then_assemble(void *ctx, int key)
{
    struct start_ctx *sc = ctx;
    struct tui_session *s = tui_project_session(sc->tp);
    if (key == 'y') {
        if (tui_session_save(s) < 0)
            tui_core_error("save");
        else if (tui_assemble_open(sc->tp, sc->name) < 0)
            tui_core_error(sc->name);
    } else {
        tui_message("not assembled");
    }
    free(sc);
    return TUI_R_REDRAW;
}

int tui_assemble_start(struct tui_project *tp, const char *name)
{
    if (tui_project_pinned(tp)) {
        tui_message("an assembly is running already");
        return TUI_R_REDRAW;
    }
    if (tui_session_dirty(tui_project_session(tp))) {
        struct start_ctx *sc = rel_calloc(1, sizeof(*sc));
        sc->tp = tp;
        snprintf(sc->name, sizeof(sc->name), "%s", name);
        tui_confirm("relman.yml has unsaved changes: save them and assemble?  y: save and "
                    "assemble  n: cancel",
                    "yn", save_then_assemble, sc);
        return TUI_R_REDRAW;
    }
    if (tui_assemble_open(tp, name) < 0)
        tui_core_error(name);
    return TUI_R_REDRAW;
}
