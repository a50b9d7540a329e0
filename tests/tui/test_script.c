/* Unit tests for tui/script: the headless key script syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "tui/keys.h"
#include "tui/script.h"

#include <string.h>

static void test_steps(void **state)
{
    (void)state;
    struct tui_script *s;
    assert_int_equal(tui_script_from_text(&s,
                                          "# comment\n"
                                          "\n"
                                          "j<Enter>\n"
                                          ":dump a<b\n"
                                          "@timeout 3\n"
                                          "@wait foo bar\n"
                                          "@wait !gone\n"
                                          "@resize 200x60\n"
                                          "@sleep 5\n"
                                          "@dump here\n",
                                          "s.txt"),
                     0);
    struct tui_step st;
    assert_int_equal(tui_script_next(s, &st), 0);
    assert_int_equal(st.kind, TUI_STEP_KEY);
    assert_int_equal(st.key, 'j');
    assert_int_equal(st.lineno, 3);
    tui_script_next(s, &st);
    assert_int_equal(st.key, TUI_KEY_ENTER);
    const char *typed = ":dump a<b";
    for (const char *c = typed; *c; c++) {
        tui_script_next(s, &st);
        assert_int_equal(st.kind, TUI_STEP_KEY);
        assert_int_equal(st.key, *c);
        assert_int_equal(st.lineno, 4);
    }
    tui_script_next(s, &st);
    assert_int_equal(st.key, TUI_KEY_ENTER);
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_WAIT);
    assert_string_equal(st.text, "foo bar");
    assert_int_equal(st.timeout_ms, 3000);
    assert_false(st.wait_absent);
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_WAIT);
    assert_true(st.wait_absent);
    assert_string_equal(st.text, "gone");
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_RESIZE);
    assert_int_equal(st.cols, 200);
    assert_int_equal(st.lines, 60);
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_SLEEP);
    assert_int_equal(st.ms, 5);
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_DUMP);
    assert_string_equal(st.text, "here");
    tui_script_next(s, &st);
    assert_int_equal(st.kind, TUI_STEP_END);
    tui_script_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    const char *bad[] = {"@resize 80\n", "@wait\n", "@fly\n", "@timeout 0\n", "@sleep x\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tui_script *s;
        tui_script_from_text(&s, bad[i], "s.txt");
        struct tui_step st;
        assert_int_equal(tui_script_next(s, &st), REL_EPARSE);
        assert_non_null(strstr(rel_error_message(), "s.txt:1: "));
        tui_script_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
