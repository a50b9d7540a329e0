/*
 * main.c - relman's entry point: global options, then one command from the
 * table in commands.c. With no command, relman opens the TUI on a terminal,
 * and otherwise prints the project's releases (see cmd_default in
 * commands.c); with a path instead of a command, the TUI on that path
 * (cli_run_path).
 */
#include "cli.h"

#include "core/suggest.h"
#include "version.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "unknown option '--X'; did you mean '--Y'?" among the global options. */
static int unknown_global_option(const char *a)
{
    struct rel_suggest s;
    rel_suggest_init(&s, a + strspn(a, "-"));
    for (const struct cli_option *o = cli_global_options; o->name; o++)
        rel_suggest_offer(&s, o->name, strlen(o->name));
    if (s.best[0] && strncmp(a, "--", 2) == 0)
        return cli_usage_error(NULL, "unknown option '%s'; did you mean '--%s'?", a, s.best);
    return cli_usage_error(NULL, "unknown option '%s'", a);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    cli_globals.color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]) &&
                        !(term && strcmp(term, "dumb") == 0);

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_main_help(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("relman %s\n", RELMAN_VERSION);
            return CLI_OK;
        } else if (strcmp(a, "--no-color") == 0) {
            cli_globals.color = false;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            cli_globals.verbose++;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            cli_globals.quiet = true;
        } else if (strcmp(a, "-C") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(NULL, "option '-C' needs a directory");
            cli_globals.project_dir = argv[++i];
        } else if (strncmp(a, "-C", 2) == 0) {
            cli_globals.project_dir = a + 2;
        } else {
            return unknown_global_option(a);
        }
    }
    if (cli_globals.project_dir && chdir(cli_globals.project_dir) < 0) {
        cli_error("cannot change to directory %s: ", cli_globals.project_dir);
        perror(NULL);
        return CLI_FAIL;
    }

    const char *name = i < argc ? argv[i] : "";
    const struct cli_command *cmd = cli_find_command(name);
    if (!cmd && access(name, F_OK) == 0)
        return cli_run_path(argc - i, argv + i);
    if (!cmd)
        return cli_unknown_command(name);
    return cli_command_run(cmd, argc - i > 0 ? argc - i : 0,
                           argc - i > 0 ? argv + i : (char *[]){"", NULL});
}
