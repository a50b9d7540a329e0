/*
 * fuzz_term_parse.c - libFuzzer target for the term text parser.
 *
 * Any input must parse or fail with an error, never crash. What parses must
 * also survive the rest of the pipeline: printed compact and pretty it reads
 * back equal; cloned it compares equal; encoded to the external format it
 * decodes back equal. A broken promise aborts, which libFuzzer reports.
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/etf.h"
#include "core/term.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_term_parse: %s (%s)\n", what, rel_error_message());
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rel_terms ts = {0};
    if (rel_term_parse(&ts, (const char *)data, size, "fuzz") < 0) {
        must(ts.len == 0 && ts.items == NULL, "failed parse left terms behind");
        must(strncmp(rel_error_message(), "fuzz:", 5) == 0, "error without position");
        return 0;
    }
    for (size_t i = 0; i < ts.len; i++) {
        const struct rel_term *t = ts.items[i];
        for (unsigned flags = 0; flags <= REL_TERM_PRINT_PRETTY; flags++) {
            /* as in a file relman writes: the coding line first, so that a
             * "% coding: latin-1" inside a string on line 1 or 2 of the
             * text cannot switch the encoding (epp would be fooled too) */
            struct rel_buf b = REL_BUF_INIT;
            must(rel_buf_puts(&b, "%% coding: utf-8\n") == 0, "buffer");
            must(rel_term_print(&b, t, flags) == 0, "print failed");
            must(rel_buf_puts(&b, ".") == 0, "buffer");
            struct rel_term *back = NULL;
            must(rel_term_parse_one(&back, b.ptr, b.len, "reprint") == 0, "reprint does not parse");
            must(rel_term_equal(t, back), "reprint is not equal");
            rel_term_free(back);
            rel_buf_free(&b);
        }
        struct rel_term *c = rel_term_clone(t);
        must(rel_term_equal(t, c) && rel_term_compare(c, t) == 0, "clone differs");
        rel_term_free(c);
        struct rel_buf e = REL_BUF_INIT;
        must(rel_etf_encode(&e, t, 0) == 0, "encode failed");
        struct rel_term *d = NULL;
        must(rel_etf_decode(&d, e.ptr, e.len) == 0, "decode of own encoding failed");
        must(rel_term_equal(t, d), "external format round trip differs");
        rel_term_free(d);
        rel_buf_free(&e);
    }
    rel_terms_free(&ts);
    return 0;
}
