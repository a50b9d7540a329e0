/*
 * init.h - writing a first relman.yml (`relman init [--import]`).
 *
 * With `import`, the release definitions come from the project's own build
 * tool:
 *   - Mix: the installed `mix` is asked (in the project directory, with
 *     MIX_ENV set, `mix run --no-compile --no-start ...`) to print the
 *     project's :app, :version, :default_release, umbrella children and
 *     :releases as an Erlang term, which is parsed with core/term. relman
 *     never parses Elixir itself. Release definitions that are functions are
 *     evaluated by mix; options relman has no equivalent for (functions in
 *     :steps, :config_providers, ...) are listed in a comment.
 *   - rebar3: the relx section of rebar.config (and the profile named by the
 *     env), read with core/term.
 * Without a release definition, one is proposed, named after the project's
 * application (or the umbrella directory, with every umbrella child).
 * Without `import`, a starter file for the detected kind is written.
 *
 * The text is checked with rel_config_parse() before it is returned, so init
 * never writes a relman.yml that relman itself would refuse.
 */
#ifndef REL_INIT_H
#define REL_INIT_H

#include <stdbool.h>

struct rel_buf;

struct rel_init_opts {
    bool import;     /* read the build tool's release definitions */
    const char *env; /* Mix env / rebar3 profile; NULL: $MIX_ENV or prod / default */
};

/*
 * Append relman.yml text for the project in `dir` to `out`. `summary`
 * (optional) gets a one-line description of what was found ("mix project:
 * releases foo, bar"). Errors: REL_ECHILD when mix fails (its stderr tail in
 * the message), REL_EPARSE for a rebar.config that does not parse,
 * REL_ENOTFOUND when there is nothing to import.
 */
int rel_init_generate(struct rel_buf *out, struct rel_buf *summary, const char *dir,
                      const struct rel_init_opts *opts);

/* rel_init_generate(), then write DIR/relman.yml atomically; REL_EEXISTS
 * when it exists and !force. */
int rel_init_write(const char *dir, const struct rel_init_opts *opts, bool force,
                   struct rel_buf *summary);

#endif
