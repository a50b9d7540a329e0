/* Unit tests for tui/keys: key names both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/keys.h"

#include <curses.h>
#include <locale.h>
#include <string.h>

static void test_parse_names(void **state)
{
    (void)state;
    assert_int_equal(tui_key_parse_one("j"), 'j');
    assert_int_equal(tui_key_parse_one("<Enter>"), TUI_KEY_ENTER);
    assert_int_equal(tui_key_parse_one("enter"), TUI_KEY_ENTER);
    assert_int_equal(tui_key_parse_one("<esc>"), TUI_KEY_ESC);
    assert_int_equal(tui_key_parse_one("^L"), TUI_KEY_CTRL('L'));
    assert_int_equal(tui_key_parse_one("^r"), TUI_KEY_CTRL('R'));
    assert_int_equal(tui_key_parse_one("<C-l>"), TUI_KEY_CTRL('L'));
    assert_int_equal(tui_key_parse_one("C-l"), TUI_KEY_CTRL('L'));
    assert_int_equal(tui_key_parse_one("<PgDn>"), TUI_KEY_FN | KEY_NPAGE);
    assert_int_equal(tui_key_parse_one("pagedown"), TUI_KEY_FN | KEY_NPAGE);
    assert_int_equal(tui_key_parse_one("<F5>"), TUI_KEY_FN | KEY_F(5));
    assert_int_equal(tui_key_parse_one("<S-Tab>"), TUI_KEY_FN | KEY_BTAB);
    assert_int_equal(tui_key_parse_one("<lt>"), '<');
    assert_int_equal(tui_key_parse_one("<"), '<');
    assert_int_equal(tui_key_parse_one("?"), '?');
    assert_int_equal(tui_key_parse_one("jj"), -1);
    assert_int_equal(tui_key_parse_one("<Nope>"), -1);
    assert_int_equal(tui_key_parse_one(""), -1);
    assert_int_equal(tui_key_parse_one("<F13>"), -1);
}

static void test_parse_sequence(void **state)
{
    (void)state;
    const char *s = "j<Down>^L<x";
    assert_int_equal(tui_key_parse(&s), 'j');
    assert_int_equal(tui_key_parse(&s), TUI_KEY_FN | KEY_DOWN);
    assert_int_equal(tui_key_parse(&s), TUI_KEY_CTRL('L'));
    assert_int_equal(tui_key_parse(&s), '<'); /* not a name: the '<' itself */
    assert_int_equal(tui_key_parse(&s), 'x');
    assert_int_equal(tui_key_parse(&s), -1);
}

static void test_names_round_trip(void **state)
{
    (void)state;
    int keys[] = {'j',
                  'G',
                  '?',
                  TUI_KEY_ENTER,
                  TUI_KEY_ESC,
                  TUI_KEY_TAB,
                  TUI_KEY_CTRL('R'),
                  TUI_KEY_FN | KEY_UP,
                  TUI_KEY_FN | KEY_PPAGE,
                  TUI_KEY_FN | KEY_F(1),
                  ' ',
                  '<'};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char buf[32];
        tui_key_name(keys[i], buf, sizeof(buf));
        assert_int_equal(tui_key_parse_one(buf), keys[i]);
    }
    char buf[32];
    assert_string_equal(tui_key_name(TUI_KEY_CTRL('L'), buf, sizeof(buf)), "^L");
    assert_string_equal(tui_key_name(' ', buf, sizeof(buf)), "<Space>");
    assert_string_equal(tui_key_name(TUI_KEY_FN | KEY_NPAGE, buf, sizeof(buf)), "<PgDn>");
}

static void test_from_curses(void **state)
{
    (void)state;
    assert_int_equal(tui_key_from_curses(OK, '\r'), TUI_KEY_ENTER);
    assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_ENTER), TUI_KEY_ENTER);
    assert_int_equal(tui_key_from_curses(OK, 127), TUI_KEY_FN | KEY_BACKSPACE);
    assert_int_equal(tui_key_from_curses(KEY_CODE_YES, KEY_UP), TUI_KEY_FN | KEY_UP);
    assert_int_equal(tui_key_from_curses(OK, 'q'), 'q');
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_parse_sequence),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_from_curses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
