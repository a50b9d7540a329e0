#define _GNU_SOURCE
#include "plan.h"

#include "alloc.h"
#include "bootscript.h"
#include "buf.h"
#include "data.h"
#include "error.h"
#include "etf.h"
#include "event.h"
#include "fs.h"
#include "launcher.h"
#include "path.h"
#include "project.h"
#include "resolve.h"
#include "sysconfig.h"
#include "template.h"
#include "term.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TREE_DEPTH 64
#define MAX_ENTRIES 500000
#define MAX_TEXT_INPUT ((size_t)16 << 20)

/* Everything the builder needs while it works. Entries are collected with
 * a sequence number; the last one written for a path wins (overlays come
 * last and replace generated files, as with mix). */
struct builder {
    struct rel_plan *p;
    const struct rel_model *m;
    const struct rel_project *proj;
    const struct rel_config_release *r;
    const struct rel_plan_opts *o;
    size_t cap;
    size_t *seq;
    size_t next_seq;
    char *version_dir; /* "releases/VSN" */
    bool mix;
};

static void note(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct builder *b, const char *fmt, ...)
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

static int add(struct builder *b, const char *path, enum rel_plan_kind kind, mode_t mode,
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

static int add_text(struct builder *b, const char *path, const struct rel_buf *text, mode_t mode,
                    const char *origin)
{
    return add(b, path, REL_PLAN_TEXT, mode, NULL, text->ptr ? text->ptr : "", text->len, text->len,
               origin);
}

static bool ends_with(const char *s, const char *suffix)
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

static int add_tree_at(struct builder *b, const char *dir, const char *dest, const char *origin,
                       bool strip, const char *const *skip, struct dir_id *stack, int depth,
                       char ***recorded, size_t *nrecorded)
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
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
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
            bool beam = strip && ends_with(n, ".beam");
            rc = add(b, dst, beam ? REL_PLAN_STRIP : REL_PLAN_COPY, cs.st_mode, src, NULL, 0,
                     (uint64_t)cs.st_size, origin);
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
    return rc;
}

static int add_tree(struct builder *b, const char *dir, const char *dest, const char *origin,
                    bool strip, const char *const *skip)
{
    struct dir_id stack[MAX_TREE_DEPTH];
    return add_tree_at(b, dir, dest, origin, strip, skip, stack, 0, NULL, NULL);
}

/* ---- template variables ----------------------------------------------- */

struct tvars {
    struct builder *b;
};

static int tv_option(void *ctx, const char *key, struct rel_buf *out, bool *found)
{
    struct builder *b = ((struct tvars *)ctx)->b;
    const struct rel_config_release *r = b->r;
    *found = true;
    if (strcmp(key, "cookie") == 0 && r->cookie)
        return rel_buf_puts(out, r->cookie);
    if (strcmp(key, "path") == 0 && r->path)
        return rel_buf_puts(out, r->path);
    if (strcmp(key, "version") == 0 && r->version)
        return rel_buf_puts(out, r->version);
    if (strcmp(key, "include_erts") == 0)
        return rel_buf_puts(out, r->include_erts == REL_ERTS_PATH      ? r->erts_path
                                 : r->include_erts == REL_ERTS_INCLUDE ? "true"
                                                                       : "false");
    if (strcmp(key, "strip_beams") == 0)
        return rel_buf_puts(out, r->strip_beams ? "true" : "false");
    if (strcmp(key, "quiet") == 0)
        return rel_buf_puts(out, r->quiet ? "true" : "false");
    if (strcmp(key, "reboot_system_after_config") == 0)
        return rel_buf_puts(out, r->reboot_system_after_config ? "true" : "false");
    if (strcmp(key, "validate_compile_env") == 0)
        return rel_buf_puts(out, r->validate_compile_env ? "true" : "false");
    if (strcmp(key, "rel_templates_path") == 0 && r->rel_templates_path)
        return rel_buf_puts(out, r->rel_templates_path);
    *found = false;
    return 0;
}

static int tv_app(void *ctx, const char *app, const char *key, struct rel_buf *out, bool *found)
{
    struct builder *b = ((struct tvars *)ctx)->b;
    const struct rel_model_app *a = rel_model_find(b->m, app);
    *found = false;
    if (!a)
        return 0;
    *found = true;
    if (strcmp(key, "vsn") == 0)
        return rel_buf_puts(out, a->app->vsn);
    if (strcmp(key, "mode") == 0)
        return rel_buf_puts(out, rel_mode_name(a->mode));
    if (strcmp(key, "path") == 0)
        return rel_buf_puts(out, a->app->dir);
    if (strcmp(key, "otp_app?") == 0)
        return rel_buf_puts(out, a->app->origin == REL_ORIGIN_OTP ? "true" : "false");
    char *v = NULL;
    const struct rel_term *t = rel_term_proplist_get(rel_term_tuple_get(a->app->spec, 2), key);
    if (t && (v = rel_term_to_cstring(t)) == NULL && rel_term_atom_name(t))
        v = rel_strdup(rel_term_atom_name(t));
    int rc = v ? rel_buf_puts(out, v) : 0;
    *found = v != NULL;
    free(v);
    return rc;
}

static char *project_path(const struct builder *b, const char *p)
{
    if (p[0] == '/')
        return rel_path_normalize(p);
    char *j = rel_path_join2(b->proj->root, p);
    char *n = rel_path_normalize(j);
    free(j);
    return n;
}

/* Render `file` (under rel_templates_path) if the project has it, else the
 * built-in default `dflt` (core/data). */
static int render_template(struct builder *b, struct rel_buf *out, const char *file,
                           const char *dflt)
{
    char *vpath = rel_asprintf("%s/%s", b->p->dest, b->version_dir);
    struct tvars tv = {b};
    struct rel_template_vars vars = {
        .name = b->p->name,
        .version = b->p->version,
        .path = b->p->dest,
        .version_path = vpath,
        .erts_version = b->p->erts_version,
        .option = tv_option,
        .app_field = tv_app,
        .ctx = &tv,
    };
    char *dir = project_path(b, b->r->rel_templates_path ? b->r->rel_templates_path : "rel");
    char *path = rel_path_join2(dir, file);
    int rc;
    if (rel_fs_is_file(path)) {
        /* Messages name the file as the user knows it, relative to the root. */
        const char *shown = path;
        size_t rl = strlen(b->proj->root);
        if (strncmp(path, b->proj->root, rl) == 0 && path[rl] == '/')
            shown = path + rl + 1;
        struct rel_buf text = REL_BUF_INIT;
        rc = rel_fs_read_file(&text, path, REL_TEMPLATE_MAX_SIZE);
        if (rc == 0)
            rc = rel_template_render(out, text.ptr ? text.ptr : "", text.len, shown, &vars);
        rel_buf_free(&text);
    } else {
        size_t len;
        const char *t = rel_data_get(dflt, &len);
        rc = t ? rel_template_render(out, t, len, dflt, &vars)
               : rel_error_set(REL_ENOTFOUND, "built-in template %s is missing", dflt);
    }
    free(path);
    free(dir);
    free(vpath);
    return rc;
}

/* ---- pieces of the release --------------------------------------------- */

static bool app_copied(const struct builder *b, const struct rel_model_app *a)
{
    /* mix leaves OTP's applications out when ERTS is not bundled: the boot
     * script then finds them under the target's own $ROOT/lib. */
    return !(b->mix && !b->p->include_erts && a->app->origin == REL_ORIGIN_OTP);
}

static char *app_lib_dir(const struct rel_model_app *a)
{
    return rel_asprintf("lib/%s-%s", a->app->name, a->app->vsn);
}

static int plan_apps(struct builder *b)
{
    bool include_dir = !b->mix || (b->proj->elixir_version &&
                                   rel_version_compare(b->proj->elixir_version, "1.16") >= 0);
    for (size_t i = 0; i < b->m->napps; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        if (!app_copied(b, a))
            continue;
        char *lib = app_lib_dir(a);
        char *ebin = rel_path_join2(a->app->dir, "ebin");
        char *dest = rel_path_join2(lib, "ebin");
        int rc = 0;
        if (!rel_fs_is_dir(ebin))
            rc = rel_error_set(REL_ENOTFOUND, "%s: no ebin directory for application %s",
                               a->app->dir, a->app->name);
        if (rc == 0)
            rc = add_tree(b, ebin, dest, "app", b->r->strip_beams, NULL);
        free(ebin);
        free(dest);
        static const char *const extra[] = {"priv", "include"};
        for (size_t k = 0; rc == 0 && k < 2; k++) {
            if (k == 1 && !include_dir)
                continue;
            char *src = rel_path_join2(a->app->dir, extra[k]);
            if (rel_fs_is_dir(src)) {
                char *d = rel_path_join2(lib, extra[k]);
                rc = add_tree(b, src, d, "app", false, NULL);
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

static char *erts_dir(const struct builder *b)
{
    if (b->r->include_erts == REL_ERTS_PATH)
        return project_path(b, b->r->erts_path);
    return rel_asprintf("%s/erts-%s", b->proj->otp_root, b->p->erts_version);
}

static int plan_erts(struct builder *b)
{
    if (!b->p->include_erts)
        return 0;
    char *dir = erts_dir(b);
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
            rc = add_text(b, erl, &t, 0755, "generated");
        free(erl);
        rel_buf_free(&t);
    }
    free(dir);
    free(bin);
    free(dest);
    return rc;
}

static char *ebin_in_script(const struct builder *b, const struct rel_model_app *a)
{
    /* mix: OTP's applications under $ROOT (the bundled or the target's
     * Erlang), everything else under $RELEASE_LIB (= the release's lib,
     * given with -boot_var by bin/NAME). Other projects: everything in the
     * release's own lib. */
    if (b->mix && a->app->origin == REL_ORIGIN_OTP)
        return rel_asprintf("$ROOT/lib/%s-%s/ebin", a->app->name, a->app->vsn);
    return rel_asprintf("$RELEASE_LIB/%s-%s/ebin", a->app->name, a->app->vsn);
}

static int write_boot(struct builder *b, const char *base, const struct rel_boot_spec *spec)
{
    struct rel_term *script = NULL;
    struct rel_buf text = REL_BUF_INIT, bin = REL_BUF_INIT;
    int rc = rel_boot_make(&script, spec);
    if (rc == 0)
        rc = rel_term_format_file(&text, script);
    if (rc == 0)
        rc = rel_etf_encode(&bin, script, 0);
    char *sp = rel_asprintf("%s/%s.script", b->version_dir, base);
    char *bp = rel_asprintf("%s/%s.boot", b->version_dir, base);
    if (rc == 0)
        rc = add_text(b, sp, &text, 0644, "generated");
    if (rc == 0)
        rc = add_text(b, bp, &bin, 0644, "generated");
    free(sp);
    free(bp);
    rel_buf_free(&text);
    rel_buf_free(&bin);
    rel_term_free(script);
    return rc;
}

static bool has_runtime_config(const struct builder *b, char **path_out)
{
    *path_out = NULL;
    if (!b->mix || b->r->runtime_config_disabled)
        return false;
    char *p = project_path(b, b->r->runtime_config_path ? b->r->runtime_config_path
                                                        : "config/runtime.exs");
    if (!rel_fs_is_file(p)) {
        free(p);
        return false;
    }
    *path_out = p;
    return true;
}

static int plan_boot_scripts(struct builder *b, bool providers, const char *consolidated)
{
    size_t n = b->m->napps;
    struct rel_boot_app *apps = rel_calloc(n ? n : 1, sizeof(*apps));
    char **ebins = rel_calloc(n ? n : 1, sizeof(*ebins));
    char **pre = NULL;
    size_t npre = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        ebins[i] = ebin_in_script(b, a);
        apps[i] = (struct rel_boot_app){a->app->name, a->app->vsn,      a->mode,
                                        a->app->spec, a->app->app_file, ebins[i]};
    }
    /* The preloaded modules come from the ERTS the release runs on. */
    char *otp = b->r->include_erts == REL_ERTS_PATH ? NULL : rel_strdup(b->proj->otp_root);
    if (!otp) {
        char *ed = erts_dir(b);
        otp = rel_path_dirname(ed);
        free(ed);
    }
    rc = rel_boot_read_preloaded(&pre, &npre, otp, b->p->erts_version);
    free(otp);
    struct rel_boot_spec spec = {
        .name = b->p->name,
        .vsn = b->p->version,
        .apps = apps,
        .napps = n,
        .preloaded = (const char *const *)pre,
        .npreloaded = npre,
        .no_dot_erlang = b->mix,
        .config_provider = providers,
        .consolidated = consolidated,
    };
    if (rc == 0)
        rc = write_boot(b, "start", &spec);
    /* start_clean: the same applications; kernel and stdlib start, the rest
     * is loaded (Elixir >= 1.16) or only on the code path (mix <= 1.15 and
     * relx: mode none). */
    bool load_rest = b->mix && b->proj->elixir_version &&
                     rel_version_compare(b->proj->elixir_version, "1.16") >= 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool core = strcmp(apps[i].name, "kernel") == 0 || strcmp(apps[i].name, "stdlib") == 0;
        if (core)
            apps[i].mode = REL_MODE_PERMANENT;
        else if (load_rest && apps[i].mode != REL_MODE_NONE)
            apps[i].mode = REL_MODE_LOAD;
        else
            apps[i].mode = REL_MODE_NONE;
    }
    if (rc == 0)
        rc = write_boot(b, "start_clean", &spec);
    rel_boot_free_strings(pre, npre);
    for (size_t i = 0; i < n; i++)
        free(ebins[i]);
    free(ebins);
    free(apps);
    return rc;
}

static int app_name_cmp(const void *x, const void *y)
{
    const struct rel_model_app *a = *(const struct rel_model_app *const *)x;
    const struct rel_model_app *c = *(const struct rel_model_app *const *)y;
    return strcmp(a->app->name, c->app->name);
}

static int plan_sys_config_mix(struct builder *b, const char *runtime)
{
    char *config = project_path(b, "config/config.exs");
    char *cache = rel_asprintf("%s/_build/%s/.relman/config.cache", b->proj->root,
                               b->proj->env ? b->proj->env : "prod");
    struct rel_mix_config mc = {.project_root = b->proj->root,
                                .config_path = config,
                                .env = b->proj->env ? b->proj->env : "prod",
                                .elixir_version = b->proj->elixir_version,
                                .cache_file = cache};
    struct rel_term *cfg = NULL;
    bool hit = false;
    int rc = rel_sysconfig_eval_mix(&cfg, &hit, &mc);
    if (rc == 0 && rel_fs_is_file(config))
        rel_event_log(b->o ? b->o->ev : NULL, REL_LOG_DEBUG, "config/config.exs: %s",
                      hit ? "from the cache" : "evaluated with elixir");
    if (rc == 0 && runtime) {
        /* validate_compile_env, ordered by application name as mix's map is */
        struct rel_term *compile_env = NULL;
        if (b->r->validate_compile_env) {
            size_t n = b->m->napps;
            const struct rel_model_app **sorted = rel_calloc(n ? n : 1, sizeof(*sorted));
            const struct rel_term **specs = rel_calloc(n ? n : 1, sizeof(*specs));
            for (size_t i = 0; i < n; i++)
                sorted[i] = &b->m->apps[i];
            qsort(sorted, n, sizeof(*sorted), app_name_cmp);
            for (size_t i = 0; i < n; i++)
                specs[i] = sorted[i]->app->spec;
            compile_env = rel_sysconfig_compile_env(specs, n);
            free(sorted);
            free(specs);
        }
        struct rel_provider_opts po = {
            .version = b->p->version,
            .runtime_file = "runtime.exs",
            .env = mc.env,
            .reboot_after_config = b->r->reboot_system_after_config,
            .prune_after_boot = b->r->prune_runtime_sys_config_after_boot,
            .start_distribution_during_config = b->r->start_distribution_during_config,
            .validate_compile_env = compile_env,
        };
        rel_sysconfig_merge(cfg, rel_sysconfig_provider(&po));
    }
    struct rel_buf text = REL_BUF_INIT;
    if (rc == 0)
        rc = rel_sysconfig_format(&text, cfg, runtime && b->r->reboot_system_after_config);
    if (rc == 0) {
        char *path = rel_asprintf("%s/sys.config", b->version_dir);
        rc = add_text(b, path, &text, 0644, "generated");
        free(path);
    }
    rel_buf_free(&text);
    rel_term_free(cfg);
    free(config);
    free(cache);
    return rc;
}

static int plan_sys_config_other(struct builder *b)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = 0;
    const char *name = "sys.config";
    if (b->r->sys_config) {
        char *src = project_path(b, b->r->sys_config);
        rc = rel_fs_read_file(&text, src, MAX_TEXT_INPUT);
        if (rc == 0 && ends_with(src, ".src")) {
            name = "sys.config.src"; /* ${VAR}s are filled in by bin/NAME at start */
        } else if (rc == 0) {
            struct rel_term *t = NULL;
            rc = rel_term_parse_one(&t, text.ptr ? text.ptr : "", text.len, b->r->sys_config);
            if (rc == 0)
                rc = rel_sysconfig_check(t, b->r->sys_config);
            rel_term_free(t);
        }
        free(src);
    } else {
        rc = rel_buf_puts(&text, "%% coding: utf-8\n[].\n");
    }
    if (rc == 0) {
        char *path = rel_asprintf("%s/%s", b->version_dir, name);
        rc = add_text(b, path, &text, 0644, b->r->sys_config ? "project" : "generated");
        free(path);
    }
    rel_buf_free(&text);
    return rc;
}

/*
 * A relx-style vm.args (rebar3 projects) names the node and the cookie.
 * bin/NAME passes those itself, and a -setcookie line would put the cookie
 * in `ps` output, so they move: the cookie to releases/COOKIE (unless the
 * release configures one), the node name to the default env.sh.
 */
static int plan_vm_args_other(struct builder *b, struct rel_buf *env_extra, char **cookie_out)
{
    *cookie_out = NULL;
    if (!b->r->vm_args)
        return 0;
    char *src = project_path(b, b->r->vm_args);
    struct rel_buf in = REL_BUF_INIT, out = REL_BUF_INIT;
    int rc = rel_fs_read_file(&in, src, MAX_TEXT_INPUT);
    bool is_src = ends_with(src, ".src");
    const char *p = rel_buf_cstr(&in);
    int line = 0;
    while (rc == 0 && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l = rel_strndup(p, len);
        line++;
        char flag[16] = "", value[512] = "", rest[8] = "";
        int k = sscanf(l, " %15s %511s %7s", flag, value, rest);
        bool name = strcmp(flag, "-sname") == 0 || strcmp(flag, "-name") == 0;
        bool cookie = strcmp(flag, "-setcookie") == 0;
        if (k == 2 && (name || cookie) && !(is_src && strchr(value, '$'))) {
            rel_buf_printf(&out, "## %s moved by relman (%s)\n", flag,
                           cookie ? "to releases/COOKIE" : "to env.sh");
            if (cookie) {
                if (!b->r->cookie)
                    *cookie_out = rel_strdup(value);
                note(b,
                     "%s:%d: -setcookie moved to releases/COOKIE (a cookie on the command "
                     "line is visible in ps)",
                     b->r->vm_args, line);
            } else {
                rel_buf_printf(env_extra,
                               "# From %s:%d\nexport RELEASE_DISTRIBUTION=\"${RELEASE_"
                               "DISTRIBUTION:-%s}\"\nexport RELEASE_NODE=\"${RELEASE_NODE:-%s}\"\n",
                               b->r->vm_args, line, flag + 1, value);
            }
        } else {
            rel_buf_put(&out, p, len);
            rel_buf_putc(&out, '\n');
        }
        free(l);
        p += len + (nl ? 1 : 0);
    }
    if (rc == 0) {
        char *path = rel_asprintf("%s/%s", b->version_dir, is_src ? "vm.args.src" : "vm.args");
        rc = add_text(b, path, &out, 0644, "project");
        free(path);
    }
    free(src);
    rel_buf_free(&in);
    rel_buf_free(&out);
    return rc;
}

static int plan_templates(struct builder *b, char **vm_cookie)
{
    struct rel_buf t = REL_BUF_INIT, env_extra = REL_BUF_INIT;
    int rc = 0;
    char *path;
    *vm_cookie = NULL;
    if (!b->mix && b->r->vm_args) {
        rc = plan_vm_args_other(b, &env_extra, vm_cookie);
    } else {
        rc = render_template(b, &t, "vm.args.eex", "vm.args.eex");
        path = rel_asprintf("%s/vm.args", b->version_dir);
        if (rc == 0)
            rc = add_text(b, path, &t, 0644, "template");
        free(path);
    }
    rel_buf_clear(&t);
    if (rc == 0)
        rc = render_template(b, &t, "remote.vm.args.eex", "remote.vm.args.eex");
    path = rel_asprintf("%s/remote.vm.args", b->version_dir);
    if (rc == 0)
        rc = add_text(b, path, &t, 0644, "template");
    free(path);
    rel_buf_clear(&t);
    if (rc == 0)
        rc = render_template(b, &t, "env.sh.eex", "env.sh.eex");
    if (rc == 0 && env_extra.len)
        rc = rel_buf_put(&t, env_extra.ptr, env_extra.len);
    path = rel_asprintf("%s/env.sh", b->version_dir);
    if (rc == 0)
        rc = add_text(b, path, &t, 0644, "template");
    free(path);
    if (rc == 0 && b->r->exec_windows) {
        rel_buf_clear(&t);
        rc = render_template(b, &t, "env.bat.eex", "env.bat.eex");
        path = rel_asprintf("%s/env.bat", b->version_dir);
        if (rc == 0)
            rc = add_text(b, path, &t, 0644, "template");
        free(path);
    }
    rel_buf_free(&t);
    rel_buf_free(&env_extra);
    return rc;
}

static int plan_executables(struct builder *b)
{
    int rc = 0;
    struct rel_buf t = REL_BUF_INIT;
    char *iex_flags = NULL;
    char *elixir_bin = NULL;
    if (b->p->elixir) {
        if (!b->proj->elixir_lib_dir)
            return rel_error_set(REL_ENOTFOUND, "the release contains Elixir but no Elixir "
                                                "installation was found (no elixir in PATH)");
        char *binparent = rel_path_join2(b->proj->elixir_lib_dir, "../bin");
        elixir_bin = rel_path_normalize(binparent);
        free(binparent);
        char *iex = rel_path_join2(elixir_bin, "iex");
        if (rel_fs_read_file(&t, iex, MAX_TEXT_INPUT) == 0)
            iex_flags = rel_launcher_iex_flags(t.ptr, t.len);
        rel_error_clear();
        free(iex);
        rel_buf_clear(&t);
    }
    struct rel_launcher_opts lo = {
        .name = b->p->name,
        .elixir = b->p->elixir,
        .reboot_after_config = b->mix && b->r->reboot_system_after_config,
        .iex_flags = iex_flags,
    };
    if (b->r->exec_unix) {
        char *path = rel_asprintf("bin/%s", b->p->name);
        rc = rel_launcher_bin_script(&t, &lo);
        if (rc == 0)
            rc = add_text(b, path, &t, 0755, "generated");
        free(path);
    }
    if (rc == 0 && b->r->exec_windows) {
        rel_buf_clear(&t);
        char *path = rel_asprintf("bin/%s.bat", b->p->name);
        rc = rel_launcher_bin_bat(&t, &lo);
        if (rc == 0)
            rc = add_text(b, path, &t, 0755, "generated");
        free(path);
    }
    if (rc == 0 && b->p->elixir && b->r->exec_unix) {
        char *src = rel_path_join2(elixir_bin, "elixir");
        struct rel_buf in = REL_BUF_INIT;
        rel_buf_clear(&t);
        rc = rel_fs_read_file(&in, src, MAX_TEXT_INPUT);
        if (rc == 0)
            rc = rel_launcher_patch_elixir(&t, in.ptr, in.len, src,
                                           b->p->include_erts ? b->p->erts_version : NULL);
        char *path = rel_asprintf("%s/elixir", b->version_dir);
        if (rc == 0)
            rc = add_text(b, path, &t, 0755, "generated");
        free(path);
        free(src);
        rel_buf_free(&in);
        src = rel_path_join2(elixir_bin, "iex");
        struct stat st;
        if (rc == 0 && stat(src, &st) < 0)
            rc = rel_error_set_errno(REL_ENOTFOUND, errno, "cannot read %s", src);
        path = rel_asprintf("%s/iex", b->version_dir);
        if (rc == 0)
            rc = add(b, path, REL_PLAN_COPY, 0755, src, NULL, 0, (uint64_t)st.st_size, "elixir");
        free(path);
        free(src);
    }
    free(elixir_bin);
    free(iex_flags);
    rel_buf_free(&t);
    return rc;
}

static int plan_overlays(struct builder *b)
{
    char *tdir = project_path(b, b->r->rel_templates_path ? b->r->rel_templates_path : "rel");
    char *dflt = rel_path_join2(tdir, "overlays");
    free(tdir);
    size_t n = 1 + b->r->overlays.count;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *dir = i == 0 ? rel_strdup(dflt) : project_path(b, b->r->overlays.items[i - 1]);
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

static int plan_steps(struct builder *b)
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
            b->p->hooks = rel_reallocarray(b->p->hooks, b->p->nhooks + 1, sizeof(*b->p->hooks));
            b->p->hooks[b->p->nhooks++] =
                (struct rel_plan_hook){rel_strdup(s->command), phase >= 1, phase >= 2};
        }
    }
    if (b->p->tar) {
        bool default_path = !(b->o && b->o->path) && !r->path;
        if (default_path && b->proj->env)
            b->p->tarball = rel_asprintf("%s/_build/%s/%s-%s.tar.gz", b->proj->root, b->proj->env,
                                         b->p->name, b->p->version);
        else
            b->p->tarball = rel_asprintf("%s/%s-%s.tar.gz", b->p->dest, b->p->name, b->p->version);
    }
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
static int finish(struct builder *b)
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
            if (rel_plan_find(p, dir)) {
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

static int plan_release_files(struct builder *b, const char *vm_cookie)
{
    struct rel_buf t = REL_BUF_INIT;
    struct rel_term *rel = NULL;
    int rc = rel_model_rel_term(&rel, b->m);
    if (rc == 0 && b->o && b->o->version) {
        /* --version: the .rel names the version being built */
        struct rel_term *id = rel_term_tuple_get(rel, 1);
        rel_term_tuple_set(id, 1, rel_term_string(b->p->version));
    }
    if (rc == 0)
        rc = rel_term_format_file(&t, rel);
    char *path = rel_asprintf("%s/%s.rel", b->version_dir, b->p->name);
    if (rc == 0)
        rc = add_text(b, path, &t, 0644, "generated");
    free(path);
    rel_term_free(rel);
    rel_buf_clear(&t);
    if (rc == 0)
        rc = rel_buf_printf(&t, "%s %s", b->p->erts_version, b->p->version);
    if (rc == 0)
        rc = add_text(b, "releases/start_erl.data", &t, 0644, "generated");
    const char *cookie = b->r->cookie ? b->r->cookie : vm_cookie;
    if (rc == 0 && cookie && !*cookie)
        rc = rel_error_set(REL_ECONFIG, "release %s: the cookie is empty", b->p->name);
    for (const char *c = cookie; rc == 0 && c && *c; c++)
        if (*c < ' ' || *c > '~')
            rc = rel_error_set(REL_ECONFIG,
                               "release %s: the cookie may only hold printable ASCII characters",
                               b->p->name);
    if (rc == 0)
        rc = add(b, "releases/COOKIE", REL_PLAN_COOKIE, 0600, NULL, cookie,
                 cookie ? strlen(cookie) : 0, cookie ? strlen(cookie) : 56, "generated");
    rel_buf_free(&t);
    return rc;
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
    struct builder b = {.p = p, .m = m, .proj = proj, .r = r, .o = o};
    b.mix = proj->kind == REL_PROJECT_MIX;
    p->name = rel_strdup(m->name);
    p->version = rel_strdup(o && o->version ? o->version : m->version);
    p->include_erts = r->include_erts != REL_ERTS_EXCLUDE;
    p->project_root = rel_strdup(proj->root);
    p->elixir = rel_model_find(m, "elixir") != NULL;
    p->erts_version = rel_strdup(m->erts_version);
    if (r->include_erts == REL_ERTS_PATH) {
        /* the version is the erts-VSN directory's suffix */
        char *base = rel_path_basename(r->erts_path);
        if (strncmp(base, "erts-", 5) != 0 || !base[5]) {
            rc = rel_error_set(REL_ECONFIG,
                               "release %s: include_erts path %s is not an erts-VSN directory",
                               r->name, r->erts_path);
            free(base);
            goto fail;
        }
        free(p->erts_version);
        p->erts_version = rel_strdup(base + 5);
        free(base);
    }
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
    b.version_dir = rel_asprintf("releases/%s", p->version);
    p->strip_keep = rel_calloc(r->strip_keep.count + 1, sizeof(char *));
    for (size_t i = 0; i < r->strip_keep.count; i++)
        p->strip_keep[p->nstrip_keep++] = rel_strdup(r->strip_keep.items[i]);
    p->strip_compress = r->strip_compress;

    char *runtime = NULL;
    bool providers = has_runtime_config(&b, &runtime);
    char *consolidated = NULL;
    if (b.mix && proj->consolidated_dir && rel_fs_is_dir(proj->consolidated_dir))
        consolidated = rel_asprintf("$RELEASE_LIB/../releases/%s/consolidated", p->version);
    char *vm_cookie = NULL;

    if ((rc = plan_steps(&b)) == 0 && (rc = plan_apps(&b)) == 0 && (rc = plan_erts(&b)) == 0 &&
        (rc = plan_boot_scripts(&b, providers, consolidated)) == 0 &&
        (rc = (b.mix ? plan_sys_config_mix(&b, runtime) : plan_sys_config_other(&b))) == 0 &&
        (rc = plan_templates(&b, &vm_cookie)) == 0 && (rc = plan_executables(&b)) == 0 &&
        (rc = plan_release_files(&b, vm_cookie)) == 0) {
        if (runtime) {
            struct stat st;
            char *dst = rel_asprintf("%s/runtime.exs", b.version_dir);
            if (stat(runtime, &st) < 0)
                rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", runtime);
            else
                rc = add(&b, dst, REL_PLAN_COPY, 0644, runtime, NULL, 0, (uint64_t)st.st_size,
                         "project");
            free(dst);
        }
        if (rc == 0 && consolidated) {
            char *dst = rel_asprintf("%s/consolidated", b.version_dir);
            rc = add_tree(&b, proj->consolidated_dir, dst, "consolidated", r->strip_beams, NULL);
            free(dst);
        }
        if (rc == 0)
            rc = plan_overlays(&b);
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
    free(p->tarball);
    free(p);
}

int rel_plan_render(struct rel_buf *out, const struct rel_model *m, const char *what)
{
    struct rel_plan *p = NULL;
    int rc = rel_plan_build(&p, m, NULL);
    if (rc < 0)
        return rc;
    char *path;
    if (strcmp(what, "bin") == 0)
        path = rel_asprintf("bin/%s", p->name);
    else if (strchr(what, '/'))
        path = rel_strdup(what);
    else
        path = rel_asprintf("releases/%s/%s", p->version, what);
    const struct rel_plan_entry *e = rel_plan_find(p, path);
    if (!e && strcmp(what, "sys.config") == 0 && !strchr(what, '/')) {
        /* rebar3 projects may ship sys.config.src */
        free(path);
        path = rel_asprintf("releases/%s/%s.src", p->version, what);
        e = rel_plan_find(p, path);
    }
    if (!e && strcmp(what, "vm.args") == 0) {
        free(path);
        path = rel_asprintf("releases/%s/vm.args.src", p->version);
        e = rel_plan_find(p, path);
    }
    if (!e)
        rc = rel_error_set(REL_ENOTFOUND, "release %s has no %s", p->name, path);
    else if (e->kind == REL_PLAN_TEXT)
        rc = rel_buf_put(out, e->data, e->len);
    else if (e->kind == REL_PLAN_COOKIE)
        rc = rel_error_set(REL_EINVAL, "the cookie is never printed");
    else
        rc = rel_fs_read_file(out, e->src, (size_t)64 << 20);
    free(path);
    rel_plan_free(p);
    return rc;
}
