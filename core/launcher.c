#include "launcher.h"

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "data.h"
#include "error.h"
#include "shell.h"

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

const char *const rel_launcher_commands[] = {
    "foreground", "console",   "console_clean", "console_boot", "remote_console", "remote",
    "remsh",      "daemon",    "daemon_attach", "attach",       "ping",           "stop",
    "restart",    "reboot",    "pid",           "versions",     "eval",           "rpc",
    "status",     "start",     "start_iex",     "daemon_iex",   "version",        "help",
    NULL,
};

static const char *const hook_names[REL_HOOK_COUNT] = {
#define X(name, text) text,
    REL_HOOK_TABLE
#undef X
};

/* relx's built-in hooks: name, fewest and most arguments. */
static const struct {
    const char *name;
    int min, max;
} builtins[] = {{"pid", 0, 1}, {"wait_for_vm_start", 0, 0}, {"wait_for_process", 1, 1}};

/* A script path as relx takes it: relative to bin/, staying inside the
 * release. */
static bool script_path_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '/')
        return false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
            return false;
        i = j + 1;
    }
    return true;
}

/* One hook entry "WORD [ARGS...]": printable, a script path or (post_start
 * only) a built-in with the right number of arguments. */
static int check_hook(const char *e, const char *phase, struct rel_config_pos pos)
{
    for (const char *c = e; *c; c++)
        if ((unsigned char)*c < ' ')
            return rel_error_set(REL_ECONFIG,
                                 "%s:%d:%d: start_script.hooks.%s: control character in '%s'",
                                 REL_CONFIG_FILE, pos.line, pos.col, phase, e);
    size_t wl = strcspn(e, " ");
    int nargs = 0;
    for (const char *c = e + wl; *c;) {
        c += strspn(c, " ");
        if (*c) {
            nargs++;
            c += strcspn(c, " ");
        }
    }
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strlen(builtins[i].name) != wl || strncmp(e, builtins[i].name, wl) != 0)
            continue;
        if (strcmp(phase, "post_start") != 0)
            return rel_error_set(REL_ECONFIG,
                                 "%s:%d:%d: start_script.hooks.%s: the built-in hook '%s' is only "
                                 "allowed in post_start (as in relx)",
                                 REL_CONFIG_FILE, pos.line, pos.col, phase, builtins[i].name);
        if (nargs < builtins[i].min || nargs > builtins[i].max)
            return rel_error_set(REL_ECONFIG,
                                 "%s:%d:%d: start_script.hooks.%s: '%s' takes %s argument%s",
                                 REL_CONFIG_FILE, pos.line, pos.col, phase, builtins[i].name,
                                 builtins[i].max == 0 ? "no" : "one", builtins[i].max == 0 ? "s" : "");
        return 0;
    }
    if (!script_path_ok(e, wl))
        return rel_error_set(REL_ECONFIG,
                             "%s:%d:%d: start_script.hooks.%s: '%.*s' must be a path relative to "
                             "bin/, inside the release",
                             REL_CONFIG_FILE, pos.line, pos.col, phase, (int)wl, e);
    return 0;
}

/* Shell assignments of the hooks and extensions (bin.sh's @@SCRIPT_CONFIG@@):
 * each phase's entries one per line, quoted. */
static int script_config(struct rel_buf *out, const struct rel_config_start_script *ss)
{
    int rc = 0;
    for (int h = 0; rc == 0 && h < REL_HOOK_COUNT; h++) {
        struct rel_buf v = REL_BUF_INIT;
        for (size_t i = 0; rc == 0 && ss && i < ss->hooks[h].count; i++) {
            rc = check_hook(ss->hooks[h].items[i], hook_names[h], ss->hooks[h].pos[i]);
            if (rc == 0)
                rc = rel_buf_printf(&v, "%s%s", i ? "\n" : "", ss->hooks[h].items[i]);
        }
        if (rc == 0) {
            rel_buf_printf(out, "rel_hooks_%s=", hook_names[h]);
            rel_shell_quote(out, rel_buf_cstr(&v));
            rel_buf_putc(out, '\n');
        }
        rel_buf_free(&v);
    }
    const char *st = ss ? ss->status_hook : NULL;
    if (rc == 0 && st && strcmp(st, "builtin_status") != 0)
        rc = check_hook(st, "status", (struct rel_config_pos){0, 0});
    if (rc == 0) {
        rel_buf_puts(out, "rel_hook_status=");
        rel_shell_quote(out, st ? st : "");
        rel_buf_putc(out, '\n');
    }
    struct rel_buf names = REL_BUF_INIT;
    for (size_t i = 0; rc == 0 && ss && i < ss->ext_names.count; i++) {
        const char *n = ss->ext_names.items[i], *sc = ss->ext_scripts.items[i];
        struct rel_config_pos pos = ss->ext_names.pos[i];
        for (const char *const *c = rel_launcher_commands; *c; c++)
            if (strcmp(*c, n) == 0)
                rc = rel_error_set(REL_ECONFIG,
                                   "%s:%d:%d: start_script.extensions: '%s' is a command of "
                                   "bin/NAME already; choose another name",
                                   REL_CONFIG_FILE, pos.line, pos.col, n);
        if (rc == 0 && (!valid_name(n) || !script_path_ok(sc, strlen(sc)) || strchr(sc, ' ')))
            rc = rel_error_set(REL_ECONFIG,
                               "%s:%d:%d: start_script.extensions: '%s: %s' needs a name "
                               "[a-z][a-z0-9_]* and a script path relative to bin/ (no spaces)",
                               REL_CONFIG_FILE, pos.line, pos.col, n, sc);
        if (rc == 0) {
            rel_buf_printf(&names, " %s", n);
            rel_buf_printf(out, "rel_ext_%s=", n);
            rel_shell_quote(out, sc);
            rel_buf_putc(out, '\n');
        }
    }
    if (rc == 0) {
        rel_buf_puts(&names, " ");
        rel_buf_puts(out, "rel_extensions=");
        rel_shell_quote(out, rel_buf_cstr(&names));
        rel_buf_putc(out, '\n');
    }
    rel_buf_free(&names);
    return rc;
}

static int render_bin(struct rel_buf *out, const char *data_name, const struct rel_launcher_opts *o)
{
    if (!valid_name(o->name))
        return rel_error_set(REL_EINVAL, "invalid release name '%s' (expected [a-z][a-z0-9_]*)",
                             o->name ? o->name : "");
    const char *iex = o->iex_flags ? o->iex_flags : IEX_FLAGS_1_14;
    if (!plain_words(iex))
        return rel_error_set(REL_EINVAL, "unexpected IEx flags '%s'", iex);
    struct rel_buf sc = REL_BUF_INIT;
    int rc = script_config(&sc, o->script);
    const char *keys[] = {"NAME", "KIND", "MODE_FLAG", "IEX_FLAGS", "DIALECT", "SCRIPT_CONFIG"};
    const char *values[] = {o->name,
                            o->elixir ? "elixir" : "erlang",
                            o->reboot_after_config ? "-elixir config_provider_reboot_mode" : "-mode",
                            iex,
                            o->relx ? "relx" : "mix",
                            rel_buf_cstr(&sc)};
    const char *tmpl = rel_data_get(data_name, NULL);
    if (rc == 0 && !tmpl)
        rc = rel_error_set(REL_ENOTFOUND, "built-in file %s is missing", data_name);
    if (rc == 0)
        rc = substitute(out, tmpl, keys, values, sizeof(keys) / sizeof(keys[0]));
    rel_buf_free(&sc);
    return rc;
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
