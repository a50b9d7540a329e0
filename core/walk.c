/*
 * walk.c - a bounded walk over a directory tree (see walk.h).
 */
#include "walk.h"

#include "alloc.h"
#include "path.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* false when the walk was stopped */
static bool walk(const char *dir, int depth, const struct rel_walk_ops *ops, void *ctx)
{
    DIR *d = depth < REL_WALK_MAX_DEPTH ? opendir(dir) : NULL;
    if (!d)
        return true;
    bool go = true;
    struct dirent *de;
    while (go && (de = readdir(d))) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        char *path = rel_path_join2(dir, n);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                go = ops->entry(ctx, n, depth, &st);
            else if (!ops->enter || ops->enter(ctx, n, depth))
                go = walk(path, depth + 1, ops, ctx);
        }
        free(path);
    }
    closedir(d);
    return go;
}

void rel_walk(const char *root, const struct rel_walk_ops *ops, void *ctx)
{
    walk(root, 0, ops, ctx);
}
