/* Unit tests for core/escape: control characters from hosts become text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/escape.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *in, unsigned flags, const char *want)
{
    char *got = rel_escape_dup(in, flags);
    assert_string_equal(got, want);
    free(got);
}

static void test_controls(void **state)
{
    (void)state;
    expect("plain text, caf\xc3\xa9 \xe2\x82\xac \\ ok", 0,
           "plain text, caf\xc3\xa9 \xe2\x82\xac \\ ok");
    expect("\033[2J\033]52;c;aGk=\007x", 0, "\\x1b[2J\\x1b]52;c;aGk=\\x07x");
    expect("a\rb\x7f", 0, "a\\x0db\\x7f");
    expect("l1\n\tl2\n", 0, "l1\\x0a\\x09l2\\x0a");
    expect("l1\n\tl2\r\n", REL_ESCAPE_KEEP_LINES, "l1\n\tl2\\x0d\n");
    /* C1 as UTF-8 (U+009B is CSI), and bytes that are not UTF-8 */
    expect("\xc2\x9b"
           "31m",
           0, "\\u009b31m");
    expect("\x9b"
           "31m \xff \xc3",
           0, "\\x9b31m \\xff \\xc3");
    assert_null(rel_escape_dup(NULL, 0));
    assert_true(rel_escape_needed("a\033", 2, 0));
    assert_false(rel_escape_needed("a\nb", 3, REL_ESCAPE_KEEP_LINES));
    assert_true(rel_escape_needed("a\nb", 3, 0));
}

static void test_partial(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    /* "é" cut after its first byte: left for the next piece */
    size_t used = rel_escape_text(&b, "ab\xc3", 3, REL_ESCAPE_PARTIAL);
    assert_int_equal(used, 2);
    assert_string_equal(rel_buf_cstr(&b), "ab");
    rel_buf_clear(&b);
    used = rel_escape_text(&b, "\xc3\xa9!", 3, REL_ESCAPE_PARTIAL);
    assert_int_equal(used, 3);
    assert_string_equal(rel_buf_cstr(&b), "\xc3\xa9!");
    rel_buf_clear(&b);
    /* not partial: the cut byte is escaped */
    used = rel_escape_text(&b, "ab\xc3", 3, 0);
    assert_int_equal(used, 3);
    assert_string_equal(rel_buf_cstr(&b), "ab\\xc3");
    rel_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
