/*
 * escape.c - control characters in untrusted text made visible (see
 * escape.h).
 */
#include "escape.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

/* How many bytes the character starting with lead byte `b` takes (0: not a
 * lead byte). */
static size_t seq_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

/* The length of the character at s (1 for a byte to escape as \xNN), with
 * *kind: 0 keep, 1 \xNN of the first byte, 2 \u00NN of the code point. */
static size_t classify(const char *s, size_t len, unsigned flags, int *kind, uint32_t *cp)
{
    unsigned char b = (unsigned char)s[0];
    if (b < 0x80) {
        bool line = (b == '\n' || b == '\t') && (flags & REL_ESCAPE_KEEP_LINES);
        *kind = (b < 0x20 && !line) || b == 0x7f ? 1 : 0;
        return 1;
    }
    size_t n = rel_utf8_decode(s, len, cp);
    if (n == 0) {
        *kind = 1;
        return 1;
    }
    *kind = *cp >= 0x80 && *cp <= 0x9f ? 2 : 0;
    return n;
}

size_t rel_escape_text(struct rel_buf *out, const char *s, size_t len, unsigned flags)
{
    size_t i = 0, keep_from = 0;
    while (i < len) {
        size_t want = seq_len((unsigned char)s[i]);
        if ((flags & REL_ESCAPE_PARTIAL) && want > 1 && i + want > len) {
            /* a character cut at the end: is what is there its valid start? */
            bool cont = true;
            for (size_t k = i + 1; k < len; k++)
                cont = cont && rel_utf8_is_cont((unsigned char)s[k]);
            if (cont) {
                rel_buf_put(out, s + keep_from, i - keep_from);
                return i;
            }
        }
        int kind;
        uint32_t cp = 0;
        size_t n = classify(s + i, len - i, flags, &kind, &cp);
        if (kind) {
            rel_buf_put(out, s + keep_from, i - keep_from);
            if (kind == 1)
                rel_buf_printf(out, "\\x%02x", (unsigned char)s[i]);
            else
                rel_buf_printf(out, "\\u%04x", (unsigned)cp);
            keep_from = i + n;
        }
        i += n;
    }
    rel_buf_put(out, s + keep_from, len - keep_from);
    return len;
}

char *rel_escape_dup(const char *s, unsigned flags)
{
    if (!s)
        return NULL;
    struct rel_buf b = REL_BUF_INIT;
    rel_escape_text(&b, s, strlen(s), flags & ~(unsigned)REL_ESCAPE_PARTIAL);
    if (!b.ptr)
        return rel_strdup("");
    return rel_buf_detach(&b);
}

bool rel_escape_needed(const char *s, size_t len, unsigned flags)
{
    for (size_t i = 0; i < len;) {
        int kind;
        uint32_t cp;
        i += classify(s + i, len - i, flags, &kind, &cp);
        if (kind)
            return true;
    }
    return false;
}
