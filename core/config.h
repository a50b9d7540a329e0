/*
 * config.h - relman.yml: the schema, the parsed configuration, and surgical
 * edits of the file.
 *
 * The schema is ONE table (rel_config_keys[], in config_keys.c): every key
 * path with its type, default, allowed values and help text. The validator
 * (config_check.c) walks the YAML document against it, the docs
 * (docs/config.md) are generated from it (tests/core/test_config.c fails when
 * they drift), and defaults are read from it. How to add a key:
 *   1. add a row to rel_config_keys[] in config_keys.c (path, types, values,
 *      default, help);
 *   2. add the field to the struct below and fill it in fill_*() in config.c;
 *   3. regenerate docs/config.md:
 *        RELMAN_REGEN_DOCS=1 build/core_test_config
 *
 * Errors are one line, `FILE:LINE:COL: message` (1-based), for the first
 * problem found: YAML syntax, unknown keys, wrong types, values outside the
 * allowed set, and cross-references (a group naming an unknown target...).
 *
 * Files: config.c reads (YAML document, structs), config_check.c validates,
 * config_keys.c holds the table and writes the reference, config_edit.c
 * edits; config_int.h is what they share.
 *
 * Ownership: rel_config_parse()/rel_config_load() return a struct the caller
 * frees with rel_config_free() (NULL is fine). Every string inside is owned by
 * the struct. Paths are kept as written; rel_config_abspath() resolves a
 * relative one against the directory holding relman.yml.
 */
#ifndef REL_CONFIG_H
#define REL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

#define REL_CONFIG_FILE "relman.yml"
/* relman.yml larger than this is refused. */
#define REL_CONFIG_MAX_SIZE ((size_t)1 << 20)

/* ---- start modes ------------------------------------------------------- */

/* X(NAME, text). The order is the priority order of `mix release`: when an
 * application is pulled in by two parents, the mode listed first wins. */
#define REL_MODE_TABLE                                                                             \
    X(PERMANENT, "permanent")                                                                      \
    X(TRANSIENT, "transient")                                                                      \
    X(TEMPORARY, "temporary")                                                                      \
    X(LOAD, "load")                                                                                \
    X(NONE, "none")

enum rel_mode {
#define X(name, text) REL_MODE_##name,
    REL_MODE_TABLE
#undef X
        REL_MODE_COUNT
};

const char *rel_mode_name(enum rel_mode m);
/* 0 and *out set, or REL_EINVAL (no message set: callers know the position). */
int rel_mode_parse(enum rel_mode *out, const char *s);
/* permanent, transient and temporary start the application. */
bool rel_mode_starts(enum rel_mode m);
/* The higher-priority mode of the two (permanent > ... > none). */
enum rel_mode rel_mode_max(enum rel_mode a, enum rel_mode b);

/* ---- project kinds ----------------------------------------------------- */

#define REL_PROJECT_KIND_TABLE                                                                     \
    X(MIX, "mix")                                                                                  \
    X(REBAR3, "rebar3")                                                                            \
    X(PLAIN, "plain")

enum rel_project_kind {
#define X(name, text) REL_PROJECT_##name,
    REL_PROJECT_KIND_TABLE
#undef X
        REL_PROJECT_KIND_COUNT
};

const char *rel_project_kind_name(enum rel_project_kind k);
int rel_project_kind_parse(enum rel_project_kind *out, const char *s);

/* ---- the parsed configuration ------------------------------------------ */

/* A position in relman.yml, 1-based; line 0 means "not from the file". */
struct rel_config_pos {
    int line;
    int col;
};

struct rel_config_strlist {
    char **items;
    struct rel_config_pos *pos; /* one per item */
    size_t count;
};

/* One entry of releases.NAME.applications. */
struct rel_config_app {
    char *name;
    enum rel_mode mode;
    struct rel_config_pos pos; /* of the key */
};

/* Something the parser tolerated but the user should hear about (for
 * example an application listed twice); shown by `relman apps`. */
struct rel_config_note {
    char *message; /* starts with "FILE:LINE:COL: " */
};

enum rel_step_kind { REL_STEP_ASSEMBLE, REL_STEP_TAR, REL_STEP_RUN, REL_STEP_MIX };

struct rel_config_step {
    enum rel_step_kind kind;
    char *command; /* REL_STEP_RUN: a shell command run in the project root */
    int mix_step;  /* REL_STEP_MIX: 1-based position of a function step in mix.exs */
    struct rel_config_pos pos;
};

/* releases.NAME.config_providers[]: Config.Reader with a path on the
 * target (`reader: PATH` or `reader: {system: VAR, path: SUFFIX}`), or the
 * Nth provider of the release in mix.exs (`mix: N`), whose init/1 Mix runs. */
enum rel_provider_kind { REL_PROVIDER_READER, REL_PROVIDER_READER_SYSTEM, REL_PROVIDER_MIX };

struct rel_config_provider {
    enum rel_provider_kind kind;
    char *path; /* READER: the file; READER_SYSTEM: the suffix */
    char *var;  /* READER_SYSTEM: the environment variable */
    int mix;    /* MIX: 1-based position in mix.exs's config_providers */
    struct rel_config_pos pos;
};

enum rel_erts_mode { REL_ERTS_INCLUDE, REL_ERTS_EXCLUDE, REL_ERTS_PATH };

/* releases.NAME.start_script.hooks.*: when bin/NAME runs them (relx's phases). */
#define REL_HOOK_TABLE                                                                             \
    X(PRE_START, "pre_start")                                                                      \
    X(POST_START, "post_start")                                                                    \
    X(PRE_STOP, "pre_stop")                                                                        \
    X(POST_STOP, "post_stop")

enum rel_hook_phase {
#define X(name, text) REL_HOOK_##name,
    REL_HOOK_TABLE
#undef X
        REL_HOOK_COUNT
};

/* releases.NAME.start_script: how bin/NAME behaves (docs/start-script.md). */
struct rel_config_start_script {
    char *dialect; /* "relx", "mix", or NULL: by the project's kind */
    struct rel_config_strlist hooks[REL_HOOK_COUNT]; /* "SCRIPT [ARGS...]" or a built-in */
    char *status_hook;                               /* NULL: none */
    struct rel_config_strlist ext_names;             /* extension commands... */
    struct rel_config_strlist ext_scripts;           /* ...and their scripts (same count) */
};

/* One operation of releases.*.relx_overlay (relx's `overlay`), in order. */
enum rel_overlay_kind {
    REL_OVERLAY_MKDIR,
    REL_OVERLAY_COPY,
    REL_OVERLAY_TEMPLATE,
    REL_OVERLAY_LINK,
    REL_OVERLAY_CHMOD
};

struct rel_config_overlay_op {
    enum rel_overlay_kind kind;
    char *args[2]; /* mkdir: DIR; copy/template/link: FROM, TO; chmod: MODE, PATH */
    size_t nargs;  /* as written (checked: 1 for mkdir, else 2) */
    struct rel_config_pos pos;
};

/* One item of releases.*.relx_overlay_vars: a file of {Key, Value} terms, or
 * (`{term: ...}`) one such term written inline. */
struct rel_config_overlay_var {
    char *path;
    char *term;
    struct rel_config_pos pos;
};

/* An application pinned to a version (releases.NAME.app_versions), or the
 * modules left out of one (exclude_modules), or the included applications
 * its .rel entry names (included_applications). */
struct rel_config_app_list {
    char *app;
    char *version;                   /* app_versions */
    struct rel_config_strlist names; /* exclude_modules, included_applications */
};

struct rel_config_release {
    char *name; /* `name:`, else the key: bin/NAME, NAME.rel */
    char *key;  /* the key under `releases:` (differs from name for extra versions) */
    struct rel_config_pos pos;
    char *version;               /* NULL: not set (see version_from_app) */
    char *version_from_app;      /* `version: {from_app: APP}`, or NULL */
    char *version_cmd;           /* `version: {cmd: COMMAND}`, or NULL */
    char *version_git;           /* `version: {git: short|long|tag}`, or NULL */
    char *erts_version;          /* relx's {erts, Vsn}, or NULL */
    struct rel_config_app_list *app_versions;
    size_t napp_versions;
    struct rel_config_app_list *exclude_modules;
    size_t nexclude_modules;
    struct rel_config_app_list *included; /* included_applications */
    size_t nincluded;
    struct rel_config_strlist exclude_apps;
    bool include_src;
    bool system_libs;
    bool dev_mode;
    struct rel_config_app *apps; /* in file order, duplicates removed */
    size_t napps;
    enum rel_erts_mode include_erts;
    char *erts_path;              /* REL_ERTS_PATH: an erts-VSN directory */
    struct rel_config_pos erts_pos; /* where erts_path is written */
    bool exec_unix, exec_windows; /* include_executables_for */
    bool strip_beams;
    struct rel_config_strlist strip_keep; /* chunk names kept besides the defaults */
    bool strip_compress;
    char *cookie; /* NULL: generated once into releases/COOKIE */
    char *path;   /* NULL: _build/ENV/rel/NAME */
    char *rel_templates_path;
    struct rel_config_strlist overlays;
    struct rel_config_overlay_op *relx_overlay; /* relx's overlay operations */
    size_t nrelx_overlay;
    struct rel_config_overlay_var *relx_overlay_vars;
    size_t nrelx_overlay_vars;
    char *relx_overlay_vars_values; /* Erlang terms: [{Key, Value}, ...] or NULL */
    struct rel_config_pos relx_overlay_vars_values_pos;
    struct rel_config_step *steps;
    size_t nsteps;
    struct rel_config_strlist skip_mode_validation_for;
    char *runtime_config_path;    /* NULL: config/runtime.exs when it exists */
    bool runtime_config_disabled; /* runtime_config_path: false */
    bool reboot_system_after_config;
    bool reboot_system_after_config_set; /* written in relman.yml */
    struct rel_config_provider *providers; /* config_providers, in order */
    size_t nproviders;
    bool prune_runtime_sys_config_after_boot;
    bool start_distribution_during_config;
    bool validate_compile_env;
    bool quiet;
    char *sys_config; /* rebar3/plain: sys.config (or .src) to ship, or NULL */
    char *vm_args;    /* rebar3/plain: vm.args (or .src) to ship, or NULL */
    struct rel_config_start_script start_script;
    struct rel_config_note *notes;
    size_t nnotes;
};

enum rel_host_key_policy { REL_HOSTKEY_STRICT, REL_HOSTKEY_ACCEPT_NEW, REL_HOSTKEY_ASK };

/* ssh: at the top level and per target. In a target, unset fields are
 * filled from the top-level section when the file is parsed. */
struct rel_config_ssh {
    char *config;      /* OpenSSH client configuration file, or NULL (the user's) */
    char *known_hosts; /* known_hosts file, or NULL (from the ssh configuration) */
    enum rel_host_key_policy host_key_policy; /* default accept-new */
    bool host_key_policy_set; /* false: the ssh configuration's StrictHostKeyChecking decides */
    bool allow_match_exec; /* `config` may run commands (Match exec, ProxyCommand) */
};

/* deploy.health, or a target's (targets.NAME.health over deploy.health). */
struct rel_config_health {
    int tcp;         /* port the node must listen on; 0: none */
    int timeout;     /* seconds */
    int settle;      /* seconds the node must stay up once healthy; 0: none */
    bool apps;       /* every application of the release started */
    char *rpc;       /* expression that must return true, or NULL */
    int http_port;   /* 0: no HTTP check */
    char *http_path; /* "/" */
    int http_status; /* 200 */
    char *http_body; /* text the body must contain, or NULL */
};

struct rel_config_target {
    char *name;
    struct rel_config_pos pos;
    char *host;    /* may be an alias from the ssh client configuration */
    char *user;    /* NULL: from the ssh configuration */
    int port;      /* 0: from the ssh configuration (22) */
    char *path;    /* deploy root on the host */
    char *release; /* NULL: the default release */
    struct rel_config_pos release_pos;
    char **env_names; /* environment for the node's commands */
    char **env_values;
    size_t nenv;
    struct rel_config_ssh ssh;
    struct rel_config_health health; /* effective: deploy.health with this target's keys */
};

struct rel_config_group {
    char *name;
    struct rel_config_pos pos;
    struct rel_config_strlist targets; /* each names a target (checked) */
};

struct rel_config_deploy {
    int keep;           /* releases kept on each host */
    int batch;          /* hosts deployed at once */
    bool rollback_all;  /* a failed run returns every host it deployed to its previous release */
    int health_tcp;     /* port that must accept a connection; 0: no TCP check */
    int health_timeout; /* seconds to wait for the health check */
    struct rel_config_health health; /* all of deploy.health (tcp, timeout as above) */
};

struct rel_config {
    char *file; /* name used in messages, as given to the loader */
    char *dir;  /* directory of the file; relative paths are relative to it */
    bool has_kind;
    enum rel_project_kind kind; /* valid when has_kind */
    char *env;                  /* project.env or NULL */
    char *app;                  /* project.app or NULL */
    char *config_path;          /* project.config_path or NULL (config/config.exs) */
    char *build_path;           /* project.build_path or NULL ("_build") */
    struct rel_config_strlist lib_dirs;
    char *default_release;
    struct rel_config_pos default_release_pos;
    struct rel_config_release *releases;
    size_t nreleases;
    struct rel_config_target *targets;
    size_t ntargets;
    struct rel_config_group *groups;
    size_t ngroups;
    struct rel_config_deploy deploy;
    struct rel_config_ssh ssh;
};

/*
 * Parse relman.yml text. `file` names it in messages; `dir` is the directory
 * relative paths refer to (may be NULL: "."). On error returns REL_ECONFIG
 * (or REL_EPARSE for YAML syntax) with "FILE:LINE:COL: message" set and
 * *out NULL.
 */
int rel_config_parse(struct rel_config **out, const char *text, size_t len, const char *file,
                     const char *dir);

/* Read and parse the file at `path` (messages name `path` as given).
 * REL_ENOTFOUND when it does not exist. */
int rel_config_load(struct rel_config **out, const char *path);

void rel_config_free(struct rel_config *cfg);

/* "mkdir", "copy", "template", "link" or "chmod". */
const char *rel_config_overlay_op_name(enum rel_overlay_kind kind);

/* The release `name` means: of the releases called `name` (their `name`,
 * else their key) the one with the highest version, as relx picks (a
 * computed version counts as the lowest); else the release whose key is
 * `name`; else NULL. */
const struct rel_config_release *rel_config_find_release(const struct rel_config *cfg,
                                                         const char *name);

/* The release whose key under `releases:` is `key`, or NULL. */
const struct rel_config_release *rel_config_find_release_key(const struct rel_config *cfg,
                                                             const char *key);

/* The exclude_modules list of `app` in `r`, or NULL. */
const struct rel_config_strlist *rel_config_excluded_modules(const struct rel_config_release *r,
                                                             const char *app);
/* The included_applications `r` gives `app` in the .rel, or NULL (its .app's). */
const struct rel_config_strlist *rel_config_included_override(const struct rel_config_release *r,
                                                              const char *app);

/*
 * The release a command means: `name` when given (REL_ENOTFOUND with the list
 * of releases when there is none such), else default_release, else the only
 * release; with several and no default it is a REL_EUSAGE error that says so.
 */
int rel_config_pick_release(const struct rel_config_release **out, const struct rel_config *cfg,
                            const char *name);

const struct rel_config_target *rel_config_find_target(const struct rel_config *cfg,
                                                       const char *name);
const struct rel_config_group *rel_config_find_group(const struct rel_config *cfg,
                                                     const char *name);

/* `p` resolved against cfg->dir when relative (a leading "~/" is left for
 * the caller); a new string. */
char *rel_config_abspath(const struct rel_config *cfg, const char *p);

/* For paths on this machine (lib_dirs, path, include_erts, overlays...): as
 * rel_config_abspath(), and a leading "~/" becomes $HOME/. */
char *rel_config_local_path(const struct rel_config *cfg, const char *p);

/* ---- surgical edits ---------------------------------------------------- */

/* In these edits `release` is the key under `releases:` (the name, but for
 * the other versions of a release that share one `name`). */

/*
 * Set (mode != NULL) or remove (mode == NULL: the application inherits its
 * mode again) the explicit mode of `app` in releases.RELEASE.applications of
 * relman.yml TEXT, writing the edited text to `out`. Only the bytes that must
 * change are touched: comments, blank lines, key order, quoting and every
 * other key stay as they were. Setting a mode changes one line when the
 * entry exists (or the value inside a flow mapping), and adds one line (or a
 * ", app: mode" in a flow mapping) when it does not; `applications:` is added
 * under the release when absent. The result is parsed again before it is
 * returned, so an edit can never produce an invalid file.
 */
int rel_config_edit_app_mode(struct rel_buf *out, const char *text, size_t len, const char *file,
                             const char *release, const char *app, const char *mode);

/* The same on the file at `path`, written atomically (rel_fs_write_atomic;
 * the file's permission bits are kept). */
int rel_config_set_app_mode(const char *path, const char *release, const char *app,
                            const char *mode);

/*
 * Set (value != NULL) or remove (value == NULL) the scalar key `key` of
 * releases.RELEASE ("version", "include_erts", "cookie", ...), the same way:
 * only that entry's text changes (a new one is added as the release's last
 * key). `value` is YAML text for one scalar, as rel_config_yaml_scalar()
 * writes it. REL_EINVAL for a key that takes no scalar, REL_EUNSUPPORTED
 * when the current value is a mapping or list. The result is checked.
 */
int rel_config_edit_release_key(struct rel_buf *out, const char *text, size_t len, const char *file,
                                const char *release, const char *key, const char *value);

/* Rename release `from` to `to`: its key, `default_release` and the
 * `release` of targets that name it; nothing else changes. REL_EEXISTS when
 * `to` exists, REL_EINVAL when it is not a release name. */
int rel_config_edit_rename_release(struct rel_buf *out, const char *text, size_t len,
                                   const char *file, const char *from, const char *to);

/* ---- the schema table -------------------------------------------------- */

/* YAML shapes a key accepts (a bit set). */
enum {
    REL_CT_MAP = 1 << 0,    /* mapping with the fixed keys listed under it */
    REL_CT_DICT = 1 << 1,   /* mapping from user-chosen names (path ".*") */
    REL_CT_LIST = 1 << 2,   /* sequence (items: path "[]") */
    REL_CT_STRING = 1 << 3, /* any scalar, taken as text */
    REL_CT_PATH = 1 << 4,   /* a file or directory path */
    REL_CT_NAME = 1 << 5,   /* an Erlang atom / release name */
    REL_CT_INT = 1 << 6,    /* decimal integer within `values` ("1..65535") */
    REL_CT_BOOL = 1 << 7,   /* true | false */
    REL_CT_FALSE = 1 << 8,  /* the literal false only */
    REL_CT_ENUM = 1 << 9,   /* one of `values` ("a|b|c") */
};

/* What the names of a DICT's keys must look like. */
enum rel_config_keykind {
    REL_CK_NONE,
    REL_CK_RELEASE, /* [a-z][a-z0-9_]* (mix's rule) */
    REL_CK_APP,     /* an unquoted Erlang atom */
    REL_CK_TARGET,  /* [A-Za-z0-9_.-]+ */
    REL_CK_ENVVAR,  /* [A-Za-z_][A-Za-z0-9_]* */
};

enum {
    REL_CF_REQUIRED = 1 << 0, /* must be present when its parent is */
    REL_CF_ASCII = 1 << 1,    /* a string of printable ASCII only (a cookie) */
    REL_CF_SEGMENT = 1 << 2,  /* a string usable as one directory name (no '/', not . or ..) */
    REL_CF_SHELL = 1 << 3,    /* no $ ` " \ : it reaches a shell on the hosts (OTP's erlexec runs
                                 the VM's command line with sh -c) */
};

struct rel_config_key {
    const char *path;             /* "releases.*.include_erts"; "*" any name, "[]" list items */
    unsigned types;               /* REL_CT_* */
    const char *values;           /* ENUM: "a|b"; INT: "MIN..MAX"; else NULL */
    const char *def;              /* default, as YAML text (used as the value); NULL when none */
    unsigned flags;               /* REL_CF_* */
    enum rel_config_keykind keys; /* DICT only */
    const char *def_doc; /* documented default when `def` is NULL (depends on the project) */
    const char *help;    /* Markdown, one paragraph */
};

extern const struct rel_config_key rel_config_keys[];
extern const size_t rel_config_nkeys;

/* The reference section of docs/config.md, generated from the table. */
int rel_config_write_reference(struct rel_buf *out);

/* ---- writing relman.yml ------------------------------------------------ */

/* Append `s` as a YAML scalar: plain when that reads back as the same
 * string, double-quoted (escaped) otherwise. `force_quotes` always quotes
 * (versions: "1.0" must stay a string for every reader). */
int rel_config_yaml_scalar(struct rel_buf *out, const char *s, bool force_quotes);

#endif
