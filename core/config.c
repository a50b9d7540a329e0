/*
 * config.c - relman.yml read into the structs of config.h.
 *
 * Reading is done in three passes over the libyaml document tree:
 *   1. rel_config_validate() (config_check.c): every key against the schema
 *      table of config_keys.c (unknown keys, types, allowed values, required
 *      keys, duplicate keys); each node is visited once, so aliases (and the
 *      loops and blow-ups they allow) are refused;
 *   2. fill_*() here: the structs, taking absent values from the table's
 *      defaults (each default is itself parsed as YAML, so a default and a
 *      written value go through the same code);
 *   3. rel_config_cross_check() (config_check.c): references between keys
 *      (default_release, groups, targets' releases, steps).
 * The comment-keeping editor is config_edit.c.
 */
#include "config.h"

#include "alloc.h"
#include "buf.h"
#include "config_int.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "semver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- pass 2: the structs -------------------------------------------------- */

struct fill {
    const char *file;
    yaml_document_t *doc;
    /* parsed default values, one per row (reused by every release and
     * target), freed at the end */
    yaml_document_t *defaults[256];
    const struct rel_config_key *default_keys[256];
    size_t ndefaults;
};

/* A value: the node and the document it lives in (the file's, or a
 * default's). */
struct val {
    yaml_document_t *doc;
    yaml_node_t *n;
};

static struct rel_config_pos pos_of(const yaml_node_t *n)
{
    struct rel_config_pos p = {0, 0};
    if (n) {
        p.line = (int)n->start_mark.line + 1;
        p.col = (int)n->start_mark.column + 1;
    }
    return p;
}

/* The value of row `spath` (its last component is the key) in mapping `map`,
 * or the row's default, or {NULL, NULL}. */
static struct val get(struct fill *f, yaml_document_t *d, yaml_node_t *map, const char *spath)
{
    struct val v = {d, NULL};
    const char *key = strrchr(spath, '.');
    key = key ? key + 1 : spath;
    v.n = rel_config_yaml_get(d, map, key, NULL);
    if (v.n && !rel_config_yaml_is_null(v.n))
        return v;
    const struct rel_config_key *k = rel_config_key_find(spath);
    if (!k || !k->def)
        return (struct val){NULL, v.n};
    for (size_t i = 0; i < f->ndefaults; i++)
        if (f->default_keys[i] == k)
            return (struct val){f->defaults[i], yaml_document_get_root_node(f->defaults[i])};
    if (f->ndefaults >= sizeof(f->defaults) / sizeof(f->defaults[0]))
        return (struct val){NULL, v.n};
    yaml_document_t *dd = rel_calloc(1, sizeof(*dd));
    if (rel_config_yaml_load(dd, "(default)", k->def, strlen(k->def)) < 0) {
        free(dd);
        rel_error_clear();
        return (struct val){NULL, NULL};
    }
    f->default_keys[f->ndefaults] = k;
    f->defaults[f->ndefaults++] = dd;
    return (struct val){dd, yaml_document_get_root_node(dd)};
}

static const char *text_of(struct val v)
{
    if (!v.n || v.n->type != YAML_SCALAR_NODE || rel_config_yaml_class(v.n) == SC_NULL)
        return NULL;
    return sv(v.n);
}

static char *dup_text(struct val v)
{
    const char *t = text_of(v);
    return t ? rel_strdup(t) : NULL;
}

static bool bool_of(struct val v)
{
    return v.n && v.n->type == YAML_SCALAR_NODE && rel_config_yaml_class(v.n) == SC_TRUE;
}

static int int_of(struct val v)
{
    const char *t = text_of(v);
    return t ? (int)strtol(t, NULL, 10) : 0;
}

static void strlist_push(struct rel_config_strlist *l, const char *s, struct rel_config_pos p)
{
    l->items = rel_reallocarray(l->items, l->count + 1, sizeof(*l->items));
    l->pos = rel_reallocarray(l->pos, l->count + 1, sizeof(*l->pos));
    l->items[l->count] = rel_strdup(s);
    l->pos[l->count] = p;
    l->count++;
}

static bool strlist_has(const struct rel_config_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

/* A list of scalars, in order; with `dedup`, repeats are dropped. */
static void fill_strlist_as(struct rel_config_strlist *out, struct val v, bool dedup)
{
    if (!v.n || v.n->type != YAML_SEQUENCE_NODE)
        return;
    for (yaml_node_item_t *it = v.n->data.sequence.items.start; it < v.n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = node(v.doc, *it);
        if (!item || item->type != YAML_SCALAR_NODE || rel_config_yaml_is_null(item))
            continue;
        if (!dedup || !strlist_has(out, sv(item)))
            strlist_push(out, sv(item), pos_of(item));
    }
}

static void fill_strlist(struct rel_config_strlist *out, struct val v)
{
    fill_strlist_as(out, v, true);
}

static void strlist_free(struct rel_config_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    free(l->pos);
    memset(l, 0, sizeof(*l));
}

static void add_note(struct rel_config_release *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct rel_config_release *r, const char *fmt, ...)
{
    va_list ap;
    char msg[REL_ERROR_MSG_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->notes = rel_reallocarray(r->notes, r->nnotes + 1, sizeof(*r->notes));
    r->notes[r->nnotes++].message = rel_strdup(msg);
}

static void fill_ssh(struct fill *f, struct rel_config_ssh *s, yaml_document_t *d, yaml_node_t *m,
                     const char *prefix)
{
    char p[64];
    snprintf(p, sizeof(p), "%s.config", prefix);
    s->config = dup_text(get(f, d, m, p));
    snprintf(p, sizeof(p), "%s.known_hosts", prefix);
    s->known_hosts = dup_text(get(f, d, m, p));
    snprintf(p, sizeof(p), "%s.host_key_policy", prefix);
    const char *pol = text_of(get(f, d, m, p));
    s->host_key_policy = REL_HOSTKEY_ACCEPT_NEW;
    s->host_key_policy_set = m && rel_config_yaml_get(d, m, "host_key_policy", NULL) != NULL;
    snprintf(p, sizeof(p), "%s.allow_match_exec", prefix);
    s->allow_match_exec = bool_of(get(f, d, m, p));
    if (pol && strcmp(pol, "strict") == 0)
        s->host_key_policy = REL_HOSTKEY_STRICT;
    else if (pol && strcmp(pol, "ask") == 0)
        s->host_key_policy = REL_HOSTKEY_ASK;
}

/* releases.NAME.start_script (`v`: its mapping, or nothing). */
static void fill_start_script(struct fill *f, struct rel_config_start_script *ss, struct val v)
{
    if (!v.n || v.n->type != YAML_MAPPING_NODE)
        return;
    ss->dialect = dup_text(get(f, v.doc, v.n, "releases.*.start_script.dialect"));
    struct val h = get(f, v.doc, v.n, "releases.*.start_script.hooks");
    static const char *const hook_keys[REL_HOOK_COUNT] = {
#define X(name, text) "releases.*.start_script.hooks." text,
        REL_HOOK_TABLE
#undef X
    };
    if (h.n && h.n->type == YAML_MAPPING_NODE) {
        for (int i = 0; i < REL_HOOK_COUNT; i++)
            fill_strlist_as(&ss->hooks[i], get(f, h.doc, h.n, hook_keys[i]), false); /* run as often as listed */
        ss->status_hook = dup_text(get(f, h.doc, h.n, "releases.*.start_script.hooks.status"));
    }
    struct val e = get(f, v.doc, v.n, "releases.*.start_script.extensions");
    if (e.n && e.n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = e.n->data.mapping.pairs.start; pr < e.n->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *kn = node(e.doc, pr->key), *vn = node(e.doc, pr->value);
            if (!kn || !vn || vn->type != YAML_SCALAR_NODE)
                continue;
            strlist_push(&ss->ext_names, sv(kn), pos_of(kn));
            strlist_push(&ss->ext_scripts, sv(vn), pos_of(vn));
        }
    }
}

const char *rel_config_overlay_op_name(enum rel_overlay_kind kind)
{
    static const char *const names[] = {"mkdir", "copy", "template", "link", "chmod"};
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* releases.*.relx_overlay (each item a map of one operation: checked by
 * rel_config_cross_check), relx_overlay_vars and relx_overlay_vars_values. */
static void fill_relx_overlay(struct fill *f, struct rel_config_release *r, yaml_document_t *d,
                              yaml_node_t *m)
{
    struct val v = get(f, d, m, "releases.*.relx_overlay");
    for (yaml_node_item_t *it = v.n && v.n->type == YAML_SEQUENCE_NODE
                                    ? v.n->data.sequence.items.start
                                    : NULL;
         it && it < v.n->data.sequence.items.top; it++) {
        yaml_node_t *item = node(v.doc, *it);
        if (item->type != YAML_MAPPING_NODE)
            continue;
        r->relx_overlay =
            rel_reallocarray(r->relx_overlay, r->nrelx_overlay + 1, sizeof(*r->relx_overlay));
        struct rel_config_overlay_op *op = &r->relx_overlay[r->nrelx_overlay++];
        memset(op, 0, sizeof(*op));
        op->pos = pos_of(item);
        /* more than one key: nargs 0 flags it for the check */
        if (item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
            continue;
        yaml_node_t *kn = node(v.doc, item->data.mapping.pairs.start->key);
        yaml_node_t *vn = node(v.doc, item->data.mapping.pairs.start->value);
        for (int k = REL_OVERLAY_MKDIR; k <= REL_OVERLAY_CHMOD; k++)
            if (strcmp(sv(kn), rel_config_overlay_op_name((enum rel_overlay_kind)k)) == 0)
                op->kind = (enum rel_overlay_kind)k;
        if (vn->type == YAML_SCALAR_NODE) {
            op->args[op->nargs++] = rel_strdup(sv(vn));
        } else if (vn->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *a = vn->data.sequence.items.start;
                 a < vn->data.sequence.items.top; a++) {
                yaml_node_t *an = node(v.doc, *a);
                if (op->nargs < 2 && an->type == YAML_SCALAR_NODE)
                    op->args[op->nargs] = rel_strdup(sv(an));
                op->nargs++;
            }
        }
    }
    v = get(f, d, m, "releases.*.relx_overlay_vars");
    for (yaml_node_item_t *it = v.n && v.n->type == YAML_SEQUENCE_NODE
                                    ? v.n->data.sequence.items.start
                                    : NULL;
         it && it < v.n->data.sequence.items.top; it++) {
        yaml_node_t *item = node(v.doc, *it);
        r->relx_overlay_vars = rel_reallocarray(r->relx_overlay_vars, r->nrelx_overlay_vars + 1,
                                                sizeof(*r->relx_overlay_vars));
        struct rel_config_overlay_var *ov = &r->relx_overlay_vars[r->nrelx_overlay_vars++];
        memset(ov, 0, sizeof(*ov));
        ov->pos = pos_of(item);
        if (item->type == YAML_SCALAR_NODE)
            ov->path = rel_strdup(sv(item));
        else if (item->type == YAML_MAPPING_NODE)
            ov->term = dup_text((struct val){v.doc, rel_config_yaml_get(v.doc, item, "term", NULL)});
    }
    v = get(f, d, m, "releases.*.relx_overlay_vars_values");
    r->relx_overlay_vars_values = dup_text(v);
    r->relx_overlay_vars_values_pos = pos_of(v.n);
}

/* APP -> [names] (exclude_modules, included_applications). */
static void fill_name_lists(struct fill *f, yaml_node_t *m, const char *path,
                            struct rel_config_app_list **out, size_t *n)
{
    yaml_document_t *d = f->doc;
    struct val v = get(f, d, m, path);
    if (!v.n || v.n->type != YAML_MAPPING_NODE || v.doc != d)
        return;
    for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
         pr++) {
        *out = rel_reallocarray(*out, *n + 1, sizeof(**out));
        struct rel_config_app_list *l = &(*out)[(*n)++];
        *l = (struct rel_config_app_list){rel_strdup(sv(node(d, pr->key))), NULL, {0}};
        fill_strlist(&l->names, (struct val){d, node(d, pr->value)});
    }
}

/* app_versions: APP -> version; the lists: APP -> [names]. */
static void fill_app_lists(struct fill *f, struct rel_config_release *r, yaml_node_t *m)
{
    yaml_document_t *d = f->doc;
    struct val v = get(f, d, m, "releases.*.app_versions");
    if (v.n && v.n->type == YAML_MAPPING_NODE && v.doc == d)
        for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *an = node(d, pr->key), *vn = node(d, pr->value);
            const char *vsn = text_of((struct val){d, vn});
            if (!vsn)
                continue;
            r->app_versions = rel_reallocarray(r->app_versions, r->napp_versions + 1,
                                               sizeof(*r->app_versions));
            r->app_versions[r->napp_versions++] =
                (struct rel_config_app_list){rel_strdup(sv(an)), rel_strdup(vsn), {0}};
        }
    fill_name_lists(f, m, "releases.*.exclude_modules", &r->exclude_modules,
                    &r->nexclude_modules);
    fill_name_lists(f, m, "releases.*.included_applications", &r->included, &r->nincluded);
}

static void fill_providers(struct fill *f, struct rel_config_release *r, struct val v)
{
    if (!v.n || v.n->type != YAML_SEQUENCE_NODE)
        return;
    for (yaml_node_item_t *it = v.n->data.sequence.items.start; it < v.n->data.sequence.items.top;
         it++) {
        yaml_node_t *pn = node(v.doc, *it);
        if (pn->type != YAML_MAPPING_NODE)
            continue;
        r->providers = rel_reallocarray(r->providers, r->nproviders + 1, sizeof(*r->providers));
        struct rel_config_provider *p = &r->providers[r->nproviders++];
        memset(p, 0, sizeof(*p));
        p->pos = v.doc == f->doc ? pos_of(pn) : r->pos;
        yaml_node_t *mix = rel_config_yaml_get(v.doc, pn, "mix", NULL);
        yaml_node_t *rd = rel_config_yaml_get(v.doc, pn, "reader", NULL);
        if (mix) {
            p->kind = REL_PROVIDER_MIX;
            p->mix = int_of((struct val){v.doc, mix});
        } else if (rd && rd->type == YAML_MAPPING_NODE) {
            p->kind = REL_PROVIDER_READER_SYSTEM;
            p->var = dup_text((struct val){v.doc, rel_config_yaml_get(v.doc, rd, "system", NULL)});
            p->path = dup_text((struct val){v.doc, rel_config_yaml_get(v.doc, rd, "path", NULL)});
        } else {
            p->kind = REL_PROVIDER_READER;
            p->path = dup_text((struct val){v.doc, rd});
        }
    }
}

static void fill_release(struct fill *f, struct rel_config_release *r, yaml_node_t *kn,
                         yaml_node_t *m)
{
    yaml_document_t *d = f->doc;
    r->key = rel_strdup(sv(kn));
    r->name = dup_text(get(f, d, m, "releases.*.name"));
    if (!r->name)
        r->name = rel_strdup(r->key);
    r->pos = pos_of(kn);

    struct val v = get(f, d, m, "releases.*.version");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        r->version_from_app =
            dup_text((struct val){d, rel_config_yaml_get(d, v.n, "from_app", NULL)});
        r->version_cmd = dup_text((struct val){d, rel_config_yaml_get(d, v.n, "cmd", NULL)});
        r->version_git = dup_text((struct val){d, rel_config_yaml_get(d, v.n, "git", NULL)});
    } else {
        r->version = dup_text(v);
    }
    r->erts_version = dup_text(get(f, d, m, "releases.*.erts_version"));
    fill_app_lists(f, r, m);
    fill_strlist(&r->exclude_apps, get(f, d, m, "releases.*.exclude_apps"));
    r->include_src = bool_of(get(f, d, m, "releases.*.include_src"));
    r->system_libs = bool_of(get(f, d, m, "releases.*.system_libs"));
    r->dev_mode = bool_of(get(f, d, m, "releases.*.dev_mode"));

    v = get(f, d, m, "releases.*.applications");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *an = node(v.doc, pr->key), *mn = node(v.doc, pr->value);
            struct rel_config_app *dup = NULL;
            for (size_t i = 0; i < r->napps; i++)
                if (strcmp(r->apps[i].name, sv(an)) == 0)
                    dup = &r->apps[i];
            if (dup) {
                add_note(r,
                         "%s:%zu:%zu: '%s' is listed twice in releases.%s.applications; this "
                         "entry is ignored (the first, at line %d, is used)",
                         f->file, an->start_mark.line + 1, an->start_mark.column + 1, sv(an),
                         r->name, dup->pos.line);
                continue;
            }
            r->apps = rel_reallocarray(r->apps, r->napps + 1, sizeof(*r->apps));
            struct rel_config_app *a = &r->apps[r->napps++];
            a->name = rel_strdup(sv(an));
            a->pos = pos_of(an);
            a->mode = REL_MODE_PERMANENT;
            rel_mode_parse(&a->mode, sv(mn));
        }
    }

    v = get(f, d, m, "releases.*.include_erts");
    r->include_erts = REL_ERTS_INCLUDE;
    if (v.n && v.n->type == YAML_SCALAR_NODE) {
        enum rel_config_sclass cl = rel_config_yaml_class(v.n);
        if (cl == SC_FALSE)
            r->include_erts = REL_ERTS_EXCLUDE;
        else if (cl != SC_TRUE) {
            r->include_erts = REL_ERTS_PATH;
            r->erts_path = rel_strdup(sv(v.n));
            r->erts_pos = pos_of(v.n);
        }
    }

    struct rel_config_strlist execs = {0};
    fill_strlist(&execs, get(f, d, m, "releases.*.include_executables_for"));
    r->exec_unix = strlist_has(&execs, "unix");
    r->exec_windows = strlist_has(&execs, "windows");
    strlist_free(&execs);

    v = get(f, d, m, "releases.*.strip_beams");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        r->strip_beams = true;
        fill_strlist(&r->strip_keep, get(f, v.doc, v.n, "releases.*.strip_beams.keep"));
        r->strip_compress = bool_of(get(f, v.doc, v.n, "releases.*.strip_beams.compress"));
    } else {
        r->strip_beams = bool_of(v);
    }

    r->cookie = dup_text(get(f, d, m, "releases.*.cookie"));
    r->path = dup_text(get(f, d, m, "releases.*.path"));
    r->rel_templates_path = dup_text(get(f, d, m, "releases.*.rel_templates_path"));
    fill_strlist(&r->overlays, get(f, d, m, "releases.*.overlays"));
    fill_relx_overlay(f, r, d, m);

    v = get(f, d, m, "releases.*.steps");
    if (v.n && v.n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v.n->data.sequence.items.start;
             it < v.n->data.sequence.items.top; it++) {
            yaml_node_t *sn = node(v.doc, *it);
            r->steps = rel_reallocarray(r->steps, r->nsteps + 1, sizeof(*r->steps));
            struct rel_config_step *s = &r->steps[r->nsteps++];
            memset(s, 0, sizeof(*s));
            s->pos = v.doc == d ? pos_of(sn) : r->pos;
            if (sn->type == YAML_MAPPING_NODE &&
                rel_config_yaml_get(v.doc, sn, "mix", NULL)) {
                s->kind = REL_STEP_MIX;
                s->mix_step =
                    int_of((struct val){v.doc, rel_config_yaml_get(v.doc, sn, "mix", NULL)});
            } else if (sn->type == YAML_MAPPING_NODE) {
                s->kind = REL_STEP_RUN;
                s->command =
                    dup_text((struct val){v.doc, rel_config_yaml_get(v.doc, sn, "run", NULL)});
            } else {
                s->kind = strcmp(sv(sn), "tar") == 0 ? REL_STEP_TAR : REL_STEP_ASSEMBLE;
            }
        }
    }

    fill_strlist(&r->skip_mode_validation_for, get(f, d, m, "releases.*.skip_mode_validation_for"));

    fill_start_script(f, &r->start_script, get(f, d, m, "releases.*.start_script"));

    v = get(f, d, m, "releases.*.runtime_config_path");
    if (v.n && v.n->type == YAML_SCALAR_NODE && rel_config_yaml_class(v.n) == SC_FALSE)
        r->runtime_config_disabled = true;
    else
        r->runtime_config_path = dup_text(v);

    v = get(f, d, m, "releases.*.reboot_system_after_config");
    r->reboot_system_after_config = bool_of(v);
    r->reboot_system_after_config_set = v.n != NULL && v.doc == d;
    fill_providers(f, r, get(f, d, m, "releases.*.config_providers"));
    r->prune_runtime_sys_config_after_boot =
        bool_of(get(f, d, m, "releases.*.prune_runtime_sys_config_after_boot"));
    r->start_distribution_during_config =
        bool_of(get(f, d, m, "releases.*.start_distribution_during_config"));
    r->validate_compile_env = bool_of(get(f, d, m, "releases.*.validate_compile_env"));
    r->quiet = bool_of(get(f, d, m, "releases.*.quiet"));
    r->sys_config = dup_text(get(f, d, m, "releases.*.sys_config"));
    r->vm_args = dup_text(get(f, d, m, "releases.*.vm_args"));
}

/* Row `base`.KEY of health map `hm`; unset keys are `dflt`'s (NULL: the
 * schema's defaults). */
static void fill_health(struct fill *f, struct rel_config_health *h, yaml_document_t *d,
                        yaml_node_t *hm, const char *base, const struct rel_config_health *dflt)
{
    char path[64];
#define HV(key) (snprintf(path, sizeof(path), "%s." key, base), get(f, d, hm, path))
#define HVH(key) (snprintf(path, sizeof(path), "%s.http." key, base), get(f, d, httpm, path))
    yaml_node_t *httpm = rel_config_yaml_get(d, hm, "http", NULL);
    struct val v;
    v = HV("tcp");
    h->tcp = v.n ? int_of(v) : dflt ? dflt->tcp : 0;
    v = HV("timeout");
    h->timeout = v.n ? int_of(v) : dflt ? dflt->timeout : 30;
    v = HV("settle");
    h->settle = v.n ? int_of(v) : dflt ? dflt->settle : 0;
    v = HV("apps");
    h->apps = v.n ? bool_of(v) : dflt ? dflt->apps : true;
    v = HV("rpc");
    h->rpc = v.n ? dup_text(v) : dflt && dflt->rpc ? rel_strdup(dflt->rpc) : NULL;
    if (httpm || !dflt) {
        v = HVH("port");
        h->http_port = v.n                          ? int_of(v)
                       : dflt && dflt->http_port ? dflt->http_port
                       : httpm                   ? h->tcp
                                                 : 0;
        h->http_path = dup_text(HVH("path"));
        if (!h->http_path)
            h->http_path = rel_strdup(dflt && dflt->http_path ? dflt->http_path : "/");
        v = HVH("status");
        h->http_status = v.n ? int_of(v) : dflt ? dflt->http_status : 200;
        h->http_body = dup_text(HVH("body"));
        if (!h->http_body && dflt && dflt->http_body && dflt->http_port)
            h->http_body = rel_strdup(dflt->http_body);
    } else {
        h->http_port = dflt->http_port;
        h->http_path = dflt->http_path ? rel_strdup(dflt->http_path) : NULL;
        h->http_status = dflt->http_status;
        h->http_body = dflt->http_body ? rel_strdup(dflt->http_body) : NULL;
    }
#undef HV
#undef HVH
}

static void health_free(struct rel_config_health *h)
{
    free(h->rpc);
    free(h->http_path);
    free(h->http_body);
}

static void fill_target(struct fill *f, struct rel_config *cfg, struct rel_config_target *t,
                        yaml_node_t *kn, yaml_node_t *m)
{
    yaml_document_t *d = f->doc;
    t->name = rel_strdup(sv(kn));
    t->pos = pos_of(kn);
    t->host = dup_text(get(f, d, m, "targets.*.host"));
    t->user = dup_text(get(f, d, m, "targets.*.user"));
    t->port = int_of(get(f, d, m, "targets.*.port"));
    t->path = dup_text(get(f, d, m, "targets.*.path"));
    struct val v = get(f, d, m, "targets.*.release");
    t->release = dup_text(v);
    t->release_pos = pos_of(v.n);
    v = get(f, d, m, "targets.*.env");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(v.n->data.mapping.pairs.top - v.n->data.mapping.pairs.start);
        t->env_names = rel_calloc(n ? n : 1, sizeof(char *));
        t->env_values = rel_calloc(n ? n : 1, sizeof(char *));
        for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
             pr++) {
            t->env_names[t->nenv] = rel_strdup(sv(node(v.doc, pr->key)));
            t->env_values[t->nenv] = rel_strdup(sv(node(v.doc, pr->value)));
            t->nenv++;
        }
    }
    yaml_node_t *sm = rel_config_yaml_get(d, m, "ssh", NULL);
    fill_ssh(f, &t->ssh, d, sm, "targets.*.ssh");
    if (!t->ssh.config && cfg->ssh.config)
        t->ssh.config = rel_strdup(cfg->ssh.config);
    if (!t->ssh.known_hosts && cfg->ssh.known_hosts)
        t->ssh.known_hosts = rel_strdup(cfg->ssh.known_hosts);
    if (!rel_config_yaml_get(d, sm, "host_key_policy", NULL)) {
        t->ssh.host_key_policy = cfg->ssh.host_key_policy;
        t->ssh.host_key_policy_set = cfg->ssh.host_key_policy_set;
    }
    if (!rel_config_yaml_get(d, sm, "allow_match_exec", NULL))
        t->ssh.allow_match_exec = cfg->ssh.allow_match_exec;
    fill_health(f, &t->health, d, rel_config_yaml_get(d, m, "health", NULL), "targets.*.health",
                &cfg->deploy.health);
}

static void fill_config(struct fill *f, struct rel_config *cfg, yaml_node_t *root)
{
    yaml_document_t *d = f->doc;
    yaml_node_t *pm = rel_config_yaml_get(d, root, "project", NULL);
    const char *kind = text_of(get(f, d, pm, "project.kind"));
    if (kind && rel_project_kind_parse(&cfg->kind, kind) == 0)
        cfg->has_kind = true;
    cfg->env = dup_text(get(f, d, pm, "project.env"));
    cfg->app = dup_text(get(f, d, pm, "project.app"));
    cfg->config_path = dup_text(get(f, d, pm, "project.config_path"));
    {
        struct val bp = get(f, d, pm, "project.build_path");
        cfg->build_path = bp.doc == d ? dup_text(bp) : NULL; /* the default is no setting */
    }
    fill_strlist(&cfg->lib_dirs, get(f, d, root, "lib_dirs"));
    struct val v = get(f, d, root, "default_release");
    cfg->default_release = dup_text(v);
    cfg->default_release_pos = pos_of(v.n);

    fill_ssh(f, &cfg->ssh, d, rel_config_yaml_get(d, root, "ssh", NULL), "ssh");

    yaml_node_t *rm = rel_config_yaml_get(d, root, "releases", NULL);
    if (rm && rm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(rm->data.mapping.pairs.top - rm->data.mapping.pairs.start);
        cfg->releases = rel_calloc(n ? n : 1, sizeof(*cfg->releases));
        for (yaml_node_pair_t *pr = rm->data.mapping.pairs.start; pr < rm->data.mapping.pairs.top;
             pr++)
            fill_release(f, &cfg->releases[cfg->nreleases++], node(d, pr->key), node(d, pr->value));
    }
    /* deploy first: the targets' health checks start from deploy.health */
    yaml_node_t *dm = rel_config_yaml_get(d, root, "deploy", NULL);
    cfg->deploy.keep = int_of(get(f, d, dm, "deploy.keep"));
    cfg->deploy.batch = int_of(get(f, d, dm, "deploy.batch"));
    cfg->deploy.rollback_all = bool_of(get(f, d, dm, "deploy.rollback_all"));
    fill_health(f, &cfg->deploy.health, d, rel_config_yaml_get(d, dm, "health", NULL),
                "deploy.health", NULL);
    cfg->deploy.health_tcp = cfg->deploy.health.tcp;
    cfg->deploy.health_timeout = cfg->deploy.health.timeout;
    yaml_node_t *tm = rel_config_yaml_get(d, root, "targets", NULL);
    if (tm && tm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(tm->data.mapping.pairs.top - tm->data.mapping.pairs.start);
        cfg->targets = rel_calloc(n ? n : 1, sizeof(*cfg->targets));
        for (yaml_node_pair_t *pr = tm->data.mapping.pairs.start; pr < tm->data.mapping.pairs.top;
             pr++)
            fill_target(f, cfg, &cfg->targets[cfg->ntargets++], node(d, pr->key),
                        node(d, pr->value));
    }
    yaml_node_t *gm = rel_config_yaml_get(d, root, "groups", NULL);
    if (gm && gm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(gm->data.mapping.pairs.top - gm->data.mapping.pairs.start);
        cfg->groups = rel_calloc(n ? n : 1, sizeof(*cfg->groups));
        for (yaml_node_pair_t *pr = gm->data.mapping.pairs.start; pr < gm->data.mapping.pairs.top;
             pr++) {
            struct rel_config_group *g = &cfg->groups[cfg->ngroups++];
            yaml_node_t *kn = node(d, pr->key);
            g->name = rel_strdup(sv(kn));
            g->pos = pos_of(kn);
            fill_strlist(&g->targets, (struct val){d, node(d, pr->value)});
        }
    }
}

/* ---- public entry points ----------------------------------------------------- */

int rel_config_parse(struct rel_config **out, const char *text, size_t len, const char *file,
                     const char *dir)
{
    *out = NULL;
    if (len > REL_CONFIG_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: larger than %zu bytes", file, REL_CONFIG_MAX_SIZE);
    yaml_document_t doc;
    int rc = rel_config_yaml_load(&doc, file, text, len);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    struct rel_config *cfg = NULL;
    rc = rel_config_validate(file, &doc);
    if (rc < 0)
        goto done;
    cfg = rel_calloc(1, sizeof(*cfg));
    cfg->file = rel_strdup(file);
    cfg->dir = rel_strdup(dir && dir[0] ? dir : ".");
    struct fill f = {.file = file, .doc = &doc};
    if (root && root->type == YAML_MAPPING_NODE) {
        fill_config(&f, cfg, root);
    } else {
        /* empty file: the defaults */
        yaml_document_t empty;
        memset(&empty, 0, sizeof(empty));
        f.doc = &empty;
        fill_config(&f, cfg, NULL);
    }
    for (size_t i = 0; i < f.ndefaults; i++) {
        yaml_document_delete(f.defaults[i]);
        free(f.defaults[i]);
    }
    rc = rel_config_cross_check(cfg);
    if (rc < 0) {
        rel_config_free(cfg);
        cfg = NULL;
        goto done;
    }
    *out = cfg;
done:
    yaml_document_delete(&doc);
    return rc;
}

int rel_config_load(struct rel_config **out, const char *path)
{
    *out = NULL;
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_CONFIG_MAX_SIZE);
    if (rc == 0) {
        char *dir = rel_path_dirname(path);
        rc = rel_config_parse(out, rel_buf_cstr(&b), b.len, path, dir);
        free(dir);
    }
    rel_buf_free(&b);
    return rc;
}

static void ssh_free(struct rel_config_ssh *s)
{
    free(s->config);
    free(s->known_hosts);
}

void rel_config_free(struct rel_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nreleases; i++) {
        struct rel_config_release *r = &cfg->releases[i];
        free(r->name);
        free(r->key);
        free(r->version);
        free(r->version_from_app);
        free(r->version_cmd);
        free(r->version_git);
        free(r->erts_version);
        for (size_t j = 0; j < r->napp_versions; j++) {
            free(r->app_versions[j].app);
            free(r->app_versions[j].version);
        }
        free(r->app_versions);
        for (size_t j = 0; j < r->nexclude_modules; j++) {
            free(r->exclude_modules[j].app);
            strlist_free(&r->exclude_modules[j].names);
        }
        free(r->exclude_modules);
        for (size_t j = 0; j < r->nincluded; j++) {
            free(r->included[j].app);
            strlist_free(&r->included[j].names);
        }
        free(r->included);
        strlist_free(&r->exclude_apps);
        for (size_t j = 0; j < r->napps; j++)
            free(r->apps[j].name);
        free(r->apps);
        free(r->erts_path);
        strlist_free(&r->strip_keep);
        free(r->cookie);
        free(r->path);
        free(r->rel_templates_path);
        strlist_free(&r->overlays);
        for (size_t k = 0; k < r->nrelx_overlay; k++) {
            free(r->relx_overlay[k].args[0]);
            free(r->relx_overlay[k].args[1]);
        }
        free(r->relx_overlay);
        for (size_t k = 0; k < r->nrelx_overlay_vars; k++) {
            free(r->relx_overlay_vars[k].path);
            free(r->relx_overlay_vars[k].term);
        }
        free(r->relx_overlay_vars);
        free(r->relx_overlay_vars_values);
        for (size_t j = 0; j < r->nsteps; j++)
            free(r->steps[j].command);
        free(r->steps);
        strlist_free(&r->skip_mode_validation_for);
        free(r->runtime_config_path);
        for (size_t j = 0; j < r->nproviders; j++) {
            free(r->providers[j].path);
            free(r->providers[j].var);
        }
        free(r->providers);
        free(r->sys_config);
        free(r->vm_args);
        free(r->start_script.dialect);
        for (int h = 0; h < REL_HOOK_COUNT; h++)
            strlist_free(&r->start_script.hooks[h]);
        free(r->start_script.status_hook);
        strlist_free(&r->start_script.ext_names);
        strlist_free(&r->start_script.ext_scripts);
        for (size_t j = 0; j < r->nnotes; j++)
            free(r->notes[j].message);
        free(r->notes);
    }
    free(cfg->releases);
    for (size_t i = 0; i < cfg->ntargets; i++) {
        struct rel_config_target *t = &cfg->targets[i];
        free(t->name);
        free(t->host);
        free(t->user);
        free(t->path);
        free(t->release);
        for (size_t j = 0; j < t->nenv; j++) {
            free(t->env_names[j]);
            free(t->env_values[j]);
        }
        free(t->env_names);
        free(t->env_values);
        ssh_free(&t->ssh);
        health_free(&t->health);
    }
    free(cfg->targets);
    for (size_t i = 0; i < cfg->ngroups; i++) {
        free(cfg->groups[i].name);
        strlist_free(&cfg->groups[i].targets);
    }
    free(cfg->groups);
    health_free(&cfg->deploy.health);
    ssh_free(&cfg->ssh);
    strlist_free(&cfg->lib_dirs);
    free(cfg->file);
    free(cfg->dir);
    free(cfg->env);
    free(cfg->config_path);
    free(cfg->app);
    free(cfg->build_path);
    free(cfg->default_release);
    free(cfg);
}

const struct rel_config_release *rel_config_find_release_key(const struct rel_config *cfg,
                                                             const char *key)
{
    for (size_t i = 0; cfg && i < cfg->nreleases; i++)
        if (strcmp(cfg->releases[i].key, key) == 0)
            return &cfg->releases[i];
    return NULL;
}

const struct rel_config_release *rel_config_find_release(const struct rel_config *cfg,
                                                         const char *name)
{
    const struct rel_config_release *best = NULL;
    for (size_t i = 0; cfg && i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!best || (r->version && (!best->version ||
                                     rel_semver_compare(r->version, best->version) > 0)))
            best = r;
    }
    return best ? best : rel_config_find_release_key(cfg, name);
}

static const struct rel_config_strlist *app_list(const struct rel_config_app_list *l, size_t n,
                                                 const char *app)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].app, app) == 0)
            return &l[i].names;
    return NULL;
}

const struct rel_config_strlist *rel_config_excluded_modules(const struct rel_config_release *r,
                                                             const char *app)
{
    return app_list(r->exclude_modules, r->nexclude_modules, app);
}

const struct rel_config_strlist *rel_config_included_override(const struct rel_config_release *r,
                                                              const char *app)
{
    return app_list(r->included, r->nincluded, app);
}

static void release_names(struct rel_buf *b, const struct rel_config *cfg)
{
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        if (strcmp(r->key, r->name) == 0)
            rel_buf_printf(b, "%s%s", i ? ", " : "", r->name);
        else
            rel_buf_printf(b, "%s%s (%s %s)", i ? ", " : "", r->key, r->name,
                           r->version ? r->version : "");
    }
}

int rel_config_pick_release(const struct rel_config_release **out, const struct rel_config *cfg,
                            const char *name)
{
    *out = NULL;
    if (cfg->nreleases == 0)
        return rel_error_set(REL_ENOTFOUND, "%s defines no releases (add one under 'releases:')",
                             cfg->file);
    if (name) {
        *out = rel_config_find_release(cfg, name);
        if (*out)
            return 0;
        struct rel_buf b = REL_BUF_INIT;
        release_names(&b, cfg);
        int rc = rel_error_set(REL_ENOTFOUND, "no release '%s' in %s (releases: %s)", name,
                               cfg->file, rel_buf_cstr(&b));
        rel_buf_free(&b);
        return rc;
    }
    if (cfg->default_release) {
        *out = rel_config_find_release(cfg, cfg->default_release);
        return 0;
    }
    if (cfg->nreleases == 1) {
        *out = &cfg->releases[0];
        return 0;
    }
    struct rel_buf b = REL_BUF_INIT;
    release_names(&b, cfg);
    int rc =
        rel_error_set(REL_EUSAGE, "%s has several releases (%s) and no default_release: name one",
                      cfg->file, rel_buf_cstr(&b));
    rel_buf_free(&b);
    return rc;
}

const struct rel_config_target *rel_config_find_target(const struct rel_config *cfg,
                                                       const char *name)
{
    for (size_t i = 0; cfg && i < cfg->ntargets; i++)
        if (strcmp(cfg->targets[i].name, name) == 0)
            return &cfg->targets[i];
    return NULL;
}

const struct rel_config_group *rel_config_find_group(const struct rel_config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->ngroups; i++)
        if (strcmp(cfg->groups[i].name, name) == 0)
            return &cfg->groups[i];
    return NULL;
}

char *rel_config_abspath(const struct rel_config *cfg, const char *p)
{
    if (p[0] == '/' || (p[0] == '~' && (p[1] == '/' || p[1] == '\0')))
        return rel_strdup(p);
    char *j = rel_path_join2(cfg->dir, p);
    char *n = rel_path_normalize(j);
    free(j);
    return n;
}

char *rel_config_local_path(const struct rel_config *cfg, const char *p)
{
    const char *home = getenv("HOME");
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home && home[0]) {
        char *j = rel_path_join2(home, p[1] ? p + 2 : ".");
        char *n = rel_path_normalize(j);
        free(j);
        return n;
    }
    return rel_config_abspath(cfg, p);
}
