/*
 * json.c - streaming JSON writer (see json.h).
 */
#include "json.h"

#include "buf.h"
#include "error.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

void rel_json_init(struct rel_json *j, struct rel_buf *out, bool pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void fail(struct rel_json *j, int rc)
{
    if (!j->err)
        j->err = rc;
}

static void put(struct rel_json *j, const char *s, size_t len)
{
    if (j->err)
        return;
    int rc = rel_buf_put(j->out, s, len);
    if (rc < 0)
        fail(j, rc);
}

static void puts_(struct rel_json *j, const char *s)
{
    put(j, s, strlen(s));
}

static void newline_indent(struct rel_json *j, int depth)
{
    if (!j->pretty)
        return;
    put(j, "\n", 1);
    for (int i = 0; i < depth; i++)
        put(j, "  ", 2);
}

/* Called before any value: writes the separator a value needs here. */
static void before_value(struct rel_json *j)
{
    if (j->err)
        return;
    if (j->depth == 0)
        return;
    if (j->kind[j->depth - 1] == 'o') {
        if (!j->after_key) {
            fail(j, rel_error_set(REL_EINVAL, "json: value written where a key is due"));
            return;
        }
        j->after_key = false;
        return;
    }
    if (j->count[j->depth - 1])
        put(j, ",", 1);
    j->count[j->depth - 1] = 1;
    newline_indent(j, j->depth);
}

static void open_(struct rel_json *j, char kind, const char *text)
{
    before_value(j);
    if (j->err)
        return;
    if (j->depth >= REL_JSON_MAX_DEPTH) {
        fail(j, rel_error_set(REL_ELIMIT, "json: nesting deeper than %d", REL_JSON_MAX_DEPTH));
        return;
    }
    put(j, text, 1);
    j->kind[j->depth] = (unsigned char)kind;
    j->count[j->depth] = 0;
    j->depth++;
}

static void close_(struct rel_json *j, char kind, const char *text)
{
    if (j->err)
        return;
    if (j->depth == 0 || j->kind[j->depth - 1] != (unsigned char)kind || j->after_key) {
        fail(j, rel_error_set(REL_EINVAL, "json: unbalanced '%s'", text));
        return;
    }
    j->depth--;
    if (j->count[j->depth])
        newline_indent(j, j->depth);
    put(j, text, 1);
}

void rel_json_object_begin(struct rel_json *j)
{
    open_(j, 'o', "{");
}

void rel_json_object_end(struct rel_json *j)
{
    close_(j, 'o', "}");
}

void rel_json_array_begin(struct rel_json *j)
{
    open_(j, 'a', "[");
}

void rel_json_array_end(struct rel_json *j)
{
    close_(j, 'a', "]");
}

int rel_json_quote(struct rel_buf *out, const char *s, size_t len)
{
    int rc = rel_buf_putc(out, '"');
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (rc == 0 && i < len) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = rel_buf_put(out, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            const char *named = NULL;
            switch (c) {
            case '\n':
                named = "\\n";
                break;
            case '\r':
                named = "\\r";
                break;
            case '\t':
                named = "\\t";
                break;
            case '\b':
                named = "\\b";
                break;
            case '\f':
                named = "\\f";
                break;
            default:
                break;
            }
            if (named)
                rc = rel_buf_puts(out, named);
            else
                rc = rel_buf_printf(out, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            rc = rel_buf_putc(out, (char)c);
            i++;
        } else {
            uint32_t cp;
            size_t n = rel_utf8_decode(p + i, len - i, &cp);
            if (n == 0) {
                rc = rel_buf_puts(out, "\\ufffd");
                i++;
            } else if (cp >= 0x80 && cp <= 0x9f) {
                /* C1 controls (U+009B is CSI): legal JSON, but not on a terminal */
                rc = rel_buf_printf(out, "\\u%04x", (unsigned)cp);
                i += n;
            } else {
                rc = rel_buf_put(out, p + i, n);
                i += n;
            }
        }
    }
    if (rc == 0)
        rc = rel_buf_putc(out, '"');
    return rc;
}

void rel_json_key(struct rel_json *j, const char *key)
{
    if (j->err)
        return;
    if (j->depth == 0 || j->kind[j->depth - 1] != 'o' || j->after_key) {
        fail(j, rel_error_set(REL_EINVAL, "json: key '%s' outside an object", key));
        return;
    }
    if (j->count[j->depth - 1])
        put(j, ",", 1);
    j->count[j->depth - 1] = 1;
    newline_indent(j, j->depth);
    int rc = rel_json_quote(j->out, key, strlen(key));
    if (rc < 0)
        fail(j, rc);
    put(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1);
    j->after_key = true;
}

void rel_json_stringn(struct rel_json *j, const char *s, size_t len)
{
    before_value(j);
    if (j->err)
        return;
    int rc = rel_json_quote(j->out, s, len);
    if (rc < 0)
        fail(j, rc);
}

void rel_json_string(struct rel_json *j, const char *s)
{
    if (!s) {
        rel_json_null(j);
        return;
    }
    rel_json_stringn(j, s, strlen(s));
}

void rel_json_int(struct rel_json *j, long long v)
{
    before_value(j);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%lld", v);
    puts_(j, tmp);
}

void rel_json_bool(struct rel_json *j, bool v)
{
    before_value(j);
    puts_(j, v ? "true" : "false");
}

void rel_json_null(struct rel_json *j)
{
    before_value(j);
    puts_(j, "null");
}

void rel_json_kv_string(struct rel_json *j, const char *key, const char *s)
{
    rel_json_key(j, key);
    rel_json_string(j, s);
}

void rel_json_kv_int(struct rel_json *j, const char *key, long long v)
{
    rel_json_key(j, key);
    rel_json_int(j, v);
}

void rel_json_kv_bool(struct rel_json *j, const char *key, bool v)
{
    rel_json_key(j, key);
    rel_json_bool(j, v);
}

int rel_json_finish(struct rel_json *j)
{
    if (!j->err && (j->depth != 0 || j->after_key))
        fail(j, rel_error_set(REL_EINVAL, "json: document not complete"));
    if (!j->err)
        put(j, "\n", 1);
    if (j->err && rel_error_code() == REL_OK)
        rel_error_set(j->err, "json: output too large");
    return j->err;
}
