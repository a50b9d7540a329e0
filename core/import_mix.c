/*
 * import_mix.c - relman.yml from a Mix project: mix itself is asked for the
 * release definitions (see import.h).
 */
#include "import_int.h"

#include "alloc.h"
#include "assemble.h"
#include "buf.h"
#include "config.h"
#include "data.h"
#include "term.h"
#include "error.h"
#include "fs.h"
#include "mixrun.h"
#include "path.h"
#include "project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Mix --------------------------------------------------------------- */

static const char *const mix_bools[] = {"reboot_system_after_config",
                                        "prune_runtime_sys_config_after_boot",
                                        "start_distribution_during_config",
                                        "validate_compile_env",
                                        "quiet",
                                        NULL};

/*
 * An option of mix.exs relman cannot carry into relman.yml: the import
 * stops with one line naming it (nothing is written), since a release
 * assembled without it would differ from mix's.
 */
static int mix_refuse(const char *rel, const char *key, const struct rel_term *v, const char *why)
{
    char *text = rel_term_to_text(v);
    if (strlen(text) > 120)
        strcpy(text + 110, " ...");
    int rc = rel_error_set(REL_ECONFIG, "mix.exs: release %s: option %s (%s) cannot be imported: %s",
                           rel, key, text, why);
    free(text);
    return rc;
}

/* A comment-safe one-line text of a term, for "# ..." after a value. */
static char *comment_text(const struct rel_term *t)
{
    const struct rel_term *fn = rel_term_is_tagged(t, "relman_function", 2)
                                    ? rel_term_tuple_get(t, 1)
                                    : NULL;
    char *s = fn ? rel_import_str(fn) : NULL;
    if (!s)
        s = rel_term_to_text(t);
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    if (strlen(s) > 100)
        strcpy(s + 90, " ...");
    return s;
}

/* steps: assemble and tar as they are, each function as {mix: POSITION}. */
static int mix_steps(struct rel_import_gen *g, const char *name, const struct rel_term *v)
{
    size_t ns = rel_term_list_len(v);
    bool funs = false;
    for (size_t k = 0; k < ns; k++) {
        const struct rel_term *s = rel_term_list_get(v, k);
        const char *a = rel_term_atom_name(s);
        if (rel_term_is_tagged(s, "relman_function", 2))
            funs = true;
        else if (!a || (strcmp(a, "assemble") != 0 && strcmp(a, "tar") != 0))
            return mix_refuse(name, "steps", v, "a step is :assemble, :tar or a function");
    }
    if (!rel_term_is_list(v))
        return mix_refuse(name, "steps", v, "steps is a list");
    if (!funs) {
        rel_buf_puts(g->out, "    steps: [");
        for (size_t k = 0; k < ns; k++)
            rel_buf_printf(g->out, "%s%s", k ? ", " : "",
                           rel_term_atom_name(rel_term_list_get(v, k)));
        rel_buf_puts(g->out, "]\n");
        return 0;
    }
    rel_buf_puts(g->out, "    # {mix: N}: the function at position N of the release's steps in "
                         "mix.exs, called by Mix\n    steps:\n");
    for (size_t k = 0; k < ns; k++) {
        const struct rel_term *s = rel_term_list_get(v, k);
        if (rel_term_is_tagged(s, "relman_function", 2)) {
            char *c = comment_text(s);
            rel_buf_printf(g->out, "      - {mix: %zu}  # %s\n", k + 1, c);
            free(c);
        } else {
            rel_buf_printf(g->out, "      - %s\n", rel_term_atom_name(s));
        }
    }
    return 0;
}

/*
 * config_providers: Config.Reader with a path or {:system, VAR, PATH} as a
 * `reader:`, everything else (custom modules, options) as {mix: POSITION},
 * whose init/1 Mix evaluates when relman plans the release.
 */
static int mix_providers(struct rel_import_gen *g, const char *name, const struct rel_term *v)
{
    if (!rel_term_is_list(v))
        return mix_refuse(name, "config_providers", v, "config_providers is a list");
    size_t n = rel_term_list_len(v);
    if (!n)
        return 0;
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "    config_providers:\n");
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        const struct rel_term *e = rel_term_list_get(v, k);
        const struct rel_term *mod = rel_term_tuple_get(e, 0);
        const struct rel_term *o = rel_term_tuple_get(e, 1);
        if (rel_term_tuple_size(e) != 2 || !rel_term_is_atom(mod, NULL)) {
            rc = mix_refuse(name, "config_providers", e, "a provider is {Module, Options}");
            break;
        }
        if (rel_term_is_atom(mod, "Elixir.Config.Reader") && rel_term_is_list(o) &&
            rel_term_list_len(o) == 1 && rel_term_proplist_get(o, "path"))
            o = rel_term_proplist_get(o, "path");
        char *path = rel_term_is_atom(mod, "Elixir.Config.Reader") ? rel_import_str(o) : NULL;
        char *var = NULL, *suffix = NULL;
        if (rel_term_is_atom(mod, "Elixir.Config.Reader") && rel_term_is_tagged(o, "system", 3)) {
            var = rel_import_str(rel_term_tuple_get(o, 1));
            suffix = rel_import_str(rel_term_tuple_get(o, 2));
        }
        if (path && path[0] == '/') {
            rel_buf_puts(&b, "      - reader: ");
            rel_config_yaml_scalar(&b, path, true);
            rel_buf_puts(&b, "\n");
        } else if (var && suffix && var[0]) {
            rel_buf_puts(&b, "      - reader: {system: ");
            rel_config_yaml_scalar(&b, var, true);
            rel_buf_puts(&b, ", path: ");
            rel_config_yaml_scalar(&b, suffix, true);
            rel_buf_puts(&b, "}\n");
        } else {
            char *c = comment_text(e);
            rel_buf_printf(&b, "      - mix: %zu  # %s\n", k + 1, c);
            free(c);
        }
        free(path);
        free(var);
        free(suffix);
    }
    if (rc == 0)
        rel_buf_put(g->out, b.ptr, b.len);
    rel_buf_free(&b);
    return rc;
}

/* mix's release options; what is not among them mix ignores (a function step
 * may still read it from release.options, and Mix hands it those). */
static const char *const mix_options[] = {
    "applications", "strip_beams", "cookie", "validate_compile_env", "path", "version", "quiet",
    "include_erts", "include_executables_for", "rel_templates_path", "overlays", "steps",
    "skip_mode_validation_for", "config_providers", "runtime_config_path",
    "reboot_system_after_config", "prune_runtime_sys_config_after_boot",
    "start_distribution_during_config", "overwrite", NULL};

static bool mix_option(const char *key)
{
    for (const char *const *o = mix_options; *o; o++)
        if (strcmp(*o, key) == 0)
            return true;
    return false;
}

/* A list option, or a string where mix takes one too (List.wrap:
 * `overlays: "rel/another"`, `strip_beams: [keep: "Docs"]`), as a YAML
 * flow list. False when an item is neither a string nor an atom. */
static bool mix_list_or_string(struct rel_import_gen *g, const struct rel_term *v)
{
    char *s = rel_import_str(v);
    if (s && s[0]) {
        rel_buf_puts(g->out, "[");
        rel_config_yaml_scalar(g->out, s, false);
        rel_buf_puts(g->out, "]");
        free(s);
        return true;
    }
    free(s);
    return rel_term_is_list(v) && rel_import_flow_list(g, v);
}

/* include_erts: true, false, a path, or a function of no arguments, which
 * mix calls when it builds the release: the expression printed it with its
 * value ({relman_evaluated, Value, Text}); the value is imported and a
 * comment says it was fixed at import. */
static int mix_include_erts(struct rel_import_gen *g, const char *name, const struct rel_term *v)
{
    const struct rel_term *orig = v;
    if (rel_term_is_tagged(v, "relman_evaluated", 3))
        v = rel_term_tuple_get(v, 1);
    char *p = rel_import_str(v);
    if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))
        rel_buf_printf(g->out, "    include_erts: %s\n", rel_term_atom_name(v));
    else if (p && p[0]) {
        rel_buf_puts(g->out, "    include_erts: ");
        rel_import_scalar(g, p);
        rel_buf_puts(g->out, "\n");
    } else {
        free(p);
        return mix_refuse(name, "include_erts", orig, "include_erts is true, false, a path or a "
                                                      "function returning one of these");
    }
    if (orig && orig != v) {
        char *fn = rel_import_str(rel_term_tuple_get(orig, 2));
        rel_buf_printf(g->out,
                       "    # include_erts was a function in mix.exs (%s), evaluated at import:\n"
                       "    # re-run `relman init --import` when what it returns changes\n",
                       fn ? fn : "fn");
        free(fn);
    }
    free(p);
    return 0;
}

static int mix_release(struct rel_import_gen *g, const char *name, const struct rel_term *opts,
                       const char *default_version)
{
    rel_buf_printf(g->out, "  %s:\n", name);
    const struct rel_term *ver = rel_term_proplist_get(opts, "version");
    char *vs = rel_import_str(ver);
    if (vs) {
        rel_buf_puts(g->out, "    version: ");
        rel_import_quoted(g, vs);
        rel_buf_puts(g->out, "\n");
    } else if (rel_term_is_tagged(ver, "from_app", 2) &&
               rel_import_atom_ok(rel_term_atom_name(rel_term_tuple_get(ver, 1)))) {
        rel_buf_printf(g->out, "    version: {from_app: %s}\n",
                       rel_term_atom_name(rel_term_tuple_get(ver, 1)));
    } else if (default_version) {
        rel_buf_puts(g->out, "    version: ");
        rel_import_quoted(g, default_version);
        rel_buf_puts(g->out, "\n");
        if (ver && !rel_import_is_nil(ver)) {
            free(vs);
            return mix_refuse(name, "version", ver, "a version is a string or {:from_app, APP}");
        }
    }
    free(vs);
    size_t n = rel_term_list_len(opts);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct rel_term *kv = rel_term_list_get(opts, i);
        const char *key = rel_term_atom_name(rel_term_tuple_get(kv, 0));
        const struct rel_term *v = rel_term_tuple_get(kv, 1);
        if (!key || rel_term_tuple_size(kv) != 2 || strcmp(key, "version") == 0)
            continue;
        if (strcmp(key, "applications") == 0) {
            size_t na = rel_term_list_len(v);
            struct rel_buf apps = REL_BUF_INIT;
            bool ok = rel_term_is_list(v);
            for (size_t k = 0; ok && k < na; k++) {
                const struct rel_term *e = rel_term_list_get(v, k);
                const char *app = rel_term_atom_name(rel_term_tuple_get(e, 0));
                const char *mode = rel_term_atom_name(rel_term_tuple_get(e, 1));
                if (!rel_import_atom_ok(app) || !rel_import_is_mode(mode) ||
                    rel_term_tuple_size(e) != 2)
                    ok = false;
                else
                    rel_buf_printf(&apps, "      %s: %s\n", app, mode);
            }
            if (ok && na) {
                rel_buf_puts(g->out, "    applications:\n");
                rel_buf_put(g->out, apps.ptr, apps.len);
            } else if (!ok) {
                rc = mix_refuse(name, key, v, "applications is a keyword list of modes");
            }
            rel_buf_free(&apps);
        } else if (strcmp(key, "include_erts") == 0) {
            rc = mix_include_erts(g, name, v);
        } else if (strcmp(key, "include_executables_for") == 0 ||
                   strcmp(key, "skip_mode_validation_for") == 0 || strcmp(key, "overlays") == 0) {
            size_t mark = g->out->len;
            rel_buf_printf(g->out, "    %s: ", key);
            if (strcmp(key, "overlays") == 0 ? mix_list_or_string(g, v)
                                             : rel_term_is_list(v) && rel_import_flow_list(g, v))
                rel_buf_puts(g->out, "\n");
            else {
                rel_buf_truncate(g->out, mark);
                rc = mix_refuse(name, key, v, "relman takes a list of atoms or strings here");
            }
        } else if (strcmp(key, "strip_beams") == 0) {
            if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false")) {
                rel_buf_printf(g->out, "    strip_beams: %s\n", rel_term_atom_name(v));
            } else if (rel_term_is_list(v)) {
                const struct rel_term *keep = rel_term_proplist_get(v, "keep");
                const struct rel_term *comp = rel_term_proplist_get(v, "compress");
                size_t mark = g->out->len;
                rel_buf_puts(g->out, "    strip_beams: {keep: ");
                bool ok = keep ? mix_list_or_string(g, keep) : (rel_buf_puts(g->out, "[]"), true);
                rel_buf_printf(g->out, ", compress: %s}\n",
                               rel_term_is_atom(comp, "true") ? "true" : "false");
                if (!ok) {
                    rel_buf_truncate(g->out, mark);
                    rc = mix_refuse(name, key, v, "keep is a list of chunk names");
                }
            } else {
                rc = mix_refuse(name, key, v, "strip_beams is a boolean or a keyword list");
            }
        } else if (strcmp(key, "cookie") == 0 || strcmp(key, "path") == 0 ||
                   strcmp(key, "rel_templates_path") == 0 ||
                   strcmp(key, "runtime_config_path") == 0) {
            char *s = rel_import_str(v);
            if (s && s[0]) {
                rel_buf_printf(g->out, "    %s: ", key);
                rel_import_scalar(g, s);
                rel_buf_puts(g->out, "\n");
            } else if (strcmp(key, "runtime_config_path") == 0 && rel_term_is_atom(v, "false")) {
                rel_buf_puts(g->out, "    runtime_config_path: false\n");
            } else {
                rc = mix_refuse(name, key, v, "relman takes a non-empty string here");
            }
            free(s);
        } else if (strcmp(key, "steps") == 0) {
            rc = mix_steps(g, name, v);
        } else if (strcmp(key, "config_providers") == 0) {
            rc = mix_providers(g, name, v);
        } else if (strcmp(key, "overwrite") == 0) {
            /* mix's overwrite: true replaces the version and the cookie
             * without asking, which `relman assemble --overwrite` does */
            if (!rel_term_is_atom(v, "false"))
                rc = mix_refuse(name, key, v, "use `relman assemble --overwrite` instead");
        } else {
            bool done = false;
            for (const char *const *b = mix_bools; *b && !done; b++)
                if (strcmp(key, *b) == 0 &&
                    (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))) {
                    rel_buf_printf(g->out, "    %s: %s\n", key, rel_term_atom_name(v));
                    done = true;
                }
            if (!done && mix_option(key))
                rc = mix_refuse(name, key, v, "relman takes true or false here");
            else if (!done) {
                char *c = comment_text(v);
                rel_buf_printf(g->out,
                               "    # %s: not a mix release option (mix ignores it; the "
                               "function steps of mix.exs still see it): %s\n",
                               key, c);
                free(c);
            }
        }
    }
    return rc;
}

/*
 * An umbrella whose mix.exs has no releases: `mix release` refuses it (an
 * umbrella's releases must each list, in applications:, the children they
 * hold). relman says so, and proposes one release, named after the
 * directory, with every child permanent; the summary and a comment in
 * relman.yml say both.
 */
static void mix_umbrella_proposal(struct rel_import_gen *g, struct rel_buf *summary,
                                  const char *dir, const char *version,
                                  const struct rel_term *children)
{
    char *base = rel_path_basename(dir);
    char *rn = rel_import_release_name_from(base);
    free(base);
    struct rel_buf names = REL_BUF_INIT;
    for (size_t k = 0; k < rel_term_list_len(children); k++) {
        const char *c = rel_term_atom_name(rel_term_list_get(children, k));
        if (rel_import_atom_ok(c))
            rel_buf_printf(&names, "%s%s", names.len ? ", " : "", c);
    }
    rel_buf_puts(g->out,
                 "  # mix.exs defines no releases: `mix release` refuses an umbrella without\n"
                 "  # them (each release must choose its children in applications:). relman\n"
                 "  # proposes this release with every child; keep the children it should\n"
                 "  # hold, or add releases: to mix.exs and import again (or import in a\n"
                 "  # child's directory to release that child alone).\n");
    rel_buf_printf(g->out, "  %s:\n", rn);
    if (version) {
        rel_buf_puts(g->out, "    version: ");
        rel_import_quoted(g, version);
        rel_buf_puts(g->out, "\n");
    }
    rel_buf_puts(g->out, "    applications:\n");
    for (size_t k = 0; k < rel_term_list_len(children); k++) {
        const char *c = rel_term_atom_name(rel_term_list_get(children, k));
        if (rel_import_atom_ok(c))
            rel_buf_printf(g->out, "      %s: permanent\n", c);
    }
    rel_buf_printf(summary,
                   "mix.exs defines no releases, and `mix release` would refuse this umbrella: "
                   "an umbrella's releases must each list the children they hold in "
                   "applications:. Proposed instead: release %s with every child (%s); edit "
                   "it in relman.yml, or add releases: to mix.exs and import again (or import "
                   "in a child's directory to release that child alone)",
                   rn, rel_buf_cstr(&names));
    rel_buf_free(&names);
    free(rn);
}

/* Mix's :build_path when it is not the default (an umbrella child has
 * "../../_build": released from its own directory, as mix does there). */
static void mix_build_path(struct rel_import_gen *g, const struct rel_term *v)
{
    char *bp = rel_import_str(v);
    if (bp && bp[0] && strcmp(bp, "_build") != 0) {
        rel_buf_puts(g->out, "  build_path: ");
        rel_import_scalar(g, bp);
        rel_buf_puts(g->out, "\n");
    }
    free(bp);
}

int rel_import_mix(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                   const char *env)
{
    struct rel_term *t = NULL;
    struct rel_mixrun_opts mo = {.dir = dir, .env = env, .action = "project"};
    int rc = rel_mixrun_query(&t, &mo, "mix could not print the project configuration");
    if (rc < 0)
        return rc;
    const char *app = rel_term_atom_name(rel_term_proplist_get(t, "app"));
    if (app && strcmp(app, "nil") == 0)
        app = NULL;
    char *version = rel_import_str(rel_term_proplist_get(t, "version"));
    bool umbrella = rel_term_is_atom(rel_term_proplist_get(t, "umbrella"), "true");
    const struct rel_term *def = rel_term_proplist_get(t, "default_release");
    const struct rel_term *rels = rel_term_proplist_get(t, "releases");
    const struct rel_term *children = rel_term_proplist_get(t, "children");

    rel_buf_printf(g->out,
                   "# relman.yml, imported from mix.exs by `relman init --import` "
                   "(MIX_ENV=%s).\n# Reference: docs/config.md in relman's sources.\n",
                   env);
    rel_buf_printf(g->out, "project:\n  kind: mix\n  env: %s\n", env);
    if (app && rel_import_atom_ok(app))
        rel_buf_printf(g->out, "  app: %s\n", app);
    char *config_path = rel_import_str(rel_term_proplist_get(t, "config_path"));
    if (config_path && strcmp(config_path, "config/config.exs") != 0) {
        rel_buf_puts(g->out, "  config_path: ");
        rel_import_quoted(g, config_path);
        rel_buf_puts(g->out, "\n");
    }
    free(config_path);
    mix_build_path(g, rel_term_proplist_get(t, "build_path"));
    if (!rel_import_is_nil(def) && rel_import_atom_ok(rel_term_atom_name(def)))
        rel_buf_printf(g->out, "default_release: %s\n", rel_term_atom_name(def));
    rel_buf_puts(g->out, "releases:\n");
    size_t n = rel_term_list_len(rels);
    size_t written = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *r = rel_term_list_get(rels, i);
        const char *name = rel_term_atom_name(rel_term_tuple_get(r, 0));
        if (!name)
            continue;
        char *rn = rel_import_release_name_from(name);
        if (strcmp(rn, name) != 0) {
            free(rn);
            free(version);
            rc = rel_error_set(REL_ECONFIG,
                               "mix.exs: release %s: not a valid release name (a lowercase "
                               "letter, then lowercase letters, digits and _; mix refuses it too)",
                               name);
            goto done;
        }
        free(rn);
        if ((rc = mix_release(g, name, rel_term_tuple_get(r, 1), version)) < 0) {
            free(version);
            goto done;
        }
        rel_buf_printf(summary, "%s%s", written++ ? ", " : "releases ", name);
    }
    if (!written) {
        /* what `mix release` would do without :releases */
        if (umbrella) {
            mix_umbrella_proposal(g, summary, dir, version, children);
        } else if (app) {
            rel_buf_printf(g->out, "  %s:\n", app);
            if (version) {
                rel_buf_puts(g->out, "    version: ");
                rel_import_quoted(g, version);
                rel_buf_puts(g->out, "\n");
            }
            rel_buf_printf(g->out, "    applications:\n      %s: permanent\n", app);
            rel_buf_printf(summary, "no releases in mix.exs; proposed release %s", app);
        }
    }
    free(version);
done:
    rel_term_free(t);
    return rc;
}
