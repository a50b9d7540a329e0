/* Unit tests for core/error, core/alloc, core/buf, core/path, core/shell,
 * core/fs and core/proc: the basics every other module stands on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/sha256.h"
#include "core/shell.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_error_set_and_prefix(void **state)
{
    (void)state;
    rel_error_clear();
    assert_int_equal(rel_error_code(), REL_OK);
    assert_int_equal(rel_error_set(REL_EPARSE, "line %d: bad atom", 7), REL_EPARSE);
    assert_int_equal(rel_error_code(), REL_EPARSE);
    assert_string_equal(rel_error_message(), "line 7: bad atom");
    rel_error_prefix("relman.yml");
    assert_string_equal(rel_error_message(), "relman.yml: line 7: bad atom");
    rel_error_set_errno(REL_EIO, ENOENT, "cannot open %s", "x");
    assert_string_equal(rel_error_message(), "cannot open x: No such file or directory");
    assert_string_equal(rel_error_name(REL_ENOTFOUND), "ENOTFOUND");
    assert_string_equal(rel_error_describe(REL_ENOMEM), "out of memory");
    assert_string_equal(rel_error_name(-999), "unknown");
    rel_error_clear();
    assert_string_equal(rel_error_message(), "success");
}

static void test_error_long_message_truncated(void **state)
{
    (void)state;
    char big[3000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rel_error_set(REL_EINVAL, "%s", big);
    assert_int_equal(strlen(rel_error_message()), REL_ERROR_MSG_MAX - 1);
    rel_error_prefix("%s", big);
    assert_true(strlen(rel_error_message()) < REL_ERROR_MSG_MAX);
}

static void test_alloc(void **state)
{
    (void)state;
    char *s = rel_asprintf("%s-%d", "kv", 42);
    assert_string_equal(s, "kv-42");
    free(s);
    s = rel_strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    int *a = rel_reallocarray(NULL, 10, sizeof(int));
    a[9] = 1;
    free(a);
}

static void test_buf_grow_and_cap(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    assert_string_equal(rel_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rel_buf_printf(&b, "%d,", i), 0);
    assert_int_equal(b.ptr[b.len], '\0');
    assert_memory_equal(b.ptr, "0,1,2,", 6);
    rel_buf_truncate(&b, 4);
    assert_string_equal(b.ptr, "0,1,");
    rel_buf_clear(&b);
    assert_int_equal(b.len, 0);
    rel_buf_free(&b);
    rel_buf_free(&b); /* twice is fine */

    struct rel_buf small;
    rel_buf_init(&small, 8);
    assert_int_equal(rel_buf_puts(&small, "12345678"), 0);
    assert_int_equal(rel_buf_putc(&small, '9'), REL_ELIMIT);
    assert_int_equal(small.len, 8);
    char *d = rel_buf_detach(&small);
    assert_string_equal(d, "12345678");
    free(d);
    assert_null(small.ptr);
}

static void check_norm(const char *in, const char *want)
{
    char *got = rel_path_normalize(in);
    if (strcmp(got, want) != 0)
        fail_msg("normalize(%s) = %s, want %s", in, got, want);
    free(got);
}

static void test_path_normalize(void **state)
{
    (void)state;
    check_norm("a/b/c", "a/b/c");
    check_norm("a//b/./c/", "a/b/c");
    check_norm("a/b/../c", "a/c");
    check_norm("a/../..", "..");
    check_norm("../a/../../b", "../../b");
    check_norm("/a/../../b", "/b");
    check_norm("/", "/");
    check_norm("/..", "/");
    check_norm("", ".");
    check_norm(".", ".");
    check_norm("./", ".");
    check_norm("a/..", ".");
    check_norm("//usr///lib/", "/usr/lib");
}

static void test_path_safe_relative(void **state)
{
    (void)state;
    assert_true(rel_path_is_safe_relative("lib/kv-0.1.0/ebin/kv.app"));
    assert_true(rel_path_is_safe_relative("a/../b"));
    assert_true(rel_path_is_safe_relative("./bin/foo"));
    assert_false(rel_path_is_safe_relative("/etc/passwd"));
    assert_false(rel_path_is_safe_relative("../x"));
    assert_false(rel_path_is_safe_relative("a/../../x"));
    assert_false(rel_path_is_safe_relative(".."));
    assert_false(rel_path_is_safe_relative("."));
    assert_false(rel_path_is_safe_relative(""));
    assert_false(rel_path_is_safe_relative(NULL));
}

static void test_path_join_dir_base(void **state)
{
    (void)state;
    char *j = rel_path_join2("a/", "b");
    assert_string_equal(j, "a/b");
    free(j);
    j = rel_path_join2("/", "b");
    assert_string_equal(j, "/b");
    free(j);
    j = rel_path_join2("a", "/abs");
    assert_string_equal(j, "/abs");
    free(j);
    j = rel_path_join2("", "b");
    assert_string_equal(j, "b");
    free(j);
    const char *cases[][3] = {{"a/b/c", "a/b", "c"}, {"c", ".", "c"}, {"/c", "/", "c"},
                              {"a/b/", "a", "b"},    {"/", "/", "/"}, {"a//b", "a", "b"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *d = rel_path_dirname(cases[i][0]);
        char *b = rel_path_basename(cases[i][0]);
        assert_string_equal(d, cases[i][1]);
        assert_string_equal(b, cases[i][2]);
        free(d);
        free(b);
    }
}

static void check_quote(const char *in, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_shell_quote(&b, in);
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

static void test_shell_quote(void **state)
{
    (void)state;
    check_quote("plain/path-1.0_x", "plain/path-1.0_x");
    check_quote("", "''");
    check_quote("a b", "'a b'");
    check_quote("it's", "'it'\\''s'");
    check_quote("$(rm -rf /)", "'$(rm -rf /)'");
    check_quote("a;b|c&d`e`", "'a;b|c&d`e`'");
    check_quote("new\nline", "'new\nline'");
}

/* The real test of quoting: /bin/sh reads every word back unchanged. */
static void test_shell_quote_roundtrip(void **state)
{
    (void)state;
    const char *words[] = {"a b", "it's", "$HOME", "`id`", "\\", "\"", "*", "~", "-n", "",
                           "x'y'z", "tab\there", NULL};
    struct rel_buf cmd = REL_BUF_INIT;
    rel_buf_puts(&cmd, "printf '%s\\0' ");
    rel_shell_join(&cmd, words);
    const char *argv[] = {"/bin/sh", "-c", cmd.ptr, NULL};
    struct rel_buf out = REL_BUF_INIT;
    int status;
    struct rel_proc_opts opts = {.out = &out};
    assert_int_equal(rel_proc_run(&status, argv, &opts), 0);
    assert_int_equal(status, 0);
    size_t off = 0;
    for (size_t i = 0; words[i]; i++) {
        assert_true(off < out.len);
        assert_string_equal(out.ptr + off, words[i]);
        off += strlen(words[i]) + 1;
    }
    assert_int_equal(off, out.len);
    rel_buf_free(&cmd);
    rel_buf_free(&out);
}

static void test_fs_atomic_write_and_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *f = rel_path_join2(dir, "COOKIE");
    assert_int_equal(rel_fs_write_atomic(f, "secret", 6, 0600), 0);
    struct stat st;
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(rel_fs_write_atomic(f, "secret2", 7, 0400), 0);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, f, 100), 0);
    assert_string_equal(b.ptr, "secret2");
    rel_buf_clear(&b);
    assert_int_equal(rel_fs_read_file(&b, f, 3), REL_ELIMIT);
    assert_non_null(strstr(rel_error_message(), "COOKIE"));
    char *missing = rel_path_join2(dir, "nope");
    assert_int_equal(rel_fs_read_file(&b, missing, 100), REL_ENOTFOUND);
    assert_non_null(strstr(rel_error_message(), "No such file"));
    /* the temp file never stays behind */
    char *tmp = rel_asprintf("%s.tmp.%ld", f, (long)getpid());
    assert_false(rel_fs_exists(tmp));
    /* writing into a missing directory fails cleanly */
    char *bad = rel_path_join2(missing, "x");
    assert_int_equal(rel_fs_write_atomic(bad, "x", 1, 0644), REL_EIO);

    char *deep = rel_path_join2(dir, "a/b/c");
    assert_int_equal(rel_fs_mkdirs(deep, 0755), 0);
    assert_true(rel_fs_is_dir(deep));
    assert_int_equal(rel_fs_mkdirs(deep, 0755), 0);
    assert_int_equal(rel_fs_remove_tree(dir), 0);
    assert_false(rel_fs_exists(dir));
    assert_int_equal(rel_fs_remove_tree(dir), 0);
    free(f);
    free(missing);
    free(tmp);
    free(bad);
    free(deep);
    rel_buf_free(&b);
}

/* rel_fs_read_file reads regular files straight into the buffer (sized by
 * fstat) and anything else in chunks: both append to what the buffer holds,
 * and both enforce the limit on what is read. */
static void test_fs_read_file_sizes(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *f = rel_path_join2(dir, "big");
    size_t n = 200000 + 7;
    char *data = rel_malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(rel_fs_write_atomic(f, data, n, 0644), 0);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_buf_puts(&b, "head:"), 0);
    assert_int_equal(rel_fs_read_file(&b, f, n), 0);
    assert_int_equal(b.len, 5 + n);
    assert_memory_equal(b.ptr + 5, data, n);
    assert_int_equal(b.ptr[b.len], '\0');
    rel_buf_clear(&b);
    assert_int_equal(rel_fs_read_file(&b, f, n - 1), REL_ELIMIT);
    /* an empty file */
    char *empty = rel_path_join2(dir, "empty");
    assert_int_equal(rel_fs_write_atomic(empty, "", 0, 0644), 0);
    rel_buf_clear(&b);
    assert_int_equal(rel_fs_read_file(&b, empty, 10), 0);
    assert_int_equal(b.len, 0);
    /* not a regular file: a FIFO with a writer, read in chunks, limit applies */
    char *fifo = rel_path_join2(dir, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    for (int limit = 0; limit < 2; limit++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            FILE *w = fopen(fifo, "w");
            if (w) {
                fwrite(data, 1, n, w);
                fclose(w);
            }
            _exit(0);
        }
        rel_buf_clear(&b);
        if (limit) {
            assert_int_equal(rel_fs_read_file(&b, fifo, 1000), REL_ELIMIT);
        } else {
            assert_int_equal(rel_fs_read_file(&b, fifo, n), 0);
            assert_int_equal(b.len, n);
            assert_memory_equal(b.ptr, data, n);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    /* a directory */
    assert_int_equal(rel_fs_read_file(&b, dir, 10), REL_EIO);
    assert_int_equal(rel_fs_remove_tree(dir), 0);
    rel_buf_free(&b);
    free(data);
    free(f);
    free(empty);
    free(fifo);
}

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    /* FIPS 180-4 examples */
    rel_sha256_hex(hex, "", 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rel_sha256_hex(hex, "abc", 3);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    rel_sha256_hex(hex, two, strlen(two));
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a's fed in uneven pieces */
    struct rel_sha256 s;
    uint8_t md[32];
    char piece[997];
    memset(piece, 'a', sizeof(piece));
    rel_sha256_init(&s);
    for (size_t left = 1000000, n = 1; left; n = (n + 61) % sizeof(piece) + 1) {
        size_t take = n < left ? n : left;
        rel_sha256_update(&s, piece, take);
        left -= take;
    }
    rel_sha256_final(&s, md);
    static const uint8_t million[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
                                        0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
                                        0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
                                        0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    assert_memory_equal(md, million, 32);
    /* every length around the block and padding edges, against sha256sum */
    char *dir = rel_asprintf("/tmp/relman-sha-%ld", (long)getpid());
    assert_int_equal(rel_fs_mkdirs(dir, 0755), 0);
    char data[200];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof(data); len += (len < 130 ? 1 : 7)) {
        char *file = rel_asprintf("%s/d", dir);
        assert_int_equal(rel_fs_write_atomic(file, data, len, 0644), 0);
        const char *argv[] = {"sha256sum", file, NULL};
        struct rel_buf out = REL_BUF_INIT;
        struct rel_proc_opts po = {.out = &out};
        int status = -1;
        assert_int_equal(rel_proc_run(&status, argv, &po), 0);
        assert_int_equal(status, 0);
        rel_sha256_hex(hex, data, len);
        assert_true(out.len >= 64);
        assert_memory_equal(out.ptr, hex, 64);
        rel_buf_free(&out);
        free(file);
    }
    char *rm = rel_asprintf("rm -rf %s", dir);
    assert_int_equal(system(rm), 0);
    free(rm);
    free(dir);
}

static void test_proc_run(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT, err = REL_BUF_INIT;
    int status;
    const char *env[] = {"RELMAN_T=hello", NULL};
    const char *argv[] = {"sh", "-c", "echo $RELMAN_T; pwd; echo oops >&2; exit 3", NULL};
    struct rel_proc_opts opts = {.out = &out, .err = &err, .cwd = "/tmp", .env = env};
    assert_int_equal(rel_proc_run(&status, argv, &opts), 0);
    assert_int_equal(status, 3);
    assert_string_equal(out.ptr, "hello\n/tmp\n");
    assert_string_equal(err.ptr, "oops\n");

    const char *killed[] = {"sh", "-c", "kill -9 $$", NULL};
    assert_int_equal(rel_proc_run(&status, killed, NULL), 0);
    assert_int_equal(status, 128 + 9);

    const char *missing[] = {"relman-no-such-command", NULL};
    assert_int_equal(rel_proc_run(&status, missing, NULL), REL_ENOTFOUND);

    rel_buf_clear(&out);
    const char *big[] = {"sh", "-c", "yes | head -c 100000", NULL};
    struct rel_proc_opts capped = {.out = &out, .max_output = 1000};
    assert_int_equal(rel_proc_run(&status, big, &capped), REL_ELIMIT);

    char *p = NULL;
    assert_true(rel_proc_which(&p, "sh"));
    assert_non_null(p);
    free(p);
    assert_false(rel_proc_which(NULL, "relman-no-such-command"));
    rel_buf_free(&out);
    rel_buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_and_prefix),
        cmocka_unit_test(test_error_long_message_truncated),
        cmocka_unit_test(test_alloc),
        cmocka_unit_test(test_buf_grow_and_cap),
        cmocka_unit_test(test_path_normalize),
        cmocka_unit_test(test_path_safe_relative),
        cmocka_unit_test(test_path_join_dir_base),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_shell_quote_roundtrip),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_fs_atomic_write_and_read),
        cmocka_unit_test(test_fs_read_file_sizes),
        cmocka_unit_test(test_proc_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
