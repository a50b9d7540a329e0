/*
 * assemble.c - `relman assemble [REL]`: build the project (as `mix release`
 * compiles first), plan the release, apply the plan, run the steps.
 */
#include "cli.h"
#include "load.h"
#include "progress.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/plan.h"
#include "core/proc.h"
#include "core/project.h"
#include "core/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The project's own build, as `mix release` runs `mix compile` first. */
static int compile_project(const struct rel_project *p, struct cli_progress *prog)
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
        return CLI_OK;
    }
    struct rel_buf out = REL_BUF_INIT;
    struct rel_buf cmd = REL_BUF_INIT;
    for (size_t i = 0; argv[i]; i++)
        rel_buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
    rel_event_log(&prog->ev, REL_LOG_DEBUG, "$ %s%s%s", env_mix ? env_mix : "", env_mix ? " " : "",
                  rel_buf_cstr(&cmd));
    struct rel_proc_opts po = {.cwd = p->root, .env = env, .out = &out, .err = &out};
    int status = 0;
    int rc = CLI_OK;
    if (rel_proc_run(&status, argv, &po) < 0) {
        rc = cli_core_error();
    } else if (status != 0) {
        cli_progress_clear(prog);
        fputs(rel_buf_cstr(&out), stderr);
        rc = cli_error("'%s' failed (status %d) in %s; fix the build or use --no-compile",
                       rel_buf_cstr(&cmd), status, p->root);
    } else if (cli_globals.verbose && out.len) {
        fputs(rel_buf_cstr(&out), stderr);
    }
    rel_buf_free(&out);
    rel_buf_free(&cmd);
    free(env_mix);
    return rc;
}

/* `path` relative to the current directory when it is below it. */
static const char *shown_path(const char *path, const char *cwd)
{
    size_t n = cwd ? strlen(cwd) : 0;
    if (n && strncmp(path, cwd, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

int cmd_assemble(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"path", required_argument, NULL, 'p'},
        {"overwrite", no_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"version", required_argument, NULL, 'V'},
        {"no-compile", no_argument, NULL, 'n'},
        {"no-reuse", no_argument, NULL, 'r'},
        {"sync", no_argument, NULL, 's'},
        {"no-sync", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *version = NULL;
    bool overwrite = false, quiet = cli_globals.quiet, compile = true, reuse = true;
    enum rel_flush flush = REL_FLUSH_REPLACE;
    int c;
    while ((c = cli_getopt(argc, argv, "q", longopts)) != -1) {
        switch (c) {
        case 'p':
            path = optarg;
            break;
        case 'o':
            overwrite = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'V':
            version = optarg;
            break;
        case 'n':
            compile = false;
            break;
        case 'r':
            reuse = false;
            break;
        case 's':
            flush = REL_FLUSH_ALWAYS;
            break;
        case 'S':
            flush = REL_FLUSH_NEVER;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("assemble", "unexpected argument '%s'", argv[optind + 1]);
    const char *name = optind < argc ? argv[optind] : NULL;

    struct cli_progress prog;
    cli_progress_init(&prog, quiet, cli_globals.verbose);
    struct rel_project *p = NULL;
    struct rel_model *m = NULL;
    struct rel_plan *plan = NULL;
    int rc;
    if (compile) {
        /* Build first: discovery reads what the build produced. */
        if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN) < 0)
            return cli_core_error();
        rc = compile_project(p, &prog);
        rel_project_free(p);
        p = NULL;
        if (rc != CLI_OK)
            return rc;
    }
    if ((rc = cli_load_model(&p, &m, name)) != CLI_OK)
        return rc;
    struct rel_plan_opts po = {.path = path, .version = version, .ev = &prog.ev};
    struct rel_assemble_opts ao = {
        .overwrite = overwrite, .no_reuse = !reuse, .flush = flush, .ev = &prog.ev};
    struct rel_assemble_stats st = {0};
    if (rel_plan_build(&plan, m, &po) < 0 || rel_assemble_run(plan, &ao, &st) < 0) {
        cli_progress_clear(&prog);
        rc = cli_core_error();
        goto done;
    }
    if (!quiet) {
        char *cwd = getcwd(NULL, 0);
        const char *where = shown_path(plan->dest, cwd);
        cli_progress_assembled(stdout, plan->name, plan->version, where, &st);
        if (plan->tar)
            printf("relman: packed %s\n", shown_path(plan->tarball, cwd));
        printf("  start it:    %s/bin/%s start   (or daemon; stop with %s/bin/%s stop)\n", where,
               plan->name, where, plan->name);
        free(cwd);
    }
done:
    rel_plan_free(plan);
    rel_model_free(m);
    rel_project_free(p);
    return rc;
}
