/*
 * cli.h - the scriptable front end.
 *
 * How to add a command:
 *   1. write `int cmd_NAME(int argc, char **argv)` in cli/NAME.c (argv[0] is
 *      the command name; parse options with cli_getopt(); -h and --help
 *      are answered before it is called);
 *   2. add a row to the table in cli/commands.c (name, one-line help,
 *      synopsis, its options, what its operands are, notes, handler) and a
 *      section to docs/cli.md. `relman --help`, `relman help NAME`, the
 *      shell completions (cli/completion.c) and the man page (cli/man.c)
 *      come from that table; cli_getopt() refuses an option the handler
 *      takes that its row lacks, and tests/cli/options.sh checks the other
 *      way round.
 * Handlers return an exit code: CLI_OK, CLI_FAIL (the operation failed; the
 * error was printed with cli_error()) or CLI_USAGE (bad usage; printed with
 * cli_usage_error(); those helpers are in util.h). No logic lives here that
 * the TUI lacks: handlers call core/ and remote/ and print what those report.
 */
#ifndef REL_CLI_H
#define REL_CLI_H

#include "util.h"

#include <stdio.h>

struct cli_command {
    const char *name;
    const char *summary;  /* one line, no final period */
    const char *usage;    /* "relman NAME ..." synopsis lines */
    const struct cli_option *options; /* every option the handler takes */
    unsigned operands;    /* enum cli_complete bits: what its operands are */
    const char *operand_words; /* with CLI_COMPLETE_WORDS: "a|b|c" */
    const char *notes;    /* text after the options, or NULL */
    int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_commands[];
extern const unsigned cli_command_count;
/* relman's own options, before the command (cli/main.c parses them; a row
 * with name "" has only its letter). */
extern const struct cli_option cli_global_options[];
/* The one-line exit status summary of --help and the man page. */
extern const char cli_exit_status_text[];

/* Print `relman --help` (the global options and the command list). */
void cli_print_main_help(FILE *out);
/* "usage: ... unknown command 'X'; did you mean 'Y'?" (returns CLI_USAGE). */
int cli_unknown_command(const char *name);

const struct cli_command *cli_find_command(const char *name);

/* `relman PATH ARGS...` where PATH (argv[0]) names no command but an existing
 * file or directory: `relman tui PATH ARGS...` on a terminal (or with
 * RELMAN_TUI_SCRIPT set), else `relman inspect PATH ARGS...`. */
int cli_run_path(int argc, char **argv);

/*
 * Run `cmd` with its arguments (argv[0] is the command name): -h or --help
 * (or an abbreviation of --help) anywhere before "--" prints
 * cli_print_command_help() and returns CLI_OK without calling cmd->run, so
 * no command parses them; otherwise getopt is reset and cmd->run's exit
 * code is returned.
 */
int cli_command_run(const struct cli_command *cmd, int argc, char **argv);

/* Print `relman help NAME` text for one command to stdout. */
void cli_print_command_help(const struct cli_command *cmd);

/* Command handlers (one per cli/NAME.c). */
int cmd_tui(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_releases(int argc, char **argv);
int cmd_apps(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_assemble(int argc, char **argv);
/* Remote commands (cli/deploy.c, cli/node.c, cli/console.c; see docs/remote.md). */
int cmd_deploy(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_pid(int argc, char **argv);
int cmd_node_version(int argc, char **argv); /* `relman version TARGET...` */
int cmd_status(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_rpc(int argc, char **argv);
int cmd_remote(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_releases_remote(int argc, char **argv); /* `relman releases --remote TARGET` */
/*
 * The command table as the generators read it (cli/completion.c, cli/man.c).
 * cli/commands.c hands it to them, so they never call back into the file
 * whose table names them.
 */
struct cli_table {
    const struct cli_command *commands;
    unsigned count;
    const struct cli_option *globals; /* cli_global_options */
    const char *exit_status;          /* cli_exit_status_text */
};
/* `relman completion bash|zsh|fish` and `--names KIND` (cli/completion.c). */
int cli_completion_run(const struct cli_table *t, int argc, char **argv);
/* `relman help --man`: the relman(1) page in roff (cli/man.c). */
void cli_print_man(FILE *out, const struct cli_table *t);
/* Print one option table as help lines ("  -q, --quiet  ...") (cli/commands.c). */
void cli_print_options(FILE *out, const struct cli_option *opts);

#endif
