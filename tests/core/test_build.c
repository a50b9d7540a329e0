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

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
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

/* Compile when needed: a Mix project with no build, then a build newer
 * than every source, then a source touched after the build. */
static void set_mtime(const char *root, const char *rel, time_t t)
{
    char *path = rel_path_join2(root, rel);
    struct timespec ts[2] = {{.tv_sec = t}, {.tv_sec = t}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    free(path);
}

static void test_needed(void **state)
{
    (void)state;
    struct load l = {0};
    project(&l, "project: {kind: mix, app: a}\n" HEAD);
    fx_write(l.dir, "mix.exs", "# a stand-in\n");
    fx_write(l.dir, "lib/a.ex", "defmodule A do end\n");
    fx_write(l.dir, "rel/vm.args.eex", "-sname a\n");
    struct rel_project *p = NULL;
    assert_int_equal(rel_project_open(&p, l.dir, REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN), 0);
    char *why = NULL;
    assert_int_equal(rel_build_needed(p, &why), 1);
    assert_non_null(strstr(why, "_build/prod/lib holds no build yet"));
    free(why);
    time_t t = time(NULL);
    fx_write(l.dir, "_build/prod/lib/a/ebin/a.app", "{application,a,[]}.\n");
    set_mtime(l.dir, "_build/prod/lib/a/ebin/a.app", t - 10);
    const char *sources[] = {"mix.exs", "lib/a.ex", "relman.yml", "lib/a-1/ebin/a.app"};
    for (size_t i = 0; i < 4; i++)
        set_mtime(l.dir, sources[i], t - 20);
    set_mtime(l.dir, "rel/vm.args.eex", t); /* rel/ is no input of the build */
    assert_int_equal(rel_build_needed(p, &why), 0);
    assert_null(why);
    set_mtime(l.dir, "lib/a.ex", t - 5);
    assert_int_equal(rel_build_needed(p, &why), 1);
    assert_non_null(strstr(why, "newer than the build"));
    free(why);
    rel_project_free(p);
    load_free(&l);
}

/* A cancel callback that says yes from its Nth call on. */
struct cancel_after {
    int calls, at;
};

static bool cancel_now(void *ctx)
{
    struct cancel_after *c = ctx;
    return ++c->calls >= c->at;
}

/* Cancelled mid-assembly (between the plan's entries) and while a hook
 * runs: REL_ECANCELED, the previous release byte for byte as it was, no
 * temporary tree beside it; the hook's process is ended at once. */
static void test_cancel(void **state)
{
    (void)state;
    struct load l = {0};
    project(&l, "project: {kind: plain}\n" HEAD);
    for (int i = 0; i < 40; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "lib/a-1/priv/f%02d.txt", i);
        fx_write(l.dir, rel, "data\n");
    }
    struct rel_build_opts o = {.model = load_model, .model_ctx = &l};
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    if (rel_build_release(&plan, &st, &o) < 0)
        fail_msg("%s", rel_error_message());
    rel_plan_free(plan);
    char *marker = rel_asprintf("%s/out/lib/a-1/priv/f07.txt", l.dir);
    assert_int_equal(rel_fs_write_atomic(marker, "old\n", 4, 0644), 0);

    struct cancel_after c = {0, 10};
    o.canceled = cancel_now;
    o.cancel_ctx = &c;
    assert_int_equal(rel_build_release(&plan, &st, &o), REL_ECANCELED);
    assert_null(plan);
    assert_true(c.calls >= 10);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, marker, 100), 0);
    assert_string_equal(rel_buf_cstr(&b), "old\n");
    rel_buf_free(&b);
    char *cmd = rel_asprintf("ls -a %s | grep -q relman-new", l.dir);
    assert_int_not_equal(system(cmd), 0);
    free(cmd);

    /* a hook that would run for a minute */
    char *yml = rel_asprintf("project: {kind: plain}\n" HEAD
                             "    path: %s/out\n    steps: [{run: 'sleep 60'}, assemble]\n",
                             l.dir);
    fx_write(l.dir, "relman.yml", yml);
    free(yml);
    c = (struct cancel_after){0, 5};
    time_t t0 = time(NULL);
    assert_int_equal(rel_build_release(&plan, &st, &o), REL_ECANCELED);
    assert_true(time(NULL) - t0 < 10);
    assert_int_equal(rel_fs_read_file(&b, marker, 100), 0);
    assert_string_equal(rel_buf_cstr(&b), "old\n");
    rel_buf_free(&b);
    free(marker);
    load_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_and_assemble),
        cmocka_unit_test(test_model_error_passes_through),
        cmocka_unit_test(test_compile),
        cmocka_unit_test(test_needed),
        cmocka_unit_test(test_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
