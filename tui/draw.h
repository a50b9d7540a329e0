/*
 * draw.h - putting text on the screen, by role, clipped to a width.
 *
 * Everything a view paints goes through these helpers, so that clipping of
 * UTF-8 text by display width, the ASCII fallback for markers and the theme's
 * attributes are handled in one place. Coordinates are stdscr cells. Nothing
 * here repaints by itself: views draw when the main loop asks them to.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include "tui/theme.h"

#include <stdbool.h>
#include <stddef.h>

/* A rectangle of the screen given to a view or a pane. */
struct tui_rect {
    int y, x, h, w;
};

/* Markers that have a Unicode form and an ASCII fallback. Views name these,
 * never the glyphs, so a non-UTF-8 terminal still gets a marker. */
enum tui_glyph {
    TUI_GLYPH_CURSOR,    /* the selected row: ▶ / > */
    TUI_GLYPH_PROBLEM,   /* ! */
    TUI_GLYPH_CHANGED,   /* ● / * */
    TUI_GLYPH_OK,        /* ✓ / + */
    TUI_GLYPH_FAIL,      /* ✗ / x */
    TUI_GLYPH_CRUMB,     /* › / > */
    TUI_GLYPH_HLINE,     /* ─ / - */
    TUI_GLYPH_VLINE,     /* │ / | */
    TUI_GLYPH_BAR_FULL,  /* █ / # */
    TUI_GLYPH_BAR_EMPTY, /* ░ / . */
    TUI_GLYPH_DOT,       /* · / - */
    TUI_GLYPH_ARROW,     /* ← / < */
    TUI_GLYPH_ELLIPSIS,  /* … / ~ */
};

/* Whether the terminal locale is UTF-8 (set once by tui_draw_init). */
void tui_draw_init(bool force_ascii);
bool tui_draw_utf8(void);
const char *tui_glyph(enum tui_glyph g);

/* Display width of a UTF-8 string (invalid bytes count as one cell). */
int tui_text_width(const char *s);
/* The byte offset in `s` after its first `cells` cells (for text scrolled
 * sideways); strlen(s) when it is narrower. */
size_t tui_text_skip(const char *s, int cells);

/*
 * Put `text` at (y, x) in `role`, using at most `maxw` cells; text that does
 * not fit ends in an ellipsis. Returns the number of cells written. Control
 * characters are shown as '?', never sent to the terminal.
 */
int tui_put(int y, int x, int maxw, enum tui_role role, const char *text);
/* printf-style tui_put. */
int tui_putf(int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* As tui_put, then pad with spaces in `role` up to exactly `w` cells. */
int tui_put_padded(int y, int x, int w, enum tui_role role, const char *text);
/* Fill `w` cells at (y, x) with blanks in `role`. */
void tui_fill(int y, int x, int w, enum tui_role role);
/* A horizontal rule of `w` cells. */
void tui_hline(int y, int x, int w, enum tui_role role);
/* A vertical rule of `h` cells. */
void tui_vline(int y, int x, int h, enum tui_role role);

/* Copy `text` into `out` (size `outsz`) cut to at most `maxw` cells, with the
 * ellipsis when cut; returns the width of the result. */
int tui_clip(char *out, size_t outsz, const char *text, int maxw);

/*
 * Wrapping: the one way long text is broken into lines (messages, dialogs,
 * detail panes, setup choices, pagers of problems). A line ends at '\n', or
 * after the last blank that fits in `width` cells (the blank is dropped), or
 * mid-word when a word alone is wider; a line that continues a broken one
 * starts with `indent` blanks (0: none). Each line is a span of `text`.
 */
struct tui_span {
    size_t off, len; /* bytes of the line in the text */
    int indent;      /* blanks to put before it (a continuation line) */
};
/* The lines of `text` wrapped to `width` (>= 1) cells into lines[0..max);
 * returns how many lines the whole text needs (it may be more than max). */
size_t tui_wrap(const char *text, int width, int indent, struct tui_span *lines, size_t max);
/* Draw `text` wrapped into `r` (rows past r.h are not drawn); returns the
 * number of rows the whole text needs, so a caller can size a pane by it. */
int tui_put_wrapped(struct tui_rect r, int indent, enum tui_role role, const char *text);
/* A frame around `r` with corners (line drawing, or +-| in ASCII), the
 * inside left as it is. */
void tui_box(struct tui_rect r, enum tui_role role);

/*
 * The screen needs painting. Whatever changes what is shown outside a view's
 * reaction flags (a message, a prompt opening, a view pushed) asks for it
 * here; the main loop paints when tui_redraw_pending(). `full`: every cell is
 * sent again at the next paint (after a theme change, a resize or a program
 * that had the terminal). tui_draw_init() clears both requests.
 */
void tui_redraw_request(bool full);
bool tui_redraw_pending(void);
/* For the main loop, when it paints: returns whether a full paint was asked
 * (and forgets it); tui_redraw_done() forgets the pending request. */
bool tui_redraw_take_full(void);
void tui_redraw_done(void);

#endif
