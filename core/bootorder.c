/*
 * bootorder.c - the boot order of a release, computed step by step as OTP 25
 * sasl's systools_make.erl does (add_top_apps_to_uses,
 * sort_used_and_incl_appls, sort_appls; read, not copied), so relman's boot
 * script starts applications in the order systools' would (see bootorder.h).
 */
#include "bootorder.h"

#include "alloc.h"
#include "buf.h"
#include "project.h"
#include "resolve.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sapp {
    const char *name;
    struct rel_names uses; /* borrowed strings (from the project) */
    struct rel_names incs;
    const struct rel_names *optional;
};

static void bnames_push(struct rel_names *n, char *s)
{
    n->items = rel_reallocarray(n->items, n->count + 1, sizeof(char *));
    n->items[n->count++] = s;
}

static void bnames_remove_first(struct rel_names *n, const char *s)
{
    long i = rel_names_index(n, s);
    if (i < 0)
        return;
    memmove(&n->items[i], &n->items[i + 1], (n->count - (size_t)i - 1) * sizeof(char *));
    n->count--;
}

/* The application including `app` (first such), or NULL. */
static const char *includer_of(struct sapp *apps, size_t n, const char *app)
{
    for (size_t i = 0; i < n; i++)
        if (rel_names_index(&apps[i].incs, app) >= 0)
            return apps[i].name;
    return NULL;
}

static const char *top_app(struct sapp *apps, size_t n, const char *app)
{
    for (size_t guard = 0; guard <= n; guard++) {
        const char *t = includer_of(apps, n, app);
        if (!t)
            return app;
        app = t;
    }
    return app;
}

static long rel_pos(const struct rel_model *m, const char *name)
{
    const struct rel_model_app *a = rel_model_find(m, name);
    return a ? (long)(a - m->apps) : -1;
}

/* Stable sort of names by .rel position; names not in the .rel go last. */
static void sort_by_rel(const struct rel_model *m, struct rel_names *l)
{
    if (l->count < 2)
        return;
    for (size_t i = 1; i < l->count; i++) {
        char *x = l->items[i];
        long px = rel_pos(m, x);
        if (px < 0)
            px = (long)m->napps + 1;
        size_t j = i;
        while (j > 0) {
            long py = rel_pos(m, l->items[j - 1]);
            if (py < 0)
                py = (long)m->napps + 1;
            if (py <= px)
                break;
            l->items[j] = l->items[j - 1];
            j--;
        }
        l->items[j] = x;
    }
}

static bool visited_has(const size_t *visited, size_t nv, size_t app)
{
    for (size_t i = 0; i < nv; i++)
        if (visited[i] == app)
            return true;
    return false;
}

/* One find_all of systools: take from `list` the applications `checking`
 * needs (in `names` order), appending them to `found`. Names neither in the
 * list nor visited are "not found" (missing). */
static void find_all(struct sapp *apps, size_t checking, const struct rel_names *names,
                     size_t *list, size_t *nlist, const size_t *visited, size_t nv, size_t *found,
                     size_t *nfound, struct rel_names *notfound)
{
    for (size_t k = 0; k < names->count; k++) {
        const char *name = names->items[k];
        long pos = -1;
        for (size_t i = 0; i < *nlist; i++)
            if (strcmp(apps[list[i]].name, name) == 0) {
                pos = (long)i;
                break;
            }
        bool was_visited = false;
        for (size_t i = 0; i < nv; i++)
            was_visited |= strcmp(apps[visited[i]].name, name) == 0;
        if (pos >= 0) {
            size_t app = list[pos];
            if (rel_names_index(&apps[app].incs, apps[checking].name) >= 0) {
                /* X includes Y, Y uses X: allowed */
                if (!was_visited)
                    bnames_push(notfound, (char *)name);
            } else {
                memmove(&list[pos], &list[pos + 1], (*nlist - (size_t)pos - 1) * sizeof(size_t));
                (*nlist)--;
                found[(*nfound)++] = app;
            }
        } else if (!was_visited) {
            bnames_push(notfound, (char *)name);
        }
    }
}

/* A cycle through `start` in the uses/includes graph, as "a -> b -> a". */
static bool cycle_path(struct sapp *apps, size_t n, size_t at, size_t start, size_t *stack,
                       size_t depth, unsigned char *onpath, struct rel_buf *out)
{
    stack[depth] = at;
    onpath[at] = 1;
    const struct rel_names *lists[] = {&apps[at].uses, &apps[at].incs};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            long next = -1;
            for (size_t j = 0; j < n; j++)
                if (strcmp(apps[j].name, lists[l]->items[i]) == 0)
                    next = (long)j;
            if (next < 0)
                continue;
            if ((size_t)next == start) {
                for (size_t d = 0; d <= depth; d++)
                    rel_buf_printf(out, "%s -> ", apps[stack[d]].name);
                rel_buf_puts(out, apps[start].name);
                return true;
            }
            if (!onpath[next] && depth + 1 < n &&
                cycle_path(apps, n, (size_t)next, start, stack, depth + 1, onpath, out))
                return true;
        }
    return false;
}

bool rel_bootorder(struct rel_model *m, struct rel_buf *cycle, const char **cycle_app)
{
    size_t n = m->napps;
    if (!n)
        return false;
    struct sapp *apps = rel_calloc(n, sizeof(*apps));
    for (size_t i = 0; i < n; i++) {
        const struct rel_app *a = m->apps[i].app;
        apps[i].name = a->name;
        apps[i].optional = &a->optional;
        for (size_t j = 0; j < a->applications.count; j++)
            bnames_push(&apps[i].uses, a->applications.items[j]);
        for (size_t j = 0; j < a->included.count; j++)
            bnames_push(&apps[i].incs, a->included.items[j]);
    }
    /* add_top_apps_to_uses */
    for (size_t i = 0; i < n; i++) {
        const char *mytop = top_app(apps, n, apps[i].name);
        struct rel_names orig = apps[i].uses;
        struct rel_names acc = {0};
        for (size_t j = 0; j < orig.count; j++)
            bnames_push(&acc, orig.items[j]);
        for (size_t j = 0; j < orig.count; j++) {
            const char *used = orig.items[j];
            if (strcmp(used, mytop) == 0) {
                bnames_remove_first(&acc, mytop);
                continue;
            }
            const char *dep = includer_of(apps, n, used);
            if (!dep)
                continue;
            const char *usedtop = top_app(apps, n, dep);
            if (rel_names_index(&acc, usedtop) >= 0)
                bnames_remove_first(&acc, used);
            else if (strcmp(usedtop, mytop) == 0)
                continue;
            else {
                bnames_remove_first(&acc, used);
                bnames_push(&acc, (char *)usedtop);
            }
        }
        free(orig.items);
        apps[i].uses = acc;
    }
    /* sort_used_and_incl_appls */
    for (size_t i = 0; i < n; i++) {
        sort_by_rel(m, &apps[i].incs);
        sort_by_rel(m, &apps[i].uses);
    }
    /* sort_appls */
    size_t *list = rel_calloc(n * 2 + 1, sizeof(size_t));
    size_t *tmp = rel_calloc(n * 2 + 1, sizeof(size_t));
    size_t *found = rel_calloc(n + 1, sizeof(size_t));
    size_t guard = 0, limit = n * (n + 2) + 10;
    size_t *visited = rel_calloc(limit + 1, sizeof(size_t));
    size_t *out = rel_calloc(n + 1, sizeof(size_t));
    unsigned char *circular = rel_calloc(n, 1);
    size_t nlist = n, nv = 0, nout = 0;
    bool any_circular = false;
    for (size_t i = 0; i < n; i++)
        list[i] = i;
    while (nlist > 0 && guard++ < limit) {
        size_t head = list[0];
        memmove(list, list + 1, (nlist - 1) * sizeof(size_t));
        nlist--;
        struct rel_names ruses = {0}, rincs = {0}, notfound = {0};
        for (size_t j = apps[head].uses.count; j > 0; j--)
            bnames_push(&ruses, apps[head].uses.items[j - 1]);
        for (size_t j = apps[head].incs.count; j > 0; j--)
            bnames_push(&rincs, apps[head].incs.items[j - 1]);
        /* found is built by prepending in systools: collect, then reverse */
        size_t nfu = 0, nfi = 0;
        find_all(apps, head, &ruses, list, &nlist, visited, nv, found, &nfu, &notfound);
        size_t *found_incs = found + nfu;
        find_all(apps, head, &rincs, list, &nlist, visited, nv, found_incs, &nfi, &notfound);
        free(ruses.items);
        free(rincs.items);
        free(notfound.items); /* missing ones were reported by resolution */
        if (nfu + nfi == 0) {
            out[nout++] = head;
            visited[nv++] = head;
            continue;
        }
        /* L = Uses ++ Incs, each in original order (they were prepended) */
        size_t nl = 0;
        for (size_t j = nfu; j > 0; j--)
            tmp[nl++] = found[j - 1];
        for (size_t j = nfi; j > 0; j--)
            tmp[nl++] = found_incs[j - 1];
        /* those already visited make a cycle */
        size_t keep = 0;
        bool cyc = false;
        for (size_t j = 0; j < nl; j++) {
            if (visited_has(visited, nv, tmp[j])) {
                circular[tmp[j]] = 1;
                cyc = true;
            } else {
                tmp[keep++] = tmp[j];
            }
        }
        if (cyc) {
            circular[head] = 1;
            any_circular = true;
        }
        /* Apps = L ++ [N | T2] */
        tmp[keep++] = head;
        for (size_t j = 0; j < nlist; j++)
            tmp[keep++] = list[j];
        size_t nn = 0;
        for (size_t j = 0; j < keep; j++) {
            bool dup = false;
            for (size_t q = 0; q < nn; q++)
                dup |= list[q] == tmp[j];
            if (!dup && !(circular[tmp[j]] && tmp[j] != head && visited_has(visited, nv, tmp[j])))
                list[nn++] = tmp[j];
        }
        nlist = nn;
        visited[nv++] = head;
    }
    if (any_circular) {
        for (size_t i = 0; i < n; i++) {
            if (!circular[i])
                continue;
            size_t *stack = rel_calloc(n + 1, sizeof(size_t));
            unsigned char *onpath = rel_calloc(n, 1);
            if (!cycle_path(apps, n, i, i, stack, 0, onpath, cycle))
                rel_buf_printf(cycle, "%s", apps[i].name);
            *cycle_app = apps[i].name;
            free(stack);
            free(onpath);
            break;
        }
    } else if (nout == n) {
        m->boot = rel_calloc(n, sizeof(size_t));
        m->nboot = n;
        for (size_t i = 0; i < n; i++) {
            m->boot[i] = out[i];
            m->apps[out[i]].boot_index = (int)i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(apps[i].uses.items);
        free(apps[i].incs.items);
    }
    free(apps);
    free(list);
    free(tmp);
    free(found);
    free(visited);
    free(out);
    free(circular);
    return any_circular;
}
