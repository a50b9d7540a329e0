/*
 * mustache.c - relx's `{{var}}` templates (see mustache.h): the text is
 * parsed into a tree once (tags, standalone lines, delimiters), then the tree
 * is rendered against a stack of contexts, since a section over a list
 * renders its body once per element.
 */
#include "mustache.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "escape.h"
#include "term.h"
#include "utf8.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mkind { M_TEXT, M_VAR, M_SECTION, M_INVERTED };

struct mnode {
    enum mkind kind;
    const char *text; /* M_TEXT: into the template */
    size_t len;
    char **keys; /* M_VAR, sections: the dotted key's parts ("." alone: the context) */
    size_t nkeys;
    int line;
    struct mnode *kids; /* sections */
    size_t nkids, cap;
};

struct parser {
    const char *file;
    const char *s;
    size_t len, pos;
    int line;
    char open[16], close[16];
    size_t seg;  /* where the text of the current line after the last tag starts */
    bool clean;  /* no tag that stayed inline on this line so far */
    int depth;
};

static int perr(const struct parser *p, int line, const char *fmt, const char *arg)
{
    return rel_error_set(REL_ETEMPLATE, "%s:%d: %s%s", p->file, line, fmt, arg ? arg : "");
}

static struct mnode *add_kid(struct mnode *parent, enum mkind kind, int line)
{
    if (parent->nkids == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 8;
        parent->kids = rel_reallocarray(parent->kids, parent->cap, sizeof(*parent->kids));
    }
    struct mnode *n = &parent->kids[parent->nkids++];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->line = line;
    return n;
}

static void add_text(struct mnode *parent, const char *s, size_t len, int line)
{
    if (len == 0)
        return;
    struct mnode *n = add_kid(parent, M_TEXT, line);
    n->text = s;
    n->len = len;
}

static void free_kids(struct mnode *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        free_kids(&n->kids[i]);
    for (size_t i = 0; i < n->nkeys; i++)
        free(n->keys[i]);
    free(n->keys);
    free(n->kids);
}

/* A key as bbmustache reads it: spaces removed, split at dots. */
static void set_keys(struct mnode *n, const char *s, size_t len)
{
    char *k = rel_malloc(len + 1);
    size_t kl = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ')
            k[kl++] = s[i];
    k[kl] = '\0';
    if (kl == 0 || strcmp(k, ".") == 0) {
        n->keys = rel_calloc(1, sizeof(char *));
        n->keys[n->nkeys++] = k;
        return;
    }
    for (char *part = k; *part;) {
        char *dot = strchr(part, '.');
        size_t pl = dot ? (size_t)(dot - part) : strlen(part);
        if (pl) {
            n->keys = rel_reallocarray(n->keys, n->nkeys + 1, sizeof(char *));
            n->keys[n->nkeys++] = rel_strndup(part, pl);
        }
        part += pl + (dot ? 1 : 0);
    }
    if (n->nkeys == 0) {
        n->keys = rel_calloc(1, sizeof(char *));
        n->keys[n->nkeys++] = rel_strdup("");
    }
    free(k);
}

static bool keys_equal(const struct mnode *a, const struct mnode *b)
{
    if (a->nkeys != b->nkeys)
        return false;
    for (size_t i = 0; i < a->nkeys; i++)
        if (strcmp(a->keys[i], b->keys[i]) != 0)
            return false;
    return true;
}

/* The key as messages show it: control characters and bytes that are not
 * UTF-8 escaped (a tag may span lines), at most 80 bytes. */
static char *keys_text(const struct mnode *n)
{
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < n->nkeys; i++)
        rel_buf_printf(&b, "%s%s", i ? "." : "", n->keys[i]);
    char *raw = rel_buf_detach(&b);
    char *text = rel_escape_dup(raw ? raw : "", 0);
    free(raw);
    if (strlen(text) > 80)
        strcpy(text + 76, "...");
    return text;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static const char *find(const char *hay, size_t hlen, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; nl && i + nl <= hlen; i++)
        if (memcmp(hay + i, needle, nl) == 0)
            return hay + i;
    return NULL;
}

/* After a tag ending at `end`: is the rest of the line blank? Then *next is
 * where the next line starts (or the end of the text). */
static bool rest_blank(const struct parser *p, size_t end, size_t *next)
{
    size_t i = end;
    while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
        i++;
    if (i == p->len) {
        *next = i;
        return true;
    }
    if (p->s[i] == '\n') {
        *next = i + 1;
        return true;
    }
    if (p->s[i] == '\r' && i + 1 < p->len && p->s[i + 1] == '\n') {
        *next = i + 2;
        return true;
    }
    return false;
}

static int set_delimiters(struct parser *p, const char *c, size_t cl, int line)
{
    /* c is "=OPEN CLOSE=" with optional spaces */
    while (cl && c[cl - 1] == ' ')
        cl--;
    if (cl < 2 || c[0] != '=' || c[cl - 1] != '=')
        return perr(p, line, "malformed delimiter tag", NULL);
    c++;
    cl -= 2;
    char parts[2][16];
    int np = 0;
    for (size_t i = 0; i < cl;) {
        if (c[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < cl && c[j] != ' ')
            j++;
        if (np == 2 || j - i >= sizeof(parts[0]))
            return perr(p, line, "delimiters may not contain whitespace", NULL);
        memcpy(parts[np], c + i, j - i);
        parts[np][j - i] = '\0';
        if (strchr(parts[np], '='))
            return perr(p, line, "delimiters may not contain '='", NULL);
        np++;
        i = j;
    }
    if (np != 2)
        return perr(p, line, "a delimiter tag needs two delimiters", NULL);
    strcpy(p->open, parts[0]);
    strcpy(p->close, parts[1]);
    return 0;
}

/* Parse into `parent` until the end of the text, or the close tag of
 * `section` (NULL at the top). */
static int parse_block(struct parser *p, struct mnode *parent, const struct mnode *section)
{
    if (++p->depth > REL_MUSTACHE_MAX_DEPTH)
        return perr(p, p->line, "sections nested too deep", NULL);
    for (;;) {
        const char *t = find(p->s + p->pos, p->len - p->pos, p->open);
        size_t tpos = t ? (size_t)(t - p->s) : p->len;
        /* the text before the tag: lines counted, the line's start found */
        for (size_t i = p->pos; i < tpos; i++)
            if (p->s[i] == '\n') {
                p->line++;
                p->seg = i + 1;
                p->clean = true;
            }
        if (!t) {
            add_text(parent, p->s + p->pos, p->len - p->pos, p->line);
            p->pos = p->len;
            if (section) {
                char *k = keys_text(section);
                int rc = rel_error_set(REL_ETEMPLATE, "%s:%d: section {{#%s}} is not closed",
                                       p->file, section->line, k);
                free(k);
                return rc;
            }
            p->depth--;
            return 0;
        }
        int line = p->line;
        size_t ol = strlen(p->open), cl = strlen(p->close);
        size_t cstart = tpos + ol, cend, tend;
        bool triple = strcmp(p->open, "{{") == 0 && strcmp(p->close, "}}") == 0 &&
                      cstart < p->len && p->s[cstart] == '{';
        const char *c = find(p->s + cstart + triple, p->len - cstart - triple,
                             triple ? "}}}" : p->close);
        if (!c)
            return perr(p, line, "unclosed tag", NULL);
        cend = (size_t)(c - p->s);
        tend = cend + (triple ? 3 : cl);
        for (size_t i = cstart; i < cend; i++)
            if (p->s[i] == '\n')
                p->line++;
        const char *body = p->s + cstart;
        size_t blen = cend - cstart;
        while (blen && *body == ' ') {
            body++;
            blen--;
        }
        char type = triple ? '&' : (blen ? *body : 0);
        if (triple) {
            body++;
            blen--;
        } else if (type == '&' || type == '{' || type == '#' || type == '^' || type == '/' ||
                   type == '!' || type == '>') {
            body++;
            blen--;
        }
        if (type == '{') /* "{{{" under other delimiters: a raw tag */
            type = '&';
        bool block = type == '#' || type == '^' || type == '/' || type == '!' || type == '=' ||
                     type == '>';
        size_t next = tend;
        bool standalone = block && p->clean && blank(p->s + p->seg, tpos - p->seg) &&
                          rest_blank(p, tend, &next);
        add_text(parent, p->s + p->pos, (standalone ? p->seg : tpos) - p->pos, line);
        if (standalone) {
            if (next > tend && p->s[next - 1] == '\n')
                p->line++;
            p->pos = p->seg = next;
        } else {
            p->pos = tend;
            p->clean = false;
            p->seg = tend;
        }
        int rc = 0;
        switch (type) {
        case '!':
            break;
        case '=':
            rc = set_delimiters(p, p->s + cstart, cend - cstart, line);
            break;
        case '>':
            return perr(p, line, "partials ({{>name}}) are not supported", NULL);
        case '/': {
            struct mnode closing = {0};
            set_keys(&closing, body, blen);
            char *k = keys_text(&closing);
            if (!section)
                rc = rel_error_set(REL_ETEMPLATE, "%s:%d: {{/%s}} closes no section", p->file,
                                   line, k);
            else if (!keys_equal(section, &closing)) {
                char *sk = keys_text(section);
                rc = rel_error_set(REL_ETEMPLATE, "%s:%d: section {{#%s}} (line %d) closed by {{/%s}}",
                                   p->file, line, sk, section->line, k);
                free(sk);
            }
            free(k);
            free_kids(&closing);
            if (rc == 0)
                p->depth--;
            return rc;
        }
        case '#':
        case '^': {
            struct mnode *n = add_kid(parent, type == '#' ? M_SECTION : M_INVERTED, line);
            set_keys(n, body, blen);
            rc = parse_block(p, n, n);
            break;
        }
        default: {
            struct mnode *n = add_kid(parent, M_VAR, line);
            set_keys(n, body, blen);
            break;
        }
        }
        if (rc)
            return rc;
    }
}

/* ---- rendering ---------------------------------------------------------- */

/* Sections over lists multiply: a budget of nodes rendered keeps nested
 * sections over long lists (even ones that print nothing) from running on. */
#define MAX_RENDER_STEPS 2000000L

struct renderer {
    const char *file;
    long steps;
    const struct rel_term *stack[REL_MUSTACHE_MAX_DEPTH + 2];
    int top; /* number of contexts */
};

/* A proplist (a list whose first element is a tuple) or a map. */
static bool is_context(const struct rel_term *t)
{
    if (!t)
        return false;
    if (t->kind == REL_TERM_MAP)
        return true;
    return t->kind == REL_TERM_LIST && t->u.list.len > 0 &&
           t->u.list.items[0]->kind == REL_TERM_TUPLE;
}

static const struct rel_term *true_atom(void)
{
    static struct rel_term t = {.kind = REL_TERM_ATOM, .u.atom = {"true", 4}};
    return &t;
}

static bool lookup_in(const struct rel_term *c, const char *key, const struct rel_term **out)
{
    if (c->kind == REL_TERM_MAP) {
        const struct rel_term *v = rel_term_map_get_atom(c, key);
        *out = v;
        return v != NULL;
    }
    for (size_t i = 0; i < c->u.list.len; i++) {
        const struct rel_term *e = c->u.list.items[i];
        if (rel_term_is_atom(e, key)) {
            *out = true_atom();
            return true;
        }
        if (e->kind == REL_TERM_TUPLE && e->u.tuple.len >= 1 &&
            rel_term_is_atom(e->u.tuple.items[0], key)) {
            if (e->u.tuple.len != 2)
                continue;
            *out = e->u.tuple.items[1];
            return true;
        }
    }
    return false;
}

static const struct rel_term *lookup(const struct renderer *r, const struct mnode *n)
{
    if (n->nkeys == 1 && strcmp(n->keys[0], ".") == 0)
        return r->top ? r->stack[r->top - 1] : NULL;
    for (int i = r->top - 1; i >= 0; i--) {
        const struct rel_term *v;
        if (!is_context(r->stack[i]) || !lookup_in(r->stack[i], n->keys[0], &v))
            continue;
        for (size_t k = 1; k < n->nkeys; k++)
            if (!is_context(v) || !lookup_in(v, n->keys[k], &v))
                return NULL;
        return v;
    }
    return NULL;
}

/*
 * A float as OTP 25 prints it (float_to_list/2 `short`): the fewest digits
 * that read back, in plain notation ("0.25", "100.0") unless the exponent
 * form is shorter ("1.0e3", "1.2e-4") or the exponent is 16 or more; a tie
 * is plain.
 */
static int put_float(struct rel_buf *out, double f)
{
    char s[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof(s), "%.*e", prec - 1, f);
        if (strtod(s, NULL) == f)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *e = strchr(s, 'e');
    for (const char *q = s; q < e && nd < sizeof(digits) - 1; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    digits[nd] = '\0';
    int exp = atoi(e + 1);
    char plain[400], sci[40];
    size_t pl = 0;
    if (exp < 0) {
        pl += (size_t)snprintf(plain + pl, sizeof(plain) - pl, "0.");
        for (int i = -1; i > exp && pl < sizeof(plain) - 1; i--)
            plain[pl++] = '0';
        pl += (size_t)snprintf(plain + pl, sizeof(plain) - pl, "%s", digits);
    } else {
        for (int i = 0; i <= exp && pl < sizeof(plain) - 1; i++)
            plain[pl++] = (size_t)i < nd ? digits[i] : '0';
        plain[pl] = '\0';
        pl += (size_t)snprintf(plain + pl, sizeof(plain) - pl, ".%s",
                               (size_t)exp + 1 < nd ? digits + exp + 1 : "0");
    }
    size_t sl = (size_t)snprintf(sci, sizeof(sci), "%c.%se%d", digits[0],
                                 nd > 1 ? digits + 1 : "0", exp);
    const char *pick = exp >= 16 || sl < pl ? sci : plain;
    return rel_buf_printf(out, "%s%s", s[0] == '-' ? "-" : "", pick);
}

static int put_iolist(struct rel_buf *out, const struct rel_term *t, int depth);

static int put_char(struct rel_buf *out, int64_t c)
{
    if (c < 0 || c > 0x10FFFF)
        return rel_error_set(REL_ETEMPLATE, "%lld is not a character", (long long)c);
    char u[4];
    return rel_buf_put(out, u, rel_utf8_encode((uint32_t)c, u));
}

static int put_iolist(struct rel_buf *out, const struct rel_term *t, int depth)
{
    if (depth > REL_TERM_MAX_DEPTH)
        return rel_error_set(REL_ELIMIT, "a list nested too deep to print");
    int rc = 0;
    if (t->kind == REL_TERM_STRING) {
        for (size_t i = 0; rc == 0 && i < t->u.str.len; i++)
            rc = put_char(out, t->u.str.chars[i]);
        return rc;
    }
    if (t->kind == REL_TERM_BINARY)
        return rel_buf_put(out, t->u.bin.data, t->u.bin.len);
    if (t->kind == REL_TERM_INT)
        return put_char(out, t->u.i);
    if (t->kind == REL_TERM_LIST) {
        for (size_t i = 0; rc == 0 && i < t->u.list.len; i++)
            rc = put_iolist(out, t->u.list.items[i], depth + 1);
        if (rc == 0 && t->u.list.tail)
            rc = put_iolist(out, t->u.list.tail, depth + 1);
        return rc;
    }
    char *text = rel_term_to_text(t);
    rc = rel_error_set(REL_ETEMPLATE, "%s cannot be printed in a list", text);
    free(text);
    return rc;
}

int rel_mustache_value(struct rel_buf *out, const struct rel_term *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case REL_TERM_INT:
        return rel_buf_printf(out, "%lld", (long long)v->u.i);
    case REL_TERM_FLOAT:
        return put_float(out, v->u.f);
    case REL_TERM_ATOM:
        if (rel_term_is_atom(v, "nil") || rel_term_is_atom(v, "null"))
            return 0;
        return rel_buf_put(out, v->u.atom.name, v->u.atom.len);
    case REL_TERM_BIGINT: {
        char *text = rel_term_to_text(v);
        int rc = rel_buf_puts(out, text);
        free(text);
        return rc;
    }
    case REL_TERM_TUPLE:
    case REL_TERM_MAP: {
        char *text = rel_term_to_text(v);
        int rc = rel_error_set(REL_ETEMPLATE, "%s (a %s) cannot be printed", text,
                               rel_term_kind_name(v->kind));
        free(text);
        return rc;
    }
    default:
        return put_iolist(out, v, 0);
    }
}

static bool falsy(const struct rel_term *v)
{
    if (!v)
        return true;
    switch (v->kind) {
    case REL_TERM_ATOM:
        return rel_term_is_atom(v, "false") || rel_term_is_atom(v, "nil") ||
               rel_term_is_atom(v, "null");
    case REL_TERM_STRING:
        return v->u.str.len == 0;
    case REL_TERM_LIST:
        return v->u.list.len == 0 && !v->u.list.tail;
    case REL_TERM_BINARY:
        return v->u.bin.len == 0;
    default:
        return false;
    }
}

static int render_kids(struct renderer *r, const struct mnode *n, struct rel_buf *out);

static int render_with(struct renderer *r, const struct mnode *n, const struct rel_term *ctx,
                       struct rel_buf *out)
{
    if (r->top >= REL_MUSTACHE_MAX_DEPTH + 1)
        return rel_error_set(REL_ELIMIT, "%s:%d: sections nested too deep", r->file, n->line);
    r->stack[r->top++] = ctx;
    int rc = render_kids(r, n, out);
    r->top--;
    return rc;
}

static int render_node(struct renderer *r, const struct mnode *n, struct rel_buf *out)
{
    const struct rel_term *v;
    int rc = 0;
    if (++r->steps > MAX_RENDER_STEPS)
        return rel_error_set(REL_ELIMIT, "%s:%d: the template renders too much (sections over "
                             "long lists nested too deep)", r->file, n->line);
    switch (n->kind) {
    case M_TEXT:
        return rel_buf_put(out, n->text, n->len);
    case M_VAR:
        rc = rel_mustache_value(out, lookup(r, n));
        if (rc == REL_ETEMPLATE) {
            char *msg = rel_strdup(rel_error_message());
            char *k = keys_text(n);
            rc = rel_error_set(REL_ETEMPLATE, "%s:%d: {{%s}}: %s", r->file, n->line, k, msg);
            free(k);
            free(msg);
        }
        return rc;
    case M_INVERTED:
        v = lookup(r, n);
        return falsy(v) ? render_kids(r, n, out) : 0;
    case M_SECTION:
        v = lookup(r, n);
        if (falsy(v))
            return 0;
        if (is_context(v) || !rel_term_is_list(v))
            return render_with(r, n, v, out);
        if (v->kind == REL_TERM_STRING) {
            for (size_t i = 0; rc == 0 && i < v->u.str.len; i++) {
                struct rel_term *c = rel_term_int(v->u.str.chars[i]);
                rc = render_with(r, n, c, out);
                rel_term_free(c);
            }
            return rc;
        }
        for (size_t i = 0; rc == 0 && i < v->u.list.len; i++)
            rc = render_with(r, n, v->u.list.items[i], out);
        return rc;
    }
    return 0;
}

static int render_kids(struct renderer *r, const struct mnode *n, struct rel_buf *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n->nkids; i++)
        rc = render_node(r, &n->kids[i], out);
    return rc;
}

int rel_mustache_render(struct rel_buf *out, const char *text, size_t len,
                        const struct rel_term *ctx, const char *file)
{
    const char *name = file ? file : "template";
    if (len > REL_MUSTACHE_MAX_SIZE)
        return rel_error_set(REL_ELIMIT, "%s: template larger than %zu bytes", name,
                             REL_MUSTACHE_MAX_SIZE);
    struct parser p = {.file = name, .s = text, .len = len, .line = 1, .clean = true};
    strcpy(p.open, "{{");
    strcpy(p.close, "}}");
    struct mnode root = {0};
    int rc = parse_block(&p, &root, NULL);
    if (rc == 0) {
        struct renderer r = {.file = name};
        r.stack[r.top++] = ctx;
        rc = render_kids(&r, &root, out);
    }
    free_kids(&root);
    return rc;
}
