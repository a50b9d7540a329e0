/*
 * resolve.c - application resolution (see resolve.h); the boot order is
 * bootorder.c.
 *
 * The algorithms follow, step by step, what the real tools do (read, not
 * copied: Elixir 1.14 lib/mix/lib/mix/release.ex, relx 4.7 rlx_resolve.erl
 * and rlx_release.erl, OTP 25 sasl systools_make.erl), because users compare
 * relman's .rel and boot order with theirs.
 */
#include "resolve.h"

#include "alloc.h"
#include "bootorder.h"
#include "buf.h"
#include "term.h"
#include "error.h"
#include "fs.h"
#include "path.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mix's internal pseudo-mode for applications reached as included ones */
#define MODE_INCLUDED ((int)REL_MODE_COUNT)
/* a dependency chain longer than this is refused (it bounds the recursion) */
#define MAX_CHAIN 1000

static const char *const severity_names[] = {
#define X(name, text) text,
    REL_SEVERITY_TABLE
#undef X
};
static const char *const why_names[] = {
#define X(name, text) text,
    REL_WHY_TABLE
#undef X
};
static const char *const mode_source_names[] = {
#define X(name, text) text,
    REL_MODE_SOURCE_TABLE
#undef X
};

const char *rel_severity_name(enum rel_severity s)
{
    return (unsigned)s < 3 ? severity_names[s] : "?";
}

const char *rel_why_name(enum rel_why w)
{
    return (unsigned)w < sizeof(why_names) / sizeof(why_names[0]) ? why_names[w] : "?";
}

const char *rel_mode_source_name(enum rel_mode_source s)
{
    return (unsigned)s < sizeof(mode_source_names) / sizeof(mode_source_names[0])
               ? mode_source_names[s]
               : "?";
}

/* ---- small helpers ---------------------------------------------------------- */

static void names_push(struct rel_names *n, const char *name)
{
    n->items = rel_reallocarray(n->items, n->count + 1, sizeof(char *));
    n->items[n->count++] = rel_strdup(name);
}

static void names_free(struct rel_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof(*n));
}

static void problem(struct rel_model *m, enum rel_severity sev, const char *app, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

static void problem(struct rel_model *m, enum rel_severity sev, const char *app, const char *fmt,
                    ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    m->problems = rel_reallocarray(m->problems, m->nproblems + 1, sizeof(*m->problems));
    struct rel_problem *p = &m->problems[m->nproblems++];
    p->severity = sev;
    p->app = app ? rel_strdup(app) : NULL;
    p->message = rel_strdup(msg);
}

/* ---- the resolution state ------------------------------------------------- */

struct node {
    char *name;
    const struct rel_app *app; /* NULL when missing */
    int mode;                  /* rel_mode, or MODE_INCLUDED (mix) */
    enum rel_mode_source src;
    char *mode_from;
    char *parent;             /* first application that needed it; NULL for roots */
    bool missing;             /* not found or unreadable */
    bool conflict;            /* "included and regular" already reported */
    struct rel_names needers; /* missing: every application that needs it */
};

struct root {
    const char *name;
    enum rel_mode mode;
    bool implicit;
};

struct rs {
    const struct rel_project *p;
    const struct rel_config_release *rel;
    struct rel_model *m;
    struct node *nodes;
    size_t nnodes;
    struct root *roots;
    size_t nroots;
    char **order; /* relx: post-order of names */
    size_t norder;
    bool too_deep;
};

static long find_node(const struct rs *s, const char *name)
{
    for (size_t i = 0; i < s->nnodes; i++)
        if (strcmp(s->nodes[i].name, name) == 0)
            return (long)i;
    return -1;
}

static const struct root *find_root(const struct rs *s, const char *name)
{
    for (size_t i = 0; i < s->nroots; i++)
        if (strcmp(s->roots[i].name, name) == 0)
            return &s->roots[i];
    return NULL;
}

static size_t add_node(struct rs *s, const char *name, const struct rel_app *app, int mode,
                       enum rel_mode_source src, const char *parent)
{
    s->nodes = rel_reallocarray(s->nodes, s->nnodes + 1, sizeof(*s->nodes));
    struct node *n = &s->nodes[s->nnodes];
    memset(n, 0, sizeof(*n));
    n->name = rel_strdup(name);
    n->app = app;
    n->mode = mode;
    n->src = src;
    n->parent = parent ? rel_strdup(parent) : NULL;
    if (src == REL_MODE_SOURCE_INHERITED || src == REL_MODE_SOURCE_INCLUDED)
        n->mode_from = parent ? rel_strdup(parent) : NULL;
    n->missing = app == NULL;
    if (n->missing && parent)
        names_push(&n->needers, parent);
    return s->nnodes++;
}

/* The chosen, readable candidate for `name`, or NULL. With include_erts
 * naming another installation, its OTP applications replace the local OTP's. */
static const char *pinned_version(const struct rel_config_release *rel, const char *name)
{
    for (size_t i = 0; i < rel->napp_versions; i++)
        if (strcmp(rel->app_versions[i].app, name) == 0)
            return rel->app_versions[i].version;
    return NULL;
}

static const struct rel_app *lookup(const struct rs *s, const char *name)
{
    const char *pin = pinned_version(s->rel, name);
    if (pin) {
        /* app_versions: that candidate, wherever it is */
        const struct rel_app *c;
        size_t n = rel_project_candidates(s->p, name, &c);
        for (size_t i = 0; i < s->m->nerts_apps; i++)
            if (!s->m->erts_apps[i].error && strcmp(s->m->erts_apps[i].name, name) == 0 &&
                strcmp(s->m->erts_apps[i].vsn, pin) == 0)
                return &s->m->erts_apps[i];
        for (size_t i = 0; i < n; i++)
            if (!c[i].error && strcmp(c[i].vsn, pin) == 0)
                return &c[i];
        return NULL;
    }
    const struct rel_app *a = rel_project_find_app(s->p, name);
    if (s->m->nerts_apps && (!a || a->origin == REL_ORIGIN_OTP)) {
        for (size_t i = 0; i < s->m->nerts_apps; i++) {
            const struct rel_app *o = &s->m->erts_apps[i];
            if (o->chosen && strcmp(o->name, name) == 0)
                return o->error ? NULL : o;
        }
    }
    return a && !a->error ? a : NULL;
}

static bool from_erts_root(const struct rel_model *m, const struct rel_app *a)
{
    return m->nerts_apps && a >= m->erts_apps && a < m->erts_apps + m->nerts_apps;
}

static bool chain_too_deep(struct rs *s, int depth, const char *name)
{
    if (depth <= MAX_CHAIN)
        return false;
    if (!s->too_deep)
        problem(s->m, REL_SEVERITY_ERROR, name,
                "the dependency chain to '%s' is longer than %d applications", name, MAX_CHAIN);
    s->too_deep = true;
    return true;
}

/* A missing application reached once more. */
static void missing_again(struct rs *s, size_t idx, const char *parent)
{
    if (parent && rel_names_index(&s->nodes[idx].needers, parent) < 0)
        names_push(&s->nodes[idx].needers, parent);
}

/* Something `parent` lists as optional is not available: fine, say so. */
static void optional_skipped(struct rs *s, const char *name, const char *parent)
{
    for (size_t i = 0; i < s->m->nproblems; i++)
        if (s->m->problems[i].severity == REL_SEVERITY_NOTE && s->m->problems[i].app &&
            strcmp(s->m->problems[i].app, name) == 0)
            return;
    problem(s->m, REL_SEVERITY_NOTE, name,
            "'%s' is an optional application of '%s' and is not available: left out", name,
            parent ? parent : "?");
}

/* ---- mix ------------------------------------------------------------------ */

static void mix_load_app(struct rs *s, const char *name, int mode, enum rel_mode_source src,
                         const struct rel_names *optional, const char *parent, int depth);

static void mix_load_apps(struct rs *s, const struct rel_names *names, int mode,
                          const struct rel_names *optional, const char *parent, int depth)
{
    for (size_t i = 0; i < names->count; i++) {
        const char *name = names->items[i];
        long idx = find_node(s, name);
        const struct root *r = find_root(s, name);
        if (idx < 0) {
            if (r)
                mix_load_app(s, name, (int)r->mode,
                             r->implicit ? REL_MODE_SOURCE_IMPLICIT : REL_MODE_SOURCE_EXPLICIT,
                             optional, parent, depth);
            else
                mix_load_app(s, name, mode,
                             mode == MODE_INCLUDED ? REL_MODE_SOURCE_INCLUDED
                                                   : REL_MODE_SOURCE_INHERITED,
                             optional, parent, depth);
            continue;
        }
        struct node *n = &s->nodes[idx];
        if (n->missing) {
            missing_again(s, (size_t)idx, parent);
            continue;
        }
        if (r || n->mode == mode)
            continue; /* an explicit mode is never overridden */
        if (n->mode == MODE_INCLUDED || mode == MODE_INCLUDED) {
            if (!n->conflict)
                problem(s->m, REL_SEVERITY_ERROR, name,
                        "'%s' is listed both as a regular application and as an included one "
                        "(by '%s' and '%s')",
                        name, n->parent ? n->parent : "the release", parent ? parent : "?");
            n->conflict = true;
            continue;
        }
        int merged = (int)rel_mode_max((enum rel_mode)n->mode, (enum rel_mode)mode);
        if (merged == n->mode)
            continue;
        n->mode = merged;
        n->src = REL_MODE_SOURCE_INHERITED;
        free(n->mode_from);
        n->mode_from = parent ? rel_strdup(parent) : NULL;
        /* the higher mode goes down to its children */
        const struct rel_app *app = n->app;
        char *self = rel_strdup(name);
        if (!chain_too_deep(s, depth + 1, self))
            mix_load_apps(s, &app->applications, merged, &app->optional, self, depth + 1);
        free(self);
    }
}

static void mix_load_app(struct rs *s, const char *name, int mode, enum rel_mode_source src,
                         const struct rel_names *optional, const char *parent, int depth)
{
    if (chain_too_deep(s, depth, name))
        return;
    const struct rel_app *app = lookup(s, name);
    if (!app && rel_names_index(optional, name) >= 0) {
        optional_skipped(s, name, parent);
        return;
    }
    add_node(s, name, app, mode, src, parent);
    if (!app)
        return;
    int child = mode == MODE_INCLUDED ? (int)REL_MODE_LOAD : mode;
    mix_load_apps(s, &app->applications, child, &app->optional, name, depth + 1);
    mix_load_apps(s, &app->included, MODE_INCLUDED, NULL, name, depth + 1);
}

static int cmp_node_names(const void *a, const void *b)
{
    const struct node *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void resolve_mix(struct rs *s)
{
    static const char *const defaults[] = {"kernel", "stdlib", "elixir", "sasl"};
    const struct rel_config_release *rel = s->rel;
    /* Keyword.merge(defaults, user): defaults the user lists move to the user's place */
    s->roots = rel_calloc(rel->napps + 6, sizeof(*s->roots));
    for (size_t i = 0; i < 4; i++) {
        bool listed = false;
        for (size_t j = 0; j < rel->napps; j++)
            listed |= strcmp(rel->apps[j].name, defaults[i]) == 0;
        if (!listed)
            s->roots[s->nroots++] = (struct root){defaults[i], REL_MODE_PERMANENT, true};
    }
    for (size_t j = 0; j < rel->napps; j++)
        s->roots[s->nroots++] = (struct root){rel->apps[j].name, rel->apps[j].mode, false};
    const char *own = s->p->config->app;
    if (own && !find_root(s, own))
        s->roots[s->nroots++] = (struct root){own, REL_MODE_PERMANENT, true};

    struct rel_names rootnames = {0};
    for (size_t i = 0; i < s->nroots; i++)
        names_push(&rootnames, s->roots[i].name);
    mix_load_apps(s, &rootnames, REL_MODE_PERMANENT, NULL, NULL, 0);
    names_free(&rootnames);

    /* iex ships as `none` unless the release already has it */
    if (find_node(s, "iex") < 0) {
        s->roots[s->nroots++] = (struct root){"iex", REL_MODE_NONE, true};
        mix_load_app(s, "iex", REL_MODE_NONE, REL_MODE_SOURCE_IMPLICIT, NULL, NULL, 0);
    }

    /* .rel order: the roots as given, then the others sorted by name */
    struct rel_model *m = s->m;
    m->apps = rel_calloc(s->nnodes ? s->nnodes : 1, sizeof(*m->apps));
    for (size_t i = 0; i < s->nroots; i++) {
        long idx = find_node(s, s->roots[i].name);
        if (idx < 0 || s->nodes[idx].missing)
            continue;
        struct rel_model_app *a = &m->apps[m->napps++];
        a->app = s->nodes[idx].app;
        a->mode = s->roots[i].mode;
        a->mode_source = s->roots[i].implicit ? REL_MODE_SOURCE_IMPLICIT : REL_MODE_SOURCE_EXPLICIT;
        a->why = s->roots[i].implicit ? REL_WHY_IMPLICIT : REL_WHY_ROOT;
    }
    struct node **rest = rel_calloc(s->nnodes ? s->nnodes : 1, sizeof(*rest));
    size_t nrest = 0;
    for (size_t i = 0; i < s->nnodes; i++)
        if (!s->nodes[i].missing && !find_root(s, s->nodes[i].name))
            rest[nrest++] = &s->nodes[i];
    if (nrest)
        qsort(rest, nrest, sizeof(*rest), cmp_node_names);
    for (size_t i = 0; i < nrest; i++) {
        struct rel_model_app *a = &m->apps[m->napps++];
        struct node *n = rest[i];
        a->app = n->app;
        a->mode = n->mode == MODE_INCLUDED ? REL_MODE_LOAD : (enum rel_mode)n->mode;
        a->mode_source = n->src;
        a->mode_from = n->mode_from ? rel_strdup(n->mode_from) : NULL;
        a->why = n->mode == MODE_INCLUDED ? REL_WHY_INCLUDED : REL_WHY_DEPENDENCY;
        a->parent = n->parent ? rel_strdup(n->parent) : NULL;
    }
    free(rest);
    for (size_t i = 0; i < m->napps; i++) {
        m->apps[i].rel_type = true;
        m->apps[i].rel_included = m->apps[i].app->included.count > 0;
    }
}

/* ---- relx ------------------------------------------------------------------ */

static void relx_subset(struct rs *s, const char *name, const struct rel_names *optional,
                        const char *parent, int depth)
{
    long idx = find_node(s, name);
    if (idx >= 0) {
        if (s->nodes[idx].missing)
            missing_again(s, (size_t)idx, parent);
        return;
    }
    for (size_t i = 0; i < s->rel->exclude_apps.count; i++)
        if (strcmp(s->rel->exclude_apps.items[i], name) == 0)
            return; /* exclude_apps: cut here, as relx does */
    if (chain_too_deep(s, depth, name))
        return;
    const struct rel_app *app = lookup(s, name);
    if (!app && rel_names_index(optional, name) >= 0) {
        optional_skipped(s, name, parent);
        return;
    }
    const struct root *r = find_root(s, name);
    add_node(s, name, app, r ? (int)r->mode : (int)REL_MODE_PERMANENT,
             r ? REL_MODE_SOURCE_EXPLICIT : REL_MODE_SOURCE_DEFAULT, parent);
    if (!app)
        return;
    char *self = rel_strdup(name);
    const struct rel_names *lists[] = {&app->applications, &app->included, &app->optional};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l]->count; i++)
            relx_subset(s, lists[l]->items[i], &app->optional, self, depth + 1);
    s->order = rel_reallocarray(s->order, s->norder + 1, sizeof(char *));
    s->order[s->norder++] = self;
}

static void resolve_relx(struct rs *s)
{
    const struct rel_config_release *rel = s->rel;
    s->roots = rel_calloc(rel->napps + 1, sizeof(*s->roots));
    for (size_t j = 0; j < rel->napps; j++)
        s->roots[s->nroots++] = (struct root){rel->apps[j].name, rel->apps[j].mode, false};
    for (size_t i = 0; i < s->nroots; i++)
        relx_subset(s, s->roots[i].name, NULL, NULL, 0);

    struct rel_model *m = s->m;
    m->apps = rel_calloc(s->norder ? s->norder : 1, sizeof(*m->apps));
    for (size_t i = 0; i < s->norder; i++) {
        struct node *n = &s->nodes[find_node(s, s->order[i])];
        struct rel_model_app *a = &m->apps[m->napps++];
        a->app = n->app;
        a->parent = n->parent ? rel_strdup(n->parent) : NULL;
        const struct root *r = find_root(s, n->name);
        /* included somewhere in the release: load, unless the goal says */
        const char *includer = NULL;
        for (size_t j = 0; j < s->norder && !includer; j++) {
            const struct node *o = &s->nodes[find_node(s, s->order[j])];
            if (rel_names_index(&o->app->included, n->name) >= 0)
                includer = o->name;
        }
        if (r) {
            a->mode = r->mode;
            a->mode_source = REL_MODE_SOURCE_EXPLICIT;
            a->why = REL_WHY_ROOT;
        } else if (includer) {
            a->mode = REL_MODE_LOAD;
            a->mode_source = REL_MODE_SOURCE_INCLUDED;
            a->mode_from = rel_strdup(includer);
            a->why = REL_WHY_INCLUDED;
        } else {
            a->mode = REL_MODE_PERMANENT;
            a->mode_source = REL_MODE_SOURCE_DEFAULT;
            a->why = REL_WHY_DEPENDENCY;
        }
        a->rel_type = a->mode != REL_MODE_PERMANENT;
        a->rel_included = false;
    }
}

/* ---- checks ------------------------------------------------------------------ */

static long model_index(const struct rel_model *m, const char *name)
{
    for (size_t i = 0; i < m->napps; i++)
        if (strcmp(m->apps[i].app->name, name) == 0)
            return (long)i;
    return -1;
}

const struct rel_model_app *rel_model_find(const struct rel_model *m, const char *name)
{
    long i = model_index(m, name);
    return i < 0 ? NULL : &m->apps[i];
}

/* "release foo -> a -> b" for node `idx`. */
static void chain(struct rs *s, struct rel_buf *b, const char *name)
{
    const char *path[64];
    size_t n = 0;
    const char *cur = name;
    while (cur && n < 64) {
        path[n++] = cur;
        long idx = find_node(s, cur);
        cur = idx >= 0 ? s->nodes[idx].parent : NULL;
    }
    rel_buf_printf(b, "release %s", s->rel->name);
    if (n == 64)
        rel_buf_puts(b, " -> ...");
    for (size_t i = n; i > 0; i--)
        rel_buf_printf(b, " -> %s", path[i - 1]);
}

static void report_missing(struct rs *s)
{
    for (size_t i = 0; i < s->nnodes; i++) {
        struct node *n = &s->nodes[i];
        if (!n->missing)
            continue;
        struct rel_buf b = REL_BUF_INIT;
        const struct rel_app *cand = rel_project_find_app(s->p, n->name);
        for (size_t k = 0; k < s->m->nerts_apps; k++)
            if (s->m->erts_apps[k].chosen && strcmp(s->m->erts_apps[k].name, n->name) == 0 &&
                (!cand || cand->origin == REL_ORIGIN_OTP))
                cand = &s->m->erts_apps[k];
        const char *pin = pinned_version(s->rel, n->name);
        if (pin) {
            const struct rel_app *c;
            size_t nc = rel_project_candidates(s->p, n->name, &c);
            rel_buf_printf(&b, "application '%s' %s (releases.%s.app_versions) was not found (",
                           n->name, pin, s->rel->key);
            for (size_t k = 0; k < nc; k++)
                rel_buf_printf(&b, "%s%s", k ? ", " : "found: ", c[k].vsn);
            rel_buf_puts(&b, nc ? "); " : "no version found); ");
        } else if (cand && cand->error)
            rel_buf_printf(&b, "application '%s' cannot be used (%s); ", n->name, cand->error);
        else
            rel_buf_printf(&b, "application '%s' was not found; ", n->name);
        if (n->parent) {
            rel_buf_printf(&b, "'%s' needs it (", n->parent);
            chain(s, &b, n->name);
            rel_buf_puts(&b, ")");
        } else {
            rel_buf_printf(&b, "it is a root of release %s", s->rel->name);
        }
        for (size_t j = 0; j < n->needers.count; j++)
            if (!n->parent || strcmp(n->needers.items[j], n->parent) != 0)
                rel_buf_printf(&b, "%s'%s'",
                               j == 0 || (j == 1 && n->parent) ? "; also needed by " : ", ",
                               n->needers.items[j]);
        if (!cand && s->p->build_lib_dir && s->p->kind != REL_PROJECT_PLAIN) {
            const struct rel_app *any = NULL;
            for (size_t j = 0; j < s->p->napps && !any; j++)
                if (s->p->apps[j].origin == REL_ORIGIN_PROJECT)
                    any = &s->p->apps[j];
            if (!any)
                rel_buf_printf(&b, " (nothing is built in %s: compile the project first)",
                               s->p->build_lib_dir);
        }
        problem(s->m, REL_SEVERITY_ERROR, n->name, "%s", rel_buf_cstr(&b));
        rel_buf_free(&b);
    }
}

static void check_kernel_stdlib(struct rel_model *m)
{
    static const char *const must[] = {"kernel", "stdlib"};
    for (size_t i = 0; i < 2; i++) {
        const struct rel_model_app *a = rel_model_find(m, must[i]);
        if (!a)
            problem(m, REL_SEVERITY_ERROR, must[i],
                    "'%s' must be part of every release (no application of the release "
                    "depends on it)",
                    must[i]);
        else if (a->mode != REL_MODE_PERMANENT)
            problem(m, REL_SEVERITY_ERROR, must[i], "'%s' must be permanent, not %s", must[i],
                    rel_mode_name(a->mode));
    }
}

/* An application that needs or includes itself: systools cannot order it,
 * and the .app file is what to fix. */
static void check_self_reference(struct rel_model *m)
{
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_app *a = m->apps[i].app;
        const struct rel_names *lists[] = {&a->applications, &a->included};
        const char *keys[] = {"applications", "included_applications"};
        for (size_t l = 0; l < 2; l++)
            for (size_t j = 0; j < lists[l]->count; j++)
                if (strcmp(lists[l]->items[j], a->name) == 0) {
                    problem(m, REL_SEVERITY_ERROR, a->name, "%s: '%s' lists itself in %s",
                            a->app_file ? a->app_file : a->name, a->name, keys[l]);
                    break;
                }
    }
}

static void check_modes(struct rel_model *m, const struct rel_config_release *rel)
{
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *a = &m->apps[i];
        if (!rel_mode_starts(a->mode))
            continue;
        for (size_t c = 0; c < a->app->applications.count; c++) {
            const char *child = a->app->applications.items[c];
            const struct rel_model_app *ca = rel_model_find(m, child);
            if (!ca || rel_mode_starts(ca->mode))
                continue;
            bool skip = false;
            for (size_t k = 0; k < rel->skip_mode_validation_for.count; k++)
                skip |= strcmp(rel->skip_mode_validation_for.items[k], a->app->name) == 0;
            if (skip)
                problem(m, REL_SEVERITY_NOTE, a->app->name,
                        "'%s' is %s but depends on '%s', which is %s: allowed by "
                        "skip_mode_validation_for",
                        a->app->name, rel_mode_name(a->mode), child, rel_mode_name(ca->mode));
            else
                problem(m, REL_SEVERITY_ERROR, a->app->name,
                        "'%s' is %s but depends on '%s', which is %s, so it cannot start; give "
                        "'%s' a started mode, set '%s' to load or none too, or list '%s' in "
                        "skip_mode_validation_for",
                        a->app->name, rel_mode_name(a->mode), child, rel_mode_name(ca->mode), child,
                        a->app->name, a->app->name);
        }
    }
}

struct claim {
    const char *what;
    const char *app;
};

static int cmp_claim(const void *pa, const void *pb)
{
    const struct claim *a = pa, *b = pb;
    int c = strcmp(a->what, b->what);
    return c ? c : strcmp(a->app, b->app);
}

/* A name claimed by two applications (systools: duplicate_register,
 * duplicate_modules, duplicate_include). */
static void check_claims(struct rel_model *m, int which)
{
    static const char *const labels[] = {"registered name", "module", "included application"};
    size_t n = 0;
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_app *a = m->apps[i].app;
        n += which == 0 ? a->registered.count : which == 1 ? a->modules.count : a->included.count;
    }
    if (!n)
        return;
    struct claim *c = rel_calloc(n, sizeof(*c));
    size_t k = 0;
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_app *a = m->apps[i].app;
        const struct rel_names *l = which == 0   ? &a->registered
                                    : which == 1 ? &a->modules
                                                 : &a->included;
        for (size_t j = 0; j < l->count; j++)
            c[k++] = (struct claim){l->items[j], a->name};
    }
    qsort(c, n, sizeof(*c), cmp_claim);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(c[i].what, c[i - 1].what) != 0 || strcmp(c[i].app, c[i - 1].app) == 0)
            continue;
        if (i >= 2 && strcmp(c[i].what, c[i - 2].what) == 0)
            continue; /* reported with the first pair */
        if (which == 2)
            problem(m, REL_SEVERITY_ERROR, c[i].what,
                    "'%s' is included by both '%s' and '%s' (an application can have one "
                    "including parent)",
                    c[i].what, c[i - 1].app, c[i].app);
        else
            problem(m, REL_SEVERITY_ERROR, c[i].app, "%s '%s' is claimed by both '%s' and '%s'",
                    labels[which], c[i].what, c[i - 1].app, c[i].app);
    }
    free(c);
}

/* ---- candidates: two versions, shadowing -------------------------------------- */

static void check_candidates(struct rel_model *m, const struct rel_project *p)
{
    for (size_t i = 0; i < m->napps; i++) {
        struct rel_model_app *a = &m->apps[i];
        const struct rel_app *c;
        if (from_erts_root(m, a->app))
            continue; /* chosen by include_erts, not by precedence */
        size_t n = rel_project_candidates(p, a->app->name, &c);
        if (n < 2)
            continue;
        struct rel_buf sh = REL_BUF_INIT, same = REL_BUF_INIT;
        for (size_t k = 0; k < n; k++) {
            const struct rel_app *o = &c[k];
            if (o == a->app || (a->app >= m->rewritten && a->app < m->rewritten + m->nrewritten &&
                                strcmp(o->dir, a->app->dir) == 0))
                continue;
            bool same_place =
                o->origin == a->app->origin && o->origin_index == a->app->origin_index;
            if (same_place)
                rel_buf_printf(&same, "%s%s (%s)", same.len ? ", " : "", o->vsn[0] ? o->vsn : "?",
                               o->dir);
            rel_buf_printf(&sh, "%s%s %s", sh.len ? ", " : "", rel_origin_name(o->origin),
                           o->vsn[0] ? o->vsn : "(unreadable)");
        }
        a->shadows = rel_buf_detach(&sh);
        if (same.len)
            problem(m, REL_SEVERITY_WARNING, a->app->name,
                    "two versions of '%s' in %s: using %s (%s); also there: %s", a->app->name,
                    rel_origin_name(a->app->origin), a->app->vsn, a->app->dir, rel_buf_cstr(&same));
        else
            problem(m, REL_SEVERITY_NOTE, a->app->name, "'%s' %s from %s (%s) is used; %s",
                    a->app->name, a->app->vsn, rel_origin_name(a->app->origin), a->app->dir,
                    a->shadows[0] ? "it takes precedence over the others found" : "");
        rel_buf_free(&same);
    }
}

/* ---- the model ------------------------------------------------------------------ */

static int cmp_problem(const void *pa, const void *pb)
{
    const struct rel_problem *a = pa, *b = pb;
    return (int)a->severity - (int)b->severity;
}

static void sort_problems(struct rel_model *m)
{
    /* stable: insertion sort by severity (lists are short) */
    for (size_t i = 1; i < m->nproblems; i++) {
        struct rel_problem x = m->problems[i];
        size_t j = i;
        while (j > 0 && cmp_problem(&m->problems[j - 1], &x) > 0) {
            m->problems[j] = m->problems[j - 1];
            j--;
        }
        m->problems[j] = x;
    }
}

static bool names_meet(const struct rel_names *a, const struct rel_names *b)
{
    for (size_t i = 0; i < a->count; i++)
        if (rel_names_index(b, a->items[i]) >= 0)
            return true;
    return false;
}

/* exclude_apps / exclude_modules: the applications whose .app lists change
 * get a rewritten copy, which the model (boot order, boot script, plan)
 * uses instead, and which the plan ships as their .app. included_applications:
 * the copy's included list is the .rel entry's (a subset of the .app's), as
 * systools uses it; the .app shipped stays the original. */
static void rewrite_apps(struct rel_model *m, const struct rel_config_release *rel)
{
    if (!rel->exclude_apps.count && !rel->nexclude_modules && !rel->nincluded)
        return;
    struct rel_names ex = {rel->exclude_apps.items, rel->exclude_apps.count};
    m->rewritten = rel_calloc(m->napps ? m->napps : 1, sizeof(*m->rewritten));
    for (size_t i = 0; i < m->napps; i++) {
        struct rel_model_app *a = &m->apps[i];
        if (!a->app || a->app->error)
            continue;
        const struct rel_config_strlist *mods = rel_config_excluded_modules(rel, a->app->name);
        const struct rel_config_strlist *inc = rel_config_included_override(rel, a->app->name);
        struct rel_names mn = {mods ? mods->items : NULL, mods ? mods->count : 0};
        struct rel_names in = {inc ? inc->items : NULL, inc ? inc->count : 0};
        for (size_t k = 0; k < in.count; k++)
            if (rel_names_index(&a->app->included, in.items[k]) < 0)
                problem(m, REL_SEVERITY_ERROR, a->app->name,
                        "releases.%s.included_applications.%s: '%s' is not in the "
                        "included_applications of %s",
                        rel->key, a->app->name, in.items[k], a->app->app_file);
        bool edited = names_meet(&a->app->applications, &ex) ||
                      names_meet(&a->app->included, &ex) || names_meet(&a->app->optional, &ex) ||
                      names_meet(&a->app->modules, &mn);
        struct rel_app *copy = &m->rewritten[m->nrewritten];
        int rc = rel_app_copy_without(copy, a->app, &ex, &mn, inc ? &in : NULL);
        if (rc == 1) {
            m->nrewritten++;
            a->app = copy;
            a->rewritten = edited;
            a->rel_included = inc != NULL;
        } else if (rc < 0) {
            problem(m, REL_SEVERITY_ERROR, a->app->name, "%s", rel_error_message());
            rel_error_clear();
        }
    }
    const struct {
        const struct rel_config_app_list *l;
        size_t n;
        const char *key;
    } lists[] = {{rel->exclude_modules, rel->nexclude_modules, "exclude_modules"},
                 {rel->included, rel->nincluded, "included_applications"}};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < lists[k].n; i++)
            if (!rel_model_find(m, lists[k].l[i].app))
                problem(m, REL_SEVERITY_ERROR, lists[k].l[i].app,
                        "releases.%s.%s: '%s' is not an application of the release", rel->key,
                        lists[k].key, lists[k].l[i].app);
}

static void decide_version(struct rel_model *m, const struct rel_project *p,
                           const struct rel_config_release *rel)
{
    const char *from = NULL;
    if (rel_project_release_version(&m->version, &from, p, rel) < 0) {
        problem(m, REL_SEVERITY_ERROR, from, "%s", rel_error_message());
        rel_error_clear();
    }
}

static void decide_erts(struct rel_model *m, const struct rel_project *p,
                        const struct rel_config_release *rel)
{
    if (rel->include_erts == REL_ERTS_PATH) {
        char *path = rel_config_local_path(p->config, rel->erts_path);
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (strncmp(base, "erts-", 5) != 0 || !base[5])
            problem(m, REL_SEVERITY_ERROR, NULL,
                    "releases.%s.include_erts: '%s' is not an erts-VSN directory", rel->name,
                    rel->erts_path);
        else if (!rel_fs_is_dir(path))
            problem(m, REL_SEVERITY_ERROR, NULL, "releases.%s.include_erts: %s does not exist",
                    rel->name, path);
        else if (rel->erts_version && strcmp(rel->erts_version, base + 5) != 0)
            problem(m, REL_SEVERITY_ERROR, NULL,
                    "releases.%s.erts_version: %s is bundled (include_erts), not %s", rel->key,
                    base, rel->erts_version);
        else
            m->erts_version = rel_strdup(base + 5);
        free(path);
        return;
    }
    if (rel->erts_version && rel->include_erts == REL_ERTS_EXCLUDE)
        m->erts_version = rel_strdup(rel->erts_version);
    else if (p->erts_version && rel->erts_version && strcmp(rel->erts_version, p->erts_version))
        problem(m, REL_SEVERITY_ERROR, NULL,
                "releases.%s.erts_version: ERTS %s is bundled (the installed one), not %s: set "
                "include_erts to false, or to an erts-%s directory",
                rel->key, p->erts_version, rel->erts_version, rel->erts_version);
    else if (p->erts_version)
        m->erts_version = rel_strdup(p->erts_version);
    else
        problem(m, REL_SEVERITY_ERROR, NULL,
                "the ERTS version is unknown: no Erlang/OTP installation was found (is 'erl' in "
                "PATH?)");
}

int rel_resolve(struct rel_model **out, const struct rel_project *p,
                const struct rel_config_release *rel)
{
    *out = NULL;
    if (!p->config || !rel)
        return rel_error_set(REL_EINVAL, "no release to resolve");
    struct rel_model *m = rel_calloc(1, sizeof(*m));
    m->project = p;
    m->release = rel;
    m->name = rel_strdup(rel->name);
    struct rs s = {.p = p, .rel = rel, .m = m};
    if (rel->include_erts == REL_ERTS_PATH) {
        /* mix: OTP applications come from the installation of that ERTS */
        char *path = rel_config_local_path(p->config, rel->erts_path);
        char *root = rel_path_dirname(path);
        char *lib = rel_path_join2(root, "lib");
        if (rel_apps_scan(&m->erts_apps, &m->nerts_apps, lib, REL_ORIGIN_OTP) < 0)
            rel_error_clear();
        free(lib);
        free(root);
        free(path);
    }

    if (rel->napps == 0 && !(p->kind == REL_PROJECT_MIX && p->config->app))
        problem(m, REL_SEVERITY_ERROR, NULL,
                "release %s lists no applications (add releases.%s.applications)", rel->name,
                rel->name);
    if (p->kind == REL_PROJECT_MIX)
        resolve_mix(&s);
    else
        resolve_relx(&s);
    for (size_t i = 0; i < m->napps; i++)
        m->apps[i].boot_index = -1;

    if (p->kind == REL_PROJECT_MIX && (rel->exclude_apps.count || rel->nincluded))
        problem(m, REL_SEVERITY_ERROR, NULL,
                "releases.%s.%s: only rebar3 and plain projects have it (relx's; mix release has "
                "no such option)",
                rel->key, rel->exclude_apps.count ? "exclude_apps" : "included_applications");
    rewrite_apps(m, rel);
    report_missing(&s);
    /* who includes whom */
    for (size_t i = 0; i < m->napps; i++)
        for (size_t j = 0; j < m->apps[i].app->included.count; j++) {
            long k = model_index(m, m->apps[i].app->included.items[j]);
            if (k >= 0 && !m->apps[k].included_by)
                m->apps[k].included_by = rel_strdup(m->apps[i].app->name);
        }
    decide_version(m, p, rel);
    decide_erts(m, p, rel);
    check_self_reference(m);
    check_kernel_stdlib(m);
    check_modes(m, rel);
    check_claims(m, 2);
    check_claims(m, 0);
    check_claims(m, 1);
    struct rel_buf cycle = REL_BUF_INIT;
    const char *cycle_app = NULL;
    if (rel_bootorder(m, &cycle, &cycle_app))
        problem(m, REL_SEVERITY_ERROR, cycle_app,
                "dependency cycle: %s (no boot order can satisfy it)", rel_buf_cstr(&cycle));
    rel_buf_free(&cycle);
    check_candidates(m, p);
    for (size_t i = 0; i < rel->nnotes; i++)
        problem(m, REL_SEVERITY_WARNING, NULL, "%s", rel->notes[i].message);
    sort_problems(m);

    for (size_t i = 0; i < s.nnodes; i++) {
        free(s.nodes[i].name);
        free(s.nodes[i].mode_from);
        free(s.nodes[i].parent);
        names_free(&s.nodes[i].needers);
    }
    free(s.nodes);
    free(s.roots);
    for (size_t i = 0; i < s.norder; i++)
        free(s.order[i]);
    free(s.order);
    *out = m;
    return 0;
}

void rel_model_free(struct rel_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->napps; i++) {
        free(m->apps[i].mode_from);
        free(m->apps[i].parent);
        free(m->apps[i].included_by);
        free(m->apps[i].shadows);
    }
    free(m->apps);
    for (size_t i = 0; i < m->nproblems; i++) {
        free(m->problems[i].app);
        free(m->problems[i].message);
    }
    free(m->problems);
    rel_apps_free(m->erts_apps, m->nerts_apps);
    rel_apps_free(m->rewritten, m->nrewritten);
    free(m->boot);
    free(m->name);
    free(m->version);
    free(m->erts_version);
    free(m);
}

size_t rel_model_count(const struct rel_model *m, enum rel_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nproblems; i++)
        n += m->problems[i].severity == sev;
    return n;
}

int rel_model_check(const struct rel_model *m)
{
    size_t n = rel_model_count(m, REL_SEVERITY_ERROR);
    if (!n)
        return 0;
    const struct rel_problem *first = &m->problems[0];
    if (n == 1)
        return rel_error_set(REL_ERESOLVE, "release %s: %s", m->name, first->message);
    return rel_error_set(REL_ERESOLVE,
                         "release %s: %s (and %zu more problems: see 'relman apps %s')", m->name,
                         first->message, n - 1, m->name);
}

int rel_model_rel_term(struct rel_term **out, const struct rel_model *m)
{
    *out = NULL;
    int rc = rel_model_check(m);
    if (rc < 0)
        return rc;
    struct rel_term *list = rel_term_list_new();
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *a = &m->apps[i];
        struct rel_term *name = rel_term_atom(a->app->name);
        struct rel_term *vsn = rel_term_string(a->app->vsn);
        struct rel_term *entry;
        struct rel_term *incl = NULL;
        if (a->rel_included) {
            incl = rel_term_list_new();
            for (size_t j = 0; j < a->app->included.count; j++)
                rel_term_list_append(incl, rel_term_atom(a->app->included.items[j]));
        }
        if (a->rel_type && incl)
            entry = rel_term_tuple(4, name, vsn, rel_term_atom(rel_mode_name(a->mode)), incl);
        else if (a->rel_type)
            entry = rel_term_tuple(3, name, vsn, rel_term_atom(rel_mode_name(a->mode)));
        else if (incl)
            entry = rel_term_tuple(3, name, vsn, incl);
        else
            entry = rel_term_tuple(2, name, vsn);
        rel_term_list_append(list, entry);
    }
    *out = rel_term_tuple(
        4, rel_term_atom("release"),
        rel_term_tuple(2, rel_term_string(m->name), rel_term_string(m->version)),
        rel_term_tuple(2, rel_term_atom("erts"), rel_term_string(m->erts_version)), list);
    return 0;
}
