/* Unit tests for core/resolve (and core/render's .rel): fixture projects in
 * temporary directories, resolved against the installed Erlang and Elixir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/project.h"
#include "core/render.h"
#include "core/resolve.h"
#include "core/term.h"
#include "fixture.h"

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' does not contain '%s'", (hay), (needle));                               \
    } while (0)

struct fx {
    char *dir;
    struct rel_project *p;
    struct rel_model *m;
};

/* Resolve release `rel` of a project whose relman.yml is `yml`; the apps must
 * already be written under fx->dir. */
static void resolve(struct fx *f, const char *yml, const char *rel)
{
    fx_write(f->dir, "relman.yml", yml);
    rel_model_free(f->m);
    rel_project_free(f->p);
    f->m = NULL;
    if (rel_project_open(&f->p, f->dir, REL_PROJECT_NEED_CONFIG) < 0)
        fail_msg("open: %s", rel_error_message());
    const struct rel_config_release *r = rel_config_find_release(f->p->config, rel);
    assert_non_null(r);
    assert_int_equal(rel_resolve(&f->m, f->p, r), 0);
}

static void fx_free(struct fx *f)
{
    rel_model_free(f->m);
    rel_project_free(f->p);
    fx_done(f->dir);
}

static void dump_problems(const struct rel_model *m)
{
    for (size_t i = 0; i < m->nproblems; i++)
        fprintf(stderr, "  %s: %s\n", rel_severity_name(m->problems[i].severity),
                m->problems[i].message);
}

/* The problem of severity `sev` whose message contains `text`, or NULL. */
static const struct rel_problem *problem(const struct rel_model *m, enum rel_severity sev,
                                         const char *text)
{
    for (size_t i = 0; i < m->nproblems; i++)
        if (m->problems[i].severity == sev && strstr(m->problems[i].message, text))
            return &m->problems[i];
    return NULL;
}

static const char *must_problem(const struct rel_model *m, enum rel_severity sev, const char *text)
{
    const struct rel_problem *p = problem(m, sev, text);
    if (!p) {
        dump_problems(m);
        fail_msg("no %s containing '%s'", rel_severity_name(sev), text);
    }
    return p->message;
}

static void no_errors(const struct rel_model *m)
{
    if (rel_model_count(m, REL_SEVERITY_ERROR)) {
        dump_problems(m);
        fail_msg("unexpected errors");
    }
}

/* Space-separated names of the .rel order / boot order. */
static void assert_rel_order(const struct rel_model *m, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < m->napps; i++)
        rel_buf_printf(&b, "%s%s", i ? " " : "", m->apps[i].app->name);
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

static void assert_boot(const struct rel_model *m, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    if (!m->boot)
        fail_msg("no boot order");
    for (size_t i = 0; i < m->nboot; i++)
        rel_buf_printf(&b, "%s%s", i ? " " : "", m->apps[m->boot[i]].app->name);
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

/* The compact text of the .rel's application list. */
static char *rel_apps_text(const struct rel_model *m)
{
    struct rel_term *t = NULL;
    if (rel_model_rel_term(&t, m) < 0)
        fail_msg("rel term: %s", rel_error_message());
    char *s = rel_term_to_text(rel_term_tuple_get(t, 3));
    rel_term_free(t);
    return s;
}

#define PLAIN_HEAD "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"
#define KS "{applications,[kernel,stdlib]}"

static void test_missing_application_names_who_needs_it(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", "{applications,[kernel,stdlib,b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", "{applications,[kernel,stdlib,c]}");
    fx_app(f.dir, "lib/d-1", "d", "1", "{applications,[kernel,stdlib,c]}");
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent, d: permanent, zz: permanent}\n", "r");
    const char *msg = must_problem(f.m, REL_SEVERITY_ERROR, "application 'c' was not found");
    assert_contains(msg, "'b' needs it (release r -> a -> b -> c)");
    assert_contains(msg, "also needed by 'd'");
    must_problem(f.m, REL_SEVERITY_ERROR,
                 "application 'zz' was not found; it is a root of release r");
    /* reported once each, before everything else */
    assert_int_equal(rel_model_count(f.m, REL_SEVERITY_ERROR), 2);
    assert_int_equal(f.m->problems[0].severity, REL_SEVERITY_ERROR);
    /* the rest of the model is still there */
    assert_non_null(rel_model_find(f.m, "b"));
    /* and nothing is rendered from a broken release */
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_render(&out, f.m, "rel"), REL_ERESOLVE);
    assert_contains(rel_error_message(), "release r: application 'c' was not found");
    assert_contains(rel_error_message(), "and 1 more problems");
    assert_int_equal(out.len, 0);
    rel_buf_free(&out);
    fx_free(&f);
}

static void test_unsafe_mode_and_skip(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", "{applications,[kernel,stdlib,b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", KS);
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent, b: load}\n", "r");
    const char *msg =
        must_problem(f.m, REL_SEVERITY_ERROR, "'a' is permanent but depends on 'b', which is load");
    assert_contains(msg, "skip_mode_validation_for");
    resolve(&f,
            PLAIN_HEAD "    applications: {a: permanent, b: load}\n"
                       "    skip_mode_validation_for: [a]\n",
            "r");
    no_errors(f.m);
    must_problem(f.m, REL_SEVERITY_NOTE, "allowed by skip_mode_validation_for");
    /* a load parent may depend on a none child */
    resolve(&f, PLAIN_HEAD "    applications: {a: load, b: none}\n", "r");
    no_errors(f.m);
    fx_free(&f);
}

static void test_included_applications(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", KS ",{included_applications,[b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", "{applications,[kernel,stdlib,c]}");
    fx_app(f.dir, "lib/c-1", "c", "1", KS);
    /* relx rules: the included app is `load`, its deps come first */
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent}\n", "r");
    no_errors(f.m);
    assert_rel_order(f.m, "kernel stdlib c b a");
    const struct rel_model_app *b = rel_model_find(f.m, "b");
    assert_int_equal(b->mode, REL_MODE_LOAD);
    assert_int_equal(b->why, REL_WHY_INCLUDED);
    assert_int_equal(b->mode_source, REL_MODE_SOURCE_INCLUDED);
    assert_string_equal(b->included_by, "a");
    /* c is a dependency of b: permanent under relx */
    assert_int_equal(rel_model_find(f.m, "c")->mode, REL_MODE_PERMANENT);
    char *t = rel_apps_text(f.m);
    assert_string_equal(t, "[{kernel,\"8.5.3\"},{stdlib,\"4.2\"},{c,\"1\"},{b,\"1\",load},"
                           "{a,\"1\"}]");
    free(t);
    assert_boot(f.m, "kernel stdlib c b a");

    /* mix rules: included -> load, and its children inherit load */
    fx_write(f.dir, "mix.exs", "");
    fx_app(f.dir, "_build/prod/lib/a", "a", "1", KS ",{included_applications,[b]}");
    resolve(&f,
            "project: {kind: mix, env: prod}\nlib_dirs: [lib]\nreleases:\n  r:\n"
            "    version: \"1\"\n    applications: {a: permanent}\n",
            "r");
    no_errors(f.m);
    b = rel_model_find(f.m, "b");
    assert_int_equal(b->mode, REL_MODE_LOAD);
    assert_int_equal(rel_model_find(f.m, "c")->mode, REL_MODE_LOAD);
    assert_int_equal(rel_model_find(f.m, "c")->mode_source, REL_MODE_SOURCE_INHERITED);
    t = rel_apps_text(f.m);
    assert_contains(t, "{a,\"1\",permanent,[b]}");
    assert_contains(t, "{b,\"1\",load}");
    free(t);

    /* both included and depended upon: an error */
    fx_app(f.dir, "lib/d-1", "d", "1", "{applications,[kernel,stdlib,b]}");
    resolve(&f,
            "project: {kind: mix, env: prod}\nlib_dirs: [lib]\nreleases:\n  r:\n"
            "    version: \"1\"\n    applications: {a: permanent, d: permanent}\n",
            "r");
    must_problem(f.m, REL_SEVERITY_ERROR,
                 "'b' is listed both as a regular application and as an included one");
    fx_free(&f);
}

static void test_optional_applications(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1",
           "{applications,[kernel,stdlib,opt,gone]},{optional_applications,[opt,gone]}");
    fx_app(f.dir, "lib/opt-1", "opt", "1", KS);
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent}\n", "r");
    no_errors(f.m);
    assert_non_null(rel_model_find(f.m, "opt"));
    assert_null(rel_model_find(f.m, "gone"));
    must_problem(f.m, REL_SEVERITY_NOTE,
                 "'gone' is an optional application of 'a' and is not available");
    assert_rel_order(f.m, "kernel stdlib opt a");
    /* but one that somebody else needs for real is missing */
    fx_app(f.dir, "lib/b-1", "b", "1", "{applications,[kernel,stdlib,gone]}");
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent, b: permanent}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "application 'gone' was not found; 'b' needs it");
    fx_free(&f);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", KS ",{included_applications,[x]}");
    fx_app(f.dir, "lib/b-1", "b", "1", KS ",{included_applications,[x]}");
    fx_app(f.dir, "lib/x-1", "x", "1", KS);
    fx_write(f.dir, "lib/r1-1/ebin/r1.app",
             "{application,r1,[{vsn,\"1\"},{modules,[shared_mod,r1_mod]},{registered,[srv]},"
             "{applications,[kernel,stdlib]}]}.\n");
    fx_write(f.dir, "lib/r2-1/ebin/r2.app",
             "{application,r2,[{vsn,\"1\"},{modules,[shared_mod]},{registered,[srv]},"
             "{applications,[kernel,stdlib]}]}.\n");
    /* an application listed twice in relman.yml is used once, with a warning */
    resolve(&f, PLAIN_HEAD "    applications:\n      r1: permanent\n      r1: load\n", "r");
    no_errors(f.m);
    must_problem(f.m, REL_SEVERITY_WARNING, "'r1' is listed twice in releases.r.applications");
    assert_int_equal(rel_model_find(f.m, "r1")->mode, REL_MODE_PERMANENT);
    assert_rel_order(f.m, "kernel stdlib r1");
    /* an application that appears twice in the tree appears once in the release */
    fx_app(f.dir, "lib/top-1", "top", "1", "{applications,[kernel,stdlib,r1,kernel,r1]}");
    resolve(&f, PLAIN_HEAD "    applications: {top: permanent, r1: permanent}\n", "r");
    no_errors(f.m);
    assert_rel_order(f.m, "kernel stdlib r1 top");
    /* systools' duplicate checks */
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent, b: permanent}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "'x' is included by both 'a' and 'b'");
    resolve(&f, PLAIN_HEAD "    applications: {r1: permanent, r2: permanent}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "registered name 'srv' is claimed by both 'r1' and 'r2'");
    must_problem(f.m, REL_SEVERITY_ERROR, "module 'shared_mod' is claimed by both 'r1' and 'r2'");
    fx_free(&f);
}

static void test_cycle(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", "{applications,[kernel,stdlib,b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", "{applications,[kernel,stdlib,c]}");
    fx_app(f.dir, "lib/c-1", "c", "1", "{applications,[kernel,stdlib,a]}");
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent}\n", "r");
    const char *msg = must_problem(f.m, REL_SEVERITY_ERROR, "dependency cycle: ");
    assert_true(strstr(msg, "a -> b -> c -> a") || strstr(msg, "b -> c -> a -> b") ||
                strstr(msg, "c -> a -> b -> c"));
    assert_null(f.m->boot);
    /* "X includes Y, Y uses X" is allowed by systools */
    fx_app(f.dir, "lib/p-1", "p", "1", KS ",{included_applications,[q]}");
    fx_app(f.dir, "lib/q-1", "q", "1", "{applications,[kernel,stdlib,p]}");
    resolve(&f, PLAIN_HEAD "    applications: {p: permanent}\n", "r");
    no_errors(f.m);
    assert_boot(f.m, "kernel stdlib q p");
    /* an application that includes (or needs) itself: its .app is named */
    fx_app(f.dir, "lib/s-1", "s", "1", KS ",{included_applications,[s]}");
    resolve(&f, PLAIN_HEAD "    applications: {s: permanent}\n", "r");
    msg = must_problem(f.m, REL_SEVERITY_ERROR, "'s' lists itself in included_applications");
    assert_non_null(strstr(msg, "lib/s-1/ebin/s.app: "));
    fx_free(&f);
}

static void test_two_versions(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/x-1.9", "x", "1.9", KS);
    fx_app(f.dir, "lib/x-1.10", "x", "1.10", KS);
    fx_app(f.dir, "vendor/y-2.0", "y", "2.0", KS);
    fx_app(f.dir, "lib/y-1.0", "y", "1.0", KS);
    resolve(&f,
            "project: {kind: plain}\nlib_dirs: [lib, vendor]\nreleases:\n  r:\n"
            "    version: \"1\"\n    applications: {x: permanent, y: permanent}\n",
            "r");
    no_errors(f.m);
    const struct rel_model_app *x = rel_model_find(f.m, "x");
    assert_string_equal(x->app->vsn, "1.10");
    const char *msg = must_problem(f.m, REL_SEVERITY_WARNING, "two versions of 'x' in lib_dirs");
    assert_contains(msg, "using 1.10");
    assert_contains(msg, "also there: 1.9");
    /* a higher-precedence place wins, whatever the versions, and it is shown */
    const struct rel_model_app *y = rel_model_find(f.m, "y");
    assert_string_equal(y->app->vsn, "1.0");
    assert_string_equal(y->shadows, "lib_dirs 2.0");
    must_problem(f.m, REL_SEVERITY_NOTE, "'y' 1.0 from lib_dirs");
    fx_free(&f);
}

static void test_folder_name_differs(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/p1_tls-1.1.16", "fast_tls", "1.1.16", KS);
    fx_app(f.dir, "lib/noversion", "tidy", "0.3", "{applications,[kernel,stdlib,fast_tls]}");
    resolve(&f, PLAIN_HEAD "    applications: {tidy: permanent}\n", "r");
    no_errors(f.m);
    char *t = rel_apps_text(f.m);
    assert_contains(t, "{fast_tls,\"1.1.16\"},{tidy,\"0.3\"}");
    free(t);
    assert_contains(rel_model_find(f.m, "fast_tls")->app->dir, "p1_tls-1.1.16");
    fx_free(&f);
}

static void test_unreadable_app_file(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_write(f.dir, "lib/bad-1/ebin/bad.app", "{application, bad, [{vsn, 1}]}.\n");
    resolve(&f, PLAIN_HEAD "    applications: {bad: permanent}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "application 'bad' cannot be used");
    must_problem(f.m, REL_SEVERITY_ERROR, "no vsn");
    fx_free(&f);
}

static void test_kernel_and_stdlib_required(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/lonely-1", "lonely", "1", "{applications,[]}");
    resolve(&f, PLAIN_HEAD "    applications: {lonely: permanent}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "'kernel' must be part of every release");
    must_problem(f.m, REL_SEVERITY_ERROR, "'stdlib' must be part of every release");
    resolve(&f,
            PLAIN_HEAD "    applications: {lonely: permanent, kernel: load, stdlib: "
                       "permanent}\n",
            "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "'kernel' must be permanent, not load");
    fx_free(&f);
}

static void test_relx_order_and_types(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", "{applications,[kernel,stdlib,b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", "{applications,[kernel,stdlib,c]}");
    fx_app(f.dir, "lib/c-1", "c", "1", KS);
    fx_app(f.dir, "lib/d-1", "d", "1", "{applications,[kernel,stdlib,sasl]}");
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent, d: temporary}\n", "r");
    no_errors(f.m);
    /* depth-first, dependencies before each application, roots in order */
    assert_rel_order(f.m, "kernel stdlib c b a sasl d");
    char *t = rel_apps_text(f.m);
    assert_contains(t, "{a,\"1\"},{sasl,\"4.2\"},{d,\"1\",temporary}");
    free(t);
    /* relx does not propagate modes: b stays permanent */
    assert_int_equal(rel_model_find(f.m, "b")->mode, REL_MODE_PERMANENT);
    assert_int_equal(rel_model_find(f.m, "b")->mode_source, REL_MODE_SOURCE_DEFAULT);
    assert_string_equal(rel_model_find(f.m, "b")->parent, "a");
    assert_boot(f.m, "kernel stdlib c b a sasl d");
    fx_free(&f);
}

#define MIX_HEAD "project: {kind: mix, env: prod, app: demo}\nreleases:\n  demo:\n"

static void mix_fixture(struct fx *f)
{
    fx_write(f->dir, "mix.exs", "");
    fx_app(f->dir, "_build/prod/lib/demo", "demo", "0.1.0",
           "{applications,[kernel,stdlib,elixir,logger,helper]}");
    fx_app(f->dir, "_build/prod/lib/helper", "helper", "0.2.0", KS);
    fx_app(f->dir, "_build/prod/lib/other", "other", "0.3.0",
           "{applications,[kernel,stdlib,helper]}");
}

static void test_mix_rules(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    mix_fixture(&f);
    /* no applications: the project app, the default roots, iex as none */
    resolve(&f, MIX_HEAD "    include_erts: false\n", "demo");
    no_errors(f.m);
    assert_string_equal(f.m->version, "0.1.0"); /* from project.app */
    assert_rel_order(f.m, "kernel stdlib elixir sasl demo iex compiler helper logger");
    assert_int_equal(rel_model_find(f.m, "iex")->mode, REL_MODE_NONE);
    assert_int_equal(rel_model_find(f.m, "kernel")->why, REL_WHY_IMPLICIT);
    assert_int_equal(rel_model_find(f.m, "demo")->why, REL_WHY_IMPLICIT);
    assert_string_equal(rel_model_find(f.m, "helper")->parent, "demo");
    /* systools' order: compiler before elixir, deps before demo, iex last */
    assert_boot(f.m, "kernel stdlib compiler elixir sasl helper logger demo iex");
    char *t = rel_apps_text(f.m);
    assert_contains(t, "{kernel,\"8.5.3\",permanent}");
    assert_contains(t, "{iex,");
    assert_contains(t, "none}");
    free(t);

    /* a listed default moves to its place; modes propagate to children */
    resolve(&f, MIX_HEAD "    version: \"9.9\"\n    applications: {sasl: load, demo: temporary}\n",
            "demo");
    no_errors(f.m);
    assert_string_equal(f.m->version, "9.9");
    assert_rel_order(f.m, "kernel stdlib elixir sasl demo iex compiler helper logger");
    assert_int_equal(rel_model_find(f.m, "sasl")->mode, REL_MODE_LOAD);
    assert_int_equal(rel_model_find(f.m, "sasl")->mode_source, REL_MODE_SOURCE_EXPLICIT);
    const struct rel_model_app *h = rel_model_find(f.m, "helper");
    assert_int_equal(h->mode, REL_MODE_TEMPORARY);
    assert_int_equal(h->mode_source, REL_MODE_SOURCE_INHERITED);
    assert_string_equal(h->mode_from, "demo");

    resolve(&f,
            MIX_HEAD "    applications: {sasl: permanent, other: permanent, kernel: "
                     "permanent}\n",
            "demo");
    /* Keyword.merge: kernel moves after sasl... */
    assert_rel_order(f.m, "stdlib elixir sasl other kernel demo iex compiler helper logger");

    /* the highest mode of two parents wins */
    resolve(&f, MIX_HEAD "    applications: {demo: temporary, other: transient}\n", "demo");
    no_errors(f.m);
    h = rel_model_find(f.m, "helper");
    assert_int_equal(h->mode, REL_MODE_TRANSIENT);
    assert_string_equal(h->mode_from, "other");
    assert_int_equal(rel_model_find(f.m, "logger")->mode, REL_MODE_TEMPORARY);

    /* an explicit mode is never overridden (and here it is unsafe) */
    resolve(&f, MIX_HEAD "    applications: {demo: permanent, helper: load}\n", "demo");
    assert_int_equal(rel_model_find(f.m, "helper")->mode, REL_MODE_LOAD);
    must_problem(f.m, REL_SEVERITY_ERROR,
                 "'demo' is permanent but depends on 'helper', which "
                 "is load");

    /* version from another application */
    resolve(&f, MIX_HEAD "    version: {from_app: helper}\n", "demo");
    assert_string_equal(f.m->version, "0.2.0");
    fx_free(&f);
}

static void test_version_missing(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1", KS);
    resolve(&f,
            "project: {kind: plain}\nlib_dirs: [lib]\nreleases: {r: {applications: "
            "{a: permanent}}}\n",
            "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "release r has no version");
    resolve(&f,
            "project: {kind: plain}\nlib_dirs: [lib]\nreleases: {r: {applications: "
            "{a: permanent}, version: {from_app: nope}}}\n",
            "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "takes its version from application 'nope'");
    resolve(&f, "project: {kind: plain}\nlib_dirs: [lib]\nreleases: {r: {version: \"1\"}}\n", "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "release r lists no applications");
    fx_free(&f);
}

static void test_include_erts_path(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    /* another Erlang installation: its kernel and stdlib replace the local ones */
    fx_write(f.dir, "other/erts-99.1/bin/README", "not a real erts\n");
    fx_app(f.dir, "other/lib/kernel-99.0", "kernel", "99.0", "{applications,[]}");
    fx_app(f.dir, "other/lib/stdlib-99.0", "stdlib", "99.0", "{applications,[kernel]}");
    fx_app(f.dir, "lib/a-1", "a", "1", "{applications,[kernel,stdlib,sasl]}");
    resolve(&f,
            PLAIN_HEAD "    applications: {a: permanent}\n"
                       "    include_erts: other/erts-99.1\n",
            "r");
    no_errors(f.m);
    assert_string_equal(f.m->erts_version, "99.1");
    const struct rel_model_app *k = rel_model_find(f.m, "kernel");
    assert_string_equal(k->app->vsn, "99.0");
    assert_contains(k->app->dir, "/other/lib/kernel-99.0");
    /* what that installation lacks still comes from the local one */
    assert_int_equal(rel_model_find(f.m, "sasl")->app->origin, REL_ORIGIN_OTP);
    assert_null(problem(f.m, REL_SEVERITY_WARNING, "two versions"));
    char *t = rel_apps_text(f.m);
    assert_contains(t, "{kernel,\"99.0\"}");
    free(t);
    resolve(&f,
            PLAIN_HEAD "    applications: {a: permanent}\n"
                       "    include_erts: nowhere/erts-1.0\n",
            "r");
    must_problem(f.m, REL_SEVERITY_ERROR, "include_erts:");
    must_problem(f.m, REL_SEVERITY_ERROR, "does not exist");
    /* a path that is not erts-VSN is refused when relman.yml is read, with
     * its line (tests/core/test_config.c) */
    fx_free(&f);
}

static void test_render_rel_file(void **state)
{
    (void)state;
    struct fx f = {.dir = fx_dir()};
    fx_app(f.dir, "lib/a-1", "a", "1.0.0", KS);
    resolve(&f, PLAIN_HEAD "    applications: {a: permanent}\n", "r");
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_render(&out, f.m, "rel"), 0);
    assert_string_equal(out.ptr,
                        "%% coding: utf-8\n"
                        "{release,{\"r\",\"1\"},\n"
                        "         {erts,\"13.1.5\"},\n"
                        "         [{kernel,\"8.5.3\"},{stdlib,\"4.2\"},{a,\"1.0.0\"}]}.\n");
    rel_buf_clear(&out);
    assert_int_equal(rel_render(&out, f.m, "nope"), REL_ENOTFOUND);
    assert_contains(rel_error_message(), "known: rel");
    rel_buf_free(&out);
    assert_non_null(rel_render_find("rel"));
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_application_names_who_needs_it),
        cmocka_unit_test(test_unsafe_mode_and_skip),
        cmocka_unit_test(test_included_applications),
        cmocka_unit_test(test_optional_applications),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_two_versions),
        cmocka_unit_test(test_folder_name_differs),
        cmocka_unit_test(test_unreadable_app_file),
        cmocka_unit_test(test_kernel_and_stdlib_required),
        cmocka_unit_test(test_relx_order_and_types),
        cmocka_unit_test(test_mix_rules),
        cmocka_unit_test(test_version_missing),
        cmocka_unit_test(test_include_erts_path),
        cmocka_unit_test(test_render_rel_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
