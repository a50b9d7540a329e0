/*
 * conf.c - tui.conf: bindings and theme.
 */
#include "tui/conf.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "tui/action.h"
#include "tui/keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_MAX (256 * 1024)

static int conf_error(const char *origin, int lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int conf_error(const char *origin, int lineno, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (lineno > 0)
        return rel_error_set(REL_ECONFIG, "%s:%d: %s", origin, lineno, msg);
    return rel_error_set(REL_ECONFIG, "%s: %s", origin, msg);
}

int tui_conf_line(struct tui_conf *conf, const char *text, const char *origin, int lineno)
{
    char line[512];
    if (strlen(text) >= sizeof(line))
        return conf_error(origin, lineno, "line too long");
    strcpy(line, text);
    /* '#' starts a comment, except as the KEY word of a binding. */
    char *words[6];
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (w[0] == '#' && (n == 0 || n != 2))
            break;
        if (n == 5)
            return conf_error(origin, lineno, "too many words");
        words[n++] = w;
    }
    if (n == 0)
        return 0;
    if (strcmp(words[0], "theme") == 0) {
        if (n != 2)
            return conf_error(origin, lineno, "expected 'theme NAME'");
        snprintf(conf->theme, sizeof(conf->theme), "%s", words[1]);
        return 0;
    }
    bool bind = strcmp(words[0], "bind") == 0;
    if (!bind && strcmp(words[0], "unbind") != 0)
        return conf_error(origin, lineno, "unknown setting '%s' (expected bind, unbind or theme)",
                          words[0]);
    if ((bind && n != 4) || (!bind && n != 3))
        return conf_error(origin, lineno, "%s",
                          bind ? "expected 'bind KEYMAP KEY ACTION'"
                               : "expected 'unbind KEYMAP KEY'");
    int scope = tui_scope_find(words[1]);
    if (scope < 0)
        return conf_error(origin, lineno, "unknown keymap '%s'", words[1]);
    int key = tui_key_parse_one(words[2]);
    if (key < 0)
        return conf_error(origin, lineno, "unknown key '%s'", words[2]);
    enum tui_action action = TUI_ACT_NONE;
    if (bind && strcmp(words[3], "none") != 0) {
        action = tui_action_find(words[3]);
        if (action == TUI_ACT_NONE)
            return conf_error(origin, lineno, "unknown action '%s' (see relman tui --keys)",
                              words[3]);
        const struct tui_action_info *info = tui_action_info(action);
        if (scope != TUI_SCOPEID_GENERIC && !(info->scope & (1u << scope)) &&
            !(info->scope & TUI_SCOPE_GENERIC))
            return conf_error(origin, lineno, "action '%s' does nothing in that keymap", words[3]);
        if (scope == TUI_SCOPEID_GENERIC && !(info->scope & TUI_SCOPE_GENERIC))
            return conf_error(origin, lineno,
                              "action '%s' belongs to one screen: bind it in that screen's keymap",
                              words[3]);
    }
    int rc = tui_keymap_bind((enum tui_scope_id)scope, key, action);
    if (rc < 0)
        return conf_error(origin, lineno, "%s", rel_error_message());
    return 0;
}

char *tui_conf_path(void)
{
    const char *env = getenv("RELMAN_TUI_CONFIG");
    if (env && env[0])
        return rel_strdup(env);
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0])
        return rel_asprintf("%s/relman/tui.conf", xdg);
    const char *home = getenv("HOME");
    if (home && home[0])
        return rel_asprintf("%s/.config/relman/tui.conf", home);
    return NULL;
}

int tui_conf_load(struct tui_conf *conf)
{
    char *path = tui_conf_path();
    if (!path)
        return 0;
    const char *env = getenv("RELMAN_TUI_CONFIG");
    bool required = env && env[0];
    if (!rel_fs_exists(path)) {
        int rc = required
                     ? rel_error_set(REL_ENOTFOUND, "%s: no such file (RELMAN_TUI_CONFIG)", path)
                     : 0;
        free(path);
        return rc;
    }
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_fs_read_file(&text, path, CONF_MAX);
    int lineno = 0;
    for (char *p = text.ptr; rc == 0 && p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        rc = tui_conf_line(conf, p, path, ++lineno);
        p = nl ? nl + 1 : NULL;
    }
    rel_buf_free(&text);
    free(path);
    return rc;
}
