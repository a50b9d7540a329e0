/*
 * template.h - the EEx subset that release templates use.
 *
 * `mix release` renders rel/vm.args.eex, rel/remote.vm.args.eex,
 * rel/env.sh.eex and rel/env.bat.eex with EEx and one assign, @release.
 * Real templates only print a few fields of it, so relman renders exactly
 * that subset and refuses everything else with "FILE:LINE: ..." instead of
 * guessing (a dropped line in env.sh is a production incident).
 *
 * Supported tags:
 *   <%= EXPR %>     the value of EXPR (nil prints as nothing)
 *   <%# ... %>      a comment; removed
 *   <%%             a literal "<%" (the rest is plain text)
 * where EXPR is one of
 *   @release.name | .version | .path | .version_path | .erts_version
 *   @release.options[:KEY]               (a release option, e.g. :cookie)
 *   @release.applications[:APP][:KEY]    (KEY: vsn, mode, path, otp_app?)
 *   "a string literal" (with \" and \\ escapes)
 * optionally wrapped in to_string(...) or parentheses. Any other tag
 * (`<% if ... %>`, function calls, other assigns) is a REL_ETEMPLATE error
 * naming the file and line where the tag starts.
 */
#ifndef REL_TEMPLATE_H
#define REL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

/*
 * What @release holds. The strings are borrowed. The two lookups append the
 * printed value (as EEx's to_string would print it) to `out` and set *found;
 * a missing key is not an error (it prints as nothing, as nil does). Either
 * lookup may be NULL, which means "no such keys".
 */
struct rel_template_vars {
    const char *name;
    const char *version;
    const char *path;         /* absolute release root */
    const char *version_path; /* absolute releases/VSN */
    const char *erts_version;
    int (*option)(void *ctx, const char *key, struct rel_buf *out, bool *found);
    int (*app_field)(void *ctx, const char *app, const char *key, struct rel_buf *out, bool *found);
    void *ctx;
    /* NULL: what the subset cannot render is a REL_ETEMPLATE error. Else a
     * tag the subset cannot render (any `<% ... %>` code, an expression
     * beyond EXPR, an option `option` does not find) sets *needs_eex and
     * rendering stops with 0 (`out` then holds a partial result the caller
     * drops): the caller renders the text with Elixir's EEx (core/eex.h).
     * Nothing the subset renders differs from what EEx prints. */
    bool *needs_eex;
};

/* Templates larger than this are refused (REL_ELIMIT). */
#define REL_TEMPLATE_MAX_SIZE ((size_t)1 << 20)

/*
 * Render `len` bytes of `text` (from `file`, used in messages only) into
 * `out` (appended). Returns 0, or REL_ETEMPLATE / REL_ELIMIT with the message
 * "FILE:LINE: ..." set; `out` may then hold a partial result.
 */
int rel_template_render(struct rel_buf *out, const char *text, size_t len, const char *file,
                        const struct rel_template_vars *vars);

/* Read the template at `path` and render it. */
int rel_template_render_file(struct rel_buf *out, const char *path,
                             const struct rel_template_vars *vars);

#endif
