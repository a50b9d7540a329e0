/*
 * plan_eex.c - a Mix project's template that the EEx subset (template.h)
 * cannot render, rendered by Elixir's EEx (eex.h) with @release built here
 * from the model as Mix.Release.from_config!/3 builds it (see plan_int.h).
 */
#define _GNU_SOURCE
#include "plan_int.h"

#include "alloc.h"
#include "config.h"
#include "eex.h"
#include "event.h"
#include "fs.h"
#include "path.h"
#include "project.h"
#include "resolve.h"
#include "term.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static struct rel_term *kv(const char *key, struct rel_term *value)
{
    return rel_term_tuple(2, rel_term_atom(key), value);
}

static struct rel_term *boolean(bool v)
{
    return rel_term_atom(v ? "true" : "false");
}

/* %{app => [path: 'DIR', otp_app?: BOOL, mode: MODE | PROPERTIES]}, as
 * Mix.Release's load_app keeps each application's .app properties. */
static struct rel_term *applications(const struct rel_plan_builder *b)
{
    struct rel_term *map = rel_term_map_new();
    for (size_t i = 0; i < b->m->napps; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        struct rel_term *props = rel_term_list_new();
        rel_term_list_append(props, kv("path", rel_term_string(a->app->dir)));
        rel_term_list_append(props, kv("otp_app?", boolean(a->app->origin == REL_ORIGIN_OTP)));
        rel_term_list_append(
            props, kv("mode", rel_term_atom(a->included_by ? "included" : rel_mode_name(a->mode))));
        const struct rel_term *spec = rel_term_tuple_get(a->app->spec, 2);
        for (size_t k = 0; k < rel_term_list_len(spec); k++)
            rel_term_list_append(props, rel_term_clone(rel_term_list_get(spec, k)));
        rel_term_map_put(map, rel_term_atom(a->app->name), props);
    }
    return map;
}

/* %{start: [{app, mode}], start_clean: [...]}: every application with its
 * mode; start_clean starts kernel and stdlib only. */
static struct rel_term *boot_scripts(const struct rel_plan_builder *b)
{
    struct rel_term *start = rel_term_list_new(), *clean = rel_term_list_new();
    for (size_t i = 0; i < b->m->napps; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        bool core = strcmp(a->app->name, "kernel") == 0 || strcmp(a->app->name, "stdlib") == 0;
        rel_term_list_append(start, rel_term_tuple(2, rel_term_atom(a->app->name),
                                                   rel_term_atom(rel_mode_name(a->mode))));
        rel_term_list_append(clean, rel_term_tuple(2, rel_term_atom(a->app->name),
                                                   rel_term_atom(core ? "permanent" : "none")));
    }
    struct rel_term *map = rel_term_map_new();
    rel_term_map_put(map, rel_term_atom("start"), start);
    rel_term_map_put(map, rel_term_atom("start_clean"), clean);
    return map;
}

static struct rel_term *binaries(const struct rel_config_strlist *l)
{
    struct rel_term *t = rel_term_list_new();
    for (size_t i = 0; i < l->count; i++)
        rel_term_list_append(t, rel_term_binary_str(l->items[i]));
    return t;
}

/* Whether the release is configured at runtime (runtime_config_path,
 * config/runtime.exs or the deprecated config/releases.exs), as mix's
 * maybe_add_config_reader_provider decides. */
static bool runtime_config(const struct rel_plan_builder *b)
{
    if (b->r->runtime_config_disabled)
        return false;
    if (b->r->runtime_config_path)
        return true;
    static const char *const files[] = {"config/runtime.exs", "config/releases.exs", NULL};
    bool found = false;
    for (size_t i = 0; files[i] && !found; i++) {
        char *p = rel_plan_project_path(b, files[i]);
        found = rel_fs_is_file(p);
        free(p);
    }
    return found;
}

/* The options relman.yml holds, in mix's shapes; only what differs from
 * what mix leaves unset (nil prints as nothing, false as "false"). With a
 * runtime configuration mix puts reboot_system_after_config in. */
static struct rel_term *options(const struct rel_plan_builder *b)
{
    const struct rel_config_release *r = b->r;
    struct rel_term *o = rel_term_list_new();
    bool runtime = runtime_config(b);
    if (runtime)
        rel_term_list_append(o, kv("reboot_system_after_config",
                                   boolean(r->reboot_system_after_config)));
    if (r->cookie)
        rel_term_list_append(o, kv("cookie", rel_term_binary_str(r->cookie)));
    if (r->quiet)
        rel_term_list_append(o, kv("quiet", boolean(true)));
    if (!r->strip_beams) {
        rel_term_list_append(o, kv("strip_beams", boolean(false)));
    } else if (r->strip_keep.count || r->strip_compress) {
        struct rel_term *s = rel_term_list_new();
        rel_term_list_append(s, kv("keep", binaries(&r->strip_keep)));
        rel_term_list_append(s, kv("compress", boolean(r->strip_compress)));
        rel_term_list_append(o, kv("strip_beams", s));
    }
    if (!r->exec_unix || !r->exec_windows) {
        struct rel_term *e = rel_term_list_new();
        if (r->exec_unix)
            rel_term_list_append(e, rel_term_atom("unix"));
        if (r->exec_windows)
            rel_term_list_append(e, rel_term_atom("windows"));
        rel_term_list_append(o, kv("include_executables_for", e));
    }
    if (r->overlays.count)
        rel_term_list_append(o, kv("overlays", binaries(&r->overlays)));
    if (r->rel_templates_path)
        rel_term_list_append(o, kv("rel_templates_path", rel_term_binary_str(r->rel_templates_path)));
    if (r->runtime_config_disabled)
        rel_term_list_append(o, kv("runtime_config_path", boolean(false)));
    else if (r->runtime_config_path)
        rel_term_list_append(
            o, kv("runtime_config_path", rel_term_binary_str(r->runtime_config_path)));
    static const struct {
        const char *key;
        size_t off;
    } flags[] = {
        {"prune_runtime_sys_config_after_boot",
         offsetof(struct rel_config_release, prune_runtime_sys_config_after_boot)},
        {"start_distribution_during_config",
         offsetof(struct rel_config_release, start_distribution_during_config)},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (*(const bool *)((const char *)r + flags[i].off))
            rel_term_list_append(o, kv(flags[i].key, boolean(true)));
    if (!runtime && r->reboot_system_after_config)
        rel_term_list_append(o, kv("reboot_system_after_config", boolean(true)));
    return o;
}

/* [{Config.Reader, [path: {:system, "RELEASE_ROOT", "/releases/VSN/runtime.exs"},
 * env: ENV, target: :host, imports: :disabled]}] when the release has a
 * runtime configuration (the providers of mix.exs follow, added by the
 * script), else []. */
static struct rel_term *providers(const struct rel_plan_builder *b)
{
    struct rel_term *l = rel_term_list_new();
    if (!runtime_config(b))
        return l;
    char *file = rel_asprintf("/releases/%s/runtime.exs", b->p->version);
    struct rel_term *opts = rel_term_list_new();
    rel_term_list_append(opts, kv("path", rel_term_tuple(3, rel_term_atom("system"),
                                                         rel_term_binary_str("RELEASE_ROOT"),
                                                         rel_term_binary_str(file))));
    rel_term_list_append(opts, kv("env", rel_term_atom(b->proj->env ? b->proj->env : "prod")));
    rel_term_list_append(opts, kv("target", rel_term_atom("host")));
    rel_term_list_append(opts, kv("imports", rel_term_atom("disabled")));
    rel_term_list_append(l, rel_term_tuple(2, rel_term_atom("Elixir.Config.Reader"), opts));
    free(file);
    return l;
}

/* The steps left when :assemble runs: :tar when it comes later (run:
 * hooks are no functions mix could hold). */
static struct rel_term *steps_after_assemble(const struct rel_config_release *r)
{
    struct rel_term *s = rel_term_list_new();
    bool after = false;
    for (size_t i = 0; i < r->nsteps; i++) {
        if (r->steps[i].kind == REL_STEP_ASSEMBLE)
            after = true;
        else if (after && r->steps[i].kind == REL_STEP_TAR)
            rel_term_list_append(s, rel_term_atom("tar"));
    }
    return s;
}

static struct rel_term *release_fields(const struct rel_plan_builder *b)
{
    struct rel_term *f = rel_term_list_new();
    char *vpath = rel_asprintf("%s/%s", b->p->dest, b->version_dir);
    char *erts = b->p->include_erts ? rel_plan_erts_dir(b) : NULL;
    rel_term_list_append(f, kv("name", rel_term_atom(b->p->name)));
    rel_term_list_append(f, kv("version", rel_term_binary_str(b->p->version)));
    rel_term_list_append(f, kv("path", rel_term_binary_str(b->p->dest)));
    rel_term_list_append(f, kv("version_path", rel_term_binary_str(vpath)));
    rel_term_list_append(f, kv("applications", applications(b)));
    rel_term_list_append(f, kv("boot_scripts", boot_scripts(b)));
    rel_term_list_append(f, kv("erts_source", erts ? rel_term_string(erts) : rel_term_atom("nil")));
    rel_term_list_append(f, kv("erts_version", rel_term_string(b->p->erts_version)));
    rel_term_list_append(f, kv("config_providers", providers(b)));
    rel_term_list_append(f, kv("options", options(b)));
    rel_term_list_append(f, kv("overlays", rel_term_list_new()));
    rel_term_list_append(f, kv("steps", steps_after_assemble(b->r)));
    free(erts);
    free(vpath);
    return f;
}

int rel_plan_render_eex(struct rel_plan_builder *b, struct rel_buf *out, const char *text,
                        size_t len, const char *shown)
{
    struct rel_term *fields = release_fields(b);
    char *mixexs = rel_path_join2(b->proj->root, "mix.exs");
    bool in_mix = rel_fs_is_file(mixexs);
    free(mixexs);
    char *cache = rel_asprintf("%s/%s/.relman", b->proj->build_dir,
                               b->proj->env ? b->proj->env : "prod");
    struct rel_eex_opts eo = {.cwd = b->proj->root,
                              .file = shown,
                              .mix_env = b->proj->env,
                              .mix_release = in_mix ? b->p->name : NULL,
                              .cache_dir = cache,
                              .elixir_version = b->proj->elixir_version};
    rel_event_log(b->o ? b->o->ev : NULL, REL_LOG_DEBUG,
                  "%s: rendered with Elixir's EEx (beyond the subset relman renders itself)",
                  shown);
    int rc = rel_eex_render(out, text, len, fields, &eo);
    rel_term_free(fields);
    free(cache);
    return rc;
}
