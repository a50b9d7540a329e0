/*
 * import_int.h - what the importers share (core/import.c, import_mix.c,
 * import_rebar.c): the YAML being written and its small writing helpers.
 * Internal to core/import*.
 */
#ifndef REL_IMPORT_INT_H
#define REL_IMPORT_INT_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_term;

struct rel_import_gen {
    struct rel_buf *out;
    struct rel_buf skipped; /* "# not imported: ..." lines */
};

/* A YAML scalar, plain when it can be / always double-quoted. */
void rel_import_scalar(struct rel_import_gen *g, const char *s);
void rel_import_quoted(struct rel_import_gen *g, const char *s);
/* Records "releases.REL.KEY = TEXT" among the options that were not imported. */
void rel_import_skipped(struct rel_import_gen *g, const char *rel, const char *key,
                        const struct rel_term *v);
/* A charlist or binary as a new C string, else NULL. */
char *rel_import_str(const struct rel_term *t);
bool rel_import_is_nil(const struct rel_term *t);
/* An application name relman.yml accepts. */
bool rel_import_atom_ok(const char *s);
bool rel_import_is_mode(const char *s);
/* Writes a flow list of atoms or strings ("[a, b]"); false when an item is neither. */
bool rel_import_flow_list(struct rel_import_gen *g, const struct rel_term *l);
/* A release name from a directory name: lowercase, [a-z0-9_], starting with a
 * letter. New string. */
char *rel_import_release_name_from(const char *s);

/* The importers: append the release definitions of the project at DIR (the
 * env names MIX_ENV / the rebar3 profile, or NULL) to g->out; a line for the
 * summary. 0 or a negative rel_error code with the message set. */
int rel_import_mix(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                   const char *env);
int rel_import_rebar3(struct rel_import_gen *g, struct rel_buf *summary, const char *dir,
                      const char *env);

/* import_relx.c: relx's overlay options (`overlay`, `overlay_vars`,
 * `overlay_vars_values`) of rebar.config's relx section `base`, of the
 * profile's (`profile`, may be NULL) and of the release's own options (`ro`,
 * may be NULL), combined as rebar3 3.19 combines them, appended to g->out as
 * the release's relx_overlay* keys (4-space indent). A malformed overlay
 * fails with "rebar.config:LINE: relx: Overlay section malformed: TERM". */
bool rel_import_relx_overlay_key(const char *key);
int rel_import_relx_overlays(struct rel_import_gen *g, const struct rel_term *base,
                             const struct rel_term *profile, const struct rel_term *ro);

#endif
