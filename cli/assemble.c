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

/* `path` relative to the current directory when it is below it. */
static const char *shown_path(const char *path, const char *cwd)
{
    size_t n = cwd ? strlen(cwd) : 0;
    if (n && strncmp(path, cwd, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

/* The assembly's question (a configured cookie replacing another), asked
 * on the terminal as mix asks it: "[Yn]", an empty answer is yes. Only
 * installed when stdin and stderr are terminals. */
static bool ask_terminal(void *ctx, const char *question)
{
    (void)ctx;
    fprintf(stderr, "\n%s [Yn] ", question);
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        return false;
    char *a = line;
    while (*a == ' ' || *a == '\t')
        a++;
    return *a == '\n' || *a == '\0' || *a == 'y' || *a == 'Y';
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
        /* mix release's build flags, passed on to mix compile */
        {"force", no_argument, NULL, 'F'},
        {"no-deps-check", no_argument, NULL, 'D'},
        {"no-archives-check", no_argument, NULL, 'A'},
        {"no-elixir-version-check", no_argument, NULL, 'E'},
        {NULL, 0, NULL, 0},
    };
    const char *compile_args[5] = {NULL};
    size_t ncompile_args = 0;
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
        case 'F':
        case 'D':
        case 'A':
        case 'E': {
            const char *flag = c == 'F'   ? "--force"
                               : c == 'D' ? "--no-deps-check"
                               : c == 'A' ? "--no-archives-check"
                                          : "--no-elixir-version-check";
            bool seen = false;
            for (size_t i = 0; i < ncompile_args; i++)
                seen |= strcmp(compile_args[i], flag) == 0;
            if (!seen)
                compile_args[ncompile_args++] = flag;
            break;
        }
        default:
            return CLI_USAGE;
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("assemble", "unexpected argument '%s'", argv[optind + 1]);
    const char *name = optind < argc ? argv[optind] : NULL;
    if (ncompile_args && compile == REL_BUILD_COMPILE_NEVER)
        return cli_usage_error("assemble", "%s is passed to mix compile: not with --no-compile",
                               compile_args[0]);
    /* as `mix release --force`: the build runs, forced */
    for (size_t i = 0; i < ncompile_args; i++)
        if (strcmp(compile_args[i], "--force") == 0)
            compile = REL_BUILD_COMPILE_ALWAYS;

    struct cli_progress prog;
    cli_progress_init(&prog, quiet, cli_globals.verbose);
    struct cli_load load = {.name = name, .code = CLI_OK};
    struct rel_build_opts bo = {
        .compile = compile,
        .compile_args = compile_args,
        .plan = {.path = path, .version = version},
        .assemble = {.overwrite = overwrite, .no_reuse = !reuse, .flush = flush},
    };
    if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
        bo.assemble.confirm = ask_terminal;
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    int rc = cli_build_release(&plan, &st, &bo, &load, &prog);
    if (rc != CLI_OK)
        goto done;
    if (!quiet) {
        char *cwd = getcwd(NULL, 0);
        const char *where = shown_path(plan->dest, cwd);
        cli_progress_assembled(stdout, plan->name, plan->version, where, &st);
        if (plan->tar)
            printf("relman: packed %s\n", shown_path(plan->tarball, cwd));
        /* foreground: the same in mix's and relx's dialect (relx's start is daemon) */
        printf("  start it:    %s/bin/%s foreground   (or daemon; stop with %s/bin/%s stop)\n",
               where, plan->name, where, plan->name);
        free(cwd);
    }
done:
    rel_plan_free(plan);
    rel_model_free(load.m);
    rel_project_free(load.p);
    return rc;
}
