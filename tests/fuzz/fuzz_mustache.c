/*
 * fuzz_mustache.c - relx overlay templates are project input: the checks of
 * fuzz_render.h on core/mustache with a context of every kind of value.
 */
#include "core/mustache.h"
#include "core/term.h"
#include "fuzz_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values of every kind the renderer meets in overlay variables. */
static const char CTX[] =
    "[{name, <<\"world\">>}, {n, 42}, {f, 0.25}, {t, true}, {no, false}, {str, \"abc\"},"
    " {list, [1, 2, 3]}, {pl, [{a, <<\"x\">>}, {b, [{c, 7}]}]}, {deep, [{a, [{b, \"d\"}]}]},"
    " {items, [[{x, 1}], [{x, 2}]]}, {tup, {1, 2}}, {m, #{k => v}}, {nil_v, nil}, bare].";

static int render(struct rel_buf *out, const char *text, size_t len)
{
    static struct rel_term *ctx;
    if (!ctx && rel_term_parse_one(&ctx, CTX, strlen(CTX), "ctx") < 0)
        abort();
    return rel_mustache_render(out, text, len, ctx, "fuzz.mustache");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct fuzz_renderer fr = {"fuzz.mustache", "{{", render};
    fuzz_render_check(&fr, data, size);
    return 0;
}
