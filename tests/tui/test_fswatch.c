/* Unit tests for tui/fswatch: a file written in a watched directory calls
 * back once, after the changes settle, with the labels seen; a file of no
 * interest and a directory no longer watched do not; later() calls again.
 * The main loop runs headless with a script of sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/fswatch.h"
#include "tui/script.h"
#include "tui/tty.h"
#include "tui/tui.h"
#include "tui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
    int calls;
    char labels[256];
    bool again;
    struct tui_fswatch *fw;
} got;

static int changed(void *ctx, const char *labels)
{
    (void)ctx;
    got.calls++;
    snprintf(got.labels, sizeof(got.labels), "%s", labels);
    if (got.again) {
        got.again = false;
        tui_fswatch_later(got.fw, "later", 50);
    }
    return TUI_R_NONE;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Run the loop for `ms` milliseconds. */
static void run_for(int ms)
{
    char text[64];
    snprintf(text, sizeof(text), "@sleep %d\n", ms);
    struct tui_script *s = NULL;
    assert_int_equal(tui_script_from_text(&s, text, "test"), 0);
    assert_int_equal(tui_ui_run(s, NULL), 0);
    tui_script_free(s);
}

static void test_changes_call_back_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-fswatch-XXXXXX", sub[600];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/ebin", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    setenv("TERM", "vt100", 1);
    struct tui_options o = {.lines = 24, .cols = 80};
    assert_int_equal(tui_tty_open(&o, true), 0);

    assert_int_equal(tui_fswatch_open(&got.fw, changed, NULL), 0);
    assert_int_equal(tui_fswatch_add(got.fw, dir, "relman.yml", "relman.yml"), 0);
    assert_int_equal(tui_fswatch_add(got.fw, sub, NULL, "ebin/"), 0);
    assert_int_equal(tui_fswatch_add(got.fw, "/nonexistent/dir", NULL, "x"), 0); /* skipped */
    assert_int_equal(tui_fswatch_count(got.fw), 2);

    write_file(dir, "other.txt", "x"); /* not of interest */
    run_for(300);
    assert_int_equal(got.calls, 0);

    /* several writes, two places: one call, both labels */
    write_file(dir, "relman.yml", "a");
    write_file(dir, "relman.yml", "b");
    write_file(sub, "kv.beam", "c");
    run_for(400);
    assert_int_equal(got.calls, 1);
    assert_string_equal(got.labels, "relman.yml, ebin/");

    /* later(): called again */
    got.again = true;
    write_file(sub, "kv.beam", "d");
    run_for(500);
    assert_int_equal(got.calls, 3);
    assert_string_equal(got.labels, "later");

    /* cleared: nothing */
    tui_fswatch_clear(got.fw);
    assert_int_equal(tui_fswatch_count(got.fw), 0);
    write_file(dir, "relman.yml", "e");
    run_for(300);
    assert_int_equal(got.calls, 3);

    tui_fswatch_free(got.fw);
    tui_fswatch_free(NULL);
    tui_tty_close();
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_call_back_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
