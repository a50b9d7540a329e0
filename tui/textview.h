/*
 * textview.h - a scrollable, searchable block of text with line numbers:
 * the body of the Preview screen and of the pager (a file of an inspected
 * release). The text is shown as given: callers mask secrets first
 * (mask.h).
 */
#ifndef TUI_TEXTVIEW_H
#define TUI_TEXTVIEW_H

#include "tui/draw.h"
#include "tui/list.h"

#include <stdbool.h>
#include <stddef.h>

struct tui_textview {
    char *copy; /* the text, split into lines in place */
    char **lines;
    size_t nlines;
    char search[128];
    struct tui_list list; /* one row per line; the selection is the cursor line */
    int left;             /* cells scrolled sideways (scroll-left / scroll-right) */
    int width, widest;    /* of the text area when last drawn; of the widest line */
    /* the role of a line's text (NULL: default), e.g. by a diff's marker */
    enum tui_role (*line_role)(const char *line);
};

void tui_textview_init(struct tui_textview *t);
void tui_textview_free(struct tui_textview *t);
/* Replace the text (copied). */
void tui_textview_set(struct tui_textview *t, const char *text);
void tui_textview_draw(struct tui_textview *t, struct tui_rect r);
/* Move to the next (dir 1) or previous (-1) line with the search text;
 * whether one was found. */
bool tui_textview_find(struct tui_textview *t, int dir, bool include_current);
/* Handle search / find-next / find-prev (opens the prompt for search) and
 * scroll-left / scroll-right (half a screen sideways; a line scrolled off
 * shows as "<" at the left);
 * reaction flags, TUI_R_UNHANDLED for other actions. */
int tui_textview_action(struct tui_textview *t, int action);

#endif
