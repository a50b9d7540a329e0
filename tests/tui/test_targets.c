/* Unit tests for the parts of the Targets screen that need no host:
 * tui/targets_ops.c's version of a release directory, the verbs of the
 * operations, freeing what a status found. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "tui/targets_int.h"

#include <stdlib.h>
#include <string.h>

static void test_dir_version(void **state)
{
    (void)state;
    char *v = tui_targets_dir_version("releases/0.0.5-20261122143850");
    assert_string_equal(v, "0.0.5");
    free(v);
    v = tui_targets_dir_version("1.2.3-rc.1-20261122143850");
    assert_string_equal(v, "1.2.3-rc.1");
    free(v);
    v = tui_targets_dir_version("/opt/kv/releases/handmade"); /* not VSN-STAMP: as it is */
    assert_string_equal(v, "handmade");
    free(v);
    assert_null(tui_targets_dir_version(NULL));
}

static void test_op_verbs(void **state)
{
    (void)state;
    struct op op;
    memset(&op, 0, sizeof(op));
    const struct {
        enum op_kind kind;
        enum rel_node_op nop;
        const char *verb;
    } cases[] = {
        {OP_STATUS, REL_NODE_STATUS, "status"}, {OP_PREPARE, REL_NODE_STATUS, "deploy (preparing)"},
        {OP_DEPLOY, REL_NODE_STATUS, "deploy"}, {OP_ROLLBACK, REL_NODE_STATUS, "rollback"},
        {OP_LOGS, REL_NODE_STATUS, "logs"},     {OP_CONNECT, REL_NODE_STATUS, "attach"},
        {OP_NODE, REL_NODE_START, "start"},     {OP_NODE, REL_NODE_STOP, "stop"},
        {OP_NODE, REL_NODE_RESTART, "restart"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        op.kind = cases[i].kind;
        op.node_op = cases[i].nop;
        assert_string_equal(tui_targets_op_verb(&op), cases[i].verb);
    }
}

static void test_found_free(void **state)
{
    (void)state;
    struct found f = {.reachable = true, .pid = rel_strdup("123"), .note = rel_strdup("ok")};
    tui_targets_found_free(&f);
    assert_false(f.reachable);
    assert_null(f.pid);
    assert_null(f.note);
    tui_targets_found_free(&f); /* twice is fine */
    tui_targets_op_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir_version),
        cmocka_unit_test(test_op_verbs),
        cmocka_unit_test(test_found_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
