/*
 * ui.h - what views use from the framework: the view stack (view.h),
 * messages (message.h), prompts, menus and confirmations (dialog.h), the
 * terminal for another program (tty.h), and background file descriptors
 * watched by the main loop (here).
 *
 * All of it runs on the one UI thread, from the main loop in ui.c. Nothing
 * here blocks: a prompt or menu opens and its callback runs later, when the
 * user answers.
 */
#ifndef TUI_UI_H
#define TUI_UI_H

#include "tui/dialog.h"
#include "tui/message.h"
#include "tui/tty.h"
#include "tui/view.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Watch a file descriptor in the main loop's poll(): `fn` runs on the UI
 * thread when it is ready (events as for poll). Returns 0, or REL_ELIMIT when
 * too many are watched. Unwatch before closing the fd.
 */
typedef int (*tui_fd_fn)(void *ctx, int fd, short revents);
int tui_watch(int fd, short events, tui_fd_fn fn, void *ctx);
void tui_unwatch(int fd);

/* ---- for the entry point (tui.c) */

struct tui_script;

/*
 * The main loop, once the terminal is open and the first view pushed: until
 * the user quits, SIGTERM/SIGHUP, or (headless, with `script`) the script
 * ends. `dump_dir`: where screen dumps go (NULL: "."). Returns 0 or the
 * script's error (a step that failed or timed out; then the screen is also
 * written to DUMP_DIR/timeout.txt).
 */
int tui_ui_run(struct tui_script *script, const char *dump_dir);
/* Destroy every view and close the open dialog (the program is ending). */
void tui_ui_close(void);

#endif
