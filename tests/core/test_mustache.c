/* Unit tests for core/mustache (relx's {{var}} templates, as bbmustache 1.12
 * renders them with atom keys and no escaping). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mustache.h"
#include "core/term.h"

#include <stdlib.h>
#include <string.h>

static const char *CTX = "[{name, \"world\"}, {n, 42}, {neg, -7}, {f, 1.5}, {tenth, 0.1},"
                         " {big, 1.0e30}, {a, foo}, {b, <<\"bin\">>}, {t, true}, {no, false},"
                         " {empty, \"\"}, {nil_v, nil}, {io, [\"ab\", <<\"cd\">>, $e]},"
                         " {nested, [{a, [{b, \"deep\"}]}]}, {items, [[{x, 1}], [{x, 2}]]},"
                         " {letters, \"hi\"}, {tup, {1, 2}}, bare, {utf, \"h\\x{e9}\"},"
                         " {f1, 100.0}, {f2, 1000.0}, {f3, 123456789.0}, {f4, 12345678901234568.0},"
                         " {f5, 0.0001}, {f6, 0.00012}, {f7, -2.5}, {f8, 1234567890123456.0}].";

static const char *render(const char *text, int expect_rc)
{
    static struct rel_buf out;
    struct rel_term *ctx = NULL;
    rel_buf_free(&out);
    assert_int_equal(rel_term_parse_one(&ctx, CTX, strlen(CTX), "ctx"), 0);
    int rc = rel_mustache_render(&out, text, strlen(text), ctx, "t.tpl");
    rel_term_free(ctx);
    if (rc != expect_rc)
        fail_msg("rc %d (%s) for: %s", rc, rel_error_message(), text);
    return rc ? rel_error_message() : rel_buf_cstr(&out);
}

static void test_values(void **state)
{
    (void)state;
    assert_string_equal(render("hello {{name}}!", 0), "hello world!");
    assert_string_equal(render("{{n}} {{neg}} {{a}} {{b}} {{t}} {{no}}", 0), "42 -7 foo bin true false");
    assert_string_equal(render("{{f}} {{tenth}} {{big}}", 0), "1.5 0.1 1.0e30");
    assert_string_equal(render("{{f1}} {{f2}} {{f3}} {{f4}} {{f5}} {{f6}} {{f7}} {{f8}}", 0),
                        "100.0 1.0e3 123456789.0 1.2345678901234568e16 0.0001 1.2e-4 -2.5 "
                        "1234567890123456.0");
    assert_string_equal(render("[{{missing}}] [{{nil_v}}] [{{empty}}]", 0), "[] [] []");
    assert_string_equal(render("{{io}}", 0), "abcde");
    assert_string_equal(render("{{utf}}", 0), "h\xc3\xa9");
    assert_string_equal(render("{{{name}}} {{&name}} {{ name }}", 0), "world world world");
    assert_string_equal(render("<&\"{{name}}\">", 0), "<&\"world\">"); /* no escaping */
    assert_string_equal(render("{{bare}}", 0), "true");
    assert_string_equal(render("no tags at all\n", 0), "no tags at all\n");
}

static void test_nested_keys(void **state)
{
    (void)state;
    assert_string_equal(render("{{nested.a.b}}", 0), "deep");
    assert_string_equal(render("[{{nested.a.c}}]", 0), "[]");
    assert_string_equal(render("{{#nested}}{{a.b}}{{/nested}}", 0), "deep");
    /* the rest of a dotted key is looked up only inside the first part */
    assert_string_equal(render("{{#nested}}[{{a.name}}]{{/nested}}", 0), "[]");
    /* outer keys are visible inside sections */
    assert_string_equal(render("{{#nested}}{{name}}{{/nested}}", 0), "world");
}

static void test_sections(void **state)
{
    (void)state;
    assert_string_equal(render("{{#t}}yes{{/t}}{{#no}}no{{/no}}{{#missing}}m{{/missing}}", 0), "yes");
    assert_string_equal(render("{{^no}}inv{{/no}}{{^t}}x{{/t}}{{^empty}}e{{/empty}}", 0), "inve");
    assert_string_equal(render("{{#items}}<{{x}}>{{/items}}", 0), "<1><2>");
    assert_string_equal(render("{{#letters}}{{.}},{{/letters}}", 0), "104,105,");
    assert_string_equal(render("{{#name}}[{{.}}]{{/name}}", 0), "[119][111][114][108][100]");
    assert_string_equal(render("{{#a}}{{.}}{{/a}}", 0), "foo");
}

static void test_standalone(void **state)
{
    (void)state;
    assert_string_equal(render("a\n  {{#t}}  \nb\n  {{/t}}\nc\n", 0), "a\nb\nc\n");
    assert_string_equal(render("a\n{{! a comment }}\nb\n", 0), "a\nb\n");
    assert_string_equal(render("a {{#t}}x{{/t}} b\n", 0), "a x b\n");
    assert_string_equal(render("{{#t}}\nline\n{{/t}}", 0), "line\n");
    assert_string_equal(render("x\r\n{{#t}}\r\ny\r\n{{/t}}\r\n", 0), "x\r\ny\r\n");
    /* a variable on the line keeps the line */
    assert_string_equal(render("{{name}} {{#t}}\nx{{/t}}", 0), "world \nx");
}

static void test_delimiters(void **state)
{
    (void)state;
    assert_string_equal(render("{{=<% %>=}}<% name %> {{name}}", 0), "world {{name}}");
    assert_string_equal(render("{{=<% %>=}}\n<%={{ }}=%>\n{{n}}", 0), "42");
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(render("a\nb {{name", REL_ETEMPLATE), "t.tpl:2: unclosed tag");
    assert_string_equal(render("{{#t}}\nx\n", REL_ETEMPLATE), "t.tpl:1: section {{#t}} is not closed");
    assert_string_equal(render("{{#t}}x{{/no}}", REL_ETEMPLATE),
                        "t.tpl:1: section {{#t}} (line 1) closed by {{/no}}");
    assert_string_equal(render("x\n{{/t}}", REL_ETEMPLATE), "t.tpl:2: {{/t}} closes no section");
    assert_string_equal(render("\n\n{{tup}}", REL_ETEMPLATE),
                        "t.tpl:3: {{tup}}: {1,2} (a tuple) cannot be printed");
    assert_string_equal(render("{{>part}}", REL_ETEMPLATE),
                        "t.tpl:1: partials ({{>name}}) are not supported");
    assert_string_equal(render("{{nested}}", REL_ETEMPLATE),
                        "t.tpl:1: {{nested}}: {a,[{b,\"deep\"}]} cannot be printed in a list");
    assert_string_equal(render("{{= a=b c =}}", REL_ETEMPLATE),
                        "t.tpl:1: delimiters may not contain '='");
}

static void test_limits(void **state)
{
    (void)state;
    /* sections nested deeper than the cap are refused, not recursed */
    struct rel_buf t = REL_BUF_INIT;
    for (int i = 0; i < REL_MUSTACHE_MAX_DEPTH + 2; i++)
        rel_buf_puts(&t, "{{#t}}");
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_mustache_render(&out, t.ptr, t.len, NULL, "deep"), REL_ETEMPLATE);
    assert_non_null(strstr(rel_error_message(), "nested too deep"));
    rel_buf_free(&t);
    rel_buf_free(&out);
    /* nested sections over long lists stop at the budget */
    struct rel_term *l = rel_term_list_new();
    for (int i = 0; i < 1000; i++)
        rel_term_list_append(l, rel_term_int(i));
    struct rel_term *c = rel_term_list_append(rel_term_list_new(),
                                              rel_term_tuple(2, rel_term_atom("l"), l));
    const char *boom = "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}";
    assert_int_equal(rel_mustache_render(&out, boom, strlen(boom), c, "boom"), REL_ELIMIT);
    assert_non_null(strstr(rel_error_message(), "boom:1: the template renders too much"));
    rel_term_free(c);
    rel_buf_free(&out);
    /* no context: everything renders as nothing */
    assert_int_equal(rel_mustache_render(&out, "[{{x}}]", 7, NULL, NULL), 0);
    assert_string_equal(rel_buf_cstr(&out), "[]");
    rel_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),     cmocka_unit_test(test_nested_keys),
        cmocka_unit_test(test_sections),   cmocka_unit_test(test_standalone),
        cmocka_unit_test(test_delimiters), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
