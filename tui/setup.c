/*
 * setup.c - the guided first release, for a project without relman.yml.
 *
 *   1. source: what the project is (detected kind) and where the releases
 *      come from: imported from mix.exs / rebar.config, or relman's proposal
 *      (the project's application, or every umbrella child);
 *   2. generate: core writes the text (rel_init_generate; importing runs
 *      mix, so it runs in the background and the screen stays live) and
 *      finds the project's own applications (rel_project_open);
 *   3. roots: tick the root applications of each release (space); each
 *      change is core's surgical edit of the text (rel_config_edit_app_mode);
 *      skipped when the project has no built application to offer;
 *   4. review the relman.yml text and write it (Enter), then the Releases
 *      screen opens on it.
 * Esc goes back one step.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/init.h"
#include "core/path.h"
#include "core/project.h"
#include "tui/job.h"
#include "tui/list.h"
#include "tui/project.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step { STEP_SOURCE, STEP_GENERATE, STEP_ROOTS, STEP_REVIEW };

static const char *const sources[] = {
    "import the release definitions of the build tool (mix.exs releases / rebar.config relx)",
    "start from relman's proposal (the project's application, or every umbrella child)",
};

/* A row of the roots step: a release heading, or an application of the
 * project that may be a root of that release. */
struct root_row {
    char release[128];
    char app[128]; /* "" for the heading */
    bool ticked;
};

struct setup {
    char *dir;
    enum rel_project_kind kind;
    enum step step;
    struct tui_list list; /* step 1: the choices; step 3: the roots */
    bool import;
    struct tui_job *job;
    int job_fd; /* the fd watched for the job (the job closes it at its end) */
    /* filled by the worker, read by the UI after the job ended */
    struct rel_buf text, summary;
    char **apps; /* the project's own applications */
    size_t napps;
    /* step 3 */
    struct root_row *roots;
    size_t nroots;
    /* step 4 */
    struct tui_textview review;
};

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct setup *st = ctx;
    if (st->step == STEP_SOURCE)
        return i < 2 ? sources[i] : "";
    if (i < st->nroots)
        snprintf(buf, size, "%s %s", st->roots[i].release, st->roots[i].app);
    return buf;
}

static bool row_selectable(void *ctx, size_t i)
{
    struct setup *st = ctx;
    return st->step != STEP_ROOTS || (i < st->nroots && st->roots[i].app[0]);
}

static void free_apps(struct setup *st)
{
    for (size_t i = 0; i < st->napps; i++)
        free(st->apps[i]);
    free(st->apps);
    st->apps = NULL;
    st->napps = 0;
}

/* worker thread */
static int generate(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)job;
    struct setup *st = arg;
    struct rel_init_opts opts = {.import = st->import, .env = NULL};
    const char *step = st->import ? "import" : "propose";
    rel_event_begin(ev, step, 0, 0);
    rel_event_log(ev, REL_LOG_INFO, "%s",
                  st->import ? "asking the build tool for its releases"
                             : "writing relman's proposal");
    int rc = rel_init_generate(&st->text, &st->summary, st->dir, &opts);
    rel_event_end(ev, step, rc);
    if (rc < 0)
        return rc;
    /* the applications the project builds, to offer as roots */
    rel_event_begin(ev, "scan", 0, 0);
    struct rel_project *p = NULL;
    if (rel_project_open(&p, st->dir, 0) == 0) {
        for (size_t i = 0; i < p->napps; i++) {
            if (p->apps[i].origin != REL_ORIGIN_PROJECT || !p->apps[i].chosen)
                continue;
            st->apps = rel_reallocarray(st->apps, st->napps + 1, sizeof(char *));
            st->apps[st->napps++] = rel_strdup(p->apps[i].name);
        }
        rel_project_free(p);
    }
    rel_event_end(ev, "scan", 0);
    return 0;
}

/* Rebuild the roots rows from the current text. */
static int build_roots(struct setup *st)
{
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, st->text.ptr, st->text.len, "relman.yml", st->dir);
    if (rc < 0)
        return rc;
    free(st->roots);
    st->roots = rel_calloc(cfg->nreleases * (st->napps + 1) + 1, sizeof(*st->roots));
    st->nroots = 0;
    for (size_t r = 0; r < cfg->nreleases; r++) {
        const struct rel_config_release *rel = &cfg->releases[r];
        struct root_row *h = &st->roots[st->nroots++];
        snprintf(h->release, sizeof(h->release), "%s", rel->name);
        for (size_t a = 0; a < st->napps; a++) {
            struct root_row *row = &st->roots[st->nroots++];
            snprintf(row->release, sizeof(row->release), "%s", rel->name);
            snprintf(row->app, sizeof(row->app), "%s", st->apps[a]);
            for (size_t k = 0; k < rel->napps; k++)
                if (strcmp(rel->apps[k].name, st->apps[a]) == 0 &&
                    rel->apps[k].mode != REL_MODE_NONE)
                    row->ticked = true;
        }
    }
    rel_config_free(cfg);
    tui_list_set_count(&st->list, st->nroots);
    return 0;
}

static void enter_review(struct setup *st)
{
    st->step = STEP_REVIEW;
    tui_textview_set(&st->review, rel_buf_cstr(&st->text));
    tui_list_action(&st->review.list, TUI_ACT_MOVE_FIRST);
    tui_message("%s - Enter writes relman.yml, Esc goes back", rel_buf_cstr(&st->summary));
}

static void enter_roots(struct setup *st)
{
    if (st->napps == 0 || build_roots(st) < 0) {
        enter_review(st);
        return;
    }
    st->step = STEP_ROOTS;
    tui_list_action(&st->list, TUI_ACT_MOVE_FIRST);
    tui_message("Space ticks the roots of each release; Enter goes on to the text");
}

static int job_ready(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    struct setup *st = ctx;
    if (!st->job)
        return TUI_R_NONE;
    if (!tui_job_pump(st->job))
        return TUI_R_NONE;
    const struct tui_job_state *js = tui_job_state(st->job);
    if (js->running)
        return TUI_R_REDRAW;
    tui_unwatch(st->job_fd);
    if (js->rc < 0) {
        tui_error("%s", js->error);
        st->step = STEP_SOURCE;
        tui_list_set_count(&st->list, 2);
    } else {
        enter_roots(st);
    }
    tui_job_free(st->job);
    st->job = NULL;
    return TUI_R_REDRAW;
}

static void start_generate(struct setup *st)
{
    rel_buf_clear(&st->text);
    rel_buf_clear(&st->summary);
    free_apps(st);
    if (tui_job_start(&st->job, "relman init", generate, st) < 0 ||
        tui_watch(st->job_fd = tui_job_fd(st->job), POLLIN, job_ready, st) < 0) {
        tui_core_error("setup");
        tui_job_free(st->job);
        st->job = NULL;
        return;
    }
    st->step = STEP_GENERATE;
}

/* Tick or untick the selected root: core edits the text. */
static void toggle_root(struct setup *st)
{
    size_t i = tui_list_selected(&st->list);
    if (i == TUI_LIST_NONE || !st->roots[i].app[0])
        return;
    struct root_row *row = &st->roots[i];
    struct rel_buf out = REL_BUF_INIT;
    if (rel_config_edit_app_mode(&out, rel_buf_cstr(&st->text), st->text.len, "relman.yml",
                                 row->release, row->app, row->ticked ? NULL : "permanent") < 0) {
        tui_core_error(row->app);
        rel_buf_free(&out);
        return;
    }
    rel_buf_free(&st->text);
    st->text = out;
    build_roots(st);
    tui_list_select(&st->list, i);
}

static int write_config(struct setup *st)
{
    char *path = rel_path_join2(st->dir, "relman.yml");
    int rc = 0;
    if (rel_fs_exists(path))
        rc = rel_error_set(REL_EEXISTS, "%s exists already: not overwritten", path);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, rel_buf_cstr(&st->text), st->text.len, 0644);
    free(path);
    return rc;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct setup *st = v->data;
    int y = r.y;
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    static const char *const names[] = {"source", "generate", "roots", "review and write"};
    char steps[256] = "";
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(steps);
        snprintf(steps + n, sizeof(steps) - n, "%s%s%d %s", i ? "  " : "",
                 (int)st->step == i ? "> " : "", i + 1, names[i]);
        if (i < 3) {
            n = strlen(steps);
            snprintf(steps + n, sizeof(steps) - n, "  %s", dot);
        }
    }
    tui_put(y++, 1, r.w - 2, TUI_ROLE_HEADER, steps);
    tui_putf(y++, 1, r.w - 2, TUI_ROLE_DEFAULT, "%s has no relman.yml; it looks like a %s project.",
             st->dir, rel_project_kind_name(st->kind));
    y++;
    if (st->step == STEP_GENERATE) {
        if (st->job)
            tui_job_draw(st->job, (struct tui_rect){y, 0, r.y + r.h - y, r.w});
        return;
    }
    if (st->step == STEP_REVIEW) {
        tui_textview_draw(&st->review, (struct tui_rect){y, 0, r.y + r.h - y, r.w});
        return;
    }
    tui_put(y++, 1, r.w - 2, TUI_ROLE_DEFAULT,
            st->step == STEP_SOURCE ? "Where should the release definitions come from?"
                                    : "Which of the project's applications does each release "
                                      "start? (the others come in as they are needed)");
    int h = r.y + r.h - y;
    tui_list_layout(&st->list, h);
    for (int row = 0; row < h && st->list.top + (size_t)row < st->list.nvisible; row++) {
        size_t pos = st->list.top + (size_t)row;
        size_t i = st->list.visible[pos];
        bool sel = pos == st->list.sel;
        int yy = y + row;
        enum tui_role role = sel ? TUI_ROLE_SELECTION : TUI_ROLE_DEFAULT;
        if (st->step == STEP_ROOTS && !st->roots[i].app[0]) {
            tui_putf(yy, 1, r.w - 2, TUI_ROLE_ACCENT, "release %s", st->roots[i].release);
            continue;
        }
        if (sel)
            tui_fill(yy, 0, r.w, role);
        tui_put(yy, 0, 2, role, sel ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
        if (st->step == STEP_SOURCE)
            tui_put(yy, 2, r.w - 2, role, sources[i]);
        else
            tui_putf(yy, 2, r.w - 2, role, "  [%s] %s", st->roots[i].ticked ? "x" : " ",
                     st->roots[i].app);
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct setup *st = v->data;
    rel_buf_printf(out, "step %d of 4", (int)st->step + 1);
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct setup *st = v->data;
    switch (a) {
    case TUI_ACT_SETUP_NEXT:
    case TUI_ACT_SETUP_TOGGLE:
        if (st->step == STEP_SOURCE) {
            st->import = tui_list_selected(&st->list) == 0;
            start_generate(st);
        } else if (st->step == STEP_ROOTS) {
            if (a == TUI_ACT_SETUP_TOGGLE)
                toggle_root(st);
            else
                enter_review(st);
        } else if (st->step == STEP_REVIEW && a == TUI_ACT_SETUP_NEXT) {
            if (write_config(st) < 0) {
                tui_core_error(NULL);
                return TUI_R_REDRAW;
            }
            struct tui_project *tp = NULL;
            if (tui_project_open(&tp, st->dir) < 0) {
                tui_core_error("relman.yml written, but");
                return TUI_R_REDRAW;
            }
            /* the setup is done: the Releases screen replaces it */
            tui_releases_open(tp);
            tui_close_later(v);
            tui_message("wrote %s/relman.yml", st->dir);
        }
        return TUI_R_REDRAW;
    case TUI_ACT_BACK:
        if (st->step == STEP_SOURCE)
            return TUI_R_UNHANDLED;
        if (st->job) {
            tui_message("waiting for the build tool to answer");
            return TUI_R_REDRAW;
        }
        if (st->step == STEP_REVIEW && st->nroots) {
            st->step = STEP_ROOTS;
            tui_list_set_count(&st->list, st->nroots);
            return TUI_R_REDRAW;
        }
        st->step = STEP_SOURCE;
        free(st->roots);
        st->roots = NULL;
        st->nroots = 0;
        tui_list_set_count(&st->list, 2);
        tui_list_select(&st->list, st->import ? 0 : 1);
        return TUI_R_REDRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static struct tui_list *list(struct tui_view *v)
{
    struct setup *st = v->data;
    if (st->step == STEP_GENERATE)
        return NULL;
    return st->step == STEP_REVIEW ? &st->review.list : &st->list;
}

static void destroy(struct tui_view *v)
{
    struct setup *st = v->data;
    if (st->job) {
        tui_unwatch(st->job_fd);
        tui_job_free(st->job);
    }
    tui_list_free(&st->list);
    tui_textview_free(&st->review);
    rel_buf_free(&st->text);
    rel_buf_free(&st->summary);
    free_apps(st);
    free(st->roots);
    free(st->dir);
    free(st);
}

static const struct tui_view_ops setup_ops = {
    .scope = TUI_SCOPEID_SETUP,
    .draw = draw,
    .action = action,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_setup_open(const char *dir)
{
    struct setup *st = rel_calloc(1, sizeof(*st));
    st->dir = rel_fs_realpath(dir);
    if (!st->dir)
        st->dir = rel_strdup(dir);
    st->kind = rel_project_detect_kind(dir);
    tui_list_init(&st->list, row_text, row_selectable, st);
    tui_list_set_count(&st->list, 2);
    tui_textview_init(&st->review);
    if (st->kind == REL_PROJECT_PLAIN)
        tui_list_select(&st->list, 1); /* nothing to import */
    tui_push(&setup_ops, st, "first release");
    return 0;
}
