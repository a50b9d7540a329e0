/*
 * list.h - a scrollable, filterable list of rows: selection, paging, `/`.
 *
 * The list does not own the rows: it knows how many the view has and asks
 * the view for a row's text when filtering. It keeps the selection on the
 * same model row across filtering and reloads where that row still exists.
 * Rows the view marks unselectable (section separators) are skipped by the
 * cursor and hidden while a filter is active.
 */
#ifndef TUI_LIST_H
#define TUI_LIST_H

#include "tui/action.h"
#include "tui/draw.h"

#include <stdbool.h>
#include <stddef.h>

#define TUI_LIST_NONE ((size_t)-1)

struct tui_list {
    size_t count;    /* rows in the view's model */
    size_t *visible; /* model indexes of the rows shown, in order */
    size_t nvisible;
    size_t sel;       /* position in visible[] of the selected row */
    size_t top;       /* position in visible[] of the first row drawn */
    int page;         /* rows the view had room for at its last draw */
    char filter[128]; /* as typed; a leading '!' inverts */
    char search[128]; /* the last non-empty filter: what n / N look for */
    /* the text a filter matches against (buf is the view's to fill) */
    const char *(*row_text)(void *ctx, size_t row, char *buf, size_t size);
    /* may be NULL: every row selectable */
    bool (*selectable)(void *ctx, size_t row);
    void *ctx;
};

void tui_list_init(struct tui_list *l,
                   const char *(*row_text)(void *ctx, size_t row, char *buf, size_t size),
                   bool (*selectable)(void *ctx, size_t row), void *ctx);
void tui_list_free(struct tui_list *l);

/* The model now has `count` rows: re-filter, keeping the selected row. */
void tui_list_set_count(struct tui_list *l, size_t count);
/* Set the filter text and re-filter. */
void tui_list_set_filter(struct tui_list *l, const char *filter);
/* The selected model row, or TUI_LIST_NONE when the list shows nothing. */
size_t tui_list_selected(const struct tui_list *l);
/* Select model row `row` if it is shown; returns whether it was. */
bool tui_list_select(struct tui_list *l, size_t row);

/*
 * Movement actions (move-up/down, page-up/down, move-first/last,
 * find-next/prev). Returns TUI_R_REDRAW when handled, TUI_R_UNHANDLED for
 * other actions.
 */
int tui_list_action(struct tui_list *l, enum tui_action a);

/*
 * n / N: select the next (dir > 0) or previous shown row after the
 * selection that the last search (l->search) matches, wrapping at the ends.
 * Returns 1 when it moved, 0 when no other row matches, -1 when there was
 * no search yet. Changes nothing but the selection.
 */
int tui_list_find(struct tui_list *l, int dir);

/*
 * The mouse: every list drawn since tui_list_frame_begin() is remembered
 * with its area, so a click can be mapped to the list and row under it.
 * tui_list_free() forgets a list. tui_list_at() returns the list drawn at
 * screen cell (y, x) and sets *row to the model row there; NULL when no
 * list row is there.
 */
void tui_list_frame_begin(void);
struct tui_list *tui_list_at(int y, int x, size_t *row);

/* Before drawing `height` rows: remember the page size and scroll so the
 * selection is visible. */
void tui_list_layout(struct tui_list *l, int height);

/*
 * Drawing: every screen walks its visible rows the same way, so the walk
 * and the marking of the selected row live here and the screen draws only
 * each row's own text:
 *
 *     struct tui_list_rows it;
 *     struct tui_list_row row;
 *     tui_list_rows(&it, &s->list, (struct tui_rect){r.y + 1, 0, r.h - 1, r.w},
 *                   &(struct tui_list_look){.cursor_w = 2, .fill = true});
 *     while (tui_list_rows_next(&it, &row))
 *         tui_put(row.y, 2, r.w - 2, row.role, s->names[row.row]);
 */

/* How the selected row is marked. The zero value marks nothing and draws
 * the selected row's text in TUI_ROLE_SELECTION (row.role). */
struct tui_list_look {
    int cursor_w;  /* a cursor column of this many cells at the left: the
                      cursor glyph on the selected row, blank on the others */
    bool fill;     /* paint the selected row's whole width in its role */
    bool inactive; /* the focus is in another pane: TUI_ROLE_SELECTION_INACTIVE */
    bool hide;     /* show no selection at all (an unfocused log) */
};

/* One row to draw. */
struct tui_list_row {
    size_t row;         /* the model row */
    int y;              /* its screen line */
    bool selected;      /* the selected row (never when look.hide) */
    bool selectable;    /* false for separators: nothing was drawn for them */
    enum tui_role role; /* the selection's role when selected, else TUI_ROLE_DEFAULT */
};

/* The walk over the rows that fit (private: use the functions). */
struct tui_list_rows {
    struct tui_list *list;
    struct tui_rect r;
    struct tui_list_look look;
    int i;
};

/* Lay the list out in `r` (tui_list_layout with r.h rows) and start the
 * walk at the scroll offset; `look` is copied. */
void tui_list_rows(struct tui_list_rows *it, struct tui_list *l, struct tui_rect r,
                   const struct tui_list_look *look);
/* The next row on screen: fills `row` and, for a selectable row, paints the
 * selection (fill, cursor column) before the screen draws the rest. False
 * when no row is left or no line is. */
bool tui_list_rows_next(struct tui_list_rows *it, struct tui_list_row *row);

#endif
