/* SHA-256 (FIPS 180-4), for content keys in core without a crypto library. */
#ifndef RELMAN_CORE_SHA256_H
#define RELMAN_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct rel_sha256 {
    uint32_t h[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* pending input */
    size_t used;       /* bytes in block */
};

void rel_sha256_init(struct rel_sha256 *s);
void rel_sha256_update(struct rel_sha256 *s, const void *data, size_t len);
void rel_sha256_final(struct rel_sha256 *s, uint8_t out[32]);

/* The digest of `len` bytes as 64 lowercase hex digits and a NUL. */
void rel_sha256_hex(char out[65], const void *data, size_t len);

#endif
