/*
 * remote_cli.h - what the remote commands (deploy, rollback, start, stop,
 * restart, pid, version, status, releases --remote, logs, rpc, remote,
 * unlock) share: relman.yml and the targets, the common options, the
 * printing of remote events (every remote command with -v), the terminal
 * prompts for host keys and passphrases, and the summary of a run.
 */
#ifndef REL_CLI_REMOTE_H
#define REL_CLI_REMOTE_H

#include "remote/events.h"
#include "remote/runner.h"
#include "remote/ssh.h"
#include "remote/target.h"

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct rel_config;

/* Long options every remote command takes; their getopt values. */
enum {
    CLI_OPT_SSH_CONFIG = 0x1000,
    CLI_OPT_YES,
    CLI_OPT_JSON,
    CLI_OPT_TARBALL,
    CLI_OPT_BATCH,
    CLI_OPT_REMOTE,
    CLI_OPT_LINES,
    CLI_OPT_RAW,
};

struct cli_remote {
    const char *cmd;
    struct rel_config *cfg;
    struct rel_remote_target *targets;
    size_t ntargets;
    const char *ssh_config; /* --ssh-config */
    bool yes;               /* --yes */
    bool json;              /* --json */
    char *audit_file;       /* PROJECT/.relman/audit.log */
    struct rel_remote_events events;
    struct rel_ssh_prompt_ops prompts;
    bool have_prompts;
    int progress_shown;     /* a progress line is on the terminal */
    bool stderr_tty;
    bool catching;    /* cli_remote_catch_signals() installed its handlers */
    int told;         /* interruptions told to the user (0, 1, 2) */
    bool raw;         /* logs --raw: streamed output unescaped */
    char out_tail[4]; /* streamed output: a UTF-8 character cut at a chunk's end */
    size_t out_tail_len;
};

/* Handle a common option `c` (from cli_getopt) with `arg`; true if it was one. */
bool cli_remote_option(struct cli_remote *c, int opt, const char *arg);

/* Parse argv's options for a command that takes only the common ones (and,
 * with `json`, --json). Returns CLI_OK with optind at the first operand, or
 * CLI_USAGE after printing the error. */
int cli_remote_options(struct cli_remote *c, int argc, char **argv, bool json);

/* Load relman.yml (from the current directory) and resolve the target and
 * group names. `release` overrides the targets' release (NULL: theirs).
 * Prints the error and returns CLI_FAIL/CLI_USAGE, or CLI_OK. */
int cli_remote_load(struct cli_remote *c, char **names, size_t nnames, const char *release);

/* Runner options wired to our events and prompts. */
void cli_remote_runner_opts(struct cli_remote *c, struct rel_runner_opts *o);

/*
 * For commands that change targets (deploy, rollback, start, stop, restart,
 * unlock): catch SIGINT, SIGTERM and SIGHUP until cli_remote_free() and wire
 * them to the runner options `o`: the first cancels the run (each host
 * finishes or undoes what it does, releases its lock, writes an audit
 * line; see runner.h), a second abandons it (each host only releases its
 * lock and writes its audit line, within REL_RUNNER_ABANDON_MS). A command
 * interrupted so exits 128 + the signal's number (cli_remote_exit()).
 */
void cli_remote_catch_signals(struct cli_remote *c, struct rel_runner_opts *o);

/* `rc`, or 128 + N when signal N interrupted the run. */
int cli_remote_exit(const struct cli_remote *c, int rc);

/* Ask "QUESTION [y/N]" on the terminal; without one, refuse unless --yes.
 * Returns CLI_OK to go on, or prints why not and returns CLI_FAIL/CLI_USAGE. */
int cli_remote_confirm(struct cli_remote *c, const char *question);

/* After rel_runner_run(): print each failed host's message ("relman: ...")
 * and return CLI_OK when all succeeded, CLI_FAIL otherwise. */
int cli_remote_failures(struct cli_remote *c, struct rel_runner *r);

void cli_remote_free(struct cli_remote *c);

/*
 * What hosts say is printed as text (core/escape.h): control characters
 * become \xNN. cli_remote_fputs() writes `text` (NULL: nothing) escaped
 * with `flags` (REL_ESCAPE_KEEP_LINES for multi-line output);
 * cli_remote_field() is an escaped one-line copy (malloc'd; "-" for NULL).
 */
void cli_remote_fputs(FILE *f, const char *text, unsigned flags);
char *cli_remote_field(const char *text);

/* The long options of cli_remote_option(), to splice into a command's table. */
#define CLI_REMOTE_LONGOPTS                                                                        \
    {"ssh-config", required_argument, NULL, CLI_OPT_SSH_CONFIG},                                   \
        {"yes", no_argument, NULL, 'y'}, {"verbose", no_argument, NULL, 'v'}

#endif
