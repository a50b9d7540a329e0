/*
 * apps.c - the applications of one release, reltool-like: the roots first,
 * then what they pulled in; problems first within each group, marked with
 * '!' (never colour alone); a detail pane with who requires whom, what is
 * included, the .app description and why the mode is what it is. Start
 * modes are edited here (single keys or a menu); every edit re-resolves at
 * once, can be undone, and is saved to relman.yml only on `save`.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/size.h"
#include "tui/format.h"
#include "tui/list.h"
#include "tui/project.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEPARATOR ((size_t)-1)

struct row {
    size_t app;   /* index into model->apps, or SEPARATOR */
    int severity; /* worst problem of the app: REL_SEVERITY_*, or -1 */
};

struct app_size {
    char *dir;
    unsigned long long bytes;
};

struct apps {
    struct tui_project *tp;
    char release[128];
    const struct rel_model *model; /* borrowed from tp's cache */
    unsigned generation;
    struct row *rows;
    size_t nrows;
    struct app_size *sizes; /* disk use per application directory, computed once */
    size_t nsizes;
    struct tui_list list;
    bool detail_focus;
    int detail_top;
};

static const char *const mode_names[] = {"permanent", "transient", "temporary", "load", "none"};

static int worst_problem(const struct rel_model *m, const char *app)
{
    int worst = -1;
    for (size_t i = 0; i < m->nproblems; i++)
        if (m->problems[i].app && strcmp(m->problems[i].app, app) == 0 &&
            m->problems[i].severity != REL_SEVERITY_NOTE &&
            (worst < 0 || (int)m->problems[i].severity < worst))
            worst = (int)m->problems[i].severity;
    return worst;
}

/* The roots are the applications relman.yml lists; the implicit ones
 * (kernel, stdlib, elixir, sasl, iex for Mix) count as pulled in. */
static bool is_root(const struct rel_model_app *a)
{
    return a->why == REL_WHY_ROOT;
}

static const struct rel_model_app *row_app(const struct apps *as, size_t row)
{
    if (!as->model || row >= as->nrows || as->rows[row].app == SEPARATOR)
        return NULL;
    return &as->model->apps[as->rows[row].app];
}

static const char *selected_name(const struct apps *as)
{
    const struct rel_model_app *a = row_app(as, tui_list_selected(&as->list));
    return a ? a->app->name : NULL;
}

/* Rebuild the rows when the model changed (an edit, undo, reload). */
static void sync(struct apps *as)
{
    struct tui_session *s = tui_project_session(as->tp);
    if (as->model && as->generation == tui_session_generation(s))
        return;
    char keep[128] = "";
    const char *cur = selected_name(as);
    if (cur)
        snprintf(keep, sizeof(keep), "%s", cur);
    as->generation = tui_session_generation(s);
    as->model = tui_project_model(as->tp, as->release);
    free(as->rows);
    as->rows = NULL;
    as->nrows = 0;
    const struct rel_model *m = as->model;
    if (!m) {
        tui_list_set_count(&as->list, 0);
        return;
    }
    as->rows = rel_calloc(m->napps + 1, sizeof(*as->rows));
    /* two groups (roots, pulled in), each: errors, warnings, the rest */
    for (int group = 0; group < 2; group++) {
        if (group == 1) {
            bool any = false;
            for (size_t i = 0; i < m->napps; i++)
                any |= !is_root(&m->apps[i]);
            if (any)
                as->rows[as->nrows++] = (struct row){SEPARATOR, -1};
        }
        for (int sev = 0; sev <= 2; sev++)
            for (size_t i = 0; i < m->napps; i++) {
                if (is_root(&m->apps[i]) != (group == 0))
                    continue;
                int w = worst_problem(m, m->apps[i].app->name);
                int rank = w == REL_SEVERITY_ERROR ? 0 : w == REL_SEVERITY_WARNING ? 1 : 2;
                if (rank == sev)
                    as->rows[as->nrows++] = (struct row){i, w};
            }
    }
    tui_list_set_count(&as->list, as->nrows);
    if (keep[0])
        for (size_t r = 0; r < as->nrows; r++) {
            const struct rel_model_app *a = row_app(as, r);
            if (a && strcmp(a->app->name, keep) == 0)
                tui_list_select(&as->list, r);
        }
}

/* Bytes under the application's directory (cached by directory). */
static unsigned long long app_size(struct apps *as, const struct rel_app *app)
{
    if (!app->dir)
        return 0;
    for (size_t i = 0; i < as->nsizes; i++)
        if (strcmp(as->sizes[i].dir, app->dir) == 0)
            return as->sizes[i].bytes;
    as->sizes = rel_reallocarray(as->sizes, as->nsizes + 1, sizeof(*as->sizes));
    as->sizes[as->nsizes] = (struct app_size){rel_strdup(app->dir), tui_project_du(app->dir, NULL)};
    return as->sizes[as->nsizes++].bytes;
}

static void free_sizes(struct apps *as)
{
    for (size_t i = 0; i < as->nsizes; i++)
        free(as->sizes[i].dir);
    free(as->sizes);
    as->sizes = NULL;
    as->nsizes = 0;
}

static const char *row_text(void *ctx, size_t row, char *buf, size_t size)
{
    const struct apps *as = ctx;
    const struct rel_model_app *a = row_app(as, row);
    if (!a)
        return "";
    snprintf(buf, size, "%s %s %s %s", a->app->name, a->app->vsn, rel_mode_name(a->mode),
             rel_origin_name(a->app->origin));
    return buf;
}

static bool row_selectable(void *ctx, size_t row)
{
    const struct apps *as = ctx;
    return row < as->nrows && as->rows[row].app != SEPARATOR;
}

/* The mode differs from the saved file (an unsaved edit of this app). */
static bool mode_changed(struct apps *as, const char *app)
{
    return tui_project_explicit_mode(as->tp, as->release, app) !=
           tui_project_saved_mode(as->tp, as->release, app);
}

static void put_names(struct rel_buf *b, const struct rel_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        rel_buf_printf(b, "%s%s", i ? " " : "", n->items[i]);
    if (!n->count)
        rel_buf_puts(b, "-");
}

static bool lists_name(const struct rel_names *n, const char *name)
{
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->items[i], name) == 0)
            return true;
    return false;
}

/* The detail pane's lines for app `a` (rebuilt at every draw: cheap). */
/* The detail pane's lines; `full`: every module (the show-text pager),
 * else the first twelve. Problem lines start with a byte 1..3 (severity). */
static void detail_lines(struct apps *as, const struct rel_model_app *a, bool full,
                         struct rel_buf *out)
{
    const struct rel_model *m = as->model;
    const struct rel_app *app = a->app;
    const char *name = app->name;
    rel_buf_printf(out, "%s %s%s%s%s\n", name, app->vsn, app->description ? " - \"" : "",
                   app->description ? app->description : "", app->description ? "\"" : "");

    /* why the mode is what it is */
    int saved = tui_project_saved_mode(as->tp, as->release, name);
    rel_buf_printf(out, "mode:        %s", rel_mode_name(a->mode));
    switch (a->mode_source) {
    case REL_MODE_SOURCE_EXPLICIT:
        if (mode_changed(as, name))
            rel_buf_printf(out, " (set here, not saved; %s%s)",
                           saved >= 0 ? "saved: " : "was not listed",
                           saved >= 0 ? rel_mode_name((enum rel_mode)saved) : "");
        else
            rel_buf_puts(out, " (explicit in relman.yml)");
        break;
    case REL_MODE_SOURCE_INHERITED:
        rel_buf_printf(out, " (inherited from %s)", a->mode_from ? a->mode_from : "?");
        break;
    case REL_MODE_SOURCE_INCLUDED:
        rel_buf_printf(out, " (included by %s: loaded, started by it)",
                       a->included_by ? a->included_by : "?");
        break;
    case REL_MODE_SOURCE_IMPLICIT:
        rel_buf_puts(out, " (implicit: added by the release rules)");
        break;
    case REL_MODE_SOURCE_DEFAULT:
        rel_buf_puts(out, " (default)");
        break;
    }
    if (a->mode_source != REL_MODE_SOURCE_EXPLICIT && mode_changed(as, name))
        rel_buf_puts(out, " - explicit mode dropped, not saved");
    rel_buf_putc(out, '\n');

    rel_buf_printf(out, "why:         %s", rel_why_name(a->why));
    if (a->parent && (a->why == REL_WHY_DEPENDENCY || a->why == REL_WHY_INCLUDED))
        rel_buf_printf(out, " of %s", a->parent);
    rel_buf_putc(out, '\n');

    rel_buf_puts(out, "required by: ");
    size_t nreq = 0;
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *o = &m->apps[i];
        if (o == a || !lists_name(&o->app->applications, name))
            continue;
        bool unsafe = rel_mode_starts(o->mode) && !rel_mode_starts(a->mode);
        rel_buf_printf(out, "%s%s (%s)%s", nreq++ ? ", " : "", o->app->name, rel_mode_name(o->mode),
                       unsafe ? " <- unsafe" : "");
    }
    if (!nreq)
        rel_buf_puts(out, "-");
    rel_buf_puts(out, "\nrequires:    ");
    put_names(out, &app->applications);
    if (app->optional.count) {
        rel_buf_puts(out, "\noptional:    ");
        put_names(out, &app->optional);
    }
    rel_buf_puts(out, "\nincluded:    ");
    put_names(out, &app->included);
    rel_buf_printf(out, "\nmodules:     %zu", app->modules.count);
    size_t most = full ? app->modules.count : 12;
    for (size_t i = 0; i < app->modules.count && i < most; i++)
        rel_buf_printf(out, " %s", app->modules.items[i]);
    if (app->modules.count > most)
        rel_buf_printf(out, " %s", tui_glyph(TUI_GLYPH_ELLIPSIS));
    rel_buf_printf(out, "\nfrom:        %s %s\n", rel_origin_name(app->origin),
                   app->dir ? app->dir : "");
    if (a->shadows)
        rel_buf_printf(out, "also seen:   %s (not chosen)\n", a->shadows);
    for (size_t i = 0; i < m->nproblems; i++) {
        const struct rel_problem *p = &m->problems[i];
        if (!p->app || strcmp(p->app, name) != 0)
            continue;
        rel_buf_printf(out, "%c%s %s: %s\n", '\x01' + (char)p->severity,
                       p->severity == REL_SEVERITY_ERROR     ? tui_glyph(TUI_GLYPH_PROBLEM)
                       : p->severity == REL_SEVERITY_WARNING ? "~"
                                                             : "-",
                       rel_severity_name(p->severity), p->message);
    }
}

/* The pane wraps each line: a field's value continues under the value
 * (13 columns in), a problem's text under its text; detail_top counts rows. */
static void draw_detail(struct apps *as, struct tui_rect r)
{
    const struct rel_model_app *a = row_app(as, tui_list_selected(&as->list));
    if (!a || r.h <= 0 || r.w <= 2)
        return;
    struct rel_buf b = REL_BUF_INIT;
    detail_lines(as, a, false, &b);
    struct tui_rect in = {r.y, r.x + 1, r.h, r.w - 2};
    /* keep the scroll offset inside the text */
    int total = 0;
    for (char *p = b.ptr; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        char *nl = strchr(p, '\n');
        char *line = rel_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
        total += (int)tui_wrap(line, in.w, *line >= 1 && *line <= 3 ? 2 : 13, NULL, 0);
        free(line);
    }
    if (as->detail_top > total - r.h)
        as->detail_top = total - r.h > 0 ? total - r.h : 0;
    int row = -as->detail_top, line = 0;
    for (char *p = b.ptr; p && *p && row < r.h; line++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        enum tui_role role = line == 0 ? TUI_ROLE_ACCENT : TUI_ROLE_DEFAULT;
        const char *text = p;
        int indent = 13;
        if ((unsigned char)*p >= 1 && (unsigned char)*p <= 3) { /* a problem line */
            role = *p == 1 ? TUI_ROLE_PROBLEM : *p == 2 ? TUI_ROLE_WARNING : TUI_ROLE_MUTED;
            text = p + 1;
            indent = 2;
        }
        int need = (int)tui_wrap(text, in.w, indent, NULL, 0);
        if (row + need > 0) { /* a paragraph scrolled partly off the top: its visible rows */
            struct tui_span sp[64];
            size_t n = tui_wrap(text, in.w, indent, sp, 64);
            for (size_t k = 0; k < n && k < 64; k++) {
                int y = row + (int)k;
                if (y < 0 || y >= r.h)
                    continue;
                char part[1024];
                snprintf(part, sizeof(part), "%.*s", (int)sp[k].len, text + sp[k].off);
                tui_put(in.y + y, in.x + sp[k].indent, in.w - sp[k].indent, role, part);
            }
        }
        row += need;
        p = nl ? nl + 1 : NULL;
    }
    rel_buf_free(&b);
}

/* show-text: the selected application's details, every module and problem. */
static void text(struct tui_view *v, struct rel_buf *out)
{
    struct apps *as = v->data;
    sync(as);
    const struct rel_model_app *a = row_app(as, tui_list_selected(&as->list));
    if (!a)
        return;
    size_t start = out->len;
    detail_lines(as, a, true, out);
    for (size_t i = start; i < out->len; i++) /* severity bytes: the marks say it */
        if ((unsigned char)out->ptr[i] >= 1 && (unsigned char)out->ptr[i] <= 3)
            out->ptr[i] = ' ';
}

static void draw_list(struct apps *as, struct tui_rect r)
{
    int namew = 15, verw = 10, modew = 12, fromw = 11, sizew = 9, modsw = 5;
    int fixed = 4 + namew + verw + modew + fromw + sizew + modsw;
    if (r.w < fixed) { /* narrow: shrink the name and drop the module count */
        modsw = 0;
        namew = r.w - (4 + verw + modew + fromw + sizew);
        if (namew < 8)
            namew = 8;
    }
    int x0 = r.x + 4, xs[6] = {x0,
                               x0 + namew,
                               x0 + namew + verw,
                               x0 + namew + verw + modew,
                               x0 + namew + verw + modew + fromw,
                               x0 + namew + verw + modew + fromw + sizew};
    const char *heads[6] = {"APP", "VERSION", "MODE", "FROM", "SIZE", "MODS"};
    int widths[6] = {namew, verw, modew, fromw, sizew, modsw};
    for (int c = 0; c < 6; c++)
        if (widths[c] > 1 && xs[c] < r.x + r.w)
            tui_put(r.y, xs[c], widths[c] - 1, TUI_ROLE_HEADER, heads[c]);
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(
        &it, &as->list, (struct tui_rect){r.y + 1, r.x, r.h - 1, r.w},
        &(struct tui_list_look){.cursor_w = 2, .fill = true, .inactive = as->detail_focus});
    while (tui_list_rows_next(&it, &lr)) {
        size_t ri = lr.row;
        int y = lr.y;
        if (as->rows[ri].app == SEPARATOR) {
            char sep[64];
            snprintf(sep, sizeof(sep), "%s%s pulled in %s%s", tui_glyph(TUI_GLYPH_HLINE),
                     tui_glyph(TUI_GLYPH_HLINE), tui_glyph(TUI_GLYPH_HLINE),
                     tui_glyph(TUI_GLYPH_HLINE));
            tui_put(y, r.x + 2, r.w - 2, TUI_ROLE_MUTED, sep);
            continue;
        }
        const struct rel_model_app *a = &as->model->apps[as->rows[ri].app];
        bool sel = lr.selected;
        enum tui_role base = lr.role;
        int sev = as->rows[ri].severity;
        if (sev >= 0)
            tui_put(y, r.x + 2, 1, sel ? base : (sev == 0 ? TUI_ROLE_PROBLEM : TUI_ROLE_WARNING),
                    sev == 0 ? tui_glyph(TUI_GLYPH_PROBLEM) : "~");
        enum tui_role name_role = sel          ? base
                                  : sev == 0   ? TUI_ROLE_PROBLEM
                                  : is_root(a) ? TUI_ROLE_DEFAULT
                                               : TUI_ROLE_DEFAULT;
        tui_put(y, xs[0], namew - 1, name_role, a->app->name);
        tui_put(y, xs[1], verw - 1, base, a->app->vsn);
        bool changed = mode_changed(as, a->app->name);
        int mw = tui_put(y, xs[2], modew - 2, base, rel_mode_name(a->mode));
        if (changed)
            tui_put(y, xs[2] + mw + 1, 1, sel ? base : TUI_ROLE_CHANGED,
                    tui_glyph(TUI_GLYPH_CHANGED));
        char from[64];
        if (a->why == REL_WHY_ROOT || a->why == REL_WHY_IMPLICIT || !a->parent)
            snprintf(from, sizeof(from), "%s", rel_origin_name(a->app->origin));
        else
            snprintf(from, sizeof(from), "%s %s", tui_glyph(TUI_GLYPH_ARROW), a->parent);
        tui_put(y, xs[3], fromw - 1, sel ? base : (is_root(a) ? TUI_ROLE_DEFAULT : TUI_ROLE_MUTED),
                from);
        char size[32];
        tui_put(y, xs[4], sizew - 1, base,
                rel_size_human(size, sizeof(size), app_size(as, a->app)));
        if (modsw) {
            char mods[16];
            snprintf(mods, sizeof(mods), "%zu", a->app->modules.count);
            tui_put(y, xs[5], modsw, base, mods);
        }
    }
    if (as->list.nvisible == 0)
        tui_put(r.y + 1, r.x + 2, r.w - 2, TUI_ROLE_MUTED,
                as->model ? "no application matches the filter" : rel_error_message());
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct apps *as = v->data;
    sync(as);
    if (r.w >= 120) { /* side by side */
        int lw = r.w * 11 / 20;
        draw_list(as, (struct tui_rect){r.y, 0, r.h, lw});
        tui_vline(r.y, lw, r.h, TUI_ROLE_BORDER);
        draw_detail(as, (struct tui_rect){r.y, lw + 1, r.h, r.w - lw - 1});
    } else { /* stacked */
        int dh = r.h >= 14 ? r.h * 2 / 5 : 0;
        int lh = r.h - (dh ? dh + 1 : 0);
        draw_list(as, (struct tui_rect){r.y, 0, lh, r.w});
        if (dh) {
            tui_hline(r.y + lh, 0, r.w, TUI_ROLE_BORDER);
            draw_detail(as, (struct tui_rect){r.y + lh + 1, 0, dh, r.w});
        }
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct apps *as = v->data;
    sync(as);
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    if (as->model) {
        size_t e = rel_model_count(as->model, REL_SEVERITY_ERROR);
        size_t w = rel_model_count(as->model, REL_SEVERITY_WARNING);
        rel_buf_printf(out, "%zu apps", as->model->napps);
        if (e)
            rel_buf_printf(out, " %s %s %zu error%s", dot, tui_glyph(TUI_GLYPH_PROBLEM), e,
                           e == 1 ? "" : "s");
        if (w)
            rel_buf_printf(out, " %s %zu warning%s", dot, w, w == 1 ? "" : "s");
    }
    if (tui_session_dirty(tui_project_session(as->tp)))
        rel_buf_printf(out, " %s unsaved %s", dot, tui_glyph(TUI_GLYPH_CHANGED));
}

/* Set the mode of `app` (NULL mode: drop the explicit one); report what the
 * re-resolution says. */
static int set_mode(struct apps *as, const char *app, const char *mode)
{
    if (tui_project_pinned(as->tp)) {
        tui_message("an assembly is running: edits wait until it ends");
        return TUI_R_REDRAW;
    }
    size_t before = as->model ? rel_model_count(as->model, REL_SEVERITY_ERROR) : 0;
    struct tui_session *s = tui_project_session(as->tp);
    unsigned gen = tui_session_generation(s);
    if (tui_session_set_mode(s, as->release, app, mode) < 0) {
        tui_core_error(app);
        return TUI_R_REDRAW;
    }
    if (tui_session_generation(s) == gen) {
        tui_message("%s is already %s", app, mode ? mode : "at its default mode");
        return TUI_R_REDRAW;
    }
    sync(as);
    size_t after = as->model ? rel_model_count(as->model, REL_SEVERITY_ERROR) : 0;
    if (as->model && after > before) {
        const struct rel_problem *p = &as->model->problems[0];
        tui_error("%s: %s %s %s%s%s", app, mode ? mode : "default mode", tui_glyph(TUI_GLYPH_DOT),
                  p->app ? p->app : "", p->app ? ": " : "", p->message);
    } else {
        tui_message("%s: %s (not saved; u undoes, s saves)", app, mode ? mode : "default mode");
    }
    return TUI_R_REDRAW;
}

static int pick_done(void *ctx, int choice)
{
    struct apps *as = ctx;
    const char *app = selected_name(as);
    if (choice < 0 || !app)
        return TUI_R_REDRAW;
    char name[128];
    snprintf(name, sizeof(name), "%s", app);
    return set_mode(as, name, choice < 5 ? mode_names[choice] : NULL);
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct apps *as = v->data;
    sync(as);
    const char *app = selected_name(as);
    char name[128] = "";
    if (app)
        snprintf(name, sizeof(name), "%s", app);
    struct tui_session *s = tui_project_session(as->tp);
    char label[128];
    switch (a) {
    case TUI_ACT_MODE_PERMANENT:
    case TUI_ACT_MODE_TRANSIENT:
    case TUI_ACT_MODE_TEMPORARY:
    case TUI_ACT_MODE_LOAD:
    case TUI_ACT_MODE_NONE:
        if (!app)
            return TUI_R_NONE;
        return set_mode(as, name, mode_names[a - TUI_ACT_MODE_PERMANENT]);
    case TUI_ACT_MODE_RESET:
        if (!app)
            return TUI_R_NONE;
        return set_mode(as, name, NULL);
    case TUI_ACT_MODE_PICK: {
        if (!app)
            return TUI_R_NONE;
        static const char *const items[] = {"permanent", "transient",
                                            "temporary", "load",
                                            "none",      "default (drop the explicit mode)"};
        const struct rel_model_app *ma = row_app(as, tui_list_selected(&as->list));
        char title[160];
        snprintf(title, sizeof(title), "start mode of %s", name);
        tui_menu(title, items, 6, ma ? (int)ma->mode : 0, pick_done, as);
        return TUI_R_REDRAW;
    }
    case TUI_ACT_UNDO:
    case TUI_ACT_REDO:
        if (tui_project_pinned(as->tp)) {
            tui_message("an assembly is running: edits wait until it ends");
            return TUI_R_REDRAW;
        }
        if (a == TUI_ACT_REDO) {
            if (tui_session_redo(s, label, sizeof(label)))
                tui_message("redone: %s", label);
            else
                tui_message("nothing to redo");
            return TUI_R_REDRAW;
        }
        if (tui_session_undo(s, label, sizeof(label)))
            tui_message("undone: %s", label);
        else
            tui_message("nothing to undo");
        return TUI_R_REDRAW;
    case TUI_ACT_SAVE:
        if (!tui_session_dirty(s)) {
            tui_message("nothing to save");
        } else if (tui_session_save(s) < 0) {
            tui_core_error("save");
        } else {
            tui_message("saved %s", tui_session_path(s));
        }
        return TUI_R_REDRAW;
    case TUI_ACT_ASSEMBLE:
        return tui_assemble_start(as->tp, as->release);
    case TUI_ACT_PREVIEW:
        if (tui_preview_open(as->tp, as->release) < 0)
            tui_core_error(as->release);
        return TUI_R_REDRAW;
    case TUI_ACT_NEXT_PROBLEM: {
        for (size_t k = 1; k <= as->list.nvisible; k++) {
            size_t pos = (as->list.sel + k) % as->list.nvisible;
            size_t ri = as->list.visible[pos];
            if (as->rows[ri].app != SEPARATOR && as->rows[ri].severity >= 0) {
                as->list.sel = pos;
                return TUI_R_REDRAW;
            }
        }
        tui_message("no application has a problem");
        return TUI_R_REDRAW;
    }
    case TUI_ACT_NEXT_PANE:
        as->detail_focus = !as->detail_focus;
        return TUI_R_REDRAW;
    case TUI_ACT_MOVE_DOWN:
    case TUI_ACT_MOVE_UP:
    case TUI_ACT_PAGE_DOWN:
    case TUI_ACT_PAGE_UP:
    case TUI_ACT_MOVE_FIRST:
    case TUI_ACT_MOVE_LAST:
        if (!as->detail_focus) {
            as->detail_top = 0;
            return TUI_R_UNHANDLED; /* the list moves */
        }
        if (a == TUI_ACT_MOVE_DOWN)
            as->detail_top++;
        else if (a == TUI_ACT_MOVE_UP && as->detail_top > 0)
            as->detail_top--;
        else if (a == TUI_ACT_PAGE_DOWN)
            as->detail_top += 5;
        else if (a == TUI_ACT_PAGE_UP)
            as->detail_top = as->detail_top > 5 ? as->detail_top - 5 : 0;
        else if (a == TUI_ACT_MOVE_FIRST)
            as->detail_top = 0;
        else
            as->detail_top = 1 << 20; /* clamped when drawn */
        return TUI_R_REDRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static int command(struct tui_view *v, int argc, char **argv)
{
    struct apps *as = v->data;
    if (strcmp(argv[0], "mode") != 0)
        return TUI_R_UNHANDLED;
    if (argc != 3) {
        tui_error("usage: mode APP MODE (permanent, transient, temporary, load, none, default)");
        return TUI_R_REDRAW;
    }
    return set_mode(as, argv[1], strcmp(argv[2], "default") == 0 ? NULL : argv[2]);
}

static const char *const apps_commands[] = {
    "mode APP MODE|default - set the start mode of any application of the release", NULL};

static int reload(struct tui_view *v)
{
    struct apps *as = v->data;
    as->model = NULL; /* the releases screen below reloaded the project */
    free_sizes(as);
    sync(as);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct apps *as = v->data;
    sync(as);
    return &as->list;
}

static void destroy(struct tui_view *v)
{
    struct apps *as = v->data;
    tui_list_free(&as->list);
    free(as->rows);
    free_sizes(as);
    free(as);
}

static const struct tui_view_ops apps_ops = {
    .scope = TUI_SCOPEID_APPS,
    .draw = draw,
    .action = action,
    .command = command,
    .commands = apps_commands,
    .reload = reload,
    .status = status,
    .list = list,
    .text = text,
    .destroy = destroy,
};

int tui_apps_open(struct tui_project *tp, const char *name)
{
    if (!tui_project_model(tp, name))
        return rel_error_code() ? rel_error_code() : REL_ERESOLVE;
    struct apps *as = rel_calloc(1, sizeof(*as));
    as->tp = tp;
    snprintf(as->release, sizeof(as->release), "%s", name);
    tui_list_init(&as->list, row_text, row_selectable, as);
    sync(as);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s applications", name, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&apps_ops, as, crumb);
    return 0;
}
