/*
 * beam.c - BEAM chunk container: read, list, strip, build (see beam.h).
 */
#include "beam.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *const REL_BEAM_SIGNIFICANT_CHUNKS[] = {
    "Line", "Type", "Atom", "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "Meta", NULL,
};

static const char *const mandatory_chunks[] = {"Code", "ExpT", "ImpT", "StrT", NULL};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int berr(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int berr(const char *name, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rel_error_set(REL_EFORMAT, "%s: %s", name, msg);
}

void rel_beam_free(struct rel_beam *beam)
{
    if (!beam)
        return;
    free(beam->image);
    free(beam->chunks);
    free(beam->module);
    if (beam->atoms)
        free(beam->atoms[0]); /* the strings share one block, which atoms[0] starts */
    free(beam->atoms);
    memset(beam, 0, sizeof(*beam));
}

const struct rel_beam_chunk *rel_beam_find(const struct rel_beam *beam, const char *id)
{
    /* ids are 4 characters: compare them as one word */
    if (!beam || strlen(id) != 4)
        return NULL;
    uint32_t want;
    memcpy(&want, id, 4);
    for (size_t i = 0; i < beam->nchunks; i++) {
        uint32_t have;
        memcpy(&have, beam->chunks[i].id, 4);
        if (have == want)
            return &beam->chunks[i];
    }
    return NULL;
}

/* gunzip `len` bytes into a new buffer of at most REL_BEAM_MAX_SIZE bytes. */
static int gunzip(const char *name, const uint8_t *data, size_t len, uint8_t **out, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return berr(name, "cannot start zlib");
    size_t cap = len * 4 + 1024, n = 0;
    if (cap > REL_BEAM_MAX_SIZE)
        cap = REL_BEAM_MAX_SIZE;
    uint8_t *buf = rel_malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    int z;
    for (;;) {
        if (n == cap) {
            if (cap >= REL_BEAM_MAX_SIZE) {
                inflateEnd(&zs);
                free(buf);
                return rel_error_set(REL_ELIMIT, "%s: uncompresses to more than %zu bytes", name,
                                     REL_BEAM_MAX_SIZE);
            }
            cap = cap * 2 > REL_BEAM_MAX_SIZE ? REL_BEAM_MAX_SIZE : cap * 2;
            buf = rel_realloc(buf, cap);
        }
        zs.next_out = buf + n;
        zs.avail_out = (uInt)(cap - n);
        z = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
        if (z == Z_STREAM_END)
            break;
        if (z != Z_OK && !(z == Z_BUF_ERROR && zs.avail_out == 0)) {
            inflateEnd(&zs);
            free(buf);
            return berr(name, "corrupt gzip data (%s)", zs.msg ? zs.msg : "truncated");
        }
        if (zs.avail_in == 0 && zs.avail_out != 0) {
            inflateEnd(&zs);
            free(buf);
            return berr(name, "truncated gzip data");
        }
    }
    size_t used = len - zs.avail_in;
    inflateEnd(&zs);
    if (used != len) {
        free(buf);
        return berr(name, "%zu bytes of garbage after the gzip data", len - used);
    }
    *out = buf;
    *outlen = n;
    return 0;
}

/*
 * The atom table: a u32 count then, per atom, a length and the bytes. The
 * length is one byte, except that (OTP 26 and later) a negative count means
 * the lengths use the compact term encoding so they can exceed 255 bytes.
 * The strings are NUL-terminated copies in one block (twice the chunk's size
 * is room enough even for Latin-1 turned into UTF-8), which atoms[0] starts;
 * a failure leaves atoms[0..natoms) valid for rel_beam_free.
 */
static int read_atoms(struct rel_beam *beam, const struct rel_beam_chunk *c, bool utf8, bool all,
                      const char *name)
{
    const uint8_t *p = c->data, *end = c->data + c->len;
    if (c->len < 4)
        return berr(name, "atom chunk '%s' is too short", c->id);
    int32_t count = (int32_t)be32(p);
    p += 4;
    bool compact = count < 0;
    uint64_t n = compact ? (uint64_t)(-(int64_t)count) : (uint64_t)count;
    if (n == 0)
        return berr(name, "atom chunk '%s' is empty (no module name)", c->id);
    if (n > c->len)
        return berr(name, "atom chunk '%s' claims %llu atoms in %zu bytes", c->id,
                    (unsigned long long)n, c->len);
    size_t kept = all ? (size_t)n : 1;
    beam->atoms = rel_calloc(kept, sizeof(char *));
    char *block = rel_malloc(2 * c->len + kept + 1), *w = block;
    beam->atoms[0] = block; /* freed through atoms[0] even if no atom is read */
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        if (p >= end)
            return berr(name, "atom chunk '%s' is truncated at atom %llu", c->id,
                        (unsigned long long)i + 1);
        if (!compact) {
            len = *p++;
        } else if ((*p & 0x07) != 0) {
            return berr(name, "atom chunk '%s': bad length tag at atom %llu", c->id,
                        (unsigned long long)i + 1);
        } else if (!(*p & 0x08)) {
            len = *p++ >> 4;
        } else if (!(*p & 0x10)) {
            if (end - p < 2)
                return berr(name, "atom chunk '%s' is truncated", c->id);
            len = ((size_t)(p[0] & 0xE0) << 3) | p[1];
            p += 2;
        } else {
            return berr(name, "atom chunk '%s': atom %llu is too long", c->id,
                        (unsigned long long)i + 1);
        }
        if ((size_t)(end - p) < len)
            return berr(name, "atom chunk '%s' is truncated at atom %llu", c->id,
                        (unsigned long long)i + 1);
        if (i >= kept) { /* checked, not kept */
            p += len;
            continue;
        }
        beam->atoms[i] = w;
        if (utf8) {
            memcpy(w, p, len);
            w[len] = '\0';
            w += len + 1;
        } else {
            w += rel_utf8_from_latin1(w, p, len);
            *w++ = '\0';
        }
        beam->natoms++;
        p += len;
    }
    beam->module = rel_strdup(beam->atoms[0]);
    return 0;
}

static bool printable_id(const uint8_t *p)
{
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return false;
    return true;
}

/* Index the chunks of the uncompressed image in beam->image. */
static int read_container(struct rel_beam *beam, bool all_atoms, const char *name)
{
    const uint8_t *img = beam->image;
    size_t len = beam->len;
    if (len < 12 || memcmp(img, "FOR1", 4) != 0)
        return berr(name, "not a BEAM file (no FOR1 header)");
    if (memcmp(img + 8, "BEAM", 4) != 0)
        return berr(name, "not a BEAM file (FOR1 form of type '%.4s')", (const char *)img + 8);
    uint64_t size = be32(img + 4);
    if (size + 8 != len)
        return berr(name, "%s: the header says %llu bytes follow it, the file has %zu",
                    size + 8 > len ? "truncated" : "bad size", (unsigned long long)size, len - 8);
    size_t pos = 12, cap = 0;
    while (pos < len) {
        if (len - pos < 8)
            return berr(name, "truncated chunk header at offset %zu", pos);
        if (!printable_id(img + pos))
            return berr(name, "chunk at offset %zu has an invalid id", pos);
        size_t clen = be32(img + pos + 4);
        size_t padded = (clen + 3) & ~(size_t)3;
        if (padded > len - pos - 8)
            return berr(name, "chunk '%.4s' at offset %zu claims %zu bytes, only %zu remain",
                        (const char *)img + pos, pos, clen, len - pos - 8);
        struct rel_beam_chunk c;
        memcpy(c.id, img + pos, 4);
        c.id[4] = '\0';
        if (rel_beam_find(beam, c.id))
            return berr(name, "duplicate chunk '%s' at offset %zu", c.id, pos);
        c.data = img + pos + 8;
        c.len = clen;
        c.offset = pos;
        if (beam->nchunks == cap) {
            cap = cap ? cap * 2 : 16;
            beam->chunks = rel_reallocarray(beam->chunks, cap, sizeof(*beam->chunks));
        }
        beam->chunks[beam->nchunks++] = c;
        pos += 8 + padded;
    }
    const struct rel_beam_chunk *at = rel_beam_find(beam, "AtU8");
    bool utf8 = at != NULL;
    if (!at)
        at = rel_beam_find(beam, "Atom");
    if (!at)
        return berr(name, "no atom table (neither 'AtU8' nor 'Atom' chunk)");
    return read_atoms(beam, at, utf8, all_atoms, name);
}

/* Parse the image `img` (owned: kept in the beam, or freed on error). */
static int parse_image(struct rel_beam *beam, uint8_t *img, size_t len, bool all_atoms,
                       const char *name)
{
    int rc;
    beam->file_size = len;
    if (len >= 2 && img[0] == 0x1F && img[1] == 0x8B) {
        beam->compressed = true;
        rc = gunzip(name, img, len, &beam->image, &beam->len);
        free(img);
        if (rc < 0)
            return rc;
    } else {
        beam->image = img;
        beam->len = len;
    }
    rc = read_container(beam, all_atoms, name);
    if (rc < 0)
        rel_beam_free(beam);
    return rc;
}

int rel_beam_parse(struct rel_beam *beam, const void *data, size_t len, const char *name)
{
    memset(beam, 0, sizeof(*beam));
    if (!name)
        name = "<beam>";
    if (len > REL_BEAM_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: larger than %zu bytes", name, REL_BEAM_MAX_SIZE);
    uint8_t *img = rel_malloc(len ? len : 1);
    if (len)
        memcpy(img, data, len);
    return parse_image(beam, img, len, true, name);
}

static int parse_buf(struct rel_beam *beam, struct rel_buf *buf, bool all_atoms, const char *name)
{
    memset(beam, 0, sizeof(*beam));
    if (!name)
        name = "<beam>";
    if (buf->len > REL_BEAM_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: larger than %zu bytes", name, REL_BEAM_MAX_SIZE);
    size_t len = buf->len;
    uint8_t *img = (uint8_t *)rel_buf_detach(buf);
    if (!img)
        img = rel_malloc(1);
    return parse_image(beam, img, len, all_atoms, name);
}

int rel_beam_parse_buf(struct rel_beam *beam, struct rel_buf *buf, const char *name)
{
    return parse_buf(beam, buf, true, name);
}

int rel_beam_parse_buf_module(struct rel_beam *beam, struct rel_buf *buf, const char *name)
{
    return parse_buf(beam, buf, false, name);
}

int rel_beam_read(struct rel_beam *beam, const char *path)
{
    memset(beam, 0, sizeof(*beam));
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_BEAM_MAX_SIZE);
    if (rc == 0)
        rc = rel_beam_parse_buf(beam, &b, path);
    rel_buf_free(&b);
    return rc;
}

/* gzip `len` bytes (zlib defaults, as zlib:gzip/1 does) onto `out`. */
static int gzip_append(struct rel_buf *out, const uint8_t *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return rel_error_set(REL_EIO, "cannot start zlib");
    size_t bound = deflateBound(&zs, (uLong)len) + 32;
    int rc = rel_buf_grow(out, bound);
    if (rc < 0) {
        deflateEnd(&zs);
        return rc;
    }
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out->ptr + out->len;
    zs.avail_out = (uInt)bound;
    int z = deflate(&zs, Z_FINISH);
    size_t produced = bound - zs.avail_out;
    deflateEnd(&zs);
    if (z != Z_STREAM_END)
        return rel_error_set(REL_EIO, "gzip compression failed");
    out->len += produced;
    out->ptr[out->len] = '\0';
    return 0;
}

int rel_beam_build(struct rel_buf *out, const struct rel_beam_chunk *chunks, size_t n,
                   bool compress)
{
    /* Uncompressed, the file is made in `out` itself; compressed, in an
     * image gzipped onto `out` at the end. Either way the room for it is
     * made once (sizes are checked in the loop). */
    struct rel_buf img = REL_BUF_INIT;
    rel_buf_init(&img, REL_BEAM_MAX_SIZE);
    struct rel_buf *dst = compress ? &img : out;
    size_t start = dst->len, total = 12;
    for (size_t i = 0; i < n; i++)
        if (chunks[i].len <= REL_BEAM_MAX_SIZE && total <= REL_BEAM_MAX_SIZE)
            total += 8 + ((chunks[i].len + 3) & ~(size_t)3);
    int rc = total <= REL_BEAM_MAX_SIZE
                 ? rel_buf_grow(dst, total)
                 : rel_error_set(REL_ELIMIT, "BEAM file would exceed %zu bytes", REL_BEAM_MAX_SIZE);
    if (rc == 0)
        rc = rel_buf_put(dst, "FOR1\0\0\0\0BEAM", 12);
    static const uint8_t zeros[4] = {0};
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strlen(chunks[i].id) != 4) {
            rc = rel_error_set(REL_EINVAL, "chunk id '%s' is not 4 characters", chunks[i].id);
            break;
        }
        if (chunks[i].len > UINT32_MAX) {
            rc = rel_error_set(REL_ELIMIT, "chunk '%s' is too large", chunks[i].id);
            break;
        }
        uint8_t hdr[8];
        memcpy(hdr, chunks[i].id, 4);
        uint32_t l = (uint32_t)chunks[i].len;
        hdr[4] = (uint8_t)(l >> 24), hdr[5] = (uint8_t)(l >> 16);
        hdr[6] = (uint8_t)(l >> 8), hdr[7] = (uint8_t)l;
        rc = rel_buf_put(dst, hdr, 8);
        if (rc == 0)
            rc = rel_buf_put(dst, chunks[i].data, chunks[i].len);
        if (rc == 0 && chunks[i].len % 4)
            rc = rel_buf_put(dst, zeros, 4 - chunks[i].len % 4);
    }
    if (rc == 0 && dst->len - start - 8 > UINT32_MAX)
        rc = rel_error_set(REL_ELIMIT, "BEAM file is too large");
    if (rc == 0) {
        uint32_t size = (uint32_t)(dst->len - start - 8);
        uint8_t *p = (uint8_t *)dst->ptr + start + 4;
        p[0] = (uint8_t)(size >> 24), p[1] = (uint8_t)(size >> 16);
        p[2] = (uint8_t)(size >> 8), p[3] = (uint8_t)size;
        if (compress)
            rc = gzip_append(out, (const uint8_t *)img.ptr, img.len);
    }
    if (rc < 0 && !compress)
        rel_buf_truncate(out, start); /* nothing half-made is left in `out` */
    rel_buf_free(&img);
    return rc;
}

int rel_beam_strip(struct rel_buf *out, const struct rel_beam *beam,
                   const struct rel_beam_strip_opts *opts)
{
    for (size_t i = 0; mandatory_chunks[i]; i++)
        if (!rel_beam_find(beam, mandatory_chunks[i]))
            return rel_error_set(REL_EFORMAT, "module %s: mandatory chunk '%s' is missing",
                                 beam->module ? beam->module : "?", mandatory_chunks[i]);
    /* The wanted ids, in order, without repeats. */
    const char *want[64];
    size_t nwant = 0;
    const char *const *lists[3] = {(const char *const[]){"Attr", NULL}, REL_BEAM_SIGNIFICANT_CHUNKS,
                                   opts ? opts->keep : NULL};
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; lists[l] && lists[l][i]; i++) {
            bool dup = false;
            for (size_t k = 0; k < nwant && !dup; k++)
                dup = strcmp(want[k], lists[l][i]) == 0;
            if (dup)
                continue;
            if (nwant == sizeof(want) / sizeof(want[0]))
                return rel_error_set(REL_ELIMIT, "too many chunks to keep");
            want[nwant++] = lists[l][i];
        }
    }
    struct rel_beam_chunk kept[64];
    size_t n = 0;
    for (size_t i = 0; i < nwant; i++) {
        const struct rel_beam_chunk *c = rel_beam_find(beam, want[i]);
        if (c)
            kept[n++] = *c;
    }
    return rel_beam_build(out, kept, n, opts && opts->compress);
}

int rel_beam_strip_file(const char *src, const char *dst, const struct rel_beam_strip_opts *opts,
                        mode_t mode)
{
    struct rel_beam beam;
    int rc = rel_beam_read(&beam, src);
    if (rc < 0)
        return rc;
    struct rel_buf out = REL_BUF_INIT;
    rc = rel_beam_strip(&out, &beam, opts);
    if (rc < 0)
        rel_error_prefix("%s", src);
    else
        rc = rel_fs_write_atomic(dst, out.ptr, out.len, mode);
    rel_buf_free(&out);
    rel_beam_free(&beam);
    return rc;
}
