/*
 * dialog.c - the modal dialogs: the open one's state, its keys and its
 * drawing. One at a time; opening a dialog closes the one before.
 */
#include "tui/dialog.h"

#include "core/alloc.h"
#include "core/utf8.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/view.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum modal_kind { MODAL_NONE, MODAL_PROMPT, MODAL_CONFIRM, MODAL_MENU };

static struct {
    enum modal_kind kind;
    char label[512];
    char input[512];
    unsigned prompt_flags;
    tui_prompt_fn prompt_fn;
    tui_complete_fn complete_fn;
    tui_confirm_fn confirm_fn;
    tui_menu_fn menu_fn;
    void *ctx;
    char confirm_keys[16];
    char *dialog_title, *dialog_body; /* a confirmation drawn as a box */
    char **menu_items;
    int menu_n, menu_sel;
} m;

/* ------------------------------------------------------------- open/close */

static void end_modal(void)
{
    memset(m.input, 0, sizeof(m.input)); /* it may have held a secret */
    for (int i = 0; i < m.menu_n; i++)
        free(m.menu_items[i]);
    free(m.menu_items);
    m.menu_items = NULL;
    m.menu_n = 0;
    free(m.dialog_title);
    free(m.dialog_body);
    m.dialog_title = m.dialog_body = NULL;
    m.complete_fn = NULL;
    m.kind = MODAL_NONE;
    tui_redraw_request(false);
}

void tui_prompt(const char *label, const char *initial, unsigned flags, tui_prompt_fn fn, void *ctx)
{
    end_modal();
    m.kind = MODAL_PROMPT;
    snprintf(m.label, sizeof(m.label), "%s", label);
    snprintf(m.input, sizeof(m.input), "%s", initial ? initial : "");
    m.prompt_flags = flags;
    m.prompt_fn = fn;
    m.ctx = ctx;
}

void tui_prompt_set_completer(tui_complete_fn fn)
{
    if (m.kind == MODAL_PROMPT)
        m.complete_fn = fn;
}

void tui_confirm(const char *question, const char *keys, tui_confirm_fn fn, void *ctx)
{
    end_modal();
    m.kind = MODAL_CONFIRM;
    snprintf(m.label, sizeof(m.label), "%s", question);
    snprintf(m.confirm_keys, sizeof(m.confirm_keys), "%s", keys);
    m.confirm_fn = fn;
    m.ctx = ctx;
}

void tui_dialog(const char *title, const char *body, const char *question, const char *keys,
                tui_confirm_fn fn, void *ctx)
{
    tui_confirm(question, keys, fn, ctx);
    m.dialog_title = rel_strdup(title);
    m.dialog_body = rel_strdup(body);
}

void tui_menu(const char *title, const char *const *items, int n, int initial, tui_menu_fn fn,
              void *ctx)
{
    end_modal();
    m.kind = MODAL_MENU;
    snprintf(m.label, sizeof(m.label), "%s", title);
    m.menu_items = rel_calloc((size_t)(n > 0 ? n : 1), sizeof(char *));
    for (int i = 0; i < n; i++)
        m.menu_items[i] = rel_strdup(items[i]);
    m.menu_n = n;
    m.menu_sel = initial >= 0 && initial < n ? initial : 0;
    m.menu_fn = fn;
    m.ctx = ctx;
}

void tui_modal_cancel(void *ctx)
{
    if (m.kind != MODAL_NONE && m.ctx == ctx)
        end_modal();
}

void tui_modal_close(void)
{
    end_modal();
}

bool tui_modal_open(void)
{
    return m.kind != MODAL_NONE;
}

bool tui_modal_typing(void)
{
    return m.kind == MODAL_PROMPT;
}

/* ------------------------------------------------------------------- keys */

/* Backspace: remove the last UTF-8 character. */
static void input_backspace(void)
{
    size_t n = strlen(m.input);
    while (n > 0 && rel_utf8_is_cont((unsigned char)m.input[n - 1]))
        n--;
    if (n > 0)
        n--;
    m.input[n] = '\0';
}

/* Close the prompt, then give its text to the callback (which may open
 * another dialog); the copy is wiped after, as it may be a secret. */
static int prompt_finish(bool canceled)
{
    tui_prompt_fn fn = m.prompt_fn;
    void *ctx = m.ctx;
    char text[sizeof(m.input)];
    strcpy(text, m.input);
    end_modal();
    int r = fn(ctx, text, true, canceled);
    memset(text, 0, sizeof(text));
    return r;
}

const char *tui_prompt_text(void)
{
    return m.kind == MODAL_PROMPT ? m.input : NULL;
}

static int prompt_key(int key)
{
    tui_prompt_fn fn = m.prompt_fn;
    void *ctx = m.ctx;
    if (key == TUI_KEY_ESC || key == TUI_KEY_CTRL('G'))
        return prompt_finish(true);
    if (key == TUI_KEY_ENTER)
        return prompt_finish(false);
    if (key == (TUI_KEY_FN | KEY_BACKSPACE)) {
        if (!m.input[0] && !(m.prompt_flags & TUI_PROMPT_INCREMENTAL)) {
            end_modal();
            return fn(ctx, "", true, true);
        }
        input_backspace();
    } else if (key == TUI_KEY_CTRL('U')) {
        m.input[0] = '\0';
    } else if (key == TUI_KEY_CTRL('W')) {
        size_t n = strlen(m.input);
        while (n > 0 && m.input[n - 1] == ' ')
            n--;
        while (n > 0 && m.input[n - 1] != ' ')
            n--;
        m.input[n] = '\0';
    } else if (key == TUI_KEY_TAB && m.complete_fn) {
        m.complete_fn(m.input, sizeof(m.input));
    } else if (!(key & TUI_KEY_FN) && key >= 0x20 && key != 0x7f) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st;
        memset(&st, 0, sizeof(st));
        size_t n = wcrtomb(mb, (wchar_t)key, &st);
        if (n != (size_t)-1 && strlen(m.input) + n + 1 < sizeof(m.input)) {
            mb[n] = '\0';
            strcat(m.input, mb);
        }
    } else {
        return TUI_R_REDRAW; /* other keys are ignored while typing */
    }
    if (m.prompt_flags & TUI_PROMPT_INCREMENTAL)
        return fn(ctx, m.input, false, false) | TUI_R_REDRAW;
    return TUI_R_REDRAW;
}

static int menu_key(int key)
{
    tui_menu_fn fn = m.menu_fn;
    void *ctx = m.ctx;
    enum tui_action a = tui_keymap_lookup(TUI_SCOPEID_GENERIC, key);
    if (key == TUI_KEY_ESC || a == TUI_ACT_BACK || a == TUI_ACT_QUIT || a == TUI_ACT_CLOSE) {
        end_modal();
        return fn(ctx, -1);
    }
    if (key == TUI_KEY_ENTER || key == ' ') {
        int choice = m.menu_sel;
        end_modal();
        return fn(ctx, choice);
    }
    if (a == TUI_ACT_MOVE_DOWN && m.menu_sel + 1 < m.menu_n)
        m.menu_sel++;
    else if (a == TUI_ACT_MOVE_UP && m.menu_sel > 0)
        m.menu_sel--;
    else if (a == TUI_ACT_MOVE_FIRST || a == TUI_ACT_PAGE_UP)
        m.menu_sel = 0;
    else if (a == TUI_ACT_MOVE_LAST || a == TUI_ACT_PAGE_DOWN)
        m.menu_sel = m.menu_n - 1;
    return TUI_R_REDRAW;
}

static int confirm_key(int key)
{
    tui_confirm_fn fn = m.confirm_fn;
    void *ctx = m.ctx;
    if (key == TUI_KEY_ESC) {
        end_modal();
        return fn(ctx, 0);
    }
    if (!(key & TUI_KEY_FN) && key > 0 && key < 0x80 && strchr(m.confirm_keys, key)) {
        end_modal();
        return fn(ctx, key);
    }
    return TUI_R_NONE;
}

int tui_modal_key(int key)
{
    switch (m.kind) {
    case MODAL_PROMPT:
        return prompt_key(key);
    case MODAL_MENU:
        return menu_key(key);
    case MODAL_CONFIRM:
        return confirm_key(key);
    case MODAL_NONE:
        break;
    }
    return TUI_R_UNHANDLED;
}

/* ---------------------------------------------------------------- drawing */

static void draw_menu(void)
{
    int w = tui_text_width(m.label) + 4;
    for (int i = 0; i < m.menu_n; i++) {
        int iw = tui_text_width(m.menu_items[i]) + 6;
        if (iw > w)
            w = iw;
    }
    char foot[64];
    snprintf(foot, sizeof(foot), " <Enter> choose %s <Esc> cancel ", tui_glyph(TUI_GLYPH_DOT));
    if (tui_text_width(foot) + 4 > w)
        w = tui_text_width(foot) + 4;
    if (w > COLS - 2)
        w = COLS - 2;
    int h = m.menu_n + 2;
    if (h > LINES - 4)
        h = LINES - 4;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    int shown = h - 2;
    int first = m.menu_sel >= shown ? m.menu_sel - shown + 1 : 0;
    for (int r = 0; r < h; r++)
        tui_fill(y0 + r, x0, w, TUI_ROLE_DIALOG);
    tui_box((struct tui_rect){y0, x0, h, w}, TUI_ROLE_DIALOG);
    char title[sizeof(m.label) + 4];
    snprintf(title, sizeof(title), " %s ", m.label);
    tui_put(y0, x0 + 2, w - 4, TUI_ROLE_DIALOG, title);
    for (int r = 0; r < shown && first + r < m.menu_n; r++) {
        int i = first + r;
        bool sel = i == m.menu_sel;
        enum tui_role role = sel ? TUI_ROLE_SELECTION : TUI_ROLE_DIALOG;
        tui_fill(y0 + 1 + r, x0 + 1, w - 2, role);
        tui_put(y0 + 1 + r, x0 + 1, 2, role, sel ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
        tui_put(y0 + 1 + r, x0 + 3, w - 4, role, m.menu_items[i]);
    }
    tui_put(y0 + h - 1, x0 + 2, w - 4, TUI_ROLE_DIALOG, foot);
}

/*
 * A confirmation with a body: a framed box in the middle, the body wrapped
 * to the box (no line is cut: a fingerprint or a path wraps onto the next
 * line), the question stays at the bottom (tui_modal_draw_lines).
 */
static void draw_dialog(void)
{
    int w = tui_text_width(m.dialog_title) + 6;
    char *copy = rel_strdup(m.dialog_body);
    for (char *l = copy; l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        int lw = tui_text_width(l) + 4;
        if (lw > w)
            w = lw;
        l = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (w > COLS - 2)
        w = COLS - 2;
    int rows = (int)tui_wrap(m.dialog_body, w - 4, 2, NULL, 0);
    int bottom = tui_modal_lines(COLS) + 1; /* the question and the key-hint bar */
    int h = rows + 4;                       /* frame, title, blank, body, frame */
    if (h > LINES - bottom - 1)
        h = LINES - bottom - 1;
    int y0 = 1 + (LINES - bottom - 1 - h) / 2, x0 = (COLS - w) / 2;
    for (int r = 0; r < h; r++)
        tui_fill(y0 + r, x0, w, TUI_ROLE_DIALOG);
    tui_box((struct tui_rect){y0, x0, h, w}, TUI_ROLE_DIALOG);
    char title[300];
    snprintf(title, sizeof(title), " %s ", m.dialog_title);
    tui_put(y0, x0 + 2, w - 4, TUI_ROLE_DIALOG, title);
    tui_put_wrapped((struct tui_rect){y0 + 2, x0 + 2, h - 4, w - 4}, 2, TUI_ROLE_DIALOG,
                    m.dialog_body);
}

void tui_modal_draw_box(void)
{
    if (m.kind == MODAL_MENU)
        draw_menu();
    if (m.kind == MODAL_CONFIRM && m.dialog_body)
        draw_dialog();
}

/* A label that leaves less than this many cells to type in goes on rows of
 * its own above the input, wrapped. */
#define PROMPT_ROOM 20

static int prompt_label_rows(int width)
{
    if (tui_text_width(m.label) <= width - PROMPT_ROOM)
        return 0;
    int n = (int)tui_wrap(m.label, width, 2, NULL, 0);
    int most = LINES / 3 > 1 ? LINES / 3 - 1 : 1;
    return n < most ? n : most;
}

/* The prompt in the rows `r`: its label (wrapped above when long), then
 * the end of the input that fits, the cursor after it. */
static void draw_prompt(struct tui_rect r)
{
    int y = r.y + r.h - 1, lw = 0;
    if (r.h > 1)
        tui_put_wrapped((struct tui_rect){r.y, 0, r.h - 1, COLS}, 2, TUI_ROLE_PROMPT, m.label);
    else
        lw = tui_put(y, 0, COLS, TUI_ROLE_PROMPT, m.label);
    /* show the end of a long input */
    char stars[sizeof(m.input)];
    const char *s = m.input;
    if (m.prompt_flags & TUI_PROMPT_SECRET) {
        size_t n = 0;
        for (const char *c = m.input; *c; c++)
            if (!rel_utf8_is_cont((unsigned char)*c))
                stars[n++] = '*';
        stars[n] = '\0';
        s = stars;
    }
    while (*s && tui_text_width(s) > COLS - lw - 1)
        s++;
    while (rel_utf8_is_cont((unsigned char)*s))
        s++;
    int iw = tui_put(y, lw, COLS - lw, TUI_ROLE_DEFAULT, s);
    move(y, lw + iw < COLS ? lw + iw : COLS - 1);
}

int tui_modal_lines(int width)
{
    if (m.kind == MODAL_PROMPT)
        return 1 + prompt_label_rows(width);
    if (m.kind != MODAL_CONFIRM)
        return 0;
    int n = (int)tui_wrap(m.label, width, 2, NULL, 0);
    int most = LINES / 3 > 1 ? LINES / 3 : 1;
    return n < most ? n : most;
}

bool tui_modal_draw_lines(struct tui_rect r)
{
    if (m.kind == MODAL_PROMPT) {
        draw_prompt(r);
        return true;
    }
    if (m.kind == MODAL_CONFIRM) {
        tui_put_wrapped(r, 2, TUI_ROLE_PROMPT, m.label);
        return true;
    }
    return false;
}
