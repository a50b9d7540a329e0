/*
 * fuzz_beam.c - libFuzzer target for the BEAM reader and stripper.
 *
 * Any input must be read or refused, never crash. A file that reads must
 * strip (when it has the mandatory chunks) into a file that reads back with
 * the same module and atom table, compressed or not.
 */
#include "core/beam.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_beam: %s (%s)\n", what, rel_error_message());
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rel_beam b;
    if (rel_beam_parse(&b, data, size, "fuzz.beam") < 0) {
        must(b.image == NULL && b.chunks == NULL && b.module == NULL, "failed read left data");
        return 0;
    }
    must(b.module != NULL && b.natoms >= 1, "no module name");
    for (int compress = 0; compress <= 1; compress++) {
        struct rel_buf out = REL_BUF_INIT;
        struct rel_beam_strip_opts opts = {.keep = NULL, .compress = compress};
        if (rel_beam_strip(&out, &b, &opts) == 0) {
            struct rel_beam s;
            must(rel_beam_parse(&s, out.ptr, out.len, "stripped") == 0, "stripped does not read");
            must(strcmp(s.module, b.module) == 0 && s.natoms == b.natoms, "stripped differs");
            must(s.compressed == (compress != 0), "compression flag");
            must(rel_beam_find(&s, "Code") != NULL, "stripped lost Code");
            rel_beam_free(&s);
        }
        rel_buf_free(&out);
    }
    rel_beam_free(&b);
    return 0;
}
