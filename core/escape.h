/*
 * escape.h - text from a host, shown as text.
 *
 * Whatever a target says (status fields, lock holders, versions, link
 * names, audit lines, rpc results, logs, the stderr of a failed command)
 * may hold terminal control sequences: ESC [ ... (cursor moves, colours),
 * CR (overwriting a line), OSC 52 (writing the user's clipboard), 8-bit C1
 * controls. Before relman prints or logs such text it passes it here, and
 * every control character becomes visible text:
 *
 *   C0 (0x00-0x1f), DEL (0x7f)           -> \xNN      (ESC -> \x1b, CR -> \x0d)
 *   C1 (U+0080-U+009F, UTF-8 C2 80..9F)  -> \u00NN
 *   a byte that is not valid UTF-8        -> \xNN
 *
 * Everything else (printable ASCII, valid UTF-8 above U+009F, the
 * backslash itself) is kept as it is. With REL_ESCAPE_KEEP_LINES, '\n' and
 * '\t' are kept (multi-line output: rpc results, logs); without, they are
 * escaped too (a one-line field). The CLI and the TUI both use this one
 * helper; `relman logs --raw` is the one way around it.
 */
#ifndef REL_ESCAPE_H
#define REL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

enum {
    REL_ESCAPE_KEEP_LINES = 1 << 0, /* keep '\n' and '\t' */
    REL_ESCAPE_PARTIAL = 1 << 1,    /* s may end inside a UTF-8 character: leave it */
};

/*
 * Append s[0..len) escaped to `out`. Returns the number of bytes of s
 * consumed: len, except with REL_ESCAPE_PARTIAL when s ends with the start
 * of a character whose rest is still to come (at most 3 bytes are left;
 * pass them again in front of the next piece).
 */
size_t rel_escape_text(struct rel_buf *out, const char *s, size_t len, unsigned flags);

/* s escaped as a new string (malloc'd; NULL for NULL). */
char *rel_escape_dup(const char *s, unsigned flags);

/* Whether s[0..len) would change (holds something to escape). */
bool rel_escape_needed(const char *s, size_t len, unsigned flags);

#endif
