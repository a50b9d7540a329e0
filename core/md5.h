/*
 * md5.h - MD5 (RFC 1321), for the one place Erlang's distribution handshake
 * needs it: the challenge digest, MD5(cookie ++ decimal challenge). Not for
 * anything that needs a secure hash (core/sha256 is that).
 */
#ifndef RELMAN_CORE_MD5_H
#define RELMAN_CORE_MD5_H

#include <stddef.h>
#include <stdint.h>

struct rel_md5 {
    uint32_t h[4];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* pending input */
    size_t used;       /* bytes in block */
};

void rel_md5_init(struct rel_md5 *m);
void rel_md5_update(struct rel_md5 *m, const void *data, size_t len);
void rel_md5_final(struct rel_md5 *m, uint8_t out[16]);

#endif
