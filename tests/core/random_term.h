/* random_term.h - a deterministic generator of varied Erlang terms for the
 * tests that compare relman with the installed OTP (test_term.c, test_etf.c).
 * Header-only: each test executable gets its own copy. */
#ifndef RELMAN_TEST_RANDOM_TERM_H
#define RELMAN_TEST_RANDOM_TERM_H

#include "core/term.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static struct rel_term *random_term(int depth)
{
    static const char *atoms[] = {"a",
                                  "kernel",
                                  "application",
                                  "Elixir.KV.Registry",
                                  "a b",
                                  "end",
                                  "é",
                                  "π",
                                  "",
                                  "x@y",
                                  "with'quote",
                                  "UPPER",
                                  "a_long_atom_name_that_takes_room"};
    static const char *strings[] = {
        "",        "hello",     "with \"quotes\" and \\", "line\nbreak",
        "é latin", "π unicode", "\x01\x7f ctl",           "$ROOT/lib/kernel-8.5.3/ebin"};
    int kind = (int)(rnd() % (depth > 3 ? 6 : 11));
    switch (kind) {
    case 0:
        return rel_term_atom(atoms[rnd() % (sizeof(atoms) / sizeof(atoms[0]))]);
    case 1: {
        int64_t v = (int64_t)(rnd() % 2000) - 1000;
        if (rnd() % 4 == 0)
            v = (int64_t)rnd();
        return rel_term_int(v);
    }
    case 2: {
        uint8_t mag[20];
        for (size_t i = 0; i < sizeof(mag); i++)
            mag[i] = (uint8_t)rnd();
        return rel_term_bigint(rnd() % 2, mag, 9 + rnd() % 11);
    }
    case 3: {
        double d;
        uint64_t bits = rnd();
        memcpy(&d, &bits, 8);
        if (!isfinite(d) || rnd() % 2)
            d = (double)(int64_t)(rnd() % 100000) / (double)(1 + rnd() % 1000);
        return rel_term_float(d);
    }
    case 4:
        return rel_term_string(strings[rnd() % (sizeof(strings) / sizeof(strings[0]))]);
    case 5: {
        uint8_t data[24];
        size_t n = rnd() % sizeof(data);
        int mode = (int)(rnd() % 3);
        for (size_t i = 0; i < n; i++)
            data[i] = mode == 0 ? (uint8_t)('a' + rnd() % 26) : (uint8_t)rnd();
        if (mode == 2)
            return rel_term_binary_str("caf\xC3\xA9 \xCF\x80");
        return rel_term_binary(data, n);
    }
    case 6:
    case 7: {
        struct rel_term *l = rel_term_list_new();
        size_t n = rnd() % 12;
        for (size_t i = 0; i < n; i++)
            rel_term_list_append(l, random_term(depth + 1));
        if (n && rnd() % 6 == 0)
            rel_term_list_set_tail(l, rel_term_atom("tail"));
        return l;
    }
    case 8:
    case 9: {
        size_t n = rnd() % 6;
        struct rel_term *t = rel_term_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            rel_term_tuple_set(t, i,
                               i == 0 && rnd() % 2 ? rel_term_atom(atoms[rnd() % 4])
                                                   : random_term(depth + 1));
        return t;
    }
    default: {
        struct rel_term *m = rel_term_map_new();
        size_t n = rnd() % 5;
        for (size_t i = 0; i < n; i++)
            rel_term_map_put(m, random_term(depth + 2), random_term(depth + 1));
        return m;
    }
    }
}

#endif
