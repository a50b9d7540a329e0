/*
 * path.h - path helpers. Pure string work: nothing here touches the disk.
 */
#ifndef REL_PATH_H
#define REL_PATH_H

#include <stdbool.h>

struct rel_buf;

/* Append `a` joined with `b` to `out` ("a/b"; "b" alone when b is absolute or
 * a is empty; no doubled slashes). Returns 0 or REL_ELIMIT. */
int rel_path_join(struct rel_buf *out, const char *a, const char *b);

/* Join into a new malloc'd string. */
char *rel_path_join2(const char *a, const char *b);

/* Normalise lexically into a new malloc'd string: fold repeated '/', drop "."
 * components, resolve ".." against the preceding component, drop a trailing
 * '/'. An absolute path stays absolute and ".." at its root is dropped
 * ("/.." -> "/"); a relative path keeps leading ".." components ("../a").
 * A path that normalises to nothing becomes ".". */
char *rel_path_normalize(const char *path);

/* True when `path` is a non-empty relative path that stays inside its base
 * directory after normalisation: not absolute, no leading "..", no NUL
 * tricks. This is the check applied to archive entries and overlay files. */
bool rel_path_is_safe_relative(const char *path);

/* The directory part ("a/b" for "a/b/c", "." for "c", "/" for "/c"), and the
 * last component ("c"), as new malloc'd strings. */
char *rel_path_dirname(const char *path);
char *rel_path_basename(const char *path);

#endif
