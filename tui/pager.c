/*
 * pager.c - one file's text, read-only, searchable (used by Inspect).
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

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
