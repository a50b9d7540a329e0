/*
 * walk.h - a bounded walk over a directory tree that never follows
 * symlinks: what the size of a release (core/size.h) and "is a build
 * needed?" (core/build.h) both read.
 */
#ifndef REL_WALK_H
#define REL_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define REL_WALK_MAX_DEPTH 64

struct rel_walk_ops {
    /* A directory below the root: descend into it? NULL: always. `name`
     * is its last component, `depth` 0 for the root's entries. */
    bool (*enter)(void *ctx, const char *name, int depth);
    /* Every entry that is not a directory (lstat: symlinks are reported,
     * never followed). Return false to stop the walk. */
    bool (*entry)(void *ctx, const char *name, int depth, const struct stat *st);
};

/* Walk below `root` (entries that cannot be read are skipped; at most
 * REL_WALK_MAX_DEPTH levels). A missing root walks nothing. */
void rel_walk(const char *root, const struct rel_walk_ops *ops, void *ctx);

#endif
