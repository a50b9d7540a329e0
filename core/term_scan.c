/*
 * term_scan.c - the scanner of Erlang term text: characters (UTF-8 or
 * Latin-1), comments, and the tokens of the part of Erlang that
 * erl_parse:parse_term/1 accepts, for the parser in term_parse.c.
 */
#include "alloc.h"
#include "buf.h"
#include "clocale.h"
#include "error.h"
#include "term.h"
#include "term_int.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rel_term_scan_error(struct rel_term_parser *p, int line, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rel_error_set(REL_EPARSE, "%s:%d:%d: %s", p->file, line, col, msg);
}

/* Peek at the character at the current position: its code point (>= 0),
 * -1 at the end, -2 for bytes that are not valid UTF-8. *len gets its size. */
static int32_t peek_char(const struct rel_term_parser *p, size_t at, size_t *len)
{
    if (at >= p->n) {
        *len = 0;
        return -1;
    }
    if (p->latin1 || p->s[at] < 0x80) {
        *len = 1;
        return p->s[at];
    }
    uint32_t c;
    size_t k = rel_utf8_decode(p->s + at, p->n - at, &c);
    if (k == 0) {
        *len = 1;
        return -2;
    }
    *len = k;
    return (int32_t)c;
}

static int32_t cur(const struct rel_term_parser *p)
{
    size_t len;
    return peek_char(p, p->pos, &len);
}

/* Consume one character, keeping line and column. */
static void adv(struct rel_term_parser *p)
{
    size_t len;
    int32_t c = peek_char(p, p->pos, &len);
    if (c == -1)
        return;
    p->pos += len;
    if (c == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
}

static bool is_space(int32_t c)
{
    /* erl_scan: everything up to the space, and 128..160 (Latin-1). */
    return (c >= 0 && c <= ' ') || (c >= 0x80 && c <= 0xA0);
}

static const char *const reserved_words[] = {
    "after", "and",  "andalso", "band",   "begin",   "bnot", "bor", "bsl",  "bsr",
    "bxor",  "case", "catch",   "cond",   "div",     "end",  "fun", "if",   "let",
    "not",   "of",   "or",      "orelse", "receive", "rem",  "try", "when", "xor",
};

bool rel_term_is_reserved(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(reserved_words) / sizeof(reserved_words[0]); i++)
        if (strlen(reserved_words[i]) == len && memcmp(reserved_words[i], s, len) == 0)
            return true;
    return false;
}

/* Append code point `c` as UTF-8 to the scratch buffer. */
static int tmp_put_char(struct rel_term_parser *p, uint32_t c)
{
    char b[4];
    return rel_buf_put(&p->tmp, b, rel_utf8_encode(c, b));
}

static int hex_val(int32_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* After a backslash (already consumed) read one escape; *out = the char. */
static int scan_escape(struct rel_term_parser *p, int32_t *out)
{
    int line = p->line, col = p->col - 1;
    int32_t c = cur(p);
    if (c < 0)
        return c == -1 ? rel_term_scan_error(p, line, col, "unterminated escape sequence")
                       : rel_term_scan_error(p, p->line, p->col, "invalid UTF-8");
    if (c >= '0' && c <= '7') {
        int32_t v = 0;
        for (int i = 0; i < 3 && cur(p) >= '0' && cur(p) <= '7'; i++) {
            v = v * 8 + (cur(p) - '0');
            adv(p);
        }
        *out = v;
        return 0;
    }
    adv(p);
    switch (c) {
    case 'n':
        *out = '\n';
        return 0;
    case 'r':
        *out = '\r';
        return 0;
    case 't':
        *out = '\t';
        return 0;
    case 'v':
        *out = '\v';
        return 0;
    case 'b':
        *out = '\b';
        return 0;
    case 'f':
        *out = '\f';
        return 0;
    case 'e':
        *out = 27;
        return 0;
    case 's':
        *out = ' ';
        return 0;
    case 'd':
        *out = 127;
        return 0;
    case 'x': {
        if (cur(p) == '{') {
            adv(p);
            uint32_t v = 0;
            int digits = 0;
            while (hex_val(cur(p)) >= 0) {
                v = v * 16 + (uint32_t)hex_val(cur(p));
                if (v > 0x10FFFF)
                    return rel_term_scan_error(p, line, col,
                                               "character in \\x{...} escape is beyond 10FFFF");
                digits++;
                adv(p);
            }
            if (cur(p) != '}' || digits == 0)
                return rel_term_scan_error(p, line, col, "invalid \\x{...} escape");
            adv(p);
            *out = (int32_t)v;
            return 0;
        }
        int h1 = hex_val(cur(p));
        if (h1 < 0)
            return rel_term_scan_error(p, line, col,
                                       "invalid \\x escape (expected two hex digits or {...})");
        adv(p);
        int h2 = hex_val(cur(p));
        if (h2 < 0)
            return rel_term_scan_error(p, line, col,
                                       "invalid \\x escape (expected two hex digits or {...})");
        adv(p);
        *out = h1 * 16 + h2;
        return 0;
    }
    case '^': {
        int32_t k = cur(p);
        if (k < 0)
            return rel_term_scan_error(p, line, col, "unterminated escape sequence");
        adv(p);
        *out = k & 31;
        return 0;
    }
    default:
        *out = c;
        return 0;
    }
}

/* Scan a quoted atom or string body up to the closing quote `q` into
 * p->tmp (UTF-8) and, for strings, into a code point array. */
static int scan_quoted(struct rel_term_parser *p, int32_t q, uint32_t **chars, size_t *nchars)
{
    int line = p->line, col = p->col;
    adv(p); /* the opening quote */
    rel_buf_clear(&p->tmp);
    size_t n = 0, cap = 0;
    uint32_t *arr = NULL;
    int rc = 0;
    for (;;) {
        int32_t c = cur(p);
        if (c == -1) {
            rc = rel_term_scan_error(p, line, col,
                                     q == '"' ? "unterminated string" : "unterminated quoted atom");
            goto fail;
        }
        if (c == -2) {
            rc = rel_term_scan_error(p, p->line, p->col, "invalid UTF-8");
            goto fail;
        }
        if (c == q) {
            adv(p);
            break;
        }
        adv(p);
        if (c == '\\') {
            rc = scan_escape(p, &c);
            if (rc < 0)
                goto fail;
        }
        if (chars) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                arr = rel_reallocarray(arr, cap, sizeof(*arr));
            }
            arr[n++] = (uint32_t)c;
        } else {
            rc = tmp_put_char(p, (uint32_t)c);
            if (rc < 0)
                goto fail;
            if (++n > REL_TERM_MAX_ATOM_CHARS) {
                rc = rel_term_scan_error(p, line, col, "atom is longer than %d characters",
                                         REL_TERM_MAX_ATOM_CHARS);
                goto fail;
            }
        }
    }
    if (chars) {
        *chars = arr;
        *nchars = n;
    }
    return 0;
fail:
    free(arr);
    return rc;
}

/* Multiply-add on a little-endian base-256 magnitude. */
static int mag_muladd(uint8_t **mag, size_t *len, unsigned mul, unsigned add)
{
    unsigned carry = add;
    for (size_t i = 0; i < *len; i++) {
        unsigned v = (*mag)[i] * mul + carry;
        (*mag)[i] = (uint8_t)(v & 0xFF);
        carry = v >> 8;
    }
    while (carry) {
        if (*len >= REL_TERM_MAX_BIG_BYTES)
            return -1;
        *mag = rel_realloc(*mag, *len + 1);
        (*mag)[(*len)++] = (uint8_t)(carry & 0xFF);
        carry >>= 8;
    }
    return 0;
}

static int digit_val(int32_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Scan digits of `base` (with single `_` separators between digits) into a
 * number. Returns the count of digits, or a negative error. */
static int scan_digits(struct rel_term_parser *p, unsigned base, uint8_t **mag, size_t *len,
                       int line, int col)
{
    int count = 0;
    for (;;) {
        int32_t c = cur(p);
        if (c == '_' && count > 0) {
            size_t l2;
            int32_t next = peek_char(p, p->pos + 1, &l2);
            if ((unsigned)digit_val(next) < base) {
                adv(p);
                continue;
            }
            break;
        }
        unsigned d = (unsigned)digit_val(c);
        if (c < 0 || d >= base)
            break;
        if (mag_muladd(mag, len, base, d) < 0)
            return rel_term_scan_error(p, line, col, "integer is too large");
        count++;
        adv(p);
    }
    return count;
}

static int scan_number(struct rel_term_parser *p, struct rel_term_token *t)
{
    int line = p->line, col = p->col;
    size_t start = p->pos;
    uint8_t *mag = NULL;
    size_t len = 0;
    int rc = scan_digits(p, 10, &mag, &len, line, col);
    if (rc < 0)
        goto out;
    if (cur(p) == '#') {
        /* Base#digits */
        size_t l2;
        uint64_t base = 0;
        for (size_t i = len; i-- > 0;)
            base = base < 256 ? base * 256 + mag[i] : base;
        if (len > 2 || base < 2 || base > 36) {
            rc = rel_term_scan_error(p, line, col, "invalid base in integer (2..36)");
            goto out;
        }
        int32_t next = peek_char(p, p->pos + 1, &l2);
        if ((uint64_t)digit_val(next) >= base) {
            rc = rel_term_scan_error(p, line, col, "expected base-%u digits after '#'",
                                     (unsigned)base);
            goto out;
        }
        adv(p);
        free(mag);
        mag = NULL;
        len = 0;
        rc = scan_digits(p, (unsigned)base, &mag, &len, line, col);
        if (rc < 0)
            goto out;
        t->val = rel_term_bigint(false, mag, len);
        rc = 0;
        goto out;
    }
    size_t l2;
    if (cur(p) == '.' && peek_char(p, p->pos + 1, &l2) >= '0' &&
        peek_char(p, p->pos + 1, &l2) <= '9') {
        adv(p);
        rc = scan_digits(p, 10, &mag, &len, line, col);
        if (rc < 0)
            goto out;
        if (cur(p) == 'e' || cur(p) == 'E') {
            size_t at = p->pos + 1;
            int32_t c2 = peek_char(p, at, &l2);
            if (c2 == '+' || c2 == '-')
                c2 = peek_char(p, at + 1, &l2);
            if (c2 >= '0' && c2 <= '9') {
                adv(p);
                if (cur(p) == '+' || cur(p) == '-')
                    adv(p);
                uint8_t *emag = NULL;
                size_t elen = 0;
                rc = scan_digits(p, 10, &emag, &elen, line, col);
                free(emag);
                if (rc < 0)
                    goto out;
            }
        }
        /* Copy the literal without underscores and convert in the C locale. */
        size_t n = p->pos - start;
        char *buf = rel_malloc(n + 1), *w = buf;
        for (size_t i = start; i < p->pos; i++)
            if (p->s[i] != '_')
                *w++ = (char)p->s[i];
        *w = '\0';
        locale_t old = rel_clocale_enter();
        double d = strtod(buf, NULL);
        rel_clocale_leave(old);
        free(buf);
        if (!isfinite(d)) {
            rc = rel_term_scan_error(p, line, col, "float is out of range");
            goto out;
        }
        t->val = rel_term_float(d);
        rc = 0;
        goto out;
    }
    t->val = rel_term_bigint(false, mag, len);
    rc = 0;
out:
    free(mag);
    return rc;
}

/* Skip white space and comments. */
static int skip_blank(struct rel_term_parser *p)
{
    for (;;) {
        int32_t c = cur(p);
        if (c == '%') {
            while (cur(p) != -1 && cur(p) != '\n')
                adv(p);
        } else if (c == -2) {
            return rel_term_scan_error(p, p->line, p->col, "invalid UTF-8");
        } else if (c >= 0 && is_space(c)) {
            adv(p);
        } else {
            return 0;
        }
    }
}

void rel_term_token_clear(struct rel_term_token *t)
{
    rel_term_free(t->val);
    t->val = NULL;
}

int rel_term_scan(struct rel_term_parser *p)
{
    struct rel_term_token *t = &p->tok;
    rel_term_token_clear(t);
    int rc = skip_blank(p);
    if (rc < 0)
        return rc;
    t->line = p->line;
    t->col = p->col;
    t->start = p->pos;
    t->text[0] = '\0';
    int32_t c = cur(p);
    size_t l2;
    if (c == -1) {
        t->type = T_EOF;
    } else if (c >= '0' && c <= '9') {
        t->type = T_NUMBER;
        rc = scan_number(p, t);
    } else if (term_is_lower(c) || term_is_upper(c) || c == '_') {
        size_t start = p->pos;
        while (cur(p) >= 0 && term_is_name_char(cur(p)))
            adv(p);
        size_t n = p->pos - start;
        if (term_is_upper(c) || c == '_') {
            t->type = T_VAR;
        } else if (p->latin1) {
            rel_buf_clear(&p->tmp);
            for (size_t i = start; i < p->pos && rc == 0; i++)
                rc = tmp_put_char(p, p->s[i]);
            if (rc == 0 && rel_term_is_reserved(p->tmp.ptr, p->tmp.len))
                t->type = T_RESERVED;
            else if (rc == 0) {
                t->type = T_ATOM;
                t->val = rel_term_atom_len(p->tmp.ptr, p->tmp.len);
            }
        } else if (rel_term_is_reserved((const char *)p->s + start, n)) {
            t->type = T_RESERVED;
        } else {
            t->type = T_ATOM;
            t->val = rel_term_atom_len((const char *)p->s + start, n);
        }
        if (rc == 0 && t->type == T_ATOM && p->col - t->col > REL_TERM_MAX_ATOM_CHARS)
            rc = rel_term_scan_error(p, t->line, t->col, "atom is longer than %d characters",
                                     REL_TERM_MAX_ATOM_CHARS);
    } else if (c == '\'') {
        t->type = T_ATOM;
        rc = scan_quoted(p, '\'', NULL, NULL);
        if (rc == 0)
            t->val = rel_term_atom_len(p->tmp.ptr, p->tmp.len);
    } else if (c == '"') {
        t->type = T_STRING;
        uint32_t *chars = NULL;
        size_t n = 0;
        rc = scan_quoted(p, '"', &chars, &n);
        if (rc == 0) {
            t->val = rel_term_string_chars(chars, n);
            free(chars);
        }
    } else if (c == '$') {
        adv(p);
        int32_t ch = cur(p);
        if (ch == -1)
            return rel_term_scan_error(p, t->line, t->col, "unterminated character literal");
        if (ch == -2)
            return rel_term_scan_error(p, p->line, p->col, "invalid UTF-8");
        adv(p);
        if (ch == '\\')
            rc = scan_escape(p, &ch);
        t->type = T_CHAR;
        if (rc == 0)
            t->val = rel_term_int(ch);
    } else if (c == '.') {
        adv(p);
        int32_t next = cur(p);
        if (next == -1 || next == '%' || (next >= 0 && is_space(next))) {
            t->type = T_DOT;
        } else {
            t->type = T_PUNCT;
            strcpy(t->text, ".");
        }
    } else {
        t->type = T_PUNCT;
        int32_t next = peek_char(p, p->pos + 1, &l2);
        static const char *const two[] = {"<<", ">>", "=>", ":=", "||", "->", "=<",
                                          ">=", "==", "/=", "++", "--", "<-", "<="};
        for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
            if (c == two[i][0] && next == two[i][1]) {
                adv(p);
                adv(p);
                strcpy(t->text, two[i]);
                break;
            }
        }
        if (!t->text[0]) {
            if (c == -2)
                return rel_term_scan_error(p, p->line, p->col, "invalid UTF-8");
            size_t k = rel_utf8_encode((uint32_t)c, t->text);
            t->text[k] = '\0';
            adv(p);
        }
    }
    t->end = p->pos;
    return rc;
}

/* A short description of the current token for messages. */
static void describe_token(const struct rel_term_parser *p, const struct rel_term_token *t,
                           char *out, size_t outlen)
{
    switch (t->type) {
    case T_EOF:
        snprintf(out, outlen, "end of input");
        return;
    case T_DOT:
        snprintf(out, outlen, "'.'");
        return;
    case T_STRING:
        snprintf(out, outlen, "a string");
        return;
    case T_PUNCT: {
        size_t len;
        int32_t c = peek_char(p, t->start, &len);
        if (c < 32 || (c >= 127 && c < 160) || c > 0xFFFF) {
            snprintf(out, outlen, "character \\x{%X}", (unsigned)c);
            return;
        }
        break;
    }
    default:
        break;
    }
    size_t n = t->end - t->start;
    if (n > 40)
        n = 40;
    snprintf(out, outlen, "'%.*s%s'", (int)n, (const char *)p->s + t->start,
             t->end - t->start > 40 ? "..." : "");
}

int rel_term_scan_unexpected(struct rel_term_parser *p, const char *expected)
{
    char what[64];
    describe_token(p, &p->tok, what, sizeof(what));
    if (expected)
        return rel_term_scan_error(p, p->tok.line, p->tok.col, "unexpected %s, expected %s", what,
                                   expected);
    return rel_term_scan_error(p, p->tok.line, p->tok.col, "unexpected %s", what);
}
