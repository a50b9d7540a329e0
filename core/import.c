/*
 * import.c - a first relman.yml, imported or starter (see import.h).
 */
#include "import.h"

#include "alloc.h"
#include "assemble.h"
#include "buf.h"
#include "config.h"
#include "data.h"
#include "term.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "proc.h"
#include "project.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"
/* ---- YAML writing helpers ----------------------------------------------------- */

void rel_import_scalar(struct rel_import_gen *g, const char *s)
{
    rel_config_yaml_scalar(g->out, s, false);
}

void rel_import_quoted(struct rel_import_gen *g, const char *s)
{
    rel_config_yaml_scalar(g->out, s, true);
}

void rel_import_skipped(struct rel_import_gen *g, const char *rel, const char *key,
                        const struct rel_term *v)
{
    char *text = rel_term_to_text(v);
    if (strlen(text) > 120)
        strcpy(text + 110, " ...");
    rel_buf_printf(&g->skipped, "#   releases.%s.%s = %s\n", rel, key, text);
    free(text);
}

/* A charlist or binary as a new C string, else NULL. */
char *rel_import_str(const struct rel_term *t)
{
    if (!t || (t->kind != REL_TERM_STRING && t->kind != REL_TERM_BINARY &&
               !(t->kind == REL_TERM_LIST && t->u.list.len == 0)))
        return NULL;
    return rel_term_to_cstring(t);
}

bool rel_import_is_nil(const struct rel_term *t)
{
    return !t || rel_term_is_atom(t, "nil") || rel_term_is_atom(t, "undefined");
}

/* Elixir-friendly application name check (what relman.yml accepts). */
bool rel_import_atom_ok(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '@'))
            return false;
    return true;
}

bool rel_import_is_mode(const char *s)
{
    enum rel_mode m;
    return s && rel_mode_parse(&m, s) == 0;
}

/* A flow list of atoms or strings: "[a, b]"; false when an item is neither. */
bool rel_import_flow_list(struct rel_import_gen *g, const struct rel_term *l)
{
    size_t n = rel_term_list_len(l);
    struct rel_buf tmp = REL_BUF_INIT;
    rel_buf_puts(&tmp, "[");
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *it = rel_term_list_get(l, i);
        char *s = rel_import_str(it);
        const char *a = rel_term_atom_name(it);
        if (!s && !a) {
            rel_buf_free(&tmp);
            return false;
        }
        if (i)
            rel_buf_puts(&tmp, ", ");
        rel_config_yaml_scalar(&tmp, s ? s : a, false);
        free(s);
    }
    rel_buf_puts(&tmp, "]");
    rel_buf_put(g->out, tmp.ptr, tmp.len);
    rel_buf_free(&tmp);
    return true;
}

/* A release name from a directory name: lowercase, [a-z0-9_], starting with
 * a letter. */
char *rel_import_release_name_from(const char *s)
{
    struct rel_buf b = REL_BUF_INIT;
    for (; *s; s++) {
        char c = (char)tolower((unsigned char)*s);
        if (isalnum((unsigned char)c))
            rel_buf_putc(&b, c);
        else if (b.len && b.ptr[b.len - 1] != '_')
            rel_buf_putc(&b, '_');
    }
    while (b.len && b.ptr[b.len - 1] == '_')
        rel_buf_truncate(&b, b.len - 1);
    if (!b.len || !(b.ptr[0] >= 'a' && b.ptr[0] <= 'z')) {
        struct rel_buf c = REL_BUF_INIT;
        rel_buf_printf(&c, "rel_%s", rel_buf_cstr(&b));
        rel_buf_free(&b);
        return rel_buf_detach(&c);
    }
    return rel_buf_detach(&b);
}
/* ---- starter ------------------------------------------------------------------ */

static void starter(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                    enum rel_project_kind kind, const char *env)
{
    char *base = rel_path_basename(dir);
    char *name = rel_import_release_name_from(base);
    free(base);
    rel_buf_puts(g->out, "# relman.yml, a starter written by `relman init`.\n"
                         "# Reference: docs/config.md in relman's sources. For a Mix or rebar3\n"
                         "# project, `relman init --import --force` reads the real definitions.\n");
    rel_buf_printf(g->out, "project:\n  kind: %s\n", rel_project_kind_name(kind));
    if (env)
        rel_buf_printf(g->out, "  env: %s\n", env);
    if (kind == REL_PROJECT_PLAIN)
        rel_buf_puts(g->out,
                     "# directories whose subdirectories are applications (DIR/APP/ebin/APP.app)\n"
                     "lib_dirs: [lib]\n");
    rel_buf_printf(g->out,
                   "releases:\n  %s:\n    version: \"0.1.0\"\n"
                   "    # the applications to start; their dependencies come along\n"
                   "    applications:\n      %s: permanent\n",
                   name, name);
    rel_buf_printf(summary, "starter file with release %s", name);
    free(name);
}

int rel_import_generate(struct rel_buf *out, struct rel_buf *summary, const char *dir,
                        const struct rel_import_opts *opts)
{
    struct rel_buf dummy = REL_BUF_INIT;
    if (!summary)
        summary = &dummy;
    char *root = rel_fs_realpath(dir);
    if (!root)
        return rel_error_code();
    enum rel_project_kind kind = rel_project_detect_kind(root);
    const char *env = opts->env;
    if (!env && kind == REL_PROJECT_MIX) {
        env = getenv("MIX_ENV");
        if (!env || !env[0])
            env = "prod";
    } else if (!env && kind == REL_PROJECT_REBAR3) {
        /* rebar3 runs under REBAR_PROFILE when it is set */
        env = getenv("REBAR_PROFILE");
        if (!env || !env[0])
            env = "default";
    }
    struct rel_import_gen g = {.out = out, .skipped = REL_BUF_INIT};
    size_t start = out->len;
    int rc = 0;
    if (opts->import && kind == REL_PROJECT_PLAIN) {
        rc = rel_error_set(REL_ENOTFOUND,
                           "nothing to import in %s: no mix.exs or rebar.config ('relman init' "
                           "writes a starter file)",
                           root);
    } else if (opts->import && kind == REL_PROJECT_MIX) {
        rc = rel_import_mix(&g, summary, root, env);
    } else if (opts->import) {
        rc = rel_import_rebar3(&g, summary, root, env);
    } else {
        starter(&g, summary, root, kind, env);
    }
    if (rc == 0 && g.skipped.len) {
        rel_buf_puts(out, "# Not imported (no relman equivalent; see docs/config.md):\n");
        rel_buf_put(out, g.skipped.ptr, g.skipped.len);
    }
    if (rc == 0) {
        /* never hand out a file relman itself would refuse */
        struct rel_config *cfg = NULL;
        rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, REL_CONFIG_FILE, root);
        if (rc < 0)
            rel_error_prefix("relman init produced an invalid relman.yml (please report)");
        else if (cfg->nreleases == 0)
            rc = rel_error_set(REL_ENOTFOUND,
                               "no release could be defined for %s (no release definition and "
                               "no application found)",
                               root);
        rel_config_free(cfg);
    }
    for (size_t i = 0; rc == 0 && i < opts->nchoices; i++) {
        struct rel_buf next = REL_BUF_INIT;
        rc = rel_import_apply(&next, out->ptr + start, out->len - start, &opts->choices[i]);
        if (rc == 0) {
            rel_buf_truncate(out, start);
            rel_buf_put(out, next.ptr, next.len);
        }
        rel_buf_free(&next);
    }
    if (rc < 0)
        rel_buf_truncate(out, start);
    rel_buf_free(&g.skipped);
    rel_buf_free(&dummy);
    free(root);
    return rc;
}

/* ---- choices ------------------------------------------------------------------- */

/* Replace *text by the result of an edit (which appended to `next`). */
static void take(struct rel_buf *text, struct rel_buf *next)
{
    rel_buf_free(text);
    *text = *next;
    *next = (struct rel_buf)REL_BUF_INIT;
}

static int check_cookie(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > 255)
        return rel_error_set(REL_EINVAL, "a cookie needs 1 to 255 characters");
    for (; *c; c++)
        if (*c < '!' || *c > '~')
            return rel_error_set(REL_EINVAL,
                                 "a cookie may only hold printable ASCII characters (no spaces)");
    return 0;
}

static int check_version(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 100)
        return rel_error_set(REL_EINVAL, "a version needs 1 to 100 characters");
    for (const char *c = v; *c; c++)
        if (*c <= ' ' || *c > '~' || *c == '/')
            return rel_error_set(REL_EINVAL,
                                 "version '%s': printable characters only, no spaces or '/'", v);
    if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
        return rel_error_set(REL_EINVAL, "version '%s' cannot name a directory", v);
    return 0;
}

/* Apply everything but the name to release `rel` of `text`. */
static int apply_one(struct rel_buf *text, const char *rel, const struct rel_import_choice *c)
{
    struct rel_buf next = REL_BUF_INIT, v = REL_BUF_INIT;
    int rc = 0;
    if (c->version) {
        rel_config_yaml_scalar(&v, c->version, true);
        rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                         "version", rel_buf_cstr(&v));
        if (rc == 0)
            take(text, &next);
    }
    if (rc == 0 && c->erts != REL_IMPORT_ERTS_KEEP) {
        rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                         "include_erts",
                                         c->erts == REL_IMPORT_ERTS_TRUE ? "true" : "false");
        if (rc == 0)
            take(text, &next);
    }
    if (rc == 0 && c->cookie != REL_IMPORT_COOKIE_KEEP) {
        char fresh[65];
        const char *cookie = NULL;
        if (c->cookie == REL_IMPORT_COOKIE_CONFIGURED) {
            cookie = c->cookie_value;
            if (!cookie && (rc = rel_assemble_new_cookie(fresh)) == 0)
                cookie = fresh;
        }
        rel_buf_clear(&v);
        if (cookie)
            rel_config_yaml_scalar(&v, cookie, true);
        if (rc == 0)
            rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                             "cookie", cookie ? rel_buf_cstr(&v) : NULL);
        if (rc == 0)
            take(text, &next);
        memset(fresh, 0, sizeof(fresh));
        if (v.ptr)
            memset(v.ptr, 0, v.len);
    }
    rel_buf_free(&next);
    rel_buf_free(&v);
    return rc;
}

int rel_import_apply(struct rel_buf *out, const char *text, size_t len,
                     const struct rel_import_choice *c)
{
    if (c->version && check_version(c->version) < 0)
        return rel_error_code();
    if (c->cookie == REL_IMPORT_COOKIE_CONFIGURED && c->cookie_value &&
        check_cookie(c->cookie_value) < 0)
        return rel_error_code();
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, REL_CONFIG_FILE, NULL);
    if (rc < 0)
        return rc;
    struct rel_buf names = REL_BUF_INIT;
    for (size_t i = 0; i < cfg->nreleases; i++)
        rel_buf_printf(&names, "%s%s", i ? ", " : "", cfg->releases[i].name);
    if (c->release && !rel_config_find_release(cfg, c->release))
        rc = rel_error_set(REL_ENOTFOUND, "no release '%s' (the file defines %s)", c->release,
                           names.len ? rel_buf_cstr(&names) : "none");
    else if (c->name && !c->release && cfg->nreleases != 1)
        rc = rel_error_set(REL_EUSAGE,
                           "a new release name needs exactly one release, and there are %zu "
                           "(%s): name the one to rename",
                           cfg->nreleases, rel_buf_cstr(&names));
    struct rel_buf cur = REL_BUF_INIT, next = REL_BUF_INIT;
    rel_buf_put(&cur, text, len);
    for (size_t i = 0; rc == 0 && i < cfg->nreleases; i++) {
        const char *rel = cfg->releases[i].name;
        if (c->release && strcmp(rel, c->release) != 0)
            continue;
        rc = apply_one(&cur, rel, c);
        if (rc == 0 && c->name) {
            rc = rel_config_edit_rename_release(&next, cur.ptr, cur.len, REL_CONFIG_FILE, rel,
                                                c->name);
            if (rc == 0)
                take(&cur, &next);
        }
    }
    if (rc == 0)
        rc = rel_buf_put(out, cur.ptr, cur.len);
    if (cur.ptr)
        memset(cur.ptr, 0, cur.len); /* it may hold a cookie */
    rel_buf_free(&cur);
    rel_buf_free(&next);
    rel_buf_free(&names);
    rel_config_free(cfg);
    return rc;
}

/* ---- writing ------------------------------------------------------------------- */

const char *const rel_import_template_files[] = {"vm.args.eex", "remote.vm.args.eex", "env.sh.eex",
                                                 "env.bat.eex", NULL};

/* Write the templates into each release's template directory (relative to
 * root); existing files are kept. Notes go to summary. */
static int write_templates(const char *root, const struct rel_config *cfg, struct rel_buf *summary)
{
    char **dirs = rel_calloc(cfg->nreleases + 1, sizeof(char *));
    size_t ndirs = 0;
    int rc = 0;
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const char *t = cfg->releases[i].rel_templates_path;
        char *d = rel_config_local_path(cfg, t ? t : "rel");
        bool seen = false;
        for (size_t k = 0; k < ndirs && !seen; k++)
            seen = strcmp(dirs[k], d) == 0;
        if (seen)
            free(d);
        else
            dirs[ndirs++] = d;
    }
    struct rel_buf wrote = REL_BUF_INIT, kept = REL_BUF_INIT;
    size_t rl = strlen(root);
    for (size_t k = 0; rc == 0 && k < ndirs; k++) {
        const char *shown_dir = dirs[k];
        if (strncmp(shown_dir, root, rl) == 0 && shown_dir[rl] == '/')
            shown_dir += rl + 1;
        if ((rc = rel_fs_mkdirs(dirs[k], 0755)) < 0)
            break;
        for (const char *const *f = rel_import_template_files; rc == 0 && *f; f++) {
            char *path = rel_path_join2(dirs[k], *f);
            struct rel_buf *list = &kept;
            if (!rel_fs_exists(path)) {
                size_t n;
                const char *data = rel_data_get(*f, &n);
                rc = data ? rel_fs_write_atomic(path, data, n, 0644)
                          : rel_error_set(REL_ENOTFOUND, "built-in template %s is missing", *f);
                list = &wrote;
            }
            if (rc == 0)
                rel_buf_printf(list, "%s%s/%s", list->len ? ", " : "", shown_dir, *f);
            free(path);
        }
    }
    if (wrote.len)
        rel_buf_printf(summary, "; wrote %s", rel_buf_cstr(&wrote));
    if (kept.len)
        rel_buf_printf(summary, "; kept %s (they exist)", rel_buf_cstr(&kept));
    for (size_t k = 0; k < ndirs; k++)
        free(dirs[k]);
    free(dirs);
    rel_buf_free(&wrote);
    rel_buf_free(&kept);
    return rc;
}

int rel_import_write_text(const char *dir, const char *text, size_t len, bool templates, bool force,
                          struct rel_buf *summary)
{
    struct rel_buf dummy = REL_BUF_INIT;
    if (!summary)
        summary = &dummy;
    char *root = rel_fs_realpath(dir);
    if (!root)
        return rel_error_code();
    char *path = rel_path_join2(root, REL_CONFIG_FILE);
    struct rel_config *cfg = NULL;
    int rc = 0;
    if (!force && rel_fs_exists(path))
        rc = rel_error_set(REL_EEXISTS, "%s already exists; use --force to replace it", path);
    if (rc == 0)
        rc = rel_config_parse(&cfg, text, len, REL_CONFIG_FILE, root);
    if (rc == 0 && templates)
        rc = write_templates(root, cfg, summary);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, text, len, 0644);
    rel_config_free(cfg);
    rel_buf_free(&dummy);
    free(path);
    free(root);
    return rc;
}

int rel_import_write(const char *dir, const struct rel_import_opts *opts, bool force,
                     struct rel_buf *summary)
{
    char *joined = rel_path_join2(dir, REL_CONFIG_FILE);
    char *path = rel_path_normalize(joined);
    free(joined);
    int rc = 0;
    if (!force && rel_fs_exists(path)) {
        rc = rel_error_set(REL_EEXISTS, "%s already exists; use --force to replace it", path);
        free(path);
        return rc;
    }
    free(path);
    struct rel_buf text = REL_BUF_INIT;
    rc = rel_import_generate(&text, summary, dir, opts);
    if (rc == 0)
        rc = rel_import_write_text(dir, text.ptr, text.len, opts->templates, force, summary);
    if (text.ptr)
        memset(text.ptr, 0, text.len);
    rel_buf_free(&text);
    return rc;
}
