/* Unit tests for core/etf: the external term format. The reference is the
 * installed OTP itself: boot scripts made by systools at test time must be
 * reproduced byte for byte, and random terms must encode exactly as
 * term_to_binary/1,2 encodes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/etf.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/term.h"

#include "random_term.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct rel_term *parse1(const char *text)
{
    struct rel_term *t = NULL;
    if (rel_term_parse_one(&t, text, strlen(text), "t") < 0)
        fail_msg("parse: %s", rel_error_message());
    return t;
}

static void check_bytes(const char *text, const uint8_t *want, size_t n, unsigned flags)
{
    struct rel_term *t = parse1(text);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_etf_encode(&b, t, flags), 0);
    if (b.len != n || memcmp(b.ptr, want, n) != 0) {
        print_message("encoding of %s:", text);
        for (size_t i = 0; i < b.len; i++)
            print_message(" %u", (unsigned char)b.ptr[i]);
        print_message("\n");
        fail();
    }
    struct rel_term *back;
    assert_int_equal(rel_etf_decode(&back, b.ptr, b.len), 0);
    assert_true(rel_term_equal(t, back));
    rel_term_free(back);
    rel_buf_free(&b);
    rel_term_free(t);
}

static void check_decode_error(const void *data, size_t len, const char *want)
{
    struct rel_term *t = (struct rel_term *)1;
    int rc = rel_etf_decode(&t, data, len);
    if (rc == 0)
        fail_msg("decoding should fail with '%s'", want);
    assert_null(t);
    if (!strstr(rel_error_message(), want))
        fail_msg("error '%s' does not contain '%s'", rel_error_message(), want);
}

static char *make_tmpdir(void)
{
    char *dir = rel_strdup("/tmp/relman-test-etf-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static bool have_erl(void)
{
    return rel_proc_which(NULL, "escript") && rel_proc_which(NULL, "erl");
}

static int run_escript(const char *dir, const char *script, const char *const *args,
                       struct rel_buf *out)
{
    char *path = rel_asprintf("%s/check.escript", dir);
    assert_int_equal(rel_fs_write_atomic(path, script, strlen(script), 0644), 0);
    const char *argv[16] = {"escript", path};
    size_t n = 2;
    for (size_t i = 0; args && args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int status = -1;
    struct rel_buf err = REL_BUF_INIT;
    struct rel_proc_opts opts = {.out = out, .err = &err};
    assert_int_equal(rel_proc_run(&status, argv, &opts), 0);
    if (status != 0)
        print_message("escript failed (%d): %s\n", status, rel_buf_cstr(&err));
    rel_buf_free(&err);
    free(path);
    return status;
}

static void test_encode_known_bytes(void **state)
{
    (void)state;
    check_bytes("a.", (const uint8_t[]){131, 100, 0, 1, 97}, 5, 0);
    check_bytes("a.", (const uint8_t[]){131, 119, 1, 97}, 4, REL_ETF_UTF8_ATOMS);
    check_bytes("'é'.", (const uint8_t[]){131, 100, 0, 1, 233}, 5, 0);
    check_bytes("'é'.", (const uint8_t[]){131, 119, 2, 0xC3, 0xA9}, 5, REL_ETF_UTF8_ATOMS);
    check_bytes("'π'.", (const uint8_t[]){131, 119, 2, 207, 128}, 5, 0);
    check_bytes("[].", (const uint8_t[]){131, 106}, 2, 0);
    check_bytes("'a\\0b'.", (const uint8_t[]){131, 100, 0, 3, 97, 0, 98}, 7, 0);
    check_bytes("\"\".", (const uint8_t[]){131, 106}, 2, 0);
    check_bytes("\"ab\".", (const uint8_t[]){131, 107, 0, 2, 97, 98}, 6, 0);
    check_bytes("[97, 98].", (const uint8_t[]){131, 107, 0, 2, 97, 98}, 6, 0);
    check_bytes("[256].", (const uint8_t[]){131, 108, 0, 0, 0, 1, 98, 0, 0, 1, 0, 106}, 12, 0);
    check_bytes("\"π\".", (const uint8_t[]){131, 108, 0, 0, 0, 1, 98, 0, 0, 3, 192, 106}, 12, 0);
    check_bytes("[a|b].", (const uint8_t[]){131, 108, 0, 0, 0, 1, 100, 0, 1, 97, 100, 0, 1, 98}, 14,
                0);
    check_bytes("{}.", (const uint8_t[]){131, 104, 0}, 3, 0);
    check_bytes("{1, -1, 256}.",
                (const uint8_t[]){131, 104, 3, 97, 1, 98, 255, 255, 255, 255, 98, 0, 0, 1, 0}, 15,
                0);
    check_bytes("2147483648.", (const uint8_t[]){131, 110, 4, 0, 0, 0, 0, 128}, 8, 0);
    check_bytes("-2147483649.", (const uint8_t[]){131, 110, 4, 1, 1, 0, 0, 128}, 8, 0);
    check_bytes("-9223372036854775808.",
                (const uint8_t[]){131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128}, 12, 0);
    check_bytes("18446744073709551616.",
                (const uint8_t[]){131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 13, 0);
    check_bytes("1.5.", (const uint8_t[]){131, 70, 63, 248, 0, 0, 0, 0, 0, 0}, 10, 0);
    check_bytes("<<1,2>>.", (const uint8_t[]){131, 109, 0, 0, 0, 2, 1, 2}, 8, 0);
    /* observed from term_to_binary(#{b => 1, a => 2, 1 => x, 1.0 => y, "s" => z}) */
    check_bytes("#{b => 1, a => 2, 1 => x, 1.0 => y, \"s\" => z}.",
                (const uint8_t[]){131, 116, 0,   0, 0,   5,   97, 1,   100, 0,   1,  120,
                                  70,  63,  240, 0, 0,   0,   0,  0,   0,   100, 0,  1,
                                  121, 100, 0,   1, 97,  97,  2,  100, 0,   1,   98, 97,
                                  1,   107, 0,   1, 115, 100, 0,  1,   122},
                45, 0);
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        struct rel_term *t = random_term(0);
        for (unsigned flags = 0; flags <= REL_ETF_UTF8_ATOMS; flags++) {
            struct rel_buf b = REL_BUF_INIT;
            assert_int_equal(rel_etf_encode(&b, t, flags), 0);
            struct rel_term *back;
            if (rel_etf_decode(&back, b.ptr, b.len) < 0)
                fail_msg("%s", rel_error_message());
            assert_true(rel_term_equal(t, back));
            rel_term_free(back);
            rel_buf_free(&b);
        }
        rel_term_free(t);
    }
}

/* For each term in IN: term_to_binary with default options, with
 * minor_version 2, and compressed, each as <<Size:32, Bytes/binary>>. */
static const char otp_encode_script[] =
    "%% relman etf check\n"
    "main([In, Out]) ->\n"
    "    {ok, Ts} = file:consult(In),\n"
    "    Bins = [[term_to_binary(T), term_to_binary(T, [{minor_version, 2}]),\n"
    "             term_to_binary(T, [compressed])] || T <- Ts],\n"
    "    ok = file:write_file(Out, [[<<(byte_size(B)):32, B/binary>> || B <- L] || L <- Bins]).\n";

static void test_random_terms_match_otp(void **state)
{
    (void)state;
    if (!have_erl())
        skip();
    enum { N = 500 };
    struct rel_term **ts = rel_calloc(N, sizeof(*ts));
    struct rel_buf text = REL_BUF_INIT;
    rel_buf_puts(&text, "%% coding: utf-8\n");
    for (int i = 0; i < N; i++) {
        ts[i] = random_term(0);
        assert_int_equal(rel_term_print(&text, ts[i], REL_TERM_PRINT_COMPACT), 0);
        rel_buf_puts(&text, ".\n");
    }
    char *dir = make_tmpdir();
    char *in = rel_asprintf("%s/terms.txt", dir), *outp = rel_asprintf("%s/bins", dir);
    assert_int_equal(rel_fs_write_atomic(in, text.ptr, text.len, 0644), 0);
    const char *args[] = {in, outp, NULL};
    assert_int_equal(run_escript(dir, otp_encode_script, args, NULL), 0);
    struct rel_buf bins = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&bins, outp, 1 << 26), 0);
    const uint8_t *p = (const uint8_t *)bins.ptr, *end = p + bins.len;
    for (int i = 0; i < N; i++) {
        for (int variant = 0; variant < 3; variant++) {
            assert_true(end - p >= 4);
            size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
            p += 4;
            assert_true((size_t)(end - p) >= n);
            if (variant < 2) {
                struct rel_buf mine = REL_BUF_INIT;
                assert_int_equal(rel_etf_encode(&mine, ts[i], variant ? REL_ETF_UTF8_ATOMS : 0), 0);
                if (mine.len != n || memcmp(mine.ptr, p, n) != 0) {
                    char *s = rel_term_to_text(ts[i]);
                    fail_msg("term %d (%s) encodes differently from OTP (variant %d)", i, s,
                             variant);
                }
                rel_buf_free(&mine);
            }
            struct rel_term *back;
            if (rel_etf_decode(&back, p, n) < 0)
                fail_msg("decoding OTP's bytes: %s", rel_error_message());
            assert_true(rel_term_equal(ts[i], back));
            rel_term_free(back);
            p += n;
        }
    }
    assert_true(p == end);
    for (int i = 0; i < N; i++)
        rel_term_free(ts[i]);
    free(ts);
    rel_buf_free(&bins);
    rel_buf_free(&text);
    rel_fs_remove_tree(dir);
    free(in);
    free(outp);
    free(dir);
}

/* ---- boot scripts made by systools ---- */

/* The OTP root: the directory above bin/erl. */
static char *otp_root(void)
{
    char *erl = NULL;
    if (!rel_proc_which(&erl, "erl"))
        return NULL;
    char *real = rel_fs_realpath(erl);
    free(erl);
    if (!real)
        return NULL;
    char *bin = rel_path_dirname(real);
    char *root = rel_path_dirname(bin);
    free(real);
    free(bin);
    return root;
}

/* The version of application `app` from its .app file under ROOT/lib. */
static char *app_vsn(const char *root, const char *app)
{
    char *lib = rel_asprintf("%s/lib", root);
    DIR *d = opendir(lib);
    assert_non_null(d);
    char *vsn = NULL;
    struct dirent *de;
    size_t n = strlen(app);
    while (!vsn && (de = readdir(d))) {
        if (strncmp(de->d_name, app, n) != 0 || de->d_name[n] != '-')
            continue;
        char *path = rel_asprintf("%s/%s/ebin/%s.app", lib, de->d_name, app);
        struct rel_term *t;
        if (rel_term_consult_one(&t, path) == 0) {
            vsn = rel_term_to_cstring(rel_term_proplist_get(rel_term_tuple_get(t, 2), "vsn"));
            rel_term_free(t);
        }
        free(path);
    }
    closedir(d);
    free(lib);
    assert_non_null(vsn);
    return vsn;
}

static char *erts_vsn(const char *root)
{
    DIR *d = opendir(root);
    assert_non_null(d);
    char *vsn = NULL;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strncmp(de->d_name, "erts-", 5) == 0)
            vsn = rel_strdup(de->d_name + 5);
    closedir(d);
    assert_non_null(vsn);
    return vsn;
}

static const char make_script_script[] =
    "%% relman: systools:make_script for each .rel given (without extension)\n"
    "main(Rels) ->\n"
    "    [begin\n"
    "         Dir = filename:dirname(R),\n"
    "         case systools:make_script(R, [{outdir, Dir}, silent, no_warn_sasl]) of\n"
    "             {ok, _, _} -> ok;\n"
    "             Err -> io:format(\"~p~n\", [Err]), halt(1)\n"
    "         end\n"
    "     end || R <- Rels].\n";

/* Parse NAME.script, encode it, compare with NAME.boot; decode the boot. */
static void check_script_vs_boot(const char *script, const char *boot)
{
    struct rel_term *s;
    if (rel_term_consult_one(&s, script) < 0)
        fail_msg("%s", rel_error_message());
    assert_true(rel_term_is_tagged(s, "script", 3));
    struct rel_buf want = REL_BUF_INIT, mine = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&want, boot, 1 << 26), 0);
    assert_int_equal(rel_etf_encode(&mine, s, 0), 0);
    if (mine.len != want.len || memcmp(mine.ptr, want.ptr, want.len) != 0)
        fail_msg("%s: encoding of %s differs from the boot file (%zu vs %zu bytes)", boot, script,
                 mine.len, want.len);
    print_message("%s: %zu bytes reproduced\n", boot, want.len);
    struct rel_term *b;
    if (rel_etf_read_file(&b, boot) < 0)
        fail_msg("%s", rel_error_message());
    assert_true(rel_term_equal(s, b));
    rel_term_free(b);
    rel_term_free(s);
    rel_buf_free(&want);
    rel_buf_free(&mine);
}

static void test_boot_files_from_systools(void **state)
{
    (void)state;
    if (!have_erl())
        skip();
    char *root = otp_root();
    assert_non_null(root);
    const char *apps[] = {"kernel", "stdlib", "sasl", "compiler", "crypto", "runtime_tools"};
    char *vsn[6];
    for (int i = 0; i < 6; i++)
        vsn[i] = app_vsn(root, apps[i]);
    char *erts = erts_vsn(root);
    char *dir = make_tmpdir();

    /* the .rel files are written with relman's own printer */
    char *small = rel_asprintf("%s/small", dir), *big = rel_asprintf("%s/big", dir);
    for (int r = 0; r < 2; r++) {
        struct rel_term *list = rel_term_list_new();
        int napps = r == 0 ? 3 : 6;
        for (int i = 0; i < napps; i++) {
            if (i == 5)
                rel_term_list_append(list, rel_term_tuple(3, rel_term_atom(apps[i]),
                                                          rel_term_string(vsn[i]),
                                                          rel_term_atom("load")));
            else
                rel_term_list_append(
                    list, rel_term_tuple(2, rel_term_atom(apps[i]), rel_term_string(vsn[i])));
        }
        struct rel_term *rel = rel_term_tuple(
            4, rel_term_atom("release"),
            rel_term_tuple(2, rel_term_string(r ? "big" : "small"), rel_term_string("1.0")),
            rel_term_tuple(2, rel_term_atom("erts"), rel_term_string(erts)), list);
        char *path = rel_asprintf("%s.rel", r ? big : small);
        assert_int_equal(rel_term_write_file(path, rel, 0644), 0);
        free(path);
        rel_term_free(rel);
    }
    const char *args[] = {small, big, NULL};
    assert_int_equal(run_escript(dir, make_script_script, args, NULL), 0);
    for (int r = 0; r < 2; r++) {
        char *script = rel_asprintf("%s.script", r ? big : small);
        char *boot = rel_asprintf("%s.boot", r ? big : small);
        check_script_vs_boot(script, boot);
        free(script);
        free(boot);
    }

    /* the boot files OTP ships: each decodes; start.script matches start.boot */
    char *bindir = rel_asprintf("%s/bin", root);
    DIR *d = opendir(bindir);
    assert_non_null(d);
    struct dirent *de;
    int nboot = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".boot") != 0)
            continue;
        char *boot = rel_asprintf("%s/%s", bindir, de->d_name);
        char *script = rel_asprintf("%s/%.*s.script", bindir, (int)(n - 5), de->d_name);
        struct rel_term *t;
        if (rel_etf_read_file(&t, boot) < 0)
            fail_msg("%s", rel_error_message());
        assert_true(rel_term_is_tagged(t, "script", 3));
        rel_term_free(t);
        if (rel_fs_is_file(script))
            check_script_vs_boot(script, boot);
        nboot++;
        free(boot);
        free(script);
    }
    closedir(d);
    assert_true(nboot >= 1);
    free(bindir);
    rel_fs_remove_tree(dir);
    free(small);
    free(big);
    free(dir);
    free(erts);
    for (int i = 0; i < 6; i++)
        free(vsn[i]);
    free(root);
}

/* ---- malformed input ---- */

static void test_decode_errors(void **state)
{
    (void)state;
    check_decode_error("", 0, "offset 0: empty data");
    check_decode_error("\x83", 1, "offset 1: truncated term");
    check_decode_error("\x70\x01", 2, "offset 0: not an external term (first byte 112");
    check_decode_error("\x83\x6a\x6a", 3, "offset 2: 1 bytes after the term");
    check_decode_error("\x83\x01", 2, "offset 1: unknown tag 1");
    check_decode_error("\x83\x64\x00\x05"
                       "ab",
                       6, "truncated atom (needs 5 bytes, 2 left)");
    check_decode_error("\x83\x77\x02\xC3\x28", 5, "atom is not valid UTF-8");
    check_decode_error("\x83\x77\x02\xC0\x80", 5, "atom is not valid UTF-8"); /* overlong */
    check_decode_error("\x83\x6c\xff\xff\xff\xff\x6a", 7, "longer than the data");
    check_decode_error("\x83\x69\x00\x10\x00\x00", 6, "tuple of 1048576 elements");
    check_decode_error("\x83\x74\x00\x00\x00\x02\x61\x01\x61\x02\x61\x01\x61\x03", 14,
                       "offset 1: duplicate key in map");
    check_decode_error("\x83\x46\x7f\xf0\x00\x00\x00\x00\x00\x00", 10, "float is not finite");
    check_decode_error("\x83\x58\x64\x00\x01\x61", 6, "a pid cannot appear");
    check_decode_error("\x83\x71\x64\x00\x01\x61", 6, "a fun cannot appear");
    check_decode_error("\x83\x5a", 2, "a reference cannot appear");
    check_decode_error("\x83\x66", 2, "a port cannot appear");
    check_decode_error("\x83\x4d\x00\x00\x00\x01\x03\xff", 8, "bitstrings are not supported");
    check_decode_error("\x83\x6e\x01\x02\x05", 5, "invalid sign byte 2");
    check_decode_error("\x83\x50\x7f\xff\xff\xff", 6, "compressed term claims");
    check_decode_error("\x83\x50\x00\x00\x00\x02\x78\x9c\x00", 9, "compressed term is corrupt");
    check_decode_error("\x83\x68\x01\x50\x00\x00\x00\x01", 8, "compressed term inside a term");
    check_decode_error("\x83\x52\x00", 3, "distribution encoding");
    /* big integers are capped */
    uint8_t huge[16] = {131, 111, 0, 0, 0x20, 0x00, 0};
    check_decode_error(huge, sizeof(huge), "truncated integer");
    /* nesting */
    struct rel_buf deep = REL_BUF_INIT;
    rel_buf_putc(&deep, (char)131);
    for (int i = 0; i < REL_TERM_MAX_DEPTH + 10; i++)
        rel_buf_put(&deep, "\x68\x01", 2);
    rel_buf_putc(&deep, 106);
    struct rel_term *t;
    assert_int_equal(rel_etf_decode(&t, deep.ptr, deep.len), REL_ELIMIT);
    assert_non_null(strstr(rel_error_message(), "nest deeper"));
    rel_buf_free(&deep);

    /* every prefix and many corruptions of a real encoding: errors, no crash */
    struct rel_term *s =
        parse1("{script,{\"Erlang/OTP\",\"25\"},[{preLoaded,[a,b]},{progress,x},"
               "{path,[\"$ROOT/lib\"]},{apply,{m,f,[1,2.5,<<\"b\">>,#{k => -1}]}}]}.");
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_etf_encode(&b, s, 0), 0);
    for (size_t n = 0; n < b.len; n++) {
        assert_int_not_equal(rel_etf_decode(&t, b.ptr, n), 0);
        assert_null(t);
    }
    char *copy = rel_malloc(b.len);
    srand(3);
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, b.ptr, b.len);
        for (int k = 0; k < 1 + round % 3; k++)
            copy[rand() % b.len] = (char)rand();
        if (rel_etf_decode(&t, copy, b.len) == 0)
            rel_term_free(t);
    }
    free(copy);
    rel_buf_free(&b);
    rel_term_free(s);

    /* old-style FLOAT_EXT and SMALL_ATOM_EXT still decode */
    uint8_t old[40] = {131, 104, 2, 115, 1, 'x', 99};
    snprintf((char *)old + 7, 32, "%.20e", 1.5);
    assert_int_equal(rel_etf_decode(&t, old, 7 + 31), 0);
    struct rel_term *want = parse1("{x,1.5}.");
    assert_true(rel_term_equal(t, want));
    rel_term_free(want);
    rel_term_free(t);
}

static void test_encode_errors_and_files(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    struct rel_term *hole = rel_term_tuple_new(1);
    assert_int_equal(rel_etf_encode(&b, hole, 0), REL_EINVAL);
    assert_int_equal(b.len, 0);
    rel_term_free(hole);
    struct rel_term *deep = rel_term_list_new(), *cur = deep;
    for (int i = 0; i < REL_TERM_MAX_DEPTH + 2; i++) {
        struct rel_term *next = rel_term_tuple_new(1);
        rel_term_list_append(cur, next);
        cur = rel_term_list_new();
        rel_term_tuple_set(next, 0, cur);
    }
    assert_int_equal(rel_etf_encode(&b, deep, 0), REL_ELIMIT);
    rel_term_free(deep);

    char *dir = make_tmpdir();
    char *path = rel_asprintf("%s/x.boot", dir);
    struct rel_term *t = parse1("{script,{\"x\",\"1\"},[]}.");
    assert_int_equal(rel_etf_write_file(path, t, 0, 0644), 0);
    struct rel_term *back;
    assert_int_equal(rel_etf_read_file(&back, path), 0);
    assert_true(rel_term_equal(t, back));
    rel_term_free(back);
    assert_int_equal(rel_fs_write_atomic(path, "\x83\x68", 2, 0644), 0);
    assert_int_equal(rel_etf_read_file(&back, path), REL_EFORMAT);
    char *want = rel_asprintf("%s: offset 2: truncated tuple", path);
    assert_non_null(strstr(rel_error_message(), want));
    free(want);
    rel_term_free(t);
    rel_buf_free(&b);
    rel_fs_remove_tree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_known_bytes),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_random_terms_match_otp),
        cmocka_unit_test(test_boot_files_from_systools),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_encode_errors_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
