/* Unit tests for core/plan (rel_plan_build and the lookup that render and the
 * TUI preview use; relx's overlays of plan_overlay.c and releases/RELEASES,
 * their DIR and LINK entries assembled), core/render's plan-backed entries
 * and the tarball rule of core/project: a small plain project in a temporary directory, resolved
 * against the installed Erlang (its kernel and stdlib are planned too). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/assemble.h"
#include "core/config.h"
#include "core/plan.h"
#include "core/project.h"
#include "core/render.h"
#include "core/resolve.h"
#include "core/term.h"
#include "fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' does not contain '%s'", (hay), (needle));                               \
    } while (0)

struct fx {
    char *dir;
    struct rel_project *p;
    struct rel_model *m;
    struct rel_plan *plan;
};

#define HEAD                                                                                       \
    "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"               \
    "    include_erts: false\n    applications: {a: permanent}\n"

/* The application `a` with a module, a priv file and a template of its own
 * project; `yml` is the whole relman.yml. */
static void project(struct fx *f, const char *yml)
{
    f->dir = fx_dir();
    fx_app_modules(f->dir, "lib/a-1", "a", "1", "a_mod", "{applications,[kernel,stdlib]}");
    fx_write(f->dir, "lib/a-1/ebin/a_mod.beam", "not really a beam");
    fx_write(f->dir, "lib/a-1/priv/data.txt", "data\n");
    fx_write(f->dir, "rel/vm.args.eex", "## vm.args of <%= @release.name %>\n-sname r\n");
    fx_write(f->dir, "relman.yml", yml);
}

static void open_resolve(struct fx *f)
{
    rel_model_free(f->m);
    rel_project_free(f->p);
    f->m = NULL;
    if (rel_project_open(&f->p, f->dir, REL_PROJECT_NEED_CONFIG) < 0)
        fail_msg("open: %s", rel_error_message());
    const struct rel_config_release *r = rel_config_find_release(f->p->config, "r");
    assert_non_null(r);
    assert_int_equal(rel_resolve(&f->m, f->p, r), 0);
}

static void build(struct fx *f, const struct rel_plan_opts *o)
{
    open_resolve(f);
    rel_plan_free(f->plan);
    f->plan = NULL;
    if (rel_plan_build(&f->plan, f->m, o) < 0)
        fail_msg("plan: %s", rel_error_message());
}

static void fx_free(struct fx *f)
{
    rel_plan_free(f->plan);
    rel_model_free(f->m);
    rel_project_free(f->p);
    fx_done(f->dir);
    memset(f, 0, sizeof(*f));
}

static const struct rel_plan_entry *must_find(const struct rel_plan *p, const char *path)
{
    const struct rel_plan_entry *e = rel_plan_find(p, path);
    if (!e)
        fail_msg("the plan has no %s", path);
    return e;
}

static bool has_tar_path(const struct rel_plan *p, const char *path)
{
    for (size_t i = 0; i < p->ntar; i++)
        if (strcmp(p->tar_paths[i], path) == 0)
            return true;
    return false;
}

static void test_entries_and_kinds(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD);
    build(&f, NULL);
    const struct rel_plan *p = f.plan;
    assert_string_equal(p->name, "r");
    assert_string_equal(p->version, "1");
    assert_string_equal(p->erts_version, f.m->erts_version);
    assert_false(p->include_erts);
    assert_false(p->tar);
    assert_null(p->tarball);
    char *dest = rel_project_release_path(f.p, f.m->release);
    assert_string_equal(p->dest, dest);
    free(dest);

    /* generated texts */
    const struct rel_plan_entry *e = must_find(p, "bin/r");
    assert_int_equal(e->kind, REL_PLAN_TEXT);
    assert_int_equal(e->mode, 0755);
    e = must_find(p, "releases/1/vm.args");
    assert_int_equal(e->kind, REL_PLAN_TEXT);
    assert_string_equal(e->origin, "template");
    assert_string_equal(e->data, "## vm.args of r\n-sname r\n");
    assert_int_equal(e->len, strlen(e->data));
    assert_int_equal(must_find(p, "releases/1/r.rel")->kind, REL_PLAN_TEXT);
    assert_int_equal(must_find(p, "releases/1/start.script")->kind, REL_PLAN_TEXT);
    assert_int_equal(must_find(p, "releases/1/start.boot")->kind, REL_PLAN_TEXT);
    assert_int_equal(must_find(p, "releases/1/start_clean.boot")->kind, REL_PLAN_TEXT);
    e = must_find(p, "releases/1/sys.config");
    assert_string_equal(e->data, "%% coding: utf-8\n[].\n");
    e = must_find(p, "releases/start_erl.data");
    char *sed = rel_asprintf("%s 1", f.m->erts_version);
    assert_string_equal(e->data, sed);
    free(sed);
    e = must_find(p, "releases/COOKIE");
    assert_int_equal(e->kind, REL_PLAN_COOKIE);
    assert_int_equal(e->mode, 0600);
    assert_null(e->data); /* none configured: kept or generated at assembly */

    /* copied and stripped files, with their sources */
    e = must_find(p, "lib/a-1/ebin/a.app");
    assert_int_equal(e->kind, REL_PLAN_COPY);
    assert_string_equal(e->origin, "app");
    char *src = rel_path_join2(f.dir, "lib/a-1/ebin/a.app");
    assert_string_equal(e->src, src);
    free(src);
    e = must_find(p, "lib/a-1/ebin/a_mod.beam");
    assert_int_equal(e->kind, REL_PLAN_STRIP); /* strip_beams is on by default */
    assert_int_equal(e->size, strlen("not really a beam"));
    assert_int_equal(must_find(p, "lib/a-1/priv/data.txt")->kind, REL_PLAN_COPY);
    /* OTP's applications are in the release too (plain project) */
    bool kernel = false;
    for (size_t i = 0; i < p->count; i++)
        kernel |= strncmp(p->entries[i].path, "lib/kernel-", 11) == 0;
    assert_true(kernel);
    /* no ERTS when include_erts is false */
    for (size_t i = 0; i < p->count; i++)
        assert_true(strncmp(p->entries[i].path, "erts-", 5) != 0);

    /* sorted by path, each path once; bytes_total is the sum */
    uint64_t total = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (i > 0 && strcmp(p->entries[i - 1].path, p->entries[i].path) >= 0)
            fail_msg("not sorted/unique: %s, %s", p->entries[i - 1].path, p->entries[i].path);
        total += p->entries[i].size;
    }
    assert_true(p->bytes_total == total);

    /* what the tar step packs */
    assert_true(has_tar_path(p, "lib/a-1"));
    assert_true(has_tar_path(p, "bin"));
    assert_true(has_tar_path(p, "releases/1"));
    assert_true(has_tar_path(p, "releases/COOKIE"));
    fx_free(&f);
}

/* An overlay replaces a generated file: one entry, the overlay's. */
static void test_overlay_wins(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD);
    fx_write(f.dir, "rel/overlays/releases/1/vm.args", "-sname overlaid\n");
    fx_write(f.dir, "rel/overlays/extra/notes.txt", "hello\n");
    build(&f, NULL);
    const struct rel_plan_entry *e = must_find(f.plan, "releases/1/vm.args");
    assert_int_equal(e->kind, REL_PLAN_COPY);
    assert_string_equal(e->origin, "overlay");
    assert_string_equal(must_find(f.plan, "extra/notes.txt")->origin, "overlay");
    assert_true(has_tar_path(f.plan, "extra/notes.txt"));
    size_t n = 0;
    for (size_t i = 0; i < f.plan->count; i++)
        n += strcmp(f.plan->entries[i].path, "releases/1/vm.args") == 0;
    assert_int_equal(n, 1);
    /* the lookup reads the overlay's file */
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_render_plan(&out, &e, f.m, f.plan, "vm.args"), 0);
    assert_string_equal(rel_buf_cstr(&out), "-sname overlaid\n");
    assert_string_equal(e->path, "releases/1/vm.args");
    rel_buf_free(&out);
    fx_free(&f);
}

/* A file and a directory of the same name is refused. */
static void test_file_and_directory(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD);
    fx_write(f.dir, "rel/overlays/bin/r/oops", "x\n"); /* bin/r is the start script */
    open_resolve(&f);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_EINVAL);
    assert_null(f.plan);
    assert_contains(rel_error_message(), "bin/r is both a file and a directory");
    fx_free(&f);
}

/* The .app's modules against ebin/ (as systools checks them): a listed
 * module without its .beam, and a .beam that is not listed, each fail the
 * plan with one line naming the application and the module. */
static void test_modules_checked(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD);
    fx_app_modules(f.dir, "lib/a-1", "a", "1", "a_mod,gone", "{applications,[kernel,stdlib]}");
    open_resolve(&f);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_ENOTFOUND);
    assert_null(f.plan);
    assert_contains(rel_error_message(), "a.app: application 'a': module 'gone' is listed");
    assert_contains(rel_error_message(), "ebin/gone.beam is missing");
    assert_null(strchr(rel_error_message(), '\n'));

    fx_app_modules(f.dir, "lib/a-1", "a", "1", "a_mod", "{applications,[kernel,stdlib]}");
    fx_write(f.dir, "lib/a-1/ebin/extra.beam", "not really a beam");
    open_resolve(&f);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_EINVAL);
    assert_contains(rel_error_message(),
                    "application 'a': module 'extra' (ebin/extra.beam) is not listed in modules");
    fx_free(&f);
}

static void test_tarball_path(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD "    steps: [assemble, tar]\n");
    build(&f, NULL);
    assert_true(f.plan->tar);
    /* plain project, no env: in the release root */
    char *want = rel_asprintf("%s/r-1.tar.gz", f.plan->dest);
    assert_string_equal(f.plan->tarball, want);
    char *rule = rel_project_tarball_path(f.p, f.m->release, "1", NULL);
    assert_string_equal(rule, want);
    free(rule);

    /* deploy's lookup: the same path, without a plan; it must exist */
    char *found = NULL;
    assert_int_equal(rel_project_assembled_tarball(&found, f.p, f.m->release, "HOW"),
                     REL_ENOTFOUND);
    assert_null(found);
    assert_contains(rel_error_message(), want);
    assert_contains(rel_error_message(), "does not exist: assemble release r first (HOW)");
    assert_int_equal(rel_fs_mkdirs(f.plan->dest, 0755), 0);
    assert_int_equal(rel_fs_write_atomic(want, "tgz", 3, 0644), 0);
    assert_int_equal(rel_project_assembled_tarball(&found, f.p, f.m->release, "HOW"), 0);
    assert_string_equal(found, want);
    free(found);
    free(want);

    /* --path and --version: the tarball follows both */
    char *out = rel_path_join2(f.dir, "elsewhere");
    struct rel_plan_opts o = {.path = out, .version = "2"};
    build(&f, &o);
    want = rel_asprintf("%s/r-2.tar.gz", out);
    assert_string_equal(f.plan->tarball, want);
    assert_string_equal(f.plan->dest, out);
    assert_non_null(rel_plan_find(f.plan, "releases/2/r.rel"));
    free(want);
    free(out);
    fx_free(&f);

    /* a release without the tar step */
    project(&f, HEAD);
    open_resolve(&f);
    assert_int_equal(rel_project_assembled_tarball(&found, f.p, f.m->release, "HOW"), REL_EUSAGE);
    assert_contains(rel_error_message(), "release r has no `tar` step");
    fx_free(&f);
}

/* The configured path, and an env build's default: the other two branches. */
static void test_tarball_rule(void **state)
{
    (void)state;
    struct rel_config_release r = {.name = "web"};
    struct rel_project p = {.root = "/p", .env = "prod"};
    char *t = rel_project_tarball_path(&p, &r, "0.3", NULL);
    assert_string_equal(t, "/p/_build/prod/web-0.3.tar.gz");
    free(t);
    t = rel_project_tarball_path(&p, &r, "0.3", "/out/web");
    assert_string_equal(t, "/out/web/web-0.3.tar.gz");
    free(t);
    p.env = NULL;
    t = rel_project_tarball_path(&p, &r, "0.3", NULL);
    assert_string_equal(t, "/p/_build/rel/web/web-0.3.tar.gz");
    free(t);
}

static void test_version_rule(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n"
                "    version: {from_app: a}\n    applications: {a: permanent}\n");
    open_resolve(&f);
    char *v = NULL;
    const char *from = NULL;
    assert_int_equal(rel_project_release_version(&v, &from, f.p, f.m->release), 0);
    assert_string_equal(v, "1");
    assert_string_equal(from, "a");
    assert_string_equal(f.m->version, "1"); /* resolve decides it by the same rule */
    free(v);
    fx_free(&f);

    project(&f, "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n"
                "    version: {from_app: zz}\n    applications: {a: permanent}\n");
    open_resolve(&f);
    assert_int_equal(rel_project_release_version(&v, &from, f.p, f.m->release), REL_ENOTFOUND);
    assert_null(v);
    assert_string_equal(from, "zz");
    assert_null(f.m->version);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_ERESOLVE);
    assert_contains(rel_error_message(), "takes its version from application 'zz'");
    fx_free(&f);
}

/* A template error names the file and the line, relative to the project. */
static void test_template_error(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD);
    fx_write(f.dir, "rel/env.sh.eex", "#!/bin/sh\n# fine\nexport X=<% if true do %>\n");
    open_resolve(&f);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_ETEMPLATE);
    assert_null(f.plan);
    assert_contains(rel_error_message(), "rel/env.sh.eex:3: ");
    /* render reports what assembly would */
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_render(&out, f.m, "env.sh"), REL_ETEMPLATE);
    assert_contains(rel_error_message(), "rel/env.sh.eex:3: ");
    /* the .rel needs no plan */
    assert_int_equal(rel_render(&out, f.m, "rel"), 0);
    assert_contains(rel_buf_cstr(&out), "{a,\"1\"}");
    rel_buf_free(&out);
    fx_free(&f);
}

/* include_erts: PATH/erts-VSN: the version is resolve's decision (the plan
 * takes it as it is); a path that does not exist stops the plan there. */
static void test_erts_decided_by_resolve(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"
                "    include_erts: otp/erts-9.9\n    applications: {a: permanent}\n");
    open_resolve(&f);
    assert_null(f.m->erts_version);
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_ERESOLVE);
    assert_contains(rel_error_message(), "otp/erts-9.9 does not exist");
    char *dir = rel_path_join2(f.dir, "otp/erts-9.9");
    assert_int_equal(rel_fs_mkdirs(dir, 0755), 0);
    open_resolve(&f);
    assert_string_equal(f.m->erts_version, "9.9");
    /* the plan bundles that ERTS: an empty one has no bin/ */
    assert_int_equal(rel_plan_build(&f.plan, f.m, NULL), REL_ENOTFOUND);
    assert_contains(rel_error_message(), "otp/erts-9.9/bin: no ERTS bin directory to bundle");
    free(dir);
    fx_free(&f);
}

/* relx's defaults: a rebar3 release naming no sys_config/vm_args ships
 * config/sys.config(.src) and config/vm.args(.src); a plain one does not. */
static void test_relx_config_defaults(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, "project: {kind: rebar3}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"
                "    include_erts: false\n    applications: {a: permanent}\n");
    fx_write(f.dir, "rebar.config", "{relx, []}.\n");
    fx_write(f.dir, "config/sys.config", "[{a, [{k, 1}]}].\n");
    fx_write(f.dir, "config/vm.args", "+K true\n");
    fx_write(f.dir, "config/vm.args.src", "-sname ${NODE}\n+K true\n");
    build(&f, NULL);
    const struct rel_plan_entry *e = rel_plan_find(f.plan, "releases/1/sys.config");
    assert_non_null(e);
    assert_memory_equal(e->data, "[{a, [{k, 1}]}].\n", e->len);
    e = rel_plan_find(f.plan, "releases/1/vm.args.src"); /* .src first, as relx */
    assert_non_null(e);
    assert_memory_equal(e->data, "-sname ${NODE}\n", 15);
    assert_null(rel_plan_find(f.plan, "releases/1/vm.args"));
    fx_free(&f);

    memset(&f, 0, sizeof(f));
    project(&f, HEAD);
    fx_write(f.dir, "config/sys.config", "[{a, [{k, 1}]}].\n");
    build(&f, NULL);
    e = rel_plan_find(f.plan, "releases/1/sys.config");
    assert_non_null(e);
    assert_memory_equal(e->data, "%% coding: utf-8\n[].\n", e->len);
    fx_free(&f);
}

static void test_render_lookup(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD "    sys_config: config/sys.config.src\n");
    fx_write(f.dir, "config/sys.config.src", "[{a, [{port, ${PORT}}]}].\n");
    build(&f, NULL);
    const struct rel_plan_entry *e = NULL;
    static const struct {
        const char *what, *path;
    } cases[] = {
        {"bin", "bin/r"},
        {"rel", "releases/1/r.rel"},
        {"vm.args", "releases/1/vm.args"},
        {"env.sh", "releases/1/env.sh"},
        {"start.script", "releases/1/start.script"},
        {"sys.config", "releases/1/sys.config.src"}, /* the relx .src form */
        {"lib/a-1/priv/data.txt", "lib/a-1/priv/data.txt"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(rel_plan_lookup(&e, f.plan, cases[i].what), 0);
        assert_string_equal(e->path, cases[i].path);
    }
    assert_int_equal(rel_plan_lookup(&e, f.plan, "nope"), REL_ENOTFOUND);
    assert_null(e);
    assert_string_equal(rel_error_message(), "release r has no releases/1/nope");

    /* the text of each kind */
    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_plan_entry_text(&out, rel_plan_find(f.plan, "lib/a-1/priv/data.txt")), 0);
    assert_string_equal(rel_buf_cstr(&out), "data\n");
    rel_buf_clear(&out);
    assert_int_equal(rel_plan_entry_text(&out, rel_plan_find(f.plan, "releases/COOKIE")),
                     REL_EINVAL);

    /* every renderable: from the plan it is given, as rel_render makes it */
    for (size_t i = 0; i < rel_renderable_count; i++) {
        const char *name = rel_renderables[i].name;
        struct rel_buf own = REL_BUF_INIT;
        rel_buf_clear(&out);
        assert_int_equal(rel_render_plan(&out, &e, f.m, f.plan, name), 0);
        assert_non_null(e); /* every one is a file of the release */
        if (e->kind == REL_PLAN_TEXT)
            assert_memory_equal(e->data, out.ptr, e->len);
        assert_int_equal(rel_render(&own, f.m, name), 0);
        assert_string_equal(rel_buf_cstr(&own), rel_buf_cstr(&out));
        rel_buf_free(&own);
    }
    /* the .rel without a plan: rendered, no entry */
    rel_buf_clear(&out);
    assert_int_equal(rel_render_plan(&out, &e, f.m, NULL, "rel"), 0);
    assert_null(e);
    assert_true(out.len > 0);
    /* a plan-backed file without a plan is a caller's mistake */
    assert_int_equal(rel_render_plan(&out, &e, f.m, NULL, "vm.args"), REL_EINVAL);
    assert_int_equal(rel_render_plan(&out, &e, f.m, f.plan, "nope"), REL_ENOTFOUND);
    assert_contains(rel_error_message(), "nothing called 'nope' can be rendered");
    assert_true(rel_render_needs_plan(rel_render_find("vm.args")));
    assert_false(rel_render_needs_plan(rel_render_find("rel")));
    rel_buf_free(&out);
    fx_free(&f);
}

/* ---- relx overlays (plan_overlay.c) and releases/RELEASES ------------------ */

#define OHEAD                                                                                      \
    "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"             \
    "    include_erts: false\n    strip_beams: false\n    applications: {a: permanent}\n"

/* The project of project() with the files the overlays use. */
static void overlay_project(struct fx *f, const char *yml)
{
    project(f, yml);
    fx_write(f->dir, "files/README", "read me\n");
    fx_write(f->dir, "files/x.cfg", "x\n");
    fx_write(f->dir, "files/y.cfg", "y\n");
    fx_write(f->dir, "files/tree/sub/leaf", "leaf\n");
    fx_write(f->dir, "files/tree/top", "top\n");
    char *empty = rel_path_join2(f->dir, "files/tree/empty");
    assert_int_equal(mkdir(empty, 0755), 0);
    free(empty);
    char *top = rel_path_join2(f->dir, "files/tree/top");
    chmod(top, 0750);
    free(top);
    fx_write(f->dir, "vars/main.config",
             "{greeting, \"hi {{release_name}}\"}.\n{n, 7}.\n{db, [{host, \"h\"}]}.\n"
             "\"inc/more.config\".\n{release_name, \"not the built-in\"}.\n");
    fx_write(f->dir, "vars/inc/more.config", "{more, \"m{{n}}\"}.\n{n, 8}.\n");
}

/* build() that returns the error (message in rel_error_message) instead. */
static int try_build(struct fx *f)
{
    rel_plan_free(f->plan);
    rel_model_free(f->m);
    rel_project_free(f->p);
    f->plan = NULL;
    f->m = NULL;
    int rc = rel_project_open(&f->p, f->dir, REL_PROJECT_NEED_CONFIG);
    if (rc < 0)
        return rc; /* relman.yml refused */
    assert_int_equal(rel_resolve(&f->m, f->p, rel_config_find_release(f->p->config, "r")), 0);
    return rel_plan_build(&f->plan, f->m, NULL);
}

static void test_operations(void **state)
{
    (void)state;
    struct fx f = {0};
    overlay_project(&f, OHEAD "    relx_overlay_vars: [{term: '{mode, \"488\"}'}]\n"
                                       "    relx_overlay:\n"
                                       "      - mkdir: log/sasl\n"
                                       "      - copy: [files/README, README]\n"
                                       "      - copy: [files/tree, share/tree]\n"
                                       "      - copy: [files/tree, share2/]\n"
                                       "      - copy: [\"files/*.cfg\", etc/]\n"
                                       "      - copy: [\"files/none*\", etc/none/]\n"
                                       "      - link: [files/README, README.link]\n"
                                       "      - copy: [files/tree, linked]\n"
                                       "      - link: [files/tree, linked]\n"
                                       "      - chmod: [\"0700\", README]\n"
                                       "      - chmod: [\"{{mode}}\", share/tree/sub]\n"
                                       "      - chmod: [0o640, etc/x.cfg]\n"
                     "      - copy: [files/tree, \".\"]\n");
    if (try_build(&f) < 0)
        fail_msg("plan: %s", rel_error_message());
    const struct rel_plan *p = f.plan;
    assert_int_equal(must_find(p, "log/sasl")->kind, REL_PLAN_DIR);
    const struct rel_plan_entry *e = must_find(p, "README");
    assert_int_equal(e->kind, REL_PLAN_COPY);
    assert_int_equal(e->mode, 0700);
    assert_string_equal(e->origin, "overlay");
    assert_int_equal(must_find(p, "share/tree/top")->mode, 0750);
    assert_int_equal(must_find(p, "share/tree/empty")->kind, REL_PLAN_DIR);
    e = must_find(p, "share/tree/sub");
    assert_int_equal(e->kind, REL_PLAN_DIR);
    assert_int_equal(e->mode, 488); /* "488" rendered, read as decimal: 0750 */
    assert_int_equal(must_find(p, "share2/tree/sub/leaf")->kind, REL_PLAN_COPY);
    assert_int_equal(must_find(p, "etc/x.cfg")->mode, 0640);
    must_find(p, "etc/y.cfg");
    assert_int_equal(must_find(p, "etc/none")->kind, REL_PLAN_DIR);
    e = must_find(p, "README.link");
    assert_int_equal(e->kind, REL_PLAN_LINK);
    char *target = rel_path_join2(f.dir, "files/README");
    assert_string_equal(e->data, target);
    free(target);
    /* a tree copied into the root: each of its entries is packed by tar */
    assert_int_equal(must_find(p, "top")->kind, REL_PLAN_COPY);
    assert_true(has_tar_path(p, "top") && has_tar_path(p, "sub") && has_tar_path(p, "empty"));
    assert_true(has_tar_path(p, "share") && has_tar_path(p, "log") && has_tar_path(p, "etc"));
    assert_true(has_tar_path(p, "releases/RELEASES"));
    assert_false(has_tar_path(p, ""));
    /* the link replaced the tree copied there before */
    assert_int_equal(must_find(p, "linked")->kind, REL_PLAN_LINK);
    assert_null(rel_plan_find(p, "linked/top"));
    /* RELEASES, as relx writes it */
    e = must_find(p, "releases/RELEASES");
    struct rel_term *t = NULL;
    assert_int_equal(rel_term_parse_one(&t, e->data, e->len, "RELEASES"), 0);
    const struct rel_term *rel = rel_term_list_get(t, 0);
    assert_true(rel_term_is_tagged(rel, "release", 6));
    char *name = rel_term_to_cstring(rel_term_tuple_get(rel, 1));
    assert_string_equal(name, "r");
    free(name);
    assert_true(rel_term_is_atom(rel_term_tuple_get(rel, 5), "permanent"));
    char *apps = rel_term_to_text(rel_term_tuple_get(rel, 4));
    assert_non_null(strstr(apps, "{a,\"1\",\"./lib/a-1\"}"));
    assert_non_null(strstr(apps, "{kernel,"));
    free(apps);
    rel_term_free(t);

    /* assembled: the empty directory, its mode, the links */
    char *out = rel_path_join2(f.dir, "out");
    free(f.plan->dest);
    f.plan->dest = out;
    struct rel_assemble_stats st;
    if (rel_assemble_execute(f.plan, NULL, &st) < 0)
        fail_msg("assemble: %s", rel_error_message());
    char *path = rel_path_join2(out, "share/tree/empty");
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    assert_true(S_ISDIR(s.st_mode));
    free(path);
    path = rel_path_join2(out, "share/tree/sub");
    assert_int_equal(stat(path, &s), 0);
    assert_int_equal(s.st_mode & 07777, 0750);
    free(path);
    path = rel_path_join2(out, "linked");
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "/files/tree"));
    free(path);
    /* a second assembly over the first keeps them */
    if (rel_assemble_execute(f.plan, NULL, &st) < 0)
        fail_msg("re-assemble: %s", rel_error_message());
    path = rel_path_join2(out, "log/sasl");
    assert_int_equal(stat(path, &s), 0);
    free(path);
    fx_free(&f);
}

static void test_templates_and_vars(void **state)
{
    (void)state;
    struct fx f = {0};
    overlay_project(&f, OHEAD "    relx_overlay_vars: [vars/main.config, {term: '{inline, \"in\"}'}]\n"
                     "    relx_overlay_vars_values: '[{greeting, \"from values\"}, {v, \"val\"}]'\n"
                     "    relx_overlay:\n"
                     "      - template: [files/t.tpl, \"etc/{{release_name}}-{{release_version}}\"]\n"
                     "      - template: [files/vm.tpl, \"releases/{{release_version}}/vm.args\"]\n"
                     "      - mkdir: \"{{target_dir}}/abs\"\n"
                     "      - copy: [\"{{target_dir}}/releases/1/vm.args\", etc/vm.args]\n"
                     "      - copy: [\"{{output_dir}}/lib/a-1\", copied/a]\n");
    fx_write(f.dir, "files/t.tpl",
             "{{greeting}}|{{n}}|{{more}}|{{db.host}}|{{inline}}|{{v}}|{{release_name}}|"
             "{{release}}|{{a}}\n");
    fx_write(f.dir, "files/vm.tpl", "-sname {{release_name}}_node\n");
    char *tpl = rel_path_join2(f.dir, "files/t.tpl");
    chmod(tpl, 0640);
    free(tpl);
    if (try_build(&f) < 0)
        fail_msg("plan: %s", rel_error_message());
    const struct rel_plan_entry *e = must_find(f.plan, "etc/r-1");
    assert_int_equal(e->kind, REL_PLAN_TEXT);
    assert_int_equal(e->mode, 0640);
    /* files beat values and built-ins beat both; the included file's n (8)
     * replaced main's (7), but moved after `more`, which was rendered
     * before any n was (relx renders the variables in order) */
    char *adir = rel_path_join2(f.dir, "lib/a-1");
    char *want = rel_asprintf("hi r|8|m|h|in|val|r|r-1|%s\n", adir);
    assert_string_equal(e->data, want);
    free(want);
    free(adir);
    /* an overlay replaces a generated file */
    assert_string_equal(must_find(f.plan, "releases/1/vm.args")->data, "-sname r_node\n");
    assert_int_equal(must_find(f.plan, "abs")->kind, REL_PLAN_DIR);
    /* copies from inside the release take what the plan holds there */
    assert_string_equal(must_find(f.plan, "etc/vm.args")->data, "-sname r_node\n");
    assert_int_equal(must_find(f.plan, "copied/a/ebin/a.app")->kind, REL_PLAN_COPY);
    fx_free(&f);
}

/* Build `ops` (relx_overlay items) and expect an error holding `msg`. */
static void expect_error(const char *ops, const char *msg)
{
    struct fx f = {0};
    char *yml = rel_asprintf(OHEAD "    relx_overlay:\n%s", ops);
    overlay_project(&f, yml);
    free(yml);
    fx_write(f.dir, "files/bad.tpl", "ok\n{{#open}}\n");
    int rc = try_build(&f);
    if (rc == 0)
        fail_msg("no error for %s", ops);
    if (!strstr(rel_error_message(), msg))
        fail_msg("'%s' does not contain '%s'", rel_error_message(), msg);
    if (strchr(rel_error_message(), '\n'))
        fail_msg("not one line: %s", rel_error_message());
    fx_free(&f);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("      - mkdir: releases/RELEASES\n",
                 "relman.yml:10:9: releases.r.relx_overlay[0] mkdir: Unable to make directory");
    expect_error("      - copy: [does_not_exist, x]\n", "Unable to copy from");
    expect_error("      - copy: [files/README, releases/RELEASES/x]\n", "releases/RELEASES is a file");
    expect_error("      - copy: [files/README, releases]\n", "it is a directory");
    expect_error("      - template: [does_not_exist, x]\n", "Unable to read template file");
    expect_error("      - template: [files/README, releases]\n", "Unable to write to");
    expect_error("      - template: [files/README, releases/RELEASES/foo]\n",
                 "Unable to create enclosing directory for");
    expect_error("      - template: [files/bad.tpl, x]\n",
                 "Unable to render template");
    expect_error("      - template: [files/bad.tpl, x]\n", "bad.tpl:2: section {{#open}} is not closed");
    expect_error("      - chmod: [\"0\", does_not_exist]\n", "Unable to chmod");
    expect_error("      - chmod: [\"{{rw}}\", README]\n", "'' is not a mode");
    expect_error("      - chmod: [755, README]\n", "mode '755' must be octal with a leading 0");
    expect_error("      - link: [files/README, ../../../../../../f]\n", "Unable to symlink");
    expect_error("      - copy: [files/README, /etc/passwd]\n", "outside the release");
    expect_error("      - copy: [files/README, .relman/manifest]\n", "holds relman's manifest");
    expect_error("      - link: [\"{{target_dir}}/bin\", b]\n", "a link from inside the release");
    expect_error("      - copy: [\"{{target_dir}}/nothing\", b]\n", "nothing in the release is there");
    expect_error("      - copy: [\"{{nope\", x]\n", "cannot render '{{nope'");
    expect_error("      - {copy: [a, b], mkdir: c}\n", "relman.yml:10:9: releases.r.relx_overlay[0]: one operation per item");
    expect_error("      - copy: [a]\n", "copy takes [FROM, TO]");
    expect_error("      - mkdir: [a, b]\n", "relx_overlay[0].mkdir: expected a string, not a list");
    expect_error("      - remove: x\n", "remove");
    /* a variable whose value is a bad template names itself */
    struct fx f = {0};
    overlay_project(&f, OHEAD "    relx_overlay_vars: [vars/bad.config]\n"
                              "    relx_overlay:\n      - mkdir: x\n");
    fx_write(f.dir, "vars/bad.config", "{ok, 1}.\n\n{broken, \"a {{b\"}.\n");
    assert_int_equal(try_build(&f), REL_ETEMPLATE);
    if (!strstr(rel_error_message(), "relx_overlay_vars: variable broken (line 3 of its file): "
                                     "value:1: unclosed tag"))
        fail_msg("%s", rel_error_message());
    fx_free(&f);
}

/* relx's options: dev_mode links, include_src, exclude_modules,
 * exclude_apps (the .app rewritten), system_libs, app_versions. */
static void test_relx_options(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD "    dev_mode: true\n");
    fx_write(f.dir, "lib/a-1/src/a_mod.erl", "-module(a_mod).\n");
    build(&f, NULL);
    const struct rel_plan_entry *e = must_find(f.plan, "lib/a-1");
    assert_int_equal(e->kind, REL_PLAN_LINK);
    assert_contains(e->data, "/lib/a-1");
    assert_null(rel_plan_find(f.plan, "lib/a-1/ebin/a.app"));
    bool kernel_linked = false; /* relx links OTP's applications too */
    for (size_t i = 0; i < f.plan->count; i++)
        if (strncmp(f.plan->entries[i].path, "lib/kernel-", 11) == 0)
            kernel_linked = f.plan->entries[i].kind == REL_PLAN_LINK;
    assert_true(kernel_linked);
    fx_free(&f);

    project(&f, HEAD "    include_src: true\n    exclude_modules: {a: [a_mod]}\n"
                     "    exclude_apps: [b]\n    system_libs: false\n");
    fx_app_modules(f.dir, "lib/a-1", "a", "1", "a_mod", "{applications,[kernel,stdlib,b]}");
    fx_app(f.dir, "lib/b-1", "b", "1", NULL);
    fx_write(f.dir, "lib/a-1/src/a_mod.erl", "-module(a_mod).\n");
    fx_write(f.dir, "lib/a-1/c_src/x.c", "int x;\n");
    build(&f, NULL);
    must_find(f.plan, "lib/a-1/src/a_mod.erl");
    must_find(f.plan, "lib/a-1/c_src/x.c");
    assert_null(rel_plan_find(f.plan, "lib/a-1/ebin/a_mod.beam"));
    e = must_find(f.plan, "lib/a-1/ebin/a.app");
    assert_int_equal(e->kind, REL_PLAN_TEXT);
    assert_contains(e->data, "{applications,[kernel,stdlib]}");
    assert_contains(e->data, "{modules,[]}");
    assert_null(rel_model_find(f.m, "b"));
    for (size_t i = 0; i < f.plan->count; i++) /* system_libs: false */
        if (strncmp(f.plan->entries[i].path, "lib/kernel-", 11) == 0)
            fail_msg("OTP's kernel is planned: %s", f.plan->entries[i].path);
    const struct rel_plan_entry *script = must_find(f.plan, "releases/1/start.script");
    assert_contains(script->data, "$ROOT/lib/kernel-");
    fx_free(&f);

    /* app_versions: the candidate with that version, or an error naming those found */
    project(&f, HEAD "    app_versions: {a: \"1\"}\n");
    fx_app(f.dir, "lib/a-2", "a", "2", NULL);
    build(&f, NULL);
    assert_string_equal(rel_model_find(f.m, "a")->app->vsn, "1");
    fx_free(&f);
    project(&f, HEAD "    app_versions: {a: \"7\"}\n");
    open_resolve(&f);
    assert_int_equal(rel_model_check(f.m), REL_ERESOLVE);
    assert_contains(rel_error_message(), "'a' 7 (releases.r.app_versions) was not found (found: 1)");
    fx_free(&f);

    /* erts_version: named when ERTS is not bundled, else it must be the bundled one */
    project(&f, HEAD "    erts_version: \"99.9\"\n");
    open_resolve(&f);
    assert_int_equal(rel_model_check(f.m), 0);
    assert_string_equal(f.m->erts_version, "99.9");
    fx_free(&f);
    project(&f, "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"
                "    applications: {a: permanent}\n    erts_version: \"99.9\"\n");
    open_resolve(&f);
    assert_int_equal(rel_model_check(f.m), REL_ERESOLVE);
    assert_contains(rel_error_message(), "releases.r.erts_version");
    fx_free(&f);

    /* included_applications: the .rel's list, a subset of the .app's */
    project(&f, HEAD "    included_applications: {a: [c]}\n");
    fx_app_modules(f.dir, "lib/a-1", "a", "1", "a_mod",
                   "{applications,[kernel,stdlib]},{included_applications,[b,c]}");
    fx_app(f.dir, "lib/b-1", "b", "1", NULL);
    fx_app(f.dir, "lib/c-1", "c", "1", NULL);
    build(&f, NULL);
    assert_contains(must_find(f.plan, "releases/1/r.rel")->data, "{a,\"1\",[c]}");
    assert_int_equal(must_find(f.plan, "lib/a-1/ebin/a.app")->kind, REL_PLAN_COPY);
    fx_free(&f);
    project(&f, HEAD "    included_applications: {a: [zz]}\n");
    open_resolve(&f);
    assert_int_equal(rel_model_check(f.m), REL_ERESOLVE);
    assert_contains(rel_error_message(), "'zz' is not in the included_applications");
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_and_kinds),  cmocka_unit_test(test_overlay_wins),
        cmocka_unit_test(test_file_and_directory), cmocka_unit_test(test_tarball_path),
        cmocka_unit_test(test_tarball_rule),       cmocka_unit_test(test_version_rule),
        cmocka_unit_test(test_template_error),     cmocka_unit_test(test_erts_decided_by_resolve),
        cmocka_unit_test(test_render_lookup),      cmocka_unit_test(test_relx_config_defaults),
        cmocka_unit_test(test_modules_checked),    cmocka_unit_test(test_operations),
        cmocka_unit_test(test_templates_and_vars), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_relx_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
