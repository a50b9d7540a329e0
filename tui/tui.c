/*
 * tui.c - the TUI's entry points (tui.h): set everything up in order, run
 * the main loop (ui.c), take everything down; and the key table for docs.
 *
 * The order matters: the settings file and the theme are read before the
 * terminal is touched (their errors print like any other command's), the
 * signal handlers are in place before curses starts, and the first view is
 * pushed once the screen exists.
 */
#include "tui/tui.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "tui/action.h"
#include "tui/cmdline.h"
#include "tui/conf.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/root.h"
#include "tui/script.h"
#include "tui/theme.h"
#include "tui/tty.h"
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The theme asked for: --theme, RELMAN_THEME, tui.conf's, else "dark". */
static const char *theme_wanted(const struct tui_options *opts, const struct tui_conf *conf)
{
    const char *env_theme = getenv("RELMAN_THEME");
    if (opts->theme)
        return opts->theme;
    if (env_theme && env_theme[0])
        return env_theme;
    if (conf->theme[0])
        return conf->theme;
    return "dark";
}

int tui_run(const struct tui_options *opts)
{
    struct tui_script *script = NULL;
    tui_keymap_reset();
    tui_message_clear();

    struct tui_conf conf = {{0}};
    int rc = tui_conf_load(&conf);
    if (rc < 0)
        goto cleanup;

    const char *no_color = getenv("NO_COLOR");
    bool force_mono = opts->no_color || (no_color && no_color[0]);
    tui_theme_set_no_color(force_mono);
    rc = tui_theme_choose(theme_wanted(opts, &conf));
    if (rc < 0)
        goto cleanup;

    const char *script_path = opts->script ? opts->script : getenv("RELMAN_TUI_SCRIPT");
    if (script_path && script_path[0]) {
        rc = tui_script_open(&script, script_path);
        if (rc < 0)
            goto cleanup;
    }
    const char *dump_dir = opts->dump_dir ? opts->dump_dir : getenv("RELMAN_TUI_DUMP");
    if (dump_dir && !dump_dir[0])
        dump_dir = NULL;

    tui_draw_init(opts->ascii);
    tui_tty_signals_install();
    rc = tui_tty_open(opts, script != NULL);
    if (rc < 0)
        goto cleanup;
    if (!force_mono && !has_colors())
        tui_theme_choose("monochrome");
    tui_theme_use(!force_mono && has_colors());

    rc = tui_root_open(opts->path);
    if (rc < 0)
        goto cleanup;
    rc = tui_ui_run(script, dump_dir);

cleanup:
    tui_ui_close();
    tui_tty_close();
    tui_tty_signals_restore();
    tui_script_free(script);
    tui_keymap_free();
    return rc;
}

void tui_print_keys(FILE *out)
{
    tui_keymap_reset();
    fprintf(out, "| Action | Keys | Screens | What it does |\n");
    fprintf(out, "|---|---|---|---|\n");
    for (int a = 1; a < TUI_ACT_COUNT; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        struct rel_buf keys = REL_BUF_INIT, scopes = REL_BUF_INIT;
        for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
            if (!(info->scope & (1u << s)))
                continue;
            char buf[128];
            tui_keymap_keys((enum tui_scope_id)s, (enum tui_action)a, buf, sizeof(buf));
            if (!keys.len && buf[0])
                rel_buf_puts(&keys, buf);
            rel_buf_printf(&scopes, "%s%s", scopes.len ? ", " : "",
                           tui_scope_name((enum tui_scope_id)s));
        }
        /* each key in backticks, so Markdown shows <Esc> instead of eating it */
        struct rel_buf shown = REL_BUF_INIT;
        char *save = NULL, *copy = rel_strdup(rel_buf_cstr(&keys));
        for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save))
            rel_buf_printf(&shown, "%s`%s`", shown.len ? " " : "", k);
        free(copy);
        fprintf(out, "| `%s` | %s | %s | %s |\n", info->name,
                shown.len ? rel_buf_cstr(&shown) : "(none)", rel_buf_cstr(&scopes), info->help);
        rel_buf_free(&shown);
        rel_buf_free(&keys);
        rel_buf_free(&scopes);
    }
    fprintf(out, "\n| Command | Arguments | What it does |\n|---|---|---|\n");
    const char *names[32], *args[32], *helps[32];
    size_t n = tui_builtin_commands(names, args, helps, 32);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "| `%s` | %s | %s |\n", names[i], args[i][0] ? args[i] : "", helps[i]);
    tui_keymap_free();
}
