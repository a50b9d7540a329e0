/* Unit tests for core/template (the EEx subset) and core/event. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/data.h"
#include "core/error.h"
#include "core/event.h"
#include "core/template.h"

#include <stdlib.h>
#include <string.h>

static int opt(void *ctx, const char *key, struct rel_buf *out, bool *found)
{
    (void)ctx;
    *found = strcmp(key, "cookie") == 0 || strcmp(key, "include_erts") == 0;
    if (strcmp(key, "cookie") == 0)
        return rel_buf_puts(out, "monster");
    if (strcmp(key, "include_erts") == 0)
        return rel_buf_puts(out, "true");
    return 0;
}

static int app(void *ctx, const char *a, const char *key, struct rel_buf *out, bool *found)
{
    (void)ctx;
    *found = strcmp(a, "kv") == 0 && strcmp(key, "vsn") == 0;
    return *found ? rel_buf_puts(out, "0.1.0") : 0;
}

static const struct rel_template_vars vars = {
    .name = "foo",
    .version = "0.0.1",
    .path = "/srv/foo",
    .version_path = "/srv/foo/releases/0.0.1",
    .erts_version = "13.1.5",
    .option = opt,
    .app_field = app,
};

static const char *render(const char *text, int expect_rc)
{
    static struct rel_buf out;
    rel_buf_free(&out);
    int rc = rel_template_render(&out, text, strlen(text), "rel/env.sh.eex", &vars);
    if (rc != expect_rc)
        fail_msg("rc %d (%s) for: %s", rc, rel_error_message(), text);
    return rc ? rel_error_message() : rel_buf_cstr(&out);
}

static void test_fields(void **state)
{
    (void)state;
    assert_string_equal(render("export RELEASE_NODE=<%= @release.name %>@127.0.0.1\n", 0),
                        "export RELEASE_NODE=foo@127.0.0.1\n");
    assert_string_equal(render("<%=@release.version%> <%= @release.path %>", 0), "0.0.1 /srv/foo");
    assert_string_equal(render("<%= @release.version_path %>|<%= @release.erts_version %>", 0),
                        "/srv/foo/releases/0.0.1|13.1.5");
    assert_string_equal(render("-setcookie <%= @release.options[:cookie] %>", 0),
                        "-setcookie monster");
    assert_string_equal(render("[<%= @release.options[:nothing] %>]", 0), "[]");
    assert_string_equal(render("<%= @release.options[ :\"include_erts\" ] %>", 0), "true");
    assert_string_equal(render("kv <%= @release.applications[:kv][:vsn] %>", 0), "kv 0.1.0");
    assert_string_equal(render("<%= to_string(@release.name) %>", 0), "foo");
    assert_string_equal(render("<%= (@release.name) %>", 0), "foo");
    assert_string_equal(render("<%= \"a \\\"q\\\"\" %>", 0), "a \"q\"");
}

static void test_comments_and_literals(void **state)
{
    (void)state;
    assert_string_equal(render("a<%# a comment %>b\n", 0), "ab\n");
    assert_string_equal(render("<%%= not a tag %>", 0), "<%= not a tag %>");
    assert_string_equal(render("100% sure %> fine", 0), "100% sure %> fine");
    assert_string_equal(render("", 0), "");
    assert_string_equal(render("no tags\n", 0), "no tags\n");
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    const char *m = render("line1\nline2\n<% if true do %>\nx\n<% end %>\n", REL_ETEMPLATE);
    assert_non_null(strstr(m, "rel/env.sh.eex:3: "));
    assert_non_null(strstr(m, "cannot render"));
    m = render("a\n<%= @release.nope %>", REL_ETEMPLATE);
    assert_non_null(strstr(m, "rel/env.sh.eex:2: unknown @release field"));
    m = render("<%= System.get_env(\"X\") %>", REL_ETEMPLATE);
    assert_non_null(strstr(m, "rel/env.sh.eex:1: relman cannot render"));
    m = render("\n\n\n<%= @release.name", REL_ETEMPLATE);
    assert_non_null(strstr(m, "rel/env.sh.eex:4: unterminated"));
    m = render("<%= \"#{1}\" %>", REL_ETEMPLATE);
    assert_non_null(strstr(m, "cannot render"));
    m = render("<%= @release.name <> \"x\" %>", REL_ETEMPLATE);
    assert_non_null(strstr(m, "cannot render"));
    m = render("<%= @release.options %>", REL_ETEMPLATE);
    assert_non_null(strstr(m, "cannot render"));
    m = render("<%= @foo %>", REL_ETEMPLATE);
    assert_null(strchr(m, '\n'));
}

/* With needs_eex set, what the subset cannot render is handed off (the
 * flag, rc 0) instead of failing, and nothing it renders is handed off. */
static bool needs_eex(const char *text)
{
    bool eex = true;
    struct rel_template_vars v = vars;
    v.needs_eex = &eex;
    struct rel_buf out = REL_BUF_INIT;
    int rc = rel_template_render(&out, text, strlen(text), "rel/env.sh.eex", &v);
    if (rc != 0)
        fail_msg("rc %d (%s) for: %s", rc, rel_error_message(), text);
    rel_buf_free(&out);
    return eex;
}

static void test_hand_off_to_eex(void **state)
{
    (void)state;
    assert_false(needs_eex("-name <%= @release.name %>@127.0.0.1\n"));
    assert_false(needs_eex("<%= @release.options[:cookie] %> <%# note %> <%%= x %>"));
    assert_false(needs_eex("<%= @release.applications[:kv][:vsn] %>"));
    assert_false(needs_eex("no tags at all"));
    assert_true(needs_eex("a\n<% if true do %>\nx\n<% end %>\n"));
    assert_true(needs_eex("<%= if @release.options[:quiet] do %>q<% end %>"));
    assert_true(needs_eex("<%= for a <- [1, 2] do %><%= a %><% end %>"));
    assert_true(needs_eex("<%= System.get_env(\"PORT\") %>"));
    assert_true(needs_eex("<%= @release.name <> \"x\" %>"));
    assert_true(needs_eex("<%= \"#{@release.name}\" %>"));
    assert_true(needs_eex("<%= @release.options %>"));
    assert_true(needs_eex("<%= @release.boot_scripts %>"));
    /* an option the caller does not hold may have a value in mix.exs */
    assert_true(needs_eex("<%= @release.options[:my_flag] %>"));
    assert_true(needs_eex("<%!-- a multi-line comment --%>"));
    assert_true(needs_eex("<%- x -%>"));
    /* the flag is reset by every call */
    assert_false(needs_eex("plain"));
    /* an unterminated tag stays an error, as EEx's */
    bool eex = false;
    struct rel_template_vars v = vars;
    v.needs_eex = &eex;
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_template_render(&out, "<%= x", 5, "f", &v), REL_ETEMPLATE);
    rel_buf_free(&out);
}

static void test_default_templates_render(void **state)
{
    (void)state;
    const char *names[] = {"vm.args.eex", "remote.vm.args.eex", "env.sh.eex", "env.bat.eex"};
    for (size_t i = 0; i < 4; i++) {
        size_t len;
        const char *text = rel_data_get(names[i], &len);
        assert_non_null(text);
        struct rel_buf out = REL_BUF_INIT;
        assert_int_equal(rel_template_render(&out, text, len, names[i], &vars), 0);
        assert_null(strstr(rel_buf_cstr(&out), "<%"));
        rel_buf_free(&out);
    }
    assert_non_null(rel_data_get("bin.sh", NULL));
    assert_null(rel_data_get("nope", NULL));
}

static void test_event_recorder(void **state)
{
    (void)state;
    struct rel_event_recorder rec = {.coalesce_advance = 1};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    rel_event_begin(&ev, "assemble", 10, 1000);
    rel_event_advance(&ev, 1, 100);
    rel_event_advance(&ev, 2, 200);
    rel_event_log(&ev, REL_LOG_WARN, "odd file %s", "x");
    rel_event_advance(&ev, 10, 1000);
    rel_event_end(&ev, "assemble", 0);
    assert_int_equal(rec.count, 5);
    assert_string_equal(rec.lines[0], "begin assemble 10 1000");
    assert_string_equal(rec.lines[1], "advance 2 200");
    assert_string_equal(rec.lines[2], "log warning odd file x");
    assert_string_equal(rec.lines[3], "advance 10 1000");
    assert_string_equal(rec.lines[4], "end assemble 0");
    assert_int_equal(rel_event_recorder_find(&rec, "log "), 2);
    rel_event_recorder_free(&rec);
    /* NULL sinks and empty ops are fine. */
    rel_event_begin(NULL, "x", 0, 0);
    struct rel_event_ops none = {0};
    struct rel_events empty = {.ops = &none};
    rel_event_log(&empty, REL_LOG_INFO, "nothing");
    rel_event_end(&empty, "x", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_comments_and_literals),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_hand_off_to_eex),
        cmocka_unit_test(test_default_templates_render),
        cmocka_unit_test(test_event_recorder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
