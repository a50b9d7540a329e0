/*
 * pager.c - one text, read-only, searchable, scrolled sideways: a file of
 * Inspect, a node's log, or the whole text of a row and the last messages
 * (show-text), which arrives wrapped to the screen.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

struct pager {
    char title[256];
    struct tui_textview text;
};

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct pager *pg = v->data;
    tui_textview_draw(&pg->text, r);
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct pager *pg = v->data;
    rel_buf_printf(out, "%s %s %zu lines", pg->title, tui_glyph(TUI_GLYPH_DOT), pg->text.nlines);
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct pager *pg = v->data;
    return tui_textview_action(&pg->text, a);
}

static struct tui_list *list(struct tui_view *v)
{
    struct pager *pg = v->data;
    return &pg->text.list;
}

static void destroy(struct tui_view *v)
{
    struct pager *pg = v->data;
    tui_textview_free(&pg->text);
    free(pg);
}

static const struct tui_view_ops pager_ops = {
    .scope = TUI_SCOPEID_PAGER,
    .draw = draw,
    .action = action,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_pager_open(const char *crumb, const char *title, const char *text)
{
    struct pager *pg = rel_calloc(1, sizeof(*pg));
    snprintf(pg->title, sizeof(pg->title), "%s", title);
    tui_textview_init(&pg->text);
    tui_textview_set(&pg->text, text);
    tui_push(&pager_ops, pg, crumb);
    return 0;
}

/* `text` wrapped to `width` cells into `out`; continuation lines indented. */
static void wrap_into(struct rel_buf *out, const char *text, int width)
{
    size_t n = tui_wrap(text, width, 2, NULL, 0);
    struct tui_span *sp = rel_calloc(n ? n : 1, sizeof(*sp));
    tui_wrap(text, width, 2, sp, n);
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(out, "%*s%.*s\n", sp[i].indent, "", (int)sp[i].len, text + sp[i].off);
    free(sp);
}

int tui_pager_show_text(struct tui_view *v)
{
    int width = COLS - 6 > 20 ? COLS - 6 : 20; /* the pager's line numbers take 5 */
    struct rel_buf row = REL_BUF_INIT, msgs = REL_BUF_INIT, all = REL_BUF_INIT;
    if (v && v->ops->status) { /* the title bar's state, which may be cut there */
        struct rel_buf st = REL_BUF_INIT;
        v->ops->status(v, &st);
        if (st.len) {
            char *line = rel_asprintf("%s: %s", v->crumb, rel_buf_cstr(&st));
            wrap_into(&all, line, width);
            rel_buf_putc(&all, '\n');
            free(line);
        }
        rel_buf_free(&st);
    }
    if (v && v->ops->text)
        v->ops->text(v, &row);
    tui_message_history(&msgs);
    if (row.len) {
        wrap_into(&all, rel_buf_cstr(&row), width);
        rel_buf_putc(&all, '\n');
    }
    rel_buf_puts(&all, "messages, the last first:\n");
    if (msgs.len)
        wrap_into(&all, rel_buf_cstr(&msgs), width);
    else
        rel_buf_puts(&all, "  (none yet)\n");
    int rc = tui_pager_open("text", "full text", rel_buf_cstr(&all));
    rel_buf_free(&row);
    rel_buf_free(&msgs);
    rel_buf_free(&all);
    return rc;
}
