/*
 * build.h - "compile if asked, plan, assemble": the one path from a project
 * to an assembled release. `relman assemble` (cli/assemble.c) and the TUI's
 * assembly (tui/assemble.c) both call rel_build_release() with the same
 * defaults (compile when needed; replace a version relman made, refuse a
 * directory it did not make: core/assemble.h), so they cannot differ in what
 * they do; what differs is only what a user asks for (--no-compile,
 * --overwrite...).
 *
 * In order:
 *   1. compile (as o->compile says): the project's own build, as `mix
 *      release` runs `mix compile` first: `MIX_ENV=ENV mix compile` for Mix
 *      projects, `rebar3 as PROFILE compile` for rebar3 ones, nothing for
 *      plain ones; run in the project directory, its output (both streams)
 *      logged line by line as it comes (INFO) and captured, as the step
 *      "compile". "When needed" is rel_build_needed();
 *   2. the model: asked of the caller once the build ran, because discovery
 *      reads what the build produced (the CLI opens and resolves the project
 *      then; the TUI hands over the model it caches);
 *   3. plan (core/plan.h), reported as the step "plan";
 *   4. assemble and the release's steps (core/assemble.h rel_assemble_run).
 */
#ifndef REL_BUILD_H
#define REL_BUILD_H

#include "assemble.h"
#include "plan.h"

#include <stdbool.h>

struct rel_buf;
struct rel_model;
struct rel_project;

enum rel_build_compile {
    REL_BUILD_COMPILE_NEVER = 0,  /* --no-compile */
    REL_BUILD_COMPILE_ALWAYS = 1, /* --compile */
    REL_BUILD_COMPILE_AUTO = 2,   /* when rel_build_needed() says so (the default) */
};

struct rel_build_opts {
    enum rel_build_compile compile; /* step 1 */
    /* More arguments of `mix compile` (NULL-terminated; NULL: none): the
     * build flags `mix release` passes on (--force, --no-deps-check,
     * --no-archives-check, --no-elixir-version-check). Mix projects only:
     * a rebar3 or plain project is refused (REL_EUSAGE) before anything
     * runs, whether a build is needed or not. */
    const char *const *compile_args;
    const char *dir;                /* the project directory (step 1; NULL: ".") */
    /* Step 2: set *m to the model to plan (it stays the caller's and must
     * live until rel_build_release returns). 0, or a REL_E* code with the
     * error set, which rel_build_release returns as it is. */
    int (*model)(void *ctx, const struct rel_model **m);
    void *model_ctx;
    struct rel_plan_opts plan;         /* --path, --version; .ev is set to `ev` */
    struct rel_assemble_opts assemble; /* overwrite, no_reuse, flush; .ev is set to `ev` */
    const struct rel_events *ev;       /* steps, progress and log lines; may be NULL */
    /* When the build fails: its output (stdout and stderr), for a user who
     * did not see the log (it is logged line by line as it comes, INFO, in
     * every case). May be NULL. */
    struct rel_buf *build_output;
    /* Cancellation (may be NULL): polled while the build runs (its process
     * group is then ended), between the steps and between the plan's
     * entries (core/assemble.h). A canceled run returns REL_ECANCELED with
     * the release at its path untouched and nothing left beside it. Called
     * on the thread that runs rel_build_release. */
    bool (*canceled)(void *ctx);
    void *cancel_ctx;
};

/*
 * Steps 1-4. On success *plan is the plan that was applied (free it with
 * rel_plan_free) and *stats the assembly's figures. On error a negative
 * code with the message of the step that failed (a build that exits
 * non-zero is REL_ECHILD naming the command, its status and the directory),
 * and *plan NULL.
 */
int rel_build_release(struct rel_plan **plan, struct rel_assemble_stats *stats,
                      const struct rel_build_opts *o);

/*
 * For deploy, by both front ends: the tarball of release `release` of the
 * project in o->dir ("." when NULL).
 *
 * A release with a `tar` step: the tarball `relman assemble` packed
 * (rel_project_assembled_tarball: nothing is built; REL_ENOTFOUND, with
 * `how` saying how to make it, when it is not there). Only relman.yml is
 * read unless the version comes from an application's .app file.
 *
 * A release without one: built here -- steps 1-4 with `o` (assemble.
 * overwrite set: the version is replaced in place, incrementally; o->model
 * NULL: the release is resolved from the project on disk once the build
 * ran), then packed at the path the tar step would use. When the assembly
 * wrote nothing and that tarball is there, it is not packed again: the same
 * tree gives the same tarball (the same checksum, so a host running it has
 * nothing to do), where a fresh pack would give other bytes.
 *
 * On success out->path is the tarball; out->plan the plan applied when one
 * was built (NULL for a tar step's tarball), out->stats its figures and
 * out->packed whether it was packed now. Free with rel_build_tarball_free.
 * Errors as rel_build_release; out is then empty.
 */
struct rel_build_tarball {
    char *path;
    struct rel_plan *plan;
    struct rel_assemble_stats stats;
    bool packed;
};
int rel_build_deploy_tarball(struct rel_build_tarball *out, const char *release,
                             const struct rel_build_opts *o, const char *how);
void rel_build_tarball_free(struct rel_build_tarball *t);

/* Step 1 alone, for project `p`: REL_ECHILD when the build fails (output in
 * `output`, which may be NULL). 0 for plain projects. */
int rel_build_compile(const struct rel_project *p, struct rel_buf *output,
                      const struct rel_events *ev);

/*
 * Is a build needed? As make decides: 1 for a Mix or rebar3 project whose
 * _build/ENV/lib holds no file yet, or when a source file is newer than the
 * newest file there (sources: every regular file of the project directory
 * outside _build, deps, rel, test, doc, priv, node_modules and hidden
 * directories, relman.yml excepted; symlinks not followed), or when either side has more than
 * 20000 files; *why (new string) then says which. 0 when the build is up to
 * date and for plain projects (*why NULL). Reads mtimes only; a few ms.
 */
int rel_build_needed(const struct rel_project *p, char **why);

#endif
