/*
 * term_int.h - what the files of the term module share (term.c: model and
 * comparison, term_scan.c: scanner, term_parse.c: parser, term_print.c:
 * printer). Not for use outside them: everything else uses core/term.h.
 */
#ifndef REL_TERM_INT_H
#define REL_TERM_INT_H

#include "buf.h"
#include "term.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- model (term.c) ---------------------------------------------------- */

/* A Unicode code point (0..10FFFF, not a surrogate). */
static inline bool rel_term_valid_char(int64_t c)
{
    return c >= 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

/* Append `t` (owned) to `terms`. */
void rel_terms_push(struct rel_terms *terms, struct rel_term *t);

/* Append a pair (both owned) without looking for an equal key; the caller
 * calls rel_term_map_dedupe() once all pairs are in. */
void rel_term_map_push(struct rel_term *map, struct rel_term *key, struct rel_term *value);

/* Drop all but the last of each run of equal keys (maps:from_list/1's rule)
 * and leave the pairs in key order. */
void rel_term_map_dedupe(struct rel_term *m);

/* ---- characters (Latin-1 classes of erl_scan) --------------------------- */

static inline bool term_is_lower(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7);
}

static inline bool term_is_upper(int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

static inline bool term_is_name_char(int32_t c)
{
    return term_is_lower(c) || term_is_upper(c) || (c >= '0' && c <= '9') || c == '_' || c == '@';
}

/* Is s[0..len) a reserved word of Erlang (an atom named so needs quotes)? */
bool rel_term_is_reserved(const char *s, size_t len);

/* ---- scanner (term_scan.c), driven by the parser ----------------------- */

enum rel_term_tok_type {
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

struct rel_term_token {
    enum rel_term_tok_type type;
    int line, col;
    size_t start, end; /* byte span in the input */
    struct rel_term *val;
    char text[8];
};

struct rel_term_parser {
    const unsigned char *s;
    size_t n, pos;
    int line, col;
    bool latin1;
    const char *file;
    struct rel_term_token tok; /* the current (lookahead) token */
    bool have_tok;
    struct rel_buf tmp; /* scratch for strings and names */
};

/*
 * Scan the next token into p->tok (the previous one's value is freed).
 * 0, or REL_EPARSE / REL_ELIMIT with "FILE:LINE:COL: what" set.
 */
int rel_term_scan(struct rel_term_parser *p);

/* Set "FILE:LINE:COL: message" (REL_EPARSE) and return REL_EPARSE. */
int rel_term_scan_error(struct rel_term_parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The error for the current token, naming what was `expected` (may be NULL). */
int rel_term_scan_unexpected(struct rel_term_parser *p, const char *expected);

/* Free a token's value. */
void rel_term_token_clear(struct rel_term_token *t);

/* Is the current token the punctuation `s`? */
static inline bool is_punct(const struct rel_term_parser *p, const char *s)
{
    return p->tok.type == T_PUNCT && strcmp(p->tok.text, s) == 0;
}

/* Take the current token's value (the token keeps none). */
static inline struct rel_term *take_val(struct rel_term_parser *p)
{
    struct rel_term *v = p->tok.val;
    p->tok.val = NULL;
    v->line = p->tok.line;
    v->col = p->tok.col;
    return v;
}

#endif
