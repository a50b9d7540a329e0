/*
 * keys.c - key names, both ways.
 */
#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static const struct {
    const char *name;
    int key;
} named[] = {
    {"Enter", TUI_KEY_ENTER},
    {"Esc", TUI_KEY_ESC},
    {"Tab", TUI_KEY_TAB},
    {"S-Tab", TUI_KEY_FN | KEY_BTAB},
    {"Space", ' '},
    {"Backspace", TUI_KEY_FN | KEY_BACKSPACE},
    {"Del", TUI_KEY_FN | KEY_DC},
    {"Up", TUI_KEY_FN | KEY_UP},
    {"Down", TUI_KEY_FN | KEY_DOWN},
    {"Left", TUI_KEY_FN | KEY_LEFT},
    {"Right", TUI_KEY_FN | KEY_RIGHT},
    {"PgUp", TUI_KEY_FN | KEY_PPAGE},
    {"PgDn", TUI_KEY_FN | KEY_NPAGE},
    {"Home", TUI_KEY_FN | KEY_HOME},
    {"End", TUI_KEY_FN | KEY_END},
    {"Ins", TUI_KEY_FN | KEY_IC},
    {"lt", '<'},
    /* aliases, accepted when parsing only */
    {"Return", TUI_KEY_ENTER},
    {"Escape", TUI_KEY_ESC},
    {"BackTab", TUI_KEY_FN | KEY_BTAB},
    {"Delete", TUI_KEY_FN | KEY_DC},
    {"PageUp", TUI_KEY_FN | KEY_PPAGE},
    {"PageDown", TUI_KEY_FN | KEY_NPAGE},
    {"Resize", TUI_KEY_FN | KEY_RESIZE},
    {"Colon", ':'}, /* lets a script key line start with ':' */
    {"Hash", '#'},  /* and with '#' */
};
#define NAMED_CANONICAL 17

int tui_key_resize(void)
{
    return TUI_KEY_FN | KEY_RESIZE;
}

/* A name without brackets, `len` bytes at `s`. */
static int key_by_name(const char *s, size_t len)
{
    if (len == 0)
        return -1;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strlen(named[i].name) == len && strncasecmp(named[i].name, s, len) == 0)
            return named[i].key;
    if ((s[0] == 'C' || s[0] == 'c') && len == 3 && s[1] == '-') {
        char c = s[2];
        if (c >= 'a' && c <= 'z')
            return TUI_KEY_CTRL(c);
        if (c >= '@' && c <= '_')
            return TUI_KEY_CTRL(c);
    }
    if ((s[0] == 'F' || s[0] == 'f') && len >= 2 && len <= 3) {
        int n = 0;
        for (size_t i = 1; i < len; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            n = n * 10 + (s[i] - '0');
        }
        if (n >= 1 && n <= 12)
            return TUI_KEY_FN | KEY_F(n);
    }
    return -1;
}

int tui_key_parse(const char **sp)
{
    const char *s = *sp;
    if (!*s)
        return -1;
    if (*s == '<') {
        const char *end = strchr(s, '>');
        if (end && end > s + 1) {
            int k = key_by_name(s + 1, (size_t)(end - s - 1));
            if (k >= 0) {
                *sp = end + 1;
                return k;
            }
        }
        *sp = s + 1;
        return '<';
    }
    if (*s == '^' && s[1] && s[1] != ' ') {
        char c = s[1];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= '@' && c <= '_') {
            *sp = s + 2;
            return TUI_KEY_CTRL(c);
        }
    }
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    wchar_t wc;
    size_t len = mbrtowc(&wc, s, strlen(s), &st);
    if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
        *sp = s + 1;
        return (unsigned char)*s;
    }
    *sp = s + len;
    return (int)wc;
}

int tui_key_parse_one(const char *s)
{
    size_t len = strlen(s);
    if (len > 1 && s[0] != '<' && s[0] != '^') {
        /* "enter", "pgdn", "C-l" without brackets, or one multibyte char */
        int k = key_by_name(s, len);
        if (k >= 0)
            return k;
    }
    const char *p = s;
    int k = tui_key_parse(&p);
    return (k >= 0 && *p == '\0') ? k : -1;
}

const char *tui_key_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < NAMED_CANONICAL; i++)
        if (named[i].key == key) {
            snprintf(buf, size, "<%s>", named[i].name);
            return buf;
        }
    if (key & TUI_KEY_FN) {
        int k = key & ~TUI_KEY_FN;
        if (k >= KEY_F(1) && k <= KEY_F(12))
            snprintf(buf, size, "<F%d>", k - KEY_F0);
        else
            snprintf(buf, size, "<key-%d>", k);
        return buf;
    }
    if (key < 32) {
        snprintf(buf, size, "^%c", key + '@');
        return buf;
    }
    if (key == 127) {
        snprintf(buf, size, "<Backspace>");
        return buf;
    }
    char mb[8] = {0};
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    size_t n = wcrtomb(mb, (wchar_t)key, &st);
    if (n == (size_t)-1)
        snprintf(buf, size, "<U+%04X>", (unsigned)key);
    else
        snprintf(buf, size, "%s", mb);
    return buf;
}

int tui_key_from_curses(int ret, unsigned int wch)
{
    if (ret == KEY_CODE_YES) {
        switch (wch) {
        case KEY_ENTER:
            return TUI_KEY_ENTER;
        case 127:
            return TUI_KEY_FN | KEY_BACKSPACE;
        default:
            return TUI_KEY_FN | (int)wch;
        }
    }
    if (wch == '\r')
        return TUI_KEY_ENTER;
    if (wch == 127 || wch == 8)
        return TUI_KEY_FN | KEY_BACKSPACE;
    return (int)wch;
}
