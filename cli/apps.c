/*
 * apps.c - `relman apps [REL] [--json]`: the resolved applications of a
 * release, problems first.
 */
#include "cli.h"
#include "load.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/project.h"
#include "core/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "needed by kv_server", "included by x", "root", ... */
static void why_text(struct rel_buf *b, const struct rel_model *m, const struct rel_model_app *a)
{
    switch (a->why) {
    case REL_WHY_ROOT:
        rel_buf_puts(b, "root");
        break;
    case REL_WHY_IMPLICIT:
        rel_buf_printf(b, "implicit root (%s)",
                       m->project->kind == REL_PROJECT_MIX ? "mix release" : "relx");
        break;
    case REL_WHY_DEPENDENCY:
        rel_buf_printf(b, "needed by %s", a->parent ? a->parent : "?");
        break;
    case REL_WHY_INCLUDED:
        rel_buf_printf(b, "included by %s", a->parent ? a->parent : "?");
        break;
    }
    if (a->mode_source == REL_MODE_SOURCE_INHERITED && a->mode_from &&
        (!a->parent || strcmp(a->mode_from, a->parent) != 0))
        rel_buf_printf(b, "; mode from %s", a->mode_from);
    if (a->included_by && a->why != REL_WHY_INCLUDED)
        rel_buf_printf(b, "; included by %s", a->included_by);
}

static void source_text(struct rel_buf *b, const struct rel_model_app *a)
{
    rel_buf_puts(b, rel_origin_name(a->app->origin));
    if (a->shadows && a->shadows[0])
        rel_buf_printf(b, " (over %s)", a->shadows);
}

static int print_json(const struct rel_model *m)
{
    const struct rel_project *p = m->project;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json j;
    rel_json_init(&j, &out, true);
    rel_json_object_begin(&j);
    rel_json_kv_string(&j, "release", m->name);
    rel_json_kv_string(&j, "version", m->version);
    rel_json_kv_string(&j, "erts_version", m->erts_version);
    rel_json_kv_string(&j, "kind", rel_project_kind_name(p->kind));
    rel_json_kv_bool(&j, "ok", rel_model_count(m, REL_SEVERITY_ERROR) == 0);
    rel_json_key(&j, "problems");
    rel_json_array_begin(&j);
    for (size_t i = 0; i < m->nproblems; i++) {
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "severity", rel_severity_name(m->problems[i].severity));
        rel_json_kv_string(&j, "application", m->problems[i].app);
        rel_json_kv_string(&j, "message", m->problems[i].message);
        rel_json_object_end(&j);
    }
    rel_json_array_end(&j);
    rel_json_key(&j, "applications");
    rel_json_array_begin(&j);
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *a = &m->apps[i];
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "name", a->app->name);
        rel_json_kv_string(&j, "version", a->app->vsn);
        rel_json_kv_string(&j, "mode", rel_mode_name(a->mode));
        rel_json_kv_string(&j, "mode_source", rel_mode_source_name(a->mode_source));
        rel_json_kv_string(&j, "mode_from", a->mode_from);
        rel_json_kv_string(&j, "source", rel_origin_name(a->app->origin));
        rel_json_kv_string(&j, "dir", a->app->dir);
        rel_json_kv_string(&j, "why", rel_why_name(a->why));
        rel_json_kv_string(&j, "parent", a->parent);
        rel_json_kv_string(&j, "included_by", a->included_by);
        rel_json_key(&j, "included_applications");
        rel_json_array_begin(&j);
        for (size_t k = 0; k < a->app->included.count; k++)
            rel_json_string(&j, a->app->included.items[k]);
        rel_json_array_end(&j);
        rel_json_key(&j, "optional_applications");
        rel_json_array_begin(&j);
        for (size_t k = 0; k < a->app->optional.count; k++)
            rel_json_string(&j, a->app->optional.items[k]);
        rel_json_array_end(&j);
        rel_json_kv_string(&j, "also_found", a->shadows && a->shadows[0] ? a->shadows : NULL);
        if (a->boot_index >= 0)
            rel_json_kv_int(&j, "boot_index", a->boot_index);
        else
            rel_json_kv_string(&j, "boot_index", NULL);
        rel_json_object_end(&j);
    }
    rel_json_array_end(&j);
    rel_json_key(&j, "boot_order");
    if (m->boot) {
        rel_json_array_begin(&j);
        for (size_t i = 0; i < m->nboot; i++)
            rel_json_string(&j, m->apps[m->boot[i]].app->name);
        rel_json_array_end(&j);
    } else {
        rel_json_null(&j);
    }
    rel_json_object_end(&j);
    int rc = rel_json_finish(&j);
    if (rc == 0)
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    return rc;
}

static void print_text(const struct rel_model *m)
{
    const struct rel_project *p = m->project;
    printf("release %s %s (%s project; erts %s%s%s)\n", m->name, m->version ? m->version : "?",
           rel_project_kind_name(p->kind), m->erts_version ? m->erts_version : "?",
           p->elixir_version ? ", elixir " : "", p->elixir_version ? p->elixir_version : "");
    if (m->nproblems) {
        printf("\n");
        for (size_t i = 0; i < m->nproblems; i++)
            printf("%s: %s\n", rel_severity_name(m->problems[i].severity), m->problems[i].message);
    }
    size_t wn = 4, wv = 7, wm = 4, ws = 6;
    bool any_explicit = false;
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *a = &m->apps[i];
        struct rel_buf s = REL_BUF_INIT;
        source_text(&s, a);
        if (strlen(a->app->name) > wn)
            wn = strlen(a->app->name);
        if (strlen(a->app->vsn) > wv)
            wv = strlen(a->app->vsn);
        if (strlen(rel_mode_name(a->mode)) + 1 > wm)
            wm = strlen(rel_mode_name(a->mode)) + 1;
        if (s.len > ws)
            ws = s.len;
        rel_buf_free(&s);
        any_explicit |= a->mode_source == REL_MODE_SOURCE_EXPLICIT;
    }
    printf("\n%-*s  %-*s  %-*s  %-*s  %s\n", (int)wn, "NAME", (int)wv, "VERSION", (int)wm, "MODE",
           (int)ws, "SOURCE", "WHY");
    for (size_t i = 0; i < m->napps; i++) {
        const struct rel_model_app *a = &m->apps[i];
        struct rel_buf s = REL_BUF_INIT, w = REL_BUF_INIT;
        source_text(&s, a);
        why_text(&w, m, a);
        char mode[32];
        snprintf(mode, sizeof(mode), "%s%s", rel_mode_name(a->mode),
                 a->mode_source == REL_MODE_SOURCE_EXPLICIT ? "*" : "");
        printf("%-*s  %-*s  %-*s  %-*s  %s\n", (int)wn, a->app->name, (int)wv, a->app->vsn, (int)wm,
               mode, (int)ws, rel_buf_cstr(&s), rel_buf_cstr(&w));
        rel_buf_free(&s);
        rel_buf_free(&w);
    }
    printf("\n");
    if (any_explicit)
        printf("* mode set in relman.yml\n");
    if (m->boot) {
        printf("boot order:");
        for (size_t i = 0; i < m->nboot; i++)
            printf(" %s", m->apps[m->boot[i]].app->name);
        printf("\n");
    }
}

int cmd_apps(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        default:
            return CLI_USAGE;
        }
    }
    const char *name = optind < argc ? argv[optind++] : NULL;
    if (optind < argc)
        return cli_usage_error("apps", "unexpected argument '%s'", argv[optind]);
    struct rel_project *p;
    struct rel_model *m;
    int rc = cli_load_model(&p, &m, name);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        if (print_json(m) < 0)
            rc = cli_core_error();
    } else {
        print_text(m);
    }
    size_t errors = rel_model_count(m, REL_SEVERITY_ERROR);
    if (rc == CLI_OK && errors)
        rc = cli_error("release %s has %zu error%s (listed above)", m->name, errors,
                       errors == 1 ? "" : "s");
    rel_model_free(m);
    rel_project_free(p);
    return rc;
}
