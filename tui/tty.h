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

/*
 * Edit `path` in $VISUAL, else $EDITOR, else vi, through tui_external: the
 * command is run by /bin/sh with the path as its argument (so EDITOR may
 * carry options: "code -w"). Returns 0 when the editor exited 0, REL_EIO
 * (message naming the command) otherwise, REL_EUSAGE in the headless mode.
 */
int tui_tty_edit(const char *path);

/*
 * The mouse (interactive only): on, the terminal reports clicks and the
 * wheel in the SGR 1006 encoding (ESC [ < B ; X ; Y M|m), which curses
 * hands over as the key TUI_KEY_MOUSE followed by the characters
 * "B;X;YM"; tui_tty_mouse_parse reads them. Off while another program has
 * the terminal (tui_external) and after tui_tty_close().
 */
#define TUI_KEY_MOUSE_CODE 0x7e00 /* the curses key code, above KEY_MAX */
void tui_tty_mouse(bool on);
bool tui_tty_mouse_on(void);
struct tui_mouse {
    int button; /* 0 left, 1 middle, 2 right, 64 wheel up, 65 wheel down (+32 motion) */
    int x, y;   /* 0-based screen cell */
    bool press; /* false: released */
};
/* Read the rest of a mouse report after TUI_KEY_MOUSE; false when what
 * follows is not one (the characters read are dropped). */
bool tui_tty_mouse_parse(struct tui_mouse *m);

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
