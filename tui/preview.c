/*
 * preview.c - the files a release would get, rendered by core without
 * assembling: scrollable, searchable (/ n N), one file at a time ([ ]),
 * compared with the last assembled release (d shows the line diff).
 *
 * The files are core's table of renderables (core/render.h): a file added
 * there shows up here. The files assembly generates come from core's plan
 * of the release, kept beside the model (tui/project.h) so it is built once
 * per edit, not per file; building it may evaluate the project's
 * configuration with elixir, so that and the rendering run on a worker
 * thread (tui/job.h) and the screen stays live. The plan's entry for the
 * file names where the assembled release has it; the same worker reads that
 * file, if there is one. Secrets are masked on both sides (mask.h).
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/plan.h"
#include "core/render.h"
#include "tui/job.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSEMBLED_MAX (4u << 20)
#define DIFF_MAX_LINES 4000

enum compare { CMP_UNKNOWN, CMP_NOT_ASSEMBLED, CMP_SAME, CMP_DIFFERS };

struct preview {
    struct tui_project *tp;
    char release[128];
    size_t file; /* index into rel_renderables */
    bool diff;   /* show the diff against the assembled release */
    struct tui_textview text;

    /* the background render of `job_file` */
    struct tui_job *job;
    int job_fd;
    const struct rel_model *model; /* pinned while the job runs */
    const struct rel_plan *plan;   /* the model's kept plan (tui_project_plan), or NULL */
    struct rel_plan *built;        /* built by the job when none was kept */
    size_t job_file;

    /* results (written by the worker, read once the job ended) */
    struct rel_buf rendered, assembled;
    bool have_assembled;
    char where[4096]; /* the file's path in the assembled release */
    char error[1024];
    enum compare cmp;
};

/* worker thread: render from the plan kept beside the model, or from one
 * built here (handed to the project when the job ended); the plan's entry
 * for the file says where the assembled release has it. */
static int render_job(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)ev;
    (void)job;
    struct preview *pv = arg;
    const struct rel_renderable *r = &rel_renderables[pv->job_file];
    const struct rel_plan *plan = pv->plan;
    if (!plan) {
        int rc = rel_plan_build(&pv->built, pv->model, NULL);
        if (rc < 0 && rel_render_needs_plan(r))
            return rc;
        rel_error_clear(); /* rendered from the model; just nothing to compare with */
        plan = pv->built;
    }
    const struct rel_plan_entry *e = NULL;
    int rc = rel_render_plan(&pv->rendered, &e, pv->model, plan, r->name);
    if (rc < 0 || !e)
        return rc;
    char *full = rel_path_join2(plan->dest, e->path);
    snprintf(pv->where, sizeof(pv->where), "%s", full);
    if (rel_fs_is_file(full) && rel_fs_read_file(&pv->assembled, full, ASSEMBLED_MAX) == 0)
        pv->have_assembled = true;
    rel_error_clear();
    free(full);
    return 0;
}

static enum tui_role diff_role(const char *line)
{
    if (line[0] == '+')
        return TUI_ROLE_OK;
    if (line[0] == '-')
        return TUI_ROLE_PROBLEM;
    return TUI_ROLE_DEFAULT;
}

/* Split a copy of `text` into lines. */
static char **split(char *text, size_t *n)
{
    size_t cap = 16;
    char **lines = rel_calloc(cap, sizeof(char *));
    *n = 0;
    for (char *p = text; *p;) {
        if (*n == cap) {
            cap *= 2;
            lines = rel_reallocarray(lines, cap, sizeof(char *));
        }
        lines[(*n)++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return lines;
}

/*
 * A line diff of `old` (assembled) and `new` (rendered): every line prefixed
 * with "  " (same), "- " (only in the assembled file) or "+ " (only in the
 * rendered one), by a longest common subsequence. Files too long for that
 * are compared whole.
 */
static void line_diff(struct rel_buf *out, const char *old_text, const char *new_text)
{
    char *a = rel_strdup(old_text), *b = rel_strdup(new_text);
    size_t na, nb;
    char **la = split(a, &na), **lb = split(b, &nb);
    if (na > DIFF_MAX_LINES || nb > DIFF_MAX_LINES) {
        rel_buf_printf(out, "  (too long for a line diff: %zu and %zu lines)\n", na, nb);
    } else {
        /* lcs[i][j]: common length of la[i..] and lb[j..] */
        unsigned short *lcs = rel_calloc((na + 1) * (nb + 1), sizeof(*lcs));
#define L(i, j) lcs[(i) * (nb + 1) + (j)]
        for (size_t i = na; i-- > 0;)
            for (size_t j = nb; j-- > 0;)
                L(i, j) = strcmp(la[i], lb[j]) == 0    ? (unsigned short)(L(i + 1, j + 1) + 1)
                          : L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j)
                                                       : L(i, j + 1);
        size_t i = 0, j = 0;
        while (i < na || j < nb) {
            if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
                rel_buf_printf(out, "  %s\n", la[i]);
                i++;
                j++;
            } else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
                rel_buf_printf(out, "+ %s\n", lb[j++]);
            } else {
                rel_buf_printf(out, "- %s\n", la[i++]);
            }
        }
#undef L
        free(lcs);
    }
    free(la);
    free(lb);
    free(a);
    free(b);
}

/* Put the current results on the screen (plain text or the diff). */
static void show(struct preview *pv)
{
    if (pv->error[0]) {
        tui_textview_set(&pv->text, "");
        return;
    }
    const struct rel_config_release *r =
        rel_config_find_release(tui_project_config(pv->tp), pv->release);
    const char *cookie = r ? r->cookie : NULL;
    struct rel_buf now = REL_BUF_INIT, then = REL_BUF_INIT;
    rel_buf_puts(&now, rel_buf_cstr(&pv->rendered));
    tui_mask_secrets(&now, cookie);
    if (pv->have_assembled) {
        rel_buf_puts(&then, rel_buf_cstr(&pv->assembled));
        tui_mask_secrets(&then, cookie);
    }
    if (!pv->diff) {
        pv->text.line_role = NULL;
        tui_textview_set(&pv->text, rel_buf_cstr(&now));
    } else if (!pv->have_assembled) {
        pv->text.line_role = NULL;
        tui_textview_set(&pv->text, "  (no assembled release to compare with: a assembles it)\n");
    } else {
        struct rel_buf d = REL_BUF_INIT;
        line_diff(&d, rel_buf_cstr(&then), rel_buf_cstr(&now));
        pv->text.line_role = diff_role;
        tui_textview_set(&pv->text, rel_buf_cstr(&d));
        rel_buf_free(&d);
    }
    rel_buf_free(&now);
    rel_buf_free(&then);
}

static int job_ready(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    struct preview *pv = ctx;
    if (!pv->job || !tui_job_pump(pv->job))
        return TUI_R_NONE;
    const struct tui_job_state *js = tui_job_state(pv->job);
    if (js->running)
        return TUI_R_REDRAW;
    tui_unwatch(pv->job_fd);
    if (pv->built) /* the plan is kept beside the model for the next file */
        tui_project_keep_plan(pv->tp, pv->release, pv->model, pv->built);
    pv->built = NULL;
    tui_project_unpin(pv->tp);
    if (js->rc < 0)
        snprintf(pv->error, sizeof(pv->error), "%s", js->error);
    pv->cmp =
        !pv->have_assembled ? CMP_NOT_ASSEMBLED
        : (pv->assembled.len == pv->rendered.len &&
           memcmp(rel_buf_cstr(&pv->assembled), rel_buf_cstr(&pv->rendered), pv->rendered.len) == 0)
            ? CMP_SAME
            : CMP_DIFFERS;
    tui_job_free(pv->job);
    pv->job = NULL;
    show(pv);
    return TUI_R_REDRAW;
}

/* Start rendering file `file` in the background. */
static void load(struct preview *pv, size_t file)
{
    if (pv->job)
        return;
    pv->file = pv->job_file = file;
    rel_buf_clear(&pv->rendered);
    rel_buf_clear(&pv->assembled);
    pv->have_assembled = false;
    pv->where[0] = pv->error[0] = '\0';
    pv->cmp = CMP_UNKNOWN;
    tui_textview_set(&pv->text, "");
    pv->model = tui_project_model(pv->tp, pv->release);
    if (!pv->model) {
        snprintf(pv->error, sizeof(pv->error), "%s", rel_error_message());
        return;
    }
    pv->plan = tui_project_plan(pv->tp, pv->release);
    tui_project_pin(pv->tp);
    if (tui_job_start(&pv->job, "render", render_job, pv) < 0 ||
        tui_watch(pv->job_fd = tui_job_fd(pv->job), POLLIN, job_ready, pv) < 0) {
        snprintf(pv->error, sizeof(pv->error), "%s", rel_error_message());
        tui_job_free(pv->job);
        pv->job = NULL;
        tui_project_unpin(pv->tp);
    }
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct preview *pv = v->data;
    int x = 1;
    for (size_t i = 0; i < rel_renderable_count && x < r.w; i++) {
        char tab[80];
        snprintf(tab, sizeof(tab), i == pv->file ? "[%s]" : " %s ", rel_renderables[i].name);
        x += tui_put(r.y, x, r.w - x, i == pv->file ? TUI_ROLE_ACCENT : TUI_ROLE_MUTED, tab) + 1;
    }
    if (pv->job) {
        tui_put(r.y + 2, 2, r.w - 3, TUI_ROLE_MUTED, "rendering...");
        return;
    }
    if (pv->error[0]) {
        tui_put(r.y + 2, 2, r.w - 3, TUI_ROLE_ERROR, pv->error);
        return;
    }
    tui_textview_draw(&pv->text, (struct tui_rect){r.y + 1, 0, r.h - 1, r.w});
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct preview *pv = v->data;
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    rel_buf_printf(out, "%s %s %zu lines", rel_renderables[pv->file].name, dot, pv->text.nlines);
    if (pv->cmp == CMP_SAME)
        rel_buf_printf(out, " %s %s as assembled", dot, tui_glyph(TUI_GLYPH_OK));
    else if (pv->cmp == CMP_DIFFERS)
        rel_buf_printf(out, " %s ~ differs from the assembled release", dot);
    else if (pv->cmp == CMP_NOT_ASSEMBLED)
        rel_buf_printf(out, " %s not assembled", dot);
    if (pv->diff)
        rel_buf_printf(out, " %s diff", dot);
    if (pv->text.search[0])
        rel_buf_printf(out, " %s /%s", dot, pv->text.search);
}

/*
 * `e`: the project's template of the file shown (ROOT/rel/NAME.eex, or
 * under rel_templates_path) in the user's editor; files made from no
 * template (the .rel, the boot scripts) are made from relman.yml: the
 * screens below open that (TUI_R_UNHANDLED).
 */
static int edit_template(struct preview *pv)
{
    const char *name = rel_renderables[pv->file].name;
    if (strcmp(name, "vm.args") != 0 && strcmp(name, "remote.vm.args") != 0 &&
        strcmp(name, "env.sh") != 0)
        return TUI_R_UNHANDLED;
    const struct rel_config_release *r =
        rel_config_find_release(tui_project_config(pv->tp), pv->release);
    const char *dir = r && r->rel_templates_path ? r->rel_templates_path : "rel";
    const char *root = tui_project_core(pv->tp)->root;
    char *path = dir[0] == '/' ? rel_asprintf("%s/%s.eex", dir, name)
                               : rel_asprintf("%s/%s/%s.eex", root, dir, name);
    int react = TUI_R_REDRAW;
    if (!rel_fs_is_file(path)) {
        tui_message("%s comes from the built-in template: create %s/%s.eex to change it", name, dir,
                    name);
    } else if (tui_tty_edit(path) < 0) {
        tui_core_error(NULL);
    } else {
        tui_message("%s edited: rendered again", path);
        react = TUI_R_RELOAD;
    }
    free(path);
    return react;
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct preview *pv = v->data;
    size_t n = rel_renderable_count;
    switch (a) {
    case TUI_ACT_EDIT_FILE:
        return edit_template(pv);
    case TUI_ACT_NEXT_FILE:
    case TUI_ACT_PREV_FILE:
        if (pv->job) {
            tui_message("still rendering %s", rel_renderables[pv->file].name);
            return TUI_R_REDRAW;
        }
        load(pv, (pv->file + (a == TUI_ACT_NEXT_FILE ? 1 : n - 1)) % n);
        return TUI_R_REDRAW;
    case TUI_ACT_DIFF:
        pv->diff = !pv->diff;
        if (!pv->job) {
            show(pv);
            if (pv->diff && pv->cmp == CMP_SAME)
                tui_message("%s is the same as in the assembled release", pv->where);
        }
        return TUI_R_REDRAW;
    default:
        return tui_textview_action(&pv->text, a);
    }
}

static int reload(struct tui_view *v)
{
    struct preview *pv = v->data;
    load(pv, pv->file);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct preview *pv = v->data;
    return &pv->text.list;
}

static void destroy(struct tui_view *v)
{
    struct preview *pv = v->data;
    if (pv->job) {
        tui_unwatch(pv->job_fd);
        tui_job_free(pv->job); /* waits for the worker */
        tui_project_unpin(pv->tp);
    }
    rel_plan_free(pv->built);
    tui_textview_free(&pv->text);
    rel_buf_free(&pv->rendered);
    rel_buf_free(&pv->assembled);
    free(pv);
}

static const struct tui_view_ops preview_ops = {
    .scope = TUI_SCOPEID_PREVIEW,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_preview_open(struct tui_project *tp, const char *name)
{
    if (rel_renderable_count == 0)
        return rel_error_set(REL_ENOTFOUND, "core renders no file yet");
    struct preview *pv = rel_calloc(1, sizeof(*pv));
    pv->tp = tp;
    snprintf(pv->release, sizeof(pv->release), "%s", name);
    tui_textview_init(&pv->text);
    load(pv, 0);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s preview", name, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&preview_ops, pv, crumb);
    return 0;
}
