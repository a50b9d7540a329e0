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
#include <stddef.h>

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
 * What an option's value or a command's operands complete to (bits: an
 * operand may be a release or a target). CLI_COMPLETE_WORDS takes the words
 * of the `words` field ("a|b|c").
 */
enum cli_complete {
    CLI_COMPLETE_NONE = 0,
    CLI_COMPLETE_FILE = 1 << 0,
    CLI_COMPLETE_DIR = 1 << 1,
    CLI_COMPLETE_RELEASE = 1 << 2, /* release names of relman.yml */
    CLI_COMPLETE_TARGET = 1 << 3,  /* target and group names of relman.yml */
    CLI_COMPLETE_COMMAND = 1 << 4, /* relman's command names */
    CLI_COMPLETE_WORDS = 1 << 5,
    CLI_COMPLETE_RENDER = 1 << 6,  /* the names `relman render` takes (core/render.h) */
};

/*
 * One option of a command, in the command table (cli/commands.c): help,
 * completion and the man page are generated from these rows, and
 * cli_getopt() checks that a handler accepts no option missing from them.
 * A table ends with a row whose `name` is NULL.
 */
struct cli_option {
    const char *name;  /* long name without "--" */
    char letter;       /* short option, or 0 */
    const char *value; /* name of its value ("FILE"), or NULL: a flag */
    unsigned complete; /* enum cli_complete bits for the value */
    const char *words; /* with CLI_COMPLETE_WORDS: "a|b|c" */
    const char *help;  /* "\n" continues the text; NULL: accepted, not shown */
};

/*
 * The options of the command about to run (set by cli_command_run; NULL: no
 * check). cli_getopt() then refuses, as an internal error, a long or short
 * option its caller accepts that the table lacks.
 */
void cli_getopt_expect(const char *cmd, const struct cli_option *opts);

/*
 * getopt_long with relman's error messages. Returns the option character,
 * -1 at the end of options, or -2 after printing a usage error (the caller
 * returns CLI_USAGE). The command name is taken from argv[0]. Operands may
 * come before options (argv is permuted as GNU getopt does); an error names
 * the option as typed ("unknown option '--bogus' for 'apps'; did you mean
 * '--json'?", "option '--path' needs a value", "option '--json' takes no
 * value", "ambiguous option '--s' for 'assemble' (--sync, --no-sync)"). -h and --help
 * never reach it: the dispatcher (cli_command_run) answers them.
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

#endif
