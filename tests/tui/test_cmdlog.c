/* Unit tests for tui/cmdlog: commands matched to their end, the ring's
 * bound, cookies masked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "tui/cmdlog.h"

#include <stdio.h>
#include <string.h>

static void test_end_matches_begin(void **state)
{
    (void)state;
    struct tui_cmdlog log;
    tui_cmdlog_init(&log);
    tui_cmdlog_begin(&log, "a1", "bin/foo pid");
    tui_cmdlog_begin(&log, "a2", "bin/foo pid");
    tui_cmdlog_add(&log, TUI_CL_STEP, "a1", "health: waiting");
    tui_cmdlog_end(&log, "a2", "bin/foo pid", 1, NULL, 0.5, "noproc\n");
    tui_cmdlog_end(&log, "a1", "bin/foo pid", 0, NULL, 0.25, "");
    assert_int_equal(log.count, 3);
    const struct tui_cmdlog_line *l = tui_cmdlog_get(&log, 0);
    assert_true(l->ended);
    assert_int_equal(l->status, 0);
    l = tui_cmdlog_get(&log, 1);
    assert_string_equal(l->host, "a2");
    assert_int_equal(l->status, 1);
    assert_string_equal(l->stderr_tail, "noproc\n");
    /* an end without its begin still shows */
    tui_cmdlog_end(&log, "a3", "true", -1, "connection lost", 1.0, "");
    l = tui_cmdlog_get(&log, 3);
    assert_string_equal(l->host, "a3");
    assert_string_equal(l->failure, "connection lost");
    struct rel_buf b = REL_BUF_INIT;
    tui_cmdlog_describe(tui_cmdlog_get(&log, 1), &b);
    assert_non_null(strstr(rel_buf_cstr(&b), "command: bin/foo pid\n"));
    assert_non_null(strstr(rel_buf_cstr(&b), "status:  exit 1 (0.50 s)\n"));
    assert_non_null(strstr(rel_buf_cstr(&b), "stderr (tail):\nnoproc\n"));
    rel_buf_free(&b);
    tui_cmdlog_free(&log);
}

static void test_bounded(void **state)
{
    (void)state;
    struct tui_cmdlog log;
    tui_cmdlog_init(&log);
    char text[32];
    for (int i = 0; i < TUI_CMDLOG_MAX + 10; i++) {
        snprintf(text, sizeof(text), "step %d", i);
        tui_cmdlog_add(&log, TUI_CL_STEP, "h", text);
    }
    assert_int_equal(log.count, TUI_CMDLOG_MAX);
    assert_int_equal(log.dropped, 10);
    assert_string_equal(tui_cmdlog_get(&log, 0)->text, "step 10");
    assert_int_equal(log.list.count, TUI_CMDLOG_MAX);
    tui_cmdlog_free(&log);
}

static void test_cookie_masked(void **state)
{
    (void)state;
    struct tui_cmdlog log;
    tui_cmdlog_init(&log);
    const char *cmd = "cd /opt/kv && env 'RELEASE_COOKIE=s3cr3t' /opt/kv/current/bin/foo pid";
    tui_cmdlog_begin(&log, "a1", cmd);
    tui_cmdlog_end(&log, "a1", cmd, 0, NULL, 0.1, "-setcookie s3cr3t");
    assert_int_equal(log.count, 1);
    const struct tui_cmdlog_line *l = tui_cmdlog_get(&log, 0);
    assert_null(strstr(l->text, "s3cr3t"));
    assert_non_null(strstr(l->text, "RELEASE_COOKIE=********"));
    assert_null(strstr(l->stderr_tail, "s3cr3t"));
    assert_true(l->ended);
    tui_cmdlog_free(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_matches_begin),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_cookie_masked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
