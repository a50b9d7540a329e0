/*
 * textview.c - lines, line numbers, search with highlighted matches.
 */
#include "tui/textview.h"

#include "core/alloc.h"
#include "tui/action.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    (void)buf;
    (void)size;
    struct tui_textview *t = ctx;
    return i < t->nlines ? t->lines[i] : "";
}

void tui_textview_init(struct tui_textview *t)
{
    memset(t, 0, sizeof(*t));
    tui_list_init(&t->list, row_text, NULL, t);
}

void tui_textview_free(struct tui_textview *t)
{
    free(t->copy);
    free(t->lines);
    t->copy = NULL;
    t->lines = NULL;
    t->nlines = 0;
    tui_list_free(&t->list);
}

void tui_textview_set(struct tui_textview *t, const char *text)
{
    free(t->copy);
    free(t->lines);
    t->copy = rel_strdup(text);
    t->nlines = 0;
    size_t cap = 16;
    t->lines = rel_calloc(cap, sizeof(char *));
    for (char *p = t->copy; *p;) {
        if (t->nlines == cap) {
            cap *= 2;
            t->lines = rel_reallocarray(t->lines, cap, sizeof(char *));
        }
        t->lines[t->nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    tui_list_set_count(&t->list, t->nlines);
    t->widest = 0;
    for (size_t i = 0; i < t->nlines; i++) {
        int w = tui_text_width(t->lines[i]);
        if (w > t->widest)
            t->widest = w;
    }
    if (t->left > t->widest)
        t->left = 0;
}

void tui_textview_draw(struct tui_textview *t, struct tui_rect r)
{
    int numw = 5;
    size_t slen = strlen(t->search);
    struct tui_list_rows it;
    struct tui_list_row lr;
    t->width = r.w - numw;
    tui_list_rows(&it, &t->list, r, &(struct tui_list_look){0});
    while (tui_list_rows_next(&it, &lr)) {
        size_t i = lr.row;
        int y = lr.y;
        tui_putf(y, r.x, numw, lr.selected ? TUI_ROLE_SELECTION : TUI_ROLE_MUTED, "%4zu ", i + 1);
        const char *line = t->lines[i];
        int cx = r.x + numw, end = r.x + r.w;
        if (t->left > 0) { /* scrolled sideways: the text from column `left` on */
            size_t skip = tui_text_skip(line, t->left);
            if (skip > 0)
                cx += tui_put(y, cx, 1, TUI_ROLE_MUTED, "<");
            line += skip;
        }
        const char *hit = slen ? strstr(line, t->search) : NULL;
        enum tui_role role = t->line_role ? t->line_role(line) : TUI_ROLE_DEFAULT;
        if (!hit) {
            tui_put(y, cx, end - cx, role, line);
            continue;
        }
        const char *p = line;
        while (hit && cx < end) {
            char part[1024];
            snprintf(part, sizeof(part), "%.*s", (int)(hit - p), p);
            cx += tui_put(y, cx, end - cx, role, part);
            snprintf(part, sizeof(part), "%.*s", (int)slen, hit);
            cx += tui_put(y, cx, end - cx, TUI_ROLE_MATCH, part);
            p = hit + slen;
            hit = strstr(p, t->search);
        }
        if (cx < end)
            tui_put(y, cx, end - cx, role, p);
    }
}

bool tui_textview_find(struct tui_textview *t, int dir, bool include_current)
{
    if (!t->search[0] || t->nlines == 0)
        return false;
    size_t n = t->nlines, start = tui_list_selected(&t->list);
    if (start == TUI_LIST_NONE)
        start = 0;
    for (size_t k = include_current ? 0 : 1; k <= n; k++) {
        size_t i = dir > 0 ? (start + k) % n : (start + n - (k % n)) % n;
        if (strstr(t->lines[i], t->search)) {
            tui_list_select(&t->list, i);
            return true;
        }
    }
    return false;
}

static int search_prompt(void *ctx, const char *text, bool done, bool canceled)
{
    struct tui_textview *t = ctx;
    snprintf(t->search, sizeof(t->search), "%s", canceled ? "" : text);
    if (t->search[0] && !tui_textview_find(t, 1, true) && done)
        tui_error("'%s' not found", t->search);
    return TUI_R_REDRAW;
}

int tui_textview_action(struct tui_textview *t, int action)
{
    switch (action) {
    case TUI_ACT_SEARCH:
        tui_prompt("/", t->search, TUI_PROMPT_INCREMENTAL, search_prompt, t);
        return TUI_R_REDRAW;
    case TUI_ACT_FIND_NEXT:
    case TUI_ACT_FIND_PREV:
        if (!t->search[0])
            tui_message("no search yet: / searches");
        else if (!tui_textview_find(t, action == TUI_ACT_FIND_NEXT ? 1 : -1, false))
            tui_error("'%s' not found", t->search);
        return TUI_R_REDRAW;
    case TUI_ACT_SCROLL_LEFT:
    case TUI_ACT_SCROLL_RIGHT: {
        int step = t->width / 2 > 8 ? t->width / 2 : 8;
        int most = t->widest - t->width + 1;
        t->left += action == TUI_ACT_SCROLL_RIGHT ? step : -step;
        if (t->left > most)
            t->left = most;
        if (t->left < 0)
            t->left = 0;
        if (t->left == 0 && action == TUI_ACT_SCROLL_RIGHT)
            tui_message("every line fits: nothing to scroll sideways");
        return TUI_R_REDRAW;
    }
    default:
        return TUI_R_UNHANDLED;
    }
}
