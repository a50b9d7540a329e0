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
#include "path.h"
#include "proc.h"
#include "project.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the Elixir expression mix runs ---------------------------------------- */

/*
 * Prints the project configuration relman needs as one Erlang term between
 * marker lines. Elixir strings become charlists, functions and other values a
 * term cannot hold become {relman_function | relman_unsupported, Text}, and
 * release definitions given as functions are evaluated.
 */
static const char mix_expr[] =
    "c = Mix.Project.config()\n"
    "f = fn\n"
    "  _f, x when is_binary(x) -> String.to_charlist(x)\n"
    "  f, x when is_list(x) -> Enum.map(x, &f.(f, &1))\n"
    "  f, x when is_tuple(x) -> x |> Tuple.to_list() |> Enum.map(&f.(f, &1)) |> "
    "List.to_tuple()\n"
    "  f, x when is_map(x) -> Map.new(x, fn {k, v} -> {f.(f, k), f.(f, v)} end)\n"
    "  _f, x when is_function(x) -> {:relman_function, String.to_charlist(inspect(x))}\n"
    "  _f, x when is_atom(x) or is_number(x) -> x\n"
    "  _f, x -> {:relman_unsupported, String.to_charlist(inspect(x))}\n"
    "end\n"
    "rels = for {n, o} <- Keyword.get(c, :releases, []), do: {n, if(is_function(o, 0), do: "
    "o.(), else: o)}\n"
    /* include_erts given as a function: mix calls it when it builds */
    "rels = for {n, o} <- rels, do: {n, Enum.map(o, fn {:include_erts, e} when is_function(e, "
    "0) -> {:include_erts, {:relman_evaluated, e.(), inspect(e)}}; kv -> kv end)}\n"
    "children = if Mix.Project.umbrella?(), do: Map.keys(Mix.Project.apps_paths() || %{}), "
    "else: []\n"
    "t = [app: c[:app], version: c[:version], umbrella: Mix.Project.umbrella?(), "
    "children: Enum.sort(children), default_release: c[:default_release], releases: rels]\n"
    /* an umbrella child's build_path (\"../../_build\") */
    "t = t ++ [build_path: c[:build_path]]\n"
    "IO.puts(\"RELMAN-BEGIN\")\n"
    "IO.puts(:io_lib.format(String.to_charlist(\"~tp.\"), [f.(f, t)]))\n"
    "IO.puts(\"RELMAN-END\")\n";

/* ---- Mix --------------------------------------------------------------- */

static const char *const mix_bools[] = {"reboot_system_after_config",
                                        "prune_runtime_sys_config_after_boot",
                                        "start_distribution_during_config",
                                        "validate_compile_env",
                                        "quiet",
                                        NULL};

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
static void mix_include_erts(struct rel_import_gen *g, const char *name, const struct rel_term *v)
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
        rel_import_skipped(g, name, "include_erts", orig);
        orig = NULL;
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
}

static void mix_release(struct rel_import_gen *g, const char *name, const struct rel_term *opts,
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
        if (ver)
            rel_import_skipped(g, name, "version", ver);
    }
    free(vs);
    size_t n = rel_term_list_len(opts);
    for (size_t i = 0; i < n; i++) {
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
                rel_import_skipped(g, name, key, v);
            }
            rel_buf_free(&apps);
        } else if (strcmp(key, "include_erts") == 0) {
            mix_include_erts(g, name, v);
        } else if (strcmp(key, "include_executables_for") == 0 ||
                   strcmp(key, "skip_mode_validation_for") == 0 || strcmp(key, "overlays") == 0) {
            size_t mark = g->out->len;
            rel_buf_printf(g->out, "    %s: ", key);
            if (strcmp(key, "overlays") == 0 ? mix_list_or_string(g, v)
                                             : rel_term_is_list(v) && rel_import_flow_list(g, v))
                rel_buf_puts(g->out, "\n");
            else {
                rel_buf_truncate(g->out, mark);
                rel_import_skipped(g, name, key, v);
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
                    rel_import_skipped(g, name, key, v);
                }
            } else {
                rel_import_skipped(g, name, key, v);
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
                rel_import_skipped(g, name, key, v);
            }
            free(s);
        } else if (strcmp(key, "steps") == 0) {
            size_t ns = rel_term_list_len(v);
            struct rel_buf steps = REL_BUF_INIT;
            bool dropped = false;
            for (size_t k = 0; k < ns; k++) {
                const char *a = rel_term_atom_name(rel_term_list_get(v, k));
                if (a && (strcmp(a, "assemble") == 0 || strcmp(a, "tar") == 0))
                    rel_buf_printf(&steps, "%s%s", steps.len ? ", " : "", a);
                else
                    dropped = true;
            }
            if (steps.len)
                rel_buf_printf(g->out, "    steps: [%s]\n", rel_buf_cstr(&steps));
            if (dropped)
                rel_import_skipped(g, name, key, v);
            rel_buf_free(&steps);
        } else {
            bool done = false;
            for (const char *const *b = mix_bools; *b && !done; b++)
                if (strcmp(key, *b) == 0 &&
                    (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))) {
                    rel_buf_printf(g->out, "    %s: %s\n", key, rel_term_atom_name(v));
                    done = true;
                }
            if (!done)
                rel_import_skipped(g, name, key, v);
        }
    }
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
    const char *argv[] = {"mix",
                          "run",
                          "--no-compile",
                          "--no-start",
                          "--no-deps-check",
                          "--no-archives-check",
                          "--no-elixir-version-check",
                          "-e",
                          mix_expr,
                          NULL};
    char *envvar = rel_asprintf("MIX_ENV=%s", env);
    const char *envs[] = {envvar, NULL};
    struct rel_buf out = REL_BUF_INIT, err = REL_BUF_INIT;
    struct rel_proc_opts po = {
        .cwd = dir, .env = envs, .out = &out, .err = &err, .max_output = (size_t)8 << 20};
    int status = -1;
    int rc = rel_proc_run(&status, argv, &po);
    free(envvar);
    struct rel_term *t = NULL;
    if (rc < 0)
        goto done;
    const char *begin = strstr(rel_buf_cstr(&out), "RELMAN-BEGIN\n");
    const char *end = begin ? strstr(begin, "\nRELMAN-END") : NULL;
    if (status != 0 || !begin || !end) {
        /* Elixir's error line ("** (Error) ...") says what is wrong; without
         * one, the last line */
        char *e = err.len ? err.ptr : out.ptr ? out.ptr : "";
        const char *line = strstr(e, "** (");
        if (!line) {
            size_t n = strlen(e);
            while (n && isspace((unsigned char)e[n - 1]))
                e[--n] = '\0';
            line = strrchr(e, '\n');
            line = line ? line + 1 : e;
        }
        size_t len = strcspn(line, "\n");
        while (*line == ' ' && len) {
            line++;
            len--;
        }
        rc = rel_error_set(REL_ECHILD,
                           "mix could not print the project configuration (exit %d)%s%.*s", status,
                           len ? ": " : "", (int)(len > 300 ? 300 : len), line);
        goto done;
    }
    begin += strlen("RELMAN-BEGIN\n");
    rc = rel_term_parse_one(&t, begin, (size_t)(end - begin), "mix output");
    if (rc < 0)
        goto done;
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
            rel_buf_printf(&g->skipped, "#   release %s: not a valid release name\n", name);
            free(rn);
            continue;
        }
        free(rn);
        mix_release(g, name, rel_term_tuple_get(r, 1), version);
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
    rel_buf_free(&out);
    rel_buf_free(&err);
    return rc;
}
