/*
 * json.h - a small streaming JSON writer for `--json` output.
 *
 * The writer appends to a struct rel_buf and keeps track of nesting and
 * commas itself, so callers only say what comes next:
 *
 *     struct rel_json j;
 *     rel_json_init(&j, &buf, true);
 *     rel_json_object_begin(&j);
 *     rel_json_kv_string(&j, "name", "foo");
 *     rel_json_key(&j, "apps");
 *     rel_json_array_begin(&j);
 *     ...
 *     rel_json_array_end(&j);
 *     rel_json_object_end(&j);
 *     if (rel_json_finish(&j) < 0) ... error set
 *
 * Strings are written with every character JSON requires escaped (quote,
 * backslash, control characters); bytes that are not valid UTF-8 become
 * U+FFFD, so the output is always valid JSON whatever the input (file names,
 * .app descriptions). Errors (the buffer's cap, nesting deeper than
 * REL_JSON_MAX_DEPTH, a value where a key is due) are sticky: the first one is
 * remembered and returned by rel_json_finish().
 */
#ifndef REL_JSON_H
#define REL_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

#define REL_JSON_MAX_DEPTH 64

struct rel_json {
    struct rel_buf *out;
    bool pretty;
    int depth;
    int err;                                 /* first error (negative REL_E*), or 0 */
    bool after_key;                          /* a key was written; its value is due */
    unsigned char kind[REL_JSON_MAX_DEPTH];  /* 'o' object, 'a' array */
    unsigned char count[REL_JSON_MAX_DEPTH]; /* 0: nothing written yet at this level */
};

/* Start writing into `out` (appending). `pretty`: two-space indentation and
 * one member per line; otherwise compact. */
void rel_json_init(struct rel_json *j, struct rel_buf *out, bool pretty);

void rel_json_object_begin(struct rel_json *j);
void rel_json_object_end(struct rel_json *j);
void rel_json_array_begin(struct rel_json *j);
void rel_json_array_end(struct rel_json *j);

/* The key of the next member (inside an object only). */
void rel_json_key(struct rel_json *j, const char *key);

/* Values. rel_json_string(j, NULL) writes null. */
void rel_json_string(struct rel_json *j, const char *s);
void rel_json_stringn(struct rel_json *j, const char *s, size_t len);
void rel_json_int(struct rel_json *j, long long v);
void rel_json_bool(struct rel_json *j, bool v);
void rel_json_null(struct rel_json *j);

/* key + value in one call. */
void rel_json_kv_string(struct rel_json *j, const char *key, const char *s);
void rel_json_kv_int(struct rel_json *j, const char *key, long long v);
void rel_json_kv_bool(struct rel_json *j, const char *key, bool v);

/* Check the document is complete (every object and array closed) and append
 * a final newline. Returns 0 or the first error (message set). */
int rel_json_finish(struct rel_json *j);

/* Append `s` as a quoted, escaped JSON string to `out` (no writer needed). */
int rel_json_quote(struct rel_buf *out, const char *s, size_t len);

#endif
