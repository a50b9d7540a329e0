/*
 * utf8.c - UTF-8 encoding and decoding (see utf8.h).
 */
#include "utf8.h"

size_t rel_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | ((c >> 18) & 0x07));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t rel_utf8_decode(const void *text, size_t n, uint32_t *c)
{
    const unsigned char *s = text;
    if (n == 0)
        return 0;
    unsigned char b = s[0];
    if (b < 0x80) {
        *c = b;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((b & 0xE0) == 0xC0) {
        len = 2, v = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, v = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (!rel_utf8_is_cont(s[i]))
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *c = v;
    return len;
}

size_t rel_utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (!rel_utf8_is_cont((unsigned char)s[i]))
            c++;
    return c;
}

size_t rel_utf8_skip(const char *s, size_t n, size_t chars)
{
    size_t off = 0;
    for (size_t c = 0; c < chars && off < n; c++) {
        off++;
        while (off < n && rel_utf8_is_cont((unsigned char)s[off]))
            off++;
    }
    return off;
}

size_t rel_utf8_from_latin1(char *out, const uint8_t *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += rel_utf8_encode(s[i], out + w);
    return w;
}

bool rel_utf8_to_latin1(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t k = rel_utf8_decode(s + i, n - i, &c);
        if (k == 0 || c > 0xFF || w >= cap)
            return false;
        out[w++] = (uint8_t)c;
        i += k;
    }
    *outlen = w;
    return true;
}

bool rel_utf8_valid(const void *text, size_t n, size_t *chars)
{
    const unsigned char *s = text;
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        uint32_t c;
        size_t k = rel_utf8_decode(s + i, n - i, &c);
        if (k == 0)
            return false;
        i += k;
    }
    *chars = count;
    return true;
}
