#include "buf.h"

#include "alloc.h"
#include "error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rel_buf_init(struct rel_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void rel_buf_free(struct rel_buf *b)
{
    if (!b)
        return;
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

int rel_buf_grow(struct rel_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : REL_BUF_DEFAULT_MAX;
    if (extra > max || b->len > max - extra)
        return rel_error_set(REL_ELIMIT, "buffer would exceed its limit of %zu bytes", max);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < ((size_t)1 << 62) ? cap * 2 : need;
    if (max < SIZE_MAX && cap > max + 1) /* never past the limit: rel_buf_put relies on it */
        cap = max + 1;
    b->ptr = rel_realloc(b->ptr, cap);
    b->cap = cap;
    return 0;
}

int rel_buf_put(struct rel_buf *b, const void *data, size_t len)
{
    /* room for len bytes and the NUL: cap never exceeds the limit + 1 */
    if (len >= b->cap - b->len) {
        int rc = rel_buf_grow(b, len);
        if (rc < 0)
            return rc;
    }
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int rel_buf_puts(struct rel_buf *b, const char *s)
{
    return rel_buf_put(b, s, strlen(s));
}

int rel_buf_putc(struct rel_buf *b, char c)
{
    return rel_buf_put(b, &c, 1);
}

int rel_buf_vprintf(struct rel_buf *b, const char *fmt, va_list ap)
{
    /* Format straight into the room there is; only a text that does not
     * fit is formatted a second time, after growing. */
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        if (room)
            b->ptr[b->len] = '\0';
        return rel_error_set(REL_EINVAL, "bad format string");
    }
    if ((size_t)n >= room) {
        int rc = rel_buf_grow(b, (size_t)n);
        if (rc < 0) {
            if (room)
                b->ptr[b->len] = '\0';
            return rc;
        }
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
    return 0;
}

int rel_buf_printf(struct rel_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = rel_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void rel_buf_clear(struct rel_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void rel_buf_truncate(struct rel_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->ptr[len] = '\0';
    }
}

const char *rel_buf_cstr(const struct rel_buf *b)
{
    return b->ptr ? b->ptr : "";
}

char *rel_buf_detach(struct rel_buf *b)
{
    char *p = b->ptr ? b->ptr : rel_strdup("");
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
