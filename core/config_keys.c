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
        "`$MIX_ENV`, else `prod` (mix); `$REBAR_PROFILE`, else `default` (rebar3)",
        "The Mix environment or rebar3 profile: applications are read from `_build/ENV/lib` "
        "(rebar3: and its `_checkouts` from `_build/ENV/checkouts`), releases go to "
        "`_build/ENV/rel/NAME` by default, and `relman init --import` runs `mix` with `MIX_ENV` "
        "set to it, or applies that rebar3 profile's relx section as `rebar3 as ENV release` "
        "does (several profiles: `test+prod`, rebar3's directory name)."),
    ROW("project.config_path", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, "`config/config.exs`",
        "Mix projects: the build-time configuration evaluated into `sys.config` (Mix's project "
        "option `config_path`); `runtime.exs` and `releases.exs` are looked for beside it."),
    ROW("project.build_path", REL_CT_PATH, NULL, "_build", 0, REL_CK_NONE, NULL,
        "The build directory (relative to relman.yml): applications are read from "
        "`BUILD_PATH/ENV/lib` and releases go to `BUILD_PATH/ENV/rel/NAME`. Mix's `:build_path`: "
        "an umbrella child (`build_path: \"../../_build\"`) is released from its own directory "
        "with the umbrella's build, as `mix release` run there does."),
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
    ROW("releases.*.name", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, "the key",
        "The release's name (`bin/NAME`, `NAME.rel`, the default path) when it is not the key. "
        "Several versions of one release (relx allows them) are several entries with the same "
        "`name` and different versions: `relman assemble NAME` (and `default_release: NAME`) "
        "builds the highest version, as relx does (versions compared as relx compares them, a "
        "version that is computed counting as the lowest); the key of an entry picks that one "
        "(`relman assemble foo_0_1_0`). Two entries may not have the same name and version."),
    ROW("releases.*.version", REL_CT_STRING | REL_CT_MAP, NULL, NULL, REL_CF_SEGMENT | REL_CF_SHELL,
        REL_CK_NONE,
        "the version of `project.app`",
        "The release version, a string (quote it: `\"0.1.0\"`), or a mapping with one key: "
        "`{from_app: APP}` for the version of an application of the release, `{cmd: COMMAND}` "
        "for the output of a command, `{git: short|long|tag}` for the repository's state (relx's "
        "`{cmd, ...}`, `{git, short}`, `{git, long}`, and `git`/`semver`). Computed versions are "
        "computed each time a command needs the version."),
    ROW("releases.*.version.from_app", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, NULL,
        "The application whose `.app` version is the release version."),
    ROW("releases.*.version.cmd", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A command run with `sh -c` in the project root; its output without surrounding "
        "white space is the version (relx's `{cmd, COMMAND}`). A command that fails is an error "
        "(relx falls back to `0.0.0`)."),
    ROW("releases.*.version.git", REL_CT_ENUM, "short|long|tag", NULL, 0, REL_CK_NONE, NULL,
        "The version from git, as relx computes it: `short` and `long`, the abbreviated or full "
        "hash of HEAD (`{git, short}`, `{git, long}`); `tag`, the last tag without a leading "
        "`v`, and `+build.N.refHASH` when HEAD is N commits past it (relx's `git` and "
        "`semver`). Outside a repository it is an error (relx falls back to `0.0.0`)."),
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
        "target's (it must be the very same version); a path to an `erts-VSN` directory (for "
        "example the one of another release): ship that one, and take the OTP applications "
        "from the `lib` beside it."),
    ROW("releases.*.erts_version", REL_CT_STRING, NULL, NULL, REL_CF_SEGMENT, REL_CK_NONE,
        "the installed ERTS's (or `include_erts`'s directory's)",
        "The ERTS version the release names in its `.rel` and `start_erl.data` (relx's "
        "`{release, Id, {erts, VSN}, Goals}`). With `include_erts: false` the target must run "
        "that ERTS; when ERTS is bundled it must be the version bundled."),
    ROW("releases.*.app_versions", REL_CT_DICT, NULL, "{}", 0, REL_CK_APP, NULL,
        "Application versions the release must use (relx's `{App, Vsn}` and `{App, Vsn, Mode}` "
        "goals): among the candidates found for the application, the one with that version; "
        "none is an error naming the versions found."),
    ROW("releases.*.app_versions.*", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A version (quote it)."),
    ROW("releases.*.included_applications", REL_CT_DICT, NULL, "{}", 0, REL_CK_APP, NULL,
        "The included applications an application's `.rel` entry names, instead of its `.app`'s "
        "(relx's `{App, [Incl]}`, `{App, Vsn, [Incl]}` and `{App, Vsn, Type, [Incl]}` goals): a "
        "subset of the `.app`'s `included_applications`, which the boot script then uses, as "
        "systools does. The `.app` shipped is not changed."),
    ROW("releases.*.included_applications.*", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "The applications it includes (`[]`: none)."),
    ROW("releases.*.included_applications.*[]", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, NULL,
        "An application."),
    ROW("releases.*.exclude_apps", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Applications left out of the release even though others depend on them (relx's "
        "`exclude_apps`): they are not shipped, not in the `.rel`, and removed from the "
        "`applications`, `included_applications` and `optional_applications` of the `.app` "
        "files shipped."),
    ROW("releases.*.exclude_apps[]", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, NULL,
        "An application."),
    ROW("releases.*.exclude_modules", REL_CT_DICT, NULL, "{}", 0, REL_CK_APP, NULL,
        "Modules left out, by application (relx's `exclude_modules`): their `.beam` files are "
        "not shipped and the application's `.app` shipped no longer lists them."),
    ROW("releases.*.exclude_modules.*", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "The modules of that application."),
    ROW("releases.*.exclude_modules.*[]", REL_CT_NAME, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A module."),
    ROW("releases.*.include_src", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "Ship each application's `src/`, `lib/` and `c_src/` too (relx's `include_src`; relx's "
        "default is `true` unless `mode` is `prod` or `minimal`, and `relman init --import` "
        "writes what relx would do)."),
    ROW("releases.*.system_libs", REL_CT_BOOL, NULL, "true", 0, REL_CK_NONE, NULL,
        "Ship the Erlang/OTP applications the release uses (relx's `system_libs`). `false` "
        "leaves them out: the boot script then finds them in the target's own Erlang "
        "installation (`$ROOT/lib`), which needs `include_erts: false`."),
    ROW("releases.*.dev_mode", REL_CT_BOOL, NULL, "false", 0, REL_CK_NONE, NULL,
        "Link each `lib/APP-VSN` to the application's directory instead of copying it (relx's "
        "`dev_mode` and `mode: dev`): a recompile is seen by the release without assembling "
        "again. BEAM files are then not stripped, `exclude_apps`/`exclude_modules` cannot "
        "rewrite a linked `.app`, and a release with a `tar` step cannot be linked."),
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
        "`env.bat.eex` and of `overlays/`. Mix projects' templates may use any EEx: what "
        "relman's own subset does not render goes to Elixir's EEx (docs/assemble.md, "
        "\"Templates\")."),
    ROW("releases.*.overlays", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Directories whose contents are copied as they are (empty directories included) into "
        "the release root, after `REL_TEMPLATES_PATH/overlays`, which is always included; a "
        "later directory's file replaces an earlier one's."),
    ROW("releases.*.overlays[]", REL_CT_PATH, NULL, NULL, 0, REL_CK_NONE, NULL, "A directory."),
    ROW("releases.*.relx_overlay", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "relx's `overlay`: operations applied in order after the release's own files are made "
        "(so they may replace them), each a map of one key: `mkdir: DIR`, `copy: [FROM, TO]`, "
        "`template: [FROM, TO]`, `link: [FROM, TO]`, `chmod: [MODE, PATH]`. FROM is relative "
        "to the project root, TO and PATH to the release root; every argument is itself a "
        "`{{var}}` template (see `relx_overlay_vars`). A TO ending in `/` is a directory: "
        "FROM is then a wildcard and each match is copied into it. See "
        "[relx overlays](#relx-overlays)."),
    ROW("releases.*.relx_overlay[]", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "One operation."),
    ROW("releases.*.relx_overlay[].mkdir", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A directory made in the release (with its parents), even when empty."),
    ROW("releases.*.relx_overlay[].copy", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "`[FROM, TO]`: a file, or a directory with everything in it, copied with its "
        "permission bits."),
    ROW("releases.*.relx_overlay[].copy[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A path."),
    ROW("releases.*.relx_overlay[].template", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "`[FROM, TO]`: the file FROM rendered as a `{{var}}` template (relx's mustache) into "
        "TO, with FROM's permission bits."),
    ROW("releases.*.relx_overlay[].template[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        NULL, "A path."),
    ROW("releases.*.relx_overlay[].link", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "`[FROM, TO]`: TO made a symbolic link to FROM's absolute path (relx does so in dev "
        "mode only; `relman init --import` writes `copy` for the other modes)."),
    ROW("releases.*.relx_overlay[].link[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A path."),
    ROW("releases.*.relx_overlay[].chmod", REL_CT_LIST, NULL, NULL, 0, REL_CK_NONE, NULL,
        "`[MODE, PATH]`: the permission bits of a file or directory of the release. MODE is "
        "octal with a leading `0` (`\"0755\"`, `0o755`), or a template (`\"{{mode}}\"`) whose "
        "result is read as a decimal integer, as relx reads a string mode; other digits "
        "(`755`) are refused as ambiguous."),
    ROW("releases.*.relx_overlay[].chmod[]", REL_CT_STRING, NULL, NULL, 0,
        REL_CK_NONE, NULL, "The mode, then the path."),
    ROW("releases.*.relx_overlay_vars", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "relx's `overlay_vars`: files of Erlang terms `{Key, Value}.` giving the variables of "
        "`relx_overlay` (a string item in a file names another file to read, relative to that "
        "file's directory; string values are themselves templates over the variables before "
        "them), in order, later ones replacing earlier ones. An item `{term: '{key, Value}'}` "
        "gives one variable inline. Relative to the project root."),
    ROW("releases.*.relx_overlay_vars[]", REL_CT_STRING | REL_CT_MAP, NULL, NULL, 0,
        REL_CK_NONE, NULL, "A file, or `{term: TERM}`."),
    ROW("releases.*.relx_overlay_vars[].term", REL_CT_STRING, NULL, NULL, REL_CF_REQUIRED,
        REL_CK_NONE, NULL, "One `{Key, Value}` Erlang term."),
    ROW("releases.*.relx_overlay_vars_values", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        "none",
        "relx's `overlay_vars_values`: Erlang terms `[{Key, Value}, ...]` of variables that "
        "relx's own and the files' variables override."),
    ROW("releases.*.steps", REL_CT_LIST, NULL, "[assemble]", 0, REL_CK_NONE, NULL,
        "What `relman assemble` does, in order: `assemble` (exactly once), `tar` (at most once, "
        "after `assemble`: writes `NAME-VSN.tar.gz`), `{run: COMMAND}` shell hooks and, in a Mix "
        "project, `{mix: N}` function steps of mix.exs, before or after."),
    ROW("releases.*.steps[]", REL_CT_ENUM | REL_CT_MAP, "assemble|tar", NULL, 0, REL_CK_NONE, NULL,
        "A step."),
    ROW("releases.*.steps[].run", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A shell command, run with `sh -c` in the project root; a non-zero exit stops the "
        "assembly."),
    ROW("releases.*.steps[].mix", REL_CT_INT, "1..1000", NULL, 0, REL_CK_NONE, NULL,
        "Mix projects: the function at this position (1-based) of the release's `steps` in "
        "mix.exs. Mix runs such a release's steps in order, passing the `%Mix.Release{}` of the "
        "release relman assembles (its `path` and `version` are relman's) from one to the next; "
        "a step may add steps, one that changes another field is refused (relman cannot carry "
        "the change into its assembly). `relman init --import` writes these."),
    ROW("releases.*.config_providers", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Mix projects: config providers run at every boot after `runtime.exs` (Mix's "
        "`config_providers`), written into `sys.config` as mix does."),
    ROW("releases.*.config_providers[]", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "A provider: `reader:` or `mix:`."),
    ROW("releases.*.config_providers[].reader", REL_CT_STRING | REL_CT_MAP, NULL, NULL, 0,
        REL_CK_NONE, NULL,
        "`Config.Reader` reading an Elixir config file on the target: an absolute path, or "
        "`{system: VAR, path: SUFFIX}` for the value of the environment variable VAR (at boot) "
        "followed by SUFFIX, e.g. `{system: RELEASE_ROOT, path: /extra.exs}`."),
    ROW("releases.*.config_providers[].reader.system", REL_CT_STRING, NULL, NULL, REL_CF_REQUIRED,
        REL_CK_NONE, NULL, "The environment variable."),
    ROW("releases.*.config_providers[].reader.path", REL_CT_STRING, NULL, NULL, REL_CF_REQUIRED,
        REL_CK_NONE, NULL, "What follows its value."),
    ROW("releases.*.config_providers[].mix", REL_CT_INT, "1..1000", NULL, 0, REL_CK_NONE, NULL,
        "The provider at this position (1-based) of the release's `config_providers` in mix.exs "
        "(custom provider modules, `Config.Reader` with options): Mix evaluates its `init/1` "
        "when relman plans the release, as `mix release` does."),
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
    ROW("releases.*.start_script", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "How `bin/NAME` behaves (docs/start-script.md). The place for relx's "
        "`extended_start_script_hooks` and `extended_start_script_extensions` of rebar.config "
        "(`relman init --import` converts them): `{custom, S}` is `\"S\"`, `{pid, F}` is "
        "`\"pid F\"`, `wait_for_vm_start` is `wait_for_vm_start`, `{wait_for_process, N}` is "
        "`\"wait_for_process N\"`; `{status, [{custom, S}]}` is `status: S` (`builtin_status` "
        "as is); `{Name, S}` of the extensions is `Name: S`."),
    ROW("releases.*.start_script.dialect", REL_CT_ENUM, "relx|mix", NULL, 0, REL_CK_NONE,
        "`relx` for rebar3 projects, `mix` for Mix and plain ones",
        "Which meaning `bin/NAME` gives the commands relx and mix both have but disagree on: "
        "`relx`: `eval EXPRS` and `rpc M F [A]` run on the running node and print the result, "
        "`start` is `daemon`, `daemon` waits until the node answers; `mix`: `eval EXPR` runs in "
        "a fresh VM, `rpc EXPR` evaluates an expression on the node, `start` is the foreground "
        "boot. Every other command works the same either way. `RELMAN_DIALECT` in the "
        "environment overrides it for one command."),
    ROW("releases.*.start_script.hooks", REL_CT_MAP, NULL, NULL, 0, REL_CK_NONE, NULL,
        "Shell scripts `bin/NAME` runs around starting and stopping the node (relx's "
        "`extended_start_script_hooks`). Each entry is a script path relative to `bin/` "
        "(ship it with an overlay), optionally followed by space-separated arguments; it is "
        "sourced by `bin/NAME` (`. SCRIPT ARGS`), as relx does, so what it exports reaches the "
        "node. A script that is missing is skipped, as relx does."),
    ROW("releases.*.start_script.hooks.pre_start", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Run before the node boots (every start command: `foreground`, `console`, `daemon`, "
        "`start`, ...)."),
    ROW("releases.*.start_script.hooks.pre_start[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        NULL, "`SCRIPT [ARGS...]`."),
    ROW("releases.*.start_script.hooks.post_start", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Run after `daemon` (and `daemon_iex`, relx's `start`) once the node answers. Besides "
        "scripts, relx's built-in hooks: `pid [FILE]` (write the node's OS pid to FILE, default "
        "`/var/run/NAME.pid`), `wait_for_vm_start`, `wait_for_process NAME` (wait until a "
        "process is registered as NAME on the node)."),
    ROW("releases.*.start_script.hooks.post_start[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        NULL, "`SCRIPT [ARGS...]` or a built-in hook."),
    ROW("releases.*.start_script.hooks.pre_stop", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Run by `stop` before the node is asked to stop."),
    ROW("releases.*.start_script.hooks.pre_stop[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        NULL, "`SCRIPT [ARGS...]`."),
    ROW("releases.*.start_script.hooks.post_stop", REL_CT_LIST, NULL, "[]", 0, REL_CK_NONE, NULL,
        "Run by `stop` once the node's OS process has exited."),
    ROW("releases.*.start_script.hooks.post_stop[]", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        NULL, "`SCRIPT [ARGS...]`."),
    ROW("releases.*.start_script.hooks.status", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE,
        "none (`status` only checks that the node answers)",
        "The script `status` runs (with `status`'s arguments) once the node answers, or "
        "`builtin_status` (print the node's `application:which_applications()`)."),
    ROW("releases.*.start_script.extensions", REL_CT_DICT, NULL, "{}", 0, REL_CK_RELEASE, NULL,
        "Extra commands of `bin/NAME` (relx's `extended_start_script_extensions`): "
        "`COMMAND: SCRIPT`, SCRIPT relative to `bin/`. `bin/NAME COMMAND ARGS` sources SCRIPT "
        "with ARGS; `bin/NAME help COMMAND` sources it with `help`. A command of `bin/NAME` "
        "itself cannot be redefined."),
    ROW("releases.*.start_script.extensions.*", REL_CT_STRING, NULL, NULL, 0, REL_CK_NONE, NULL,
        "The script, relative to `bin/`."),
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
