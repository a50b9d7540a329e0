/* Unit tests for tui/session: edits of relman.yml through core's surgical
 * edit, undo/redo, atomic save that keeps everything else, conflicts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "tui/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char yml[] = "# the kv example\n"
                          "project:\n"
                          "  kind: mix   # umbrella\n"
                          "\n"
                          "releases:\n"
                          "  foo:\n"
                          "    version: \"0.0.1\"\n"
                          "    applications:\n"
                          "      kv_server: permanent   # the TCP front\n"
                          "      kv: permanent\n"
                          "  bar:\n"
                          "    version: \"0.0.1\"\n"
                          "    applications: {kv: permanent}\n";

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/relman-tui-session-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/relman.yml", dir);
    FILE *f = fopen(path, "w");
    fputs(yml, f);
    fclose(f);
    chmod(path, 0640);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rel_fs_remove_tree(dir);
    return 0;
}

static const char *app_mode(const struct tui_session *s, const char *rel, const char *app)
{
    const struct rel_config_release *r = rel_config_find_release(tui_session_config(s), rel);
    for (size_t i = 0; r && i < r->napps; i++)
        if (strcmp(r->apps[i].name, app) == 0)
            return rel_mode_name(r->apps[i].mode);
    return NULL;
}

static void test_edit_undo_redo(void **state)
{
    (void)state;
    struct tui_session *s;
    assert_int_equal(tui_session_open(&s, path), 0);
    assert_false(tui_session_dirty(s));
    assert_int_equal(tui_session_set_mode(s, "foo", "kv", "load"), 0);
    assert_true(tui_session_dirty(s));
    assert_string_equal(app_mode(s, "foo", "kv"), "load");
    assert_int_equal(tui_session_set_mode(s, "foo", "logger", "temporary"), 0);
    assert_string_equal(app_mode(s, "foo", "logger"), "temporary");
    char label[128];
    assert_true(tui_session_undo(s, label, sizeof(label)));
    assert_string_equal(label, "logger: temporary");
    assert_null(app_mode(s, "foo", "logger"));
    assert_true(tui_session_undo(s, label, sizeof(label)));
    assert_string_equal(app_mode(s, "foo", "kv"), "permanent");
    assert_false(tui_session_dirty(s));
    assert_false(tui_session_undo(s, label, sizeof(label)));
    assert_true(tui_session_redo(s, label, sizeof(label)));
    assert_string_equal(label, "kv: load");
    assert_string_equal(app_mode(s, "foo", "kv"), "load");
    /* a new edit drops the redo history */
    assert_int_equal(tui_session_set_mode(s, "bar", "kv", "transient"), 0);
    assert_false(tui_session_redo(s, label, sizeof(label)));
    /* a bad edit changes nothing */
    unsigned gen = tui_session_generation(s);
    assert_true(tui_session_set_mode(s, "foo", "kv", "sometimes") < 0);
    assert_int_equal(tui_session_generation(s), gen);
    tui_session_free(s);
}

static void test_save_changes_one_line(void **state)
{
    (void)state;
    struct tui_session *s;
    assert_int_equal(tui_session_open(&s, path), 0);
    assert_int_equal(tui_session_set_mode(s, "foo", "kv_server", "temporary"), 0);
    assert_int_equal(tui_session_save(s), 0);
    assert_false(tui_session_dirty(s));
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, path, 1 << 16), 0);
    char want[sizeof(yml) + 16];
    snprintf(want, sizeof(want), "%s", yml);
    char *at = strstr(want, "kv_server: permanent");
    memcpy(at, "kv_server: temporary", 20);
    assert_string_equal(rel_buf_cstr(&b), want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    rel_buf_free(&b);
    tui_session_free(s);
}

static void test_save_refuses_when_changed_on_disk(void **state)
{
    (void)state;
    struct tui_session *s;
    assert_int_equal(tui_session_open(&s, path), 0);
    assert_int_equal(tui_session_set_mode(s, "foo", "kv", "load"), 0);
    FILE *f = fopen(path, "a");
    fputs("# edited elsewhere\n", f);
    fclose(f);
    assert_int_equal(tui_session_save(s), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "changed on disk"));
    struct rel_buf b = REL_BUF_INIT;
    rel_fs_read_file(&b, path, 1 << 16);
    assert_non_null(strstr(rel_buf_cstr(&b), "# edited elsewhere"));
    assert_non_null(strstr(rel_buf_cstr(&b), "kv: permanent"));
    rel_buf_free(&b);
    assert_int_equal(tui_session_reload(s), 0);
    assert_false(tui_session_dirty(s));
    tui_session_free(s);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct tui_session *s;
    FILE *f = fopen(path, "w");
    fputs("releases:\n  foo:\n    applications: {kv: sometimes}\n", f);
    fclose(f);
    assert_true(tui_session_open(&s, path) < 0);
    assert_null(s);
    assert_non_null(strstr(rel_error_message(), "relman.yml:3:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_edit_undo_redo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_changes_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_refuses_when_changed_on_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
