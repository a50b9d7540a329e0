/*
 * alloc.h - checked allocation.
 *
 * relman cannot do anything useful without memory, so these never return
 * NULL: on exhaustion they print one line to stderr and abort(), as git's
 * xmalloc does. Sizes are checked for multiplication overflow.
 */
#ifndef REL_ALLOC_H
#define REL_ALLOC_H

#include <stddef.h>

void *rel_malloc(size_t size);
void *rel_calloc(size_t nmemb, size_t size);
void *rel_realloc(void *ptr, size_t size);
/* realloc for arrays: nmemb * size, checked for overflow. */
void *rel_reallocarray(void *ptr, size_t nmemb, size_t size);
char *rel_strdup(const char *s);
char *rel_strndup(const char *s, size_t n);
/* printf into a freshly allocated string. */
char *rel_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
