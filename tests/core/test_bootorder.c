/* Unit tests for core/bootorder: systools' boot order over a model built in
 * memory (no .app files; tests/core/test_resolve.c covers it end to end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/bootorder.h"
#include "core/buf.h"
#include "core/project.h"
#include "core/resolve.h"

#include <stdlib.h>
#include <string.h>

#define MAXAPPS 8

struct fx {
    struct rel_app apps[MAXAPPS];
    struct rel_model_app mapps[MAXAPPS];
    struct rel_model m;
};

/* "a,b" -> names (owned copies, freed by fx_free) */
static void names(struct rel_names *out, const char *csv)
{
    memset(out, 0, sizeof(*out));
    if (!csv || !*csv)
        return;
    char *copy = strdup(csv);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        out->items = realloc(out->items, (out->count + 1) * sizeof(char *));
        out->items[out->count++] = strdup(tok);
    }
    free(copy);
}

static void add(struct fx *f, const char *name, const char *uses, const char *incs)
{
    size_t i = f->m.napps++;
    assert_true(i < MAXAPPS);
    f->apps[i].name = (char *)name;
    names(&f->apps[i].applications, uses);
    names(&f->apps[i].included, incs);
    f->mapps[i].app = &f->apps[i];
    f->mapps[i].boot_index = -1;
    f->m.apps = f->mapps;
}

static void fx_free(struct fx *f)
{
    for (size_t i = 0; i < f->m.napps; i++) {
        struct rel_names *l[] = {&f->apps[i].applications, &f->apps[i].included};
        for (size_t k = 0; k < 2; k++) {
            for (size_t j = 0; j < l[k]->count; j++)
                free(l[k]->items[j]);
            free(l[k]->items);
        }
    }
    free(f->m.boot);
}

static void assert_order(const struct fx *f, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    assert_non_null(f->m.boot);
    assert_int_equal(f->m.nboot, f->m.napps);
    for (size_t i = 0; i < f->m.nboot; i++) {
        rel_buf_printf(&b, "%s%s", i ? " " : "", f->m.apps[f->m.boot[i]].app->name);
        assert_int_equal(f->m.apps[f->m.boot[i]].boot_index, (int)i);
    }
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

static void test_dependencies_first(void **state)
{
    (void)state;
    struct fx f = {0};
    add(&f, "kernel", "", "");
    add(&f, "stdlib", "kernel", "");
    add(&f, "web", "kernel,stdlib,db", "");
    add(&f, "db", "kernel,stdlib", "");
    struct rel_buf cycle = REL_BUF_INIT;
    const char *at = NULL;
    assert_false(rel_bootorder(&f.m, &cycle, &at));
    assert_order(&f, "kernel stdlib db web");
    assert_int_equal(cycle.len, 0);
    rel_buf_free(&cycle);
    fx_free(&f);
}

static void test_top_application_replaces_included(void **state)
{
    (void)state;
    /* app3 uses app2, which app1 includes: app3 starts after app1, and the
     * included app2 before its includer */
    struct fx f = {0};
    add(&f, "kernel", "", "");
    add(&f, "app3", "kernel,app2", "");
    add(&f, "app1", "kernel", "app2");
    add(&f, "app2", "kernel", "");
    struct rel_buf cycle = REL_BUF_INIT;
    const char *at = NULL;
    assert_false(rel_bootorder(&f.m, &cycle, &at));
    assert_order(&f, "kernel app2 app1 app3");
    rel_buf_free(&cycle);
    fx_free(&f);
}

static void test_cycle_reported(void **state)
{
    (void)state;
    struct fx f = {0};
    add(&f, "kernel", "", "");
    add(&f, "a", "kernel,b", "");
    add(&f, "b", "kernel,a", "");
    struct rel_buf cycle = REL_BUF_INIT;
    const char *at = NULL;
    assert_true(rel_bootorder(&f.m, &cycle, &at));
    assert_null(f.m.boot);
    assert_non_null(at);
    const char *c = rel_buf_cstr(&cycle);
    assert_true(strcmp(c, "a -> b -> a") == 0 || strcmp(c, "b -> a -> b") == 0);
    rel_buf_free(&cycle);
    fx_free(&f);
}

static void test_empty_model(void **state)
{
    (void)state;
    struct fx f = {0};
    struct rel_buf cycle = REL_BUF_INIT;
    const char *at = NULL;
    assert_false(rel_bootorder(&f.m, &cycle, &at));
    assert_null(f.m.boot);
    rel_buf_free(&cycle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependencies_first),
        cmocka_unit_test(test_top_application_replaces_included),
        cmocka_unit_test(test_cycle_reported),
        cmocka_unit_test(test_empty_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
