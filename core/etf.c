/*
 * etf.c - external term format encoder and decoder (see etf.h).
 */
#include "etf.h"

#include "alloc.h"
#include "buf.h"
#include "clocale.h"
#include "error.h"
#include "fs.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Tags, from OTP's external format documentation. */
enum {
    VERSION_MAGIC = 131,
    NEW_FLOAT_EXT = 70,
    BIT_BINARY_EXT = 77,
    COMPRESSED = 80,
    ATOM_CACHE_REF = 82,
    NEW_PID_EXT = 88,
    NEW_PORT_EXT = 89,
    NEWER_REFERENCE_EXT = 90,
    SMALL_INTEGER_EXT = 97,
    INTEGER_EXT = 98,
    FLOAT_EXT = 99,
    ATOM_EXT = 100,
    REFERENCE_EXT = 101,
    PORT_EXT = 102,
    PID_EXT = 103,
    SMALL_TUPLE_EXT = 104,
    LARGE_TUPLE_EXT = 105,
    NIL_EXT = 106,
    STRING_EXT = 107,
    LIST_EXT = 108,
    BINARY_EXT = 109,
    SMALL_BIG_EXT = 110,
    LARGE_BIG_EXT = 111,
    NEW_FUN_EXT = 112,
    EXPORT_EXT = 113,
    NEW_REFERENCE_EXT = 114,
    SMALL_ATOM_EXT = 115,
    MAP_EXT = 116,
    FUN_EXT = 117,
    ATOM_UTF8_EXT = 118,
    SMALL_ATOM_UTF8_EXT = 119,
    V4_PORT_EXT = 120,
    LOCAL_EXT = 121,
    DIST_HEADER = 68,
};

/* ======================================================================
 * Encoder
 * ====================================================================== */

struct enc {
    struct rel_buf *out;
    unsigned flags;
    int rc;
};

static void put(struct enc *e, const void *p, size_t n)
{
    if (e->rc == 0)
        e->rc = rel_buf_put(e->out, p, n);
}

static void put8(struct enc *e, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(e, &b, 1);
}

static void put16(struct enc *e, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(e, b, 2);
}

static void put32(struct enc *e, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(e, b, 4);
}

static void enc_atom(struct enc *e, const char *name, size_t len)
{
    uint8_t latin1[256];
    size_t n;
    if (!(e->flags & REL_ETF_UTF8_ATOMS) &&
        rel_utf8_to_latin1(latin1, sizeof(latin1), &n, name, len)) {
        put8(e, ATOM_EXT);
        put16(e, (unsigned)n);
        put(e, latin1, n);
        return;
    }
    if (len > 0xFFFF) {
        if (e->rc == 0)
            e->rc = rel_error_set(REL_EINVAL, "atom is too long to encode");
        return;
    }
    if (len < 256) {
        put8(e, SMALL_ATOM_UTF8_EXT);
        put8(e, (unsigned)len);
    } else {
        put8(e, ATOM_UTF8_EXT);
        put16(e, (unsigned)len);
    }
    put(e, name, len);
}

static void enc_int(struct enc *e, int64_t v)
{
    if (v >= 0 && v <= 255) {
        put8(e, SMALL_INTEGER_EXT);
        put8(e, (unsigned)v);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        put8(e, INTEGER_EXT);
        put32(e, (uint32_t)(int32_t)v);
    } else {
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint8_t bytes[8];
        size_t n = 0;
        while (mag) {
            bytes[n++] = (uint8_t)mag;
            mag >>= 8;
        }
        put8(e, SMALL_BIG_EXT);
        put8(e, (unsigned)n);
        put8(e, v < 0);
        put(e, bytes, n);
    }
}

/* Is the list a proper one of 1..65535 integers 0..255 (STRING_EXT)? */
static bool byte_list(const struct rel_term *t)
{
    if (t->kind == REL_TERM_STRING) {
        if (t->u.str.len == 0 || t->u.str.len > 0xFFFF)
            return false;
        for (size_t i = 0; i < t->u.str.len; i++)
            if (t->u.str.chars[i] > 255)
                return false;
        return true;
    }
    if (t->u.list.tail || t->u.list.len == 0 || t->u.list.len > 0xFFFF)
        return false;
    for (size_t i = 0; i < t->u.list.len; i++) {
        const struct rel_term *x = t->u.list.items[i];
        if (!x || x->kind != REL_TERM_INT || x->u.i < 0 || x->u.i > 255)
            return false;
    }
    return true;
}

static void enc_term(struct enc *e, const struct rel_term *t, int depth);

static void enc_list(struct enc *e, const struct rel_term *t, int depth)
{
    size_t n = t->kind == REL_TERM_STRING ? t->u.str.len : t->u.list.len;
    if (n == 0 && (t->kind == REL_TERM_STRING || !t->u.list.tail)) {
        put8(e, NIL_EXT);
        return;
    }
    if (byte_list(t)) {
        put8(e, STRING_EXT);
        put16(e, (unsigned)n);
        for (size_t i = 0; i < n; i++)
            put8(e, t->kind == REL_TERM_STRING ? t->u.str.chars[i]
                                               : (unsigned)t->u.list.items[i]->u.i);
        return;
    }
    if (n > UINT32_MAX) {
        if (e->rc == 0)
            e->rc = rel_error_set(REL_ELIMIT, "list is too long to encode");
        return;
    }
    if (n == 0) {
        /* [|T] is just T; canonical lists never get here */
        enc_term(e, t->u.list.tail, depth + 1);
        return;
    }
    put8(e, LIST_EXT);
    put32(e, (uint32_t)n);
    if (t->kind == REL_TERM_STRING) {
        for (size_t i = 0; i < n; i++)
            enc_int(e, t->u.str.chars[i]);
        put8(e, NIL_EXT);
        return;
    }
    for (size_t i = 0; i < n && e->rc == 0; i++)
        enc_term(e, t->u.list.items[i], depth + 1);
    if (t->u.list.tail)
        enc_term(e, t->u.list.tail, depth + 1);
    else
        put8(e, NIL_EXT);
}

/* Map pairs go out in key order (integers before floats, then term order),
 * which is how OTP stores and encodes maps of up to 32 keys. */
static void enc_map(struct enc *e, const struct rel_term *t, int depth)
{
    size_t n = t->u.map.len;
    if (n > UINT32_MAX) {
        if (e->rc == 0)
            e->rc = rel_error_set(REL_ELIMIT, "map is too large to encode");
        return;
    }
    size_t *idx = rel_term_key_order(t->u.map.keys, n);
    put8(e, MAP_EXT);
    put32(e, (uint32_t)n);
    for (size_t i = 0; i < n && e->rc == 0; i++) {
        enc_term(e, t->u.map.keys[idx[i]], depth + 1);
        enc_term(e, t->u.map.values[idx[i]], depth + 1);
    }
    free(idx);
}

/* With REL_ETF_HANDLES, {'$pid', Node, Id, Serial, Creation} is a pid
 * (NEW_PID_EXT); true when `t` was one and has been written. */
static bool enc_pid(struct enc *e, const struct rel_term *t)
{
    if (t->u.tuple.len != 5 || !rel_term_is_atom(t->u.tuple.items[0], "$pid") ||
        t->u.tuple.items[1]->kind != REL_TERM_ATOM)
        return false;
    for (int i = 2; i < 5; i++)
        if (t->u.tuple.items[i]->kind != REL_TERM_INT || t->u.tuple.items[i]->u.i < 0 ||
            t->u.tuple.items[i]->u.i > (int64_t)UINT32_MAX)
            return false;
    put8(e, NEW_PID_EXT);
    enc_atom(e, t->u.tuple.items[1]->u.atom.name, t->u.tuple.items[1]->u.atom.len);
    for (int i = 2; i < 5; i++)
        put32(e, (uint32_t)t->u.tuple.items[i]->u.i);
    return true;
}

static void enc_term(struct enc *e, const struct rel_term *t, int depth)
{
    if (e->rc)
        return;
    if (!t) {
        e->rc = rel_error_set(REL_EINVAL, "cannot encode an incomplete term (a NULL element)");
        return;
    }
    if (depth >= REL_TERM_MAX_DEPTH) {
        e->rc = rel_error_set(REL_ELIMIT, "term nests deeper than %d levels", REL_TERM_MAX_DEPTH);
        return;
    }
    switch (t->kind) {
    case REL_TERM_ATOM:
        enc_atom(e, t->u.atom.name, t->u.atom.len);
        return;
    case REL_TERM_INT:
        enc_int(e, t->u.i);
        return;
    case REL_TERM_BIGINT:
        if (t->u.big.len <= 255) {
            put8(e, SMALL_BIG_EXT);
            put8(e, (unsigned)t->u.big.len);
        } else {
            put8(e, LARGE_BIG_EXT);
            put32(e, (uint32_t)t->u.big.len);
        }
        put8(e, t->u.big.negative);
        put(e, t->u.big.mag, t->u.big.len);
        return;
    case REL_TERM_FLOAT: {
        if (!isfinite(t->u.f)) {
            e->rc = rel_error_set(REL_EINVAL, "cannot encode a float that is not finite");
            return;
        }
        uint64_t bits;
        memcpy(&bits, &t->u.f, 8);
        put8(e, NEW_FLOAT_EXT);
        put32(e, (uint32_t)(bits >> 32));
        put32(e, (uint32_t)bits);
        return;
    }
    case REL_TERM_STRING:
    case REL_TERM_LIST:
        enc_list(e, t, depth);
        return;
    case REL_TERM_BINARY:
        if (t->u.bin.len > UINT32_MAX) {
            e->rc = rel_error_set(REL_ELIMIT, "binary is too large to encode");
            return;
        }
        put8(e, BINARY_EXT);
        put32(e, (uint32_t)t->u.bin.len);
        put(e, t->u.bin.data, t->u.bin.len);
        return;
    case REL_TERM_TUPLE:
        if ((e->flags & REL_ETF_HANDLES) && enc_pid(e, t))
            return;
        if (t->u.tuple.len <= 255) {
            put8(e, SMALL_TUPLE_EXT);
            put8(e, (unsigned)t->u.tuple.len);
        } else {
            put8(e, LARGE_TUPLE_EXT);
            put32(e, (uint32_t)t->u.tuple.len);
        }
        for (size_t i = 0; i < t->u.tuple.len && e->rc == 0; i++)
            enc_term(e, t->u.tuple.items[i], depth + 1);
        return;
    case REL_TERM_MAP:
        enc_map(e, t, depth);
        return;
    }
    e->rc = rel_error_set(REL_EINVAL, "cannot encode a term of unknown kind %d", (int)t->kind);
}

int rel_etf_encode(struct rel_buf *out, const struct rel_term *t, unsigned flags)
{
    struct enc e = {out, flags, 0};
    size_t start = out->len;
    put8(&e, VERSION_MAGIC);
    enc_term(&e, t, 0);
    if (e.rc)
        rel_buf_truncate(out, start);
    return e.rc;
}

int rel_etf_write_file(const char *path, const struct rel_term *t, unsigned flags, mode_t mode)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_etf_encode(&b, t, flags);
    if (rc < 0)
        rel_error_prefix("%s", path);
    else
        rc = rel_fs_write_atomic(path, b.ptr, b.len, mode);
    rel_buf_free(&b);
    return rc;
}

/* ======================================================================
 * Decoder
 * ====================================================================== */

struct dec {
    const uint8_t *p;
    size_t len, pos;
    size_t base;    /* offset of p[0] in the caller's data (for messages) */
    unsigned flags; /* REL_ETF_HANDLES: pids, ports, references, funs as tagged tuples */
};

static int derr(const struct dec *d, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int derr(const struct dec *d, size_t at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rel_error_set(REL_EFORMAT, "offset %zu: %s", d->base + at, msg);
}

static int need(const struct dec *d, size_t n, const char *what)
{
    if (d->len - d->pos < n)
        return derr(d, d->pos, "truncated %s (needs %zu bytes, %zu left)", what, n,
                    d->len - d->pos);
    return 0;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int dec_term(struct dec *d, struct rel_term **out, int depth);

/* Latin-1 or UTF-8 atom text of `n` bytes at the current position. */
static int dec_atom(struct dec *d, size_t n, bool utf8, struct rel_term **out)
{
    size_t at = d->pos;
    int rc = need(d, n, "atom");
    if (rc)
        return rc;
    const uint8_t *s = d->p + d->pos;
    if (utf8) {
        size_t chars;
        if (!rel_utf8_valid(s, n, &chars))
            return derr(d, at, "atom is not valid UTF-8");
        if (chars > REL_TERM_MAX_ATOM_CHARS)
            return derr(d, at, "atom is longer than %d characters", REL_TERM_MAX_ATOM_CHARS);
        *out = rel_term_atom_len((const char *)s, n);
    } else {
        if (n > REL_TERM_MAX_ATOM_CHARS)
            return derr(d, at, "atom is longer than %d characters", REL_TERM_MAX_ATOM_CHARS);
        char buf[2 * 256];
        *out = rel_term_atom_len(buf, rel_utf8_from_latin1(buf, s, n));
    }
    d->pos += n;
    return 0;
}

static int dec_big(struct dec *d, size_t n, struct rel_term **out)
{
    size_t at = d->pos;
    int rc = need(d, 1 + (size_t)n, "integer");
    if (rc)
        return rc;
    uint8_t sign = d->p[d->pos];
    if (sign > 1)
        return derr(d, at, "invalid sign byte %u in integer", sign);
    /* trailing zero bytes are allowed; measure the real size */
    size_t real = n;
    while (real > 0 && d->p[d->pos + 1 + real - 1] == 0)
        real--;
    if (real > REL_TERM_MAX_BIG_BYTES)
        return rel_error_set(REL_ELIMIT, "offset %zu: integer of %zu bytes is too large",
                             d->base + at, real);
    *out = rel_term_bigint(sign == 1, d->p + d->pos + 1, real);
    d->pos += 1 + n;
    return 0;
}

static int dec_list(struct dec *d, struct rel_term **out, int depth)
{
    size_t at = d->pos - 1;
    int rc = need(d, 4, "list");
    if (rc)
        return rc;
    uint32_t n = get32(d->p + d->pos);
    d->pos += 4;
    /* every element and the tail take at least one byte */
    if ((size_t)n + 1 > d->len - d->pos)
        return derr(d, at, "list of %u elements is longer than the data", n);
    struct rel_term *l = rel_term_list_new();
    if (n) {
        l->u.list.items = rel_reallocarray(NULL, n, sizeof(*l->u.list.items));
        l->u.list.cap = n;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct rel_term *x;
        if ((rc = dec_term(d, &x, depth + 1)) < 0) {
            rel_term_free(l);
            return rc;
        }
        l->u.list.items[l->u.list.len++] = x;
    }
    if (d->pos < d->len && d->p[d->pos] == NIL_EXT) {
        d->pos++;
    } else {
        struct rel_term *tail;
        if ((rc = dec_term(d, &tail, depth + 1)) < 0) {
            rel_term_free(l);
            return rc;
        }
        if (n == 0) {
            /* [|T] is T */
            rel_term_free(l);
            *out = tail;
            return 0;
        }
        rel_term_list_set_tail(l, tail);
    }
    *out = l;
    return 0;
}

static int dec_map(struct dec *d, struct rel_term **out, int depth)
{
    size_t at = d->pos - 1;
    int rc = need(d, 4, "map");
    if (rc)
        return rc;
    uint32_t n = get32(d->p + d->pos);
    d->pos += 4;
    if ((size_t)n * 2 > d->len - d->pos)
        return derr(d, at, "map of %u pairs is longer than the data", n);
    struct rel_term *m = rel_term_map_new();
    if (n) {
        m->u.map.keys = rel_reallocarray(NULL, n, sizeof(*m->u.map.keys));
        m->u.map.values = rel_reallocarray(NULL, n, sizeof(*m->u.map.values));
        m->u.map.cap = n;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct rel_term *k, *v;
        if ((rc = dec_term(d, &k, depth + 1)) < 0)
            goto fail;
        if ((rc = dec_term(d, &v, depth + 1)) < 0) {
            rel_term_free(k);
            goto fail;
        }
        m->u.map.keys[i] = k;
        m->u.map.values[i] = v;
        m->u.map.len++;
    }
    /* equal keys end up next to each other in key order */
    size_t *idx = rel_term_key_order(m->u.map.keys, n);
    for (uint32_t i = 1; i < n; i++) {
        if (rel_term_equal(m->u.map.keys[idx[i - 1]], m->u.map.keys[idx[i]])) {
            free(idx);
            rc = derr(d, at, "duplicate key in map");
            goto fail;
        }
    }
    free(idx);
    *out = m;
    return 0;
fail:
    rel_term_free(m);
    return rc;
}

static int dec_compressed(struct dec *d, struct rel_term **out, int depth)
{
    size_t at = d->pos - 1;
    int rc = need(d, 4, "compressed term");
    if (rc)
        return rc;
    uint32_t size = get32(d->p + d->pos);
    d->pos += 4;
    if (size > REL_ETF_MAX_INFLATED)
        return rel_error_set(REL_ELIMIT, "offset %zu: compressed term claims %u bytes (limit %zu)",
                             d->base + at, size, REL_ETF_MAX_INFLATED);
    uint8_t *buf = rel_malloc(size ? size : 1);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK) {
        free(buf);
        return derr(d, at, "cannot start zlib");
    }
    zs.next_in = (Bytef *)(d->p + d->pos);
    zs.avail_in = (uInt)((d->len - d->pos) > UINT32_MAX ? UINT32_MAX : d->len - d->pos);
    zs.next_out = buf;
    zs.avail_out = size;
    int z = inflate(&zs, Z_FINISH);
    size_t used = zs.total_in, produced = zs.total_out;
    inflateEnd(&zs);
    if (z != Z_STREAM_END || produced != size) {
        free(buf);
        return derr(d, at, "compressed term is corrupt or not %u bytes", size);
    }
    struct dec inner = {buf, size, 0, 0, d->flags};
    rc = dec_term(&inner, out, depth + 1);
    if (rc == 0 && inner.pos != inner.len) {
        rel_term_free(*out);
        *out = NULL;
        rc = derr(d, at, "compressed term has %zu bytes after the term", inner.len - inner.pos);
    } else if (rc < 0) {
        rel_error_prefix("inside the compressed term at offset %zu", d->base + at);
    }
    free(buf);
    d->pos += used;
    return rc;
}

/*
 * With REL_ETF_HANDLES (what a running node sends): a pid, port, reference or
 * fun as a tagged tuple that rel_etf_encode() turns back into the same bytes
 * where that matters (pids):
 *   {'$pid', Node, Id, Serial, Creation}   {'$port', Node, Id, Creation}
 *   {'$ref', Node, Creation, [Id...]}      {'$fun', Module, Function, Arity}
 *   {'$fun', Size} for a closure (its environment is skipped, not decoded)
 */
static int dec_handle(struct dec *d, uint8_t tag, struct rel_term **out, int depth)
{
    size_t at = d->pos - 1;
    int rc;
    if (tag == NEW_FUN_EXT) {
        if ((rc = need(d, 4, "fun")))
            return rc;
        uint32_t size = get32(d->p + d->pos); /* counts itself, not the tag */
        if (size < 4 || d->len - d->pos < size)
            return derr(d, at, "truncated fun");
        d->pos += size;
        *out = rel_term_tuple(2, rel_term_atom("$fun"), rel_term_int(size));
        return 0;
    }
    struct rel_term *a = NULL, *b = NULL, *c = NULL;
    if (tag == EXPORT_EXT) {
        if ((rc = dec_term(d, &a, depth + 1)) || (rc = dec_term(d, &b, depth + 1)) ||
            (rc = dec_term(d, &c, depth + 1)))
            goto fail;
        *out = rel_term_tuple(4, rel_term_atom("$fun"), a, b, c);
        return 0;
    }
    size_t nids = 0;
    if (tag == NEWER_REFERENCE_EXT || tag == NEW_REFERENCE_EXT) {
        if ((rc = need(d, 2, "reference")))
            return rc;
        nids = (size_t)d->p[d->pos] << 8 | d->p[d->pos + 1];
        d->pos += 2;
        if (nids > 5)
            return derr(d, at, "reference with %zu words", nids);
    }
    if ((rc = dec_term(d, &a, depth + 1)))
        goto fail;
    if (a->kind != REL_TERM_ATOM) {
        rc = derr(d, at, "node name of a pid, port or reference is not an atom");
        goto fail;
    }
    size_t creation = (tag == PID_EXT || tag == PORT_EXT || tag == NEW_REFERENCE_EXT) ? 1 : 4;
    switch (tag) {
    case NEW_PID_EXT:
    case PID_EXT: {
        if ((rc = need(d, 8 + creation, "pid")))
            goto fail;
        uint32_t id = get32(d->p + d->pos), serial = get32(d->p + d->pos + 4);
        uint32_t cr = creation == 4 ? get32(d->p + d->pos + 8) : d->p[d->pos + 8];
        d->pos += 8 + creation;
        *out = rel_term_tuple(5, rel_term_atom("$pid"), a, rel_term_int(id), rel_term_int(serial),
                              rel_term_int(cr));
        return 0;
    }
    case NEW_PORT_EXT:
    case PORT_EXT:
    case V4_PORT_EXT: {
        size_t idlen = tag == V4_PORT_EXT ? 8 : 4;
        if ((rc = need(d, idlen + creation, "port")))
            goto fail;
        uint64_t id = get32(d->p + d->pos);
        if (idlen == 8)
            id = id << 32 | get32(d->p + d->pos + 4);
        uint32_t cr = creation == 4 ? get32(d->p + d->pos + idlen) : d->p[d->pos + idlen];
        d->pos += idlen + creation;
        *out = rel_term_tuple(4, rel_term_atom("$port"), a, rel_term_int((int64_t)id),
                              rel_term_int(cr));
        return 0;
    }
    default: { /* references */
        if ((rc = need(d, creation + 4 * nids, "reference")))
            goto fail;
        uint32_t cr = creation == 4 ? get32(d->p + d->pos) : d->p[d->pos];
        d->pos += creation;
        struct rel_term *ids = rel_term_list_new();
        for (size_t i = 0; i < nids; i++, d->pos += 4)
            rel_term_list_append(ids, rel_term_int(get32(d->p + d->pos)));
        *out = rel_term_tuple(4, rel_term_atom("$ref"), a, rel_term_int(cr), ids);
        return 0;
    }
    }
fail:
    rel_term_free(a);
    rel_term_free(b);
    rel_term_free(c);
    return rc;
}

static int dec_term(struct dec *d, struct rel_term **out, int depth)
{
    *out = NULL;
    if (depth >= REL_TERM_MAX_DEPTH)
        return rel_error_set(REL_ELIMIT, "offset %zu: terms nest deeper than %d levels",
                             d->base + d->pos, REL_TERM_MAX_DEPTH);
    int rc = need(d, 1, "term");
    if (rc)
        return rc;
    size_t at = d->pos;
    uint8_t tag = d->p[d->pos++];
    const uint8_t *p;
    switch (tag) {
    case SMALL_INTEGER_EXT:
        if ((rc = need(d, 1, "integer")))
            return rc;
        *out = rel_term_int(d->p[d->pos++]);
        return 0;
    case INTEGER_EXT:
        if ((rc = need(d, 4, "integer")))
            return rc;
        *out = rel_term_int((int32_t)get32(d->p + d->pos));
        d->pos += 4;
        return 0;
    case SMALL_BIG_EXT:
        if ((rc = need(d, 1, "integer")))
            return rc;
        return dec_big(d, d->p[d->pos++], out);
    case LARGE_BIG_EXT: {
        if ((rc = need(d, 4, "integer")))
            return rc;
        uint32_t n = get32(d->p + d->pos);
        d->pos += 4;
        return dec_big(d, n, out);
    }
    case NEW_FLOAT_EXT: {
        if ((rc = need(d, 8, "float")))
            return rc;
        p = d->p + d->pos;
        uint64_t bits = (uint64_t)get32(p) << 32 | get32(p + 4);
        double f;
        memcpy(&f, &bits, 8);
        if (!isfinite(f))
            return derr(d, at, "float is not finite");
        d->pos += 8;
        *out = rel_term_float(f);
        return 0;
    }
    case FLOAT_EXT: {
        if ((rc = need(d, 31, "float")))
            return rc;
        char text[32];
        memcpy(text, d->p + d->pos, 31);
        text[31] = '\0';
        char *end;
        double f = rel_clocale_strtod(text, &end); /* the text always has a point */
        if (end == text || !isfinite(f))
            return derr(d, at, "invalid FLOAT_EXT text");
        d->pos += 31;
        *out = rel_term_float(f);
        return 0;
    }
    case ATOM_EXT:
    case ATOM_UTF8_EXT: {
        if ((rc = need(d, 2, "atom")))
            return rc;
        size_t n = (size_t)d->p[d->pos] << 8 | d->p[d->pos + 1];
        d->pos += 2;
        return dec_atom(d, n, tag == ATOM_UTF8_EXT, out);
    }
    case SMALL_ATOM_EXT:
    case SMALL_ATOM_UTF8_EXT:
        if ((rc = need(d, 1, "atom")))
            return rc;
        return dec_atom(d, d->p[d->pos++], tag == SMALL_ATOM_UTF8_EXT, out);
    case SMALL_TUPLE_EXT:
    case LARGE_TUPLE_EXT: {
        size_t n;
        if (tag == SMALL_TUPLE_EXT) {
            if ((rc = need(d, 1, "tuple")))
                return rc;
            n = d->p[d->pos++];
        } else {
            if ((rc = need(d, 4, "tuple")))
                return rc;
            n = get32(d->p + d->pos);
            d->pos += 4;
        }
        if (n > d->len - d->pos)
            return derr(d, at, "tuple of %zu elements is longer than the data", n);
        struct rel_term *t = rel_term_tuple_new(n);
        for (size_t i = 0; i < n; i++) {
            if ((rc = dec_term(d, &t->u.tuple.items[i], depth + 1)) < 0) {
                rel_term_free(t);
                return rc;
            }
        }
        *out = t;
        return 0;
    }
    case NIL_EXT:
        *out = rel_term_list_new();
        return 0;
    case STRING_EXT: {
        if ((rc = need(d, 2, "string")))
            return rc;
        size_t n = (size_t)d->p[d->pos] << 8 | d->p[d->pos + 1];
        d->pos += 2;
        if ((rc = need(d, n, "string")))
            return rc;
        uint32_t *chars = rel_reallocarray(NULL, n ? n : 1, sizeof(uint32_t));
        for (size_t i = 0; i < n; i++)
            chars[i] = d->p[d->pos + i];
        *out = rel_term_string_chars(chars, n);
        free(chars);
        d->pos += n;
        return 0;
    }
    case LIST_EXT:
        return dec_list(d, out, depth);
    case BINARY_EXT: {
        if ((rc = need(d, 4, "binary")))
            return rc;
        uint32_t n = get32(d->p + d->pos);
        d->pos += 4;
        if ((rc = need(d, n, "binary")))
            return rc;
        *out = rel_term_binary(d->p + d->pos, n);
        d->pos += n;
        return 0;
    }
    case MAP_EXT:
        return dec_map(d, out, depth);
    case COMPRESSED:
        if (depth > 0)
            return derr(d, at, "compressed term inside a term");
        return dec_compressed(d, out, depth);
    case BIT_BINARY_EXT:
        return derr(d, at, "bitstrings are not supported");
    case NEW_PID_EXT:
    case PID_EXT:
        if (d->flags & REL_ETF_HANDLES)
            return dec_handle(d, tag, out, depth);
        return derr(d, at, "a pid cannot appear in a release file");
    case NEW_PORT_EXT:
    case PORT_EXT:
    case V4_PORT_EXT:
        if (d->flags & REL_ETF_HANDLES)
            return dec_handle(d, tag, out, depth);
        return derr(d, at, "a port cannot appear in a release file");
    case NEWER_REFERENCE_EXT:
    case NEW_REFERENCE_EXT:
        if (d->flags & REL_ETF_HANDLES)
            return dec_handle(d, tag, out, depth);
        return derr(d, at, "a reference cannot appear in a release file");
    case REFERENCE_EXT:
        return derr(d, at, "a reference cannot appear in a release file");
    case NEW_FUN_EXT:
    case EXPORT_EXT:
        if (d->flags & REL_ETF_HANDLES)
            return dec_handle(d, tag, out, depth);
        return derr(d, at, "a fun cannot appear in a release file");
    case FUN_EXT:
        return derr(d, at, "a fun cannot appear in a release file");
    case ATOM_CACHE_REF:
    case DIST_HEADER:
    case LOCAL_EXT:
        return derr(d, at, "distribution encoding (tag %u) is not supported", tag);
    default:
        return derr(d, at, "unknown tag %u", tag);
    }
}

int rel_etf_decode_part(struct rel_term **out, const void *data, size_t len, unsigned flags,
                        size_t *used)
{
    *out = NULL;
    struct dec d = {data, len, 0, 0, flags};
    if (len == 0)
        return rel_error_set(REL_EFORMAT, "offset 0: empty data, expected an external term");
    if (d.p[0] != VERSION_MAGIC)
        return derr(&d, 0, "not an external term (first byte %u, expected 131)", d.p[0]);
    d.pos = 1;
    int rc = dec_term(&d, out, 0);
    if (rc < 0)
        return rc;
    *used = d.pos;
    return 0;
}

int rel_etf_decode(struct rel_term **out, const void *data, size_t len)
{
    size_t used = 0;
    int rc = rel_etf_decode_part(out, data, len, 0, &used);
    if (rc == 0 && used != len) {
        rel_term_free(*out);
        *out = NULL;
        struct dec d = {data, len, 0, 0, 0};
        return derr(&d, used, "%zu bytes after the term", len - used);
    }
    return rc;
}

int rel_etf_read_file(struct rel_term **out, const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    *out = NULL;
    int rc = rel_fs_read_file(&b, path, REL_TERM_MAX_INPUT);
    if (rc == 0) {
        rc = rel_etf_decode(out, b.ptr, b.len);
        if (rc < 0)
            rel_error_prefix("%s", path);
    }
    rel_buf_free(&b);
    return rc;
}
