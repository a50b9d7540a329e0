/* Unit tests for tui/theme: theme files, errors, lookup, built-ins. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "tui/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_parse(void **state)
{
    (void)state;
    struct tui_theme t;
    assert_int_equal(tui_theme_parse(&t,
                                     "# c\n"
                                     "default default default\n"
                                     "title  bright-white blue bold,underline\n"
                                     "problem color196 default bold reverse  # trailing\n",
                                     "x.theme"),
                     0);
    assert_int_equal(t.role[TUI_ROLE_TITLE].fg, 15);
    assert_int_equal(t.role[TUI_ROLE_TITLE].bg, 4);
    assert_int_equal(t.role[TUI_ROLE_TITLE].attrs, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE);
    assert_int_equal(t.role[TUI_ROLE_PROBLEM].fg, 196);
    assert_int_equal(t.role[TUI_ROLE_PROBLEM].attrs, TUI_ATTR_BOLD | TUI_ATTR_REVERSE);
    /* a role left out looks like default */
    assert_int_equal(t.role[TUI_ROLE_MUTED].fg, -1);
    assert_false(t.role[TUI_ROLE_MUTED].set);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct tui_theme t;
    assert_int_equal(tui_theme_parse(&t, "title white\n", "x.theme"), REL_ECONFIG);
    assert_string_equal(rel_error_message(),
                        "x.theme:1: expected 'ROLE FOREGROUND BACKGROUND [ATTRIBUTES]'");
    assert_int_equal(tui_theme_parse(&t, "\ntitel white blue\n", "x.theme"), REL_ECONFIG);
    assert_string_equal(rel_error_message(), "x.theme:2: unknown role 'titel'");
    assert_int_equal(tui_theme_parse(&t, "title wite blue\n", "x.theme"), REL_ECONFIG);
    assert_string_equal(rel_error_message(), "x.theme:1: unknown colour 'wite'");
    assert_int_equal(tui_theme_parse(&t, "title white color256\n", "x.theme"), REL_ECONFIG);
    assert_int_equal(tui_theme_parse(&t, "title white blue blink\n", "x.theme"), REL_ECONFIG);
    assert_string_equal(rel_error_message(), "x.theme:1: unknown attribute 'blink'");
}

/* Every file in themes/ parses, names every role, and is exactly what is
 * compiled in (scripts/embed-themes.sh regenerates the built-ins). */
static void test_files_match_builtins(void **state)
{
    (void)state;
    const char *required[] = {"dark", "light", "high-contrast", "monochrome"};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(tui_theme_builtin(required[i]));
    for (int i = 0; tui_theme_builtin_names[i]; i++) {
        const char *name = tui_theme_builtin_names[i];
        char path[512];
        snprintf(path, sizeof(path), "%s/themes/%s.theme", RELMAN_SOURCE_DIR, name);
        struct rel_buf text = REL_BUF_INIT;
        assert_int_equal(rel_fs_read_file(&text, path, 1 << 16), 0);
        if (strcmp(rel_buf_cstr(&text), tui_theme_builtin(name)) != 0)
            fail_msg("%s differs from the built-in copy: run scripts/embed-themes.sh", path);
        struct tui_theme t;
        assert_int_equal(tui_theme_parse(&t, rel_buf_cstr(&text), path), 0);
        for (int r = 0; r < TUI_ROLE_COUNT; r++)
            if (!t.role[r].set)
                fail_msg("%s does not set role '%s'", path, tui_role_name((enum tui_role)r));
        rel_buf_free(&text);
    }
}

static void test_monochrome_has_no_colour(void **state)
{
    (void)state;
    struct tui_theme t;
    assert_int_equal(tui_theme_parse(&t, tui_theme_builtin("monochrome"), "mono"), 0);
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        assert_int_equal(t.role[r].fg, -1);
        assert_int_equal(t.role[r].bg, -1);
    }
    /* a selection is visible without colour */
    assert_true(t.role[TUI_ROLE_SELECTION].attrs & TUI_ATTR_REVERSE);
}

static void test_lookup(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-tui-theme-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/dark.theme", dir);
    FILE *f = fopen(path, "w");
    fputs("title red green\n", f);
    fclose(f);

    setenv("RELMAN_THEMES_DIR", dir, 1);
    struct tui_theme t;
    assert_int_equal(tui_theme_load(&t, "dark"), 0);
    assert_int_equal(t.role[TUI_ROLE_TITLE].fg, 1); /* the override, not the built-in */
    assert_string_equal(t.name, "dark");
    assert_int_equal(tui_theme_load(&t, "light"), 0); /* falls through to the others */
    assert_int_equal(tui_theme_load(&t, path), 0);    /* a path */
    assert_int_equal(tui_theme_load(&t, "nosuch"), REL_ENOTFOUND);
    assert_non_null(strstr(rel_error_message(), "unknown theme 'nosuch'"));
    assert_int_equal(tui_theme_load(&t, "../etc"), REL_ENOTFOUND);

    /* with no directory at all, the built-ins still work */
    setenv("RELMAN_THEMES_DIR", "/nonexistent", 1);
    setenv("HOME", "/nonexistent", 1);
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(tui_theme_load(&t, "high-contrast"), 0);
    unsetenv("RELMAN_THEMES_DIR");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_files_match_builtins),
        cmocka_unit_test(test_monochrome_has_no_colour),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
