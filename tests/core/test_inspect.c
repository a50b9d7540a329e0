/* Unit tests for core/inspect: a release directory and the same release as
 * a tarball say the same, and the tarball's one pass (list and keep the
 * small files of releases/ and bin/) gives what reading each file from the
 * tarball again would: the contents, and the same errors for a file that is
 * missing or too large. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/etf.h"
#include "core/fs.h"
#include "core/inspect.h"
#include "core/tarball.h"
#include "core/term.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static int setup(void **state)
{
    (void)state;
    tmpdir = fx_dir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_done(tmpdir);
    return 0;
}

static void write_file(const char *rel, const void *data, size_t len, mode_t mode)
{
    char *p = rel_asprintf("%s/%s", tmpdir, rel);
    char *dir = rel_strdup(p);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(rel_fs_mkdirs(dir, 0755), 0);
    assert_int_equal(rel_fs_write_atomic(p, data, len, mode), 0);
    free(dir);
    free(p);
}

static void write_text(const char *rel, const char *text, mode_t mode)
{
    write_file(rel, text, strlen(text), mode);
}

/* rel/: a small release of foo 0.1.0 as relman writes it. */
static void make_release(void)
{
    write_text("rel/bin/foo", "#!/bin/sh\n# Written by relman\n", 0755);
    fx_write(tmpdir, "rel/releases/start_erl.data", "13.1.5 0.1.0\n");
    write_text("rel/releases/COOKIE", "secret", 0600);
    fx_write(tmpdir, "rel/releases/0.1.0/foo.rel",
             "{release,{\"foo\",\"0.1.0\"},{erts,\"13.1.5\"},\n"
             " [{kernel,\"8.5.3\"},{stdlib,\"4.2\"},{foo,\"0.1.0\",load}]}.\n");
    const char *script = "{script,{\"foo\",\"0.1.0\"},"
                         "[{apply,{application,start_boot,[kernel,permanent]}},"
                         "{apply,{application,start_boot,[stdlib,permanent]}},"
                         "{apply,{application,load,[{application,foo,[]}]}}]}.";
    struct rel_term *t = NULL;
    assert_int_equal(rel_term_parse_one(&t, script, strlen(script), "start.script"), 0);
    struct rel_buf boot = REL_BUF_INIT;
    assert_int_equal(rel_etf_encode(&boot, t, 0), 0);
    write_file("rel/releases/0.1.0/start.boot", boot.ptr, boot.len, 0644);
    rel_buf_free(&boot);
    rel_term_free(t);
    fx_app(tmpdir, "rel/lib/kernel-8.5.3", "kernel", "8.5.3", NULL);
    fx_app(tmpdir, "rel/lib/stdlib-4.2", "stdlib", "4.2", NULL);
    fx_app(tmpdir, "rel/lib/foo-0.1.0", "foo", "0.1.0", NULL);
}

static char *pack(const char *name)
{
    char *root = rel_asprintf("%s/rel", tmpdir);
    char *out = rel_asprintf("%s/%s", tmpdir, name);
    const char *paths[] = {"bin", "lib", "releases"};
    assert_int_equal(rel_tarball_pack(out, root, paths, 3, 0, NULL), 0);
    free(root);
    return out;
}

/* rel_inspect_path + the JSON of rel_inspect_format, without the path
 * and the kind (the two that differ between a directory and a tarball). */
static char *inspect_json(const char *path)
{
    struct rel_inspect *i = NULL;
    if (rel_inspect_path(&i, path) < 0)
        fail_msg("%s", rel_error_message());
    free(i->path);
    i->path = rel_strdup("P");
    i->tarball = false;
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_inspect_format(&b, i, true), 0);
    rel_inspect_free(i);
    return rel_buf_detach(&b);
}

static void test_dir_and_tarball_agree(void **state)
{
    (void)state;
    make_release();
    char *dir = rel_asprintf("%s/rel", tmpdir);
    char *tar = pack("foo.tar.gz");
    char *a = inspect_json(dir), *b = inspect_json(tar);
    assert_string_equal(a, b);

    struct rel_inspect *i = NULL;
    assert_int_equal(rel_inspect_path(&i, tar), 0);
    assert_true(i->tarball);
    assert_string_equal(i->built_by, "relman");
    assert_string_equal(i->name, "foo");
    assert_string_equal(i->version, "0.1.0");
    assert_string_equal(i->erts_version, "13.1.5");
    assert_false(i->erts_bundled);
    assert_true(i->cookie);
    assert_int_equal(i->cookie_mode, 0600);
    assert_true(i->boot);
    assert_int_equal(i->napps, 3);
    assert_string_equal(i->apps[2].name, "foo");
    assert_string_equal(i->apps[2].mode, "load");
    assert_true(i->apps[2].in_lib);
    if (i->nproblems)
        fail_msg("unexpected problem: %s", i->problems[0]);
    rel_inspect_free(i);
    free(a);
    free(b);
    free(dir);
    free(tar);
}

/* What deploy would refuse is a problem (relman inspect exits 1): a bin/NAME
 * that is not executable; in a tarball, each unsafe entry and a symlink
 * chain that leaves the tree through another link. */
static void test_deploy_problems(void **state)
{
    (void)state;
    make_release();
    char *cmd = rel_asprintf("cd '%s/rel' && chmod 644 bin/foo && mkdir -p d && ln -s .. d/up && "
                             "ln -s d/up/.. e && tar czf ../bad.tar.gz bin lib releases d e",
                             tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *tar = rel_asprintf("%s/bad.tar.gz", tmpdir);
    struct rel_inspect *i = NULL;
    assert_int_equal(rel_inspect_path(&i, tar), 0);
    struct rel_buf all = REL_BUF_INIT;
    for (size_t k = 0; k < i->nproblems; k++)
        rel_buf_printf(&all, "%s\n", i->problems[k]);
    assert_non_null(strstr(rel_buf_cstr(&all), "bin/foo is not executable: deploy refuses"));
    assert_non_null(strstr(rel_buf_cstr(&all), "e: symlink to d/up/.. leaves the tree"));
    rel_buf_free(&all);
    rel_inspect_free(i);
    free(tar);
    cmd = rel_asprintf("cd '%s/rel' && chmod 755 bin/foo && rm -rf d e ../bad.tar.gz", tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* What the pass does not keep is read again, with rel_tarball_read_members'
 * errors: a file larger than the cap, and one that is not there. */
static void test_tarball_not_kept(void **state)
{
    (void)state;
    make_release();
    size_t big = ((size_t)16 << 20) + 1;
    char *spaces = rel_malloc(big);
    memset(spaces, ' ', big);
    write_file("rel/releases/0.1.0/foo.rel", spaces, big, 0644);
    free(spaces);
    char *p = rel_asprintf("%s/rel/releases/0.1.0/start.boot", tmpdir);
    unlink(p);
    free(p);
    char *tar = pack("big.tar.gz");
    struct rel_inspect *i = NULL;
    assert_int_equal(rel_inspect_path(&i, tar), 0);
    assert_int_equal(i->nproblems, 1);
    char *want = rel_asprintf("%s: releases/0.1.0/foo.rel: larger than 16777216 bytes", tar);
    assert_string_equal(i->problems[0], want);
    free(want);
    rel_inspect_free(i);

    /* the .rel back, the boot script still missing */
    fx_write(tmpdir, "rel/releases/0.1.0/foo.rel",
             "{release,{\"foo\",\"0.1.0\"},{erts,\"13.1.5\"},[{kernel,\"8.5.3\"}]}.\n");
    unlink(tar);
    free(tar);
    tar = pack("noboot.tar.gz");
    assert_int_equal(rel_inspect_path(&i, tar), 0);
    assert_false(i->boot);
    assert_int_equal(i->nproblems, 1);
    want = rel_asprintf("releases/0.1.0/start.boot: %s: no releases/0.1.0/start.boot", tar);
    assert_string_equal(i->problems[0], want);
    free(want);
    rel_inspect_free(i);
    free(tar);
}

static void test_not_a_release(void **state)
{
    (void)state;
    fx_write(tmpdir, "other/lib/x", "x");
    char *root = rel_asprintf("%s/other", tmpdir);
    char *tar = rel_asprintf("%s/other.tar.gz", tmpdir);
    const char *paths[] = {"lib"};
    assert_int_equal(rel_tarball_pack(tar, root, paths, 1, 0, NULL), 0);
    struct rel_inspect *i = NULL;
    assert_int_equal(rel_inspect_path(&i, tar), REL_EFORMAT);
    assert_null(i);
    char *want = rel_asprintf("%s: not a release (no releases/ directory)", tar);
    assert_string_equal(rel_error_message(), want);
    free(want);
    free(root);
    free(tar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir_and_tarball_agree),
        cmocka_unit_test(test_deploy_problems),
        cmocka_unit_test(test_tarball_not_kept),
        cmocka_unit_test(test_not_a_release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
