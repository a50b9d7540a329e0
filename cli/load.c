/*
 * load.c - open, pick, resolve (see load.h).
 */
#include "load.h"

#include "cli.h"
#include "progress.h"

#include "core/build.h"
#include "core/buf.h"

#include "core/config.h"
#include "core/error.h"
#include "core/project.h"
#include "core/resolve.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

int cli_load_model(struct rel_project **p, struct rel_model **m, const char *name)
{
    *p = NULL;
    *m = NULL;
    if (rel_project_open(p, ".", REL_PROJECT_NEED_CONFIG) < 0)
        return cli_core_error();
    const struct rel_config_release *rel = NULL;
    int rc = rel_config_pick_release(&rel, (*p)->config, name);
    if (rc == 0)
        rc = rel_resolve(m, *p, rel);
    if (rc < 0) {
        int code = rc == REL_EUSAGE ? CLI_USAGE : CLI_FAIL;
        cli_core_error();
        rel_project_free(*p);
        *p = NULL;
        return code;
    }
    return CLI_OK;
}

int cli_load_model_step(void *ctx, const struct rel_model **m)
{
    struct cli_load *l = ctx;
    l->code = cli_load_model(&l->p, &l->m, l->name);
    if (l->code != CLI_OK)
        return rel_error_code() ? rel_error_code() : REL_ERESOLVE;
    *m = l->m;
    return 0;
}

/* SIGINT while building: the first asks core to stop (rel_build_opts.
 * canceled; the build's process group is ended, the new tree removed), a
 * second one kills relman at once. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    if (interrupted) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    interrupted = 1;
}

static bool was_interrupted(void *ctx)
{
    (void)ctx;
    return interrupted != 0;
}

/* What a guarded build runs: rel_build_release or rel_build_deploy_tarball. */
struct build_call {
    struct rel_plan **plan;
    struct rel_assemble_stats *st;
    struct rel_build_tarball *tarball;
    const char *release, *how;
};

/* Run the call with `bo` (model from `load`, events of `prog`), SIGINT
 * asking core to stop; on failure print the build's output and the error
 * and return the exit code. */
static int guarded_build(const struct build_call *call, struct rel_build_opts *bo,
                         struct cli_load *load, struct cli_progress *prog)
{
    struct rel_buf out = REL_BUF_INIT;
    bo->model = cli_load_model_step;
    bo->model_ctx = load;
    bo->ev = &prog->ev;
    bo->build_output = &out;
    bo->canceled = was_interrupted;
    struct sigaction sa = {.sa_handler = on_sigint}, old_sa;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);
    int brc = call->tarball ? rel_build_deploy_tarball(call->tarball, call->release, bo, call->how)
                            : rel_build_release(call->plan, call->st, bo);
    sigaction(SIGINT, &old_sa, NULL);
    int rc = CLI_OK;
    if (brc < 0) {
        cli_progress_clear(prog);
        if (prog->quiet) /* else the build's output was shown as it came */
            fputs(rel_buf_cstr(&out), stderr);
        rc = load->code != CLI_OK ? load->code : cli_core_error();
        if (brc == REL_ECANCELED && interrupted)
            rc = 128 + SIGINT;
    }
    rel_buf_free(&out);
    return rc;
}

int cli_build_release(struct rel_plan **plan, struct rel_assemble_stats *st,
                      struct rel_build_opts *bo, struct cli_load *load, struct cli_progress *prog)
{
    struct build_call call = {.plan = plan, .st = st};
    return guarded_build(&call, bo, load, prog);
}

int cli_build_deploy_tarball(struct rel_build_tarball *t, const char *release,
                             struct rel_build_opts *bo, struct cli_load *load,
                             struct cli_progress *prog, const char *how)
{
    struct build_call call = {.tarball = t, .release = release, .how = how};
    return guarded_build(&call, bo, load, prog);
}
