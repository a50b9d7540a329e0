/*
 * commands.c - the table of relman's commands: the single source of truth for
 * dispatch, `relman --help`, `relman help NAME` and docs/cli.md.
 */
#include "cli.h"

#include "core/config.h"
#include "core/project.h"
#include "version.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/* Options every remote command takes (cli/remote_cli.c). */
#define REMOTE_OPTS                                                                                \
    "\n  --ssh-config FILE  OpenSSH client configuration to read (instead of ssh.config)\n"      \
    "  -v                 show every remote command, its exit status and stderr"

const struct cli_command cli_commands[] = {
    {"help", "show help for relman or for one command", "relman help [COMMAND]", cmd_help},
    {"version", "print relman's version (or the release version on targets)",
     "relman version\n       relman version TARGET|GROUP..." REMOTE_OPTS, cmd_version},
    {"tui", "open the terminal UI (the default on a terminal)",
     "relman tui [--theme NAME] [--no-color] [--ascii] [--script FILE] [--dump DIR]\n"
     "           [--size COLSxLINES] [PATH]\n"
     "       relman tui --keys\n"
     "\n"
     "  --theme NAME   dark, light, high-contrast, monochrome or a theme file\n"
     "  --no-color     no colour at all (also NO_COLOR=1)\n"
     "  --ascii        ASCII markers and rules only\n"
     "  --script FILE  headless: read keys from FILE, no terminal needed\n"
     "  --dump DIR     where ':dump NAME' writes screen dumps (headless tests)\n"
     "  --size CxL     headless screen size (default 80x24)\n"
     "  --keys         print every action and its keys (Markdown) and exit\n"
     "See docs/tui.md.",
     cmd_tui},
    {"init", "write relman.yml (from mix.exs or rebar.config with --import)",
     "relman init [--import] [--force] [--env ENV] [--release REL] [--name NAME]\n"
     "            [--version VSN] [--include-erts true|false]\n"
     "            [--cookie generated|configured] [--cookie-file FILE] [--templates]\n"
     "\n"
     "  --import             read the releases from mix.exs (asking the installed mix) or\n"
     "                       from the relx section of rebar.config; otherwise write a\n"
     "                       starter file\n"
     "  --force              replace an existing relman.yml\n"
     "  --env ENV            Mix env / rebar3 profile (default: $MIX_ENV or prod; default)\n"
     "  --release REL        the release the next options change (default: every one)\n"
     "  --name NAME          rename the release (needs exactly one, or --release)\n"
     "  --version VSN        set its version\n"
     "  --include-erts B     true: ship the installed Erlang's runtime; false: use the\n"
     "                       target's (the very same version)\n"
     "  --cookie POLICY      generated: no cookie in relman.yml, each assembled release\n"
     "                       makes one once (mode 0600) and keeps it; configured: write a\n"
     "                       new random cookie into relman.yml (then it holds a secret)\n"
     "  --cookie-file FILE   configured, with the cookie on FILE's first line\n"
     "  --templates          also write rel/vm.args.eex, rel/remote.vm.args.eex,\n"
     "                       rel/env.sh.eex and rel/env.bat.eex with relman's default\n"
     "                       texts (existing files are kept)",
     cmd_init},
    {"releases", "list the releases of relman.yml", "relman releases [--json]\n"
     "       relman releases --remote TARGET [--json]   (installed on a target)", cmd_releases},
    {"apps", "show a release's resolved applications (problems first)",
     "relman apps [RELEASE] [--json]\n"
     "\n"
     "  Columns: name, version, mode (* = set in relman.yml), source (project,\n"
     "  lib_dirs, OTP, Elixir), why it is there. Exit status 1 when the release has\n"
     "  errors. See docs/projects.md.",
     cmd_apps},
    {"render", "print a generated release file without assembling",
     "relman render [RELEASE] NAME\n"
     "       relman render --list\n"
     "\n"
     "  NAME: a file relman generates (--list shows them). See docs/projects.md.",
     cmd_render},
    {"inspect", "look inside a release (directory or tarball) or a .boot, .beam or term file",
     "relman inspect [--print] [--json] PATH\n"
     "\n"
     "  release    a release directory or .tar.gz (relman, mix release, relx): name,\n"
     "             versions, ERTS, applications with modes, cookie present (never its\n"
     "             value); --json for JSON. See docs/assemble.md\n"
     "  .boot      print the boot term as consultable text (what the .script holds)\n"
     "  .beam      module, compressed or not, each chunk and its size\n"
     "  term file  (.app .appup .rel .script .relup .config RELEASES) whether it parses;\n"
     "             the error with FILE:LINE:COL if not (exit 1)\n"
     "  --print    term files: print the terms, laid out as OTP writes them\n"
     "  See docs/terms.md.",
     cmd_inspect},
    {"assemble", "build a release directory (bin/, lib/, releases/, erts-VSN/)",
     "relman assemble [RELEASE] [--path P] [--overwrite] [--quiet] [--version V]\n"
     "                [--no-compile] [--no-reuse] [--sync | --no-sync]\n"
     "\n"
     "  --path P       where to put the release (default: releases.NAME.path or\n"
     "                 _build/ENV/rel/NAME)\n"
     "  --overwrite    replace releases/VSN when it exists\n"
     "  --quiet, -q    print nothing but errors\n"
     "  --version V    the release version (default: relman.yml's)\n"
     "  --no-compile   do not run the project's build (mix compile / rebar3 compile) first\n"
     "  --no-reuse     copy and strip every file again instead of reusing unchanged ones\n"
     "  --sync         flush the new release to disk before putting it in place, also\n"
     "                 when nothing was there (default: only when replacing a release)\n"
     "  --no-sync      never flush (a power cut may then leave a replaced release empty)\n"
     "  Runs the release's steps (tar, run hooks). See docs/assemble.md.",
     cmd_assemble},
    {"deploy", "upload a release tarball to targets and switch them to it",
     "relman deploy [RELEASE] TARGET|GROUP... [--tarball FILE] [--batch N] [--force]\n"
     "              [--rollback-all] [--yes]\n"
     "  --tarball FILE     the release tarball (default: the one `relman assemble` packs\n"
     "                     with the release's tar step; without a tar step deploy\n"
     "                     assembles and packs it; mix release's tarballs work too)\n"
     "  --batch N          hosts at a time (default: deploy.batch)\n"
     "  --force            deploy and restart also where the host already runs it\n"
     "  --rollback-all     when a host fails, return every host of the run to its\n"
     "                     previous release (default: deploy.rollback_all, false)\n"
     "  -y, --yes          do not ask for confirmation (needed without a terminal)" REMOTE_OPTS,
     cmd_deploy},
    {"rollback", "switch targets back to their previous release",
     "relman rollback TARGET|GROUP... [--yes]" REMOTE_OPTS, cmd_rollback},
    {"start", "start the node on targets", "relman start TARGET|GROUP..." REMOTE_OPTS, cmd_start},
    {"stop", "stop the node on targets", "relman stop TARGET|GROUP... [--yes]" REMOTE_OPTS,
     cmd_stop},
    {"restart", "stop and start the node on targets",
     "relman restart TARGET|GROUP... [--yes]" REMOTE_OPTS, cmd_restart},
    {"pid", "print the OS pid of the node on targets", "relman pid TARGET|GROUP..." REMOTE_OPTS,
     cmd_pid},
    {"status", "show what runs on targets",
     "relman status TARGET|GROUP... [--json]" REMOTE_OPTS, cmd_status},
    {"logs", "show the node's logs on a target",
     "relman logs TARGET [-f] [-n LINES]\n"
     "  -f, --follow       keep printing new lines (Ctrl-C to stop)\n"
     "  -n, --lines N      lines to show (default 100)" REMOTE_OPTS,
     cmd_logs},
    {"rpc", "evaluate an expression on the node of a target",
     "relman rpc TARGET EXPR" REMOTE_OPTS, cmd_rpc},
    {"remote", "attach to the node's remote console on a target",
     "relman remote TARGET" REMOTE_OPTS, cmd_remote},
    {"unlock", "remove a stale deploy lock on targets",
     "relman unlock TARGET|GROUP... [--yes]" REMOTE_OPTS, cmd_unlock},
};
const unsigned cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);

/*
 * No command given: the TUI on a terminal; otherwise (a pipe, CI) the
 * project's releases followed by each release's applications, so `relman`
 * is useful in scripts too.
 */
static int cmd_default(int argc, char **argv)
{
    const struct cli_command *tui = NULL;
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        tui = cli_find_command("tui");
    if (tui) {
        char *args[] = {(char *)tui->name, NULL};
        return tui->run(1, args);
    }
    char *rel_args[] = {"releases", NULL};
    int rc = cmd_releases(1, rel_args);
    if (rc != CLI_OK)
        return rc;
    struct rel_project *p = NULL;
    if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN) < 0)
        return cli_core_error();
    for (size_t i = 0; i < p->config->nreleases; i++) {
        char *apps_args[] = {"apps", p->config->releases[i].name, NULL};
        putchar('\n');
        fflush(stdout);
        optind = 1;
        int r = cmd_apps(2, apps_args);
        if (r != CLI_OK)
            rc = r;
    }
    rel_project_free(p);
    return rc;
}

static const struct cli_command default_command = {"", "", "relman", cmd_default};

const struct cli_command *cli_find_command(const char *name)
{
    if (name[0] == '\0')
        return &default_command;
    for (unsigned i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

void cli_print_command_help(const struct cli_command *cmd)
{
    printf("relman %s - %s\n\nusage: %s\n", cmd->name, cmd->summary, cmd->usage);
}

/* "-h", or "--help" as getopt_long would take it: any unambiguous
 * abbreviation down to "--h" (no command has another long option that
 * starts with an h). */
static bool is_help(const char *arg)
{
    if (strcmp(arg, "-h") == 0)
        return true;
    size_t n = strlen(arg);
    return n >= 3 && strncmp(arg, "--help", n) == 0;
}

int cli_command_run(const struct cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            cli_print_command_help(cmd);
            return CLI_OK;
        }
    }
    optind = 1;
    return cmd->run(argc, argv);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: relman [-C DIR] [-v] [-q] [--no-color] [COMMAND [ARGS...]]\n\nCommands:\n");
        for (unsigned i = 0; i < cli_command_count; i++)
            printf("  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
        printf("\nRun 'relman help COMMAND' for one command's usage.\n");
        return CLI_OK;
    }
    if (argc > 2)
        return cli_usage_error("help", "too many arguments");
    const struct cli_command *cmd = cli_find_command(argv[1]);
    if (!cmd || !cmd->name[0])
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    cli_print_command_help(cmd);
    return CLI_OK;
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1)
        return cmd_node_version(argc, argv);
    printf("relman %s\n", RELMAN_VERSION);
    return CLI_OK;
}
