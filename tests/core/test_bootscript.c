/* Unit tests for core/bootscript: relman's boot scripts must equal what the
 * installed OTP's systools:make_script/2 writes for the same .rel. The
 * golden script is produced at test time by the real systools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/bootscript.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/proc.h"
#include "core/term.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OTP "/usr/lib/erlang"

static char *tmpdir;

static int setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/relman-test-boot.XXXXXX";
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

/* The installed version of an OTP application ("kernel" -> "8.5.3"). */
static char *otp_vsn(const char *app)
{
    DIR *d = opendir(OTP "/lib");
    assert_non_null(d);
    struct dirent *de;
    char *v = NULL;
    size_t n = strlen(app);
    while ((de = readdir(d)))
        if (strncmp(de->d_name, app, n) == 0 && de->d_name[n] == '-' && de->d_name[n + 1] >= '0' &&
            de->d_name[n + 1] <= '9')
            v = rel_strdup(de->d_name + n + 1);
    closedir(d);
    assert_non_null(v);
    return v;
}

static char *erts_vsn(void)
{
    return otp_vsn("erts");
}

struct relspec {
    const char *name;
    enum rel_mode mode;
};

/* Write NAME.rel, run systools:make_script on it, and compare with ours. */
static void compare_with_systools(const struct relspec *spec, size_t n, bool no_dot_erlang)
{
    struct rel_buf rel = REL_BUF_INIT;
    char *ev = erts_vsn();
    rel_buf_printf(&rel, "{release,{\"demo\",\"1.0\"},{erts,\"%s\"},[", ev);
    struct rel_boot_app *apps = rel_calloc(n, sizeof(*apps));
    struct rel_term **terms = rel_calloc(n, sizeof(*terms));
    char **vsns = rel_calloc(n, sizeof(*vsns)), **ebins = rel_calloc(n, sizeof(*ebins));
    char **files = rel_calloc(n, sizeof(*files));
    for (size_t i = 0; i < n; i++) {
        vsns[i] = otp_vsn(spec[i].name);
        rel_buf_printf(&rel, "%s{%s,\"%s\",%s}", i ? "," : "", spec[i].name, vsns[i],
                       rel_mode_name(spec[i].mode));
        files[i] = rel_asprintf(OTP "/lib/%s-%s/ebin/%s.app", spec[i].name, vsns[i], spec[i].name);
        if (rel_term_consult_one(&terms[i], files[i]) != 0)
            fail_msg("%s", rel_error_message());
        ebins[i] = rel_asprintf("$ROOT/lib/%s-%s/ebin", spec[i].name, vsns[i]);
        apps[i] = (struct rel_boot_app){spec[i].name, vsns[i],  spec[i].mode,
                                        terms[i],     files[i], ebins[i]};
    }
    rel_buf_puts(&rel, "]}.\n");
    char *relfile = rel_asprintf("%s/demo.rel", tmpdir);
    assert_int_equal(rel_fs_write_atomic(relfile, rel.ptr, rel.len, 0644), 0);
    char *eval = rel_asprintf("{ok, _, _} = systools:make_script(\"demo\", [silent%s]), halt().",
                              no_dot_erlang ? ", no_dot_erlang" : "");
    const char *argv[] = {"erl", "-noshell", "-boot", "start_clean", "-eval", eval, NULL};
    struct rel_buf out = REL_BUF_INIT, err = REL_BUF_INIT;
    int status;
    struct rel_proc_opts po = {.cwd = tmpdir, .out = &out, .err = &err};
    assert_int_equal(rel_proc_run(&status, argv, &po), 0);
    if (status != 0)
        fail_msg("systools failed: %s %s", rel_buf_cstr(&out), rel_buf_cstr(&err));
    char *script_file = rel_asprintf("%s/demo.script", tmpdir);
    struct rel_term *golden = NULL;
    assert_int_equal(rel_term_consult_one(&golden, script_file), 0);

    char **pre;
    size_t npre;
    assert_int_equal(rel_boot_read_preloaded(&pre, &npre, OTP, ev), 0);
    struct rel_boot_spec bs = {.name = "demo",
                               .vsn = "1.0",
                               .apps = apps,
                               .napps = n,
                               .preloaded = (const char *const *)pre,
                               .npreloaded = npre,
                               .no_dot_erlang = no_dot_erlang};
    struct rel_term *ours = NULL;
    if (rel_boot_make(&ours, &bs) != 0)
        fail_msg("%s", rel_error_message());
    if (!rel_term_equal(ours, golden)) {
        /* Show the first differing instruction. */
        const struct rel_term *a = rel_term_tuple_get(ours, 2), *b = rel_term_tuple_get(golden, 2);
        for (size_t i = 0; i < rel_term_list_len(a) || i < rel_term_list_len(b); i++) {
            if (!rel_term_equal(rel_term_list_get(a, i), rel_term_list_get(b, i))) {
                char *x = rel_term_to_text(rel_term_list_get(a, i));
                char *y = rel_term_to_text(rel_term_list_get(b, i));
                fail_msg("instruction %zu differs:\nours:     %.600s\nsystools: %.600s", i, x, y);
            }
        }
        fail_msg("scripts differ");
    }
    rel_term_free(ours);
    rel_term_free(golden);
    rel_boot_free_strings(pre, npre);
    for (size_t i = 0; i < n; i++) {
        rel_term_free(terms[i]);
        free(vsns[i]);
        free(ebins[i]);
        free(files[i]);
    }
    free(apps);
    free(terms);
    free(vsns);
    free(ebins);
    free(files);
    free(script_file);
    free(eval);
    free(relfile);
    free(ev);
    rel_buf_free(&rel);
    rel_buf_free(&out);
    rel_buf_free(&err);
}

static void test_minimal(void **state)
{
    (void)state;
    const struct relspec s[] = {{"kernel", REL_MODE_PERMANENT}, {"stdlib", REL_MODE_PERMANENT}};
    compare_with_systools(s, 2, true);
    compare_with_systools(s, 2, false);
}

static void test_sorted_with_modes(void **state)
{
    (void)state;
    /* Dependencies listed after their users, and every mode once. */
    const struct relspec s[] = {
        {"kernel", REL_MODE_PERMANENT},
        {"stdlib", REL_MODE_PERMANENT},
        {"ssl", REL_MODE_TRANSIENT},
        {"public_key", REL_MODE_TEMPORARY},
        {"sasl", REL_MODE_PERMANENT},
        {"asn1", REL_MODE_PERMANENT},
        {"crypto", REL_MODE_PERMANENT},
        {"runtime_tools", REL_MODE_NONE},
        {"tools", REL_MODE_LOAD},
        {"compiler", REL_MODE_PERMANENT},
        {"inets", REL_MODE_PERMANENT},
        {"mnesia", REL_MODE_LOAD},
        {"syntax_tools", REL_MODE_PERMANENT},
    };
    compare_with_systools(s, sizeof(s) / sizeof(s[0]), true);
}

static void test_order_and_errors(void **state)
{
    (void)state;
    struct rel_term *k, *s, *a, *b;
    const char *kt = "{application,kernel,[{description,\"k\"},{vsn,\"1\"},"
                     "{modules,[]},{registered,[]},{applications,[]}]}.";
    assert_int_equal(rel_term_parse_one(&k, kt, strlen(kt), "k.app"), 0);
    const char *st = "{application,stdlib,[{description,\"s\"},{vsn,\"1\"},{modules,[]},"
                     "{registered,[]},{applications,[kernel]}]}.";
    assert_int_equal(rel_term_parse_one(&s, st, strlen(st), "s.app"), 0);
    const char *at = "{application,a,[{description,\"a\"},{vsn,\"1\"},{modules,[]},"
                     "{registered,[]},{applications,[kernel,b]}]}.";
    assert_int_equal(rel_term_parse_one(&a, at, strlen(at), "a.app"), 0);
    const char *bt = "{application,b,[{description,\"b\"},{vsn,\"1\"},{modules,[]},"
                     "{registered,[]},{applications,[a]}]}.";
    assert_int_equal(rel_term_parse_one(&b, bt, strlen(bt), "b.app"), 0);
    struct rel_boot_app apps[] = {
        {"kernel", "1", REL_MODE_PERMANENT, k, "k.app", "$ROOT/lib/kernel-1/ebin"},
        {"stdlib", "1", REL_MODE_PERMANENT, s, "s.app", "$ROOT/lib/stdlib-1/ebin"},
        {"a", "1", REL_MODE_PERMANENT, a, "a.app", "$ROOT/lib/a-1/ebin"},
        {"b", "1", REL_MODE_PERMANENT, b, "b.app", "$ROOT/lib/b-1/ebin"},
    };
    size_t order[4];
    assert_int_equal(rel_boot_order(order, apps, 2), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(rel_boot_order(order, apps, 4), REL_ERESOLVE);
    assert_non_null(strstr(rel_error_message(), "circular"));
    assert_non_null(strstr(rel_error_message(), " a"));
    /* b missing: a depends on it. */
    assert_int_equal(rel_boot_order(order, apps, 3), REL_ERESOLVE);
    assert_non_null(strstr(rel_error_message(), "a depends on b"));
    /* A wrong version in the .app. */
    apps[2].vsn = "2";
    apps[3].vsn = "1";
    assert_int_equal(rel_boot_order(order, apps, 4), REL_EFORMAT);
    assert_non_null(strstr(rel_error_message(), "a.app: vsn is not \"2\""));
    rel_term_free(k);
    rel_term_free(s);
    rel_term_free(a);
    rel_term_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_sorted_with_modes),
        cmocka_unit_test(test_order_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
