/*
 * help.h - the `?` screen: every action of a screen with its current keys,
 * generated from the action table and the live keymap (so rebinding shows
 * up), then the `:` commands. Filterable with `/` like every list.
 */
#ifndef TUI_HELP_H
#define TUI_HELP_H

#include "tui/action.h"

/* Push the help screen for a screen of scope `for_scope`. */
int tui_help_open(enum tui_scope_id for_scope);

#endif
