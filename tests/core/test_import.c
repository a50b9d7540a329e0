/* Unit tests for core/import's choices (rel_import_apply) and its template
 * files: what the guided setup and `relman init --name ...` change. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/data.h"
#include "core/error.h"
#include "core/import.h"

#include <string.h>

static const char *two = "# two releases\n"
                         "default_release: foo\n"
                         "releases:\n"
                         "  foo:\n"
                         "    version: \"0.1.0\"  # the shop\n"
                         "    applications:\n"
                         "      kv: permanent\n"
                         "    cookie: \"OLD\"\n"
                         "  bar:\n"
                         "    applications: {kv: permanent}\n";

static int apply(struct rel_buf *out, const char *text, const struct rel_import_choice *c)
{
    rel_buf_clear(out);
    return rel_import_apply(out, text, strlen(text), c);
}

static void test_choices_on_one_release(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.release = "foo",
                                  .name = "shop",
                                  .version = "1.2.3",
                                  .erts = REL_IMPORT_ERTS_FALSE,
                                  .cookie = REL_IMPORT_COOKIE_GENERATED};
    assert_int_equal(apply(&out, two, &c), 0);
    assert_string_equal(rel_buf_cstr(&out), "# two releases\n"
                                            "default_release: shop\n"
                                            "releases:\n"
                                            "  shop:\n"
                                            "    version: \"1.2.3\"  # the shop\n"
                                            "    applications:\n"
                                            "      kv: permanent\n"
                                            "    include_erts: false\n"
                                            "  bar:\n"
                                            "    applications: {kv: permanent}\n");
    rel_buf_free(&out);
}

static void test_choices_on_every_release(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.erts = REL_IMPORT_ERTS_TRUE,
                                  .cookie = REL_IMPORT_COOKIE_CONFIGURED,
                                  .cookie_value = "S3CRET"};
    assert_int_equal(apply(&out, two, &c), 0);
    assert_non_null(strstr(rel_buf_cstr(&out), "    cookie: \"S3CRET\"\n    include_erts: true\n"));
    assert_non_null(strstr(rel_buf_cstr(&out), "  bar:\n    applications: {kv: permanent}\n"
                                               "    include_erts: true\n"
                                               "    cookie: \"S3CRET\"\n"));
    /* a random cookie when none is given: 64 base32 characters */
    struct rel_import_choice r = {.release = "bar", .cookie = REL_IMPORT_COOKIE_CONFIGURED};
    assert_int_equal(apply(&out, two, &r), 0);
    const char *k = strstr(rel_buf_cstr(&out), "cookie: \"");
    k = strstr(k + 1, "cookie: \""); /* bar's, after foo's OLD */
    assert_non_null(k);
    assert_int_equal(strcspn(k + 9, "\""), 64);
    rel_buf_free(&out);
}

static void test_bad_choices(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.name = "shop"};
    assert_int_equal(apply(&out, two, &c), REL_EUSAGE);
    assert_non_null(strstr(rel_error_message(), "(foo, bar)"));
    c = (struct rel_import_choice){.release = "nope", .version = "1"};
    assert_int_equal(apply(&out, two, &c), REL_ENOTFOUND);
    c = (struct rel_import_choice){.release = "foo", .name = "bar"};
    assert_int_equal(apply(&out, two, &c), REL_EEXISTS);
    c = (struct rel_import_choice){.release = "foo", .name = "Shop"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.version = "1 2"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.version = ".."};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.cookie = REL_IMPORT_COOKIE_CONFIGURED, .cookie_value = "a b"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.cookie = REL_IMPORT_COOKIE_CONFIGURED, .cookie_value = ""};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    assert_int_equal(out.len, 0); /* nothing on failure */
    rel_buf_free(&out);
}

static void test_template_files_exist(void **state)
{
    (void)state;
    int n = 0;
    for (const char *const *f = rel_import_template_files; *f; f++, n++)
        assert_non_null(rel_data_get(*f, NULL));
    assert_int_equal(n, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choices_on_one_release),
        cmocka_unit_test(test_choices_on_every_release),
        cmocka_unit_test(test_bad_choices),
        cmocka_unit_test(test_template_files_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
