/*
 * term_print.c - terms as text: compact like OTP 25's io_lib:write, or pretty
 * like io:format("~tp"), and consultable files written atomically.
 */
#include "alloc.h"
#include "buf.h"
#include "clocale.h"
#include "error.h"
#include "fs.h"
#include "term.h"
#include "term_int.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Printing happens in two passes. build() turns the term into a layout tree
 * whose leaves are the final text of atoms, numbers, strings and printable
 * binaries, and whose inner nodes (lists, tuples, maps, map pairs, binaries
 * printed as bytes) know their one-line length. Compact output writes that
 * tree on one line. Pretty output then follows the rules of OTP's
 * io_lib_pretty, so that relman writes .script and sys.config files the way
 * OTP does:
 *  - anything that fits in the rest of the line is written on one line;
 *  - a list or tuple that does not fit puts each element on its own line,
 *    aligned after the bracket, except that runs of short "atomic" elements
 *    (atoms, numbers, strings) are filled onto lines like a paragraph;
 *  - a tuple whose first element is an atom ({tag, ...}) keeps the tag on the
 *    bracket's line and indents the other elements either just after
 *    "{tag," or, when that is deeper than the tuple indentation TInd, by TInd
 *    columns from the bracket;
 *  - TInd is -1 (always after the tag) when the whole term can be laid out
 *    that way without any element starting past the middle of the line, else
 *    4, else 1 (the dry run in lay_try() decides);
 *  - map pairs that do not fit put the value on the next line, indented.
 * ====================================================================== */

enum lkind { L_TEXT, L_LIST, L_TUPLE, L_MAP, L_PAIR, L_BIN };

struct lnode {
    enum lkind kind;
    bool tagged;        /* L_TUPLE: {atom, ...} with at least two elements */
    long len;           /* one-line length in characters */
    size_t off, nbytes; /* L_TEXT: text in the arena */
    struct lnode **kids;
    size_t nkids;
    struct lnode *tail; /* L_LIST: improper tail */
};

/* A bump allocator for layout nodes, freed all at once. */
struct pool_block {
    struct pool_block *next;
    size_t used, size;
    max_align_t data[];
};

struct printer {
    struct pool_block *blocks;
    struct rel_buf text; /* the leaves' text */
    unsigned flags;
    int rc;
};

static void *pool_alloc(struct printer *pr, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct pool_block *b = pr->blocks;
    if (!b || b->size - b->used < size) {
        size_t bsize = size > 65536 ? size : 65536;
        b = rel_malloc(sizeof(*b) + bsize);
        b->next = pr->blocks;
        b->used = 0;
        b->size = bsize;
        pr->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

static void pool_free(struct printer *pr)
{
    while (pr->blocks) {
        struct pool_block *next = pr->blocks->next;
        free(pr->blocks);
        pr->blocks = next;
    }
}

static bool printable_latin1(uint32_t c)
{
    return (c >= 32 && c <= 126) || (c >= 160 && c <= 255) || c == '\n' || c == '\r' || c == '\t' ||
           c == '\v' || c == '\b' || c == '\f' || c == 27;
}

static bool printable_char(uint32_t c, unsigned flags)
{
    if (printable_latin1(c))
        return true;
    if (!(flags & REL_TERM_PRINT_UNICODE))
        return false;
    return (c >= 160 && c < 0xD800) || (c > 0xDFFF && c < 0xFFFE) || (c > 0xFFFF && c <= 0x10FFFF);
}

/* Write character `c` of a quoted string or atom (quote `q`) the way
 * io_lib:write_string does. */
static int put_quoted_char(struct rel_buf *b, uint32_t c, char q)
{
    char tmp[8];
    if (c == (uint32_t)q || c == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)c;
        return rel_buf_put(b, tmp, 2);
    }
    if ((c >= 32 && c <= 126) || c >= 160)
        return rel_buf_put(b, tmp, rel_utf8_encode(c, tmp));
    const char *named = NULL;
    switch (c) {
    case '\n':
        named = "\\n";
        break;
    case '\r':
        named = "\\r";
        break;
    case '\t':
        named = "\\t";
        break;
    case '\v':
        named = "\\v";
        break;
    case '\b':
        named = "\\b";
        break;
    case '\f':
        named = "\\f";
        break;
    case 27:
        named = "\\e";
        break;
    case 127:
        named = "\\d";
        break;
    default:
        break;
    }
    if (named)
        return rel_buf_puts(b, named);
    snprintf(tmp, sizeof(tmp), "\\%c%c%c", '0' + (int)(c >> 6), '0' + (int)((c >> 3) & 7),
             '0' + (int)(c & 7));
    return rel_buf_puts(b, tmp);
}

static bool atom_needs_quotes(const char *name, size_t len)
{
    if (len == 0)
        return true;
    /* `maybe` and `else` are written unquoted by OTP 25 but are reserved
     * words from OTP 27 on; quoting them reads back equal everywhere. */
    if (rel_term_is_reserved(name, len) || (len == 5 && memcmp(name, "maybe", 5) == 0) ||
        (len == 4 && memcmp(name, "else", 4) == 0))
        return true;
    const unsigned char *s = (const unsigned char *)name;
    bool first = true;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = rel_utf8_decode(s + i, len - i, &c);
        if (k == 0)
            return true;
        if (first ? !term_is_lower((int32_t)c) : !term_is_name_char((int32_t)c))
            return true;
        first = false;
        i += k;
    }
    return false;
}

static int put_atom(struct rel_buf *b, const char *name, size_t len)
{
    if (!atom_needs_quotes(name, len))
        return rel_buf_put(b, name, len);
    int rc = rel_buf_putc(b, '\'');
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < len && rc == 0;) {
        uint32_t c;
        size_t k = rel_utf8_decode(s + i, len - i, &c);
        if (k == 0) {
            c = s[i];
            k = 1;
        }
        rc = put_quoted_char(b, c, '\'');
        i += k;
    }
    return rc ? rc : rel_buf_putc(b, '\'');
}

/* Decimal text of a bignum. */
static int put_bigint(struct rel_buf *b, const struct rel_term *t)
{
    size_t nl = (t->u.big.len + 3) / 4;
    uint32_t *limbs = rel_calloc(nl ? nl : 1, sizeof(uint32_t));
    for (size_t i = 0; i < t->u.big.len; i++)
        limbs[i / 4] |= (uint32_t)t->u.big.mag[i] << (8 * (i % 4));
    /* Repeated division by 10^9 gives base-10^9 digits, least significant first. */
    size_t cap = nl * 2 + 2, nd = 0;
    uint32_t *dig = rel_reallocarray(NULL, cap, sizeof(uint32_t));
    size_t top = nl;
    while (top > 0) {
        uint64_t rem = 0;
        for (size_t i = top; i-- > 0;) {
            uint64_t cur = (rem << 32) | limbs[i];
            limbs[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        dig[nd++] = (uint32_t)rem;
        while (top > 0 && limbs[top - 1] == 0)
            top--;
    }
    int rc = 0;
    if (t->u.big.negative)
        rc = rel_buf_putc(b, '-');
    if (nd == 0)
        rc = rc ? rc : rel_buf_putc(b, '0');
    for (size_t i = nd; i-- > 0 && rc == 0;)
        rc = rel_buf_printf(b, i == nd - 1 ? "%u" : "%09u", dig[i]);
    free(limbs);
    free(dig);
    return rc;
}

/* The shortest text that reads back as `d`, written as OTP 25's
 * float_to_list(D, [short]) does: digits with a decimal point ("123.5",
 * "0.001") or scientific ("1.0e-5", "1.5e30"), whichever is shorter (the
 * decimal form on a tie), and always scientific from 2^53 up. */
static int put_float(struct rel_buf *b, double d)
{
    if (!isfinite(d))
        return rel_error_set(REL_EINVAL, "cannot print a float that is not finite");
    if (d == 0)
        return rel_buf_puts(b, signbit(d) ? "-0.0" : "0.0");
    char sci[40];
    locale_t old = rel_clocale_enter();
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    rel_clocale_leave(old);
    /* sci is "[-]D[.DDD]e[+-]XX" */
    const char *s = sci;
    bool neg = *s == '-';
    if (neg)
        s++;
    char digits[24];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && nd < sizeof(digits) - 1)
            digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp = *s == 'e' ? atoi(s + 1) : 0;

    char sform[48], pform[400];
    snprintf(sform, sizeof(sform), "%s%c.%se%d", neg ? "-" : "", digits[0],
             nd > 1 ? digits + 1 : "0", exp);
    size_t pl = 0;
    if (neg)
        pform[pl++] = '-';
    if (exp >= 0) {
        for (int i = 0; i <= exp; i++)
            pform[pl++] = (size_t)i < nd ? digits[i] : '0';
        pform[pl++] = '.';
        if ((size_t)exp + 1 < nd)
            for (size_t i = (size_t)exp + 1; i < nd; i++)
                pform[pl++] = digits[i];
        else
            pform[pl++] = '0';
    } else {
        pform[pl++] = '0';
        pform[pl++] = '.';
        for (int i = 0; i < -exp - 1; i++)
            pform[pl++] = '0';
        for (size_t i = 0; i < nd; i++)
            pform[pl++] = digits[i];
    }
    pform[pl] = '\0';
    if (fabs(d) >= 9007199254740992.0 || pl > strlen(sform))
        return rel_buf_puts(b, sform);
    return rel_buf_puts(b, pform);
}

static struct lnode *lnode_new(struct printer *pr, enum lkind kind, size_t nkids)
{
    struct lnode *n = pool_alloc(pr, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->nkids = nkids;
    n->kids = nkids ? pool_alloc(pr, nkids * sizeof(*n->kids)) : NULL;
    return n;
}

/* A text leaf from what was appended to pr->text since `start`. */
static struct lnode *leaf_from(struct printer *pr, size_t start)
{
    struct lnode *n = lnode_new(pr, L_TEXT, 0);
    n->off = start;
    n->nbytes = pr->text.len - start;
    n->len = (long)rel_utf8_chars(pr->text.ptr + start, n->nbytes);
    return n;
}

static struct lnode *leaf_text(struct printer *pr, const char *s)
{
    size_t start = pr->text.len;
    if (pr->rc == 0)
        pr->rc = rel_buf_puts(&pr->text, s);
    return leaf_from(pr, start);
}

static struct lnode *leaf_int(struct printer *pr, int64_t v)
{
    size_t start = pr->text.len;
    if (pr->rc == 0)
        pr->rc = rel_buf_printf(&pr->text, "%lld", (long long)v);
    return leaf_from(pr, start);
}

/* A string leaf "..." for code points that are all printable. */
static struct lnode *leaf_string(struct printer *pr, const struct rel_term *t)
{
    size_t start = pr->text.len;
    int rc = rel_buf_putc(&pr->text, '"');
    if (t->kind == REL_TERM_STRING)
        for (size_t i = 0; i < t->u.str.len && rc == 0; i++)
            rc = put_quoted_char(&pr->text, t->u.str.chars[i], '"');
    else
        for (size_t i = 0; i < t->u.list.len && rc == 0; i++)
            rc = put_quoted_char(&pr->text, (uint32_t)t->u.list.items[i]->u.i, '"');
    if (rc == 0)
        rc = rel_buf_putc(&pr->text, '"');
    if (pr->rc == 0)
        pr->rc = rc;
    return leaf_from(pr, start);
}

static void sum_len(struct lnode *n, long open_close)
{
    long len = open_close;
    for (size_t i = 0; i < n->nkids; i++)
        len += n->kids[i]->len + (i ? 1 : 0);
    if (n->tail)
        len += 1 + n->tail->len;
    n->len = len;
}

/* Does a proper LIST consist of printable character codes only? */
static bool list_is_printable(const struct rel_term *t, unsigned flags)
{
    if (t->u.list.tail || t->u.list.len == 0)
        return false;
    for (size_t i = 0; i < t->u.list.len; i++) {
        const struct rel_term *e = t->u.list.items[i];
        if (!e || e->kind != REL_TERM_INT || e->u.i < 0 || e->u.i > 0x10FFFF ||
            !printable_char((uint32_t)e->u.i, flags))
            return false;
    }
    return true;
}

static struct lnode *build(struct printer *pr, const struct rel_term *t, int depth);

static struct lnode *build_binary(struct printer *pr, const struct rel_term *t)
{
    const uint8_t *d = t->u.bin.data;
    size_t n = t->u.bin.len;
    if (n == 0)
        return leaf_text(pr, "<<>>");
    /* As io_lib_pretty: valid UTF-8 of printable characters prints as text
     * ("/utf8" when not plain ASCII); otherwise printable Latin-1 bytes as
     * text; otherwise the bytes. */
    bool valid_utf8 = true, utf8_ok = true, ascii = true;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t k = rel_utf8_decode(d + i, n - i, &c);
        if (k == 0) {
            valid_utf8 = utf8_ok = false;
            break;
        }
        if (!printable_char(c, pr->flags))
            utf8_ok = false;
        if (k > 1)
            ascii = false;
        i += k;
    }
    /* Latin-1 text only when the bytes are not UTF-8 at all. */
    bool latin1_ok = !valid_utf8;
    for (size_t i = 0; i < n && latin1_ok; i++)
        latin1_ok = printable_latin1(d[i]);
    if (utf8_ok || latin1_ok) {
        size_t start = pr->text.len;
        int rc = rel_buf_puts(&pr->text, "<<\"");
        for (size_t i = 0; i < n && rc == 0;) {
            uint32_t c = d[i];
            size_t k = 1;
            if (utf8_ok)
                k = rel_utf8_decode(d + i, n - i, &c);
            rc = put_quoted_char(&pr->text, c, '"');
            i += k;
        }
        if (rc == 0)
            rc = rel_buf_puts(&pr->text, utf8_ok && !ascii ? "\"/utf8>>" : "\">>");
        if (pr->rc == 0)
            pr->rc = rc;
        return leaf_from(pr, start);
    }
    struct lnode *b = lnode_new(pr, L_BIN, n);
    for (size_t i = 0; i < n; i++)
        b->kids[i] = leaf_int(pr, d[i]);
    sum_len(b, 4);
    return b;
}

/* Sort map keys (indices) in term order for printing and encoding. */
static size_t *map_order(const struct rel_term *m)
{
    return rel_term_key_order(m->u.map.keys, m->u.map.len);
}

static struct lnode *build(struct printer *pr, const struct rel_term *t, int depth)
{
    if (pr->rc)
        return leaf_text(pr, "");
    if (!t) {
        pr->rc = rel_error_set(REL_EINVAL, "cannot print an incomplete term (a NULL element)");
        return leaf_text(pr, "");
    }
    if (depth >= REL_TERM_MAX_DEPTH) {
        pr->rc = rel_error_set(REL_ELIMIT, "term nests deeper than %d levels", REL_TERM_MAX_DEPTH);
        return leaf_text(pr, "");
    }
    size_t start = pr->text.len;
    switch (t->kind) {
    case REL_TERM_ATOM:
        pr->rc = put_atom(&pr->text, t->u.atom.name, t->u.atom.len);
        return leaf_from(pr, start);
    case REL_TERM_INT:
        return leaf_int(pr, t->u.i);
    case REL_TERM_BIGINT:
        pr->rc = put_bigint(&pr->text, t);
        return leaf_from(pr, start);
    case REL_TERM_FLOAT:
        pr->rc = put_float(&pr->text, t->u.f);
        return leaf_from(pr, start);
    case REL_TERM_STRING: {
        if (t->u.str.len == 0)
            return leaf_text(pr, "[]");
        bool printable = true;
        for (size_t i = 0; i < t->u.str.len && printable; i++)
            printable = printable_char(t->u.str.chars[i], pr->flags);
        if (printable)
            return leaf_string(pr, t);
        struct lnode *l = lnode_new(pr, L_LIST, t->u.str.len);
        for (size_t i = 0; i < t->u.str.len; i++)
            l->kids[i] = leaf_int(pr, t->u.str.chars[i]);
        sum_len(l, 2);
        return l;
    }
    case REL_TERM_BINARY:
        return build_binary(pr, t);
    case REL_TERM_LIST: {
        if (t->u.list.len == 0 && !t->u.list.tail)
            return leaf_text(pr, "[]");
        if (list_is_printable(t, pr->flags))
            return leaf_string(pr, t);
        struct lnode *l = lnode_new(pr, L_LIST, t->u.list.len);
        for (size_t i = 0; i < t->u.list.len; i++)
            l->kids[i] = build(pr, t->u.list.items[i], depth + 1);
        if (t->u.list.tail)
            l->tail = build(pr, t->u.list.tail, depth + 1);
        if (t->u.list.len == 0 && l->tail) {
            /* `[|T]` cannot be written; a canonical list never has this. */
            pr->rc = rel_error_set(REL_EINVAL, "cannot print a list with a tail and no elements");
        }
        sum_len(l, 2);
        return l;
    }
    case REL_TERM_TUPLE: {
        if (t->u.tuple.len == 0)
            return leaf_text(pr, "{}");
        struct lnode *l = lnode_new(pr, L_TUPLE, t->u.tuple.len);
        for (size_t i = 0; i < t->u.tuple.len; i++)
            l->kids[i] = build(pr, t->u.tuple.items[i], depth + 1);
        l->tagged =
            t->u.tuple.len > 1 && t->u.tuple.items[0] && t->u.tuple.items[0]->kind == REL_TERM_ATOM;
        sum_len(l, 2);
        return l;
    }
    case REL_TERM_MAP: {
        if (t->u.map.len == 0)
            return leaf_text(pr, "#{}");
        size_t *idx = map_order(t);
        struct lnode *m = lnode_new(pr, L_MAP, t->u.map.len);
        for (size_t i = 0; i < t->u.map.len; i++) {
            struct lnode *pair = lnode_new(pr, L_PAIR, 2);
            pair->kids[0] = build(pr, t->u.map.keys[idx[i]], depth + 1);
            pair->kids[1] = build(pr, t->u.map.values[idx[i]], depth + 1);
            pair->len = pair->kids[0]->len + 4 + pair->kids[1]->len;
            m->kids[i] = pair;
        }
        free(idx);
        sum_len(m, 3);
        return m;
    }
    }
    pr->rc = rel_error_set(REL_EINVAL, "cannot print a term of unknown kind %d", (int)t->kind);
    return leaf_text(pr, "");
}

/* ---- layout ---- */

struct lay {
    struct rel_buf *out;
    const char *text;
    long ll;   /* line length: 80 */
    long m;    /* the whole term's length (io_lib_pretty's M when unset) */
    long tind; /* tuple indentation being used or tried */
    bool dry;  /* trial run: check TInd, write nothing */
    bool fail; /* the trial failed */
    int rc;
};

static void out_put(struct lay *ly, const char *s, size_t n)
{
    if (!ly->dry && ly->rc == 0)
        ly->rc = rel_buf_put(ly->out, s, n);
}

static void out_nl_indent(struct lay *ly, long ind)
{
    if (ly->dry || ly->rc)
        return;
    ly->rc = rel_buf_putc(ly->out, '\n');
    for (long i = 0; i < ind && ly->rc == 0; i++)
        ly->rc = rel_buf_putc(ly->out, ' ');
}

static void write_flat(struct lay *ly, const struct lnode *n)
{
    if (ly->dry || ly->rc)
        return;
    switch (n->kind) {
    case L_TEXT:
        out_put(ly, ly->text + n->off, n->nbytes);
        return;
    case L_PAIR:
        write_flat(ly, n->kids[0]);
        out_put(ly, " => ", 4);
        write_flat(ly, n->kids[1]);
        return;
    case L_LIST:
    case L_TUPLE:
    case L_MAP:
    case L_BIN: {
        const char *open = n->kind == L_LIST    ? "["
                           : n->kind == L_TUPLE ? "{"
                           : n->kind == L_MAP   ? "#{"
                                                : "<<";
        const char *close = n->kind == L_LIST    ? "]"
                            : n->kind == L_TUPLE ? "}"
                            : n->kind == L_MAP   ? "}"
                                                 : ">>";
        out_put(ly, open, strlen(open));
        for (size_t i = 0; i < n->nkids; i++) {
            if (i)
                out_put(ly, ",", 1);
            write_flat(ly, n->kids[i]);
        }
        if (n->tail) {
            out_put(ly, "|", 1);
            write_flat(ly, n->tail);
        }
        out_put(ly, close, strlen(close));
        return;
    }
    }
}

static bool is_atomic(const struct lnode *n)
{
    return n->kind == L_TEXT;
}

static void pp(struct lay *ly, const struct lnode *n, long col, long ind, long ld, long w);

/* Does an element of length `len` fit at `col` with `ld` closing brackets
 * after it? (the test io_lib_pretty applies everywhere) */
static bool fits(const struct lay *ly, long len, long col, long ld, long w)
{
    return len < ly->ll - col - ld && len + w + ld <= ly->m;
}

/* An element: written flat when atomic and it fits, returning its width;
 * otherwise laid out, returning the line length (forcing a new line). */
static long pp_element(struct lay *ly, const struct lnode *e, long col, long ind, long ld, long w)
{
    if (fits(ly, e->len, col, ld, w) && is_atomic(e)) {
        write_flat(ly, e);
        return e->len;
    }
    pp(ly, e, col, ind, ld, w);
    return ly->ll;
}

/* Elements kids[from..] of a list or tuple (and a list's tail) after the
 * first one: `col0` is the column elements start at on a new line, `col` the
 * current column. */
static void pp_tail(struct lay *ly, const struct lnode *n, size_t from, long col0, long col,
                    long ind, long ld, long w)
{
    for (size_t i = from; i < n->nkids && !ly->fail; i++) {
        const struct lnode *e = n->kids[i];
        long ld1 = i + 1 < n->nkids ? 0 : ld + 1;
        long elen = 1 + e->len;
        bool same_line =
            is_atomic(e) && (ld1 == 0 ? (elen + 1 < ly->ll - col && w + elen + 1 <= ly->m)
                                      : (elen < ly->ll - col - ld1 && w + elen + ld1 <= ly->m));
        if (same_line) {
            out_put(ly, ",", 1);
            write_flat(ly, e);
            col += elen;
            w += elen;
        } else {
            out_put(ly, ",", 1);
            out_nl_indent(ly, ind);
            long we = pp_element(ly, e, col0, ind, ld1, 0);
            col = col0 + we;
            w = we;
        }
    }
    if (n->tail && !ly->fail) {
        const struct lnode *e = n->tail;
        if (is_atomic(e) && e->len + 1 < ly->ll - col - (ld + 1) &&
            e->len + 1 + w + (ld + 1) <= ly->m) {
            out_put(ly, "|", 1);
            write_flat(ly, e);
        } else {
            out_put(ly, "|", 1);
            out_nl_indent(ly, ind);
            pp(ly, e, ly->dry ? col : col0, ind, ld + 1, 0);
        }
    }
}

static void pp_list(struct lay *ly, const struct lnode *n, size_t from, long col0, long ind,
                    long ld, long w)
{
    if (from >= n->nkids)
        return;
    long ld0 = from + 1 < n->nkids ? 0 : ld + 1;
    long we = pp_element(ly, n->kids[from], col0, ind, ld0, w);
    pp_tail(ly, n, from + 1, col0, col0 + we, ind, ld, w + we);
}

static void pp_tag_tuple(struct lay *ly, const struct lnode *n, long col, long ind, long ld, long w)
{
    const struct lnode *tag = n->kids[0];
    long tagind = tag->len + 2;
    long tcol = col + tagind;
    if (ly->tind > 0 && tagind > ly->tind) {
        long col1 = col + ly->tind;
        if (ly->dry && !(ly->m + col1 <= ly->ll || col1 <= ly->ll / 2)) {
            ly->fail = true;
            return;
        }
        write_flat(ly, tag);
        pp_tail(ly, n, 1, col1, tcol, ind + ly->tind, ld, w + tag->len);
    } else {
        if (ly->dry && !(ly->m + tcol < ly->ll || tcol < ly->ll / 2)) {
            ly->fail = true;
            return;
        }
        write_flat(ly, tag);
        out_put(ly, ",", 1);
        pp_list(ly, n, 1, tcol, ind + tagind, ld, w + tag->len + 1);
    }
}

static long pp_pair(struct lay *ly, const struct lnode *pair, long col, long ind, long ld, long w)
{
    if (fits(ly, pair->len, col, ld, w)) {
        write_flat(ly, pair);
        return is_atomic(pair->kids[0]) && is_atomic(pair->kids[1]) ? pair->len : ly->ll;
    }
    long i = ly->tind > 0 ? ly->tind : 4;
    pp(ly, pair->kids[0], col, ind, ld, w);
    out_put(ly, " =>", 3);
    out_nl_indent(ly, ind + i);
    pp(ly, pair->kids[1], col + i, ind + i, ld, 0);
    return ly->ll;
}

static void pp_map(struct lay *ly, const struct lnode *m, long col0, long ind, long ld, long w)
{
    long ld0 = m->nkids > 1 ? 0 : ld + 1;
    long pw = pp_pair(ly, m->kids[0], col0, ind, ld0, w);
    long col = col0 + pw;
    w = ly->dry ? w + pw : pw;
    for (size_t i = 1; i < m->nkids && !ly->fail; i++) {
        const struct lnode *p = m->kids[i];
        long ld1 = i + 1 < m->nkids ? 0 : ld + 1;
        long elen = 1 + p->len;
        bool atm = is_atomic(p->kids[0]) && is_atomic(p->kids[1]);
        bool same_line = atm && (ld1 == 0 ? (elen + 1 < ly->ll - col && w + elen + 1 <= ly->m)
                                          : (elen < ly->ll - col - ld1 && w + elen + ld1 <= ly->m));
        out_put(ly, ",", 1);
        if (same_line) {
            write_flat(ly, p);
            col += elen;
            w += elen;
        } else {
            out_nl_indent(ly, ind);
            pw = pp_pair(ly, p, col0, ind, ld1, 0);
            col = col0 + pw;
            w = pw;
        }
    }
}

/* A binary printed as bytes, wrapped to the line like io_lib_pretty does. */
static void pp_binary(struct lay *ly, const struct lnode *b, long col, long ind, long ld, long w)
{
    if (ly->dry)
        return;
    long lim = ly->ll - col < ly->m - 4 - w ? ly->ll - col : ly->m - 4 - w;
    long n0 = lim - ld > 8 ? lim - ld : 8;
    long n = n0;
    out_put(ly, "<<", 2);
    for (size_t i = 0; i < b->nkids; i++) {
        const struct lnode *e = b->kids[i];
        if (i + 1 < b->nkids) {
            long len = e->len + 1;
            if (n - len < 0) {
                out_nl_indent(ly, ind);
                n = n0 - len;
            } else {
                n -= len;
            }
            write_flat(ly, e);
            out_put(ly, ",", 1);
        } else {
            if (e->len > n)
                out_nl_indent(ly, ind);
            write_flat(ly, e);
        }
    }
    out_put(ly, ">>", 2);
}

static void pp(struct lay *ly, const struct lnode *n, long col, long ind, long ld, long w)
{
    if (ly->fail || ly->rc)
        return;
    if (fits(ly, n->len, col, ld, w)) {
        write_flat(ly, n);
        return;
    }
    switch (n->kind) {
    case L_LIST:
        out_put(ly, "[", 1);
        pp_list(ly, n, 0, col + 1, ind + 1, ld, w + 1);
        out_put(ly, "]", 1);
        return;
    case L_TUPLE:
        out_put(ly, "{", 1);
        if (n->tagged)
            pp_tag_tuple(ly, n, col, ind, ld, w + 1);
        else
            pp_list(ly, n, 0, col + 1, ind + 1, ld, w + 1);
        out_put(ly, "}", 1);
        return;
    case L_MAP:
        out_put(ly, "#{", 2);
        pp_map(ly, n, col + 2, ind + 2, ld, ly->dry ? w + 2 : w + 1);
        out_put(ly, "}", 1);
        return;
    case L_BIN:
        pp_binary(ly, n, col + 2, ind + 2, ld, w);
        return;
    case L_TEXT:
    case L_PAIR:
        write_flat(ly, n);
        return;
    }
}

/* Would the layout with tuple indentation `tind` stay left of the middle? */
static bool lay_try(struct lay *ly, const struct lnode *top, long col, long tind)
{
    struct lay trial = *ly;
    trial.dry = true;
    trial.fail = false;
    trial.tind = tind;
    pp(&trial, top, col, 0, 0, 0);
    return !trial.fail;
}

static int print_layout(struct rel_buf *out, const struct rel_term *t, unsigned flags, int col)
{
    struct printer pr;
    memset(&pr, 0, sizeof(pr));
    pr.flags = flags;
    rel_buf_init(&pr.text, 0);
    struct lnode *top = build(&pr, t, 0);
    int rc = pr.rc;
    if (rc == 0) {
        struct lay ly = {
            .out = out,
            .text = pr.text.ptr ? pr.text.ptr : "",
            .ll = 80,
            .m = top->len,
            .tind = 4,
            .dry = false,
            .fail = false,
            .rc = 0,
        };
        if (col < 1)
            col = 1;
        if (!(flags & REL_TERM_PRINT_PRETTY) || top->len < ly.ll - col) {
            write_flat(&ly, top);
        } else {
            ly.tind = lay_try(&ly, top, col, -1) ? -1 : lay_try(&ly, top, col, 4) ? 4 : 1;
            pp(&ly, top, col, col - 1, 0, 0);
        }
        rc = ly.rc;
    }
    rel_buf_free(&pr.text);
    pool_free(&pr);
    return rc;
}

int rel_term_print_at(struct rel_buf *out, const struct rel_term *t, unsigned flags, int col)
{
    return print_layout(out, t, flags, col);
}

int rel_term_print(struct rel_buf *out, const struct rel_term *t, unsigned flags)
{
    return print_layout(out, t, flags, 1);
}

char *rel_term_to_text(const struct rel_term *t)
{
    struct rel_buf b = REL_BUF_INIT;
    if (rel_term_print(&b, t, REL_TERM_PRINT_COMPACT) < 0) {
        rel_buf_free(&b);
        return rel_strdup("<unprintable term>");
    }
    return rel_buf_detach(&b);
}

int rel_term_format_file(struct rel_buf *out, const struct rel_term *t)
{
    int rc = rel_buf_puts(out, "%% coding: utf-8\n");
    if (rc == 0)
        rc = rel_term_print(out, t, REL_TERM_PRINT_PRETTY);
    if (rc == 0)
        rc = rel_buf_puts(out, ".\n");
    return rc;
}

int rel_term_write_file(const char *path, const struct rel_term *t, mode_t mode)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_term_format_file(&b, t);
    if (rc < 0)
        rel_error_prefix("%s", path);
    else
        rc = rel_fs_write_atomic(path, b.ptr, b.len, mode);
    rel_buf_free(&b);
    return rc;
}
