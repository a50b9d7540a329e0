/* Unit tests for core/fs's lock files: rel_fs_write_atomic() and the
 * rel_fs_lock() API under it (git's lockfile: `<file>.lock` created
 * exclusively, renamed into place, removed on error and on SIGINT/SIGTERM). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fx {
    char dir[32];
    char *file, *lock;
};

static int setup(void **state)
{
    struct fx *f = rel_calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/relman-fs-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->file = rel_path_join2(f->dir, "relman.yml");
    f->lock = rel_asprintf("%s.lock", f->file);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    rel_fs_remove_tree(f->dir);
    free(f->file);
    free(f->lock);
    free(f);
    return 0;
}

static void assert_content(const char *path, const char *want)
{
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, path, 1 << 20), 0);
    assert_string_equal(rel_buf_cstr(&b), want);
    rel_buf_free(&b);
}

static void test_write_leaves_no_lock(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rel_fs_write_atomic(f->file, "one\n", 4, 0600), 0);
    assert_content(f->file, "one\n");
    assert_false(rel_fs_exists(f->lock));
    struct stat st;
    assert_int_equal(stat(f->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(rel_fs_write_atomic(f->file, "two\n", 4, 0644), 0);
    assert_content(f->file, "two\n");
    assert_int_equal(stat(f->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_false(rel_fs_exists(f->lock));
}

static void test_second_writer_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rel_fs_write_atomic(f->file, "old\n", 4, 0644), 0);
    struct rel_fs_lock lk;
    assert_int_equal(rel_fs_lock(&lk, f->file, 0644), 0);
    assert_true(rel_fs_exists(f->lock));
    /* a second writer, in this process or another, gets one clear line */
    assert_int_equal(rel_fs_write_atomic(f->file, "new\n", 4, 0644), REL_ELOCKED);
    char *want = rel_asprintf("%s is locked by another writer (%s exists; remove it if no relman "
                              "is running)",
                              f->file, f->lock);
    assert_string_equal(rel_error_message(), want);
    free(want);
    struct rel_fs_lock again;
    assert_int_equal(rel_fs_lock(&again, f->file, 0644), REL_ELOCKED);
    rel_fs_lock_rollback(&again); /* a failed lock is a no-op to roll back */
    /* the refused writer did not touch the lock or the file */
    assert_true(rel_fs_exists(f->lock));
    assert_content(f->file, "old\n");
    /* while the holder writes, readers still see the old file, whole */
    assert_int_equal(write(lk.fd, "ne", 2), 2);
    assert_content(f->file, "old\n");
    assert_int_equal(write(lk.fd, "w\n", 2), 2);
    assert_int_equal(rel_fs_lock_commit(&lk), 0);
    assert_content(f->file, "new\n");
    assert_false(rel_fs_exists(f->lock));
    rel_fs_lock_rollback(&lk); /* after commit: nothing to do */
    assert_content(f->file, "new\n");
    /* once released, the next writer goes ahead */
    assert_int_equal(rel_fs_write_atomic(f->file, "next\n", 5, 0644), 0);
    assert_content(f->file, "next\n");
}

static void test_rollback_keeps_file(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rel_fs_write_atomic(f->file, "kept\n", 5, 0644), 0);
    struct rel_fs_lock lk;
    assert_int_equal(rel_fs_lock(&lk, f->file, 0644), 0);
    assert_int_equal(write(lk.fd, "half", 4), 4);
    rel_fs_lock_rollback(&lk);
    assert_false(rel_fs_exists(f->lock));
    assert_content(f->file, "kept\n");
}

static void test_lock_removed_on_error(void **state)
{
    struct fx *f = *state;
    /* rename fails: the target is a directory that is not empty */
    char *d = rel_path_join2(f->dir, "adir");
    char *inner = rel_path_join2(d, "x");
    char *dlock = rel_asprintf("%s.lock", d);
    assert_int_equal(rel_fs_mkdirs(d, 0755), 0);
    assert_int_equal(rel_fs_write_atomic(inner, "x", 1, 0644), 0);
    assert_int_equal(rel_fs_write_atomic(d, "data", 4, 0644), REL_EIO);
    assert_non_null(strstr(rel_error_message(), "cannot rename"));
    assert_false(rel_fs_exists(dlock));
    assert_true(rel_fs_is_dir(d));
    /* the directory is missing: nothing is created */
    char *missing = rel_path_join2(f->dir, "nope/file");
    char *mlock = rel_asprintf("%s.lock", missing);
    assert_int_equal(rel_fs_write_atomic(missing, "x", 1, 0644), REL_EIO);
    assert_non_null(strstr(rel_error_message(), "cannot create"));
    assert_false(rel_fs_exists(mlock));
    /* a write that fails half way (the file size limit): the lock goes, the
     * old file stays (in a child, for the limit) */
    assert_int_equal(rel_fs_write_atomic(f->file, "before\n", 7, 0644), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {.rlim_cur = 16, .rlim_max = 16};
        if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
            _exit(3);
        char big[64];
        memset(big, 'x', sizeof(big));
        int rc = rel_fs_write_atomic(f->file, big, sizeof(big), 0644);
        _exit(rc == REL_EIO && !rel_fs_exists(f->lock) ? 0 : 1);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    assert_false(rel_fs_exists(f->lock));
    assert_content(f->file, "before\n");
    free(d);
    free(inner);
    free(dlock);
    free(missing);
    free(mlock);
}

/* A child takes the lock, writes half, says so, and waits to be killed. */
static void killed_while_holding(struct fx *f, int sig)
{
    assert_int_equal(rel_fs_write_atomic(f->file, "before\n", 7, 0644), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        struct rel_fs_lock lk;
        if (rel_fs_lock(&lk, f->file, 0644) < 0 || write(lk.fd, "hal", 3) != 3)
            _exit(1);
        if (write(p[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(p[1]);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_true(rel_fs_exists(f->lock));
    assert_int_equal(kill(pid, sig), 0);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    /* it still dies of the signal, and takes its lock with it */
    assert_true(WIFSIGNALED(ws));
    assert_int_equal(WTERMSIG(ws), sig);
    assert_false(rel_fs_exists(f->lock));
    assert_content(f->file, "before\n");
}

static void test_sigterm_removes_lock(void **state)
{
    killed_while_holding(*state, SIGTERM);
}

static void test_sigint_removes_lock(void **state)
{
    killed_while_holding(*state, SIGINT);
}

/* Writers in several processes at once: each write is refused or lands
 * whole; the file is always one writer's complete text. */
static void test_concurrent_writers(void **state)
{
    struct fx *f = *state;
    enum { WRITERS = 4, ROUNDS = 200 };
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            char text[4096];
            memset(text, 'a' + w, sizeof(text) - 1);
            text[sizeof(text) - 1] = '\n';
            int landed = 0;
            for (int i = 0; i < ROUNDS; i++) {
                int rc = rel_fs_write_atomic(f->file, text, sizeof(text), 0644);
                if (rc == 0)
                    landed++;
                else if (rc != REL_ELOCKED)
                    _exit(2);
            }
            _exit(landed > 0 ? 0 : 1);
        }
    }
    int bad = 0;
    for (int w = 0; w < WRITERS; w++) {
        int ws;
        assert_int_equal(waitpid(pids[w], &ws, 0), pids[w]);
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) == 2)
            bad++;
    }
    assert_int_equal(bad, 0);
    assert_false(rel_fs_exists(f->lock));
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, f->file, 1 << 20), 0);
    assert_int_equal(b.len, 4096);
    for (size_t i = 0; i + 1 < b.len; i++)
        assert_int_equal(b.ptr[i], b.ptr[0]);
    rel_buf_free(&b);
}

int main(void)
{
    /* As relman runs from a shell: the default disposition, which the lock
     * handler takes over (a test run in the background may inherit
     * SIGINT ignored). */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_leaves_no_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_keeps_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_removed_on_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_removes_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_removes_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
