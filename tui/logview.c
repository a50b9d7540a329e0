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
    struct rel_buf all;     /* the text so far, masked (the last LOGVIEW_MAX bytes) */
    struct rel_buf partial; /* a line not ended yet (masked once whole) */
    bool stale;             /* `all` grew since the textview was set */
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

/* Show `all` again (once per frame, however many pieces came), following
 * when the cursor was on the last line. */
static void refresh_text(struct logview *lv)
{
    if (!lv->stale)
        return;
    lv->stale = false;
    bool follow = at_end(lv);
    tui_textview_set(&lv->text, rel_buf_cstr(&lv->all));
    if (follow)
        tui_list_action(&lv->text.list, TUI_ACT_MOVE_LAST);
}

/* Whole lines of `partial` (or all of it with `flush`) go to `all`, masked
 * line by line: a secret is never split between two pieces. */
static void take_lines(struct logview *lv, bool flush)
{
    const char *p = lv->partial.ptr;
    size_t n = lv->partial.len;
    while (!flush && n > 0 && p[n - 1] != '\n')
        n--;
    if (!n)
        return;
    struct rel_buf lines = REL_BUF_INIT;
    rel_buf_put(&lines, p, n);
    tui_mask_secrets(&lines, NULL);
    rel_buf_put(&lv->all, lines.ptr, lines.len);
    rel_buf_free(&lines);
    memmove(lv->partial.ptr, p + n, lv->partial.len - n);
    rel_buf_truncate(&lv->partial, lv->partial.len - n);
    lv->stale = true;
    tui_redraw_request(false);
}

void tui_logview_append(struct tui_view *v, const char *text)
{
    struct logview *lv = v->data;
    for (const char *c = text; *c; c++)
        if (*c != '\r') /* run_erl writes CRLF */
            rel_buf_putc(&lv->partial, *c);
    take_lines(lv, lv->partial.len > 64 * 1024); /* a "line" that long is shown as it is */
    if (lv->all.len > LOGVIEW_MAX) {
        /* drop the oldest half, at a line end */
        const char *cut = memchr(lv->all.ptr + lv->all.len / 2, '\n', lv->all.len / 2);
        size_t drop = cut ? (size_t)(cut + 1 - lv->all.ptr) : lv->all.len / 2;
        memmove(lv->all.ptr, lv->all.ptr + drop, lv->all.len - drop);
        rel_buf_truncate(&lv->all, lv->all.len - drop);
    }
}

void tui_logview_ended(struct tui_view *v, const char *why)
{
    struct logview *lv = v->data;
    lv->ended = true;
    lv->stop = NULL;
    take_lines(lv, true);
    if (lv->all.len && lv->all.ptr[lv->all.len - 1] != '\n')
        rel_buf_putc(&lv->all, '\n');
    rel_buf_printf(&lv->all, "-- %s --\n", why);
    lv->stale = true;
    tui_redraw_request(false);
}

void tui_logview_detach(struct tui_view *v)
{
    struct logview *lv = v->data;
    lv->stop = NULL;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct logview *lv = v->data;
    refresh_text(lv);
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
    refresh_text(lv); /* keys act on what is shown */
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
    rel_buf_free(&lv->partial);
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
