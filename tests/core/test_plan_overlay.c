/* Unit tests for core/plan_overlay (relx's overlay operations as plan
 * entries, their variables) and releases/RELEASES, on a small plain project
 * in a temporary directory resolved against the installed Erlang; the DIR
 * and LINK entries are also assembled (core/assemble). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/assemble.h"
#include "core/config.h"
#include "core/plan.h"
#include "core/project.h"
#include "core/resolve.h"
#include "core/term.h"
#include "fixture.h"

#include <sys/stat.h>
#include <unistd.h>

struct fx {
    char *dir;
    struct rel_project *p;
    struct rel_model *m;
    struct rel_plan *plan;
};

#define HEAD                                                                                       \
    "project: {kind: plain}\nlib_dirs: [lib]\nreleases:\n  r:\n    version: \"1\"\n"               \
    "    include_erts: false\n    strip_beams: false\n    applications: {a: permanent}\n"

static void project(struct fx *f, const char *yml)
{
    f->dir = fx_dir();
    fx_app_modules(f->dir, "lib/a-1", "a", "1", "a_mod", "{applications,[kernel,stdlib]}");
    fx_write(f->dir, "lib/a-1/ebin/a_mod.beam", "not really a beam");
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
    fx_write(f->dir, "relman.yml", yml);
}

/* Build the plan: 0, or the error code (the message in rel_error_message). */
static int build(struct fx *f)
{
    rel_plan_free(f->plan);
    rel_model_free(f->m);
    rel_project_free(f->p);
    f->plan = NULL;
    f->m = NULL;
    int rc = rel_project_open(&f->p, f->dir, REL_PROJECT_NEED_CONFIG);
    if (rc < 0)
        return rc;
    const struct rel_config_release *r = rel_config_find_release(f->p->config, "r");
    assert_non_null(r);
    assert_int_equal(rel_resolve(&f->m, f->p, r), 0);
    return rel_plan_build(&f->plan, f->m, NULL);
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

static void test_operations(void **state)
{
    (void)state;
    struct fx f = {0};
    project(&f, HEAD "    relx_overlay_vars: [{term: '{mode, \"488\"}'}]\n"
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
                                       "      - chmod: [0o640, etc/x.cfg]\n");
    if (build(&f) < 0)
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
    project(&f, HEAD "    relx_overlay_vars: [vars/main.config, {term: '{inline, \"in\"}'}]\n"
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
    if (build(&f) < 0)
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
    char *yml = rel_asprintf(HEAD "    relx_overlay:\n%s", ops);
    project(&f, yml);
    free(yml);
    fx_write(f.dir, "files/bad.tpl", "ok\n{{#open}}\n");
    int rc = build(&f);
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
    expect_error("      - chmod: [\"rw\", README]\n", "'rw' is not a mode");
    expect_error("      - link: [files/README, ../../../../../../f]\n", "Unable to symlink");
    expect_error("      - copy: [files/README, /etc/passwd]\n", "outside the release");
    expect_error("      - link: [\"{{target_dir}}/bin\", b]\n", "a link from inside the release");
    expect_error("      - copy: [\"{{target_dir}}/nothing\", b]\n", "nothing in the release is there");
    expect_error("      - copy: [\"{{nope\", x]\n", "cannot render '{{nope'");
    expect_error("      - {copy: [a, b], mkdir: c}\n", "relman.yml:10:9: releases.r.relx_overlay[0]: one operation per item");
    expect_error("      - copy: [a]\n", "copy takes [FROM, TO]");
    expect_error("      - mkdir: [a, b]\n", "relx_overlay[0].mkdir: expected a string, not a list");
    expect_error("      - remove: x\n", "remove");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operations),
        cmocka_unit_test(test_templates_and_vars),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
