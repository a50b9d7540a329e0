/*
 * preview.c - the files a release would get, rendered by core without
 * assembling: scrollable, searchable (/ n N), one file at a time ([ ]).
 * A cookie never appears: every occurrence of the release's cookie, and
 * the value after -setcookie / RELEASE_COOKIE=, is masked.
 *
 * The files are core's table of renderables (core/render.h): a file added
 * there shows up here.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/render.h"
#include "tui/list.h"
#include "tui/project.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MASK "********"

#define NFILES rel_renderable_count

struct preview {
    struct tui_project *tp;
    char release[128];
    size_t file;
    char *text;   /* rendered and masked */
    char **lines; /* into a copy of text */
    char *copy;
    size_t nlines;
    char error[512];
    struct tui_list list;
    char search[128];
};

static void file_name(const struct preview *pv, size_t i, char *buf, size_t size)
{
    (void)pv;
    snprintf(buf, size, "%s", rel_renderables[i].name);
}

/* Replace every occurrence of `secret` in `b` with MASK. */
static void mask_value(struct rel_buf *b, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0)
        return;
    struct rel_buf out = REL_BUF_INIT;
    const char *p = rel_buf_cstr(b), *hit;
    while ((hit = strstr(p, secret))) {
        rel_buf_put(&out, p, (size_t)(hit - p));
        rel_buf_puts(&out, MASK);
        p = hit + n;
    }
    rel_buf_puts(&out, p);
    rel_buf_clear(b);
    rel_buf_put(b, out.ptr ? out.ptr : "", out.len);
    rel_buf_free(&out);
}

/* Mask the word after each `key` (e.g. "-setcookie "). */
static void mask_after(struct rel_buf *b, const char *key)
{
    char *p = b->ptr;
    size_t klen = strlen(key);
    while (p && (p = strstr(p, key))) {
        p += klen;
        while (*p == '"' || *p == '\'')
            p++;
        char *end = p + strcspn(p, " \t\r\n\"'");
        if (end > p && !(end - p == (long)strlen(MASK) && strncmp(p, MASK, strlen(MASK)) == 0)) {
            size_t off = (size_t)(p - b->ptr);
            size_t len = (size_t)(end - p);
            struct rel_buf out = REL_BUF_INIT;
            rel_buf_put(&out, b->ptr, off);
            rel_buf_puts(&out, MASK);
            rel_buf_puts(&out, b->ptr + off + len);
            rel_buf_clear(b);
            rel_buf_put(b, out.ptr, out.len);
            rel_buf_free(&out);
            p = b->ptr + off + strlen(MASK);
        }
    }
}

static void render(struct preview *pv)
{
    free(pv->text);
    free(pv->copy);
    free(pv->lines);
    pv->text = pv->copy = NULL;
    pv->lines = NULL;
    pv->nlines = 0;
    pv->error[0] = '\0';
    struct rel_buf b = REL_BUF_INIT;
    const struct rel_model *m = tui_project_model(pv->tp, pv->release);
    int rc = m ? rel_renderables[pv->file].render(&b, m) : -1;
    if (rc < 0) {
        snprintf(pv->error, sizeof(pv->error), "%s", rel_error_message());
        rel_buf_clear(&b);
    }
    const struct rel_config_release *r =
        rel_config_find_release(tui_project_config(pv->tp), pv->release);
    if (r && r->cookie)
        mask_value(&b, r->cookie);
    mask_after(&b, "-setcookie ");
    mask_after(&b, "RELEASE_COOKIE=");
    pv->text = rel_buf_detach(&b);
    pv->copy = rel_strdup(pv->text);
    size_t cap = 16;
    pv->lines = rel_calloc(cap, sizeof(char *));
    for (char *p = pv->copy; *p;) {
        if (pv->nlines == cap) {
            cap *= 2;
            pv->lines = rel_reallocarray(pv->lines, cap, sizeof(char *));
        }
        pv->lines[pv->nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    tui_list_set_count(&pv->list, pv->nlines);
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    (void)buf;
    (void)size;
    struct preview *pv = ctx;
    return i < pv->nlines ? pv->lines[i] : "";
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct preview *pv = v->data;
    int x = 1;
    for (size_t i = 0; i < NFILES; i++) {
        char name[160], tab[170];
        file_name(pv, i, name, sizeof(name));
        snprintf(tab, sizeof(tab), i == pv->file ? "[%s]" : " %s ", name);
        x += tui_put(r.y, x, r.w - x, i == pv->file ? TUI_ROLE_ACCENT : TUI_ROLE_MUTED, tab) + 1;
    }
    if (pv->error[0]) {
        tui_put(r.y + 2, 2, r.w - 3, TUI_ROLE_ERROR, pv->error);
        return;
    }
    int h = r.h - 1, numw = 5;
    tui_list_layout(&pv->list, h);
    size_t slen = strlen(pv->search);
    for (int row = 0; row < h && pv->list.top + (size_t)row < pv->list.nvisible; row++) {
        size_t pos = pv->list.top + (size_t)row;
        size_t i = pv->list.visible[pos];
        int y = r.y + 1 + row;
        bool sel = pos == pv->list.sel;
        tui_putf(y, 0, numw, sel ? TUI_ROLE_SELECTION : TUI_ROLE_MUTED, "%4zu ", i + 1);
        const char *line = pv->lines[i];
        const char *hit = slen ? strstr(line, pv->search) : NULL;
        if (!hit) {
            tui_put(y, numw, r.w - numw, TUI_ROLE_DEFAULT, line);
            continue;
        }
        /* the line with its matches marked (role "match") */
        int cx = numw;
        const char *p = line;
        while (hit && cx < r.w) {
            char part[1024];
            snprintf(part, sizeof(part), "%.*s", (int)(hit - p), p);
            cx += tui_put(y, cx, r.w - cx, TUI_ROLE_DEFAULT, part);
            snprintf(part, sizeof(part), "%.*s", (int)slen, hit);
            cx += tui_put(y, cx, r.w - cx, TUI_ROLE_MATCH, part);
            p = hit + slen;
            hit = strstr(p, pv->search);
        }
        if (cx < r.w)
            tui_put(y, cx, r.w - cx, TUI_ROLE_DEFAULT, p);
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct preview *pv = v->data;
    rel_buf_printf(out, "%zu lines", pv->nlines);
    if (pv->search[0])
        rel_buf_printf(out, " %s /%s", tui_glyph(TUI_GLYPH_DOT), pv->search);
}

/* Move to the next (dir 1) or previous (-1) line holding the search text. */
static bool find(struct preview *pv, int dir, bool include_current)
{
    if (!pv->search[0] || pv->nlines == 0)
        return false;
    size_t n = pv->nlines, start = tui_list_selected(&pv->list);
    if (start == TUI_LIST_NONE)
        start = 0;
    for (size_t k = include_current ? 0 : 1; k <= n; k++) {
        size_t i = dir > 0 ? (start + k) % n : (start + n - (k % n)) % n;
        if (strstr(pv->lines[i], pv->search)) {
            tui_list_select(&pv->list, i);
            return true;
        }
    }
    return false;
}

static int search_prompt(void *ctx, const char *text, bool done, bool canceled)
{
    struct preview *pv = ctx;
    snprintf(pv->search, sizeof(pv->search), "%s", canceled ? "" : text);
    if (pv->search[0] && !find(pv, 1, true) && done)
        tui_error("'%s' not found", pv->search);
    return TUI_R_REDRAW;
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct preview *pv = v->data;
    switch (a) {
    case TUI_ACT_NEXT_FILE:
    case TUI_ACT_PREV_FILE:
        pv->file = (pv->file + (a == TUI_ACT_NEXT_FILE ? 1 : NFILES - 1)) % NFILES;
        render(pv);
        tui_list_action(&pv->list, TUI_ACT_MOVE_FIRST);
        return TUI_R_REDRAW;
    case TUI_ACT_SEARCH:
        tui_prompt("/", pv->search, TUI_PROMPT_INCREMENTAL, search_prompt, pv);
        return TUI_R_REDRAW;
    case TUI_ACT_FIND_NEXT:
    case TUI_ACT_FIND_PREV:
        if (!pv->search[0])
            tui_message("no search yet: / searches");
        else if (!find(pv, a == TUI_ACT_FIND_NEXT ? 1 : -1, false))
            tui_error("'%s' not found", pv->search);
        return TUI_R_REDRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static int reload(struct tui_view *v)
{
    render(v->data);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct preview *pv = v->data;
    return &pv->list;
}

static void destroy(struct tui_view *v)
{
    struct preview *pv = v->data;
    free(pv->text);
    free(pv->copy);
    free(pv->lines);
    tui_list_free(&pv->list);
    free(pv);
}

static const struct tui_view_ops preview_ops = {
    .scope = TUI_SCOPEID_PREVIEW,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_preview_open(struct tui_project *tp, const char *name)
{
    struct preview *pv = rel_calloc(1, sizeof(*pv));
    pv->tp = tp;
    snprintf(pv->release, sizeof(pv->release), "%s", name);
    tui_list_init(&pv->list, row_text, NULL, pv);
    render(pv);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s preview", name, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&preview_ops, pv, crumb);
    return 0;
}
