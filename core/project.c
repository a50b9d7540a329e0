/*
 * project.c - project discovery (see project.h).
 */
#include "project.h"

#include "alloc.h"
#include "buf.h"
#include "term.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bounds on what a scan reads. */
#define MAX_APP_FILE ((size_t)4 << 20)
#define MAX_DIR_ENTRIES 20000
#define MAX_APPS 20000

static const char *const origin_names[] = {
#define X(name, text) text,
    REL_ORIGIN_TABLE
#undef X
};

const char *rel_origin_name(enum rel_origin o)
{
    return (unsigned)o < sizeof(origin_names) / sizeof(origin_names[0]) ? origin_names[o] : "?";
}

/* ---- versions ----------------------------------------------------------- */

int rel_version_compare(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0' && isdigit((unsigned char)a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char)b[1]))
                b++;
            size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* ---- .app files ----------------------------------------------------------- */

long rel_names_index(const struct rel_names *n, const char *name)
{
    for (size_t i = 0; n && i < n->count; i++)
        if (strcmp(n->items[i], name) == 0)
            return (long)i;
    return -1;
}

static void names_free(struct rel_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->items[i]);
    free(n->items);
    n->items = NULL;
    n->count = 0;
}

void rel_app_clear(struct rel_app *app)
{
    if (!app)
        return;
    free(app->name);
    free(app->vsn);
    free(app->dir);
    free(app->app_file);
    free(app->error);
    free(app->description);
    rel_term_free(app->spec);
    names_free(&app->applications);
    names_free(&app->included);
    names_free(&app->optional);
    names_free(&app->registered);
    names_free(&app->modules);
    memset(app, 0, sizeof(*app));
}

/* The atoms of list `t` under `key` into `out`; -1 when it is not a list of
 * atoms. A missing key is an empty list. */
static int read_names(struct rel_names *out, const struct rel_term *props, const char *key)
{
    const struct rel_term *t = rel_term_proplist_get(props, key);
    if (!t)
        return 0;
    if (!rel_term_is_list(t) || t->kind == REL_TERM_STRING)
        return t->kind == REL_TERM_STRING && t->u.str.len == 0 ? 0 : -1;
    size_t n = rel_term_list_len(t);
    if (n > 100000)
        return -1;
    out->items = rel_calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *a = rel_term_atom_name(rel_term_list_get(t, i));
        if (!a)
            return -1;
        out->items[out->count++] = rel_strdup(a);
    }
    return 0;
}

static int app_fail(struct rel_app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int app_fail(struct rel_app *app, const char *fmt, ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    free(app->error);
    app->error = rel_strdup(msg);
    return rel_error_set(REL_EFORMAT, "%s", msg);
}

int rel_app_read(struct rel_app *app, const char *app_file)
{
    if (!app->app_file)
        app->app_file = rel_strdup(app_file);
    /* the name the file promises, used until the contents say otherwise */
    char *base = rel_path_basename(app_file);
    size_t bl = strlen(base);
    if (bl > 4 && strcmp(base + bl - 4, ".app") == 0)
        base[bl - 4] = '\0';
    if (!app->name)
        app->name = rel_strdup(base);
    if (!app->vsn)
        app->vsn = rel_strdup("");
    struct stat st;
    if (stat(app_file, &st) == 0 && (size_t)st.st_size > MAX_APP_FILE) {
        free(base);
        return app_fail(app, "%s: larger than %zu bytes", app_file, MAX_APP_FILE);
    }
    struct rel_term *spec = NULL;
    int rc = rel_term_consult_one(&spec, app_file);
    if (rc < 0) {
        free(base);
        return app_fail(app, "%s", rel_error_message());
    }
    const struct rel_term *name = rel_term_tuple_get(spec, 1);
    const struct rel_term *props = rel_term_tuple_get(spec, 2);
    if (!rel_term_is_tagged(spec, "application", 3) || !rel_term_atom_name(name) ||
        !rel_term_is_list(props)) {
        rel_term_free(spec);
        free(base);
        return app_fail(app, "%s: not an application resource file ({application, Name, [...]})",
                        app_file);
    }
    free(app->name);
    app->name = rel_strdup(rel_term_atom_name(name));
    if (strcmp(base, app->name) != 0) {
        rel_term_free(spec);
        int r = app_fail(app,
                         "%s: the file name does not match the application name '%s' "
                         "(systools and mix look for ebin/%s.app)",
                         app_file, app->name, app->name);
        free(base);
        return r;
    }
    free(base);
    char *vsn = rel_term_to_cstring(rel_term_proplist_get(props, "vsn"));
    if (!vsn) {
        rel_term_free(spec);
        return app_fail(app, "%s: no vsn (a string) in the application's properties", app_file);
    }
    free(app->vsn);
    app->vsn = vsn;
    static const char *const keys[] = {"applications", "included_applications",
                                       "optional_applications", "registered", "modules"};
    struct rel_names *dests[] = {&app->applications, &app->included, &app->optional,
                                 &app->registered, &app->modules};
    for (size_t i = 0; i < 5; i++) {
        if (read_names(dests[i], props, keys[i]) < 0) {
            rel_term_free(spec);
            return app_fail(app, "%s: '%s' must be a list of atoms", app_file, keys[i]);
        }
    }
    app->description = rel_term_to_cstring(rel_term_proplist_get(props, "description"));
    app->spec = spec;
    return 0;
}

static bool names_meet(const struct rel_names *a, const struct rel_names *b)
{
    for (size_t i = 0; i < a->count; i++)
        if (rel_names_index(b, a->items[i]) >= 0)
            return true;
    return false;
}

/* `list` (a list of atoms) without the atoms named in `drop`. */
static struct rel_term *list_without(const struct rel_term *list, const struct rel_names *drop)
{
    struct rel_term *out = rel_term_list_new();
    for (size_t i = 0; i < rel_term_list_len(list); i++) {
        const struct rel_term *it = rel_term_list_get(list, i);
        const char *n = rel_term_atom_name(it);
        if (!n || rel_names_index(drop, n) < 0)
            rel_term_list_append(out, rel_term_clone(it));
    }
    return out;
}

static struct rel_term *atoms(const struct rel_names *n)
{
    struct rel_term *l = rel_term_list_new();
    for (size_t k = 0; k < n->count; k++)
        rel_term_list_append(l, rel_term_atom(n->items[k]));
    return l;
}

int rel_app_copy_without(struct rel_app *out, const struct rel_app *in,
                         const struct rel_names *apps, const struct rel_names *modules,
                         const struct rel_names *included)
{
    if (!in->spec || !(names_meet(&in->applications, apps) || names_meet(&in->included, apps) ||
                       names_meet(&in->optional, apps) || names_meet(&in->modules, modules) ||
                       included))
        return 0;
    static const char *const app_keys[] = {"applications", "included_applications",
                                           "optional_applications"};
    const struct rel_term *props = rel_term_tuple_get(in->spec, 2);
    struct rel_term *np = rel_term_list_new();
    for (size_t i = 0; i < rel_term_list_len(props); i++) {
        const struct rel_term *pr = rel_term_list_get(props, i);
        const char *key = rel_term_atom_name(rel_term_tuple_get(pr, 0));
        const struct rel_names *drop = NULL;
        for (size_t k = 0; key && k < 3; k++)
            if (strcmp(key, app_keys[k]) == 0)
                drop = apps;
        if (key && strcmp(key, "modules") == 0)
            drop = modules;
        if (included && key && strcmp(key, "included_applications") == 0)
            rel_term_list_append(np, rel_term_tuple(2, rel_term_atom(key), atoms(included)));
        else if (drop && rel_term_tuple_size(pr) == 2)
            rel_term_list_append(np, rel_term_tuple(2, rel_term_atom(key),
                                                    list_without(rel_term_tuple_get(pr, 1), drop)));
        else
            rel_term_list_append(np, rel_term_clone(pr));
    }
    if (included && !rel_term_proplist_get(props, "included_applications"))
        rel_term_list_append(
            np, rel_term_tuple(2, rel_term_atom("included_applications"), atoms(included)));
    struct rel_term *spec = rel_term_tuple(3, rel_term_atom("application"),
                                           rel_term_clone(rel_term_tuple_get(in->spec, 1)), np);
    /* the lists and fields are read back from the new spec, as from a file */
    memset(out, 0, sizeof(*out));
    out->dir = rel_strdup(in->dir);
    out->app_file = rel_strdup(in->app_file);
    out->name = rel_strdup(in->name);
    out->vsn = rel_strdup(in->vsn);
    out->origin = in->origin;
    out->origin_index = in->origin_index;
    out->chosen = in->chosen;
    out->description = in->description ? rel_strdup(in->description) : NULL;
    static const char *const keys[] = {"applications", "included_applications",
                                       "optional_applications", "registered", "modules"};
    struct rel_names *dests[] = {&out->applications, &out->included, &out->optional,
                                 &out->registered, &out->modules};
    for (size_t i = 0; i < 5; i++)
        if (read_names(dests[i], np, keys[i]) < 0) {
            rel_term_free(spec);
            rel_app_clear(out);
            return rel_error_set(REL_EFORMAT, "%s: '%s' must be a list of atoms", in->app_file,
                                 keys[i]);
        }
    out->spec = spec;
    return 1;
}

/* ---- locating OTP and Elixir ------------------------------------------------ */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* The single ROOT/erts-* directory's version, or NULL. */
static char *erts_from_dirs(const char *root)
{
    DIR *d = opendir(root);
    if (!d)
        return NULL;
    char *found = NULL;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "erts-", 5) == 0 && e->d_name[5]) {
            count++;
            if (!found || rel_version_compare(e->d_name + 5, found) > 0) {
                free(found);
                found = rel_strdup(e->d_name + 5);
            }
        }
    }
    closedir(d);
    return found;
}

int rel_otp_locate(char **root_out, char **erts_out, char **rel_out)
{
    *root_out = *erts_out = *rel_out = NULL;
    char *erl = NULL;
    if (!rel_proc_which(&erl, "erl")) {
        free(erl);
        return rel_error_set(REL_ENOTFOUND, "no 'erl' in PATH: is Erlang/OTP installed?");
    }
    char *real = rel_fs_realpath(erl);
    free(erl);
    if (!real)
        return rel_error_code();
    char *bindir = rel_path_dirname(real);
    char *root = rel_path_dirname(bindir);
    char *base = rel_path_basename(root);
    if (strncmp(base, "erts-", 5) == 0) {
        /* ROOT/erts-VSN/bin/erl */
        char *up = rel_path_dirname(root);
        free(root);
        root = up;
    }
    free(base);
    free(bindir);
    free(real);
    char *lib = rel_path_join2(root, "lib");
    bool ok = rel_fs_is_dir(lib);
    free(lib);
    if (!ok) {
        int rc = rel_error_set(REL_ENOTFOUND, "%s does not look like an Erlang/OTP root (no lib/)",
                               root);
        free(root);
        return rc;
    }
    /* "ERTS_VSN OTP_REL", written by the OTP installer */
    char *sed = rel_path_join2(root, "releases/start_erl.data");
    struct rel_buf b = REL_BUF_INIT;
    if (rel_fs_read_file(&b, sed, 4096) == 0) {
        char *s = trim(b.ptr);
        char *sp = strchr(s, ' ');
        if (sp) {
            *sp = '\0';
            *erts_out = rel_strdup(s);
            *rel_out = rel_strdup(trim(sp + 1));
        }
    }
    rel_error_clear();
    rel_buf_free(&b);
    free(sed);
    if (!*erts_out)
        *erts_out = erts_from_dirs(root);
    *root_out = root;
    return 0;
}

int rel_elixir_locate(char **lib_out)
{
    *lib_out = NULL;
    char *ex = NULL;
    if (!rel_proc_which(&ex, "elixir")) {
        free(ex);
        return rel_error_set(REL_ENOTFOUND, "no 'elixir' in PATH: is Elixir installed?");
    }
    char *real = rel_fs_realpath(ex);
    free(ex);
    if (!real)
        return rel_error_code();
    char *bindir = rel_path_dirname(real);
    char *home = rel_path_dirname(bindir);
    char *lib = rel_path_join2(home, "lib");
    free(real);
    free(bindir);
    free(home);
    char *probe = rel_path_join2(lib, "elixir/ebin/elixir.app");
    bool ok = rel_fs_is_file(probe);
    free(probe);
    if (!ok) {
        int rc = rel_error_set(REL_ENOTFOUND, "%s has no elixir/ebin/elixir.app", lib);
        free(lib);
        return rc;
    }
    *lib_out = lib;
    return 0;
}

/* ---- scanning ------------------------------------------------------------- */

struct scan {
    struct rel_project *p;
    char **real_dirs; /* realpaths of application dirs already taken */
    size_t nreal;
};

static void add_note(struct rel_project *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct rel_project *p, const char *fmt, ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->notes = rel_reallocarray(p->notes, p->nnotes + 1, sizeof(char *));
    p->notes[p->nnotes++] = rel_strdup(msg);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in `dir` (not starting with '.'), capped. */
static char **list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d)) && *n < MAX_DIR_ENTRIES) {
        if (e->d_name[0] == '.')
            continue;
        names = rel_reallocarray(names, *n + 1, sizeof(char *));
        names[(*n)++] = rel_strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(char *), cmp_str);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Every ebin/NAME.app of application directory `appdir`. */
static void scan_app_dir(struct scan *s, const char *appdir, enum rel_origin origin, size_t index)
{
    char *ebin = rel_path_join2(appdir, "ebin");
    if (!rel_fs_is_dir(ebin)) {
        free(ebin);
        return;
    }
    char *real = rel_fs_realpath(appdir);
    if (!real) {
        rel_error_clear();
        free(ebin);
        return;
    }
    for (size_t i = 0; i < s->nreal; i++)
        if (strcmp(s->real_dirs[i], real) == 0) {
            free(real);
            free(ebin);
            return; /* reached before through a higher-precedence origin */
        }
    s->real_dirs = rel_reallocarray(s->real_dirs, s->nreal + 1, sizeof(char *));
    s->real_dirs[s->nreal++] = real;
    size_t n;
    char **names = list_dir(ebin, &n);
    struct rel_project *p = s->p;
    for (size_t i = 0; i < n && p->napps < MAX_APPS; i++) {
        size_t len = strlen(names[i]);
        if (len <= 4 || strcmp(names[i] + len - 4, ".app") != 0)
            continue;
        char *file = rel_path_join2(ebin, names[i]);
        p->apps = rel_reallocarray(p->apps, p->napps + 1, sizeof(*p->apps));
        struct rel_app *a = &p->apps[p->napps++];
        memset(a, 0, sizeof(*a));
        a->dir = rel_strdup(appdir);
        a->origin = origin;
        a->origin_index = index;
        if (rel_app_read(a, file) < 0)
            rel_error_clear();
        free(file);
    }
    free_names(names, n);
    free(ebin);
}

/* A library directory: each subdirectory with ebin/, and the directory itself
 * when it is an application. */
static void scan_lib_dir(struct scan *s, const char *dir, enum rel_origin origin, size_t index)
{
    scan_app_dir(s, dir, origin, index);
    size_t n;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *sub = rel_path_join2(dir, names[i]);
        if (rel_fs_is_dir(sub))
            scan_app_dir(s, sub, origin, index);
        free(sub);
    }
    free_names(names, n);
}

static int cmp_apps(const void *pa, const void *pb)
{
    const struct rel_app *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->origin != b->origin)
        return a->origin < b->origin ? -1 : 1;
    if (a->origin_index != b->origin_index)
        return a->origin_index < b->origin_index ? -1 : 1;
    if (!a->error != !b->error)
        return a->error ? 1 : -1;            /* a readable one first */
    c = rel_version_compare(b->vsn, a->vsn); /* highest version first */
    if (c)
        return c;
    return strcmp(a->dir, b->dir);
}

enum rel_project_kind rel_project_detect_kind(const char *dir)
{
    char *f = rel_path_join2(dir, "mix.exs");
    bool mix = rel_fs_is_file(f);
    free(f);
    if (mix)
        return REL_PROJECT_MIX;
    f = rel_path_join2(dir, "rebar.config");
    bool rebar = rel_fs_is_file(f);
    free(f);
    return rebar ? REL_PROJECT_REBAR3 : REL_PROJECT_PLAIN;
}

static int load_config(struct rel_project *p, const char *dir)
{
    char *path = rel_path_join2(p->root, REL_CONFIG_FILE);
    if (!rel_fs_exists(path)) {
        free(path);
        return 0;
    }
    /* messages name the file as the user reaches it from where they are */
    char *joined = rel_path_join2(dir, REL_CONFIG_FILE);
    char *display = rel_path_normalize(joined);
    free(joined);
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_CONFIG_MAX_SIZE);
    if (rc == 0)
        rc = rel_config_parse(&p->config, rel_buf_cstr(&b), b.len, display, p->root);
    rel_buf_free(&b);
    free(display);
    free(path);
    return rc;
}

/*
 * Where the build tools leave applications besides _build/ENV/lib, as the
 * project's own (no lib_dirs needed): a rebar3 project's _checkouts/APP
 * when it holds a build of its own (rebar3 builds them into
 * _build/PROFILE/checkouts, scanned first); an erlang.mk project's
 * application at the root (ebin/NAME.app), its apps/ and its deps/ (where
 * erlang.mk fetches and builds dependencies).
 */
static void scan_build_tool_dirs(struct scan *s)
{
    struct rel_project *p = s->p;
    if (p->kind == REL_PROJECT_REBAR3) {
        char *co = rel_path_join2(p->root, "_checkouts");
        if (rel_fs_is_dir(co))
            scan_lib_dir(s, co, REL_ORIGIN_PROJECT, 2);
        free(co);
    }
    if (p->kind == REL_PROJECT_MIX)
        return;
    char *mk = rel_path_join2(p->root, "erlang.mk");
    bool erlang_mk = rel_fs_is_file(mk);
    free(mk);
    if (!erlang_mk)
        return;
    scan_app_dir(s, p->root, REL_ORIGIN_PROJECT, 3);
    static const char *const subdirs[] = {"apps", "deps"};
    for (size_t i = 0; i < 2; i++) {
        char *d = rel_path_join2(p->root, subdirs[i]);
        if (rel_fs_is_dir(d))
            scan_lib_dir(s, d, REL_ORIGIN_PROJECT, 3);
        free(d);
    }
}

int rel_project_open(struct rel_project **out, const char *dir, unsigned flags)
{
    *out = NULL;
    struct rel_project *p = rel_calloc(1, sizeof(*p));
    struct scan s = {.p = p};
    int rc = 0;
    p->root = rel_fs_realpath(dir);
    if (!p->root) {
        rc = rel_error_code();
        rel_error_prefix("project directory");
        goto fail;
    }
    if (!rel_fs_is_dir(p->root)) {
        rc = rel_error_set(REL_EINVAL, "%s is not a directory", dir);
        goto fail;
    }
    rc = load_config(p, dir);
    if (rc < 0)
        goto fail;
    if (!p->config && (flags & REL_PROJECT_NEED_CONFIG)) {
        rc = rel_error_set(REL_ENOTFOUND,
                           "no relman.yml in %s; create one with 'relman init --import' (or "
                           "'relman init' for a starter file)",
                           p->root);
        goto fail;
    }
    if (p->config && p->config->has_kind) {
        p->kind = p->config->kind;
    } else {
        p->kind = rel_project_detect_kind(p->root);
        p->kind_detected = true;
    }
    const char *env = p->config ? p->config->env : NULL;
    if (!env && p->kind == REL_PROJECT_MIX) {
        env = getenv("MIX_ENV");
        if (!env || !env[0])
            env = "prod";
    } else if (!env && p->kind == REL_PROJECT_REBAR3) {
        env = getenv("REBAR_PROFILE");
        if (!env || !env[0])
            env = "default";
    }
    p->env = env ? rel_strdup(env) : NULL;
    if (p->config && p->config->build_path) {
        char *b = rel_config_local_path(p->config, p->config->build_path);
        p->build_dir = rel_path_normalize(b);
        free(b);
    } else {
        p->build_dir = rel_path_join2(p->root, "_build");
    }
    if (p->env && (strchr(p->env, '/') || strcmp(p->env, "..") == 0 || strcmp(p->env, ".") == 0)) {
        rc = rel_error_set(REL_ECONFIG, "project.env '%s' must be a plain name", p->env);
        goto fail;
    }
    if (flags & REL_PROJECT_NO_SCAN) {
        *out = p;
        return 0;
    }

    if (rel_otp_locate(&p->otp_root, &p->erts_version, &p->otp_release) < 0) {
        add_note(p, "%s; OTP applications are not visible", rel_error_message());
        rel_error_clear();
    }
    if (p->kind == REL_PROJECT_MIX && rel_elixir_locate(&p->elixir_lib_dir) < 0) {
        add_note(p, "%s; Elixir's applications are not visible", rel_error_message());
        rel_error_clear();
    }

    /* the tiers, highest precedence first */
    if (p->env) {
        char *rel = rel_asprintf("%s/lib", p->env);
        p->build_lib_dir = rel_path_join2(p->build_dir, rel);
        free(rel);
        /* rebar3 (3.14 on) builds _checkouts/APP into _build/PROFILE/checkouts,
         * and they win over _build/PROFILE/lib, as in rebar3 */
        char *co = rel_asprintf("%s/_build/%s/checkouts", p->root, p->env);
        if (p->kind == REL_PROJECT_REBAR3 && rel_fs_is_dir(co))
            scan_lib_dir(&s, co, REL_ORIGIN_PROJECT, 0);
        free(co);
        if (rel_fs_is_dir(p->build_lib_dir))
            scan_lib_dir(&s, p->build_lib_dir, REL_ORIGIN_PROJECT, 1);
        else
            add_note(p, "%s does not exist: compile the project first (%s)", p->build_lib_dir,
                     p->kind == REL_PROJECT_MIX ? "mix compile with MIX_ENV set"
                                                : "rebar3 compile, with the profile");
        char *cons = rel_asprintf("%s/%s/consolidated", p->build_dir, p->env);
        if (rel_fs_is_dir(cons)) {
            p->consolidated_dir = cons;
        } else {
            free(cons);
            if (p->config && p->config->app) {
                cons = rel_asprintf("%s/%s/consolidated", p->build_lib_dir, p->config->app);
                if (rel_fs_is_dir(cons))
                    p->consolidated_dir = cons;
                else
                    free(cons);
            }
        }
    }
    scan_build_tool_dirs(&s);
    if (p->config) {
        for (size_t i = 0; i < p->config->lib_dirs.count; i++) {
            char *d = rel_config_local_path(p->config, p->config->lib_dirs.items[i]);
            if (rel_fs_is_dir(d))
                scan_lib_dir(&s, d, REL_ORIGIN_LIB_DIRS, i);
            else
                add_note(p, "%s:%d:%d: lib_dirs entry %s is not a directory", p->config->file,
                         p->config->lib_dirs.pos[i].line, p->config->lib_dirs.pos[i].col, d);
            free(d);
        }
    }
    if (p->otp_root) {
        char *lib = rel_path_join2(p->otp_root, "lib");
        scan_lib_dir(&s, lib, REL_ORIGIN_OTP, 0);
        free(lib);
    }
    if (p->elixir_lib_dir)
        scan_lib_dir(&s, p->elixir_lib_dir, REL_ORIGIN_ELIXIR, 0);

    if (p->napps)
        qsort(p->apps, p->napps, sizeof(*p->apps), cmp_apps);
    for (size_t i = 0; i < p->napps; i++)
        p->apps[i].chosen = i == 0 || strcmp(p->apps[i - 1].name, p->apps[i].name) != 0;
    const struct rel_app *ex = rel_project_find_app(p, "elixir");
    if (ex && ex->origin == REL_ORIGIN_ELIXIR && ex->vsn[0])
        p->elixir_version = rel_strdup(ex->vsn);

    for (size_t i = 0; i < s.nreal; i++)
        free(s.real_dirs[i]);
    free(s.real_dirs);
    *out = p;
    return 0;
fail:
    for (size_t i = 0; i < s.nreal; i++)
        free(s.real_dirs[i]);
    free(s.real_dirs);
    rel_project_free(p);
    return rc;
}

int rel_apps_scan(struct rel_app **apps, size_t *napps, const char *dir, enum rel_origin origin)
{
    *apps = NULL;
    *napps = 0;
    if (!rel_fs_is_dir(dir))
        return rel_error_set(REL_ENOTFOUND, "%s is not a directory", dir);
    struct rel_project tmp;
    memset(&tmp, 0, sizeof(tmp));
    struct scan s = {.p = &tmp};
    scan_lib_dir(&s, dir, origin, 0);
    for (size_t i = 0; i < s.nreal; i++)
        free(s.real_dirs[i]);
    free(s.real_dirs);
    if (tmp.napps)
        qsort(tmp.apps, tmp.napps, sizeof(*tmp.apps), cmp_apps);
    for (size_t i = 0; i < tmp.napps; i++)
        tmp.apps[i].chosen = i == 0 || strcmp(tmp.apps[i - 1].name, tmp.apps[i].name) != 0;
    for (size_t i = 0; i < tmp.nnotes; i++)
        free(tmp.notes[i]);
    free(tmp.notes);
    *apps = tmp.apps;
    *napps = tmp.napps;
    return 0;
}

void rel_apps_free(struct rel_app *apps, size_t napps)
{
    for (size_t i = 0; i < napps; i++)
        rel_app_clear(&apps[i]);
    free(apps);
}

void rel_project_free(struct rel_project *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->napps; i++)
        rel_app_clear(&p->apps[i]);
    free(p->apps);
    for (size_t i = 0; i < p->nnotes; i++)
        free(p->notes[i]);
    free(p->notes);
    rel_config_free(p->config);
    free(p->root);
    free(p->env);
    free(p->build_dir);
    free(p->build_lib_dir);
    free(p->consolidated_dir);
    free(p->otp_root);
    free(p->erts_version);
    free(p->otp_release);
    free(p->elixir_lib_dir);
    free(p->elixir_version);
    free(p);
}

size_t rel_project_candidates(const struct rel_project *p, const char *name,
                              const struct rel_app **first)
{
    *first = NULL;
    /* binary search for the first entry with this name */
    size_t lo = 0, hi = p->napps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->apps[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < p->napps && strcmp(p->apps[lo + n].name, name) == 0)
        n++;
    if (n)
        *first = &p->apps[lo];
    return n;
}

const struct rel_app *rel_project_find_app(const struct rel_project *p, const char *name)
{
    const struct rel_app *a;
    return rel_project_candidates(p, name, &a) ? a : NULL;
}

/* p->build_dir, or ROOT/_build for a project made by hand (tests). */
static char *build_dir_of(const struct rel_project *p)
{
    return p->build_dir ? rel_strdup(p->build_dir) : rel_path_join2(p->root, "_build");
}

char *rel_project_release_path(const struct rel_project *p, const struct rel_config_release *r)
{
    if (r->path)
        return rel_config_local_path(p->config, r->path);
    char *bd = build_dir_of(p);
    char *path = p->env ? rel_asprintf("%s/%s/rel/%s", bd, p->env, r->name)
                        : rel_asprintf("%s/rel/%s", bd, r->name);
    free(bd);
    return path;
}

/* One command's trimmed standard output, run in the project root. */
static int version_output(char **out, const struct rel_project *p,
                          const struct rel_config_release *r, const char *const *argv,
                          const char *shown)
{
    struct rel_buf o = REL_BUF_INIT, e = REL_BUF_INIT;
    struct rel_proc_opts po = {.cwd = p->root, .out = &o, .err = &e, .max_output = 64 * 1024};
    int status = 0;
    int rc = rel_proc_run(&status, argv, &po);
    if (rc == 0 && status != 0) {
        char *msg = trim(e.ptr ? e.ptr : (char *)"");
        char *nl = strchr(msg, '\n');
        if (nl)
            *nl = '\0';
        rc = rel_error_set(REL_ECHILD, "release %s: the version command `%s` failed (exit %d%s%s)",
                           r->name, shown, status, msg[0] ? ": " : "", msg);
    }
    if (rc == 0) {
        char *t = trim(o.ptr ? o.ptr : (char *)"");
        bool ok = t[0] && strlen(t) <= 100;
        for (const char *c = t; ok && *c; c++)
            ok = isalnum((unsigned char)*c) || strchr("._+-~", *c);
        if (!ok)
            rc = rel_error_set(REL_EFORMAT,
                               "release %s: the version command `%s` printed '%.60s', which is not "
                               "a version (letters, digits and ._+-~ only)",
                               r->name, shown, t);
        else
            *out = rel_strdup(t);
    }
    rel_buf_free(&o);
    rel_buf_free(&e);
    return rc;
}

/* relx's git versions: {git, short}, {git, long}, and `git`/`semver`: the
 * last tag (leading v's dropped), plus +build.COUNT.refHASH past it. */
static int version_git(char **out, const struct rel_project *p, const struct rel_config_release *r)
{
    if (strcmp(r->version_git, "short") == 0) {
        const char *argv[] = {"git", "rev-parse", "--short", "HEAD", NULL};
        return version_output(out, p, r, argv, "git rev-parse --short HEAD");
    }
    if (strcmp(r->version_git, "long") == 0) {
        const char *argv[] = {"git", "rev-parse", "HEAD", NULL};
        return version_output(out, p, r, argv, "git rev-parse HEAD");
    }
    char *tag = NULL, *count = NULL, *ref = NULL;
    const char *a1[] = {"git", "describe", "--abbrev=0", "--tags", NULL};
    int rc = version_output(&tag, p, r, a1, "git describe --abbrev=0 --tags");
    if (rc == 0) {
        char *range = rel_asprintf("%s..HEAD", tag);
        const char *a2[] = {"git", "rev-list", "--count", range, NULL};
        rc = version_output(&count, p, r, a2, "git rev-list --count TAG..HEAD");
        free(range);
    }
    if (rc == 0) {
        const char *a3[] = {"git", "log", "-n", "1", "--pretty=format:%h", NULL};
        rc = version_output(&ref, p, r, a3, "git log -n 1 --pretty=format:%h");
    }
    if (rc == 0) {
        const char *v = tag;
        while (*v == 'v')
            v++;
        *out = strcmp(count, "0") == 0 ? rel_strdup(v)
                                        : rel_asprintf("%s+build.%s.ref%s", v, count, ref);
    }
    free(tag);
    free(count);
    free(ref);
    return rc;
}

int rel_project_release_version(char **out, const char **from_app, const struct rel_project *p,
                                const struct rel_config_release *r)
{
    *out = NULL;
    if (from_app)
        *from_app = NULL;
    if (r->version) {
        *out = rel_strdup(r->version);
        return 0;
    }
    if (r->version_cmd) {
        const char *argv[] = {"sh", "-c", r->version_cmd, NULL};
        return version_output(out, p, r, argv, r->version_cmd);
    }
    if (r->version_git)
        return version_git(out, p, r);
    const char *from = r->version_from_app ? r->version_from_app : p->config->app;
    if (!from)
        return rel_error_set(REL_ECONFIG,
                             "release %s has no version: set releases.%s.version (or project.app)",
                             r->name, r->name);
    if (from_app)
        *from_app = from;
    const struct rel_app *a = rel_project_find_app(p, from);
    if (!a || a->error || !a->vsn[0])
        return rel_error_set(REL_ENOTFOUND,
                             "release %s takes its version from application '%s', which was not "
                             "found",
                             r->name, from);
    *out = rel_strdup(a->vsn);
    return 0;
}

char *rel_project_tarball_path(const struct rel_project *p, const struct rel_config_release *r,
                               const char *version, const char *dest)
{
    if (dest)
        return rel_asprintf("%s/%s-%s.tar.gz", dest, r->name, version);
    if (!r->path && p->env) {
        char *bd = build_dir_of(p);
        char *path = rel_asprintf("%s/%s/%s-%s.tar.gz", bd, p->env, r->name, version);
        free(bd);
        return path;
    }
    char *root = rel_project_release_path(p, r);
    char *path = rel_asprintf("%s/%s-%s.tar.gz", root, r->name, version);
    free(root);
    return path;
}

static bool has_tar_step(const struct rel_config_release *r)
{
    for (size_t i = 0; i < r->nsteps; i++)
        if (r->steps[i].kind == REL_STEP_TAR)
            return true;
    return false;
}

int rel_project_assembled_tarball(char **out, const struct rel_project *p,
                                  const struct rel_config_release *r, const char *how)
{
    *out = NULL;
    if (!has_tar_step(r))
        return rel_error_set(REL_EUSAGE,
                             "release %s has no `tar` step: add `steps: [assemble, tar]` to it in "
                             "relman.yml and assemble it (%s)",
                             r->name, how);
    char *version = NULL;
    int rc = rel_project_release_version(&version, NULL, p, r);
    if (rc < 0)
        return rc;
    char *path = rel_project_tarball_path(p, r, version, NULL);
    free(version);
    if (!rel_fs_is_file(path)) {
        rc = rel_error_set(REL_ENOTFOUND, "%s does not exist: assemble release %s first (%s)", path,
                           r->name, how);
        free(path);
        return rc;
    }
    *out = path;
    return 0;
}
