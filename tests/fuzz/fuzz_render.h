/*
 * fuzz_render.h - what every template renderer's fuzz target checks
 * (fuzz_template.c: rel/*.eex; fuzz_mustache.c: relx's {{var}} templates).
 * Rendering any bytes must succeed or fail with one "FILE:LINE: ..." error
 * whose line is a line of the input, never crash, hang or leak; and:
 *   - rendering is deterministic (twice gives the same bytes);
 *   - text without the renderer's tag opener renders to itself;
 *   - after a plain first line, the output gains that line and an error
 *     moves down by exactly one line.
 * Included by one fuzz target each (static functions).
 */
#ifndef FUZZ_RENDER_H
#define FUZZ_RENDER_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_renderer {
    const char *file;   /* the name errors must start with, "fuzz.eex" */
    const char *opener; /* two characters that start a tag, "<%" */
    int (*render)(struct rel_buf *out, const char *text, size_t len);
};

static void fuzz_must(const struct fuzz_renderer *fr, int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz %s: %s (%s)\n", fr->file, what, rel_error_message());
        abort();
    }
}

/* The LINE of "FILE:LINE: ..." (0 when the message has another form). */
static long fuzz_error_line(const struct fuzz_renderer *fr)
{
    const char *m = rel_error_message();
    size_t fl = strlen(fr->file);
    if (strncmp(m, fr->file, fl) != 0 || m[fl] != ':')
        return 0;
    char *end;
    long line = strtol(m + fl + 1, &end, 10);
    return *end == ':' ? line : 0;
}

static void fuzz_render_check(const struct fuzz_renderer *fr, const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    long lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    struct rel_buf a, b;
    rel_buf_init(&a, (size_t)4 << 20);
    rel_buf_init(&b, (size_t)4 << 20);
    int rc = fr->render(&a, text, size);
    long line = 0;
    if (rc < 0) {
        fuzz_must(fr, rc == REL_ETEMPLATE || rc == REL_ELIMIT, "unexpected error code");
        fuzz_must(fr, strncmp(rel_error_message(), fr->file, strlen(fr->file)) == 0,
                  "error does not name the file");
        fuzz_must(fr, strchr(rel_error_message(), '\n') == NULL, "error is not one line");
        if (rc == REL_ETEMPLATE) {
            line = fuzz_error_line(fr);
            fuzz_must(fr, line >= 1 && line <= lines, "error line outside the input");
        }
    }
    fuzz_must(fr, fr->render(&b, text, size) == rc, "second render differs");
    if (rc == 0) {
        fuzz_must(fr, a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0),
                  "second render differs");
        bool plain = size == 0 || memchr(text, '\0', size) == NULL;
        for (size_t i = 0; plain && i + 1 < size; i++)
            plain = !(text[i] == fr->opener[0] && text[i + 1] == fr->opener[1]);
        if (plain)
            fuzz_must(fr, a.len == size && (size == 0 || memcmp(a.ptr, text, size) == 0),
                      "plain text changed");
    }
    if (size < 4096) {
        struct rel_buf in = REL_BUF_INIT, c;
        rel_buf_init(&c, (size_t)4 << 20);
        static const char head[] = "# head\n";
        fuzz_must(fr, rel_buf_puts(&in, head) == 0 && rel_buf_put(&in, text, size) == 0,
                  "buffer");
        int rc2 = fr->render(&c, in.ptr, in.len);
        fuzz_must(fr, rc2 == rc, "a plain first line changed the outcome");
        if (rc == 0)
            fuzz_must(fr,
                      c.len == a.len + strlen(head) && memcmp(c.ptr, head, strlen(head)) == 0 &&
                          (a.len == 0 || memcmp(c.ptr + strlen(head), a.ptr, a.len) == 0),
                      "a plain first line changed the output");
        else if (rc == REL_ETEMPLATE && line)
            fuzz_must(fr, fuzz_error_line(fr) == line + 1,
                      "a plain first line did not move the error down");
        rel_buf_free(&in);
        rel_buf_free(&c);
    }
    rel_buf_free(&a);
    rel_buf_free(&b);
    rel_error_clear();
}

#endif
