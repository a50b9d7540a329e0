/*
 * plan_overlay.c - relx's overlays (releases.*.relx_overlay) as plan
 * entries: the variables (relx's own, the overlay_vars files, the
 * overlay_vars_values), then each operation in order against the plan built
 * so far, as relx 4.7 (rlx_overlay) runs them against the release directory
 * it has just written:
 *
 *   mkdir D         a DIR entry (made with its parents); a file on the way fails
 *   copy F T        F's file (COPY) or tree (DIR and COPY entries) at T; a T
 *                   ending in '/' is a directory and F a wildcard whose
 *                   matches go into it
 *   template F T    F rendered (core/mustache.h) as a TEXT entry, F's mode
 *   link F T        a LINK entry to F's absolute path (what was at T goes)
 *   chmod M P       the mode of the entry at P (a directory: a DIR entry)
 *
 * Every argument is first rendered as a template itself. Paths named for the
 * release may be absolute (`{{target_dir}}/x`) but must lie inside it.
 * relx's messages open the errors ("Unable to copy from ..."), prefixed with
 * the place in relman.yml and the operation.
 */
#define _GNU_SOURCE
#include "plan_int.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "escape.h"
#include "fs.h"
#include "mustache.h"
#include "path.h"
#include "project.h"
#include "resolve.h"
#include "term.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_VAR_FILES 256
#define MAX_VARS 4000 /* each variable is rendered with those before it */
#define MAX_COPY_DEPTH 64

/* ---- the variables --------------------------------------------------------- */

static struct rel_term *kv(const char *key, struct rel_term *v)
{
    return rel_term_tuple(2, rel_term_atom(key), v);
}

/* relx's vm_args / sys_config variable: the configured file's absolute
 * path; `undefined` when none is configured (relx's default pick-up of
 * config/vm.args does not set it) or when it is a `.src` form (relx keeps
 * vm_args_src apart). */
static struct rel_term *path_or_undefined(const struct rel_plan_builder *b, const char *p)
{
    if (!p || rel_plan_ends_with(p, ".src"))
        return rel_term_atom("undefined");
    char *abs = rel_plan_project_path(b, p);
    struct rel_term *t = rel_term_string(abs);
    free(abs);
    return t;
}

/* relx's own variables: the state's, then the release's (rlx_overlay's
 * generate_state_vars and generate_release_vars), in that order. */
static struct rel_term *builtin_vars(const struct rel_plan_builder *b)
{
    struct rel_term *l = rel_term_list_new();
    rel_term_list_append(l, kv("output_dir", rel_term_string(b->p->dest)));
    rel_term_list_append(l, kv("target_dir", rel_term_string(b->p->dest)));
    rel_term_list_append(l, kv("overridden", rel_term_list_new()));
    rel_term_list_append(l, kv("overrides", rel_term_list_new()));
    struct rel_term *libs = rel_term_list_new();
    const struct rel_config *cfg = b->proj->config;
    for (size_t i = 0; cfg && i < cfg->lib_dirs.count; i++) {
        char *abs = rel_plan_project_path(b, cfg->lib_dirs.items[i]);
        rel_term_list_append(libs, rel_term_string(abs));
        free(abs);
    }
    rel_term_list_append(l, kv("lib_dirs", libs));
    rel_term_list_append(l, kv("vm_args", path_or_undefined(b, b->r->vm_args)));
    rel_term_list_append(l, kv("sys_config", path_or_undefined(b, b->r->sys_config)));
    rel_term_list_append(l, kv("root_dir", rel_term_string(b->proj->root)));
    for (size_t i = 0; i < b->m->napps; i++)
        rel_term_list_append(l, kv(b->m->apps[i].app->name, rel_term_string(b->m->apps[i].app->dir)));
    rel_term_list_append(l, kv("erts_vsn", rel_term_string(b->p->erts_version)));
    rel_term_list_append(l, kv("erts_dir", rel_term_string(b->proj->otp_root ? b->proj->otp_root : "")));
    rel_term_list_append(l, kv("release_erts_version", rel_term_string(b->p->erts_version)));
    rel_term_list_append(l, kv("release_name", rel_term_atom(b->p->name)));
    rel_term_list_append(l, kv("release_version", rel_term_string(b->p->version)));
    char *canon = rel_asprintf("%s-%s", b->p->name, b->p->version);
    rel_term_list_append(l, kv("release", rel_term_string(canon)));
    free(canon);
    return l;
}

static const struct rel_term *key_of(const struct rel_term *t)
{
    return t->kind == REL_TERM_TUPLE && t->u.tuple.len > 0 ? t->u.tuple.items[0] : NULL;
}

/* Remove from list `acc` every tuple whose key equals `key`. */
static void drop_key(struct rel_term *acc, const struct rel_term *key)
{
    size_t out = 0;
    for (size_t i = 0; i < acc->u.list.len; i++) {
        struct rel_term *e = acc->u.list.items[i];
        const struct rel_term *k = key_of(e);
        if (k && rel_term_equal(k, key)) {
            rel_term_free(e);
            continue;
        }
        acc->u.list.items[out++] = e;
    }
    acc->u.list.len = out;
}

/* lists:keystore: replace the first tuple with the same key, else append. */
static void keystore(struct rel_term *acc, struct rel_term *var)
{
    const struct rel_term *key = key_of(var);
    for (size_t i = 0; key && i < acc->u.list.len; i++) {
        const struct rel_term *k = key_of(acc->u.list.items[i]);
        if (k && rel_term_equal(k, key)) {
            rel_term_free(acc->u.list.items[i]);
            acc->u.list.items[i] = var;
            return;
        }
    }
    rel_term_list_append(acc, var);
}

struct vars_reader {
    struct rel_plan_builder *b;
    const char *where; /* "relman.yml:L:C: releases.R.relx_overlay_vars" */
    int files;
};

static int merge_files(struct vars_reader *vr, struct rel_term *acc, const char *file, int depth);

/* The terms of one file with its inclusions resolved: a string names a file
 * (relative to this file's directory) merged into what came before; tuples
 * are appended as they are. */
static int file_terms(struct vars_reader *vr, struct rel_term **out, const char *file,
                      const struct rel_terms *terms, int depth)
{
    struct rel_term *acc = rel_term_list_new();
    char *dir = rel_path_dirname(file);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < terms->len; i++) {
        struct rel_term *t = terms->items[i];
        char *inc = t->kind == REL_TERM_TUPLE ? NULL : rel_term_to_cstring(t);
        if (inc) {
            char *path = rel_path_join2(dir, inc);
            rc = merge_files(vr, acc, path, depth + 1);
            free(path);
        } else if (t->kind == REL_TERM_TUPLE) {
            rel_term_list_append(acc, rel_term_clone(t));
        } else {
            char *text = rel_term_to_text(t);
            rc = rel_error_set(REL_ECONFIG, "%s:%d: overlay variables must be {Key, Value} or a "
                               "file name, not %s", file, t->line, text);
            free(text);
        }
        free(inc);
    }
    free(dir);
    if (rc)
        rel_term_free(acc);
    else
        *out = acc;
    return rc;
}

/* relx's merge of one vars file into `acc`: the file's keys leave `acc`, and
 * the file's terms are appended. A file that cannot be read is a warning
 * (relx's), said as a note. */
static int merge_files(struct vars_reader *vr, struct rel_term *acc, const char *file, int depth)
{
    if (depth > 16 || ++vr->files > MAX_VAR_FILES)
        return rel_error_set(REL_ELIMIT, "%s: overlay_vars files include each other too deeply "
                             "(%s)", vr->where, file);
    char *abs = rel_plan_project_path(vr->b, file);
    struct rel_terms terms = {0};
    int rc = rel_term_consult(&terms, abs);
    if (rc == REL_EIO || (rc < 0 && !rel_fs_exists(abs))) {
        rel_plan_note(vr->b, "%s: unable to read vars file %s for overlay (%s); skipped, as relx "
                      "does", vr->where, file, rel_error_message());
        rel_error_clear();
        free(abs);
        return 0;
    }
    struct rel_term *news = NULL;
    if (rc == 0)
        rc = file_terms(vr, &news, file, &terms, depth);
    rel_terms_free(&terms);
    free(abs);
    if (rc)
        return rc;
    for (size_t i = 0; i < news->u.list.len; i++)
        drop_key(acc, key_of(news->u.list.items[i]));
    for (size_t i = 0; i < news->u.list.len; i++)
        rel_term_list_append(acc, news->u.list.items[i]);
    news->u.list.len = 0;
    rel_term_free(news);
    return 0;
}

/* io_lib:printable_list/1 (latin1). */
static bool printable(const struct rel_term *t)
{
    if (t->kind == REL_TERM_LIST)
        return t->u.list.len == 0 && !t->u.list.tail;
    for (size_t i = 0; i < t->u.str.len; i++) {
        uint32_t c = t->u.str.chars[i];
        if (!((c >= 32 && c <= 126) || (c >= 160 && c <= 255) || c == '\n' || c == '\r' ||
              c == '\t' || c == '\v' || c == '\b' || c == '\f' || c == 27))
            return false;
    }
    return true;
}

/* A list of two contexts searched in order (acc first, then `rest`). */
static struct rel_term *concat(const struct rel_term *a, const struct rel_term *c)
{
    struct rel_term *l = rel_term_list_new();
    for (size_t i = 0; i < rel_term_list_len(a); i++)
        rel_term_list_append(l, rel_term_clone(rel_term_list_get(a, i)));
    for (size_t i = 0; i < rel_term_list_len(c); i++)
        rel_term_list_append(l, rel_term_clone(rel_term_list_get(c, i)));
    return l;
}

static int render_value(struct rel_buf *out, const struct rel_term *ctx, const struct rel_term *v,
                        const char *where)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_mustache_value(&text, v);
    if (rc == 0)
        rc = rel_mustache_render(out, text.ptr ? text.ptr : "", text.len, ctx, where);
    rel_buf_free(&text);
    return rc;
}

/* relx's render_overlay_vars: each string value rendered with the
 * variables rendered before it and `base`; lists that are not strings are
 * rendered inside; other values are kept. A new list. */
static int render_vars(struct rel_term **out, const struct rel_term *base,
                       const struct rel_term *terms, const char *where, int depth)
{
    if (depth > 32)
        return rel_error_set(REL_ELIMIT, "%s: overlay variables nested too deep", where);
    struct rel_term *acc = rel_term_list_new();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rel_term_list_len(terms); i++) {
        const struct rel_term *t = rel_term_list_get(terms, i);
        const struct rel_term *v = rel_term_tuple_get(t, 1);
        if (rel_term_tuple_size(t) != 2 ||
            !(rel_term_is_list(v) || v->kind == REL_TERM_BINARY)) {
            rel_term_list_append(acc, rel_term_clone(t));
            continue;
        }
        struct rel_term *ctx = concat(acc, base), *nv = NULL;
        if (v->kind == REL_TERM_BINARY || printable(v)) {
            struct rel_buf r = REL_BUF_INIT;
            rc = render_value(&r, ctx, v, "value");
            if (rc) {
                char *msg = rel_strdup(rel_error_message());
                char *key = rel_term_to_text(rel_term_tuple_get(t, 0));
                rc = rel_error_set(rc, "%s: variable %s (line %d of its file): %s", where, key,
                                   t->line, msg);
                free(key);
                free(msg);
            }
            if (rc == 0)
                nv = rel_term_binary(r.ptr ? r.ptr : "", r.len);
            rel_buf_free(&r);
        } else {
            rc = render_vars(&nv, ctx, v, where, depth + 1);
        }
        rel_term_free(ctx);
        if (rc == 0)
            rel_term_list_append(acc, rel_term_tuple(2, rel_term_clone(rel_term_tuple_get(t, 0)), nv));
    }
    if (rc)
        rel_term_free(acc);
    else
        *out = acc;
    return rc;
}

static char *where_of(const struct rel_plan_builder *b, const struct rel_config_pos *pos,
                      const char *what)
{
    const char *file = b->proj->config && b->proj->config->file ? b->proj->config->file
                                                                 : "relman.yml";
    return rel_asprintf("%s:%d:%d: releases.%s.%s", file, pos->line, pos->col, b->r->name, what);
}

/* The context every overlay argument and template is rendered with. */
static int overlay_context(struct rel_plan_builder *b, struct rel_term **out)
{
    const struct rel_config_release *r = b->r;
    struct rel_term *builtins = builtin_vars(b);
    /* rebar3 hands relx one overlay variable, base_dir (first among the
     * files'), and one value, profile_string: so relx always reads vars */
    bool rebar3 = b->proj->kind == REL_PROJECT_REBAR3 && b->proj->env;
    if (r->nrelx_overlay_vars == 0 && !rebar3) {
        *out = builtins;
        return 0;
    }
    struct rel_term *values = NULL;
    int rc = 0;
    if (r->relx_overlay_vars_values) {
        char *where = where_of(b, &r->relx_overlay_vars_values_pos, "relx_overlay_vars_values");
        char *text = rel_asprintf("%s.", r->relx_overlay_vars_values);
        rc = rel_term_parse_one(&values, text, strlen(text), where);
        if (rc == 0 && (!rel_term_is_list(values) || values->kind == REL_TERM_STRING))
            rc = rel_error_set(REL_ECONFIG, "%s: a list of {Key, Value} terms", where);
        free(text);
        free(where);
    }
    if (!values)
        values = rel_term_list_new();
    struct rel_term *files = rel_term_list_new();
    if (rebar3) {
        char *base_dir = rel_asprintf("%s/_build/%s", b->proj->root, b->proj->env);
        rel_term_list_append(files, kv("base_dir", rel_term_string(base_dir)));
        free(base_dir);
        struct rel_term *v = rel_term_list_new();
        rel_term_list_append(v, kv("profile_string", rel_term_string(b->proj->env)));
        for (size_t i = 0; i < rel_term_list_len(values); i++)
            rel_term_list_append(v, rel_term_clone(rel_term_list_get(values, i)));
        rel_term_free(values);
        values = v;
    }
    for (size_t i = 0; rc == 0 && i < r->nrelx_overlay_vars; i++) {
        const struct rel_config_overlay_var *ov = &r->relx_overlay_vars[i];
        char *where = where_of(b, &ov->pos, "relx_overlay_vars");
        struct vars_reader vr = {b, where, 0};
        if (ov->path) {
            rc = merge_files(&vr, files, ov->path, 0);
        } else {
            char *text = rel_asprintf("%s.", ov->term);
            struct rel_term *t = NULL;
            rc = rel_term_parse_one(&t, text, strlen(text), where);
            if (rc == 0 && rel_term_tuple_size(t) < 1) {
                rc = rel_error_set(REL_ECONFIG, "%s: a {Key, Value} term", where);
                rel_term_free(t);
            } else if (rc == 0) {
                keystore(files, t);
            }
            free(text);
        }
        free(where);
    }
    struct rel_term *rendered = NULL, *base = NULL;
    if (rc == 0 && rel_term_list_len(files) > MAX_VARS)
        rc = rel_error_set(REL_ELIMIT, "releases.%s.relx_overlay_vars: more than %d variables",
                           r->name, MAX_VARS);
    if (rc == 0) {
        base = concat(builtins, values);
        char *where = where_of(b, r->nrelx_overlay_vars ? &r->relx_overlay_vars[0].pos : &r->pos,
                               "relx_overlay_vars");
        rc = render_vars(&rendered, base, files, where, 0);
        free(where);
    }
    if (rc == 0) {
        struct rel_term *first = concat(builtins, rendered);
        *out = concat(first, values);
        rel_term_free(first);
    }
    rel_term_free(rendered);
    rel_term_free(base);
    rel_term_free(files);
    rel_term_free(values);
    rel_term_free(builtins);
    return rc;
}

/* ---- the release tree as planned so far ------------------------------------ */

/* The entry last added for `rel` (what the release will hold), or NULL. */
static struct rel_plan_entry *current(struct rel_plan_builder *b, const char *rel)
{
    struct rel_plan_entry *best = NULL;
    size_t best_seq = 0;
    for (size_t i = 0; i < b->p->count; i++)
        if (strcmp(b->p->entries[i].path, rel) == 0 && (!best || b->seq[i] > best_seq)) {
            best = &b->p->entries[i];
            best_seq = b->seq[i];
        }
    return best;
}

/* Does the plan hold anything below `rel` (so that it is a directory)? */
static bool has_below(const struct rel_plan_builder *b, const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i < b->p->count; i++)
        if (n == 0 || (strncmp(b->p->entries[i].path, rel, n) == 0 &&
                       b->p->entries[i].path[n] == '/'))
            return true;
    return false;
}

static bool is_dir(struct rel_plan_builder *b, const char *rel)
{
    const struct rel_plan_entry *e = current(b, rel);
    return rel[0] == '\0' || (e ? e->kind == REL_PLAN_DIR : has_below(b, rel));
}

/* A file (anything but a directory) at `rel` or above it, or NULL. */
static const char *file_on_the_way(struct rel_plan_builder *b, const char *rel, char **above)
{
    char *s = rel_strdup(rel);
    *above = NULL;
    for (char *slash = strrchr(s, '/'); slash; slash = strrchr(s, '/')) {
        *slash = '\0';
        const struct rel_plan_entry *e = current(b, s);
        if (e && e->kind != REL_PLAN_DIR) {
            *above = s;
            return s;
        }
    }
    free(s);
    return NULL;
}

/* Drop every entry at `rel` and below it (relx removes what a link replaces). */
static void drop_tree(struct rel_plan_builder *b, const char *rel)
{
    size_t n = strlen(rel), out = 0;
    for (size_t i = 0; i < b->p->count; i++) {
        struct rel_plan_entry *e = &b->p->entries[i];
        if (strcmp(e->path, rel) == 0 || (strncmp(e->path, rel, n) == 0 && e->path[n] == '/')) {
            free(e->path);
            free(e->src);
            free(e->data);
            continue;
        }
        b->p->entries[out] = *e;
        b->seq[out++] = b->seq[i];
    }
    b->p->count = out;
}

/* A DIR entry for `rel` unless it has one already (the root needs none).
 * The callers have refused a file at `rel` or above it. */
static int add_dir(struct rel_plan_builder *b, const char *rel, mode_t mode)
{
    if (rel[0] == '\0')
        return 0;
    const struct rel_plan_entry *e = current(b, rel);
    if (e && e->kind == REL_PLAN_DIR)
        return 0;
    return rel_plan_add(b, rel, REL_PLAN_DIR, mode, NULL, NULL, 0, 0, "overlay");
}

static void track_tar_path(struct rel_plan_builder *b, const char *rel)
{
    char *top = rel_strdup(rel);
    char *slash = strchr(top, '/');
    if (slash)
        *slash = '\0';
    for (size_t i = 0; i < b->p->ntar; i++)
        if (strcmp(b->p->tar_paths[i], top) == 0) {
            free(top);
            return;
        }
    if (strcmp(top, "releases") == 0 || strcmp(top, "bin") == 0 || strcmp(top, "lib") == 0) {
        /* packed by what put them there, or by their own entry */
        free(top);
        top = rel_strdup(rel);
    }
    b->p->tar_paths = rel_reallocarray(b->p->tar_paths, b->p->ntar + 1, sizeof(char *));
    b->p->tar_paths[b->p->ntar++] = top;
}

/* ---- the operations -------------------------------------------------------- */

struct op_ctx {
    struct rel_plan_builder *b;
    const struct rel_term *vars;
    char *where; /* "relman.yml:L:C: releases.R.relx_overlay[N] OP" */
};

static int op_error(const struct op_ctx *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int op_error(const struct op_ctx *o, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char *shown = rel_escape_dup(msg, 0); /* paths from templates may hold anything */
    int rc = rel_error_set(REL_ECONFIG, "%s: %s", o->where, shown);
    free(shown);
    return rc;
}

/* An argument rendered as a template. New string. */
static int render_arg(const struct op_ctx *o, char **out, const char *arg)
{
    struct rel_buf r = REL_BUF_INIT;
    int rc = rel_mustache_render(&r, arg, strlen(arg), o->vars, "argument");
    if (rc) {
        char *msg = rel_strdup(rel_error_message());
        rc = op_error(o, "cannot render '%s': %s", arg, msg);
        free(msg);
        rel_buf_free(&r);
        return rc;
    }
    *out = rel_buf_detach(&r);
    if (!*out)
        *out = rel_strdup("");
    return 0;
}

/* The absolute path of FROM (relative to the project root). */
static char *from_path(const struct op_ctx *o, const char *from)
{
    return rel_plan_project_path(o->b, from);
}

/* TO as a path relative to the release root; it must stay inside it. */
static int to_path(const struct op_ctx *o, char **out, const char *to, const char *verb)
{
    char *abs = to[0] == '/' ? rel_strdup(to) : rel_path_join2(o->b->p->dest, to);
    char *norm = rel_path_normalize(abs);
    const char *dest = o->b->p->dest;
    size_t dl = strlen(dest);
    int rc = 0;
    *out = NULL;
    if (strcmp(norm, dest) == 0)
        *out = rel_strdup("");
    else if (strncmp(norm, dest, dl) == 0 && norm[dl] == '/')
        *out = rel_strdup(norm + dl + 1);
    else
        rc = op_error(o, "%s %s: it is outside the release %s", verb, abs, dest);
    if (rc == 0 && (strcmp(*out, ".relman") == 0 || strncmp(*out, ".relman/", 8) == 0)) {
        rc = op_error(o, "%s %s: .relman/ holds relman's manifest", verb, abs);
        free(*out);
        *out = NULL;
    }
    free(abs);
    free(norm);
    return rc;
}

static bool to_is_dir(const char *to)
{
    size_t n = strlen(to);
    return n > 0 && (to[n - 1] == '/' || to[n - 1] == '\\');
}

/* Copy `src` (a file, or a directory and everything below it) to `rel`. */
static int copy_one(const struct op_ctx *o, const char *src, const char *rel, int depth)
{
    struct rel_plan_builder *b = o->b;
    char *abs_to = rel_path_join2(b->p->dest, rel);
    struct stat st;
    int rc = 0;
    char *above = NULL;
    if (depth > MAX_COPY_DEPTH)
        rc = op_error(o, "Unable to copy from %s to %s: directories nested deeper than %d", src,
                      abs_to, MAX_COPY_DEPTH);
    else if (stat(src, &st) < 0)
        rc = op_error(o, "Unable to copy from %s to %s: %s", src, abs_to, strerror(errno));
    else if (file_on_the_way(b, rel, &above))
        rc = op_error(o, "Unable to copy from %s to %s: %s is a file", src, abs_to, above);
    else if (S_ISDIR(st.st_mode)) {
        const struct rel_plan_entry *e = current(b, rel);
        if (e && e->kind != REL_PLAN_DIR)
            rc = op_error(o, "Unable to copy from %s to %s: it is a file", src, abs_to);
        if (rc == 0)
            rc = add_dir(b, rel, 0755);
        DIR *d = rc == 0 ? opendir(src) : NULL;
        if (rc == 0 && !d)
            rc = op_error(o, "Unable to copy from %s to %s: %s", src, abs_to, strerror(errno));
        struct dirent *de;
        while (rc == 0 && d && (de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char *csrc = rel_path_join2(src, de->d_name);
            char *crel = rel[0] ? rel_path_join2(rel, de->d_name) : rel_strdup(de->d_name);
            rc = copy_one(o, csrc, crel, depth + 1);
            if (rc == 0 && !rel[0])
                track_tar_path(b, crel); /* into the release root: each is packed */
            free(csrc);
            free(crel);
        }
        if (d)
            closedir(d);
    } else if (S_ISREG(st.st_mode)) {
        if (rel[0] == '\0' || is_dir(b, rel))
            rc = op_error(o, "Unable to copy from %s to %s: it is a directory", src, abs_to);
        else
            rc = rel_plan_add(b, rel, REL_PLAN_COPY, st.st_mode, src, NULL, 0,
                              (uint64_t)st.st_size, "overlay");
    }
    free(above);
    free(abs_to);
    return rc;
}

static int link_one(const struct op_ctx *o, const char *src, const char *rel)
{
    struct rel_plan_builder *b = o->b;
    char *abs_to = rel_path_join2(b->p->dest, rel);
    char *above = NULL;
    int rc = 0;
    if (rel[0] == '\0')
        rc = op_error(o, "Unable to symlink %s to %s: it is the release itself", src, abs_to);
    else if (file_on_the_way(b, rel, &above))
        rc = op_error(o, "Unable to symlink %s to %s: %s is a file", src, abs_to, above);
    else {
        drop_tree(b, rel);
        rc = rel_plan_add(b, rel, REL_PLAN_LINK, 0777, NULL, src, strlen(src), 0, "overlay");
    }
    free(above);
    free(abs_to);
    return rc;
}

/* A copy whose source lies inside the release being made ({{target_dir}}/x):
 * what the plan has there so far is copied, as relx copies what it has
 * just written. */
static int copy_planned(const struct op_ctx *o, const char *src_rel, const char *rel)
{
    struct rel_plan_builder *b = o->b;
    const struct rel_plan_entry *e = src_rel[0] ? current(b, src_rel) : NULL;
    size_t sl = strlen(src_rel), n = b->p->count;
    int rc = 0;
    if (e && e->kind != REL_PLAN_DIR)
        return rel_plan_add(b, rel, e->kind, e->mode, e->src, e->data, e->len, e->size,
                            "overlay");
    if (!is_dir(b, src_rel))
        return op_error(o, "Unable to copy from %s/%s to %s: nothing in the release is there",
                        b->p->dest, src_rel, rel);
    rc = add_dir(b, rel, 0755);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct rel_plan_entry *c = &b->p->entries[i];
        if (sl && !(strncmp(c->path, src_rel, sl) == 0 && c->path[sl] == '/'))
            continue;
        if (current(b, c->path) != c)
            continue; /* replaced since */
        char *to = rel[0] ? rel_path_join2(rel, c->path + sl + (sl ? 1 : 0))
                          : rel_strdup(c->path + sl + (sl ? 1 : 0));
        struct rel_plan_entry copy = *c; /* rel_plan_add may move the array */
        rc = rel_plan_add(b, to, copy.kind, copy.mode, copy.src, copy.data, copy.len, copy.size,
                          "overlay");
        free(to);
    }
    return rc;
}

/* copy and link: one source, or each match of a wildcard into a directory. */
static int copy_or_link(const struct op_ctx *o, const char *from, const char *to, bool link)
{
    char *src = from_path(o, from), *rel = NULL;
    int rc = to_path(o, &rel, to, link ? "Unable to symlink to" : "Unable to copy to");
    size_t dl = strlen(o->b->p->dest);
    char *inside = strncmp(src, o->b->p->dest, dl) == 0 && (src[dl] == '/' || !src[dl])
                       ? rel_strdup(src[dl] ? src + dl + 1 : "")
                       : NULL;
    if (rc == 0 && inside && (link || to_is_dir(to))) {
        rc = op_error(o, "%s from inside the release (%s) is not supported",
                      link ? "a link" : "a wildcard copy", src);
    } else if (rc == 0 && inside) {
        rc = copy_planned(o, inside, rel);
    } else if (rc == 0 && !to_is_dir(to)) {
        rc = link ? link_one(o, src, rel) : copy_one(o, src, rel, 0);
    } else if (rc == 0) {
        /* filelib:wildcard(FROM, ROOT): no match copies nothing */
        char *above = NULL;
        if (file_on_the_way(o->b, rel, &above) || (rel[0] && current(o->b, rel) &&
                                                   current(o->b, rel)->kind != REL_PLAN_DIR))
            rc = op_error(o, "Unable to %s %s to %s: %s is a file", link ? "symlink" : "copy from",
                          src, to, above ? above : rel);
        free(above);
        if (rc == 0)
            rc = add_dir(o->b, rel, 0755);
        glob_t g = {0};
        int gr = rc == 0 ? glob(src, GLOB_BRACE, NULL, &g) : GLOB_NOMATCH;
        for (size_t i = 0; rc == 0 && gr == 0 && i < g.gl_pathc; i++) {
            char *base = rel_path_basename(g.gl_pathv[i]);
            char *crel = rel[0] ? rel_path_join2(rel, base) : rel_strdup(base);
            rc = link ? link_one(o, g.gl_pathv[i], crel) : copy_one(o, g.gl_pathv[i], crel, 0);
            if (rc == 0 && !rel[0])
                track_tar_path(o->b, crel); /* into the release root: each is packed */
            free(base);
            free(crel);
        }
        if (gr == 0)
            globfree(&g);
    }
    if (rc == 0 && rel[0])
        track_tar_path(o->b, rel);
    free(inside);
    free(src);
    free(rel);
    return rc;
}

static int op_mkdir(const struct op_ctx *o, const char *dir)
{
    char *rel = NULL, *above = NULL;
    int rc = to_path(o, &rel, dir, "Unable to make directory");
    if (rc == 0) {
        char *abs = rel_path_join2(o->b->p->dest, rel);
        const struct rel_plan_entry *e = rel[0] ? current(o->b, rel) : NULL;
        if (file_on_the_way(o->b, rel, &above))
            rc = op_error(o, "Unable to make directory %s: %s is a file", abs, above);
        else if (e && e->kind != REL_PLAN_DIR)
            rc = op_error(o, "Unable to make directory %s: it is a file", abs);
        else
            rc = add_dir(o->b, rel, 0755);
        if (rc == 0 && rel[0])
            track_tar_path(o->b, rel);
        free(abs);
    }
    free(above);
    free(rel);
    return rc;
}

static int op_template(const struct op_ctx *o, const char *from, const char *to)
{
    char *src = from_path(o, from), *rel = NULL, *above = NULL;
    struct rel_buf text = REL_BUF_INIT, out = REL_BUF_INIT;
    struct stat st;
    int rc = 0;
    if (stat(src, &st) < 0)
        rc = op_error(o, "Unable to read template file %s for overlay due to: %s", src,
                      strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = op_error(o, "Unable to read template file %s for overlay due to: it is not a file",
                      src);
    else if ((rc = rel_fs_read_file(&text, src, REL_MUSTACHE_MAX_SIZE)) < 0) {
        char *msg = rel_strdup(rel_error_message());
        rc = op_error(o, "Unable to read template file %s for overlay due to: %s", src, msg);
        free(msg);
    } else if ((rc = rel_mustache_render(&out, text.ptr ? text.ptr : "", text.len, o->vars,
                                         from)) < 0) {
        char *msg = rel_strdup(rel_error_message());
        rc = op_error(o, "Unable to render template %s because %s", src, msg);
        free(msg);
    }
    if (rc == 0)
        rc = to_path(o, &rel, to, "Unable to write to");
    if (rc == 0) {
        char *abs = rel_path_join2(o->b->p->dest, rel);
        if (file_on_the_way(o->b, rel, &above))
            rc = op_error(o, "Unable to create enclosing directory for %s because %s is a file",
                          abs, above);
        else if (rel[0] == '\0' || is_dir(o->b, rel))
            rc = op_error(o, "Unable to write to %s because it is a directory", abs);
        else {
            struct rel_plan_entry *e = current(o->b, rel);
            if (e && e->kind == REL_PLAN_LINK) /* relx writes the file, not through the link */
                drop_tree(o->b, rel);
            rc = rel_plan_add_text(o->b, rel, &out, st.st_mode & 07777, "overlay");
        }
        if (rc == 0)
            track_tar_path(o->b, rel);
        free(abs);
    }
    rel_buf_free(&text);
    rel_buf_free(&out);
    free(above);
    free(src);
    free(rel);
    return rc;
}

/* MODE: octal when written with a leading 0 ("0755", "0o755"); a template
 * ("{{mode}}") is rendered and read as a decimal integer, as relx reads a
 * string mode; other digits ("755") are refused as ambiguous. */
static int parse_mode(const struct op_ctx *o, const char *arg, mode_t *out)
{
    const char *s = arg;
    int base = 10;
    char *rendered = NULL;
    if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        s += 2;
        base = 8;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
    } else if (!strstr(s, "{{") && strcmp(s, "0") != 0) {
        /* "755" would be read as decimal (01363): surely not what was meant */
        return op_error(o, "Unable to chmod: mode '%s' must be octal with a leading 0 (\"0%s\"); "
                        "only a template's result is read as a decimal integer, as relx reads it",
                        arg, arg);
    } else {
        int rc = render_arg(o, &rendered, arg);
        if (rc)
            return rc;
        s = rendered;
    }
    char *end = NULL;
    errno = 0;
    long v = *s ? strtol(s, &end, base) : -1;
    int rc = 0;
    if (!*s || *end || errno || v < 0 || v > 07777)
        rc = op_error(o, "Unable to chmod: '%s' is not a mode (octal with a leading 0, or a "
                      "decimal integer up to 4095)", rendered ? rendered : arg);
    else
        *out = (mode_t)v;
    free(rendered);
    return rc;
}

static int op_chmod(const struct op_ctx *o, const char *mode_arg, const char *path)
{
    mode_t mode = 0;
    char *rel = NULL;
    int rc = parse_mode(o, mode_arg, &mode);
    if (rc == 0)
        rc = to_path(o, &rel, path, "Unable to chmod");
    if (rc == 0) {
        char *abs = rel_path_join2(o->b->p->dest, rel);
        struct rel_plan_entry *e = rel[0] ? current(o->b, rel) : NULL;
        if (e && e->kind == REL_PLAN_LINK)
            rc = op_error(o, "Unable to chmod %o %s: it is a symlink (to %s)", (unsigned)mode, abs,
                          e->data);
        else if (e)
            e->mode = mode;
        else if (rel[0] && has_below(o->b, rel))
            rc = rel_plan_add(o->b, rel, REL_PLAN_DIR, mode, NULL, NULL, 0, 0, "overlay");
        else
            rc = op_error(o, "Unable to chmod %o %s because of enoent (nothing in the release is "
                          "there)", (unsigned)mode, abs);
        free(abs);
    }
    free(rel);
    return rc;
}

static int run_op(struct op_ctx *o, const struct rel_config_overlay_op *op)
{
    char *a0 = NULL, *a1 = NULL;
    int rc = 0;
    if (op->kind != REL_OVERLAY_CHMOD)
        rc = render_arg(o, &a0, op->args[0]);
    if (rc == 0 && op->nargs > 1)
        rc = render_arg(o, &a1, op->args[1]);
    if (rc == 0) {
        switch (op->kind) {
        case REL_OVERLAY_MKDIR:
            rc = op_mkdir(o, a0);
            break;
        case REL_OVERLAY_COPY:
            rc = copy_or_link(o, a0, a1, false);
            break;
        case REL_OVERLAY_LINK:
            rc = copy_or_link(o, a0, a1, true);
            break;
        case REL_OVERLAY_TEMPLATE:
            rc = op_template(o, a0, a1);
            break;
        case REL_OVERLAY_CHMOD:
            rc = op_chmod(o, op->args[0], a1);
            break;
        }
    }
    free(a0);
    free(a1);
    return rc;
}

int rel_plan_relx_overlay(struct rel_plan_builder *b)
{
    const struct rel_config_release *r = b->r;
    if (r->nrelx_overlay == 0)
        return 0;
    struct rel_term *vars = NULL;
    int rc = overlay_context(b, &vars);
    for (size_t i = 0; rc == 0 && i < r->nrelx_overlay; i++) {
        const struct rel_config_overlay_op *op = &r->relx_overlay[i];
        char what[64];
        snprintf(what, sizeof(what), "relx_overlay[%zu] %s", i,
                 rel_config_overlay_op_name(op->kind));
        struct op_ctx o = {b, vars, where_of(b, &op->pos, what)};
        rc = run_op(&o, op);
        if (rc && strncmp(rel_error_message(), o.where, strlen(o.where)) != 0) {
            /* from a helper (rel_plan_add): said with the operation's place */
            char *shown = rel_escape_dup(rel_error_message(), 0);
            rel_error_set(rc, "%s: %s", o.where, shown);
            free(shown);
        }
        free(o.where);
    }
    rel_term_free(vars);
    return rc;
}
