/* Unit tests for core/project: kind detection, OTP/Elixir location, the
 * application scan (names from .app files, precedence, unreadable files). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/project.h"
#include "fixture.h"

#include <unistd.h>

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' does not contain '%s'", (hay), (needle));                               \
    } while (0)

static struct rel_project *open_ok(const char *dir, unsigned flags)
{
    struct rel_project *p = NULL;
    if (rel_project_open(&p, dir, flags) < 0)
        fail_msg("rel_project_open: %s", rel_error_message());
    return p;
}

static void test_detect_kind(void **state)
{
    (void)state;
    char *d = fx_dir();
    assert_int_equal(rel_project_detect_kind(d), REL_PROJECT_PLAIN);
    fx_write(d, "rebar.config", "{deps, []}.\n");
    assert_int_equal(rel_project_detect_kind(d), REL_PROJECT_REBAR3);
    fx_write(d, "mix.exs", "defmodule X.MixProject do end\n");
    assert_int_equal(rel_project_detect_kind(d), REL_PROJECT_MIX);
    /* relman.yml's kind wins over the files */
    fx_write(d, "relman.yml", "project: {kind: plain}\n");
    struct rel_project *p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_int_equal(p->kind, REL_PROJECT_PLAIN);
    assert_false(p->kind_detected);
    assert_null(p->env);
    rel_project_free(p);
    fx_write(d, "relman.yml", "releases: {}\n");
    p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_int_equal(p->kind, REL_PROJECT_MIX);
    assert_true(p->kind_detected);
    rel_project_free(p);
    fx_done(d);
}

static void test_env_defaults(void **state)
{
    (void)state;
    char *d = fx_dir();
    fx_write(d, "mix.exs", "");
    unsetenv("MIX_ENV");
    struct rel_project *p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_string_equal(p->env, "prod");
    rel_project_free(p);
    setenv("MIX_ENV", "staging", 1);
    p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_string_equal(p->env, "staging");
    rel_project_free(p);
    unsetenv("MIX_ENV");
    fx_write(d, "relman.yml", "project: {env: bench}\nreleases: {x: {}}\n");
    p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_string_equal(p->env, "bench");
    char *path = rel_project_release_path(p, &p->config->releases[0]);
    char *want = rel_asprintf("%s/_build/bench/rel/x", p->root);
    assert_string_equal(path, want);
    free(path);
    free(want);
    rel_project_free(p);
    char *mixexs = rel_path_join2(d, "mix.exs");
    unlink(mixexs);
    free(mixexs);
    fx_write(d, "rebar.config", "");
    fx_write(d, "relman.yml", "releases: {x: {path: out/x}}\n");
    p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_int_equal(p->kind, REL_PROJECT_REBAR3);
    assert_string_equal(p->env, "default");
    path = rel_project_release_path(p, &p->config->releases[0]);
    want = rel_asprintf("%s/out/x", p->root);
    assert_string_equal(path, want);
    free(path);
    free(want);
    rel_project_free(p);
    /* rebar3 runs under REBAR_PROFILE when it is set; relman.yml's env wins */
    setenv("REBAR_PROFILE", "prod", 1);
    p = open_ok(d, REL_PROJECT_NO_SCAN);
    assert_string_equal(p->env, "prod");
    rel_project_free(p);
    unsetenv("REBAR_PROFILE");
    fx_done(d);
}

/* Where rebar3 and erlang.mk leave applications, found with no lib_dirs. */
static void test_build_tool_dirs(void **state)
{
    (void)state;
    char *d = fx_dir();
    fx_write(d, "rebar.config", "{deps, []}.\n");
    fx_write(d, "relman.yml", "releases: {x: {}}\n");
    /* rebar3 3.14+ builds _checkouts/APP into _build/PROFILE/checkouts; it
     * wins over _build/PROFILE/lib, whatever the versions */
    fx_app(d, "_build/default/checkouts/co", "co", "1.0", NULL);
    fx_app(d, "_build/default/lib/co", "co", "9.0", NULL);
    fx_app(d, "_checkouts/raw", "raw", "0.1", NULL);
    fx_app(d, "deps/notmk", "notmk", "1.0", NULL);
    struct rel_project *p = open_ok(d, 0);
    const struct rel_app *c;
    assert_int_equal(rel_project_candidates(p, "co", &c), 2);
    assert_string_equal(c[0].vsn, "1.0");
    assert_int_equal(c[0].origin, REL_ORIGIN_PROJECT);
    assert_non_null(strstr(c[0].dir, "_build/default/checkouts/co"));
    const struct rel_app *raw = rel_project_find_app(p, "raw");
    assert_non_null(raw);
    assert_int_equal(raw->origin, REL_ORIGIN_PROJECT);
    /* deps/ is erlang.mk's: not read without an erlang.mk file */
    assert_null(rel_project_find_app(p, "notmk"));
    rel_project_free(p);

    /* erlang.mk: the application at the root, apps/ and deps/ */
    char *e = fx_dir();
    fx_write(e, "erlang.mk", "");
    fx_write(e, "Makefile", "PROJECT = top\ninclude erlang.mk\n");
    fx_write(e, "relman.yml", "releases: {x: {}}\n");
    fx_app(e, ".", "top", "0.1.0", "{applications,[kernel,stdlib,dep]}");
    fx_app(e, "deps/dep", "dep", "1.2.0", NULL);
    fx_app(e, "apps/sub", "sub", "0.2.0", NULL);
    p = open_ok(e, 0);
    assert_int_equal(p->kind, REL_PROJECT_PLAIN);
    const char *names[] = {"top", "dep", "sub"};
    for (size_t i = 0; i < 3; i++) {
        const struct rel_app *a = rel_project_find_app(p, names[i]);
        if (!a)
            fail_msg("%s not found in the erlang.mk project", names[i]);
        assert_int_equal(a->origin, REL_ORIGIN_PROJECT);
    }
    rel_project_free(p);
    fx_done(e);
    fx_done(d);
}

static void test_config_needed_and_errors(void **state)
{
    (void)state;
    char *d = fx_dir();
    struct rel_project *p = NULL;
    assert_int_equal(rel_project_open(&p, d, REL_PROJECT_NEED_CONFIG), REL_ENOTFOUND);
    assert_null(p);
    assert_contains(rel_error_message(), "no relman.yml in");
    assert_contains(rel_error_message(), "relman init --import");
    fx_write(d, "relman.yml", "releases:\n  foo:\n    colour: blue\n");
    assert_true(rel_project_open(&p, d, 0) < 0);
    assert_contains(rel_error_message(), "relman.yml:3:5: unknown key 'colour' in releases.foo");
    fx_done(d);
}

static void test_otp_and_elixir(void **state)
{
    (void)state;
    char *root, *erts, *rel;
    assert_int_equal(rel_otp_locate(&root, &erts, &rel), 0);
    assert_non_null(root);
    assert_non_null(erts);
    char *lib = rel_path_join2(root, "lib");
    assert_true(rel_fs_is_dir(lib));
    /* the version read from start_erl.data names a real erts directory */
    char *ertsdir = rel_asprintf("%s/erts-%s", root, erts);
    assert_true(rel_fs_is_dir(ertsdir));
    free(ertsdir);
    free(lib);
    free(root);
    free(erts);
    free(rel);

    char *exlib;
    assert_int_equal(rel_elixir_locate(&exlib), 0);
    char *app = rel_path_join2(exlib, "elixir/ebin/elixir.app");
    assert_true(rel_fs_is_file(app));
    free(app);
    free(exlib);

    /* no erl in PATH: a clear error, and a project still opens */
    char *old = rel_strdup(getenv("PATH"));
    setenv("PATH", "/nonexistent", 1);
    assert_int_equal(rel_otp_locate(&root, &erts, &rel), REL_ENOTFOUND);
    assert_contains(rel_error_message(), "no 'erl' in PATH");
    char *d = fx_dir();
    fx_write(d, "relman.yml", "releases: {x: {applications: {a: permanent}}}\n");
    struct rel_project *p = open_ok(d, 0);
    assert_null(p->otp_root);
    assert_true(p->nnotes >= 1);
    assert_contains(p->notes[0], "no 'erl' in PATH");
    rel_project_free(p);
    setenv("PATH", old, 1);
    free(old);
    fx_done(d);
}

static void test_scan_names_from_app_files(void **state)
{
    (void)state;
    char *d = fx_dir();
    fx_write(d, "relman.yml", "lib_dirs: [lib]\nreleases: {x: {}}\n");
    /* the folder says p1_tls, the .app says fast_tls */
    fx_app(d, "lib/p1_tls-1.1.16", "fast_tls", "1.1.16", NULL);
    /* Debian style: no version in the folder name */
    fx_app(d, "lib/jiffy", "jiffy", "1.1.1", NULL);
    /* a corrupt .app and a misnamed one are kept, with the reason */
    fx_write(d, "lib/broken-1.0/ebin/broken.app", "{application, broken, [{vsn, \"1.0\"}\n");
    fx_write(d, "lib/liar-1.0/ebin/liar.app", "{application, truth, [{vsn, \"1.0\"}]}.\n");
    /* not applications */
    fx_write(d, "lib/README", "hello\n");
    fx_write(d, "lib/empty/ebin/notes.txt", "nothing\n");
    struct rel_project *p = open_ok(d, 0);
    const struct rel_app *a = rel_project_find_app(p, "fast_tls");
    assert_non_null(a);
    assert_string_equal(a->vsn, "1.1.16");
    assert_int_equal(a->origin, REL_ORIGIN_LIB_DIRS);
    assert_contains(a->dir, "lib/p1_tls-1.1.16");
    assert_null(rel_project_find_app(p, "p1_tls"));
    a = rel_project_find_app(p, "jiffy");
    assert_non_null(a);
    assert_string_equal(a->vsn, "1.1.1");
    assert_int_equal(a->applications.count, 2);
    a = rel_project_find_app(p, "broken");
    assert_non_null(a);
    assert_non_null(a->error);
    assert_contains(a->error, "broken.app:");
    a = rel_project_find_app(p, "truth");
    assert_non_null(a);
    assert_non_null(a->error);
    assert_contains(a->error, "does not match the application name 'truth'");
    /* the OTP installation is visible too */
    a = rel_project_find_app(p, "kernel");
    assert_non_null(a);
    assert_int_equal(a->origin, REL_ORIGIN_OTP);
    assert_true(a->modules.count > 10);
    /* not a Mix project: no Elixir */
    assert_null(rel_project_find_app(p, "elixir"));
    rel_project_free(p);
    fx_done(d);
}

static void test_precedence(void **state)
{
    (void)state;
    char *d = fx_dir();
    fx_write(d, "mix.exs", "");
    fx_write(d, "relman.yml",
             "project: {env: prod}\nlib_dirs: [vendor1, vendor2]\n"
             "releases: {x: {}}\n");
    /* the project's build > lib_dirs (in order) > OTP > Elixir */
    fx_app(d, "_build/prod/lib/dup", "dup", "3.0", NULL);
    fx_app(d, "vendor1/dup-2.0", "dup", "2.0", NULL);
    fx_app(d, "vendor2/dup-9.0", "dup", "9.0", NULL);
    fx_app(d, "vendor2/asn1-0.1", "asn1", "0.1", NULL);
    fx_app(d, "vendor2/logger-0.1", "logger", "0.1", NULL);
    /* two versions in one place: the highest wins */
    fx_app(d, "vendor1/twice-1.9", "twice", "1.9", NULL);
    fx_app(d, "vendor1/twice-1.10", "twice", "1.10", NULL);
    struct rel_project *p = open_ok(d, 0);
    const struct rel_app *c;
    size_t n = rel_project_candidates(p, "dup", &c);
    assert_int_equal(n, 3);
    assert_true(c[0].chosen);
    assert_false(c[1].chosen);
    assert_int_equal(c[0].origin, REL_ORIGIN_PROJECT);
    assert_string_equal(c[0].vsn, "3.0");
    assert_string_equal(c[1].vsn, "2.0");
    assert_int_equal(c[1].origin_index, 0);
    assert_string_equal(c[2].vsn, "9.0");
    assert_int_equal(c[2].origin_index, 1);
    n = rel_project_candidates(p, "asn1", &c);
    assert_true(n >= 2);
    assert_int_equal(c[0].origin, REL_ORIGIN_LIB_DIRS);
    assert_int_equal(c[1].origin, REL_ORIGIN_OTP);
    n = rel_project_candidates(p, "logger", &c);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].origin, REL_ORIGIN_LIB_DIRS);
    assert_int_equal(c[1].origin, REL_ORIGIN_ELIXIR);
    n = rel_project_candidates(p, "twice", &c);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].vsn, "1.10");
    assert_non_null(p->elixir_version);
    rel_project_free(p);
    fx_done(d);
}

static void test_same_dir_counts_once(void **state)
{
    (void)state;
    char *root, *erts, *rel;
    assert_int_equal(rel_otp_locate(&root, &erts, &rel), 0);
    char *d = fx_dir();
    char *yml = rel_asprintf("lib_dirs: [%s/lib]\nreleases: {x: {}}\n", root);
    fx_write(d, "relman.yml", yml);
    struct rel_project *p = open_ok(d, 0);
    const struct rel_app *c;
    assert_int_equal(rel_project_candidates(p, "kernel", &c), 1);
    assert_int_equal(c[0].origin, REL_ORIGIN_LIB_DIRS);
    rel_project_free(p);
    free(yml);
    free(root);
    free(erts);
    free(rel);
    fx_done(d);
}

static void test_version_compare(void **state)
{
    (void)state;
    assert_true(rel_version_compare("1.10", "1.9") > 0);
    assert_true(rel_version_compare("1.9", "1.10") < 0);
    assert_int_equal(rel_version_compare("8.5.3", "8.5.3"), 0);
    assert_true(rel_version_compare("1.0.0", "1.0") > 0);
    assert_true(rel_version_compare("1.0-rc1", "1.0") > 0);
    assert_int_equal(rel_version_compare("01.2", "1.2"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_kind),
        cmocka_unit_test(test_env_defaults),
        cmocka_unit_test(test_build_tool_dirs),
        cmocka_unit_test(test_config_needed_and_errors),
        cmocka_unit_test(test_otp_and_elixir),
        cmocka_unit_test(test_scan_names_from_app_files),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_same_dir_counts_once),
        cmocka_unit_test(test_version_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
