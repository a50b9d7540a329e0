/*
 * load.h - what the project commands share: open the project in the current
 * directory (after -C), pick a release, resolve it.
 */
#ifndef REL_CLI_LOAD_H
#define REL_CLI_LOAD_H

struct rel_project;
struct rel_model;

/*
 * Open the project (relman.yml required), pick release `name` (NULL: the
 * default one) and resolve it. On failure prints the error and returns the
 * exit code (CLI_FAIL, or CLI_USAGE when the release is ambiguous) with both
 * outputs NULL; on success returns CLI_OK. The model may hold problems.
 */
int cli_load_model(struct rel_project **p, struct rel_model **m, const char *name);

/* cli_load_model() as core's build asks for the model (rel_build_opts.model,
 * ctx a struct cli_load): `code` keeps the exit code it chose; the caller
 * frees m and p. */
struct cli_load {
    const char *name;
    struct rel_project *p;
    struct rel_model *m;
    int code;
};
int cli_load_model_step(void *ctx, const struct rel_model **m);

/* rel_build_release() with the model from `load` and the events of `prog`
 * (bo's model, ev and build_output are set here). On failure the build's
 * output and the error are printed and the exit code is returned, *plan
 * NULL; CLI_OK otherwise. */
struct cli_progress;
struct rel_assemble_stats;
struct rel_build_opts;
struct rel_plan;
int cli_build_release(struct rel_plan **plan, struct rel_assemble_stats *st,
                      struct rel_build_opts *bo, struct cli_load *load, struct cli_progress *prog);

/* rel_build_deploy_tarball() (core/build.h) in the same way: the tar
 * step's tarball, or the release built and packed. */
struct rel_build_tarball;
int cli_build_deploy_tarball(struct rel_build_tarball *t, const char *release,
                             struct rel_build_opts *bo, struct cli_load *load,
                             struct cli_progress *prog, const char *how);

#endif
