/*
 * import_rebar.c - relman.yml from a rebar3 project: the relx section of
 * rebar.config and of the chosen profile (see import.h).
 */
#include "import_int.h"

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

/* ---- rebar3 -------------------------------------------------------------- */

/* Merge relx option lists: entries of `over` replace those of `base` with the
 * same key (first element); releases are appended. Borrowed pointers. */
static size_t relx_merge(const struct rel_term **out, size_t max, const struct rel_term *base,
                         const struct rel_term *over)
{
    size_t n = 0;
    const struct rel_term *lists[] = {base, over};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < rel_term_list_len(lists[l]); i++) {
            const struct rel_term *e = rel_term_list_get(lists[l], i);
            const char *key = rel_term_atom_name(rel_term_tuple_get(e, 0));
            bool replaced = false;
            if (key && strcmp(key, "release") != 0)
                for (size_t k = 0; k < n; k++)
                    if (rel_term_is_atom(rel_term_tuple_get(out[k], 0), key)) {
                        out[k] = e;
                        replaced = true;
                    }
            if (!replaced && n < max)
                out[n++] = e;
        }
    }
    return n;
}

/* The first application of a rebar3 project (src/ or apps/): name and vsn. */
static int rebar_app(const char *dir, char **name, char **vsn)
{
    *name = *vsn = NULL;
    const char *subdirs[] = {"src", NULL};
    char *apps = rel_path_join2(dir, "apps");
    struct rel_buf cands = REL_BUF_INIT;
    (void)subdirs;
    /* src/NAME.app.src, then apps/NAME/src/NAME.app.src */
    char *src = rel_path_join2(dir, "src");
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
    rel_buf_free(&cands);
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

static void relx_goal(struct rel_import_gen *g, const char *rel, const struct rel_term *goal)
{
    const char *app = rel_term_atom_name(goal);
    const char *mode = "permanent";
    if (!app) {
        app = rel_term_atom_name(rel_term_tuple_get(goal, 0));
        for (size_t i = 1; i < rel_term_tuple_size(goal); i++) {
            const char *m = rel_term_atom_name(rel_term_tuple_get(goal, i));
            if (rel_import_is_mode(m))
                mode = m;
        }
        if (rel_term_tuple_size(goal) > 2 ||
            (rel_term_tuple_size(goal) == 2 &&
             !rel_import_is_mode(rel_term_atom_name(rel_term_tuple_get(goal, 1)))))
            rel_import_skipped(
                g, rel, "applications (version pins and included lists are not imported)", goal);
    }
    if (rel_import_atom_ok(app))
        rel_buf_printf(g->out, "      %s: %s\n", app, mode);
    else
        rel_import_skipped(g, rel, "applications", goal);
}

static void relx_path_opt(struct rel_import_gen *g, const struct rel_term *e, const char *yaml_key,
                          const char *indent)
{
    char *p = rel_import_str(rel_term_tuple_get(e, 1));
    if (p && p[0]) {
        rel_buf_printf(g->out, "%s%s: ", indent, yaml_key);
        rel_import_scalar(g, p);
        rel_buf_puts(g->out, "\n");
    }
    free(p);
}

int rel_import_rebar3(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                      const char *env)
{
    char *path = rel_path_join2(dir, "rebar.config");
    struct rel_terms terms = {0};
    int rc = rel_term_consult(&terms, path);
    free(path);
    if (rc < 0)
        return rc;
    const struct rel_term *base = NULL, *over = NULL;
    for (size_t i = 0; i < terms.len; i++) {
        const struct rel_term *t = terms.items[i];
        if (rel_term_is_tagged(t, "relx", 2))
            base = rel_term_tuple_get(t, 1);
        if (rel_term_is_tagged(t, "profiles", 2) && strcmp(env, "default") != 0) {
            const struct rel_term *prof = rel_term_proplist_get(rel_term_tuple_get(t, 1), env);
            over = rel_term_proplist_get(prof, "relx");
        }
    }
    const struct rel_term *opts[512];
    size_t n = relx_merge(opts, 512, base, over);

    rel_buf_printf(g->out,
                   "# relman.yml, imported from rebar.config by `relman init --import` "
                   "(profile %s).\n# Reference: docs/config.md in relman's sources.\n",
                   env);
    rel_buf_printf(g->out, "project:\n  kind: rebar3\n  env: %s\n", env);
    /* top-level relx options that apply to every release */
    const struct rel_term *sys_config = NULL, *vm_args = NULL, *include_erts = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *key = rel_term_atom_name(rel_term_tuple_get(opts[i], 0));
        if (!key)
            continue;
        if (strcmp(key, "sys_config") == 0 || strcmp(key, "sys_config_src") == 0)
            sys_config = opts[i];
        else if (strcmp(key, "vm_args") == 0 || strcmp(key, "vm_args_src") == 0)
            vm_args = opts[i];
        else if (strcmp(key, "include_erts") == 0)
            include_erts = opts[i];
        else if (strcmp(key, "lib_dirs") == 0 && rel_term_is_list(rel_term_tuple_get(opts[i], 1))) {
            rel_buf_puts(g->out, "lib_dirs: ");
            if (!rel_import_flow_list(g, rel_term_tuple_get(opts[i], 1)))
                rel_buf_puts(g->out, "[]");
            rel_buf_puts(g->out, "\n");
        } else if (strcmp(key, "default_release") == 0) {
            const struct rel_term *v = rel_term_tuple_get(opts[i], 1);
            const char *dn = rel_term_atom_name(v);
            if (!dn)
                dn = rel_term_atom_name(rel_term_tuple_get(v, 0));
            if (rel_import_atom_ok(dn))
                rel_buf_printf(g->out, "default_release: %s\n", dn);
        } else if (strcmp(key, "release") != 0 && strcmp(key, "dev_mode") != 0 &&
                   !rel_import_relx_overlay_key(key) &&
                   strcmp(key, "extended_start_script") != 0 && strcmp(key, "mode") != 0) {
            char *text = rel_term_to_text(opts[i]);
            if (strlen(text) > 110)
                strcpy(text + 100, " ...");
            rel_buf_printf(&g->skipped, "#   relx: %s\n", text);
            free(text);
        }
    }
    rel_buf_puts(g->out, "releases:\n");
    size_t written = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *e = opts[i];
        if (!rel_term_is_tagged(e, "release", 0) || rel_term_tuple_size(e) < 3)
            continue;
        const struct rel_term *id = rel_term_tuple_get(e, 1);
        const char *name = rel_term_atom_name(rel_term_tuple_get(id, 0));
        char *vsn = rel_import_str(rel_term_tuple_get(id, 1));
        const struct rel_term *goals = rel_term_tuple_get(e, 2);
        if (!name || !rel_import_atom_ok(name)) {
            free(vsn);
            continue;
        }
        rel_buf_printf(g->out, "  %s:\n", name);
        if (vsn) {
            rel_buf_puts(g->out, "    version: ");
            rel_import_quoted(g, vsn);
            rel_buf_puts(g->out, "\n");
        } else {
            char *rn = NULL, *rv = NULL;
            if (rebar_app(dir, &rn, &rv) == 0 && rv) {
                rel_buf_puts(g->out, "    version: ");
                rel_import_quoted(g, rv);
                rel_buf_puts(g->out, "\n");
            }
            rel_import_skipped(g, name, "version", rel_term_tuple_get(id, 1));
            free(rn);
            free(rv);
        }
        free(vsn);
        rel_buf_puts(g->out, "    applications:\n");
        for (size_t k = 0; k < rel_term_list_len(goals); k++)
            relx_goal(g, name, rel_term_list_get(goals, k));
        /* per-release options (the 4-tuple form) override the shared ones */
        const struct rel_term *ro = rel_term_tuple_get(e, 3);
        const struct rel_term *sc = sys_config, *va = vm_args, *ie = include_erts;
        for (size_t k = 0; k < rel_term_list_len(ro); k++) {
            const struct rel_term *o = rel_term_list_get(ro, k);
            const char *key = rel_term_atom_name(rel_term_tuple_get(o, 0));
            if (key && (strcmp(key, "sys_config") == 0 || strcmp(key, "sys_config_src") == 0))
                sc = o;
            else if (key && (strcmp(key, "vm_args") == 0 || strcmp(key, "vm_args_src") == 0))
                va = o;
            else if (key && strcmp(key, "include_erts") == 0)
                ie = o;
        }
        if (ie) {
            const struct rel_term *v = rel_term_tuple_get(ie, 1);
            char *p = rel_import_str(v);
            if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))
                rel_buf_printf(g->out, "    include_erts: %s\n", rel_term_atom_name(v));
            else if (p && p[0]) {
                /* relx takes an Erlang root here; relman wants its erts-VSN dir */
                rel_import_skipped(g, name,
                                   "include_erts (an OTP root: name its erts-VSN directory)", v);
            }
            free(p);
        }
        if (sc)
            relx_path_opt(g, sc, "sys_config", "    ");
        if (va)
            relx_path_opt(g, va, "vm_args", "    ");
        if ((rc = rel_import_relx_overlays(g, base, over, ro)) < 0)
            break;
        rel_buf_printf(summary, "%s%s", written++ ? ", " : "releases ", name);
    }
    if (!written && rc == 0) {
        char *an = NULL, *av = NULL;
        if (rebar_app(dir, &an, &av) == 0) {
            rel_buf_printf(g->out, "  %s:\n", an);
            rel_buf_puts(g->out, "    version: ");
            rel_import_quoted(g, av && av[0] && strcmp(av, "git") != 0 ? av : "0.1.0");
            rel_buf_printf(g->out, "\n    applications:\n      %s: permanent\n", an);
            rel_buf_printf(summary, "no relx release in rebar.config; proposed release %s", an);
        }
        free(an);
        free(av);
    }
    rel_terms_free(&terms);
    return rc;
}
