#include "sysconfig.h"

#include "alloc.h"
#include "buf.h"
#include "eex.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "path.h"
#include "proc.h"
#include "sha256.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAGIC "relman config cache v1\n"

/* Evaluates the configuration like `mix release` (Config.Reader with the
 * env and target, imports allowed) and prints {Config, ImportedFiles} with
 * ~w, which writes binaries and strings as plain byte lists: unambiguous
 * Erlang syntax for relman's parser. */
static const char eval_script[] =
    "Mix.start()\n"
    "path = System.fetch_env!(\"RELMAN_CONFIG_PATH\")\n"
    "opts = [env: String.to_atom(System.fetch_env!(\"RELMAN_CONFIG_ENV\")),\n"
    "        target: String.to_atom(System.fetch_env!(\"RELMAN_CONFIG_TARGET\"))]\n"
    "{config, imports} = Config.Reader.read_imports!(path, opts)\n"
    "IO.write(:io_lib.format(~c\"~w.~n\", [{config, [path | imports]}]))\n";

static int file_sha(char out[65], const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, (size_t)64 << 20);
    if (rc == 0)
        rel_sha256_hex(out, b.ptr ? b.ptr : "", b.len);
    rel_buf_free(&b);
    return rc;
}

static char *cache_key(const struct rel_mix_config *c)
{
    char *k =
        rel_asprintf("%s|%s|%s|%s|%zu", c->config_path, c->env, c->target ? c->target : "host",
                     c->elixir_version ? c->elixir_version : "", sizeof(eval_script));
    char hex[65];
    rel_sha256_hex(hex, k, strlen(k));
    free(k);
    return rel_strdup(hex);
}

/* The cached term text when every recorded file still has its hash. */
static char *cache_lookup(const struct rel_mix_config *c, const char *key)
{
    struct rel_buf b = REL_BUF_INIT;
    char *result = NULL;
    if (rel_fs_read_file(&b, c->cache_file, (size_t)64 << 20) < 0) {
        rel_error_clear();
        goto done;
    }
    const char *p = rel_buf_cstr(&b);
    if (strncmp(p, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
        goto done;
    p += strlen(CACHE_MAGIC);
    if (strncmp(p, "key ", 4) != 0 || strncmp(p + 4, key, 64) != 0 || p[68] != '\n')
        goto done;
    p += 69;
    while (strncmp(p, "file ", 5) == 0) {
        const char *nl = strchr(p, '\n');
        if (!nl || nl - p < 5 + 65)
            goto done;
        char want[65], have[65];
        memcpy(want, p + 5, 64);
        want[64] = '\0';
        char *path = rel_strndup(p + 5 + 65, (size_t)(nl - (p + 5 + 65)));
        int rc = file_sha(have, path);
        free(path);
        if (rc < 0) {
            rel_error_clear();
            goto done;
        }
        if (strcmp(want, have) != 0)
            goto done;
        p = nl + 1;
    }
    if (strncmp(p, "term\n", 5) != 0)
        goto done;
    result = rel_strdup(p + 5);
done:
    rel_buf_free(&b);
    return result;
}

static void cache_store(const struct rel_mix_config *c, const char *key,
                        const struct rel_term *files, const char *term_text)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, CACHE_MAGIC);
    rel_buf_printf(&b, "key %s\n", key);
    for (size_t i = 0; i < rel_term_list_len(files); i++) {
        char *path = rel_term_to_cstring(rel_term_list_get(files, i));
        char hex[65];
        bool ok = path && strchr(path, '\n') == NULL && file_sha(hex, path) == 0;
        if (ok)
            rel_buf_printf(&b, "file %s %s\n", hex, path);
        free(path);
        if (!ok) {
            rel_buf_free(&b);
            rel_error_clear();
            return; /* not cacheable; evaluate next time */
        }
    }
    rel_buf_printf(&b, "term\n%s", term_text);
    char *dir = rel_path_dirname(c->cache_file);
    int rc = rel_fs_mkdirs(dir, 0755);
    if (rc == 0)
        rc = rel_fs_write_atomic(c->cache_file, b.ptr, b.len, 0600);
    /* a cache that cannot be written is no failure, but a stale lock (a
     * relman killed while writing it) would stop caching for good unnoticed */
    if (rc == REL_ELOCKED)
        rel_event_log(c->ev, REL_LOG_WARN,
                      "%s.lock exists (left by a relman that was killed?), so the configuration "
                      "cache is not written and config.exs is evaluated every time; remove it if "
                      "no relman is running",
                      c->cache_file);
    else if (rc < 0)
        rel_event_log(c->ev, REL_LOG_DEBUG, "configuration cache not written: %s",
                      rel_error_message());
    rel_error_clear();
    free(dir);
    rel_buf_free(&b);
}

int rel_sysconfig_eval_mix(struct rel_term **out, bool *cache_hit, const struct rel_mix_config *c)
{
    *out = NULL;
    if (cache_hit)
        *cache_hit = false;
    if (!rel_fs_is_file(c->config_path)) {
        *out = rel_term_list_new();
        return 0;
    }
    char *key = cache_key(c);
    const char *nocache = getenv("RELMAN_NO_CONFIG_CACHE");
    bool use_cache = c->cache_file && !(nocache && *nocache && strcmp(nocache, "0") != 0);
    char *text = use_cache ? cache_lookup(c, key) : NULL;
    struct rel_term *pair = NULL;
    int rc = 0;
    if (text) {
        rc = rel_term_parse_one(out, text, strlen(text), c->cache_file);
        if (rc == 0) {
            if (cache_hit)
                *cache_hit = true;
            goto cleanup;
        }
        rel_error_clear();
        free(text);
        text = NULL;
    }

    char *e_path = rel_asprintf("RELMAN_CONFIG_PATH=%s", c->config_path);
    char *e_env = rel_asprintf("RELMAN_CONFIG_ENV=%s", c->env);
    char *e_target = rel_asprintf("RELMAN_CONFIG_TARGET=%s", c->target ? c->target : "host");
    char *e_mix = rel_asprintf("MIX_ENV=%s", c->env);
    char *e_mixt = rel_asprintf("MIX_TARGET=%s", c->target ? c->target : "host");
    const char *env[] = {e_path, e_env, e_target, e_mix, e_mixt, NULL};
    const char *argv[] = {"elixir", "-e", eval_script, NULL};
    struct rel_buf so = REL_BUF_INIT, se = REL_BUF_INIT;
    struct rel_proc_opts po = {.cwd = c->project_root, .env = env, .out = &so, .err = &se};
    int status = 0;
    rc = rel_proc_run(&status, argv, &po);
    if (rc == 0 && status != 0) {
        char *line = rel_eex_error_line(se.len ? rel_buf_cstr(&se) : rel_buf_cstr(&so));
        rc = rel_error_set(REL_ECONFIG, "%s: evaluating the build-time configuration failed: %s",
                           c->config_path, line[0] ? line : "elixir exited with an error");
        free(line);
    } else if (rc == 0) {
        rc = rel_term_parse_one(&pair, so.ptr ? so.ptr : "", so.len, "elixir output");
        if (rc < 0) {
            char *msg = rel_strdup(rel_error_message());
            rc = rel_error_set(REL_ECONFIG,
                               "%s: the configuration holds a value sys.config cannot hold "
                               "(a pid, reference or fun?): %s",
                               c->config_path, msg);
            free(msg);
        } else if (rel_term_tuple_size(pair) != 2 ||
                   !rel_term_is_list(rel_term_tuple_get(pair, 1))) {
            rc = rel_error_set(REL_ECONFIG, "%s: unexpected output from elixir", c->config_path);
        }
    } else {
        rel_error_prefix("cannot evaluate %s with elixir", c->config_path);
    }
    if (rc == 0) {
        struct rel_term *cfg = rel_term_tuple_get(pair, 0);
        if ((rc = rel_sysconfig_check(cfg, c->config_path)) == 0) {
            *out = rel_term_clone(cfg);
            if (use_cache) {
                struct rel_buf t = REL_BUF_INIT;
                if (rel_term_print(&t, cfg, REL_TERM_PRINT_COMPACT) == 0 &&
                    rel_buf_puts(&t, ".\n") == 0)
                    cache_store(c, key, rel_term_tuple_get(pair, 1), rel_buf_cstr(&t));
                rel_buf_free(&t);
            }
        }
    }
    rel_buf_free(&so);
    rel_buf_free(&se);
    free(e_path);
    free(e_env);
    free(e_target);
    free(e_mix);
    free(e_mixt);
cleanup:
    rel_term_free(pair);
    free(text);
    free(key);
    return rc;
}

static struct rel_term *kv(const char *key, struct rel_term *value)
{
    return rel_term_tuple(2, rel_term_atom(key), value);
}

static struct rel_term *sys_env(const char *var, const char *suffix)
{
    return rel_term_tuple(3, rel_term_atom("system"), rel_term_binary_str(var),
                          rel_term_binary_str(suffix));
}

struct rel_term *rel_sysconfig_provider(const struct rel_provider_opts *o)
{
    struct rel_term *m = rel_term_map_new();
    rel_term_map_put(m, rel_term_atom("__struct__"), rel_term_atom("Elixir.Config.Provider"));
    rel_term_map_put(m, rel_term_atom("config_path"), sys_env("RELEASE_SYS_CONFIG", ".config"));
    /* Rebooting without distribution during configuration (mix's default):
     * sys.config starts the VM undistributed and the provider's extra
     * configuration turns distribution on for the rebooted system. Without
     * a reboot, or with distribution during configuration, neither. */
    bool late_distribution = o->reboot_after_config && !o->start_distribution_during_config;
    struct rel_term *extra = rel_term_list_new();
    if (late_distribution) {
        struct rel_term *k = rel_term_list_new();
        rel_term_list_append(k, kv("start_distribution", rel_term_atom("true")));
        rel_term_list_append(extra, kv("kernel", k));
    }
    rel_term_map_put(m, rel_term_atom("extra_config"), extra);
    struct rel_term *providers = rel_term_list_new();
    if (o->runtime_file) {
        char *rel_path = rel_asprintf("/releases/%s/%s", o->version, o->runtime_file);
        struct rel_term *ropts = rel_term_list_new();
        rel_term_list_append(ropts, kv("env", rel_term_atom(o->env)));
        rel_term_list_append(ropts, kv("target", rel_term_atom(o->target ? o->target : "host")));
        rel_term_list_append(ropts, kv("imports", rel_term_atom("disabled")));
        rel_term_list_append(
            providers, rel_term_tuple(2, rel_term_atom("Elixir.Config.Reader"),
                                      rel_term_tuple(2, sys_env("RELEASE_ROOT", rel_path), ropts)));
        free(rel_path);
    }
    for (size_t i = 0; i < rel_term_list_len(o->providers); i++)
        rel_term_list_append(providers, rel_term_clone(rel_term_list_get(o->providers, i)));
    rel_term_map_put(m, rel_term_atom("providers"), providers);
    rel_term_map_put(m, rel_term_atom("prune_runtime_sys_config_after_boot"),
                     rel_term_atom(o->prune_after_boot ? "true" : "false"));
    rel_term_map_put(m, rel_term_atom("reboot_system_after_config"),
                     rel_term_atom(o->reboot_after_config ? "true" : "false"));
    rel_term_map_put(m, rel_term_atom("validate_compile_env"),
                     o->validate_compile_env ? o->validate_compile_env : rel_term_atom("false"));
    struct rel_term *elixir = rel_term_list_new();
    rel_term_list_append(elixir, kv("config_provider_init", m));
    struct rel_term *cfg = rel_term_list_new();
    rel_term_list_append(cfg, kv("elixir", elixir));
    if (late_distribution) {
        struct rel_term *k = rel_term_list_new();
        rel_term_list_append(k, kv("start_distribution", rel_term_atom("false")));
        rel_term_list_append(cfg, kv("kernel", k));
    }
    return cfg;
}

struct rel_term *rel_sysconfig_reader(const char *var, const char *path)
{
    struct rel_term *where = var ? sys_env(var, path) : rel_term_binary_str(path);
    return rel_term_tuple(2, rel_term_atom("Elixir.Config.Reader"),
                          rel_term_tuple(2, where, rel_term_list_new()));
}

struct rel_term *rel_sysconfig_compile_env(const struct rel_term *const *app_specs, size_t n)
{
    struct rel_term *l = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct rel_term *ce =
            rel_term_proplist_get(rel_term_tuple_get(app_specs[i], 2), "compile_env");
        for (size_t j = 0; j < rel_term_list_len(ce); j++) {
            const struct rel_term *t = rel_term_list_get(ce, j);
            if (rel_term_tuple_size(t) != 3)
                continue;
            if (!l)
                l = rel_term_list_new();
            rel_term_list_append(l, rel_term_clone(t));
        }
    }
    return l;
}

static bool keyword_list(const struct rel_term *t)
{
    if (!rel_term_is_list(t) || t->kind == REL_TERM_STRING)
        return t && t->kind == REL_TERM_STRING && t->u.str.len == 0;
    for (size_t i = 0; i < rel_term_list_len(t); i++) {
        const struct rel_term *e = rel_term_list_get(t, i);
        if (rel_term_tuple_size(e) != 2 || !rel_term_is_atom(rel_term_tuple_get(e, 0), NULL))
            return false;
    }
    return t->kind != REL_TERM_LIST || !t->u.list.tail;
}

static long key_index(const struct rel_term *list, const struct rel_term *key)
{
    for (size_t i = 0; i < rel_term_list_len(list); i++)
        if (rel_term_equal(rel_term_tuple_get(rel_term_list_get(list, i), 0), key))
            return (long)i;
    return -1;
}

/*
 * Keyword.merge(a, b, &deep_merge/3) as Config.Reader.merge/2 does it: the
 * entries of `a` whose key `b` lacks keep their order; then every entry of
 * `b` in its order, its value deep-merged with a's when both are keyword
 * lists. A new term.
 */
static struct rel_term *kw_merge(const struct rel_term *a, const struct rel_term *b)
{
    struct rel_term *r = rel_term_list_new();
    for (size_t i = 0; i < rel_term_list_len(a); i++) {
        const struct rel_term *e = rel_term_list_get(a, i);
        if (key_index(b, rel_term_tuple_get(e, 0)) < 0)
            rel_term_list_append(r, rel_term_clone(e));
    }
    for (size_t i = 0; i < rel_term_list_len(b); i++) {
        const struct rel_term *e = rel_term_list_get(b, i);
        long at = key_index(a, rel_term_tuple_get(e, 0));
        const struct rel_term *nv = rel_term_tuple_get(e, 1);
        struct rel_term *v;
        if (at >= 0) {
            const struct rel_term *ov = rel_term_tuple_get(rel_term_list_get(a, (size_t)at), 1);
            v = keyword_list(ov) && keyword_list(nv) ? kw_merge(ov, nv) : rel_term_clone(nv);
        } else {
            v = rel_term_clone(nv);
        }
        rel_term_list_append(r, rel_term_tuple(2, rel_term_clone(rel_term_tuple_get(e, 0)), v));
    }
    return r;
}

void rel_sysconfig_merge(struct rel_term *base, struct rel_term *extra)
{
    struct rel_term *merged = kw_merge(base, extra);
    struct rel_term tmp = *base;
    *base = *merged;
    *merged = tmp;
    rel_term_free(merged);
    rel_term_free(extra);
}

int rel_sysconfig_format(struct rel_buf *out, const struct rel_term *config, bool runtime_config)
{
    int rc = rel_buf_printf(out, "%%%% coding: utf-8\n%%%% RUNTIME_CONFIG=%s\n",
                            runtime_config ? "true" : "false");
    if (rc == 0)
        rc = rel_term_print(out, config, REL_TERM_PRINT_PRETTY);
    if (rc == 0)
        rc = rel_buf_puts(out, ".\n");
    return rc;
}

int rel_sysconfig_check(const struct rel_term *config, const char *file)
{
    if (!rel_term_is_list(config))
        return rel_error_set(REL_ECONFIG, "%s: sys.config must be a list", file);
    if (config->kind == REL_TERM_STRING)
        return config->u.str.len == 0
                   ? 0
                   : rel_error_set(REL_ECONFIG, "%s: sys.config must be a list of {App, [...]}",
                                   file);
    for (size_t i = 0; i < rel_term_list_len(config); i++) {
        const struct rel_term *e = rel_term_list_get(config, i);
        bool app = rel_term_tuple_size(e) == 2 &&
                   rel_term_is_atom(rel_term_tuple_get(e, 0), NULL) &&
                   rel_term_is_list(rel_term_tuple_get(e, 1));
        bool include = e->kind == REL_TERM_STRING && e->u.str.len > 0;
        if (!app && !include) {
            char *t = rel_term_to_text(e);
            int rc = rel_error_set(REL_ECONFIG,
                                   "%s:%d: sys.config entries must be {App, [...]} or \"file\", "
                                   "not %.80s",
                                   file, e->line, t);
            free(t);
            return rc;
        }
    }
    return 0;
}
