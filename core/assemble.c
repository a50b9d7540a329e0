#define _GNU_SOURCE
#include "assemble.h"

#include "alloc.h"
#include "assemble_int.h"
#include "beam.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "path.h"
#include "plan.h"
#include "size.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_DIR ".relman"
#define MANIFEST ".relman/manifest"
/* The version is part of the header: another relman may strip differently,
 * so nothing made by it is reused. */
#define MANIFEST_MAGIC "relman-manifest 1 " RELMAN_VERSION
#define MAX_COOKIE 4096

/* ---- the manifest: how each reusable file of a release was made -------- */

struct mrec {
    char *path;
    char kind; /* 'C' copy, 'S' strip */
    unsigned mode;
    uint64_t src_dev, src_ino, src_size;
    int64_t src_mtime;
    char *key;
    uint64_t out_ino, out_size;
    int64_t out_mtime;
};

struct manifest {
    struct mrec *v;
    size_t n;
};

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int mrec_cmp(const void *a, const void *b)
{
    return strcmp(((const struct mrec *)a)->path, ((const struct mrec *)b)->path);
}

static void manifest_free(struct manifest *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].path);
        free(m->v[i].key);
    }
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

/* A missing or damaged manifest only means nothing is reused. */
static void manifest_load(struct manifest *m, const char *root)
{
    char *path = rel_path_join2(root, MANIFEST);
    struct rel_buf b = REL_BUF_INIT;
    m->v = NULL;
    m->n = 0;
    if (rel_fs_read_file(&b, path, (size_t)256 << 20) < 0) {
        rel_error_clear();
        goto done;
    }
    const char *p = rel_buf_cstr(&b);
    size_t ml = strlen(MANIFEST_MAGIC);
    if (strncmp(p, MANIFEST_MAGIC, ml) != 0 || p[ml] != '\n')
        goto done;
    p += ml + 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        char *line = rel_strndup(p, (size_t)(nl - p));
        struct mrec r = {0};
        char kind[2], key[512];
        int off = 0;
        if (sscanf(line,
                   "%1s %o %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %511s %" SCNu64
                   " %" SCNu64 " %" SCNd64 " %n",
                   kind, &r.mode, &r.src_dev, &r.src_ino, &r.src_size, &r.src_mtime, key,
                   &r.out_ino, &r.out_size, &r.out_mtime, &off) == 10 &&
            off > 0 && line[off]) {
            r.kind = kind[0];
            r.key = rel_strdup(key);
            r.path = rel_strdup(line + off);
            m->v = rel_reallocarray(m->v, m->n + 1, sizeof(*m->v));
            m->v[m->n++] = r;
        }
        free(line);
        p = nl + 1;
    }
    qsort(m->v, m->n, sizeof(*m->v), mrec_cmp);
done:
    rel_buf_free(&b);
    free(path);
}

static const struct mrec *manifest_find(const struct manifest *m, const char *path)
{
    struct mrec key = {.path = (char *)path};
    return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), mrec_cmp) : NULL;
}

/* ---- writing files ------------------------------------------------------ */

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int create_file(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot create %s", path);
    if (fchmod(fd, mode) < 0) {
        int e = errno;
        close(fd);
        return rel_error_set_errno(REL_EIO, e, "cannot set the mode of %s", path);
    }
    return fd;
}

/* Write a new file; `out_st` (may be NULL) receives its fstat once written,
 * as the manifest records it. */
static int write_new(const char *path, const void *data, size_t len, mode_t mode,
                     struct stat *out_st)
{
    int fd = create_file(path, mode);
    if (fd < 0)
        return fd;
    if (write_all(fd, data, len) < 0 || (out_st && fstat(fd, out_st) < 0)) {
        int e = errno;
        close(fd);
        return rel_error_set_errno(REL_EIO, e, "cannot write %s", path);
    }
    if (close(fd) < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot write %s", path);
    return 0;
}

/* Copy `src` to the new file `dst`; `src_st` and `out_st` (may be NULL)
 * receive the fstat of the source as it was opened and of the output once
 * written: what the manifest records, without looking the paths up again. */
static int copy_file(const char *src, const char *dst, mode_t mode, struct stat *src_st,
                     struct stat *out_st)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot open %s", src);
    if (src_st && fstat(in, src_st) < 0) {
        int e = errno;
        close(in);
        return rel_error_set_errno(REL_EIO, e, "cannot read %s", src);
    }
    int out = create_file(dst, mode);
    if (out < 0) {
        close(in);
        return out;
    }
    int rc = 0;
    char buf[65536];
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);
        if (n == 0)
            break;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot copy %s", src);
            break;
        }
        /* no kernel copy here: read and write */
        for (;;) {
            ssize_t r = read(in, buf, sizeof(buf));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", src);
                break;
            }
            if (r == 0)
                break;
            if (write_all(out, buf, (size_t)r) < 0) {
                rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", dst);
                break;
            }
        }
        break;
    }
    close(in);
    if (rc == 0 && out_st && fstat(out, out_st) < 0)
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", dst);
    if (close(out) < 0 && rc == 0)
        rc = rel_error_set_errno(REL_EIO, errno, "cannot write %s", dst);
    return rc;
}

/* The stripped image of the BEAM `src` into `out`; `src_st` as for
 * copy_file() (the source is looked at before it is read, so a change made
 * while it is read shows as a changed mtime next time). */
static int strip_to_buf(const struct rel_plan *p, const char *src, struct rel_buf *out,
                        struct stat *src_st)
{
    struct rel_buf in = REL_BUF_INIT;
    struct rel_beam beam = {0};
    if (src_st && stat(src, src_st) < 0)
        memset(src_st, 0, sizeof(*src_st)); /* reading fails too, or nothing matches next time */
    int rc = rel_fs_read_file(&in, src, REL_BEAM_MAX_SIZE);
    if (rc == 0)
        rc = rel_beam_parse_buf_module(&beam, &in, src);
    if (rc == 0) {
        /* plan->strip_keep is NULL-terminated */
        struct rel_beam_strip_opts so = {
            .keep = (const char *const *)p->strip_keep,
            .compress = p->strip_compress,
        };
        rc = rel_beam_strip(out, &beam, &so);
        if (rc < 0)
            rel_error_prefix("%s", src);
    }
    rel_beam_free(&beam);
    rel_buf_free(&in);
    return rc;
}

/* Strip `src` into the new file `dst`; `src_st` and `out_st` as for
 * copy_file(). */
static int strip_file(const struct rel_plan *p, const char *src, const char *dst, mode_t mode,
                      struct stat *src_st, struct stat *out_st)
{
    struct rel_buf out = REL_BUF_INIT;
    int rc = strip_to_buf(p, src, &out, src_st);
    if (rc == 0)
        rc = write_new(dst, out.ptr, out.len, mode, out_st);
    rel_buf_free(&out);
    return rc;
}

/*
 * Stripping ahead. Reading a BEAM and stripping it is work in user space
 * and page-cache reads; making the file is work in the destination's file
 * system. When nothing can be reused (a new path, or --no-reuse), a second
 * thread strips the plan's BEAMs in order, at most PRESTRIP_AHEAD bytes of
 * results ahead of the executor, which writes each one when it gets there.
 * The output is the same as stripping in place: the same function makes
 * it, and the files are still made in plan order by one thread.
 */
#define PRESTRIP_AHEAD ((size_t)16 << 20)
#define PRESTRIP_MIN 32 /* BEAMs; fewer are not worth a thread */

struct prestrip_slot {
    bool done;
    int rc, code;
    char *msg; /* the error when rc < 0 */
    struct rel_buf out;
    struct stat src_st;
};

struct prestrip {
    const struct rel_plan *p;
    struct prestrip_slot *slots; /* one per plan entry; STRIP ones used */
    size_t ahead;                /* bytes stripped and not yet taken */
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started;
};

static void *prestrip_run(void *arg)
{
    struct prestrip *ps = arg;
    for (size_t i = 0; i < ps->p->count; i++) {
        const struct rel_plan_entry *e = &ps->p->entries[i];
        if (e->kind != REL_PLAN_STRIP)
            continue;
        pthread_mutex_lock(&ps->mu);
        while (!ps->stop && ps->ahead > PRESTRIP_AHEAD)
            pthread_cond_wait(&ps->cv, &ps->mu);
        bool stop = ps->stop;
        pthread_mutex_unlock(&ps->mu);
        if (stop)
            break;
        struct prestrip_slot *sl = &ps->slots[i];
        sl->rc = strip_to_buf(ps->p, e->src, &sl->out, &sl->src_st);
        if (sl->rc < 0) {
            sl->code = rel_error_code();
            sl->msg = rel_strdup(rel_error_message());
        }
        pthread_mutex_lock(&ps->mu);
        sl->done = true;
        ps->ahead += sl->out.len;
        pthread_cond_broadcast(&ps->cv);
        pthread_mutex_unlock(&ps->mu);
    }
    return NULL;
}

static void prestrip_start(struct prestrip *ps, const struct rel_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        n += p->entries[i].kind == REL_PLAN_STRIP;
    if (n < PRESTRIP_MIN)
        return;
    ps->p = p;
    ps->slots = rel_calloc(p->count, sizeof(*ps->slots));
    pthread_mutex_init(&ps->mu, NULL);
    pthread_cond_init(&ps->cv, NULL);
    if (pthread_create(&ps->thread, NULL, prestrip_run, ps) == 0) {
        ps->started = true;
    } else { /* strip in place, as without the thread */
        pthread_mutex_destroy(&ps->mu);
        pthread_cond_destroy(&ps->cv);
        free(ps->slots);
        ps->slots = NULL;
    }
}

/* Write entry i's stripped image, waiting for it first. */
static int prestrip_write(struct prestrip *ps, size_t i, const char *dst, mode_t mode,
                          struct stat *src_st, struct stat *out_st)
{
    struct prestrip_slot *sl = &ps->slots[i];
    pthread_mutex_lock(&ps->mu);
    while (!sl->done)
        pthread_cond_wait(&ps->cv, &ps->mu);
    pthread_mutex_unlock(&ps->mu);
    int rc = sl->rc < 0 ? rel_error_set(sl->code, "%s", sl->msg)
                        : write_new(dst, sl->out.ptr, sl->out.len, mode, out_st);
    *src_st = sl->src_st;
    pthread_mutex_lock(&ps->mu);
    ps->ahead -= sl->out.len;
    pthread_cond_broadcast(&ps->cv);
    pthread_mutex_unlock(&ps->mu);
    rel_buf_free(&sl->out);
    free(sl->msg);
    sl->msg = NULL;
    return rc;
}

static void prestrip_finish(struct prestrip *ps)
{
    if (!ps->started)
        return;
    pthread_mutex_lock(&ps->mu);
    ps->stop = true;
    pthread_cond_broadcast(&ps->cv);
    pthread_mutex_unlock(&ps->mu);
    pthread_join(ps->thread, NULL);
    for (size_t i = 0; i < ps->p->count; i++) {
        rel_buf_free(&ps->slots[i].out);
        free(ps->slots[i].msg);
    }
    free(ps->slots);
    pthread_mutex_destroy(&ps->mu);
    pthread_cond_destroy(&ps->cv);
    ps->started = false;
}

/* mkdir -p for the parent of `path` (inside the new tree), remembering the
 * last directory made so runs of files in one directory cost nothing. */
static int make_parent(const char *path, char **last)
{
    char *dir = rel_path_dirname(path);
    int rc = 0;
    if (!*last || strcmp(*last, dir) != 0) {
        rc = rel_fs_mkdirs(dir, 0755);
        free(*last);
        *last = dir;
    } else {
        free(dir);
    }
    return rc;
}

/* ---- the cookie --------------------------------------------------------- */

int rel_assemble_new_cookie(char out[65])
{
    unsigned char raw[40];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rel_error_set_errno(REL_EIO, errno, "cannot read random bytes for the cookie");
        got += (size_t)n;
    }
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t o = 0;
    for (size_t i = 0; i < sizeof(raw); i += 5) {
        uint64_t v = 0;
        for (size_t k = 0; k < 5; k++)
            v = (v << 8) | raw[i + k];
        for (int k = 7; k >= 0; k--)
            out[o++] = alphabet[(v >> (5 * k)) & 31];
    }
    out[o] = '\0';
    return 0;
}

/* The previous release's cookie, when it has a usable one. */
static char *old_cookie(const char *dest)
{
    char *path = rel_path_join2(dest, "releases/COOKIE");
    struct rel_buf b = REL_BUF_INIT;
    char *res = NULL;
    if (rel_fs_is_file(path) && rel_fs_read_file(&b, path, MAX_COOKIE) == 0 && b.len > 0) {
        bool ok = true;
        for (size_t i = 0; i < b.len; i++)
            ok &= b.ptr[i] >= ' ' && b.ptr[i] <= '~';
        if (ok)
            res = rel_buf_detach(&b);
    }
    rel_error_clear();
    rel_buf_free(&b);
    free(path);
    return res;
}

/*
 * A configured cookie that differs from the one of the release in place is
 * not written silently: the nodes started with the old one would no longer
 * answer `stop`, `rpc` or `remote`. Checked before anything is built.
 */
static int check_cookie(const struct rel_plan *p, const struct rel_assemble_opts *o)
{
    const struct rel_plan_entry *e = rel_plan_find(p, "releases/COOKIE");
    if (!e || !e->data || o->overwrite)
        return 0;
    char *old = old_cookie(p->dest);
    if (!old || (strlen(old) == e->len && memcmp(old, e->data, e->len) == 0)) {
        free(old);
        return 0;
    }
    free(old);
    char *q = rel_asprintf("%s/releases/COOKIE holds another cookie than the one release %s "
                           "configures; nodes started with it could no longer be stopped or "
                           "reached. Replace it?",
                           p->dest, p->name);
    bool yes = o->confirm && o->confirm(o->confirm_ctx, q);
    free(q);
    if (yes)
        return 0;
    return rel_error_set(REL_EEXISTS,
                         "%s/releases/COOKIE holds another cookie than the one release %s "
                         "configures (nodes started with it could no longer be stopped); %s",
                         p->dest, p->name,
                         o->confirm ? "kept, nothing assembled"
                                    : "confirm on a terminal, pass --overwrite to replace it, or "
                                      "remove the cookie option to keep it");
}

/* ---- carrying over the previous release --------------------------------- */

struct carry {
    const struct rel_plan *plan;
    const char *skip_version; /* "releases/VSN" */
    uint64_t count;
};

/* Does the plan make `rel` as anything but a directory? */
static bool plan_makes_file(const struct rel_plan *p, const char *rel)
{
    const struct rel_plan_entry *e = rel_plan_find(p, rel);
    return e && e->kind != REL_PLAN_DIR;
}

/* Is `rel` (or a directory above it) a file the plan makes? */
static bool plan_covers(const struct rel_plan *p, const char *rel)
{
    char *s = rel_strdup(rel);
    bool hit = false;
    for (;;) {
        if (plan_makes_file(p, s)) {
            hit = true;
            break;
        }
        char *slash = strrchr(s, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(s);
    return hit;
}

static int carry_dir(struct carry *c, const char *old_root, const char *new_root, const char *rel,
                     int depth)
{
    if (depth > 64)
        return 0;
    char *dir = rel[0] ? rel_path_join2(old_root, rel) : rel_strdup(old_root);
    DIR *d = opendir(dir);
    int rc = 0;
    if (!d) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", dir);
        free(dir);
        return rc;
    }
    struct dirent *de;
    while ((de = readdir(d)) && rc == 0) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        char *r = rel[0] ? rel_path_join2(rel, n) : rel_strdup(n);
        if ((!rel[0] && (strcmp(n, "tmp") == 0 || strcmp(n, MANIFEST_DIR) == 0)) ||
            strcmp(r, c->skip_version) == 0 || plan_makes_file(c->plan, r) ||
            (strcmp(r, "releases/COOKIE") == 0)) {
            free(r);
            continue;
        }
        char *from = rel_path_join2(old_root, r), *to = rel_path_join2(new_root, r);
        struct stat st;
        if (lstat(from, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (mkdir(to, st.st_mode & 07777) < 0 && errno != EEXIST)
                    rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", to);
                if (rc == 0)
                    rc = carry_dir(c, old_root, new_root, r, depth + 1);
            } else if (!plan_covers(c->plan, r)) {
                if (S_ISREG(st.st_mode)) {
                    if (link(from, to) < 0 && errno != EEXIST &&
                        (errno != EXDEV || copy_file(from, to, st.st_mode & 07777, NULL, NULL) < 0))
                        rc = rel_error_set_errno(REL_EIO, errno, "cannot keep %s", from);
                    else
                        c->count++;
                } else if (S_ISLNK(st.st_mode)) {
                    char target[4096];
                    ssize_t len = readlink(from, target, sizeof(target) - 1);
                    if (len > 0) {
                        target[len] = '\0';
                        if (symlink(target, to) == 0)
                            c->count++;
                    }
                }
            }
        }
        free(from);
        free(to);
        free(r);
    }
    closedir(d);
    free(dir);
    return rc;
}

/* ---- the lock and the leftovers of killed runs -------------------------- */

static int take_lock(int *fd_out, const char *parent, const char *base, const char *dest)
{
    char *path = rel_asprintf("%s/.%s.relman-lock", parent, base);
    int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0)
        rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", path);
    else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        rc = errno == EWOULDBLOCK
                 ? rel_error_set(REL_ELOCKED, "another relman is assembling %s", dest)
                 : rel_error_set_errno(REL_EIO, errno, "cannot lock %s", path);
        close(fd);
        fd = -1;
    }
    free(path);
    *fd_out = fd;
    return rc;
}

static int recover(const char *parent, const char *base, const char *dest)
{
    DIR *d = opendir(parent);
    if (!d)
        return rel_error_set_errno(REL_EIO, errno, "cannot read %s", parent);
    char *pnew = rel_asprintf(".%s.relman-new-", base),
         *pold = rel_asprintf(".%s.relman-old-", base);
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) && rc == 0) {
        bool is_new = strncmp(de->d_name, pnew, strlen(pnew)) == 0;
        bool is_old = strncmp(de->d_name, pold, strlen(pold)) == 0;
        if (!is_new && !is_old)
            continue;
        char *p = rel_path_join2(parent, de->d_name);
        struct stat st;
        if (is_old && lstat(dest, &st) < 0 && errno == ENOENT) {
            /* killed between the two renames: put the previous release back */
            if (rename(p, dest) < 0)
                rc = rel_error_set_errno(REL_EIO, errno, "cannot restore %s to %s", p, dest);
        } else {
            rc = rel_fs_remove_tree(p);
        }
        free(p);
    }
    closedir(d);
    free(pnew);
    free(pold);
    return rc;
}

/* Does `dest` hold the manifest of a relman assembly (any relman version)? */
static bool made_by_relman(const char *dest)
{
    char *path = rel_path_join2(dest, MANIFEST);
    char head[32] = "";
    FILE *f = fopen(path, "re");
    if (f) {
        if (!fgets(head, sizeof(head), f))
            head[0] = '\0';
        fclose(f);
    }
    free(path);
    return strncmp(head, "relman-manifest ", 16) == 0;
}

/* The final path may be replaced only when it is a release (or empty), and
 * only when relman made that release (its manifest is there: relman's own
 * output is rebuilt like make's, as relx rebuilds its own) or with
 * `overwrite` (a release made by mix or relx at the same path is not
 * replaced unasked, whichever versions it holds). */
static int check_dest(const char *dest, const char *version, bool overwrite)
{
    struct stat st;
    if (lstat(dest, &st) < 0)
        return errno == ENOENT ? 0 : rel_error_set_errno(REL_EIO, errno, "%s", dest);
    if (!S_ISDIR(st.st_mode))
        return rel_error_set(REL_EEXISTS, "%s exists and is not a directory", dest);
    char *rels = rel_path_join2(dest, "releases");
    bool is_release = rel_fs_is_dir(rels);
    free(rels);
    if (!is_release) {
        DIR *d = opendir(dest);
        if (!d)
            return rel_error_set_errno(REL_EIO, errno, "cannot read %s", dest);
        struct dirent *de;
        bool empty = true;
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                empty = false;
        closedir(d);
        if (!empty)
            return rel_error_set(REL_EEXISTS,
                                 "%s exists and is not a release; refusing to replace it", dest);
    }
    (void)version;
    if (is_release && !overwrite && !made_by_relman(dest))
        return rel_error_set(REL_EEXISTS,
                             "%s holds a release relman did not make (no %s: left by `rebar3 "
                             "release` or `mix release`?); use --overwrite to replace it",
                             dest, MANIFEST);
    return 0;
}

/* ---- applying the plan --------------------------------------------------- */

/* The manifest line of a file made (or linked) from e->src: `ss` is the
 * source's stat, `os` the output's. */
static int manifest_line(struct rel_buf *m, const struct rel_plan_entry *e, const char *key,
                         const struct stat *ss_in, const struct stat *os_in)
{
    const struct stat ss = *ss_in, os = *os_in;
    return rel_buf_printf(m,
                          "%c %o %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %s %" PRIu64
                          " %" PRIu64 " %" PRId64 " %s\n",
                          e->kind == REL_PLAN_STRIP ? 'S' : 'C', (unsigned)e->mode,
                          (uint64_t)ss.st_dev, (uint64_t)ss.st_ino, (uint64_t)ss.st_size,
                          mtime_ns(&ss), e->kind == REL_PLAN_STRIP ? key : "-", (uint64_t)os.st_ino,
                          (uint64_t)os.st_size, mtime_ns(&os), e->path);
}

/* Can the previous release's file be linked instead of making it again?
 * When it can, `ss` and `os` hold the stat of the source and of that file
 * (the link shares its inode, size and mtime). */
static bool reusable(const struct manifest *man, const struct rel_plan_entry *e, const char *key,
                     const char *old_file, struct stat *ss_out, struct stat *os_out)
{
    const struct mrec *r = manifest_find(man, e->path);
    if (!r || r->kind != (e->kind == REL_PLAN_STRIP ? 'S' : 'C') || r->mode != e->mode ||
        strcmp(r->key, e->kind == REL_PLAN_STRIP ? key : "-") != 0)
        return false;
    struct stat ss, os;
    if (stat(e->src, &ss) < 0 || lstat(old_file, &os) < 0 || !S_ISREG(os.st_mode))
        return false;
    *ss_out = ss;
    *os_out = os;
    return (uint64_t)ss.st_dev == r->src_dev && (uint64_t)ss.st_ino == r->src_ino &&
           (uint64_t)ss.st_size == r->src_size && mtime_ns(&ss) == r->src_mtime &&
           (uint64_t)os.st_ino == r->out_ino && (uint64_t)os.st_size == r->out_size &&
           mtime_ns(&os) == r->out_mtime && (os.st_mode & 07777) == e->mode;
}

/*
 * Does the previous release hold exactly this generated file (same bytes,
 * same mode)? Then it is linked rather than written again: a new inode costs
 * more than reading a small file (on ext4 the inode allocation dominates a
 * re-assembly), and a release that did not change keeps its files.
 */
static bool same_text(const char *old_file, const struct rel_plan_entry *e)
{
    struct stat os;
    if (lstat(old_file, &os) < 0 || !S_ISREG(os.st_mode) || (os.st_mode & 07777) != e->mode ||
        (uint64_t)os.st_size != (uint64_t)e->len)
        return false;
    int fd = open(old_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    bool same = true;
    char chunk[65536];
    size_t at = 0;
    while (same) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            same = n == 0 && at == e->len;
            break;
        }
        same = (size_t)n <= e->len - at && memcmp(chunk, e->data + at, (size_t)n) == 0;
        at += (size_t)n;
    }
    close(fd);
    return same;
}

bool rel_assemble_is_canceled(const struct rel_assemble_opts *o)
{
    return o && o->canceled && o->canceled(o->cancel_ctx);
}

int rel_assemble_cancel_error(bool after_swap)
{
    return after_swap
               ? rel_error_set(REL_ECANCELED, "canceled after the release was assembled; "
                                              "the steps after it did not run")
               : rel_error_set(REL_ECANCELED, "canceled; the release at its path was not touched");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int build_tree(const struct rel_plan *p, const char *newdir, bool have_old,
                      const struct rel_assemble_opts *o, struct rel_assemble_stats *st)
{
    struct manifest man = {0};
    if (have_old && !o->no_reuse)
        manifest_load(&man, p->dest);
    char *key = rel_plan_strip_key(p);
    char *last_dir = NULL;
    struct rel_buf mlines = REL_BUF_INIT;
    uint64_t bytes = 0;
    int rc = 0;
    rel_buf_puts(&mlines, MANIFEST_MAGIC "\n");
    struct prestrip ps = {0};
    if (!have_old || o->no_reuse)
        prestrip_start(&ps, p);
    for (size_t i = 0; i < p->count && rc == 0; i++) {
        const struct rel_plan_entry *e = &p->entries[i];
        if (rel_assemble_is_canceled(o)) {
            rc = rel_assemble_cancel_error(false);
            break;
        }
        char *to = rel_path_join2(newdir, e->path);
        char *old = rel_path_join2(p->dest, e->path);
        rc = make_parent(to, &last_dir);
        if (rc == 0) {
            switch (e->kind) {
            case REL_PLAN_TEXT:
                if (have_old && !o->no_reuse && same_text(old, e) && link(old, to) == 0) {
                    st->reused++;
                } else {
                    rc = write_new(to, e->data, e->len, e->mode, NULL);
                    st->written++;
                }
                break;
            case REL_PLAN_COOKIE: {
                char fresh[65];
                char *kept = e->data ? NULL : (have_old ? old_cookie(p->dest) : NULL);
                struct rel_plan_entry same = *e;
                if (kept) {
                    same.data = kept;
                    same.len = strlen(kept);
                }
                if (same.data && !o->no_reuse && have_old && same_text(old, &same) &&
                    link(old, to) == 0) {
                    st->reused++;
                    free(kept);
                    break;
                }
                if (e->data)
                    rc = write_new(to, e->data, e->len, e->mode, NULL);
                else if (kept)
                    rc = write_new(to, kept, strlen(kept), e->mode, NULL);
                else if ((rc = rel_assemble_new_cookie(fresh)) == 0)
                    rc = write_new(to, fresh, strlen(fresh), e->mode, NULL);
                free(kept);
                st->written++;
                break;
            }
            case REL_PLAN_DIR:
                /* its mode is set once its contents are written (below); one
                 * that was there already counts as reused */
                if (mkdir(to, 0755) < 0 && errno != EEXIST)
                    rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", to);
                if (have_old && rel_fs_is_dir(old))
                    st->reused++;
                else
                    st->written++;
                break;
            case REL_PLAN_LINK: {
                char was[4096];
                ssize_t wl = have_old ? readlink(old, was, sizeof(was) - 1) : -1;
                bool same = wl >= 0 && (size_t)wl == e->len && memcmp(was, e->data, e->len) == 0;
                if (symlink(e->data, to) < 0)
                    rc = rel_error_set_errno(REL_EIO, errno, "cannot make the symlink %s -> %s",
                                             to, e->data);
                if (same)
                    st->reused++; /* the previous release had it: nothing changed */
                else
                    st->written++;
                break;
            }
            case REL_PLAN_COPY:
            case REL_PLAN_STRIP: {
                struct stat ss, os;
                if (have_old && !o->no_reuse && reusable(&man, e, key, old, &ss, &os) &&
                    link(old, to) == 0) {
                    st->reused++;
                } else {
                    rc = e->kind == REL_PLAN_COPY ? copy_file(e->src, to, e->mode, &ss, &os)
                         : ps.started             ? prestrip_write(&ps, i, to, e->mode, &ss, &os)
                                                  : strip_file(p, e->src, to, e->mode, &ss, &os);
                    st->written++;
                }
                if (rc == 0)
                    rc = manifest_line(&mlines, e, key, &ss, &os);
                break;
            }
            }
        }
        free(to);
        free(old);
        bytes += e->size;
        rel_event_advance(o->ev, i + 1, bytes);
    }
    prestrip_finish(&ps);
    /* directories' own modes, deepest first, so that a read-only directory
     * is filled before it is closed */
    for (size_t i = p->count; rc == 0 && i-- > 0;) {
        const struct rel_plan_entry *e = &p->entries[i];
        if (e->kind != REL_PLAN_DIR)
            continue;
        char *to = rel_path_join2(newdir, e->path);
        if (chmod(to, e->mode) < 0)
            rc = rel_error_set_errno(REL_EIO, errno, "cannot set the mode of %s", to);
        free(to);
    }
    st->files = p->count;
    st->bytes = bytes;
    if (rc == 0) {
        char *mdir = rel_path_join2(newdir, MANIFEST_DIR);
        char *mfile = rel_path_join2(newdir, MANIFEST);
        rc = rel_fs_mkdirs(mdir, 0755);
        if (rc == 0)
            rc = write_new(mfile, mlines.ptr, mlines.len, 0644, NULL);
        free(mdir);
        free(mfile);
    }
    /* a release another tool made (replaced with --overwrite) is replaced
     * whole: what it holds besides is that tool's, not carried over */
    if (rc == 0 && have_old && made_by_relman(p->dest)) {
        char *skip = rel_asprintf("releases/%s", p->version);
        struct carry c = {p, skip, 0};
        rc = carry_dir(&c, p->dest, newdir, "", 0);
        st->carried = c.count;
        free(skip);
    }
    free(last_dir);
    free(key);
    manifest_free(&man);
    rel_buf_free(&mlines);
    return rc;
}

static int sync_tree(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot open %s", dir);
    int rc = syncfs(fd) < 0 ? rel_error_set_errno(REL_EIO, errno, "cannot flush %s", dir) : 0;
    close(fd);
    return rc;
}

/* Put `newdir` at `dest`, the previous release (if any) ending up removed. */
static int swap_in(const char *newdir, const char *dest, const char *parent, const char *base,
                   bool have_old)
{
    if (!have_old) {
        if (rename(newdir, dest) < 0)
            return rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", newdir, dest);
        return 0;
    }
    /* tmp/ (logs, a running daemon's pipes) stays with the release */
    char *old_tmp = rel_path_join2(dest, "tmp"), *new_tmp = rel_path_join2(newdir, "tmp");
    bool moved_tmp = rel_fs_is_dir(old_tmp) && rename(old_tmp, new_tmp) == 0;
    int rc = 0;
    if (renameat2(AT_FDCWD, newdir, AT_FDCWD, dest, RENAME_EXCHANGE) == 0) {
        rc = rel_fs_remove_tree(newdir); /* now the previous release */
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        char *aside = rel_asprintf("%s/.%s.relman-old-%ld", parent, base, (long)getpid());
        if (rename(dest, aside) < 0) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot move %s aside", dest);
        } else if (rename(newdir, dest) < 0) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot rename %s to %s", newdir, dest);
            rename(aside, dest);
        } else {
            rc = rel_fs_remove_tree(aside);
        }
        free(aside);
    } else {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot swap %s into %s", newdir, dest);
    }
    if (rc && moved_tmp && !rel_fs_exists(old_tmp))
        rename(new_tmp, old_tmp);
    free(old_tmp);
    free(new_tmp);
    return rc;
}

int rel_assemble_execute(const struct rel_plan *p, const struct rel_assemble_opts *o_in,
                         struct rel_assemble_stats *stats)
{
    struct rel_assemble_opts o = o_in ? *o_in : (struct rel_assemble_opts){0};
    struct rel_assemble_stats st = {0};
    double t0 = now();
    char *parent = rel_path_dirname(p->dest), *base = rel_path_basename(p->dest);
    char *newdir = NULL;
    int lock = -1, rc;
    bool made = false;

    rel_event_begin(o.ev, "assemble", p->count, p->bytes_total);
    if ((rc = rel_fs_mkdirs(parent, 0755)) < 0 ||
        (rc = take_lock(&lock, parent, base, p->dest)) < 0 ||
        (rc = recover(parent, base, p->dest)) < 0 ||
        (rc = check_dest(p->dest, p->version, o.overwrite)) < 0 ||
        (rc = check_cookie(p, &o)) < 0)
        goto done;
    bool have_old = rel_fs_is_dir(p->dest);
    newdir = rel_asprintf("%s/.%s.relman-new-%ld", parent, base, (long)getpid());
    if (mkdir(newdir, 0755) < 0) {
        rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", newdir);
        goto done;
    }
    made = true;
    st.flushed = o.flush == REL_FLUSH_ALWAYS || (o.flush == REL_FLUSH_REPLACE && have_old);
    if ((rc = build_tree(p, newdir, have_old, &o, &st)) < 0 ||
        (st.flushed && (rc = sync_tree(newdir)) < 0) ||
        (rel_assemble_is_canceled(&o) && (rc = rel_assemble_cancel_error(false)) < 0) ||
        (rc = swap_in(newdir, p->dest, parent, base, have_old)) < 0)
        goto done;
    made = false;
    st.size = rel_size_tree(p->dest, NULL);
done:
    if (made) {
        /* keep the precise error: removing the half-built tree may set another */
        char *msg = rel_strdup(rel_error_message());
        int code = rel_error_code();
        rel_fs_remove_tree(newdir);
        rel_error_set(code, "%s", msg);
        free(msg);
    }
    if (lock >= 0)
        close(lock);
    st.seconds = now() - t0;
    if (stats)
        *stats = st;
    rel_event_end(o.ev, "assemble", rc);
    free(newdir);
    free(parent);
    free(base);
    return rc;
}
