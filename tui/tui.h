/*
 * tui.h - the terminal UI's entry points, for the command line front end.
 *
 * `relman tui [PATH]` (and `relman` alone on a terminal) calls tui_run().
 * With a script (headless mode) no terminal is needed: keys come from the
 * script and the screen is written to text dumps, like tig's TIG_SCRIPT.
 */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <stdbool.h>
#include <stdio.h>

struct tui_options {
    const char *path;     /* project directory (NULL: the current one) */
    const char *theme;    /* theme name or file (NULL: RELMAN_THEME, tui.conf, "dark") */
    bool no_color;        /* --no-color; NO_COLOR in the environment also counts */
    bool ascii;           /* draw markers and rules with ASCII only */
    const char *script;   /* headless key script (NULL: RELMAN_TUI_SCRIPT or none) */
    const char *dump_dir; /* where `:dump NAME` writes (NULL: RELMAN_TUI_DUMP or ".") */
    int lines, cols;      /* headless screen size (0: RELMAN_TUI_SIZE or 80x24) */
    const char *ttylog;   /* headless: write the terminal output here (NULL: /dev/null) */
};

/*
 * Run the TUI until the user quits (or the script ends). Returns 0, or a
 * negative REL_E* code with the message set (bad tui.conf line, unknown
 * theme, no terminal, a script step that failed or timed out).
 */
int tui_run(const struct tui_options *opts);

/* Print every action with its keys, keymap and help as a Markdown table
 * (the source of the key table in docs/tui.md). */
void tui_print_keys(FILE *out);

#endif
