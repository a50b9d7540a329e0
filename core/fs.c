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

int rel_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = rel_asprintf("%s.tmp.%ld", path, (long)getpid());
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", tmp);
        goto cleanup;
    }
    /* open() applies the umask; set the exact bits asked for. */
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", tmp);
        close(fd);
        unlink(tmp);
        goto cleanup;
    }
    if (close(fd) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", tmp);
        unlink(tmp);
        goto cleanup;
    }
    if (rename(tmp, path) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", tmp, path);
        unlink(tmp);
    }
cleanup:
    free(tmp);
    return rc;
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
