/*
 * import_relx.c - relx's overlay options of rebar.config (overlay,
 * overlay_vars, overlay_vars_values) as relman.yml's releases.*.relx_overlay,
 * relx_overlay_vars and relx_overlay_vars_values (see import_int.h).
 *
 * What relx decides at release time and relman.yml spells out: a `link` is
 * a symlink only in dev mode (`{mode, dev}` or `{dev_mode, true}`), a copy
 * otherwise, so the import writes `copy` then; an integer chmod mode is
 * written in octal, and a string mode without `{{` (which relx reads as a
 * decimal integer) too.
 */
#include "import_int.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rel_import_relx_overlay_key(const char *key)
{
    return strcmp(key, "overlay") == 0 || strcmp(key, "overlay_vars") == 0 ||
           strcmp(key, "overlay_vars_values") == 0;
}

/* rebar3 runs relx in dev mode when the options say so (`mode` and
 * `dev_mode` read in order: the base section, the profile's, the
 * release's own), after `{mode, prod}` for the prod profile. */
static bool dev_mode(const struct rel_term *const lists[3])
{
    bool dev = false; /* relx's default, and rebar3's `{mode, prod}` for prod */
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < rel_term_list_len(lists[l]); i++) {
            const struct rel_term *o = rel_term_list_get(lists[l], i);
            if (rel_term_is_tagged(o, "mode", 2))
                dev = rel_term_is_atom(rel_term_tuple_get(o, 1), "dev");
            else if (rel_term_is_tagged(o, "dev_mode", 2))
                dev = rel_term_is_atom(rel_term_tuple_get(o, 1), "true");
        }
    return dev;
}

static int malformed(const struct rel_term *t)
{
    char *text = rel_term_to_text(t);
    if (strlen(text) > 200)
        strcpy(text + 190, " ...");
    int rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: Overlay section malformed: %s",
                           t->line, text);
    free(text);
    return rc;
}

/* A chmod mode as relman.yml reads it (octal with a leading 0, else a
 * template read as a decimal integer). New string, or NULL. */
static char *chmod_mode(const struct rel_term *m)
{
    int64_t v;
    if (rel_term_get_int(m, &v))
        return v >= 0 && v <= 07777 ? rel_asprintf("0%llo", (long long)v) : NULL;
    char *s = rel_import_str(m);
    if (!s || strstr(s, "{{"))
        return s;
    char *end = NULL;
    long d = strtol(s, &end, 10);
    char *res = s[0] && !*end && d >= 0 && d <= 07777 ? rel_asprintf("0%lo", d) : NULL;
    free(s);
    return res;
}

static int write_op(struct rel_buf *out, struct rel_import_gen *g, const struct rel_term *op,
                    bool dev)
{
    const char *kind = rel_term_atom_name(rel_term_tuple_get(op, 0));
    size_t arity = rel_term_tuple_size(op);
    if (!kind)
        return malformed(op);
    bool mkdir = strcmp(kind, "mkdir") == 0;
    if (!(mkdir && arity == 2) &&
        !(arity == 3 && (strcmp(kind, "copy") == 0 || strcmp(kind, "template") == 0 ||
                         strcmp(kind, "link") == 0 || strcmp(kind, "chmod") == 0)))
        return malformed(op);
    char *args[2] = {NULL, NULL};
    int rc = 0;
    for (size_t i = 1; i < arity; i++) {
        const struct rel_term *a = rel_term_tuple_get(op, i);
        args[i - 1] = i == 1 && strcmp(kind, "chmod") == 0 ? chmod_mode(a) : rel_import_str(a);
        if (!args[i - 1])
            rc = malformed(op);
    }
    if (rc == 0) {
        struct rel_buf *saved = g->out;
        g->out = out;
        rel_buf_printf(out, "      - %s: ",
                       strcmp(kind, "link") == 0 && !dev ? "copy" : kind);
        if (mkdir) {
            rel_import_quoted(g, args[0]);
        } else {
            rel_buf_puts(out, "[");
            rel_import_quoted(g, args[0]);
            rel_buf_puts(out, ", ");
            rel_import_quoted(g, args[1]);
            rel_buf_puts(out, "]");
        }
        rel_buf_puts(out, "\n");
        g->out = saved;
    }
    free(args[0]);
    free(args[1]);
    return rc;
}

/* One overlay_vars value (a file name, or a list of file names and
 * {Key, Value} terms) as items of relx_overlay_vars. */
static int write_vars(struct rel_import_gen *g, const struct rel_term *vars)
{
    char *single = rel_import_str(vars);
    int rc = 0;
    if (single) {
        if (single[0]) {
            rel_buf_puts(g->out, "      - ");
            rel_import_quoted(g, single);
            rel_buf_puts(g->out, "\n");
        }
        free(single);
        return 0;
    }
    if (!rel_term_is_list(vars))
        return rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars must be a file "
                             "name or a list", vars->line);
    for (size_t i = 0; rc == 0 && i < rel_term_list_len(vars); i++) {
        const struct rel_term *v = rel_term_list_get(vars, i);
        char *file = rel_import_str(v);
        char *text = rel_term_to_text(v);
        if (file) {
            rel_buf_puts(g->out, "      - ");
            rel_import_quoted(g, file);
            rel_buf_puts(g->out, "\n");
        } else if (rel_term_tuple_size(v) >= 1) {
            rel_buf_puts(g->out, "      - term: ");
            rel_import_quoted(g, text);
            rel_buf_puts(g->out, "\n");
        } else {
            rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars: %s is "
                               "neither a file name nor a {Key, Value} term", v->line, text);
        }
        free(text);
        free(file);
    }
    return rc;
}

int rel_import_relx_overlays(struct rel_import_gen *g, const struct rel_term *base,
                             const struct rel_term *profile, const struct rel_term *ro)
{
    /* rebar3 keeps every `overlay` of the base section and of the profile
     * (the base section's operations first, as `rebar3 as PROFILE release`
     * runs them); relx appends every overlay_vars and overlay_vars_values it
     * is given. The release's own options come last. */
    const struct rel_term *const lists[3] = {base, profile, ro};
    static const size_t order[3] = {0, 1, 2};
    struct rel_buf out = REL_BUF_INIT;
    struct rel_buf *saved = g->out;
    g->out = &out;
    int rc = 0;
    bool dev = dev_mode(lists), any = false;
    for (size_t k = 0; rc == 0 && k < 3; k++) {
        const struct rel_term *l = lists[order[k]];
        for (size_t i = 0; rc == 0 && i < rel_term_list_len(l); i++) {
            const struct rel_term *o = rel_term_list_get(l, i);
            if (!rel_term_is_tagged(o, "overlay", 2))
                continue;
            const struct rel_term *ov = rel_term_tuple_get(o, 1);
            if (!rel_term_is_list(ov) || (ov->kind == REL_TERM_STRING && ov->u.str.len))
                rc = malformed(ov);
            else if (ov->kind == REL_TERM_STRING)
                continue; /* "" is [] */
            for (size_t j = 0; rc == 0 && j < rel_term_list_len(ov); j++) {
                if (!any)
                    rel_buf_puts(&out, "    relx_overlay:\n");
                any = true;
                rc = write_op(&out, g, rel_term_list_get(ov, j), dev);
            }
        }
    }
    any = false;
    for (size_t k = 0; rc == 0 && k < 3; k++)
        for (size_t i = 0; rc == 0 && i < rel_term_list_len(lists[k]); i++) {
            const struct rel_term *o = rel_term_list_get(lists[k], i);
            if (!rel_term_is_tagged(o, "overlay_vars", 2))
                continue;
            if (!any)
                rel_buf_puts(&out, "    relx_overlay_vars:\n");
            any = true;
            rc = write_vars(g, rel_term_tuple_get(o, 1));
        }
    struct rel_term *values = rel_term_list_new();
    for (size_t k = 0; rc == 0 && k < 3; k++)
        for (size_t i = 0; rc == 0 && i < rel_term_list_len(lists[k]); i++) {
            const struct rel_term *o = rel_term_list_get(lists[k], i);
            const struct rel_term *v = rel_term_tuple_get(o, 1);
            if (!rel_term_is_tagged(o, "overlay_vars_values", 2))
                continue;
            if (!rel_term_is_list(v) || v->kind == REL_TERM_STRING)
                rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars_values must "
                                   "be a list of {Key, Value}", o->line);
            for (size_t j = 0; rc == 0 && j < rel_term_list_len(v); j++)
                rel_term_list_append(values, rel_term_clone(rel_term_list_get(v, j)));
        }
    if (rc == 0 && rel_term_list_len(values) > 0) {
        char *text = rel_term_to_text(values);
        rel_buf_puts(&out, "    relx_overlay_vars_values: ");
        rel_import_quoted(g, text);
        rel_buf_puts(&out, "\n");
        free(text);
    }
    rel_term_free(values);
    g->out = saved;
    if (rc == 0)
        rc = rel_buf_put(g->out, out.ptr ? out.ptr : "", out.len);
    rel_buf_free(&out);
    return rc;
}
