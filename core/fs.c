#define _GNU_SOURCE
#include "fs.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rel_fs_read_file(struct rel_buf *out, const char *path, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rel_error_set_errno(errno == ENOENT ? REL_ENOTFOUND : REL_EIO, errno, "%s", path);
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            close(fd);
            return rel_error_set(REL_EIO, "%s: is a directory", path);
        }
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
            close(fd);
            return rel_error_set(REL_ELIMIT, "%s: file is larger than %zu bytes", path, max);
        }
        /* Room for the whole file at once, so it is read straight into the
         * buffer with no copy and no regrowing (the usual case). */
        if (S_ISREG(st.st_mode) && st.st_size > 0) {
            int rc = rel_buf_grow(out, (size_t)st.st_size);
            if (rc < 0) {
                close(fd);
                rel_error_prefix("%s", path);
                return rc;
            }
        }
    }
    size_t start = out->len;
    char chunk[65536];
    for (;;) {
        /* Into the buffer's free room while there is some; past it (a file
         * that grew, a pipe) through `chunk`, growing the buffer as needed. */
        size_t room = out->cap > out->len + 1 ? out->cap - out->len - 1 : 0;
        char *dst = room ? out->ptr + out->len : chunk;
        ssize_t n = read(fd, dst, room ? room : sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return rel_error_set_errno(REL_EIO, e, "%s", path);
        }
        if (n == 0)
            break;
        if (out->len - start + (size_t)n > max) {
            if (room)
                out->ptr[out->len] = '\0';
            close(fd);
            return rel_error_set(REL_ELIMIT, "%s: file is larger than %zu bytes", path, max);
        }
        if (room) {
            out->len += (size_t)n;
            out->ptr[out->len] = '\0';
            continue;
        }
        int rc = rel_buf_put(out, chunk, (size_t)n);
        if (rc < 0) {
            close(fd);
            rel_error_prefix("%s", path);
            return rc;
        }
    }
    close(fd);
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- lock files --------------------------------------------------------------
 *
 * A write holds `<file>.lock`, created exclusively, until it is renamed over
 * the file (git's lockfile). While held, the lock's path is in one slot of
 * a fixed table, so that SIGINT or SIGTERM (whose default would kill the
 * process with the lock left behind) can remove it: the handler only loads
 * atomics and calls unlink(), signal() and raise(), all async-signal-safe.
 * A slot is emptied *before* the lock is renamed or removed, so the handler
 * never removes a lock some other process has taken since. The handler is
 * installed on the first lock, for the signals whose disposition is still
 * the default then (a front end that catches them, the TUI, keeps running
 * and finishes or rolls back its writes itself).
 */

#define LIVE_LOCKS 32

enum { SLOT_FREE, SLOT_FILLING, SLOT_LIVE };

static struct {
    atomic_int state;
    char path[PATH_MAX];
} live_locks[LIVE_LOCKS];

static pthread_once_t cleanup_once = PTHREAD_ONCE_INIT;

static void remove_live_locks(void)
{
    for (size_t i = 0; i < LIVE_LOCKS; i++)
        if (atomic_load(&live_locks[i].state) == SLOT_LIVE)
            unlink(live_locks[i].path);
}

static void on_fatal_signal(int sig)
{
    int saved = errno;
    remove_live_locks();
    /* die of the same signal once the handler returns (it is blocked here) */
    signal(sig, SIG_DFL);
    raise(sig);
    errno = saved;
}

static void install_cleanup(void)
{
    static const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) < 0 || (old.sa_flags & SA_SIGINFO) ||
            old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    atexit(remove_live_locks);
}

/* The slot now holding `lock_path`, or -1 (table full, path too long: the
 * lock is then only removed on the normal paths). */
static int slot_take(const char *lock_path)
{
    pthread_once(&cleanup_once, install_cleanup);
    size_t n = strlen(lock_path);
    if (n >= PATH_MAX)
        return -1;
    for (int i = 0; i < LIVE_LOCKS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&live_locks[i].state, &expected, SLOT_FILLING)) {
            memcpy(live_locks[i].path, lock_path, n + 1);
            atomic_store(&live_locks[i].state, SLOT_LIVE);
            return i;
        }
    }
    return -1;
}

static void slot_release(int slot)
{
    if (slot >= 0)
        atomic_store(&live_locks[slot].state, SLOT_FREE);
}

int rel_fs_lock(struct rel_fs_lock *lk, const char *path, mode_t mode)
{
    memset(lk, 0, sizeof(*lk));
    lk->fd = -1;
    lk->slot = -1;
    lk->path = rel_strdup(path);
    lk->lock_path = rel_asprintf("%s.lock", path);
    lk->fd = open(lk->lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (lk->fd < 0) {
        int e = errno;
        int rc = e == EEXIST ? rel_error_set(REL_ELOCKED,
                                             "%s is locked by another writer (%s exists; remove "
                                             "it if no relman is running)",
                                             path, lk->lock_path)
                             : rel_error_set_errno(REL_EIO, e, "cannot create %s", lk->lock_path);
        free(lk->path);
        free(lk->lock_path);
        lk->path = lk->lock_path = NULL;
        return rc;
    }
    lk->slot = slot_take(lk->lock_path);
    /* open() applies the umask; set the exact bits asked for. */
    if (fchmod(lk->fd, mode) < 0) {
        int rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", lk->lock_path);
        rel_fs_lock_rollback(lk);
        return rc;
    }
    return 0;
}

int rel_fs_lock_commit(struct rel_fs_lock *lk)
{
    int rc = 0;
    if (fsync(lk->fd) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", lk->lock_path);
        rel_fs_lock_rollback(lk);
        return rc;
    }
    int fd = lk->fd;
    lk->fd = -1;
    if (close(fd) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", lk->lock_path);
        rel_fs_lock_rollback(lk);
        return rc;
    }
    slot_release(lk->slot);
    lk->slot = -1;
    if (rename(lk->lock_path, lk->path) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", lk->lock_path, lk->path);
        unlink(lk->lock_path);
    }
    free(lk->path);
    free(lk->lock_path);
    lk->path = lk->lock_path = NULL;
    return rc;
}

void rel_fs_lock_rollback(struct rel_fs_lock *lk)
{
    if (!lk || !lk->lock_path)
        return;
    if (lk->fd >= 0)
        close(lk->fd);
    lk->fd = -1;
    slot_release(lk->slot);
    lk->slot = -1;
    unlink(lk->lock_path);
    free(lk->path);
    free(lk->lock_path);
    lk->path = lk->lock_path = NULL;
}

int rel_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    struct rel_fs_lock lk;
    int rc = rel_fs_lock(&lk, path, mode);
    if (rc < 0)
        return rc;
    if (write_all(lk.fd, data, len) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", lk.lock_path);
        rel_fs_lock_rollback(&lk);
        return rc;
    }
    return rel_fs_lock_commit(&lk);
}

int rel_fs_mkdirs(const char *path, mode_t mode)
{
    char *p = rel_strdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char saved = *s;
            *s = '\0';
            if (mkdir(p, mode) < 0 && errno != EEXIST) {
                rc = rel_error_set_errno(REL_EIO, errno, "cannot create directory %s", p);
                break;
            }
            *s = saved;
            if (!saved)
                break;
        }
    }
    if (rc == 0 && !rel_fs_is_dir(path))
        rc = rel_error_set(REL_EIO, "%s exists and is not a directory", path);
    free(p);
    return rc;
}

static int remove_one(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf)
{
    (void)sb;
    (void)ftwbuf;
    int r = typeflag == FTW_DP ? rmdir(fpath) : unlink(fpath);
    if (r < 0 && errno != ENOENT) {
        rel_error_set_errno(REL_EIO, errno, "cannot remove %s", fpath);
        return -1;
    }
    return 0;
}

int rel_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : rel_error_set_errno(REL_EIO, errno, "%s", path);
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0)
            return rel_error_set_errno(REL_EIO, errno, "cannot remove %s", path);
        return 0;
    }
    if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS) != 0)
        return rel_error_code() < 0 ? rel_error_code() : REL_EIO;
    return 0;
}

bool rel_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool rel_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool rel_fs_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *rel_fs_realpath(const char *path)
{
    char *r = realpath(path, NULL);
    if (!r) {
        rel_error_set_errno(errno == ENOENT ? REL_ENOTFOUND : REL_EIO, errno, "%s", path);
        return NULL;
    }
    return r;
}
