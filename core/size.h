/*
 * size.h - THE size of a release, and the one way sizes are written for
 * people. Every place that shows how big a release is (relman assemble's
 * report, the TUI's assemble outcome and Releases screen, relman inspect
 * and the TUI's Inspect screen) uses these, so one release shows one
 * figure (docs/assemble.md, "The size of a release").
 *
 * The size of a release is the sum of the apparent sizes (st_size, in
 * bytes) of the regular files in its tree: symlinks and directories count
 * nothing, a hard-linked file counts at each of its paths, and two
 * top-level directories are not the release's content and are left out:
 * tmp/ (what a running node writes: logs, pipes) and .relman/ (relman's
 * bookkeeping, the manifest). For a tarball: the same over its members
 * (what it unpacks to), not the compressed file's size.
 */
#ifndef REL_SIZE_H
#define REL_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does the file at `path` (relative to the release root) count? */
bool rel_size_counts(const char *path);

/* The size of the release tree at `root` (and how many files it counted;
 * `files` may be NULL). A missing or unreadable root is 0; entries that
 * cannot be read are skipped. Bounded: 64 levels, 1,000,000 files. */
uint64_t rel_size_tree(const char *root, uint64_t *files);

/* `bytes` for people, decimal units with one rule: "899 B", "17.2 kB",
 * "11.3 MB", "1.2 GB" (1 kB = 1000 B; one decimal from kB on). Writes at
 * most `n` bytes into `buf`; returns `buf`. */
const char *rel_size_human(char *buf, size_t n, uint64_t bytes);

#endif
