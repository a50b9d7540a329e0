/* Unit tests for tui/action (the table and the keymap) and tui/conf (the
 * tui.conf lines that rebind keys). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "tui/action.h"
#include "tui/conf.h"
#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int setup(void **state)
{
    (void)state;
    tui_keymap_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tui_keymap_free();
    return 0;
}

static void test_table_is_consistent(void **state)
{
    (void)state;
    for (int a = 1; a < TUI_ACT_COUNT; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        assert_non_null(info->name);
        assert_true(info->scope != 0);
        assert_true(strlen(info->help) > 5);
        assert_int_equal(tui_action_find(info->name), a);
        for (int b = a + 1; b < TUI_ACT_COUNT; b++)
            assert_string_not_equal(info->name, tui_action_info((enum tui_action)b)->name);
    }
    assert_int_equal(tui_action_find("no-such-action"), TUI_ACT_NONE);
    assert_int_equal(tui_scope_find("applications"), TUI_SCOPEID_APPS);
    assert_int_equal(tui_scope_find("nope"), -1);
}

/* Within one keymap, no default key is bound to two actions. */
static void test_no_key_does_two_things_in_one_screen(void **state)
{
    (void)state;
    for (int s = 0; s < TUI_SCOPE_COUNT; s++)
        for (int a = 1; a < TUI_ACT_COUNT; a++)
            for (int b = a + 1; b < TUI_ACT_COUNT; b++) {
                char ka[128], kb[128];
                tui_keymap_keys((enum tui_scope_id)s, (enum tui_action)a, ka, sizeof(ka));
                tui_keymap_keys((enum tui_scope_id)s, (enum tui_action)b, kb, sizeof(kb));
                char padded[140];
                snprintf(padded, sizeof(padded), " %s ", kb);
                char *save = NULL;
                for (char *k = strtok_r(ka, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
                    char needle[40];
                    snprintf(needle, sizeof(needle), " %s ", k);
                    if (strstr(padded, needle))
                        fail_msg("key %s does both %s and %s in %s", k,
                                 tui_action_info((enum tui_action)a)->name,
                                 tui_action_info((enum tui_action)b)->name,
                                 tui_scope_name((enum tui_scope_id)s));
                }
            }
}

static void test_lookup_screen_then_generic(void **state)
{
    (void)state;
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'P'), TUI_ACT_MODE_PERMANENT);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'j'), TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'O'), TUI_ACT_MODE_NONE);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_PREVIEW, 'n'), TUI_ACT_FIND_NEXT);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_PREVIEW, '/'), TUI_ACT_SEARCH);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_RELEASES, '/'), TUI_ACT_FILTER);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_RELEASES, 'P'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_HELP, TUI_KEY_ESC), TUI_ACT_BACK);
}

static void test_conf_lines(void **state)
{
    (void)state;
    struct tui_conf conf = {{0}};
    assert_int_equal(tui_conf_line(&conf, "bind applications X set-mode-permanent", "t.conf", 1),
                     0);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'X'), TUI_ACT_MODE_PERMANENT);
    assert_int_equal(tui_conf_line(&conf, "  # a comment", "t.conf", 2), 0);
    assert_int_equal(tui_conf_line(&conf, "", "t.conf", 3), 0);
    assert_int_equal(tui_conf_line(&conf, "theme light", "t.conf", 4), 0);
    assert_string_equal(conf.theme, "light");
    assert_int_equal(tui_conf_line(&conf, "bind generic <F10> quit", "t.conf", 5), 0);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_RELEASES, TUI_KEY_FN | KEY_F(10)), TUI_ACT_QUIT);
    assert_int_equal(tui_conf_line(&conf, "unbind applications P", "t.conf", 6), 0);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'P'), TUI_ACT_NONE);
    /* a screen's unbinding hides the generic meaning of the key there only */
    assert_int_equal(tui_conf_line(&conf, "unbind applications j", "t.conf", 7), 0);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'j'), TUI_ACT_NONE);
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_RELEASES, 'j'), TUI_ACT_MOVE_DOWN);
}

static void test_conf_errors_name_the_line(void **state)
{
    (void)state;
    struct tui_conf conf = {{0}};
    assert_int_equal(tui_conf_line(&conf, "bind applications X fly", "t.conf", 3), REL_ECONFIG);
    assert_string_equal(rel_error_message(),
                        "t.conf:3: unknown action 'fly' (see relman tui --keys)");
    assert_int_equal(tui_conf_line(&conf, "bind nowhere X quit", "t.conf", 4), REL_ECONFIG);
    assert_string_equal(rel_error_message(), "t.conf:4: unknown keymap 'nowhere'");
    assert_int_equal(tui_conf_line(&conf, "bind generic <Bogus> quit", "t.conf", 5), REL_ECONFIG);
    assert_string_equal(rel_error_message(), "t.conf:5: unknown key '<Bogus>'");
    assert_int_equal(tui_conf_line(&conf, "bind generic x", "t.conf", 6), REL_ECONFIG);
    assert_int_equal(tui_conf_line(&conf, "colour red", "t.conf", 7), REL_ECONFIG);
    assert_int_equal(tui_conf_line(&conf, "bind generic x save", "t.conf", 8), REL_ECONFIG);
    assert_int_equal(tui_conf_line(&conf, "bind preview x set-mode-load", "t.conf", 9),
                     REL_ECONFIG);
}

static void test_cannot_lose_quit_and_command(void **state)
{
    (void)state;
    struct tui_conf conf = {{0}};
    assert_int_equal(tui_conf_line(&conf, "unbind generic q", "t.conf", 1), 0);
    assert_int_equal(tui_conf_line(&conf, "unbind generic Q", "t.conf", 1), 0);
    assert_int_equal(tui_conf_line(&conf, "unbind generic :", "t.conf", 2), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "t.conf:2:"));
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_GENERIC, ':'), TUI_ACT_COMMAND);
}

static void test_conf_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-tui-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/tui.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# keys\nbind applications Z set-mode-load\ntheme high-contrast\nbind generic ^X fly\n",
          f);
    fclose(f);
    setenv("RELMAN_TUI_CONFIG", path, 1);
    struct tui_conf conf = {{0}};
    assert_int_equal(tui_conf_load(&conf), REL_ECONFIG);
    char want[400];
    snprintf(want, sizeof(want), "%s:4: unknown action 'fly' (see relman tui --keys)", path);
    assert_string_equal(rel_error_message(), want);
    assert_string_equal(conf.theme, "high-contrast");
    assert_int_equal(tui_keymap_lookup(TUI_SCOPEID_APPS, 'Z'), TUI_ACT_MODE_LOAD);
    unlink(path);
    assert_int_equal(tui_conf_load(&conf), REL_ENOTFOUND);
    unsetenv("RELMAN_TUI_CONFIG");
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table_is_consistent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_key_does_two_things_in_one_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_screen_then_generic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_errors_name_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cannot_lose_quit_and_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
