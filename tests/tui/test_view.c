/* Unit tests for tui/view: the view stack (push, the full stack, close
 * later, the dirty view), without a screen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/draw.h"
#include "tui/view.h"

#include <string.h>

static int destroyed[32], ndestroyed;

static void destroy(struct tui_view *v)
{
    destroyed[ndestroyed++ & 31] = (int)(size_t)v->data;
}

static bool dirty(struct tui_view *v)
{
    return (size_t)v->data % 10 == 7;
}

static const struct tui_view_ops ops = {.destroy = destroy, .dirty = dirty};

static void empty_stack(void)
{
    while (tui_view_depth())
        tui_view_pop();
    ndestroyed = 0;
}

static void test_push_top_below_pop(void **state)
{
    (void)state;
    empty_stack();
    assert_null(tui_top());
    tui_draw_init(true);
    struct tui_view *root = tui_push(&ops, (void *)1, "");
    assert_true(tui_redraw_pending());
    struct tui_view *b = tui_push(&ops, (void *)2, "b");
    assert_ptr_equal(tui_top(), b);
    assert_ptr_equal(tui_below(b), root);
    assert_null(tui_below(root));
    assert_string_equal(b->crumb, "b");
    assert_int_equal(tui_view_depth(), 2);
    assert_ptr_equal(tui_view_at(0), root);
    assert_null(tui_view_at(2));
    tui_view_pop();
    assert_int_equal(ndestroyed, 1);
    assert_int_equal(destroyed[0], 2);
    assert_ptr_equal(tui_top(), root);
    empty_stack();
    tui_view_pop(); /* nothing left: nothing happens */
    assert_int_equal(ndestroyed, 0);
}

static void test_full_stack_drops_the_oldest_above_the_root(void **state)
{
    (void)state;
    empty_stack();
    for (size_t i = 1; i <= 17; i++)
        tui_push(&ops, (void *)i, "");
    assert_int_equal(tui_view_depth(), 16);
    assert_int_equal(ndestroyed, 1);
    assert_int_equal(destroyed[0], 2);
    assert_int_equal((size_t)tui_view_at(0)->data, 1);
    assert_int_equal((size_t)tui_view_at(1)->data, 3);
    assert_int_equal((size_t)tui_top()->data, 17);
    /* the topmost dirty view */
    assert_int_equal((size_t)tui_view_dirty()->data, 17);
    empty_stack();
    tui_push(&ops, (void *)1, "");
    assert_null(tui_view_dirty());
    empty_stack();
}

static void test_close_later(void **state)
{
    (void)state;
    empty_stack();
    struct tui_view *root = tui_push(&ops, (void *)1, "");
    struct tui_view *mid = tui_push(&ops, (void *)2, "");
    tui_push(&ops, (void *)3, "");
    tui_close_later(mid);
    assert_int_equal(tui_view_depth(), 3); /* not before the reap */
    tui_view_reap();
    assert_int_equal(tui_view_depth(), 2);
    assert_int_equal(destroyed[0], 2);
    assert_ptr_equal(tui_view_at(0), root);
    assert_int_equal((size_t)tui_top()->data, 3);
    /* with one view left, it stays */
    empty_stack();
    root = tui_push(&ops, (void *)1, "");
    tui_close_later(root);
    tui_view_reap();
    assert_int_equal(tui_view_depth(), 1);
    empty_stack();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_top_below_pop),
        cmocka_unit_test(test_full_stack_drops_the_oldest_above_the_root),
        cmocka_unit_test(test_close_later),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
