/*
 * ui.h - what views use from the framework: messages, prompts, menus,
 * confirmations, background file descriptors and the view stack.
 *
 * All of it runs on the one UI thread, from the main loop in ui.c. Nothing
 * here blocks: a prompt or menu opens and its callback runs later, when the
 * user answers.
 */
#ifndef TUI_UI_H
#define TUI_UI_H

#include "tui/view.h"

#include <stdbool.h>
#include <stddef.h>

/* A one-line message on the message line (replaced by the next one). */
void tui_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error message (role "error"); stays until the next key. */
void tui_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Show rel_error_message() as an error, prefixed by `what` when not NULL. */
void tui_core_error(const char *what);

/*
 * Text prompts. `fn` gets the text after every edit (done false) when
 * TUI_PROMPT_INCREMENTAL is set, and once at the end with done true;
 * canceled is true when the user pressed <Esc>. Returns reaction flags.
 */
/* SECRET: the text is shown as '*' (and never in a screen dump). */
enum { TUI_PROMPT_INCREMENTAL = 1, TUI_PROMPT_COMPLETE = 2, TUI_PROMPT_SECRET = 4 };
typedef int (*tui_prompt_fn)(void *ctx, const char *text, bool done, bool canceled);
void tui_prompt(const char *label, const char *initial, unsigned flags, tui_prompt_fn fn,
                void *ctx);

/*
 * Ask a question answered by one key: `keys` are the accepted answers
 * ("yn", "yns"); <Esc> answers 0. `fn` gets the key pressed.
 */
typedef int (*tui_confirm_fn)(void *ctx, int key);
void tui_confirm(const char *question, const char *keys, tui_confirm_fn fn, void *ctx);

/*
 * The same with a box in the middle of the screen: `title` on its first
 * line, then `body` (lines separated by '\n'; copied), and `question` on
 * the message line. For confirmations that must list what they change
 * (hosts, versions).
 */
void tui_dialog(const char *title, const char *body, const char *question, const char *keys,
                tui_confirm_fn fn, void *ctx);

/* Close the open prompt, question, dialog or menu whose callback context is
 * `ctx` without calling it (its owner is going away). */
void tui_modal_cancel(void *ctx);

/*
 * A pop-up menu of `n` items (copied); `fn` gets the chosen index, or -1
 * when the user pressed <Esc>.
 */
typedef int (*tui_menu_fn)(void *ctx, int choice);
void tui_menu(const char *title, const char *const *items, int n, int initial, tui_menu_fn fn,
              void *ctx);

/*
 * Watch a file descriptor in the main loop's poll(): `fn` runs on the UI
 * thread when it is ready (events as for poll). Returns 0, or REL_ELIMIT when
 * too many are watched. Unwatch before closing the fd.
 */
typedef int (*tui_fd_fn)(void *ctx, int fd, short revents);
int tui_watch(int fd, short events, tui_fd_fn fn, void *ctx);
void tui_unwatch(int fd);

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

/* The view on top of the stack, and the view below `v` (NULL at the root). */
struct tui_view *tui_top(void);
struct tui_view *tui_below(struct tui_view *v);

/* The built-in `:` commands (besides the actions): name, argument synopsis
 * and help of each, up to `max`; returns how many. */
size_t tui_builtin_commands(const char **names, const char **args, const char **helps, size_t max);

/* Take view `v` off the stack once the current key has been handled (a
 * view may ask this for itself: the guided setup gives way to the Releases
 * screen it opened). */
void tui_close_later(struct tui_view *v);

/* The current theme's name (for the command line and status). */
const char *tui_theme_name(void);

#endif
