/*
 * etf.h - Erlang's external term format (term_to_binary / binary_to_term).
 *
 * A .boot file is term_to_binary() of the boot script. relman encodes and
 * decodes the trees of core/term.h itself rather than with erl_interface's
 * `ei`: ei streams values instead of building trees, would add a build
 * dependency (erlang-dev), and byte-for-byte agreement with OTP's encoder
 * (which reproducible builds need) is easiest to guarantee by owning the
 * handful of tags involved. See docs/terms.md.
 *
 * Encoding (what OTP 25's term_to_binary(T) writes, byte for byte):
 *   atoms      ATOM_EXT (100) when every character is Latin-1, otherwise
 *              SMALL_ATOM_UTF8_EXT (119) / ATOM_UTF8_EXT (118); with
 *              REL_ETF_UTF8_ATOMS (OTP 26's default, minor_version 2) always
 *              the UTF-8 forms
 *   integers   SMALL_INTEGER_EXT (0..255), INTEGER_EXT (32-bit), else
 *              SMALL_BIG_EXT / LARGE_BIG_EXT
 *   floats     NEW_FLOAT_EXT
 *   lists      [] is NIL_EXT; a proper list of 1..65535 integers 0..255 is
 *              STRING_EXT; anything else LIST_EXT, ending in NIL_EXT or the
 *              improper tail
 *   tuples     SMALL_TUPLE_EXT (arity <= 255) or LARGE_TUPLE_EXT
 *   binaries   BINARY_EXT;  maps MAP_EXT, pairs in key order (what OTP does
 *              for maps of up to 32 keys; larger maps are valid but their
 *              pair order differs from OTP's hash order)
 *
 * Decoding accepts everything OTP writes for these types (also FLOAT_EXT,
 * SMALL_ATOM_EXT, and compressed terms, tag 80), and rejects with
 * REL_EFORMAT "offset N: what" anything malformed: truncated data, unknown
 * tags, bytes after the term, invalid UTF-8 atoms, non-finite floats,
 * duplicate map keys; pids, ports, references and funs are refused as not
 * belonging in a release file; bitstrings as not supported. Nesting is bounded
 * by REL_TERM_MAX_DEPTH and sizes by the input (and REL_ETF_MAX_INFLATED for
 * compressed terms).
 */
#ifndef REL_ETF_H
#define REL_ETF_H

#include "term.h"

#include <stddef.h>
#include <sys/types.h>

struct rel_buf;

/* Largest size a compressed term may claim to inflate to. */
#define REL_ETF_MAX_INFLATED ((size_t)64 << 20)

enum rel_etf_flags {
    /* Write every atom as UTF-8 (OTP 26+ default; readable by OTP >= 20). */
    REL_ETF_UTF8_ATOMS = 1 << 0,
    /* What a running node sends (core/dist): pids, ports, references and funs
     * decode to tagged tuples ({'$pid', Node, Id, Serial, Creation},
     * {'$port', Node, Id, Creation}, {'$ref', Node, Creation, Ids},
     * {'$fun', M, F, A} or {'$fun', Size}); on encoding, '$pid' tuples are
     * written as pids again. Release files never use it. */
    REL_ETF_HANDLES = 1 << 1,
};

/* Append the version byte (131) and the encoding of `t` to `out`.
 * REL_EINVAL for a term that cannot be encoded (NULL slot, NaN),
 * REL_ELIMIT when `out` is full or `t` nests too deep. */
int rel_etf_encode(struct rel_buf *out, const struct rel_term *t, unsigned flags);

/* Decode exactly one term from `len` bytes. *out is a new tree owned by the
 * caller, or NULL on error. */
int rel_etf_decode(struct rel_term **out, const void *data, size_t len);

/* Decode the one term that starts `data` (version byte included) and set
 * *used to the bytes it took; what follows is left to the caller (a
 * distribution message is two terms back to back). `flags`: REL_ETF_HANDLES
 * or 0. */
int rel_etf_decode_part(struct rel_term **out, const void *data, size_t len, unsigned flags,
                        size_t *used);

/* Read and decode a file (a .boot); errors are prefixed with the path. */
int rel_etf_read_file(struct rel_term **out, const char *path);

/* Encode `t` and write it atomically to `path` with `mode`. */
int rel_etf_write_file(const char *path, const struct rel_term *t, unsigned flags, mode_t mode);

#endif
