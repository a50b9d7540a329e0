/*
 * plan_text.c - the generated texts of a plan (see plan_int.h): templates,
 * boot scripts, sys.config, the relx vm.args rewrite, launchers, the .rel,
 * start_erl.data and the COOKIE entry.
 */
#define _GNU_SOURCE
#include "plan_int.h"

#include "alloc.h"
#include "bootscript.h"
#include "buf.h"
#include "data.h"
#include "error.h"
#include "etf.h"
#include "event.h"
#include "fs.h"
#include "launcher.h"
#include "mixrun.h"
#include "path.h"
#include "project.h"
#include "resolve.h"
#include "sysconfig.h"
#include "template.h"
#include "term.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- template variables ----------------------------------------------- */

struct tvars {
    struct rel_plan_builder *b;
};

static int tv_option(void *ctx, const char *key, struct rel_buf *out, bool *found)
{
    struct rel_plan_builder *b = ((struct tvars *)ctx)->b;
    const struct rel_config_release *r = b->r;
    *found = true;
    /* mix takes these out of @release.options: nil there */
    static const char *const popped[] = {"path",    "version",          "include_erts",
                                         "steps",   "config_providers", "applications",
                                         NULL};
    for (size_t i = 0; b->mix && popped[i]; i++)
        if (strcmp(key, popped[i]) == 0)
            return 0;
    if (strcmp(key, "cookie") == 0 && r->cookie)
        return rel_buf_puts(out, r->cookie);
    if (strcmp(key, "path") == 0 && r->path)
        return rel_buf_puts(out, r->path);
    if (strcmp(key, "version") == 0 && r->version)
        return rel_buf_puts(out, r->version);
    if (strcmp(key, "include_erts") == 0)
        return rel_buf_puts(out, r->include_erts == REL_ERTS_PATH      ? r->erts_path
                                 : r->include_erts == REL_ERTS_INCLUDE ? "true"
                                                                       : "false");
    if (strcmp(key, "strip_beams") == 0)
        return rel_buf_puts(out, r->strip_beams ? "true" : "false");
    if (strcmp(key, "quiet") == 0)
        return rel_buf_puts(out, r->quiet ? "true" : "false");
    /* mix leaves these unset (nil) unless mix.exs sets them: only EEx knows */
    if (b->mix && (strcmp(key, "reboot_system_after_config") == 0 ||
                   strcmp(key, "validate_compile_env") == 0)) {
        bool on = key[0] == 'r' ? r->reboot_system_after_config : r->validate_compile_env;
        *found = on;
        return on ? rel_buf_puts(out, "true") : 0;
    }
    if (strcmp(key, "reboot_system_after_config") == 0)
        return rel_buf_puts(out, r->reboot_system_after_config ? "true" : "false");
    if (strcmp(key, "validate_compile_env") == 0)
        return rel_buf_puts(out, r->validate_compile_env ? "true" : "false");
    if (strcmp(key, "rel_templates_path") == 0 && r->rel_templates_path)
        return rel_buf_puts(out, r->rel_templates_path);
    *found = false;
    return 0;
}

static int tv_app(void *ctx, const char *app, const char *key, struct rel_buf *out, bool *found)
{
    struct rel_plan_builder *b = ((struct tvars *)ctx)->b;
    const struct rel_model_app *a = rel_model_find(b->m, app);
    *found = false;
    if (!a)
        return 0;
    *found = true;
    if (strcmp(key, "vsn") == 0)
        return rel_buf_puts(out, a->app->vsn);
    if (strcmp(key, "mode") == 0)
        return rel_buf_puts(out, rel_mode_name(a->mode));
    if (strcmp(key, "path") == 0)
        return rel_buf_puts(out, a->app->dir);
    if (strcmp(key, "otp_app?") == 0)
        return rel_buf_puts(out, a->app->origin == REL_ORIGIN_OTP ? "true" : "false");
    char *v = NULL;
    const struct rel_term *t = rel_term_proplist_get(rel_term_tuple_get(a->app->spec, 2), key);
    if (t && (v = rel_term_to_cstring(t)) == NULL && rel_term_atom_name(t))
        v = rel_strdup(rel_term_atom_name(t));
    int rc = v ? rel_buf_puts(out, v) : 0;
    *found = v != NULL;
    free(v);
    return rc;
}

/* Render `file` (under rel_templates_path) if the project has it, else the
 * built-in default `dflt` (core/data). */
static int render_template(struct rel_plan_builder *b, struct rel_buf *out, const char *file,
                           const char *dflt)
{
    char *vpath = rel_asprintf("%s/%s", b->p->dest, b->version_dir);
    struct tvars tv = {b};
    struct rel_template_vars vars = {
        .name = b->p->name,
        .version = b->p->version,
        .path = b->p->dest,
        .version_path = vpath,
        .erts_version = b->p->erts_version,
        .option = tv_option,
        .app_field = tv_app,
        .ctx = &tv,
    };
    char *dir =
        rel_plan_project_path(b, b->r->rel_templates_path ? b->r->rel_templates_path : "rel");
    char *path = rel_path_join2(dir, file);
    int rc;
    if (rel_fs_is_file(path)) {
        /* Messages name the file as the user knows it, relative to the root. */
        const char *shown = path;
        size_t rl = strlen(b->proj->root);
        if (strncmp(path, b->proj->root, rl) == 0 && path[rl] == '/')
            shown = path + rl + 1;
        struct rel_buf text = REL_BUF_INIT;
        rc = rel_fs_read_file(&text, path, REL_TEMPLATE_MAX_SIZE);
        /* Mix projects: what the subset cannot render, Elixir's EEx does */
        bool eex = false;
        vars.needs_eex = b->mix ? &eex : NULL;
        size_t mark = out->len;
        if (rc == 0)
            rc = rel_template_render(out, text.ptr ? text.ptr : "", text.len, shown, &vars);
        if (rc == 0 && eex) {
            rel_buf_truncate(out, mark);
            rc = rel_plan_render_eex(b, out, text.ptr ? text.ptr : "", text.len, shown);
        }
        rel_buf_free(&text);
    } else {
        size_t len;
        const char *t = rel_data_get(dflt, &len);
        rc = t ? rel_template_render(out, t, len, dflt, &vars)
               : rel_error_set(REL_ENOTFOUND, "built-in template %s is missing", dflt);
    }
    free(path);
    free(dir);
    free(vpath);
    return rc;
}

static char *ebin_in_script(const struct rel_plan_builder *b, const struct rel_model_app *a)
{
    /* mix: OTP's applications under $ROOT (the bundled or the target's
     * Erlang), everything else under $RELEASE_LIB (= the release's lib,
     * given with -boot_var by bin/NAME). Other projects: everything in the
     * release's own lib. */
    if ((b->mix || !b->r->system_libs) && a->app->origin == REL_ORIGIN_OTP)
        return rel_asprintf("$ROOT/lib/%s-%s/ebin", a->app->name, a->app->vsn);
    return rel_asprintf("$RELEASE_LIB/%s-%s/ebin", a->app->name, a->app->vsn);
}

static int write_boot(struct rel_plan_builder *b, const char *base,
                      const struct rel_boot_spec *spec)
{
    struct rel_term *script = NULL;
    struct rel_buf text = REL_BUF_INIT, bin = REL_BUF_INIT;
    int rc = rel_boot_make(&script, spec);
    if (rc == 0)
        rc = rel_term_format_file(&text, script);
    if (rc == 0)
        rc = rel_etf_encode(&bin, script, 0);
    char *sp = rel_asprintf("%s/%s.script", b->version_dir, base);
    char *bp = rel_asprintf("%s/%s.boot", b->version_dir, base);
    if (rc == 0)
        rc = rel_plan_add_text(b, sp, &text, 0644, "generated");
    if (rc == 0)
        rc = rel_plan_add_text(b, bp, &bin, 0644, "generated");
    free(sp);
    free(bp);
    rel_buf_free(&text);
    rel_buf_free(&bin);
    rel_term_free(script);
    return rc;
}

int rel_plan_boot_scripts(struct rel_plan_builder *b, bool providers, const char *consolidated)
{
    size_t n = b->m->napps;
    struct rel_boot_app *apps = rel_calloc(n ? n : 1, sizeof(*apps));
    char **ebins = rel_calloc(n ? n : 1, sizeof(*ebins));
    char **pre = NULL;
    size_t npre = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_model_app *a = &b->m->apps[i];
        ebins[i] = ebin_in_script(b, a);
        apps[i] = (struct rel_boot_app){a->app->name, a->app->vsn,      a->mode,
                                        a->app->spec, a->app->app_file, ebins[i]};
    }
    /* The preloaded modules come from the ERTS the release runs on. */
    char *otp = b->r->include_erts == REL_ERTS_PATH ? NULL : rel_strdup(b->proj->otp_root);
    if (!otp) {
        char *ed = rel_plan_erts_dir(b);
        otp = rel_path_dirname(ed);
        free(ed);
    }
    rc = rel_boot_read_preloaded(&pre, &npre, otp, b->p->erts_version);
    if (rc == REL_ENOTFOUND && b->r->include_erts == REL_ERTS_PATH) {
        /* an ERTS copied out of another release has no lib/erts-VSN: the
         * local installation's, as mix's systools takes the running VM's */
        char *msg = rel_strdup(rel_error_message());
        rc = rel_boot_read_preloaded(&pre, &npre, b->proj->otp_root, b->p->erts_version);
        if (rc < 0)
            rc = rel_error_set(rc, "%s (nor in the local Erlang: %s)", msg, rel_error_message());
        free(msg);
    }
    free(otp);
    struct rel_boot_spec spec = {
        .name = b->p->name,
        .vsn = b->p->version,
        .apps = apps,
        .napps = n,
        .preloaded = (const char *const *)pre,
        .npreloaded = npre,
        .no_dot_erlang = b->mix,
        .config_provider = providers,
        .consolidated = consolidated,
    };
    if (rc == 0)
        rc = write_boot(b, "start", &spec);
    /* start_clean: the same applications; kernel and stdlib start, the rest
     * is loaded (Elixir >= 1.16) or only on the code path (mix <= 1.15 and
     * relx: mode none). */
    bool load_rest = b->mix && b->proj->elixir_version &&
                     rel_version_compare(b->proj->elixir_version, "1.16") >= 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool core = strcmp(apps[i].name, "kernel") == 0 || strcmp(apps[i].name, "stdlib") == 0;
        if (core)
            apps[i].mode = REL_MODE_PERMANENT;
        else if (load_rest && apps[i].mode != REL_MODE_NONE)
            apps[i].mode = REL_MODE_LOAD;
        else
            apps[i].mode = REL_MODE_NONE;
    }
    if (rc == 0)
        rc = write_boot(b, "start_clean", &spec);
    rel_boot_free_strings(pre, npre);
    for (size_t i = 0; i < n; i++)
        free(ebins[i]);
    free(ebins);
    free(apps);
    return rc;
}

static int app_name_cmp(const void *x, const void *y)
{
    const struct rel_model_app *a = *(const struct rel_model_app *const *)x;
    const struct rel_model_app *c = *(const struct rel_model_app *const *)y;
    return strcmp(a->app->name, c->app->name);
}

/*
 * The config_providers of relman.yml as Config.Provider.init/3 lists them,
 * [{Module, InitResult}]: a reader as Config.Reader.init/1 makes it; a
 * {mix: N} entry as Mix evaluates the Nth provider of mix.exs (one VM for all
 * of them, started only when there is one). New list in *out.
 */
static int configured_providers(struct rel_plan_builder *b, struct rel_term **out)
{
    const struct rel_config_release *r = b->r;
    struct rel_term *l = rel_term_list_new(), *mix = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->nproviders; i++) {
        const struct rel_config_provider *pv = &r->providers[i];
        if (pv->kind != REL_PROVIDER_MIX) {
            rel_term_list_append(l, rel_sysconfig_reader(
                                        pv->kind == REL_PROVIDER_READER_SYSTEM ? pv->var : NULL,
                                        pv->path));
            continue;
        }
        if (!mix) {
            struct rel_mixrun_opts mo = {.dir = b->proj->root,
                                         .env = b->proj->env ? b->proj->env : "prod",
                                         .action = "providers",
                                         .release = r->name};
            rc = rel_mixrun_query(&mix, &mo, "mix could not initialize the config providers");
            if (rc < 0)
                break;
        }
        const struct rel_term *t =
            pv->mix >= 1 && (size_t)pv->mix <= rel_term_list_len(mix)
                ? rel_term_list_get(mix, (size_t)pv->mix - 1)
                : NULL;
        if (!t)
            rc = rel_error_set(REL_ECONFIG,
                               "%s:%d: releases.%s.config_providers: {mix: %d}, but the release "
                               "has %zu config providers in mix.exs (run `relman init --import` "
                               "again)",
                               b->proj->config ? b->proj->config->file : "relman.yml",
                               pv->pos.line, r->name, pv->mix, rel_term_list_len(mix));
        else
            rel_term_list_append(l, rel_term_clone(t));
    }
    rel_term_free(mix);
    if (rc < 0) {
        rel_term_free(l);
        l = NULL;
    }
    *out = l;
    return rc;
}

int rel_plan_sys_config_mix(struct rel_plan_builder *b, const char *runtime)
{
    char *config = rel_plan_mix_config_path(b);
    char *cache = rel_asprintf("%s/%s/.relman/config.cache", b->proj->build_dir,
                               b->proj->env ? b->proj->env : "prod");
    struct rel_mix_config mc = {.project_root = b->proj->root,
                                .config_path = config,
                                .env = b->proj->env ? b->proj->env : "prod",
                                .elixir_version = b->proj->elixir_version,
                                .cache_file = cache,
                                .ev = b->o ? b->o->ev : NULL};
    struct rel_term *cfg = NULL;
    bool hit = false;
    int rc = rel_sysconfig_eval_mix(&cfg, &hit, &mc);
    if (rc == 0 && rel_fs_is_file(config))
        rel_event_log(b->o ? b->o->ev : NULL, REL_LOG_DEBUG, "config/config.exs: %s",
                      hit ? "from the cache" : "evaluated with elixir");
    struct rel_term *others = NULL;
    if (rc == 0 && b->providers)
        rc = configured_providers(b, &others);
    if (rc == 0 && b->providers) {
        /* validate_compile_env, ordered by application name as mix's map is */
        struct rel_term *compile_env = NULL;
        if (b->r->validate_compile_env) {
            size_t n = b->m->napps;
            const struct rel_model_app **sorted = rel_calloc(n ? n : 1, sizeof(*sorted));
            const struct rel_term **specs = rel_calloc(n ? n : 1, sizeof(*specs));
            for (size_t i = 0; i < n; i++)
                sorted[i] = &b->m->apps[i];
            qsort(sorted, n, sizeof(*sorted), app_name_cmp);
            for (size_t i = 0; i < n; i++)
                specs[i] = sorted[i]->app->spec;
            compile_env = rel_sysconfig_compile_env(specs, n);
            free(sorted);
            free(specs);
        }
        struct rel_provider_opts po = {
            .version = b->p->version,
            .runtime_file = runtime ? "runtime.exs" : NULL,
            .providers = others,
            .env = mc.env,
            .reboot_after_config = b->reboot,
            .prune_after_boot = b->r->prune_runtime_sys_config_after_boot,
            .start_distribution_during_config = b->r->start_distribution_during_config,
            .validate_compile_env = compile_env,
        };
        rel_sysconfig_merge(cfg, rel_sysconfig_provider(&po));
    }
    struct rel_buf text = REL_BUF_INIT;
    if (rc == 0)
        rc = rel_sysconfig_format(&text, cfg, b->providers && b->reboot);
    if (rc == 0) {
        char *path = rel_asprintf("%s/sys.config", b->version_dir);
        rc = rel_plan_add_text(b, path, &text, 0644, "generated");
        free(path);
    }
    rel_buf_free(&text);
    rel_term_free(cfg);
    rel_term_free(others);
    free(config);
    free(cache);
    return rc;
}

/*
 * The sys.config / vm.args a rebar3 or plain release ships: the configured
 * one, else (rebar3 projects, as relx does when its section names none)
 * config/WHAT.src, then config/WHAT, when the file exists; else NULL.
 * `what` is "sys.config" or "vm.args". New string (relative as written).
 */
static char *relx_config_file(const struct rel_plan_builder *b, const char *configured,
                              const char *what)
{
    if (configured)
        return rel_strdup(configured);
    if (b->proj->kind != REL_PROJECT_REBAR3)
        return NULL;
    char *cands[2] = {rel_asprintf("config/%s.src", what), rel_asprintf("config/%s", what)};
    char *found = NULL;
    for (int i = 0; i < 2; i++) {
        char *abs = rel_plan_project_path((struct rel_plan_builder *)b, cands[i]);
        if (!found && rel_fs_is_file(abs)) {
            found = cands[i];
            cands[i] = NULL;
        }
        free(abs);
        free(cands[i]);
    }
    return found;
}

int rel_plan_sys_config_other(struct rel_plan_builder *b)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = 0;
    const char *name = "sys.config";
    char *conf = relx_config_file(b, b->r->sys_config, "sys.config");
    if (conf) {
        char *src = rel_plan_project_path(b, conf);
        rc = rel_fs_read_file(&text, src, REL_PLAN_MAX_TEXT_INPUT);
        if (rc == 0 && rel_plan_ends_with(src, ".src")) {
            name = "sys.config.src"; /* ${VAR}s are filled in by bin/NAME at start */
        } else if (rc == 0) {
            struct rel_term *t = NULL;
            rc = rel_term_parse_one(&t, text.ptr ? text.ptr : "", text.len, conf);
            if (rc == 0)
                rc = rel_sysconfig_check(t, conf);
            rel_term_free(t);
        }
        free(src);
    } else {
        rc = rel_buf_puts(&text, "%% coding: utf-8\n[].\n");
    }
    if (rc == 0) {
        char *path = rel_asprintf("%s/%s", b->version_dir, name);
        rc = rel_plan_add_text(b, path, &text, 0644, conf ? "project" : "generated");
        free(path);
    }
    rel_buf_free(&text);
    free(conf);
    return rc;
}

/*
 * A relx-style vm.args (rebar3 projects) names the node and the cookie.
 * bin/NAME passes those itself, and a -setcookie line would put the cookie
 * in `ps` output, so they move: the cookie to releases/COOKIE (unless the
 * release configures one), the node name to the default env.sh.
 */
static int plan_vm_args_other(struct rel_plan_builder *b, const char *conf,
                              struct rel_buf *env_extra, char **cookie_out)
{
    *cookie_out = NULL;
    char *src = rel_plan_project_path(b, conf);
    struct rel_buf in = REL_BUF_INIT, out = REL_BUF_INIT;
    int rc = rel_fs_read_file(&in, src, REL_PLAN_MAX_TEXT_INPUT);
    bool is_src = rel_plan_ends_with(src, ".src");
    const char *p = rel_buf_cstr(&in);
    int line = 0;
    while (rc == 0 && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *l = rel_strndup(p, len);
        line++;
        char flag[16] = "", value[512] = "", rest[8] = "";
        int k = sscanf(l, " %15s %511s %7s", flag, value, rest);
        bool name = strcmp(flag, "-sname") == 0 || strcmp(flag, "-name") == 0;
        bool cookie = strcmp(flag, "-setcookie") == 0;
        if (k == 2 && (name || cookie) && !strstr(value, "${")) {
            rel_buf_printf(&out, "## %s moved by relman (%s)\n", flag,
                           cookie ? "to releases/COOKIE" : "to env.sh");
            if (cookie) {
                if (!b->r->cookie)
                    *cookie_out = rel_strdup(value);
                rel_plan_note(b,
                              "%s:%d: -setcookie moved to releases/COOKIE (a cookie on the command "
                              "line is visible in ps)",
                              conf, line);
            } else {
                rel_buf_printf(env_extra,
                               "# From %s:%d\nexport RELEASE_DISTRIBUTION=\"${RELEASE_"
                               "DISTRIBUTION:-%s}\"\nexport RELEASE_NODE=\"${RELEASE_NODE:-%s}\"\n",
                               conf, line, flag + 1, value);
            }
        } else {
            rel_buf_put(&out, p, len);
            rel_buf_putc(&out, '\n');
        }
        free(l);
        p += len + (nl ? 1 : 0);
    }
    if (rc == 0) {
        char *path = rel_asprintf("%s/%s", b->version_dir, is_src ? "vm.args.src" : "vm.args");
        rc = rel_plan_add_text(b, path, &out, 0644, "project");
        free(path);
    }
    free(src);
    rel_buf_free(&in);
    rel_buf_free(&out);
    return rc;
}

/* releases/VSN/NAME from the template NAME.eex (the project's or the
 * built-in one), with `extra` appended (may be NULL). */
static int add_template(struct rel_plan_builder *b, const char *name, const struct rel_buf *extra)
{
    struct rel_buf t = REL_BUF_INIT;
    char *file = rel_asprintf("%s.eex", name);
    char *path = rel_asprintf("%s/%s", b->version_dir, name);
    int rc = render_template(b, &t, file, file);
    if (rc == 0 && extra && extra->len)
        rc = rel_buf_put(&t, extra->ptr, extra->len);
    if (rc == 0)
        rc = rel_plan_add_text(b, path, &t, 0644, "template");
    free(path);
    free(file);
    rel_buf_free(&t);
    return rc;
}

int rel_plan_templates(struct rel_plan_builder *b, char **vm_cookie)
{
    struct rel_buf env_extra = REL_BUF_INIT;
    *vm_cookie = NULL;
    char *conf = b->mix ? NULL : relx_config_file(b, b->r->vm_args, "vm.args");
    int rc = conf ? plan_vm_args_other(b, conf, &env_extra, vm_cookie)
                  : add_template(b, "vm.args", NULL);
    free(conf);
    if (rc == 0)
        rc = add_template(b, "remote.vm.args", NULL);
    /* mix writes env.sh with the unix executables only (bin/ stays, empty,
     * when there are none) */
    if (rc == 0 && (!b->mix || b->r->exec_unix))
        rc = add_template(b, "env.sh", &env_extra);
    if (rc == 0 && b->mix && !b->r->exec_unix && !b->r->exec_windows)
        rc = rel_plan_add(b, "bin", REL_PLAN_DIR, 0755, NULL, NULL, 0, 0, "generated");
    if (rc == 0 && b->r->exec_windows)
        rc = add_template(b, "env.bat", NULL);
    rel_buf_free(&env_extra);
    return rc;
}

int rel_plan_executables(struct rel_plan_builder *b)
{
    int rc = 0;
    struct rel_buf t = REL_BUF_INIT;
    char *iex_flags = NULL;
    char *elixir_bin = NULL;
    if (b->p->elixir) {
        if (!b->proj->elixir_lib_dir)
            return rel_error_set(REL_ENOTFOUND, "the release contains Elixir but no Elixir "
                                                "installation was found (no elixir in PATH)");
        char *binparent = rel_path_join2(b->proj->elixir_lib_dir, "../bin");
        elixir_bin = rel_path_normalize(binparent);
        free(binparent);
        char *iex = rel_path_join2(elixir_bin, "iex");
        if (rel_fs_read_file(&t, iex, REL_PLAN_MAX_TEXT_INPUT) == 0)
            iex_flags = rel_launcher_iex_flags(t.ptr, t.len);
        rel_error_clear();
        free(iex);
        rel_buf_clear(&t);
    }
    struct rel_launcher_opts lo = {
        .name = b->p->name,
        .elixir = b->p->elixir,
        .reboot_after_config = b->mix && b->providers && b->reboot,
        .iex_flags = iex_flags,
        .relx = b->r->start_script.dialect ? strcmp(b->r->start_script.dialect, "relx") == 0
                                           : b->proj->kind == REL_PROJECT_REBAR3,
        .script = &b->r->start_script,
    };
    if (b->r->exec_unix) {
        char *path = rel_asprintf("bin/%s", b->p->name);
        rc = rel_launcher_bin_script(&t, &lo);
        if (rc == 0)
            rc = rel_plan_add_text(b, path, &t, 0755, "generated");
        free(path);
    }
    if (rc == 0 && b->r->exec_windows) {
        rel_buf_clear(&t);
        char *path = rel_asprintf("bin/%s.bat", b->p->name);
        rc = rel_launcher_bin_bat(&t, &lo);
        if (rc == 0)
            rc = rel_plan_add_text(b, path, &t, 0755, "generated");
        free(path);
    }
    if (rc == 0 && b->p->elixir && b->r->exec_unix) {
        char *src = rel_path_join2(elixir_bin, "elixir");
        struct rel_buf in = REL_BUF_INIT;
        rel_buf_clear(&t);
        rc = rel_fs_read_file(&in, src, REL_PLAN_MAX_TEXT_INPUT);
        if (rc == 0)
            rc = rel_launcher_patch_elixir(&t, in.ptr, in.len, src,
                                           b->p->include_erts ? b->p->erts_version : NULL);
        char *path = rel_asprintf("%s/elixir", b->version_dir);
        if (rc == 0)
            rc = rel_plan_add_text(b, path, &t, 0755, "generated");
        free(path);
        free(src);
        rel_buf_free(&in);
        src = rel_path_join2(elixir_bin, "iex");
        struct stat st;
        if (rc == 0 && stat(src, &st) < 0)
            rc = rel_error_set_errno(REL_ENOTFOUND, errno, "cannot read %s", src);
        path = rel_asprintf("%s/iex", b->version_dir);
        if (rc == 0)
            rc = rel_plan_add(b, path, REL_PLAN_COPY, 0755, src, NULL, 0, (uint64_t)st.st_size,
                              "elixir");
        free(path);
        free(src);
    }
    free(elixir_bin);
    free(iex_flags);
    rel_buf_free(&t);
    return rc;
}

/*
 * releases/RELEASES, which release_handler reads at boot, as relx writes it:
 * only the release being built, permanent, its applications in .rel order
 * at ./lib/NAME-VSN (a relative root, so the release may move). A previous
 * version kept in releases/ is not listed, as with relx. Mix writes none.
 */
static int releases_file(struct rel_plan_builder *b)
{
    struct rel_term *apps = rel_term_list_new();
    for (size_t i = 0; i < b->m->napps; i++) {
        const struct rel_app *a = b->m->apps[i].app;
        char *dir = rel_asprintf("./lib/%s-%s", a->name, a->vsn);
        rel_term_list_append(apps, rel_term_tuple(3, rel_term_atom(a->name),
                                                  rel_term_string(a->vsn), rel_term_string(dir)));
        free(dir);
    }
    struct rel_term *rel = rel_term_tuple(
        6, rel_term_atom("release"), rel_term_string(b->p->name), rel_term_string(b->p->version),
        rel_term_string(b->p->erts_version), apps, rel_term_atom("permanent"));
    struct rel_term *list = rel_term_list_append(rel_term_list_new(), rel);
    struct rel_buf t = REL_BUF_INIT;
    int rc = rel_term_format_file(&t, list);
    if (rc == 0)
        rc = rel_plan_add_text(b, "releases/RELEASES", &t, 0644, "generated");
    if (rc == 0) {
        b->p->tar_paths = rel_reallocarray(b->p->tar_paths, b->p->ntar + 1, sizeof(char *));
        b->p->tar_paths[b->p->ntar++] = rel_strdup("releases/RELEASES");
    }
    rel_term_free(list);
    rel_buf_free(&t);
    return rc;
}

int rel_plan_release_files(struct rel_plan_builder *b, const char *vm_cookie)
{
    struct rel_buf t = REL_BUF_INIT;
    struct rel_term *rel = NULL;
    int rc = rel_model_rel_term(&rel, b->m);
    if (rc == 0 && b->o && b->o->version) {
        /* --version: the .rel names the version being built */
        struct rel_term *id = rel_term_tuple_get(rel, 1);
        rel_term_tuple_set(id, 1, rel_term_string(b->p->version));
    }
    if (rc == 0)
        rc = rel_term_format_file(&t, rel);
    char *path = rel_asprintf("%s/%s.rel", b->version_dir, b->p->name);
    if (rc == 0)
        rc = rel_plan_add_text(b, path, &t, 0644, "generated");
    free(path);
    rel_term_free(rel);
    rel_buf_clear(&t);
    if (rc == 0)
        rc = rel_buf_printf(&t, "%s %s", b->p->erts_version, b->p->version);
    if (rc == 0)
        rc = rel_plan_add_text(b, "releases/start_erl.data", &t, 0644, "generated");
    if (rc == 0 && !b->mix)
        rc = releases_file(b);
    const char *cookie = b->r->cookie ? b->r->cookie : vm_cookie;
    if (rc == 0 && cookie && !*cookie)
        rc = rel_error_set(REL_ECONFIG, "release %s: the cookie is empty", b->p->name);
    for (const char *c = cookie; rc == 0 && c && *c; c++)
        if (*c < ' ' || *c > '~')
            rc = rel_error_set(REL_ECONFIG,
                               "release %s: the cookie may only hold printable ASCII characters",
                               b->p->name);
    if (rc == 0)
        rc = rel_plan_add(b, "releases/COOKIE", REL_PLAN_COOKIE, 0600, NULL, cookie,
                          cookie ? strlen(cookie) : 0, cookie ? strlen(cookie) : 56, "generated");
    rel_buf_free(&t);
    return rc;
}
