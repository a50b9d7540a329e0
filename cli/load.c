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

int cli_build_release(struct rel_plan **plan, struct rel_assemble_stats *st,
                      struct rel_build_opts *bo, struct cli_load *load, struct cli_progress *prog)
{
    struct rel_buf out = REL_BUF_INIT;
    bo->model = cli_load_model_step;
    bo->model_ctx = load;
    bo->ev = &prog->ev;
    bo->build_output = &out;
    int rc = CLI_OK;
    if (rel_build_release(plan, st, bo) < 0) {
        cli_progress_clear(prog);
        fputs(rel_buf_cstr(&out), stderr);
        rc = load->code != CLI_OK ? load->code : cli_core_error();
    }
    rel_buf_free(&out);
    return rc;
}
