/*
 * action.h - everything a key can do, in one table.
 *
 * Key presses become named ACTIONS. The table below is the single source of
 * truth for an action's config name, its default keys, its help text and the
 * screens (scopes) it applies to: the `?` help screen, the key-hint bar, the
 * `:` command line's completion, `relman tui --keys` and the key table in
 * docs/tui.md are all generated from it.
 *
 * How to add an action:
 *   1. add one X(...) line to TUI_ACTION_TABLE (ID, "config-name",
 *      "default keys" separated by spaces, scope mask, flags, "hint label"
 *      for the key-hint bar or "", "help text");
 *   2. handle TUI_ACT_ID in the action() callback of the views in its scope
 *      (or in ui.c for generic ones);
 *   3. run `relman tui --keys` and paste the table into docs/tui.md (the
 *      test tests/integration/tui_docs.sh checks they agree).
 *
 * Scopes are keymaps: "generic" applies everywhere, the others to one
 * screen. A binding in a screen's keymap wins over a generic one.
 */
#ifndef TUI_ACTION_H
#define TUI_ACTION_H

#include <stdbool.h>
#include <stddef.h>

/* X(ID, "keymap name", "what it is") */
#define TUI_SCOPE_TABLE                                                                            \
    X(GENERIC, "generic", "every screen")                                                          \
    X(RELEASES, "releases", "the releases of the project")                                         \
    X(APPS, "applications", "the applications of a release")                                       \
    X(PREVIEW, "preview", "rendered release files")                                                \
    X(HELP, "help", "this help")                                                                   \
    X(SETUP, "setup", "the guided first release")                                                  \
    X(INSPECT, "inspect", "a release directory or tarball, read-only")                             \
    X(PAGER, "pager", "the text of one file")                                                      \
    X(ASSEMBLE, "assemble", "an assembly running or done")                                         \
    X(TARGETS, "targets", "the deploy targets of a release and the command log")

enum tui_scope_id {
#define X(id, name, desc) TUI_SCOPEID_##id,
    TUI_SCOPE_TABLE
#undef X
        TUI_SCOPE_COUNT
};

enum tui_scope_bits {
#define X(id, name, desc) TUI_SCOPE_##id = 1u << TUI_SCOPEID_##id,
    TUI_SCOPE_TABLE
#undef X
};

/* Flags: EDIT = changes the configuration (not offered in read-only
 * screens). An action with a non-empty hint label is shown in the key-hint
 * bar of its screens, in table order. */
enum { TUI_AF_EDIT = 1 };

#define TUI_SG TUI_SCOPE_GENERIC
#define TUI_ACTION_TABLE                                                                           \
    X(CLOSE, "close", "q", TUI_SG, 0, "quit",                                                      \
      "close this screen; on the first screen quit relman (asks first when unsaved)")              \
    X(QUIT, "quit", "Q", TUI_SG, 0, "",                                                            \
      "quit relman from any screen (asks first when there are unsaved changes)")                   \
    X(BACK, "back", "<Esc> h <Left> <Backspace>", TUI_SG, 0, "back",                               \
      "close this screen, clear the filter or cancel")                                             \
    X(HELP, "help", "? <F1>", TUI_SG, 0, "help", "show the keys and actions of this screen")       \
    X(FILTER, "filter", "/", TUI_SG, 0, "filter",                                                  \
      "filter the list (a leading ! inverts; Esc clears it; n / N go to the next match)")          \
    X(FIND_NEXT, "find-next", "n", TUI_SG, 0, "",                                                  \
      "next match of the last / (in a list: the next row it matches, wrapping)")                   \
    X(FIND_PREV, "find-prev", "N", TUI_SG, 0, "", "previous match of the last /")                  \
    X(EDIT_FILE, "edit", "e", TUI_SG, 0, "",                                                       \
      "open relman.yml (in Preview: the file's template) in $VISUAL or $EDITOR, reload after")     \
    X(COMMAND, "command", ":", TUI_SG, 0, "command",                                               \
      "command line: any action by name, Tab completes")                                           \
    X(REDRAW, "redraw", "^L", TUI_SG, 0, "", "redraw the whole screen")                            \
    X(MOUSE, "mouse", "", TUI_SG, 0, "",                                                           \
      "turn the mouse on or off (click selects, double-click opens, wheel scrolls)")               \
    X(RELOAD, "reload", "R", TUI_SG, 0, "", "re-read the project and relman.yml")                  \
    X(MOVE_DOWN, "move-down", "j <Down>", TUI_SG, 0, "", "next row")                               \
    X(MOVE_UP, "move-up", "k <Up>", TUI_SG, 0, "", "previous row")                                 \
    X(PAGE_DOWN, "page-down", "<PgDn> ^F <Space>", TUI_SG, 0, "", "one page down")                 \
    X(PAGE_UP, "page-up", "<PgUp> ^B", TUI_SG, 0, "", "one page up")                               \
    X(MOVE_FIRST, "move-first", "g <Home>", TUI_SG, 0, "", "first row")                            \
    X(MOVE_LAST, "move-last", "G <End>", TUI_SG, 0, "", "last row")                                \
    X(NEXT_PANE, "next-pane", "<Tab> <S-Tab>", TUI_SG, 0, "",                                      \
      "switch between the panes of the screen")                                                    \
    X(SHOW_TEXT, "show-text", "o", TUI_SG, 0, "",                                                  \
      "the whole text in a pager: the selected row's details and problems, the last messages")     \
    X(OPEN, "open", "<Enter>", TUI_SCOPE_RELEASES | TUI_SCOPE_INSPECT | TUI_SCOPE_TARGETS, 0,      \
      "open",                                                                                      \
      "open the selected release's applications, the selected file, or a target's or "             \
      "command's details")                                                                         \
    X(MODE_PERMANENT, "set-mode-permanent", "P", TUI_SCOPE_APPS, TUI_AF_EDIT, "permanent",         \
      "start mode permanent: the node stops when the application stops")                           \
    X(MODE_TRANSIENT, "set-mode-transient", "T", TUI_SCOPE_APPS, TUI_AF_EDIT, "transient",         \
      "start mode transient: the node stops on an abnormal exit")                                  \
    X(MODE_TEMPORARY, "set-mode-temporary", "E", TUI_SCOPE_APPS, TUI_AF_EDIT, "temporary",         \
      "start mode temporary: the application may stop, the node goes on")                          \
    X(MODE_LOAD, "set-mode-load", "L", TUI_SCOPE_APPS, TUI_AF_EDIT, "load",                        \
      "start mode load: loaded, never started")                                                    \
    X(MODE_NONE, "set-mode-none", "O", TUI_SCOPE_APPS, TUI_AF_EDIT, "none",                        \
      "start mode none: in the release, neither loaded nor started")                               \
    X(MODE_PICK, "pick-mode", "m", TUI_SCOPE_APPS, TUI_AF_EDIT, "mode…",                           \
      "choose the start mode from a menu")                                                         \
    X(MODE_RESET, "reset-mode", "x", TUI_SCOPE_APPS, TUI_AF_EDIT, "",                              \
      "drop the explicit mode: back to the default or inherited one")                              \
    X(NEXT_PROBLEM, "next-problem", "!", TUI_SCOPE_APPS | TUI_SCOPE_RELEASES, 0, "",               \
      "jump to the next row with a problem")                                                       \
    X(UNDO, "undo", "u", TUI_SCOPE_APPS, TUI_AF_EDIT, "undo", "undo the last mode change")         \
    X(REDO, "redo", "^R", TUI_SCOPE_APPS, TUI_AF_EDIT, "redo", "redo what undo took back")         \
    X(SAVE, "save", "s", TUI_SCOPE_APPS, TUI_AF_EDIT, "save",                                      \
      "write the changes to relman.yml (comments and order kept)")                                 \
    X(PREVIEW, "preview", "p", TUI_SCOPE_RELEASES | TUI_SCOPE_APPS, 0, "preview",                  \
      "preview the files of the release")                                                          \
    X(ASSEMBLE, "assemble", "a", TUI_SCOPE_RELEASES | TUI_SCOPE_APPS, 0, "assemble",               \
      "assemble the release (in the background; from the saved relman.yml)")                       \
    X(CANCEL, "cancel", "x", TUI_SCOPE_ASSEMBLE, 0, "cancel",                                       \
      "stop the running assembly: the release at its path stays as it was")                       \
    X(NEXT_FILE, "next-file", "] <Right>", TUI_SCOPE_PREVIEW, 0, "next file",                      \
      "show the next file")                                                                        \
    X(PREV_FILE, "prev-file", "[ <Left>", TUI_SCOPE_PREVIEW, 0, "prev file",                       \
      "show the previous file")                                                                    \
    X(DIFF, "diff", "d", TUI_SCOPE_PREVIEW, 0, "diff",                                             \
      "show the changes against the last assembled release, or the file again")                    \
    X(SEARCH, "search", "/", TUI_SCOPE_PREVIEW | TUI_SCOPE_PAGER, 0, "search", "search the text")  \
    X(SCROLL_LEFT, "scroll-left", "<lt>", TUI_SCOPE_PREVIEW | TUI_SCOPE_PAGER, 0, "",              \
      "scroll the text sideways, to the left")                                                     \
    X(SCROLL_RIGHT, "scroll-right", ">", TUI_SCOPE_PREVIEW | TUI_SCOPE_PAGER, 0, "sideways",       \
      "scroll the text sideways, to the right: long lines are never cut for good")                 \
    X(TARGETS, "targets", "t", TUI_SCOPE_RELEASES, 0, "targets",                                   \
      "the release's deploy targets: state, deploy, start, stop, logs, attach")                    \
    X(DEPLOY, "deploy", "D", TUI_SCOPE_TARGETS, 0, "deploy",                                       \
      "deploy the assembled release to the marked (or selected) targets; asks first")              \
    X(START_NODE, "start", "S", TUI_SCOPE_TARGETS, 0, "start",                                     \
      "start the node on the marked (or selected) targets; asks first")                            \
    X(STOP_NODE, "stop", "X", TUI_SCOPE_TARGETS, 0, "stop",                                        \
      "stop the node on the marked (or selected) targets; asks first")                             \
    X(RESTART_NODE, "restart", "R", TUI_SCOPE_TARGETS, 0, "restart",                               \
      "restart the node on the marked (or selected) targets; asks first")                          \
    X(ROLLBACK, "rollback", "B", TUI_SCOPE_TARGETS, 0, "rollback",                                 \
      "switch the marked (or selected) targets back to their previous release; asks first")        \
    X(LOGS, "logs", "L", TUI_SCOPE_TARGETS, 0, "logs", "the last lines of the node's log")         \
    X(LOGS_FOLLOW, "logs-follow", "F", TUI_SCOPE_TARGETS, 0, "",                                   \
      "the node's log live, as relman logs -f (closing the pager stops it)")                       \
    X(ATTACH, "attach", "A", TUI_SCOPE_TARGETS, 0, "attach",                                       \
      "the node's remote console on this terminal; leaving it comes back here")                    \
    X(MARK, "mark", "<Space>", TUI_SCOPE_TARGETS, 0, "",                                           \
      "mark or unmark the target: actions apply to the marked targets")                            \
    X(REFRESH, "refresh", "r", TUI_SCOPE_TARGETS, 0, "",                                           \
      "ask the targets for their state again (and re-read them from relman.yml)")                  \
    X(AUTO_REFRESH, "auto-refresh", "w", TUI_SCOPE_TARGETS, 0, "",                                 \
      "ask the reachable targets again every RELMAN_TUI_REFRESH seconds (default 15), or stop")    \
    X(SETUP_NEXT, "setup-next", "<Enter>", TUI_SCOPE_SETUP, 0, "next",                             \
      "accept this step and go on")                                                                \
    X(SETUP_TOGGLE, "setup-toggle", "<Space>", TUI_SCOPE_SETUP, 0, "tick/edit",                    \
      "tick or untick the selected item, or edit the selected name or version")

enum tui_action {
    TUI_ACT_NONE = 0,
#define X(id, name, keys, scope, flags, hint, help) TUI_ACT_##id,
    TUI_ACTION_TABLE
#undef X
        TUI_ACT_COUNT
};

struct tui_action_info {
    const char *name;
    const char *keys; /* default keys, space-separated key names */
    unsigned scope;   /* TUI_SCOPE_* mask */
    unsigned flags;   /* TUI_AF_* */
    const char *hint; /* short label for the key-hint bar, "" for none */
    const char *help;
};

const struct tui_action_info *tui_action_info(enum tui_action a);
/* The action called `name` ("move-down"), or TUI_ACT_NONE. */
enum tui_action tui_action_find(const char *name);

const char *tui_scope_name(enum tui_scope_id s);
const char *tui_scope_describe(enum tui_scope_id s);
/* The scope (keymap) called `name`, or -1. */
int tui_scope_find(const char *name);

/* ---- the keymap: defaults from the table, then the user's bindings ---- */

/* Reset every binding to the table's defaults. */
void tui_keymap_reset(void);
void tui_keymap_free(void);

/*
 * Bind `key` in `scope` to `action` (TUI_ACT_NONE unbinds). Replaces what the
 * key did in that scope. Fails with REL_EINVAL when this would leave neither
 * `quit` (or `close`) nor `command` reachable from the generic keymap.
 */
int tui_keymap_bind(enum tui_scope_id scope, int key, enum tui_action action);

/* What `key` does in a screen of scope `scope` (its own keymap, then the
 * generic one); TUI_ACT_NONE when nothing. */
enum tui_action tui_keymap_lookup(enum tui_scope_id scope, int key);

/* The keys bound to `action` in `scope` (exactly that keymap), as names
 * separated by spaces, into buf; "" when none. */
const char *tui_keymap_keys(enum tui_scope_id scope, enum tui_action action, char *buf,
                            size_t size);
/* The first key bound to `action`, looking in `scope` then generic; "" if none. */
const char *tui_keymap_first_key(enum tui_scope_id scope, enum tui_action action, char *buf,
                                 size_t size);

#endif
