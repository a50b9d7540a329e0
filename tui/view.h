/*
 * view.h - a screen of the TUI: a table of callbacks, in the style of tig.
 *
 * The screens form a stack (Releases › foo › applications); the top one
 * gets the keys and the content area between the title bar and the
 * key-hint bar. A view never repaints by itself: its handlers return
 * REACTION flags and the main loop redraws, reloads or quits.
 *
 * How to add a screen:
 *   1. write tui/NAME.c with a `static const struct tui_view_ops NAME_ops`
 *      (designated initialisers; NULL callbacks are fine) and a function
 *      `int tui_NAME_open(...)` that allocates its state and calls
 *      tui_push(&NAME_ops, state);
 *   2. add its keymap to TUI_SCOPE_TABLE and its actions to
 *      TUI_ACTION_TABLE in action.h;
 *   3. draw only through draw.h (roles, never colours) and keep every
 *      decision in core/: the view shows and dispatches.
 */
#ifndef TUI_VIEW_H
#define TUI_VIEW_H

#include "tui/action.h"
#include "tui/draw.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;
struct tui_list;
struct tui_view;

/* What a handler asks the main loop to do next. */
enum tui_reaction {
    TUI_R_NONE = 0,
    TUI_R_REDRAW = 1 << 0,    /* repaint the screen */
    TUI_R_RELOAD = 1 << 1,    /* call every view's reload(), then repaint */
    TUI_R_QUIT = 1 << 2,      /* leave relman (asks first if anything is unsaved) */
    TUI_R_CLOSE = 1 << 3,     /* pop this view */
    TUI_R_UNHANDLED = 1 << 4, /* not this view's: apply the generic meaning */
};

struct tui_view_ops {
    enum tui_scope_id scope; /* the keymap and help section of this screen */
    /* Paint the content area `r` (already blank). */
    void (*draw)(struct tui_view *v, struct tui_rect r);
    /* Handle an action; reaction flags (TUI_R_UNHANDLED to pass it on). */
    int (*action)(struct tui_view *v, enum tui_action a);
    /* Handle a `:` command the view knows (argv[0] is its name); reaction
     * flags, TUI_R_UNHANDLED when the name is not the view's. Errors go to
     * tui_error(). */
    int (*command)(struct tui_view *v, int argc, char **argv);
    /* Names of the view's own commands, for completion and help
     * (NULL-terminated; "name ARGS — help" strings). */
    const char *const *commands;
    /* Candidates for the first argument of the view's command `cmd` that
     * start with `prefix` (strings owned by the view, valid until it
     * changes), up to `max`; how many. NULL: none. */
    size_t (*complete)(struct tui_view *v, const char *cmd, const char *prefix, const char **out,
                       size_t max);
    /* Re-read the data the view shows (TUI_R_RELOAD); 0 or REL_E*. */
    int (*reload)(struct tui_view *v);
    /* Short state shown at the right of the title bar ("9 apps · 1 problem"). */
    void (*status)(struct tui_view *v, struct rel_buf *out);
    /* The focused list, for movement, `/` filter and help; NULL if none. */
    struct tui_list *(*list)(struct tui_view *v);
    /* The whole text of the selected row — what the screen shows of it in a
     * pane, uncut: details, every problem in full — for the show-text
     * pager; NULL (or nothing appended) when the screen has none. */
    void (*text)(struct tui_view *v, struct rel_buf *out);
    /* Whether closing the whole program would lose unsaved work. */
    bool (*dirty)(struct tui_view *v);
    /* Free the view's state. */
    void (*destroy)(struct tui_view *v);
};

struct tui_view {
    const struct tui_view_ops *ops;
    void *data;     /* the view's state, owned by the view (freed in destroy) */
    char crumb[64]; /* its part of the breadcrumbs */
    bool closing;   /* set by tui_close_later() */
};

/*
 * The view stack (view.c). At most 16 views: pushing onto a full stack
 * destroys the oldest view above the root.
 */

/* Push a new view on the stack; it is shown at once. `crumb` names it in the
 * title bar. Returns the view (owned by the stack). */
struct tui_view *tui_push(const struct tui_view_ops *ops, void *data, const char *crumb);

/* The view on top of the stack, and the view below `v` (NULL at the root). */
struct tui_view *tui_top(void);
struct tui_view *tui_below(struct tui_view *v);

/* Take view `v` off the stack once the current key has been handled (a
 * view may ask this for itself: the guided setup gives way to the Releases
 * screen it opened). */
void tui_close_later(struct tui_view *v);

/* ---- for the frame (ui.c) */

/* How many views are on the stack; the view at `i` (0 is the root). */
int tui_view_depth(void);
struct tui_view *tui_view_at(int i);
/* Destroy the top view (nothing when the stack is empty). */
void tui_view_pop(void);
/* Destroy the views marked by tui_close_later() (none while the stack holds
 * only one view). */
void tui_view_reap(void);
/* The top view's focused list, or NULL. */
struct tui_list *tui_view_top_list(void);
/* The topmost view with unsaved work, or NULL. */
struct tui_view *tui_view_dirty(void);

#endif
