/*
 * message.h - the message line's text: the last message or error.
 *
 * At the bottom of the screen, wrapped onto up to three rows; a new message
 * replaces the old one. The frame (ui.c) draws it when no prompt or
 * question is open there. The last messages are kept, whole, for the pager
 * the `show-text` action opens.
 */
#ifndef TUI_MESSAGE_H
#define TUI_MESSAGE_H

#include <stdbool.h>

/* A one-line message on the message line (replaced by the next one). */
void tui_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error message (role "error"); stays until the next key. */
void tui_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Show rel_error_message() as an error, prefixed by `what` when not NULL. */
void tui_core_error(const char *what);

/* The text shown ("" for none) and whether it is an error. */
const char *tui_message_text(bool *error);

/*
 * For the frame and the `:` command line. Unlike tui_message() these do not
 * ask for a repaint: the key being handled decides that.
 * clear: no message. save: remember the message (the `:` line hides it);
 * restore: show the remembered one again.
 */
void tui_message_clear(void);
/* The last messages (up to 20), newest first, one per line, errors marked
 * "error: ". */
struct rel_buf;
void tui_message_history(struct rel_buf *out);
void tui_message_save(void);
void tui_message_restore(void);

#endif
