/*
 * commands.c - the table of relman's commands: the single source of truth for
 * dispatch, `relman --help`, `relman help NAME` and docs/cli.md.
 */
#include "cli.h"

#include "core/alloc.h"
#include "core/config.h"
#include "core/project.h"
#include "core/suggest.h"
#include "version.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_completion(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

#define F CLI_COMPLETE_FILE
#define D CLI_COMPLETE_DIR
#define W CLI_COMPLETE_WORDS

/* clang-format off */
/* Options every remote command takes (cli/remote_cli.c); CONFIRM for those
 * that change a host, NOCONFIRM for the others (accepted, not shown). */
#define REMOTE_OPTS                                                                                \
    {"ssh-config", 0, "FILE", F, NULL,                                                             \
     "OpenSSH client configuration to read (instead of ssh.config)"},                              \
        {"verbose", 'v', NULL, 0, NULL, "show every remote command, its exit status and stderr"}
#define CONFIRM                                                                                    \
    {"yes", 'y', NULL, 0, NULL, "do not ask for confirmation (needed without a terminal)"}
#define NOCONFIRM {"yes", 'y', NULL, 0, NULL, NULL}
#define JSON(what) {"json", 0, NULL, 0, NULL, "print " what " as JSON"}
#define END {NULL, 0, NULL, 0, NULL, NULL}
/* clang-format on */

static const struct cli_option no_opts[] = {END};
static const struct cli_option help_opts[] = {
    {"man", 0, NULL, 0, NULL, "print the relman(1) manual page (roff) generated from this table"},
    END};
static const struct cli_option version_opts[] = {JSON("the version(s)"), REMOTE_OPTS, NOCONFIRM,
                                                 END};
static const struct cli_option tui_opts[] = {
    {"theme", 0, "NAME", F | W, "dark|light|high-contrast|monochrome",
     "dark, light, high-contrast, monochrome or a theme file"},
    {"no-color", 0, NULL, 0, NULL, "no colour at all (also NO_COLOR=1)"},
    {"ascii", 0, NULL, 0, NULL, "ASCII markers and rules only"},
    {"script", 0, "FILE", F, NULL, "headless: read keys from FILE, no terminal needed"},
    {"dump", 0, "DIR", D, NULL, "where ':dump NAME' writes screen dumps (headless tests)"},
    {"size", 0, "COLSxLINES", 0, NULL, "headless screen size (default 80x24)"},
    {"keys", 0, NULL, 0, NULL, "print every action and its keys (Markdown) and exit"},
    END};
static const struct cli_option init_opts[] = {
    {"import", 0, NULL, 0, NULL,
     "read the releases from mix.exs (asking the installed mix) or\n"
     "from the relx section of rebar.config; otherwise write a\nstarter file"},
    {"force", 'f', NULL, 0, NULL, "replace an existing relman.yml"},
    {"env", 0, "ENV", 0, NULL, "Mix env / rebar3 profile (default: $MIX_ENV or prod; default)"},
    {"release", 0, "REL", CLI_COMPLETE_RELEASE, NULL,
     "the release the next options change (default: every one)"},
    {"name", 0, "NAME", 0, NULL, "rename the release (needs exactly one, or --release)"},
    {"version", 0, "VSN", 0, NULL, "set its version"},
    {"include-erts", 0, "B", W, "true|false",
     "true: ship the installed Erlang's runtime; false: use the\n"
     "target's (the very same version)"},
    {"cookie", 0, "POLICY", W, "generated|configured",
     "generated: no cookie in relman.yml, each assembled release\n"
     "makes one once (mode 0600) and keeps it; configured: write a\n"
     "new random cookie into relman.yml (then it holds a secret)"},
    {"cookie-file", 0, "FILE", F, NULL, "configured, with the cookie on FILE's first line"},
    {"templates", 0, NULL, 0, NULL,
     "also write rel/vm.args.eex, rel/remote.vm.args.eex,\n"
     "rel/env.sh.eex and rel/env.bat.eex with relman's default\n"
     "texts (existing files are kept)"},
    END};
static const struct cli_option releases_opts[] = {
    JSON("the list"),
    {"remote", 0, "TARGET", CLI_COMPLETE_TARGET, NULL,
     "what is installed on TARGET instead (see docs/remote.md)"},
    REMOTE_OPTS,
    NOCONFIRM,
    END};
static const struct cli_option apps_opts[] = {JSON("the release and its applications"), END};
static const struct cli_option render_opts[] = {
    {"list", 0, NULL, 0, NULL, "list the files relman can render"},
    JSON("the list, or the file with its release and version"),
    END};
static const struct cli_option inspect_opts[] = {
    {"print", 'p', NULL, 0, NULL, "term files: print the terms, laid out as OTP writes them"},
    JSON("what was found"),
    END};
static const struct cli_option assemble_opts[] = {
    {"path", 0, "P", D, NULL,
     "where to put the release (default: releases.NAME.path or\n_build/ENV/rel/NAME)"},
    {"overwrite", 0, NULL, 0, NULL,
     "replace a release relman did not make (rebar3's, mix's) at the\npath, whole (one relman made is always replaced), "
     "and a\nreleases/COOKIE that differs from the configured cookie\nwithout asking"},
    {"quiet", 'q', NULL, 0, NULL, "print nothing but errors"},
    {"version", 0, "V", 0, NULL, "the release version (default: relman.yml's)"},
    {"compile", 0, NULL, 0, NULL,
     "run the project's build (mix compile / rebar3 compile) first even\n"
     "when no source is newer than the build (default: only then)"},
    {"no-compile", 0, NULL, 0, NULL, "do not run the project's build first"},
    {"no-reuse", 0, NULL, 0, NULL,
     "copy and strip every file again instead of reusing unchanged ones"},
    {"sync", 0, NULL, 0, NULL,
     "flush the new release to disk before putting it in place, also\n"
     "when nothing was there (default: only when replacing a release)"},
    {"no-sync", 0, NULL, 0, NULL,
     "never flush (a power cut may then leave a replaced release empty)"},
    {"force", 0, NULL, 0, NULL,
     "Mix projects: run mix compile --force (as mix release --force)"},
    {"no-deps-check", 0, NULL, 0, NULL, "Mix projects: passed on to mix compile"},
    {"no-archives-check", 0, NULL, 0, NULL, "Mix projects: passed on to mix compile"},
    {"no-elixir-version-check", 0, NULL, 0, NULL, "Mix projects: passed on to mix compile"},
    END};
static const struct cli_option deploy_opts[] = {
    {"tarball", 0, "FILE", F, NULL,
     "the release tarball (default: the one `relman assemble` packs\n"
     "with the release's tar step; without a tar step deploy\n"
     "assembles and packs it; mix release's tarballs work too)"},
    {"batch", 0, "N", 0, NULL, "hosts at a time (default: deploy.batch)"},
    {"force", 0, NULL, 0, NULL, "deploy and restart also where the host already runs it"},
    {"rollback-all", 0, NULL, 0, NULL,
     "when a host fails, return every host of the run to its\n"
     "previous release (default: deploy.rollback_all, false)"},
    CONFIRM,
    REMOTE_OPTS,
    END};
static const struct cli_option confirm_opts[] = {CONFIRM, REMOTE_OPTS, END};
static const struct cli_option remote_opts[] = {REMOTE_OPTS, NOCONFIRM, END};
static const struct cli_option pid_opts[] = {JSON("the pids"), REMOTE_OPTS, NOCONFIRM, END};
static const struct cli_option status_opts[] = {JSON("the status"), REMOTE_OPTS, NOCONFIRM, END};
static const struct cli_option logs_opts[] = {
    {"follow", 'f', NULL, 0, NULL, "keep printing new lines (Ctrl-C to stop)"},
    {"lines", 'n', "N", 0, NULL, "lines to show (default 100)"},
    {"raw", 0, NULL, 0, NULL, "print control characters as they are (escaped by default)"},
    REMOTE_OPTS,
    NOCONFIRM,
    END};
static const struct cli_option completion_opts[] = {
    {"names", 0, "KIND", W, "releases|targets",
     "print the release names, or the target and group names, of\n"
     "relman.yml, one a line (what the scripts complete with)"},
    END};

#define R CLI_COMPLETE_RELEASE
#define T CLI_COMPLETE_TARGET

const struct cli_command cli_commands[] = {
    {"help", "show help for relman or for one command",
     "relman help [COMMAND]\n"
     "       relman help --man",
     help_opts, CLI_COMPLETE_COMMAND, NULL, NULL, cmd_help},
    {"version", "print relman's version (or the release version on targets)",
     "relman version [--json]\n       relman version TARGET|GROUP... [--json]", version_opts, T,
     NULL, NULL, cmd_version},
    {"tui", "open the terminal UI (the default on a terminal)",
     "relman tui [--theme NAME] [--no-color] [--ascii] [--script FILE] [--dump DIR]\n"
     "           [--size COLSxLINES] [PATH]\n"
     "       relman tui --keys",
     tui_opts, F | D, NULL, "See docs/tui.md.", cmd_tui},
    {"init", "write relman.yml (from mix.exs or rebar.config with --import)",
     "relman init [--import] [--force] [--env ENV] [--release REL] [--name NAME]\n"
     "            [--version VSN] [--include-erts true|false]\n"
     "            [--cookie generated|configured] [--cookie-file FILE] [--templates]",
     init_opts, 0, NULL, NULL, cmd_init},
    {"releases", "list the releases of relman.yml",
     "relman releases [--json]\n"
     "       relman releases --remote TARGET [--json]   (installed on a target)",
     releases_opts, 0, NULL, NULL, cmd_releases},
    {"apps", "show a release's resolved applications (problems first)",
     "relman apps [RELEASE] [--json]", apps_opts, R, NULL,
     "Columns: name, version, mode (* = set in relman.yml), source (project,\n"
     "lib_dirs, OTP, Elixir), why it is there. Exit status 1 when the release has\n"
     "errors. See docs/projects.md.",
     cmd_apps},
    {"render", "print a generated release file without assembling",
     "relman render [RELEASE] NAME [--json]\n"
     "       relman render --list [--json]",
     render_opts, R | CLI_COMPLETE_RENDER, NULL,
     "NAME: a file relman generates (--list shows them). See docs/projects.md.", cmd_render},
    {"inspect", "look inside a release (directory or tarball) or a .boot, .beam or term file",
     "relman inspect [--print] [--json] PATH", inspect_opts, F | D, NULL,
     "release    a release directory or .tar.gz (relman, mix release, relx): name,\n"
     "           versions, ERTS, applications with modes, cookie present (never its\n"
     "           value). See docs/assemble.md\n"
     ".boot      print the boot term as consultable text (what the .script holds)\n"
     ".beam      module, compressed or not, each chunk and its size\n"
     "term file  (.app .appup .rel .script .relup .config RELEASES) whether it parses;\n"
     "           the error with FILE:LINE:COL if not (exit 1)\n"
     "--json works for every kind. See docs/terms.md.",
     cmd_inspect},
    {"assemble", "build a release directory (bin/, lib/, releases/, erts-VSN/)",
     "relman assemble [RELEASE] [--path P] [--overwrite] [--quiet] [--version V]\n"
     "                [--compile | --no-compile] [--no-reuse] [--sync | --no-sync]\n"
     "                [--force] [--no-deps-check] [--no-archives-check]\n"
     "                [--no-elixir-version-check]",
     assemble_opts, R, NULL,
     "Runs the release's steps (tar, run hooks); says \"up to date\" when every file\n"
     "was reused. Ctrl-C cancels, leaving the release at its path as it was.\n"
     "See docs/assemble.md.",
     cmd_assemble},
    {"deploy", "upload a release tarball to targets and switch them to it",
     "relman deploy [RELEASE] TARGET|GROUP... [--tarball FILE] [--batch N] [--force]\n"
     "              [--rollback-all] [--yes]",
     deploy_opts, R | T, NULL, NULL, cmd_deploy},
    {"rollback", "switch targets back to their previous release",
     "relman rollback TARGET|GROUP... [--yes]", confirm_opts, T, NULL, NULL, cmd_rollback},
    {"start", "start the node on targets", "relman start TARGET|GROUP...", remote_opts, T, NULL,
     NULL, cmd_start},
    {"stop", "stop the node on targets", "relman stop TARGET|GROUP... [--yes]", confirm_opts, T,
     NULL, NULL, cmd_stop},
    {"restart", "stop and start the node on targets", "relman restart TARGET|GROUP... [--yes]",
     confirm_opts, T, NULL, NULL, cmd_restart},
    {"pid", "print the OS pid of the node on targets", "relman pid TARGET|GROUP... [--json]",
     pid_opts, T, NULL, NULL, cmd_pid},
    {"status", "show what runs on targets", "relman status TARGET|GROUP... [--json]", status_opts,
     T, NULL, NULL, cmd_status},
    {"logs", "show the node's logs on a target", "relman logs TARGET [-f] [-n LINES] [--raw]", logs_opts, T,
     NULL, NULL, cmd_logs},
    {"rpc", "evaluate an expression on the node of a target", "relman rpc TARGET EXPR", remote_opts,
     T, NULL, NULL, cmd_rpc},
    {"remote", "attach to the node's remote console on a target", "relman remote TARGET",
     remote_opts, T, NULL, NULL, cmd_remote},
    {"unlock", "remove a stale deploy lock on targets", "relman unlock TARGET|GROUP... [--yes]",
     confirm_opts, T, NULL, NULL, cmd_unlock},
    {"completion", "print a shell completion script (bash, zsh or fish)",
     "relman completion bash|zsh|fish\n"
     "       relman completion --names releases|targets",
     completion_opts, W, "bash|zsh|fish",
     "Load it with: source <(relman completion bash), or install it where your\n"
     "shell looks (cmake --install does). See docs/cli.md.",
     cmd_completion},
};
const unsigned cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);

#undef F
#undef D
#undef W
#undef R
#undef T

const struct cli_option cli_global_options[] = {
    {"", 'C', "DIR", CLI_COMPLETE_DIR, NULL, "run as if started in DIR (the project root)"},
    {"verbose", 'v', NULL, 0, NULL, "say more (show every command relman runs)"},
    {"quiet", 'q', NULL, 0, NULL, "say less"},
    {"no-color", 0, NULL, 0, NULL, "no colour (also: NO_COLOR=1 in the environment)"},
    {"help", 'h', NULL, 0, NULL, "this help; 'relman help COMMAND' for one command"},
    {"version", 0, NULL, 0, NULL, "print relman's version"},
    END};

const char cli_exit_status_text[] =
    "Exit status: 0 success, 1 the operation failed, 2 usage error.";

static const struct cli_table table = {
    .commands = cli_commands,
    .count = sizeof(cli_commands) / sizeof(cli_commands[0]),
    .globals = cli_global_options,
    .exit_status = cli_exit_status_text,
};

static int cmd_completion(int argc, char **argv)
{
    return cli_completion_run(&table, argc, argv);
}

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
        return cli_command_run(tui, 1, args);
    }
    char *rel_args[] = {"releases", NULL};
    int rc = cli_command_run(cli_find_command("releases"), 1, rel_args);
    if (rc != CLI_OK)
        return rc;
    struct rel_project *p = NULL;
    if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN) < 0)
        return cli_core_error();
    for (size_t i = 0; i < p->config->nreleases; i++) {
        char *apps_args[] = {"apps", "--", p->config->releases[i].name, NULL};
        putchar('\n');
        fflush(stdout);
        int r = cli_command_run(cli_find_command("apps"), 3, apps_args);
        if (r != CLI_OK)
            rc = r;
    }
    rel_project_free(p);
    return rc;
}

/*
 * `relman PATH` (PATH not a command but a file or directory): the TUI on
 * PATH as `relman tui PATH` does (Inspect for a release directory or a
 * tarball) on a terminal or with a key script; otherwise, in a pipe,
 * `relman inspect PATH`.
 */
int cli_run_path(int argc, char **argv)
{
    const char *script = getenv("RELMAN_TUI_SCRIPT");
    bool tui = (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) || (script && script[0]);
    const struct cli_command *cmd = cli_find_command(tui ? "tui" : "inspect");
    char **args = rel_calloc((size_t)argc + 2, sizeof(char *));
    args[0] = (char *)cmd->name;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    int rc = cli_command_run(cmd, argc + 1, args);
    free(args);
    return rc;
}

static const struct cli_command default_command = {
    "", "", "relman", no_opts, 0, NULL, NULL, cmd_default,
};

const struct cli_command *cli_find_command(const char *name)
{
    if (name[0] == '\0')
        return &default_command;
    for (unsigned i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

int cli_unknown_command(const char *name)
{
    struct rel_suggest s;
    rel_suggest_init(&s, name);
    for (unsigned i = 0; i < cli_command_count; i++)
        rel_suggest_offer(&s, cli_commands[i].name, strlen(cli_commands[i].name));
    if (s.best[0])
        return cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, s.best);
    return cli_usage_error(NULL, "unknown command '%s'", name);
}

/* "-q, --quiet", "--path P", "-C DIR" */
static int option_label(char *out, size_t n, const struct cli_option *o)
{
    int len;
    if (o->letter && o->name[0])
        len = snprintf(out, n, "-%c, --%s", o->letter, o->name);
    else if (o->letter)
        len = snprintf(out, n, "-%c", o->letter);
    else
        len = snprintf(out, n, "--%s", o->name);
    if (o->value && len >= 0 && (size_t)len < n)
        len += snprintf(out + len, n - (size_t)len, " %s", o->value);
    return len;
}

/* Lines of `text` printed with `indent` spaces before each but the first. */
static void print_continued(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        fprintf(out, "%.*s\n", (int)len, p);
        p += len;
        if (*p == '\n' && *++p)
            fprintf(out, "%*s", indent, "");
    }
}

void cli_print_options(FILE *out, const struct cli_option *opts)
{
    int width = 12;
    char label[64];
    for (const struct cli_option *o = opts; o->name; o++)
        if (o->help) {
            int len = option_label(label, sizeof(label), o);
            if (len > width)
                width = len;
        }
    for (const struct cli_option *o = opts; o->name; o++) {
        if (!o->help)
            continue;
        option_label(label, sizeof(label), o);
        fprintf(out, "  %-*s  ", width, label);
        print_continued(out, o->help, width + 4);
    }
}

void cli_print_command_help(const struct cli_command *cmd)
{
    printf("relman %s - %s\n\nusage: %s\n", cmd->name, cmd->summary, cmd->usage);
    bool any = false;
    for (const struct cli_option *o = cmd->options; o->name; o++)
        any |= o->help != NULL;
    if (any) {
        printf("\n");
        cli_print_options(stdout, cmd->options);
    }
    if (cmd->notes) {
        printf("\n  ");
        print_continued(stdout, cmd->notes, 2);
    }
}

void cli_print_main_help(FILE *out)
{
    fprintf(out, "usage: relman [-C DIR] [-v] [-q] [--no-color] [COMMAND [ARGS...]]\n"
                 "\n"
                 "A release manager for Erlang and Elixir (OTP) systems. Without a command,\n"
                 "relman opens its terminal UI (or, when stdout is not a terminal, lists the\n"
                 "project's releases).\n"
                 "\n"
                 "Commands:\n");
    for (unsigned i = 0; i < cli_command_count; i++)
        fprintf(out, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\nGlobal options:\n");
    cli_print_options(out, cli_global_options);
    fprintf(out, "\n%s\n", cli_exit_status_text);
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
    cli_getopt_expect(cmd->name[0] ? cmd->name : "relman", cmd->options);
    return cmd->run(argc, argv);
}

static int cmd_help(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"man", no_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        if (c != 'm')
            return CLI_USAGE;
        if (optind < argc)
            return cli_usage_error("help", "unexpected argument '%s'", argv[optind]);
        cli_print_man(stdout, &table);
        return CLI_OK;
    }
    if (optind >= argc) {
        cli_print_main_help(stdout);
        return CLI_OK;
    }
    if (argc - optind > 1)
        return cli_usage_error("help", "too many arguments");
    const struct cli_command *cmd = cli_find_command(argv[optind]);
    if (!cmd || !cmd->name[0])
        return cli_unknown_command(argv[optind]);
    cli_print_command_help(cmd);
    return CLI_OK;
}

static int cmd_version(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (argv[i][0] != '-')
            return cmd_node_version(argc, argv); /* targets named */
        json |= strcmp(argv[i], "--json") == 0;
    }
    if (!json && argc > 1) /* an option only remote version takes, or an error */
        return cmd_node_version(argc, argv);
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1)
        if (c != 'j')
            return CLI_USAGE;
    if (json)
        printf("{\n  \"relman\": \"%s\"\n}\n", RELMAN_VERSION);
    else
        printf("relman %s\n", RELMAN_VERSION);
    return CLI_OK;
}
