/*
 * term.c - Erlang terms: the model (constructors, free, clone, accessors) and
 * comparison (Erlang's term order). The text parser is in term_scan.c and
 * term_parse.c, the printer in term_print.c.
 */
#include "term.h"

#include "alloc.h"
#include "buf.h"
#include "term_int.h"
#include "utf8.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
        size_t k = rel_utf8_decode(s + i, len - i, &c);
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
    rel_term_map_push(map, key, value);
}

void rel_term_map_push(struct rel_term *map, struct rel_term *key, struct rel_term *value)
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

void rel_terms_push(struct rel_terms *terms, struct rel_term *t)
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
            if (c == 0 || !rel_term_valid_char(c))
                goto fail;
            if (rel_buf_put(&b, tmp, rel_utf8_encode(c, tmp)) < 0)
                goto fail;
        }
        break;
    case REL_TERM_LIST:
        if (t->u.list.tail)
            return NULL;
        for (size_t i = 0; i < t->u.list.len; i++) {
            const struct rel_term *e = t->u.list.items[i];
            if (!e || e->kind != REL_TERM_INT || e->u.i == 0 || !rel_term_valid_char(e->u.i))
                goto fail;
            if (rel_buf_put(&b, tmp, rel_utf8_encode((uint32_t)e->u.i, tmp)) < 0)
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

void rel_term_map_dedupe(struct rel_term *m)
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
