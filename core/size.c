/*
 * size.c - the size of a release and sizes for people (see size.h).
 */
#include "size.h"

#include "walk.h"

#include <stdio.h>
#include <string.h>

#define MAX_FILES 1000000

bool rel_size_counts(const char *path)
{
    static const char *const outside[] = {"tmp", ".relman"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(outside[i]);
        if (strncmp(path, outside[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return false;
    }
    return true;
}

struct count {
    uint64_t bytes, files;
};

static bool counted_dir(void *ctx, const char *name, int depth)
{
    (void)ctx;
    return depth > 0 || rel_size_counts(name);
}

static bool count_file(void *ctx, const char *name, int depth, const struct stat *st)
{
    struct count *c = ctx;
    if (S_ISREG(st->st_mode) && (depth > 0 || rel_size_counts(name))) {
        c->bytes += (uint64_t)st->st_size;
        c->files++;
    }
    return c->files < MAX_FILES;
}

uint64_t rel_size_tree(const char *root, uint64_t *files)
{
    static const struct rel_walk_ops ops = {.enter = counted_dir, .entry = count_file};
    struct count c = {0, 0};
    rel_walk(root, &ops, &c);
    if (files)
        *files = c.files;
    return c.bytes;
}

const char *rel_size_human(char *buf, size_t n, uint64_t bytes)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    if (bytes < 1000) {
        snprintf(buf, n, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    double v = (double)bytes / 1000.0;
    size_t u = 0;
    while (v >= 999.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, units[u]);
    return buf;
}
