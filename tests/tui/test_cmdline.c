/* Unit tests for tui/cmdline: running `:` lines, completion, the saved
 * message, without a screen (the dialogs are fed keys). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/cmdline.h"
#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/message.h"
#include "tui/view.h"

#include <stdio.h>
#include <string.h>

static struct {
    int actions[8], nactions;
    char dumped[64];
} got;

static int on_action(enum tui_action a)
{
    got.actions[got.nactions++ & 7] = a;
    return TUI_R_RELOAD;
}

static int on_dump(const char *name)
{
    snprintf(got.dumped, sizeof(got.dumped), "%s", name);
    return 0;
}

static const struct tui_cmdline_ops ops = {.action = on_action, .dump = on_dump};

static int setup(void **state)
{
    (void)state;
    memset(&got, 0, sizeof(got));
    tui_keymap_reset();
    tui_message_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tui_modal_close();
    tui_keymap_free();
    return 0;
}

static void type(const char *s)
{
    for (; *s; s++)
        tui_modal_key(*s == '\t' ? TUI_KEY_TAB : (unsigned char)*s);
}

static const char *message(bool *error)
{
    return tui_message_text(error);
}

static void test_actions_by_name(void **state)
{
    (void)state;
    assert_int_equal(tui_cmdline_run(&ops, "move-down"), TUI_R_RELOAD);
    assert_int_equal(tui_cmdline_run(&ops, "  q "), TUI_R_RELOAD);
    assert_int_equal(got.nactions, 2);
    assert_int_equal(got.actions[0], TUI_ACT_MOVE_DOWN);
    assert_int_equal(got.actions[1], TUI_ACT_QUIT);
    bool error = false;
    assert_int_equal(tui_cmdline_run(&ops, "move-down 3"), TUI_R_REDRAW);
    assert_string_equal(message(&error), "'move-down' takes no arguments");
    assert_true(error);
    tui_cmdline_run(&ops, "frobnicate");
    assert_string_equal(message(NULL),
                        "unknown command 'frobnicate' (<Tab> completes; ? lists them)");
    assert_int_equal(tui_cmdline_run(&ops, "   "), TUI_R_REDRAW);
    assert_int_equal(got.nactions, 2);
}

static void test_builtins(void **state)
{
    (void)state;
    tui_cmdline_run(&ops, "dump screen1");
    assert_string_equal(got.dumped, "screen1");
    tui_cmdline_run(&ops, "dump");
    assert_string_equal(message(NULL), "usage: dump NAME");
    tui_cmdline_run(&ops, "theme");
    assert_string_equal(message(NULL), "usage: theme NAME");
    tui_cmdline_run(&ops, "bind generic x no-such-action");
    bool error = false;
    message(&error);
    assert_true(error);
    const char *names[8], *args[8], *helps[8];
    size_t n = tui_builtin_commands(names, args, helps, 8);
    assert_int_equal(n, 5);
    assert_string_equal(names[0], "theme");
    assert_string_equal(args[0], "NAME");
    assert_string_equal(names[4], "q");
}

static void test_prompt_completes_and_runs(void **state)
{
    (void)state;
    tui_cmdline_open(&ops);
    assert_true(tui_modal_typing());
    type("move-d\t"); /* one candidate: completed, with a space */
    tui_modal_key(TUI_KEY_ENTER);
    assert_int_equal(got.nactions, 1);
    assert_int_equal(got.actions[0], TUI_ACT_MOVE_DOWN);

    tui_cmdline_open(&ops);
    type("move-\t"); /* several: listed on the message line */
    assert_non_null(strstr(message(NULL), "move-down"));
    assert_non_null(strstr(message(NULL), "move-up"));
    tui_modal_key(TUI_KEY_ESC);

    tui_cmdline_open(&ops);
    type("zz\t");
    assert_string_equal(message(NULL), "no command starts with 'zz'");
    tui_modal_key(TUI_KEY_ESC);
}

static void test_message_kept_for_dump_and_cancel(void **state)
{
    (void)state;
    tui_message("before");
    tui_cmdline_open(&ops);
    assert_string_equal(message(NULL), ""); /* hidden while typing */
    tui_modal_key(TUI_KEY_ESC);
    assert_string_equal(message(NULL), "before");

    tui_cmdline_open(&ops);
    type("dump s");
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(got.dumped, "s");
    assert_string_equal(message(NULL), "before"); /* the screen as it was */

    tui_cmdline_open(&ops);
    type("move-up");
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(message(NULL), ""); /* any other command clears it */
}

/* Two fake screens: the lower one knows `go NAME` and completes NAME. */
static const char *go_names[] = {"foo", "bar", "baz"};
static char went[32];

static int low_command(struct tui_view *v, int argc, char **argv)
{
    (void)v;
    if (strcmp(argv[0], "go") != 0)
        return TUI_R_UNHANDLED;
    snprintf(went, sizeof(went), "%s", argc > 1 ? argv[1] : "");
    return TUI_R_REDRAW;
}

static size_t low_complete(struct tui_view *v, const char *cmd, const char *prefix,
                           const char **out, size_t max)
{
    (void)v;
    size_t n = 0;
    for (size_t i = 0; i < 3 && n < max && strcmp(cmd, "go") == 0; i++)
        if (strncmp(go_names[i], prefix, strlen(prefix)) == 0)
            out[n++] = go_names[i];
    return n;
}

static const char *const low_commands[] = {"go NAME - go there", NULL};
static const struct tui_view_ops low_ops = {.scope = TUI_SCOPEID_RELEASES,
                                            .command = low_command,
                                            .commands = low_commands,
                                            .complete = low_complete};
static const struct tui_view_ops top_ops = {.scope = TUI_SCOPEID_APPS};

static void test_commands_of_the_views_below(void **state)
{
    (void)state;
    tui_push(&low_ops, NULL, "low");
    tui_push(&top_ops, NULL, "top");
    went[0] = '\0';
    assert_int_equal(tui_cmdline_run(&ops, "go foo"), TUI_R_REDRAW);
    assert_string_equal(went, "foo");

    tui_cmdline_open(&ops);
    assert_non_null(strstr(tui_cmdline_hint(), "go"));
    type("g\t");
    assert_string_equal(tui_prompt_text(), "go ");
    assert_string_equal(tui_cmdline_hint(), "foo  bar  baz");
    type("b");
    assert_string_equal(tui_cmdline_hint(), "bar  baz");
    type("\t"); /* common prefix */
    assert_string_equal(tui_prompt_text(), "go ba");
    type("r\t");
    assert_string_equal(tui_prompt_text(), "go bar ");
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(went, "bar");
    assert_string_equal(tui_cmdline_hint(), ""); /* closed */
    tui_view_pop();
    tui_view_pop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_actions_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_completes_and_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_kept_for_dump_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_of_the_views_below, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
