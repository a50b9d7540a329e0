/*
 * mixrun.h - asking Mix itself: `elixir -e core/data/mix_query.exs` in the
 * project directory. The script defines a task and hands it to Mix.CLI, so
 * mix.exs, MIX_ENV, deps paths and config/config.exs are loaded as by any
 * `mix TASK`, yet the app.config task never runs: config/runtime.exs and
 * config/releases.exs are not evaluated (they raise at build time in many
 * projects; mix itself only evaluates them on the target at boot).
 *
 * Used by `relman init --import` (the release settings of mix.exs), by the
 * plan (the config_providers of mix.exs, their init/1 evaluated as
 * Config.Provider.init does) and by the steps: with function steps in
 * mix.exs, Mix runs the release's steps itself, holding the %Mix.Release{}
 * from one to the next (a step may add steps, as with `mix release`), and
 * asks relman to assemble, tar or run a relman.yml hook when their turn
 * comes (core/assemble_steps.c answers).
 */
#ifndef REL_MIXRUN_H
#define REL_MIXRUN_H

struct rel_term;

struct rel_mixrun_opts {
    const char *dir;     /* project root */
    const char *env;     /* MIX_ENV (NULL: prod) */
    const char *action;  /* "project", "providers" or "pipeline" */
    const char *release; /* providers, pipeline: the release's name in mix.exs */
    const char *plan;    /* pipeline: the steps, "m1 a h0 m3 t" (see mix_query.exs) */
    const char *reply;   /* pipeline: the file relman answers each request in */
    const char *path;    /* pipeline: the release root relman assembles */
    const char *version; /* pipeline: the release version */
};

/* The command: argv (elixir -e SCRIPT) and the extra environment, both
 * NULL-terminated; free with rel_mixrun_cmd_free(). */
struct rel_mixrun_cmd {
    const char *argv[4];
    char *env[10];
};

int rel_mixrun_cmd_init(struct rel_mixrun_cmd *cmd, const struct rel_mixrun_opts *o);
void rel_mixrun_cmd_free(struct rel_mixrun_cmd *cmd);

/*
 * Run a "project" or "providers" query and parse the term it prints into
 * *out (new, owned by the caller). A failure is REL_ECHILD with Mix's own
 * error line ("** (Mix) ...", "** (RuntimeError) ...") or its last line,
 * prefixed with `what` (e.g. "mix could not print the project
 * configuration"). Starts a VM: about half a second.
 */
int rel_mixrun_query(struct rel_term **out, const struct rel_mixrun_opts *o, const char *what);

/* The line of Mix's output that says what went wrong ("** (...) ..."), else
 * its last non-empty line; at most 300 characters. New string. */
char *rel_mixrun_error_line(const char *output);

#endif
