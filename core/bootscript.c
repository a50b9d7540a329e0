#include "bootscript.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "term.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rel_boot_mandatory[] = {
    "error_handler",
    "application",
    "application_controller",
    "application_master",
    "code",
    "code_server",
    "erl_eval",
    "erl_lint",
    "erl_parse",
    "error_logger",
    "ets",
    "file",
    "filename",
    "file_server",
    "file_io_server",
    "gen",
    "gen_event",
    "gen_server",
    "heart",
    "kernel",
    "logger",
    "logger_filters",
    "logger_server",
    "logger_backend",
    "logger_config",
    "logger_simple_h",
    "lists",
    "proc_lib",
    "supervisor",
};
const size_t rel_boot_nmandatory = sizeof(rel_boot_mandatory) / sizeof(rel_boot_mandatory[0]);

/* What the script needs from one .app, plus the app's dependencies as
 * indices into the .rel list, ordered by .rel position. */
struct app_info {
    const struct rel_boot_app *in;
    const struct rel_term *description, *id, *vsn, *modules, *registered, *optional, *env, *mod,
        *start_phases, *max_t, *max_p;
    size_t *uses, nuses;
    size_t *incls, nincls;
};

static int app_error(const struct rel_boot_app *a, const char *what)
{
    return rel_error_set(REL_EFORMAT, "%s: %s", a->app_file ? a->app_file : a->name, what);
}

static long find_app(const struct rel_boot_app *apps, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(apps[i].name, name) == 0)
            return (long)i;
    return -1;
}

static bool atom_list(const struct rel_term *t)
{
    if (!rel_term_is_list(t))
        return false;
    if (t->kind == REL_TERM_STRING)
        return t->u.str.len == 0;
    if (t->kind == REL_TERM_LIST && t->u.list.tail)
        return false;
    for (size_t i = 0; i < rel_term_list_len(t); i++)
        if (!rel_term_is_atom(rel_term_list_get(t, i), NULL))
            return false;
    return true;
}

static bool name_in(const struct rel_term *list, const char *name)
{
    for (size_t i = 0; i < rel_term_list_len(list); i++)
        if (rel_term_is_atom(rel_term_list_get(list, i), name))
            return true;
    return false;
}

/* Indices (ascending .rel position) of the release apps named in `list`. */
static size_t *positions(size_t *count, const struct rel_term *list,
                         const struct rel_boot_app *apps, size_t n)
{
    size_t *v = rel_calloc(n ? n : 1, sizeof(*v));
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (name_in(list, apps[i].name))
            v[(*count)++] = i;
    return v;
}

static int read_app(struct app_info *ai, const struct rel_boot_app *apps, size_t n, size_t self)
{
    const struct rel_boot_app *a = &apps[self];
    const struct rel_term *t = a->app;
    memset(ai, 0, sizeof(*ai));
    ai->in = a;
    if (!rel_term_is_tagged(t, "application", 3) ||
        !rel_term_is_atom(rel_term_tuple_get(t, 1), a->name))
        return app_error(a, "not an {application, Name, [...]} term for this application");
    const struct rel_term *props = rel_term_tuple_get(t, 2);
    if (!rel_term_is_list(props))
        return app_error(a, "the application's properties are not a list");
    struct {
        const char *key;
        const struct rel_term **slot;
        bool required;
    } keys[] = {
        {"description", &ai->description, true},
        {"vsn", &ai->vsn, true},
        {"id", &ai->id, false},
        {"modules", &ai->modules, true},
        {"registered", &ai->registered, true},
        {"optional_applications", &ai->optional, false},
        {"env", &ai->env, false},
        {"mod", &ai->mod, false},
        {"start_phases", &ai->start_phases, false},
        {"maxT", &ai->max_t, false},
        {"maxP", &ai->max_p, false},
    };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        *keys[k].slot = rel_term_proplist_get(props, keys[k].key);
        if (!*keys[k].slot && keys[k].required) {
            char msg[96];
            snprintf(msg, sizeof(msg), "missing key '%s'", keys[k].key);
            return app_error(a, msg);
        }
    }
    const struct rel_term *deps = rel_term_proplist_get(props, "applications");
    const struct rel_term *incl = rel_term_proplist_get(props, "included_applications");
    if (!deps)
        return app_error(a, "missing key 'applications'");
    if (!atom_list(deps) || !atom_list(ai->modules) || !atom_list(ai->registered) ||
        (incl && !atom_list(incl)) || (ai->optional && !atom_list(ai->optional)))
        return app_error(a, "applications, modules, registered and included_applications "
                            "must be lists of atoms");
    char *vsn = rel_term_to_cstring(ai->vsn);
    bool same = vsn && strcmp(vsn, a->vsn) == 0;
    free(vsn);
    if (!same) {
        char msg[160];
        snprintf(msg, sizeof(msg), "vsn is not \"%s\" as the release says", a->vsn);
        return app_error(a, msg);
    }
    if (ai->mod && !rel_term_is_list(ai->mod) &&
        !(ai->mod->kind == REL_TERM_TUPLE && rel_term_tuple_size(ai->mod) == 2 &&
          rel_term_is_atom(rel_term_tuple_get(ai->mod, 0), NULL)))
        return app_error(a, "mod must be {Module, Args}");
    /* Every required dependency must be in the release. */
    for (size_t i = 0; i < rel_term_list_len(deps); i++) {
        const char *dep = rel_term_atom_name(rel_term_list_get(deps, i));
        if (find_app(apps, n, dep) < 0 && !(ai->optional && name_in(ai->optional, dep)))
            return rel_error_set(REL_ERESOLVE, "%s depends on %s, which is not in the release",
                                 a->name, dep);
    }
    for (size_t i = 0; incl && i < rel_term_list_len(incl); i++) {
        const char *dep = rel_term_atom_name(rel_term_list_get(incl, i));
        if (find_app(apps, n, dep) < 0)
            return rel_error_set(REL_ERESOLVE, "%s includes %s, which is not in the release",
                                 a->name, dep);
    }
    ai->uses = positions(&ai->nuses, deps, apps, n);
    ai->incls = positions(&ai->nincls, incl, apps, n);
    return 0;
}

static bool idx_in(const size_t *v, size_t n, size_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* An ordered list of app indices (the working list of the sort). */
struct ilist {
    size_t *v;
    size_t n;
};

static long ilist_find(const struct ilist *l, size_t x)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == x)
            return (long)i;
    return -1;
}

static void ilist_remove_at(struct ilist *l, size_t at)
{
    memmove(l->v + at, l->v + at + 1, (l->n - at - 1) * sizeof(*l->v));
    l->n--;
}

/*
 * systools' find_all: walk `names` backwards, taking from `rest` every app
 * that is there (unless it includes `checking`), so that `found` ends up in
 * the order of `names`. Names neither in `rest` nor visited are missing.
 */
static void find_all(struct ilist *found, struct ilist *rest, size_t *missing, size_t *nmissing,
                     size_t checking, const size_t *names, size_t nnames, const struct app_info *ai,
                     const bool *visited)
{
    found->n = 0;
    for (size_t k = nnames; k-- > 0;) {
        size_t x = names[k];
        long at = ilist_find(rest, x);
        if (at >= 0 && !idx_in(ai[x].incls, ai[x].nincls, checking)) {
            ilist_remove_at(rest, (size_t)at);
            memmove(found->v + 1, found->v, found->n * sizeof(*found->v));
            found->v[0] = x;
            found->n++;
        } else if (!visited[x] && !idx_in(missing, *nmissing, x)) {
            missing[(*nmissing)++] = x;
        }
    }
}

static int sort_apps(size_t *order, const struct app_info *ai, size_t n)
{
    /* The working list can grow by at most n per step; n*(n+1) bounds it. */
    size_t cap = n * (n + 2) + 1;
    struct ilist list = {rel_calloc(cap, sizeof(size_t)), n};
    struct ilist uses = {rel_calloc(n + 1, sizeof(size_t)), 0};
    struct ilist incs = {rel_calloc(n + 1, sizeof(size_t)), 0};
    size_t *missing = rel_calloc(n + 1, sizeof(size_t));
    size_t nmissing = 0;
    bool *visited = rel_calloc(n + 1, sizeof(bool));
    bool *circular = rel_calloc(n + 1, sizeof(bool));
    bool any_circular = false;
    size_t emitted = 0, steps = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        list.v[i] = i;
    while (list.n > 0) {
        if (++steps > 4 * n * n + 16) {
            rc = rel_error_set(REL_ERESOLVE, "cannot order the applications (internal limit)");
            goto cleanup;
        }
        size_t self = list.v[0];
        struct ilist rest = {list.v + 1, list.n - 1};
        find_all(&uses, &rest, missing, &nmissing, self, ai[self].uses, ai[self].nuses, ai,
                 visited);
        find_all(&incs, &rest, missing, &nmissing, self, ai[self].incls, ai[self].nincls, ai,
                 visited);
        if (uses.n + incs.n == 0) {
            order[emitted++] = self;
            visited[self] = true;
            memmove(list.v, list.v + 1, rest.n * sizeof(size_t));
            list.n = rest.n;
            continue;
        }
        /* Those apps must come before `self`: put them in front and retry. */
        size_t before[2 * n + 2], nb = 0;
        for (size_t i = 0; i < uses.n; i++)
            before[nb++] = uses.v[i];
        for (size_t i = 0; i < incs.n; i++)
            before[nb++] = incs.v[i];
        size_t keep = 0;
        for (size_t i = 0; i < nb; i++) {
            if (visited[before[i]]) {
                circular[before[i]] = circular[self] = true;
                any_circular = true;
            } else {
                before[keep++] = before[i];
            }
        }
        visited[self] = true;
        size_t *nv = rel_calloc(cap, sizeof(size_t));
        size_t nn = 0;
        for (size_t i = 0; i < keep; i++)
            nv[nn++] = before[i];
        nv[nn++] = self;
        for (size_t i = 0; i < rest.n; i++)
            nv[nn++] = rest.v[i];
        if (nn > cap) {
            free(nv);
            rc = rel_error_set(REL_ERESOLVE, "cannot order the applications (internal limit)");
            goto cleanup;
        }
        free(list.v);
        list.v = nv;
        list.n = nn;
    }
    if (any_circular || nmissing) {
        struct rel_buf msg = REL_BUF_INIT;
        rel_buf_puts(&msg, any_circular ? "circular dependencies among applications:"
                                        : "applications missing from the release:");
        for (size_t i = 0; i < n; i++)
            if ((any_circular && circular[i]) || (!any_circular && idx_in(missing, nmissing, i)))
                rel_buf_printf(&msg, " %s", ai[i].in->name);
        rc = rel_error_set(REL_ERESOLVE, "%s", rel_buf_cstr(&msg));
        rel_buf_free(&msg);
    }
cleanup:
    free(list.v);
    free(uses.v);
    free(incs.v);
    free(missing);
    free(visited);
    free(circular);
    return rc;
}

static void free_infos(struct app_info *ai, size_t n)
{
    for (size_t i = 0; ai && i < n; i++) {
        free(ai[i].uses);
        free(ai[i].incls);
    }
    free(ai);
}

static int read_all(struct app_info **out, const struct rel_boot_app *apps, size_t n)
{
    struct app_info *ai = rel_calloc(n ? n : 1, sizeof(*ai));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(apps[i].name, apps[j].name) == 0) {
                free_infos(ai, i);
                return rel_error_set(REL_ERESOLVE, "%s is listed twice in the release",
                                     apps[i].name);
            }
        int rc = read_app(&ai[i], apps, n, i);
        if (rc) {
            free_infos(ai, i + 1);
            return rc;
        }
    }
    *out = ai;
    return 0;
}

int rel_boot_order(size_t *order, const struct rel_boot_app *apps, size_t napps)
{
    struct app_info *ai;
    int rc = read_all(&ai, apps, napps);
    if (rc)
        return rc;
    rc = sort_apps(order, ai, napps);
    free_infos(ai, napps);
    return rc;
}

/* ---- building the script ----------------------------------------------- */

static struct rel_term *atom(const char *s)
{
    return rel_term_atom(s);
}

static struct rel_term *tup2(struct rel_term *a, struct rel_term *b)
{
    return rel_term_tuple(2, a, b);
}

static struct rel_term *clone_or(const struct rel_term *t, struct rel_term *dflt)
{
    if (t) {
        rel_term_free(dflt);
        return rel_term_clone(t);
    }
    return dflt;
}

static struct rel_term *names_list(const struct app_info *ai, const size_t *idx, size_t n)
{
    struct rel_term *l = rel_term_list_new();
    for (size_t i = 0; i < n; i++)
        rel_term_list_append(l, atom(ai[idx[i]].in->name));
    return l;
}

/* systools' pack_app: the application term given to application:load. */
static struct rel_term *pack_app(const struct app_info *ai, const struct app_info *all)
{
    struct rel_term *p = rel_term_list_new();
    rel_term_list_append(p, tup2(atom("description"), rel_term_clone(ai->description)));
    rel_term_list_append(p, tup2(atom("vsn"), rel_term_clone(ai->vsn)));
    rel_term_list_append(p, tup2(atom("id"), clone_or(ai->id, rel_term_list_new())));
    rel_term_list_append(p, tup2(atom("modules"), rel_term_clone(ai->modules)));
    rel_term_list_append(p, tup2(atom("registered"), rel_term_clone(ai->registered)));
    rel_term_list_append(p, tup2(atom("applications"), names_list(all, ai->uses, ai->nuses)));
    rel_term_list_append(
        p, tup2(atom("optional_applications"), clone_or(ai->optional, rel_term_list_new())));
    rel_term_list_append(
        p, tup2(atom("included_applications"), names_list(all, ai->incls, ai->nincls)));
    rel_term_list_append(p, tup2(atom("env"), clone_or(ai->env, rel_term_list_new())));
    rel_term_list_append(p, tup2(atom("maxT"), clone_or(ai->max_t, atom("infinity"))));
    rel_term_list_append(p, tup2(atom("maxP"), clone_or(ai->max_p, atom("infinity"))));
    if (ai->start_phases && !rel_term_is_atom(ai->start_phases, "undefined"))
        rel_term_list_append(p, tup2(atom("start_phases"), rel_term_clone(ai->start_phases)));
    if (ai->mod && !rel_term_is_list(ai->mod))
        rel_term_list_append(p, tup2(atom("mod"), rel_term_clone(ai->mod)));
    return rel_term_tuple(3, atom("application"), atom(ai->in->name), p);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool str_in(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* Append `s` to the path list unless it is there already (make_set). */
static void path_add(struct rel_term *paths, const char *s)
{
    for (size_t i = 0; i < rel_term_list_len(paths); i++) {
        char *have = rel_term_to_cstring(rel_term_list_get(paths, i));
        bool same = have && strcmp(have, s) == 0;
        free(have);
        if (same)
            return;
    }
    rel_term_list_append(paths, rel_term_string(s));
}

/* {path, Ps}, with the consolidated dir in front when a $RELEASE_LIB entry
 * is among Ps (what mix does to every path instruction). */
static struct rel_term *path_instr(struct rel_term *paths, const char *consolidated)
{
    if (consolidated) {
        bool release_lib = false;
        for (size_t i = 0; i < rel_term_list_len(paths); i++) {
            char *p = rel_term_to_cstring(rel_term_list_get(paths, i));
            if (p && strncmp(p, "$RELEASE_LIB", 12) == 0)
                release_lib = true;
            free(p);
        }
        if (release_lib) {
            struct rel_term *l = rel_term_list_new();
            rel_term_list_append(l, rel_term_string(consolidated));
            for (size_t i = 0; i < rel_term_list_len(paths); i++)
                rel_term_list_append(l, rel_term_clone(rel_term_list_get(paths, i)));
            rel_term_free(paths);
            paths = l;
        }
    }
    return tup2(atom("path"), paths);
}

int rel_boot_make(struct rel_term **out, const struct rel_boot_spec *spec)
{
    *out = NULL;
    size_t n = spec->napps;
    if (find_app(spec->apps, n, "kernel") < 0 || find_app(spec->apps, n, "stdlib") < 0)
        return rel_error_set(REL_ERESOLVE, "a release must contain kernel and stdlib");
    struct app_info *ai;
    int rc = read_all(&ai, spec->apps, n);
    if (rc)
        return rc;
    size_t *order = rel_calloc(n, sizeof(*order));
    if ((rc = sort_apps(order, ai, n)) < 0) {
        free(order);
        free_infos(ai, n);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        enum rel_mode m = ai[order[i]].in->mode;
        bool kernel_or_stdlib = strcmp(ai[order[i]].in->name, "kernel") == 0 ||
                                strcmp(ai[order[i]].in->name, "stdlib") == 0;
        if (kernel_or_stdlib && m != REL_MODE_PERMANENT) {
            rc = rel_error_set(REL_ERESOLVE, "%s must be permanent in a release, not %s",
                               ai[order[i]].in->name, rel_mode_name(m));
            free(order);
            free_infos(ai, n);
            return rc;
        }
    }

    struct rel_term *ins = rel_term_list_new();
    const char **pre = rel_calloc(spec->npreloaded + 1, sizeof(*pre));
    for (size_t i = 0; i < spec->npreloaded; i++)
        pre[i] = spec->preloaded[i];
    qsort(pre, spec->npreloaded, sizeof(*pre), str_cmp);
    struct rel_term *prel = rel_term_list_new();
    for (size_t i = 0; i < spec->npreloaded; i++)
        if (i == 0 || strcmp(pre[i], pre[i - 1]) != 0)
            rel_term_list_append(prel, atom(pre[i]));
    rel_term_list_append(ins, tup2(atom("preLoaded"), prel));
    rel_term_list_append(ins, tup2(atom("progress"), atom("preloaded")));

    struct rel_term *mand_path = rel_term_list_new();
    for (size_t i = 0; i < n; i++) {
        const struct rel_boot_app *a = ai[order[i]].in;
        if (strcmp(a->name, "kernel") == 0 || strcmp(a->name, "stdlib") == 0)
            path_add(mand_path, a->ebin);
    }
    rel_term_list_append(ins, path_instr(mand_path, spec->consolidated));
    struct rel_term *mand = rel_term_list_new();
    for (size_t i = 0; i < rel_boot_nmandatory; i++)
        rel_term_list_append(mand, atom(rel_boot_mandatory[i]));
    rel_term_list_append(ins, tup2(atom("primLoad"), mand));
    rel_term_list_append(ins, rel_term_tuple(1, atom("kernel_load_completed")));
    rel_term_list_append(ins, tup2(atom("progress"), atom("kernel_load_completed")));

    for (size_t i = 0; i < n; i++) {
        const struct app_info *x = &ai[order[i]];
        struct rel_term *p = rel_term_list_new();
        rel_term_list_append(p, rel_term_string(x->in->ebin));
        rel_term_list_append(ins, path_instr(p, spec->consolidated));
        size_t nm = rel_term_list_len(x->modules), k = 0;
        const char **mods = rel_calloc(nm + 1, sizeof(*mods));
        for (size_t j = 0; j < nm; j++) {
            const char *m = rel_term_atom_name(rel_term_list_get(x->modules, j));
            if (!str_in(rel_boot_mandatory, rel_boot_nmandatory, m) &&
                !str_in(pre, spec->npreloaded, m))
                mods[k++] = m;
        }
        qsort(mods, k, sizeof(*mods), str_cmp);
        struct rel_term *ml = rel_term_list_new();
        for (size_t j = 0; j < k; j++)
            rel_term_list_append(ml, atom(mods[j]));
        free(mods);
        rel_term_list_append(ins, tup2(atom("primLoad"), ml));
    }
    rel_term_list_append(ins, tup2(atom("progress"), atom("modules_loaded")));

    struct rel_term *all = rel_term_list_new();
    for (size_t i = 0; i < n; i++)
        path_add(all, ai[order[i]].in->ebin);
    rel_term_list_append(ins, path_instr(all, spec->consolidated));

    rel_term_list_append(
        ins, rel_term_tuple(3, atom("kernelProcess"), atom("heart"),
                            rel_term_tuple(3, atom("heart"), atom("start"), rel_term_list_new())));
    rel_term_list_append(ins,
                         rel_term_tuple(3, atom("kernelProcess"), atom("logger"),
                                        rel_term_tuple(3, atom("logger_server"), atom("start_link"),
                                                       rel_term_list_new())));
    const struct app_info *kernel = &ai[find_app(spec->apps, n, "kernel")];
    struct rel_term *kargs = rel_term_list_new();
    rel_term_list_append(kargs, pack_app(kernel, ai));
    rel_term_list_append(
        ins,
        rel_term_tuple(3, atom("kernelProcess"), atom("application_controller"),
                       rel_term_tuple(3, atom("application_controller"), atom("start"), kargs)));
    rel_term_list_append(ins, tup2(atom("progress"), atom("init_kernel_started")));

    for (size_t i = 0; i < n; i++) {
        const struct app_info *x = &ai[order[i]];
        if (x == kernel || x->in->mode == REL_MODE_NONE)
            continue;
        struct rel_term *args = rel_term_list_new();
        rel_term_list_append(args, pack_app(x, ai));
        rel_term_list_append(
            ins, tup2(atom("apply"), rel_term_tuple(3, atom("application"), atom("load"), args)));
    }
    rel_term_list_append(ins, tup2(atom("progress"), atom("applications_loaded")));

    for (size_t i = 0; i < n; i++) {
        const struct app_info *x = &ai[order[i]];
        bool included = false;
        for (size_t j = 0; j < n; j++)
            if (idx_in(ai[j].incls, ai[j].nincls, order[i]))
                included = true;
        if (included || x->in->mode == REL_MODE_LOAD || x->in->mode == REL_MODE_NONE)
            continue;
        struct rel_term *args = rel_term_list_new();
        rel_term_list_append(args, atom(x->in->name));
        rel_term_list_append(args, atom(rel_mode_name(x->in->mode)));
        rel_term_list_append(ins, tup2(atom("apply"), rel_term_tuple(3, atom("application"),
                                                                     atom("start_boot"), args)));
        if (spec->config_provider && strcmp(x->in->name, "stdlib") == 0)
            rel_term_list_append(
                ins, tup2(atom("apply"), rel_term_tuple(3, atom("Elixir.Config.Provider"),
                                                        atom("boot"), rel_term_list_new())));
    }
    if (!spec->no_dot_erlang)
        rel_term_list_append(ins, tup2(atom("apply"), rel_term_tuple(3, atom("c"), atom("erlangrc"),
                                                                     rel_term_list_new())));
    rel_term_list_append(ins, tup2(atom("progress"), atom("started")));

    *out = rel_term_tuple(3, atom("script"),
                          tup2(rel_term_string(spec->name), rel_term_string(spec->vsn)), ins);
    free(pre);
    free(order);
    free_infos(ai, n);
    return 0;
}

int rel_boot_read_preloaded(char ***out, size_t *count, const char *otp_root, const char *erts_vsn)
{
    /* erts.app's module list is incomplete (OTP 25 leaves out erl_tracer and
     * others); the .beam files of erts' ebin are exactly the preloaded
     * modules, which is what systools takes from the running VM. */
    *out = NULL;
    *count = 0;
    char *dir = rel_asprintf("%s/lib/erts-%s/ebin", otp_root, erts_vsn);
    DIR *d = opendir(dir);
    if (!d) {
        int rc = rel_error_set_errno(REL_ENOTFOUND, errno, "cannot read %s", dir);
        free(dir);
        return rc;
    }
    char **v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".beam") == 0) {
            v = rel_reallocarray(v, n + 1, sizeof(*v));
            v[n++] = rel_strndup(de->d_name, len - 5);
        }
    }
    closedir(d);
    if (n == 0) {
        int rc = rel_error_set(REL_ENOTFOUND, "%s: no preloaded modules (.beam files)", dir);
        free(dir);
        free(v);
        return rc;
    }
    qsort(v, n, sizeof(*v), str_cmp);
    free(dir);
    *out = v;
    *count = n;
    return 0;
}

void rel_boot_free_strings(char **v, size_t count)
{
    for (size_t i = 0; v && i < count; i++)
        free(v[i]);
    free(v);
}
