/*
 * config_yaml.c - the small vocabularies of relman.yml (start modes, project
 * kinds) and the YAML document itself: loading it with libyaml under relman's
 * limits (a precheck refuses anchors, tags and oversized input with
 * FILE:LINE:COL), scalar classes, lookups (see config_int.h).
 */
#include "config.h"

#include "config_int.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- scalars --------------------------------------------------------------- */

static bool is_one_of(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(v, *words) == 0)
            return true;
    return false;
}

/* How a scalar reads under YAML 1.2's core schema (only plain scalars can be
 * anything but text). */
enum rel_config_sclass rel_config_yaml_class(const yaml_node_t *n)
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

/* ---- reading the YAML document ----------------------------------------- */

#define MAX_DEPTH 32
#define MAX_NODES 200000

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

int rel_config_yaml_load(yaml_document_t *doc, const char *file, const char *text, size_t len)
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

yaml_node_t *rel_config_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key,
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

bool rel_config_yaml_is_null(const yaml_node_t *n)
{
    return !n || (n->type == YAML_SCALAR_NODE && rel_config_yaml_class(n) == SC_NULL);
}

