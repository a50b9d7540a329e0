/*
 * mustache.h - the `{{var}}` templates of relx overlays, rendered as relx 4.7
 * renders them (bbmustache 1.12 with atom keys and no HTML escaping).
 *
 * The context is an Erlang term: a proplist (`[{key, Value}, ...]`, a bare
 * atom `key` meaning `{key, true}`) or a map with atom keys. Supported tags:
 *   {{name}} {{{name}}} {{&name}}   the value (all three alike: no escaping)
 *   {{a.b.c}}                       a nested key (`a`'s value is a proplist)
 *   {{.}}                           the current element of a section
 *   {{#name}}...{{/name}}           a section: skipped when the value is
 *                                   false, [], "", <<>>, nil, null or unset;
 *                                   once with a proplist/map as the context;
 *                                   once per element of any other list; once
 *                                   for any other value
 *   {{^name}}...{{/name}}           rendered only when the value is falsy
 *   {{! comment }}                  removed
 *   {{=<% %>=}}                     new delimiters
 * Section, comment and delimiter tags alone on a line take the line with them
 * (mustache's "standalone" rule). A key is looked up in the innermost context
 * first, then outwards; a missing key renders as nothing.
 *
 * Values print as: integers in decimal, floats as the shortest text that
 * reads back, atoms by name (nil and null as nothing), strings and binaries
 * as their UTF-8 text, other lists as the concatenation of their elements
 * (an iolist). A tuple or a map cannot be printed: that, an unclosed tag, a
 * section closed by another name, and partials (`{{>name}}`, which relx never
 * sets up) are REL_ETEMPLATE errors "FILE:LINE: ...". Rendering more than two
 * million tags (sections over long lists, nested) is REL_ELIMIT.
 */
#ifndef REL_MUSTACHE_H
#define REL_MUSTACHE_H

#include <stddef.h>

struct rel_buf;
struct rel_term;

/* Templates larger than this are refused (REL_ELIMIT); sections nest at most
 * REL_MUSTACHE_MAX_DEPTH deep. */
#define REL_MUSTACHE_MAX_SIZE ((size_t)16 << 20)
#define REL_MUSTACHE_MAX_DEPTH 64

/*
 * Render `len` bytes of `text` with context `ctx` (borrowed; NULL: empty),
 * appending to `out`. `file` names the template in messages (NULL: "template").
 * 0, or a negative code with "FILE:LINE: message" set; `out` may then hold
 * part of the result.
 */
int rel_mustache_render(struct rel_buf *out, const char *text, size_t len,
                        const struct rel_term *ctx, const char *file);

/* Append the text `{{v}}` prints for value `v`. REL_ETEMPLATE (message
 * without a position) for a tuple or map. */
int rel_mustache_value(struct rel_buf *out, const struct rel_term *v);

#endif
