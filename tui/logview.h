/*
 * logview.h - a pager whose text grows while it is open: the node's log
 * followed live (the Targets screen's `F`, as `relman logs -f`).
 *
 * The view keeps the last LOGVIEW_MAX bytes of what was appended. When the
 * cursor is on the last line (as it is at first, and after `G`), it stays on
 * the last line as lines come: the view follows; moving up stops following
 * until `G`. Closing the view calls `stop` (the screen that streams into it
 * ends the remote command); tui_logview_detach() drops that call when the
 * streaming screen goes first.
 */
#ifndef TUI_LOGVIEW_H
#define TUI_LOGVIEW_H

struct tui_view;

typedef void (*tui_logview_stop_fn)(void *ctx);

/* Push a following pager named `crumb`, titled `title` in the title bar. */
struct tui_view *tui_logview_open(const char *crumb, const char *title, tui_logview_stop_fn stop,
                                  void *ctx);
/* Append streamed text (any pieces; lines end with '\n', '\r' dropped). */
void tui_logview_append(struct tui_view *v, const char *text);
/* The stream ended on its own (`why`, e.g. the connection was lost): shown
 * as the last line; `stop` will not be called. */
void tui_logview_ended(struct tui_view *v, const char *why);
void tui_logview_detach(struct tui_view *v);

#endif
