/*
 * inspect.h - what a release directory or a release tarball holds, whoever
 * made it (relman, `mix release`, relx): name, versions, ERTS, applications
 * with their start modes (from the .rel, checked against the boot script),
 * whether a cookie is present (never its value).
 *
 * Tarballs are read through core/tarball.h (nothing is extracted), in one
 * pass that lists the entries and keeps the small files of releases/ and
 * bin/ that inspection reads; every file read is bounded. Problems found on the way (a .rel that does not
 * parse, a boot script that disagrees with the .rel) are collected, not
 * fatal: inspection shows as much as it can.
 */
#ifndef REL_INSPECT_H
#define REL_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rel_buf;

struct rel_inspect_app {
    char *name;
    char *vsn;
    char *mode;  /* permanent, transient, temporary, load, none */
    bool in_lib; /* lib/NAME-VSN is in the release */
};

struct rel_inspect {
    char *path;
    bool tarball;
    char *built_by; /* "relman", "mix", "relx" or "unknown" */
    char *name;     /* from the .rel; NULL when unknown */
    char *version;  /* the version start_erl.data names */
    char *erts_version;
    bool erts_bundled;
    bool cookie;          /* releases/COOKIE exists */
    unsigned cookie_mode; /* its permission bits */
    char **versions;      /* every releases/VSN directory */
    size_t nversions;
    struct rel_inspect_app *apps; /* .rel order */
    size_t napps;
    bool boot; /* releases/VSN/start.boot present and readable */
    size_t files;   /* regular files counted in `bytes` */
    uint64_t bytes; /* THE size of the release (core/size.h) */
    char **problems;
    size_t nproblems;
};

/* Inspect the release directory or tarball at `path`. Fails only when the
 * path cannot be read at all or is not a release (no releases/ inside). */
int rel_inspect_path(struct rel_inspect **out, const char *path);

void rel_inspect_free(struct rel_inspect *i);

/* Text for people, or JSON (--json). */
int rel_inspect_format(struct rel_buf *out, const struct rel_inspect *i, bool json);

#endif
