/* Unit tests for core/assemble (the executor, on hand-made plans), core/launcher
 * and core/sysconfig. The full path (model -> plan -> release that boots) is
 * covered by tests/integration/assemble_*.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/beam.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/event.h"
#include "core/fs.h"
#include "core/config.h"
#include "core/launcher.h"
#include "core/plan.h"
#include "core/sysconfig.h"
#include "core/term.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static int setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/relman-test-assemble.XXXXXX";
    tmpdir = rel_strdup(mkdtemp(tmpl));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rel_fs_remove_tree(tmpdir);
    free(tmpdir);
    return 0;
}

static char *at(const char *rel)
{
    return rel_asprintf("%s/%s", tmpdir, rel);
}

static char *slurp(const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    if (rel_fs_read_file(&b, path, 1 << 24) < 0)
        fail_msg("%s", rel_error_message());
    return rel_buf_detach(&b);
}

/* ---- the executor ------------------------------------------------------- */

static void add_entry(struct rel_plan *p, const char *path, enum rel_plan_kind kind, mode_t mode,
                      const char *src, const char *data)
{
    p->entries = rel_reallocarray(p->entries, p->count + 1, sizeof(*p->entries));
    struct rel_plan_entry *e = &p->entries[p->count++];
    memset(e, 0, sizeof(*e));
    e->path = rel_strdup(path);
    e->kind = kind;
    e->mode = mode;
    e->src = src ? rel_strdup(src) : NULL;
    if (data) {
        e->data = rel_strdup(data);
        e->len = strlen(data);
    }
    e->size = data ? strlen(data) : 10;
    e->origin = "test";
}

/* A plan with a generated file, a copied file, and the cookie; sorted. */
static struct rel_plan *make_plan(const char *dest, const char *version, const char *text)
{
    struct rel_plan *p = rel_calloc(1, sizeof(*p));
    p->name = rel_strdup("demo");
    p->version = rel_strdup(version);
    p->erts_version = rel_strdup("13.1.5");
    p->dest = rel_strdup(dest);
    p->project_root = rel_strdup(tmpdir);
    p->strip_keep = rel_calloc(1, sizeof(char *));
    char *src = at("src/data.txt");
    char *vdir = rel_asprintf("releases/%s/gen.txt", version);
    add_entry(p, "bin/demo", REL_PLAN_TEXT, 0755, NULL, "#!/bin/sh\necho demo\n");
    add_entry(p, "lib/demo-1/priv/data.txt", REL_PLAN_COPY, 0640, src, NULL);
    add_entry(p, "releases/COOKIE", REL_PLAN_COOKIE, 0600, NULL, NULL);
    add_entry(p, vdir, REL_PLAN_TEXT, 0644, NULL, text);
    free(src);
    free(vdir);
    for (size_t i = 0; i < p->count; i++)
        p->bytes_total += p->entries[i].size;
    return p;
}

static void test_execute_reuse_carry(void **state)
{
    (void)state;
    char *srcdir = at("src");
    assert_int_equal(rel_fs_mkdirs(srcdir, 0755), 0);
    char *src = at("src/data.txt");
    assert_int_equal(rel_fs_write_atomic(src, "payload\n", 8, 0644), 0);
    char *dest = at("out/demo");

    struct rel_plan *p = make_plan(dest, "1.0", "one");
    struct rel_event_recorder rec = {.coalesce_advance = 1};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    struct rel_assemble_opts o = {.ev = &ev};
    struct rel_assemble_stats st;
    if (rel_assemble_execute(p, &o, &st) != 0)
        fail_msg("%s", rel_error_message());
    char *want_begin = rel_asprintf("begin assemble 4 %llu", (unsigned long long)p->bytes_total);
    assert_string_equal(rec.lines[0], want_begin);
    free(want_begin);
    assert_true(rel_event_recorder_find(&rec, "advance 4 ") > 0);
    assert_string_equal(rec.lines[rec.count - 1], "end assemble 0");
    rel_event_recorder_free(&rec);
    assert_int_equal(st.files, 4);
    assert_int_equal(st.reused, 0);
    assert_false(st.flushed); /* nothing was replaced: no flush by default */

    char *f = rel_asprintf("%s/lib/demo-1/priv/data.txt", dest);
    char *text = slurp(f);
    assert_string_equal(text, "payload\n");
    free(text);
    struct stat s;
    assert_int_equal(stat(f, &s), 0);
    assert_int_equal(s.st_mode & 07777, 0640);
    char *cookie_path = rel_asprintf("%s/releases/COOKIE", dest);
    assert_int_equal(stat(cookie_path, &s), 0);
    assert_int_equal(s.st_mode & 07777, 0600);
    char *cookie = slurp(cookie_path);
    assert_int_equal(strlen(cookie), 64);
    for (const char *c = cookie; *c; c++)
        assert_true((*c >= 'A' && *c <= 'Z') || (*c >= '2' && *c <= '7'));

    /* The same version again needs --overwrite when relman did not make
     * the release (no manifest; one relman made is replaced: test_build). */
    char *man = rel_asprintf("%s/.relman/manifest", dest), *aside = rel_asprintf("%s.aside", man);
    assert_int_equal(rename(man, aside), 0);
    assert_int_equal(rel_assemble_execute(p, NULL, NULL), REL_EEXISTS);
    assert_non_null(strstr(rel_error_message(), "--overwrite"));
    assert_int_equal(rename(aside, man), 0);
    free(man);
    free(aside);

    /* A runtime file in tmp/ and a file only the old release has. */
    char *tmpd = rel_asprintf("%s/tmp/log", dest);
    char *tmpf = rel_asprintf("%s/tmp/log/erlang.log.1", dest);
    assert_int_equal(rel_fs_mkdirs(tmpd, 0755), 0);
    assert_int_equal(rel_fs_write_atomic(tmpf, "log", 3, 0644), 0);
    rel_plan_free(p);

    /* A second version: reuses the copy, keeps the cookie and 1.0. */
    p = make_plan(dest, "2.0", "two");
    o.overwrite = false;
    if (rel_assemble_execute(p, &o, &st) != 0)
        fail_msg("%s", rel_error_message());
    /* the copy, and bin/demo and the cookie: generated with the same bytes */
    assert_int_equal(st.reused, 3);
    assert_int_equal(st.written, 1); /* releases/2.0/gen.txt */
    assert_true(st.flushed);         /* a release was replaced: flushed first */
    assert_true(st.carried >= 1);
    char *cookie2 = slurp(cookie_path);
    assert_string_equal(cookie, cookie2);
    free(cookie2);
    assert_true(rel_fs_is_file(tmpf)); /* tmp/ moved across */
    free(tmpf);
    free(tmpd);
    char *old_version = rel_asprintf("%s/releases/1.0/gen.txt", dest);
    text = slurp(old_version);
    assert_string_equal(text, "one");
    free(text);
    free(old_version);

    /* A changed source is copied again, not reused. */
    sleep(1);
    assert_int_equal(rel_fs_write_atomic(src, "changed\n", 8, 0644), 0);
    o.overwrite = true;
    assert_int_equal(rel_assemble_execute(p, &o, &st), 0);
    assert_int_equal(st.written, 1); /* only the copy; the generated files are the same */
    assert_int_equal(st.reused, 3);
    text = slurp(f);
    assert_string_equal(text, "changed\n");
    free(text);

    /* A generated file whose text changed is written again, not linked. */
    rel_plan_free(p);
    p = make_plan(dest, "2.0", "two, changed");
    assert_int_equal(rel_assemble_execute(p, &o, &st), 0);
    assert_int_equal(st.written, 1);
    char *gen = rel_asprintf("%s/releases/2.0/gen.txt", dest);
    text = slurp(gen);
    assert_string_equal(text, "two, changed");
    free(text);
    free(gen);

    /* --no-sync never flushes; --sync flushes a fresh tree too. */
    o.flush = REL_FLUSH_NEVER;
    assert_int_equal(rel_assemble_execute(p, &o, &st), 0);
    assert_false(st.flushed);
    char *dest2 = at("out/fresh");
    struct rel_plan *p2 = make_plan(dest2, "1.0", "one");
    o.flush = REL_FLUSH_ALWAYS;
    assert_int_equal(rel_assemble_execute(p2, &o, &st), 0);
    assert_true(st.flushed);
    rel_plan_free(p2);
    free(dest2);

    /* Nothing was left beside the release. */
    char *cmd = rel_asprintf("ls -A %s/out | grep -q -e relman-new -e relman-old", tmpdir);
    assert_int_not_equal(system(cmd), 0);
    free(cmd);

    rel_plan_free(p);
    rel_event_recorder_free(&rec); /* the later runs recorded into it too */
    free(cookie);
    free(cookie_path);
    free(f);
    free(src);
    free(srcdir);
    free(dest);
}

/* Many BEAMs: stripped ahead on a second thread when nothing can be
 * reused. The files equal rel_beam_strip_file's, in every case; a bad BEAM
 * deep in the plan fails the assembly with its name and leaves nothing. */
static void test_execute_prestrip(void **state)
{
    (void)state;
    const char *srcs[] = {"/usr/lib/erlang/lib/stdlib-*/ebin/lists.beam",
                          "/usr/lib/erlang/lib/kernel-*/ebin/file.beam",
                          "/usr/lib/erlang/lib/stdlib-*/ebin/io_lib.beam"};
    char *srcdir = at("beams");
    assert_int_equal(rel_fs_mkdirs(srcdir, 0755), 0);
    char *data = at("src/data.txt");
    char *sdir = at("src");
    assert_int_equal(rel_fs_mkdirs(sdir, 0755), 0);
    free(sdir);
    assert_int_equal(rel_fs_write_atomic(data, "payload\n", 8, 0644), 0);
    free(data);
    enum { N = 60 };
    for (int round = 0; round < 2; round++) {
        char *dest = at(round ? "out/prestrip-bad" : "out/prestrip");
        struct rel_plan *p = make_plan(dest, "1.0", "one");
        for (int i = 0; i < N; i++) {
            char *src = rel_asprintf("%s/m%02d.beam", srcdir, i);
            if (round == 0) {
                char *cmd = rel_asprintf("cp %s %s", srcs[i % 3], src);
                assert_int_equal(system(cmd), 0);
                free(cmd);
            } else if (i == 47) {
                assert_int_equal(rel_fs_write_atomic(src, "FOR1 not a beam", 15, 0644), 0);
            }
            char *rel = rel_asprintf("lib/demo-1/ebin/m%02d.beam", i);
            add_entry(p, rel, REL_PLAN_STRIP, 0644, src, NULL);
            free(rel);
            free(src);
        }
        struct rel_assemble_opts o = {0};
        struct rel_assemble_stats st;
        int rc = rel_assemble_execute(p, &o, &st);
        if (round == 0) {
            if (rc != 0)
                fail_msg("%s", rel_error_message());
            assert_int_equal(st.written, 4 + N);
            for (int i = 0; i < N; i++) {
                char *src = rel_asprintf("%s/m%02d.beam", srcdir, i);
                char *want = rel_asprintf("%s/want.beam", tmpdir);
                char *got = rel_asprintf("%s/lib/demo-1/ebin/m%02d.beam", dest, i);
                assert_int_equal(rel_beam_strip_file(src, want, NULL, 0644), 0);
                struct rel_buf a = REL_BUF_INIT, b = REL_BUF_INIT;
                assert_int_equal(rel_fs_read_file(&a, want, 1 << 24), 0);
                assert_int_equal(rel_fs_read_file(&b, got, 1 << 24), 0);
                assert_int_equal(a.len, b.len);
                assert_memory_equal(a.ptr, b.ptr, a.len);
                rel_buf_free(&a);
                rel_buf_free(&b);
                free(src);
                free(want);
                free(got);
            }
        } else {
            assert_int_equal(rc, REL_EFORMAT);
            assert_non_null(strstr(rel_error_message(), "m47.beam"));
            assert_false(rel_fs_exists(dest));
            char *cmd = rel_asprintf("ls -A %s/out | grep -q relman-new", tmpdir);
            assert_int_not_equal(system(cmd), 0);
            free(cmd);
        }
        rel_plan_free(p);
        free(dest);
    }
    free(srcdir);
}

static void test_execute_refusals(void **state)
{
    (void)state;
    char *srcdir = at("src");
    rel_fs_mkdirs(srcdir, 0755);
    char *src = at("src/data.txt");
    rel_fs_write_atomic(src, "x", 1, 0644);
    /* A directory that is not a release is never replaced. */
    char *home = at("home");
    char *precious = at("home/precious.txt");
    rel_fs_mkdirs(home, 0755);
    rel_fs_write_atomic(precious, "keep", 4, 0644);
    struct rel_plan *p = make_plan(home, "1.0", "one");
    assert_int_equal(rel_assemble_execute(p, NULL, NULL), REL_EEXISTS);
    assert_non_null(strstr(rel_error_message(), "is not a release"));
    assert_true(rel_fs_is_file(precious));
    rel_plan_free(p);

    /* Two assemblies of one path do not interleave. */
    char *dest = at("locked/demo");
    char *lockdir = at("locked");
    rel_fs_mkdirs(lockdir, 0755);
    char *lock = at("locked/.demo.relman-lock");
    int fd = open(lock, O_CREAT | O_RDWR, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    p = make_plan(dest, "1.0", "one");
    assert_int_equal(rel_assemble_execute(p, NULL, NULL), REL_ELOCKED);
    assert_false(rel_fs_exists(dest));
    close(fd);
    /* A source that vanished: an error, and nothing at the path. */
    unlink(src);
    assert_true(rel_assemble_execute(p, NULL, NULL) < 0);
    assert_non_null(strstr(rel_error_message(), "data.txt"));
    assert_false(rel_fs_exists(dest));
    rel_plan_free(p);
    free(lock);
    free(lockdir);
    free(dest);
    free(home);
    free(precious);
    free(src);
    free(srcdir);
}

/* ---- launchers ------------------------------------------------------------ */

static void test_launchers(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_launcher_opts o = {.name = "foo", .elixir = true};
    assert_int_equal(rel_launcher_bin_script(&out, &o), 0);
    assert_null(strstr(rel_buf_cstr(&out), "@@"));
    assert_non_null(strstr(rel_buf_cstr(&out), "RELMAN_KIND=elixir"));
    assert_non_null(strstr(rel_buf_cstr(&out), "-noshell -user Elixir.IEx.CLI"));
    assert_null(strstr(rel_buf_cstr(&out), "-setcookie"));
    rel_buf_clear(&out);
    o.elixir = false;
    o.reboot_after_config = true;
    assert_int_equal(rel_launcher_bin_script(&out, &o), 0);
    assert_non_null(strstr(rel_buf_cstr(&out), "RELMAN_KIND=erlang"));
    assert_non_null(strstr(rel_buf_cstr(&out), "-elixir config_provider_reboot_mode"));
    rel_buf_clear(&out);
    o.name = "Bad-Name";
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_EINVAL);
    o.name = "foo";
    o.iex_flags = "-user x; rm -rf /";
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_EINVAL);
    rel_buf_clear(&out);

    /* relx's dialect, hooks and extensions (releases.NAME.start_script) */
    char *pre[] = {"hooks/pre one two"}, *post[] = {"pid /run/foo.pid", "wait_for_process foo_sup"};
    char *names[] = {"hello"}, *scripts[] = {"ext/hello"};
    struct rel_config_pos pos[2] = {{3, 5}, {4, 5}};
    struct rel_config_start_script ss = {
        .hooks = {[REL_HOOK_PRE_START] = {pre, pos, 1}, [REL_HOOK_POST_START] = {post, pos, 2}},
        .status_hook = "builtin_status",
        .ext_names = {names, pos, 1},
        .ext_scripts = {scripts, pos, 1},
    };
    o.iex_flags = NULL;
    o.relx = true;
    o.script = &ss;
    assert_int_equal(rel_launcher_bin_script(&out, &o), 0);
    const char *txt = rel_buf_cstr(&out);
    assert_non_null(strstr(txt, "RELMAN_DIALECT=${RELMAN_DIALECT:-relx}"));
    assert_non_null(strstr(txt, "rel_hooks_pre_start='hooks/pre one two'\n"));
    assert_non_null(strstr(txt, "rel_hooks_post_start='pid /run/foo.pid\nwait_for_process foo_sup'"));
    assert_non_null(strstr(txt, "rel_hook_status=builtin_status\n"));
    assert_non_null(strstr(txt, "rel_ext_hello=ext/hello\n"));
    assert_non_null(strstr(txt, "rel_extensions=' hello '"));
    /* a built-in outside post_start, a path out of the release, a taken name */
    pre[0] = "pid /x";
    rel_buf_clear(&out);
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "relman.yml:3:5:"));
    assert_non_null(strstr(rel_error_message(), "only allowed in post_start"));
    pre[0] = "../../etc/evil";
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_ECONFIG);
    pre[0] = "hooks/pre";
    post[1] = "wait_for_process";
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_ECONFIG);
    post[1] = "wait_for_vm_start";
    names[0] = "ping";
    assert_int_equal(rel_launcher_bin_script(&out, &o), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "'ping' is a command of bin/NAME"));
    names[0] = "hello";
    rel_buf_clear(&out);
    assert_int_equal(rel_launcher_bin_script(&out, &o), 0);
    o.relx = false;
    o.script = NULL;
    rel_buf_clear(&out);
    assert_int_equal(rel_launcher_bin_script(&out, &o), 0);
    assert_non_null(strstr(rel_buf_cstr(&out), "RELMAN_DIALECT=${RELMAN_DIALECT:-mix}"));
    assert_non_null(strstr(rel_buf_cstr(&out), "rel_extensions=' '"));
    rel_buf_clear(&out);
    assert_int_equal(rel_launcher_bin_bat(&out, &(struct rel_launcher_opts){.name = "foo"}), 0);
    assert_null(strstr(rel_buf_cstr(&out), "@@"));
    rel_buf_clear(&out);
    assert_int_equal(rel_launcher_erl(&out), 0);
    assert_non_null(strstr(rel_buf_cstr(&out), "erlexec"));

    /* The installed Elixir's launcher, patched as mix patches it. */
    const char *elixir = "/usr/lib/elixir/bin/elixir";
    if (rel_fs_is_file(elixir)) {
        char *text = slurp(elixir);
        rel_buf_clear(&out);
        assert_int_equal(rel_launcher_patch_elixir(&out, text, strlen(text), elixir, "13.1.5"), 0);
        assert_null(strstr(rel_buf_cstr(&out), "/../lib/*/ebin"));
        assert_non_null(
            strstr(rel_buf_cstr(&out), "ERTS_BIN=\"$SCRIPT_PATH\"/../../erts-13.1.5/bin/\n"));
        assert_null(strstr(rel_buf_cstr(&out), "ERTS_BIN=\"$ERTS_BIN\""));
        rel_buf_clear(&out);
        assert_int_equal(rel_launcher_patch_elixir(&out, text, strlen(text), elixir, NULL), 0);
        assert_non_null(strstr(rel_buf_cstr(&out), "ERTS_BIN=\"$ERTS_BIN\""));
        free(text);
        char *iex = slurp("/usr/lib/elixir/bin/iex");
        char *flags = rel_launcher_iex_flags(iex, strlen(iex));
        assert_non_null(flags);
        assert_non_null(strstr(flags, "-user"));
        free(flags);
        free(iex);
    }
    rel_buf_clear(&out);
    const char *odd = "#!/bin/sh\nexec erl \"$@\"\n";
    assert_int_equal(rel_launcher_patch_elixir(&out, odd, strlen(odd), "odd", NULL), REL_EFORMAT);
    assert_non_null(strstr(rel_error_message(), "odd: cannot find"));
    rel_buf_free(&out);
}

/* ---- sys.config ------------------------------------------------------------ */

static struct rel_term *parse(const char *text)
{
    struct rel_term *t = NULL;
    if (rel_term_parse_one(&t, text, strlen(text), "test") != 0)
        fail_msg("%s", rel_error_message());
    return t;
}

static void test_sysconfig(void **state)
{
    (void)state;
    /* Keyword.merge: untouched keys first, then the new ones in order;
     * nested keyword lists merge. */
    struct rel_term *base =
        parse("[{kv,[{a,1},{b,[{x,1},{y,2}]},{c,3}]},{logger,[{level,info}]}].");
    rel_sysconfig_merge(base, parse("[{kv,[{b,[{y,9},{z,3}]},{d,4}]},{elixir,[{e,1}]}]."));
    struct rel_term *want = parse("[{logger,[{level,info}]},{kv,[{a,1},{c,3},{b,[{x,1},{y,9},{z,3}]"
                                  "},{d,4}]},{elixir,[{e,1}]}].");
    if (!rel_term_equal(base, want)) {
        char *t = rel_term_to_text(base);
        fail_msg("merged: %s", t);
    }
    rel_term_free(base);
    rel_term_free(want);

    struct rel_provider_opts po = {
        .version = "0.0.1", .runtime_file = "runtime.exs", .env = "prod"};
    struct rel_term *prov = rel_sysconfig_provider(&po);
    char *text = rel_term_to_text(prov);
    assert_non_null(strstr(text, "config_provider_init"));
    assert_non_null(strstr(text, "/releases/0.0.1/runtime.exs"));
    assert_non_null(strstr(text, "validate_compile_env"));
    if (!strstr(text, "reboot_system_after_config => false") &&
        !strstr(text, "reboot_system_after_config=>false"))
        fail_msg("%s", text);
    free(text);
    rel_term_free(prov);
    po.reboot_after_config = true;
    prov = rel_sysconfig_provider(&po);
    text = rel_term_to_text(prov);
    assert_non_null(strstr(text, "{kernel,[{start_distribution,false}]}"));
    free(text);

    struct rel_buf out = REL_BUF_INIT;
    assert_int_equal(rel_sysconfig_format(&out, prov, true), 0);
    assert_true(strncmp(rel_buf_cstr(&out), "%% coding: utf-8\n%% RUNTIME_CONFIG=true\n", 40) == 0);
    rel_buf_free(&out);
    rel_term_free(prov);

    struct rel_term *specs[2] = {
        parse("{application,a,[{compile_env,[{a,[k],{ok,1}}]}]}."),
        parse("{application,b,[{vsn,\"1\"}]}."),
    };
    struct rel_term *ce = rel_sysconfig_compile_env((const struct rel_term *const *)specs, 2);
    want = parse("[{a,[k],{ok,1}}].");
    assert_true(rel_term_equal(ce, want));
    rel_term_free(ce);
    rel_term_free(want);
    assert_null(rel_sysconfig_compile_env((const struct rel_term *const *)specs + 1, 1));
    rel_term_free(specs[0]);
    rel_term_free(specs[1]);

    struct rel_term *badcfg = parse("[{kv,[]},\n  42].");
    assert_int_equal(rel_sysconfig_check(badcfg, "sys.config"), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "sys.config:2:"));
    rel_term_free(badcfg);
}

static void test_new_cookie(void **state)
{
    (void)state;
    char a[65], b[65];
    assert_int_equal(rel_assemble_new_cookie(a), 0);
    assert_int_equal(rel_assemble_new_cookie(b), 0);
    assert_int_equal(strlen(a), 64);
    assert_string_not_equal(a, b);
}

/* The plan's cookie set to `cookie` (a configured one). */
static void set_cookie(struct rel_plan *p, const char *cookie)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->entries[i].kind == REL_PLAN_COOKIE) {
            free(p->entries[i].data);
            p->entries[i].data = rel_strdup(cookie);
            p->entries[i].len = strlen(cookie);
        }
}

static int asked;
static bool answer;
static bool confirm(void *ctx, const char *question)
{
    assert_string_equal(ctx, "ctx");
    assert_non_null(strstr(question, "releases/COOKIE holds another cookie"));
    asked++;
    return answer;
}

/* A configured cookie that differs from the release's releases/COOKIE: asked
 * when a confirm callback is there, else refused; --overwrite replaces it;
 * the same cookie passes without a question. Refusals leave the release. */
static void test_cookie_change(void **state)
{
    (void)state;
    char *srcdir = at("src"), *src = at("src/data.txt");
    assert_int_equal(rel_fs_mkdirs(srcdir, 0755), 0);
    unlink(src);
    assert_int_equal(rel_fs_write_atomic(src, "x", 1, 0644), 0);
    char *dest = at("ck/demo");
    char *cookie = rel_asprintf("%s/releases/COOKIE", dest);
    struct rel_plan *p = make_plan(dest, "1.0", "one");
    set_cookie(p, "cookie_a");
    assert_int_equal(rel_assemble_execute(p, NULL, NULL), 0);
    char *c = slurp(cookie);
    assert_string_equal(c, "cookie_a");
    free(c);

    set_cookie(p, "cookie_b");
    assert_int_equal(rel_assemble_execute(p, NULL, NULL), REL_EEXISTS);
    assert_non_null(strstr(rel_error_message(), "--overwrite"));
    struct rel_assemble_opts o = {.confirm = confirm, .confirm_ctx = "ctx"};
    answer = false;
    assert_int_equal(rel_assemble_execute(p, &o, NULL), REL_EEXISTS);
    assert_int_equal(asked, 1);
    c = slurp(cookie);
    assert_string_equal(c, "cookie_a");
    free(c);
    answer = true;
    assert_int_equal(rel_assemble_execute(p, &o, NULL), 0);
    assert_int_equal(asked, 2);
    c = slurp(cookie);
    assert_string_equal(c, "cookie_b");
    free(c);
    /* unchanged: no question */
    assert_int_equal(rel_assemble_execute(p, &o, NULL), 0);
    assert_int_equal(asked, 2);
    set_cookie(p, "cookie_c");
    struct rel_assemble_opts ow = {.overwrite = true};
    assert_int_equal(rel_assemble_execute(p, &ow, NULL), 0);
    c = slurp(cookie);
    assert_string_equal(c, "cookie_c");
    free(c);
    rel_plan_free(p);
    free(cookie);
    free(dest);
    free(src);
    free(srcdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_change),
        cmocka_unit_test(test_execute_reuse_carry), cmocka_unit_test(test_execute_refusals),
        cmocka_unit_test(test_execute_prestrip),    cmocka_unit_test(test_launchers),
        cmocka_unit_test(test_sysconfig),           cmocka_unit_test(test_new_cookie),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
