/* Unit tests for tui/dialog: prompts, questions and menus driven by keys,
 * without a screen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/view.h"

#include <curses.h>
#include <locale.h>
#include <string.h>

static struct {
    int calls;
    char text[512];
    bool done, canceled;
    int answer;
} got;

static int prompt_cb(void *ctx, const char *text, bool done, bool canceled)
{
    (void)ctx;
    got.calls++;
    snprintf(got.text, sizeof(got.text), "%s", text);
    got.done = done;
    got.canceled = canceled;
    return TUI_R_REDRAW;
}

static int answer_cb(void *ctx, int key)
{
    (void)ctx;
    got.calls++;
    got.answer = key;
    return TUI_R_RELOAD;
}

static void type(const char *s)
{
    for (; *s; s++)
        tui_modal_key((unsigned char)*s);
}

static int setup(void **state)
{
    (void)state;
    memset(&got, 0, sizeof(got));
    tui_keymap_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tui_modal_close();
    tui_keymap_free();
    return 0;
}

static void test_prompt_edits_and_enter(void **state)
{
    (void)state;
    tui_prompt("name: ", "ab", 0, prompt_cb, NULL);
    assert_true(tui_modal_open());
    assert_true(tui_modal_typing());
    type("cd");
    tui_modal_key(TUI_KEY_FN | KEY_BACKSPACE);
    type(" x");
    tui_modal_key(TUI_KEY_CTRL('W')); /* the last word */
    tui_modal_key(0xE9);              /* é, as a wide character */
    assert_int_equal(got.calls, 0);   /* not incremental */
    assert_int_equal(tui_modal_key(TUI_KEY_ENTER), TUI_R_REDRAW);
    assert_int_equal(got.calls, 1);
    assert_string_equal(got.text, "abc é");
    assert_true(got.done);
    assert_false(got.canceled);
    assert_false(tui_modal_open());
}

static void test_prompt_incremental_and_escape(void **state)
{
    (void)state;
    tui_prompt("/", "", TUI_PROMPT_INCREMENTAL, prompt_cb, NULL);
    type("kv");
    assert_int_equal(got.calls, 2);
    assert_string_equal(got.text, "kv");
    assert_false(got.done);
    tui_modal_key(TUI_KEY_CTRL('U'));
    assert_string_equal(got.text, "");
    tui_modal_key(TUI_KEY_ESC);
    assert_true(got.done);
    assert_true(got.canceled);
    assert_false(tui_modal_open());
}

static void test_backspace_on_empty_cancels(void **state)
{
    (void)state;
    tui_prompt(":", "", 0, prompt_cb, NULL);
    tui_modal_key(TUI_KEY_FN | KEY_BACKSPACE);
    assert_int_equal(got.calls, 1);
    assert_true(got.canceled);
    assert_false(tui_modal_open());
}

static void complete_upper(char *text, size_t size)
{
    snprintf(text, size, "%s!", text[0] ? "done" : "empty");
}

static void test_tab_completes_only_with_a_completer(void **state)
{
    (void)state;
    tui_prompt(":", "x", 0, prompt_cb, NULL);
    tui_modal_key(TUI_KEY_TAB); /* ignored */
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(got.text, "x");
    tui_prompt(":", "x", 0, prompt_cb, NULL);
    tui_prompt_set_completer(complete_upper);
    tui_modal_key(TUI_KEY_TAB);
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(got.text, "done!");
    /* a new prompt forgets the completer */
    tui_prompt(":", "y", 0, prompt_cb, NULL);
    tui_modal_key(TUI_KEY_TAB);
    tui_modal_key(TUI_KEY_ENTER);
    assert_string_equal(got.text, "y");
}

static void test_confirm_takes_only_its_keys(void **state)
{
    (void)state;
    tui_confirm("Deploy?", "yn", answer_cb, NULL);
    assert_false(tui_modal_typing());
    assert_int_equal(tui_modal_key('x'), TUI_R_NONE);
    assert_true(tui_modal_open());
    assert_int_equal(tui_modal_key('y'), TUI_R_RELOAD);
    assert_int_equal(got.answer, 'y');
    assert_false(tui_modal_open());
    tui_dialog("Deploy", "a1\na2", "Deploy?", "yn", answer_cb, NULL);
    tui_modal_key(TUI_KEY_ESC);
    assert_int_equal(got.answer, 0);
    assert_int_equal(got.calls, 2);
}

static void test_cancel_by_owner(void **state)
{
    (void)state;
    int owner, other;
    tui_confirm("?", "y", answer_cb, &owner);
    tui_modal_cancel(&other);
    assert_true(tui_modal_open());
    tui_modal_cancel(&owner);
    assert_false(tui_modal_open());
    assert_int_equal(got.calls, 0);
    /* opening another dialog closes the open one without calling it */
    tui_confirm("?", "y", answer_cb, NULL);
    tui_prompt(":", "", 0, prompt_cb, NULL);
    assert_true(tui_modal_typing());
    assert_int_equal(got.calls, 0);
    assert_int_equal(tui_modal_key(0), TUI_R_REDRAW); /* NUL is ignored while typing */
}

static void test_menu_moves_and_chooses(void **state)
{
    (void)state;
    const char *items[] = {"deploy", "stop", "start"};
    tui_menu("a1", items, 3, 1, answer_cb, NULL);
    tui_modal_key('j'); /* move-down */
    tui_modal_key('j'); /* stays on the last */
    tui_modal_key(TUI_KEY_ENTER);
    assert_int_equal(got.answer, 2);
    tui_menu("a1", items, 3, 7, answer_cb, NULL); /* out of range: the first */
    tui_modal_key(TUI_KEY_ENTER);
    assert_int_equal(got.answer, 0);
    tui_menu("a1", items, 3, 0, answer_cb, NULL);
    tui_modal_key(TUI_KEY_ESC);
    assert_int_equal(got.answer, -1);
    assert_int_equal(tui_modal_key('y'), TUI_R_UNHANDLED); /* nothing open */
}

/* q (close) and Q (quit) cancel a menu as Esc does. */
static void test_menu_q_cancels(void **state)
{
    (void)state;
    const char *items[] = {"deploy", "stop"};
    tui_menu("a1", items, 2, 1, answer_cb, NULL);
    tui_modal_key('q');
    assert_int_equal(got.answer, -1);
    got.answer = 5;
    tui_menu("a1", items, 2, 1, answer_cb, NULL);
    tui_modal_key('Q');
    assert_int_equal(got.answer, -1);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prompt_edits_and_enter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_incremental_and_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backspace_on_empty_cancels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tab_completes_only_with_a_completer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_takes_only_its_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_by_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_menu_moves_and_chooses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_menu_q_cancels, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
