/* Unit tests for tui/list: selection, paging, filtering, separators. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/list.h"
#include "tui/view.h"

#include <stdio.h>
#include <string.h>

static const char *rows[] = {"kv_server", "kv",     "-- pulled in --", "kernel", "stdlib",
                             "elixir",    "logger", "compiler",        "sasl"};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *text(void *ctx, size_t i, char *buf, size_t size)
{
    (void)ctx;
    snprintf(buf, size, "%s", rows[i]);
    return buf;
}

static bool selectable(void *ctx, size_t i)
{
    (void)ctx;
    return rows[i][0] != '-';
}

static void test_moves_skip_separators(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    assert_int_equal(tui_list_selected(&l), 0);
    tui_list_action(&l, TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_list_selected(&l), 1);
    tui_list_action(&l, TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_list_selected(&l), 3); /* over the separator */
    tui_list_action(&l, TUI_ACT_MOVE_UP);
    assert_int_equal(tui_list_selected(&l), 1);
    tui_list_action(&l, TUI_ACT_MOVE_LAST);
    assert_int_equal(tui_list_selected(&l), NROWS - 1);
    tui_list_action(&l, TUI_ACT_MOVE_DOWN);
    assert_int_equal(tui_list_selected(&l), NROWS - 1);
    tui_list_action(&l, TUI_ACT_MOVE_FIRST);
    assert_int_equal(tui_list_selected(&l), 0);
    assert_int_equal(tui_list_action(&l, TUI_ACT_SAVE), TUI_R_UNHANDLED);
    tui_list_free(&l);
}

static void test_paging_keeps_selection_visible(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    tui_list_layout(&l, 3);
    tui_list_action(&l, TUI_ACT_PAGE_DOWN);
    tui_list_layout(&l, 3);
    size_t pos = l.sel;
    assert_true(pos >= l.top && pos < l.top + 3);
    tui_list_action(&l, TUI_ACT_MOVE_LAST);
    tui_list_layout(&l, 3);
    assert_int_equal(l.top, NROWS - 3);
    for (int i = 0; i < 4; i++) /* two rows a page: 8 6 4 1 0 (2 is a separator) */
        tui_list_action(&l, TUI_ACT_PAGE_UP);
    tui_list_layout(&l, 3);
    assert_int_equal(l.top, 0);
    assert_int_equal(tui_list_selected(&l), 0);
    tui_list_free(&l);
}

static void test_filter(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    tui_list_select(&l, 5); /* elixir */
    tui_list_set_filter(&l, "L");
    /* case-insensitive: kernel, stdlib, elixir, logger, compiler, sasl; never
     * the separator */
    assert_int_equal(l.nvisible, 6);
    assert_int_equal(tui_list_selected(&l), 5); /* kept */
    tui_list_set_filter(&l, "!l");
    assert_int_equal(l.nvisible, 2);            /* kv_server, kv */
    assert_int_equal(tui_list_selected(&l), 1); /* elixir is gone: same place, clamped */
    tui_list_set_filter(&l, "zzz");
    assert_int_equal(l.nvisible, 0);
    assert_int_equal(tui_list_selected(&l), TUI_LIST_NONE);
    tui_list_action(&l, TUI_ACT_MOVE_DOWN); /* harmless on an empty list */
    tui_list_set_filter(&l, "");
    assert_int_equal(l.nvisible, NROWS);
    /* a reload with fewer rows keeps a sane selection */
    tui_list_select(&l, 8);
    tui_list_set_count(&l, 4);
    assert_true(tui_list_selected(&l) < 4);
    tui_list_free(&l);
}

/* n / N after a filter: the next / previous row the search matches,
 * wrapping, with the filter on or cleared; no search yet is said. */
static void test_find_next_and_prev(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    assert_int_equal(tui_list_find(&l, 1), -1);
    tui_list_set_filter(&l, "er");
    /* kv_server kernel logger compiler */
    assert_int_equal(tui_list_selected(&l), 0);
    assert_int_equal(tui_list_action(&l, TUI_ACT_FIND_NEXT), TUI_R_REDRAW);
    assert_int_equal(tui_list_selected(&l), 3);
    tui_list_set_filter(&l, "");
    assert_string_equal(l.search, "er");
    assert_int_equal(tui_list_find(&l, 1), 1);
    assert_int_equal(tui_list_selected(&l), 6);
    assert_int_equal(tui_list_find(&l, 1), 1);
    assert_int_equal(tui_list_selected(&l), 7);
    assert_int_equal(tui_list_find(&l, 1), 1); /* wraps */
    assert_int_equal(tui_list_selected(&l), 0);
    assert_int_equal(tui_list_find(&l, -1), 1); /* wraps back */
    assert_int_equal(tui_list_selected(&l), 7);
    tui_list_action(&l, TUI_ACT_FIND_PREV);
    assert_int_equal(tui_list_selected(&l), 6);
    tui_list_set_filter(&l, "sasl");
    assert_int_equal(tui_list_find(&l, 1), 0); /* the only match is selected */
    tui_list_free(&l);
}

/* The mouse: the list drawn at a cell, and the row there. */
static void test_list_at_a_cell(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    tui_list_frame_begin();
    struct tui_list_rows it;
    tui_list_rows(&it, &l, (struct tui_rect){2, 0, 4, 40}, &(struct tui_list_look){0});
    size_t row = 99;
    assert_ptr_equal(tui_list_at(2, 5, &row), &l);
    assert_int_equal(row, 0);
    assert_ptr_equal(tui_list_at(5, 39, &row), &l);
    assert_int_equal(row, 3);
    assert_null(tui_list_at(4, 5, &row)); /* the separator */
    assert_null(tui_list_at(6, 5, &row)); /* below the list */
    assert_null(tui_list_at(3, 40, &row));
    tui_list_free(&l); /* forgotten */
    assert_null(tui_list_at(2, 5, &row));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves_skip_separators),
        cmocka_unit_test(test_paging_keeps_selection_visible),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_find_next_and_prev),
        cmocka_unit_test(test_list_at_a_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
