/*
 * import_rebar.c - relman.yml from a rebar3 project: the relx section of
 * rebar.config (or relx.config), with the profiles rebar3 would apply (see
 * import.h).
 *
 * How relx reads its options, which this file reproduces (relx 4.7, the one
 * inside rebar3 3.19; rlx_config, rlx_state, rebar_relx, rebar_opts):
 *   - rebar3 merges a profile's relx list into the base one by sorting both
 *     by key (stable) and interleaving them, the base's entries before the
 *     profile's for one key; `as prod` also puts {mode, prod} first;
 *   - relx then folds the list in order into one state: every option sets
 *     its value (a later one wins), `mode` sets include_src, debug_info,
 *     include_erts (and dev_mode for prod/minimal) at once, releases are
 *     recorded by {Name, Vsn}; `{extend, Rel}` takes the goals of a release
 *     defined before it;
 *   - the options in a release's own list are folded over the global state
 *     for that release only.
 * What results is written as explicit keys, so relman.yml says what relx
 * would do without knowing relx's defaults. An option relman cannot honour
 * fails the import with its name: nothing is dropped.
 */
#include "import_int.h"

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "semver.h"
#include "shell.h"
#include "term.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 1024
#define MAX_RELEASES 64

/* ---- rebar3's profile merge ----------------------------------------------- */

static const char *opt_key(const struct rel_term *t)
{
    const char *k = rel_term_atom_name(t);
    return k ? k : rel_term_atom_name(rel_term_tuple_get(t, 0));
}

static bool is_overlay(const struct rel_term *t)
{
    return rel_term_tuple_size(t) > 0 && rel_term_is_atom(rel_term_tuple_get(t, 0), "overlay");
}

/* Stable insertion sort by key (rebar_utils:tup_sort). */
static void sort_by_key(const struct rel_term **v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct rel_term *x = v[i];
        const char *kx = opt_key(x);
        size_t j = i;
        while (j > 0 && strcmp(opt_key(v[j - 1]) ? opt_key(v[j - 1]) : "",
                               kx ? kx : "") > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* rebar_utils:tup_umerge(first, second): both sorted by key, merged, the
 * first's entries before the second's for one key; identical entries once. */
static size_t umerge(const struct rel_term **out, size_t max, const struct rel_term **a, size_t na,
                     const struct rel_term **b, size_t nb)
{
    sort_by_key(a, na);
    sort_by_key(b, nb);
    size_t n = 0, i = 0, j = 0;
    while ((i < na || j < nb) && n < max) {
        const struct rel_term *t;
        if (j >= nb || (i < na && strcmp(opt_key(a[i]) ? opt_key(a[i]) : "",
                                         opt_key(b[j]) ? opt_key(b[j]) : "") <= 0))
            t = a[i++];
        else
            t = b[j++];
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = rel_term_equal(out[k], t);
        if (!dup)
            out[n++] = t;
    }
    return n;
}

/* rebar_opts:merge_opt(relx, Profile, Base) into `cur` (n entries). */
static size_t merge_profile(const struct rel_term **cur, size_t n, const struct rel_term *prof)
{
    const struct rel_term *bo[MAX_OPTS], *bx[MAX_OPTS], *po[MAX_OPTS], *px[MAX_OPTS];
    size_t nbo = 0, nbx = 0, npo = 0, npx = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_overlay(cur[i]))
            bo[nbo++] = cur[i];
        else
            bx[nbx++] = cur[i];
    }
    for (size_t i = 0; i < rel_term_list_len(prof) && npo + npx < MAX_OPTS; i++) {
        const struct rel_term *t = rel_term_list_get(prof, i);
        if (is_overlay(t))
            po[npo++] = t;
        else
            px[npx++] = t;
    }
    size_t m = umerge(cur, MAX_OPTS, po, npo, bo, nbo);
    return m + umerge(cur + m, MAX_OPTS - m, bx, nbx, px, npx);
}

/* ---- relx's state ----------------------------------------------------------- */

enum tri { UNSET = 0, NO, YES };

struct relx_state {
    const char *mode;                  /* dev | prod | minimal; NULL: relx's default (prod) */
    enum tri include_src;              /* UNSET: relx includes src for `release` */
    const char *debug_info;            /* keep | strip (default keep) */
    enum tri include_erts;             /* UNSET: relx's default, false */
    const struct rel_term *erts_root;  /* include_erts naming an Erlang installation */
    const struct rel_term *system_libs;  /* NULL: true */
    const struct rel_term *exclude_apps, *exclude_modules;
    const struct rel_term *sys_config, *sys_config_src, *vm_args, *vm_args_src;
    const struct rel_term *generate_start_script, *include_start_scripts_for;
    const struct rel_term *output_dir;
};

struct relx_release {
    char *name, *vsn_text;             /* vsn_text: a literal version, or NULL */
    const struct rel_term *vsn;        /* as written */
    const struct rel_term *erts;       /* {erts, Vsn}'s Vsn, or NULL */
    const struct rel_term *goals[256]; /* merged goals (extend), borrowed */
    size_t ngoals;
    const struct rel_term *config; /* the release's own options, or NULL */
    char *key;
};

struct relx_import {
    struct rel_import_gen *g;
    const char *dir;
    const char *file; /* "rebar.config" or "relx.config", for messages */
    struct relx_state st;
    struct relx_release rels[MAX_RELEASES];
    size_t nrels;
    const struct rel_term *lib_dirs[64];
    size_t nlib_dirs;
    const struct rel_term *default_release;
    /* the relx lists overlays are taken from: the base section (or
     * relx.config's terms) and the chosen profiles' relx lists, in order */
    struct rel_term *ovl_base, *ovl_profiles;
};

/* The one-line refusal: FILE: relx option {KEY, VALUE} (in release R): why.
 * `key` NULL: `opt` is the whole option. */
static int refuse_kv(const struct relx_import *x, const char *where, const char *key,
                     const struct rel_term *opt, const char *why)
{
    char *text = opt ? rel_term_to_text(opt) : rel_strdup("");
    if (strlen(text) > 80)
        strcpy(text + 70, " ...");
    struct rel_buf what = REL_BUF_INIT;
    if (key && opt)
        rel_buf_printf(&what, "{%s, %s}", key, text);
    else if (key)
        rel_buf_puts(&what, key);
    else
        rel_buf_puts(&what, text);
    if (where)
        rel_buf_printf(&what, " (release %s)", where);
    int rc = rel_error_set(REL_EUNSUPPORTED, "%s: relx option %s: %s", x->file,
                           rel_buf_cstr(&what), why);
    rel_buf_free(&what);
    free(text);
    return rc;
}

static int refuse(const struct relx_import *x, const char *where, const struct rel_term *opt,
                  const char *why)
{
    return refuse_kv(x, where, NULL, opt, why);
}

static const char *atom_of(const struct rel_term *opt)
{
    return rel_term_atom_name(rel_term_tuple_get(opt, 1));
}

static bool is_bool(const struct rel_term *v)
{
    return rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false");
}

static void load_mode(struct relx_state *s, const char *mode)
{
    /* rlx_config:expand_mode */
    s->mode = mode;
    s->include_src = strcmp(mode, "dev") == 0 ? YES : NO;
    s->debug_info = strcmp(mode, "dev") == 0 ? "keep" : "strip";
    s->include_erts = strcmp(mode, "prod") == 0 ? YES : NO;
    s->erts_root = NULL;
}

/* The options that only check or tune relx's own work, with no effect on the
 * release relman makes (see docs/compat.md). */
static bool harmless(const char *key, const struct rel_term *v)
{
    if (strcmp(key, "check_for_undefined_functions") == 0 || strcmp(key, "src_tests") == 0 ||
        strcmp(key, "include_nodetool") == 0 || strcmp(key, "overlay_vars_values") == 0)
        return true;
    if (strcmp(key, "exref") == 0 || strcmp(key, "warnings_as_errors") == 0)
        return rel_term_is_atom(v, "false");
    if (strcmp(key, "extended_start_script") == 0)
        return rel_term_is_atom(v, "true"); /* bin/NAME is always relx's extended script */
    return false;
}

/* One option of a relx list (rlx_config:load/2). `rel`: the release whose
 * own list it is, or NULL for the top level. */
static int load_opt(struct relx_import *x, struct relx_state *s, const struct rel_term *opt,
                    const char *rel)
{
    const char *key = opt_key(opt);
    const struct rel_term *v = rel_term_tuple_get(opt, 1);
    if (!key || rel_term_tuple_size(opt) < 2)
        return refuse(x, rel, opt, "not an option relx knows");
    if (strcmp(key, "mode") == 0) {
        const char *m = atom_of(opt);
        if (!m || (strcmp(m, "dev") && strcmp(m, "prod") && strcmp(m, "minimal")))
            return refuse(x, rel, opt, "mode must be dev, prod or minimal");
        load_mode(s, m);
    } else if (strcmp(key, "dev_mode") == 0 && is_bool(v)) {
        if (rel_term_is_atom(v, "true"))
            load_mode(s, "dev"); /* {dev_mode, false} changes nothing relx looks at */
    } else if (strcmp(key, "include_src") == 0 && is_bool(v)) {
        s->include_src = rel_term_is_atom(v, "true") ? YES : NO;
    } else if (strcmp(key, "debug_info") == 0 && (rel_term_is_atom(v, "keep") ||
                                                  rel_term_is_atom(v, "strip"))) {
        s->debug_info = atom_of(opt);
    } else if (strcmp(key, "include_erts") == 0) {
        s->include_erts = rel_term_is_atom(v, "true") ? YES : NO;
        s->erts_root = is_bool(v) ? NULL : v;
    } else if (strcmp(key, "system_libs") == 0) {
        if (!is_bool(v))
            return refuse(x, rel, opt,
                          "a directory of system libraries is not supported (relman takes "
                          "Erlang/OTP's applications from the installation of include_erts)");
        s->system_libs = v;
    } else if (strcmp(key, "exclude_apps") == 0 && rel_term_is_list(v)) {
        s->exclude_apps = v;
    } else if (strcmp(key, "exclude_modules") == 0 && rel_term_is_list(v)) {
        s->exclude_modules = v;
    } else if (strcmp(key, "sys_config") == 0) {
        s->sys_config = v;
    } else if (strcmp(key, "sys_config_src") == 0) {
        s->sys_config_src = v;
    } else if (strcmp(key, "vm_args") == 0) {
        s->vm_args = v;
    } else if (strcmp(key, "vm_args_src") == 0) {
        s->vm_args_src = v;
    } else if (strcmp(key, "generate_start_script") == 0 && is_bool(v)) {
        s->generate_start_script = v;
    } else if (strcmp(key, "include_start_scripts_for") == 0 && rel_term_is_list(v)) {
        s->include_start_scripts_for = v;
    } else if (strcmp(key, "output_dir") == 0 && !rel) {
        s->output_dir = v;
    } else if (strcmp(key, "lib_dirs") == 0 && !rel && rel_term_is_list(v)) {
        if (x->nlib_dirs < 64)
            x->lib_dirs[x->nlib_dirs++] = v;
    } else if (strcmp(key, "default_release") == 0 && !rel) {
        x->default_release = v; /* relx 3's; relx 4 ignores it, relman keeps it */
    } else if (harmless(key, v)) {
        /* nothing to do */
    } else if (rel_import_relx_overlay_key(key)) {
        /* written per release by rel_import_relx_overlays (core/import_relx.c) */
    } else if (strcmp(key, "extended_start_script_hooks") == 0 ||
               strcmp(key, "extended_start_script_extensions") == 0) {
        return refuse(x, rel, opt, "start script hooks and extensions are not supported yet");
    } else if (strcmp(key, "extended_start_script") == 0) {
        return refuse(x, rel, opt, "bin/NAME is always relx's extended start script");
    } else if (strcmp(key, "upfrom") == 0) {
        return refuse(x, rel, opt, "relman makes no relups");
    } else if (strcmp(key, "root_dir") == 0 || strcmp(key, "overrides") == 0) {
        return refuse(x, rel, opt, "not supported (relman.yml's lib_dirs finds applications)");
    } else if (strcmp(key, "release") == 0) {
        return refuse(x, rel, opt, "a release inside a release's options");
    } else {
        return refuse(x, rel, opt, "relman has no equivalent");
    }
    return 0;
}

/* A release version as relman.yml writes it (the text after `version: `). */
static int version_yaml(struct relx_import *x, struct rel_buf *out, const struct rel_term *v,
                        const struct rel_term *opt)
{
    char *s = rel_import_str(v);
    const char *a = rel_term_atom_name(v);
    int rc = 0;
    if ((s && (strcmp(s, "git") == 0 || strcmp(s, "semver") == 0)) ||
        (a && (strcmp(a, "git") == 0 || strcmp(a, "semver") == 0)) ||
        rel_term_is_tagged(v, "semver", 2)) {
        rel_buf_puts(out, "{git: tag}");
    } else if (s) {
        rel_config_yaml_scalar(out, s, true);
    } else if (rel_term_is_tagged(v, "git", 2) &&
               (rel_term_is_atom(rel_term_tuple_get(v, 1), "short") ||
                rel_term_is_atom(rel_term_tuple_get(v, 1), "long"))) {
        rel_buf_printf(out, "{git: %s}", rel_term_atom_name(rel_term_tuple_get(v, 1)));
    } else if (rel_term_is_tagged(v, "cmd", 2) && (s = rel_import_str(rel_term_tuple_get(v, 1)))) {
        rel_buf_puts(out, "{cmd: ");
        rel_config_yaml_scalar(out, s, true);
        rel_buf_puts(out, "}");
    } else if (rel_term_is_tagged(v, "file", 2) && (s = rel_import_str(rel_term_tuple_get(v, 1)))) {
        struct rel_buf cmd = REL_BUF_INIT;
        rel_buf_puts(&cmd, "cat ");
        rel_shell_quote(&cmd, s);
        rel_buf_puts(out, "{cmd: ");
        rel_config_yaml_scalar(out, rel_buf_cstr(&cmd), true);
        rel_buf_puts(out, "}");
        rel_buf_free(&cmd);
    } else {
        rc = refuse(x, NULL, opt, "a release version relx does not know");
    }
    free(s);
    return rc;
}

static struct relx_release *find_rel(struct relx_import *x, const char *name, const char *vsn)
{
    for (size_t i = 0; i < x->nrels; i++)
        if (strcmp(x->rels[i].name, name) == 0 && x->rels[i].vsn_text && vsn &&
            strcmp(x->rels[i].vsn_text, vsn) == 0)
            return &x->rels[i];
    return NULL;
}

static const char *goal_name(const struct rel_term *g)
{
    const char *a = rel_term_atom_name(g);
    return a ? a : rel_term_atom_name(rel_term_tuple_get(g, 0));
}

/* rlx_config:merge_application_goals: the base's goals, each replaced by
 * the new release's goal of the same application, new ones appended. */
static void add_goals(struct relx_release *r, const struct rel_term *goals)
{
    for (size_t i = 0; i < rel_term_list_len(goals); i++) {
        const struct rel_term *g = rel_term_list_get(goals, i);
        const char *n = goal_name(g);
        bool replaced = false;
        for (size_t k = 0; n && k < r->ngoals && !replaced; k++)
            if (goal_name(r->goals[k]) && strcmp(goal_name(r->goals[k]), n) == 0) {
                r->goals[k] = g;
                replaced = true;
            }
        if (!replaced && r->ngoals < 256)
            r->goals[r->ngoals++] = g;
    }
}

/* {release, Id, Goals}, {release, Id, Goals, Config}, {release, Id, {erts, V}, Goals[, Config]},
 * Id = {Name, Vsn} | {Name, Vsn, {extend, Rel | {Rel, Vsn}}}. */
static int load_release(struct relx_import *x, const struct rel_term *opt)
{
    size_t n = rel_term_tuple_size(opt);
    const struct rel_term *id = rel_term_tuple_get(opt, 1);
    const struct rel_term *erts = NULL, *goals, *config = NULL;
    size_t gi = 2;
    if (rel_term_is_tagged(rel_term_tuple_get(opt, 2), "erts", 2)) {
        erts = rel_term_tuple_get(rel_term_tuple_get(opt, 2), 1);
        gi = 3;
    }
    goals = rel_term_tuple_get(opt, gi);
    if (n == gi + 2)
        config = rel_term_tuple_get(opt, gi + 1);
    const char *name = rel_term_atom_name(rel_term_tuple_get(id, 0));
    if (n < gi + 1 || n > gi + 2 || !rel_term_is_list(goals) || !name ||
        (config && !rel_term_is_list(config)) ||
        (rel_term_tuple_size(id) != 2 && rel_term_tuple_size(id) != 3) ||
        (erts && erts->kind != REL_TERM_STRING && erts->kind != REL_TERM_BINARY))
        return refuse(x, NULL, opt, "not a release definition relx accepts");
    bool name_ok = name[0] >= 'a' && name[0] <= 'z';
    for (const char *c = name; name_ok && *c; c++)
        name_ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
    if (!name_ok)
        return refuse(x, NULL, opt,
                      "the release name is not one relman.yml accepts (a lowercase letter, "
                      "then lowercase letters, digits or '_')");
    if (x->nrels >= MAX_RELEASES)
        return refuse(x, NULL, opt, "too many releases");
    struct relx_release *r = &x->rels[x->nrels];
    memset(r, 0, sizeof(*r));
    r->name = rel_strdup(name);
    r->vsn = rel_term_tuple_get(id, 1);
    r->vsn_text = rel_import_str(r->vsn);
    if (r->vsn_text && (!strcmp(r->vsn_text, "git") || !strcmp(r->vsn_text, "semver"))) {
        free(r->vsn_text);
        r->vsn_text = NULL;
    }
    r->erts = erts;
    r->config = config;
    x->nrels++;
    const struct rel_term *ext = rel_term_tuple_get(id, 2);
    if (ext) {
        const struct rel_term *base = rel_term_tuple_get(ext, 1);
        const char *bn = rel_term_atom_name(base);
        char *bv = NULL;
        if (!bn) {
            bn = rel_term_atom_name(rel_term_tuple_get(base, 0));
            bv = rel_import_str(rel_term_tuple_get(base, 1));
        } else if (r->vsn_text) {
            bv = rel_strdup(r->vsn_text); /* relx: the new release's own version */
        }
        const struct relx_release *b = bn ? find_rel(x, bn, bv) : NULL;
        int rc = 0;
        if (!rel_term_is_tagged(ext, "extend", 2) || !bn)
            rc = refuse(x, NULL, opt, "not a release definition relx accepts");
        else if (!b)
            rc = refuse(x, NULL, opt,
                        "it extends a release (name and version) not defined before it");
        free(bv);
        if (rc)
            return rc;
        for (size_t i = 0; i < b->ngoals; i++)
            r->goals[r->ngoals++] = b->goals[i];
    }
    add_goals(r, goals);
    /* the same {Name, Vsn} again replaces the earlier definition, as in relx */
    for (size_t i = 0; i + 1 < x->nrels; i++)
        if (strcmp(x->rels[i].name, r->name) == 0 && x->rels[i].vsn_text && r->vsn_text &&
            strcmp(x->rels[i].vsn_text, r->vsn_text) == 0) {
            free(x->rels[i].name);
            free(x->rels[i].vsn_text);
            x->rels[i] = *r;
            x->nrels--;
            break;
        }
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

/* relx's include_erts as relman's: true/false, or an OTP root whose one
 * erts-VSN directory relman names. */
static int write_erts(struct relx_import *x, const struct relx_release *r,
                      const struct relx_state *s)
{
    const struct rel_term *v = s->erts_root;
    struct rel_buf *o = x->g->out;
    if (!v) {
        rel_buf_printf(o, "    include_erts: %s\n", s->include_erts == YES ? "true" : "false");
        return 0;
    }
    char *root = rel_import_str(v);
    if (!root || !root[0]) {
        free(root);
        return refuse_kv(x, r->name, "include_erts", v,
                         "include_erts must be true, false or an Erlang installation");
    }
    char *abs = root[0] == '/' ? rel_strdup(root) : rel_path_join2(x->dir, root);
    DIR *d = opendir(abs);
    char *found = NULL;
    int count = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "erts-", 5) == 0 && e->d_name[5] && count++ == 0)
            found = rel_strdup(e->d_name);
    if (d)
        closedir(d);
    int rc = 0;
    if (count != 1) {
        rc = rel_error_set(REL_EUNSUPPORTED,
                           "%s: relx option include_erts in release %s: %s holds %s erts-VSN "
                           "directory; relman needs exactly one to bundle",
                           x->file, r->name, abs, count ? "more than one" : "no");
    } else {
        char *p = rel_path_join2(root, found);
        rel_buf_puts(o, "    include_erts: ");
        rel_config_yaml_scalar(o, p, false);
        rel_buf_puts(o, "\n");
        free(p);
    }
    free(found);
    free(abs);
    free(root);
    return rc;
}

static void write_path_key(struct rel_buf *o, const char *key, const struct rel_term *v)
{
    char *p = rel_import_str(v);
    if (p && p[0]) {
        rel_buf_printf(o, "    %s: ", key);
        rel_config_yaml_scalar(o, p, false);
        rel_buf_puts(o, "\n");
    }
    free(p);
}

static int write_goals(struct relx_import *x, const struct relx_release *r)
{
    struct rel_buf *o = x->g->out;
    struct rel_buf pins = REL_BUF_INIT, incl = REL_BUF_INIT;
    int rc = 0;
    rel_buf_puts(o, "    applications:\n");
    for (size_t i = 0; i < r->ngoals && rc == 0; i++) {
        const struct rel_term *g = r->goals[i];
        const char *app = goal_name(g);
        const char *mode = "permanent";
        char *vsn = NULL;
        bool ok = app && rel_import_atom_ok(app);
        size_t n = rel_term_is_atom(g, NULL) ? 0 : rel_term_tuple_size(g);
        for (size_t k = 1; ok && k < n; k++) {
            const struct rel_term *e = rel_term_tuple_get(g, k);
            char *s = rel_import_str(e);
            if (k < 3 && rel_import_is_mode(rel_term_atom_name(e)))
                mode = rel_term_atom_name(e);
            else if (k == 1 && s && s[0])
                vsn = rel_strdup(s);
            else if (rel_term_is_list(e) && (!s || !s[0]) && k == n - 1) {
                /* {App, [Incl]}, {App, Vsn, [Incl]}, {App, Vsn, Type, [Incl]} */
                for (size_t q = 0; q < rel_term_list_len(e) && ok; q++)
                    ok = rel_import_atom_ok(rel_term_atom_name(rel_term_list_get(e, q)));
                struct rel_import_gen ig = {.out = &incl};
                rel_buf_printf(&incl, "      %s: ", app);
                if (ok && !rel_import_flow_list(&ig, e))
                    rel_buf_puts(&incl, "[]");
                rel_buf_puts(&incl, "\n");
            } else
                ok = false;
            free(s);
        }
        if (rc == 0 && (!ok || n > 4 || (n == 0 && !rel_term_is_atom(g, NULL))))
            rc = refuse(x, r->name, g, "not an application goal relx accepts");
        if (rc == 0) {
            rel_buf_printf(o, "      %s: %s\n", app, mode);
            if (vsn) {
                rel_buf_printf(&pins, "      %s: ", app);
                rel_config_yaml_scalar(&pins, vsn, true);
                rel_buf_puts(&pins, "\n");
            }
        }
        free(vsn);
    }
    if (rc == 0 && pins.len) {
        rel_buf_puts(o, "    app_versions:\n");
        rel_buf_put(o, pins.ptr, pins.len);
    }
    if (rc == 0 && incl.len) {
        rel_buf_puts(o, "    included_applications:\n");
        rel_buf_put(o, incl.ptr, incl.len);
    }
    rel_buf_free(&pins);
    rel_buf_free(&incl);
    return rc;
}

/* `key: [a, b]`; `opt` names the option in an error (NULL: {key, list}). */
static int write_names(struct relx_import *x, const struct relx_release *r, const char *key,
                       const struct rel_term *list, const struct rel_term *opt)
{
    rel_buf_printf(x->g->out, "    %s: ", key);
    for (size_t i = 0; i < rel_term_list_len(list); i++)
        if (!rel_import_atom_ok(rel_term_atom_name(rel_term_list_get(list, i))))
            return refuse_kv(x, r->name, opt ? NULL : key, opt ? opt : list,
                             "a list of application or module names");
    if (!rel_import_flow_list(x->g, list))
        rel_buf_puts(x->g->out, "[]");
    rel_buf_puts(x->g->out, "\n");
    return 0;
}

static int write_release(struct relx_import *x, const struct relx_release *r,
                         const struct relx_state *s)
{
    struct rel_buf *o = x->g->out;
    rel_buf_printf(o, "  %s:\n", r->key);
    if (strcmp(r->key, r->name) != 0)
        rel_buf_printf(o, "    name: %s\n", r->name);
    rel_buf_puts(o, "    version: ");
    struct rel_term *vopt = rel_term_tuple(2, rel_term_atom("release"), rel_term_clone(r->vsn));
    int rc = version_yaml(x, o, r->vsn, vopt);
    rel_term_free(vopt);
    if (rc)
        return rc;
    rel_buf_puts(o, "\n");
    if ((rc = write_goals(x, r)) < 0)
        return rc;
    if (r->erts) {
        char *e = rel_import_str(r->erts);
        rel_buf_puts(o, "    erts_version: ");
        rel_config_yaml_scalar(o, e, true);
        rel_buf_puts(o, "\n");
        free(e);
    }
    if ((rc = write_erts(x, r, s)) < 0)
        return rc;
    bool dev = s->mode && strcmp(s->mode, "dev") == 0;
    bool strip = s->debug_info && strcmp(s->debug_info, "strip") == 0 && !dev;
    rel_buf_printf(o, "    strip_beams: %s\n", strip ? "true" : "false");
    rel_buf_printf(o, "    include_src: %s\n", s->include_src == NO ? "false" : "true");
    if (dev)
        rel_buf_puts(o, "    dev_mode: true\n");
    if (dev && ((s->exclude_apps && rel_term_list_len(s->exclude_apps)) ||
                (s->exclude_modules && rel_term_list_len(s->exclude_modules))))
        return refuse_kv(x, r->name, "{mode, dev} with exclude_apps/exclude_modules", NULL,
                         "dev mode links the applications, and relman does not rewrite the .app "
                         "files inside _build that exclude_apps/exclude_modules change (relx "
                         "does): use mode prod or minimal for this release");
    if (s->system_libs && rel_term_is_atom(s->system_libs, "false"))
        rel_buf_puts(o, "    system_libs: false\n");
    if (s->exclude_apps && rel_term_list_len(s->exclude_apps) &&
        (rc = write_names(x, r, "exclude_apps", s->exclude_apps, NULL)) < 0)
        return rc;
    if (s->exclude_modules && rel_term_list_len(s->exclude_modules)) {
        rel_buf_puts(o, "    exclude_modules:\n");
        for (size_t i = 0; i < rel_term_list_len(s->exclude_modules); i++) {
            const struct rel_term *e = rel_term_list_get(s->exclude_modules, i);
            const char *app = rel_term_atom_name(rel_term_tuple_get(e, 0));
            if (!rel_term_is_tagged(e, NULL, 2) || !rel_import_atom_ok(app) ||
                !rel_term_is_list(rel_term_tuple_get(e, 1)))
                return refuse(x, r->name, e, "exclude_modules takes {App, [Module]} entries");
            rel_buf_printf(o, "  ");
            if ((rc = write_names(x, r, app, rel_term_tuple_get(e, 1), e)) < 0)
                return rc;
        }
    }
    /* relx: the .src form wins over the plain one */
    const struct rel_term *sc = s->sys_config_src ? s->sys_config_src : s->sys_config;
    const struct rel_term *va = s->vm_args_src ? s->vm_args_src : s->vm_args;
    if (sc)
        write_path_key(o, "sys_config", sc);
    if (va)
        write_path_key(o, "vm_args", va);
    if (s->generate_start_script && rel_term_is_atom(s->generate_start_script, "false")) {
        rel_buf_puts(o, "    include_executables_for: []\n");
    } else if (s->include_start_scripts_for) {
        const struct rel_term *l = s->include_start_scripts_for;
        for (size_t i = 0; i < rel_term_list_len(l); i++) {
            const char *sys = rel_term_atom_name(rel_term_list_get(l, i));
            if (!sys || (strcmp(sys, "unix") && strcmp(sys, "windows")))
                return refuse(x, r->name, rel_term_list_get(l, i),
                              "include_start_scripts_for: relman writes unix and windows scripts");
        }
        rel_buf_puts(o, "    include_executables_for: ");
        if (!rel_import_flow_list(x->g, l))
            rel_buf_puts(o, "[]");
        rel_buf_puts(o, "\n");
    }
    if (s->output_dir) {
        char *d = rel_import_str(s->output_dir);
        if (d && d[0]) {
            char *p = rel_path_join2(d, r->name);
            rel_buf_puts(o, "    path: ");
            rel_config_yaml_scalar(o, p, false);
            rel_buf_puts(o, "\n");
            free(p);
        }
        free(d);
    }
    return rel_import_relx_overlays(x->g, x->ovl_base, x->ovl_profiles, r->config);
}

/* Keys under `releases:`: the highest version of a name gets the name, the
 * others NAME_VSN (as relx builds the highest one by default). */
static void assign_keys(struct relx_import *x)
{
    for (size_t i = 0; i < x->nrels; i++) {
        struct relx_release *r = &x->rels[i];
        bool highest = true;
        for (size_t j = 0; j < x->nrels && highest; j++) {
            const struct relx_release *o = &x->rels[j];
            if (j == i || strcmp(o->name, r->name) != 0)
                continue;
            int c = !r->vsn_text ? (o->vsn_text ? -1 : (j < i ? -1 : 1))
                    : !o->vsn_text ? 1
                                   : rel_semver_compare(r->vsn_text, o->vsn_text);
            if (c < 0 || (c == 0 && j > i))
                highest = false;
        }
        if (highest) {
            r->key = rel_strdup(r->name);
            continue;
        }
        struct rel_buf k = REL_BUF_INIT;
        rel_buf_printf(&k, "%s_", r->name);
        for (const char *c = r->vsn_text ? r->vsn_text : "computed"; *c; c++)
            rel_buf_putc(&k, isalnum((unsigned char)*c) ? (char)tolower((unsigned char)*c) : '_');
        r->key = rel_buf_detach(&k);
    }
    for (size_t i = 0; i < x->nrels; i++) /* NAME_VSN taken twice (1.0 and 1_0) */
        for (size_t j = 0; j < i; j++)
            if (strcmp(x->rels[i].key, x->rels[j].key) == 0) {
                char *k = rel_asprintf("%s_%zu", x->rels[i].key, i);
                free(x->rels[i].key);
                x->rels[i].key = k;
            }
}

/* The first application of a rebar3 project (src/ or apps/): name and vsn. */
static int rebar_app(const char *dir, char **name, char **vsn)
{
    *name = *vsn = NULL;
    char *src = rel_path_join2(dir, "src");
    char *apps = rel_path_join2(dir, "apps");
    DIR *d = opendir(src);
    struct dirent *e;
    char *found = NULL;
    while (d && (e = readdir(d)) && !found) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".app.src") == 0)
            found = rel_path_join2(src, e->d_name);
    }
    if (d)
        closedir(d);
    if (!found && (d = opendir(apps))) {
        char *best = NULL;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            if (!best || strcmp(e->d_name, best) < 0) {
                free(best);
                best = rel_strdup(e->d_name);
            }
        }
        closedir(d);
        if (best) {
            found = rel_asprintf("%s/%s/src/%s.app.src", apps, best, best);
            free(best);
        }
    }
    free(src);
    free(apps);
    if (!found)
        return REL_ENOTFOUND;
    struct rel_term *t = NULL;
    int rc = rel_term_consult_one(&t, found);
    free(found);
    if (rc < 0) {
        rel_error_clear();
        return REL_ENOTFOUND;
    }
    const char *n = rel_term_atom_name(rel_term_tuple_get(t, 1));
    if (rel_term_is_tagged(t, "application", 3) && rel_import_atom_ok(n)) {
        *name = rel_strdup(n);
        *vsn = rel_import_str(rel_term_proplist_get(rel_term_tuple_get(t, 2), "vsn"));
    }
    rel_term_free(t);
    return *name ? 0 : REL_ENOTFOUND;
}

/* The relx list rebar3 uses for the profiles in `env` ("prod", "test+prod"). */
static size_t effective_opts(struct relx_import *x, const struct rel_term **opts,
                             const struct rel_terms *terms, const struct rel_terms *relx_config,
                             const char *env, bool *prod)
{
    x->ovl_base = rel_term_list_new();
    x->ovl_profiles = rel_term_list_new();
    size_t n = 0;
    const struct rel_term *base = NULL, *profiles = NULL;
    for (size_t i = 0; i < terms->len; i++) {
        if (rel_term_is_tagged(terms->items[i], "relx", 2))
            base = rel_term_tuple_get(terms->items[i], 1);
        if (rel_term_is_tagged(terms->items[i], "profiles", 2))
            profiles = rel_term_tuple_get(terms->items[i], 1);
    }
    if (base) {
        for (size_t i = 0; i < rel_term_list_len(base) && n < MAX_OPTS; i++) {
            opts[n++] = rel_term_list_get(base, i);
            rel_term_list_append(x->ovl_base, rel_term_clone(opts[n - 1]));
        }
    } else {
        for (size_t i = 0; i < relx_config->len && n < MAX_OPTS; i++) {
            opts[n++] = relx_config->items[i];
            rel_term_list_append(x->ovl_base, rel_term_clone(opts[n - 1]));
        }
    }
    *prod = false;
    char *names = rel_strdup(env);
    for (char *save = NULL, *p = strtok_r(names, "+,", &save); p; p = strtok_r(NULL, "+,", &save)) {
        if (strcmp(p, "default") == 0)
            continue;
        *prod |= strcmp(p, "prod") == 0;
        const struct rel_term *rx = rel_term_proplist_get(rel_term_proplist_get(profiles, p), "relx");
        if (rel_term_is_list(rx)) {
            n = merge_profile(opts, n, rx);
            for (size_t i = 0; i < rel_term_list_len(rx); i++)
                rel_term_list_append(x->ovl_profiles, rel_term_clone(rel_term_list_get(rx, i)));
        }
    }
    free(names);
    return n;
}

int rel_import_rebar3(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                      const char *env)
{
    char *path = rel_path_join2(dir, "rebar.config");
    struct rel_terms terms = {0}, relx_config = {0};
    int rc = rel_term_consult(&terms, path);
    free(path);
    if (rc < 0)
        return rc;
    struct relx_import *x = rel_calloc(1, sizeof(*x));
    x->g = g;
    x->dir = dir;
    x->file = "rebar.config";
    bool has_relx = false;
    for (size_t i = 0; i < terms.len; i++)
        has_relx |= rel_term_is_tagged(terms.items[i], "relx", 2);
    char *rc_path = rel_path_join2(dir, "relx.config");
    if (!has_relx && rel_fs_is_file(rc_path)) {
        rc = rel_term_consult(&relx_config, rc_path);
        x->file = "relx.config";
    }
    free(rc_path);
    const struct rel_term **opts = rel_calloc(MAX_OPTS, sizeof(*opts));
    bool prod = false;
    size_t n = rc == 0 ? effective_opts(x, opts, &terms, &relx_config, env, &prod) : 0;
    if (prod)
        load_mode(&x->st, "prod"); /* rebar_relx: `as prod` starts with {mode, prod} */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (rel_term_tuple_size(opts[i]) > 0 &&
            rel_term_is_atom(rel_term_tuple_get(opts[i], 0), "release"))
            rc = load_release(x, opts[i]);
        else
            rc = load_opt(x, &x->st, opts[i], NULL);
    }
    if (rc == 0) {
        rel_buf_printf(g->out,
                       "# relman.yml, imported from %s by `relman init --import` "
                       "(profile %s).\n# Reference: docs/config.md in relman's sources.\n",
                       x->file, env);
        rel_buf_printf(g->out, "project:\n  kind: rebar3\n  env: %s\n", env);
    }
    for (size_t i = 0; rc == 0 && i < x->nlib_dirs; i++) {
        const struct rel_term *l = x->lib_dirs[i];
        for (size_t k = 0; k < rel_term_list_len(l) && rc == 0; k++) {
            char *d = rel_import_str(rel_term_list_get(l, k));
            if (!d || strpbrk(d, "*?["))
                rc = refuse_kv(x, NULL, "lib_dirs", l,
                               "lib_dirs with wildcards are not supported: name each directory");
            free(d);
        }
        if (rc == 0) {
            rel_buf_puts(g->out, i ? "" : "lib_dirs: ");
            if (!rel_import_flow_list(g, l))
                rel_buf_puts(g->out, "[]");
            rel_buf_puts(g->out, "\n");
            if (x->nlib_dirs > 1)
                rc = refuse_kv(x, NULL, "lib_dirs", l,
                               "lib_dirs given twice: merge them into one list");
        }
    }
    assign_keys(x);
    if (rc == 0 && x->default_release) {
        /* {default_release, Name} or {Name, Vsn}: that version's key */
        const struct rel_term *v = x->default_release;
        const char *dn = rel_term_atom_name(v);
        char *dv = NULL;
        if (!dn) {
            dn = rel_term_atom_name(rel_term_tuple_get(v, 0));
            dv = rel_import_str(rel_term_tuple_get(v, 1));
        }
        const struct relx_release *dr = dn && dv ? find_rel(x, dn, dv) : NULL;
        if (dr)
            dn = dr->key;
        if (rel_import_atom_ok(dn))
            rel_buf_printf(g->out, "default_release: %s\n", dn);
        free(dv);
    }
    if (rc == 0)
        rel_buf_puts(g->out, "releases:\n");
    size_t written = 0;
    for (size_t i = 0; rc == 0 && i < x->nrels; i++) {
        const struct relx_release *r = &x->rels[i];
        struct relx_state s = x->st;
        for (size_t k = 0; rc == 0 && k < rel_term_list_len(r->config); k++)
            rc = load_opt(x, &s, rel_term_list_get(r->config, k), r->name);
        if (rc == 0)
            rc = write_release(x, r, &s);
        if (rc == 0)
            rel_buf_printf(summary, "%s%s", written++ ? ", " : "releases ", r->key);
    }
    if (rc == 0 && !x->nrels) {
        char *an = NULL, *av = NULL;
        if (rebar_app(dir, &an, &av) == 0) {
            rel_buf_printf(g->out, "  %s:\n", an);
            rel_buf_puts(g->out, "    version: ");
            rel_import_quoted(g, av && av[0] && strcmp(av, "git") != 0 ? av : "0.1.0");
            rel_buf_printf(g->out, "\n    applications:\n      %s: permanent\n", an);
            rel_buf_printf(g->out, "    include_erts: %s\n", prod ? "true" : "false");
            rel_buf_printf(summary, "no relx release in rebar.config; proposed release %s", an);
        }
        free(an);
        free(av);
    }
    for (size_t i = 0; i < x->nrels; i++) {
        free(x->rels[i].name);
        free(x->rels[i].vsn_text);
        free(x->rels[i].key);
    }
    rel_term_free(x->ovl_base);
    rel_term_free(x->ovl_profiles);
    free(x);
    free(opts);
    rel_terms_free(&relx_config);
    rel_terms_free(&terms);
    return rc;
}
