/*
 * term.c - Erlang terms: model, comparison, text parser and printer.
 *
 * The parser is a hand-written scanner plus recursive descent over the part of
 * Erlang that erl_parse:parse_term/1 accepts (what file:consult/1 reads):
 * literals, tuples, lists, maps with `=>`, binaries of constant segments, and
 * unary minus/plus on numbers. The printer produces the same text as OTP 25's
 * io_lib:write (compact) or io:format("~tp") (pretty); see the layout notes
 * above print_layout().
 */
#include "core/term.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * UTF-8
 * ====================================================================== */

/* Encode `c` (any value up to 0x7FFFFFFF is stored; code points up to
 * 0x10FFFF are what terms hold) as UTF-8 into `out` (4 bytes). */
static size_t utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | ((c >> 18) & 0x07));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Decode one UTF-8 character from s[0..n). Returns its length (1..4) and sets
 * *c, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, > 10FFFF,
 * truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *c)
{
    if (n == 0)
        return 0;
    unsigned char b = s[0];
    if (b < 0x80) {
        *c = b;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((b & 0xE0) == 0xC0) {
        len = 2, v = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, v = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *c = v;
    return len;
}

/* ======================================================================
 * The C locale for number conversions (the CLI runs under setlocale(LC_ALL,
 * ""), where strtod and printf may use a decimal comma).
 * ====================================================================== */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t use_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void restore_locale(locale_t old)
{
    if (old)
        uselocale(old);
}

/* ======================================================================
 * Model: constructors, free, clone
 * ====================================================================== */

static struct rel_term *node_new(enum rel_term_kind kind)
{
    struct rel_term *t = rel_calloc(1, sizeof(*t));
    t->kind = kind;
    return t;
}

const char *rel_term_kind_name(enum rel_term_kind kind)
{
    switch (kind) {
    case REL_TERM_ATOM:
        return "atom";
    case REL_TERM_INT:
        return "integer";
    case REL_TERM_BIGINT:
        return "integer";
    case REL_TERM_FLOAT:
        return "float";
    case REL_TERM_STRING:
        return "string";
    case REL_TERM_BINARY:
        return "binary";
    case REL_TERM_LIST:
        return "list";
    case REL_TERM_TUPLE:
        return "tuple";
    case REL_TERM_MAP:
        return "map";
    }
    return "term";
}

struct rel_term *rel_term_atom_len(const char *utf8, size_t len)
{
    struct rel_term *t = node_new(REL_TERM_ATOM);
    /* not strndup: an atom may contain NUL ('\0' is a valid atom) */
    t->u.atom.name = rel_malloc(len + 1);
    if (len)
        memcpy(t->u.atom.name, utf8, len);
    t->u.atom.name[len] = '\0';
    t->u.atom.len = len;
    return t;
}

struct rel_term *rel_term_atom(const char *utf8)
{
    return rel_term_atom_len(utf8, strlen(utf8));
}

struct rel_term *rel_term_int(int64_t value)
{
    struct rel_term *t = node_new(REL_TERM_INT);
    t->u.i = value;
    return t;
}

struct rel_term *rel_term_bigint(bool negative, const uint8_t *mag, size_t len)
{
    while (len > 0 && mag[len - 1] == 0)
        len--;
    if (len <= 8) {
        uint64_t u = 0;
        for (size_t i = len; i-- > 0;)
            u = (u << 8) | mag[i];
        if (!negative && u <= (uint64_t)INT64_MAX)
            return rel_term_int((int64_t)u);
        if (negative && u <= (uint64_t)INT64_MAX + 1)
            return rel_term_int(u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u);
    }
    struct rel_term *t = node_new(REL_TERM_BIGINT);
    t->u.big.negative = negative;
    t->u.big.mag = rel_malloc(len);
    memcpy(t->u.big.mag, mag, len);
    t->u.big.len = len;
    return t;
}

struct rel_term *rel_term_float(double value)
{
    struct rel_term *t = node_new(REL_TERM_FLOAT);
    t->u.f = value;
    return t;
}

struct rel_term *rel_term_string_chars(const uint32_t *chars, size_t len)
{
    struct rel_term *t = node_new(REL_TERM_STRING);
    t->u.str.chars = rel_reallocarray(NULL, len ? len : 1, sizeof(uint32_t));
    if (len)
        memcpy(t->u.str.chars, chars, len * sizeof(uint32_t));
    t->u.str.len = len;
    return t;
}

struct rel_term *rel_term_string_len(const char *utf8, size_t len)
{
    struct rel_term *t = node_new(REL_TERM_STRING);
    uint32_t *chars = rel_reallocarray(NULL, len ? len : 1, sizeof(uint32_t));
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)utf8;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_decode(s + i, len - i, &c);
        if (k == 0) {
            c = s[i];
            k = 1;
        }
        chars[n++] = c;
        i += k;
    }
    t->u.str.chars = chars;
    t->u.str.len = n;
    return t;
}

struct rel_term *rel_term_string(const char *utf8)
{
    return rel_term_string_len(utf8, strlen(utf8));
}

struct rel_term *rel_term_binary(const void *data, size_t len)
{
    struct rel_term *t = node_new(REL_TERM_BINARY);
    t->u.bin.data = rel_malloc(len ? len : 1);
    if (len)
        memcpy(t->u.bin.data, data, len);
    t->u.bin.len = len;
    return t;
}

struct rel_term *rel_term_binary_str(const char *s)
{
    return rel_term_binary(s, strlen(s));
}

struct rel_term *rel_term_list_new(void)
{
    return node_new(REL_TERM_LIST);
}

struct rel_term *rel_term_list_append(struct rel_term *list, struct rel_term *item)
{
    if (list->u.list.len == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
        list->u.list.items = rel_reallocarray(list->u.list.items, cap, sizeof(*list->u.list.items));
        list->u.list.cap = cap;
    }
    list->u.list.items[list->u.list.len++] = item;
    return list;
}

void rel_term_list_set_tail(struct rel_term *list, struct rel_term *tail)
{
    rel_term_free(list->u.list.tail);
    list->u.list.tail = NULL;
    if (!tail)
        return;
    if (tail->kind == REL_TERM_STRING) {
        for (size_t i = 0; i < tail->u.str.len; i++)
            rel_term_list_append(list, rel_term_int(tail->u.str.chars[i]));
        rel_term_free(tail);
    } else if (tail->kind == REL_TERM_LIST) {
        for (size_t i = 0; i < tail->u.list.len; i++)
            rel_term_list_append(list, tail->u.list.items[i]);
        list->u.list.tail = tail->u.list.tail;
        free(tail->u.list.items);
        free(tail);
    } else {
        list->u.list.tail = tail;
    }
}

struct rel_term *rel_term_tuple_new(size_t n)
{
    struct rel_term *t = node_new(REL_TERM_TUPLE);
    t->u.tuple.items = rel_calloc(n ? n : 1, sizeof(*t->u.tuple.items));
    t->u.tuple.len = n;
    return t;
}

void rel_term_tuple_set(struct rel_term *tuple, size_t i, struct rel_term *item)
{
    if (i >= tuple->u.tuple.len) {
        rel_term_free(item);
        return;
    }
    rel_term_free(tuple->u.tuple.items[i]);
    tuple->u.tuple.items[i] = item;
}

struct rel_term *rel_term_tuple(size_t n, ...)
{
    struct rel_term *t = rel_term_tuple_new(n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        t->u.tuple.items[i] = va_arg(ap, struct rel_term *);
    va_end(ap);
    return t;
}

struct rel_term *rel_term_map_new(void)
{
    return node_new(REL_TERM_MAP);
}

static void map_push(struct rel_term *map, struct rel_term *key, struct rel_term *value);

void rel_term_map_put(struct rel_term *map, struct rel_term *key, struct rel_term *value)
{
    for (size_t i = 0; i < map->u.map.len; i++) {
        if (rel_term_equal(map->u.map.keys[i], key)) {
            rel_term_free(map->u.map.keys[i]);
            rel_term_free(map->u.map.values[i]);
            map->u.map.keys[i] = key;
            map->u.map.values[i] = value;
            return;
        }
    }
    map_push(map, key, value);
}

/* Append a pair without looking for an equal key (the caller dedupes). */
static void map_push(struct rel_term *map, struct rel_term *key, struct rel_term *value)
{
    if (map->u.map.len == map->u.map.cap) {
        size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
        map->u.map.keys = rel_reallocarray(map->u.map.keys, cap, sizeof(*map->u.map.keys));
        map->u.map.values = rel_reallocarray(map->u.map.values, cap, sizeof(*map->u.map.values));
        map->u.map.cap = cap;
    }
    map->u.map.keys[map->u.map.len] = key;
    map->u.map.values[map->u.map.len] = value;
    map->u.map.len++;
}

void rel_term_free(struct rel_term *t)
{
    if (!t)
        return;
    switch (t->kind) {
    case REL_TERM_ATOM:
        free(t->u.atom.name);
        break;
    case REL_TERM_INT:
    case REL_TERM_FLOAT:
        break;
    case REL_TERM_BIGINT:
        free(t->u.big.mag);
        break;
    case REL_TERM_STRING:
        free(t->u.str.chars);
        break;
    case REL_TERM_BINARY:
        free(t->u.bin.data);
        break;
    case REL_TERM_LIST:
        for (size_t i = 0; i < t->u.list.len; i++)
            rel_term_free(t->u.list.items[i]);
        free(t->u.list.items);
        rel_term_free(t->u.list.tail);
        break;
    case REL_TERM_TUPLE:
        for (size_t i = 0; i < t->u.tuple.len; i++)
            rel_term_free(t->u.tuple.items[i]);
        free(t->u.tuple.items);
        break;
    case REL_TERM_MAP:
        for (size_t i = 0; i < t->u.map.len; i++) {
            rel_term_free(t->u.map.keys[i]);
            rel_term_free(t->u.map.values[i]);
        }
        free(t->u.map.keys);
        free(t->u.map.values);
        break;
    }
    free(t);
}

void rel_terms_free(struct rel_terms *terms)
{
    if (!terms)
        return;
    for (size_t i = 0; i < terms->len; i++)
        rel_term_free(terms->items[i]);
    free(terms->items);
    terms->items = NULL;
    terms->len = terms->cap = 0;
}

static void terms_push(struct rel_terms *terms, struct rel_term *t)
{
    if (terms->len == terms->cap) {
        size_t cap = terms->cap ? terms->cap * 2 : 4;
        terms->items = rel_reallocarray(terms->items, cap, sizeof(*terms->items));
        terms->cap = cap;
    }
    terms->items[terms->len++] = t;
}

struct rel_term *rel_term_clone(const struct rel_term *t)
{
    if (!t)
        return NULL;
    struct rel_term *c;
    switch (t->kind) {
    case REL_TERM_ATOM:
        c = rel_term_atom_len(t->u.atom.name, t->u.atom.len);
        break;
    case REL_TERM_INT:
        c = rel_term_int(t->u.i);
        break;
    case REL_TERM_BIGINT:
        c = node_new(REL_TERM_BIGINT);
        c->u.big.negative = t->u.big.negative;
        c->u.big.mag = rel_malloc(t->u.big.len ? t->u.big.len : 1);
        memcpy(c->u.big.mag, t->u.big.mag, t->u.big.len);
        c->u.big.len = t->u.big.len;
        break;
    case REL_TERM_FLOAT:
        c = rel_term_float(t->u.f);
        break;
    case REL_TERM_STRING:
        c = rel_term_string_chars(t->u.str.chars, t->u.str.len);
        break;
    case REL_TERM_BINARY:
        c = rel_term_binary(t->u.bin.data, t->u.bin.len);
        break;
    case REL_TERM_LIST:
        c = rel_term_list_new();
        if (t->u.list.len) {
            c->u.list.items = rel_reallocarray(NULL, t->u.list.len, sizeof(*c->u.list.items));
            c->u.list.cap = t->u.list.len;
        }
        for (size_t i = 0; i < t->u.list.len; i++)
            c->u.list.items[i] = rel_term_clone(t->u.list.items[i]);
        c->u.list.len = t->u.list.len;
        c->u.list.tail = rel_term_clone(t->u.list.tail);
        break;
    case REL_TERM_TUPLE:
        c = rel_term_tuple_new(t->u.tuple.len);
        for (size_t i = 0; i < t->u.tuple.len; i++)
            c->u.tuple.items[i] = rel_term_clone(t->u.tuple.items[i]);
        break;
    case REL_TERM_MAP:
        c = rel_term_map_new();
        if (t->u.map.len) {
            c->u.map.keys = rel_reallocarray(NULL, t->u.map.len, sizeof(*c->u.map.keys));
            c->u.map.values = rel_reallocarray(NULL, t->u.map.len, sizeof(*c->u.map.values));
            c->u.map.cap = t->u.map.len;
        }
        for (size_t i = 0; i < t->u.map.len; i++) {
            c->u.map.keys[i] = rel_term_clone(t->u.map.keys[i]);
            c->u.map.values[i] = rel_term_clone(t->u.map.values[i]);
        }
        c->u.map.len = t->u.map.len;
        break;
    default:
        return NULL;
    }
    c->line = t->line;
    c->col = t->col;
    return c;
}

/* ======================================================================
 * Accessors
 * ====================================================================== */

bool rel_term_is_atom(const struct rel_term *t, const char *name)
{
    return t && t->kind == REL_TERM_ATOM &&
           (!name ||
            (strlen(name) == t->u.atom.len && memcmp(t->u.atom.name, name, t->u.atom.len) == 0));
}

const char *rel_term_atom_name(const struct rel_term *t)
{
    return t && t->kind == REL_TERM_ATOM ? t->u.atom.name : NULL;
}

bool rel_term_get_int(const struct rel_term *t, int64_t *out)
{
    if (!t || t->kind != REL_TERM_INT)
        return false;
    *out = t->u.i;
    return true;
}

bool rel_term_is_list(const struct rel_term *t)
{
    return t && (t->kind == REL_TERM_STRING || (t->kind == REL_TERM_LIST && !t->u.list.tail));
}

size_t rel_term_list_len(const struct rel_term *t)
{
    if (!rel_term_is_list(t))
        return 0;
    return t->kind == REL_TERM_STRING ? t->u.str.len : t->u.list.len;
}

struct rel_term *rel_term_list_get(const struct rel_term *t, size_t i)
{
    if (!t || t->kind != REL_TERM_LIST || i >= t->u.list.len)
        return NULL;
    return t->u.list.items[i];
}

size_t rel_term_tuple_size(const struct rel_term *t)
{
    return t && t->kind == REL_TERM_TUPLE ? t->u.tuple.len : 0;
}

struct rel_term *rel_term_tuple_get(const struct rel_term *t, size_t i)
{
    if (!t || t->kind != REL_TERM_TUPLE || i >= t->u.tuple.len)
        return NULL;
    return t->u.tuple.items[i];
}

bool rel_term_is_tagged(const struct rel_term *t, const char *tag, size_t arity)
{
    if (!t || t->kind != REL_TERM_TUPLE || t->u.tuple.len == 0)
        return false;
    if (arity && t->u.tuple.len != arity)
        return false;
    return rel_term_is_atom(t->u.tuple.items[0], tag);
}

struct rel_term *rel_term_proplist_get(const struct rel_term *list, const char *key)
{
    if (!list || list->kind != REL_TERM_LIST)
        return NULL;
    for (size_t i = 0; i < list->u.list.len; i++) {
        const struct rel_term *e = list->u.list.items[i];
        if (rel_term_is_tagged(e, key, 2))
            return e->u.tuple.items[1];
    }
    return NULL;
}

struct rel_term *rel_term_map_get(const struct rel_term *map, const struct rel_term *key)
{
    if (!map || map->kind != REL_TERM_MAP || !key)
        return NULL;
    for (size_t i = 0; i < map->u.map.len; i++)
        if (rel_term_equal(map->u.map.keys[i], key))
            return map->u.map.values[i];
    return NULL;
}

struct rel_term *rel_term_map_get_atom(const struct rel_term *map, const char *key)
{
    if (!map || map->kind != REL_TERM_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.len; i++)
        if (rel_term_is_atom(map->u.map.keys[i], key))
            return map->u.map.values[i];
    return NULL;
}

static bool valid_char(int64_t c)
{
    return c >= 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

char *rel_term_to_cstring(const struct rel_term *t)
{
    if (!t)
        return NULL;
    struct rel_buf b = REL_BUF_INIT;
    char tmp[4];
    switch (t->kind) {
    case REL_TERM_BINARY:
        if (memchr(t->u.bin.data, 0, t->u.bin.len))
            return NULL;
        return rel_strndup((const char *)t->u.bin.data, t->u.bin.len);
    case REL_TERM_STRING:
        for (size_t i = 0; i < t->u.str.len; i++) {
            uint32_t c = t->u.str.chars[i];
            if (c == 0 || !valid_char(c))
                goto fail;
            if (rel_buf_put(&b, tmp, utf8_encode(c, tmp)) < 0)
                goto fail;
        }
        break;
    case REL_TERM_LIST:
        if (t->u.list.tail)
            return NULL;
        for (size_t i = 0; i < t->u.list.len; i++) {
            const struct rel_term *e = t->u.list.items[i];
            if (!e || e->kind != REL_TERM_INT || e->u.i == 0 || !valid_char(e->u.i))
                goto fail;
            if (rel_buf_put(&b, tmp, utf8_encode((uint32_t)e->u.i, tmp)) < 0)
                goto fail;
        }
        break;
    default:
        return NULL;
    }
    return rel_buf_detach(&b);
fail:
    rel_buf_free(&b);
    return NULL;
}

/* ======================================================================
 * Comparison (Erlang term order)
 * ====================================================================== */

/* Classes in term order; the empty list is `nil`. */
enum { C_NUMBER, C_ATOM, C_TUPLE, C_MAP, C_NIL, C_LIST, C_BINARY };

static int term_class(const struct rel_term *t)
{
    switch (t->kind) {
    case REL_TERM_INT:
    case REL_TERM_BIGINT:
    case REL_TERM_FLOAT:
        return C_NUMBER;
    case REL_TERM_ATOM:
        return C_ATOM;
    case REL_TERM_TUPLE:
        return C_TUPLE;
    case REL_TERM_MAP:
        return C_MAP;
    case REL_TERM_STRING:
        return t->u.str.len ? C_LIST : C_NIL;
    case REL_TERM_LIST:
        return t->u.list.len ? C_LIST : (t->u.list.tail ? C_LIST : C_NIL);
    case REL_TERM_BINARY:
        return C_BINARY;
    }
    return C_NUMBER;
}

static int cmp3(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_big(const struct rel_term *a, const struct rel_term *b)
{
    if (a->u.big.negative != b->u.big.negative)
        return a->u.big.negative ? -1 : 1;
    int sign = a->u.big.negative ? -1 : 1;
    if (a->u.big.len != b->u.big.len)
        return a->u.big.len < b->u.big.len ? -sign : sign;
    for (size_t i = a->u.big.len; i-- > 0;)
        if (a->u.big.mag[i] != b->u.big.mag[i])
            return a->u.big.mag[i] < b->u.big.mag[i] ? -sign : sign;
    return 0;
}

static long double num_value(const struct rel_term *t)
{
    if (t->kind == REL_TERM_INT)
        return (long double)t->u.i;
    if (t->kind == REL_TERM_FLOAT)
        return t->u.f;
    long double v = 0;
    for (size_t i = t->u.big.len; i-- > 0;) {
        v = v * 256 + t->u.big.mag[i];
        if (v > LDBL_MAX / 512)
            break;
    }
    return t->u.big.negative ? -v : v;
}

static int cmp_num(const struct rel_term *a, const struct rel_term *b)
{
    if (a->kind == REL_TERM_INT && b->kind == REL_TERM_INT)
        return cmp3(a->u.i, b->u.i);
    if (a->kind == REL_TERM_BIGINT && b->kind == REL_TERM_BIGINT)
        return cmp_big(a, b);
    if (a->kind == REL_TERM_BIGINT && b->kind == REL_TERM_INT)
        return a->u.big.negative ? -1 : 1;
    if (a->kind == REL_TERM_INT && b->kind == REL_TERM_BIGINT)
        return b->u.big.negative ? 1 : -1;
    /* At least one float. long double holds every int64 exactly on the
     * platforms relman targets; bignums beyond it are far from any double
     * anyway except at the very top of the range. */
    long double x = num_value(a), y = num_value(b);
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    if (a->kind == b->kind)
        return 0;
    return a->kind == REL_TERM_FLOAT ? 1 : -1; /* int before float */
}

/* A cursor over a list's elements, STRING or LIST alike. */
struct list_cursor {
    const struct rel_term *t;
    size_t i;
};

/* Next element: returns 1 with *elem set (a term, or for a STRING a code
 * point in *cp with *elem NULL), or 0 at the end with *tail set to the
 * improper tail or NULL. */
static int cursor_next(struct list_cursor *c, const struct rel_term **elem, int64_t *cp,
                       const struct rel_term **tail)
{
    const struct rel_term *t = c->t;
    if (t->kind == REL_TERM_STRING) {
        if (c->i < t->u.str.len) {
            *elem = NULL;
            *cp = t->u.str.chars[c->i++];
            return 1;
        }
        *tail = NULL;
        return 0;
    }
    if (c->i < t->u.list.len) {
        *elem = t->u.list.items[c->i++];
        return 1;
    }
    *tail = t->u.list.tail;
    return 0;
}

static int compare_depth(const struct rel_term *a, const struct rel_term *b, int depth, bool keys);

static int cmp_elem(const struct rel_term *ea, int64_t ca, const struct rel_term *eb, int64_t cb,
                    int depth, bool keys)
{
    struct rel_term ta, tb;
    if (!ea) {
        memset(&ta, 0, sizeof(ta));
        ta.kind = REL_TERM_INT;
        ta.u.i = ca;
        ea = &ta;
    }
    if (!eb) {
        memset(&tb, 0, sizeof(tb));
        tb.kind = REL_TERM_INT;
        tb.u.i = cb;
        eb = &tb;
    }
    return compare_depth(ea, eb, depth + 1, keys);
}

static int cmp_list(const struct rel_term *a, const struct rel_term *b, int depth, bool keys)
{
    struct list_cursor ca = {a, 0}, cb = {b, 0};
    for (;;) {
        const struct rel_term *ea = NULL, *eb = NULL, *ta = NULL, *tb = NULL;
        int64_t pa = 0, pb = 0;
        int ha = cursor_next(&ca, &ea, &pa, &ta);
        int hb = cursor_next(&cb, &eb, &pb, &tb);
        if (ha && hb) {
            int r = cmp_elem(ea, pa, eb, pb, depth, keys);
            if (r)
                return r;
            continue;
        }
        if (!ha && !hb) {
            if (!ta && !tb)
                return 0;
            if (!ta) /* nil vs a non-list tail */
                return C_NIL < term_class(tb) ? -1 : 1;
            if (!tb)
                return term_class(ta) < C_NIL ? -1 : 1;
            return compare_depth(ta, tb, depth + 1, keys);
        }
        /* One side still has elements: it is a non-empty list there. */
        if (ha) {
            if (!tb)
                return 1;
            return C_LIST < term_class(tb) ? -1 : 1;
        }
        if (!ta)
            return -1;
        return term_class(ta) < C_LIST ? -1 : 1;
    }
}

/*
 * "Key order" is the order OTP keeps small maps in, and therefore prints and
 * encodes them in: term order, except that every integer sorts before every
 * float. The sort is a stable merge sort over indices (C11's qsort has no
 * context argument), so big maps cost n log n comparisons, not n squared.
 */
static void merge_indices(size_t *idx, size_t *tmp, size_t n, struct rel_term *const *keys)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    merge_indices(idx, tmp, half, keys);
    merge_indices(idx + half, tmp, n - half, keys);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = compare_depth(keys[idx[j]], keys[idx[i]], 0, true) < 0 ? idx[j++] : idx[i++];
    while (i < half)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof(size_t));
}

static void sort_indices(size_t *idx, size_t n, struct rel_term *const *keys)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    size_t *tmp = rel_reallocarray(NULL, n ? n : 1, sizeof(size_t));
    merge_indices(idx, tmp, n, keys);
    free(tmp);
}

size_t *rel_term_key_order(struct rel_term *const *terms, size_t n)
{
    size_t *idx = rel_reallocarray(NULL, n ? n : 1, sizeof(size_t));
    sort_indices(idx, n, terms);
    return idx;
}

int rel_term_compare_keys(const struct rel_term *a, const struct rel_term *b)
{
    return compare_depth(a, b, 0, true);
}

/* Drop all but the last of each run of equal keys (maps:from_list/1's rule)
 * and leave the pairs in key order. */
static void map_dedupe_last(struct rel_term *m)
{
    size_t n = m->u.map.len;
    if (n < 2)
        return;
    size_t *idx = rel_term_key_order(m->u.map.keys, n);
    struct rel_term **keys = rel_reallocarray(NULL, n, sizeof(*keys));
    struct rel_term **values = rel_reallocarray(NULL, n, sizeof(*values));
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = idx[i];
        bool dup_of_next = i + 1 < n && rel_term_equal(m->u.map.keys[k], m->u.map.keys[idx[i + 1]]);
        if (dup_of_next) {
            /* stable sort: the later one in the text comes later here */
            rel_term_free(m->u.map.keys[k]);
            rel_term_free(m->u.map.values[k]);
            continue;
        }
        keys[out] = m->u.map.keys[k];
        values[out] = m->u.map.values[k];
        out++;
    }
    free(m->u.map.keys);
    free(m->u.map.values);
    free(idx);
    m->u.map.keys = keys;
    m->u.map.values = values;
    m->u.map.cap = n;
    m->u.map.len = out;
}

static int cmp_map(const struct rel_term *a, const struct rel_term *b, int depth, bool keys)
{
    size_t n = a->u.map.len;
    if (n != b->u.map.len)
        return n < b->u.map.len ? -1 : 1;
    if (n == 0)
        return 0;
    size_t *ia = rel_reallocarray(NULL, n, sizeof(size_t));
    size_t *ib = rel_reallocarray(NULL, n, sizeof(size_t));
    sort_indices(ia, n, a->u.map.keys);
    sort_indices(ib, n, b->u.map.keys);
    int r = 0;
    for (size_t i = 0; i < n && !r; i++)
        r = compare_depth(a->u.map.keys[ia[i]], b->u.map.keys[ib[i]], depth + 1, true);
    for (size_t i = 0; i < n && !r; i++)
        r = compare_depth(a->u.map.values[ia[i]], b->u.map.values[ib[i]], depth + 1, keys);
    free(ia);
    free(ib);
    return r;
}

static int compare_depth(const struct rel_term *a, const struct rel_term *b, int depth, bool keys)
{
    if (a == b)
        return 0;
    if (!a || !b)
        return a ? 1 : -1;
    int ca = term_class(a), cb = term_class(b);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    switch (ca) {
    case C_NUMBER:
        if (keys && (a->kind == REL_TERM_FLOAT) != (b->kind == REL_TERM_FLOAT))
            return a->kind == REL_TERM_FLOAT ? 1 : -1;
        return cmp_num(a, b);
    case C_ATOM: {
        size_t n = a->u.atom.len < b->u.atom.len ? a->u.atom.len : b->u.atom.len;
        int r = memcmp(a->u.atom.name, b->u.atom.name, n);
        if (r)
            return r < 0 ? -1 : 1;
        return a->u.atom.len == b->u.atom.len ? 0 : (a->u.atom.len < b->u.atom.len ? -1 : 1);
    }
    case C_TUPLE:
        if (a->u.tuple.len != b->u.tuple.len)
            return a->u.tuple.len < b->u.tuple.len ? -1 : 1;
        for (size_t i = 0; i < a->u.tuple.len; i++) {
            int r = compare_depth(a->u.tuple.items[i], b->u.tuple.items[i], depth + 1, keys);
            if (r)
                return r;
        }
        return 0;
    case C_MAP:
        return cmp_map(a, b, depth, keys);
    case C_NIL:
        return 0;
    case C_LIST:
        return cmp_list(a, b, depth, keys);
    case C_BINARY: {
        size_t n = a->u.bin.len < b->u.bin.len ? a->u.bin.len : b->u.bin.len;
        int r = n ? memcmp(a->u.bin.data, b->u.bin.data, n) : 0;
        if (r)
            return r < 0 ? -1 : 1;
        return a->u.bin.len == b->u.bin.len ? 0 : (a->u.bin.len < b->u.bin.len ? -1 : 1);
    }
    }
    return 0;
}

int rel_term_compare(const struct rel_term *a, const struct rel_term *b)
{
    return compare_depth(a, b, 0, false);
}

bool rel_term_equal(const struct rel_term *a, const struct rel_term *b)
{
    return compare_depth(a, b, 0, false) == 0;
}

/* ======================================================================
 * Scanner
 * ====================================================================== */

/* Largest binary the parser builds from bit syntax. */
#define MAX_PARSED_BINARY ((size_t)16 << 20)

enum tok_type {
    T_EOF,
    T_DOT,      /* the `.` that ends a term */
    T_ATOM,     /* val: ATOM */
    T_RESERVED, /* a reserved word (text in `text`) */
    T_VAR,      /* a variable name (text in `text`) */
    T_NUMBER,   /* val: INT, BIGINT or FLOAT */
    T_CHAR,     /* val: INT */
    T_STRING,   /* val: STRING */
    T_PUNCT,    /* text: "{", "<<", "=>", ... */
};

struct token {
    enum tok_type type;
    int line, col;
    size_t start, end; /* byte span in the input */
    struct rel_term *val;
    char text[8];
};

struct parser {
    const unsigned char *s;
    size_t n, pos;
    int line, col;
    bool latin1;
    const char *file;
    struct token tok; /* the current (lookahead) token */
    bool have_tok;
    struct rel_buf tmp; /* scratch for strings and names */
};

static int perr(struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr(struct parser *p, int line, int col, const char *fmt, ...)
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
static int32_t peek_char(const struct parser *p, size_t at, size_t *len)
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
    size_t k = utf8_decode(p->s + at, p->n - at, &c);
    if (k == 0) {
        *len = 1;
        return -2;
    }
    *len = k;
    return (int32_t)c;
}

static int32_t cur(const struct parser *p)
{
    size_t len;
    return peek_char(p, p->pos, &len);
}

/* Consume one character, keeping line and column. */
static void adv(struct parser *p)
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

static bool is_lower(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7);
}

static bool is_upper(int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

static bool is_name_char(int32_t c)
{
    return is_lower(c) || is_upper(c) || (c >= '0' && c <= '9') || c == '_' || c == '@';
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

static bool is_reserved(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(reserved_words) / sizeof(reserved_words[0]); i++)
        if (strlen(reserved_words[i]) == len && memcmp(reserved_words[i], s, len) == 0)
            return true;
    return false;
}

/* Append code point `c` as UTF-8 to the scratch buffer. */
static int tmp_put_char(struct parser *p, uint32_t c)
{
    char b[4];
    return rel_buf_put(&p->tmp, b, utf8_encode(c, b));
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
static int scan_escape(struct parser *p, int32_t *out)
{
    int line = p->line, col = p->col - 1;
    int32_t c = cur(p);
    if (c < 0)
        return c == -1 ? perr(p, line, col, "unterminated escape sequence")
                       : perr(p, p->line, p->col, "invalid UTF-8");
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
                    return perr(p, line, col, "character in \\x{...} escape is beyond 10FFFF");
                digits++;
                adv(p);
            }
            if (cur(p) != '}' || digits == 0)
                return perr(p, line, col, "invalid \\x{...} escape");
            adv(p);
            *out = (int32_t)v;
            return 0;
        }
        int h1 = hex_val(cur(p));
        if (h1 < 0)
            return perr(p, line, col, "invalid \\x escape (expected two hex digits or {...})");
        adv(p);
        int h2 = hex_val(cur(p));
        if (h2 < 0)
            return perr(p, line, col, "invalid \\x escape (expected two hex digits or {...})");
        adv(p);
        *out = h1 * 16 + h2;
        return 0;
    }
    case '^': {
        int32_t k = cur(p);
        if (k < 0)
            return perr(p, line, col, "unterminated escape sequence");
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
static int scan_quoted(struct parser *p, int32_t q, uint32_t **chars, size_t *nchars)
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
            rc = perr(p, line, col, q == '"' ? "unterminated string" : "unterminated quoted atom");
            goto fail;
        }
        if (c == -2) {
            rc = perr(p, p->line, p->col, "invalid UTF-8");
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
                rc = perr(p, line, col, "atom is longer than %d characters",
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
static int scan_digits(struct parser *p, unsigned base, uint8_t **mag, size_t *len, int line,
                       int col)
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
            return perr(p, line, col, "integer is too large");
        count++;
        adv(p);
    }
    return count;
}

static int scan_number(struct parser *p, struct token *t)
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
            rc = perr(p, line, col, "invalid base in integer (2..36)");
            goto out;
        }
        int32_t next = peek_char(p, p->pos + 1, &l2);
        if ((uint64_t)digit_val(next) >= base) {
            rc = perr(p, line, col, "expected base-%u digits after '#'", (unsigned)base);
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
        locale_t old = use_c_locale();
        double d = strtod(buf, NULL);
        restore_locale(old);
        free(buf);
        if (!isfinite(d)) {
            rc = perr(p, line, col, "float is out of range");
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
static int skip_blank(struct parser *p)
{
    for (;;) {
        int32_t c = cur(p);
        if (c == '%') {
            while (cur(p) != -1 && cur(p) != '\n')
                adv(p);
        } else if (c == -2) {
            return perr(p, p->line, p->col, "invalid UTF-8");
        } else if (c >= 0 && is_space(c)) {
            adv(p);
        } else {
            return 0;
        }
    }
}

static void token_clear(struct token *t)
{
    rel_term_free(t->val);
    t->val = NULL;
}

/* Scan the next token into p->tok. */
static int scan(struct parser *p)
{
    struct token *t = &p->tok;
    token_clear(t);
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
    } else if (is_lower(c) || is_upper(c) || c == '_') {
        size_t start = p->pos;
        while (cur(p) >= 0 && is_name_char(cur(p)))
            adv(p);
        size_t n = p->pos - start;
        if (is_upper(c) || c == '_') {
            t->type = T_VAR;
        } else if (p->latin1) {
            rel_buf_clear(&p->tmp);
            for (size_t i = start; i < p->pos && rc == 0; i++)
                rc = tmp_put_char(p, p->s[i]);
            if (rc == 0 && is_reserved(p->tmp.ptr, p->tmp.len))
                t->type = T_RESERVED;
            else if (rc == 0) {
                t->type = T_ATOM;
                t->val = rel_term_atom_len(p->tmp.ptr, p->tmp.len);
            }
        } else if (is_reserved((const char *)p->s + start, n)) {
            t->type = T_RESERVED;
        } else {
            t->type = T_ATOM;
            t->val = rel_term_atom_len((const char *)p->s + start, n);
        }
        if (rc == 0 && t->type == T_ATOM && p->col - t->col > REL_TERM_MAX_ATOM_CHARS)
            rc = perr(p, t->line, t->col, "atom is longer than %d characters",
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
            return perr(p, t->line, t->col, "unterminated character literal");
        if (ch == -2)
            return perr(p, p->line, p->col, "invalid UTF-8");
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
                return perr(p, p->line, p->col, "invalid UTF-8");
            size_t k = utf8_encode((uint32_t)c, t->text);
            t->text[k] = '\0';
            adv(p);
        }
    }
    t->end = p->pos;
    return rc;
}

/* A short description of the current token for messages. */
static void describe_token(const struct parser *p, const struct token *t, char *out, size_t outlen)
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

static int unexpected(struct parser *p, const char *expected)
{
    char what[64];
    describe_token(p, &p->tok, what, sizeof(what));
    if (expected)
        return perr(p, p->tok.line, p->tok.col, "unexpected %s, expected %s", what, expected);
    return perr(p, p->tok.line, p->tok.col, "unexpected %s", what);
}

static bool is_punct(const struct parser *p, const char *s)
{
    return p->tok.type == T_PUNCT && strcmp(p->tok.text, s) == 0;
}

/* Take the current token's value (the token keeps none). */
static struct rel_term *take_val(struct parser *p)
{
    struct rel_term *v = p->tok.val;
    p->tok.val = NULL;
    v->line = p->tok.line;
    v->col = p->tok.col;
    return v;
}

/* ======================================================================
 * Parser
 * ====================================================================== */

static int parse_expr(struct parser *p, int depth, struct rel_term **out);

/* "a" "b" is "ab": adjacent string literals join. */
static int parse_strings(struct parser *p, struct rel_term **out)
{
    struct rel_term *s = take_val(p);
    int rc = scan(p);
    while (rc == 0 && p->tok.type == T_STRING) {
        struct rel_term *more = p->tok.val;
        size_t n = s->u.str.len + more->u.str.len;
        s->u.str.chars = rel_reallocarray(s->u.str.chars, n ? n : 1, sizeof(uint32_t));
        if (more->u.str.len)
            memcpy(s->u.str.chars + s->u.str.len, more->u.str.chars,
                   more->u.str.len * sizeof(uint32_t));
        s->u.str.len = n;
        rc = scan(p);
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
static int parse_seq(struct parser *p, int depth, struct rel_term *into, const char *close,
                     bool tail_ok)
{
    for (;;) {
        struct rel_term *item;
        int rc = parse_expr(p, depth, &item);
        if (rc < 0)
            return rc;
        rel_term_list_append(into, item);
        if (is_punct(p, ",")) {
            rc = scan(p);
            if (rc < 0)
                return rc;
            continue;
        }
        if (tail_ok && is_punct(p, "|")) {
            rc = scan(p);
            if (rc < 0)
                return rc;
            struct rel_term *tail;
            rc = parse_expr(p, depth, &tail);
            if (rc < 0)
                return rc;
            rel_term_list_set_tail(into, tail);
        }
        if (!is_punct(p, close))
            return unexpected(p, tail_ok ? "',', '|' or ']'" : "',' or '}'");
        return scan(p);
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

static int parse_map(struct parser *p, int depth, struct rel_term *map)
{
    for (;;) {
        struct rel_term *k = NULL, *v = NULL;
        int rc = parse_expr(p, depth, &k);
        if (rc < 0)
            return rc;
        if (is_punct(p, ":=")) {
            rel_term_free(k);
            return perr(p, p->tok.line, p->tok.col, "only '=>' can be used in a map term");
        }
        if (!is_punct(p, "=>")) {
            rel_term_free(k);
            return unexpected(p, "'=>'");
        }
        rc = scan(p);
        if (rc == 0)
            rc = parse_expr(p, depth, &v);
        if (rc < 0) {
            rel_term_free(k);
            return rc;
        }
        map_push(map, k, v);
        if (is_punct(p, ",")) {
            rc = scan(p);
            if (rc < 0)
                return rc;
            continue;
        }
        if (!is_punct(p, "}"))
            return unexpected(p, "',' or '}'");
        map_dedupe_last(map);
        return scan(p);
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

static int put_segment(struct parser *p, struct bitbuf *b, const struct rel_term *v,
                       const struct segspec *sp, int line, int col)
{
    if (sp->type == S_UTF8 || sp->type == S_UTF16 || sp->type == S_UTF32) {
        if (v->kind != REL_TERM_INT || !valid_char(v->u.i))
            return perr(p, line, col, "a utf8/utf16/utf32 segment needs a valid character");
        uint32_t c = (uint32_t)v->u.i;
        uint8_t out[4];
        size_t n = 0;
        if (sp->type == S_UTF8) {
            n = utf8_encode(c, (char *)out);
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
            return perr(p, line, col, "binary is larger than %zu bytes", MAX_PARSED_BINARY);
        for (size_t i = 0; i < n; i++)
            for (int k = 7; k >= 0; k--)
                bits_put1(b, (out[i] >> k) & 1);
        return 0;
    }
    uint64_t size = sp->has_size ? sp->size : (sp->type == S_FLOAT ? 64 : 8);
    uint64_t unit = sp->unit ? sp->unit : 1;
    if (unit != 0 && size > UINT64_MAX / unit)
        return perr(p, line, col, "segment size is too large");
    uint64_t nbits = size * unit;
    if (sp->type == S_FLOAT) {
        if (nbits != 64 && nbits != 32)
            return perr(p, line, col, "a float segment must be 32 or 64 bits");
        double d;
        if (v->kind == REL_TERM_FLOAT)
            d = v->u.f;
        else if (v->kind == REL_TERM_INT)
            d = (double)v->u.i;
        else
            return perr(p, line, col, "a float segment needs a number");
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
            return perr(p, line, col, "binary is larger than %zu bytes", MAX_PARSED_BINARY);
        for (size_t i = 0; i < n; i++)
            for (int k = 7; k >= 0; k--)
                bits_put1(b, (out[i] >> k) & 1);
        return 0;
    }
    if (v->kind != REL_TERM_INT && v->kind != REL_TERM_BIGINT)
        return perr(p, line, col, "an integer segment needs an integer");
    if (bits_reserve(b, nbits) < 0)
        return perr(p, line, col, "binary is larger than %zu bytes", MAX_PARSED_BINARY);
    if (sp->little) {
        if (nbits % 8)
            return perr(p, line, col, "little-endian segments must be a whole number of bytes");
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
static int parse_segspec(struct parser *p, struct segspec *sp)
{
    memset(sp, 0, sizeof(*sp));
    int rc;
    if (is_punct(p, ":")) {
        if ((rc = scan(p)) < 0)
            return rc;
        if (p->tok.type != T_NUMBER || p->tok.val->kind != REL_TERM_INT || p->tok.val->u.i < 0)
            return unexpected(p, "a segment size (a non-negative integer)");
        sp->has_size = true;
        sp->size = (uint64_t)p->tok.val->u.i;
        if ((rc = scan(p)) < 0)
            return rc;
    }
    if (!is_punct(p, "/"))
        return 0;
    do {
        if ((rc = scan(p)) < 0)
            return rc;
        if (p->tok.type != T_ATOM)
            return unexpected(p, "a segment type");
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
            if ((rc = scan(p)) < 0)
                return rc;
            if (!is_punct(p, ":"))
                return unexpected(p, "':' after unit");
            if ((rc = scan(p)) < 0)
                return rc;
            if (p->tok.type != T_NUMBER || p->tok.val->kind != REL_TERM_INT ||
                p->tok.val->u.i < 1 || p->tok.val->u.i > 256)
                return unexpected(p, "a unit between 1 and 256");
            sp->unit = (uint64_t)p->tok.val->u.i;
        } else
            return perr(p, line, col, "unsupported binary segment type '%s'", name);
        if ((rc = scan(p)) < 0)
            return rc;
    } while (is_punct(p, "-"));
    if ((sp->type == S_UTF8 || sp->type == S_UTF16 || sp->type == S_UTF32) &&
        (sp->has_size || sp->unit))
        return perr(p, p->tok.line, p->tok.col, "utf segments cannot have a size or unit");
    return 0;
}

static int parse_binary(struct parser *p, struct rel_term **out, int line, int col)
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
            if ((rc = scan(p)) < 0)
                goto fail;
            if (p->tok.type != T_NUMBER && p->tok.type != T_CHAR) {
                rc = unexpected(p, "a number after the sign");
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
            if ((rc = scan(p)) < 0)
                goto fail;
        } else {
            rc = p->tok.type == T_PUNCT || p->tok.type == T_EOF || p->tok.type == T_DOT
                     ? unexpected(p, "a segment value (a number, character or string)")
                     : perr(p, p->tok.line, p->tok.col,
                            "binary segments must be numbers, characters or strings");
            goto fail;
        }
        struct segspec sp;
        if ((rc = parse_segspec(p, &sp)) < 0)
            goto fail;
        if (val->kind == REL_TERM_STRING) {
            if (sp.type == S_FLOAT) {
                rc = perr(p, sline, scol, "a string cannot be a float segment");
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
            if ((rc = scan(p)) < 0)
                goto fail;
            continue;
        }
        if (!is_punct(p, ">>")) {
            rc = unexpected(p, "',' or '>>'");
            goto fail;
        }
        break;
    }
done:
    if (b.bits % 8) {
        rc = perr(p, line, col,
                  "bitstrings (a size that is not a whole number of bytes) are not "
                  "supported");
        goto fail;
    }
    if ((rc = scan(p)) < 0)
        goto fail;
    *out = rel_term_binary(b.data, (size_t)(b.bits / 8));
    free(b.data);
    return 0;
fail:
    rel_term_free(val);
    free(b.data);
    return rc;
}

static int parse_expr(struct parser *p, int depth, struct rel_term **out)
{
    *out = NULL;
    struct token *t = &p->tok;
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
        if ((rc = scan(p)) < 0)
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
        return perr(p, line, col,
                    "variables cannot appear in a term ('%.*s'); quote it to make "
                    "an atom",
                    (int)(n > 40 ? 40 : n), (const char *)p->s + t->start);
    }
    case T_RESERVED: {
        size_t n = t->end - t->start;
        if (n == 3 && memcmp(p->s + t->start, "fun", 3) == 0)
            return perr(p, line, col, "funs cannot appear in a release or config file");
        return perr(p, line, col, "reserved word '%.*s' must be quoted to be an atom", (int)n,
                    (const char *)p->s + t->start);
    }
    case T_PUNCT:
        if (is_punct(p, "{")) {
            if ((rc = scan(p)) < 0)
                return rc;
            r = rel_term_list_new();
            if (is_punct(p, "}"))
                rc = scan(p);
            else
                rc = parse_seq(p, depth + 1, r, "}", false);
            list_to_tuple(r);
        } else if (is_punct(p, "[")) {
            if ((rc = scan(p)) < 0)
                return rc;
            r = rel_term_list_new();
            if (is_punct(p, "]"))
                rc = scan(p);
            else
                rc = parse_seq(p, depth + 1, r, "]", true);
        } else if (is_punct(p, "#")) {
            if ((rc = scan(p)) < 0)
                return rc;
            if (!is_punct(p, "{"))
                return p->tok.type == T_ATOM ? perr(p, line, col, "records cannot appear in a term")
                                             : unexpected(p, "'{' after '#'");
            if ((rc = scan(p)) < 0)
                return rc;
            r = rel_term_map_new();
            if (is_punct(p, "}"))
                rc = scan(p);
            else
                rc = parse_map(p, depth + 1, r);
        } else if (is_punct(p, "<<")) {
            if ((rc = scan(p)) < 0)
                return rc;
            rc = parse_binary(p, &r, line, col);
        } else if (is_punct(p, "-") || is_punct(p, "+")) {
            bool neg = is_punct(p, "-");
            if ((rc = scan(p)) < 0)
                return rc;
            if (p->tok.type != T_NUMBER && p->tok.type != T_CHAR)
                return perr(p, line, col, "unary %s applies only to a number here",
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
            rc = scan(p);
        } else if (is_punct(p, "(")) {
            if ((rc = scan(p)) < 0)
                return rc;
            if ((rc = parse_expr(p, depth + 1, &r)) < 0)
                return rc;
            if (!is_punct(p, ")")) {
                rc = unexpected(p, "')'");
                goto fail;
            }
            rc = scan(p);
        } else if (is_punct(p, "<") && p->pos < p->n && p->s[p->pos] >= '0' &&
                   p->s[p->pos] <= '9') {
            return perr(p, line, col, "pids, ports and references cannot appear in a term");
        } else {
            return unexpected(p, "a term");
        }
        if (rc < 0)
            goto fail;
        break;
    case T_DOT:
    case T_EOF:
        return unexpected(p, "a term");
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
    struct parser p;
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
    int rc = scan(&p);
    while (rc == 0 && p.tok.type != T_EOF) {
        struct rel_term *t;
        rc = parse_expr(&p, 0, &t);
        if (rc < 0)
            break;
        terms_push(out, t);
        if (p.tok.type != T_DOT) {
            rc = unexpected(&p, "'.' after the term");
            break;
        }
        rc = scan(&p);
    }
    token_clear(&p.tok);
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

/* ======================================================================
 * Printer
 *
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

/* Characters (not bytes) in UTF-8 text. */
static long utf8_chars(const char *s, size_t n)
{
    long c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
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
        return rel_buf_put(b, tmp, utf8_encode(c, tmp));
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
    if (is_reserved(name, len) || (len == 5 && memcmp(name, "maybe", 5) == 0) ||
        (len == 4 && memcmp(name, "else", 4) == 0))
        return true;
    const unsigned char *s = (const unsigned char *)name;
    bool first = true;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_decode(s + i, len - i, &c);
        if (k == 0)
            return true;
        if (first ? !is_lower((int32_t)c) : !is_name_char((int32_t)c))
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
        size_t k = utf8_decode(s + i, len - i, &c);
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
    locale_t old = use_c_locale();
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    restore_locale(old);
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
    n->len = utf8_chars(pr->text.ptr + start, n->nbytes);
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
        size_t k = utf8_decode(d + i, n - i, &c);
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
                k = utf8_decode(d + i, n - i, &c);
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
