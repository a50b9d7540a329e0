/*
 * root.h - which screen relman tui starts on, given the PATH argument.
 */
#ifndef TUI_ROOT_H
#define TUI_ROOT_H

/* Push the first screen for `path` (NULL: the current directory).
 * 0, or REL_E* with the message set (the TUI then exits with it). */
int tui_root_open(const char *path);

#endif
