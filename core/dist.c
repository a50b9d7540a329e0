/*
 * dist.c - a hidden node's side of Erlang's distribution protocol, sans I/O
 * (see dist.h).
 */
#include "dist.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "etf.h"
#include "md5.h"
#include "term.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Capability flags (erts, "Distribution Flags"). */
#define F_EXTENDED_REFERENCES 0x4ULL
#define F_FUN_TAGS 0x10ULL
#define F_NEW_FUN_TAGS 0x80ULL
#define F_EXTENDED_PIDS_PORTS 0x100ULL
#define F_EXPORT_PTR_TAG 0x200ULL
#define F_BIT_BINARIES 0x400ULL
#define F_NEW_FLOATS 0x800ULL
#define F_UNICODE_IO 0x1000ULL
#define F_SMALL_ATOM_TAGS 0x4000ULL
#define F_UTF8_ATOMS 0x10000ULL
#define F_MAP_TAG 0x20000ULL
#define F_BIG_CREATION 0x40000ULL
#define F_HANDSHAKE_23 0x1000000ULL
#define F_UNLINK_ID 0x2000000ULL
#define F_V4_NC (1ULL << 34)

/* What relman offers: what OTP 25 and 26 require of a peer, nothing it
 * would have to implement beyond that (no atom cache, no fragments, not
 * published: a hidden node). */
#define OUR_FLAGS                                                                                  \
    (F_EXTENDED_REFERENCES | F_FUN_TAGS | F_NEW_FUN_TAGS | F_EXTENDED_PIDS_PORTS |                 \
     F_EXPORT_PTR_TAG | F_BIT_BINARIES | F_NEW_FLOATS | F_UNICODE_IO | F_SMALL_ATOM_TAGS |         \
     F_UTF8_ATOMS | F_MAP_TAG | F_BIG_CREATION | F_HANDSHAKE_23 | F_UNLINK_ID | F_V4_NC)

/* Control message operations (erts, "Protocol between Connected Nodes"). */
enum { OP_SEND = 2, OP_REG_SEND = 6, OP_SEND_SENDER = 22 };

enum state {
    S_STATUS,    /* sent our name; waiting for 's' */
    S_CHALLENGE, /* waiting for the node's challenge */
    S_ACK,       /* sent our digest; waiting for the node's */
    S_READY,
    S_FAILED,
};

struct rel_dist {
    enum state st;
    char *self, *peer, *peer_seen;
    char cookie[256];
    uint32_t creation, our_challenge;
    struct rel_buf out;
    size_t out_off;
    struct rel_buf in;
    struct rel_term *pid; /* {'$pid', Self, 1, 0, Creation} */
    bool busy;
    struct rel_term *reply;
};

static uint32_t random32(void)
{
    uint32_t v = 0;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&v;
    return v;
}

static void put16(struct rel_buf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    rel_buf_put(b, x, 2);
}

static void put32(struct rel_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    rel_buf_put(b, x, 4);
}

static void put64(struct rel_buf *b, uint64_t v)
{
    put32(b, (uint32_t)(v >> 32));
    put32(b, (uint32_t)v);
}

static uint32_t get16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(struct rel_dist *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The connection is unusable from now on; the message is set with the node's name in front. */
static int fail(struct rel_dist *d, int code, const char *fmt, ...)
{
    d->st = S_FAILED;
    va_list ap;
    va_start(ap, fmt);
    rel_error_setv(code, fmt, ap);
    va_end(ap);
    rel_error_prefix("%s", d->peer);
    return code;
}

/* MD5(cookie ++ decimal challenge): the digest both sides prove the cookie with. */
static void digest(const struct rel_dist *d, uint32_t challenge, uint8_t out[16])
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%u", challenge);
    struct rel_md5 m;
    rel_md5_init(&m);
    rel_md5_update(&m, d->cookie, strlen(d->cookie));
    rel_md5_update(&m, num, (size_t)n);
    rel_md5_final(&m, out);
}

/* Queue a handshake message (2-byte length) that `body` holds. */
static void handshake_send(struct rel_dist *d, const struct rel_buf *body)
{
    put16(&d->out, (unsigned)body->len);
    rel_buf_put(&d->out, body->ptr, body->len);
}

int rel_dist_new(struct rel_dist **out, const char *self, const char *peer, const char *cookie)
{
    *out = NULL;
    if (!strchr(self, '@') || !*peer || strlen(self) > 255 || strlen(peer) > 255)
        return rel_error_set(REL_EINVAL, "node names must be name@host: %s, %s", self, peer);
    if (!cookie || !*cookie || strlen(cookie) >= sizeof(((struct rel_dist *)0)->cookie))
        return rel_error_set(REL_EINVAL, "no usable cookie for %s", peer);
    struct rel_dist *d = rel_calloc(1, sizeof(*d));
    d->self = rel_strdup(self);
    d->peer = rel_strdup(peer);
    snprintf(d->cookie, sizeof(d->cookie), "%s", cookie);
    d->creation = random32() | 1u;
    rel_buf_init(&d->out, REL_DIST_MAX_MESSAGE + 64);
    rel_buf_init(&d->in, REL_DIST_MAX_MESSAGE + 64);
    d->pid = rel_term_tuple(5, rel_term_atom("$pid"), rel_term_atom(self), rel_term_int(1),
                            rel_term_int(0), rel_term_int(d->creation));
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_putc(&b, 'N');
    put64(&b, OUR_FLAGS);
    put32(&b, d->creation);
    put16(&b, (unsigned)strlen(self));
    rel_buf_puts(&b, self);
    handshake_send(d, &b);
    rel_buf_free(&b);
    d->st = S_STATUS;
    *out = d;
    return 0;
}

void rel_dist_free(struct rel_dist *d)
{
    if (!d)
        return;
    explicit_bzero(d->cookie, sizeof(d->cookie));
    free(d->self);
    free(d->peer);
    free(d->peer_seen);
    rel_buf_free(&d->out);
    rel_buf_free(&d->in);
    rel_term_free(d->pid);
    rel_term_free(d->reply);
    free(d);
}

const void *rel_dist_output(const struct rel_dist *d, size_t *len)
{
    *len = d->out.len - d->out_off;
    return d->out.ptr ? d->out.ptr + d->out_off : "";
}

void rel_dist_sent(struct rel_dist *d, size_t n)
{
    d->out_off += n;
    if (d->out_off >= d->out.len) {
        rel_buf_clear(&d->out);
        d->out_off = 0;
    }
}

bool rel_dist_ready(const struct rel_dist *d)
{
    return d->st == S_READY;
}

bool rel_dist_busy(const struct rel_dist *d)
{
    return d->busy;
}

const char *rel_dist_peer(const struct rel_dist *d)
{
    return d->peer_seen;
}

/* ---- the handshake ------------------------------------------------------------ */

static int on_status(struct rel_dist *d, const unsigned char *p, size_t n)
{
    if (n < 1 || p[0] != 's')
        return fail(d, REL_EFORMAT, "expected the handshake status");
    char status[64];
    size_t k = n - 1 < sizeof(status) - 1 ? n - 1 : sizeof(status) - 1;
    for (size_t i = 0; i < k; i++) /* shown as text: printable ASCII only */
        status[i] = p[1 + i] >= 0x20 && p[1 + i] < 0x7f ? (char)p[1 + i] : '?';
    status[k] = '\0';
    if (strcmp(status, "ok") != 0 && strcmp(status, "ok_simultaneous") != 0)
        return fail(d, REL_EAUTH, "the node refused the connection (status %s)", status);
    d->st = S_CHALLENGE;
    return 0;
}

static int on_challenge(struct rel_dist *d, const unsigned char *p, size_t n)
{
    uint64_t flags;
    uint32_t challenge;
    const unsigned char *name;
    size_t nlen;
    if (n >= 19 && p[0] == 'N') { /* OTP 23+: flags:64 challenge:32 creation:32 nlen:16 name */
        flags = (uint64_t)get32(p + 1) << 32 | get32(p + 5);
        challenge = get32(p + 9);
        nlen = get16(p + 17);
        name = p + 19;
        if (19 + nlen > n)
            return fail(d, REL_EFORMAT, "truncated challenge");
    } else if (n >= 11 && p[0] == 'n') { /* older: version:16 flags:32 challenge:32 name */
        flags = get32(p + 3);
        challenge = get32(p + 7);
        name = p + 11;
        nlen = n - 11;
    } else {
        return fail(d, REL_EFORMAT, "expected the handshake challenge");
    }
    free(d->peer_seen);
    d->peer_seen = rel_calloc(1, nlen + 1);
    for (size_t i = 0; i < nlen; i++)
        d->peer_seen[i] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
    /* "name" alone: any host (the node's own is learnt here) */
    size_t plen = strlen(d->peer);
    bool same = strchr(d->peer, '@')
                    ? strcmp(d->peer_seen, d->peer) == 0
                    : strncmp(d->peer_seen, d->peer, plen) == 0 && d->peer_seen[plen] == '@';
    if (!same)
        return fail(d, REL_EAUTH, "the node that answered is %s", d->peer_seen);
    if ((flags & (F_EXTENDED_REFERENCES | F_EXTENDED_PIDS_PORTS | F_UTF8_ATOMS | F_MAP_TAG)) !=
        (F_EXTENDED_REFERENCES | F_EXTENDED_PIDS_PORTS | F_UTF8_ATOMS | F_MAP_TAG))
        return fail(d, REL_EUNSUPPORTED, "the node is too old (OTP 23 or later needed)");
    uint8_t dig[16];
    digest(d, challenge, dig);
    d->our_challenge = random32();
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_putc(&b, 'r');
    put32(&b, d->our_challenge);
    rel_buf_put(&b, dig, 16);
    handshake_send(d, &b);
    rel_buf_free(&b);
    d->st = S_ACK;
    return 0;
}

static int on_ack(struct rel_dist *d, const unsigned char *p, size_t n)
{
    if (n != 17 || p[0] != 'a')
        return fail(d, REL_EFORMAT, "expected the handshake acknowledgement");
    uint8_t want[16];
    digest(d, d->our_challenge, want);
    if (memcmp(want, p + 1, 16) != 0)
        return fail(d, REL_EAUTH, "the node's digest is wrong (a different cookie)");
    d->st = S_READY;
    return 0;
}

/* ---- connected ------------------------------------------------------------------ */

/* A message after the handshake: 'p', the control term, the payload. */
static int on_message(struct rel_dist *d, const unsigned char *p, size_t n)
{
    if (n < 1 || p[0] != 112)
        return fail(d, REL_EUNSUPPORTED, "a message not in pass-through form");
    struct rel_term *ctl = NULL, *msg = NULL;
    size_t used = 0;
    int rc = rel_etf_decode_part(&ctl, p + 1, n - 1, REL_ETF_HANDLES, &used);
    if (rc < 0) {
        d->st = S_FAILED;
        rel_error_prefix("%s: control message", d->peer);
        return rc;
    }
    const struct rel_term *op = rel_term_tuple_get(ctl, 0);
    bool to_us =
        op && op->kind == REL_TERM_INT && (op->u.i == OP_SEND || op->u.i == OP_SEND_SENDER);
    if (to_us && 1 + used < n) {
        size_t used2 = 0;
        rc = rel_etf_decode_part(&msg, p + 1 + used, n - 1 - used, REL_ETF_HANDLES, &used2);
        if (rc < 0) {
            /* A reply this node cannot read (a bitstring...): the call fails, the
             * connection stays usable. */
            if (d->busy) {
                d->busy = false;
                d->reply = rel_term_tuple(2, rel_term_atom("badrpc"),
                                          rel_term_string(rel_error_message()));
            }
            rel_term_free(ctl);
            return 0;
        }
        const struct rel_term *tag = rel_term_tuple_get(msg, 0);
        if (d->busy && msg->kind == REL_TERM_TUPLE && msg->u.tuple.len == 2 &&
            rel_term_is_atom(tag, "rex")) {
            d->reply = rel_term_clone(rel_term_tuple_get(msg, 1));
            d->busy = false;
        }
    }
    rel_term_free(ctl);
    rel_term_free(msg);
    return 0; /* anything else (monitors, exits, io requests) is dropped */
}

int rel_dist_input(struct rel_dist *d, const void *data, size_t len)
{
    if (d->st == S_FAILED)
        return rel_error_set(REL_EIO, "%s: the connection has failed", d->peer);
    if (rel_buf_put(&d->in, data, len) < 0)
        return fail(d, REL_ELIMIT, "message larger than the limit");
    size_t off = 0;
    int rc = 0;
    while (rc == 0) {
        const unsigned char *p = (const unsigned char *)d->in.ptr + off;
        size_t avail = d->in.len - off, hdr = d->st == S_READY ? 4 : 2;
        if (avail < hdr)
            break;
        size_t n = hdr == 4 ? get32(p) : get16(p);
        if (n > REL_DIST_MAX_MESSAGE) {
            rc = fail(d, REL_ELIMIT, "message larger than the limit");
            break;
        }
        if (avail < hdr + n)
            break;
        off += hdr + n;
        p += hdr;
        switch (d->st) {
        case S_STATUS:
            rc = on_status(d, p, n);
            break;
        case S_CHALLENGE:
            rc = on_challenge(d, p, n);
            break;
        case S_ACK:
            rc = on_ack(d, p, n);
            break;
        case S_READY:
            if (n == 0)
                put32(&d->out, 0); /* a tick: answer with one */
            else
                rc = on_message(d, p, n);
            break;
        case S_FAILED:
            rc = REL_EIO;
            break;
        }
    }
    /* keep what is not yet a whole message */
    if (off) {
        memmove(d->in.ptr, d->in.ptr + off, d->in.len - off);
        rel_buf_truncate(&d->in, d->in.len - off);
    }
    return rc;
}

int rel_dist_eof(struct rel_dist *d)
{
    enum state was = d->st;
    d->st = S_FAILED;
    switch (was) {
    case S_STATUS:
    case S_CHALLENGE:
        return rel_error_set(REL_EAUTH, "%s closed the connection during the handshake", d->peer);
    case S_ACK:
        return rel_error_set(REL_EAUTH, "%s closed the connection after our digest (wrong cookie?)",
                             d->peer);
    default:
        return rel_error_set(REL_EIO, "%s closed the connection", d->peer);
    }
}

int rel_dist_call(struct rel_dist *d, const char *mod, const char *fun, const struct rel_term *args)
{
    if (d->st != S_READY || d->busy)
        return rel_error_set(REL_EINVAL, "%s: not ready for a call", d->peer);
    struct rel_term *ctl = rel_term_tuple(4, rel_term_int(OP_REG_SEND), rel_term_clone(d->pid),
                                          rel_term_atom(""), rel_term_atom("rex"));
    struct rel_term *call =
        rel_term_tuple(5, rel_term_atom("call"), rel_term_atom(mod), rel_term_atom(fun),
                       rel_term_clone(args), rel_term_atom("user"));
    struct rel_term *msg = rel_term_tuple(2, rel_term_clone(d->pid), call);
    struct rel_buf body = REL_BUF_INIT;
    rel_buf_putc(&body, 112);
    int rc = rel_etf_encode(&body, ctl, REL_ETF_HANDLES | REL_ETF_UTF8_ATOMS);
    if (rc == 0)
        rc = rel_etf_encode(&body, msg, REL_ETF_HANDLES | REL_ETF_UTF8_ATOMS);
    if (rc == 0) {
        put32(&d->out, (uint32_t)body.len);
        rel_buf_put(&d->out, body.ptr, body.len);
        d->busy = true;
        rel_term_free(d->reply);
        d->reply = NULL;
    }
    rel_buf_free(&body);
    rel_term_free(ctl);
    rel_term_free(msg);
    return rc;
}

int rel_dist_reply(struct rel_dist *d, struct rel_term **out)
{
    *out = NULL;
    if (!d->reply)
        return 0;
    *out = d->reply;
    d->reply = NULL;
    return 1;
}

/* ---- epmd ------------------------------------------------------------------------ */

void rel_dist_epmd_request(struct rel_buf *out, const char *alive)
{
    size_t n = strlen(alive);
    put16(out, (unsigned)(n + 1));
    rel_buf_putc(out, 122); /* PORT_PLEASE2_REQ */
    rel_buf_put(out, alive, n);
}

int rel_dist_epmd_reply(const void *data, size_t len, const char *alive, int *port)
{
    const unsigned char *p = data;
    if (len < 2)
        return 0;
    if (p[0] != 119)
        return rel_error_set(REL_EFORMAT, "epmd: unexpected answer (tag %u)", p[0]);
    if (p[1] != 0)
        return rel_error_set(REL_ENOTFOUND, "no node %s registered with epmd", alive);
    if (len < 4)
        return 0;
    *port = (int)get16(p + 2);
    return 1;
}
