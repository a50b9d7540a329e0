/*
 * term.h - Erlang terms: the model, the text parser (file:consult syntax), the
 * printer (compact, and pretty like OTP's `~tp`), equality and ordering.
 *
 * Every release file relman reads or writes as text (.app, .rel, .script,
 * sys.config, RELEASES) is a sequence of Erlang terms, each ending in `.`.
 * The external (binary) form is in core/etf.h.
 *
 * The model. A term is a tree of `struct rel_term` nodes; the struct is
 * transparent so C code can switch on `kind` and read the union directly, but
 * the accessors below are shorter and never crash on the wrong kind.
 *
 *  - ATOM:   UTF-8 name, `len` bytes plus a terminating NUL (0..255
 *            characters; an atom may itself contain NUL, so code that cares
 *            uses `len`).
 *  - INT:    a value that fits int64_t. BIGINT: anything larger, as a sign
 *            and a little-endian base-256 magnitude (the external format's
 *            layout). The constructors keep this canonical: a BIGINT never
 *            holds a value that fits int64_t, so equal numbers have one form.
 *  - FLOAT:  a double (finite; Erlang has no NaN or infinity).
 *  - STRING: a charlist written as "..." (Unicode code points). Erlang-wise it
 *            IS a list of integers: it equals the LIST of the same integers,
 *            and the empty STRING equals the empty LIST `[]`.
 *  - BINARY: bytes, from <<"...">> or <<1,2,3>> (bitstrings are not supported).
 *  - LIST:   items plus an optional tail (`[a|b]`; NULL = proper list). The
 *            tail is never a LIST or STRING: the parser and
 *            rel_term_list_set_tail() splice those in, so `[a|[b]]` is [a,b].
 *  - TUPLE:  fixed items.  MAP: keys/values, no two keys equal (last wins).
 *
 * Pids, ports, references and funs cannot appear in a release file; the
 * parser and the ETF decoder reject them with an error that says so.
 *
 * Positions: `line` and `col` (1-based; the column counts characters) tell
 * where a node started in the parsed text; they are 0 for nodes built in code
 * or decoded from the external format. They take no part in equality.
 *
 * Ownership: every constructor returns a new node owned by the caller
 * (allocation never fails, see core/alloc.h). Functions that take a child
 * (`rel_term_list_append`, `rel_term_tuple`, `rel_term_map_put`, ...) take
 * ownership of it. rel_term_free() frees a whole tree and accepts NULL.
 * Accessors return borrowed pointers into the tree.
 *
 * Limits: parsed text is bounded by REL_TERM_MAX_INPUT bytes and nesting by
 * REL_TERM_MAX_DEPTH; the printer and the ETF encoder refuse deeper trees
 * built in code instead of exhausting the stack.
 */
#ifndef REL_TERM_H
#define REL_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rel_buf;

#define REL_TERM_MAX_DEPTH 512
#define REL_TERM_MAX_INPUT ((size_t)64 << 20)
#define REL_TERM_MAX_ATOM_CHARS 255
/* Largest bignum magnitude in bytes (about 10,000 decimal digits). */
#define REL_TERM_MAX_BIG_BYTES 4096

enum rel_term_kind {
    REL_TERM_ATOM,
    REL_TERM_INT,
    REL_TERM_BIGINT,
    REL_TERM_FLOAT,
    REL_TERM_STRING,
    REL_TERM_BINARY,
    REL_TERM_LIST,
    REL_TERM_TUPLE,
    REL_TERM_MAP,
};

struct rel_term {
    enum rel_term_kind kind;
    int line, col;
    union {
        struct {
            char *name; /* UTF-8, NUL-terminated */
            size_t len; /* bytes */
        } atom;
        int64_t i;
        struct {
            bool negative;
            uint8_t *mag; /* little-endian base 256, no high zero bytes */
            size_t len;
        } big;
        double f;
        struct {
            uint32_t *chars; /* code points */
            size_t len;
        } str;
        struct {
            uint8_t *data;
            size_t len;
        } bin;
        struct {
            struct rel_term **items;
            size_t len, cap;
            struct rel_term *tail; /* NULL: proper list */
        } list;
        struct {
            struct rel_term **items;
            size_t len;
        } tuple;
        struct {
            struct rel_term **keys, **values;
            size_t len, cap;
        } map;
    } u;
};

/* The terms of one file, in order. Zero-initialise; free with rel_terms_free. */
struct rel_terms {
    struct rel_term **items;
    size_t len, cap;
};

void rel_terms_free(struct rel_terms *terms);

/* ---- Parsing ---------------------------------------------------------- */

/*
 * Parse `len` bytes of `text` in file:consult syntax (terms each followed by
 * `.`; `%` comments; UTF-8 unless a `%% coding: latin-1` comment in the first
 * two lines says otherwise) and append the terms to `out`.
 * `filename` (may be NULL) is used in messages only.
 * On error returns REL_EPARSE (or REL_ELIMIT) with the message
 * "FILE:LINE:COL: what is wrong", and leaves `out` as it was.
 * Never crashes on any input.
 */
int rel_term_parse(struct rel_terms *out, const char *text, size_t len, const char *filename);

/* As rel_term_parse(), for exactly one term; anything else is an error. */
int rel_term_parse_one(struct rel_term **out, const char *text, size_t len, const char *filename);

/* file:consult(): read `path` (at most REL_TERM_MAX_INPUT bytes) and parse it. */
int rel_term_consult(struct rel_terms *out, const char *path);

/* The file at `path` must hold exactly one term (.app, .rel, sys.config). */
int rel_term_consult_one(struct rel_term **out, const char *path);

/* ---- Constructors (never NULL; the caller owns the result) ------------- */

struct rel_term *rel_term_atom(const char *utf8);
struct rel_term *rel_term_atom_len(const char *utf8, size_t len);
struct rel_term *rel_term_int(int64_t value);
/* A signed magnitude (little-endian bytes); normalised to INT when it fits. */
struct rel_term *rel_term_bigint(bool negative, const uint8_t *mag, size_t len);
struct rel_term *rel_term_float(double value);
/* A charlist from UTF-8 text (bytes that are not valid UTF-8 are taken as
 * Latin-1 characters), or from code points. */
struct rel_term *rel_term_string(const char *utf8);
struct rel_term *rel_term_string_len(const char *utf8, size_t len);
struct rel_term *rel_term_string_chars(const uint32_t *chars, size_t len);
struct rel_term *rel_term_binary(const void *data, size_t len);
/* A binary holding the bytes of a C string (Elixir strings). */
struct rel_term *rel_term_binary_str(const char *s);
struct rel_term *rel_term_list_new(void);
/* Append `item` (owned) to `list`. Returns `list` for chaining. */
struct rel_term *rel_term_list_append(struct rel_term *list, struct rel_term *item);
/* Set the tail (owned; NULL for proper). A LIST or STRING tail is spliced in,
 * so the result stays canonical. */
void rel_term_list_set_tail(struct rel_term *list, struct rel_term *tail);
/* A tuple of `n` items, taking ownership of the `n` variadic struct rel_term *. */
struct rel_term *rel_term_tuple(size_t n, ...);
/* A tuple of `n` NULL slots, to fill with rel_term_tuple_set (every slot must
 * be filled before the tuple is used). */
struct rel_term *rel_term_tuple_new(size_t n);
void rel_term_tuple_set(struct rel_term *tuple, size_t i, struct rel_term *item);
struct rel_term *rel_term_map_new(void);
/* Put `key` => `value` (both owned); an equal key's old pair is replaced. */
void rel_term_map_put(struct rel_term *map, struct rel_term *key, struct rel_term *value);

void rel_term_free(struct rel_term *t);
struct rel_term *rel_term_clone(const struct rel_term *t);

/* ---- Accessors (all accept NULL and the wrong kind) -------------------- */

/* Is `t` an atom, named `name` when `name` is not NULL? */
bool rel_term_is_atom(const struct rel_term *t, const char *name);
/* The atom's UTF-8 name, or NULL when `t` is not an atom. */
const char *rel_term_atom_name(const struct rel_term *t);
/* INT (or a BIGINT never fits): true and *out set when `t` is an int. */
bool rel_term_get_int(const struct rel_term *t, int64_t *out);
/* True for `[]`, a proper LIST and a STRING. */
bool rel_term_is_list(const struct rel_term *t);
/* Number of elements of a proper list or STRING; 0 otherwise. */
size_t rel_term_list_len(const struct rel_term *t);
/* Element `i` of a LIST (proper or not), or NULL (out of range, or `t` is a
 * STRING, whose elements are code points: use rel_term_to_cstring). */
struct rel_term *rel_term_list_get(const struct rel_term *t, size_t i);
size_t rel_term_tuple_size(const struct rel_term *t);
/* Item `i` (0-based) of a tuple, or NULL. */
struct rel_term *rel_term_tuple_get(const struct rel_term *t, size_t i);
/* A tuple of `arity` items (any arity when 0) whose first item is atom `tag`. */
bool rel_term_is_tagged(const struct rel_term *t, const char *tag, size_t arity);
/* In a list, the value V of the first 2-tuple {key, V} with atom `key`, or NULL. */
struct rel_term *rel_term_proplist_get(const struct rel_term *list, const char *key);
/* In a map, the value for the atom key `key`, or for any key term. */
struct rel_term *rel_term_map_get_atom(const struct rel_term *map, const char *key);
struct rel_term *rel_term_map_get(const struct rel_term *map, const struct rel_term *key);
/*
 * A malloc'd UTF-8 C string for a STRING, a proper LIST of valid code points
 * (including []), or a BINARY; NULL for anything else, or when the text would
 * contain a NUL (a C string cannot). A binary's bytes are copied as they are.
 */
char *rel_term_to_cstring(const struct rel_term *t);

/* ---- Comparison -------------------------------------------------------- */

/* Erlang's =:= : exact (1 =/= 1.0), a STRING equals the LIST of its code
 * points, maps compare regardless of key order. Positions are ignored. */
bool rel_term_equal(const struct rel_term *a, const struct rel_term *b);
/* Erlang's term order (number < atom < tuple < map < [] < list < binary),
 * made total: when an int and a float are numerically equal the int sorts
 * first. Returns <0, 0 or >0; 0 exactly when rel_term_equal(). */
int rel_term_compare(const struct rel_term *a, const struct rel_term *b);

/* OTP's order of map keys: term order, except that every integer sorts before
 * every float (1 < 1.0 < 2). The printer and the ETF encoder write maps so. */
int rel_term_compare_keys(const struct rel_term *a, const struct rel_term *b);
/* The indices 0..n-1 of `terms` sorted stably in key order (n log n); a new
 * array the caller frees. */
size_t *rel_term_key_order(struct rel_term *const *terms, size_t n);

/* ---- Printing ---------------------------------------------------------- */

enum rel_term_print_flags {
    /* One line, no spaces, like io_lib:write but with strings as "...". */
    REL_TERM_PRINT_COMPACT = 0,
    /* Lines of at most 80 columns laid out like io:format("~tp") in OTP 25. */
    REL_TERM_PRINT_PRETTY = 1 << 0,
    /* Print charlists with characters above 255 as "..." (in UTF-8) instead
     * of as lists of integers, which is what ~tp does by default. */
    REL_TERM_PRINT_UNICODE = 1 << 1,
};

/*
 * Append the text of `t` (no final `.`) to `out`. The text reads back equal
 * with file:consult/1 and rel_term_parse as the body of a UTF-8 file, that
 * is after a "%% coding: utf-8" line as rel_term_format_file() writes it
 * (without that line, a string containing "% coding: latin-1" on the first
 * two lines would make both readers take the text as Latin-1).
 * Fails with REL_ELIMIT when `out` reaches its cap or `t` nests deeper than
 * REL_TERM_MAX_DEPTH, REL_EINVAL on an invalid tree (NaN, a NULL slot).
 */
int rel_term_print(struct rel_buf *out, const struct rel_term *t, unsigned flags);

/* As rel_term_print(), starting at 1-based column `col` (for pretty layout). */
int rel_term_print_at(struct rel_buf *out, const struct rel_term *t, unsigned flags, int col);

/* The compact text of `t` as a new string (for messages); never NULL. */
char *rel_term_to_text(const struct rel_term *t);

/* Append a consultable file: "%% coding: utf-8\n", then `t` pretty-printed,
 * then ".\n" (what OTP writes for .script and mix writes for sys.config). */
int rel_term_format_file(struct rel_buf *out, const struct rel_term *t);

/* rel_term_format_file() written atomically (rel_fs_write_atomic) to `path`. */
int rel_term_write_file(const char *path, const struct rel_term *t, mode_t mode);

/* The kind's name ("atom", "list", ...) for messages. */
const char *rel_term_kind_name(enum rel_term_kind kind);

#endif
