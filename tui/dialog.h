/*
 * dialog.h - the modal dialogs: text prompts, one-key questions, questions
 * with a box, and pop-up menus.
 *
 * At most one is open at a time, and while it is open it gets every key
 * (the frame asks tui_modal_key() first). Opening one closes the one before
 * without calling it. Nothing here blocks: a dialog opens and its callback
 * runs later, on the UI thread, when the user answers; the callback returns
 * reaction flags (view.h) like a view's handler.
 */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include "tui/draw.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Text prompts on the message line. `fn` gets the text after every edit
 * (done false) when TUI_PROMPT_INCREMENTAL is set, and once at the end with
 * done true; canceled is true when the user pressed <Esc>. Returns reaction
 * flags. SECRET: the text is shown as '*' (and never in a screen dump).
 */
enum { TUI_PROMPT_INCREMENTAL = 1, TUI_PROMPT_SECRET = 4 };
typedef int (*tui_prompt_fn)(void *ctx, const char *text, bool done, bool canceled);
void tui_prompt(const char *label, const char *initial, unsigned flags, tui_prompt_fn fn,
                void *ctx);

/* <Tab> in the open prompt calls `fn` with its text (a NUL-terminated
 * buffer of `size` bytes `fn` may rewrite). Call right after tui_prompt();
 * without it <Tab> is ignored. */
typedef void (*tui_complete_fn)(char *text, size_t size);
/* What is typed in the open prompt so far; NULL when no prompt is open. */
const char *tui_prompt_text(void);
void tui_prompt_set_completer(tui_complete_fn fn);

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

/*
 * A pop-up menu of `n` items (copied); `fn` gets the chosen index, or -1
 * when the user pressed <Esc>.
 */
typedef int (*tui_menu_fn)(void *ctx, int choice);
void tui_menu(const char *title, const char *const *items, int n, int initial, tui_menu_fn fn,
              void *ctx);

/* Close the open prompt, question, dialog or menu whose callback context is
 * `ctx` without calling it (its owner is going away). */
void tui_modal_cancel(void *ctx);

/* ---- for the frame (ui.c) */

/* Whether a dialog is open, and whether it is a prompt (the user types). */
bool tui_modal_open(void);
bool tui_modal_typing(void);
/* Give the open dialog a key (tui_key_* code); returns its reaction flags
 * (a callback's when the key answered it). Only while tui_modal_open(). */
int tui_modal_key(int key);
/* Paint the open menu or question box over the content. */
void tui_modal_draw_box(void);
/* The rows the open prompt or question needs at the bottom of a screen
 * `width` cells wide: a prompt 1 (plus its label wrapped on rows above
 * when it would leave too little room to type), a question its text
 * wrapped (at most a third of the screen, so every answer it lists stays
 * visible); 0 when neither is open. */
int tui_modal_lines(int width);
/* Paint the open prompt or question in the bottom rows `r` (r.h as
 * tui_modal_lines said; the prompt leaves the cursor at its end); false
 * when there is none. */
bool tui_modal_draw_lines(struct tui_rect r);
/* Close the open dialog without calling it (the program is ending). */
void tui_modal_close(void);

#endif
