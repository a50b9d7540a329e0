/*
 * term_parse.c - Erlang term text into terms: recursive descent over the
 * tokens of term_scan.c, for the part of Erlang that erl_parse:parse_term/1
 * accepts (what file:consult/1 reads): literals, tuples, lists, maps with
 * `=>`, binaries of constant segments, and unary minus/plus on numbers.
 */
#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "term.h"
#include "term_int.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* Largest binary the parser builds from bit syntax. */
#define MAX_PARSED_BINARY ((size_t)16 << 20)

static int parse_expr(struct rel_term_parser *p, int depth, struct rel_term **out);

/* "a" "b" is "ab": adjacent string literals join. */
static int parse_strings(struct rel_term_parser *p, struct rel_term **out)
{
    struct rel_term *s = take_val(p);
    int rc = rel_term_scan(p);
    while (rc == 0 && p->tok.type == T_STRING) {
        struct rel_term *more = p->tok.val;
        size_t n = s->u.str.len + more->u.str.len;
        s->u.str.chars = rel_reallocarray(s->u.str.chars, n ? n : 1, sizeof(uint32_t));
        if (more->u.str.len)
            memcpy(s->u.str.chars + s->u.str.len, more->u.str.chars,
                   more->u.str.len * sizeof(uint32_t));
        s->u.str.len = n;
        rc = rel_term_scan(p);
    }
    if (rc < 0) {
        rel_term_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Items separated by ',' up to `close` (the current token starts the first
 * item), appended to the LIST `into`; `[H|T]` tails only when `tail_ok`. */
static int parse_seq(struct rel_term_parser *p, int depth, struct rel_term *into, const char *close,
                     bool tail_ok)
{
    for (;;) {
        struct rel_term *item;
        int rc = parse_expr(p, depth, &item);
        if (rc < 0)
            return rc;
        rel_term_list_append(into, item);
        if (is_punct(p, ",")) {
            rc = rel_term_scan(p);
            if (rc < 0)
                return rc;
            continue;
        }
        if (tail_ok && is_punct(p, "|")) {
            rc = rel_term_scan(p);
            if (rc < 0)
                return rc;
            struct rel_term *tail;
            rc = parse_expr(p, depth, &tail);
            if (rc < 0)
                return rc;
            rel_term_list_set_tail(into, tail);
        }
        if (!is_punct(p, close))
            return rel_term_scan_unexpected(p, tail_ok ? "',', '|' or ']'" : "',' or '}'");
        return rel_term_scan(p);
    }
}

/* Turn a LIST (no tail) into a TUPLE of the same items, in place. */
static void list_to_tuple(struct rel_term *t)
{
    struct rel_term **items = t->u.list.items;
    size_t len = t->u.list.len;
    memset(&t->u, 0, sizeof(t->u));
    t->kind = REL_TERM_TUPLE;
    t->u.tuple.items = items ? items : rel_calloc(1, sizeof(*items));
    t->u.tuple.len = len;
}

static int parse_map(struct rel_term_parser *p, int depth, struct rel_term *map)
{
    for (;;) {
        struct rel_term *k = NULL, *v = NULL;
        int rc = parse_expr(p, depth, &k);
        if (rc < 0)
            return rc;
        if (is_punct(p, ":=")) {
            rel_term_free(k);
            return rel_term_scan_error(p, p->tok.line, p->tok.col,
                                       "only '=>' can be used in a map term");
        }
        if (!is_punct(p, "=>")) {
            rel_term_free(k);
            return rel_term_scan_unexpected(p, "'=>'");
        }
        rc = rel_term_scan(p);
        if (rc == 0)
            rc = parse_expr(p, depth, &v);
        if (rc < 0) {
            rel_term_free(k);
            return rc;
        }
        rel_term_map_push(map, k, v);
        if (is_punct(p, ",")) {
            rc = rel_term_scan(p);
            if (rc < 0)
                return rc;
            continue;
        }
        if (!is_punct(p, "}"))
            return rel_term_scan_unexpected(p, "',' or '}'");
        rel_term_map_dedupe(map);
        return rel_term_scan(p);
    }
}

/* ---- binaries: constant bit syntax ---- */

struct bitbuf {
    uint8_t *data;
    size_t bytes;  /* allocated */
    uint64_t bits; /* written */
};

static int bits_reserve(struct bitbuf *b, uint64_t more)
{
    uint64_t need = b->bits + more;
    if (need / 8 > MAX_PARSED_BINARY)
        return -1;
    size_t bytes = (size_t)((need + 7) / 8);
    if (bytes > b->bytes) {
        size_t cap = b->bytes ? b->bytes : 16;
        while (cap < bytes)
            cap *= 2;
        b->data = rel_realloc(b->data, cap);
        memset(b->data + b->bytes, 0, cap - b->bytes);
        b->bytes = cap;
    }
    return 0;
}

static void bits_put1(struct bitbuf *b, int bit)
{
    if (bit)
        b->data[b->bits / 8] |= (uint8_t)(0x80u >> (b->bits % 8));
    b->bits++;
}

/* Bit `i` (0 = least significant) of an integer term in two's complement. */
static int int_bit(const struct rel_term *v, uint64_t i)
{
    if (v->kind == REL_TERM_INT) {
        if (i >= 63)
            return v->u.i < 0;
        return (int)(((uint64_t)v->u.i >> i) & 1);
    }
    /* BIGINT: magnitude bits, or for a negative value those of ~(mag - 1). */
    size_t byte = (size_t)(i / 8);
    if (!v->u.big.negative)
        return byte < v->u.big.len ? (v->u.big.mag[byte] >> (i % 8)) & 1 : 0;
    if (byte >= v->u.big.len)
        return 1;
    /* (mag - 1) at this byte: subtract the borrow from lower bytes. */
    int borrow = 1;
    for (size_t k = 0; k < byte; k++)
        if (v->u.big.mag[k] != 0) {
            borrow = 0;
            break;
        }
    uint8_t m = (uint8_t)(v->u.big.mag[byte] - borrow);
    return ((~m) >> (i % 8)) & 1;
}

struct segspec {
    enum { S_INTEGER, S_FLOAT, S_UTF8, S_UTF16, S_UTF32 } type;
    bool little;
    bool has_size;
    uint64_t size;
    uint64_t unit;
};

static int put_segment(struct rel_term_parser *p, struct bitbuf *b, const struct rel_term *v,
                       const struct segspec *sp, int line, int col)
{
    if (sp->type == S_UTF8 || sp->type == S_UTF16 || sp->type == S_UTF32) {
        if (v->kind != REL_TERM_INT || !rel_term_valid_char(v->u.i))
            return rel_term_scan_error(p, line, col,
                                       "a utf8/utf16/utf32 segment needs a valid character");
        uint32_t c = (uint32_t)v->u.i;
        uint8_t out[4];
        size_t n = 0;
        if (sp->type == S_UTF8) {
            n = rel_utf8_encode(c, (char *)out);
        } else if (sp->type == S_UTF32) {
            for (int i = 0; i < 4; i++)
                out[i] = (uint8_t)(c >> (24 - 8 * i));
            n = 4;
        } else if (c < 0x10000) {
            out[0] = (uint8_t)(c >> 8), out[1] = (uint8_t)c, n = 2;
        } else {
            uint32_t u = c - 0x10000, hi = 0xD800 | (u >> 10), lo = 0xDC00 | (u & 0x3FF);
            out[0] = (uint8_t)(hi >> 8), out[1] = (uint8_t)hi;
            out[2] = (uint8_t)(lo >> 8), out[3] = (uint8_t)lo, n = 4;
        }
        if (sp->little && sp->type != S_UTF8) {
            size_t unit = sp->type == S_UTF32 ? 4 : 2;
            for (size_t at = 0; at < n; at += unit)
                for (size_t i = 0; i < unit / 2; i++) {
                    uint8_t tmp = out[at + i];
                    out[at + i] = out[at + unit - 1 - i];
                    out[at + unit - 1 - i] = tmp;
                }
        }
        if (bits_reserve(b, n * 8) < 0)
            return rel_term_scan_error(p, line, col, "binary is larger than %zu bytes",
                                       MAX_PARSED_BINARY);
        for (size_t i = 0; i < n; i++)
            for (int k = 7; k >= 0; k--)
                bits_put1(b, (out[i] >> k) & 1);
        return 0;
    }
    uint64_t size = sp->has_size ? sp->size : (sp->type == S_FLOAT ? 64 : 8);
    uint64_t unit = sp->unit ? sp->unit : 1;
    if (unit != 0 && size > UINT64_MAX / unit)
        return rel_term_scan_error(p, line, col, "segment size is too large");
    uint64_t nbits = size * unit;
    if (sp->type == S_FLOAT) {
        if (nbits != 64 && nbits != 32)
            return rel_term_scan_error(p, line, col, "a float segment must be 32 or 64 bits");
        double d;
        if (v->kind == REL_TERM_FLOAT)
            d = v->u.f;
        else if (v->kind == REL_TERM_INT)
            d = (double)v->u.i;
        else
            return rel_term_scan_error(p, line, col, "a float segment needs a number");
        uint8_t out[8];
        if (nbits == 64) {
            uint64_t u;
            memcpy(&u, &d, 8);
            for (int i = 0; i < 8; i++)
                out[i] = (uint8_t)(u >> (56 - 8 * i));
        } else {
            float f = (float)d;
            uint32_t u;
            memcpy(&u, &f, 4);
            for (int i = 0; i < 4; i++)
                out[i] = (uint8_t)(u >> (24 - 8 * i));
        }
        size_t n = (size_t)(nbits / 8);
        if (sp->little)
            for (size_t i = 0; i < n / 2; i++) {
                uint8_t tmp = out[i];
                out[i] = out[n - 1 - i];
                out[n - 1 - i] = tmp;
            }
        if (bits_reserve(b, nbits) < 0)
            return rel_term_scan_error(p, line, col, "binary is larger than %zu bytes",
                                       MAX_PARSED_BINARY);
        for (size_t i = 0; i < n; i++)
            for (int k = 7; k >= 0; k--)
                bits_put1(b, (out[i] >> k) & 1);
        return 0;
    }
    if (v->kind != REL_TERM_INT && v->kind != REL_TERM_BIGINT)
        return rel_term_scan_error(p, line, col, "an integer segment needs an integer");
    if (bits_reserve(b, nbits) < 0)
        return rel_term_scan_error(p, line, col, "binary is larger than %zu bytes",
                                   MAX_PARSED_BINARY);
    if (sp->little) {
        if (nbits % 8)
            return rel_term_scan_error(p, line, col,
                                       "little-endian segments must be a whole number of bytes");
        for (uint64_t byte = 0; byte < nbits / 8; byte++)
            for (int k = 7; k >= 0; k--)
                bits_put1(b, int_bit(v, byte * 8 + (uint64_t)k));
    } else {
        for (uint64_t i = nbits; i-- > 0;)
            bits_put1(b, int_bit(v, i));
    }
    return 0;
}

/* Parse `:Size` and `/type-spec-list` after a segment value. */
static int parse_segspec(struct rel_term_parser *p, struct segspec *sp)
{
    memset(sp, 0, sizeof(*sp));
    int rc;
    if (is_punct(p, ":")) {
        if ((rc = rel_term_scan(p)) < 0)
            return rc;
        if (p->tok.type != T_NUMBER || p->tok.val->kind != REL_TERM_INT || p->tok.val->u.i < 0)
            return rel_term_scan_unexpected(p, "a segment size (a non-negative integer)");
        sp->has_size = true;
        sp->size = (uint64_t)p->tok.val->u.i;
        if ((rc = rel_term_scan(p)) < 0)
            return rc;
    }
    if (!is_punct(p, "/"))
        return 0;
    do {
        if ((rc = rel_term_scan(p)) < 0)
            return rc;
        if (p->tok.type != T_ATOM)
            return rel_term_scan_unexpected(p, "a segment type");
        const char *name = p->tok.val->u.atom.name;
        int line = p->tok.line, col = p->tok.col;
        if (strcmp(name, "integer") == 0)
            sp->type = S_INTEGER;
        else if (strcmp(name, "float") == 0)
            sp->type = S_FLOAT;
        else if (strcmp(name, "utf8") == 0)
            sp->type = S_UTF8;
        else if (strcmp(name, "utf16") == 0)
            sp->type = S_UTF16;
        else if (strcmp(name, "utf32") == 0)
            sp->type = S_UTF32;
        else if (strcmp(name, "big") == 0)
            sp->little = false;
        else if (strcmp(name, "little") == 0)
            sp->little = true;
        else if (strcmp(name, "native") == 0) {
            uint16_t probe = 1;
            sp->little = *(uint8_t *)&probe == 1;
        } else if (strcmp(name, "signed") == 0 || strcmp(name, "unsigned") == 0)
            ;
        else if (strcmp(name, "unit") == 0) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            if (!is_punct(p, ":"))
                return rel_term_scan_unexpected(p, "':' after unit");
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            if (p->tok.type != T_NUMBER || p->tok.val->kind != REL_TERM_INT ||
                p->tok.val->u.i < 1 || p->tok.val->u.i > 256)
                return rel_term_scan_unexpected(p, "a unit between 1 and 256");
            sp->unit = (uint64_t)p->tok.val->u.i;
        } else
            return rel_term_scan_error(p, line, col, "unsupported binary segment type '%s'", name);
        if ((rc = rel_term_scan(p)) < 0)
            return rc;
    } while (is_punct(p, "-"));
    if ((sp->type == S_UTF8 || sp->type == S_UTF16 || sp->type == S_UTF32) &&
        (sp->has_size || sp->unit))
        return rel_term_scan_error(p, p->tok.line, p->tok.col,
                                   "utf segments cannot have a size or unit");
    return 0;
}

static int parse_binary(struct rel_term_parser *p, struct rel_term **out, int line, int col)
{
    struct bitbuf b = {NULL, 0, 0};
    int rc = 0;
    struct rel_term *val = NULL;
    if (is_punct(p, ">>"))
        goto done;
    for (;;) {
        int sline = p->tok.line, scol = p->tok.col;
        bool neg = false;
        if (is_punct(p, "-") || is_punct(p, "+")) {
            neg = is_punct(p, "-");
            if ((rc = rel_term_scan(p)) < 0)
                goto fail;
            if (p->tok.type != T_NUMBER && p->tok.type != T_CHAR) {
                rc = rel_term_scan_unexpected(p, "a number after the sign");
                goto fail;
            }
        }
        if (p->tok.type == T_STRING && !neg) {
            if ((rc = parse_strings(p, &val)) < 0)
                goto fail;
        } else if (p->tok.type == T_NUMBER || p->tok.type == T_CHAR) {
            val = take_val(p);
            if (neg) {
                if (val->kind == REL_TERM_FLOAT)
                    val->u.f = -val->u.f;
                else if (val->kind == REL_TERM_INT)
                    val->u.i = -val->u.i; /* cannot overflow: literals are >= 0 */
                else
                    val->u.big.negative = true;
            }
            if ((rc = rel_term_scan(p)) < 0)
                goto fail;
        } else {
            rc =
                p->tok.type == T_PUNCT || p->tok.type == T_EOF || p->tok.type == T_DOT
                    ? rel_term_scan_unexpected(p, "a segment value (a number, character or string)")
                    : rel_term_scan_error(p, p->tok.line, p->tok.col,
                                          "binary segments must be numbers, characters or strings");
            goto fail;
        }
        struct segspec sp;
        if ((rc = parse_segspec(p, &sp)) < 0)
            goto fail;
        if (val->kind == REL_TERM_STRING) {
            if (sp.type == S_FLOAT) {
                rc = rel_term_scan_error(p, sline, scol, "a string cannot be a float segment");
                goto fail;
            }
            for (size_t i = 0; i < val->u.str.len && rc == 0; i++) {
                struct rel_term ch;
                memset(&ch, 0, sizeof(ch));
                ch.kind = REL_TERM_INT;
                ch.u.i = val->u.str.chars[i];
                rc = put_segment(p, &b, &ch, &sp, sline, scol);
            }
        } else {
            rc = put_segment(p, &b, val, &sp, sline, scol);
        }
        rel_term_free(val);
        val = NULL;
        if (rc < 0)
            goto fail;
        if (is_punct(p, ",")) {
            if ((rc = rel_term_scan(p)) < 0)
                goto fail;
            continue;
        }
        if (!is_punct(p, ">>")) {
            rc = rel_term_scan_unexpected(p, "',' or '>>'");
            goto fail;
        }
        break;
    }
done:
    if (b.bits % 8) {
        rc = rel_term_scan_error(p, line, col,
                                 "bitstrings (a size that is not a whole number of bytes) are not "
                                 "supported");
        goto fail;
    }
    if ((rc = rel_term_scan(p)) < 0)
        goto fail;
    *out = rel_term_binary(b.data, (size_t)(b.bits / 8));
    free(b.data);
    return 0;
fail:
    rel_term_free(val);
    free(b.data);
    return rc;
}

static int parse_expr(struct rel_term_parser *p, int depth, struct rel_term **out)
{
    *out = NULL;
    struct rel_term_token *t = &p->tok;
    int line = t->line, col = t->col;
    if (depth >= REL_TERM_MAX_DEPTH)
        return rel_error_set(REL_ELIMIT, "%s:%d:%d: terms nest deeper than %d levels", p->file,
                             line, col, REL_TERM_MAX_DEPTH);
    int rc;
    struct rel_term *r = NULL;
    switch (t->type) {
    case T_NUMBER:
    case T_CHAR:
    case T_ATOM:
        r = take_val(p);
        if ((rc = rel_term_scan(p)) < 0)
            goto fail;
        break;
    case T_STRING:
        if ((rc = parse_strings(p, &r)) < 0)
            return rc;
        r->line = line;
        r->col = col;
        break;
    case T_VAR: {
        size_t n = t->end - t->start;
        return rel_term_scan_error(p, line, col,
                                   "variables cannot appear in a term ('%.*s'); quote it to make "
                                   "an atom",
                                   (int)(n > 40 ? 40 : n), (const char *)p->s + t->start);
    }
    case T_RESERVED: {
        size_t n = t->end - t->start;
        if (n == 3 && memcmp(p->s + t->start, "fun", 3) == 0)
            return rel_term_scan_error(p, line, col,
                                       "funs cannot appear in a release or config file");
        return rel_term_scan_error(p, line, col,
                                   "reserved word '%.*s' must be quoted to be an atom", (int)n,
                                   (const char *)p->s + t->start);
    }
    case T_PUNCT:
        if (is_punct(p, "{")) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            r = rel_term_list_new();
            if (is_punct(p, "}"))
                rc = rel_term_scan(p);
            else
                rc = parse_seq(p, depth + 1, r, "}", false);
            list_to_tuple(r);
        } else if (is_punct(p, "[")) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            r = rel_term_list_new();
            if (is_punct(p, "]"))
                rc = rel_term_scan(p);
            else
                rc = parse_seq(p, depth + 1, r, "]", true);
        } else if (is_punct(p, "#")) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            if (!is_punct(p, "{"))
                return p->tok.type == T_ATOM
                           ? rel_term_scan_error(p, line, col, "records cannot appear in a term")
                           : rel_term_scan_unexpected(p, "'{' after '#'");
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            r = rel_term_map_new();
            if (is_punct(p, "}"))
                rc = rel_term_scan(p);
            else
                rc = parse_map(p, depth + 1, r);
        } else if (is_punct(p, "<<")) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            rc = parse_binary(p, &r, line, col);
        } else if (is_punct(p, "-") || is_punct(p, "+")) {
            bool neg = is_punct(p, "-");
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            if (p->tok.type != T_NUMBER && p->tok.type != T_CHAR)
                return rel_term_scan_error(p, line, col, "unary %s applies only to a number here",
                                           neg ? "minus" : "plus");
            r = take_val(p);
            if (neg) {
                if (r->kind == REL_TERM_FLOAT)
                    r->u.f = -r->u.f;
                else if (r->kind == REL_TERM_INT)
                    r->u.i = -r->u.i;
                else {
                    struct rel_term *nr = rel_term_bigint(true, r->u.big.mag, r->u.big.len);
                    rel_term_free(r);
                    r = nr;
                }
            }
            rc = rel_term_scan(p);
        } else if (is_punct(p, "(")) {
            if ((rc = rel_term_scan(p)) < 0)
                return rc;
            if ((rc = parse_expr(p, depth + 1, &r)) < 0)
                return rc;
            if (!is_punct(p, ")")) {
                rc = rel_term_scan_unexpected(p, "')'");
                goto fail;
            }
            rc = rel_term_scan(p);
        } else if (is_punct(p, "<") && p->pos < p->n && p->s[p->pos] >= '0' &&
                   p->s[p->pos] <= '9') {
            return rel_term_scan_error(p, line, col,
                                       "pids, ports and references cannot appear in a term");
        } else {
            return rel_term_scan_unexpected(p, "a term");
        }
        if (rc < 0)
            goto fail;
        break;
    case T_DOT:
    case T_EOF:
        return rel_term_scan_unexpected(p, "a term");
    }
    r->line = line;
    r->col = col;
    *out = r;
    return 0;
fail:
    rel_term_free(r);
    return rc;
}

/* `%% coding: latin-1` (or `-*- coding: latin-1 -*-`) in a comment on one of
 * the first two lines switches the text to Latin-1, as epp does. */
static bool declares_latin1(const char *text, size_t len)
{
    size_t pos = 0;
    for (int line = 0; line < 2 && pos < len; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        const char *pct = memchr(text + pos, '%', end - pos);
        if (pct) {
            for (const char *q = pct; q + 6 <= text + end; q++) {
                if (memcmp(q, "coding", 6) != 0)
                    continue;
                const char *r = q + 6;
                while (r < text + end && (*r == ' ' || *r == '\t'))
                    r++;
                if (r >= text + end || (*r != ':' && *r != '='))
                    continue;
                r++;
                while (r < text + end && (*r == ' ' || *r == '\t'))
                    r++;
                char name[16];
                size_t n = 0;
                while (r < text + end && n < sizeof(name) - 1 &&
                       (((*r | 32) >= 'a' && (*r | 32) <= 'z') || (*r >= '0' && *r <= '9') ||
                        *r == '-' || *r == '_')) {
                    char ch = *r++;
                    name[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                }
                name[n] = '\0';
                return strcmp(name, "latin-1") == 0 || strcmp(name, "latin1") == 0 ||
                       strcmp(name, "iso-8859-1") == 0 || strcmp(name, "iso_8859-1") == 0;
            }
        }
        pos = end + 1;
    }
    return false;
}

int rel_term_parse(struct rel_terms *out, const char *text, size_t len, const char *filename)
{
    struct rel_term_parser p;
    memset(&p, 0, sizeof(p));
    p.file = filename ? filename : "<string>";
    if (len > REL_TERM_MAX_INPUT)
        return rel_error_set(REL_ELIMIT, "%s: text is larger than %zu bytes", p.file,
                             REL_TERM_MAX_INPUT);
    p.s = (const unsigned char *)text;
    p.n = len;
    p.line = 1;
    p.col = 1;
    p.latin1 = declares_latin1(text, len);
    rel_buf_init(&p.tmp, REL_TERM_MAX_INPUT);
    if (!p.latin1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3; /* a UTF-8 byte order mark */
    size_t first = out->len;
    int rc = rel_term_scan(&p);
    while (rc == 0 && p.tok.type != T_EOF) {
        struct rel_term *t;
        rc = parse_expr(&p, 0, &t);
        if (rc < 0)
            break;
        rel_terms_push(out, t);
        if (p.tok.type != T_DOT) {
            rc = rel_term_scan_unexpected(&p, "'.' after the term");
            break;
        }
        rc = rel_term_scan(&p);
    }
    rel_term_token_clear(&p.tok);
    rel_buf_free(&p.tmp);
    if (rc < 0) {
        for (size_t i = first; i < out->len; i++)
            rel_term_free(out->items[i]);
        out->len = first;
        if (first == 0) {
            /* as it was: no array either, so a caller need not free on error */
            free(out->items);
            out->items = NULL;
            out->cap = 0;
        }
    }
    return rc;
}

int rel_term_parse_one(struct rel_term **out, const char *text, size_t len, const char *filename)
{
    struct rel_terms terms = {0};
    *out = NULL;
    int rc = rel_term_parse(&terms, text, len, filename);
    if (rc < 0)
        return rc;
    if (terms.len != 1) {
        rc = rel_error_set(REL_EPARSE, "%s:%d:%d: expected exactly one term, found %zu",
                           filename ? filename : "<string>",
                           terms.len > 1 ? terms.items[1]->line : 1,
                           terms.len > 1 ? terms.items[1]->col : 1, terms.len);
        rel_terms_free(&terms);
        return rc;
    }
    *out = terms.items[0];
    free(terms.items);
    return 0;
}

int rel_term_consult(struct rel_terms *out, const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_TERM_MAX_INPUT);
    if (rc == 0)
        rc = rel_term_parse(out, b.ptr ? b.ptr : "", b.len, path);
    rel_buf_free(&b);
    return rc;
}

int rel_term_consult_one(struct rel_term **out, const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    *out = NULL;
    int rc = rel_fs_read_file(&b, path, REL_TERM_MAX_INPUT);
    if (rc == 0)
        rc = rel_term_parse_one(out, b.ptr ? b.ptr : "", b.len, path);
    rel_buf_free(&b);
    return rc;
}
