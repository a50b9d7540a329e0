/*
 * list.c - selection, scrolling and filtering of a view's rows.
 */
#include "tui/list.h"

#include "core/alloc.h"
#include "tui/view.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void tui_list_init(struct tui_list *l,
                   const char *(*row_text)(void *ctx, size_t row, char *buf, size_t size),
                   bool (*selectable)(void *ctx, size_t row), void *ctx)
{
    memset(l, 0, sizeof(*l));
    l->row_text = row_text;
    l->selectable = selectable;
    l->ctx = ctx;
    l->page = 10;
}

static void forget_drawn(const struct tui_list *l);

void tui_list_free(struct tui_list *l)
{
    forget_drawn(l);
    free(l->visible);
    l->visible = NULL;
    l->nvisible = l->count = 0;
}

static bool is_selectable(const struct tui_list *l, size_t row)
{
    return !l->selectable || l->selectable(l->ctx, row);
}

/* Case-insensitive substring search. */
static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool matches_text(const struct tui_list *l, size_t row, const char *f)
{
    if (!is_selectable(l, row))
        return false;
    bool invert = f[0] == '!';
    if (invert)
        f++;
    char buf[512];
    const char *text = l->row_text ? l->row_text(l->ctx, row, buf, sizeof(buf)) : "";
    return contains(text ? text : "", f) != invert;
}

static bool matches(const struct tui_list *l, size_t row)
{
    const char *f = l->filter;
    if (!f[0])
        return true;
    return matches_text(l, row, f);
}

/* Move the selection to a selectable row, searching in direction `dir`
 * first and the other way when there is none. */
static void settle(struct tui_list *l, int dir)
{
    if (l->nvisible == 0) {
        l->sel = l->top = 0;
        return;
    }
    if (l->sel >= l->nvisible)
        l->sel = l->nvisible - 1;
    for (int pass = 0; pass < 2; pass++) {
        int d = pass == 0 ? dir : -dir;
        size_t i = l->sel;
        for (;;) {
            if (is_selectable(l, l->visible[i])) {
                l->sel = i;
                return;
            }
            if ((d < 0 && i == 0) || (d > 0 && i + 1 >= l->nvisible))
                break;
            i = d < 0 ? i - 1 : i + 1;
        }
    }
}

/* Recompute visible[]. The selection stays on the same model row when it is
 * still shown, else at the same position (clamped). */
static void refilter(struct tui_list *l)
{
    size_t keep = tui_list_selected(l);
    size_t pos = l->sel;
    free(l->visible);
    l->visible = rel_reallocarray(NULL, l->count ? l->count : 1, sizeof(size_t));
    l->nvisible = 0;
    for (size_t i = 0; i < l->count; i++)
        if (matches(l, i))
            l->visible[l->nvisible++] = i;
    l->sel = pos;
    if (keep != TUI_LIST_NONE)
        for (size_t i = 0; i < l->nvisible; i++)
            if (l->visible[i] == keep) {
                l->sel = i;
                break;
            }
    if (l->top > l->sel)
        l->top = l->sel;
    settle(l, 1);
}

void tui_list_set_count(struct tui_list *l, size_t count)
{
    l->count = count;
    refilter(l);
}

void tui_list_set_filter(struct tui_list *l, const char *filter)
{
    size_t n = strlen(filter);
    if (n >= sizeof(l->filter))
        n = sizeof(l->filter) - 1;
    memcpy(l->filter, filter, n);
    l->filter[n] = '\0';
    if (n && strcmp(filter, "!") != 0)
        memcpy(l->search, l->filter, n + 1);
    refilter(l);
}

size_t tui_list_selected(const struct tui_list *l)
{
    if (!l->visible || l->nvisible == 0 || l->sel >= l->nvisible)
        return TUI_LIST_NONE;
    return l->visible[l->sel];
}

bool tui_list_select(struct tui_list *l, size_t row)
{
    for (size_t i = 0; i < l->nvisible; i++)
        if (l->visible[i] == row) {
            l->sel = i;
            return true;
        }
    return false;
}

static void move_by(struct tui_list *l, long delta)
{
    if (l->nvisible == 0)
        return;
    long target = (long)l->sel + delta;
    if (target < 0)
        target = 0;
    if (target >= (long)l->nvisible)
        target = (long)l->nvisible - 1;
    size_t from = l->sel;
    l->sel = (size_t)target;
    settle(l, delta < 0 ? -1 : 1);
    /* At an end with only separators beyond: stay where we were. */
    if (!is_selectable(l, l->visible[l->sel]))
        l->sel = from;
}

int tui_list_find(struct tui_list *l, int dir)
{
    if (!l->search[0])
        return -1;
    for (size_t k = 1; k < l->nvisible; k++) {
        size_t pos = dir > 0 ? (l->sel + k) % l->nvisible
                             : (l->sel + l->nvisible - k % l->nvisible) % l->nvisible;
        if (matches_text(l, l->visible[pos], l->search)) {
            l->sel = pos;
            return 1;
        }
    }
    return 0;
}

int tui_list_action(struct tui_list *l, enum tui_action a)
{
    int page = l->page > 1 ? l->page - 1 : 1;
    switch (a) {
    case TUI_ACT_MOVE_DOWN:
        move_by(l, 1);
        break;
    case TUI_ACT_MOVE_UP:
        move_by(l, -1);
        break;
    case TUI_ACT_PAGE_DOWN:
        move_by(l, page);
        if (l->top + (size_t)l->page < l->nvisible)
            l->top += (size_t)page;
        break;
    case TUI_ACT_PAGE_UP:
        move_by(l, -page);
        l->top = l->top > (size_t)page ? l->top - (size_t)page : 0;
        break;
    case TUI_ACT_MOVE_FIRST:
        l->sel = 0;
        l->top = 0;
        settle(l, 1);
        break;
    case TUI_ACT_MOVE_LAST:
        l->sel = l->nvisible ? l->nvisible - 1 : 0;
        settle(l, -1);
        break;
    case TUI_ACT_FIND_NEXT:
    case TUI_ACT_FIND_PREV:
        tui_list_find(l, a == TUI_ACT_FIND_NEXT ? 1 : -1);
        break;
    default:
        return TUI_R_UNHANDLED;
    }
    return TUI_R_REDRAW;
}

void tui_list_layout(struct tui_list *l, int height)
{
    if (height < 1)
        height = 1;
    l->page = height;
    if (l->nvisible <= (size_t)height) {
        l->top = 0;
        return;
    }
    if (l->top + (size_t)height > l->nvisible)
        l->top = l->nvisible - (size_t)height;
    if (l->sel < l->top)
        l->top = l->sel;
    else if (l->sel >= l->top + (size_t)height)
        l->top = l->sel - (size_t)height + 1;
}

/* ---- the lists on screen, for the mouse */

#define MAX_DRAWN 8

struct drawn_list {
    struct tui_list *list;
    struct tui_rect r;
};
static struct drawn_list drawn[MAX_DRAWN];
static int ndrawn;

void tui_list_frame_begin(void)
{
    ndrawn = 0;
}

static void forget_drawn(const struct tui_list *l)
{
    for (int i = 0; i < ndrawn; i++)
        if (drawn[i].list == l)
            drawn[i--] = drawn[--ndrawn];
}

static void remember_drawn(struct tui_list *l, struct tui_rect r)
{
    forget_drawn(l);
    if (ndrawn < MAX_DRAWN)
        drawn[ndrawn++] = (struct drawn_list){l, r};
}

struct tui_list *tui_list_at(int y, int x, size_t *row)
{
    /* the last drawn first: a pane drawn over another wins */
    for (int i = ndrawn - 1; i >= 0; i--) {
        struct tui_list *l = drawn[i].list;
        struct tui_rect r = drawn[i].r;
        if (y < r.y || y >= r.y + r.h || x < r.x || x >= r.x + r.w)
            continue;
        size_t pos = l->top + (size_t)(y - r.y);
        if (pos >= l->nvisible || !is_selectable(l, l->visible[pos]))
            return NULL;
        *row = l->visible[pos];
        return l;
    }
    return NULL;
}

void tui_list_rows(struct tui_list_rows *it, struct tui_list *l, struct tui_rect r,
                   const struct tui_list_look *look)
{
    tui_list_layout(l, r.h);
    remember_drawn(l, r);
    it->list = l;
    it->r = r;
    it->look = *look;
    it->i = 0;
}

bool tui_list_rows_next(struct tui_list_rows *it, struct tui_list_row *row)
{
    struct tui_list *l = it->list;
    if (it->i >= it->r.h || l->top + (size_t)it->i >= l->nvisible)
        return false;
    size_t pos = l->top + (size_t)it->i;
    row->row = l->visible[pos];
    row->y = it->r.y + it->i;
    it->i++;
    row->selectable = is_selectable(l, row->row);
    row->selected = row->selectable && !it->look.hide && pos == l->sel;
    row->role = !row->selected      ? TUI_ROLE_DEFAULT
                : it->look.inactive ? TUI_ROLE_SELECTION_INACTIVE
                                    : TUI_ROLE_SELECTION;
    if (!row->selectable)
        return true;
    if (row->selected && it->look.fill)
        tui_fill(row->y, it->r.x, it->r.w, row->role);
    if (it->look.cursor_w > 0)
        tui_put(row->y, it->r.x, it->look.cursor_w, row->role,
                row->selected ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
    return true;
}
