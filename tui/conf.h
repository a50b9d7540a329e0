/*
 * conf.h - the TUI's own settings file (key bindings and theme).
 *
 * Found at $RELMAN_TUI_CONFIG, else $XDG_CONFIG_HOME/relman/tui.conf, else
 * ~/.config/relman/tui.conf (a missing default file is fine; a missing file
 * named by RELMAN_TUI_CONFIG is an error). Line format:
 *
 *     # comment
 *     bind KEYMAP KEY ACTION     bind applications P set-mode-permanent
 *     unbind KEYMAP KEY          unbind generic R
 *     theme NAME                 theme light
 *
 * KEYMAP is "generic" or a screen's keymap name; KEY a key name (keys.h);
 * ACTION an action name (action.h). The same lines work on the `:` command
 * line ("bind generic x quit"). A bad line stops the TUI with
 * "FILE:LINE: message".
 */
#ifndef TUI_CONF_H
#define TUI_CONF_H

#include <stddef.h>

struct tui_conf {
    char theme[256]; /* "" when the file names none */
};

/*
 * Apply one line (bindings go straight into the keymap). `origin` and
 * `lineno` name the place in errors ("tui.conf:3: unknown action 'x'");
 * lineno 0 leaves the line number out. Returns 0 or REL_ECONFIG.
 */
int tui_conf_line(struct tui_conf *conf, const char *line, const char *origin, int lineno);

/* Read the settings file (see above). Returns 0 or an error. */
int tui_conf_load(struct tui_conf *conf);

/* The path tui_conf_load() reads, malloc'd (NULL when HOME is unknown). */
char *tui_conf_path(void);

#endif
