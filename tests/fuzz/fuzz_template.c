/*
 * fuzz_template.c - rel/*.eex templates are untrusted input: rendering any
 * bytes must succeed or fail with one "FILE:LINE: ..." error whose line is a
 * line of the input, never crash, hang or leak. Also checked:
 *   - rendering is deterministic (twice gives the same bytes);
 *   - text without "<%" renders to itself;
 *   - what rendered also renders when appended to a plain prefix line, with
 *     that prefix in front (and an error moves down by exactly one line).
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/template.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_template: %s (%s)\n", what, rel_error_message());
        abort();
    }
}

/* A few options and application fields, the rest missing (prints nothing). */
static int option(void *ctx, const char *key, struct rel_buf *out, bool *found)
{
    (void)ctx;
    *found = true;
    if (strcmp(key, "cookie") == 0)
        return rel_buf_puts(out, "SECRET");
    if (strcmp(key, "include_erts") == 0)
        return rel_buf_puts(out, "true");
    if (strcmp(key, "quiet") == 0)
        return rel_buf_puts(out, "false");
    *found = false;
    return 0;
}

static int app_field(void *ctx, const char *app, const char *key, struct rel_buf *out,
                     bool *found)
{
    (void)ctx;
    *found = false;
    if (strcmp(app, "kv") != 0 && strcmp(app, "kernel") != 0)
        return 0;
    *found = true;
    if (strcmp(key, "vsn") == 0)
        return rel_buf_puts(out, strcmp(app, "kv") == 0 ? "0.1.0" : "8.5.3");
    if (strcmp(key, "mode") == 0)
        return rel_buf_puts(out, "permanent");
    if (strcmp(key, "otp_app?") == 0)
        return rel_buf_puts(out, strcmp(app, "kernel") == 0 ? "true" : "false");
    *found = false;
    return 0;
}

static const struct rel_template_vars vars = {
    .name = "foo",
    .version = "0.0.1",
    .path = "/srv/foo",
    .version_path = "/srv/foo/releases/0.0.1",
    .erts_version = "13.1.5",
    .option = option,
    .app_field = app_field,
};

/* The LINE of "fuzz.eex:LINE: ..." (0 when the message has another form). */
static long error_line(void)
{
    const char *m = rel_error_message();
    if (strncmp(m, "fuzz.eex:", 9) != 0)
        return 0;
    char *end;
    long line = strtol(m + 9, &end, 10);
    return *end == ':' ? line : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    long lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';

    struct rel_buf a = REL_BUF_INIT, b = REL_BUF_INIT;
    int rc = rel_template_render(&a, text, size, "fuzz.eex", &vars);
    long line = 0;
    if (rc < 0) {
        must(rc == REL_ETEMPLATE || rc == REL_ELIMIT, "unexpected error code");
        must(strncmp(rel_error_message(), "fuzz.eex:", 9) == 0, "error does not name the file");
        must(strchr(rel_error_message(), '\n') == NULL, "error is not one line");
        if (rc == REL_ETEMPLATE) {
            line = error_line();
            must(line >= 1 && line <= lines, "error line outside the input");
        }
    }
    must(rel_template_render(&b, text, size, "fuzz.eex", &vars) == rc, "second render differs");
    if (rc == 0) {
        must(a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0),
             "second render differs");
        bool plain = size == 0 || memchr(text, '\0', size) == NULL;
        for (size_t i = 0; plain && i + 1 < size; i++)
            plain = !(text[i] == '<' && text[i + 1] == '%');
        if (plain)
            must(a.len == size && (size == 0 || memcmp(a.ptr, text, size) == 0),
                 "plain text changed");
    }

    /* the same text after a plain first line */
    if (size < 4096) {
        struct rel_buf in = REL_BUF_INIT, c = REL_BUF_INIT;
        static const char head[] = "# head\n";
        must(rel_buf_puts(&in, head) == 0 && rel_buf_put(&in, text, size) == 0, "buffer");
        int rc2 = rel_template_render(&c, in.ptr, in.len, "fuzz.eex", &vars);
        must(rc2 == rc, "a plain first line changed the outcome");
        if (rc == 0)
            must(c.len == a.len + strlen(head) && memcmp(c.ptr, head, strlen(head)) == 0 &&
                     (a.len == 0 || memcmp(c.ptr + strlen(head), a.ptr, a.len) == 0),
                 "a plain first line changed the output");
        else if (rc == REL_ETEMPLATE)
            must(error_line() == line + 1, "a plain first line did not move the error down");
        rel_buf_free(&in);
        rel_buf_free(&c);
    }
    rel_buf_free(&a);
    rel_buf_free(&b);
    rel_error_clear();
    return 0;
}
