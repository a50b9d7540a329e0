/*
 * fs.h - file system helpers with relman's error model.
 *
 * Every write of a file someone may read (relman.yml, a release file, a
 * config) goes through rel_fs_write_atomic(): the data goes to a temporary
 * file beside the target, is flushed, and is renamed over it, so a reader or
 * a crash sees the old file or the new one, never a mix.
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

/* Write `len` bytes to `path` atomically with permission bits `mode` (the
 * temp file is created with them, so a private file is never readable by
 * others, even briefly). The directory must exist. */
int rel_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

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
