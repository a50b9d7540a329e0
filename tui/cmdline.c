/*
 * cmdline.c - the `:` command line: the built-in commands, running a line,
 * completing the first word (and a theme name after `theme`).
 *
 * How to add a built-in command: a line in builtin_commands (the help
 * screen and `relman tui --keys` list it from there) and a branch in
 * tui_cmdline_run().
 */
#include "tui/cmdline.h"

#include "core/buf.h"
#include "tui/conf.h"
#include "tui/dialog.h"
#include "tui/draw.h"
#include "tui/message.h"
#include "tui/theme.h"
#include "tui/view.h"

#include <stdio.h>
#include <string.h>

/* Built-in `:` commands (the actions are commands too, by name). */
static const struct {
    const char *name, *args, *help;
} builtin_commands[] = {
    {"theme", "NAME", "switch theme: dark, light, high-contrast, monochrome or a file"},
    {"bind", "KEYMAP KEY ACTION", "bind a key for this session (same syntax as tui.conf)"},
    {"unbind", "KEYMAP KEY", "remove a key binding for this session"},
    {"dump", "NAME", "write the screen as text to NAME.txt in the dump directory"},
    {"q", "", "quit (as the action 'quit')"},
};
#define NBUILTIN (sizeof(builtin_commands) / sizeof(builtin_commands[0]))

size_t tui_builtin_commands(const char **names, const char **args, const char **helps, size_t max)
{
    size_t n = 0;
    for (; n < NBUILTIN && n < max; n++) {
        names[n] = builtin_commands[n].name;
        args[n] = builtin_commands[n].args;
        helps[n] = builtin_commands[n].help;
    }
    return n;
}

/* ---------------------------------------------------------------- running */

static int split_words(char *line, char **argv, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save))
        argv[n++] = w;
    return n;
}

static void theme_command(const char *name)
{
    if (tui_theme_choose(name) < 0) {
        tui_core_error(NULL);
        return;
    }
    tui_theme_use(!tui_theme_no_color());
    tui_redraw_request(true);
    if (tui_theme_no_color())
        tui_message("no colour (NO_COLOR or --no-color): staying monochrome");
    else
        tui_message("theme %s", tui_theme_name());
}

int tui_cmdline_run(const struct tui_cmdline_ops *ops, const char *text)
{
    char line[512];
    snprintf(line, sizeof(line), "%s", text);
    char *argv[16];
    int argc = split_words(line, argv, 16);
    if (argc == 0)
        return TUI_R_REDRAW;
    const char *cmd = argv[0];
    struct tui_view *v = tui_top();

    if (v && v->ops->command) {
        int r = v->ops->command(v, argc, argv);
        if (!(r & TUI_R_UNHANDLED))
            return r;
    }
    if (strcmp(cmd, "theme") == 0) {
        if (argc != 2)
            tui_error("usage: theme NAME");
        else
            theme_command(argv[1]);
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "unbind") == 0) {
        struct tui_conf conf = {{0}};
        if (tui_conf_line(&conf, text, ":", 0) < 0)
            tui_core_error(NULL);
        else
            tui_message("%s", text);
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "dump") == 0) {
        if (argc != 2)
            tui_error("usage: dump NAME");
        else if (ops->dump(argv[1]) < 0)
            tui_core_error("dump");
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "q") == 0)
        return ops->action(TUI_ACT_QUIT);
    enum tui_action a = tui_action_find(cmd);
    if (a != TUI_ACT_NONE) {
        if (argc > 1) {
            tui_error("'%s' takes no arguments", cmd);
            return TUI_R_REDRAW;
        }
        return ops->action(a);
    }
    tui_error("unknown command '%s' (<Tab> completes; ? lists them)", cmd);
    return TUI_R_REDRAW;
}

/* ------------------------------------------------------------- completion */

/* Candidates for completing the first word of the command line. */
static size_t command_candidates(const char *prefix, const char **out, size_t max)
{
    size_t n = 0, plen = strlen(prefix);
    struct tui_view *v = tui_top();
    unsigned mask = TUI_SCOPE_GENERIC | (v ? 1u << v->ops->scope : 0);
    for (size_t i = 0; i < NBUILTIN && n < max; i++)
        if (strncmp(builtin_commands[i].name, prefix, plen) == 0 &&
            strlen(builtin_commands[i].name) > 1)
            out[n++] = builtin_commands[i].name;
    for (int a = 1; a < TUI_ACT_COUNT && n < max; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        if ((info->scope & mask) && strncmp(info->name, prefix, plen) == 0)
            out[n++] = info->name;
    }
    if (v && v->ops->commands)
        for (const char *const *c = v->ops->commands; *c && n < max; c++) {
            size_t len = strcspn(*c, " ");
            if (len >= plen && strncmp(*c, prefix, plen) == 0)
                out[n++] = *c;
        }
    return n;
}

/* <Tab>: complete the command name (to the longest common prefix, listing
 * the candidates when there are several), or a theme name after `theme`. */
static void complete_command(char *input, size_t size)
{
    if (strchr(input, ' ')) {
        /* second word of `theme`: the built-in theme names */
        if (strncmp(input, "theme ", 6) == 0) {
            const char *p = input + 6;
            const char *match = NULL;
            int count = 0;
            for (int i = 0; tui_theme_builtin_names[i]; i++)
                if (strncmp(tui_theme_builtin_names[i], p, strlen(p)) == 0) {
                    match = tui_theme_builtin_names[i];
                    count++;
                }
            if (count == 1)
                snprintf(input, size, "theme %s", match);
        }
        return;
    }
    const char *cand[128];
    size_t n = command_candidates(input, cand, 128);
    if (n == 0) {
        tui_error("no command starts with '%s'", input);
        return;
    }
    /* longest common prefix */
    size_t common = strcspn(cand[0], " ");
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < common && cand[i][k] == cand[0][k])
            k++;
        common = k;
    }
    if (common >= size - 2)
        common = size - 2;
    memcpy(input, cand[0], common);
    input[common] = '\0';
    if (n == 1) {
        strcat(input, " ");
        tui_message_clear();
        return;
    }
    struct rel_buf list = REL_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(&list, "%s%.*s", i ? "  " : "", (int)strcspn(cand[i], " "), cand[i]);
    tui_message("%s", rel_buf_cstr(&list));
    rel_buf_free(&list);
}

/* ------------------------------------------------------------- the prompt */

static int command_prompt_done(void *ctx, const char *text, bool done, bool canceled)
{
    const struct tui_cmdline_ops *ops = ctx;
    if (!done)
        return TUI_R_REDRAW;
    bool dump = strncmp(text + strspn(text, " "), "dump ", 5) == 0;
    if (canceled || dump)
        tui_message_restore();
    else
        tui_message_clear();
    return canceled ? TUI_R_REDRAW : tui_cmdline_run(ops, text);
}

void tui_cmdline_open(const struct tui_cmdline_ops *ops)
{
    tui_message_save();
    tui_message_clear();
    tui_prompt(":", "", 0, command_prompt_done, (void *)ops);
    tui_prompt_set_completer(complete_command);
}
