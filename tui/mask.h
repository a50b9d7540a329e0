/*
 * mask.h - keeping the distribution cookie off the screen.
 *
 * Every text the TUI shows from a release (rendered files, files inside a
 * release directory or tarball) goes through tui_mask_secrets(): the given
 * cookie anywhere, and the word after `-setcookie ` or `RELEASE_COOKIE=`,
 * become MASK. A file called COOKIE is never shown at all.
 */
#ifndef TUI_MASK_H
#define TUI_MASK_H

#include <stdbool.h>

struct rel_buf;

#define TUI_MASK "********"

/* Mask in place; `cookie` may be NULL. */
void tui_mask_secrets(struct rel_buf *text, const char *cookie);

/* Whether a file at `path` holds a secret as a whole (…/COOKIE). */
bool tui_mask_secret_file(const char *path);

#endif
