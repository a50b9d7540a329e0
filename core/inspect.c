#define _GNU_SOURCE
#include "inspect.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "etf.h"
#include "fs.h"
#include "json.h"
#include "path.h"
#include "project.h"
#include "size.h"
#include "tarball.h"
#include "term.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MEMBER ((size_t)16 << 20)
#define MAX_WALK 500000
/* What one pass over a tarball keeps of the files inspection may read. */
#define MAX_KEPT ((uint64_t)64 << 20)

/* A uniform view of a release: the list of its entries and a way to read
 * one of them, whether it is a directory or a tarball. */
struct entry {
    char *path;
    bool dir;
    unsigned mode;
    uint64_t size;
    bool file;           /* a regular file (in a tarball: not a hard link) */
    bool kept;           /* tarball: `data` holds the contents */
    struct rel_buf data; /* ... read in the one pass of source_open */
};

struct source {
    const char *root;
    bool tarball;
    struct entry *v;
    size_t n;
    uint64_t kept; /* bytes kept in the entries' data */
    struct rel_tar_entry *tar; /* tarball: every entry as listed (for deploy's checks) */
    size_t ntar;
};

static void problem(struct rel_inspect *i, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct rel_inspect *i, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    i->problems = rel_reallocarray(i->problems, i->nproblems + 1, sizeof(char *));
    i->problems[i->nproblems++] = rel_strdup(line);
}

static struct entry *push(struct source *s, const char *path, bool dir, unsigned mode,
                          uint64_t size, bool file)
{
    s->v = rel_reallocarray(s->v, s->n + 1, sizeof(*s->v));
    s->v[s->n] = (struct entry){rel_strdup(path), dir, mode, size, file, false, REL_BUF_INIT};
    return &s->v[s->n++];
}

static int walk(struct source *s, const char *rel, int depth)
{
    char *dir = rel[0] ? rel_path_join2(s->root, rel) : rel_strdup(s->root);
    DIR *d = opendir(dir);
    if (!d) {
        int rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", dir);
        free(dir);
        return rc;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) && rc == 0) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (s->n >= MAX_WALK) {
            rc = rel_error_set(REL_ELIMIT, "%s: more than %d files", s->root, MAX_WALK);
            break;
        }
        char *r = rel[0] ? rel_path_join2(rel, de->d_name) : rel_strdup(de->d_name);
        char *full = rel_path_join2(s->root, r);
        struct stat st;
        if (lstat(full, &st) == 0) {
            push(s, r, S_ISDIR(st.st_mode), st.st_mode & 07777,
                 S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, S_ISREG(st.st_mode));
            if (S_ISDIR(st.st_mode) && depth < 64)
                rc = walk(s, r, depth + 1);
        }
        free(full);
        free(r);
    }
    closedir(d);
    free(dir);
    return rc;
}

/* The files inspection may read (start_erl.data, the .rel, start.boot,
 * sys.config, the start script): what the one pass keeps. */
static bool wanted(const char *path)
{
    return strncmp(path, "releases/", 9) == 0 ||
           (strncmp(path, "bin/", 4) == 0 && !strchr(path + 4, '/'));
}

/* One entry of the tarball's one pass: listed, and its contents kept when
 * inspection may read it and it fits. What is not kept (too large, too much
 * kept already, a read error) is read again by source_read, which then
 * reports what rel_tarball_read_members says. */
static int tar_entry(void *ctx, const struct rel_tar_entry *e, struct rel_tarball_data *data)
{
    struct source *s = ctx;
    s->tar = rel_reallocarray(s->tar, s->ntar + 1, sizeof(*s->tar));
    s->tar[s->ntar++] = (struct rel_tar_entry){.path = rel_strdup(e->path),
                                               .type = e->type,
                                               .mode = e->mode,
                                               .size = e->size,
                                               .link = e->link ? rel_strdup(e->link) : NULL};
    bool file = e->type == REL_TAR_FILE;
    struct entry *en = push(s, e->path, e->type == REL_TAR_DIR, e->mode, e->size, file);
    if (!file || !wanted(e->path) || e->size > MAX_MEMBER || s->kept + e->size > MAX_KEPT)
        return 0;
    if (rel_tarball_data_read(data, &en->data, MAX_MEMBER) < 0) {
        rel_buf_free(&en->data);
        return 0;
    }
    en->kept = true;
    s->kept += en->data.len;
    return 0;
}

static int source_open(struct source *s, const char *path)
{
    memset(s, 0, sizeof(*s));
    s->root = path;
    struct stat st;
    if (stat(path, &st) < 0)
        return rel_error_set_errno(REL_ENOTFOUND, errno, "%s", path);
    if (S_ISDIR(st.st_mode))
        return walk(s, "", 0);
    s->tarball = true;
    return rel_tarball_each(path, NULL, 0, tar_entry, s);
}

static void source_close(struct source *s)
{
    rel_tarball_entries_free(s->tar, s->ntar);
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].path);
        rel_buf_free(&s->v[i].data);
    }
    free(s->v);
}

static const struct entry *source_find(const struct source *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].path, path) == 0)
            return &s->v[i];
    return NULL;
}

/* Does the release have something (file or directory) at `path`, or below it? */
static bool source_has(const struct source *s, const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < s->n; i++)
        if (strncmp(s->v[i].path, path, n) == 0 &&
            (s->v[i].path[n] == '\0' || s->v[i].path[n] == '/'))
            return true;
    return false;
}

static int source_read(const struct source *s, const char *path, struct rel_buf *out)
{
    if (!s->tarball) {
        char *full = rel_path_join2(s->root, path);
        int rc = rel_fs_read_file(out, full, MAX_MEMBER);
        free(full);
        return rc;
    }
    /* the member rel_tarball_read_members would read: the first regular
     * file of that name; when the pass did not keep it, read it again */
    const struct entry *e = NULL;
    for (size_t i = 0; i < s->n && !e; i++)
        if (s->v[i].file && strcmp(s->v[i].path, path) == 0)
            e = &s->v[i];
    if (e && e->kept)
        return e->data.len ? rel_buf_put(out, e->data.ptr, e->data.len) : 0;
    bool found = false;
    if (!e)
        return rel_error_set(REL_ENOTFOUND, "%s: no %s", s->root, path);
    const char *names[] = {path};
    int rc = rel_tarball_read_members(s->root, names, 1, out, &found, MAX_MEMBER);
    if (rc == 0 && !found)
        rc = rel_error_set(REL_ENOTFOUND, "%s: no %s", s->root, path);
    return rc;
}

static const char *mode_of(const struct rel_term *e)
{
    size_t n = rel_term_tuple_size(e);
    const struct rel_term *t = n >= 3 ? rel_term_tuple_get(e, 2) : NULL;
    if (t && rel_term_atom_name(t))
        return rel_term_atom_name(t);
    return "permanent";
}

static void read_rel(struct rel_inspect *i, const struct source *s)
{
    /* releases/VSN/NAME.rel: the one .rel of that directory */
    char *prefix = rel_asprintf("releases/%s/", i->version);
    const char *relpath = NULL;
    for (size_t k = 0; k < s->n; k++) {
        const char *p = s->v[k].path;
        size_t pl = strlen(prefix), l = strlen(p);
        if (strncmp(p, prefix, pl) == 0 && !strchr(p + pl, '/') && l > 4 &&
            strcmp(p + l - 4, ".rel") == 0 && !s->v[k].dir)
            relpath = p;
    }
    if (!relpath) {
        problem(i, "no .rel file in releases/%s", i->version);
        free(prefix);
        return;
    }
    struct rel_buf b = REL_BUF_INIT;
    struct rel_term *rel = NULL;
    if (source_read(s, relpath, &b) < 0 ||
        rel_term_parse_one(&rel, b.ptr ? b.ptr : "", b.len, relpath) < 0) {
        problem(i, "%s", rel_error_message());
        goto done;
    }
    const struct rel_term *id = rel_term_tuple_get(rel, 1), *erts = rel_term_tuple_get(rel, 2);
    const struct rel_term *apps = rel_term_tuple_get(rel, 3);
    if (!rel_term_is_tagged(rel, "release", 4) || rel_term_tuple_size(id) != 2 ||
        !rel_term_is_list(apps)) {
        problem(i, "%s: not a {release, {Name, Vsn}, {erts, Vsn}, [Apps]} term", relpath);
        goto done;
    }
    i->name = rel_term_to_cstring(rel_term_tuple_get(id, 0));
    char *rel_vsn = rel_term_to_cstring(rel_term_tuple_get(id, 1));
    if (rel_vsn && strcmp(rel_vsn, i->version) != 0)
        problem(i, "%s names version %s, start_erl.data %s", relpath, rel_vsn, i->version);
    free(rel_vsn);
    char *ev = rel_term_to_cstring(rel_term_tuple_get(erts, 1));
    if (ev && i->erts_version && strcmp(ev, i->erts_version) != 0)
        problem(i, "%s names ERTS %s, start_erl.data %s", relpath, ev, i->erts_version);
    if (!i->erts_version)
        i->erts_version = ev;
    else
        free(ev);
    size_t n = rel_term_list_len(apps);
    i->apps = rel_calloc(n ? n : 1, sizeof(*i->apps));
    for (size_t k = 0; k < n; k++) {
        const struct rel_term *e = rel_term_list_get(apps, k);
        const char *name = rel_term_atom_name(rel_term_tuple_get(e, 0));
        char *vsn = rel_term_to_cstring(rel_term_tuple_get(e, 1));
        if (!name || !vsn) {
            free(vsn);
            problem(i, "%s: entry %zu is not {App, Vsn, ...}", relpath, k + 1);
            continue;
        }
        struct rel_inspect_app *a = &i->apps[i->napps++];
        a->name = rel_strdup(name);
        a->vsn = vsn;
        a->mode = rel_strdup(mode_of(e));
        char *lib = rel_asprintf("lib/%s-%s", name, vsn);
        a->in_lib = source_has(s, lib);
        free(lib);
    }
done:
    rel_term_free(rel);
    rel_buf_free(&b);
    free(prefix);
}

/* The modes the boot script gives, checked against the .rel's. */
static void check_boot(struct rel_inspect *i, const struct source *s)
{
    char *path = rel_asprintf("releases/%s/start.boot", i->version);
    struct rel_buf b = REL_BUF_INIT;
    struct rel_term *script = NULL;
    if (source_read(s, path, &b) < 0 || rel_etf_decode(&script, b.ptr, b.len) < 0) {
        problem(i, "%s: %s", path, rel_error_message());
        goto done;
    }
    i->boot = true;
    const struct rel_term *ins = rel_term_tuple_get(script, 2);
    for (size_t k = 0; k < i->napps; k++) {
        struct rel_inspect_app *a = &i->apps[k];
        const char *boot_mode = "none";
        for (size_t j = 0; j < rel_term_list_len(ins); j++) {
            const struct rel_term *in = rel_term_list_get(ins, j);
            const struct rel_term *mfa = rel_term_tuple_get(in, 1);
            if (!rel_term_is_tagged(in, "apply", 2) ||
                !rel_term_is_atom(rel_term_tuple_get(mfa, 0), "application"))
                continue;
            const struct rel_term *args = rel_term_tuple_get(mfa, 2);
            const struct rel_term *first = rel_term_list_get(args, 0);
            if (rel_term_is_atom(rel_term_tuple_get(mfa, 1), "load") &&
                rel_term_is_atom(rel_term_tuple_get(first, 1), a->name) &&
                strcmp(boot_mode, "none") == 0)
                boot_mode = "load";
            if (rel_term_is_atom(rel_term_tuple_get(mfa, 1), "start_boot") &&
                rel_term_is_atom(first, a->name))
                boot_mode = rel_term_atom_name(rel_term_list_get(args, 1));
        }
        if (strcmp(a->name, "kernel") == 0)
            continue; /* started by the application controller itself */
        bool included_load = strcmp(boot_mode, "load") == 0 && strcmp(a->mode, "load") != 0;
        if (boot_mode && strcmp(boot_mode, a->mode) != 0 && !included_load)
            problem(i, "%s: %s is %s there but %s in the .rel", path, a->name, boot_mode, a->mode);
    }
done:
    rel_term_free(script);
    rel_buf_free(&b);
    free(path);
}

static bool has_problem(const struct rel_inspect *i, const char *msg)
{
    for (size_t k = 0; k < i->nproblems; k++)
        if (strcmp(i->problems[k], msg) == 0)
            return true;
    return false;
}

/*
 * What `relman deploy` would refuse, each a problem: unsafe tarball entries
 * (every one, then what only the whole listing shows: duplicates, writes
 * through a symlink, symlink chains leaving the tree), a version that
 * cannot name a directory on a host (or would reach a shell there), and a
 * release without an executable bin/NAME or its releases/VSN directory.
 */
static void deploy_checks(struct rel_inspect *i, const struct source *s)
{
    for (size_t k = 0; k < s->ntar; k++)
        if (rel_tarball_check_entry(&s->tar[k]) < 0)
            problem(i, "%s", rel_error_message());
    if (s->tarball && rel_tarball_check(s->tar, s->ntar, NULL) < 0 &&
        !has_problem(i, rel_error_message()))
        problem(i, "%s", rel_error_message());
    if (i->version) {
        const char *v = i->version;
        bool bad = !*v || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || strlen(v) > 100 ||
                   strpbrk(v, "/$`\"\\");
        for (const char *p = v; *p && !bad; p++)
            bad = (unsigned char)*p < 0x20 || *p == 0x7f;
        if (bad)
            problem(i, "version '%s' cannot name a release directory on a host (no /, $, `, \", "
                       "\\ or control characters; not . or ..): deploy refuses it",
                    v);
        char *dir = rel_asprintf("releases/%s", v);
        if (!source_has(s, dir))
            problem(i, "no %s directory: deploy refuses the release", dir);
        free(dir);
    }
    if (i->name) {
        char *bin = rel_asprintf("bin/%s", i->name);
        const struct entry *e = source_find(s, bin);
        if (!e || e->dir)
            problem(i, "no %s: deploy refuses the release", bin);
        else if (!(e->mode & 0100))
            problem(i, "%s is not executable: deploy refuses the release", bin);
        free(bin);
    }
}

static int version_cmp(const void *a, const void *b)
{
    return rel_version_compare(*(const char *const *)a, *(const char *const *)b);
}

int rel_inspect_path(struct rel_inspect **out, const char *path)
{
    *out = NULL;
    struct source s;
    int rc = source_open(&s, path);
    if (rc < 0) {
        source_close(&s);
        return rc;
    }
    if (!source_has(&s, "releases")) {
        source_close(&s);
        return rel_error_set(REL_EFORMAT, "%s: not a release (no releases/ directory)", path);
    }
    struct rel_inspect *i = rel_calloc(1, sizeof(*i));
    i->path = rel_strdup(path);
    i->tarball = s.tarball;
    for (size_t k = 0; k < s.n; k++) {
        const char *p = s.v[k].path;
        if (s.v[k].file && rel_size_counts(p)) { /* THE size (core/size.h) */
            i->files++;
            i->bytes += s.v[k].size;
        }
        if (s.v[k].dir && strncmp(p, "releases/", 9) == 0 && !strchr(p + 9, '/')) {
            i->versions = rel_reallocarray(i->versions, i->nversions + 1, sizeof(char *));
            i->versions[i->nversions++] = rel_strdup(p + 9);
        }
    }
    qsort(i->versions, i->nversions, sizeof(char *), version_cmp);
    const struct entry *cookie = source_find(&s, "releases/COOKIE");
    i->cookie = cookie && !cookie->dir;
    i->cookie_mode = cookie ? cookie->mode : 0;

    struct rel_buf b = REL_BUF_INIT;
    if (source_read(&s, "releases/start_erl.data", &b) == 0) {
        char ev[128] = "", vsn[128] = "";
        if (sscanf(rel_buf_cstr(&b), "%127s %127s", ev, vsn) == 2) {
            i->erts_version = rel_strdup(ev);
            i->version = rel_strdup(vsn);
        } else {
            problem(i, "releases/start_erl.data: expected \"ERTS_VSN REL_VSN\"");
        }
    } else {
        problem(i, "%s", rel_error_message());
    }
    rel_buf_free(&b);
    if (!i->version && i->nversions == 1)
        i->version = rel_strdup(i->versions[0]);
    if (i->erts_version) {
        char *erts = rel_asprintf("erts-%s", i->erts_version);
        i->erts_bundled = source_has(&s, erts);
        free(erts);
    }
    if (i->version) {
        read_rel(i, &s);
        if (i->napps)
            check_boot(i, &s);
    }
    bool by_relman = source_has(&s, ".relman/manifest");
    if (!by_relman && i->name) {
        /* a tarball has no manifest; relman's start script says who wrote it */
        char *bin = rel_asprintf("bin/%s", i->name);
        struct rel_buf bb = REL_BUF_INIT;
        by_relman =
            source_read(&s, bin, &bb) == 0 && strstr(rel_buf_cstr(&bb), "Written by relman");
        rel_buf_free(&bb);
        free(bin);
    }
    if (by_relman)
        i->built_by = rel_strdup("relman");
    else if (source_has(&s, "bin/nodetool") || source_has(&s, "releases/RELEASES"))
        i->built_by = rel_strdup("relx");
    else if (i->version) {
        char *ex = rel_asprintf("releases/%s/sys.config", i->version);
        struct rel_buf sb = REL_BUF_INIT;
        bool mix = source_read(&s, ex, &sb) == 0 && strstr(rel_buf_cstr(&sb), "RUNTIME_CONFIG=");
        i->built_by = rel_strdup(mix ? "mix" : "unknown");
        rel_buf_free(&sb);
        free(ex);
    } else {
        i->built_by = rel_strdup("unknown");
    }
    deploy_checks(i, &s);
    rel_error_clear();
    source_close(&s);
    *out = i;
    return 0;
}

void rel_inspect_free(struct rel_inspect *i)
{
    if (!i)
        return;
    for (size_t k = 0; k < i->napps; k++) {
        free(i->apps[k].name);
        free(i->apps[k].vsn);
        free(i->apps[k].mode);
    }
    free(i->apps);
    for (size_t k = 0; k < i->nversions; k++)
        free(i->versions[k]);
    free(i->versions);
    for (size_t k = 0; k < i->nproblems; k++)
        free(i->problems[k]);
    free(i->problems);
    free(i->path);
    free(i->built_by);
    free(i->name);
    free(i->version);
    free(i->erts_version);
    free(i);
}

static int format_json(struct rel_buf *out, const struct rel_inspect *i)
{
    struct rel_json j;
    rel_json_init(&j, out, true);
    rel_json_object_begin(&j);
    rel_json_kv_string(&j, "path", i->path);
    rel_json_kv_string(&j, "kind", i->tarball ? "tarball" : "directory");
    rel_json_kv_string(&j, "built_by", i->built_by);
    rel_json_kv_string(&j, "name", i->name);
    rel_json_kv_string(&j, "version", i->version);
    rel_json_kv_string(&j, "erts_version", i->erts_version);
    rel_json_kv_bool(&j, "erts_bundled", i->erts_bundled);
    rel_json_key(&j, "cookie");
    rel_json_object_begin(&j);
    rel_json_kv_bool(&j, "present", i->cookie);
    if (i->cookie) {
        char mode[8];
        snprintf(mode, sizeof(mode), "%04o", i->cookie_mode);
        rel_json_kv_string(&j, "mode", mode);
    }
    rel_json_object_end(&j);
    rel_json_key(&j, "versions");
    rel_json_array_begin(&j);
    for (size_t k = 0; k < i->nversions; k++)
        rel_json_string(&j, i->versions[k]);
    rel_json_array_end(&j);
    rel_json_key(&j, "applications");
    rel_json_array_begin(&j);
    for (size_t k = 0; k < i->napps; k++) {
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "name", i->apps[k].name);
        rel_json_kv_string(&j, "vsn", i->apps[k].vsn);
        rel_json_kv_string(&j, "mode", i->apps[k].mode);
        rel_json_kv_bool(&j, "in_lib", i->apps[k].in_lib);
        rel_json_object_end(&j);
    }
    rel_json_array_end(&j);
    rel_json_kv_bool(&j, "boot_script", i->boot);
    rel_json_kv_int(&j, "files", (long long)i->files);
    rel_json_kv_int(&j, "bytes", (long long)i->bytes);
    rel_json_key(&j, "problems");
    rel_json_array_begin(&j);
    for (size_t k = 0; k < i->nproblems; k++)
        rel_json_string(&j, i->problems[k]);
    rel_json_array_end(&j);
    rel_json_object_end(&j);
    int rc = rel_json_finish(&j);
    return rc ? rc : rel_buf_putc(out, '\n');
}

int rel_inspect_format(struct rel_buf *out, const struct rel_inspect *i, bool json)
{
    if (json)
        return format_json(out, i);
    rel_buf_printf(out, "release   %s %s (%s, built by %s)\n", i->name ? i->name : "?",
                   i->version ? i->version : "?", i->tarball ? "tarball" : "directory",
                   i->built_by);
    rel_buf_printf(out, "path      %s\n", i->path);
    rel_buf_printf(out, "erts      %s (%s)\n", i->erts_version ? i->erts_version : "?",
                   i->erts_bundled ? "bundled" : "not bundled: uses the target's Erlang");
    if (i->cookie)
        rel_buf_printf(out, "cookie    present (releases/COOKIE, mode %04o%s)\n", i->cookie_mode,
                       (i->cookie_mode & 077) ? ", readable by others" : "");
    else
        rel_buf_puts(out, "cookie    none (set RELEASE_COOKIE when starting)\n");
    rel_buf_puts(out, "versions ");
    for (size_t k = 0; k < i->nversions; k++)
        rel_buf_printf(out, " %s%s", i->versions[k],
                       i->version && strcmp(i->versions[k], i->version) == 0 ? " (boots)" : "");
    char size[32];
    rel_buf_printf(out, "\nfiles     %zu (%s)\n", i->files,
                   rel_size_human(size, sizeof(size), i->bytes));
    rel_buf_printf(out, "applications (%zu):\n", i->napps);
    for (size_t k = 0; k < i->napps; k++)
        rel_buf_printf(out, "  %-24s %-12s %s%s\n", i->apps[k].name, i->apps[k].vsn,
                       i->apps[k].mode, i->apps[k].in_lib ? "" : "  (not in lib/)");
    for (size_t k = 0; k < i->nproblems; k++)
        rel_buf_printf(out, "problem: %s\n", i->problems[k]);
    return out->len ? 0 : REL_EIO;
}
