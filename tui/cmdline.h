/*
 * cmdline.h - the `:` command line: the built-in commands, running a typed
 * line, and <Tab> completion of command names.
 *
 * A line is split into words; its first word is looked up in this order:
 * the views' own commands (view_ops.command), the top view's first, then
 * the views below it (the Releases screen's jumps, `:apps foo`, work from
 * every project screen); the built-ins below (theme, bind, unbind, dump,
 * q); then the actions by name (`:move-down` does what its key does).
 *
 * While typing, the candidates for the word under the cursor (commands,
 * or a command's arguments as the views complete them) are offered in the
 * key-hint bar (tui_cmdline_hint); <Tab> completes them.
 */
#ifndef TUI_CMDLINE_H
#define TUI_CMDLINE_H

#include "tui/action.h"

#include <stddef.h>

/* What the command line needs from the frame that opened it. */
struct tui_cmdline_ops {
    /* Run action `a` as its key would; reaction flags. */
    int (*action)(enum tui_action a);
    /* `:dump NAME`: write the screen as text; 0 or REL_E* with the message set. */
    int (*dump)(const char *name);
};

/* Open the `:` prompt. The message shown is saved and hidden meanwhile; it
 * is shown again when the prompt is canceled or the command is `dump` (which
 * writes the screen as it was before). `ops` must outlive the prompt. */
void tui_cmdline_open(const struct tui_cmdline_ops *ops);

/* The candidates for what is typed on the open command line ("" when it is
 * not open or nothing fits), for the key-hint bar. */
const char *tui_cmdline_hint(void);

/* Run one command line (as typed after ':'); reaction flags. Errors go to
 * tui_error(). */
int tui_cmdline_run(const struct tui_cmdline_ops *ops, const char *text);

/* The built-in `:` commands (besides the actions): name, argument synopsis
 * and help of each, up to `max`; returns how many. */
size_t tui_builtin_commands(const char **names, const char **args, const char **helps, size_t max);

#endif
