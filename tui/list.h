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
 * Movement actions (move-up/down, page-up/down, move-first/last). Returns
 * TUI_R_REDRAW when handled, TUI_R_UNHANDLED for other actions.
 */
int tui_list_action(struct tui_list *l, enum tui_action a);

/* Before drawing `height` rows: remember the page size and scroll so the
 * selection is visible. */
void tui_list_layout(struct tui_list *l, int height);

#endif
