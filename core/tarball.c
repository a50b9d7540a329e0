#define _GNU_SOURCE
#include "tarball.h"

#include "alloc.h"
#include "archive_dl.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_ENTRIES 200000
#define DEFAULT_MAX_ENTRY ((uint64_t)2 << 30)
#define DEFAULT_MAX_TOTAL ((uint64_t)8 << 30)
#define MAX_DEPTH 64

static void limits_fill(struct rel_tarball_limits *l, const struct rel_tarball_limits *in)
{
    *l = in ? *in : (struct rel_tarball_limits){0};
    if (!l->max_entries)
        l->max_entries = DEFAULT_MAX_ENTRIES;
    if (!l->max_entry_bytes)
        l->max_entry_bytes = DEFAULT_MAX_ENTRY;
    if (!l->max_total_bytes)
        l->max_total_bytes = DEFAULT_MAX_TOTAL;
}

/* The one place libarchive's errors become relman's. */
static int ar_error(struct archive *a, const char *what, const char *path)
{
    const char *msg = a ? AR(archive_error_string)(a) : NULL;
    return rel_error_set(REL_EIO, "%s %s: %s", what, path, msg ? msg : "libarchive error");
}

/* ---------------------------------------------------------------- packing */

struct pack_ent {
    char *rel; /* name in the archive */
    char *abs; /* where it is on disk */
    struct stat st;
};

struct pack_list {
    struct pack_ent *v;
    size_t n, cap;
};

struct dir_id {
    dev_t dev;
    ino_t ino;
};

static void pack_push(struct pack_list *l, const char *rel, const char *abs, const struct stat *st)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = rel_reallocarray(l->v, l->cap, sizeof(*l->v));
    }
    l->v[l->n++] = (struct pack_ent){rel_strdup(rel), rel_strdup(abs), *st};
}

static int pack_walk(struct pack_list *l, const char *abs, const char *rel, struct dir_id *stack,
                     int depth)
{
    struct stat st;
    if (stat(abs, &st) < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot read %s", abs);
    if (S_ISREG(st.st_mode)) {
        pack_push(l, rel, abs, &st);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return rel_error_set(REL_EUNSUPPORTED, "%s: not a regular file or directory", abs);
    if (depth >= MAX_DEPTH)
        return rel_error_set(REL_ELIMIT, "%s: directories nested deeper than %d", abs, MAX_DEPTH);
    for (int i = 0; i < depth; i++)
        if (stack[i].dev == st.st_dev && stack[i].ino == st.st_ino)
            return rel_error_set(REL_EUNSAFE, "%s: symlink loop", abs);
    stack[depth] = (struct dir_id){st.st_dev, st.st_ino};
    pack_push(l, rel, abs, &st);
    DIR *d = opendir(abs);
    if (!d)
        return rel_error_set_errno(REL_EIO, errno, "cannot read directory %s", abs);
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *cabs = rel_path_join2(abs, de->d_name);
        char *crel = rel_path_join2(rel, de->d_name);
        rc = pack_walk(l, cabs, crel, stack, depth + 1);
        free(cabs);
        free(crel);
        if (rc)
            break;
    }
    closedir(d);
    return rc;
}

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pack_ent *)a)->rel, ((const struct pack_ent *)b)->rel);
}

static int source_date_epoch(long long *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    *out = -1;
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return rel_error_set(REL_EINVAL, "SOURCE_DATE_EPOCH must be a number of seconds, not '%s'",
                             s);
    *out = v;
    return 0;
}

static int pack_file(struct archive *a, const struct pack_ent *e, uint64_t *bytes,
                     const struct rel_events *ev, uint64_t files_done)
{
    int fd = open(e->abs, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot open %s", e->abs);
    char chunk[65536];
    uint64_t left = (uint64_t)e->st.st_size;
    int rc = 0;
    while (left > 0) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", e->abs);
            break;
        }
        if (n == 0) {
            rc = rel_error_set(REL_EIO, "%s changed size while being packed", e->abs);
            break;
        }
        if ((uint64_t)n > left)
            n = (ssize_t)left;
        if (AR(archive_write_data)(a, chunk, (size_t)n) != n) {
            rc = ar_error(a, "cannot write", e->rel);
            break;
        }
        left -= (uint64_t)n;
        *bytes += (uint64_t)n;
        rel_event_advance(ev, files_done, *bytes);
    }
    close(fd);
    return rc;
}

int rel_tarball_pack(const char *out_path, const char *root, const char *const *paths,
                     size_t npaths, long long mtime, const struct rel_events *ev)
{
    int rc_load = rel_archive_load();
    if (rc_load < 0)
        return rc_load;
    struct pack_list l = {0};
    struct archive *a = NULL;
    struct archive_entry *ent = NULL;
    char *tmp = rel_asprintf("%s.tmp.%ld", out_path, (long)getpid());
    struct dir_id stack[MAX_DEPTH];
    int rc = 0;
    bool opened = false;

    if (mtime < 0 && (rc = source_date_epoch(&mtime)) < 0)
        goto cleanup;
    for (size_t i = 0; i < npaths; i++) {
        if (!rel_path_is_safe_relative(paths[i])) {
            rc = rel_error_set(REL_EUNSAFE, "cannot pack %s: not a relative path inside %s",
                               paths[i], root);
            goto cleanup;
        }
        char *abs = rel_path_join2(root, paths[i]);
        char *rel = rel_path_normalize(paths[i]);
        rc = pack_walk(&l, abs, rel, stack, 0);
        free(abs);
        free(rel);
        if (rc)
            goto cleanup;
    }
    qsort(l.v, l.n, sizeof(*l.v), ent_cmp);

    uint64_t files_total = 0, bytes_total = 0;
    for (size_t i = 0; i < l.n; i++)
        if (S_ISREG(l.v[i].st.st_mode)) {
            files_total++;
            bytes_total += (uint64_t)l.v[i].st.st_size;
        }
    rel_event_begin(ev, "tar", files_total, bytes_total);

    a = AR(archive_write_new)();
    if (AR(archive_write_add_filter_gzip)(a) != ARCHIVE_OK ||
        AR(archive_write_set_filter_option)(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
        AR(archive_write_set_format_pax_restricted)(a) != ARCHIVE_OK) {
        rc = ar_error(a, "cannot set up", out_path);
        goto cleanup;
    }
    if (AR(archive_write_open_filename)(a, tmp) != ARCHIVE_OK) {
        rc = ar_error(a, "cannot create", tmp);
        goto cleanup;
    }
    opened = true;
    ent = AR(archive_entry_new)();
    uint64_t files_done = 0, bytes_done = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct pack_ent *e = &l.v[i];
        if (i > 0 && strcmp(e->rel, l.v[i - 1].rel) == 0)
            continue; /* the same path given twice */
        AR(archive_entry_clear)(ent);
        bool dir = S_ISDIR(e->st.st_mode);
        if (dir) {
            char *name = rel_asprintf("%s/", e->rel);
            AR(archive_entry_copy_pathname)(ent, name);
            free(name);
        } else {
            AR(archive_entry_copy_pathname)(ent, e->rel);
        }
        AR(archive_entry_set_filetype)(ent, dir ? AE_IFDIR : AE_IFREG);
        AR(archive_entry_set_perm)(ent, e->st.st_mode & 07777);
        AR(archive_entry_set_size)(ent, dir ? 0 : e->st.st_size);
        AR(archive_entry_set_mtime)(ent, mtime >= 0 ? (time_t)mtime : e->st.st_mtime, 0);
        AR(archive_entry_set_uid)(ent, 0);
        AR(archive_entry_set_gid)(ent, 0);
        if (AR(archive_write_header)(a, ent) != ARCHIVE_OK) {
            rc = ar_error(a, "cannot write", e->rel);
            goto cleanup;
        }
        if (!dir) {
            if ((rc = pack_file(a, e, &bytes_done, ev, files_done)) < 0)
                goto cleanup;
            files_done++;
            rel_event_advance(ev, files_done, bytes_done);
        }
    }
    if (AR(archive_write_close)(a) != ARCHIVE_OK) {
        rc = ar_error(a, "cannot finish", tmp);
        goto cleanup;
    }
    if (rename(tmp, out_path) < 0)
        rc = rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", tmp, out_path);

cleanup:
    if (ent)
        AR(archive_entry_free)(ent);
    if (a)
        AR(archive_write_free)(a);
    if (rc && opened)
        unlink(tmp);
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].rel);
        free(l.v[i].abs);
    }
    free(l.v);
    free(tmp);
    rel_event_end(ev, "tar", rc);
    return rc;
}

/* ---------------------------------------------------------- entry checks */

static bool has_dotdot(const char *p)
{
    for (const char *s = p; *s;) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.')
            return true;
        if (!slash)
            break;
        s = slash + 1;
    }
    return false;
}

int rel_tarball_check_entry(const struct rel_tar_entry *e)
{
    const char *p = e->path;
    if (!p || !*p)
        return rel_error_set(REL_EUNSAFE, "archive entry with an empty name");
    if (p[0] == '/')
        return rel_error_set(REL_EUNSAFE, "%s: absolute path in archive", p);
    if (has_dotdot(p))
        return rel_error_set(REL_EUNSAFE, "%s: '..' in archive path", p);
    switch (e->type) {
    case REL_TAR_FILE:
    case REL_TAR_DIR:
        return 0;
    case REL_TAR_HARDLINK:
        return rel_error_set(REL_EUNSAFE, "%s: hard links are not accepted in a release archive",
                             p);
    case REL_TAR_OTHER:
        return rel_error_set(REL_EUNSAFE,
                             "%s: devices, FIFOs and sockets are not accepted in an archive", p);
    case REL_TAR_SYMLINK:
        break;
    }
    if (!e->link || !*e->link)
        return rel_error_set(REL_EUNSAFE, "%s: symlink without a target", p);
    if (e->link[0] == '/')
        return rel_error_set(REL_EUNSAFE, "%s: symlink to an absolute path (%s)", p, e->link);
    char *dir = rel_path_dirname(p);
    char *joined = rel_path_join2(dir, e->link);
    char *norm = rel_path_normalize(joined);
    bool escapes = strcmp(norm, "..") == 0 || strncmp(norm, "../", 3) == 0;
    free(dir);
    free(joined);
    free(norm);
    if (escapes)
        return rel_error_set(REL_EUNSAFE, "%s: symlink leaves the archive root (%s)", p, e->link);
    return 0;
}

/* A set of strings (open addressing) to catch duplicate entries. */
struct strset {
    char **slot;
    size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* true when added, false when already present. */
static bool strset_add(struct strset *set, const char *s)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 256;
        char **ns = rel_calloc(ncap, sizeof(*ns));
        for (size_t i = 0; i < set->cap; i++)
            if (set->slot[i]) {
                size_t j = str_hash(set->slot[i]) & (ncap - 1);
                while (ns[j])
                    j = (j + 1) & (ncap - 1);
                ns[j] = set->slot[i];
            }
        free(set->slot);
        set->slot = ns;
        set->cap = ncap;
    }
    size_t j = str_hash(s) & (set->cap - 1);
    while (set->slot[j]) {
        if (strcmp(set->slot[j], s) == 0)
            return false;
        j = (j + 1) & (set->cap - 1);
    }
    set->slot[j] = rel_strdup(s);
    set->n++;
    return true;
}

static bool strset_has(const struct strset *set, const char *s)
{
    if (!set->cap)
        return false;
    for (size_t j = str_hash(s) & (set->cap - 1); set->slot[j]; j = (j + 1) & (set->cap - 1))
        if (strcmp(set->slot[j], s) == 0)
            return true;
    return false;
}

static void strset_free(struct strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slot[i]);
    free(set->slot);
}

/*
 * What extraction refuses, decided one entry at a time: the entry on its own
 * (rel_tarball_check_entry), the caps, an entry seen before and, with
 * `links`, an entry below a path an earlier entry made a symlink. The one
 * copy of these checks, for rel_tarball_check() and for safe walks.
 */
struct guard {
    struct rel_tarball_limits lim;
    bool links;
    size_t count;
    uint64_t total;
    struct strset seen, symlinks;
};

static void guard_init(struct guard *g, const struct rel_tarball_limits *lim, bool links)
{
    *g = (struct guard){.links = links};
    limits_fill(&g->lim, lim);
}

static void guard_free(struct guard *g)
{
    strset_free(&g->seen);
    strset_free(&g->symlinks);
}

static int guard_entry(struct guard *g, const struct rel_tar_entry *e)
{
    int rc = rel_tarball_check_entry(e);
    if (rc < 0)
        return rc;
    if (++g->count > g->lim.max_entries)
        return rel_error_set(REL_ELIMIT, "more than %zu entries", g->lim.max_entries);
    if (e->size > g->lim.max_entry_bytes)
        return rel_error_set(REL_ELIMIT, "%s: larger than %llu bytes", e->path,
                             (unsigned long long)g->lim.max_entry_bytes);
    if ((g->total += e->size) > g->lim.max_total_bytes)
        return rel_error_set(REL_ELIMIT, "more than %llu bytes in all",
                             (unsigned long long)g->lim.max_total_bytes);
    if (!strset_add(&g->seen, e->path))
        return rel_error_set(REL_EUNSAFE, "%s: appears twice in the archive", e->path);
    if (!g->links)
        return 0;
    /* a directory above this entry that an earlier entry made a symlink */
    char *dir = rel_strdup(e->path);
    for (char *slash = strchr(dir, '/'); slash && rc == 0; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (strset_has(&g->symlinks, dir))
            rc = rel_error_set(REL_EUNSAFE, "%s: written through the symlink %s", e->path, dir);
        *slash = '/';
    }
    free(dir);
    if (rc == 0 && e->type == REL_TAR_SYMLINK)
        strset_add(&g->symlinks, e->path);
    return rc;
}

/* ---- symlink chains ---- */

#define MAX_LINK_HOPS 40 /* as the kernel's ELOOP limit */

static int link_cmp(const void *a, const void *b)
{
    const struct rel_tar_entry *x = *(const struct rel_tar_entry *const *)a;
    const struct rel_tar_entry *y = *(const struct rel_tar_entry *const *)b;
    return strcmp(x->path, y->path);
}

/* The symlink entry named `path`, or NULL. */
static const struct rel_tar_entry *find_link(const struct rel_tar_entry **links, size_t n,
                                             const char *path)
{
    struct rel_tar_entry key = {.path = (char *)path};
    const struct rel_tar_entry *k = &key;
    const struct rel_tar_entry **f = bsearch(&k, links, n, sizeof(*links), link_cmp);
    return f ? *f : NULL;
}

/*
 * Resolve symlink `e` as the kernel would once unpacked, following the
 * archive's other symlinks: each component of DIR/TARGET in turn, ".."
 * going up from where the path really is (after any link before it). A
 * chain whose links each stay inside the tree can still leave it together
 * (`a -> .` then `b -> a/../..`); that, and loops, are REL_EUNSAFE.
 */
static int check_chain(const struct rel_tar_entry *e, const struct rel_tar_entry **links, size_t n)
{
    /* the path so far, as components joined by '/', and what is left */
    struct rel_buf cur = REL_BUF_INIT, rest = REL_BUF_INIT;
    const char *slash = strrchr(e->path, '/');
    if (slash)
        rel_buf_put(&cur, e->path, (size_t)(slash - e->path));
    rel_buf_puts(&rest, e->link);
    int hops = 0, rc = 0;
    while (rest.len > 0 && rc == 0) {
        char *r = rel_buf_detach(&rest);
        char *p = r;
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        char *comp = rel_strndup(p, len);
        rel_buf_init(&rest, 0);
        if (p[len])
            rel_buf_puts(&rest, p + len + 1);
        if (strcmp(comp, "..") == 0) {
            const char *c = rel_buf_cstr(&cur);
            const char *up = strrchr(c, '/');
            if (cur.len == 0)
                rc = rel_error_set(REL_EUNSAFE, "%s: symlink to %s leaves the tree (through "
                                                "other links)", e->path, e->link);
            else
                rel_buf_truncate(&cur, up ? (size_t)(up - c) : 0);
        } else if (*comp && strcmp(comp, ".") != 0) {
            size_t before = cur.len;
            if (cur.len)
                rel_buf_putc(&cur, '/');
            rel_buf_puts(&cur, comp);
            const struct rel_tar_entry *l = find_link(links, n, rel_buf_cstr(&cur));
            if (l) {
                if (++hops > MAX_LINK_HOPS) {
                    rc = rel_error_set(REL_EUNSAFE, "%s: symlink to %s: too many levels of "
                                                    "links (a loop?)", e->path, e->link);
                } else {
                    /* continue from the link's directory with its target,
                     * then what was left */
                    rel_buf_truncate(&cur, before);
                    char *left = rel_buf_detach(&rest);
                    rel_buf_init(&rest, 0);
                    rel_buf_puts(&rest, l->link);
                    if (*left) {
                        rel_buf_putc(&rest, '/');
                        rel_buf_puts(&rest, left);
                    }
                    free(left);
                }
            }
        }
        free(comp);
        free(r);
    }
    rel_buf_free(&cur);
    rel_buf_free(&rest);
    return rc;
}

int rel_tarball_check(const struct rel_tar_entry *entries, size_t n,
                      const struct rel_tarball_limits *lim)
{
    struct guard g;
    guard_init(&g, lim, true);
    int rc = 0;
    if (n > g.lim.max_entries)
        rc = rel_error_set(REL_ELIMIT, "more than %zu entries", g.lim.max_entries);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = guard_entry(&g, &entries[i]);
    guard_free(&g);
    /* every link resolved through the others stays inside */
    const struct rel_tar_entry **links = rc == 0 ? rel_calloc(n ? n : 1, sizeof(*links)) : NULL;
    size_t nl = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (entries[i].type == REL_TAR_SYMLINK && entries[i].link)
            links[nl++] = &entries[i];
    if (rc == 0)
        qsort(links, nl, sizeof(*links), link_cmp);
    for (size_t i = 0; rc == 0 && i < nl; i++)
        rc = check_chain(links[i], links, nl);
    free(links);
    return rc;
}

/* ---------------------------------------------------------------- reading */

static struct archive *open_read(const char *path)
{
    struct archive *a = AR(archive_read_new)();
    AR(archive_read_support_filter_all)(a);
    AR(archive_read_support_format_tar)(a);
    if (AR(archive_read_open_filename)(a, path, 65536) != ARCHIVE_OK) {
        ar_error(a, "cannot open", path);
        AR(archive_read_free)(a);
        return NULL;
    }
    return a;
}

/* The entry's name without a leading "./" (malloc'd), or NULL for the
 * archive root itself ("./"). */
static char *entry_name(struct archive_entry *ae)
{
    const char *p = AR(archive_entry_pathname)(ae);
    if (!p || !*p)
        return rel_strdup(""); /* refused by rel_tarball_check_entry */
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    if (n == 0 || (n == 1 && p[0] == '.'))
        return NULL;
    return rel_strndup(p, n);
}

static void fill_entry(struct rel_tar_entry *e, struct archive_entry *ae, char *name)
{
    mode_t ft = AR(archive_entry_filetype)(ae);
    e->path = name;
    e->mode = AR(archive_entry_perm)(ae);
    e->size = AR(archive_entry_size_is_set)(ae) ? (uint64_t)AR(archive_entry_size)(ae) : 0;
    e->link = NULL;
    const char *hl = AR(archive_entry_hardlink)(ae);
    if (hl) {
        e->type = REL_TAR_HARDLINK;
        e->link = rel_strdup(hl);
    } else if (ft == AE_IFREG) {
        e->type = REL_TAR_FILE;
    } else if (ft == AE_IFDIR) {
        e->type = REL_TAR_DIR;
    } else if (ft == AE_IFLNK) {
        e->type = REL_TAR_SYMLINK;
        const char *t = AR(archive_entry_symlink)(ae);
        e->link = rel_strdup(t ? t : "");
    } else {
        e->type = REL_TAR_OTHER;
    }
}

struct rel_tarball_data {
    struct archive *a;
    struct archive_entry *ae;
    const struct rel_tar_entry *e;
};

static int read_data(struct archive *a, struct rel_buf *out, const char *what, size_t max)
{
    char chunk[65536];
    for (;;) {
        la_ssize_t n = AR(archive_read_data)(a, chunk, sizeof(chunk));
        if (n == 0)
            return 0;
        if (n < 0)
            return ar_error(a, "cannot read", what);
        if (out->len + (size_t)n > max)
            return rel_error_set(REL_ELIMIT, "%s: larger than %zu bytes", what, max);
        int rc = rel_buf_put(out, chunk, (size_t)n);
        if (rc < 0)
            return rc;
    }
}

int rel_tarball_data_read(struct rel_tarball_data *d, struct rel_buf *out, size_t max)
{
    return read_data(d->a, out, d->e->path, max);
}

/*
 * The read loop: every entry of the open archive `a` (read from `path`,
 * named in errors) but its root, in archive order, to `visit`. See
 * rel_tarball_each() for the rules; the callers that open the archive
 * themselves (to order their own set-up, or to prefix every error after the
 * open) call this directly.
 */
static int walk(struct archive *a, const char *path, const struct rel_tarball_limits *lim,
                unsigned flags, rel_tarball_visit_fn visit, void *ctx)
{
    struct guard g;
    guard_init(&g, lim, false);
    int rc = 0;
    struct archive_entry *ae;
    for (;;) {
        int r = AR(archive_read_next_header)(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            rc = ar_error(a, "cannot read", path);
            break;
        }
        char *name = entry_name(ae);
        if (!name)
            continue;
        struct rel_tar_entry e;
        fill_entry(&e, ae, name);
        if (flags & REL_TARBALL_SAFE) {
            if ((rc = guard_entry(&g, &e)) < 0)
                rel_error_prefix("%s", path);
            e.mode &= 0777;
        } else if (++g.count > g.lim.max_entries) {
            rc = rel_error_set(REL_ELIMIT, "%s: more than %zu entries", path, g.lim.max_entries);
        }
        if (rc == 0) {
            struct rel_tarball_data d = {a, ae, &e};
            rc = visit(ctx, &e, &d);
        }
        free(e.path);
        free(e.link);
        if (rc)
            break;
    }
    guard_free(&g);
    return rc;
}

int rel_tarball_each(const char *path, const struct rel_tarball_limits *lim, unsigned flags,
                     rel_tarball_visit_fn visit, void *ctx)
{
    int rc = rel_archive_load();
    if (rc < 0)
        return rc;
    struct archive *a = open_read(path);
    if (!a)
        return REL_EIO;
    rc = walk(a, path, lim, flags, visit, ctx);
    AR(archive_read_free)(a);
    return rc;
}

void rel_tarball_entries_free(struct rel_tar_entry *entries, size_t count)
{
    if (!entries)
        return;
    for (size_t i = 0; i < count; i++) {
        free(entries[i].path);
        free(entries[i].link);
    }
    free(entries);
}

struct list_ctx {
    struct rel_tar_entry *v;
    size_t n, cap;
};

static int list_entry(void *ctx, const struct rel_tar_entry *e, struct rel_tarball_data *data)
{
    (void)data;
    struct list_ctx *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = rel_reallocarray(l->v, l->cap, sizeof(*l->v));
    }
    l->v[l->n++] = (struct rel_tar_entry){rel_strdup(e->path), e->type, e->mode, e->size,
                                          e->link ? rel_strdup(e->link) : NULL};
    return 0;
}

int rel_tarball_list(struct rel_tar_entry **out, size_t *count, const char *path,
                     const struct rel_tarball_limits *lim)
{
    *out = NULL;
    *count = 0;
    struct list_ctx l = {0};
    int rc = rel_tarball_each(path, lim, 0, list_entry, &l);
    if (rc) {
        rel_tarball_entries_free(l.v, l.n);
        return rc;
    }
    *out = l.v;
    *count = l.n;
    return 0;
}

struct members_ctx {
    const char *const *names;
    size_t n;
    struct rel_buf *bufs;
    bool *found;
    size_t max;
};

static int member_entry(void *ctx, const struct rel_tar_entry *e, struct rel_tarball_data *data)
{
    struct members_ctx *m = ctx;
    if (e->type != REL_TAR_FILE)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        if (!m->found[i] && strcmp(e->path, m->names[i]) == 0) {
            m->found[i] = true;
            return rel_tarball_data_read(data, &m->bufs[i], m->max);
        }
    }
    return 0;
}

int rel_tarball_read_members(const char *path, const char *const *names, size_t n,
                             struct rel_buf *bufs, bool *found, size_t max)
{
    int rc = rel_archive_load();
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        found[i] = false;
    struct archive *a = open_read(path);
    if (!a)
        return REL_EIO;
    struct members_ctx m = {names, n, bufs, found, max};
    /* no cap on the number of entries: nothing is kept per entry */
    rc = walk(a, path, &(struct rel_tarball_limits){.max_entries = SIZE_MAX}, 0, member_entry, &m);
    AR(archive_read_free)(a);
    if (rc)
        rel_error_prefix("%s", path);
    return rc;
}

/* ------------------------------------------------------------- extraction */

struct extract_ctx {
    struct archive *w;
    const char *tmp;  /* the fresh directory entries go to */
    const char *path; /* the tarball, for errors */
    const struct rel_events *ev;
    size_t count;
    uint64_t total;
};

/* Write one entry (already checked by the safe walk) below x->tmp. */
static int extract_entry(void *ctx, const struct rel_tar_entry *e, struct rel_tarball_data *d)
{
    struct extract_ctx *x = ctx;
    int rc = 0;
    char *full = rel_asprintf("%s/%s", x->tmp, e->path);
    AR(archive_entry_copy_pathname)(d->ae, full);
    AR(archive_entry_set_perm)(d->ae, e->mode);
    AR(archive_entry_set_uid)(d->ae, getuid());
    AR(archive_entry_set_gid)(d->ae, getgid());
    free(full);
    if (AR(archive_write_header)(x->w, d->ae) != ARCHIVE_OK) {
        rc = ar_error(x->w, "cannot extract", e->path);
    } else if (e->type == REL_TAR_FILE) {
        const void *blk;
        size_t len;
        la_int64_t off;
        for (;;) {
            int dr = AR(archive_read_data_block)(d->a, &blk, &len, &off);
            if (dr == ARCHIVE_EOF)
                break;
            if (dr != ARCHIVE_OK) {
                rc = ar_error(d->a, "cannot read", e->path);
                break;
            }
            if ((uint64_t)off + len > e->size) {
                rc = rel_error_set(REL_EFORMAT, "%s: more data than its size", e->path);
                break;
            }
            if (AR(archive_write_data_block)(x->w, blk, len, off) != ARCHIVE_OK) {
                rc = ar_error(x->w, "cannot write", e->path);
                break;
            }
        }
    }
    if (rc == 0 && AR(archive_write_finish_entry)(x->w) != ARCHIVE_OK)
        rc = ar_error(x->w, "cannot finish", e->path);
    if (rc) {
        rel_error_prefix("%s", x->path);
        return rc;
    }
    x->count++;
    x->total += e->size;
    rel_event_advance(x->ev, x->count, x->total);
    return 0;
}

int rel_tarball_extract(const char *path, const char *dest, const struct rel_tarball_limits *lim,
                        const struct rel_events *ev)
{
    int rc_load = rel_archive_load();
    if (rc_load < 0)
        return rc_load;
    struct archive *a = NULL, *w = NULL;
    char *parent = NULL, *real_parent = NULL, *base = NULL, *tmp = NULL;
    int rc = 0;
    bool made_tmp = false;
    struct stat st;

    if (lstat(dest, &st) == 0) {
        rc = rel_error_set(REL_EEXISTS, "cannot extract into %s: it already exists", dest);
        goto cleanup;
    }
    /* Work with the real parent directory, so that no symlink lies on the
     * path libarchive checks. */
    parent = rel_path_dirname(dest);
    base = rel_path_basename(dest);
    real_parent = rel_fs_realpath(parent);
    if (!real_parent) {
        rc = rel_error_code();
        goto cleanup;
    }
    tmp = rel_asprintf("%s/.%s.extract.%ld", real_parent, base, (long)getpid());
    rel_fs_remove_tree(tmp);
    if (mkdir(tmp, 0700) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", tmp);
        goto cleanup;
    }
    made_tmp = true;

    if (!(a = open_read(path))) {
        rc = REL_EIO;
        goto cleanup;
    }
    w = AR(archive_write_disk_new)();
    AR(archive_write_disk_set_options)
    (w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
            ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_NO_OVERWRITE);
    rel_event_begin(ev, "extract", 0, 0);
    struct extract_ctx x = {.w = w, .tmp = tmp, .path = path, .ev = ev};
    if ((rc = walk(a, path, lim, REL_TARBALL_SAFE, extract_entry, &x)) < 0)
        goto cleanup;
    if (AR(archive_write_close)(w) != ARCHIVE_OK) {
        rc = ar_error(w, "cannot finish extracting", path);
        goto cleanup;
    }
    chmod(tmp, 0755);
    if (rename(tmp, dest) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", tmp, dest);
        goto cleanup;
    }
    made_tmp = false;

cleanup:
    if (a)
        AR(archive_read_free)(a);
    if (w)
        AR(archive_write_free)(w);
    if (made_tmp)
        rel_fs_remove_tree(tmp);
    free(parent);
    free(real_parent);
    free(base);
    free(tmp);
    rel_event_end(ev, "extract", rc);
    return rc;
}
