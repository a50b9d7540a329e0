/*
 * config_check.c - relman.yml checked against the schema table (pass 1, on the
 * YAML document) and the references between keys (pass 3, on the structs);
 * see config.c for the passes. Every message is one line, FILE:LINE:COL:,
 * and suggests the closest allowed word where there is one.
 */
#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "config_int.h"
#include "error.h"
#include "suggest.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- messages ----------------------------------------------------------- */

/* "; did you mean 'X'?" for the closest candidate (core/suggest.h), or "".
 * The candidates are "a|b|c" words. Writes into out (size n). */
static void suggest(char *out, size_t n, const char *word, const char *candidates)
{
    struct rel_suggest s;
    rel_suggest_init(&s, word);
    rel_suggest_offer_list(&s, candidates);
    out[0] = '\0';
    if (s.best[0])
        snprintf(out, n, "; did you mean '%s'?", s.best);
}

/* "a, b or c" from "a|b|c". */
static void list_words(struct rel_buf *b, const char *words)
{
    const char *p = words;
    size_t n = 1;
    for (const char *q = words; *q; q++)
        n += *q == '|';
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, "|");
        if (i > 0)
            rel_buf_puts(b, i == n - 1 ? " or " : ", ");
        rel_buf_put(b, p, len);
        p += len + (p[len] == '|');
    }
}

static bool enum_has(const char *values, const char *v)
{
    size_t vl = strlen(v);
    const char *p = values;
    while (*p) {
        size_t len = strcspn(p, "|");
        if (len == vl && strncmp(p, v, len) == 0)
            return true;
        p += len + (p[len] == '|');
    }
    return false;
}

static void describe_types(struct rel_buf *b, const struct rel_config_key *k)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {REL_CT_ENUM, NULL},         {REL_CT_BOOL, "true or false"}, {REL_CT_FALSE, "false"},
        {REL_CT_MAP, "a mapping"},   {REL_CT_DICT, "a mapping"},     {REL_CT_LIST, "a list"},
        {REL_CT_STRING, "a string"}, {REL_CT_PATH, "a path"},        {REL_CT_NAME, "a name"},
        {REL_CT_INT, "an integer"},
    };
    int written = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(k->types & names[i].bit))
            continue;
        if (names[i].bit == REL_CT_DICT && (k->types & REL_CT_MAP))
            continue;
        if (written++)
            rel_buf_puts(b, " or ");
        if (names[i].bit == REL_CT_ENUM)
            list_words(b, k->values);
        else
            rel_buf_puts(b, names[i].text);
    }
}

struct ctx {
    const char *file;
    yaml_document_t *doc;
    unsigned char *visited; /* per node: validate() visits each node once */
    size_t nnodes;
};

static int at(const char *file, int line, int col, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static int at(const char *file, int line, int col, int code, const char *fmt, va_list ap)
{
    char msg[REL_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return rel_error_set(code, "%s:%d:%d: %s", file, line, col, msg);
}

static int cerr(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cerr(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = at(c->file, (int)m.line + 1, (int)m.column + 1, REL_ECONFIG, fmt, ap);
    va_end(ap);
    return rc;
}

static int perr(const char *file, const struct rel_config_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(const char *file, const struct rel_config_pos *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = at(file, pos->line, pos->col, REL_ECONFIG, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- pass 1: validation against the table -------------------------------- */

static int validate(struct ctx *c, yaml_node_t *n, const char *spath, const char *dpath);

static int check_scalar(struct ctx *c, yaml_node_t *n, const struct rel_config_key *k,
                        const char *dpath)
{
    if (strlen(sv(n)) != n->data.scalar.length)
        return cerr(c, n->start_mark, "%s: contains a NUL character", dpath);
    enum rel_config_sclass cl = rel_config_yaml_class(n);
    unsigned t = k->types;
    struct rel_buf want = REL_BUF_INIT;
    int rc = 0;
    if (cl == SC_NULL) {
        if (t & (REL_CT_MAP | REL_CT_DICT | REL_CT_LIST))
            return 0; /* `key:` with nothing: empty */
        describe_types(&want, k);
        rc = cerr(c, n->start_mark, "%s: missing value (expected %s)", dpath, rel_buf_cstr(&want));
        goto out;
    }
    if ((cl == SC_TRUE || cl == SC_FALSE) && (t & REL_CT_BOOL))
        return 0;
    if (cl == SC_FALSE && (t & REL_CT_FALSE))
        return 0;
    if (t & REL_CT_INT) {
        long lo = 0, hi = INT_MAX;
        if (k->values)
            sscanf(k->values, "%ld..%ld", &lo, &hi);
        if (cl != SC_INT) {
            rc = cerr(c, n->start_mark, "%s: '%s' is not an integer", dpath, sv(n));
            goto out;
        }
        errno = 0;
        long v = strtol(sv(n), NULL, 10);
        if (errno || v < lo || v > hi)
            rc =
                cerr(c, n->start_mark, "%s: %s is out of range (%ld to %ld)", dpath, sv(n), lo, hi);
        goto out;
    }
    if (t & REL_CT_ENUM) {
        if (enum_has(k->values, sv(n)))
            return 0;
        if (!(t & (REL_CT_STRING | REL_CT_PATH | REL_CT_NAME | REL_CT_BOOL))) {
            char hint[160];
            suggest(hint, sizeof(hint), sv(n), k->values);
            describe_types(&want, k);
            bool is_mode = strcmp(k->values, REL_CONFIG_MODES) == 0;
            rc = cerr(c, n->start_mark, "%s: unknown %s '%s' (expected %s%s)", dpath,
                      is_mode ? "mode" : "value", sv(n), rel_buf_cstr(&want), hint);
            goto out;
        }
    }
    if (t & REL_CT_NAME) {
        if (cl == SC_TEXT && rel_config_is_atom(sv(n)))
            return 0;
        rc = cerr(c, n->start_mark, "%s: '%s' is not %s", dpath, sv(n),
                  rel_config_name_rule(REL_CK_APP));
        goto out;
    }
    if (t & (REL_CT_STRING | REL_CT_PATH)) {
        if (cl == SC_TRUE || cl == SC_FALSE) {
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not %s (quote it to mean the text)",
                      dpath, rel_buf_cstr(&want), sv(n));
            goto out;
        }
        if (sv(n)[0] == '\0') {
            rc = cerr(c, n->start_mark, "%s: must not be empty", dpath);
            goto out;
        }
        for (const char *ch = sv(n); (k->flags & REL_CF_ASCII) && *ch; ch++)
            if (*ch < ' ' || *ch > '~') {
                rc = cerr(c, n->start_mark, "%s: may only hold printable ASCII characters", dpath);
                goto out;
            }
        const char *bad = (k->flags & REL_CF_SHELL) ? strpbrk(sv(n), "$`\"\\") : NULL;
        if (bad) {
            rc = cerr(c, n->start_mark,
                      "%s: '%s' holds '%c', which a shell on the host would expand or unquote "
                      "(OTP's erlexec starts the VM through sh -c): it cannot work safely; use a "
                      "value without $ ` \" \\",
                      dpath, sv(n), *bad);
            goto out;
        }
        if ((k->flags & REL_CF_SEGMENT) &&
            (strchr(sv(n), '/') || strcmp(sv(n), ".") == 0 || strcmp(sv(n), "..") == 0)) {
            rc = cerr(c, n->start_mark, "%s: '%s' cannot name a directory (releases/VERSION)",
                      dpath, sv(n));
            goto out;
        }
        return 0;
    }
    describe_types(&want, k);
    rc = cerr(c, n->start_mark, "%s: expected %s, not '%s'", dpath, rel_buf_cstr(&want), sv(n));
out:
    rel_buf_free(&want);
    return rc;
}

static void child_path(char *out, size_t n, const char *parent, const char *part)
{
    if (!parent[0])
        snprintf(out, n, "%s", part);
    else
        snprintf(out, n, "%s.%s", parent, part);
}

/* The keys allowed under schema path `spath`, "a|b|c". */
static void allowed_keys(struct rel_buf *b, const char *spath)
{
    size_t pl = strlen(spath);
    for (size_t i = 0; i < rel_config_nkeys; i++) {
        const char *p = rel_config_keys[i].path;
        const char *rest;
        if (pl == 0)
            rest = p;
        else if (strncmp(p, spath, pl) == 0 && p[pl] == '.')
            rest = p + pl + 1;
        else
            continue;
        if (strpbrk(rest, ".[*"))
            continue;
        if (b->len)
            rel_buf_putc(b, '|');
        rel_buf_puts(b, rest);
    }
}

static int validate_mapping(struct ctx *c, yaml_node_t *n, const struct rel_config_key *k,
                            const char *spath, const char *dpath)
{
    bool dict = k && (k->types & REL_CT_DICT);
    yaml_node_pair_t *start = n->data.mapping.pairs.start;
    for (yaml_node_pair_t *pr = start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = node(c->doc, pr->key);
        yaml_node_t *vn = node(c->doc, pr->value);
        if (!kn || !vn)
            return rel_error_set(REL_ECONFIG, "%s: malformed mapping", c->file);
        if (c->visited[pr->key - 1]++)
            return cerr(c, kn->start_mark, "YAML aliases are not supported");
        if (kn->type != YAML_SCALAR_NODE || rel_config_yaml_class(kn) == SC_NULL)
            return cerr(c, kn->start_mark, "%s: keys must be plain names",
                        dpath[0] ? dpath : "top level");
        const char *key = sv(kn);
        if (strlen(key) != kn->data.scalar.length || strlen(key) > 200)
            return cerr(c, kn->start_mark, "%s: malformed key", dpath[0] ? dpath : "top level");
        for (yaml_node_pair_t *q = start; q < pr; q++) {
            yaml_node_t *prev = node(c->doc, q->key);
            if (prev && prev->type == YAML_SCALAR_NODE && strcmp(sv(prev), key) == 0 &&
                strcmp(spath, "releases.*.applications") != 0)
                return cerr(c, kn->start_mark, "%s%s'%s' appears twice (first at line %zu)", dpath,
                            dpath[0] ? ": " : "", key, prev->start_mark.line + 1);
        }
        char cs[256], cd[512];
        if (dict) {
            if (!rel_config_name_ok(k->keys, key))
                return cerr(c, kn->start_mark, "%s: '%s' is not %s", dpath, key,
                            rel_config_name_rule(k->keys));
            child_path(cs, sizeof(cs), spath, "*");
        } else {
            child_path(cs, sizeof(cs), spath, key);
            if (!rel_config_key_find(cs)) {
                struct rel_buf allowed = REL_BUF_INIT, words = REL_BUF_INIT;
                allowed_keys(&allowed, spath);
                list_words(&words, rel_buf_cstr(&allowed));
                char hint[160];
                suggest(hint, sizeof(hint), key, rel_buf_cstr(&allowed));
                int rc =
                    cerr(c, kn->start_mark, "unknown key '%s' %s%s (expected %s%s)", key,
                         dpath[0] ? "in " : "at the top level", dpath, rel_buf_cstr(&words), hint);
                rel_buf_free(&allowed);
                rel_buf_free(&words);
                return rc;
            }
        }
        child_path(cd, sizeof(cd), dpath, key);
        int rc = validate(c, vn, cs, cd);
        if (rc < 0)
            return rc;
    }
    /* required keys of a fixed mapping */
    if (!dict) {
        size_t pl = strlen(spath);
        for (size_t i = 0; i < rel_config_nkeys; i++) {
            const struct rel_config_key *r = &rel_config_keys[i];
            if (!(r->flags & REL_CF_REQUIRED) || strncmp(r->path, spath, pl) != 0 ||
                r->path[pl] != '.' || strpbrk(r->path + pl + 1, ".[*"))
                continue;
            if (!rel_config_yaml_get(c->doc, n, r->path + pl + 1, NULL))
                return cerr(c, n->start_mark, "%s: missing required key '%s'", dpath,
                            r->path + pl + 1);
        }
    }
    return 0;
}

static int validate(struct ctx *c, yaml_node_t *n, const char *spath, const char *dpath)
{
    const struct rel_config_key *k = spath[0] ? rel_config_key_find(spath) : NULL;
    int id = (int)(n - c->doc->nodes.start) + 1;
    if (id < 1 || (size_t)id > c->nnodes)
        return rel_error_set(REL_ECONFIG, "%s: malformed document", c->file);
    if (c->visited[id - 1]++)
        return cerr(c, n->start_mark, "YAML aliases are not supported");
    struct rel_buf want = REL_BUF_INIT;
    int rc = 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        if (!k) {
            if (rel_config_yaml_is_null(n))
                return 0; /* an empty file */
            return cerr(c, n->start_mark, "relman.yml must be a mapping of keys");
        }
        return check_scalar(c, n, k, dpath);
    case YAML_MAPPING_NODE:
        if (k && !(k->types & (REL_CT_MAP | REL_CT_DICT))) {
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not a mapping", dpath,
                      rel_buf_cstr(&want));
            break;
        }
        if (k && (k->types & REL_CT_MAP) && (k->types & REL_CT_ENUM)) {
            /* a list item that may be a word or a mapping (steps) */
        }
        return validate_mapping(c, n, k, spath, dpath);
    case YAML_SEQUENCE_NODE: {
        if (!k || !(k->types & REL_CT_LIST)) {
            if (!k) {
                rc = cerr(c, n->start_mark, "relman.yml must be a mapping of keys");
                break;
            }
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not a list", dpath, rel_buf_cstr(&want));
            break;
        }
        char cs[256], cd[512];
        snprintf(cs, sizeof(cs), "%s[]", spath);
        size_t i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++, i++) {
            yaml_node_t *item = node(c->doc, *it);
            if (!item)
                return rel_error_set(REL_ECONFIG, "%s: malformed list", c->file);
            snprintf(cd, sizeof(cd), "%s[%zu]", dpath, i);
            rc = validate(c, item, cs, cd);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    default:
        rc = cerr(c, n->start_mark, "malformed YAML node");
        break;
    }
    rel_buf_free(&want);
    return rc;
}

int rel_config_validate(const char *file, yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root)
        return 0;
    struct ctx c = {.file = file, .doc = doc};
    c.nnodes = (size_t)(doc->nodes.top - doc->nodes.start);
    c.visited = rel_calloc(c.nnodes ? c.nnodes : 1, 1);
    int rc = validate(&c, root, "", "");
    free(c.visited);
    return rc;
}

/* ---- pass 3: references between keys -------------------------------------- */

int rel_config_cross_check(const struct rel_config *cfg)
{
    const char *file = cfg->file;
    if (cfg->default_release && !rel_config_find_release(cfg, cfg->default_release))
        return perr(file, &cfg->default_release_pos,
                    "default_release: there is no release '%s' in releases", cfg->default_release);
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        if (r->version && !r->version[0])
            return perr(file, &r->pos, "releases.%s.version must not be empty", r->key);
        if (!r->version && (!!r->version_from_app + !!r->version_cmd + !!r->version_git) > 1)
            return perr(file, &r->pos,
                        "releases.%s.version: one of from_app, cmd or git, not several", r->key);
        for (size_t j = 0; j < i && r->version; j++) {
            const struct rel_config_release *o = &cfg->releases[j];
            if (strcmp(o->name, r->name) == 0 && o->version && strcmp(o->version, r->version) == 0)
                return perr(file, &r->pos,
                            "releases.%s: release %s version %s is defined twice (also by "
                            "releases.%s)",
                            r->key, r->name, r->version, o->key);
        }
        if (r->dev_mode && (r->exclude_apps.count || r->nexclude_modules))
            return perr(file, &r->pos,
                        "releases.%s: dev_mode links the applications, so exclude_apps and "
                        "exclude_modules cannot rewrite their .app files: set dev_mode: false",
                        r->key);
        if (r->include_erts == REL_ERTS_PATH) {
            /* the ERTS version is the directory's suffix: checked here, where
             * the line is known (whether it exists: when resolving) */
            size_t len = strlen(r->erts_path);
            while (len > 1 && r->erts_path[len - 1] == '/')
                len--;
            size_t b = len;
            while (b > 0 && r->erts_path[b - 1] != '/')
                b--;
            const char *base = r->erts_path + b;
            if (len - b < 6 || strncmp(base, "erts-", 5) != 0)
                return perr(file, &r->erts_pos,
                            "releases.%s.include_erts: '%s' is neither true, false nor a path to "
                            "an erts-VSN directory",
                            r->name, r->erts_path);
        }
        int assemble = 0, tar = 0;
        for (size_t s = 0; s < r->nsteps; s++) {
            const struct rel_config_step *st = &r->steps[s];
            if (st->kind == REL_STEP_ASSEMBLE && ++assemble > 1)
                return perr(file, &st->pos, "releases.%s.steps: 'assemble' must appear once",
                            r->name);
            if (st->kind == REL_STEP_TAR) {
                if (++tar > 1)
                    return perr(file, &st->pos, "releases.%s.steps: 'tar' may appear only once",
                                r->name);
                if (!assemble)
                    return perr(file, &st->pos,
                                "releases.%s.steps: 'tar' must come after 'assemble'", r->name);
            }
            if (st->kind == REL_STEP_RUN && (!st->command || !st->command[0]))
                return perr(file, &st->pos, "releases.%s.steps: a step mapping needs 'run' (a "
                            "command) or 'mix' (a function step of mix.exs)", r->name);
        }
        if (!assemble)
            return perr(file, &r->pos, "releases.%s.steps must contain 'assemble'", r->name);
        for (size_t k = 0; k < r->nrelx_overlay; k++) {
            const struct rel_config_overlay_op *op = &r->relx_overlay[k];
            size_t want = op->kind == REL_OVERLAY_MKDIR ? 1 : 2;
            if (op->nargs == 0)
                return perr(file, &op->pos,
                            "releases.%s.relx_overlay[%zu]: one operation per item (mkdir, copy, "
                            "template, link or chmod)",
                            r->name, k);
            if (op->nargs != want || !op->args[0] || (want == 2 && !op->args[1]))
                return perr(file, &op->pos, "releases.%s.relx_overlay[%zu]: %s takes %s", r->name,
                            k, rel_config_overlay_op_name(op->kind),
                            op->kind == REL_OVERLAY_MKDIR   ? "one path"
                            : op->kind == REL_OVERLAY_CHMOD ? "[MODE, PATH]"
                                                            : "[FROM, TO]");
        }
        for (size_t k = 0; k < r->nrelx_overlay_vars; k++)
            if (!r->relx_overlay_vars[k].path && !r->relx_overlay_vars[k].term)
                return perr(file, &r->relx_overlay_vars[k].pos,
                            "releases.%s.relx_overlay_vars[%zu]: a file or {term: TERM}", r->name,
                            k);
        if (tar && r->dev_mode)
            return perr(file, &r->pos,
                        "releases.%s: a dev_mode release links into _build and cannot be packed "
                        "by its 'tar' step: set dev_mode: false",
                        r->key);
        for (size_t k = 0; k < r->nproviders; k++) {
            const struct rel_config_provider *pv = &r->providers[k];
            if ((pv->kind == REL_PROVIDER_READER && (!pv->path || pv->path[0] != '/')) ||
                (pv->kind == REL_PROVIDER_READER_SYSTEM && (!pv->var || !pv->var[0])))
                return perr(file, &pv->pos,
                            "releases.%s.config_providers: 'reader' needs an absolute path on "
                            "the target or {system: VAR, path: SUFFIX}, and a provider "
                            "mapping 'reader' or 'mix'",
                            r->name);
        }
    }
    for (size_t i = 0; i < cfg->ntargets; i++) {
        const struct rel_config_target *t = &cfg->targets[i];
        if (t->release && !rel_config_find_release(cfg, t->release))
            return perr(file, &t->release_pos, "targets.%s.release: there is no release '%s'",
                        t->name, t->release);
    }
    for (size_t i = 0; i < cfg->ngroups; i++) {
        const struct rel_config_group *g = &cfg->groups[i];
        if (rel_config_find_target(cfg, g->name))
            return perr(file, &g->pos, "groups.%s: '%s' is already a target name", g->name,
                        g->name);
        for (size_t j = 0; j < g->targets.count; j++)
            if (!rel_config_find_target(cfg, g->targets.items[j]))
                return perr(file, &g->targets.pos[j], "groups.%s: there is no target '%s'", g->name,
                            g->targets.items[j]);
    }
    return 0;
}
