/*
 * resolve.h - the release model: which applications a release holds, in
 * which versions, modes and order, and why.
 *
 * rel_resolve() turns one release of relman.yml plus the applications the
 * project can see (core/project.h) into a model, with the rules of the tool
 * the project comes from:
 *
 * Mix projects (`mix release`, Elixir 1.14 semantics):
 *   - roots: kernel, stdlib, elixir, sasl (permanent) merged with the
 *     release's `applications` (a listed default moves to its place in the
 *     list and takes its mode), then `project.app` (permanent) unless listed,
 *     then iex as `none` unless already part of the release;
 *   - depth-first through `applications` (children inherit the parent's mode;
 *     `optional_applications` that are missing are skipped) and
 *     `included_applications` (mode `load`);
 *   - an application reached again with a different mode takes the higher
 *     one (permanent > transient > temporary > load > none) and passes it on
 *     to its children; a mode from relman.yml (or a default root) is never
 *     changed; an application both included and depended upon is an error;
 *   - .rel order: the roots as listed, then every other application sorted
 *     by name.
 * rebar3 and plain projects (relx 4.7 semantics):
 *   - the roots in order, each preceded by its dependencies (depth-first,
 *     post-order over applications ++ included_applications ++
 *     optional_applications; a missing optional one is skipped);
 *   - a root's mode is the one written; any other application is `load`
 *     when some application of the release includes it, else `permanent`.
 * For every kind:
 *   - kernel and stdlib must be in the release and permanent (systools);
 *   - unsafe modes: a started application (permanent/transient/temporary)
 *     depending on a `load` or `none` one is an error, unless it is in
 *     `skip_mode_validation_for` (then a note);
 *   - systools' checks: an application included by two others, a registered
 *     name or a module claimed by two applications;
 *   - the boot order is computed exactly as `systools:make_script` does
 *     (section 2.2 of the reference: included apps' top application, uses and
 *     includes sorted by .rel position, the stable topological sort), and a
 *     cycle is reported with its path;
 *   - `include_erts: PATH/erts-VSN`: OTP applications are taken from
 *     PATH/lib (the installation the ERTS belongs to) when it has them, and
 *     the ERTS version is VSN (mix's rule for cross builds);
 *   - `app_versions` pins an application to the candidate of that version;
 *     `exclude_apps` leaves applications out (rebar3/plain: they are cut
 *     from the dependency walk and from the .app lists of the others, whose
 *     .app then is the model's rewritten copy, as relx rewrites it), and
 *     `exclude_modules` removes modules from an application's .app;
 *   - `erts_version` (relx's {erts, Vsn}) names the ERTS when it is not
 *     bundled, and must be the bundled one's when it is;
 *   - a missing application is reported once, with the chain from the
 *     release to it and everyone else that needs it;
 *   - two candidates of one application in the same place (two versions in
 *     one lib_dirs entry) are a warning; a candidate shadowed by a
 *     higher-precedence origin is a note.
 *
 * Problems never stop resolution: the model is always complete as far as it
 * can be, so `relman apps` can show everything at once. rel_model_errors()
 * says whether the release can be built.
 *
 * Ownership: the model borrows the project (which must outlive it) and owns
 * everything else; free with rel_model_free().
 */
#ifndef REL_RESOLVE_H
#define REL_RESOLVE_H

#include "config.h"
#include "project.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_term;

#define REL_SEVERITY_TABLE                                                                         \
    X(ERROR, "error")                                                                              \
    X(WARNING, "warning")                                                                          \
    X(NOTE, "note")

enum rel_severity {
#define X(name, text) REL_SEVERITY_##name,
    REL_SEVERITY_TABLE
#undef X
};

const char *rel_severity_name(enum rel_severity s);

struct rel_problem {
    enum rel_severity severity;
    char *app;     /* the application concerned, or NULL */
    char *message; /* one line */
};

/* Why an application is in the release. */
#define REL_WHY_TABLE                                                                              \
    X(ROOT, "root")                                                                                \
    X(IMPLICIT, "implicit root")                                                                   \
    X(DEPENDENCY, "dependency")                                                                    \
    X(INCLUDED, "included")

enum rel_why {
#define X(name, text) REL_WHY_##name,
    REL_WHY_TABLE
#undef X
};

const char *rel_why_name(enum rel_why w);

/* Where an application's mode comes from. */
#define REL_MODE_SOURCE_TABLE                                                                      \
    X(EXPLICIT, "explicit")                                                                        \
    X(IMPLICIT, "implicit")                                                                        \
    X(INHERITED, "inherited")                                                                      \
    X(INCLUDED, "included")                                                                        \
    X(DEFAULT, "default")

enum rel_mode_source {
#define X(name, text) REL_MODE_SOURCE_##name,
    REL_MODE_SOURCE_TABLE
#undef X
};

const char *rel_mode_source_name(enum rel_mode_source s);

struct rel_model_app {
    const struct rel_app *app; /* borrowed from the project: name, vsn, dir, origin, .app */
    enum rel_mode mode;        /* as written in the .rel */
    enum rel_mode_source mode_source;
    char *mode_from; /* INHERITED: the application whose mode it took */
    enum rel_why why;
    char *parent;      /* DEPENDENCY/INCLUDED: the application that pulled it in first */
    char *included_by; /* the application that includes it, or NULL */
    bool rel_included; /* write the .app's included_applications in the .rel entry */
    bool rel_type;     /* write the type in the .rel entry (relx omits permanent) */
    char *shadows;     /* other candidates not chosen ("OTP 1.0"), or NULL */
    bool rewritten;    /* app is the model's copy with exclude_apps/exclude_modules applied:
                          its .app is written from app->spec, not copied */
    int boot_index;    /* 0-based position in the boot order, -1 when unknown */
};

struct rel_model {
    const struct rel_project *project;        /* borrowed */
    const struct rel_config_release *release; /* borrowed from project->config */
    char *name;
    char *version;              /* NULL when it could not be determined (an error says why) */
    char *erts_version;         /* NULL when unknown (an error says why) */
    struct rel_model_app *apps; /* .rel order */
    size_t napps;
    size_t *boot; /* indices into apps, in boot order; NULL when a cycle or gap prevents it */
    size_t nboot;
    struct rel_problem *problems; /* errors first, then warnings, then notes */
    size_t nproblems;
    /* include_erts: PATH: the OTP applications of that installation
     * (DIRNAME(PATH)/lib), which replace the local OTP's, as with mix */
    struct rel_app *erts_apps;
    size_t nerts_apps;
    /* the .app files exclude_apps / exclude_modules rewrite (owned; the
     * apps[].app of those applications point here) */
    struct rel_app *rewritten;
    size_t nrewritten;
};

/*
 * Resolve release `rel` (from p->config) of project `p`. Returns 0 with a
 * model (which may hold problems) or a negative code only when it cannot be
 * built at all (out of memory, no configuration).
 */
int rel_resolve(struct rel_model **out, const struct rel_project *p,
                const struct rel_config_release *rel);

void rel_model_free(struct rel_model *m);

/* Number of problems of that severity. */
size_t rel_model_count(const struct rel_model *m, enum rel_severity s);

/* The model's application called `name`, or NULL. */
const struct rel_model_app *rel_model_find(const struct rel_model *m, const char *name);

/*
 * Set the error to the model's first error ("release foo: ...", plus how many
 * more) and return REL_ERESOLVE; 0 when there are none. For commands that
 * cannot go on with a broken release.
 */
int rel_model_check(const struct rel_model *m);

/*
 * The release resource term {release, {Name, Vsn}, {erts, EVsn}, [Apps]} in
 * the form the project's tool writes it (mix: {App, Vsn, Mode} and
 * {App, Vsn, Mode, Included}; relx: {App, Vsn} for permanent). Fails (with
 * rel_model_check's error) when the model has errors.
 */
int rel_model_rel_term(struct rel_term **out, const struct rel_model *m);

#endif
