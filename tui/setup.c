/*
 * setup.c - the guided first release, for a project without relman.yml.
 *
 *   1. what the project is (detected kind) and where the releases should
 *      come from: imported from mix.exs / rebar.config, or relman's proposal
 *      (the project's application, or every umbrella child);
 *   2. core writes the text (rel_init_generate; importing runs mix, so it
 *      runs in the background and the screen stays live);
 *   3. review the relman.yml text and write it (Enter), then the Releases
 *      screen opens on it.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/init.h"
#include "core/path.h"
#include "core/project.h"
#include "tui/job.h"
#include "tui/list.h"
#include "tui/project.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step { STEP_SOURCE, STEP_GENERATE, STEP_REVIEW };

static const char *const sources[] = {
    "import the release definitions of the build tool (mix.exs releases / rebar.config relx)",
    "start from relman's proposal (the project's application, or every umbrella child)",
};

struct setup {
    char *dir;
    enum rel_project_kind kind;
    enum step step;
    struct tui_list list; /* step 1: the choices; step 3: the text's lines */
    bool import;
    struct tui_job *job;
    int job_fd; /* the fd watched for the job (the job closes it at its end) */
    /* filled by the worker, read by the UI after the job ended */
    struct rel_buf text, summary;
    char **lines;
    size_t nlines;
};

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct setup *st = ctx;
    if (st->step == STEP_SOURCE)
        return i < 2 ? sources[i] : "";
    (void)buf;
    (void)size;
    return i < st->nlines ? st->lines[i] : "";
}

static void split_lines(struct setup *st)
{
    free(st->lines);
    st->lines = NULL;
    st->nlines = 0;
    size_t cap = 16;
    st->lines = rel_calloc(cap, sizeof(char *));
    for (char *p = st->text.ptr; p && *p;) {
        if (st->nlines == cap) {
            cap *= 2;
            st->lines = rel_reallocarray(st->lines, cap, sizeof(char *));
        }
        st->lines[st->nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0'; /* the text is written from a copy joined again */
        p = nl + 1;
    }
}

/* worker thread */
static int generate(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)job;
    struct setup *st = arg;
    struct rel_init_opts opts = {.import = st->import, .env = NULL};
    rel_event_begin(ev, st->import ? "import" : "propose", 0, 0);
    rel_event_log(ev, REL_LOG_INFO, "%s",
                  st->import ? "asking the build tool for its releases"
                             : "writing relman's proposal");
    int rc = rel_init_generate(&st->text, &st->summary, st->dir, &opts);
    rel_event_end(ev, st->import ? "import" : "propose", rc);
    return rc;
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
        split_lines(st);
        st->step = STEP_REVIEW;
        tui_list_set_count(&st->list, st->nlines);
        tui_list_action(&st->list, TUI_ACT_MOVE_FIRST);
        tui_message("%s - Enter writes relman.yml, Esc goes back", rel_buf_cstr(&st->summary));
    }
    tui_job_free(st->job);
    st->job = NULL;
    return TUI_R_REDRAW;
}

static void start_generate(struct setup *st)
{
    rel_buf_clear(&st->text);
    rel_buf_clear(&st->summary);
    if (tui_job_start(&st->job, "relman init", generate, st) < 0 ||
        tui_watch(st->job_fd = tui_job_fd(st->job), POLLIN, job_ready, st) < 0) {
        tui_core_error("setup");
        tui_job_free(st->job);
        st->job = NULL;
        return;
    }
    st->step = STEP_GENERATE;
}

static int write_config(struct setup *st)
{
    char *path = rel_path_join2(st->dir, "relman.yml");
    int rc = 0;
    if (rel_fs_exists(path))
        rc = rel_error_set(REL_EEXISTS, "%s exists already: not overwritten", path);
    /* the review split the text into lines in place: join them again */
    struct rel_buf out = REL_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < st->nlines; i++)
        rel_buf_printf(&out, "%s\n", st->lines[i]);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, out.ptr ? out.ptr : "", out.len, 0644);
    rel_buf_free(&out);
    free(path);
    return rc;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct setup *st = v->data;
    int y = r.y;
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    tui_putf(y++, 1, r.w - 2, TUI_ROLE_HEADER,
             "%s1 source  %s  %s2 generate  %s  %s3 review and write",
             st->step == STEP_SOURCE ? "> " : "", dot, st->step == STEP_GENERATE ? "> " : "", dot,
             st->step == STEP_REVIEW ? "> " : "");
    tui_putf(y++, 1, r.w - 2, TUI_ROLE_DEFAULT, "%s has no relman.yml; it looks like a %s project.",
             st->dir, rel_project_kind_name(st->kind));
    y++;
    if (st->step == STEP_GENERATE) {
        if (st->job)
            tui_job_draw(st->job, (struct tui_rect){y, 0, r.y + r.h - y, r.w});
        return;
    }
    if (st->step == STEP_SOURCE)
        tui_put(y++, 1, r.w - 2, TUI_ROLE_DEFAULT,
                "Where should the release definitions come from?");
    int h = r.y + r.h - y;
    tui_list_layout(&st->list, h);
    for (int row = 0; row < h && st->list.top + (size_t)row < st->list.nvisible; row++) {
        size_t pos = st->list.top + (size_t)row;
        size_t i = st->list.visible[pos];
        bool sel = pos == st->list.sel;
        int yy = y + row;
        if (st->step == STEP_SOURCE) {
            enum tui_role role = sel ? TUI_ROLE_SELECTION : TUI_ROLE_DEFAULT;
            if (sel)
                tui_fill(yy, 0, r.w, role);
            tui_put(yy, 0, 2, role, sel ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
            tui_put(yy, 2, r.w - 2, role, sources[i]);
        } else {
            tui_putf(yy, 0, 5, sel ? TUI_ROLE_SELECTION : TUI_ROLE_MUTED, "%4zu ", i + 1);
            tui_put(yy, 5, r.w - 5, st->lines[i][0] == '#' ? TUI_ROLE_MUTED : TUI_ROLE_DEFAULT,
                    st->lines[i]);
        }
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct setup *st = v->data;
    static const char *const names[] = {"step 1 of 3", "step 2 of 3", "step 3 of 3"};
    rel_buf_puts(out, names[st->step]);
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
            return TUI_R_REDRAW;
        }
        return TUI_R_REDRAW;
    case TUI_ACT_BACK:
        if (st->step == STEP_SOURCE)
            return TUI_R_UNHANDLED;
        if (st->job) {
            tui_job_cancel(st->job);
            tui_message("the build tool keeps running until it answers; then this step ends");
            return TUI_R_REDRAW;
        }
        st->step = STEP_SOURCE;
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
    return st->step == STEP_GENERATE ? NULL : &st->list;
}

static void destroy(struct tui_view *v)
{
    struct setup *st = v->data;
    if (st->job) {
        tui_unwatch(st->job_fd);
        tui_job_free(st->job);
    }
    tui_list_free(&st->list);
    rel_buf_free(&st->text);
    rel_buf_free(&st->summary);
    free(st->lines);
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
    tui_list_init(&st->list, row_text, NULL, st);
    tui_list_set_count(&st->list, 2);
    if (st->kind == REL_PROJECT_PLAIN)
        tui_list_select(&st->list, 1); /* nothing to import */
    tui_push(&setup_ops, st, "first release");
    return 0;
}
