/*
 * import.c - a first relman.yml, imported or starter (see import.h).
 */
#include "import.h"

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
    "children = if Mix.Project.umbrella?(), do: Map.keys(Mix.Project.apps_paths() || %{}), "
    "else: []\n"
    "t = [app: c[:app], version: c[:version], umbrella: Mix.Project.umbrella?(), "
    "children: Enum.sort(children), default_release: c[:default_release], releases: rels]\n"
    "IO.puts(\"RELMAN-BEGIN\")\n"
    "IO.puts(:io_lib.format(String.to_charlist(\"~tp.\"), [f.(f, t)]))\n"
    "IO.puts(\"RELMAN-END\")\n";

/* ---- YAML writing helpers ----------------------------------------------------- */

struct gen {
    struct rel_buf *out;
    struct rel_buf skipped; /* "# not imported: ..." lines */
};

static void scalar(struct gen *g, const char *s)
{
    rel_config_yaml_scalar(g->out, s, false);
}

static void quoted(struct gen *g, const char *s)
{
    rel_config_yaml_scalar(g->out, s, true);
}

static void skipped(struct gen *g, const char *rel, const char *key, const struct rel_term *v)
{
    char *text = rel_term_to_text(v);
    if (strlen(text) > 120)
        strcpy(text + 110, " ...");
    rel_buf_printf(&g->skipped, "#   releases.%s.%s = %s\n", rel, key, text);
    free(text);
}

/* A charlist or binary as a new C string, else NULL. */
static char *str(const struct rel_term *t)
{
    if (!t || (t->kind != REL_TERM_STRING && t->kind != REL_TERM_BINARY &&
               !(t->kind == REL_TERM_LIST && t->u.list.len == 0)))
        return NULL;
    return rel_term_to_cstring(t);
}

static bool is_nil(const struct rel_term *t)
{
    return !t || rel_term_is_atom(t, "nil") || rel_term_is_atom(t, "undefined");
}

/* Elixir-friendly application name check (what relman.yml accepts). */
static bool atom_ok(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '@'))
            return false;
    return true;
}

static bool is_mode(const char *s)
{
    enum rel_mode m;
    return s && rel_mode_parse(&m, s) == 0;
}

/* A flow list of atoms or strings: "[a, b]"; false when an item is neither. */
static bool flow_list(struct gen *g, const struct rel_term *l)
{
    size_t n = rel_term_list_len(l);
    struct rel_buf tmp = REL_BUF_INIT;
    rel_buf_puts(&tmp, "[");
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *it = rel_term_list_get(l, i);
        char *s = str(it);
        const char *a = rel_term_atom_name(it);
        if (!s && !a) {
            rel_buf_free(&tmp);
            return false;
        }
        if (i)
            rel_buf_puts(&tmp, ", ");
        rel_config_yaml_scalar(&tmp, s ? s : a, false);
        free(s);
    }
    rel_buf_puts(&tmp, "]");
    rel_buf_put(g->out, tmp.ptr, tmp.len);
    rel_buf_free(&tmp);
    return true;
}

/* ---- Mix --------------------------------------------------------------- */

static const char *const mix_bools[] = {"reboot_system_after_config",
                                        "prune_runtime_sys_config_after_boot",
                                        "start_distribution_during_config",
                                        "validate_compile_env",
                                        "quiet",
                                        NULL};

static void mix_release(struct gen *g, const char *name, const struct rel_term *opts,
                        const char *default_version)
{
    rel_buf_printf(g->out, "  %s:\n", name);
    const struct rel_term *ver = rel_term_proplist_get(opts, "version");
    char *vs = str(ver);
    if (vs) {
        rel_buf_puts(g->out, "    version: ");
        quoted(g, vs);
        rel_buf_puts(g->out, "\n");
    } else if (rel_term_is_tagged(ver, "from_app", 2) &&
               atom_ok(rel_term_atom_name(rel_term_tuple_get(ver, 1)))) {
        rel_buf_printf(g->out, "    version: {from_app: %s}\n",
                       rel_term_atom_name(rel_term_tuple_get(ver, 1)));
    } else if (default_version) {
        rel_buf_puts(g->out, "    version: ");
        quoted(g, default_version);
        rel_buf_puts(g->out, "\n");
        if (ver)
            skipped(g, name, "version", ver);
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
                if (!atom_ok(app) || !is_mode(mode) || rel_term_tuple_size(e) != 2)
                    ok = false;
                else
                    rel_buf_printf(&apps, "      %s: %s\n", app, mode);
            }
            if (ok && na) {
                rel_buf_puts(g->out, "    applications:\n");
                rel_buf_put(g->out, apps.ptr, apps.len);
            } else if (!ok) {
                skipped(g, name, key, v);
            }
            rel_buf_free(&apps);
        } else if (strcmp(key, "include_erts") == 0) {
            char *p = str(v);
            if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))
                rel_buf_printf(g->out, "    include_erts: %s\n", rel_term_atom_name(v));
            else if (p) {
                rel_buf_puts(g->out, "    include_erts: ");
                scalar(g, p);
                rel_buf_puts(g->out, "\n");
            } else
                skipped(g, name, key, v);
            free(p);
        } else if (strcmp(key, "include_executables_for") == 0 ||
                   strcmp(key, "skip_mode_validation_for") == 0 || strcmp(key, "overlays") == 0) {
            size_t mark = g->out->len;
            rel_buf_printf(g->out, "    %s: ", key);
            if (rel_term_is_list(v) && flow_list(g, v))
                rel_buf_puts(g->out, "\n");
            else {
                rel_buf_truncate(g->out, mark);
                skipped(g, name, key, v);
            }
        } else if (strcmp(key, "strip_beams") == 0) {
            if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false")) {
                rel_buf_printf(g->out, "    strip_beams: %s\n", rel_term_atom_name(v));
            } else if (rel_term_is_list(v)) {
                const struct rel_term *keep = rel_term_proplist_get(v, "keep");
                const struct rel_term *comp = rel_term_proplist_get(v, "compress");
                size_t mark = g->out->len;
                rel_buf_puts(g->out, "    strip_beams: {keep: ");
                bool ok = keep ? flow_list(g, keep) : (rel_buf_puts(g->out, "[]"), true);
                rel_buf_printf(g->out, ", compress: %s}\n",
                               rel_term_is_atom(comp, "true") ? "true" : "false");
                if (!ok) {
                    rel_buf_truncate(g->out, mark);
                    skipped(g, name, key, v);
                }
            } else {
                skipped(g, name, key, v);
            }
        } else if (strcmp(key, "cookie") == 0 || strcmp(key, "path") == 0 ||
                   strcmp(key, "rel_templates_path") == 0 ||
                   strcmp(key, "runtime_config_path") == 0) {
            char *s = str(v);
            if (s && s[0]) {
                rel_buf_printf(g->out, "    %s: ", key);
                scalar(g, s);
                rel_buf_puts(g->out, "\n");
            } else if (strcmp(key, "runtime_config_path") == 0 && rel_term_is_atom(v, "false")) {
                rel_buf_puts(g->out, "    runtime_config_path: false\n");
            } else {
                skipped(g, name, key, v);
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
                skipped(g, name, key, v);
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
                skipped(g, name, key, v);
        }
    }
}

/* A release name from a directory name: lowercase, [a-z0-9_], starting with
 * a letter. */
static char *release_name_from(const char *s)
{
    struct rel_buf b = REL_BUF_INIT;
    for (; *s; s++) {
        char c = (char)tolower((unsigned char)*s);
        if (isalnum((unsigned char)c))
            rel_buf_putc(&b, c);
        else if (b.len && b.ptr[b.len - 1] != '_')
            rel_buf_putc(&b, '_');
    }
    while (b.len && b.ptr[b.len - 1] == '_')
        rel_buf_truncate(&b, b.len - 1);
    if (!b.len || !(b.ptr[0] >= 'a' && b.ptr[0] <= 'z')) {
        struct rel_buf c = REL_BUF_INIT;
        rel_buf_printf(&c, "rel_%s", rel_buf_cstr(&b));
        rel_buf_free(&b);
        return rel_buf_detach(&c);
    }
    return rel_buf_detach(&b);
}

static int import_mix(struct gen *g, struct rel_buf *summary, const char *dir, const char *env)
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
    char *version = str(rel_term_proplist_get(t, "version"));
    bool umbrella = rel_term_is_atom(rel_term_proplist_get(t, "umbrella"), "true");
    const struct rel_term *def = rel_term_proplist_get(t, "default_release");
    const struct rel_term *rels = rel_term_proplist_get(t, "releases");
    const struct rel_term *children = rel_term_proplist_get(t, "children");

    rel_buf_printf(g->out,
                   "# relman.yml, imported from mix.exs by `relman init --import` "
                   "(MIX_ENV=%s).\n# Reference: docs/config.md in relman's sources.\n",
                   env);
    rel_buf_printf(g->out, "project:\n  kind: mix\n  env: %s\n", env);
    if (app && atom_ok(app))
        rel_buf_printf(g->out, "  app: %s\n", app);
    if (!is_nil(def) && atom_ok(rel_term_atom_name(def)))
        rel_buf_printf(g->out, "default_release: %s\n", rel_term_atom_name(def));
    rel_buf_puts(g->out, "releases:\n");
    size_t n = rel_term_list_len(rels);
    size_t written = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *r = rel_term_list_get(rels, i);
        const char *name = rel_term_atom_name(rel_term_tuple_get(r, 0));
        if (!name)
            continue;
        char *rn = release_name_from(name);
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
            char *base = rel_path_basename(dir);
            char *rn = release_name_from(base);
            free(base);
            rel_buf_printf(g->out, "  %s:\n", rn);
            if (version) {
                rel_buf_puts(g->out, "    version: ");
                quoted(g, version);
                rel_buf_puts(g->out, "\n");
            }
            rel_buf_puts(g->out, "    applications:\n");
            for (size_t k = 0; k < rel_term_list_len(children); k++) {
                const char *c = rel_term_atom_name(rel_term_list_get(children, k));
                if (atom_ok(c))
                    rel_buf_printf(g->out, "      %s: permanent\n", c);
            }
            rel_buf_printf(summary,
                           "no releases in mix.exs; proposed release %s with every "
                           "umbrella child",
                           rn);
            free(rn);
        } else if (app) {
            rel_buf_printf(g->out, "  %s:\n", app);
            if (version) {
                rel_buf_puts(g->out, "    version: ");
                quoted(g, version);
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

/* ---- rebar3 -------------------------------------------------------------- */

/* Merge relx option lists: entries of `over` replace those of `base` with the
 * same key (first element); releases are appended. Borrowed pointers. */
static size_t relx_merge(const struct rel_term **out, size_t max, const struct rel_term *base,
                         const struct rel_term *over)
{
    size_t n = 0;
    const struct rel_term *lists[] = {base, over};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < rel_term_list_len(lists[l]); i++) {
            const struct rel_term *e = rel_term_list_get(lists[l], i);
            const char *key = rel_term_atom_name(rel_term_tuple_get(e, 0));
            bool replaced = false;
            if (key && strcmp(key, "release") != 0)
                for (size_t k = 0; k < n; k++)
                    if (rel_term_is_atom(rel_term_tuple_get(out[k], 0), key)) {
                        out[k] = e;
                        replaced = true;
                    }
            if (!replaced && n < max)
                out[n++] = e;
        }
    }
    return n;
}

/* The first application of a rebar3 project (src/ or apps/): name and vsn. */
static int rebar_app(const char *dir, char **name, char **vsn)
{
    *name = *vsn = NULL;
    const char *subdirs[] = {"src", NULL};
    char *apps = rel_path_join2(dir, "apps");
    struct rel_buf cands = REL_BUF_INIT;
    (void)subdirs;
    /* src/NAME.app.src, then apps/NAME/src/NAME.app.src */
    char *src = rel_path_join2(dir, "src");
    DIR *d = opendir(src);
    struct dirent *e;
    char *found = NULL;
    while (d && (e = readdir(d)) && !found) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".app.src") == 0)
            found = rel_path_join2(src, e->d_name);
    }
    if (d)
        closedir(d);
    if (!found && (d = opendir(apps))) {
        char *best = NULL;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            if (!best || strcmp(e->d_name, best) < 0) {
                free(best);
                best = rel_strdup(e->d_name);
            }
        }
        closedir(d);
        if (best) {
            found = rel_asprintf("%s/%s/src/%s.app.src", apps, best, best);
            free(best);
        }
    }
    free(src);
    free(apps);
    rel_buf_free(&cands);
    if (!found)
        return REL_ENOTFOUND;
    struct rel_term *t = NULL;
    int rc = rel_term_consult_one(&t, found);
    free(found);
    if (rc < 0) {
        rel_error_clear();
        return REL_ENOTFOUND;
    }
    const char *n = rel_term_atom_name(rel_term_tuple_get(t, 1));
    if (rel_term_is_tagged(t, "application", 3) && atom_ok(n)) {
        *name = rel_strdup(n);
        *vsn = str(rel_term_proplist_get(rel_term_tuple_get(t, 2), "vsn"));
    }
    rel_term_free(t);
    return *name ? 0 : REL_ENOTFOUND;
}

static void relx_goal(struct gen *g, const char *rel, const struct rel_term *goal)
{
    const char *app = rel_term_atom_name(goal);
    const char *mode = "permanent";
    if (!app) {
        app = rel_term_atom_name(rel_term_tuple_get(goal, 0));
        for (size_t i = 1; i < rel_term_tuple_size(goal); i++) {
            const char *m = rel_term_atom_name(rel_term_tuple_get(goal, i));
            if (is_mode(m))
                mode = m;
        }
        if (rel_term_tuple_size(goal) > 2 ||
            (rel_term_tuple_size(goal) == 2 &&
             !is_mode(rel_term_atom_name(rel_term_tuple_get(goal, 1)))))
            skipped(g, rel, "applications (version pins and included lists are not imported)",
                    goal);
    }
    if (atom_ok(app))
        rel_buf_printf(g->out, "      %s: %s\n", app, mode);
    else
        skipped(g, rel, "applications", goal);
}

static void relx_path_opt(struct gen *g, const struct rel_term *e, const char *yaml_key,
                          const char *indent)
{
    char *p = str(rel_term_tuple_get(e, 1));
    if (p && p[0]) {
        rel_buf_printf(g->out, "%s%s: ", indent, yaml_key);
        scalar(g, p);
        rel_buf_puts(g->out, "\n");
    }
    free(p);
}

static int import_rebar3(struct gen *g, struct rel_buf *summary, const char *dir, const char *env)
{
    char *path = rel_path_join2(dir, "rebar.config");
    struct rel_terms terms = {0};
    int rc = rel_term_consult(&terms, path);
    free(path);
    if (rc < 0)
        return rc;
    const struct rel_term *base = NULL, *over = NULL;
    for (size_t i = 0; i < terms.len; i++) {
        const struct rel_term *t = terms.items[i];
        if (rel_term_is_tagged(t, "relx", 2))
            base = rel_term_tuple_get(t, 1);
        if (rel_term_is_tagged(t, "profiles", 2) && strcmp(env, "default") != 0) {
            const struct rel_term *prof = rel_term_proplist_get(rel_term_tuple_get(t, 1), env);
            over = rel_term_proplist_get(prof, "relx");
        }
    }
    const struct rel_term *opts[512];
    size_t n = relx_merge(opts, 512, base, over);

    rel_buf_printf(g->out,
                   "# relman.yml, imported from rebar.config by `relman init --import` "
                   "(profile %s).\n# Reference: docs/config.md in relman's sources.\n",
                   env);
    rel_buf_printf(g->out, "project:\n  kind: rebar3\n  env: %s\n", env);
    /* top-level relx options that apply to every release */
    const struct rel_term *sys_config = NULL, *vm_args = NULL, *include_erts = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *key = rel_term_atom_name(rel_term_tuple_get(opts[i], 0));
        if (!key)
            continue;
        if (strcmp(key, "sys_config") == 0 || strcmp(key, "sys_config_src") == 0)
            sys_config = opts[i];
        else if (strcmp(key, "vm_args") == 0 || strcmp(key, "vm_args_src") == 0)
            vm_args = opts[i];
        else if (strcmp(key, "include_erts") == 0)
            include_erts = opts[i];
        else if (strcmp(key, "lib_dirs") == 0 && rel_term_is_list(rel_term_tuple_get(opts[i], 1))) {
            rel_buf_puts(g->out, "lib_dirs: ");
            if (!flow_list(g, rel_term_tuple_get(opts[i], 1)))
                rel_buf_puts(g->out, "[]");
            rel_buf_puts(g->out, "\n");
        } else if (strcmp(key, "default_release") == 0) {
            const struct rel_term *v = rel_term_tuple_get(opts[i], 1);
            const char *dn = rel_term_atom_name(v);
            if (!dn)
                dn = rel_term_atom_name(rel_term_tuple_get(v, 0));
            if (atom_ok(dn))
                rel_buf_printf(g->out, "default_release: %s\n", dn);
        } else if (strcmp(key, "release") != 0 && strcmp(key, "dev_mode") != 0 &&
                   strcmp(key, "extended_start_script") != 0 && strcmp(key, "mode") != 0) {
            char *text = rel_term_to_text(opts[i]);
            if (strlen(text) > 110)
                strcpy(text + 100, " ...");
            rel_buf_printf(&g->skipped, "#   relx: %s\n", text);
            free(text);
        }
    }
    rel_buf_puts(g->out, "releases:\n");
    size_t written = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *e = opts[i];
        if (!rel_term_is_tagged(e, "release", 0) || rel_term_tuple_size(e) < 3)
            continue;
        const struct rel_term *id = rel_term_tuple_get(e, 1);
        const char *name = rel_term_atom_name(rel_term_tuple_get(id, 0));
        char *vsn = str(rel_term_tuple_get(id, 1));
        const struct rel_term *goals = rel_term_tuple_get(e, 2);
        if (!name || !atom_ok(name)) {
            free(vsn);
            continue;
        }
        rel_buf_printf(g->out, "  %s:\n", name);
        if (vsn) {
            rel_buf_puts(g->out, "    version: ");
            quoted(g, vsn);
            rel_buf_puts(g->out, "\n");
        } else {
            char *rn = NULL, *rv = NULL;
            if (rebar_app(dir, &rn, &rv) == 0 && rv) {
                rel_buf_puts(g->out, "    version: ");
                quoted(g, rv);
                rel_buf_puts(g->out, "\n");
            }
            skipped(g, name, "version", rel_term_tuple_get(id, 1));
            free(rn);
            free(rv);
        }
        free(vsn);
        rel_buf_puts(g->out, "    applications:\n");
        for (size_t k = 0; k < rel_term_list_len(goals); k++)
            relx_goal(g, name, rel_term_list_get(goals, k));
        /* per-release options (the 4-tuple form) override the shared ones */
        const struct rel_term *ro = rel_term_tuple_get(e, 3);
        const struct rel_term *sc = sys_config, *va = vm_args, *ie = include_erts;
        for (size_t k = 0; k < rel_term_list_len(ro); k++) {
            const struct rel_term *o = rel_term_list_get(ro, k);
            const char *key = rel_term_atom_name(rel_term_tuple_get(o, 0));
            if (key && (strcmp(key, "sys_config") == 0 || strcmp(key, "sys_config_src") == 0))
                sc = o;
            else if (key && (strcmp(key, "vm_args") == 0 || strcmp(key, "vm_args_src") == 0))
                va = o;
            else if (key && strcmp(key, "include_erts") == 0)
                ie = o;
        }
        if (ie) {
            const struct rel_term *v = rel_term_tuple_get(ie, 1);
            char *p = str(v);
            if (rel_term_is_atom(v, "true") || rel_term_is_atom(v, "false"))
                rel_buf_printf(g->out, "    include_erts: %s\n", rel_term_atom_name(v));
            else if (p && p[0]) {
                /* relx takes an Erlang root here; relman wants its erts-VSN dir */
                skipped(g, name, "include_erts (an OTP root: name its erts-VSN directory)", v);
            }
            free(p);
        }
        if (sc)
            relx_path_opt(g, sc, "sys_config", "    ");
        if (va)
            relx_path_opt(g, va, "vm_args", "    ");
        rel_buf_printf(summary, "%s%s", written++ ? ", " : "releases ", name);
    }
    if (!written) {
        char *an = NULL, *av = NULL;
        if (rebar_app(dir, &an, &av) == 0) {
            rel_buf_printf(g->out, "  %s:\n", an);
            rel_buf_puts(g->out, "    version: ");
            quoted(g, av && av[0] && strcmp(av, "git") != 0 ? av : "0.1.0");
            rel_buf_printf(g->out, "\n    applications:\n      %s: permanent\n", an);
            rel_buf_printf(summary, "no relx release in rebar.config; proposed release %s", an);
        }
        free(an);
        free(av);
    }
    rel_terms_free(&terms);
    return 0;
}

/* ---- starter ------------------------------------------------------------------ */

static void starter(struct gen *g, struct rel_buf *summary, const char *dir,
                    enum rel_project_kind kind, const char *env)
{
    char *base = rel_path_basename(dir);
    char *name = release_name_from(base);
    free(base);
    rel_buf_puts(g->out, "# relman.yml, a starter written by `relman init`.\n"
                         "# Reference: docs/config.md in relman's sources. For a Mix or rebar3\n"
                         "# project, `relman init --import --force` reads the real definitions.\n");
    rel_buf_printf(g->out, "project:\n  kind: %s\n", rel_project_kind_name(kind));
    if (env)
        rel_buf_printf(g->out, "  env: %s\n", env);
    if (kind == REL_PROJECT_PLAIN)
        rel_buf_puts(g->out,
                     "# directories whose subdirectories are applications (DIR/APP/ebin/APP.app)\n"
                     "lib_dirs: [lib]\n");
    rel_buf_printf(g->out,
                   "releases:\n  %s:\n    version: \"0.1.0\"\n"
                   "    # the applications to start; their dependencies come along\n"
                   "    applications:\n      %s: permanent\n",
                   name, name);
    rel_buf_printf(summary, "starter file with release %s", name);
    free(name);
}

int rel_import_generate(struct rel_buf *out, struct rel_buf *summary, const char *dir,
                        const struct rel_import_opts *opts)
{
    struct rel_buf dummy = REL_BUF_INIT;
    if (!summary)
        summary = &dummy;
    char *root = rel_fs_realpath(dir);
    if (!root)
        return rel_error_code();
    enum rel_project_kind kind = rel_project_detect_kind(root);
    const char *env = opts->env;
    if (!env && kind == REL_PROJECT_MIX) {
        env = getenv("MIX_ENV");
        if (!env || !env[0])
            env = "prod";
    } else if (!env && kind == REL_PROJECT_REBAR3) {
        env = "default";
    }
    struct gen g = {.out = out, .skipped = REL_BUF_INIT};
    size_t start = out->len;
    int rc = 0;
    if (opts->import && kind == REL_PROJECT_PLAIN) {
        rc = rel_error_set(REL_ENOTFOUND,
                           "nothing to import in %s: no mix.exs or rebar.config ('relman init' "
                           "writes a starter file)",
                           root);
    } else if (opts->import && kind == REL_PROJECT_MIX) {
        rc = import_mix(&g, summary, root, env);
    } else if (opts->import) {
        rc = import_rebar3(&g, summary, root, env);
    } else {
        starter(&g, summary, root, kind, env);
    }
    if (rc == 0 && g.skipped.len) {
        rel_buf_puts(out, "# Not imported (no relman equivalent; see docs/config.md):\n");
        rel_buf_put(out, g.skipped.ptr, g.skipped.len);
    }
    if (rc == 0) {
        /* never hand out a file relman itself would refuse */
        struct rel_config *cfg = NULL;
        rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, REL_CONFIG_FILE, root);
        if (rc < 0)
            rel_error_prefix("relman init produced an invalid relman.yml (please report)");
        else if (cfg->nreleases == 0)
            rc = rel_error_set(REL_ENOTFOUND,
                               "no release could be defined for %s (no release definition and "
                               "no application found)",
                               root);
        rel_config_free(cfg);
    }
    for (size_t i = 0; rc == 0 && i < opts->nchoices; i++) {
        struct rel_buf next = REL_BUF_INIT;
        rc = rel_import_apply(&next, out->ptr + start, out->len - start, &opts->choices[i]);
        if (rc == 0) {
            rel_buf_truncate(out, start);
            rel_buf_put(out, next.ptr, next.len);
        }
        rel_buf_free(&next);
    }
    if (rc < 0)
        rel_buf_truncate(out, start);
    rel_buf_free(&g.skipped);
    rel_buf_free(&dummy);
    free(root);
    return rc;
}

/* ---- choices ------------------------------------------------------------------- */

/* Replace *text by the result of an edit (which appended to `next`). */
static void take(struct rel_buf *text, struct rel_buf *next)
{
    rel_buf_free(text);
    *text = *next;
    *next = (struct rel_buf)REL_BUF_INIT;
}

static int check_cookie(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > 255)
        return rel_error_set(REL_EINVAL, "a cookie needs 1 to 255 characters");
    for (; *c; c++)
        if (*c < '!' || *c > '~')
            return rel_error_set(REL_EINVAL,
                                 "a cookie may only hold printable ASCII characters (no spaces)");
    return 0;
}

static int check_version(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 100)
        return rel_error_set(REL_EINVAL, "a version needs 1 to 100 characters");
    for (const char *c = v; *c; c++)
        if (*c <= ' ' || *c > '~' || *c == '/')
            return rel_error_set(REL_EINVAL,
                                 "version '%s': printable characters only, no spaces or '/'", v);
    if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
        return rel_error_set(REL_EINVAL, "version '%s' cannot name a directory", v);
    return 0;
}

/* Apply everything but the name to release `rel` of `text`. */
static int apply_one(struct rel_buf *text, const char *rel, const struct rel_import_choice *c)
{
    struct rel_buf next = REL_BUF_INIT, v = REL_BUF_INIT;
    int rc = 0;
    if (c->version) {
        rel_config_yaml_scalar(&v, c->version, true);
        rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                         "version", rel_buf_cstr(&v));
        if (rc == 0)
            take(text, &next);
    }
    if (rc == 0 && c->erts != REL_IMPORT_ERTS_KEEP) {
        rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                         "include_erts",
                                         c->erts == REL_IMPORT_ERTS_TRUE ? "true" : "false");
        if (rc == 0)
            take(text, &next);
    }
    if (rc == 0 && c->cookie != REL_IMPORT_COOKIE_KEEP) {
        char fresh[65];
        const char *cookie = NULL;
        if (c->cookie == REL_IMPORT_COOKIE_CONFIGURED) {
            cookie = c->cookie_value;
            if (!cookie && (rc = rel_assemble_new_cookie(fresh)) == 0)
                cookie = fresh;
        }
        rel_buf_clear(&v);
        if (cookie)
            rel_config_yaml_scalar(&v, cookie, true);
        if (rc == 0)
            rc = rel_config_edit_release_key(&next, text->ptr, text->len, REL_CONFIG_FILE, rel,
                                             "cookie", cookie ? rel_buf_cstr(&v) : NULL);
        if (rc == 0)
            take(text, &next);
        memset(fresh, 0, sizeof(fresh));
        if (v.ptr)
            memset(v.ptr, 0, v.len);
    }
    rel_buf_free(&next);
    rel_buf_free(&v);
    return rc;
}

int rel_import_apply(struct rel_buf *out, const char *text, size_t len,
                     const struct rel_import_choice *c)
{
    if (c->version && check_version(c->version) < 0)
        return rel_error_code();
    if (c->cookie == REL_IMPORT_COOKIE_CONFIGURED && c->cookie_value &&
        check_cookie(c->cookie_value) < 0)
        return rel_error_code();
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, REL_CONFIG_FILE, NULL);
    if (rc < 0)
        return rc;
    struct rel_buf names = REL_BUF_INIT;
    for (size_t i = 0; i < cfg->nreleases; i++)
        rel_buf_printf(&names, "%s%s", i ? ", " : "", cfg->releases[i].name);
    if (c->release && !rel_config_find_release(cfg, c->release))
        rc = rel_error_set(REL_ENOTFOUND, "no release '%s' (the file defines %s)", c->release,
                           names.len ? rel_buf_cstr(&names) : "none");
    else if (c->name && !c->release && cfg->nreleases != 1)
        rc = rel_error_set(REL_EUSAGE,
                           "a new release name needs exactly one release, and there are %zu "
                           "(%s): name the one to rename",
                           cfg->nreleases, rel_buf_cstr(&names));
    struct rel_buf cur = REL_BUF_INIT, next = REL_BUF_INIT;
    rel_buf_put(&cur, text, len);
    for (size_t i = 0; rc == 0 && i < cfg->nreleases; i++) {
        const char *rel = cfg->releases[i].name;
        if (c->release && strcmp(rel, c->release) != 0)
            continue;
        rc = apply_one(&cur, rel, c);
        if (rc == 0 && c->name) {
            rc = rel_config_edit_rename_release(&next, cur.ptr, cur.len, REL_CONFIG_FILE, rel,
                                                c->name);
            if (rc == 0)
                take(&cur, &next);
        }
    }
    if (rc == 0)
        rc = rel_buf_put(out, cur.ptr, cur.len);
    if (cur.ptr)
        memset(cur.ptr, 0, cur.len); /* it may hold a cookie */
    rel_buf_free(&cur);
    rel_buf_free(&next);
    rel_buf_free(&names);
    rel_config_free(cfg);
    return rc;
}

/* ---- writing ------------------------------------------------------------------- */

const char *const rel_import_template_files[] = {"vm.args.eex", "remote.vm.args.eex", "env.sh.eex",
                                                 "env.bat.eex", NULL};

/* Write the templates into each release's template directory (relative to
 * root); existing files are kept. Notes go to summary. */
static int write_templates(const char *root, const struct rel_config *cfg, struct rel_buf *summary)
{
    char **dirs = rel_calloc(cfg->nreleases + 1, sizeof(char *));
    size_t ndirs = 0;
    int rc = 0;
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const char *t = cfg->releases[i].rel_templates_path;
        char *d = rel_config_local_path(cfg, t ? t : "rel");
        bool seen = false;
        for (size_t k = 0; k < ndirs && !seen; k++)
            seen = strcmp(dirs[k], d) == 0;
        if (seen)
            free(d);
        else
            dirs[ndirs++] = d;
    }
    struct rel_buf wrote = REL_BUF_INIT, kept = REL_BUF_INIT;
    size_t rl = strlen(root);
    for (size_t k = 0; rc == 0 && k < ndirs; k++) {
        const char *shown_dir = dirs[k];
        if (strncmp(shown_dir, root, rl) == 0 && shown_dir[rl] == '/')
            shown_dir += rl + 1;
        if ((rc = rel_fs_mkdirs(dirs[k], 0755)) < 0)
            break;
        for (const char *const *f = rel_import_template_files; rc == 0 && *f; f++) {
            char *path = rel_path_join2(dirs[k], *f);
            struct rel_buf *list = &kept;
            if (!rel_fs_exists(path)) {
                size_t n;
                const char *data = rel_data_get(*f, &n);
                rc = data ? rel_fs_write_atomic(path, data, n, 0644)
                          : rel_error_set(REL_ENOTFOUND, "built-in template %s is missing", *f);
                list = &wrote;
            }
            if (rc == 0)
                rel_buf_printf(list, "%s%s/%s", list->len ? ", " : "", shown_dir, *f);
            free(path);
        }
    }
    if (wrote.len)
        rel_buf_printf(summary, "; wrote %s", rel_buf_cstr(&wrote));
    if (kept.len)
        rel_buf_printf(summary, "; kept %s (they exist)", rel_buf_cstr(&kept));
    for (size_t k = 0; k < ndirs; k++)
        free(dirs[k]);
    free(dirs);
    rel_buf_free(&wrote);
    rel_buf_free(&kept);
    return rc;
}

int rel_import_write_text(const char *dir, const char *text, size_t len, bool templates, bool force,
                          struct rel_buf *summary)
{
    struct rel_buf dummy = REL_BUF_INIT;
    if (!summary)
        summary = &dummy;
    char *root = rel_fs_realpath(dir);
    if (!root)
        return rel_error_code();
    char *path = rel_path_join2(root, REL_CONFIG_FILE);
    struct rel_config *cfg = NULL;
    int rc = 0;
    if (!force && rel_fs_exists(path))
        rc = rel_error_set(REL_EEXISTS, "%s already exists; use --force to replace it", path);
    if (rc == 0)
        rc = rel_config_parse(&cfg, text, len, REL_CONFIG_FILE, root);
    if (rc == 0 && templates)
        rc = write_templates(root, cfg, summary);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, text, len, 0644);
    rel_config_free(cfg);
    rel_buf_free(&dummy);
    free(path);
    free(root);
    return rc;
}

int rel_import_write(const char *dir, const struct rel_import_opts *opts, bool force,
                     struct rel_buf *summary)
{
    char *joined = rel_path_join2(dir, REL_CONFIG_FILE);
    char *path = rel_path_normalize(joined);
    free(joined);
    int rc = 0;
    if (!force && rel_fs_exists(path)) {
        rc = rel_error_set(REL_EEXISTS, "%s already exists; use --force to replace it", path);
        free(path);
        return rc;
    }
    free(path);
    struct rel_buf text = REL_BUF_INIT;
    rc = rel_import_generate(&text, summary, dir, opts);
    if (rc == 0)
        rc = rel_import_write_text(dir, text.ptr, text.len, opts->templates, force, summary);
    if (text.ptr)
        memset(text.ptr, 0, text.len);
    rel_buf_free(&text);
    return rc;
}
