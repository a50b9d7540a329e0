/*
 * config_edit.c - surgical edits of relman.yml that keep every comment, blank
 * line, key order and quoting: only the bytes that must change are touched,
 * and the result is parsed again before it is returned (see config.h).
 */
#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "config_int.h"
#include "error.h"
#include "fs.h"
#include "utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- surgical edits -------------------------------------------------------- */

/*
 * Marks count characters, not bytes (libyaml), so byte offsets are found from
 * the line and column. A UTF-8 byte-order mark is not part of any line.
 */
static size_t offset_at(const char *text, size_t len, yaml_mark_t m)
{
    size_t off = 0, line = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        off = 3;
    while (line < m.line && off < len) {
        if (text[off] == '\n')
            line++;
        off++;
    }
    const char *eol = memchr(text + off, '\n', len - off);
    size_t line_len = eol ? (size_t)(eol - (text + off)) : len - off;
    return off + rel_utf8_skip(text + off, line_len, m.column);
}

/* The end of the last thing written for the pair (key, value): for an empty
 * value the key (libyaml puts an empty value's mark at the next token). */
static yaml_mark_t pair_end(yaml_document_t *d, yaml_node_t *k, yaml_node_t *v);

static yaml_mark_t node_end(yaml_document_t *d, yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE && n->data.mapping.style != YAML_FLOW_MAPPING_STYLE &&
        n->data.mapping.pairs.top > n->data.mapping.pairs.start) {
        yaml_node_pair_t *last = n->data.mapping.pairs.top - 1;
        return pair_end(d, node(d, last->key), node(d, last->value));
    }
    if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE &&
        n->data.sequence.items.top > n->data.sequence.items.start)
        return node_end(d, node(d, *(n->data.sequence.items.top - 1)));
    return n->end_mark;
}

static yaml_mark_t pair_end(yaml_document_t *d, yaml_node_t *k, yaml_node_t *v)
{
    if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
        v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return k->end_mark;
    return node_end(d, v);
}

struct edit {
    size_t start, end; /* bytes replaced */
    struct rel_buf with;
    bool none; /* nothing to change */
};

static void spaces(struct rel_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rel_buf_putc(b, ' ');
}

/* Insert `entry` (no newline) as a new line indented by `indent` after the
 * line holding byte `off`. */
static void insert_line_after(struct edit *e, const char *text, size_t len, size_t off,
                              size_t indent, const char *entry)
{
    if (off > 0 && off <= len && text[off - 1] == '\n') {
        /* the thing ended with its line break (a block scalar) */
        e->start = e->end = off;
        spaces(&e->with, indent);
        rel_buf_printf(&e->with, "%s\n", entry);
        return;
    }
    size_t eol = off;
    while (eol < len && text[eol] != '\n')
        eol++;
    if (eol > off && eol <= len && text[eol - 1] == '\r')
        eol--;
    e->start = e->end = eol;
    rel_buf_putc(&e->with, '\n');
    spaces(&e->with, indent);
    rel_buf_puts(&e->with, entry);
}

/* Add `entry` ("k: v") to mapping `m` (flow or block). */
static int add_to_mapping(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                          yaml_node_t *parent_key, yaml_node_t *m, const char *entry)
{
    size_t npairs = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE || npairs == 0) {
        if (npairs == 0) {
            /* "{}" or "{ }": after the brace */
            size_t open = offset_at(text, len, m->start_mark);
            if (open >= len || text[open] != '{')
                return rel_error_set(REL_EUNSUPPORTED, "cannot edit this mapping's layout");
            e->start = e->end = open + 1;
            rel_buf_puts(&e->with, entry);
        } else {
            yaml_node_pair_t *last = m->data.mapping.pairs.top - 1;
            yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
            e->start = e->end = offset_at(text, len, end);
            rel_buf_printf(&e->with, ", %s", entry);
        }
        return 0;
    }
    yaml_node_t *first = node(d, m->data.mapping.pairs.start->key);
    size_t indent = first->start_mark.column;
    (void)parent_key;
    yaml_node_pair_t *last = m->data.mapping.pairs.top - 1;
    yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
    insert_line_after(e, text, len, offset_at(text, len, end), indent, entry);
    return 0;
}

/* Give the empty value of `key` (`key:` or `key: ~`) the text `flow`. */
static int fill_empty_value(struct edit *e, const char *text, size_t len, yaml_node_t *key,
                            yaml_node_t *v, const char *flow)
{
    if (v->data.scalar.length > 0) {
        e->start = offset_at(text, len, v->start_mark);
        e->end = offset_at(text, len, v->end_mark);
        rel_buf_puts(&e->with, flow);
        return 0;
    }
    size_t p = offset_at(text, len, key->end_mark);
    while (p < len && (text[p] == ' ' || text[p] == '\t'))
        p++;
    if (p >= len || text[p] != ':')
        return rel_error_set(REL_EUNSUPPORTED, "cannot edit this layout of '%s'", sv(key));
    e->start = e->end = p + 1;
    rel_buf_printf(&e->with, " %s", flow);
    return 0;
}

static int remove_pair(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                       yaml_node_t *m, yaml_node_pair_t *pr)
{
    yaml_node_t *k = node(d, pr->key), *v = node(d, pr->value);
    size_t ks = offset_at(text, len, k->start_mark);
    size_t ve = offset_at(text, len, pair_end(d, k, v));
    if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
        yaml_node_pair_t *first = m->data.mapping.pairs.start, *end = m->data.mapping.pairs.top;
        if (pr + 1 < end) {
            e->start = ks;
            e->end = offset_at(text, len, node(d, (pr + 1)->key)->start_mark);
        } else if (pr > first) {
            yaml_node_pair_t *prev = pr - 1;
            e->start = offset_at(text, len, pair_end(d, node(d, prev->key), node(d, prev->value)));
            e->end = ve;
        } else {
            e->start = ks;
            e->end = ve;
        }
        return 0;
    }
    size_t ls = ks;
    while (ls > 0 && text[ls - 1] != '\n')
        ls--;
    for (size_t i = ls; i < ks; i++)
        if (text[i] != ' ' && text[i] != '\t')
            return rel_error_set(REL_EUNSUPPORTED, "cannot edit this layout of '%s'", sv(k));
    size_t eol = ve;
    while (eol < len && text[eol] != '\n')
        eol++;
    e->start = ls;
    e->end = eol < len ? eol + 1 : eol;
    return 0;
}

static int plan_edit(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                     const char *file, const char *release, const char *app, const char *mode)
{
    yaml_node_t *root = yaml_document_get_root_node(d);
    yaml_node_t *rkey = NULL, *relk = NULL;
    yaml_node_t *rels = rel_config_yaml_get(d, root, "releases", &rkey);
    yaml_node_t *rel = rel_config_yaml_get(d, rels, release, &relk);
    if (!rel)
        return rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, release);
    char entry[512];
    snprintf(entry, sizeof(entry), "%s: %s", app, mode ? mode : "");
    if (rel_config_yaml_is_null(rel)) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        char flow[600];
        snprintf(flow, sizeof(flow), "{applications: {%s}}", entry);
        return fill_empty_value(e, text, len, relk, rel, flow);
    }
    yaml_node_t *appsk = NULL;
    yaml_node_t *apps = rel_config_yaml_get(d, rel, "applications", &appsk);
    if (!apps) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        size_t npairs = (size_t)(rel->data.mapping.pairs.top - rel->data.mapping.pairs.start);
        if (rel->data.mapping.style == YAML_FLOW_MAPPING_STYLE || npairs == 0) {
            char flow[600];
            snprintf(flow, sizeof(flow), "applications: {%s}", entry);
            return add_to_mapping(e, d, text, len, relk, rel, flow);
        }
        yaml_node_t *first = node(d, rel->data.mapping.pairs.start->key);
        size_t indent = first->start_mark.column;
        size_t step = indent > relk->start_mark.column ? indent - relk->start_mark.column : 2;
        struct rel_buf two = REL_BUF_INIT;
        rel_buf_puts(&two, "applications:\n");
        spaces(&two, indent + step);
        rel_buf_puts(&two, entry);
        yaml_node_pair_t *last = rel->data.mapping.pairs.top - 1;
        yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
        insert_line_after(e, text, len, offset_at(text, len, end), indent, rel_buf_cstr(&two));
        rel_buf_free(&two);
        return 0;
    }
    if (rel_config_yaml_is_null(apps)) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        char flow[600];
        snprintf(flow, sizeof(flow), "{%s}", entry);
        return fill_empty_value(e, text, len, appsk, apps, flow);
    }
    for (yaml_node_pair_t *pr = apps->data.mapping.pairs.start; pr < apps->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(d, pr->key), *v = node(d, pr->value);
        if (strcmp(sv(k), app) != 0)
            continue;
        if (!mode)
            return remove_pair(e, d, text, len, apps, pr);
        e->start = offset_at(text, len, v->start_mark);
        e->end = offset_at(text, len, v->end_mark);
        if (e->end - e->start == strlen(mode) && memcmp(text + e->start, mode, strlen(mode)) == 0) {
            e->none = true;
            return 0;
        }
        rel_buf_puts(&e->with, mode);
        return 0;
    }
    if (!mode) {
        e->none = true;
        return 0;
    }
    return add_to_mapping(e, d, text, len, appsk, apps, entry);
}

int rel_config_edit_app_mode(struct rel_buf *out, const char *text, size_t len, const char *file,
                             const char *release, const char *app, const char *mode)
{
    enum rel_mode m = REL_MODE_PERMANENT;
    if (mode && rel_mode_parse(&m, mode) < 0)
        return rel_error_set(REL_EINVAL,
                             "unknown mode '%s' (expected permanent, transient, "
                             "temporary, load or none)",
                             mode);
    if (!rel_config_is_atom(app))
        return rel_error_set(REL_EINVAL, "'%s' is not an application name", app);
    /* the file must be valid before, so that it is valid after */
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, file, NULL);
    if (rc < 0)
        return rc;
    rel_config_free(cfg);
    cfg = NULL;

    yaml_document_t doc;
    rc = rel_config_yaml_load(&doc, file, text, len);
    if (rc < 0)
        return rc;
    struct edit e = {0, 0, REL_BUF_INIT, false};
    rc = plan_edit(&e, &doc, text, len, file, release, app, mode);
    yaml_document_delete(&doc);
    if (rc < 0)
        goto out;
    size_t start = out->len;
    if (e.none) {
        rc = rel_buf_put(out, text, len);
        goto out;
    }
    if ((rc = rel_buf_put(out, text, e.start)) < 0 ||
        (rc = rel_buf_put(out, e.with.ptr ? e.with.ptr : "", e.with.len)) < 0 ||
        (rc = rel_buf_put(out, text + e.end, len - e.end)) < 0)
        goto out;
    /* check the result says what was asked, and nothing broke */
    rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL);
    if (rc < 0) {
        rel_error_prefix("editing %s would make it invalid", file);
        rel_buf_truncate(out, start);
        goto out;
    }
    const struct rel_config_release *r = rel_config_find_release_key(cfg, release);
    const struct rel_config_app *found = NULL;
    for (size_t i = 0; r && i < r->napps; i++)
        if (strcmp(r->apps[i].name, app) == 0)
            found = &r->apps[i];
    if (!r || (mode && (!found || found->mode != m)) || (!mode && found)) {
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot edit the layout of releases.%s", file,
                           release);
        rel_buf_truncate(out, start);
    }
    rel_config_free(cfg);
out:
    rel_buf_free(&e.with);
    return rc;
}

int rel_config_set_app_mode(const char *path, const char *release, const char *app,
                            const char *mode)
{
    struct rel_buf in = REL_BUF_INIT, out = REL_BUF_INIT;
    int rc = rel_fs_read_file(&in, path, REL_CONFIG_MAX_SIZE);
    if (rc < 0)
        goto done;
    rc = rel_config_edit_app_mode(&out, rel_buf_cstr(&in), in.len, path, release, app, mode);
    if (rc < 0 || (out.len == in.len && memcmp(out.ptr, in.ptr, in.len) == 0))
        goto done;
    struct stat st;
    mode_t perm = 0644;
    if (stat(path, &st) == 0)
        perm = st.st_mode & 07777;
    rc = rel_fs_write_atomic(path, out.ptr, out.len, perm);
done:
    rel_buf_free(&in);
    rel_buf_free(&out);
    return rc;
}

/* ---- release keys and names -------------------------------------------------- */

/* Replace the bytes of the edits (sorted by start, not overlapping) in text,
 * appending the result to out. */
static int apply_edits(struct rel_buf *out, const char *text, size_t len, struct edit *edits,
                       size_t n)
{
    size_t at = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (edits[i].none)
            continue;
        if (edits[i].start < at)
            return rel_error_set(REL_EUNSUPPORTED, "overlapping edits");
        if ((rc = rel_buf_put(out, text + at, edits[i].start - at)) == 0)
            rc = rel_buf_put(out, edits[i].with.ptr ? edits[i].with.ptr : "", edits[i].with.len);
        at = edits[i].end;
    }
    if (rc == 0)
        rc = rel_buf_put(out, text + at, len - at);
    return rc;
}

/* Replace the scalar `n` (a key or a value) by `with`. */
static void replace_scalar(struct edit *e, const char *text, size_t len, const yaml_node_t *n,
                           const char *with)
{
    e->start = offset_at(text, len, n->start_mark);
    e->end = offset_at(text, len, n->end_mark);
    rel_buf_puts(&e->with, with);
}

/* The text of the lone scalar `yaml` as YAML reads it, into *out (malloc'd);
 * REL_EINVAL when it is not one plain or quoted scalar on one line. */
static int scalar_value(char **out, const char *yaml)
{
    *out = NULL;
    if (!*yaml || strchr(yaml, '\n') || strchr(yaml, '#'))
        return rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    yaml_document_t doc;
    if (rel_config_yaml_load(&doc, "value", yaml, strlen(yaml)) < 0)
        return rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_SCALAR_NODE && !rel_config_yaml_is_null(root))
        *out = rel_strdup(sv(root));
    else
        rc = rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    yaml_document_delete(&doc);
    return rc;
}

int rel_config_edit_release_key(struct rel_buf *out, const char *text, size_t len, const char *file,
                                const char *release, const char *key, const char *value)
{
    char path[160];
    snprintf(path, sizeof(path), "releases.*.%s", key);
    const struct rel_config_key *row = strchr(key, '.') ? NULL : rel_config_key_find(path);
    if (!row || (row->types & (REL_CT_MAP | REL_CT_DICT | REL_CT_LIST)) == row->types)
        return rel_error_set(REL_EINVAL, "releases.%s.%s: not a key that takes a scalar", release,
                             key);
    char *want = NULL;
    int rc = value ? scalar_value(&want, value) : 0;
    if (rc < 0)
        return rc;
    struct rel_config *cfg = NULL;
    if ((rc = rel_config_parse(&cfg, text, len, file, NULL)) < 0) {
        free(want);
        return rc;
    }
    rel_config_free(cfg);
    cfg = NULL;
    yaml_document_t doc;
    if ((rc = rel_config_yaml_load(&doc, file, text, len)) < 0) {
        free(want);
        return rc;
    }
    struct edit e = {0, 0, REL_BUF_INIT, false};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *relk = NULL, *keyk = NULL;
    yaml_node_t *rel = rel_config_yaml_get(&doc, rel_config_yaml_get(&doc, root, "releases", NULL),
                                           release, &relk);
    yaml_node_t *v = rel ? rel_config_yaml_get(&doc, rel, key, &keyk) : NULL;
    char entry[1200];
    snprintf(entry, sizeof(entry), "%s: %s", key, value ? value : "");
    if (!rel) {
        rc = rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, release);
    } else if (rel_config_yaml_is_null(rel)) {
        if (!value) {
            e.none = true;
        } else {
            char flow[1300];
            snprintf(flow, sizeof(flow), "{%s}", entry);
            rc = fill_empty_value(&e, text, len, relk, rel, flow);
        }
    } else if (!v) {
        if (!value)
            e.none = true;
        else
            rc = add_to_mapping(&e, &doc, text, len, relk, rel, entry);
    } else if (!value) {
        for (yaml_node_pair_t *pr = rel->data.mapping.pairs.start; pr < rel->data.mapping.pairs.top;
             pr++)
            if (node(&doc, pr->key) == keyk)
                rc = remove_pair(&e, &doc, text, len, rel, pr);
    } else if (v->type != YAML_SCALAR_NODE) {
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: releases.%s.%s is not a scalar: edit it by hand",
                           file, release, key);
    } else if (v->data.scalar.length > 0 || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        replace_scalar(&e, text, len, v, value);
    } else {
        rc = fill_empty_value(&e, text, len, keyk, v, value);
    }
    yaml_document_delete(&doc);
    size_t start = out->len;
    if (rc == 0)
        rc = apply_edits(out, text, len, &e, 1);
    /* check: valid, and the key now says what was asked */
    if (rc == 0 &&
        (rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL)) < 0)
        rel_error_prefix("editing %s would make it invalid", file);
    rel_config_free(cfg);
    if (rc == 0 &&
        (rc = rel_config_yaml_load(&doc, file, out->ptr + start, out->len - start)) == 0) {
        root = yaml_document_get_root_node(&doc);
        rel = rel_config_yaml_get(&doc, rel_config_yaml_get(&doc, root, "releases", NULL), release,
                                  NULL);
        v = rel_config_yaml_get(&doc, rel, key, NULL);
        bool ok = value ? v && v->type == YAML_SCALAR_NODE && strcmp(sv(v), want) == 0 : !v;
        if (!ok)
            rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot edit the layout of releases.%s", file,
                               release);
        yaml_document_delete(&doc);
    }
    if (rc < 0)
        rel_buf_truncate(out, start);
    rel_buf_free(&e.with);
    free(want);
    return rc;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int rel_config_edit_rename_release(struct rel_buf *out, const char *text, size_t len,
                                   const char *file, const char *from, const char *to)
{
    if (!rel_config_name_ok(REL_CK_RELEASE, to))
        return rel_error_set(REL_EINVAL, "'%s' is not %s", to,
                             rel_config_name_rule(REL_CK_RELEASE));
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, file, NULL);
    if (rc < 0)
        return rc;
    if (!rel_config_find_release_key(cfg, from))
        rc = rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, from);
    else if (strcmp(from, to) != 0 && rel_config_find_release_key(cfg, to))
        rc = rel_error_set(REL_EEXISTS, "%s: a release '%s' exists already", file, to);
    rel_config_free(cfg);
    cfg = NULL;
    if (rc < 0)
        return rc;
    if (strcmp(from, to) == 0)
        return rel_buf_put(out, text, len);
    yaml_document_t doc;
    if ((rc = rel_config_yaml_load(&doc, file, text, len)) < 0)
        return rc;
    /* the release's key, default_release, and targets running it */
    struct edit edits[1 + 1 + 256];
    size_t n = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *relk = NULL;
    rel_config_yaml_get(&doc, rel_config_yaml_get(&doc, root, "releases", NULL), from, &relk);
    edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
    replace_scalar(&edits[n++], text, len, relk, to);
    yaml_node_t *def = rel_config_yaml_get(&doc, root, "default_release", NULL);
    if (def && def->type == YAML_SCALAR_NODE && strcmp(sv(def), from) == 0) {
        edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
        replace_scalar(&edits[n++], text, len, def, to);
    }
    yaml_node_t *targets = rel_config_yaml_get(&doc, root, "targets", NULL);
    if (targets && targets->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *pr = targets->data.mapping.pairs.start;
             pr < targets->data.mapping.pairs.top && n < sizeof(edits) / sizeof(edits[0]); pr++) {
            yaml_node_t *r = rel_config_yaml_get(&doc, node(&doc, pr->value), "release", NULL);
            if (r && r->type == YAML_SCALAR_NODE && strcmp(sv(r), from) == 0) {
                edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
                replace_scalar(&edits[n++], text, len, r, to);
            }
        }
    yaml_document_delete(&doc);
    qsort(edits, n, sizeof(edits[0]), edit_cmp);
    size_t start = out->len;
    rc = apply_edits(out, text, len, edits, n);
    for (size_t i = 0; i < n; i++)
        rel_buf_free(&edits[i].with);
    if (rc == 0 &&
        (rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL)) < 0)
        rel_error_prefix("editing %s would make it invalid", file);
    if (rc == 0 && (!rel_config_find_release_key(cfg, to) || rel_config_find_release_key(cfg, from)))
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot rename release '%s' in this layout", file,
                           from);
    rel_config_free(cfg);
    if (rc < 0)
        rel_buf_truncate(out, start);
    return rc;
}

/* ---- writing YAML scalars ------------------------------------------------- */

int rel_config_yaml_scalar(struct rel_buf *out, const char *s, bool force_quotes)
{
    static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off",
                                           "null", "y",     "n",   "~",  NULL};
    bool plain = !force_quotes && s[0] != '\0';
    if (plain) {
        for (const char *p = s; *p; p++)
            if (!(isalnum((unsigned char)*p) || strchr("_./-@+", *p)))
                plain = false;
        if (s[0] == '-' || s[0] == '.' || s[0] == '+' || isdigit((unsigned char)s[0]))
            plain = false;
        for (const char *const *r = reserved; plain && *r; r++)
            if (strcasecmp(s, *r) == 0)
                plain = false;
    }
    if (plain)
        return rel_buf_puts(out, s);
    int rc = rel_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
        if (*p == '"' || *p == '\\')
            rc = rel_buf_printf(out, "\\%c", *p);
        else if (*p == '\n')
            rc = rel_buf_puts(out, "\\n");
        else if (*p == '\t')
            rc = rel_buf_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rc = rel_buf_printf(out, "\\x%02x", *p);
        else
            rc = rel_buf_putc(out, (char)*p);
    }
    if (rc == 0)
        rc = rel_buf_putc(out, '"');
    return rc;
}
