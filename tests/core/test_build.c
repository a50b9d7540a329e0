/* Unit tests for core/build (compile if asked, plan, assemble): the order of
 * the steps, the options passed through, and what a failing build or model
 * gives back. A plain fixture project assembled into a temporary directory;
 * `mix` is a stand-in script put first in PATH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/build.h"
#include "core/config.h"
#include "core/event.h"
#include "core/project.h"
#include "core/resolve.h"
#include "fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#define HEAD                                                                                       \
    "lib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n    include_erts: false\n"              \
    "    applications: {a: permanent}\n"

struct load {
    char *dir;
    struct rel_project *p;
    struct rel_model *m;
    int calls;
};

static int load_model(void *ctx, const struct rel_model **m)
{
    struct load *l = ctx;
    l->calls++;
    rel_model_free(l->m);
    rel_project_free(l->p);
    l->m = NULL;
    int rc = rel_project_open(&l->p, l->dir, REL_PROJECT_NEED_CONFIG);
    if (rc == 0)
        rc = rel_resolve(&l->m, l->p, rel_config_find_release(l->p->config, "r"));
    *m = l->m;
    return rc;
}

static int refuse_model(void *ctx, const struct rel_model **m)
{
    (void)ctx;
    *m = NULL;
    return rel_error_set(REL_EUSAGE, "no model today");
}

static void load_free(struct load *l)
{
    rel_model_free(l->m);
    rel_project_free(l->p);
    fx_done(l->dir);
}

static void project(struct load *l, const char *head)
{
    l->dir = fx_dir();
    fx_app(l->dir, "lib/a-1", "a", "1", NULL);
    char *yml = rel_asprintf("%s    path: %s/out\n", head, l->dir);
    fx_write(l->dir, "relman.yml", yml);
    free(yml);
}

static void test_plan_and_assemble(void **state)
{
    (void)state;
    struct load l = {0};
    project(&l, "project: {kind: plain}\n" HEAD);
    struct rel_event_recorder rec = {.coalesce_advance = 1};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    struct rel_build_opts o = {.model = load_model, .model_ctx = &l, .ev = &ev};
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    if (rel_build_release(&plan, &st, &o) < 0)
        fail_msg("%s", rel_error_message());
    assert_int_equal(l.calls, 1);
    assert_non_null(plan);
    char *out = rel_asprintf("%s/out", l.dir);
    assert_string_equal(plan->dest, out);
    assert_true(st.files == plan->count);
    char *bin = rel_asprintf("%s/bin/r", out);
    assert_true(rel_fs_is_file(bin));
    free(bin);
    /* the plan is a step of its own, before the assembly */
    long begin = rel_event_recorder_find(&rec, "begin plan");
    long end = rel_event_recorder_find(&rec, "end plan 0");
    long assemble = rel_event_recorder_find(&rec, "begin assemble");
    assert_true(begin >= 0 && end > begin && assemble > end);
    rel_plan_free(plan);

    /* the options reach the executor: an existing version relman did not
     * make (no manifest) is refused unless overwrite is asked */
    char *man = rel_asprintf("%s/.relman/manifest", out);
    assert_int_equal(unlink(man), 0);
    free(man);
    assert_int_equal(rel_build_release(&plan, &st, &o), REL_EEXISTS);
    assert_null(plan);
    o.assemble.overwrite = true;
    assert_int_equal(rel_build_release(&plan, &st, &o), 0);
    rel_plan_free(plan);
    /* and the plan's: --version */
    o.plan.version = "2";
    assert_int_equal(rel_build_release(&plan, &st, &o), 0);
    assert_string_equal(plan->version, "2");
    char *rel = rel_asprintf("%s/releases/2/r.rel", out);
    assert_true(rel_fs_is_file(rel));
    free(rel);
    rel_plan_free(plan);
    free(out);
    rel_event_recorder_free(&rec);
    load_free(&l);
}

static void test_model_error_passes_through(void **state)
{
    (void)state;
    struct rel_build_opts o = {.model = refuse_model};
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    assert_int_equal(rel_build_release(&plan, &st, &o), REL_EUSAGE);
    assert_string_equal(rel_error_message(), "no model today");
    assert_null(plan);
}

/* A Mix project: `MIX_ENV=prod mix compile` runs first, in the project; its
 * failure stops everything, with its output handed back. */
static void test_compile(void **state)
{
    (void)state;
    struct load l = {0};
    project(&l, "project: {kind: mix, app: a}\n" HEAD);
    fx_write(l.dir, "mix.exs", "# a stand-in\n");
    char *bindir = rel_asprintf("%s/fakebin", l.dir);
    char *mix = rel_asprintf("%s/mix", bindir);
    fx_write(l.dir, "fakebin/mix",
             "#!/bin/sh\necho \"compiling $MIX_ENV in $(pwd)\"\necho \"$*\" >mix.args\n"
             "[ -e fail ] && { echo 'it broke' >&2; exit 3; }\nexit 0\n");
    assert_int_equal(chmod(mix, 0755), 0);
    const char *old = getenv("PATH");
    char *path = rel_asprintf("%s:%s", bindir, old ? old : "/usr/bin:/bin");
    char *saved = rel_strdup(old ? old : "");
    setenv("PATH", path, 1);

    fx_write(l.dir, "fail", "");
    struct rel_buf output = REL_BUF_INIT;
    struct rel_build_opts o = {.compile = true,
                               .dir = l.dir,
                               .model = load_model,
                               .model_ctx = &l,
                               .build_output = &output};
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    assert_int_equal(rel_build_release(&plan, &st, &o), REL_ECHILD);
    assert_int_equal(l.calls, 0); /* no model before the build succeeded */
    assert_non_null(strstr(rel_error_message(), "'mix compile' failed (status 3) in "));
    assert_non_null(strstr(rel_buf_cstr(&output), "compiling prod in "));
    assert_non_null(strstr(rel_buf_cstr(&output), "it broke"));
    char *args = rel_asprintf("%s/mix.args", l.dir);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, args, 4096), 0);
    assert_string_equal(rel_buf_cstr(&b), "compile\n");
    rel_buf_free(&b);
    free(args);

    /* the build succeeds: its output is logged, the model is asked for */
    char *fail = rel_asprintf("%s/fail", l.dir);
    unlink(fail);
    free(fail);
    rel_buf_clear(&output);
    struct rel_event_recorder rec = {0};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    o.ev = &ev;
    int rc = rel_build_release(&plan, &st, &o);
    assert_int_equal(l.calls, 1);
    assert_true(rel_event_recorder_find(&rec, "log debug $ MIX_ENV=prod mix compile") >= 0);
    assert_true(rel_event_recorder_find(&rec, "log info compiling prod in ") >= 0);
    assert_int_equal(output.len, 0);
    /* (whether this stand-in Mix project also plans depends on the Elixir
     * installed; the steps before are what this test is about) */
    rel_plan_free(plan);
    (void)rc;

    setenv("PATH", saved, 1);
    free(saved);
    free(path);
    free(mix);
    free(bindir);
    rel_buf_free(&output);
    rel_event_recorder_free(&rec);
    load_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_and_assemble),
        cmocka_unit_test(test_model_error_passes_through),
        cmocka_unit_test(test_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
