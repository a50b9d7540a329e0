/* Unit tests for tui/list's row walk (tui_list_rows): which rows are drawn
 * where, and how the selected row is marked, on a curses screen of 40x10
 * written to /dev/null. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/draw.h"
#include "tui/list.h"
#include "tui/theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rows[] = {"alpha", "-- section --", "beta", "gamma", "delta", "epsilon"};
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

static SCREEN *screen;
static FILE *out, *in;

static int setup(void **state)
{
    (void)state;
    out = fopen("/dev/null", "w");
    in = fopen("/dev/null", "r");
    screen = newterm("vt100", out, in);
    if (!screen)
        return -1;
    tui_draw_init(true); /* ASCII glyphs: the cursor is '>' */
    struct tui_theme t;
    if (tui_theme_load(&t, "monochrome") < 0)
        return -1;
    tui_theme_apply(&t, false);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    endwin();
    delscreen(screen);
    fclose(out);
    fclose(in);
    return 0;
}

/* The text of screen line y from column x, trailing blanks removed. */
static const char *line(int y, int x)
{
    static char buf[64];
    int n = 0;
    for (int c = x; c < COLS && n < 63; c++)
        buf[n++] = (char)(mvinch(y, c) & A_CHARTEXT);
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

static void draw(struct tui_list *l, struct tui_rect r, const struct tui_list_look *look,
                 size_t *drawn, size_t *ndrawn, bool *selected)
{
    erase();
    struct tui_list_rows it;
    struct tui_list_row row;
    tui_list_rows(&it, l, r, look);
    *ndrawn = 0;
    while (tui_list_rows_next(&it, &row)) {
        assert_int_equal(row.y, r.y + (int)*ndrawn);
        assert_int_equal(row.selectable, selectable(NULL, row.row));
        if (row.selected)
            *selected = true;
        drawn[(*ndrawn)++] = row.row;
        tui_put(row.y, r.x + 3, 20, row.role, rows[row.row]);
    }
}

static void test_walks_the_rows_that_fit(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, selectable, NULL);
    tui_list_set_count(&l, NROWS);
    size_t drawn[16], n;
    bool sel = false;
    struct tui_rect r = {2, 0, 3, 40};
    draw(&l, r, &(struct tui_list_look){.cursor_w = 2, .fill = true}, drawn, &n, &sel);
    assert_int_equal(n, 3);
    assert_int_equal(drawn[0], 0);
    assert_int_equal(drawn[2], 2);
    assert_true(sel);
    assert_string_equal(line(2, 0), ">  alpha");
    assert_string_equal(line(3, 0), "   -- section --"); /* a separator gets no cursor column */
    assert_string_equal(line(4, 0), "   beta");
    assert_int_equal(l.page, 3);

    /* the selection far down: the walk starts at the scroll offset */
    tui_list_action(&l, TUI_ACT_MOVE_LAST);
    draw(&l, r, &(struct tui_list_look){.cursor_w = 1}, drawn, &n, &sel);
    assert_int_equal(n, 3);
    assert_int_equal(drawn[0], 3);
    assert_int_equal(drawn[2], 5);
    assert_string_equal(line(4, 0), ">  epsilon");
    assert_string_equal(line(3, 0), "   delta");

    /* fewer rows than lines: stops at the last row */
    tui_list_set_filter(&l, "ta");
    draw(&l, (struct tui_rect){1, 0, 8, 40}, &(struct tui_list_look){0}, drawn, &n, &sel);
    assert_int_equal(n, 2); /* beta, delta */
    assert_string_equal(line(3, 0), "");
    tui_list_free(&l);
}

static void test_selection_looks(void **state)
{
    (void)state;
    struct tui_list l;
    tui_list_init(&l, text, NULL, NULL);
    tui_list_set_count(&l, NROWS);
    tui_list_action(&l, TUI_ACT_MOVE_DOWN);
    struct tui_list_rows it;
    struct tui_list_row row;
    unsigned long sel_attr = tui_theme_attr(TUI_ROLE_SELECTION);

    erase();
    tui_list_rows(&it, &l, (struct tui_rect){0, 5, 4, 20},
                  &(struct tui_list_look){.cursor_w = 2, .fill = true});
    while (tui_list_rows_next(&it, &row))
        if (row.selected) {
            assert_int_equal(row.row, 1);
            assert_int_equal(row.role, TUI_ROLE_SELECTION);
        } else {
            assert_int_equal(row.role, TUI_ROLE_DEFAULT);
        }
    /* the fill covers the rectangle's width, from its x */
    assert_true((mvinch(1, 24) & A_ATTRIBUTES) == (sel_attr & A_ATTRIBUTES));
    assert_true((mvinch(1, 4) & A_ATTRIBUTES) != (sel_attr & A_ATTRIBUTES) || sel_attr == 0);
    assert_int_equal(mvinch(1, 5) & A_CHARTEXT, '>');

    /* inactive: the other role; hide: no selected row at all */
    tui_list_rows(&it, &l, (struct tui_rect){0, 0, 4, 20},
                  &(struct tui_list_look){.inactive = true});
    while (tui_list_rows_next(&it, &row))
        if (row.row == 1)
            assert_int_equal(row.role, TUI_ROLE_SELECTION_INACTIVE);
    tui_list_rows(&it, &l, (struct tui_rect){0, 0, 4, 20}, &(struct tui_list_look){.hide = true});
    while (tui_list_rows_next(&it, &row)) {
        assert_false(row.selected);
        assert_int_equal(row.role, TUI_ROLE_DEFAULT);
    }
    /* no room: nothing */
    tui_list_rows(&it, &l, (struct tui_rect){0, 0, 0, 20}, &(struct tui_list_look){0});
    assert_false(tui_list_rows_next(&it, &row));
    tui_list_free(&l);
}

int main(void)
{
    setenv("TERM", "vt100", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_the_rows_that_fit),
        cmocka_unit_test(test_selection_looks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
