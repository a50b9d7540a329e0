/*
 * fuzz_etf_decode.c - libFuzzer target for the external term format decoder.
 *
 * Any input must decode or fail with an error, never crash. A decoded term
 * must re-encode (both atom encodings) and decode back equal, and print as
 * text that parses back equal.
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
        fprintf(stderr, "fuzz_etf_decode: %s (%s)\n", what, rel_error_message());
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rel_term *t = NULL;
    if (rel_etf_decode(&t, data, size) < 0) {
        must(t == NULL, "failed decode returned a term");
        return 0;
    }
    for (unsigned flags = 0; flags <= REL_ETF_UTF8_ATOMS; flags++) {
        struct rel_buf e = REL_BUF_INIT;
        must(rel_etf_encode(&e, t, flags) == 0, "re-encode failed");
        struct rel_term *d = NULL;
        must(rel_etf_decode(&d, e.ptr, e.len) == 0, "decode of re-encoding failed");
        must(rel_term_equal(t, d), "re-encoding differs");
        rel_term_free(d);
        rel_buf_free(&e);
    }
    struct rel_buf b = REL_BUF_INIT;
    must(rel_buf_puts(&b, "%% coding: utf-8\n") == 0, "buffer");
    must(rel_term_print(&b, t, REL_TERM_PRINT_PRETTY) == 0, "print failed");
    must(rel_buf_puts(&b, ".") == 0, "buffer");
    struct rel_term *back = NULL;
    must(rel_term_parse_one(&back, b.ptr, b.len, "printed") == 0, "printed text does not parse");
    must(rel_term_equal(t, back), "printed text is not equal");
    rel_term_free(back);
    rel_buf_free(&b);
    rel_term_free(t);
    return 0;
}
