/*
 * util.h - what every cli/ file shares and nothing in cli/ is called back
 * from: the global settings, the error lines ("relman: ...") and
 * getopt_long with relman's messages. It calls into no other cli/ file, so
 * the command files can use it without a loop through main.c or the
 * command table.
 */
#ifndef REL_CLI_UTIL_H
#define REL_CLI_UTIL_H

#include <getopt.h>
#include <stdbool.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Global settings from the command line and the environment (set by main). */
struct cli_globals {
    bool color;              /* colour on stdout (a tty, no NO_COLOR, no --no-color) */
    int verbose;             /* -v count */
    bool quiet;              /* -q */
    const char *project_dir; /* -C DIR, or NULL */
};
extern struct cli_globals cli_globals;

/* "relman: MESSAGE" on stderr; returns CLI_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the last core error (rel_error_message()); returns CLI_FAIL. */
int cli_core_error(void);
/* "relman: MESSAGE" plus a hint to run `relman help CMD`; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long with relman's error messages. Returns the option character,
 * -1 at the end of options, or -2 after printing a usage error (the caller
 * returns CLI_USAGE). The command name is taken from argv[0]. -h and --help
 * never reach it: the dispatcher (cli_command_run) answers them.
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

#endif
