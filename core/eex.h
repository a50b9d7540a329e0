/*
 * eex.h - release templates rendered by Elixir's own EEx.
 *
 * core/template.h renders the subset of EEx that release templates mostly
 * use, natively. A template of a Mix project that goes beyond it (`<% if
 * ... %>`, `for`, function calls, options relman does not hold) is handed
 * to this module, which renders it as `mix release` does: EEx.eval_string
 * with one assign, @release, a %Mix.Release{} struct built from `fields`.
 * Elixir is present wherever a Mix project builds.
 *
 * How it runs: one `elixir -e SCRIPT` per template, in the project root.
 * The template and the fields go through a 0600 file in a private 0700
 * directory (named by the environment, never by argv: @release.options may
 * hold the cookie), removed before returning; the result is cached (see
 * cache_dir). When `mix_release` is set the
 * script also loads mix.exs (Mix.start, MIX_ENV) and takes that release's
 * options from it, as Mix.Release.from_config!/3 does: mix's defaults
 * (overwrite, quiet, strip_beams), then `fields`' options, then mix.exs's
 * (popped keys - applications, include_erts, path, version,
 * config_providers, steps - left out), so keys relman.yml does not hold
 * (a project's own options) have their mix value.
 */
#ifndef REL_EEX_H
#define REL_EEX_H

#include <stddef.h>

struct rel_buf;
struct rel_term;

struct rel_eex_opts {
    const char *cwd;         /* the project root (elixir runs there) */
    const char *file;        /* the template as the user knows it: messages, EEx's file: */
    const char *mix_env;     /* MIX_ENV for elixir (NULL: prod) */
    const char *mix_release; /* release whose mix.exs options to merge, or NULL */
    /* A directory for the cache (NULL: none): one file per template,
     * holding the SHA-256 of everything the rendering read (the template,
     * `fields`, mix.exs, MIX_ENV, `elixir_version`) and the result, mode
     * 0600 (the result may hold the cookie). A template whose code reads
     * the environment or other files at build time keeps the text of its
     * first rendering: RELMAN_NO_CONFIG_CACHE=1 turns the cache off, as for
     * config.exs (core/sysconfig.h). A cache that cannot be written is no
     * error. */
    const char *cache_dir;
    const char *elixir_version;
};

/*
 * Render `len` bytes of `text` with EEx into `out` (appended). `fields` is
 * a proplist [{FIELD, VALUE}] of %Mix.Release{} fields (borrowed). Returns
 * 0, or REL_ETEMPLATE with "FILE: EEx: <Elixir's error line>" when Elixir
 * raises, REL_ECHILD / REL_ENOTFOUND when elixir cannot run.
 */
int rel_eex_render(struct rel_buf *out, const char *text, size_t len,
                   const struct rel_term *fields, const struct rel_eex_opts *o);

/* The line of Elixir's output `err` that says what went wrong (the first
 * "** (" line, else the first non-blank one), at most 300 bytes. New
 * string. Also what core/sysconfig.c reports. */
char *rel_eex_error_line(const char *err);

#endif
