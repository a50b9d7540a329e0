/*
 * ui.c - the TUI's frame: terminal setup, the one poll() loop, the view
 * stack, the title / key-hint / message lines, prompts, menus, the `:`
 * command line, screen dumps and the headless script driver.
 *
 * The loop, in one picture:
 *
 *     for (;;) {
 *         if (dirty) draw everything, then refresh();   (ncurses sends the diff)
 *         wait in poll() for: the tty, watched fds (child pipes, jobs), signals
 *             -- or, headless, take the next script step instead of the tty
 *         each key -> modal (prompt/menu/confirm) or action -> view -> generic
 *         each reaction flag -> redraw / reload / close / quit
 *     }
 *
 * Nothing else ever paints, and nothing here blocks: background work talks
 * to the loop through file descriptors (tui_watch).
 */
#include "tui/ui.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "tui/action.h"
#include "tui/conf.h"
#include "tui/help.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/root.h"
#include "tui/script.h"
#include "tui/theme.h"
#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define MAX_VIEWS 16
#define MAX_WATCH 32
#define MIN_COLS 40
#define MIN_LINES 10

enum modal_kind { MODAL_NONE, MODAL_PROMPT, MODAL_CONFIRM, MODAL_MENU };

struct watch {
    int fd;
    short events;
    tui_fd_fn fn;
    void *ctx;
};

/* Built-in `:` commands (the actions are commands too, by name). */
static const struct {
    const char *name, *args, *help;
} builtin_commands[] = {
    {"theme", "NAME", "switch theme: dark, light, high-contrast, monochrome or a file"},
    {"bind", "KEYMAP KEY ACTION", "bind a key for this session (same syntax as tui.conf)"},
    {"unbind", "KEYMAP KEY", "remove a key binding for this session"},
    {"dump", "NAME", "write the screen as text to NAME.txt in the dump directory"},
    {"q", "", "quit (as the action 'quit')"},
};
#define NBUILTIN (sizeof(builtin_commands) / sizeof(builtin_commands[0]))

static struct {
    struct tui_view *stack[MAX_VIEWS];
    int depth;

    bool need_draw, need_clear, quit;
    char message[512];
    bool message_error;
    /* the message shown when ':' was pressed, so `:dump` shows the screen
     * as it was before the command line opened */
    char saved_message[512];
    bool saved_error;

    /* the modal in progress */
    enum modal_kind modal;
    char label[128];
    char input[512];
    unsigned prompt_flags;
    tui_prompt_fn prompt_fn;
    tui_confirm_fn confirm_fn;
    tui_menu_fn menu_fn;
    void *modal_ctx;
    char confirm_keys[16];
    char *dialog_title, *dialog_body; /* a confirmation drawn as a box */
    char **menu_items;
    int menu_n, menu_sel;

    struct watch watch[MAX_WATCH];
    int nwatch;

    /* terminal */
    SCREEN *screen;
    FILE *tty_in, *tty_out;
    bool own_tty, headless, color;
    struct tui_theme theme;
    bool force_mono;

    /* headless */
    struct tui_script *script;
    const char *dump_dir;
    int fail; /* an error that ends the run */
} ui;

static volatile sig_atomic_t got_term, got_int;

/* ---------------------------------------------------------------- messages */

static void set_message(bool error, const char *fmt, va_list ap)
{
    vsnprintf(ui.message, sizeof(ui.message), fmt, ap);
    /* one line: no control characters reach the terminal */
    for (char *c = ui.message; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    ui.message_error = error;
    ui.need_draw = true;
}

void tui_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(false, fmt, ap);
    va_end(ap);
}

void tui_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(true, fmt, ap);
    va_end(ap);
}

void tui_core_error(const char *what)
{
    if (what)
        tui_error("%s: %s", what, rel_error_message());
    else
        tui_error("%s", rel_error_message());
}

const char *tui_theme_name(void)
{
    return ui.theme.name;
}

/* ------------------------------------------------------------------ modals */

static void end_modal(void)
{
    memset(ui.input, 0, sizeof(ui.input)); /* it may have held a secret */
    for (int i = 0; i < ui.menu_n; i++)
        free(ui.menu_items[i]);
    free(ui.menu_items);
    ui.menu_items = NULL;
    ui.menu_n = 0;
    free(ui.dialog_title);
    free(ui.dialog_body);
    ui.dialog_title = ui.dialog_body = NULL;
    ui.modal = MODAL_NONE;
    ui.need_draw = true;
}

void tui_prompt(const char *label, const char *initial, unsigned flags, tui_prompt_fn fn, void *ctx)
{
    end_modal();
    ui.modal = MODAL_PROMPT;
    snprintf(ui.label, sizeof(ui.label), "%s", label);
    snprintf(ui.input, sizeof(ui.input), "%s", initial ? initial : "");
    ui.prompt_flags = flags;
    ui.prompt_fn = fn;
    ui.modal_ctx = ctx;
}

void tui_confirm(const char *question, const char *keys, tui_confirm_fn fn, void *ctx)
{
    end_modal();
    ui.modal = MODAL_CONFIRM;
    snprintf(ui.label, sizeof(ui.label), "%s", question);
    snprintf(ui.confirm_keys, sizeof(ui.confirm_keys), "%s", keys);
    ui.confirm_fn = fn;
    ui.modal_ctx = ctx;
}

void tui_dialog(const char *title, const char *body, const char *question, const char *keys,
                tui_confirm_fn fn, void *ctx)
{
    tui_confirm(question, keys, fn, ctx);
    ui.dialog_title = rel_strdup(title);
    ui.dialog_body = rel_strdup(body);
}

void tui_modal_cancel(void *ctx)
{
    if (ui.modal != MODAL_NONE && ui.modal_ctx == ctx)
        end_modal();
}

void tui_menu(const char *title, const char *const *items, int n, int initial, tui_menu_fn fn,
              void *ctx)
{
    end_modal();
    ui.modal = MODAL_MENU;
    snprintf(ui.label, sizeof(ui.label), "%s", title);
    ui.menu_items = rel_calloc((size_t)(n > 0 ? n : 1), sizeof(char *));
    for (int i = 0; i < n; i++)
        ui.menu_items[i] = rel_strdup(items[i]);
    ui.menu_n = n;
    ui.menu_sel = initial >= 0 && initial < n ? initial : 0;
    ui.menu_fn = fn;
    ui.modal_ctx = ctx;
}

/* ----------------------------------------------------------------- watches */

int tui_watch(int fd, short events, tui_fd_fn fn, void *ctx)
{
    for (int i = 0; i < ui.nwatch; i++)
        if (ui.watch[i].fd == fd) {
            ui.watch[i] = (struct watch){fd, events, fn, ctx};
            return 0;
        }
    if (ui.nwatch == MAX_WATCH)
        return rel_error_set(REL_ELIMIT, "too many background tasks at once (%d)", MAX_WATCH);
    ui.watch[ui.nwatch++] = (struct watch){fd, events, fn, ctx};
    return 0;
}

void tui_unwatch(int fd)
{
    for (int i = 0; i < ui.nwatch; i++)
        if (ui.watch[i].fd == fd) {
            ui.watch[i] = ui.watch[--ui.nwatch];
            return;
        }
}

/* -------------------------------------------------------------- view stack */

struct tui_view *tui_push(const struct tui_view_ops *ops, void *data, const char *crumb)
{
    if (ui.depth == MAX_VIEWS) {
        /* Deep stacks come from loops (preview of preview of ...): drop the
         * oldest view above the root rather than refuse. */
        struct tui_view *old = ui.stack[1];
        if (old->ops->destroy)
            old->ops->destroy(old);
        free(old);
        memmove(&ui.stack[1], &ui.stack[2], sizeof(ui.stack[0]) * (size_t)(MAX_VIEWS - 2));
        ui.depth--;
    }
    struct tui_view *v = rel_calloc(1, sizeof(*v));
    v->ops = ops;
    v->data = data;
    snprintf(v->crumb, sizeof(v->crumb), "%s", crumb);
    ui.stack[ui.depth++] = v;
    ui.need_draw = true;
    return v;
}

struct tui_view *tui_top(void)
{
    return ui.depth ? ui.stack[ui.depth - 1] : NULL;
}

struct tui_view *tui_below(struct tui_view *v)
{
    for (int i = 1; i < ui.depth; i++)
        if (ui.stack[i] == v)
            return ui.stack[i - 1];
    return NULL;
}

static void pop_view(void)
{
    if (ui.depth == 0)
        return;
    struct tui_view *v = ui.stack[--ui.depth];
    if (v->ops->destroy)
        v->ops->destroy(v);
    free(v);
    ui.need_draw = true;
}

void tui_close_later(struct tui_view *v)
{
    v->closing = true;
}

/* Remove the views marked by tui_close_later(). */
static void reap_views(void)
{
    int kept = 0;
    for (int i = 0; i < ui.depth; i++) {
        struct tui_view *v = ui.stack[i];
        if (v->closing && ui.depth > 1) {
            if (v->ops->destroy)
                v->ops->destroy(v);
            free(v);
            ui.need_draw = true;
        } else {
            ui.stack[kept++] = v;
        }
    }
    ui.depth = kept;
}

static struct tui_list *top_list(void)
{
    struct tui_view *v = tui_top();
    return v && v->ops->list ? v->ops->list(v) : NULL;
}

static bool anything_dirty(void)
{
    for (int i = 0; i < ui.depth; i++)
        if (ui.stack[i]->ops->dirty && ui.stack[i]->ops->dirty(ui.stack[i]))
            return true;
    return false;
}

static struct tui_view *dirty_view(void)
{
    for (int i = ui.depth - 1; i >= 0; i--)
        if (ui.stack[i]->ops->dirty && ui.stack[i]->ops->dirty(ui.stack[i]))
            return ui.stack[i];
    return NULL;
}

/* ----------------------------------------------------------------- drawing */

static void draw_title(void)
{
    tui_fill(0, 0, COLS, TUI_ROLE_TITLE);
    struct rel_buf crumbs = REL_BUF_INIT, status = REL_BUF_INIT;
    rel_buf_puts(&crumbs, " relman");
    for (int i = 0; i < ui.depth; i++)
        if (ui.stack[i]->crumb[0])
            rel_buf_printf(&crumbs, " %s %s", tui_glyph(TUI_GLYPH_CRUMB), ui.stack[i]->crumb);
    struct tui_view *v = tui_top();
    if (v && v->ops->status)
        v->ops->status(v, &status);
    int sw = tui_text_width(rel_buf_cstr(&status));
    int cw = tui_text_width(rel_buf_cstr(&crumbs));
    /* The status keeps at most half the bar; the crumbs get the rest. */
    if (sw > COLS / 2)
        sw = COLS / 2;
    int room = COLS - (sw ? sw + 2 : 0);
    if (cw > room) {
        /* keep the end of the breadcrumbs: where the user is */
        const char *s = rel_buf_cstr(&crumbs);
        while (*s && tui_text_width(s) > room - 2)
            s++;
        while ((*s & 0xC0) == 0x80)
            s++;
        tui_put(0, 0, room, TUI_ROLE_TITLE, " ");
        tui_put(0, 1, room - 1, TUI_ROLE_TITLE, tui_glyph(TUI_GLYPH_ELLIPSIS));
        tui_put(0, 2, room - 2, TUI_ROLE_TITLE, s);
    } else {
        tui_put(0, 0, room, TUI_ROLE_TITLE, rel_buf_cstr(&crumbs));
    }
    if (sw)
        tui_put(0, COLS - sw - 1, sw, TUI_ROLE_TITLE, rel_buf_cstr(&status));
    rel_buf_free(&crumbs);
    rel_buf_free(&status);
}

/* "KEY label" of the actions with a hint label in `scope` (its own ones,
 * or the generic ones), in table order. */
static size_t hint_items(char items[][64], size_t max, enum tui_scope_id scope, bool generic)
{
    size_t n = 0;
    for (int a = 1; a < TUI_ACT_COUNT && n < max; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        if (!info->hint[0])
            continue;
        bool is_generic = info->scope & TUI_SCOPE_GENERIC;
        if (is_generic != generic || (!generic && !(info->scope & (1u << scope))))
            continue;
        if (a == TUI_ACT_BACK && ui.depth < 2)
            continue;
        char key[32];
        tui_keymap_first_key(scope, (enum tui_action)a, key, sizeof(key));
        if (key[0])
            snprintf(items[n++], 64, "%s %s", key, info->hint);
    }
    return n;
}

/*
 * The key-hint bar: the screen's own actions on the left, the generic ones
 * on the right. "? help" is always there; the other generic hints are shown
 * as far as they fit after the screen's own.
 */
static void draw_hints(int y)
{
    tui_fill(y, 0, COLS, TUI_ROLE_STATUS);
    struct tui_view *v = tui_top();
    enum tui_scope_id scope = v ? v->ops->scope : TUI_SCOPEID_GENERIC;
    char own[32][64], gen[16][64];
    size_t nown = hint_items(own, 32, scope, false);
    size_t ngen = hint_items(gen, 16, scope, true);
    const char *sep = tui_glyph(TUI_GLYPH_DOT);
    struct rel_buf left = REL_BUF_INIT, right = REL_BUF_INIT;
    for (size_t i = 0; i < nown; i++)
        rel_buf_printf(&left, "%s%s%s%s", i ? " " : "", i ? sep : "", i ? " " : "", own[i]);
    int lw = tui_text_width(rel_buf_cstr(&left));
    /* "? help" first, then the rest while they fit */
    size_t help = ngen;
    char help_hint[64] = "";
    char key[32];
    tui_keymap_first_key(scope, TUI_ACT_HELP, key, sizeof(key));
    if (key[0])
        snprintf(help_hint, sizeof(help_hint), "%s %s", key, tui_action_info(TUI_ACT_HELP)->hint);
    for (size_t i = 0; i < ngen; i++)
        if (strcmp(gen[i], help_hint) == 0)
            help = i;
    rel_buf_puts(&right, help_hint);
    for (size_t i = 0; i < ngen; i++) {
        if (i == help)
            continue;
        int rw = tui_text_width(rel_buf_cstr(&right));
        int add = tui_text_width(gen[i]) + 3;
        if (lw + 4 + rw + add > COLS - 1)
            break;
        rel_buf_printf(&right, " %s %s", sep, gen[i]);
    }
    int rw = tui_text_width(rel_buf_cstr(&right));
    tui_put(y, 1, COLS - rw - 4, TUI_ROLE_STATUS, rel_buf_cstr(&left));
    tui_put(y, COLS - rw - 1, rw, TUI_ROLE_STATUS, rel_buf_cstr(&right));
    rel_buf_free(&left);
    rel_buf_free(&right);
}

static void draw_message_line(int y)
{
    tui_fill(y, 0, COLS, TUI_ROLE_MESSAGE);
    if (ui.modal == MODAL_PROMPT) {
        int lw = tui_put(y, 0, COLS, TUI_ROLE_PROMPT, ui.label);
        /* show the end of a long input */
        char stars[sizeof(ui.input)];
        const char *s = ui.input;
        if (ui.prompt_flags & TUI_PROMPT_SECRET) {
            size_t n = 0;
            for (const char *c = ui.input; *c; c++)
                if ((*c & 0xC0) != 0x80)
                    stars[n++] = '*';
            stars[n] = '\0';
            s = stars;
        }
        while (*s && tui_text_width(s) > COLS - lw - 1)
            s++;
        while ((*s & 0xC0) == 0x80)
            s++;
        int iw = tui_put(y, lw, COLS - lw, TUI_ROLE_DEFAULT, s);
        move(y, lw + iw < COLS ? lw + iw : COLS - 1);
        return;
    }
    if (ui.modal == MODAL_CONFIRM) {
        tui_put(y, 0, COLS, TUI_ROLE_PROMPT, ui.label);
        return;
    }
    if (ui.message[0]) {
        tui_put(y, 0, COLS, ui.message_error ? TUI_ROLE_ERROR : TUI_ROLE_MESSAGE, ui.message);
        return;
    }
    struct tui_list *l = top_list();
    if (l && l->filter[0])
        tui_putf(y, 0, COLS, TUI_ROLE_MESSAGE, "filter: %s  (%zu of %zu shown; <Esc> clears)",
                 l->filter, l->nvisible, l->count);
}

static void draw_menu(void)
{
    int w = tui_text_width(ui.label) + 4;
    for (int i = 0; i < ui.menu_n; i++) {
        int iw = tui_text_width(ui.menu_items[i]) + 6;
        if (iw > w)
            w = iw;
    }
    if (w > COLS - 2)
        w = COLS - 2;
    int h = ui.menu_n + 2;
    if (h > LINES - 4)
        h = LINES - 4;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    int shown = h - 2;
    int first = ui.menu_sel >= shown ? ui.menu_sel - shown + 1 : 0;
    for (int r = 0; r < h; r++)
        tui_fill(y0 + r, x0, w, TUI_ROLE_DIALOG);
    tui_put(y0, x0 + 1, w - 2, TUI_ROLE_DIALOG, ui.label);
    for (int r = 0; r < shown && first + r < ui.menu_n; r++) {
        int i = first + r;
        bool sel = i == ui.menu_sel;
        enum tui_role role = sel ? TUI_ROLE_SELECTION : TUI_ROLE_DIALOG;
        tui_fill(y0 + 1 + r, x0 + 1, w - 2, role);
        tui_put(y0 + 1 + r, x0 + 1, 2, role, sel ? tui_glyph(TUI_GLYPH_CURSOR) : " ");
        tui_put(y0 + 1 + r, x0 + 3, w - 4, role, ui.menu_items[i]);
    }
    tui_putf(y0 + h - 1, x0 + 1, w - 2, TUI_ROLE_DIALOG, "<Enter> choose %s <Esc> cancel",
             tui_glyph(TUI_GLYPH_DOT));
}

/* A confirmation with a body: a box in the middle, the question stays on
 * the message line. */
static void draw_dialog(void)
{
    int w = tui_text_width(ui.dialog_title) + 4;
    int n = 0;
    char *copy = rel_strdup(ui.dialog_body);
    char *lines[64];
    for (char *l = copy; l && n < 64;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        lines[n++] = l;
        int lw = tui_text_width(l) + 4;
        if (lw > w)
            w = lw;
        l = nl && nl[1] ? nl + 1 : NULL;
    }
    if (w > COLS - 2)
        w = COLS - 2;
    int h = n + 4; /* frame, title, blank, body, frame */
    if (h > LINES - 4)
        h = LINES - 4;
    int y0 = (LINES - 2 - h) / 2, x0 = (COLS - w) / 2;
    for (int r = 0; r < h; r++)
        tui_fill(y0 + r, x0, w, TUI_ROLE_DIALOG);
    tui_hline(y0, x0, w, TUI_ROLE_DIALOG);
    tui_hline(y0 + h - 1, x0, w, TUI_ROLE_DIALOG);
    tui_vline(y0, x0, h, TUI_ROLE_DIALOG);
    tui_vline(y0, x0 + w - 1, h, TUI_ROLE_DIALOG);
    char title[300];
    snprintf(title, sizeof(title), " %s ", ui.dialog_title);
    tui_put(y0, x0 + 2, w - 4, TUI_ROLE_DIALOG, title);
    for (int i = 0; i < n && i < h - 4; i++)
        tui_put(y0 + 2 + i, x0 + 2, w - 4, TUI_ROLE_DIALOG, lines[i]);
    free(copy);
}

static void draw_all(void)
{
    if (ui.need_clear) {
        clearok(curscr, TRUE);
        ui.need_clear = false;
    }
    erase();
    curs_set(0);
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        char msg[80];
        snprintf(msg, sizeof(msg), "terminal too small (%dx%d); relman needs %dx%d", COLS, LINES,
                 MIN_COLS, MIN_LINES);
        mvaddnstr(LINES / 2, 0, msg, COLS);
        refresh();
        ui.need_draw = false;
        return;
    }
    draw_title();
    struct tui_view *v = tui_top();
    struct tui_rect content = {1, 0, LINES - 3, COLS};
    if (v && v->ops->draw)
        v->ops->draw(v, content);
    draw_hints(LINES - 2);
    if (ui.modal == MODAL_MENU)
        draw_menu();
    if (ui.modal == MODAL_CONFIRM && ui.dialog_body)
        draw_dialog();
    draw_message_line(LINES - 1);
    if (ui.modal == MODAL_PROMPT && !ui.headless)
        curs_set(1);
    refresh();
    ui.need_draw = false;
}

/* ------------------------------------------------------------- screen dump */

/* The screen as text, one line per row, trailing blanks removed. */
static void screen_text(struct rel_buf *out)
{
    for (int y = 0; y < LINES; y++) {
        size_t start = out->len;
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1];
            attr_t attrs;
            short pair;
            if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR) {
                rel_buf_putc(out, ' ');
                continue;
            }
            char mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
            size_t n = 0;
            mbstate_t st;
            memset(&st, 0, sizeof(st));
            for (int k = 0; wch[k] && k < CCHARW_MAX; k++) {
                size_t m = wcrtomb(mb + n, wch[k], &st);
                if (m == (size_t)-1) {
                    mb[n] = '?';
                    m = 1;
                }
                n += m;
            }
            if (n == 0)
                mb[n++] = ' ';
            rel_buf_put(out, mb, n);
            int w = wch[0] ? wcwidth(wch[0]) : 1;
            if (w > 1)
                x += w - 1;
        }
        while (out->len > start && out->ptr[out->len - 1] == ' ')
            rel_buf_truncate(out, out->len - 1);
        rel_buf_putc(out, '\n');
    }
}

static bool screen_contains(const char *text)
{
    struct rel_buf s = REL_BUF_INIT;
    screen_text(&s);
    bool found = strstr(rel_buf_cstr(&s), text) != NULL;
    rel_buf_free(&s);
    return found;
}

static int dump_screen(const char *name)
{
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return rel_error_set(REL_EINVAL, "dump name '%s': use letters, digits, '-', '_', '.'",
                                 name);
    if (!name[0] || name[0] == '.')
        return rel_error_set(REL_EINVAL, "dump needs a NAME");
    if (ui.need_draw)
        draw_all();
    const char *dir = ui.dump_dir ? ui.dump_dir : ".";
    char *path = rel_asprintf("%s/%s.txt", dir, name);
    struct rel_buf s = REL_BUF_INIT;
    screen_text(&s);
    int rc = rel_fs_mkdirs(dir, 0755);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, s.ptr ? s.ptr : "", s.len, 0644);
    if (rc == 0 && !ui.headless) /* a script keeps the message line as it was */
        tui_message("screen written to %s", path);
    free(path);
    rel_buf_free(&s);
    return rc;
}

/* --------------------------------------------------------------- commands */

static int split_words(char *line, char **argv, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save))
        argv[n++] = w;
    return n;
}

static int set_theme(const char *name)
{
    struct tui_theme t;
    int rc = tui_theme_load(&t, ui.force_mono ? "monochrome" : name);
    if (rc < 0)
        return rc;
    ui.theme = t;
    ui.color = tui_theme_apply(&ui.theme, !ui.force_mono);
    ui.need_clear = ui.need_draw = true;
    return 0;
}

static int dispatch_action(enum tui_action a);

static int run_command(const char *text)
{
    char line[512];
    snprintf(line, sizeof(line), "%s", text);
    char *argv[16];
    int argc = split_words(line, argv, 16);
    if (argc == 0)
        return TUI_R_REDRAW;
    const char *cmd = argv[0];
    struct tui_view *v = tui_top();

    if (v && v->ops->command) {
        int r = v->ops->command(v, argc, argv);
        if (!(r & TUI_R_UNHANDLED))
            return r;
    }
    if (strcmp(cmd, "theme") == 0) {
        if (argc != 2) {
            tui_error("usage: theme NAME");
        } else if (set_theme(argv[1]) < 0) {
            tui_core_error(NULL);
        } else if (ui.force_mono) {
            tui_message("no colour (NO_COLOR or --no-color): staying monochrome");
        } else {
            tui_message("theme %s", ui.theme.name);
        }
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "unbind") == 0) {
        struct tui_conf conf = {{0}};
        if (tui_conf_line(&conf, text, ":", 0) < 0)
            tui_core_error(NULL);
        else
            tui_message("%s", text);
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "dump") == 0) {
        if (argc != 2)
            tui_error("usage: dump NAME");
        else if (dump_screen(argv[1]) < 0)
            tui_core_error("dump");
        return TUI_R_REDRAW;
    }
    if (strcmp(cmd, "q") == 0)
        return dispatch_action(TUI_ACT_QUIT);
    enum tui_action a = tui_action_find(cmd);
    if (a != TUI_ACT_NONE) {
        if (argc > 1) {
            tui_error("'%s' takes no arguments", cmd);
            return TUI_R_REDRAW;
        }
        return dispatch_action(a);
    }
    tui_error("unknown command '%s' (<Tab> completes; ? lists them)", cmd);
    return TUI_R_REDRAW;
}

/* Candidates for completing the first word of the command line. */
static size_t command_candidates(const char *prefix, const char **out, size_t max)
{
    size_t n = 0, plen = strlen(prefix);
    struct tui_view *v = tui_top();
    unsigned mask = TUI_SCOPE_GENERIC | (v ? 1u << v->ops->scope : 0);
    for (size_t i = 0; i < NBUILTIN && n < max; i++)
        if (strncmp(builtin_commands[i].name, prefix, plen) == 0 &&
            strlen(builtin_commands[i].name) > 1)
            out[n++] = builtin_commands[i].name;
    for (int a = 1; a < TUI_ACT_COUNT && n < max; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        if ((info->scope & mask) && strncmp(info->name, prefix, plen) == 0)
            out[n++] = info->name;
    }
    if (v && v->ops->commands)
        for (const char *const *c = v->ops->commands; *c && n < max; c++) {
            size_t len = strcspn(*c, " ");
            if (len >= plen && strncmp(*c, prefix, plen) == 0)
                out[n++] = *c;
        }
    return n;
}

static void complete_command(void)
{
    if (strchr(ui.input, ' ')) {
        /* second word of `theme`: the built-in theme names */
        if (strncmp(ui.input, "theme ", 6) == 0) {
            const char *p = ui.input + 6;
            const char *match = NULL;
            int count = 0;
            for (int i = 0; tui_theme_builtin_names[i]; i++)
                if (strncmp(tui_theme_builtin_names[i], p, strlen(p)) == 0) {
                    match = tui_theme_builtin_names[i];
                    count++;
                }
            if (count == 1)
                snprintf(ui.input, sizeof(ui.input), "theme %s", match);
        }
        return;
    }
    const char *cand[128];
    size_t n = command_candidates(ui.input, cand, 128);
    if (n == 0) {
        tui_error("no command starts with '%s'", ui.input);
        return;
    }
    /* longest common prefix */
    size_t common = strcspn(cand[0], " ");
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < common && cand[i][k] == cand[0][k])
            k++;
        common = k;
    }
    if (common >= sizeof(ui.input) - 2)
        common = sizeof(ui.input) - 2;
    memcpy(ui.input, cand[0], common);
    ui.input[common] = '\0';
    if (n == 1) {
        strcat(ui.input, " ");
        ui.message[0] = '\0';
        return;
    }
    struct rel_buf list = REL_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(&list, "%s%.*s", i ? "  " : "", (int)strcspn(cand[i], " "), cand[i]);
    tui_message("%s", rel_buf_cstr(&list));
    rel_buf_free(&list);
}

static int command_prompt_done(void *ctx, const char *text, bool done, bool canceled)
{
    (void)ctx;
    if (!done)
        return TUI_R_REDRAW;
    bool dump = strncmp(text + strspn(text, " "), "dump ", 5) == 0;
    if (canceled || dump) {
        memcpy(ui.message, ui.saved_message, sizeof(ui.message));
        ui.message_error = ui.saved_error;
    } else {
        ui.message[0] = '\0';
    }
    return canceled ? TUI_R_REDRAW : run_command(text);
}

static int filter_prompt(void *ctx, const char *text, bool done, bool canceled)
{
    (void)ctx;
    (void)done;
    struct tui_list *l = top_list();
    if (l)
        tui_list_set_filter(l, canceled ? "" : text);
    return TUI_R_REDRAW;
}

/* -------------------------------------------------------------- quitting */

static int quit_answer(void *ctx, int key)
{
    (void)ctx;
    if (key == 'y') {
        ui.quit = true;
    } else if (key == 's') {
        struct tui_view *v = dirty_view();
        if (v && v->ops->action)
            v->ops->action(v, TUI_ACT_SAVE);
        if (!anything_dirty())
            ui.quit = true;
    } else {
        tui_message("not quitting");
    }
    return TUI_R_REDRAW;
}

static void request_quit(void)
{
    if (!anything_dirty()) {
        ui.quit = true;
        return;
    }
    tui_confirm("Unsaved changes to relman.yml. Quit anyway?  y: quit without saving  "
                "s: save and quit  n: stay",
                "yns", quit_answer, NULL);
}

/* ---------------------------------------------------------------- dispatch */

static int generic_action(enum tui_action a)
{
    struct tui_view *v = tui_top();
    struct tui_list *l = top_list();
    switch (a) {
    case TUI_ACT_QUIT:
        return TUI_R_QUIT;
    case TUI_ACT_BACK:
        if (l && l->filter[0]) {
            tui_list_set_filter(l, "");
            tui_message("filter cleared");
            return TUI_R_REDRAW;
        }
        if (ui.depth > 1)
            return TUI_R_CLOSE;
        tui_message("press %s to quit",
                    tui_keymap_first_key(v->ops->scope, TUI_ACT_QUIT, (char[32]){0}, 32));
        return TUI_R_REDRAW;
    case TUI_ACT_HELP:
        if (v && v->ops->scope == TUI_SCOPEID_HELP)
            return TUI_R_NONE;
        tui_help_open(v ? v->ops->scope : TUI_SCOPEID_GENERIC);
        return TUI_R_REDRAW;
    case TUI_ACT_FILTER:
        if (!l) {
            tui_message("nothing to filter on this screen");
            return TUI_R_REDRAW;
        }
        tui_prompt("/", l->filter, TUI_PROMPT_INCREMENTAL, filter_prompt, NULL);
        return TUI_R_REDRAW;
    case TUI_ACT_COMMAND:
        memcpy(ui.saved_message, ui.message, sizeof(ui.message));
        ui.saved_error = ui.message_error;
        ui.message[0] = '\0';
        tui_prompt(":", "", TUI_PROMPT_COMPLETE, command_prompt_done, NULL);
        return TUI_R_REDRAW;
    case TUI_ACT_REDRAW:
        ui.need_clear = true;
        return TUI_R_REDRAW;
    case TUI_ACT_RELOAD:
        return TUI_R_RELOAD;
    default:
        break;
    }
    if (l) {
        int r = tui_list_action(l, a);
        if (!(r & TUI_R_UNHANDLED))
            return r;
    }
    tui_message("'%s' does nothing on this screen", tui_action_info(a)->name);
    return TUI_R_REDRAW;
}

static void apply_reaction(int r)
{
    if (r & TUI_R_CLOSE) {
        if (ui.depth > 1)
            pop_view();
        r |= TUI_R_REDRAW;
    }
    if (r & TUI_R_RELOAD) {
        for (int i = 0; i < ui.depth; i++) {
            struct tui_view *v = ui.stack[i];
            if (v->ops->reload && v->ops->reload(v) < 0)
                tui_core_error("reload");
        }
        r |= TUI_R_REDRAW;
    }
    if (r & TUI_R_QUIT)
        request_quit();
    if (r & (TUI_R_REDRAW | TUI_R_QUIT))
        ui.need_draw = true;
    reap_views();
}

static int dispatch_action(enum tui_action a)
{
    struct tui_view *v = tui_top();
    int r = TUI_R_UNHANDLED;
    if (v && v->ops->action)
        r = v->ops->action(v, a);
    if (r & TUI_R_UNHANDLED)
        r = generic_action(a);
    return r;
}

/* Backspace: remove the last UTF-8 character. */
static void input_backspace(void)
{
    size_t n = strlen(ui.input);
    while (n > 0 && (ui.input[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0)
        n--;
    ui.input[n] = '\0';
}

static int prompt_key(int key)
{
    tui_prompt_fn fn = ui.prompt_fn;
    void *ctx = ui.modal_ctx;
    if (key == TUI_KEY_ESC || key == TUI_KEY_CTRL('G')) {
        char text[sizeof(ui.input)];
        strcpy(text, ui.input);
        end_modal();
        int r = fn(ctx, text, true, true);
        memset(text, 0, sizeof(text));
        return r;
    }
    if (key == TUI_KEY_ENTER) {
        char text[sizeof(ui.input)];
        strcpy(text, ui.input);
        end_modal();
        int r = fn(ctx, text, true, false);
        memset(text, 0, sizeof(text));
        return r;
    }
    if (key == (TUI_KEY_FN | KEY_BACKSPACE)) {
        if (!ui.input[0] && !(ui.prompt_flags & TUI_PROMPT_INCREMENTAL)) {
            end_modal();
            return fn(ctx, "", true, true);
        }
        input_backspace();
    } else if (key == TUI_KEY_CTRL('U')) {
        ui.input[0] = '\0';
    } else if (key == TUI_KEY_CTRL('W')) {
        size_t n = strlen(ui.input);
        while (n > 0 && ui.input[n - 1] == ' ')
            n--;
        while (n > 0 && ui.input[n - 1] != ' ')
            n--;
        ui.input[n] = '\0';
    } else if (key == TUI_KEY_TAB && (ui.prompt_flags & TUI_PROMPT_COMPLETE)) {
        complete_command();
    } else if (!(key & TUI_KEY_FN) && key >= 0x20 && key != 0x7f) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st;
        memset(&st, 0, sizeof(st));
        size_t m = wcrtomb(mb, (wchar_t)key, &st);
        if (m != (size_t)-1 && strlen(ui.input) + m + 1 < sizeof(ui.input)) {
            mb[m] = '\0';
            strcat(ui.input, mb);
        }
    } else {
        return TUI_R_REDRAW; /* other keys are ignored while typing */
    }
    if (ui.prompt_flags & TUI_PROMPT_INCREMENTAL)
        return fn(ctx, ui.input, false, false) | TUI_R_REDRAW;
    return TUI_R_REDRAW;
}

static int menu_key(int key)
{
    tui_menu_fn fn = ui.menu_fn;
    void *ctx = ui.modal_ctx;
    enum tui_action a = tui_keymap_lookup(TUI_SCOPEID_GENERIC, key);
    if (key == TUI_KEY_ESC || a == TUI_ACT_BACK || a == TUI_ACT_QUIT) {
        end_modal();
        return fn(ctx, -1);
    }
    if (key == TUI_KEY_ENTER || key == ' ') {
        int choice = ui.menu_sel;
        end_modal();
        return fn(ctx, choice);
    }
    if (a == TUI_ACT_MOVE_DOWN && ui.menu_sel + 1 < ui.menu_n)
        ui.menu_sel++;
    else if (a == TUI_ACT_MOVE_UP && ui.menu_sel > 0)
        ui.menu_sel--;
    else if (a == TUI_ACT_MOVE_FIRST || a == TUI_ACT_PAGE_UP)
        ui.menu_sel = 0;
    else if (a == TUI_ACT_MOVE_LAST || a == TUI_ACT_PAGE_DOWN)
        ui.menu_sel = ui.menu_n - 1;
    return TUI_R_REDRAW;
}

static int confirm_key(int key)
{
    tui_confirm_fn fn = ui.confirm_fn;
    void *ctx = ui.modal_ctx;
    if (key == TUI_KEY_ESC) {
        end_modal();
        return fn(ctx, 0);
    }
    if (!(key & TUI_KEY_FN) && key > 0 && key < 0x80 && strchr(ui.confirm_keys, key)) {
        end_modal();
        return fn(ctx, key);
    }
    return TUI_R_NONE;
}

static void handle_key(int key)
{
    if (key == tui_key_resize()) {
        ui.need_clear = ui.need_draw = true;
        return;
    }
    int r;
    if (ui.modal == MODAL_PROMPT) {
        r = prompt_key(key);
    } else if (ui.modal == MODAL_MENU) {
        r = menu_key(key);
    } else if (ui.modal == MODAL_CONFIRM) {
        r = confirm_key(key);
    } else {
        struct tui_view *v = tui_top();
        enum tui_action a = tui_keymap_lookup(v ? v->ops->scope : TUI_SCOPEID_GENERIC, key);
        if (a != TUI_ACT_COMMAND) {
            ui.message[0] = '\0';
            ui.message_error = false;
        }
        if (a == TUI_ACT_NONE) {
            char name[32];
            tui_message("%s does nothing here (? lists the keys)",
                        tui_key_name(key, name, sizeof(name)));
            r = TUI_R_REDRAW;
        } else {
            r = dispatch_action(a);
        }
    }
    apply_reaction(r);
}

/* ---------------------------------------------------------------- terminal */

static void on_signal(int sig)
{
    if (sig == SIGINT)
        got_int = 1;
    else
        got_term = 1;
}

static void on_fatal(int sig)
{
    /* Leave the terminal usable, then die of the same signal. */
    if (ui.screen)
        endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void restore_signals(void)
{
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
}

static void set_modes(void)
{
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
}

static int env_size(int *lines, int *cols)
{
    const char *s = getenv("RELMAN_TUI_SIZE");
    if (!s || !s[0])
        return 0;
    char extra;
    if (sscanf(s, "%dx%d%c", cols, lines, &extra) != 2 || *cols < 1 || *lines < 1 || *cols > 1000 ||
        *lines > 1000)
        return rel_error_set(REL_EUSAGE, "RELMAN_TUI_SIZE='%s': expected COLSxLINES (e.g. 80x24)",
                             s);
    return 0;
}

static int open_terminal(const struct tui_options *opts)
{
    if (ui.headless) {
        int lines = opts->lines, cols = opts->cols;
        if (!lines || !cols) {
            lines = 24;
            cols = 80;
            int rc = env_size(&lines, &cols);
            if (rc < 0)
                return rc;
        }
        const char *log = opts->ttylog ? opts->ttylog : getenv("RELMAN_TUI_TTYLOG");
        ui.tty_out = fopen(log && log[0] ? log : "/dev/null", "w");
        ui.tty_in = fopen("/dev/null", "r");
        if (!ui.tty_out || !ui.tty_in)
            return rel_error_set_errno(REL_EIO, errno, "cannot open %s",
                                       log && log[0] ? log : "/dev/null");
        ui.own_tty = true;
        char l[16], c[16];
        snprintf(l, sizeof(l), "%d", lines);
        snprintf(c, sizeof(c), "%d", cols);
        setenv("LINES", l, 1);
        setenv("COLUMNS", c, 1);
        const char *term = getenv("TERM");
        const char *tries[] = {term && term[0] && strcmp(term, "dumb") != 0 ? term : NULL,
                               "xterm-256color", "xterm", "vt100"};
        for (size_t i = 0; i < 4 && !ui.screen; i++)
            if (tries[i])
                ui.screen = newterm(tries[i], ui.tty_out, ui.tty_in);
        unsetenv("LINES");
        unsetenv("COLUMNS");
        if (!ui.screen)
            return rel_error_set(REL_EUNSUPPORTED, "cannot start curses (no usable terminfo)");
        resizeterm(lines, cols);
        return 0;
    }
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        ui.tty_in = stdin;
        ui.tty_out = stdout;
    } else {
        FILE *tty = fopen("/dev/tty", "r+");
        if (!tty)
            return rel_error_set(REL_EUNSUPPORTED,
                                 "relman tui needs a terminal (for scripted use, see "
                                 "RELMAN_TUI_SCRIPT in docs/tui.md)");
        ui.tty_in = ui.tty_out = tty;
        ui.own_tty = true;
    }
    const char *term = getenv("TERM");
    if (!term || !term[0] || strcmp(term, "dumb") == 0)
        return rel_error_set(REL_EUNSUPPORTED,
                             "TERM is %s: relman tui needs a terminal that can move the cursor",
                             term && term[0] ? "dumb" : "not set");
    ui.screen = newterm(NULL, ui.tty_out, ui.tty_in);
    if (!ui.screen)
        return rel_error_set(REL_EUNSUPPORTED, "cannot start curses on terminal '%s'", term);
    return 0;
}

static void close_terminal(void)
{
    if (ui.screen) {
        endwin();
        delscreen(ui.screen);
        ui.screen = NULL;
    }
    if (ui.own_tty) {
        if (ui.tty_out && ui.tty_out != ui.tty_in)
            fclose(ui.tty_out);
        if (ui.tty_in)
            fclose(ui.tty_in);
    }
    ui.tty_in = ui.tty_out = NULL;
    ui.own_tty = false;
}

/* ----------------------------------------------------------- external */

bool tui_can_external(void)
{
    return !ui.headless && ui.screen;
}

int tui_external(tui_external_fn fn, void *ctx)
{
    if (ui.headless || !ui.screen)
        return rel_error_set(REL_EUSAGE, "this needs a terminal (not in the headless mode)");
    int in_fd = fileno(ui.tty_in), out_fd = fileno(ui.tty_out);
    def_prog_mode();
    endwin();
    fflush(ui.tty_out);
    int rc = fn(ctx, in_fd, out_fd);
    reset_prog_mode();
    /* the window may have changed size while we were away */
    struct winsize ws;
    if (ioctl(out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
        resizeterm(ws.ws_row, ws.ws_col);
    set_modes();
    /* keys typed for the other program must not reach the screen */
    flushinp();
    ui.need_clear = ui.need_draw = true;
    return rc;
}

/* ------------------------------------------------------------------- loop */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() the watched fds (and the tty when `tty_fd` >= 0) for up to
 * `timeout` ms; run the callbacks; returns whether the tty is readable. */
static bool pump(int tty_fd, int timeout)
{
    struct pollfd pfd[MAX_WATCH + 1];
    int n = 0;
    for (int i = 0; i < ui.nwatch; i++)
        pfd[n++] = (struct pollfd){ui.watch[i].fd, ui.watch[i].events, 0};
    int tty_slot = -1;
    if (tty_fd >= 0) {
        tty_slot = n;
        pfd[n++] = (struct pollfd){tty_fd, POLLIN, 0};
    }
    int rc = poll(pfd, (nfds_t)n, timeout);
    if (rc <= 0)
        return rc < 0 && errno == EINTR; /* a signal (SIGWINCH): look at the tty */
    /* Callbacks may unwatch: match by fd, not by slot. */
    for (int i = 0; i < n; i++) {
        if (i == tty_slot || !pfd[i].revents)
            continue;
        for (int w = 0; w < ui.nwatch; w++)
            if (ui.watch[w].fd == pfd[i].fd) {
                apply_reaction(ui.watch[w].fn(ui.watch[w].ctx, pfd[i].fd, pfd[i].revents));
                break;
            }
    }
    return tty_slot >= 0 && pfd[tty_slot].revents;
}

static void check_signals(void)
{
    if (got_term) {
        ui.quit = true;
    }
    if (got_int) {
        got_int = 0;
        apply_reaction(TUI_R_QUIT);
    }
}

static int run_interactive(void)
{
    int fd = fileno(ui.tty_in);
    while (!ui.quit) {
        if (ui.need_draw)
            draw_all();
        bool ready = pump(fd, -1);
        check_signals();
        if (!ready)
            continue;
        for (;;) {
            wint_t wch;
            int ret = get_wch(&wch);
            if (ret == ERR)
                break;
            handle_key(tui_key_from_curses(ret, (unsigned)wch));
            if (ui.quit)
                break;
        }
    }
    return 0;
}

static int run_script(void)
{
    char where[300];
    while (!ui.quit) {
        pump(-1, 0);
        check_signals();
        if (ui.need_draw)
            draw_all();
        struct tui_step step;
        int rc = tui_script_next(ui.script, &step);
        if (rc < 0)
            return rc;
        switch (step.kind) {
        case TUI_STEP_END:
            return 0;
        case TUI_STEP_KEY:
            handle_key(step.key);
            break;
        case TUI_STEP_DUMP:
            if (dump_screen(step.text) < 0) {
                rel_error_prefix("%s", tui_script_where(ui.script, where, sizeof(where)));
                return rel_error_code();
            }
            break;
        case TUI_STEP_RESIZE:
            resizeterm(step.lines, step.cols);
            handle_key(tui_key_resize());
            break;
        case TUI_STEP_SLEEP: {
            long end = now_ms() + step.ms;
            for (long left = step.ms; left > 0 && !ui.quit; left = end - now_ms())
                pump(-1, (int)left);
            break;
        }
        case TUI_STEP_WAIT: {
            long end = now_ms() + step.timeout_ms;
            for (;;) {
                if (ui.need_draw)
                    draw_all();
                if (screen_contains(step.text) != step.wait_absent)
                    break;
                long left = end - now_ms();
                if (left <= 0) {
                    struct rel_buf s = REL_BUF_INIT;
                    screen_text(&s);
                    if (ui.dump_dir && rel_fs_mkdirs(ui.dump_dir, 0755) == 0) {
                        char *path = rel_path_join2(ui.dump_dir, "timeout.txt");
                        rel_fs_write_atomic(path, s.ptr ? s.ptr : "", s.len, 0644);
                        free(path);
                    }
                    rel_buf_free(&s);
                    return rel_error_set(REL_ECANCELED, "%s: timed out waiting %s '%s'",
                                         tui_script_where(ui.script, where, sizeof(where)),
                                         step.wait_absent ? "for the end of" : "for", step.text);
                }
                pump(-1, left < 50 ? (int)left : 50);
            }
            break;
        }
        }
    }
    return 0;
}

static void reset_state(void)
{
    memset(&ui, 0, sizeof(ui));
    got_term = got_int = 0;
}

int tui_run(const struct tui_options *opts)
{
    reset_state();
    tui_keymap_reset();

    struct tui_conf conf = {{0}};
    int rc = tui_conf_load(&conf);
    if (rc < 0)
        goto cleanup;

    const char *no_color = getenv("NO_COLOR");
    ui.force_mono = opts->no_color || (no_color && no_color[0]);
    const char *theme = opts->theme;
    const char *env_theme = getenv("RELMAN_THEME");
    if (!theme && env_theme && env_theme[0])
        theme = env_theme;
    if (!theme && conf.theme[0])
        theme = conf.theme;
    if (!theme)
        theme = "dark";
    rc = tui_theme_load(&ui.theme, ui.force_mono ? "monochrome" : theme);
    if (rc < 0)
        goto cleanup;

    const char *script = opts->script ? opts->script : getenv("RELMAN_TUI_SCRIPT");
    if (script && script[0]) {
        ui.headless = true;
        rc = tui_script_open(&ui.script, script);
        if (rc < 0)
            goto cleanup;
    }
    ui.dump_dir = opts->dump_dir ? opts->dump_dir : getenv("RELMAN_TUI_DUMP");
    if (ui.dump_dir && !ui.dump_dir[0])
        ui.dump_dir = NULL;

    tui_draw_init(opts->ascii);
    install_signals();
    rc = open_terminal(opts);
    if (rc < 0)
        goto cleanup;
    set_modes();
    if (!ui.force_mono && !has_colors())
        tui_theme_load(&ui.theme, "monochrome");
    ui.color = tui_theme_apply(&ui.theme, !ui.force_mono && has_colors());

    rc = tui_root_open(opts->path);
    if (rc < 0)
        goto cleanup;
    ui.need_draw = true;
    rc = ui.headless ? run_script() : run_interactive();

cleanup:
    while (ui.depth)
        pop_view();
    end_modal();
    close_terminal();
    restore_signals();
    tui_script_free(ui.script);
    ui.script = NULL;
    tui_keymap_free();
    return rc;
}

void tui_print_keys(FILE *out)
{
    tui_keymap_reset();
    fprintf(out, "| Action | Keys | Screens | What it does |\n");
    fprintf(out, "|---|---|---|---|\n");
    for (int a = 1; a < TUI_ACT_COUNT; a++) {
        const struct tui_action_info *info = tui_action_info((enum tui_action)a);
        struct rel_buf keys = REL_BUF_INIT, scopes = REL_BUF_INIT;
        for (int s = 0; s < TUI_SCOPE_COUNT; s++) {
            if (!(info->scope & (1u << s)))
                continue;
            char buf[128];
            tui_keymap_keys((enum tui_scope_id)s, (enum tui_action)a, buf, sizeof(buf));
            if (!keys.len && buf[0])
                rel_buf_puts(&keys, buf);
            rel_buf_printf(&scopes, "%s%s", scopes.len ? ", " : "",
                           tui_scope_name((enum tui_scope_id)s));
        }
        /* each key in backticks, so Markdown shows <Esc> instead of eating it */
        struct rel_buf shown = REL_BUF_INIT;
        char *save = NULL, *copy = rel_strdup(rel_buf_cstr(&keys));
        for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save))
            rel_buf_printf(&shown, "%s`%s`", shown.len ? " " : "", k);
        free(copy);
        fprintf(out, "| `%s` | %s | %s | %s |\n", info->name,
                shown.len ? rel_buf_cstr(&shown) : "(none)", rel_buf_cstr(&scopes), info->help);
        rel_buf_free(&shown);
        rel_buf_free(&keys);
        rel_buf_free(&scopes);
    }
    fprintf(out, "\n| Command | Arguments | What it does |\n|---|---|---|\n");
    for (size_t i = 0; i < NBUILTIN; i++)
        fprintf(out, "| `%s` | %s | %s |\n", builtin_commands[i].name,
                builtin_commands[i].args[0] ? builtin_commands[i].args : "",
                builtin_commands[i].help);
    tui_keymap_free();
}

size_t tui_builtin_commands(const char **names, const char **args, const char **helps, size_t max)
{
    size_t n = 0;
    for (; n < NBUILTIN && n < max; n++) {
        names[n] = builtin_commands[n].name;
        args[n] = builtin_commands[n].args;
        helps[n] = builtin_commands[n].help;
    }
    return n;
}
