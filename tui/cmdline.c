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
    for (struct tui_view *v = tui_top(); v; v = tui_below(v))
        if (v->ops->command) {
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
    struct tui_view *top = tui_top();
    unsigned mask = TUI_SCOPE_GENERIC | (top ? 1u << top->ops->scope : 0);
    for (size_t i = 0; i < NBUILTIN && n < max; i++)
        if (strncmp(builtin_commands[i].name, prefix, plen) == 0 &&
            strlen(builtin_commands[i].name) > 1)
            out[n++] = builtin_commands[i].name;
    for (int a = 1; a < TUI_ACT_COUNT && n < max; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        if ((info->scope & mask) && strncmp(info->name, prefix, plen) == 0)
            out[n++] = info->name;
    }
    for (struct tui_view *v = top; v; v = tui_below(v))
        for (const char *const *c = v->ops->commands; c && *c && n < max; c++) {
            size_t len = strcspn(*c, " ");
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = strncmp(out[k], *c, len) == 0 && strcspn(out[k], " ") == len;
            if (!dup && len >= plen && strncmp(*c, prefix, plen) == 0)
                out[n++] = *c;
        }
    return n;
}

/* Candidates for the second word of `cmd`: theme names, or what the views
 * offer (release names after `apps`). */
static size_t argument_candidates(const char *cmd, const char *prefix, const char **out, size_t max)
{
    size_t n = 0, plen = strlen(prefix);
    if (strcmp(cmd, "theme") == 0) {
        for (int i = 0; tui_theme_builtin_names[i] && n < max; i++)
            if (strncmp(tui_theme_builtin_names[i], prefix, plen) == 0)
                out[n++] = tui_theme_builtin_names[i];
        return n;
    }
    for (struct tui_view *v = tui_top(); v && !n; v = tui_below(v))
        if (v->ops->complete)
            n = v->ops->complete(v, cmd, prefix, out, max);
    return n;
}

/* The candidates of `input`: for its first word, or for the second. */
static size_t input_candidates(const char *input, const char **out, size_t max, size_t *start)
{
    const char *sp = strchr(input, ' ');
    if (!sp) {
        *start = 0;
        return command_candidates(input, out, max);
    }
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "%.*s", (int)(sp - input), input);
    const char *arg = sp + strspn(sp, " ");
    if (strchr(arg, ' '))
        return 0; /* only the first argument is completed */
    *start = (size_t)(arg - input);
    return argument_candidates(cmd, arg, out, max);
}

static char hint_line[512];
static bool cmdline_open;

static void update_hint(const char *input)
{
    hint_line[0] = '\0';
    if (!input)
        return;
    const char *cand[128];
    size_t start;
    size_t n = input_candidates(input, cand, 128, &start);
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(&b, "%s%.*s", i ? "  " : "", (int)strcspn(cand[i], " "), cand[i]);
    if (n == 1 && strchr(cand[0], ' '))
        rel_buf_printf(&b, " %s", cand[0] + strcspn(cand[0], " ")); /* its synopsis */
    snprintf(hint_line, sizeof(hint_line), "%s", rel_buf_cstr(&b));
    rel_buf_free(&b);
}

const char *tui_cmdline_hint(void)
{
    update_hint(cmdline_open ? tui_prompt_text() : NULL);
    return hint_line;
}

/* <Tab>: complete the command name (to the longest common prefix, listing
 * the candidates when there are several), or a theme name after `theme`. */
static void complete_command(char *input, size_t size)
{
    const char *cand[128];
    size_t start = 0;
    size_t n = input_candidates(input, cand, 128, &start);
    if (n == 0) {
        if (!strchr(input, ' '))
            tui_error("no command starts with '%s'", input);
        return;
    }
    if (start >= size - 2)
        return;
    input += start;
    size -= start;
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
    cmdline_open = false;
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
    cmdline_open = true;
}
