/*
 * draw.c - clipped, role-styled text on stdscr.
 */
#include "tui/draw.h"

#include <curses.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static bool utf8;
static bool redraw_pending, redraw_full;

static const char *const glyphs[][2] = {
    [TUI_GLYPH_CURSOR] = {"\u25b6", ">"},   [TUI_GLYPH_PROBLEM] = {"!", "!"},
    [TUI_GLYPH_CHANGED] = {"\u25cf", "*"},  [TUI_GLYPH_OK] = {"\u2713", "+"},
    [TUI_GLYPH_FAIL] = {"\u2717", "x"},     [TUI_GLYPH_CRUMB] = {"\u203a", ">"},
    [TUI_GLYPH_HLINE] = {"\u2500", "-"},    [TUI_GLYPH_VLINE] = {"\u2502", "|"},
    [TUI_GLYPH_BAR_FULL] = {"\u2588", "#"}, [TUI_GLYPH_BAR_EMPTY] = {"\u2591", "."},
    [TUI_GLYPH_DOT] = {"\u00b7", "-"},      [TUI_GLYPH_ARROW] = {"\u2190", "<"},
    [TUI_GLYPH_ELLIPSIS] = {"\u2026", "~"},
};

void tui_draw_init(bool force_ascii)
{
    const char *cs = nl_langinfo(CODESET);
    utf8 = !force_ascii && cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    redraw_pending = redraw_full = false;
}

void tui_redraw_request(bool full)
{
    redraw_pending = true;
    if (full)
        redraw_full = true;
}

bool tui_redraw_pending(void)
{
    return redraw_pending;
}

bool tui_redraw_take_full(void)
{
    bool full = redraw_full;
    redraw_full = false;
    return full;
}

void tui_redraw_done(void)
{
    redraw_pending = false;
}

bool tui_draw_utf8(void)
{
    return utf8;
}

const char *tui_glyph(enum tui_glyph g)
{
    return glyphs[g][utf8 ? 0 : 1];
}

/* Decode one character at `s` (length `n`); returns its byte length (>= 1)
 * and its width in cells in *w, '?' in *wc for invalid or control bytes. */
static size_t next_char(const char *s, size_t n, wchar_t *wc, int *w)
{
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    size_t len = mbrtowc(wc, s, n, &st);
    if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
        *wc = (unsigned char)s[0] < 0x80 && s[0] >= 0x20 ? (wchar_t)s[0] : L'?';
        *w = 1;
        return 1;
    }
    int cw = wcwidth(*wc);
    if (cw < 0 || *wc < 0x20) {
        *wc = L'?';
        cw = 1;
    }
    *w = cw;
    return len;
}

int tui_text_width(const char *s)
{
    int total = 0;
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        int w;
        size_t len = next_char(s, n, &wc, &w);
        total += w;
        s += len;
        n -= len;
    }
    return total;
}

size_t tui_text_skip(const char *s, int cells)
{
    size_t n = strlen(s), off = 0;
    while (off < n && cells > 0) {
        wchar_t wc;
        int w;
        off += next_char(s + off, n - off, &wc, &w);
        cells -= w;
    }
    return off;
}

int tui_clip(char *out, size_t outsz, const char *text, int maxw)
{
    size_t n = strlen(text);
    if (tui_text_width(text) <= maxw && n < outsz) {
        memcpy(out, text, n + 1);
        return tui_text_width(text);
    }
    const char *ell = tui_glyph(TUI_GLYPH_ELLIPSIS);
    size_t elen = strlen(ell);
    int used = 0;
    size_t o = 0;
    const char *s = text;
    while (n > 0 && maxw > 0) {
        wchar_t wc;
        int w;
        size_t len = next_char(s, n, &wc, &w);
        if (used + w > maxw - 1 || o + len + elen + 1 > outsz)
            break;
        memcpy(out + o, s, len);
        o += len;
        used += w;
        s += len;
        n -= len;
    }
    if (maxw > 0 && o + elen + 1 <= outsz) {
        memcpy(out + o, ell, elen);
        o += elen;
        used++;
    }
    out[o] = '\0';
    return used;
}

int tui_put(int y, int x, int maxw, enum tui_role role, const char *text)
{
    if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + maxw > COLS)
        maxw = COLS - x;
    bool fits = tui_text_width(text) <= maxw;
    const char *ell = tui_glyph(TUI_GLYPH_ELLIPSIS);
    int limit = fits ? maxw : maxw - 1;
    attrset((attr_t)tui_theme_attr(role));
    move(y, x);
    int used = 0;
    size_t n = strlen(text);
    const char *s = text;
    while (n > 0) {
        wchar_t wc;
        int w;
        size_t len = next_char(s, n, &wc, &w);
        if (used + w > limit)
            break;
        if (utf8 || wc < 0x80) {
            addnwstr(&wc, 1);
        } else {
            addch('?');
            w = 1;
        }
        used += w;
        s += len;
        n -= len;
    }
    if (!fits && used < maxw) {
        addstr(ell);
        used++;
    }
    attrset(A_NORMAL);
    return used;
}

int tui_putf(int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return tui_put(y, x, maxw, role, text);
}

void tui_fill(int y, int x, int w, enum tui_role role)
{
    if (y < 0 || y >= LINES || x >= COLS || w <= 0)
        return;
    if (x + w > COLS)
        w = COLS - x;
    attrset((attr_t)tui_theme_attr(role));
    mvhline(y, x, ' ', w);
    attrset(A_NORMAL);
}

int tui_put_padded(int y, int x, int w, enum tui_role role, const char *text)
{
    tui_fill(y, x, w, role);
    return tui_put(y, x, w, role, text);
}

void tui_hline(int y, int x, int w, enum tui_role role)
{
    if (y < 0 || y >= LINES || w <= 0)
        return;
    if (x + w > COLS)
        w = COLS - x;
    attrset((attr_t)tui_theme_attr(role));
    if (utf8)
        mvhline_set(y, x, WACS_HLINE, w);
    else
        mvhline(y, x, '-', w);
    attrset(A_NORMAL);
}

void tui_vline(int y, int x, int h, enum tui_role role)
{
    if (x < 0 || x >= COLS || h <= 0)
        return;
    if (y + h > LINES)
        h = LINES - y;
    attrset((attr_t)tui_theme_attr(role));
    if (utf8)
        mvvline_set(y, x, WACS_VLINE, h);
    else
        mvvline(y, x, '|', h);
    attrset(A_NORMAL);
}

size_t tui_wrap(const char *text, int width, int indent, struct tui_span *lines, size_t max)
{
    if (width < 1)
        width = 1;
    if (indent >= width)
        indent = 0;
    size_t count = 0, pos = 0, total = strlen(text);
    bool cont = false; /* this line continues a broken one */
    while (pos < total || count == 0) {
        int avail = width - (cont ? indent : 0);
        size_t p = pos, brk = 0, brk_next = 0;
        int used = 0;
        bool nl = false;
        while (p < total) {
            if (text[p] == '\n') {
                nl = true;
                break;
            }
            wchar_t wc;
            int w;
            size_t len = next_char(text + p, total - p, &wc, &w);
            if (used + w > avail)
                break;
            used += w;
            p += len;
            if (wc == L' ') {
                brk = p - len; /* the line may end before this blank */
                brk_next = p;
            }
        }
        size_t end = p, next = p;
        if (nl) {
            next = p + 1;
        } else if (p < total) {
            if (text[p] == ' ') { /* the break falls on a blank */
                next = p + 1;
            } else if (brk > pos) {
                end = brk;
                next = brk_next;
            } else if (p == pos) { /* a character wider than the line */
                wchar_t wc;
                int w;
                end = next = p + next_char(text + p, total - p, &wc, &w);
            }
        }
        while (end > pos && text[end - 1] == ' ')
            end--;
        if (count < max)
            lines[count] = (struct tui_span){pos, end - pos, cont ? indent : 0};
        count++;
        cont = !nl && next < total;
        pos = next;
        if (nl && pos >= total)
            break;
    }
    return count;
}

int tui_put_wrapped(struct tui_rect r, int indent, enum tui_role role, const char *text)
{
    struct tui_span spans[256];
    size_t n = tui_wrap(text, r.w, indent, spans, 256);
    for (size_t i = 0; i < n && i < 256 && (int)i < r.h; i++) {
        char line[1024];
        snprintf(line, sizeof(line), "%.*s", (int)spans[i].len, text + spans[i].off);
        tui_put(r.y + (int)i, r.x + spans[i].indent, r.w - spans[i].indent, role, line);
    }
    return (int)n;
}

void tui_box(struct tui_rect r, enum tui_role role)
{
    if (r.h < 2 || r.w < 2)
        return;
    tui_hline(r.y, r.x + 1, r.w - 2, role);
    tui_hline(r.y + r.h - 1, r.x + 1, r.w - 2, role);
    tui_vline(r.y + 1, r.x, r.h - 2, role);
    tui_vline(r.y + 1, r.x + r.w - 1, r.h - 2, role);
    attrset((attr_t)tui_theme_attr(role));
    if (utf8) {
        mvadd_wch(r.y, r.x, WACS_ULCORNER);
        mvadd_wch(r.y, r.x + r.w - 1, WACS_URCORNER);
        mvadd_wch(r.y + r.h - 1, r.x, WACS_LLCORNER);
        mvadd_wch(r.y + r.h - 1, r.x + r.w - 1, WACS_LRCORNER);
    } else {
        mvaddch(r.y, r.x, '+');
        mvaddch(r.y, r.x + r.w - 1, '+');
        mvaddch(r.y + r.h - 1, r.x, '+');
        mvaddch(r.y + r.h - 1, r.x + r.w - 1, '+');
    }
    attrset(A_NORMAL);
}
