/* Unit tests for core/suggest ("did you mean" by edit distance). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/suggest.h"

#include <string.h>

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(rel_edit_distance("", ""), 0);
    assert_int_equal(rel_edit_distance("assemble", "assemble"), 0);
    assert_int_equal(rel_edit_distance("asemble", "assemble"), 1);
    assert_int_equal(rel_edit_distance("verison", "version"), 2);
    assert_int_equal(rel_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(rel_edit_distance("", "abc"), 3);
    char long_word[80];
    memset(long_word, 'a', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = '\0';
    assert_true(rel_edit_distance(long_word, long_word) > 2);
}

static void test_suggest_closest_first_wins(void **state)
{
    (void)state;
    struct rel_suggest s;
    rel_suggest_init(&s, "asemble");
    static const char *const cands[] = {"apps", "assemble", "inspect", "assembles"};
    for (size_t i = 0; i < 4; i++)
        rel_suggest_offer(&s, cands[i], strlen(cands[i]));
    assert_string_equal(s.best, "assemble");
    assert_int_equal(s.distance, 1);

    rel_suggest_init(&s, "ab");
    rel_suggest_offer(&s, "ax", 2);
    rel_suggest_offer(&s, "ay", 2);
    assert_string_equal(s.best, "ax");
}

static void test_suggest_nothing_close(void **state)
{
    (void)state;
    struct rel_suggest s;
    rel_suggest_init(&s, "frobnicate");
    rel_suggest_offer_list(&s, "apps|assemble|inspect");
    assert_string_equal(s.best, "");
    /* a one-letter candidate is never "close" to another letter */
    rel_suggest_init(&s, "x");
    rel_suggest_offer(&s, "y", 1);
    assert_string_equal(s.best, "");
}

static void test_suggest_list(void **state)
{
    (void)state;
    struct rel_suggest s;
    rel_suggest_init(&s, "permanet");
    rel_suggest_offer_list(&s, "permanent|transient|temporary|load|none");
    assert_string_equal(s.best, "permanent");
    /* a candidate given by length, not NUL-terminated */
    rel_suggest_init(&s, "json");
    rel_suggest_offer(&s, "jsonx-more", 5);
    assert_string_equal(s.best, "jsonx");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_suggest_closest_first_wins),
        cmocka_unit_test(test_suggest_nothing_close),
        cmocka_unit_test(test_suggest_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
