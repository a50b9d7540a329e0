/*
 * config.c - relman.yml: schema table, validation, the parsed structs,
 * surgical edits and the generated reference (see config.h).
 *
 * Reading is done in three passes over the libyaml document tree:
 *   1. validate(): every key against the schema table (unknown keys, types,
 *      allowed values, required keys, duplicate keys); each node is visited
 *      once, so aliases (and the loops and blow-ups they allow) are refused;
 *   2. fill_*(): the structs, taking absent values from the table's defaults
 *      (each default is itself parsed as YAML, so a default and a written
 *      value go through the same code);
 *   3. cross_check(): references between keys (default_release, groups,
 *      targets' releases, steps).
 */
#include "config.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- modes and kinds ----------------------------------------------------- */

static const char *const mode_names[] = {
#define X(name, text) text,
    REL_MODE_TABLE
#undef X
};

const char *rel_mode_name(enum rel_mode m)
{
    return (unsigned)m < REL_MODE_COUNT ? mode_names[m] : "?";
}

int rel_mode_parse(enum rel_mode *out, const char *s)
{
    for (int i = 0; i < REL_MODE_COUNT; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *out = (enum rel_mode)i;
            return 0;
        }
    return REL_EINVAL;
}

bool rel_mode_starts(enum rel_mode m)
{
    return m == REL_MODE_PERMANENT || m == REL_MODE_TRANSIENT || m == REL_MODE_TEMPORARY;
}

enum rel_mode rel_mode_max(enum rel_mode a, enum rel_mode b)
{
    return a < b ? a : b;
}

static const char *const kind_names[] = {
#define X(name, text) text,
    REL_PROJECT_KIND_TABLE
#undef X
};

const char *rel_project_kind_name(enum rel_project_kind k)
{
    return (unsigned)k < REL_PROJECT_KIND_COUNT ? kind_names[k] : "?";
}

int rel_project_kind_parse(enum rel_project_kind *out, const char *s)
{
    for (int i = 0; i < REL_PROJECT_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum rel_project_kind)i;
            return 0;
        }
    return REL_EINVAL;
}

/* ---- the schema ------------------------------------------------------------ */

#define MODES "permanent|transient|temporary|load|none"
#define HOSTKEY_POLICIES "strict|accept-new|ask"

#define SSH_CONFIG_HELP                                                                            \
    "OpenSSH client configuration file to read instead of the user's own (`~/.ssh/config`). "      \
    "relman asks OpenSSH (`ssh -G -F FILE HOST`) for the effective host name, user, port, "        \
    "identity files and known-hosts file, so `host` may be an alias defined there. OpenSSH "       \
    "finds `~` through the password database, not `$HOME`, so tests and CI should name the file."
#define SSH_KNOWN_HOSTS_HELP                                                                       \
    "known_hosts file holding the hosts' keys. Default: the one the ssh client configuration "     \
    "names (`~/.ssh/known_hosts`)."
#define SSH_POLICY_HELP                                                                            \
    "What to do with a host whose key is not in known_hosts: `strict` refuses, `accept-new` "      \
    "records it and goes on, `ask` asks (on the terminal or in the TUI). A host whose key "        \
    "CHANGED is refused under every policy."

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
    ROW("releases.*.version", REL_CT_STRING | REL_CT_MAP, NULL, NULL, REL_CF_SEGMENT, REL_CK_NONE,
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
    ROW("releases.*.applications.*", REL_CT_ENUM, MODES, NULL, 0, REL_CK_NONE, NULL,
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
    ROW("targets.*.path", REL_CT_PATH, NULL, NULL, REL_CF_REQUIRED, REL_CK_NONE, NULL,
        "Deploy root on the host: releases are unpacked into `PATH/releases/VSN-STAMP/` and "
        "`PATH/current` points at the running one."),
    ROW("targets.*.release", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, "the default release",
        "The release deployed there."),
    ROW("targets.*.env", REL_CT_DICT, NULL, "{}", 0, REL_CK_ENVVAR, NULL,
        "Environment variables for the node's commands on that host (for example `PORT`, "
        "`RELEASE_NODE`, `RELEASE_DISTRIBUTION`)."),
    ROW("targets.*.env.*", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A value (quote numbers to keep them text: `\"4040\"`)."),
    ROW("targets.*.ssh", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, "the top-level `ssh`",
        "SSH settings for this target; unset keys come from the top-level `ssh` section."),
    ROW("targets.*.ssh.config", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`ssh.config`",
        SSH_CONFIG_HELP),
    ROW("targets.*.ssh.known_hosts", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`ssh.known_hosts`",
        SSH_KNOWN_HOSTS_HELP),
    ROW("targets.*.ssh.host_key_policy", REL_CT_ENUM, HOSTKEY_POLICIES, NULL, 0, REL_CK_NONE,
        "`ssh.host_key_policy`", SSH_POLICY_HELP),
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
    ROW("deploy.health", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "The check that a freshly started node works; on failure the host is switched back."),
    ROW("deploy.health.tcp", REL_CT_INT, "1..65535", NULL, 0, REL_CK_NONE,
        "none (only the node's own liveness)", "A port on the host that must accept a connection."),
    ROW("deploy.health.timeout", REL_CT_INT, "1..86400", "30", 0, REL_CK_NONE, NULL,
        "Seconds to wait for the node to become healthy."),
    ROW("ssh", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL, "SSH settings for every target."),
    ROW("ssh.config", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "the user's own", SSH_CONFIG_HELP),
    ROW("ssh.known_hosts", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE,
        "from the ssh client configuration", SSH_KNOWN_HOSTS_HELP),
    ROW("ssh.host_key_policy", REL_CT_ENUM, HOSTKEY_POLICIES, "accept-new", 0, REL_CK_NONE, NULL,
        SSH_POLICY_HELP),
};

const size_t rel_config_nkeys = sizeof(rel_config_keys) / sizeof(rel_config_keys[0]);

static const struct rel_config_key *find_row(const char *path)
{
    for (size_t i = 0; i < rel_config_nkeys; i++)
        if (strcmp(rel_config_keys[i].path, path) == 0)
            return &rel_config_keys[i];
    return NULL;
}

/* ---- scalars --------------------------------------------------------------- */

enum sclass { SC_NULL, SC_TRUE, SC_FALSE, SC_INT, SC_TEXT };

static const char *sv(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool is_one_of(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(v, *words) == 0)
            return true;
    return false;
}

/* How a scalar reads under YAML 1.2's core schema (only plain scalars can be
 * anything but text). */
static enum sclass classify(const yaml_node_t *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return SC_TEXT;
    const char *v = sv(n);
    if (is_one_of(v, nulls))
        return SC_NULL;
    if (is_one_of(v, trues))
        return SC_TRUE;
    if (is_one_of(v, falses))
        return SC_FALSE;
    const char *p = v;
    if (*p == '-' || *p == '+')
        p++;
    if (*p && strspn(p, "0123456789") == strlen(p))
        return SC_INT;
    return SC_TEXT;
}

static bool is_atom(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '@'))
            return false;
    return true;
}

static bool key_ok(enum rel_config_keykind kind, const char *s)
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
        return is_atom(s);
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

static const char *key_rule(enum rel_config_keykind kind)
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

/* Levenshtein distance, capped (for "did you mean"). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* "; did you mean 'X'?" for the closest candidate within 2 edits, or "". The
 * candidates are "a|b|c" words. Writes into out (size n). */
static void suggest(char *out, size_t n, const char *word, const char *candidates)
{
    out[0] = '\0';
    size_t best = 3;
    char cand[128];
    const char *p = candidates;
    while (*p) {
        size_t len = strcspn(p, "|");
        if (len < sizeof(cand)) {
            memcpy(cand, p, len);
            cand[len] = '\0';
            size_t d = distance(word, cand);
            if (d < best && d < strlen(cand)) {
                best = d;
                snprintf(out, n, "; did you mean '%s'?", cand);
            }
        }
        p += len;
        if (*p == '|')
            p++;
    }
}

/* "a, b or c" from "a|b|c". */
static void list_words(struct rel_buf *b, const char *words)
{
    const char *p = words;
    size_t n = 1;
    for (const char *q = words; *q; q++)
        n += *q == '|';
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, "|");
        if (i > 0)
            rel_buf_puts(b, i == n - 1 ? " or " : ", ");
        rel_buf_put(b, p, len);
        p += len + (p[len] == '|');
    }
}

static bool enum_has(const char *values, const char *v)
{
    size_t vl = strlen(v);
    const char *p = values;
    while (*p) {
        size_t len = strcspn(p, "|");
        if (len == vl && strncmp(p, v, len) == 0)
            return true;
        p += len + (p[len] == '|');
    }
    return false;
}

static void describe_types(struct rel_buf *b, const struct rel_config_key *k)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {REL_CT_ENUM, NULL},         {REL_CT_BOOL, "true or false"}, {REL_CT_FALSE, "false"},
        {REL_CT_MAP, "a mapping"},   {REL_CT_DICT, "a mapping"},     {REL_CT_LIST, "a list"},
        {REL_CT_STRING, "a string"}, {REL_CT_PATH, "a path"},        {REL_CT_NAME, "a name"},
        {REL_CT_INT, "an integer"},
    };
    int written = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(k->types & names[i].bit))
            continue;
        if (names[i].bit == REL_CT_DICT && (k->types & REL_CT_MAP))
            continue;
        if (written++)
            rel_buf_puts(b, " or ");
        if (names[i].bit == REL_CT_ENUM)
            list_words(b, k->values);
        else
            rel_buf_puts(b, names[i].text);
    }
}

/* ---- reading the YAML document ----------------------------------------- */

#define MAX_DEPTH 32
#define MAX_NODES 200000

struct ctx {
    const char *file;
    yaml_document_t *doc;
    unsigned char *visited; /* per node: validate() visits each node once */
    size_t nnodes;
};

static int at(const char *file, int line, int col, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static int at(const char *file, int line, int col, int code, const char *fmt, va_list ap)
{
    char msg[REL_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return rel_error_set(code, "%s:%d:%d: %s", file, line, col, msg);
}

static int cerr(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cerr(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = at(c->file, (int)m.line + 1, (int)m.column + 1, REL_ECONFIG, fmt, ap);
    va_end(ap);
    return rc;
}

static int perr(const char *file, const struct rel_config_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(const char *file, const struct rel_config_pos *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = at(file, pos->line, pos->col, REL_ECONFIG, fmt, ap);
    va_end(ap);
    return rc;
}

static int yaml_failure(const char *file, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return rel_error_set(REL_ENOMEM, "%s: out of memory reading YAML", file);
    if (p->context)
        return rel_error_set(REL_EPARSE, "%s:%zu:%zu: %s %s (line %zu)", file,
                             p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
                             p->context, p->context_mark.line + 1);
    return rel_error_set(REL_EPARSE, "%s:%zu:%zu: %s", file, p->problem_mark.line + 1,
                         p->problem_mark.column + 1, problem);
}

/*
 * A first pass over the event stream: refuses more than one document,
 * nesting deeper than MAX_DEPTH and more than MAX_NODES nodes before the
 * (recursive) document loader sees the text.
 */
static int precheck(const char *file, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return rel_error_set(REL_ENOMEM, "%s: cannot initialise the YAML parser", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, docs = 0, rc = 0;
    size_t nodes = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_failure(file, &p);
            break;
        }
        yaml_event_type_t t = ev.type;
        yaml_mark_t m = ev.start_mark;
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            break;
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            rc = rel_error_set(REL_ECONFIG, "%s:%zu:%zu: only one YAML document is allowed", file,
                               m.line + 1, m.column + 1);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT) {
            if (++nodes > MAX_NODES) {
                rc = rel_error_set(REL_ELIMIT, "%s:%zu:%zu: more than %d values", file, m.line + 1,
                                   m.column + 1, MAX_NODES);
                break;
            }
        }
        if (t == YAML_ALIAS_EVENT) {
            rc = rel_error_set(REL_ECONFIG,
                               "%s:%zu:%zu: YAML aliases (*name) are not supported in relman.yml",
                               file, m.line + 1, m.column + 1);
            break;
        }
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > MAX_DEPTH) {
                rc = rel_error_set(REL_ELIMIT, "%s:%zu:%zu: nested deeper than %d levels", file,
                                   m.line + 1, m.column + 1, MAX_DEPTH);
                break;
            }
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        }
    }
    yaml_parser_delete(&p);
    return rc;
}

/* Load `text` into `doc` (one document; an empty text gives no root node). */
static int load_doc(yaml_document_t *doc, const char *file, const char *text, size_t len)
{
    if (memchr(text, '\0', len))
        return rel_error_set(REL_ECONFIG, "%s: contains a NUL byte", file);
    int rc = precheck(file, text, len);
    if (rc < 0)
        return rc;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return rel_error_set(REL_ENOMEM, "%s: cannot initialise the YAML parser", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        rc = yaml_failure(file, &p);
        yaml_parser_delete(&p);
        return rc;
    }
    yaml_parser_delete(&p);
    return 0;
}

static yaml_node_t *node(yaml_document_t *d, int id)
{
    return yaml_document_get_node(d, id);
}

/* The value for `key` in mapping `map` (the first one), or NULL; *keynode
 * (optional) gets the key node. */
static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key,
                            yaml_node_t **keynode)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(d, pr->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp(sv(k), key) == 0) {
            if (keynode)
                *keynode = k;
            return node(d, pr->value);
        }
    }
    return NULL;
}

static bool is_null(const yaml_node_t *n)
{
    return !n || (n->type == YAML_SCALAR_NODE && classify(n) == SC_NULL);
}

/* ---- pass 1: validation against the table -------------------------------- */

static int validate(struct ctx *c, yaml_node_t *n, const char *spath, const char *dpath);

static int check_scalar(struct ctx *c, yaml_node_t *n, const struct rel_config_key *k,
                        const char *dpath)
{
    if (strlen(sv(n)) != n->data.scalar.length)
        return cerr(c, n->start_mark, "%s: contains a NUL character", dpath);
    enum sclass cl = classify(n);
    unsigned t = k->types;
    struct rel_buf want = REL_BUF_INIT;
    int rc = 0;
    if (cl == SC_NULL) {
        if (t & (REL_CT_MAP | REL_CT_DICT | REL_CT_LIST))
            return 0; /* `key:` with nothing: empty */
        describe_types(&want, k);
        rc = cerr(c, n->start_mark, "%s: missing value (expected %s)", dpath, rel_buf_cstr(&want));
        goto out;
    }
    if ((cl == SC_TRUE || cl == SC_FALSE) && (t & REL_CT_BOOL))
        return 0;
    if (cl == SC_FALSE && (t & REL_CT_FALSE))
        return 0;
    if (t & REL_CT_INT) {
        long lo = 0, hi = INT_MAX;
        if (k->values)
            sscanf(k->values, "%ld..%ld", &lo, &hi);
        if (cl != SC_INT) {
            rc = cerr(c, n->start_mark, "%s: '%s' is not an integer", dpath, sv(n));
            goto out;
        }
        errno = 0;
        long v = strtol(sv(n), NULL, 10);
        if (errno || v < lo || v > hi)
            rc =
                cerr(c, n->start_mark, "%s: %s is out of range (%ld to %ld)", dpath, sv(n), lo, hi);
        goto out;
    }
    if (t & REL_CT_ENUM) {
        if (enum_has(k->values, sv(n)))
            return 0;
        if (!(t & (REL_CT_STRING | REL_CT_PATH | REL_CT_NAME | REL_CT_BOOL))) {
            char hint[160];
            suggest(hint, sizeof(hint), sv(n), k->values);
            describe_types(&want, k);
            bool is_mode = strcmp(k->values, MODES) == 0;
            rc = cerr(c, n->start_mark, "%s: unknown %s '%s' (expected %s%s)", dpath,
                      is_mode ? "mode" : "value", sv(n), rel_buf_cstr(&want), hint);
            goto out;
        }
    }
    if (t & REL_CT_NAME) {
        if (cl == SC_TEXT && is_atom(sv(n)))
            return 0;
        rc = cerr(c, n->start_mark, "%s: '%s' is not %s", dpath, sv(n), key_rule(REL_CK_APP));
        goto out;
    }
    if (t & (REL_CT_STRING | REL_CT_PATH)) {
        if (cl == SC_TRUE || cl == SC_FALSE) {
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not %s (quote it to mean the text)",
                      dpath, rel_buf_cstr(&want), sv(n));
            goto out;
        }
        if (sv(n)[0] == '\0') {
            rc = cerr(c, n->start_mark, "%s: must not be empty", dpath);
            goto out;
        }
        for (const char *ch = sv(n); (k->flags & REL_CF_ASCII) && *ch; ch++)
            if (*ch < ' ' || *ch > '~') {
                rc = cerr(c, n->start_mark, "%s: may only hold printable ASCII characters", dpath);
                goto out;
            }
        if ((k->flags & REL_CF_SEGMENT) &&
            (strchr(sv(n), '/') || strcmp(sv(n), ".") == 0 || strcmp(sv(n), "..") == 0)) {
            rc = cerr(c, n->start_mark, "%s: '%s' cannot name a directory (releases/VERSION)",
                      dpath, sv(n));
            goto out;
        }
        return 0;
    }
    describe_types(&want, k);
    rc = cerr(c, n->start_mark, "%s: expected %s, not '%s'", dpath, rel_buf_cstr(&want), sv(n));
out:
    rel_buf_free(&want);
    return rc;
}

static void child_path(char *out, size_t n, const char *parent, const char *part)
{
    if (!parent[0])
        snprintf(out, n, "%s", part);
    else
        snprintf(out, n, "%s.%s", parent, part);
}

/* The keys allowed under schema path `spath`, "a|b|c". */
static void allowed_keys(struct rel_buf *b, const char *spath)
{
    size_t pl = strlen(spath);
    for (size_t i = 0; i < rel_config_nkeys; i++) {
        const char *p = rel_config_keys[i].path;
        const char *rest;
        if (pl == 0)
            rest = p;
        else if (strncmp(p, spath, pl) == 0 && p[pl] == '.')
            rest = p + pl + 1;
        else
            continue;
        if (strpbrk(rest, ".[*"))
            continue;
        if (b->len)
            rel_buf_putc(b, '|');
        rel_buf_puts(b, rest);
    }
}

static int validate_mapping(struct ctx *c, yaml_node_t *n, const struct rel_config_key *k,
                            const char *spath, const char *dpath)
{
    bool dict = k && (k->types & REL_CT_DICT);
    yaml_node_pair_t *start = n->data.mapping.pairs.start;
    for (yaml_node_pair_t *pr = start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = node(c->doc, pr->key);
        yaml_node_t *vn = node(c->doc, pr->value);
        if (!kn || !vn)
            return rel_error_set(REL_ECONFIG, "%s: malformed mapping", c->file);
        if (c->visited[pr->key - 1]++)
            return cerr(c, kn->start_mark, "YAML aliases are not supported");
        if (kn->type != YAML_SCALAR_NODE || classify(kn) == SC_NULL)
            return cerr(c, kn->start_mark, "%s: keys must be plain names",
                        dpath[0] ? dpath : "top level");
        const char *key = sv(kn);
        if (strlen(key) != kn->data.scalar.length || strlen(key) > 200)
            return cerr(c, kn->start_mark, "%s: malformed key", dpath[0] ? dpath : "top level");
        for (yaml_node_pair_t *q = start; q < pr; q++) {
            yaml_node_t *prev = node(c->doc, q->key);
            if (prev && prev->type == YAML_SCALAR_NODE && strcmp(sv(prev), key) == 0 &&
                strcmp(spath, "releases.*.applications") != 0)
                return cerr(c, kn->start_mark, "%s%s'%s' appears twice (first at line %zu)", dpath,
                            dpath[0] ? ": " : "", key, prev->start_mark.line + 1);
        }
        char cs[256], cd[512];
        if (dict) {
            if (!key_ok(k->keys, key))
                return cerr(c, kn->start_mark, "%s: '%s' is not %s", dpath, key, key_rule(k->keys));
            child_path(cs, sizeof(cs), spath, "*");
        } else {
            child_path(cs, sizeof(cs), spath, key);
            if (!find_row(cs)) {
                struct rel_buf allowed = REL_BUF_INIT, words = REL_BUF_INIT;
                allowed_keys(&allowed, spath);
                list_words(&words, rel_buf_cstr(&allowed));
                char hint[160];
                suggest(hint, sizeof(hint), key, rel_buf_cstr(&allowed));
                int rc =
                    cerr(c, kn->start_mark, "unknown key '%s' %s%s (expected %s%s)", key,
                         dpath[0] ? "in " : "at the top level", dpath, rel_buf_cstr(&words), hint);
                rel_buf_free(&allowed);
                rel_buf_free(&words);
                return rc;
            }
        }
        child_path(cd, sizeof(cd), dpath, key);
        int rc = validate(c, vn, cs, cd);
        if (rc < 0)
            return rc;
    }
    /* required keys of a fixed mapping */
    if (!dict) {
        size_t pl = strlen(spath);
        for (size_t i = 0; i < rel_config_nkeys; i++) {
            const struct rel_config_key *r = &rel_config_keys[i];
            if (!(r->flags & REL_CF_REQUIRED) || strncmp(r->path, spath, pl) != 0 ||
                r->path[pl] != '.' || strpbrk(r->path + pl + 1, ".[*"))
                continue;
            if (!map_get(c->doc, n, r->path + pl + 1, NULL))
                return cerr(c, n->start_mark, "%s: missing required key '%s'", dpath,
                            r->path + pl + 1);
        }
    }
    return 0;
}

static int validate(struct ctx *c, yaml_node_t *n, const char *spath, const char *dpath)
{
    const struct rel_config_key *k = spath[0] ? find_row(spath) : NULL;
    int id = (int)(n - c->doc->nodes.start) + 1;
    if (id < 1 || (size_t)id > c->nnodes)
        return rel_error_set(REL_ECONFIG, "%s: malformed document", c->file);
    if (c->visited[id - 1]++)
        return cerr(c, n->start_mark, "YAML aliases are not supported");
    struct rel_buf want = REL_BUF_INIT;
    int rc = 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        if (!k) {
            if (is_null(n))
                return 0; /* an empty file */
            return cerr(c, n->start_mark, "relman.yml must be a mapping of keys");
        }
        return check_scalar(c, n, k, dpath);
    case YAML_MAPPING_NODE:
        if (k && !(k->types & (REL_CT_MAP | REL_CT_DICT))) {
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not a mapping", dpath,
                      rel_buf_cstr(&want));
            break;
        }
        if (k && (k->types & REL_CT_MAP) && (k->types & REL_CT_ENUM)) {
            /* a list item that may be a word or a mapping (steps) */
        }
        return validate_mapping(c, n, k, spath, dpath);
    case YAML_SEQUENCE_NODE: {
        if (!k || !(k->types & REL_CT_LIST)) {
            if (!k) {
                rc = cerr(c, n->start_mark, "relman.yml must be a mapping of keys");
                break;
            }
            describe_types(&want, k);
            rc = cerr(c, n->start_mark, "%s: expected %s, not a list", dpath, rel_buf_cstr(&want));
            break;
        }
        char cs[256], cd[512];
        snprintf(cs, sizeof(cs), "%s[]", spath);
        size_t i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++, i++) {
            yaml_node_t *item = node(c->doc, *it);
            if (!item)
                return rel_error_set(REL_ECONFIG, "%s: malformed list", c->file);
            snprintf(cd, sizeof(cd), "%s[%zu]", dpath, i);
            rc = validate(c, item, cs, cd);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    default:
        rc = cerr(c, n->start_mark, "malformed YAML node");
        break;
    }
    rel_buf_free(&want);
    return rc;
}

/* ---- pass 2: the structs -------------------------------------------------- */

struct fill {
    const char *file;
    yaml_document_t *doc;
    yaml_document_t *defaults[64]; /* parsed default values, freed at the end */
    size_t ndefaults;
};

/* A value: the node and the document it lives in (the file's, or a
 * default's). */
struct val {
    yaml_document_t *doc;
    yaml_node_t *n;
};

static struct rel_config_pos pos_of(const yaml_node_t *n)
{
    struct rel_config_pos p = {0, 0};
    if (n) {
        p.line = (int)n->start_mark.line + 1;
        p.col = (int)n->start_mark.column + 1;
    }
    return p;
}

/* The value of row `spath` (its last component is the key) in mapping `map`,
 * or the row's default, or {NULL, NULL}. */
static struct val get(struct fill *f, yaml_document_t *d, yaml_node_t *map, const char *spath)
{
    struct val v = {d, NULL};
    const char *key = strrchr(spath, '.');
    key = key ? key + 1 : spath;
    v.n = map_get(d, map, key, NULL);
    if (v.n && !is_null(v.n))
        return v;
    const struct rel_config_key *k = find_row(spath);
    if (!k || !k->def || f->ndefaults >= sizeof(f->defaults) / sizeof(f->defaults[0]))
        return (struct val){NULL, v.n};
    yaml_document_t *dd = rel_calloc(1, sizeof(*dd));
    if (load_doc(dd, "(default)", k->def, strlen(k->def)) < 0) {
        free(dd);
        rel_error_clear();
        return (struct val){NULL, NULL};
    }
    f->defaults[f->ndefaults++] = dd;
    return (struct val){dd, yaml_document_get_root_node(dd)};
}

static const char *text_of(struct val v)
{
    if (!v.n || v.n->type != YAML_SCALAR_NODE || classify(v.n) == SC_NULL)
        return NULL;
    return sv(v.n);
}

static char *dup_text(struct val v)
{
    const char *t = text_of(v);
    return t ? rel_strdup(t) : NULL;
}

static bool bool_of(struct val v)
{
    return v.n && v.n->type == YAML_SCALAR_NODE && classify(v.n) == SC_TRUE;
}

static int int_of(struct val v)
{
    const char *t = text_of(v);
    return t ? (int)strtol(t, NULL, 10) : 0;
}

static void strlist_push(struct rel_config_strlist *l, const char *s, struct rel_config_pos p)
{
    l->items = rel_reallocarray(l->items, l->count + 1, sizeof(*l->items));
    l->pos = rel_reallocarray(l->pos, l->count + 1, sizeof(*l->pos));
    l->items[l->count] = rel_strdup(s);
    l->pos[l->count] = p;
    l->count++;
}

static bool strlist_has(const struct rel_config_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

/* A list of scalars; duplicates dropped. */
static void fill_strlist(struct rel_config_strlist *out, struct val v)
{
    if (!v.n || v.n->type != YAML_SEQUENCE_NODE)
        return;
    for (yaml_node_item_t *it = v.n->data.sequence.items.start; it < v.n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = node(v.doc, *it);
        if (!item || item->type != YAML_SCALAR_NODE || is_null(item))
            continue;
        if (!strlist_has(out, sv(item)))
            strlist_push(out, sv(item), pos_of(item));
    }
}

static void strlist_free(struct rel_config_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    free(l->pos);
    memset(l, 0, sizeof(*l));
}

static void add_note(struct rel_config_release *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct rel_config_release *r, const char *fmt, ...)
{
    va_list ap;
    char msg[REL_ERROR_MSG_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->notes = rel_reallocarray(r->notes, r->nnotes + 1, sizeof(*r->notes));
    r->notes[r->nnotes++].message = rel_strdup(msg);
}

static void fill_ssh(struct fill *f, struct rel_config_ssh *s, yaml_document_t *d, yaml_node_t *m,
                     const char *prefix)
{
    char p[64];
    snprintf(p, sizeof(p), "%s.config", prefix);
    s->config = dup_text(get(f, d, m, p));
    snprintf(p, sizeof(p), "%s.known_hosts", prefix);
    s->known_hosts = dup_text(get(f, d, m, p));
    snprintf(p, sizeof(p), "%s.host_key_policy", prefix);
    const char *pol = text_of(get(f, d, m, p));
    s->host_key_policy = REL_HOSTKEY_ACCEPT_NEW;
    if (pol && strcmp(pol, "strict") == 0)
        s->host_key_policy = REL_HOSTKEY_STRICT;
    else if (pol && strcmp(pol, "ask") == 0)
        s->host_key_policy = REL_HOSTKEY_ASK;
}

static void fill_release(struct fill *f, struct rel_config_release *r, yaml_node_t *kn,
                         yaml_node_t *m)
{
    yaml_document_t *d = f->doc;
    r->name = rel_strdup(sv(kn));
    r->pos = pos_of(kn);

    struct val v = get(f, d, m, "releases.*.version");
    if (v.n && v.n->type == YAML_MAPPING_NODE)
        r->version_from_app = dup_text((struct val){d, map_get(d, v.n, "from_app", NULL)});
    else
        r->version = dup_text(v);

    v = get(f, d, m, "releases.*.applications");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *an = node(v.doc, pr->key), *mn = node(v.doc, pr->value);
            struct rel_config_app *dup = NULL;
            for (size_t i = 0; i < r->napps; i++)
                if (strcmp(r->apps[i].name, sv(an)) == 0)
                    dup = &r->apps[i];
            if (dup) {
                add_note(r,
                         "%s:%zu:%zu: '%s' is listed twice in releases.%s.applications; this "
                         "entry is ignored (the first, at line %d, is used)",
                         f->file, an->start_mark.line + 1, an->start_mark.column + 1, sv(an),
                         r->name, dup->pos.line);
                continue;
            }
            r->apps = rel_reallocarray(r->apps, r->napps + 1, sizeof(*r->apps));
            struct rel_config_app *a = &r->apps[r->napps++];
            a->name = rel_strdup(sv(an));
            a->pos = pos_of(an);
            a->mode = REL_MODE_PERMANENT;
            rel_mode_parse(&a->mode, sv(mn));
        }
    }

    v = get(f, d, m, "releases.*.include_erts");
    r->include_erts = REL_ERTS_INCLUDE;
    if (v.n && v.n->type == YAML_SCALAR_NODE) {
        enum sclass cl = classify(v.n);
        if (cl == SC_FALSE)
            r->include_erts = REL_ERTS_EXCLUDE;
        else if (cl != SC_TRUE) {
            r->include_erts = REL_ERTS_PATH;
            r->erts_path = rel_strdup(sv(v.n));
            r->erts_pos = pos_of(v.n);
        }
    }

    struct rel_config_strlist execs = {0};
    fill_strlist(&execs, get(f, d, m, "releases.*.include_executables_for"));
    r->exec_unix = strlist_has(&execs, "unix");
    r->exec_windows = strlist_has(&execs, "windows");
    strlist_free(&execs);

    v = get(f, d, m, "releases.*.strip_beams");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        r->strip_beams = true;
        fill_strlist(&r->strip_keep, get(f, v.doc, v.n, "releases.*.strip_beams.keep"));
        r->strip_compress = bool_of(get(f, v.doc, v.n, "releases.*.strip_beams.compress"));
    } else {
        r->strip_beams = bool_of(v);
    }

    r->cookie = dup_text(get(f, d, m, "releases.*.cookie"));
    r->path = dup_text(get(f, d, m, "releases.*.path"));
    r->rel_templates_path = dup_text(get(f, d, m, "releases.*.rel_templates_path"));
    fill_strlist(&r->overlays, get(f, d, m, "releases.*.overlays"));

    v = get(f, d, m, "releases.*.steps");
    if (v.n && v.n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v.n->data.sequence.items.start;
             it < v.n->data.sequence.items.top; it++) {
            yaml_node_t *sn = node(v.doc, *it);
            r->steps = rel_reallocarray(r->steps, r->nsteps + 1, sizeof(*r->steps));
            struct rel_config_step *s = &r->steps[r->nsteps++];
            memset(s, 0, sizeof(*s));
            s->pos = v.doc == d ? pos_of(sn) : r->pos;
            if (sn->type == YAML_MAPPING_NODE) {
                s->kind = REL_STEP_RUN;
                s->command = dup_text((struct val){v.doc, map_get(v.doc, sn, "run", NULL)});
            } else {
                s->kind = strcmp(sv(sn), "tar") == 0 ? REL_STEP_TAR : REL_STEP_ASSEMBLE;
            }
        }
    }

    fill_strlist(&r->skip_mode_validation_for, get(f, d, m, "releases.*.skip_mode_validation_for"));

    v = get(f, d, m, "releases.*.runtime_config_path");
    if (v.n && v.n->type == YAML_SCALAR_NODE && classify(v.n) == SC_FALSE)
        r->runtime_config_disabled = true;
    else
        r->runtime_config_path = dup_text(v);

    r->reboot_system_after_config = bool_of(get(f, d, m, "releases.*.reboot_system_after_config"));
    r->prune_runtime_sys_config_after_boot =
        bool_of(get(f, d, m, "releases.*.prune_runtime_sys_config_after_boot"));
    r->start_distribution_during_config =
        bool_of(get(f, d, m, "releases.*.start_distribution_during_config"));
    r->validate_compile_env = bool_of(get(f, d, m, "releases.*.validate_compile_env"));
    r->quiet = bool_of(get(f, d, m, "releases.*.quiet"));
    r->sys_config = dup_text(get(f, d, m, "releases.*.sys_config"));
    r->vm_args = dup_text(get(f, d, m, "releases.*.vm_args"));
}

static void fill_target(struct fill *f, struct rel_config *cfg, struct rel_config_target *t,
                        yaml_node_t *kn, yaml_node_t *m)
{
    yaml_document_t *d = f->doc;
    t->name = rel_strdup(sv(kn));
    t->pos = pos_of(kn);
    t->host = dup_text(get(f, d, m, "targets.*.host"));
    t->user = dup_text(get(f, d, m, "targets.*.user"));
    t->port = int_of(get(f, d, m, "targets.*.port"));
    t->path = dup_text(get(f, d, m, "targets.*.path"));
    struct val v = get(f, d, m, "targets.*.release");
    t->release = dup_text(v);
    t->release_pos = pos_of(v.n);
    v = get(f, d, m, "targets.*.env");
    if (v.n && v.n->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(v.n->data.mapping.pairs.top - v.n->data.mapping.pairs.start);
        t->env_names = rel_calloc(n ? n : 1, sizeof(char *));
        t->env_values = rel_calloc(n ? n : 1, sizeof(char *));
        for (yaml_node_pair_t *pr = v.n->data.mapping.pairs.start; pr < v.n->data.mapping.pairs.top;
             pr++) {
            t->env_names[t->nenv] = rel_strdup(sv(node(v.doc, pr->key)));
            t->env_values[t->nenv] = rel_strdup(sv(node(v.doc, pr->value)));
            t->nenv++;
        }
    }
    yaml_node_t *sm = map_get(d, m, "ssh", NULL);
    fill_ssh(f, &t->ssh, d, sm, "targets.*.ssh");
    if (!t->ssh.config && cfg->ssh.config)
        t->ssh.config = rel_strdup(cfg->ssh.config);
    if (!t->ssh.known_hosts && cfg->ssh.known_hosts)
        t->ssh.known_hosts = rel_strdup(cfg->ssh.known_hosts);
    if (!map_get(d, sm, "host_key_policy", NULL))
        t->ssh.host_key_policy = cfg->ssh.host_key_policy;
}

static void fill_config(struct fill *f, struct rel_config *cfg, yaml_node_t *root)
{
    yaml_document_t *d = f->doc;
    yaml_node_t *pm = map_get(d, root, "project", NULL);
    const char *kind = text_of(get(f, d, pm, "project.kind"));
    if (kind && rel_project_kind_parse(&cfg->kind, kind) == 0)
        cfg->has_kind = true;
    cfg->env = dup_text(get(f, d, pm, "project.env"));
    cfg->app = dup_text(get(f, d, pm, "project.app"));
    fill_strlist(&cfg->lib_dirs, get(f, d, root, "lib_dirs"));
    struct val v = get(f, d, root, "default_release");
    cfg->default_release = dup_text(v);
    cfg->default_release_pos = pos_of(v.n);

    fill_ssh(f, &cfg->ssh, d, map_get(d, root, "ssh", NULL), "ssh");

    yaml_node_t *rm = map_get(d, root, "releases", NULL);
    if (rm && rm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(rm->data.mapping.pairs.top - rm->data.mapping.pairs.start);
        cfg->releases = rel_calloc(n ? n : 1, sizeof(*cfg->releases));
        for (yaml_node_pair_t *pr = rm->data.mapping.pairs.start; pr < rm->data.mapping.pairs.top;
             pr++)
            fill_release(f, &cfg->releases[cfg->nreleases++], node(d, pr->key), node(d, pr->value));
    }
    yaml_node_t *tm = map_get(d, root, "targets", NULL);
    if (tm && tm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(tm->data.mapping.pairs.top - tm->data.mapping.pairs.start);
        cfg->targets = rel_calloc(n ? n : 1, sizeof(*cfg->targets));
        for (yaml_node_pair_t *pr = tm->data.mapping.pairs.start; pr < tm->data.mapping.pairs.top;
             pr++)
            fill_target(f, cfg, &cfg->targets[cfg->ntargets++], node(d, pr->key),
                        node(d, pr->value));
    }
    yaml_node_t *gm = map_get(d, root, "groups", NULL);
    if (gm && gm->type == YAML_MAPPING_NODE) {
        size_t n = (size_t)(gm->data.mapping.pairs.top - gm->data.mapping.pairs.start);
        cfg->groups = rel_calloc(n ? n : 1, sizeof(*cfg->groups));
        for (yaml_node_pair_t *pr = gm->data.mapping.pairs.start; pr < gm->data.mapping.pairs.top;
             pr++) {
            struct rel_config_group *g = &cfg->groups[cfg->ngroups++];
            yaml_node_t *kn = node(d, pr->key);
            g->name = rel_strdup(sv(kn));
            g->pos = pos_of(kn);
            fill_strlist(&g->targets, (struct val){d, node(d, pr->value)});
        }
    }
    yaml_node_t *dm = map_get(d, root, "deploy", NULL);
    cfg->deploy.keep = int_of(get(f, d, dm, "deploy.keep"));
    cfg->deploy.batch = int_of(get(f, d, dm, "deploy.batch"));
    yaml_node_t *hm = map_get(d, dm, "health", NULL);
    cfg->deploy.health_tcp = int_of(get(f, d, hm, "deploy.health.tcp"));
    cfg->deploy.health_timeout = int_of(get(f, d, hm, "deploy.health.timeout"));
}

/* ---- pass 3: references between keys -------------------------------------- */

static int cross_check(const struct rel_config *cfg)
{
    const char *file = cfg->file;
    if (cfg->default_release && !rel_config_find_release(cfg, cfg->default_release))
        return perr(file, &cfg->default_release_pos,
                    "default_release: there is no release '%s' in releases", cfg->default_release);
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        if (r->version && !r->version[0])
            return perr(file, &r->pos, "releases.%s.version must not be empty", r->name);
        if (r->include_erts == REL_ERTS_PATH) {
            /* the ERTS version is the directory's suffix: checked here, where
             * the line is known (whether it exists: when resolving) */
            size_t len = strlen(r->erts_path);
            while (len > 1 && r->erts_path[len - 1] == '/')
                len--;
            size_t b = len;
            while (b > 0 && r->erts_path[b - 1] != '/')
                b--;
            const char *base = r->erts_path + b;
            if (len - b < 6 || strncmp(base, "erts-", 5) != 0)
                return perr(file, &r->erts_pos,
                            "releases.%s.include_erts: '%s' is neither true, false nor a path to "
                            "an erts-VSN directory",
                            r->name, r->erts_path);
        }
        int assemble = 0, tar = 0;
        for (size_t s = 0; s < r->nsteps; s++) {
            const struct rel_config_step *st = &r->steps[s];
            if (st->kind == REL_STEP_ASSEMBLE && ++assemble > 1)
                return perr(file, &st->pos, "releases.%s.steps: 'assemble' must appear once",
                            r->name);
            if (st->kind == REL_STEP_TAR) {
                if (++tar > 1)
                    return perr(file, &st->pos, "releases.%s.steps: 'tar' may appear only once",
                                r->name);
                if (!assemble)
                    return perr(file, &st->pos,
                                "releases.%s.steps: 'tar' must come after 'assemble'", r->name);
            }
            if (st->kind == REL_STEP_RUN && (!st->command || !st->command[0]))
                return perr(file, &st->pos, "releases.%s.steps: 'run' needs a command", r->name);
        }
        if (!assemble)
            return perr(file, &r->pos, "releases.%s.steps must contain 'assemble'", r->name);
    }
    for (size_t i = 0; i < cfg->ntargets; i++) {
        const struct rel_config_target *t = &cfg->targets[i];
        if (t->release && !rel_config_find_release(cfg, t->release))
            return perr(file, &t->release_pos, "targets.%s.release: there is no release '%s'",
                        t->name, t->release);
    }
    for (size_t i = 0; i < cfg->ngroups; i++) {
        const struct rel_config_group *g = &cfg->groups[i];
        if (rel_config_find_target(cfg, g->name))
            return perr(file, &g->pos, "groups.%s: '%s' is already a target name", g->name,
                        g->name);
        for (size_t j = 0; j < g->targets.count; j++)
            if (!rel_config_find_target(cfg, g->targets.items[j]))
                return perr(file, &g->targets.pos[j], "groups.%s: there is no target '%s'", g->name,
                            g->targets.items[j]);
    }
    return 0;
}

/* ---- public entry points ----------------------------------------------------- */

int rel_config_parse(struct rel_config **out, const char *text, size_t len, const char *file,
                     const char *dir)
{
    *out = NULL;
    if (len > REL_CONFIG_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: larger than %zu bytes", file, REL_CONFIG_MAX_SIZE);
    yaml_document_t doc;
    int rc = load_doc(&doc, file, text, len);
    if (rc < 0)
        return rc;
    struct ctx c = {.file = file, .doc = &doc};
    c.nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
    c.visited = rel_calloc(c.nnodes ? c.nnodes : 1, 1);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    struct rel_config *cfg = NULL;
    if (root) {
        rc = validate(&c, root, "", "");
        if (rc < 0)
            goto done;
    }
    cfg = rel_calloc(1, sizeof(*cfg));
    cfg->file = rel_strdup(file);
    cfg->dir = rel_strdup(dir && dir[0] ? dir : ".");
    struct fill f = {.file = file, .doc = &doc};
    if (root && root->type == YAML_MAPPING_NODE) {
        fill_config(&f, cfg, root);
    } else {
        /* empty file: the defaults */
        yaml_document_t empty;
        memset(&empty, 0, sizeof(empty));
        f.doc = &empty;
        fill_config(&f, cfg, NULL);
    }
    for (size_t i = 0; i < f.ndefaults; i++) {
        yaml_document_delete(f.defaults[i]);
        free(f.defaults[i]);
    }
    rc = cross_check(cfg);
    if (rc < 0) {
        rel_config_free(cfg);
        cfg = NULL;
        goto done;
    }
    *out = cfg;
done:
    free(c.visited);
    yaml_document_delete(&doc);
    return rc;
}

int rel_config_load(struct rel_config **out, const char *path)
{
    *out = NULL;
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_CONFIG_MAX_SIZE);
    if (rc == 0) {
        char *dir = rel_path_dirname(path);
        rc = rel_config_parse(out, rel_buf_cstr(&b), b.len, path, dir);
        free(dir);
    }
    rel_buf_free(&b);
    return rc;
}

static void ssh_free(struct rel_config_ssh *s)
{
    free(s->config);
    free(s->known_hosts);
}

void rel_config_free(struct rel_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nreleases; i++) {
        struct rel_config_release *r = &cfg->releases[i];
        free(r->name);
        free(r->version);
        free(r->version_from_app);
        for (size_t j = 0; j < r->napps; j++)
            free(r->apps[j].name);
        free(r->apps);
        free(r->erts_path);
        strlist_free(&r->strip_keep);
        free(r->cookie);
        free(r->path);
        free(r->rel_templates_path);
        strlist_free(&r->overlays);
        for (size_t j = 0; j < r->nsteps; j++)
            free(r->steps[j].command);
        free(r->steps);
        strlist_free(&r->skip_mode_validation_for);
        free(r->runtime_config_path);
        free(r->sys_config);
        free(r->vm_args);
        for (size_t j = 0; j < r->nnotes; j++)
            free(r->notes[j].message);
        free(r->notes);
    }
    free(cfg->releases);
    for (size_t i = 0; i < cfg->ntargets; i++) {
        struct rel_config_target *t = &cfg->targets[i];
        free(t->name);
        free(t->host);
        free(t->user);
        free(t->path);
        free(t->release);
        for (size_t j = 0; j < t->nenv; j++) {
            free(t->env_names[j]);
            free(t->env_values[j]);
        }
        free(t->env_names);
        free(t->env_values);
        ssh_free(&t->ssh);
    }
    free(cfg->targets);
    for (size_t i = 0; i < cfg->ngroups; i++) {
        free(cfg->groups[i].name);
        strlist_free(&cfg->groups[i].targets);
    }
    free(cfg->groups);
    ssh_free(&cfg->ssh);
    strlist_free(&cfg->lib_dirs);
    free(cfg->file);
    free(cfg->dir);
    free(cfg->env);
    free(cfg->app);
    free(cfg->default_release);
    free(cfg);
}

const struct rel_config_release *rel_config_find_release(const struct rel_config *cfg,
                                                         const char *name)
{
    for (size_t i = 0; cfg && i < cfg->nreleases; i++)
        if (strcmp(cfg->releases[i].name, name) == 0)
            return &cfg->releases[i];
    return NULL;
}

static void release_names(struct rel_buf *b, const struct rel_config *cfg)
{
    for (size_t i = 0; i < cfg->nreleases; i++)
        rel_buf_printf(b, "%s%s", i ? ", " : "", cfg->releases[i].name);
}

int rel_config_pick_release(const struct rel_config_release **out, const struct rel_config *cfg,
                            const char *name)
{
    *out = NULL;
    if (cfg->nreleases == 0)
        return rel_error_set(REL_ENOTFOUND, "%s defines no releases (add one under 'releases:')",
                             cfg->file);
    if (name) {
        *out = rel_config_find_release(cfg, name);
        if (*out)
            return 0;
        struct rel_buf b = REL_BUF_INIT;
        release_names(&b, cfg);
        int rc = rel_error_set(REL_ENOTFOUND, "no release '%s' in %s (releases: %s)", name,
                               cfg->file, rel_buf_cstr(&b));
        rel_buf_free(&b);
        return rc;
    }
    if (cfg->default_release) {
        *out = rel_config_find_release(cfg, cfg->default_release);
        return 0;
    }
    if (cfg->nreleases == 1) {
        *out = &cfg->releases[0];
        return 0;
    }
    struct rel_buf b = REL_BUF_INIT;
    release_names(&b, cfg);
    int rc =
        rel_error_set(REL_EUSAGE, "%s has several releases (%s) and no default_release: name one",
                      cfg->file, rel_buf_cstr(&b));
    rel_buf_free(&b);
    return rc;
}

const struct rel_config_target *rel_config_find_target(const struct rel_config *cfg,
                                                       const char *name)
{
    for (size_t i = 0; cfg && i < cfg->ntargets; i++)
        if (strcmp(cfg->targets[i].name, name) == 0)
            return &cfg->targets[i];
    return NULL;
}

const struct rel_config_group *rel_config_find_group(const struct rel_config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->ngroups; i++)
        if (strcmp(cfg->groups[i].name, name) == 0)
            return &cfg->groups[i];
    return NULL;
}

char *rel_config_abspath(const struct rel_config *cfg, const char *p)
{
    if (p[0] == '/' || (p[0] == '~' && (p[1] == '/' || p[1] == '\0')))
        return rel_strdup(p);
    char *j = rel_path_join2(cfg->dir, p);
    char *n = rel_path_normalize(j);
    free(j);
    return n;
}

/* ---- surgical edits -------------------------------------------------------- */

/*
 * Marks count characters, not bytes (libyaml), so byte offsets are found from
 * the line and column. A UTF-8 byte-order mark is not part of any line.
 */
static size_t offset_at(const char *text, size_t len, yaml_mark_t m)
{
    size_t off = 0, line = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        off = 3;
    while (line < m.line && off < len) {
        if (text[off] == '\n')
            line++;
        off++;
    }
    const char *eol = memchr(text + off, '\n', len - off);
    size_t line_len = eol ? (size_t)(eol - (text + off)) : len - off;
    return off + rel_utf8_skip(text + off, line_len, m.column);
}

/* The end of the last thing written for the pair (key, value): for an empty
 * value the key (libyaml puts an empty value's mark at the next token). */
static yaml_mark_t pair_end(yaml_document_t *d, yaml_node_t *k, yaml_node_t *v);

static yaml_mark_t node_end(yaml_document_t *d, yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE && n->data.mapping.style != YAML_FLOW_MAPPING_STYLE &&
        n->data.mapping.pairs.top > n->data.mapping.pairs.start) {
        yaml_node_pair_t *last = n->data.mapping.pairs.top - 1;
        return pair_end(d, node(d, last->key), node(d, last->value));
    }
    if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE &&
        n->data.sequence.items.top > n->data.sequence.items.start)
        return node_end(d, node(d, *(n->data.sequence.items.top - 1)));
    return n->end_mark;
}

static yaml_mark_t pair_end(yaml_document_t *d, yaml_node_t *k, yaml_node_t *v)
{
    if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
        v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return k->end_mark;
    return node_end(d, v);
}

struct edit {
    size_t start, end; /* bytes replaced */
    struct rel_buf with;
    bool none; /* nothing to change */
};

static void spaces(struct rel_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rel_buf_putc(b, ' ');
}

/* Insert `entry` (no newline) as a new line indented by `indent` after the
 * line holding byte `off`. */
static void insert_line_after(struct edit *e, const char *text, size_t len, size_t off,
                              size_t indent, const char *entry)
{
    if (off > 0 && off <= len && text[off - 1] == '\n') {
        /* the thing ended with its line break (a block scalar) */
        e->start = e->end = off;
        spaces(&e->with, indent);
        rel_buf_printf(&e->with, "%s\n", entry);
        return;
    }
    size_t eol = off;
    while (eol < len && text[eol] != '\n')
        eol++;
    if (eol > off && eol <= len && text[eol - 1] == '\r')
        eol--;
    e->start = e->end = eol;
    rel_buf_putc(&e->with, '\n');
    spaces(&e->with, indent);
    rel_buf_puts(&e->with, entry);
}

/* Add `entry` ("k: v") to mapping `m` (flow or block). */
static int add_to_mapping(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                          yaml_node_t *parent_key, yaml_node_t *m, const char *entry)
{
    size_t npairs = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE || npairs == 0) {
        if (npairs == 0) {
            /* "{}" or "{ }": after the brace */
            size_t open = offset_at(text, len, m->start_mark);
            if (open >= len || text[open] != '{')
                return rel_error_set(REL_EUNSUPPORTED, "cannot edit this mapping's layout");
            e->start = e->end = open + 1;
            rel_buf_puts(&e->with, entry);
        } else {
            yaml_node_pair_t *last = m->data.mapping.pairs.top - 1;
            yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
            e->start = e->end = offset_at(text, len, end);
            rel_buf_printf(&e->with, ", %s", entry);
        }
        return 0;
    }
    yaml_node_t *first = node(d, m->data.mapping.pairs.start->key);
    size_t indent = first->start_mark.column;
    (void)parent_key;
    yaml_node_pair_t *last = m->data.mapping.pairs.top - 1;
    yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
    insert_line_after(e, text, len, offset_at(text, len, end), indent, entry);
    return 0;
}

/* Give the empty value of `key` (`key:` or `key: ~`) the text `flow`. */
static int fill_empty_value(struct edit *e, const char *text, size_t len, yaml_node_t *key,
                            yaml_node_t *v, const char *flow)
{
    if (v->data.scalar.length > 0) {
        e->start = offset_at(text, len, v->start_mark);
        e->end = offset_at(text, len, v->end_mark);
        rel_buf_puts(&e->with, flow);
        return 0;
    }
    size_t p = offset_at(text, len, key->end_mark);
    while (p < len && (text[p] == ' ' || text[p] == '\t'))
        p++;
    if (p >= len || text[p] != ':')
        return rel_error_set(REL_EUNSUPPORTED, "cannot edit this layout of '%s'", sv(key));
    e->start = e->end = p + 1;
    rel_buf_printf(&e->with, " %s", flow);
    return 0;
}

static int remove_pair(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                       yaml_node_t *m, yaml_node_pair_t *pr)
{
    yaml_node_t *k = node(d, pr->key), *v = node(d, pr->value);
    size_t ks = offset_at(text, len, k->start_mark);
    size_t ve = offset_at(text, len, pair_end(d, k, v));
    if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
        yaml_node_pair_t *first = m->data.mapping.pairs.start, *end = m->data.mapping.pairs.top;
        if (pr + 1 < end) {
            e->start = ks;
            e->end = offset_at(text, len, node(d, (pr + 1)->key)->start_mark);
        } else if (pr > first) {
            yaml_node_pair_t *prev = pr - 1;
            e->start = offset_at(text, len, pair_end(d, node(d, prev->key), node(d, prev->value)));
            e->end = ve;
        } else {
            e->start = ks;
            e->end = ve;
        }
        return 0;
    }
    size_t ls = ks;
    while (ls > 0 && text[ls - 1] != '\n')
        ls--;
    for (size_t i = ls; i < ks; i++)
        if (text[i] != ' ' && text[i] != '\t')
            return rel_error_set(REL_EUNSUPPORTED, "cannot edit this layout of '%s'", sv(k));
    size_t eol = ve;
    while (eol < len && text[eol] != '\n')
        eol++;
    e->start = ls;
    e->end = eol < len ? eol + 1 : eol;
    return 0;
}

static int plan_edit(struct edit *e, yaml_document_t *d, const char *text, size_t len,
                     const char *file, const char *release, const char *app, const char *mode)
{
    yaml_node_t *root = yaml_document_get_root_node(d);
    yaml_node_t *rkey = NULL, *relk = NULL;
    yaml_node_t *rels = map_get(d, root, "releases", &rkey);
    yaml_node_t *rel = map_get(d, rels, release, &relk);
    if (!rel)
        return rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, release);
    char entry[512];
    snprintf(entry, sizeof(entry), "%s: %s", app, mode ? mode : "");
    if (is_null(rel)) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        char flow[600];
        snprintf(flow, sizeof(flow), "{applications: {%s}}", entry);
        return fill_empty_value(e, text, len, relk, rel, flow);
    }
    yaml_node_t *appsk = NULL;
    yaml_node_t *apps = map_get(d, rel, "applications", &appsk);
    if (!apps) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        size_t npairs = (size_t)(rel->data.mapping.pairs.top - rel->data.mapping.pairs.start);
        if (rel->data.mapping.style == YAML_FLOW_MAPPING_STYLE || npairs == 0) {
            char flow[600];
            snprintf(flow, sizeof(flow), "applications: {%s}", entry);
            return add_to_mapping(e, d, text, len, relk, rel, flow);
        }
        yaml_node_t *first = node(d, rel->data.mapping.pairs.start->key);
        size_t indent = first->start_mark.column;
        size_t step = indent > relk->start_mark.column ? indent - relk->start_mark.column : 2;
        struct rel_buf two = REL_BUF_INIT;
        rel_buf_puts(&two, "applications:\n");
        spaces(&two, indent + step);
        rel_buf_puts(&two, entry);
        yaml_node_pair_t *last = rel->data.mapping.pairs.top - 1;
        yaml_mark_t end = pair_end(d, node(d, last->key), node(d, last->value));
        insert_line_after(e, text, len, offset_at(text, len, end), indent, rel_buf_cstr(&two));
        rel_buf_free(&two);
        return 0;
    }
    if (is_null(apps)) {
        if (!mode) {
            e->none = true;
            return 0;
        }
        char flow[600];
        snprintf(flow, sizeof(flow), "{%s}", entry);
        return fill_empty_value(e, text, len, appsk, apps, flow);
    }
    for (yaml_node_pair_t *pr = apps->data.mapping.pairs.start; pr < apps->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(d, pr->key), *v = node(d, pr->value);
        if (strcmp(sv(k), app) != 0)
            continue;
        if (!mode)
            return remove_pair(e, d, text, len, apps, pr);
        e->start = offset_at(text, len, v->start_mark);
        e->end = offset_at(text, len, v->end_mark);
        if (e->end - e->start == strlen(mode) && memcmp(text + e->start, mode, strlen(mode)) == 0) {
            e->none = true;
            return 0;
        }
        rel_buf_puts(&e->with, mode);
        return 0;
    }
    if (!mode) {
        e->none = true;
        return 0;
    }
    return add_to_mapping(e, d, text, len, appsk, apps, entry);
}

int rel_config_edit_app_mode(struct rel_buf *out, const char *text, size_t len, const char *file,
                             const char *release, const char *app, const char *mode)
{
    enum rel_mode m = REL_MODE_PERMANENT;
    if (mode && rel_mode_parse(&m, mode) < 0)
        return rel_error_set(REL_EINVAL,
                             "unknown mode '%s' (expected permanent, transient, "
                             "temporary, load or none)",
                             mode);
    if (!is_atom(app))
        return rel_error_set(REL_EINVAL, "'%s' is not an application name", app);
    /* the file must be valid before, so that it is valid after */
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, file, NULL);
    if (rc < 0)
        return rc;
    rel_config_free(cfg);
    cfg = NULL;

    yaml_document_t doc;
    rc = load_doc(&doc, file, text, len);
    if (rc < 0)
        return rc;
    struct edit e = {0, 0, REL_BUF_INIT, false};
    rc = plan_edit(&e, &doc, text, len, file, release, app, mode);
    yaml_document_delete(&doc);
    if (rc < 0)
        goto out;
    size_t start = out->len;
    if (e.none) {
        rc = rel_buf_put(out, text, len);
        goto out;
    }
    if ((rc = rel_buf_put(out, text, e.start)) < 0 ||
        (rc = rel_buf_put(out, e.with.ptr ? e.with.ptr : "", e.with.len)) < 0 ||
        (rc = rel_buf_put(out, text + e.end, len - e.end)) < 0)
        goto out;
    /* check the result says what was asked, and nothing broke */
    rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL);
    if (rc < 0) {
        rel_error_prefix("editing %s would make it invalid", file);
        rel_buf_truncate(out, start);
        goto out;
    }
    const struct rel_config_release *r = rel_config_find_release(cfg, release);
    const struct rel_config_app *found = NULL;
    for (size_t i = 0; r && i < r->napps; i++)
        if (strcmp(r->apps[i].name, app) == 0)
            found = &r->apps[i];
    if (!r || (mode && (!found || found->mode != m)) || (!mode && found)) {
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot edit the layout of releases.%s", file,
                           release);
        rel_buf_truncate(out, start);
    }
    rel_config_free(cfg);
out:
    rel_buf_free(&e.with);
    return rc;
}

int rel_config_set_app_mode(const char *path, const char *release, const char *app,
                            const char *mode)
{
    struct rel_buf in = REL_BUF_INIT, out = REL_BUF_INIT;
    int rc = rel_fs_read_file(&in, path, REL_CONFIG_MAX_SIZE);
    if (rc < 0)
        goto done;
    rc = rel_config_edit_app_mode(&out, rel_buf_cstr(&in), in.len, path, release, app, mode);
    if (rc < 0 || (out.len == in.len && memcmp(out.ptr, in.ptr, in.len) == 0))
        goto done;
    struct stat st;
    mode_t perm = 0644;
    if (stat(path, &st) == 0)
        perm = st.st_mode & 07777;
    rc = rel_fs_write_atomic(path, out.ptr, out.len, perm);
done:
    rel_buf_free(&in);
    rel_buf_free(&out);
    return rc;
}

/* ---- release keys and names -------------------------------------------------- */

/* Replace the bytes of the edits (sorted by start, not overlapping) in text,
 * appending the result to out. */
static int apply_edits(struct rel_buf *out, const char *text, size_t len, struct edit *edits,
                       size_t n)
{
    size_t at = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (edits[i].none)
            continue;
        if (edits[i].start < at)
            return rel_error_set(REL_EUNSUPPORTED, "overlapping edits");
        if ((rc = rel_buf_put(out, text + at, edits[i].start - at)) == 0)
            rc = rel_buf_put(out, edits[i].with.ptr ? edits[i].with.ptr : "", edits[i].with.len);
        at = edits[i].end;
    }
    if (rc == 0)
        rc = rel_buf_put(out, text + at, len - at);
    return rc;
}

/* Replace the scalar `n` (a key or a value) by `with`. */
static void replace_scalar(struct edit *e, const char *text, size_t len, const yaml_node_t *n,
                           const char *with)
{
    e->start = offset_at(text, len, n->start_mark);
    e->end = offset_at(text, len, n->end_mark);
    rel_buf_puts(&e->with, with);
}

/* The text of the lone scalar `yaml` as YAML reads it, into *out (malloc'd);
 * REL_EINVAL when it is not one plain or quoted scalar on one line. */
static int scalar_value(char **out, const char *yaml)
{
    *out = NULL;
    if (!*yaml || strchr(yaml, '\n') || strchr(yaml, '#'))
        return rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    yaml_document_t doc;
    if (load_doc(&doc, "value", yaml, strlen(yaml)) < 0)
        return rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_SCALAR_NODE && !is_null(root))
        *out = rel_strdup(sv(root));
    else
        rc = rel_error_set(REL_EINVAL, "'%s' is not a one-line YAML scalar", yaml);
    yaml_document_delete(&doc);
    return rc;
}

int rel_config_edit_release_key(struct rel_buf *out, const char *text, size_t len, const char *file,
                                const char *release, const char *key, const char *value)
{
    char path[160];
    snprintf(path, sizeof(path), "releases.*.%s", key);
    const struct rel_config_key *row = strchr(key, '.') ? NULL : find_row(path);
    if (!row || (row->types & (REL_CT_MAP | REL_CT_DICT | REL_CT_LIST)) == row->types)
        return rel_error_set(REL_EINVAL, "releases.%s.%s: not a key that takes a scalar", release,
                             key);
    char *want = NULL;
    int rc = value ? scalar_value(&want, value) : 0;
    if (rc < 0)
        return rc;
    struct rel_config *cfg = NULL;
    if ((rc = rel_config_parse(&cfg, text, len, file, NULL)) < 0) {
        free(want);
        return rc;
    }
    rel_config_free(cfg);
    cfg = NULL;
    yaml_document_t doc;
    if ((rc = load_doc(&doc, file, text, len)) < 0) {
        free(want);
        return rc;
    }
    struct edit e = {0, 0, REL_BUF_INIT, false};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *relk = NULL, *keyk = NULL;
    yaml_node_t *rel = map_get(&doc, map_get(&doc, root, "releases", NULL), release, &relk);
    yaml_node_t *v = rel ? map_get(&doc, rel, key, &keyk) : NULL;
    char entry[1200];
    snprintf(entry, sizeof(entry), "%s: %s", key, value ? value : "");
    if (!rel) {
        rc = rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, release);
    } else if (is_null(rel)) {
        if (!value) {
            e.none = true;
        } else {
            char flow[1300];
            snprintf(flow, sizeof(flow), "{%s}", entry);
            rc = fill_empty_value(&e, text, len, relk, rel, flow);
        }
    } else if (!v) {
        if (!value)
            e.none = true;
        else
            rc = add_to_mapping(&e, &doc, text, len, relk, rel, entry);
    } else if (!value) {
        for (yaml_node_pair_t *pr = rel->data.mapping.pairs.start; pr < rel->data.mapping.pairs.top;
             pr++)
            if (node(&doc, pr->key) == keyk)
                rc = remove_pair(&e, &doc, text, len, rel, pr);
    } else if (v->type != YAML_SCALAR_NODE) {
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: releases.%s.%s is not a scalar: edit it by hand",
                           file, release, key);
    } else if (v->data.scalar.length > 0 || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        replace_scalar(&e, text, len, v, value);
    } else {
        rc = fill_empty_value(&e, text, len, keyk, v, value);
    }
    yaml_document_delete(&doc);
    size_t start = out->len;
    if (rc == 0)
        rc = apply_edits(out, text, len, &e, 1);
    /* check: valid, and the key now says what was asked */
    if (rc == 0 &&
        (rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL)) < 0)
        rel_error_prefix("editing %s would make it invalid", file);
    rel_config_free(cfg);
    if (rc == 0 && (rc = load_doc(&doc, file, out->ptr + start, out->len - start)) == 0) {
        root = yaml_document_get_root_node(&doc);
        rel = map_get(&doc, map_get(&doc, root, "releases", NULL), release, NULL);
        v = map_get(&doc, rel, key, NULL);
        bool ok = value ? v && v->type == YAML_SCALAR_NODE && strcmp(sv(v), want) == 0 : !v;
        if (!ok)
            rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot edit the layout of releases.%s", file,
                               release);
        yaml_document_delete(&doc);
    }
    if (rc < 0)
        rel_buf_truncate(out, start);
    rel_buf_free(&e.with);
    free(want);
    return rc;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int rel_config_edit_rename_release(struct rel_buf *out, const char *text, size_t len,
                                   const char *file, const char *from, const char *to)
{
    if (!key_ok(REL_CK_RELEASE, to))
        return rel_error_set(REL_EINVAL, "'%s' is not %s", to, key_rule(REL_CK_RELEASE));
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, len, file, NULL);
    if (rc < 0)
        return rc;
    if (!rel_config_find_release(cfg, from))
        rc = rel_error_set(REL_ENOTFOUND, "%s: no release '%s'", file, from);
    else if (strcmp(from, to) != 0 && rel_config_find_release(cfg, to))
        rc = rel_error_set(REL_EEXISTS, "%s: a release '%s' exists already", file, to);
    rel_config_free(cfg);
    cfg = NULL;
    if (rc < 0)
        return rc;
    if (strcmp(from, to) == 0)
        return rel_buf_put(out, text, len);
    yaml_document_t doc;
    if ((rc = load_doc(&doc, file, text, len)) < 0)
        return rc;
    /* the release's key, default_release, and targets running it */
    struct edit edits[1 + 1 + 256];
    size_t n = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *relk = NULL;
    map_get(&doc, map_get(&doc, root, "releases", NULL), from, &relk);
    edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
    replace_scalar(&edits[n++], text, len, relk, to);
    yaml_node_t *def = map_get(&doc, root, "default_release", NULL);
    if (def && def->type == YAML_SCALAR_NODE && strcmp(sv(def), from) == 0) {
        edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
        replace_scalar(&edits[n++], text, len, def, to);
    }
    yaml_node_t *targets = map_get(&doc, root, "targets", NULL);
    if (targets && targets->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *pr = targets->data.mapping.pairs.start;
             pr < targets->data.mapping.pairs.top && n < sizeof(edits) / sizeof(edits[0]); pr++) {
            yaml_node_t *r = map_get(&doc, node(&doc, pr->value), "release", NULL);
            if (r && r->type == YAML_SCALAR_NODE && strcmp(sv(r), from) == 0) {
                edits[n] = (struct edit){0, 0, REL_BUF_INIT, false};
                replace_scalar(&edits[n++], text, len, r, to);
            }
        }
    yaml_document_delete(&doc);
    qsort(edits, n, sizeof(edits[0]), edit_cmp);
    size_t start = out->len;
    rc = apply_edits(out, text, len, edits, n);
    for (size_t i = 0; i < n; i++)
        rel_buf_free(&edits[i].with);
    if (rc == 0 &&
        (rc = rel_config_parse(&cfg, out->ptr + start, out->len - start, file, NULL)) < 0)
        rel_error_prefix("editing %s would make it invalid", file);
    if (rc == 0 && (!rel_config_find_release(cfg, to) || rel_config_find_release(cfg, from)))
        rc = rel_error_set(REL_EUNSUPPORTED, "%s: cannot rename release '%s' in this layout", file,
                           from);
    rel_config_free(cfg);
    if (rc < 0)
        rel_buf_truncate(out, start);
    return rc;
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
        const struct rel_config_key *parent = find_row(prefix);
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
        const struct rel_config_key *it = find_row(item);
        if (it) {
            rel_buf_puts(b, ", each item: ");
            doc_types(b, it);
        }
    }
    if (k->types & REL_CT_DICT) {
        rel_buf_printf(b, " (keys: %s)", key_rule(k->keys));
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

/* ---- writing YAML scalars ------------------------------------------------- */

int rel_config_yaml_scalar(struct rel_buf *out, const char *s, bool force_quotes)
{
    static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off",
                                           "null", "y",     "n",   "~",  NULL};
    bool plain = !force_quotes && s[0] != '\0';
    if (plain) {
        for (const char *p = s; *p; p++)
            if (!(isalnum((unsigned char)*p) || strchr("_./-@+", *p)))
                plain = false;
        if (s[0] == '-' || s[0] == '.' || s[0] == '+' || isdigit((unsigned char)s[0]))
            plain = false;
        for (const char *const *r = reserved; plain && *r; r++)
            if (strcasecmp(s, *r) == 0)
                plain = false;
    }
    if (plain)
        return rel_buf_puts(out, s);
    int rc = rel_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
        if (*p == '"' || *p == '\\')
            rc = rel_buf_printf(out, "\\%c", *p);
        else if (*p == '\n')
            rc = rel_buf_puts(out, "\\n");
        else if (*p == '\t')
            rc = rel_buf_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rc = rel_buf_printf(out, "\\x%02x", *p);
        else
            rc = rel_buf_putc(out, (char)*p);
    }
    if (rc == 0)
        rc = rel_buf_putc(out, '"');
    return rc;
}

char *rel_config_local_path(const struct rel_config *cfg, const char *p)
{
    const char *home = getenv("HOME");
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home && home[0]) {
        char *j = rel_path_join2(home, p[1] ? p + 2 : ".");
        char *n = rel_path_normalize(j);
        free(j);
        return n;
    }
    return rel_config_abspath(cfg, p);
}
