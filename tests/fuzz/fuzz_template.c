/*
 * fuzz_template.c - rel/*.eex templates are untrusted input: the checks of
 * fuzz_render.h on core/template with a few options and application fields.
 */
#include "core/template.h"
#include "fuzz_render.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few options and application fields, the rest missing (prints nothing). */
static int option(void *ctx, const char *key, struct rel_buf *out, bool *found)
{
    (void)ctx;
    *found = true;
    if (strcmp(key, "cookie") == 0)
        return rel_buf_puts(out, "SECRET");
    if (strcmp(key, "include_erts") == 0)
        return rel_buf_puts(out, "true");
    if (strcmp(key, "quiet") == 0)
        return rel_buf_puts(out, "false");
    *found = false;
    return 0;
}

static int app_field(void *ctx, const char *app, const char *key, struct rel_buf *out,
                     bool *found)
{
    (void)ctx;
    *found = false;
    if (strcmp(app, "kv") != 0 && strcmp(app, "kernel") != 0)
        return 0;
    *found = true;
    if (strcmp(key, "vsn") == 0)
        return rel_buf_puts(out, strcmp(app, "kv") == 0 ? "0.1.0" : "8.5.3");
    if (strcmp(key, "mode") == 0)
        return rel_buf_puts(out, "permanent");
    if (strcmp(key, "otp_app?") == 0)
        return rel_buf_puts(out, strcmp(app, "kernel") == 0 ? "true" : "false");
    *found = false;
    return 0;
}

static const struct rel_template_vars vars = {
    .name = "foo",
    .version = "0.0.1",
    .path = "/srv/foo",
    .version_path = "/srv/foo/releases/0.0.1",
    .erts_version = "13.1.5",
    .option = option,
    .app_field = app_field,
};

static int render(struct rel_buf *out, const char *text, size_t len)
{
    return rel_template_render(out, text, len, "fuzz.eex", &vars);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct fuzz_renderer fr = {"fuzz.eex", "<%", render};
    fuzz_render_check(&fr, data, size);
    return 0;
}
