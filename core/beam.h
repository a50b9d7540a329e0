/*
 * beam.h - BEAM object files: read the chunk container, list chunks, read
 * the module name and atom table, and strip to a set of chunks.
 *
 * Format (an IFF variant): "FOR1", a big-endian u32 size (the file length
 * minus 8), "BEAM", then chunks: a 4-character id, a u32 data length, the
 * data, and zero padding to a multiple of 4 bytes (not counted in the
 * length). A file may instead be gzip-compressed; the runtime and beam_lib
 * load those too. See /work/shared/reference/otp-release-format.md section 6
 * and docs/terms.md.
 *
 * Reading is strict: the size field must match the file, every chunk must lie
 * inside it with its padding, ids must be printable and unique, and the atom
 * table must be well-formed. A file that is truncated or lies about a size is
 * refused with REL_EFORMAT and a message naming the file and the offset.
 *
 * Stripping keeps, in this order, the "Attr" chunk, beam_lib's significant
 * chunks (REL_BEAM_SIGNIFICANT_CHUNKS) and any extra chunks asked for, leaving
 * out those the file lacks. That is the order of beam_lib:strip(F, ["Attr"])
 * and of mix's strip_beams, so the result (before compression) is byte for
 * byte what beam_lib:strip writes. The mandatory chunks (Code, ExpT, ImpT,
 * StrT) must be present.
 */
#ifndef REL_BEAM_H
#define REL_BEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rel_buf;

/* Largest BEAM file relman reads, compressed or not. */
#define REL_BEAM_MAX_SIZE ((size_t)256 << 20)

/* beam_lib:significant_chunks() of OTP 25, in its order; NULL-terminated. */
extern const char *const REL_BEAM_SIGNIFICANT_CHUNKS[];

struct rel_beam_chunk {
    char id[5];          /* NUL-terminated */
    const uint8_t *data; /* points into rel_beam.image */
    size_t len;          /* data length (without padding) */
    size_t offset;       /* of the chunk header in the uncompressed image */
};

struct rel_beam {
    uint8_t *image; /* the uncompressed file (owned) */
    size_t len;
    bool compressed;  /* the file was gzip-compressed */
    size_t file_size; /* bytes read (the compressed size when compressed) */
    struct rel_beam_chunk *chunks;
    size_t nchunks;
    char *module; /* UTF-8 module name (the first atom) */
    char **atoms; /* the atom table, UTF-8 (atoms[0] is the module) */
    size_t natoms;
};

/*
 * Read a BEAM image from `len` bytes (copied), gunzipping when it starts with
 * the gzip magic. `name` (may be NULL) names the file in messages. On error
 * *beam is left empty (safe to rel_beam_free).
 */
int rel_beam_parse(struct rel_beam *beam, const void *data, size_t len, const char *name);

/* rel_beam_parse() of the bytes in `buf`, taking them over instead of
 * copying them: `buf` is left empty (free it as usual). */
int rel_beam_parse_buf(struct rel_beam *beam, struct rel_buf *buf, const char *name);

/* rel_beam_parse_buf() for a caller that needs the chunks and the module
 * name only (stripping): the atom table is checked as fully as ever, but
 * only its first atom is kept (natoms is 1). */
int rel_beam_parse_buf_module(struct rel_beam *beam, struct rel_buf *buf, const char *name);

/* rel_beam_parse() of the file at `path`. */
int rel_beam_read(struct rel_beam *beam, const char *path);

/* Free what the beam holds; accepts NULL and an emptied beam. */
void rel_beam_free(struct rel_beam *beam);

/* The chunk `id` ("Code"), or NULL. */
const struct rel_beam_chunk *rel_beam_find(const struct rel_beam *beam, const char *id);

/*
 * Append a BEAM file made of `n` chunks (in that order, padded) to `out`,
 * gzip-compressed when `compress`. Ids must be 4 characters.
 */
int rel_beam_build(struct rel_buf *out, const struct rel_beam_chunk *chunks, size_t n,
                   bool compress);

struct rel_beam_strip_opts {
    const char *const *keep; /* extra chunk ids to keep (NULL-terminated), or NULL */
    bool compress;           /* gzip the result */
};

/* Append the stripped file to `out` (opts may be NULL: defaults). Fails with
 * REL_EFORMAT when a mandatory chunk is missing. */
int rel_beam_strip(struct rel_buf *out, const struct rel_beam *beam,
                   const struct rel_beam_strip_opts *opts);

/* Read `src`, strip it and write `dst` atomically with `mode` (src == dst is
 * fine: the new file replaces the old one only once complete). */
int rel_beam_strip_file(const char *src, const char *dst, const struct rel_beam_strip_opts *opts,
                        mode_t mode);

#endif
