/*
 * fs.h - file system helpers with relman's error model.
 *
 * Every write of a file someone may read (relman.yml, a release file, a
 * config) goes through rel_fs_write_atomic(), which works like git's
 * lockfile: the data goes to `<file>.lock` beside the target, created
 * exclusively (a second writer is refused instead of racing), is flushed,
 * and is renamed over the file, so a reader or a crash sees the old file or
 * the new one, never a mix. A lock is removed on every error, and when
 * SIGINT or SIGTERM kills the process while it is held (see fs.c).
 */
#ifndef REL_FS_H
#define REL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rel_buf;

/* Read the whole file at `path` into `out` (appending). Fails with REL_ELIMIT
 * when the file is larger than `max` bytes, REL_ENOTFOUND when it does not
 * exist, REL_EIO otherwise; the message names the path. */
int rel_fs_read_file(struct rel_buf *out, const char *path, size_t max);

/*
 * Write `len` bytes to `path` atomically with permission bits `mode` (the
 * lock file is created with them, so a private file is never readable by
 * others, even briefly). The directory must exist. REL_ELOCKED when
 * `<path>.lock` exists ("PATH is locked by another writer (PATH.lock exists;
 * remove it if no relman is running)"), REL_EIO when the OS fails (the lock
 * is removed then).
 */
int rel_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * The lock file under rel_fs_write_atomic(), for writers that stream: take
 * the lock (0, or the errors above), write to `fd`, then commit (fsync,
 * rename over `path`; the lock is gone either way) or roll back (remove the
 * lock; accepts a lock that failed or was committed). The struct is the
 * caller's; what it points to is freed by commit and rollback.
 */
struct rel_fs_lock {
    int fd;          /* open for writing */
    char *path;      /* the file it replaces */
    char *lock_path; /* PATH.lock */
    int slot;        /* internal: the live-lock table entry, or -1 */
};

int rel_fs_lock(struct rel_fs_lock *lk, const char *path, mode_t mode);
int rel_fs_lock_commit(struct rel_fs_lock *lk);
void rel_fs_lock_rollback(struct rel_fs_lock *lk);

/* mkdir -p with `mode` for the directories it creates. */
int rel_fs_mkdirs(const char *path, mode_t mode);

/* rm -rf: removes `path` and everything below it, never following symlinks.
 * A missing path is not an error. */
int rel_fs_remove_tree(const char *path);

bool rel_fs_exists(const char *path);
bool rel_fs_is_dir(const char *path);
bool rel_fs_is_file(const char *path);

/* Absolute, symlink-resolved path as a new string, or NULL with the error set. */
char *rel_fs_realpath(const char *path);

#endif
