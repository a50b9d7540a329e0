/*
 * config_keys.c - the schema of relman.yml: ONE table of every key path with
 * its types, allowed values, default and help (the single source of truth:
 * the validator in config_check.c walks it, config.c takes defaults from it,
 * and the reference section of docs/config.md is generated from it here; see
 * config.h for how to add a key), and the rules for user-chosen key names.
 */
#include "buf.h"
#include "config.h"
#include "config_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- the schema ------------------------------------------------------------ */

#define HOSTKEY_POLICIES "strict|accept-new|ask"

#define SSH_CONFIG_HELP                                                                            \
    "OpenSSH client configuration file to read instead of the user's own (`~/.ssh/config`). "      \
    "relman asks OpenSSH (`ssh -G -F FILE HOST`) for the effective host name, user, port, "        \
    "identity files and known-hosts file, so `host` may be an alias defined there. OpenSSH "       \
    "finds `~` through the password database, not `$HOME`, so tests and CI should name the file."
#define SSH_KNOWN_HOSTS_HELP                                                                       \
    "known_hosts file holding the hosts' keys, read and written instead of the ssh client "       \
    "configuration's `UserKnownHostsFile` list (its `GlobalKnownHostsFile` is still read). "      \
    "Default: every `UserKnownHostsFile` (new keys go to the first, `~/.ssh/known_hosts`)."
#define SSH_EXEC_HELP                                                                              \
    "Let the `config` file named here run commands: its `Match exec` lines (which `ssh -G` runs "  \
    "while relman reads the file) and its `ProxyCommand`. Off, such a file is refused with the "   \
    "line named, since relman.yml may come from anyone's repository. The user's own "              \
    "configuration (no `config`, or `--ssh-config`) always may."
#define SSH_POLICY_HELP                                                                            \
    "What to do with a host whose key is not in known_hosts: `strict` refuses, `accept-new` "      \
    "records it and goes on, `ask` asks (on the terminal or in the TUI). A host whose key "        \
    "CHANGED or is `@revoked` is refused under every policy. Unset, the ssh configuration's "     \
    "`StrictHostKeyChecking` decides: `yes` is `strict`; `accept-new`, `no` and OpenSSH's "       \
    "default `ask` (which cannot be told from unset) are `accept-new`."

/* The health check's keys, under deploy.health (with defaults) and under
 * targets.NAME.health (each unset key is deploy.health's). */
#define HEALTH_ROWS(base, d_timeout, d_apps, d_status, d_path, inherit)                           \
    ROW(base, REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, inherit,                                     \
        "The check that a freshly started node works (after a deploy, rollback, `start` and "     \
        "`restart`); on failure a deploy switches the host back."),                               \
    ROW(base ".tcp", REL_CT_INT, "1..65535", NULL, 0, REL_CK_NONE,                                 \
        inherit ? inherit : "none (only the node's own liveness)",                                 \
        "A port on the host that must accept a connection, opened by the new node itself (or a "  \
        "process it started): a port held by another process fails the check."),                  \
    ROW(base ".timeout", REL_CT_INT, "1..86400", d_timeout, 0, REL_CK_NONE, inherit,               \
        "Seconds to wait for the node to become healthy."),                                        \
    ROW(base ".settle", REL_CT_INT, "0..3600", NULL, 0, REL_CK_NONE, inherit ? inherit : "0",      \
        "Once healthy, seconds the node must stay up (the same OS process, checked again) "       \
        "before the deploy goes on."),                                                             \
    ROW(base ".apps", REL_CT_BOOL, NULL, d_apps, 0, REL_CK_NONE, inherit,                          \
        "Every application the release starts (its `.rel` file, all but `load`/`none`) must be "  \
        "started on the node (asked over `bin/NAME rpc`)."),                                       \
    ROW(base ".rpc", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, inherit ? inherit : "none",        \
        "An expression in the release's language (Elixir or Erlang), evaluated on the node with "  \
        "`bin/NAME rpc`, that must return `true`."),                                               \
    ROW(base ".http", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, inherit ? inherit : "none",          \
        "An HTTP `GET` the node must answer. The request is made from inside the node (plain "   \
        "`gen_tcp` over `bin/NAME rpc`), so the host needs no curl or wget."),                    \
    ROW(base ".http.port", REL_CT_INT, "1..65535", NULL, 0, REL_CK_NONE,                           \
        inherit ? inherit : "`tcp`", "The port on 127.0.0.1 (also checked to be the node's)."),    \
    ROW(base ".http.path", REL_CT_STRING, NULL, d_path, 0, REL_CK_NONE, inherit,                   \
        "The path requested (`GET PATH HTTP/1.0`)."),                                              \
    ROW(base ".http.status", REL_CT_INT, "100..599", d_status, 0, REL_CK_NONE, inherit,            \
        "The status the answer must have."),                                                       \
    ROW(base ".http.body", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, inherit ? inherit : "none",  \
        "Text the answer's body must contain.")

/*
 * The table. Columns: path, accepted YAML shapes, allowed values, default (as
 * YAML text: it is parsed and used exactly like a written value), flags, key
 * syntax (DICT rows), documented default (when it depends on the project),
 * help (Markdown).
 */
#define ROW(path, types, values, def, flags, keys, defdoc, help)                                   \
    {                                                                                              \
        path, types, values, def, flags, keys, defdoc, help                                        \
    }

const struct rel_config_key rel_config_keys[] = {
    ROW("project", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "How relman reads the project. Optional: everything in it is detected when absent."),
    ROW("project.kind", REL_CT_ENUM, "mix|rebar3|plain", NULL, 0, REL_CK_NONE,
        "detected: `mix` when `mix.exs` exists, else `rebar3` when `rebar.config` exists, "
        "else `plain`",
        "The build tool whose output relman reads: a Mix project (`_build/ENV/lib`), a rebar3 "
        "project (`_build/PROFILE/lib`) or a plain directory (applications only from "
        "`lib_dirs`). Mix projects are resolved with the rules of `mix release`, the others "
        "with relx's."),
    ROW("project.env", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        "`$MIX_ENV`, else `prod` (mix); `default` (rebar3)",
        "The Mix environment or rebar3 profile: applications are read from `_build/ENV/lib`, "
        "releases go to `_build/ENV/rel/NAME` by default, and `relman init --import` runs `mix` "
        "with `MIX_ENV` set to it."),
    ROW("project.app", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, "none",
        "The project's own application (Mix's `:app`). In a Mix project it is added to every "
        "release as `permanent` unless listed, as `mix release` does; umbrella projects have "
        "none. A release without `version` takes this application's version."),
    ROW("lib_dirs", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Extra directories holding applications: every subdirectory with an `ebin/NAME.app` is "
        "one (the name comes from the `.app` file, not from the folder). Relative paths are "
        "relative to relman.yml. When an application is found in several places, the "
        "project's own build wins over `lib_dirs` (in order), which win over the Erlang/OTP "
        "installation, then Elixir's; `relman apps` shows the choice."),
    ROW("lib_dirs[]", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, NULL, "A directory."),
    ROW("default_release", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE,
        "the only release, when there is one",
        "The release commands use when none is named. Must be one of `releases`."),
    ROW("releases", REL_CT_DICT, NULL, NULL, 0, REL_CK_RELEASE, NULL,
        "The releases, by name. A name starts with a lowercase letter followed by lowercase "
        "letters, digits and underscores (the rule of `mix release`)."),
    ROW("releases.*", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "One release. The keys mirror the release options of `mix release`."),
    ROW("releases.*.version", REL_CT_STRING | REL_CT_MAP, NULL, NULL, REL_CF_SEGMENT | REL_CF_SHELL,
        REL_CK_NONE,
        "the version of `project.app`",
        "The release version, a string (quote it: `\"0.1.0\"`), or `{from_app: APP}` for the "
        "version of an application of the release."),
    ROW("releases.*.version.from_app", REL_CT_NAME, NULL, NULL, REL_CF_REQUIRED, REL_CK_NONE, NULL,
        "The application whose `.app` version is the release version."),
    ROW("releases.*.applications", REL_CT_DICT, NULL, "{}", 0, REL_CK_APP, NULL,
        "The release's root applications and their start modes. Their dependencies "
        "(`applications` and `included_applications` in each `.app`) are added automatically; "
        "list a dependency here only to change its mode. Mix projects also get `kernel`, "
        "`stdlib`, `elixir` and `sasl` as permanent roots (listing one moves it and sets its "
        "mode), `project.app`, and `iex` as `none`. An application listed twice is used once "
        "(the first entry) and `relman apps` says so."),
    ROW("releases.*.applications.*", REL_CT_ENUM, REL_CONFIG_MODES, NULL, 0, REL_CK_NONE, NULL,
        "`permanent` (started; the node stops if it stops), `transient` (started; the node stops "
        "if it fails), `temporary` (started; its end is only reported), `load` (loaded, not "
        "started), `none` (shipped, neither loaded nor started). A child inherits its parent's "
        "mode; with several parents the highest mode wins (in the order above); a mode written "
        "here is never overridden. A started application that depends on a `load` or `none` "
        "one is an error unless the parent is in `skip_mode_validation_for`."),
    ROW("releases.*.include_erts", REL_CT_BOOL | REL_CT_PATH, NULL, "true", 0, REL_CK_NONE, NULL,
        "`true`: ship the Erlang runtime (ERTS) of the installed Erlang; `false`: use the "
        "target's (it must be the very same version); a path to an `erts-VSN` directory: ship "
        "that one, and take the OTP applications from the `lib` beside it."),
    ROW("releases.*.include_executables_for", REL_CT_LIST, NULL, "[unix, windows]", 0, REL_CK_NONE,
        NULL, "The systems to write start scripts for (`bin/NAME`, `bin/NAME.bat`)."),
    ROW("releases.*.include_executables_for[]", REL_CT_ENUM, "unix|windows", NULL, 0, REL_CK_NONE,
        NULL, "A system."),
    ROW("releases.*.strip_beams", REL_CT_BOOL | REL_CT_MAP, NULL, "true", 0, REL_CK_NONE, NULL,
        "Remove debug information, documentation and other non-essential chunks from BEAM "
        "files. `false` copies them as they are; a mapping strips and takes `keep` and "
        "`compress`."),
    ROW("releases.*.strip_beams.keep", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Chunks to keep besides the ones needed to run (for example `[Docs, Dbgi]`)."),
    ROW("releases.*.strip_beams.keep[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A chunk name."),
    ROW("releases.*.strip_beams.compress", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "gzip every stripped BEAM file."),
    ROW("releases.*.cookie", REL_CT_STRING, NULL, NULL, REL_CF_ASCII, REL_CK_NONE,
        "a random cookie written once to `releases/COOKIE`",
        "The Erlang distribution cookie. Better left out: relman then generates a strong one "
        "once and keeps it private (mode 0600); `RELEASE_COOKIE` overrides it at run time."),
    ROW("releases.*.path", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`_build/ENV/rel/NAME`",
        "Where the release is assembled (relative to relman.yml)."),
    ROW("releases.*.rel_templates_path", REL_CT_PATH, NULL, "rel", 0, REL_CK_NONE, NULL,
        "Directory of the templates `vm.args.eex`, `remote.vm.args.eex`, `env.sh.eex`, "
        "`env.bat.eex` and of `overlays/`."),
    ROW("releases.*.overlays", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Directories whose contents are copied as they are into the release root. "
        "`REL_TEMPLATES_PATH/overlays` is always included."),
    ROW("releases.*.overlays[]", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, NULL, "A directory."),
    ROW("releases.*.steps", REL_CT_LIST, NULL, "[assemble]", 0, REL_CK_NONE, NULL,
        "What `relman assemble` does, in order: `assemble` (exactly once), `tar` (at most once, "
        "after `assemble`: writes `NAME-VSN.tar.gz`), and `{run: COMMAND}` shell hooks before or "
        "after."),
    ROW("releases.*.steps[]", REL_CT_ENUM | REL_CT_MAP, "assemble|tar", NULL, 0, REL_CK_NONE, NULL,
        "A step."),
    ROW("releases.*.steps[].run", REL_CT_STRING, NULL, NULL, REL_CF_REQUIRED, REL_CK_NONE, NULL,
        "A shell command, run with `sh -c` in the project root; a non-zero exit stops the "
        "assembly."),
    ROW("releases.*.skip_mode_validation_for", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Applications exempt from the unsafe-mode check (a started application depending on "
        "one that is only loaded or not loaded). Use with care: such a release may not boot."),
    ROW("releases.*.skip_mode_validation_for[]", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, NULL,
        "An application."),
    ROW("releases.*.runtime_config_path", REL_CT_PATH | REL_CT_FALSE, NULL, NULL, 0, REL_CK_NONE,
        "`config/runtime.exs` when it exists",
        "Elixir runtime configuration evaluated at every boot (copied to "
        "`releases/VSN/runtime.exs`); `false` disables it."),
    ROW("releases.*.reboot_system_after_config", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "Boot once to compute the runtime configuration, then restart the VM with it (needed "
        "to configure `kernel` or `stdlib` at run time)."),
    ROW("releases.*.prune_runtime_sys_config_after_boot", REL_CT_BOOL, NULL, "false", 0,
        REL_CK_NONE, NULL,
        "With `reboot_system_after_config`: delete the computed configuration file after boot."),
    ROW("releases.*.start_distribution_during_config", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE,
        NULL, "With `reboot_system_after_config`: start distribution already while configuring."),
    ROW("releases.*.validate_compile_env", REL_CT_BOOL, NULL, "true", 0, REL_CK_NONE, NULL,
        "Check at boot that configuration read at compile time (`Application.compile_env`) "
        "still has the same values."),
    ROW("releases.*.quiet", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "Do not print progress while assembling."),
    ROW("releases.*.sys_config", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE,
        "none (an empty configuration)",
        "rebar3 and plain projects: the `sys.config` to ship (relx's `sys_config`). A name "
        "ending in `.src` is shipped as `sys.config.src` and gets `${VAR}` substitution at "
        "start, as relx does."),
    ROW("releases.*.vm_args", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "relman's default",
        "rebar3 and plain projects: the `vm.args` to ship (relx's `vm_args`; `.src` as above)."),
    ROW("targets", REL_CT_DICT, NULL, "{}", 0, REL_CK_TARGET, NULL,
        "Machines to deploy to, by name (letters, digits, `_`, `.`, `-`)."),
    ROW("targets.*", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "One target: a host and a path."),
    ROW("targets.*.host", REL_CT_STRING, NULL, NULL, REL_CF_REQUIRED, REL_CK_NONE, NULL,
        "Host name, address, or an alias from the ssh client configuration."),
    ROW("targets.*.user", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        "from the ssh client configuration", "User to log in as."),
    ROW("targets.*.port", REL_CT_INT, "1..65535", NULL, 0, REL_CK_NONE,
        "from the ssh client configuration (22)", "SSH port."),
    ROW("targets.*.path", REL_CT_PATH, NULL, NULL, REL_CF_REQUIRED | REL_CF_SHELL, REL_CK_NONE, NULL,
        "Deploy root on the host: releases are unpacked into `PATH/releases/VSN-STAMP/` and "
        "`PATH/current` points at the running one. It may not hold `$`, a backquote, `\"` or "
        "`\\`: OTP's scripts hand the release's paths to a shell (erlexec runs the VM with "
        "`sh -c`), so such a path cannot work safely; relman refuses it when it reads relman.yml."),
    ROW("targets.*.release", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, "the default release",
        "The release deployed there."),
    ROW("targets.*.env", REL_CT_DICT, NULL, "{}", 0, REL_CK_ENVVAR, NULL,
        "Environment variables for the node's commands on that host (for example `PORT`, "
        "`RELEASE_NODE`, `RELEASE_DISTRIBUTION`)."),
    ROW("targets.*.env.*", REL_CT_STRING, NULL, NULL, REL_CF_SHELL, REL_CK_NONE, NULL,
        "A value (quote numbers to keep them text: `\"4040\"`). Like `path`, it may not hold "
        "`$`, a backquote, `\"` or `\\`."),
    HEALTH_ROWS("targets.*.health", NULL, NULL, NULL, NULL, "`deploy.health`'s"),
    ROW("targets.*.ssh", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, "the top-level `ssh`",
        "SSH settings for this target; unset keys come from the top-level `ssh` section."),
    ROW("targets.*.ssh.config", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`ssh.config`",
        SSH_CONFIG_HELP),
    ROW("targets.*.ssh.known_hosts", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`ssh.known_hosts`",
        SSH_KNOWN_HOSTS_HELP),
    ROW("targets.*.ssh.host_key_policy", REL_CT_ENUM, HOSTKEY_POLICIES, NULL, 0, REL_CK_NONE,
        "`ssh.host_key_policy`", SSH_POLICY_HELP),
    ROW("targets.*.ssh.allow_match_exec", REL_CT_BOOL, NULL, NULL, 0, REL_CK_NONE,
        "`ssh.allow_match_exec`", SSH_EXEC_HELP),
    ROW("groups", REL_CT_DICT, NULL, "{}", 0, REL_CK_TARGET, NULL,
        "Named lists of targets, usable wherever a target is (a name may not be both)."),
    ROW("groups.*", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL, "The group's targets."),
    ROW("groups.*[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A target name (must be in `targets`)."),
    ROW("deploy", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL, "How `relman deploy` proceeds."),
    ROW("deploy.keep", REL_CT_INT, "1..1000", "5", 0, REL_CK_NONE, NULL,
        "Releases kept on each host (the current and the previous one are never removed)."),
    ROW("deploy.batch", REL_CT_INT, "1..10000", "1", 0, REL_CK_NONE, NULL,
        "Hosts deployed at the same time; the next batch starts only when the whole batch is "
        "healthy."),
    ROW("deploy.rollback_all", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "When a host of a run fails (the batches after it do not start): `true` returns every "
        "host the run switched to the new release to its previous one (`relman rollback` on "
        "each), so the fleet is not left on mixed versions; `false` (the default) leaves the "
        "hosts that succeeded on the new release. `relman deploy --rollback-all` sets it for "
        "one run; the TUI's deploy follows it too."),
    HEALTH_ROWS("deploy.health", "30", "true", "200", "/", NULL),
    ROW("ssh", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL, "SSH settings for every target."),
    ROW("ssh.config", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "the user's own", SSH_CONFIG_HELP),
    ROW("ssh.known_hosts", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE,
        "from the ssh client configuration", SSH_KNOWN_HOSTS_HELP),
    ROW("ssh.host_key_policy", REL_CT_ENUM, HOSTKEY_POLICIES, NULL, 0, REL_CK_NONE,
        "`strict` when the ssh configuration says `StrictHostKeyChecking yes`, else `accept-new`",
        SSH_POLICY_HELP),
    ROW("ssh.allow_match_exec", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL, SSH_EXEC_HELP),
};

const size_t rel_config_nkeys = sizeof(rel_config_keys) / sizeof(rel_config_keys[0]);

const struct rel_config_key *rel_config_key_find(const char *path)
{
    for (size_t i = 0; i < rel_config_nkeys; i++)
        if (strcmp(rel_config_keys[i].path, path) == 0)
            return &rel_config_keys[i];
    return NULL;
}

/* ---- names of user-chosen keys -------------------------------------------- */

bool rel_config_is_atom(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '@'))
            return false;
    return true;
}

bool rel_config_name_ok(enum rel_config_keykind kind, const char *s)
{
    switch (kind) {
    case REL_CK_RELEASE:
        if (!(*s >= 'a' && *s <= 'z'))
            return false;
        for (s++; *s; s++)
            if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                return false;
        return true;
    case REL_CK_APP:
        return rel_config_is_atom(s);
    case REL_CK_TARGET:
        if (!*s)
            return false;
        for (; *s; s++)
            if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-'))
                return false;
        return true;
    case REL_CK_ENVVAR:
        if (!(isalpha((unsigned char)*s) || *s == '_'))
            return false;
        for (s++; *s; s++)
            if (!(isalnum((unsigned char)*s) || *s == '_'))
                return false;
        return true;
    case REL_CK_NONE:
        break;
    }
    return true;
}

const char *rel_config_name_rule(enum rel_config_keykind kind)
{
    switch (kind) {
    case REL_CK_RELEASE:
        return "a release name: a lowercase letter, then lowercase letters, digits or '_'";
    case REL_CK_APP:
        return "an application name: a lowercase letter, then letters, digits, '_' or '@'";
    case REL_CK_TARGET:
        return "a name made of letters, digits, '_', '.' or '-'";
    case REL_CK_ENVVAR:
        return "an environment variable name: letters, digits or '_', not starting with a digit";
    case REL_CK_NONE:
        break;
    }
    return "a name";
}

/* ---- the generated reference -------------------------------------------- */

/* "releases.*.applications.*" -> "releases.NAME.applications.APP" */
static void doc_path(struct rel_buf *b, const char *path)
{
    char prefix[256];
    const char *p = path;
    while (*p) {
        const char *star = strstr(p, "*");
        if (!star) {
            rel_buf_puts(b, p);
            break;
        }
        rel_buf_put(b, p, (size_t)(star - p));
        size_t pl = (size_t)(star - path);
        snprintf(prefix, sizeof(prefix), "%.*s", (int)(pl > 0 ? pl - 1 : 0), path);
        const struct rel_config_key *parent = rel_config_key_find(prefix);
        const char *ph = "NAME";
        if (strcmp(prefix, "groups") == 0)
            ph = "GROUP";
        else if (parent && parent->keys == REL_CK_APP)
            ph = "APP";
        else if (parent && parent->keys == REL_CK_TARGET)
            ph = "TARGET";
        else if (parent && parent->keys == REL_CK_ENVVAR)
            ph = "VAR";
        rel_buf_puts(b, ph);
        p = star + 1;
    }
}

static void doc_types(struct rel_buf *b, const struct rel_config_key *k)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {REL_CT_BOOL, "`true` or `false`"},
        {REL_CT_FALSE, "`false`"},
        {REL_CT_ENUM, NULL},
        {REL_CT_INT, "integer"},
        {REL_CT_STRING, "string"},
        {REL_CT_PATH, "path"},
        {REL_CT_NAME, "name (an Erlang atom)"},
        {REL_CT_MAP, "mapping"},
        {REL_CT_DICT, "mapping"},
        {REL_CT_LIST, "list"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(k->types & names[i].bit))
            continue;
        if (names[i].bit == REL_CT_DICT && (k->types & REL_CT_MAP))
            continue;
        if (n++)
            rel_buf_puts(b, ", or ");
        if (names[i].bit == REL_CT_ENUM) {
            rel_buf_puts(b, "one of ");
            const char *p = k->values;
            int w = 0;
            while (*p) {
                size_t len = strcspn(p, "|");
                rel_buf_printf(b, "%s`%.*s`", w++ ? ", " : "", (int)len, p);
                p += len + (p[len] == '|');
            }
        } else {
            rel_buf_puts(b, names[i].text);
        }
        if (names[i].bit == REL_CT_INT && k->values) {
            long lo = 0, hi = 0;
            if (sscanf(k->values, "%ld..%ld", &lo, &hi) == 2)
                rel_buf_printf(b, " from %ld to %ld", lo, hi);
        }
    }
    if (k->types & REL_CT_LIST) {
        char item[256];
        snprintf(item, sizeof(item), "%s[]", k->path);
        const struct rel_config_key *it = rel_config_key_find(item);
        if (it) {
            rel_buf_puts(b, ", each item: ");
            doc_types(b, it);
        }
    }
    if (k->types & REL_CT_DICT) {
        rel_buf_printf(b, " (keys: %s)", rel_config_name_rule(k->keys));
    }
}

int rel_config_write_reference(struct rel_buf *out)
{
    for (size_t i = 0; i < rel_config_nkeys; i++) {
        const struct rel_config_key *k = &rel_config_keys[i];
        size_t pl = strlen(k->path);
        if (pl >= 2 && strcmp(k->path + pl - 2, "[]") == 0)
            continue; /* list items are described with their list */
        rel_buf_puts(out, "### `");
        doc_path(out, k->path);
        rel_buf_puts(out, "`\n\n");
        rel_buf_puts(out, "- Type: ");
        doc_types(out, k);
        rel_buf_puts(out, "\n");
        if (k->flags & REL_CF_REQUIRED)
            rel_buf_puts(out, "- Required\n");
        else if (k->def)
            rel_buf_printf(out, "- Default: `%s`\n", k->def);
        else if (k->def_doc)
            rel_buf_printf(out, "- Default: %s\n", k->def_doc);
        rel_buf_printf(out, "\n%s\n\n", k->help);
    }
    return 0;
}
