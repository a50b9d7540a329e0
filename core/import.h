/*
 * import.h - writing a first relman.yml (`relman init [--import]`): imported
 * from the project's build tool, or a starter.
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
 * The choices (name, version, ERTS, cookie policy) are then applied to the
 * text by core's surgical edits. The text is checked with rel_config_parse()
 * before it is returned, so init never writes a relman.yml that relman itself
 * would refuse.
 */
#ifndef REL_IMPORT_H
#define REL_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

/*
 * Choices for a generated release (the guided setup's steps and the flags of
 * `relman init`); what a choice leaves at NULL / KEEP stays as generated.
 */
enum rel_import_erts {
    REL_IMPORT_ERTS_KEEP = 0, /* as generated (absent: true) */
    REL_IMPORT_ERTS_TRUE,     /* ship the installed Erlang's runtime */
    REL_IMPORT_ERTS_FALSE,    /* use the target's Erlang (the very same version) */
};

enum rel_import_cookie {
    REL_IMPORT_COOKIE_KEEP = 0,   /* as generated (an imported `cookie:` stays) */
    REL_IMPORT_COOKIE_GENERATED,  /* no `cookie:`: each assembled release makes one once,
                                   mode 0600, kept across rebuilds */
    REL_IMPORT_COOKIE_CONFIGURED, /* `cookie:` in relman.yml: the same for every build and
                                   node; relman.yml then holds a secret */
};

struct rel_import_choice {
    const char *release; /* the release as generated; NULL: every one (`name` then
                            needs exactly one) */
    const char *name;    /* new name (a release name), or NULL */
    const char *version; /* or NULL */
    enum rel_import_erts erts;
    enum rel_import_cookie cookie;
    const char *cookie_value; /* CONFIGURED: the cookie (printable ASCII, 1..255
                                 characters); NULL: a fresh random one */
};

struct rel_import_opts {
    bool import;     /* read the build tool's release definitions */
    const char *env; /* Mix env / rebar3 profile; NULL: $MIX_ENV or prod / default */
    const struct rel_import_choice *choices; /* applied in order after generating */
    size_t nchoices;
    bool templates; /* rel_import_write(): also write the rel/ templates */
};

/*
 * Append relman.yml text for the project in `dir` to `out`. `summary`
 * (optional) gets a one-line description of what was found ("mix project:
 * releases foo, bar"). Errors: REL_ECHILD when mix fails (its stderr tail in
 * the message), REL_EPARSE for a rebar.config that does not parse,
 * REL_ENOTFOUND when there is nothing to import, and those of
 * rel_import_apply() for the choices.
 */
int rel_import_generate(struct rel_buf *out, struct rel_buf *summary, const char *dir,
                        const struct rel_import_opts *opts);

/*
 * Apply choice `c` to relman.yml text (as the generator writes it), appending
 * the result to `out`: core's surgical edits (rel_config_edit_release_key,
 * rel_config_edit_rename_release), so comments and other keys stay. Errors:
 * REL_ENOTFOUND (no such release), REL_EUSAGE (a name for several releases),
 * REL_EINVAL (a bad name, version or cookie), REL_EEXISTS (the new name is
 * taken). `out` is unchanged on error.
 */
int rel_import_apply(struct rel_buf *out, const char *text, size_t len,
                     const struct rel_import_choice *c);

/*
 * The rel/ templates `relman init --templates` writes (like `mix
 * release.init`): relman's own default texts (core/data), which assembly
 * renders when the files are absent anyway. NULL-terminated file names.
 */
extern const char *const rel_import_template_files[];

/*
 * Write relman.yml text `text` into DIR/relman.yml atomically; with
 * `templates`, first the templates into each release's rel_templates_path
 * (default DIR/rel), each atomically, keeping any that exist (the summary
 * says so). REL_EEXISTS when relman.yml exists and !force. `summary` (may
 * be NULL) gets "; wrote rel/vm.args.eex, ..." appended.
 */
int rel_import_write_text(const char *dir, const char *text, size_t len, bool templates, bool force,
                          struct rel_buf *summary);

/* rel_import_generate(), then rel_import_write_text() (opts->templates). */
int rel_import_write(const char *dir, const struct rel_import_opts *opts, bool force,
                     struct rel_buf *summary);

#endif
