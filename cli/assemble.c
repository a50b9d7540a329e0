/*
 * assemble.c - `relman assemble [REL]`: build the project when needed (as
 * `mix release` compiles first), plan the release, apply the plan, run the
 * steps; the path is core's rel_build_release() (core/build.h), the TUI's
 * too, with the same defaults. This file holds the options, the model
 * loading, SIGINT (cancels: the release at its path stays as it was) and
 * the report.
 */
#include "cli.h"
#include "load.h"
#include "progress.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/plan.h"
#include "core/project.h"
#include "core/resolve.h"
#include "core/size.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The model, once the build ran (rel_build_opts.model): cli_load_model,
 * which prints its own error; `code` keeps the exit code it chose. */
struct load {
    const char *name;
    struct rel_project *p;
    struct rel_model *m;
    int code;
};

static int load_model(void *ctx, const struct rel_model **m)
{
    struct load *l = ctx;
    l->code = cli_load_model(&l->p, &l->m, l->name);
    if (l->code != CLI_OK)
        return rel_error_code() ? rel_error_code() : REL_ERESOLVE;
    *m = l->m;
    return 0;
}

/* SIGINT while assembling: the first asks core to stop (rel_build_opts.
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
        {"compile", no_argument, NULL, 'c'},
        {"no-reuse", no_argument, NULL, 'r'},
        {"sync", no_argument, NULL, 's'},
        {"no-sync", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *version = NULL;
    bool overwrite = false, quiet = cli_globals.quiet, reuse = true;
    enum rel_build_compile compile = REL_BUILD_COMPILE_AUTO;
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
            compile = REL_BUILD_COMPILE_NEVER;
            break;
        case 'c':
            compile = REL_BUILD_COMPILE_ALWAYS;
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
    struct load load = {.name = name, .code = CLI_OK};
    struct rel_buf build_output = REL_BUF_INIT;
    struct rel_build_opts bo = {
        .compile = compile,
        .model = load_model,
        .model_ctx = &load,
        .plan = {.path = path, .version = version},
        .assemble = {.overwrite = overwrite, .no_reuse = !reuse, .flush = flush},
        .ev = &prog.ev,
        .build_output = &build_output,
        .canceled = was_interrupted,
    };
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    int rc = CLI_OK;
    struct sigaction sa = {.sa_handler = on_sigint}, old_sa;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);
    int brc = rel_build_release(&plan, &st, &bo);
    sigaction(SIGINT, &old_sa, NULL);
    if (brc < 0) {
        cli_progress_clear(&prog);
        if (quiet) /* else the build's output was shown as it came */
            fputs(rel_buf_cstr(&build_output), stderr);
        rc = load.code != CLI_OK ? load.code : cli_core_error();
        if (brc == REL_ECANCELED && interrupted)
            rc = 128 + SIGINT;
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
    rel_buf_free(&build_output);
    rel_plan_free(plan);
    rel_model_free(load.m);
    rel_project_free(load.p);
    return rc;
}
