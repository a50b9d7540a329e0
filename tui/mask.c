/*
 * mask.c - masking cookies in text.
 */
#include "tui/mask.h"

#include "core/buf.h"

#include <string.h>

static void replace_range(struct rel_buf *b, size_t off, size_t len)
{
    struct rel_buf out = REL_BUF_INIT;
    rel_buf_put(&out, b->ptr, off);
    rel_buf_puts(&out, TUI_MASK);
    rel_buf_puts(&out, b->ptr + off + len);
    rel_buf_clear(b);
    rel_buf_put(b, out.ptr, out.len);
    rel_buf_free(&out);
}

static void mask_value(struct rel_buf *b, const char *secret)
{
    size_t n = strlen(secret);
    if (n == 0 || !b->ptr)
        return;
    size_t from = 0;
    const char *hit;
    while ((hit = strstr(b->ptr + from, secret))) {
        size_t off = (size_t)(hit - b->ptr);
        replace_range(b, off, n);
        from = off + strlen(TUI_MASK);
    }
}

/* The word after each `key`, quotes aside. */
static void mask_after(struct rel_buf *b, const char *key)
{
    size_t klen = strlen(key), from = 0;
    const char *hit;
    while (b->ptr && (hit = strstr(b->ptr + from, key))) {
        size_t off = (size_t)(hit - b->ptr) + klen;
        while (b->ptr[off] == '"' || b->ptr[off] == '\'')
            off++;
        size_t len = strcspn(b->ptr + off, " \t\r\n\"'");
        if (len > 0 && !(len == strlen(TUI_MASK) && strncmp(b->ptr + off, TUI_MASK, len) == 0))
            replace_range(b, off, len);
        from = off + (len ? strlen(TUI_MASK) : 0);
    }
}

void tui_mask_secrets(struct rel_buf *text, const char *cookie)
{
    if (cookie)
        mask_value(text, cookie);
    mask_after(text, "-setcookie ");
    mask_after(text, "RELEASE_COOKIE=");
}

bool tui_mask_secret_file(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcmp(base, "COOKIE") == 0;
}
