/*
 * suggest.c - "did you mean" by edit distance (see suggest.h).
 */
#include "suggest.h"

#include <string.h>

#define WORD_MAX 64

size_t rel_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > WORD_MAX || lb > WORD_MAX)
        return 99;
    size_t d[WORD_MAX + 1][WORD_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

void rel_suggest_init(struct rel_suggest *s, const char *word)
{
    s->word = word;
    s->distance = 3;
    s->best[0] = '\0';
}

void rel_suggest_offer(struct rel_suggest *s, const char *cand, size_t len)
{
    char c[REL_SUGGEST_MAX];
    if (len >= sizeof(c))
        return;
    memcpy(c, cand, len);
    c[len] = '\0';
    size_t d = rel_edit_distance(s->word, c);
    if (d < s->distance && d < len) {
        s->distance = d;
        memcpy(s->best, c, len + 1);
    }
}

void rel_suggest_offer_list(struct rel_suggest *s, const char *words)
{
    const char *p = words;
    while (*p) {
        size_t len = strcspn(p, "|");
        rel_suggest_offer(s, p, len);
        p += len;
        if (*p == '|')
            p++;
    }
}
