/*
 * utf8.h - the one UTF-8 codec of relman.
 *
 * Erlang terms hold Unicode code points, atoms and JSON hold UTF-8 text, BEAM
 * files and the external term format may hold Latin-1: every conversion
 * between these goes through here. "Valid" always means what Unicode and
 * Erlang mean: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
 * above U+10FFFF, no truncated sequence.
 *
 * None of these functions allocates or fails; output buffers are the
 * caller's and must have the room stated.
 */
#ifndef REL_UTF8_H
#define REL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest encoding of one code point, in bytes. */
#define REL_UTF8_MAX 4

/*
 * Encode `c` into `out` (room for REL_UTF8_MAX bytes; no NUL is written) and
 * return the number of bytes, 1..4. Values up to 0x1FFFFF are encoded as
 * they are (terms only hold code points up to 0x10FFFF; checking is the
 * caller's business).
 */
size_t rel_utf8_encode(uint32_t c, char *out);

/*
 * Decode the character at s[0..n): its length (1..4) with *c set, or 0 when
 * the bytes there are not valid UTF-8 (or n is 0); *c is then untouched.
 */
size_t rel_utf8_decode(const void *s, size_t n, uint32_t *c);

/* Is `b` a continuation byte (10xxxxxx), that is not the start of a
 * character? */
static inline bool rel_utf8_is_cont(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

/* The number of characters in `n` bytes of UTF-8 text (bytes that start a
 * character; invalid bytes count as one each). */
size_t rel_utf8_chars(const char *s, size_t n);

/* The offset in s[0..n) just past `chars` characters (or n when the text is
 * shorter); continuation bytes after a character belong to it. */
size_t rel_utf8_skip(const char *s, size_t n, size_t chars);

/*
 * Latin-1 bytes s[0..n) as UTF-8 into `out` (room for 2 * n bytes; no NUL is
 * written); returns the number of bytes written.
 */
size_t rel_utf8_from_latin1(char *out, const uint8_t *s, size_t n);

/*
 * UTF-8 text s[0..n) as Latin-1 into `out` (room for `cap` bytes): true with
 * *outlen set when every character is valid UTF-8 below U+0100 and fits;
 * false otherwise (out then holds garbage).
 */
bool rel_utf8_to_latin1(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t n);

/* The number of characters of `n` bytes of valid UTF-8 in *chars: true, or
 * false when the text is not valid UTF-8 throughout. */
bool rel_utf8_valid(const void *s, size_t n, size_t *chars);

#endif
