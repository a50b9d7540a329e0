#include "launcher.h"

#include "alloc.h"
#include "buf.h"
#include "data.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

#define IEX_FLAGS_1_14 "-noshell -user Elixir.IEx.CLI"

/* Words that may be pasted unquoted into sh and cmd: flags and atoms. */
static bool plain_words(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-' || *s == ' '))
            return false;
    return true;
}

static bool valid_name(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Copy `tmpl` to `out`, replacing each @@KEY@@ with its value. */
static int substitute(struct rel_buf *out, const char *tmpl, const char *const *keys,
                      const char *const *values, size_t n)
{
    const char *p = tmpl;
    int rc;
    for (;;) {
        const char *m = strstr(p, "@@");
        if (!m)
            return rel_buf_puts(out, p);
        if ((rc = rel_buf_put(out, p, (size_t)(m - p))) < 0)
            return rc;
        const char *end = strstr(m + 2, "@@");
        size_t i = 0;
        for (; end && i < n; i++)
            if ((size_t)(end - m - 2) == strlen(keys[i]) &&
                memcmp(m + 2, keys[i], strlen(keys[i])) == 0)
                break;
        if (!end || i == n)
            return rel_error_set(REL_EFORMAT, "built-in template: unknown marker at '%.20s'", m);
        if ((rc = rel_buf_puts(out, values[i])) < 0)
            return rc;
        p = end + 2;
    }
}

static int render_bin(struct rel_buf *out, const char *data_name, const struct rel_launcher_opts *o)
{
    if (!valid_name(o->name))
        return rel_error_set(REL_EINVAL, "invalid release name '%s' (expected [a-z][a-z0-9_]*)",
                             o->name ? o->name : "");
    const char *iex = o->iex_flags ? o->iex_flags : IEX_FLAGS_1_14;
    if (!plain_words(iex))
        return rel_error_set(REL_EINVAL, "unexpected IEx flags '%s'", iex);
    const char *keys[] = {"NAME", "KIND", "MODE_FLAG", "IEX_FLAGS"};
    const char *values[] = {
        o->name, o->elixir ? "elixir" : "erlang",
        o->reboot_after_config ? "-elixir config_provider_reboot_mode" : "-mode", iex};
    const char *tmpl = rel_data_get(data_name, NULL);
    if (!tmpl)
        return rel_error_set(REL_ENOTFOUND, "built-in file %s is missing", data_name);
    return substitute(out, tmpl, keys, values, 4);
}

int rel_launcher_bin_script(struct rel_buf *out, const struct rel_launcher_opts *o)
{
    return render_bin(out, "bin.sh", o);
}

int rel_launcher_bin_bat(struct rel_buf *out, const struct rel_launcher_opts *o)
{
    return render_bin(out, "bin.bat", o);
}

int rel_launcher_erl(struct rel_buf *out)
{
    const char *t = rel_data_get("erl.sh", NULL);
    if (!t)
        return rel_error_set(REL_ENOTFOUND, "built-in file erl.sh is missing");
    return rel_buf_puts(out, t);
}

/* Replace the first occurrence of `from` in `text` by `to`; false when absent. */
static bool replace_once(struct rel_buf *out, const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return false;
    rel_buf_put(out, text, (size_t)(at - text));
    rel_buf_puts(out, to);
    rel_buf_puts(out, at + strlen(from));
    return true;
}

int rel_launcher_patch_elixir(struct rel_buf *out, const char *text, size_t len, const char *file,
                              const char *erts_vsn)
{
    if (memchr(text, '\0', len))
        return rel_error_set(REL_EFORMAT, "%s: not a text file", file);
    char *src = rel_strndup(text, len);
    struct rel_buf step = REL_BUF_INIT;
    int rc = 0;
    /* The launcher puts Elixir's own ebin directories on the code path; in a
     * release the boot script does that (Elixir 1.14 and later spellings). */
    static const char *const pa_forms[] = {
        " -elixir_root \"$SCRIPT_PATH\"/../lib -pa \"$SCRIPT_PATH\"/../lib/elixir/ebin",
        " -pa \"$SCRIPT_PATH\"/../lib/*/ebin",
    };
    bool done = false;
    for (size_t i = 0; i < 2 && !done; i++)
        done = replace_once(&step, src, pa_forms[i], "");
    if (!done) {
        rc = rel_error_set(REL_EFORMAT,
                           "%s: cannot find where it adds Elixir's ebin directories to the code "
                           "path; this Elixir launcher is not supported",
                           file);
        goto cleanup;
    }
    if (erts_vsn) {
        char *line = rel_asprintf("ERTS_BIN=\"$SCRIPT_PATH\"/../../erts-%s/bin/", erts_vsn);
        bool ok = replace_once(out, rel_buf_cstr(&step), "ERTS_BIN=\"$ERTS_BIN\"", line);
        free(line);
        if (!ok)
            rc = rel_error_set(REL_EFORMAT,
                               "%s: no ERTS_BIN=\"$ERTS_BIN\" line to point at the bundled ERTS",
                               file);
    } else {
        rc = rel_buf_put(out, step.ptr, step.len);
    }
cleanup:
    rel_buf_free(&step);
    free(src);
    return rc;
}

char *rel_launcher_iex_flags(const char *text, size_t len)
{
    char *src = rel_strndup(text, len);
    char *res = NULL;
    const char *m = strstr(src, "--erl \"");
    if (m) {
        m += 7;
        const char *e = strchr(m, '"');
        if (e) {
            res = rel_strndup(m, (size_t)(e - m));
            if (!plain_words(res)) {
                free(res);
                res = NULL;
            }
        }
    }
    free(src);
    return res;
}
