/*
 * size.c - the size of a release and sizes for people (see size.h).
 */
#include "size.h"

#include "alloc.h"
#include "path.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 64
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

static void walk(const char *dir, int depth, uint64_t *bytes, uint64_t *files)
{
    DIR *d = depth < MAX_DEPTH ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) && *files < MAX_FILES) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || (depth == 0 && !rel_size_counts(n)))
            continue;
        char *path = rel_path_join2(dir, n);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                walk(path, depth + 1, bytes, files);
            } else if (S_ISREG(st.st_mode)) {
                *bytes += (uint64_t)st.st_size;
                (*files)++;
            }
        }
        free(path);
    }
    closedir(d);
}

uint64_t rel_size_tree(const char *root, uint64_t *files)
{
    uint64_t bytes = 0, n = 0;
    walk(root, 0, &bytes, &n);
    if (files)
        *files = n;
    return bytes;
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
