/*
 * suggest.h - "did you mean": the closest of a set of words to one a person
 * typed, by edit distance (Levenshtein). relman.yml's unknown keys and
 * values (core/config_check.c) and the CLI's unknown commands and options
 * use it, so every such error suggests the same way.
 *
 *     struct rel_suggest s;
 *     rel_suggest_init(&s, typed);
 *     for each candidate: rel_suggest_offer(&s, cand, strlen(cand));
 *     if (s.best[0]) ... "did you mean '%s'?", s.best
 *
 * A candidate is kept when it is within 2 edits of the word and the distance
 * is smaller than the candidate's length (so "x" never suggests "y"); among
 * equals the first offered wins. Words longer than 64 bytes are never close.
 */
#ifndef REL_SUGGEST_H
#define REL_SUGGEST_H

#include <stddef.h>

#define REL_SUGGEST_MAX 128

struct rel_suggest {
    const char *word;           /* what was typed (not copied) */
    size_t distance;            /* of best; 3 while there is none */
    char best[REL_SUGGEST_MAX]; /* the closest candidate so far, or "" */
};

/* Edit distance between a and b; a large number when either is over 64 bytes. */
size_t rel_edit_distance(const char *a, const char *b);

void rel_suggest_init(struct rel_suggest *s, const char *word);
/* Consider the `len` bytes at `cand` (need not be NUL-terminated). */
void rel_suggest_offer(struct rel_suggest *s, const char *cand, size_t len);
/* Offer each word of a "a|b|c" list. */
void rel_suggest_offer_list(struct rel_suggest *s, const char *words);

#endif
