/*
 * sysconfig.h - releases/VSN/sys.config.
 *
 * Mix projects: the build-time configuration (config/config.exs and what it
 * imports) is Elixir code, so the installed `elixir` evaluates it with
 * Config.Reader, exactly as `mix release` does, and prints the result as an
 * Erlang term that relman parses. The result is cached beside the build
 * (_build/ENV/.relman/config.cache) keyed on the SHA-256 of every file the
 * evaluation read, the Mix env/target and the Elixir version, so a repeat
 * assembly starts no VM. (Configuration that reads environment variables at
 * build time is cached with the values of its first evaluation; delete the
 * cache file or set RELMAN_NO_CONFIG_CACHE=1 to evaluate again.)
 *
 * Then the config-provider entry for runtime.exs is merged in, as mix does
 * (see rel_sysconfig_provider()), and the file is written with the
 * "%% RUNTIME_CONFIG=true|false" marker line that bin/NAME looks for.
 *
 * rebar3 and plain projects ship their own sys.config (or sys.config.src,
 * whose ${VAR} references bin/NAME fills in at every start, as relx does);
 * rel_sysconfig_check() validates such a file's shape.
 */
#ifndef REL_SYSCONFIG_H
#define REL_SYSCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;
struct rel_events;
struct rel_term;

struct rel_mix_config {
    const char *project_root;
    const char *config_path;    /* absolute path of config/config.exs */
    const char *env;            /* Mix env, e.g. "prod" */
    const char *target;         /* Mix target, NULL: "host" */
    const char *elixir_version; /* part of the cache key; may be NULL */
    const char *cache_file;     /* NULL: no caching */
    /* Remarks (may be NULL): a warning when the cache cannot be written
     * because CACHE_FILE.lock exists (a killed relman's), naming it. */
    const struct rel_events *ev;
};

/*
 * Evaluate the build-time configuration into *out, a keyword list
 * [{App, [{Key, Value}...]}...] (an empty list when config_path does not
 * exist). *cache_hit (optional) tells whether the cache answered. Errors
 * (the evaluation raised, elixir missing, a value sys.config cannot hold)
 * are REL_ECONFIG/REL_ECHILD with the first line of elixir's message.
 * Side effects: on a cache miss it runs `elixir` (a child process, seconds)
 * and then writes c->cache_file (its directory created, the file replaced
 * atomically, mode 0600); a cache that cannot be written is no error (a
 * stale CACHE_FILE.lock is reported to c->ev as a warning). This
 * is the one file rel_plan_build() (core/plan.h) writes.
 */
int rel_sysconfig_eval_mix(struct rel_term **out, bool *cache_hit, const struct rel_mix_config *c);

struct rel_provider_opts {
    const char *version;      /* release version */
    const char *runtime_file; /* name under releases/VSN, e.g. "runtime.exs"; NULL: none */
    /* the other providers, after runtime.exs's: [{Module, InitResult}] as
     * Config.Provider.init/3 makes them; not owned, may be NULL */
    const struct rel_term *providers;
    const char *env;          /* Mix env */
    const char *target;       /* NULL: "host" */
    bool reboot_after_config;
    bool prune_after_boot;
    bool start_distribution_during_config;
    struct rel_term *validate_compile_env; /* owned; NULL means `false` */
};

/*
 * The terms mix merges into sys.config when config providers exist (the
 * runtime.exs reader, then o->providers):
 * [{elixir, [{config_provider_init, #{'__struct__' => 'Elixir.Config.Provider',
 * ...}}]}]; when rebooting without starting distribution during config,
 * also {kernel, [{start_distribution, false}]}, and the provider's
 * extra_config turns it back on after the reboot. New term, owned by caller.
 */
struct rel_term *rel_sysconfig_provider(const struct rel_provider_opts *o);

/* {'Elixir.Config.Reader', {Path, []}}: what Config.Reader.init/1 makes of
 * a path on the target, `path` or (var not NULL) {system, VAR, PATH}. */
struct rel_term *rel_sysconfig_reader(const char *var, const char *path);

/*
 * validate_compile_env from the .app terms of the release: every
 * {App, Path, Result} of their `compile_env` keys, in the order given, or
 * NULL when there is none.
 */
struct rel_term *rel_sysconfig_compile_env(const struct rel_term *const *app_specs, size_t n);

/* Config.Reader.merge: deep-merge keyword list `extra` into `base` (both
 * [{App, KeywordList}]); values of `extra` win, nested keyword lists merge.
 * Takes ownership of `extra`. */
void rel_sysconfig_merge(struct rel_term *base, struct rel_term *extra);

/* The file text: "%% coding: utf-8", "%% RUNTIME_CONFIG=...", the term. */
int rel_sysconfig_format(struct rel_buf *out, const struct rel_term *config, bool runtime_config);

/* A sys.config term must be a list of {atom(), list()} or "file" strings. */
int rel_sysconfig_check(const struct rel_term *config, const char *file);

#endif
