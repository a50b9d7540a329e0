/*
 * build.c - compile if asked, plan, assemble (see build.h).
 */
#include "build.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "proc.h"
#include "project.h"
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

/* Each line of `out` as a DEBUG log line. */
static void log_lines(const struct rel_events *ev, const struct rel_buf *out)
{
    const char *p = rel_buf_cstr(out);
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = (int)(nl ? (size_t)(nl - p) : strlen(p));
        rel_event_log(ev, REL_LOG_DEBUG, "%.*s", len, p);
        p += len + (nl ? 1 : 0);
    }
}

int rel_build_compile(const struct rel_project *p, struct rel_buf *output,
                      const struct rel_events *ev)
{
    const char *argv_mix[] = {"mix", "compile", NULL};
    const char *argv_rebar[] = {"rebar3", "as", p->env ? p->env : "default", "compile", NULL};
    const char *const *argv;
    char *env_mix = NULL;
    const char *env[2] = {NULL, NULL};
    if (p->kind == REL_PROJECT_MIX) {
        argv = argv_mix;
        env_mix = rel_asprintf("MIX_ENV=%s", p->env ? p->env : "prod");
        env[0] = env_mix;
    } else if (p->kind == REL_PROJECT_REBAR3) {
        argv = argv_rebar;
    } else {
        return 0;
    }
    struct rel_buf out = REL_BUF_INIT;
    struct rel_buf cmd = REL_BUF_INIT;
    for (size_t i = 0; argv[i]; i++)
        rel_buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
    rel_event_log(ev, REL_LOG_DEBUG, "$ %s%s%s", env_mix ? env_mix : "", env_mix ? " " : "",
                  rel_buf_cstr(&cmd));
    struct rel_proc_opts po = {.cwd = p->root, .env = env, .out = &out, .err = &out};
    int status = 0;
    int rc = rel_proc_run(&status, argv, &po);
    if (rc == 0 && status != 0) {
        if (output)
            rel_buf_put(output, out.ptr ? out.ptr : "", out.len);
        rc = rel_error_set(REL_ECHILD,
                           "'%s' failed (status %d) in %s; fix the build or use --no-compile",
                           rel_buf_cstr(&cmd), status, p->root);
    } else if (rc == 0) {
        log_lines(ev, &out);
    }
    rel_buf_free(&out);
    rel_buf_free(&cmd);
    free(env_mix);
    return rc;
}

int rel_build_release(struct rel_plan **plan_out, struct rel_assemble_stats *stats,
                      const struct rel_build_opts *o)
{
    *plan_out = NULL;
    int rc = 0;
    if (o->compile) {
        /* Build first: discovery reads what the build produced. */
        struct rel_project *p = NULL;
        rc = rel_project_open(&p, o->dir ? o->dir : ".",
                              REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN);
        if (rc == 0)
            rc = rel_build_compile(p, o->build_output, o->ev);
        rel_project_free(p);
        if (rc < 0)
            return rc;
    }
    const struct rel_model *m = NULL;
    if ((rc = o->model(o->model_ctx, &m)) < 0)
        return rc;
    struct rel_plan_opts po = o->plan;
    po.ev = o->ev;
    struct rel_assemble_opts ao = o->assemble;
    ao.ev = o->ev;
    struct rel_plan *plan = NULL;
    rel_event_begin(o->ev, "plan", 0, 0);
    rc = rel_plan_build(&plan, m, &po);
    rel_event_end(o->ev, "plan", rc);
    if (rc == 0)
        rc = rel_assemble_run(plan, &ao, stats);
    if (rc < 0) {
        rel_plan_free(plan);
        return rc;
    }
    *plan_out = plan;
    return 0;
}
