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

static const struct rel_term *find_opt(const struct rel_term *const *opts, size_t n,
                                       const struct rel_term *ro, const char *key)
{
    const struct rel_term *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (rel_term_is_tagged(opts[i], key, 2))
            found = rel_term_tuple_get(opts[i], 1);
    for (size_t i = 0; i < rel_term_list_len(ro); i++)
        if (rel_term_is_tagged(rel_term_list_get(ro, i), key, 2))
            found = rel_term_tuple_get(rel_term_list_get(ro, i), 1);
    return found;
}

static bool dev_mode(const struct rel_term *const *opts, size_t n, const struct rel_term *ro)
{
    const struct rel_term *mode = find_opt(opts, n, ro, "mode");
    if (mode)
        return rel_term_is_atom(mode, "dev");
    return rel_term_is_atom(find_opt(opts, n, ro, "dev_mode"), "true");
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

int rel_import_relx_overlays(struct rel_import_gen *g, const struct rel_term *const *opts,
                             size_t n, const struct rel_term *ro)
{
    const struct rel_term *ov = find_opt(opts, n, ro, "overlay");
    const struct rel_term *vars = find_opt(opts, n, ro, "overlay_vars");
    const struct rel_term *values = find_opt(opts, n, ro, "overlay_vars_values");
    struct rel_buf out = REL_BUF_INIT;
    int rc = 0;
    bool dev = dev_mode(opts, n, ro);
    if (ov && !rel_term_is_list(ov))
        rc = malformed(ov);
    if (rc == 0 && rel_term_list_len(ov) > 0) {
        rel_buf_puts(&out, "    relx_overlay:\n");
        for (size_t i = 0; rc == 0 && i < rel_term_list_len(ov); i++)
            rc = write_op(&out, g, rel_term_list_get(ov, i), dev);
    }
    /* overlay_vars: one file name, or a list of file names and {Key, Value} */
    char *single = vars ? rel_import_str(vars) : NULL;
    if (rc == 0 && single && single[0]) {
        struct rel_buf *saved = g->out;
        g->out = &out;
        rel_buf_puts(&out, "    relx_overlay_vars: [");
        rel_import_quoted(g, single);
        rel_buf_puts(&out, "]\n");
        g->out = saved;
    } else if (rc == 0 && vars && !single) {
        if (!rel_term_is_list(vars))
            rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars must be a file "
                               "name or a list", vars->line);
        if (rc == 0 && rel_term_list_len(vars) > 0)
            rel_buf_puts(&out, "    relx_overlay_vars:\n");
        for (size_t i = 0; rc == 0 && i < rel_term_list_len(vars); i++) {
            const struct rel_term *v = rel_term_list_get(vars, i);
            char *file = rel_import_str(v);
            struct rel_buf *saved = g->out;
            g->out = &out;
            if (file) {
                rel_buf_puts(&out, "      - ");
                rel_import_quoted(g, file);
                rel_buf_puts(&out, "\n");
            } else if (rel_term_tuple_size(v) >= 1) {
                char *text = rel_term_to_text(v);
                rel_buf_puts(&out, "      - term: ");
                rel_import_quoted(g, text);
                rel_buf_puts(&out, "\n");
                free(text);
            } else {
                char *text = rel_term_to_text(v);
                rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars: %s is "
                                   "neither a file name nor a {Key, Value} term", v->line, text);
                free(text);
            }
            g->out = saved;
            free(file);
        }
    }
    free(single);
    if (rc == 0 && values) {
        if (!rel_term_is_list(values)) {
            rc = rel_error_set(REL_ECONFIG, "rebar.config:%d: relx: overlay_vars_values must be "
                               "a list of {Key, Value}", values->line);
        } else if (rel_term_list_len(values) > 0) {
            char *text = rel_term_to_text(values);
            struct rel_buf *saved = g->out;
            g->out = &out;
            rel_buf_puts(&out, "    relx_overlay_vars_values: ");
            rel_import_quoted(g, text);
            rel_buf_puts(&out, "\n");
            g->out = saved;
            free(text);
        }
    }
    if (rc == 0)
        rc = rel_buf_put(g->out, out.ptr ? out.ptr : "", out.len);
    rel_buf_free(&out);
    return rc;
}
