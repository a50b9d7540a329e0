/* Unit tests for core/utf8 (the one UTF-8 codec) and core/clocale. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clocale.h"
#include "core/utf8.h"

#include <locale.h>
#include <stdint.h>
#include <string.h>

static void test_encode_decode_roundtrip(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      0x41,   0x7F,   0x80,   0xE9,    0x7FF,   0x800,
                                   0x20AC, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4};
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        char b[REL_UTF8_MAX];
        size_t n = rel_utf8_encode(cps[i], b);
        assert_int_equal(n, lens[i]);
        uint32_t c = 0xFFFFFFFF;
        assert_int_equal(rel_utf8_decode(b, n, &c), n);
        assert_int_equal(c, cps[i]);
        /* truncated: invalid, c untouched */
        c = 7;
        assert_int_equal(rel_utf8_decode(b, n - 1, &c), 0);
        if (n > 1)
            assert_int_equal(c, 7);
    }
}

static void test_decode_rejects(void **state)
{
    (void)state;
    uint32_t c;
    assert_int_equal(rel_utf8_decode("\xC0\x80", 2, &c), 0);         /* overlong NUL */
    assert_int_equal(rel_utf8_decode("\xC1\xBF", 2, &c), 0);         /* overlong */
    assert_int_equal(rel_utf8_decode("\xE0\x80\x80", 3, &c), 0);     /* overlong */
    assert_int_equal(rel_utf8_decode("\xF0\x80\x80\x80", 4, &c), 0); /* overlong */
    assert_int_equal(rel_utf8_decode("\xED\xA0\x80", 3, &c), 0);     /* surrogate */
    assert_int_equal(rel_utf8_decode("\xF4\x90\x80\x80", 4, &c), 0); /* > 10FFFF */
    assert_int_equal(rel_utf8_decode("\xF8\x88\x80\x80\x80", 5, &c), 0);
    assert_int_equal(rel_utf8_decode("\x80", 1, &c), 0); /* lone continuation */
    assert_int_equal(rel_utf8_decode("\xC3\x28", 2, &c), 0);
    assert_int_equal(rel_utf8_decode("", 0, &c), 0);
}

static void test_chars_skip_valid(void **state)
{
    (void)state;
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"; /* a é € 😀 z */
    size_t n = strlen(s);
    assert_int_equal(rel_utf8_chars(s, n), 5);
    assert_int_equal(rel_utf8_skip(s, n, 0), 0);
    assert_int_equal(rel_utf8_skip(s, n, 1), 1);
    assert_int_equal(rel_utf8_skip(s, n, 2), 3);
    assert_int_equal(rel_utf8_skip(s, n, 4), 10);
    assert_int_equal(rel_utf8_skip(s, n, 99), n);
    size_t chars = 0;
    assert_true(rel_utf8_valid(s, n, &chars));
    assert_int_equal(chars, 5);
    assert_false(rel_utf8_valid("a\xFF", 2, &chars));
    assert_true(rel_utf8_is_cont(0x80));
    assert_false(rel_utf8_is_cont('a'));
}

static void test_latin1(void **state)
{
    (void)state;
    const uint8_t l1[] = {'c', 'a', 'f', 0xE9, 0xFF};
    char out[2 * sizeof(l1)];
    size_t n = rel_utf8_from_latin1(out, l1, sizeof(l1));
    assert_int_equal(n, 7);
    assert_memory_equal(out, "caf\xC3\xA9\xC3\xBF", 7);
    uint8_t back[8];
    size_t m = 0;
    assert_true(rel_utf8_to_latin1(back, sizeof(back), &m, out, n));
    assert_int_equal(m, sizeof(l1));
    assert_memory_equal(back, l1, sizeof(l1));
    /* above U+00FF, invalid text, or no room: refused */
    assert_false(rel_utf8_to_latin1(back, sizeof(back), &m, "\xE2\x82\xAC", 3));
    assert_false(rel_utf8_to_latin1(back, sizeof(back), &m, "\xC3", 1));
    assert_false(rel_utf8_to_latin1(back, 2, &m, "abc", 3));
}

static void test_clocale_strtod(void **state)
{
    (void)state;
    /* whatever the process locale, a point is the decimal separator */
    setlocale(LC_ALL, "");
    char *end;
    assert_true(rel_clocale_strtod("1.5e3x", &end) == 1500.0);
    assert_int_equal(*end, 'x');
    locale_t old = rel_clocale_enter();
    rel_clocale_leave(old);
    setlocale(LC_ALL, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_decode_roundtrip), cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_chars_skip_valid),        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_clocale_strtod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
