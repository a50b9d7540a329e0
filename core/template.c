#include "template.h"

#include "buf.h"
#include "error.h"
#include "fs.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct tpl {
    const char *file;
    bool stop; /* a construct the subset cannot render was met (vars->needs_eex set) */
    int line; /* line of the tag being rendered */
    const struct rel_template_vars *vars;
    struct rel_buf *out;
};

/* "FILE:LINE: BEFORE<text>AFTER", showing at most 60 characters of the
 * offending text on one line. */
static int tpl_error(const struct tpl *t, const char *before, const char *a, size_t alen,
                     const char *after)
{
    char shown[64];
    size_t n = 0;
    for (size_t i = 0; i < alen && n < 60; i++)
        shown[n++] = (a[i] == '\n' || a[i] == '\t' || a[i] == '\r') ? ' ' : a[i];
    shown[n] = '\0';
    return rel_error_set(REL_ETEMPLATE, "%s:%d: %s%s%s%s", t->file, t->line, before, shown,
                         alen > 60 ? "..." : "", after);
}

/* A tiny cursor over the expression text. */
struct cur {
    const char *p, *end;
};

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

static bool eat(struct cur *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
        c->p += n;
        return true;
    }
    return false;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* An identifier ([a-z_][A-Za-z0-9_]*[?!]?) into `dst`; false when none. */
static bool ident(struct cur *c, char *dst, size_t cap)
{
    const char *s = c->p;
    if (s >= c->end || !(islower((unsigned char)*s) || *s == '_'))
        return false;
    while (c->p < c->end && ident_char(*c->p))
        c->p++;
    if (c->p < c->end && (*c->p == '?' || *c->p == '!'))
        c->p++;
    size_t n = (size_t)(c->p - s);
    if (n >= cap)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

/* An access key "[:atom]" or "[:\"atom\"]" into `dst`. */
static bool access_key(struct cur *c, char *dst, size_t cap)
{
    struct cur save = *c;
    skip_ws(c);
    if (!eat(c, "["))
        goto fail;
    skip_ws(c);
    if (!eat(c, ":"))
        goto fail;
    if (eat(c, "\"")) {
        size_t n = 0;
        while (c->p < c->end && *c->p != '"' && *c->p != '\\' && n + 1 < cap)
            dst[n++] = *c->p++;
        dst[n] = '\0';
        if (!eat(c, "\"") || n == 0)
            goto fail;
    } else if (!ident(c, dst, cap)) {
        goto fail;
    }
    skip_ws(c);
    if (!eat(c, "]"))
        goto fail;
    return true;
fail:
    *c = save;
    return false;
}

static int put_field(struct tpl *t, const char *value)
{
    return value ? rel_buf_puts(t->out, value) : 0;
}

/* Parse and print one expression. Returns 0, 1 (cannot render) or <0. */
static int render_expr(struct tpl *t, struct cur *c)
{
    skip_ws(c);
    if (eat(c, "to_string(") || eat(c, "(")) {
        int rc = render_expr(t, c);
        if (rc)
            return rc;
        skip_ws(c);
        return eat(c, ")") ? 0 : 1;
    }
    if (eat(c, "\"")) {
        while (c->p < c->end && *c->p != '"') {
            if (*c->p == '#' && c->p + 1 < c->end && c->p[1] == '{')
                return 1; /* interpolation */
            if (*c->p == '\\') {
                if (c->p + 1 >= c->end || (c->p[1] != '"' && c->p[1] != '\\'))
                    return 1;
                c->p++;
            }
            int rc = rel_buf_putc(t->out, *c->p++);
            if (rc < 0)
                return rc;
        }
        return eat(c, "\"") ? 0 : 1;
    }
    if (!eat(c, "@release."))
        return 1;
    char field[64], key[128], key2[64];
    if (!ident(c, field, sizeof(field)))
        return 1;
    const struct rel_template_vars *v = t->vars;
    if (strcmp(field, "name") == 0)
        return put_field(t, v->name);
    if (strcmp(field, "version") == 0)
        return put_field(t, v->version);
    if (strcmp(field, "path") == 0)
        return put_field(t, v->path);
    if (strcmp(field, "version_path") == 0)
        return put_field(t, v->version_path);
    if (strcmp(field, "erts_version") == 0)
        return put_field(t, v->erts_version);
    bool found = false;
    if (strcmp(field, "options") == 0) {
        if (!access_key(c, key, sizeof(key)))
            return 1;
        int orc = v->option ? v->option(v->ctx, key, t->out, &found) : 0;
        /* an option relman does not hold may still have a value for EEx */
        return orc == 0 && !found && v->needs_eex ? 1 : orc;
    }
    if (strcmp(field, "applications") == 0) {
        if (!access_key(c, key, sizeof(key)) || !access_key(c, key2, sizeof(key2)))
            return 1;
        return v->app_field ? v->app_field(v->ctx, key, key2, t->out, &found) : 0;
    }
    return 2;
}

/* The template needs Elixir's EEx: say so and stop (see template.h). */
static int handoff(struct tpl *t)
{
    *t->vars->needs_eex = true;
    t->stop = true;
    return 0;
}

static int render_tag(struct tpl *t, const char *expr, size_t len)
{
    struct cur c = {expr, expr + len};
    size_t start = t->out->len;
    int rc = render_expr(t, &c);
    if (rc < 0) {
        rel_error_prefix("%s:%d", t->file, t->line);
        return rc;
    }
    skip_ws(&c);
    if (rc == 0 && c.p != c.end)
        rc = 1;
    if (rc > 0 && t->vars->needs_eex) {
        rel_buf_truncate(t->out, start);
        return handoff(t);
    }
    if (rc == 2) {
        rel_buf_truncate(t->out, start);
        return tpl_error(t, "unknown @release field in '<%=", expr, len, "%>'");
    }
    if (rc == 1) {
        rel_buf_truncate(t->out, start);
        return tpl_error(t, "relman cannot render '<%=", expr, len,
                         "%>' (supported: @release.name, version, path, version_path, "
                         "erts_version, options[:key], applications[:app][:key], strings)");
    }
    return 0;
}

static int count_lines(const char *from, const char *to)
{
    int n = 0;
    for (const char *p = from; p < to; p++)
        n += *p == '\n';
    return n;
}

int rel_template_render(struct rel_buf *out, const char *text, size_t len, const char *file,
                        const struct rel_template_vars *vars)
{
    if (len > REL_TEMPLATE_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: template larger than %zu bytes", file,
                             REL_TEMPLATE_MAX_SIZE);
    if (memchr(text, '\0', len))
        return rel_error_set(REL_ETEMPLATE, "%s:%d: NUL byte in template", file,
                             1 + count_lines(text, (const char *)memchr(text, '\0', len)));
    struct tpl t = {.file = file, .line = 1, .vars = vars, .out = out};
    if (vars->needs_eex)
        *vars->needs_eex = false;
    const char *p = text, *end = text + len, *line_at = text;
    int rc;
    while (p < end) {
        const char *open = NULL;
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == '<' && q[1] == '%') {
                open = q;
                break;
            }
        if (!open)
            return rel_buf_put(out, p, (size_t)(end - p));
        if ((rc = rel_buf_put(out, p, (size_t)(open - p))) < 0)
            return rc;
        t.line += count_lines(line_at, open);
        line_at = open;
        const char *body = open + 2;
        if (body < end && *body == '%') { /* <%% -> literal <% */
            if ((rc = rel_buf_puts(out, "<%")) < 0)
                return rc;
            p = body + 1;
            continue;
        }
        const char *close = NULL;
        for (const char *q = body; q + 1 < end; q++)
            if (q[0] == '%' && q[1] == '>') {
                close = q;
                break;
            }
        if (!close)
            return tpl_error(&t, "unterminated tag '", open,
                             (size_t)(end - open) < 20 ? (size_t)(end - open) : 20, "' (no %>)");
        if (body < close && *body == '#') {
            /* comment */
        } else if (body < close && *body == '=') {
            if ((rc = render_tag(&t, body + 1, (size_t)(close - body - 1))) < 0)
                return rc;
            if (t.stop)
                return 0;
        } else if (vars->needs_eex) {
            return handoff(&t);
        } else {
            return tpl_error(&t, "relman cannot render '<%", body, (size_t)(close - body),
                             "%>': only <%= expressions %>, <%# comments %> and <%% "
                             "are supported");
        }
        p = close + 2;
    }
    return 0;
}

int rel_template_render_file(struct rel_buf *out, const char *path,
                             const struct rel_template_vars *vars)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_fs_read_file(&text, path, REL_TEMPLATE_MAX_SIZE);
    if (rc == 0)
        rc = rel_template_render(out, text.ptr ? text.ptr : "", text.len, path, vars);
    rel_buf_free(&text);
    return rc;
}
