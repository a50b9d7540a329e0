/*
 * tty.h - the terminal: opening curses on it (or on /dev/null in the
 * headless mode), its modes, the signals that end or interrupt the TUI, and
 * handing the terminal to another program for a while.
 */
#ifndef TUI_TTY_H
#define TUI_TTY_H

#include <stdbool.h>

struct tui_options;

/*
 * Leave curses for a program that needs the terminal itself (the remote
 * console), the way tig runs an external viewer: the screen's modes are
 * saved (def_prog_mode) and the terminal handed back in its shell modes
 * (endwin); `fn` runs with the terminal's fds; then the modes are restored
 * (reset_prog_mode), a size change meanwhile is picked up, and the whole
 * screen is redrawn. Returns what `fn` returns; REL_EUSAGE (and `fn` is not
 * called) in the headless mode, which has no terminal.
 */
typedef int (*tui_external_fn)(void *ctx, int in_fd, int out_fd);
int tui_external(tui_external_fn fn, void *ctx);
/* Whether tui_external() can run (false in the headless mode). */
bool tui_can_external(void);

/* ---- for the entry point (tui.c) and the main loop (ui.c) */

/*
 * Start curses. Interactive: on stdin/stdout when both are terminals, else
 * on /dev/tty; needs a TERM that can move the cursor. Headless: a screen of
 * opts->lines x opts->cols (0: RELMAN_TUI_SIZE or 80x24) writing to
 * opts->ttylog (NULL: RELMAN_TUI_TTYLOG or /dev/null), reading nothing.
 * Then sets the modes (tui_tty_modes). Returns 0, REL_EUNSUPPORTED (no
 * terminal, no usable terminfo), REL_EUSAGE (bad RELMAN_TUI_SIZE) or
 * REL_EIO, with the message set. tui_tty_close() undoes it (also after a
 * failure).
 */
int tui_tty_open(const struct tui_options *opts, bool headless);
void tui_tty_close(void);
/* The modes the TUI runs in: cbreak, no echo, keypad, non-blocking reads,
 * no cursor. */
void tui_tty_modes(void);
/* The fd keys are read from (for poll). */
int tui_tty_fd(void);

/* SIGINT/SIGTERM/SIGHUP only set flags read below; fatal signals restore
 * the terminal and die of the same signal; SIGPIPE is ignored. */
void tui_tty_signals_install(void);
void tui_tty_signals_restore(void);
/* Whether SIGTERM or SIGHUP came (the TUI ends); whether SIGINT came since
 * the last call (the TUI asks to quit). */
bool tui_tty_got_term(void);
bool tui_tty_take_int(void);

#endif
