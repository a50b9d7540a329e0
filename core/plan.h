/*
 * plan.h - what a release directory will contain, and how to make each file.
 *
 * rel_plan_build() is a function of the resolved model (core/resolve.h) and
 * the files it points at. It writes no release file; the plan is one entry
 * per output file, `relative path -> how to make it`:
 *
 *   COPY    copy the file `src` (symlinks followed) with permission `mode`
 *   STRIP   copy the BEAM file `src` with only the chunks the release keeps
 *           (core/beam.h; `strip_beams` in relman.yml)
 *   TEXT    write `data` (generated: boot scripts, sys.config, rendered
 *           templates, bin/NAME, start_erl.data, .rel, ...)
 *   LINK    a symbolic link to the absolute path `src` (dev_mode: lib/APP-VSN
 *           pointing at the application's directory in the build)
 *   COOKIE  releases/COOKIE: `data` when the release configures a cookie;
 *           otherwise the previous release's cookie is kept, or a new one
 *           is generated from the system's random source
 *   DIR     a directory: made even when empty (an overlay's empty directories
 *           are kept, as mix's File.cp_r keeps them; relx's `mkdir`, or one a
 *           `chmod` names); its `mode` is set after its contents
 *   LINK    a symbolic link whose target is `data` (relx's `link` overlay in
 *           dev mode, dev_mode's applications)
 *
 * Everything that can fail on bad input fails here (unreadable .app files,
 * template errors with FILE:LINE, configuration that does not evaluate), so
 * a plan that builds is a release that assembles unless the disk fails.
 * Generated texts are made here too, which is what `relman render` shows.
 *
 * What building costs and touches besides reading: for a Mix project with
 * config/config.exs it may start the installed `elixir` to evaluate it
 * (core/sysconfig.h), and it then writes the evaluation cache
 * _build/ENV/.relman/config.cache (atomically; a cache that cannot be
 * written is no error). A template beyond relman's EEx subset starts
 * `elixir` too (core/eex.h), cached in _build/ENV/.relman/eex-FILE. Those
 * are the only files it writes. So build a plan
 * off the UI thread, and once per model: keep it (the TUI caches it beside
 * the model) rather than building it again to learn one path.
 *
 * The same plan serves `relman render` and the TUI preview
 * (rel_plan_lookup), assembly (core/assemble.h applies it; core/build.h is
 * "compile if asked, plan, assemble"), the tar step (`tar_paths`), and
 * progress (bytes_total is the 100%). The tarball's path alone needs no
 * plan: rel_project_tarball_path() is the one rule.
 */
#ifndef REL_PLAN_H
#define REL_PLAN_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rel_events;
struct rel_model;

enum rel_plan_kind {
    REL_PLAN_COPY,
    REL_PLAN_STRIP,
    REL_PLAN_TEXT,
    REL_PLAN_COOKIE,
    REL_PLAN_DIR,
    REL_PLAN_LINK
};

struct rel_plan_entry {
    char *path; /* relative to the release root, never "..", no trailing '/' */
    enum rel_plan_kind kind;
    mode_t mode;
    char *src;  /* COPY/STRIP: absolute source path */
    char *data; /* TEXT/COOKIE: contents (COOKIE: NULL unless configured); LINK: target */
    size_t len;
    uint64_t size;      /* expected size (source size for COPY/STRIP) */
    const char *origin; /* static: "app", "erts", "generated", "template", "overlay", ... */
};

struct rel_plan_hook {
    char *command; /* sh -c COMMAND, run in the project root (NULL for a mix step) */
    int mix_step;  /* > 0: the function at this position of mix.exs's steps, called by Mix */
    bool after;    /* after assembly (and after an earlier tar) */
    bool after_tar;
};

struct rel_plan {
    char *name;
    char *version;
    char *erts_version;
    char *dest;         /* absolute release root */
    char *project_root; /* where hooks run */
    char *mix_env;      /* Mix projects: MIX_ENV for the mix steps; else NULL */
    bool include_erts;
    bool elixir;                    /* the release contains Elixir */
    struct rel_plan_entry *entries; /* sorted by path, unique */
    size_t count;
    uint64_t bytes_total;
    /* strip_beams: extra chunks kept (NULL-terminated) and gzip per file */
    char **strip_keep;
    size_t nstrip_keep;
    bool strip_compress;
    /* steps */
    bool tar;
    char *tarball;    /* when `tar`: rel_project_tarball_path() of this plan */
    char **tar_paths; /* relative to dest: what the tar step packs (when present) */
    size_t ntar;
    struct rel_plan_hook *hooks;
    size_t nhooks;
    /* things the user should hear about (one line each) */
    char **notes;
    size_t nnotes;
};

struct rel_plan_opts {
    const char *path;            /* --path: release root (NULL: the configured/default one) */
    const char *version;         /* --version: release version (NULL: the model's) */
    const struct rel_events *ev; /* log lines (configuration evaluation); may be NULL */
};

/*
 * Build the plan for a model without errors (rel_model_check() is applied).
 * On error returns a negative code with a one-line message naming the file
 * (and line) at fault, and *out NULL. Free with rel_plan_free().
 */
int rel_plan_build(struct rel_plan **out, const struct rel_model *m, const struct rel_plan_opts *o);

void rel_plan_free(struct rel_plan *p);

/* The entry for `path`, or NULL. */
const struct rel_plan_entry *rel_plan_find(const struct rel_plan *p, const char *path);

/*
 * The entry `relman render WHAT` shows, in a plan already built: `what` is
 * one of "vm.args", "remote.vm.args", "env.sh", "sys.config",
 * "start.script", "start_clean.script" (all in releases/VSN; sys.config and
 * vm.args fall back to their relx ".src" forms), "bin" (bin/NAME), "rel"
 * (releases/VSN/NAME.rel) or any path in the release. Its path in the
 * assembled release is p->dest + "/" + (*out)->path. REL_ENOTFOUND ("release
 * NAME has no PATH") with *out NULL when the plan has no such file.
 */
int rel_plan_lookup(const struct rel_plan_entry **out, const struct rel_plan *p, const char *what);

/* Append what entry `e` writes: TEXT its data, COPY/STRIP its source file
 * (read, as it is), LINK "-> TARGET"; COOKIE is refused (REL_EINVAL: never
 * printed), and so is a DIR. */
int rel_plan_entry_text(struct rel_buf *out, const struct rel_plan_entry *e);

/* The chunks a stripped BEAM keeps besides the defaults, as one token for
 * fingerprints ("-" when none; "+z" appended when compressing). New string. */
char *rel_plan_strip_key(const struct rel_plan *p);

#endif
