/*
 * tarball.h - release tarballs (gzip'd tar, libarchive): pack, inspect,
 * and extract safely.
 *
 * Packing is reproducible: entries are sorted by path, owned by uid/gid 0
 * with no user/group names, regular files and directories only (symlinks are
 * followed, as `mix release`'s tar step does), modes kept, mtimes taken from
 * SOURCE_DATE_EPOCH when it is set, and the gzip header carries no
 * timestamp and no file name. The same tree gives the same bytes.
 *
 * Extraction trusts nothing in the archive. It unpacks into a fresh
 * directory beside the destination and renames it into place at the end, so
 * a failure leaves nothing at the destination. It refuses: absolute paths,
 * ".." components, empty names, duplicate entries, hard links, devices,
 * FIFOs and sockets, symlinks whose target is absolute or leaves the root,
 * anything written through a symlink, and archives beyond the caps in
 * struct rel_tarball_limits. setuid/setgid/sticky bits are dropped; owners
 * are not restored.
 */
#ifndef REL_TARBALL_H
#define REL_TARBALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rel_buf;
struct rel_events;

enum rel_tar_type { REL_TAR_FILE, REL_TAR_DIR, REL_TAR_SYMLINK, REL_TAR_HARDLINK, REL_TAR_OTHER };

struct rel_tar_entry {
    char *path; /* as stored (a leading "./" removed) */
    enum rel_tar_type type;
    mode_t mode; /* permission bits */
    uint64_t size;
    char *link; /* symlink/hardlink target, or NULL */
};

struct rel_tarball_limits {
    size_t max_entries;       /* 0: 200000 */
    uint64_t max_entry_bytes; /* 0: 2 GiB */
    uint64_t max_total_bytes; /* 0: 8 GiB */
};

/*
 * Pack `root`/paths[i] (files or directories, recursively; relative to
 * root, each must exist) into the gzip'd tar `out_path`, written atomically
 * (temp file + rename). Entry names are the relative paths. `mtime` >= 0
 * forces every entry's mtime; -1 means SOURCE_DATE_EPOCH when set, else the
 * files' own. Progress goes to `ev` (may be NULL) as step "tar".
 */
int rel_tarball_pack(const char *out_path, const char *root, const char *const *paths,
                     size_t npaths, long long mtime, const struct rel_events *ev);

/*
 * The one loop that reads a tarball (gzip'd or plain tar): every entry of
 * the tarball at `path`, in archive order and without the archive's root
 * ("./"), goes to visit(ctx, e, data). `e` (its path without a leading "./"
 * or a trailing "/") and `data` are valid during the call only; the entry's
 * contents can be read through `data` (rel_tarball_data_read), once. visit
 * returns 0 to go on, or a negative REL_E* code, which ends the walk and is
 * returned unchanged.
 *
 * The walk refuses more than lim->max_entries entries ("PATH: more than N
 * entries"; `lim` NULL: the defaults). With REL_TARBALL_SAFE in `flags` it
 * also refuses, before visit sees it, what rel_tarball_extract() refuses of
 * an entry (rel_tarball_check_entry: absolute paths, "..", escaping or
 * absolute symlinks, hard links, devices; the size caps; an entry that
 * appears twice), with the message prefixed by PATH, and hands over the mode
 * without its setuid, setgid and sticky bits. It does not check for writes
 * through a symlink (rel_tarball_check does, from a listing).
 * Errors: REL_EIO when libarchive cannot be loaded, the file cannot be
 * opened ("cannot open PATH: ...") or read ("cannot read PATH: ...").
 */
enum { REL_TARBALL_SAFE = 1 << 0 };
struct rel_tarball_data;
typedef int (*rel_tarball_visit_fn)(void *ctx, const struct rel_tar_entry *e,
                                    struct rel_tarball_data *data);
int rel_tarball_each(const char *path, const struct rel_tarball_limits *lim, unsigned flags,
                     rel_tarball_visit_fn visit, void *ctx);

/* Append the contents of the entry being visited to `out`; more than `max`
 * bytes is REL_ELIMIT ("NAME: larger than MAX bytes"). */
int rel_tarball_data_read(struct rel_tarball_data *data, struct rel_buf *out, size_t max);

/* List every entry of the tarball at `path` (gzip'd or plain tar). *out is a
 * malloc'd array; free it with rel_tarball_entries_free(). Bounded by `lim`
 * (NULL: defaults). */
int rel_tarball_list(struct rel_tar_entry **out, size_t *count, const char *path,
                     const struct rel_tarball_limits *lim);
void rel_tarball_entries_free(struct rel_tar_entry *entries, size_t count);

/* Read the regular-file members named in `names` (n of them) in one pass:
 * bufs[i] receives the contents of names[i] and found[i] says whether it was
 * there. A member larger than `max` is an error. */
int rel_tarball_read_members(const char *path, const char *const *names, size_t n,
                             struct rel_buf *bufs, bool *found, size_t max);

/* Extract the tarball at `path` into `dest`, which must not exist. On any
 * failure nothing is left at `dest` and the error names the entry. */
int rel_tarball_extract(const char *path, const char *dest, const struct rel_tarball_limits *lim,
                        const struct rel_events *ev);

/* Whether an entry name and (for symlinks) its target are acceptable on
 * their own: the checks extraction applies to each entry before touching the
 * disk. Sets the error message when not. */
int rel_tarball_check_entry(const struct rel_tar_entry *e);

/*
 * Everything rel_tarball_extract() would refuse, decided from a listing
 * (rel_tarball_list) without unpacking: each entry by
 * rel_tarball_check_entry(), the size caps of `lim` (NULL: defaults), an
 * entry that appears twice, and an entry below a path that the archive makes
 * a symlink (it would be written through the link). For callers that hand
 * the tarball to another unpacker (deploy runs `tar` on the host). The
 * message names the entry; REL_EUNSAFE or REL_ELIMIT.
 */
int rel_tarball_check(const struct rel_tar_entry *entries, size_t n,
                      const struct rel_tarball_limits *lim);

#endif
