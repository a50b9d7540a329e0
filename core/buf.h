/*
 * buf.h - a bounded, growable byte buffer.
 *
 * The contents are always NUL-terminated (ptr[len] == '\0'), so a buffer of
 * text can be used as a C string. Every buffer has a hard cap (`max`): growing
 * past it fails with REL_ELIMIT instead of eating memory, which is how
 * untrusted input (YAML, .app files, remote output) is bounded.
 *
 * Ownership: the buffer owns `ptr`; rel_buf_free() releases it and accepts a
 * zeroed or already freed buffer. rel_buf_detach() hands `ptr` to the caller.
 */
#ifndef REL_BUF_H
#define REL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Default cap when none is given: 1 GiB. */
#define REL_BUF_DEFAULT_MAX ((size_t)1 << 30)

struct rel_buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max; /* 0 means REL_BUF_DEFAULT_MAX */
};

#define REL_BUF_INIT {NULL, 0, 0, 0}

void rel_buf_init(struct rel_buf *b, size_t max);
void rel_buf_free(struct rel_buf *b);
/* Make room for `extra` more bytes. 0, or REL_ELIMIT past the cap. */
int rel_buf_grow(struct rel_buf *b, size_t extra);
int rel_buf_put(struct rel_buf *b, const void *data, size_t len);
int rel_buf_puts(struct rel_buf *b, const char *s);
int rel_buf_putc(struct rel_buf *b, char c);
int rel_buf_printf(struct rel_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rel_buf_vprintf(struct rel_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Empty the buffer, keeping its memory. */
void rel_buf_clear(struct rel_buf *b);
/* Shorten to `len` bytes (no-op when already shorter). */
void rel_buf_truncate(struct rel_buf *b, size_t len);
/* The contents as a C string ("" for an empty, never-grown buffer). */
const char *rel_buf_cstr(const struct rel_buf *b);
/* Give the caller the malloc'd string (never NULL); the buffer becomes empty. */
char *rel_buf_detach(struct rel_buf *b);

#endif
