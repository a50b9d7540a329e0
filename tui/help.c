/*
 * help.c - the help screen.
 */
#include "tui/help.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "tui/cmdline.h"
#include "tui/list.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row_kind { ROW_SECTION, ROW_ACTION, ROW_COMMAND };

struct row {
    enum row_kind kind;
    char keys[96];
    char name[48];
    char text[200];
};

struct help {
    enum tui_scope_id for_scope;
    struct row *rows;
    size_t n, cap;
    struct tui_list list;
};

static struct row *add_row(struct help *h, enum row_kind kind)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->rows = rel_reallocarray(h->rows, h->cap, sizeof(*h->rows));
    }
    struct row *r = &h->rows[h->n++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    return r;
}

static void add_scope(struct help *h, enum tui_scope_id scope)
{
    struct row *sec = add_row(h, ROW_SECTION);
    snprintf(sec->text, sizeof(sec->text), "%s (%s)", tui_scope_describe(scope),
             tui_scope_name(scope));
    for (int a = 1; a < TUI_ACT_COUNT; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        if (!(info->scope & (1u << scope)))
            continue;
        struct row *r = add_row(h, ROW_ACTION);
        char keys[96];
        tui_keymap_keys(scope, (enum tui_action)a, keys, sizeof(keys));
        /* A generic action the screen took the key of: list what is left. */
        snprintf(r->keys, sizeof(r->keys), "%s", keys[0] ? keys : "-");
        snprintf(r->name, sizeof(r->name), "%s", info->name);
        snprintf(r->text, sizeof(r->text), "%s", info->help);
    }
}

static void build(struct help *h)
{
    h->n = 0;
    if (h->for_scope != TUI_SCOPEID_GENERIC && h->for_scope != TUI_SCOPEID_HELP)
        add_scope(h, h->for_scope);
    add_scope(h, TUI_SCOPEID_GENERIC);
    struct row *sec = add_row(h, ROW_SECTION);
    snprintf(sec->text, sizeof(sec->text),
             "commands (type : then the name; every action above is a command too)");
    const char *names[32], *args[32], *helps[32];
    size_t n = tui_builtin_commands(names, args, helps, 32);
    for (size_t i = 0; i < n; i++) {
        struct row *r = add_row(h, ROW_COMMAND);
        snprintf(r->keys, sizeof(r->keys), ":%s%s%s", names[i], args[i][0] ? " " : "", args[i]);
        snprintf(r->text, sizeof(r->text), "%s", helps[i]);
    }
    tui_list_set_count(&h->list, h->n);
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct help *h = ctx;
    const struct row *r = &h->rows[i];
    snprintf(buf, size, "%s %s %s", r->keys, r->name, r->text);
    return buf;
}

static bool row_selectable(void *ctx, size_t i)
{
    struct help *h = ctx;
    return h->rows[i].kind != ROW_SECTION;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct help *h = v->data;
    int keyw = 20, namew = 22;
    if (r.w < 100) {
        keyw = 16;
        namew = 19;
    }
    int textx = 2 + keyw + 1 + namew + 1;
    tui_put(r.y, 2, keyw, TUI_ROLE_HEADER, "KEYS");
    tui_put(r.y, 2 + keyw + 1, namew, TUI_ROLE_HEADER, "ACTION");
    tui_put(r.y, textx, r.w - textx, TUI_ROLE_HEADER, "WHAT IT DOES");
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &h->list, (struct tui_rect){r.y + 1, 0, r.h - 1, r.w},
                  &(struct tui_list_look){.cursor_w = 2, .fill = true});
    while (tui_list_rows_next(&it, &lr)) {
        const struct row *hr = &h->rows[lr.row];
        int y = lr.y;
        if (hr->kind == ROW_SECTION) {
            char line[256];
            snprintf(line, sizeof(line), "%s %s %s", tui_glyph(TUI_GLYPH_HLINE), hr->text,
                     tui_glyph(TUI_GLYPH_HLINE));
            tui_put(y, 1, r.w - 2, TUI_ROLE_MUTED, line);
            continue;
        }
        bool sel = lr.selected;
        enum tui_role role = lr.role;
        if (hr->kind == ROW_COMMAND) {
            tui_put(y, 2, keyw + 1 + namew, sel ? role : TUI_ROLE_KEY, hr->keys);
        } else {
            tui_put(y, 2, keyw, sel ? role : TUI_ROLE_KEY, hr->keys);
            tui_put(y, 2 + keyw + 1, namew, role, hr->name);
        }
        tui_put(y, textx, r.w - textx, role, hr->text);
    }
    if (h->list.nvisible == 0)
        tui_put(r.y + 1, 2, r.w - 2, TUI_ROLE_MUTED, "no action matches the filter");
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct help *h = v->data;
    size_t actions = 0;
    for (size_t i = 0; i < h->n; i++)
        actions += h->rows[i].kind == ROW_ACTION;
    rel_buf_printf(out, "%zu actions %s theme %s", actions, tui_glyph(TUI_GLYPH_DOT),
                   tui_theme_name());
}

static struct tui_list *list(struct tui_view *v)
{
    struct help *h = v->data;
    return &h->list;
}

static int reload(struct tui_view *v)
{
    build(v->data);
    return 0;
}

static int action(struct tui_view *v, enum tui_action a)
{
    /* Keys may have been rebound with :bind since the screen opened. */
    if (a == TUI_ACT_REDRAW)
        build(v->data);
    return TUI_R_UNHANDLED;
}

static void destroy(struct tui_view *v)
{
    struct help *h = v->data;
    tui_list_free(&h->list);
    free(h->rows);
    free(h);
}

/* show-text: the selected row whole (its keys, name and help uncut). */
static void text(struct tui_view *v, struct rel_buf *out)
{
    struct help *h = v->data;
    size_t sel = tui_list_selected(&h->list);
    if (sel == TUI_LIST_NONE || sel >= h->n)
        return;
    const struct row *r = &h->rows[sel];
    if (r->kind == ROW_ACTION)
        rel_buf_printf(out, "%s\nkeys: %s\n%s\n", r->name, r->keys, r->text);
    else
        rel_buf_printf(out, "%s%s%s\n", r->keys, r->keys[0] ? "\n" : "", r->text);
}

static const struct tui_view_ops help_ops = {
    .scope = TUI_SCOPEID_HELP,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .text = text,
    .destroy = destroy,
};

int tui_help_open(enum tui_scope_id for_scope)
{
    struct help *h = rel_calloc(1, sizeof(*h));
    h->for_scope = for_scope;
    tui_list_init(&h->list, row_text, row_selectable, h);
    build(h);
    tui_push(&help_ops, h, "help");
    return 0;
}
