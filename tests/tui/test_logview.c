/* Unit tests for tui/logview: pieces become whole lines, the cursor follows
 * the end while it is there and stays put after moving up, the end of the
 * stream is shown, closing calls stop (unless detached or ended). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/list.h"
#include "tui/logview.h"
#include "tui/textview.h"
#include "tui/view.h"

#include <string.h>

static int stops;

static void on_stop(void *ctx)
{
    (void)ctx;
    stops++;
}

static struct tui_list *list_of(struct tui_view *v)
{
    v->ops->action(v, TUI_ACT_REDRAW); /* shows what came */
    return v->ops->list(v);
}

static void test_follows_and_stops(void **state)
{
    (void)state;
    stops = 0;
    struct tui_view *v = tui_logview_open("logs -f a1", "a1: live", on_stop, NULL);
    tui_logview_append(v, "one\r\ntw");
    struct tui_list *l = list_of(v);
    assert_int_equal(l->count, 1); /* "tw" waits for its end */
    tui_logview_append(v, "o\nthree\n");
    l = list_of(v);
    assert_int_equal(l->count, 3);
    assert_int_equal(tui_list_selected(l), 2); /* following */
    tui_list_action(l, TUI_ACT_MOVE_UP);
    tui_logview_append(v, "four\n");
    l = list_of(v);
    assert_int_equal(l->count, 4);
    assert_int_equal(tui_list_selected(l), 1); /* paused */
    tui_list_action(l, TUI_ACT_MOVE_LAST);
    tui_logview_append(v, "cookie RELEASE_COOKIE=sekrit\n");
    l = list_of(v);
    assert_int_equal(tui_list_selected(l), 4);
    char buf[128];
    assert_null(strstr(l->row_text(l->ctx, 4, buf, sizeof(buf)), "sekrit"));
    tui_view_pop();
    assert_int_equal(stops, 1);

    v = tui_logview_open("logs -f a1", "a1: live", on_stop, NULL);
    tui_logview_append(v, "last words");
    tui_logview_ended(v, "connection lost");
    l = list_of(v);
    assert_int_equal(l->count, 2);
    assert_string_equal(l->row_text(l->ctx, 1, buf, sizeof(buf)), "-- connection lost --");
    tui_view_pop();
    assert_int_equal(stops, 1); /* ended: no stop */

    v = tui_logview_open("logs -f a1", "a1: live", on_stop, NULL);
    tui_logview_detach(v);
    tui_view_pop();
    assert_int_equal(stops, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follows_and_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
