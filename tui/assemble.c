/*
 * assemble.c - assembling a release from the TUI: core builds the plan and
 * applies it on a worker thread, by the path `relman assemble` takes
 * (core/build.h: rel_build_release, with the TUI's options); this
 * screen shows the steps, a progress bar (files, bytes, time) and the log,
 * and stays live meanwhile. The result (or the error, in full) stays on the
 * screen until it is closed.
 *
 * Quitting while it runs waits for the end (destroy joins the worker).
 *
 * As `relman assemble --no-compile`: the TUI assembles from what the build
 * directory holds; it does not run mix / rebar3 compile first.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/plan.h"
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
    const struct rel_model *model; /* pinned while the job runs */
    struct tui_job *job;
    int job_fd;
    bool pinned;
    /* written by the worker, read after the job ended */
    struct rel_assemble_stats stats;
    char dest[4096];
    char version[128];
    char tarball[4096];
    char result[10000]; /* the outcome, kept on the screen */
};

/* rel_build_opts.model: the model pinned for this run */
static int pinned_model(void *ctx, const struct rel_model **m)
{
    *m = ((struct assemble *)ctx)->model;
    return 0;
}

/* worker thread: core's one path (core/build.h), with the TUI's options */
static int run(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)job;
    struct assemble *as = arg;
    struct rel_build_opts bo = {
        .compile = false, /* as `relman assemble --no-compile` */
        .model = pinned_model,
        .model_ctx = as,
        .assemble = {.overwrite = true},
        .ev = ev,
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
    const struct tui_job_state *js = tui_job_state(as->job);
    if (js->rc < 0) {
        snprintf(as->result, sizeof(as->result), "assembly failed: %s", js->error);
        tui_error("%s", as->result);
    } else {
        char size[32];
        snprintf(as->result, sizeof(as->result),
                 "assembled %s %s in %s: %llu files (%llu written, %llu reused), %s, %.1f s%s%s",
                 as->release, as->version, as->dest, (unsigned long long)as->stats.files,
                 (unsigned long long)as->stats.written, (unsigned long long)as->stats.reused,
                 tui_format_size(size, sizeof(size), as->stats.bytes), as->stats.seconds,
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
             js->running  ? "- assembling"
             : js->rc < 0 ? "- failed"
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
    rel_buf_puts(out, !js ? "" : js->running ? "running" : js->rc < 0 ? "failed" : "done");
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct assemble *as = v->data;
    if (a == TUI_ACT_BACK && as->job && tui_job_state(as->job)->running) {
        tui_message("the assembly runs to its end (it never leaves a half-built release); "
                    "the screen closes after");
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
    int rc = rel_model_check(m);
    if (rc < 0)
        return rc;
    struct assemble *as = rel_calloc(1, sizeof(*as));
    as->tp = tp;
    as->model = m;
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
