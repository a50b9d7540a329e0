/*
 * plan.c - the plan builder (see plan.h): entries, trees of files, the
 * steps, sorting and uniqueness; the generated texts are in plan_text.c.
 */
#define _GNU_SOURCE
#include "plan.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "launcher.h"
#include "path.h"
#include "plan_int.h"
#include "term.h"
#include "project.h"
#include "resolve.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TREE_DEPTH 64
#define MAX_ENTRIES 500000

void rel_plan_note(struct rel_plan_builder *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    b->p->notes = rel_reallocarray(b->p->notes, b->p->nnotes + 1, sizeof(char *));
    b->p->notes[b->p->nnotes++] = rel_strdup(line);
    rel_event_log(b->o ? b->o->ev : NULL, REL_LOG_INFO, "%s", line);
}

int rel_plan_add(struct rel_plan_builder *b, const char *path, enum rel_plan_kind kind, mode_t mode,
                 const char *src, const char *data, size_t len, uint64_t size, const char *origin)
{
    if (!rel_path_is_safe_relative(path) || strchr(path, '\n'))
        return rel_error_set(REL_EUNSAFE, "refusing to write '%s' outside the release", path);
    if (b->p->count >= MAX_ENTRIES)
        return rel_error_set(REL_ELIMIT, "more than %d files in the release", MAX_ENTRIES);
    if (b->p->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->p->entries = rel_reallocarray(b->p->entries, b->cap, sizeof(*b->p->entries));
        b->seq = rel_reallocarray(b->seq, b->cap, sizeof(*b->seq));
    }
    struct rel_plan_entry *e = &b->p->entries[b->p->count];
    memset(e, 0, sizeof(*e));
    e->path = rel_path_normalize(path);
    e->kind = kind;
    e->mode = mode & 07777;
    e->src = src ? rel_strdup(src) : NULL;
    if (data) {
        e->data = rel_malloc(len + 1);
        memcpy(e->data, data, len);
        e->data[len] = '\0';
        e->len = len;
    }
    e->size = size;
    e->origin = origin;
    b->seq[b->p->count] = b->next_seq++;
    b->p->count++;
    return 0;
}

int rel_plan_add_text(struct rel_plan_builder *b, const char *path, const struct rel_buf *text,
                      mode_t mode, const char *origin)
{
    return rel_plan_add(b, path, REL_PLAN_TEXT, mode, NULL, text->ptr ? text->ptr : "", text->len,
                        text->len, origin);
}

bool rel_plan_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Every file below `dir` (symlinks followed, loops refused) as COPY entries
 * under `dest` (keeping permission bits); `.beam` files become STRIP entries
 * when `strip` is set. `skip` names top-level entries to leave out.
 */
struct dir_id {
    dev_t dev;
    ino_t ino;
};

static int add_empty_dir(struct rel_plan_builder *b, const char *dest, mode_t mode,
                         const char *origin, char ***recorded, size_t *nrecorded)
{
    int rc = rel_plan_add(b, dest, REL_PLAN_DIR, mode, NULL, NULL, 0, 0, origin);
    if (rc == 0) {
        *recorded = rel_reallocarray(*recorded, *nrecorded + 1, sizeof(char *));
        (*recorded)[(*nrecorded)++] = rel_path_normalize(dest);
    }
    return rc;
}

static int add_tree_at(struct rel_plan_builder *b, const char *dir, const char *dest,
                       const char *origin, bool strip, const char *const *skip,
                       struct dir_id *stack, int depth, char ***recorded, size_t *nrecorded)
{
    struct stat st;
    if (stat(dir, &st) < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot read %s", dir);
    if (depth >= MAX_TREE_DEPTH)
        return rel_error_set(REL_ELIMIT, "%s: directories nested deeper than %d", dir,
                             MAX_TREE_DEPTH);
    for (int i = 0; i < depth; i++)
        if (stack[i].dev == st.st_dev && stack[i].ino == st.st_ino)
            return rel_error_set(REL_EUNSAFE, "%s: symlink loop", dir);
    stack[depth] = (struct dir_id){st.st_dev, st.st_ino};
    DIR *d = opendir(dir);
    if (!d)
        return rel_error_set_errno(REL_EIO, errno, "cannot read directory %s", dir);
    int rc = 0;
    struct dirent *de;
    size_t seen = 0;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        seen++;
        bool skipped = false;
        for (size_t i = 0; depth == 0 && skip && skip[i]; i++)
            skipped |= strcmp(skip[i], n) == 0;
        if (skipped)
            continue;
        char *src = rel_path_join2(dir, n);
        char *dst = dest[0] ? rel_path_join2(dest, n) : rel_strdup(n);
        struct stat cs;
        if (stat(src, &cs) < 0) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s (a dangling symlink?)", src);
        } else if (S_ISDIR(cs.st_mode)) {
            rc = add_tree_at(b, src, dst, origin, strip, skip, stack, depth + 1, recorded,
                             nrecorded);
        } else if (S_ISREG(cs.st_mode)) {
            bool beam = strip && rel_plan_ends_with(n, ".beam");
            rc = rel_plan_add(b, dst, beam ? REL_PLAN_STRIP : REL_PLAN_COPY, cs.st_mode, src, NULL,
                              0, (uint64_t)cs.st_size, origin);
            if (rc == 0 && recorded) {
                *recorded = rel_reallocarray(*recorded, *nrecorded + 1, sizeof(char *));
                (*recorded)[(*nrecorded)++] = rel_path_normalize(dst);
            }
        }
        /* sockets, FIFOs and devices are not release content: skipped */
        free(src);
        free(dst);
        if (rc)
            break;
    }
    closedir(d);
    /* An empty directory of an overlay (recorded: the tar step packs it
     * too) is kept, as mix's File.cp_r keeps it. */
    if (rc == 0 && seen == 0 && depth > 0 && recorded)
        rc = add_empty_dir(b, dest, st.st_mode, origin, recorded, nrecorded);
    return rc;
}

static int add_tree(struct rel_plan_builder *b, const char *dir, const char *dest,
                    const char *origin, bool strip, const char *const *skip)
{
    struct dir_id stack[MAX_TREE_DEPTH];
    return add_tree_at(b, dir, dest, origin, strip, skip, stack, 0, NULL, NULL);
}

/* An application's priv/ (include/) as mix's File.cp_r copies it: empty
 * directories too, the directory itself included (the tar step packs
 * lib/APP-VSN whole). */
static int add_copied_dir(struct rel_plan_builder *b, const char *dir, const char *dest)
{
    char **seen = NULL;
    size_t n = 0;
    struct dir_id stack[MAX_TREE_DEPTH];
    int rc = add_tree_at(b, dir, dest, "app", false, NULL, stack, 0, &seen, &n);
    if (rc == 0 && n == 0)
        rc = add_empty_dir(b, dest, 0755, "app", &seen, &n);
    for (size_t i = 0; i < n; i++)
        free(seen[i]);
    free(seen);
    return rc;
}

char *rel_plan_project_path(const struct rel_plan_builder *b, const char *p)
{
    if (p[0] == '/')
        return rel_path_normalize(p);
    char *j = rel_path_join2(b->proj->root, p);
    char *n = rel_path_normalize(j);
    free(j);
    return n;
}

/* ---- pieces of the release --------------------------------------------- */

static bool app_copied(const struct rel_plan_builder *b, const struct rel_model_app *a)
{
    /* mix leaves OTP's applications out when ERTS is not bundled, relx with
     * system_libs false: the boot script then finds them under the target's
     * own $ROOT/lib. */
    if (a->app->origin == REL_ORIGIN_OTP && !b->r->system_libs)
        return false;
    return !(b->mix && !b->p->include_erts && a->app->origin == REL_ORIGIN_OTP);
}

/* What add_tree leaves out of an application's ebin/: the .app when the
 * model rewrote it, and the BEAM files of exclude_modules. NULL-terminated;
 * free with free_skip(). */
static char **ebin_skip(const struct rel_plan_builder *b, const struct rel_model_app *a)
{
    const struct rel_config_strlist *mods = rel_config_excluded_modules(b->r, a->app->name);
    size_t n = mods ? mods->count : 0, k = 0;
    char **skip = rel_calloc(n + 2, sizeof(char *));
    if (a->rewritten)
        skip[k++] = rel_asprintf("%s.app", a->app->name);
    for (size_t i = 0; i < n; i++)
        skip[k++] = rel_asprintf("%s.beam", mods->items[i]);
    return skip;
}

static void free_skip(char **skip)
{
    for (size_t i = 0; skip && skip[i]; i++)
        free(skip[i]);
    free(skip);
}

/* The .app the model rewrote (exclude_apps, exclude_modules), as relx writes
 * it back. */
static int add_rewritten_app(struct rel_plan_builder *b, const struct rel_model_app *a,
                             const char *dest)
{
    struct rel_buf t = REL_BUF_INIT;
    char *path = rel_asprintf("%s/%s.app", dest, a->app->name);
    int rc = rel_term_format_file(&t, a->app->spec);
    if (rc == 0)
        rc = rel_plan_add_text(b, path, &t, 0644, "app");
    free(path);
    rel_buf_free(&t);
    return rc;
}

static char *app_lib_dir(const struct rel_model_app *a)
{
    return rel_asprintf("lib/%s-%s", a->app->name, a->app->vsn);
}

/*
 * The modules of application `a` against its ebin/ as just planned (the
 * entries from index `first` on, one readdir already done by add_tree), as
 * systools checks them when it makes a boot script: every module listed in
 * the .app's `modules` has its MODULE.beam directly in ebin/ (else the boot
 * script loads a module that is not there), and, for the applications the
 * project builds or lib_dirs holds, every .beam there is listed (else it is
 * never loaded in embedded mode). OTP's and Elixir's own applications ship
 * build-time modules they do not list (asn1ct, diameter_codegen): only the
 * first check applies to them. One line naming the application and the
 * module; before anything is written.
 */
static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int check_modules(struct rel_plan_builder *b, const struct rel_model_app *a, size_t first,
                         const char *dest)
{
    size_t dl = strlen(dest), n = 0;
    char **beams = rel_calloc(b->p->count - first + 1, sizeof(char *));
    for (size_t i = first; i < b->p->count; i++) {
        const char *path = b->p->entries[i].path;
        if (strncmp(path, dest, dl) == 0 && path[dl] == '/' && !strchr(path + dl + 1, '/') &&
            rel_plan_ends_with(path, ".beam"))
            beams[n++] = rel_strndup(path + dl + 1, strlen(path + dl + 1) - 5);
    }
    qsort(beams, n, sizeof(char *), name_cmp);
    const struct rel_names *mods = &a->app->modules;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < mods->count; i++)
        if (!bsearch(&mods->items[i], beams, n, sizeof(char *), name_cmp))
            rc = rel_error_set(REL_ENOTFOUND,
                               "%s: application '%s': module '%s' is listed in modules but "
                               "ebin/%s.beam is missing",
                               a->app->app_file, a->app->name, mods->items[i], mods->items[i]);
    bool own = a->app->origin == REL_ORIGIN_PROJECT || a->app->origin == REL_ORIGIN_LIB_DIRS;
    for (size_t i = 0; rc == 0 && own && i < n; i++)
        if (rel_names_index(mods, beams[i]) < 0)
            rc = rel_error_set(REL_EINVAL,
                               "%s: application '%s': module '%s' (ebin/%s.beam) is not listed "
                               "in modules",
                               a->app->app_file, a->app->name, beams[i], beams[i]);
    for (size_t i = 0; i < n; i++)
        free(beams[i]);
    free(beams);
    return rc;
}

static int plan_apps(struct rel_plan_builder *b)
{
    bool include_dir = !b->mix || (b->proj->elixir_version &&
                                   rel_version_compare(b->proj->elixir_version, "1.16") >= 0);
    for (size_t i = 0; i < b->m->napps; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        if (!app_copied(b, a))
            continue;
        char *lib = app_lib_dir(a);
        int rc = 0;
        if (b->r->dev_mode) {
            /* relx's dev mode: the application's directory itself, linked */
            rc = rel_plan_add(b, lib, REL_PLAN_LINK, 0777, NULL, a->app->dir, strlen(a->app->dir), 0,
                              "app");
            free(lib);
            if (rc)
                return rc;
            continue;
        }
        char *ebin = rel_path_join2(a->app->dir, "ebin");
        char *dest = rel_path_join2(lib, "ebin");
        if (!rel_fs_is_dir(ebin))
            rc = rel_error_set(REL_ENOTFOUND, "%s: no ebin directory for application %s",
                               a->app->dir, a->app->name);
        size_t first = b->p->count;
        char **skip = ebin_skip(b, a);
        if (rc == 0)
            rc = add_tree(b, ebin, dest, "app", b->r->strip_beams, (const char *const *)skip);
        if (rc == 0 && a->rewritten)
            rc = add_rewritten_app(b, a, dest);
        if (rc == 0)
            rc = check_modules(b, a, first, dest);
        free_skip(skip);
        free(ebin);
        free(dest);
        /* relx copies include/ and priv/, and with include_src src/, lib/ and c_src/ */
        static const char *const extra[] = {"priv", "include", "src", "lib", "c_src"};
        for (size_t k = 0; rc == 0 && k < 5; k++) {
            if (k == 1 && !include_dir)
                continue;
            if (k >= 2 && !b->r->include_src)
                continue;
            char *src = rel_path_join2(a->app->dir, extra[k]);
            if (rel_fs_is_dir(src)) {
                char *d = rel_path_join2(lib, extra[k]);
                rc = add_copied_dir(b, src, d);
                free(d);
            }
            free(src);
        }
        if (rc == 0) {
            b->p->tar_paths = rel_reallocarray(b->p->tar_paths, b->p->ntar + 1, sizeof(char *));
            b->p->tar_paths[b->p->ntar++] = rel_strdup(lib);
        }
        free(lib);
        if (rc)
            return rc;
    }
    return 0;
}

char *rel_plan_erts_dir(const struct rel_plan_builder *b)
{
    if (b->r->include_erts == REL_ERTS_PATH)
        return rel_plan_project_path(b, b->r->erts_path);
    return rel_asprintf("%s/erts-%s", b->proj->otp_root, b->p->erts_version);
}

static int plan_erts(struct rel_plan_builder *b)
{
    if (!b->p->include_erts)
        return 0;
    char *dir = rel_plan_erts_dir(b);
    char *bin = rel_path_join2(dir, "bin");
    char *dest = rel_asprintf("erts-%s/bin", b->p->erts_version);
    int rc = 0;
    if (!rel_fs_is_dir(bin))
        rc = rel_error_set(REL_ENOTFOUND, "%s: no ERTS bin directory to bundle", bin);
    static const char *const skip[] = {"erl", "erl.ini", NULL};
    if (rc == 0)
        rc = add_tree(b, bin, dest, "erts", false, skip);
    if (rc == 0) {
        struct rel_buf t = REL_BUF_INIT;
        char *erl = rel_path_join2(dest, "erl");
        rc = rel_launcher_erl(&t);
        if (rc == 0)
            rc = rel_plan_add_text(b, erl, &t, 0755, "generated");
        free(erl);
        rel_buf_free(&t);
    }
    free(dir);
    free(bin);
    free(dest);
    return rc;
}

char *rel_plan_mix_config_path(const struct rel_plan_builder *b)
{
    const struct rel_config *c = b->proj->config;
    return rel_plan_project_path(b, c && c->config_path ? c->config_path : "config/config.exs");
}

/*
 * Mix's choice of the runtime configuration file: runtime_config_path when
 * set (false: none), else runtime.exs beside the build-time config file, else
 * the deprecated releases.exs there (which makes reboot_system_after_config
 * default to true). Fills b->providers, b->runtime_deprecated and b->reboot;
 * *path_out: the file to copy to releases/VSN/runtime.exs, or NULL. The file
 * is only copied: relman never evaluates it (mix evaluates it at boot).
 */
static int runtime_config(struct rel_plan_builder *b, char **path_out)
{
    *path_out = NULL;
    const struct rel_config_release *r = b->r;
    if (!b->mix && r->nproviders)
        return rel_error_set(REL_ECONFIG,
                             "%s:%d: releases.%s.config_providers: config providers need a Mix "
                             "project (Elixir's Config.Provider)",
                             b->proj->config ? b->proj->config->file : "relman.yml",
                             r->providers[0].pos.line, r->name);
    if (!b->mix)
        return 0;
    char *p = NULL;
    if (r->runtime_config_path && !r->runtime_config_disabled) {
        p = rel_plan_project_path(b, r->runtime_config_path);
        if (!rel_fs_is_file(p)) {
            int rc = rel_error_set(REL_ENOTFOUND, "releases.%s.runtime_config_path: %s does not exist",
                                   r->name, r->runtime_config_path);
            free(p);
            return rc;
        }
    } else if (!r->runtime_config_disabled) {
        char *cfg = rel_plan_mix_config_path(b);
        char *dir = rel_path_dirname(cfg);
        char *runtime = rel_path_join2(dir, "runtime.exs");
        char *releases = rel_path_join2(dir, "releases.exs");
        if (rel_fs_is_file(runtime)) {
            p = runtime;
            runtime = NULL;
            if (rel_fs_is_file(releases))
                rel_plan_note(b, "both %s and %s exist: only runtime.exs is used, as with mix",
                              p, releases);
        } else if (rel_fs_is_file(releases)) {
            p = releases;
            releases = NULL;
            b->runtime_deprecated = true;
            rel_plan_note(b, "%s is deprecated (as mix warns): use runtime.exs or set "
                          "runtime_config_path", p);
        }
        free(cfg);
        free(dir);
        free(runtime);
        free(releases);
    }
    *path_out = p;
    b->providers = p != NULL || r->nproviders > 0;
    b->reboot = r->reboot_system_after_config_set ? r->reboot_system_after_config
                                                  : b->runtime_deprecated;
    return 0;
}

static int plan_overlays(struct rel_plan_builder *b)
{
    char *tdir =
        rel_plan_project_path(b, b->r->rel_templates_path ? b->r->rel_templates_path : "rel");
    char *dflt = rel_path_join2(tdir, "overlays");
    free(tdir);
    size_t n = 1 + b->r->overlays.count;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *dir =
            i == 0 ? rel_strdup(dflt) : rel_plan_project_path(b, b->r->overlays.items[i - 1]);
        if (i > 0 && strcmp(dir, dflt) == 0) {
            free(dir);
            continue;
        }
        if (rel_fs_is_dir(dir)) {
            struct dir_id stack[MAX_TREE_DEPTH];
            rc = add_tree_at(b, dir, "", "overlay", false, NULL, stack, 0, &b->p->tar_paths,
                             &b->p->ntar);
        } else if (i > 0) {
            rc = rel_error_set(REL_ENOTFOUND, "overlay directory %s does not exist",
                               b->r->overlays.items[i - 1]);
        }
        free(dir);
    }
    free(dflt);
    return rc;
}

static int plan_steps(struct rel_plan_builder *b)
{
    const struct rel_config_release *r = b->r;
    int phase = 0;
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct rel_config_step *s = &r->steps[i];
        if (s->kind == REL_STEP_ASSEMBLE) {
            phase = 1;
        } else if (s->kind == REL_STEP_TAR) {
            b->p->tar = true;
            phase = 2;
        } else {
            if (s->kind == REL_STEP_MIX && !b->mix)
                return rel_error_set(REL_ECONFIG,
                                     "%s:%d: releases.%s.steps: {mix: %d} needs a Mix project",
                                     b->proj->config ? b->proj->config->file : "relman.yml",
                                     s->pos.line, r->name, s->mix_step);
            b->p->hooks = rel_reallocarray(b->p->hooks, b->p->nhooks + 1, sizeof(*b->p->hooks));
            b->p->hooks[b->p->nhooks++] = (struct rel_plan_hook){
                s->kind == REL_STEP_MIX ? NULL : rel_strdup(s->command),
                s->kind == REL_STEP_MIX ? s->mix_step : 0, phase >= 1, phase >= 2};
        }
    }
    if (b->p->tar)
        b->p->tarball = rel_project_tarball_path(b->proj, r, b->p->version,
                                                 b->o && b->o->path ? b->p->dest : NULL);
    return 0;
}

static void free_entry(struct rel_plan_entry *e)
{
    free(e->path);
    free(e->src);
    free(e->data);
}

struct keyed {
    struct rel_plan_entry e;
    size_t seq;
};

static int keyed_cmp(const void *x, const void *y)
{
    const struct keyed *a = x, *c = y;
    int r = strcmp(a->e.path, c->e.path);
    if (r)
        return r;
    return a->seq < c->seq ? -1 : a->seq > c->seq;
}

static int entry_path_cmp(const void *key, const void *x)
{
    return strcmp(key, ((const struct rel_plan_entry *)x)->path);
}

const struct rel_plan_entry *rel_plan_find(const struct rel_plan *p, const char *path)
{
    return bsearch(path, p->entries, p->count, sizeof(*p->entries), entry_path_cmp);
}

/* Sort by path; of several entries for one path keep the last added; a
 * path that is a file and also the directory of another is an error. */
static int finish(struct rel_plan_builder *b)
{
    struct rel_plan *p = b->p;
    size_t n = p->count;
    struct keyed *k = rel_calloc(n ? n : 1, sizeof(*k));
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){p->entries[i], b->seq[i]};
    qsort(k, n, sizeof(*k), keyed_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && strcmp(k[i].e.path, k[i + 1].e.path) == 0) {
            free_entry(&k[i].e);
            continue;
        }
        p->entries[out++] = k[i].e;
    }
    p->count = out;
    free(k);
    p->bytes_total = 0;
    for (size_t i = 0; i < p->count; i++) {
        p->bytes_total += p->entries[i].size;
        char *dir = rel_strdup(p->entries[i].path);
        for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
            *slash = '\0';
            const struct rel_plan_entry *above = rel_plan_find(p, dir);
            if (above && above->kind != REL_PLAN_DIR) {
                int rc = rel_error_set(REL_EINVAL,
                                       "%s is both a file and a directory in the release", dir);
                free(dir);
                return rc;
            }
        }
        free(dir);
    }
    return 0;
}

char *rel_plan_strip_key(const struct rel_plan *p)
{
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < p->nstrip_keep; i++)
        rel_buf_printf(&b, "%s%s", i ? "," : "", p->strip_keep[i]);
    if (p->strip_compress)
        rel_buf_puts(&b, "+z");
    if (b.len == 0)
        rel_buf_puts(&b, "-");
    return rel_buf_detach(&b);
}

int rel_plan_build(struct rel_plan **out, const struct rel_model *m, const struct rel_plan_opts *o)
{
    *out = NULL;
    int rc = rel_model_check(m);
    if (rc < 0)
        return rc;
    const struct rel_project *proj = m->project;
    const struct rel_config_release *r = m->release;
    struct rel_plan *p = rel_calloc(1, sizeof(*p));
    struct rel_plan_builder b = {.p = p, .m = m, .proj = proj, .r = r, .o = o};
    b.mix = proj->kind == REL_PROJECT_MIX;
    p->name = rel_strdup(m->name);
    p->version = rel_strdup(o && o->version ? o->version : m->version);
    p->include_erts = r->include_erts != REL_ERTS_EXCLUDE;
    p->project_root = rel_strdup(proj->root);
    if (b.mix)
        p->mix_env = rel_strdup(proj->env ? proj->env : "prod");
    p->elixir = rel_model_find(m, "elixir") != NULL;
    /* decided by resolve (include_erts: PATH/erts-VSN, else the installed
     * one); a model without it has a problem and stopped above */
    p->erts_version = rel_strdup(m->erts_version);
    if (o && o->path) {
        char *abs = o->path[0] == '/' ? rel_strdup(o->path) : NULL;
        if (!abs) {
            char *cwd = rel_fs_realpath(".");
            abs = rel_path_join2(cwd ? cwd : ".", o->path);
            free(cwd);
        }
        p->dest = rel_path_normalize(abs);
        free(abs);
    } else {
        p->dest = rel_project_release_path(proj, r);
    }
    if (!p->version || !*p->version || strchr(p->version, '/') || strcmp(p->version, "..") == 0 ||
        strcmp(p->version, ".") == 0) {
        rc = rel_error_set(REL_ECONFIG, "release %s: invalid version '%s'", r->name,
                           p->version ? p->version : "");
        goto fail;
    }
    if (!r->system_libs && p->include_erts) {
        rc = rel_error_set(REL_ECONFIG,
                           "release %s: system_libs: false leaves Erlang/OTP's applications to the "
                           "target's installation, so it needs include_erts: false",
                           r->name);
        goto fail;
    }
    b.version_dir = rel_asprintf("releases/%s", p->version);
    p->strip_keep = rel_calloc(r->strip_keep.count + 1, sizeof(char *));
    for (size_t i = 0; i < r->strip_keep.count; i++)
        p->strip_keep[p->nstrip_keep++] = rel_strdup(r->strip_keep.items[i]);
    p->strip_compress = r->strip_compress;

    char *runtime = NULL;
    if ((rc = runtime_config(&b, &runtime)) < 0)
        goto fail;
    bool providers = b.providers;
    char *consolidated = NULL;
    if (b.mix && proj->consolidated_dir && rel_fs_is_dir(proj->consolidated_dir))
        consolidated = rel_asprintf("$RELEASE_LIB/../releases/%s/consolidated", p->version);
    char *vm_cookie = NULL;

    if ((rc = plan_steps(&b)) == 0 && (rc = plan_apps(&b)) == 0 && (rc = plan_erts(&b)) == 0 &&
        (rc = rel_plan_boot_scripts(&b, providers, consolidated)) == 0 &&
        (rc = (b.mix ? rel_plan_sys_config_mix(&b, runtime) : rel_plan_sys_config_other(&b))) ==
            0 &&
        (rc = rel_plan_templates(&b, &vm_cookie)) == 0 && (rc = rel_plan_executables(&b)) == 0 &&
        (rc = rel_plan_release_files(&b, vm_cookie)) == 0) {
        if (runtime) {
            struct stat st;
            char *dst = rel_asprintf("%s/runtime.exs", b.version_dir);
            if (stat(runtime, &st) < 0)
                rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", runtime);
            else
                rc = rel_plan_add(&b, dst, REL_PLAN_COPY, 0644, runtime, NULL, 0,
                                  (uint64_t)st.st_size, "project");
            free(dst);
        }
        if (rc == 0 && consolidated) {
            char *dst = rel_asprintf("%s/consolidated", b.version_dir);
            rc = add_tree(&b, proj->consolidated_dir, dst, "consolidated", r->strip_beams, NULL);
            free(dst);
        }
        if (rc == 0)
            rc = plan_overlays(&b);
        if (rc == 0)
            rc = rel_plan_relx_overlay(&b);
    }
    free(runtime);
    free(consolidated);
    free(vm_cookie);
    if (rc)
        goto fail;
    /* The rest of what the tar step packs (apps and overlays were added as
     * they were planned). */
    const char *fixed[] = {"bin", b.version_dir, "releases/COOKIE", "releases/start_erl.data"};
    for (size_t i = 0; i < 4; i++) {
        p->tar_paths = rel_reallocarray(p->tar_paths, p->ntar + 1, sizeof(char *));
        p->tar_paths[p->ntar++] = rel_strdup(fixed[i]);
    }
    if (p->include_erts) {
        p->tar_paths = rel_reallocarray(p->tar_paths, p->ntar + 1, sizeof(char *));
        p->tar_paths[p->ntar++] = rel_asprintf("erts-%s", p->erts_version);
    }
    if ((rc = finish(&b)) < 0)
        goto fail;
    free(b.seq);
    free(b.version_dir);
    *out = p;
    return 0;
fail:
    free(b.seq);
    free(b.version_dir);
    rel_plan_free(p);
    return rc;
}

void rel_plan_free(struct rel_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free_entry(&p->entries[i]);
    free(p->entries);
    for (size_t i = 0; i < p->nstrip_keep; i++)
        free(p->strip_keep[i]);
    free(p->strip_keep);
    for (size_t i = 0; i < p->ntar; i++)
        free(p->tar_paths[i]);
    free(p->tar_paths);
    for (size_t i = 0; i < p->nhooks; i++)
        free(p->hooks[i].command);
    free(p->hooks);
    for (size_t i = 0; i < p->nnotes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p->name);
    free(p->version);
    free(p->erts_version);
    free(p->dest);
    free(p->project_root);
    free(p->mix_env);
    free(p->tarball);
    free(p);
}

int rel_plan_lookup(const struct rel_plan_entry **out, const struct rel_plan *p, const char *what)
{
    *out = NULL;
    char *path;
    if (strcmp(what, "bin") == 0)
        path = rel_asprintf("bin/%s", p->name);
    else if (strcmp(what, "rel") == 0)
        path = rel_asprintf("releases/%s/%s.rel", p->version, p->name);
    else if (strchr(what, '/'))
        path = rel_strdup(what);
    else
        path = rel_asprintf("releases/%s/%s", p->version, what);
    const struct rel_plan_entry *e = rel_plan_find(p, path);
    if (!e && (strcmp(what, "sys.config") == 0 || strcmp(what, "vm.args") == 0)) {
        /* relx projects may ship sys.config.src, vm.args.src */
        free(path);
        path = rel_asprintf("releases/%s/%s.src", p->version, what);
        e = rel_plan_find(p, path);
    }
    int rc = e ? 0 : rel_error_set(REL_ENOTFOUND, "release %s has no %s", p->name, path);
    free(path);
    *out = e;
    return rc;
}

int rel_plan_entry_text(struct rel_buf *out, const struct rel_plan_entry *e)
{
    if (e->kind == REL_PLAN_TEXT)
        return rel_buf_put(out, e->data, e->len);
    if (e->kind == REL_PLAN_COOKIE)
        return rel_error_set(REL_EINVAL, "the cookie is never printed");
    if (e->kind == REL_PLAN_LINK)
        return rel_buf_printf(out, "-> %s\n", e->data);
    if (e->kind == REL_PLAN_DIR)
        return rel_error_set(REL_EINVAL, "%s is a directory", e->path);
    return rel_fs_read_file(out, e->src, (size_t)64 << 20);
}
