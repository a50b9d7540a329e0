/*
 * config_int.h - what the files of the config module share (config.c:
 * reading, config_check.c: validation, config_keys.c: the schema table,
 * config_edit.c: the editor). Not for use outside them: everything else uses
 * core/config.h.
 */
#ifndef REL_CONFIG_INT_H
#define REL_CONFIG_INT_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* The allowed values of an application's start mode (a schema ENUM). */
#define REL_CONFIG_MODES "permanent|transient|temporary|load|none"

/* ---- the YAML document (config.c) --------------------------------------- */

/* How a scalar reads under YAML 1.2's core schema. */
enum rel_config_sclass { SC_NULL, SC_TRUE, SC_FALSE, SC_INT, SC_TEXT };

static inline const char *sv(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static inline yaml_node_t *node(yaml_document_t *d, int id)
{
    return yaml_document_get_node(d, id);
}

/* Only plain scalars can be anything but text. */
enum rel_config_sclass rel_config_yaml_class(const yaml_node_t *n);

/* NULL, or a scalar that reads as null. */
bool rel_config_yaml_is_null(const yaml_node_t *n);

/*
 * Load `text` into `doc` (one document; an empty text gives no root node),
 * after a first pass that refuses NUL bytes, several documents, aliases, too
 * deep nesting and too many nodes. `file` names the text in messages.
 */
int rel_config_yaml_load(yaml_document_t *doc, const char *file, const char *text, size_t len);

/* The value for `key` in mapping `map` (the first one), or NULL; *keynode
 * (optional) gets the key node. */
yaml_node_t *rel_config_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key,
                                 yaml_node_t **keynode);

/* ---- the schema (config_keys.c) ----------------------------------------- */

/* The row for schema path `path` ("releases.*.version"), or NULL. */
const struct rel_config_key *rel_config_key_find(const char *path);

/* An unquoted Erlang atom: a lowercase letter, then letters, digits, _ or @. */
bool rel_config_is_atom(const char *s);

/* Does `s` follow the rule for keys of kind `kind`? And the rule in words. */
bool rel_config_name_ok(enum rel_config_keykind kind, const char *s);
const char *rel_config_name_rule(enum rel_config_keykind kind);

/* ---- the checks (config_check.c) ---------------------------------------- */

/* Pass 1: the document against the schema table; 0, or REL_ECONFIG with
 * "FILE:LINE:COL: message". A document without a root passes. */
int rel_config_validate(const char *file, yaml_document_t *doc);

/* Pass 3: the references between keys of a filled configuration. */
int rel_config_cross_check(const struct rel_config *cfg);

#endif
