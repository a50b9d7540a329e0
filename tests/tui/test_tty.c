/* Unit tests for tui/tty: the headless terminal (size from the options or
 * RELMAN_TUI_SIZE, the tty log), the signal flags, tui_external refused
 * without a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "tui/tty.h"
#include "tui/tui.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int never(void *ctx, int in_fd, int out_fd)
{
    (void)ctx;
    (void)in_fd;
    (void)out_fd;
    fail_msg("tui_external ran its function without a terminal");
    return 0;
}

static void test_headless_sizes(void **state)
{
    (void)state;
    struct tui_options o = {.lines = 30, .cols = 100};
    unsetenv("RELMAN_TUI_SIZE");
    setenv("TERM", "vt100", 1);
    assert_int_equal(tui_tty_open(&o, true), 0);
    assert_int_equal(LINES, 30);
    assert_int_equal(COLS, 100);
    assert_false(tui_can_external());
    assert_int_equal(tui_external(never, NULL), REL_EUSAGE);
    tui_tty_close();

    struct tui_options d = {0};
    setenv("RELMAN_TUI_SIZE", "120x40", 1);
    assert_int_equal(tui_tty_open(&d, true), 0);
    assert_int_equal(LINES, 40);
    assert_int_equal(COLS, 120);
    tui_tty_close();

    setenv("RELMAN_TUI_SIZE", "120", 1);
    assert_int_equal(tui_tty_open(&d, true), REL_EUSAGE);
    assert_non_null(strstr(rel_error_message(), "expected COLSxLINES"));
    tui_tty_close();
    unsetenv("RELMAN_TUI_SIZE");

    struct tui_options bad = {.ttylog = "/nonexistent/dir/tty.log"};
    assert_int_equal(tui_tty_open(&bad, true), REL_EIO);
    tui_tty_close();
}

static void test_signal_flags(void **state)
{
    (void)state;
    tui_tty_signals_install();
    assert_false(tui_tty_take_int());
    assert_false(tui_tty_got_term());
    raise(SIGINT);
    assert_true(tui_tty_take_int());
    assert_false(tui_tty_take_int()); /* taken */
    raise(SIGHUP);
    assert_true(tui_tty_got_term());
    assert_true(tui_tty_got_term()); /* stays */
    tui_tty_signals_restore();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headless_sizes),
        cmocka_unit_test(test_signal_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
