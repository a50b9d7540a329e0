/* Unit tests for tui/draw's wrapping (tui_wrap): the one way long text is
 * broken into lines for messages, dialogs, detail panes and pagers. No
 * screen is needed: the lines are spans of the text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/draw.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

/* The wrapped lines of `text`, each as "INDENT|TEXT", joined with '\n'. */
static const char *wrapped(const char *text, int width, int indent)
{
    static char out[4096];
    struct tui_span sp[64];
    size_t n = tui_wrap(text, width, indent, sp, 64);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 64; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%d|%.*s", i ? "\n" : "", sp[i].indent,
                              (int)sp[i].len, text + sp[i].off);
    return out;
}

static void test_fits(void **state)
{
    (void)state;
    assert_string_equal(wrapped("short text", 20, 2), "0|short text");
    assert_int_equal(tui_wrap("", 10, 0, NULL, 0), 1);
}

static void test_breaks_at_blanks(void **state)
{
    (void)state;
    assert_string_equal(wrapped("y: quit without saving  s: save and quit  n: stay", 24, 0),
                        "0|y: quit without saving\n0|s: save and quit  n:\n0|stay");
    /* a continuation line gets the indent, and its width is less by it */
    assert_string_equal(wrapped("aaa bbb ccc ddd", 7, 2), "0|aaa bbb\n2|ccc\n2|ddd");
}

static void test_long_word_breaks_mid_word(void **state)
{
    (void)state;
    assert_string_equal(wrapped("SHA256:abcdefghij", 8, 0), "0|SHA256:a\n0|bcdefghi\n0|j");
}

static void test_newlines(void **state)
{
    (void)state;
    assert_string_equal(wrapped("one\ntwo three\n\nfour", 5, 0),
                        "0|one\n0|two\n0|three\n0|\n0|four");
    assert_int_equal(tui_wrap("a\n", 10, 0, NULL, 0), 1);
}

static void test_counts_beyond_max(void **state)
{
    (void)state;
    struct tui_span sp[2];
    assert_int_equal(tui_wrap("a b c d e", 1, 0, sp, 2), 5);
    assert_int_equal(sp[1].off, 2);
}

static void test_width_in_cells(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8"))
        skip();
    /* "·" is one cell in two bytes: the break counts cells, not bytes */
    assert_string_equal(wrapped("a · b · c", 5, 0), "0|a · b\n0|· c");
}

static void test_skip(void **state)
{
    (void)state;
    assert_int_equal(tui_text_skip("abcdef", 2), 2);
    assert_int_equal(tui_text_skip("abc", 10), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_breaks_at_blanks),
        cmocka_unit_test(test_long_word_breaks_mid_word),
        cmocka_unit_test(test_newlines),
        cmocka_unit_test(test_counts_beyond_max),
        cmocka_unit_test(test_width_in_cells),
        cmocka_unit_test(test_skip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
