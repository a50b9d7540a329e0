/*
 * theme.h - semantic colour roles and the themes that give them colours.
 *
 * View code names a ROLE ("this is the selected row", "this is a problem"),
 * never a colour. A theme maps each role to a foreground, a background and
 * attributes. Themes are text files (themes/NAME.theme, see docs/tui.md):
 *
 *     # role       fg        bg        attributes
 *     title        white     blue      bold
 *     selection    black     cyan      bold
 *     problem      red       default   bold
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black .. bright-white, or colorN (0-255). Attributes: normal, bold,
 * dim, underline, reverse, standout, italic (several, separated by spaces or
 * commas). A role the file does not name keeps the value of `default`.
 *
 * The built-in themes (dark, light, high-contrast, monochrome) are compiled
 * in, so a missing themes directory still works; files in the themes
 * directories take precedence. Lookup order for a NAME: $RELMAN_THEMES_DIR,
 * $XDG_CONFIG_HOME/relman/themes (or ~/.config/relman/themes), the source
 * tree's themes/ (RELMAN_THEMES_DIR at build time), the installed
 * PREFIX/share/relman/themes beside PREFIX/bin/relman, then the built-ins. A
 * NAME containing '/' is a path to a theme file.
 *
 * Without colour (NO_COLOR, --no-color, a terminal without colours) only the
 * attributes of the monochrome theme are used and no colour is ever set.
 *
 * How to add a role: add one line to TUI_ROLE_TABLE, give it a line in each
 * file in themes/ and in the built-ins in theme.c (a test checks they agree).
 */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stdbool.h>
#include <stdio.h>

/* X(ID, "name", "what it is for") */
#define TUI_ROLE_TABLE                                                                             \
    X(DEFAULT, "default", "ordinary text")                                                         \
    X(TITLE, "title", "the title bar (breadcrumbs)")                                               \
    X(STATUS, "status", "the key-hint bar")                                                        \
    X(KEY, "key", "key names in hints and help")                                                   \
    X(MESSAGE, "message", "the message line")                                                      \
    X(ERROR, "error", "errors on the message line and in dialogs")                                 \
    X(PROMPT, "prompt", "the filter / command prompt")                                             \
    X(HEADER, "header", "column headers")                                                          \
    X(SELECTION, "selection", "the selected row in the focused pane")                              \
    X(SELECTION_INACTIVE, "selection-inactive", "the selected row in an unfocused pane")           \
    X(PROBLEM, "problem", "rows and markers of problems")                                          \
    X(WARNING, "warning", "warnings")                                                              \
    X(OK, "ok", "healthy states")                                                                  \
    X(MUTED, "muted", "secondary text: pulled-in applications, separators")                        \
    X(CHANGED, "changed", "unsaved edits")                                                         \
    X(ACCENT, "accent", "emphasised values (names, versions)")                                     \
    X(BORDER, "border", "rules between panes")                                                     \
    X(MATCH, "match", "search matches")                                                            \
    X(SECRET, "secret", "masked secrets")                                                          \
    X(PROGRESS, "progress", "the filled part of a progress bar")                                   \
    X(DIALOG, "dialog", "pop-up menus and confirmations")

enum tui_role {
#define X(id, name, desc) TUI_ROLE_##id,
    TUI_ROLE_TABLE
#undef X
        TUI_ROLE_COUNT
};

/* One role's style, before it is given to curses. Colours are -1 for the
 * terminal's default, 0-255 otherwise. */
struct tui_style {
    short fg, bg;
    unsigned attrs; /* TUI_ATTR_* */
    bool set;       /* named in the theme file */
};

enum {
    TUI_ATTR_BOLD = 1 << 0,
    TUI_ATTR_DIM = 1 << 1,
    TUI_ATTR_UNDERLINE = 1 << 2,
    TUI_ATTR_REVERSE = 1 << 3,
    TUI_ATTR_STANDOUT = 1 << 4,
    TUI_ATTR_ITALIC = 1 << 5,
};

struct tui_theme {
    char name[64];
    struct tui_style role[TUI_ROLE_COUNT];
};

const char *tui_role_name(enum tui_role r);
const char *tui_role_describe(enum tui_role r);
/* The role called `name`, or -1. */
int tui_role_find(const char *name);

/*
 * Parse theme text (`origin` names it in errors: "themes/dark.theme").
 * Returns 0, or REL_ECONFIG with "origin:LINE: ..." for a bad line (unknown
 * role, colour or attribute; too few fields).
 */
int tui_theme_parse(struct tui_theme *out, const char *text, const char *origin);

/*
 * Load the theme NAME by the lookup order above. Returns 0, REL_ENOTFOUND
 * ("unknown theme 'x' (known: dark, light, ...)") or a parse error.
 */
int tui_theme_load(struct tui_theme *out, const char *name);

/* The built-in theme text for NAME, or NULL; the names, NULL-terminated. */
const char *tui_theme_builtin(const char *name);
extern const char *const tui_theme_builtin_names[];

/* The directory themes are installed in at build time (may not exist). */
const char *tui_theme_source_dir(void);

/*
 * Give the theme to curses (after initscr/newterm). With `color` false (or a
 * terminal without colours) no colour pair is ever set: only attributes, and
 * the theme should be "monochrome". Returns whether colour is in use.
 */
bool tui_theme_apply(const struct tui_theme *t, bool color);

/* The curses attributes (colour pair included) for a role. */
unsigned long tui_theme_attr(enum tui_role r);

/*
 * The theme in use. Colour can be switched off for the whole run (NO_COLOR,
 * --no-color): then every theme chosen is "monochrome".
 * choose: load theme NAME (by the lookup order above) as the one in use;
 * 0 or tui_theme_load()'s error, and then the one in use stays. It reaches
 * the screen with tui_theme_use(), which calls tui_theme_apply() and
 * returns whether colour is in use.
 */
void tui_theme_set_no_color(bool no_color);
bool tui_theme_no_color(void);
int tui_theme_choose(const char *name);
bool tui_theme_use(bool color);
/* The name of the theme in use (for the command line and the help screen). */
const char *tui_theme_name(void);

#endif
