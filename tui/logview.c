/*
 * logview.c - a pager that follows text as it comes (logview.h).
 */
#include "tui/logview.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "tui/list.h"
#include "tui/mask.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGVIEW_MAX (2u << 20)

struct logview {
    char title[256];
    struct rel_buf all; /* the text so far (the last LOGVIEW_MAX bytes, whole lines) */
    struct tui_textview text;
    bool ended;
    tui_logview_stop_fn stop;
    void *ctx;
};

static bool at_end(const struct logview *lv)
{
    const struct tui_list *l = &lv->text.list;
    return l->nvisible == 0 || l->sel + 1 >= l->nvisible;
}

/* Show `all` again, following when the cursor was on the last line. */
static void refresh_text(struct logview *lv)
{
    bool follow = at_end(lv);
    struct rel_buf shown = REL_BUF_INIT;
    rel_buf_put(&shown, lv->all.ptr ? lv->all.ptr : "", lv->all.len);
    tui_mask_secrets(&shown, NULL);
    tui_textview_set(&lv->text, rel_buf_cstr(&shown));
    rel_buf_free(&shown);
    if (follow)
        tui_list_action(&lv->text.list, TUI_ACT_MOVE_LAST);
    tui_redraw_request(false);
}

void tui_logview_append(struct tui_view *v, const char *text)
{
    struct logview *lv = v->data;
    for (const char *c = text; *c; c++)
        if (*c != '\r') /* run_erl writes CRLF */
            rel_buf_putc(&lv->all, *c);
    if (lv->all.len > LOGVIEW_MAX) {
        /* drop the oldest half, at a line end */
        const char *cut = memchr(lv->all.ptr + lv->all.len / 2, '\n', lv->all.len / 2);
        size_t drop = cut ? (size_t)(cut + 1 - lv->all.ptr) : lv->all.len / 2;
        memmove(lv->all.ptr, lv->all.ptr + drop, lv->all.len - drop);
        rel_buf_truncate(&lv->all, lv->all.len - drop);
    }
    refresh_text(lv);
}

void tui_logview_ended(struct tui_view *v, const char *why)
{
    struct logview *lv = v->data;
    lv->ended = true;
    lv->stop = NULL;
    if (lv->all.len && lv->all.ptr[lv->all.len - 1] != '\n')
        rel_buf_putc(&lv->all, '\n');
    rel_buf_printf(&lv->all, "-- %s --\n", why);
    refresh_text(lv);
}

void tui_logview_detach(struct tui_view *v)
{
    struct logview *lv = v->data;
    lv->stop = NULL;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct logview *lv = v->data;
    tui_textview_draw(&lv->text, r);
    if (lv->text.nlines == 0)
        tui_put(r.y, 2, r.w - 2, TUI_ROLE_MUTED, "waiting for the log…");
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct logview *lv = v->data;
    rel_buf_printf(out, "%s %s %zu lines %s %s", lv->title, tui_glyph(TUI_GLYPH_DOT),
                   lv->text.nlines, tui_glyph(TUI_GLYPH_DOT),
                   lv->ended    ? "ended"
                   : at_end(lv) ? "following"
                                : "paused (G follows)");
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct logview *lv = v->data;
    return tui_textview_action(&lv->text, a);
}

static struct tui_list *list(struct tui_view *v)
{
    struct logview *lv = v->data;
    return &lv->text.list;
}

static void destroy(struct tui_view *v)
{
    struct logview *lv = v->data;
    if (lv->stop)
        lv->stop(lv->ctx);
    tui_textview_free(&lv->text);
    rel_buf_free(&lv->all);
    free(lv);
}

static const struct tui_view_ops logview_ops = {
    .scope = TUI_SCOPEID_PAGER,
    .draw = draw,
    .action = action,
    .status = status,
    .list = list,
    .destroy = destroy,
};

struct tui_view *tui_logview_open(const char *crumb, const char *title, tui_logview_stop_fn stop,
                                  void *ctx)
{
    struct logview *lv = rel_calloc(1, sizeof(*lv));
    snprintf(lv->title, sizeof(lv->title), "%s", title);
    tui_textview_init(&lv->text);
    tui_textview_set(&lv->text, "");
    lv->stop = stop;
    lv->ctx = ctx;
    return tui_push(&logview_ops, lv, crumb);
}
