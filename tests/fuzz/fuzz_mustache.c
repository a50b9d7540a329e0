/*
 * fuzz_mustache.c - relx overlay templates are project input: rendering any
 * bytes must succeed or fail with one "fuzz.mustache:LINE: ..." error whose
 * line is a line of the input, never crash, hang or leak. Also checked:
 *   - rendering is deterministic (twice gives the same bytes);
 *   - text without "{{" renders to itself;
 *   - after a plain first line, the output gains that line and an error
 *     moves down by exactly one line.
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/mustache.h"
#include "core/term.h"

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
        fprintf(stderr, "fuzz_mustache: %s (%s)\n", what, rel_error_message());
        abort();
    }
}

/* Values of every kind the renderer meets in overlay variables. */
static const char CTX[] =
    "[{name, <<\"world\">>}, {n, 42}, {f, 0.25}, {t, true}, {no, false}, {str, \"abc\"},"
    " {list, [1, 2, 3]}, {pl, [{a, <<\"x\">>}, {b, [{c, 7}]}]}, {deep, [{a, [{b, \"d\"}]}]},"
    " {items, [[{x, 1}], [{x, 2}]]}, {tup, {1, 2}}, {m, #{k => v}}, {nil_v, nil}, bare].";

static struct rel_term *ctx(void)
{
    static struct rel_term *t;
    if (!t)
        must(rel_term_parse_one(&t, CTX, strlen(CTX), "ctx") == 0, "context");
    return t;
}

/* The LINE of "fuzz.mustache:LINE: ..." (0 when the message has another form). */
static long error_line(void)
{
    const char *m = rel_error_message();
    if (strncmp(m, "fuzz.mustache:", 14) != 0)
        return 0;
    char *end;
    long line = strtol(m + 14, &end, 10);
    return *end == ':' ? line : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    long lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    struct rel_buf a = REL_BUF_INIT, b = REL_BUF_INIT;
    rel_buf_init(&a, (size_t)4 << 20);
    rel_buf_init(&b, (size_t)4 << 20);
    int rc = rel_mustache_render(&a, text, size, ctx(), "fuzz.mustache");
    long line = 0;
    if (rc < 0) {
        must(rc == REL_ETEMPLATE || rc == REL_ELIMIT, "unexpected error code");
        must(strchr(rel_error_message(), '\n') == NULL, "error is not one line");
        if (rc == REL_ETEMPLATE) {
            line = error_line();
            must(line >= 1 && line <= lines, "error line outside the input");
        }
    }
    must(rel_mustache_render(&b, text, size, ctx(), "fuzz.mustache") == rc, "second render differs");
    if (rc == 0) {
        must(a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0),
             "second render differs");
        bool plain = true;
        for (size_t i = 0; plain && i + 1 < size; i++)
            plain = !(text[i] == '{' && text[i + 1] == '{');
        if (plain)
            must(a.len == size && (size == 0 || memcmp(a.ptr, text, size) == 0),
                 "plain text changed");
    }
    if (size < 4096) {
        struct rel_buf in = REL_BUF_INIT, c = REL_BUF_INIT;
        rel_buf_init(&c, (size_t)4 << 20);
        static const char head[] = "# head\n";
        must(rel_buf_puts(&in, head) == 0 && rel_buf_put(&in, text, size) == 0, "buffer");
        int rc2 = rel_mustache_render(&c, in.ptr, in.len, ctx(), "fuzz.mustache");
        must(rc2 == rc, "a plain first line changed the outcome");
        if (rc == 0)
            must(c.len == a.len + strlen(head) && memcmp(c.ptr, head, strlen(head)) == 0 &&
                     (a.len == 0 || memcmp(c.ptr + strlen(head), a.ptr, a.len) == 0),
                 "a plain first line changed the output");
        else if (rc == REL_ETEMPLATE && line)
            must(error_line() == line + 1, "a plain first line did not move the error down");
        rel_buf_free(&in);
        rel_buf_free(&c);
    }
    rel_buf_free(&a);
    rel_buf_free(&b);
    rel_error_clear();
    return 0;
}
