/*
 * project.h - discovery: what a project is and which applications are visible
 * to it, before any decision about a release.
 *
 * A project is a directory: a Mix project (mix.exs), a rebar3 project
 * (rebar.config) or a plain one, optionally with a relman.yml. Opening it
 * finds, without starting a VM:
 *   - the Erlang/OTP installation: the root from the `erl` in PATH (its
 *     symlinks resolved), the ERTS version from ROOT/releases/start_erl.data
 *     (else the single ROOT/erts-VSN directory), the OTP release from the same
 *     file;
 *   - for Mix projects, Elixir's library directory from the `elixir` in PATH;
 *   - every application on the search path, by reading `DIR/ebin/NAME.app`. The
 *     name comes from the .app file, never from the folder (Debian ships
 *     /usr/lib/elixir/lib/elixir/ebin/elixir.app and p1_tls-1.1.16/ebin/
 *     fast_tls.app).
 *
 * Search path, highest precedence first (origins):
 *   project   rebar3: _build/ENV/checkouts/APP (rebar3 builds _checkouts there),
 *             then _build/ENV/lib/APP (mix, rebar3), then _checkouts/APP
 *             itself; erlang.mk (an erlang.mk file at the root): the
 *             application at the root, apps/APP and deps/APP
 *             (origin_index 0, 1, 2, 3 in that order)
 *   lib_dirs  each directory of relman.yml's lib_dirs, in order
 *   OTP       ROOT/lib/APP
 *   Elixir    the Elixir lib directory (mix projects)
 * When an application is visible several times, the first origin wins (and
 * within one origin the highest version); the others are kept as "shadowed"
 * candidates so `relman apps` can show the choice. The same directory reached
 * twice (lib_dirs naming the OTP lib) counts once, under the first origin.
 *
 * Ownership: rel_project_open() returns a project freed with
 * rel_project_free(); apps and strings belong to it.
 */
#ifndef REL_PROJECT_H
#define REL_PROJECT_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_term;

#define REL_ORIGIN_TABLE                                                                           \
    X(PROJECT, "project")                                                                          \
    X(LIB_DIRS, "lib_dirs")                                                                        \
    X(OTP, "OTP")                                                                                  \
    X(ELIXIR, "Elixir")

enum rel_origin {
#define X(name, text) REL_ORIGIN_##name,
    REL_ORIGIN_TABLE
#undef X
};

const char *rel_origin_name(enum rel_origin o);

/* A list of atom names read from a .app key. */
struct rel_names {
    char **items;
    size_t count;
};

/* The position of the first `name` in `n` (NULL: empty), or -1. */
long rel_names_index(const struct rel_names *n, const char *name);

/* One application found on disk (one ebin/NAME.app). */
struct rel_app {
    char *name;     /* from the .app file (the file name when unreadable) */
    char *vsn;      /* "" when unreadable */
    char *dir;      /* the application directory, holding ebin/ */
    char *app_file; /* DIR/ebin/NAME.app */
    enum rel_origin origin;
    size_t origin_index;           /* lib_dirs: which entry (0-based) */
    bool chosen;                   /* the candidate that wins for this name */
    char *error;                   /* why the .app cannot be used, or NULL */
    struct rel_term *spec;         /* {application, Name, Props}, or NULL on error */
    struct rel_names applications; /* `applications` */
    struct rel_names included;     /* `included_applications` */
    struct rel_names optional;     /* `optional_applications` */
    struct rel_names registered;   /* `registered` */
    struct rel_names modules;      /* `modules` */
    char *description;             /* or NULL */
};

struct rel_project {
    char *root;                /* absolute path of the project directory */
    struct rel_config *config; /* relman.yml, or NULL when there is none */
    enum rel_project_kind kind;
    bool kind_detected;     /* true: guessed from the files; false: from relman.yml */
    char *env;              /* Mix env / rebar3 profile; NULL for plain projects */
    char *build_dir;        /* absolute: ROOT/_build, or project.build_path (never NULL) */
    char *build_lib_dir;    /* BUILD_DIR/ENV/lib, or NULL */
    char *consolidated_dir; /* Mix protocol consolidation dir when it exists, or NULL */
    char *otp_root;         /* e.g. /usr/lib/erlang, or NULL when no erl was found */
    char *erts_version;     /* e.g. "13.1.5", or NULL */
    char *otp_release;      /* e.g. "25", or NULL */
    char *elixir_lib_dir;   /* e.g. /usr/lib/elixir/lib, or NULL */
    char *elixir_version;   /* e.g. "1.14.0", or NULL */
    struct rel_app *apps;   /* sorted by name, then precedence (chosen first) */
    size_t napps;
    char **notes; /* discovery remarks ("no erl in PATH", ...) */
    size_t nnotes;
};

enum {
    /* Fail with REL_ENOTFOUND when there is no relman.yml, with a message
     * saying how to create one. */
    REL_PROJECT_NEED_CONFIG = 1 << 0,
    /* Only detect the kind and read relman.yml: no search for applications
     * (relman init). */
    REL_PROJECT_NO_SCAN = 1 << 1,
};

/*
 * Open the project in `dir`: read relman.yml when present (its errors are
 * returned as they are: "relman.yml:LINE:COL: ..."), detect the kind, locate
 * OTP and Elixir, and scan for applications. Unreadable .app files are not an
 * error here: they become candidates with `error` set, reported when a
 * release needs them.
 */
int rel_project_open(struct rel_project **out, const char *dir, unsigned flags);

void rel_project_free(struct rel_project *p);

/* The kind the files in `dir` suggest: mix.exs, then rebar.config, else plain. */
enum rel_project_kind rel_project_detect_kind(const char *dir);

/* The chosen application called `name`, or NULL. */
const struct rel_app *rel_project_find_app(const struct rel_project *p, const char *name);

/* All candidates for `name` (chosen first), as a pointer into p->apps and a
 * count (0 when none). */
size_t rel_project_candidates(const struct rel_project *p, const char *name,
                              const struct rel_app **first);

/* Where release `r` is assembled by default or as configured: an absolute
 * path (new string). */
char *rel_project_release_path(const struct rel_project *p, const struct rel_config_release *r);

/*
 * The version release `r` gets: releases.NAME.version, else the vsn of the
 * application it names (version_from_app, else project.app). New string in
 * *out. *from_app (may be NULL) is set to that application's name when the
 * version comes from one. REL_ECONFIG when nothing gives a version,
 * REL_ENOTFOUND when the application is missing or unreadable. The one rule:
 * core/resolve.c decides a model's version with it.
 */
int rel_project_release_version(char **out, const char **from_app, const struct rel_project *p,
                                const struct rel_config_release *r);

/*
 * The one rule for the tar step's NAME-VSN.tar.gz (new string): in `dest`
 * when the release is assembled to a path given for this run (--path),
 * else ROOT/_build/ENV/ when the release is at its default path in a build
 * with an environment (Mix env, rebar3 profile), else in the release root
 * (rel_project_release_path()). Used by the plan's tar step and, without
 * building a plan, by deploy.
 */
char *rel_project_tarball_path(const struct rel_project *p, const struct rel_config_release *r,
                               const char *version, const char *dest);

/*
 * For deploy: the tarball `relman assemble` packed for release `r` (at the
 * version rel_project_release_version() gives, at the configured path),
 * which must exist; deploy does not assemble. Reads no .app file beyond the
 * one the version may come from, builds no plan, starts nothing. `how`
 * tells the user how to assemble in this front end ("`relman assemble
 * foo`", "a"); it ends both messages. REL_EUSAGE when the release has no
 * `tar` step, REL_ENOTFOUND when the tarball is not there.
 */
int rel_project_assembled_tarball(char **out, const struct rel_project *p,
                                  const struct rel_config_release *r, const char *how);

/*
 * Read one .app file into `app` (name, vsn, the lists, spec). On failure the
 * fields stay empty, app->error holds the reason and a negative code is
 * returned. `app` must be zeroed or hold dir/app_file only.
 */
int rel_app_read(struct rel_app *app, const char *app_file);
void rel_app_clear(struct rel_app *app);

/*
 * relx's .app rewrite: `out` (zeroed) becomes a copy of `in` without the
 * applications in `apps` (in applications, included_applications and
 * optional_applications) and without the modules in `modules` (may be
 * empty), and with `included` (NULL: unchanged) as its included_applications
 * (a .rel entry's own list, as systools uses it); its spec rewritten the
 * same way. Returns 1 with `out` filled when anything changed, 0 (out left
 * zeroed) when nothing did, or a negative code.
 */
int rel_app_copy_without(struct rel_app *out, const struct rel_app *in,
                         const struct rel_names *apps, const struct rel_names *modules,
                         const struct rel_names *included);

/*
 * Scan library directory `dir` (each DIR/APP/ebin/NAME.app) into a new array
 * of applications, sorted and with `chosen` set like a project's, all with
 * origin `origin`. For another Erlang installation's lib directory
 * (include_erts: PATH). Free with rel_apps_free(). A missing directory gives
 * REL_ENOTFOUND.
 */
int rel_apps_scan(struct rel_app **apps, size_t *napps, const char *dir, enum rel_origin origin);
void rel_apps_free(struct rel_app *apps, size_t napps);

/* Compare two version strings the way people read them: numeric runs as
 * numbers ("1.10" > "1.9"), the rest byte by byte. */
int rel_version_compare(const char *a, const char *b);

/* Locate the installed Erlang/OTP from the `erl` in PATH: its root, ERTS
 * version and OTP release (each a new string, NULL when unknown). Reads files
 * only. REL_ENOTFOUND when there is no erl. */
int rel_otp_locate(char **root, char **erts_version, char **otp_release);

/* Elixir's library directory from the `elixir` in PATH (new string). */
int rel_elixir_locate(char **lib_dir);

#endif
