/* Unit tests for tui/mask: cookies never reach the screen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "tui/mask.h"

static void check(const char *in, const char *cookie, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, in);
    tui_mask_secrets(&b, cookie);
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

static void test_masking(void **state)
{
    (void)state;
    check("-name foo\n-setcookie abc123\n", NULL, "-name foo\n-setcookie ********\n");
    check("export RELEASE_COOKIE=\"abc\"\n", NULL, "export RELEASE_COOKIE=\"********\"\n");
    check("cookie: s3cr3t and s3cr3t again", "s3cr3t", "cookie: ******** and ******** again");
    check("-setcookie s3cr3t", "s3cr3t", "-setcookie ********");
    check("nothing here", "zz", "nothing here");
    check("-setcookie ", NULL, "-setcookie ");
    check("", "x", "");
    assert_true(tui_mask_secret_file("releases/COOKIE"));
    assert_true(tui_mask_secret_file("COOKIE"));
    assert_false(tui_mask_secret_file("releases/COOKIES"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_masking)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
