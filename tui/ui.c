/*
 * ui.c - the TUI's frame: the one poll() loop, the title / key-hint /
 * message lines, the dispatch of keys and actions, screen dumps and the
 * headless script driver. The pieces it drives have files of their own:
 * the view stack (view.c), dialogs (dialog.c), the `:` command line
 * (cmdline.c), the message line's text (message.c) and the terminal
 * (tty.c); tui.c sets them up and calls tui_ui_run().
 *
 * The loop, in one picture:
 *
 *     for (;;) {
 *         if (a repaint is due) draw everything, then refresh();  (ncurses sends the diff)
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
#include "core/utf8.h"
#include "tui/action.h"
#include "tui/cmdline.h"
#include "tui/help.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/screens.h"
#include "tui/script.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#define MAX_WATCH 32
#define MIN_COLS 40
#define MIN_LINES 10

struct watch {
    int fd;
    short events;
    tui_fd_fn fn;
    void *ctx;
};

static struct {
    bool quit;
    struct watch watch[MAX_WATCH];
    int nwatch;
    /* headless */
    struct tui_script *script;
    const char *dump_dir;
} ui;

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

/* ----------------------------------------------------------------- drawing */

static void draw_title(void)
{
    tui_fill(0, 0, COLS, TUI_ROLE_TITLE);
    struct rel_buf crumbs = REL_BUF_INIT, status = REL_BUF_INIT;
    rel_buf_puts(&crumbs, " relman");
    for (int i = 0; i < tui_view_depth(); i++)
        if (tui_view_at(i)->crumb[0])
            rel_buf_printf(&crumbs, " %s %s", tui_glyph(TUI_GLYPH_CRUMB), tui_view_at(i)->crumb);
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
        while (rel_utf8_is_cont((unsigned char)*s))
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
        if (a == TUI_ACT_BACK && tui_view_depth() < 2)
            continue;
        char key[32];
        tui_keymap_first_key(scope, (enum tui_action)a, key, sizeof(key));
        /* q quits on the first screen and closes the others */
        const char *hint = a == TUI_ACT_CLOSE && tui_view_depth() > 1 ? "close" : info->hint;
        if (key[0])
            snprintf(items[n++], 64, "%s %s", key, hint);
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
    /* typing a `:` command: what it can become, instead of the keys */
    const char *cands = tui_cmdline_hint();
    if (cands[0]) {
        tui_put(y, 1, COLS - 2, TUI_ROLE_STATUS, cands);
        return;
    }
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

/* A long message wraps onto up to this many rows (the key-hint bar and the
 * content move up); the rest, and older messages, are in the show-text
 * pager. */
#define MESSAGE_ROWS 3

/* The rows at the bottom for the open prompt or question (all of its text:
 * every answer it offers stays visible), else for the message. */
static int bottom_rows(void)
{
    int n = tui_modal_lines(COLS);
    if (n)
        return n;
    const char *message = tui_message_text(NULL);
    n = message[0] ? (int)tui_wrap(message, COLS, 2, NULL, 0) : 1;
    return n < MESSAGE_ROWS ? n : MESSAGE_ROWS;
}

static void draw_message_lines(struct tui_rect r)
{
    for (int i = 0; i < r.h; i++)
        tui_fill(r.y + i, 0, COLS, TUI_ROLE_MESSAGE);
    if (tui_modal_draw_lines(r))
        return;
    bool error;
    const char *message = tui_message_text(&error);
    enum tui_role role = error ? TUI_ROLE_ERROR : TUI_ROLE_MESSAGE;
    if (message[0]) {
        struct tui_span sp[MESSAGE_ROWS];
        size_t n = tui_wrap(message, COLS, 2, sp, MESSAGE_ROWS);
        for (int i = 0; i < r.h && i < (int)n && i < MESSAGE_ROWS; i++) {
            /* the last row takes the rest, cut with an ellipsis */
            bool rest = i == r.h - 1 && (int)n > r.h;
            char line[1024];
            snprintf(line, sizeof(line), "%.*s", rest ? (int)sizeof(line) : (int)sp[i].len,
                     message + sp[i].off);
            tui_put(r.y + i, sp[i].indent, COLS - sp[i].indent, role, line);
        }
        return;
    }
    struct tui_list *l = tui_view_top_list();
    if (l && l->filter[0])
        tui_putf(r.y, 0, COLS, TUI_ROLE_MESSAGE, "filter: %s  (%zu of %zu shown; <Esc> clears)",
                 l->filter, l->nvisible, l->count);
}

static void draw_all(void)
{
    if (tui_redraw_take_full())
        clearok(curscr, TRUE);
    erase();
    curs_set(0);
    tui_list_frame_begin();
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        char msg[80];
        snprintf(msg, sizeof(msg), "terminal too small (%dx%d); relman needs %dx%d", COLS, LINES,
                 MIN_COLS, MIN_LINES);
        mvaddnstr(LINES / 2, 0, msg, COLS);
        refresh();
        tui_redraw_done();
        return;
    }
    draw_title();
    struct tui_view *v = tui_top();
    int rows = bottom_rows();
    struct tui_rect content = {1, 0, LINES - 2 - rows, COLS};
    if (v && v->ops->draw)
        v->ops->draw(v, content);
    draw_hints(LINES - 1 - rows);
    tui_modal_draw_box();
    draw_message_lines((struct tui_rect){LINES - rows, 0, rows, COLS});
    if (tui_modal_typing() && !ui.script)
        curs_set(1);
    refresh();
    tui_redraw_done();
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
    if (tui_redraw_pending())
        draw_all();
    const char *dir = ui.dump_dir ? ui.dump_dir : ".";
    char *path = rel_asprintf("%s/%s.txt", dir, name);
    struct rel_buf s = REL_BUF_INIT;
    screen_text(&s);
    int rc = rel_fs_mkdirs(dir, 0755);
    if (rc == 0)
        rc = rel_fs_write_atomic(path, s.ptr ? s.ptr : "", s.len, 0644);
    if (rc == 0 && !ui.script) /* a script keeps the message line as it was */
        tui_message("screen written to %s", path);
    free(path);
    rel_buf_free(&s);
    return rc;
}

/* -------------------------------------------------------------- quitting */

static int quit_answer(void *ctx, int key)
{
    (void)ctx;
    if (key == 'y') {
        ui.quit = true;
    } else if (key == 's') {
        struct tui_view *v = tui_view_dirty();
        if (v && v->ops->action)
            v->ops->action(v, TUI_ACT_SAVE);
        if (!tui_view_dirty())
            ui.quit = true;
    } else {
        tui_message("not quitting");
    }
    return TUI_R_REDRAW;
}

static void request_quit(void)
{
    if (!tui_view_dirty()) {
        ui.quit = true;
        return;
    }
    tui_confirm("Unsaved changes to relman.yml. Quit anyway?  y: quit without saving  "
                "s: save and quit  n: stay",
                "yns", quit_answer, NULL);
}

/* ---------------------------------------------------------------- dispatch */

static int dispatch_action(enum tui_action a);

static const struct tui_cmdline_ops cmdline_ops = {
    .action = dispatch_action,
    .dump = dump_screen,
};

static int filter_prompt(void *ctx, const char *text, bool done, bool canceled)
{
    (void)ctx;
    (void)done;
    struct tui_list *l = tui_view_top_list();
    if (l)
        tui_list_set_filter(l, canceled ? "" : text);
    return TUI_R_REDRAW;
}

/* `e`: the first view from the top that knows a file to edit (Preview: the
 * template shown; the project screens: relman.yml) opens it. */
static int edit_file(void)
{
    if (!tui_can_external()) {
        tui_message("editing needs a terminal (not in the headless mode)");
        return TUI_R_REDRAW;
    }
    for (struct tui_view *v = tui_top(); v; v = tui_below(v)) {
        int r = v->ops->action ? v->ops->action(v, TUI_ACT_EDIT_FILE) : TUI_R_UNHANDLED;
        if (!(r & TUI_R_UNHANDLED))
            return r;
    }
    tui_message("no file to edit on this screen");
    return TUI_R_REDRAW;
}

static int find_in_list(struct tui_list *l, enum tui_action a)
{
    int found = tui_list_find(l, a == TUI_ACT_FIND_NEXT ? 1 : -1);
    if (found < 0)
        tui_message("no search yet: / then a text, then n / N go from match to match");
    else if (found == 0)
        tui_message("no other row matches '%s'", l->search);
    return TUI_R_REDRAW;
}

static int generic_action(enum tui_action a)
{
    struct tui_view *v = tui_top();
    struct tui_list *l = tui_view_top_list();
    switch (a) {
    case TUI_ACT_QUIT:
        return TUI_R_QUIT;
    case TUI_ACT_CLOSE:
        /* like back, past a filter: the screen's own guards (an assembly
         * running) still apply */
        if (tui_view_depth() < 2)
            return TUI_R_QUIT;
        if (l && l->filter[0])
            tui_list_set_filter(l, "");
        return dispatch_action(TUI_ACT_BACK);
    case TUI_ACT_FIND_NEXT:
    case TUI_ACT_FIND_PREV:
        if (!l)
            break;
        return find_in_list(l, a);
    case TUI_ACT_EDIT_FILE:
        return edit_file();
    case TUI_ACT_MOUSE:
        if (!tui_can_external()) {
            tui_message("no mouse in the headless mode");
            return TUI_R_REDRAW;
        }
        tui_tty_mouse(!tui_tty_mouse_on());
        tui_message("mouse %s", tui_tty_mouse_on() ? "on" : "off (the terminal selects text)");
        return TUI_R_REDRAW;
    case TUI_ACT_BACK:
        if (l && l->filter[0]) {
            tui_list_set_filter(l, "");
            tui_message("filter cleared");
            return TUI_R_REDRAW;
        }
        if (tui_view_depth() > 1)
            return TUI_R_CLOSE;
        tui_message("press %s to quit",
                    tui_keymap_first_key(v->ops->scope, TUI_ACT_CLOSE, (char[32]){0}, 32));
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
        tui_cmdline_open(&cmdline_ops);
        return TUI_R_REDRAW;
    case TUI_ACT_REDRAW:
        tui_redraw_request(true);
        return TUI_R_REDRAW;
    case TUI_ACT_RELOAD:
        return TUI_R_RELOAD;
    case TUI_ACT_SHOW_TEXT:
        tui_pager_show_text(v);
        return TUI_R_REDRAW;
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
        if (tui_view_depth() > 1)
            tui_view_pop();
        r |= TUI_R_REDRAW;
    }
    if (r & TUI_R_RELOAD) {
        for (int i = 0; i < tui_view_depth(); i++) {
            struct tui_view *v = tui_view_at(i);
            if (v->ops->reload && v->ops->reload(v) < 0)
                tui_core_error("reload");
        }
        r |= TUI_R_REDRAW;
    }
    if (r & TUI_R_QUIT)
        request_quit();
    if (r & (TUI_R_REDRAW | TUI_R_QUIT))
        tui_redraw_request(false);
    tui_view_reap();
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

/* ------------------------------------------------------------------ mouse */

static void handle_key(int key);

static struct {
    long when;
    int x, y;
} last_click;

/*
 * A click selects the list row under it (double-click: Enter on it), the
 * wheel moves the selection or scrolls by three rows. A dialog open takes
 * no mouse: its keys answer it.
 */
static void handle_mouse(const struct tui_mouse *m, long now)
{
    if (tui_modal_open() || !m->press || (m->button & 32))
        return;
    tui_message_clear();
    int b = m->button & ~(4 | 8 | 16); /* modifiers */
    if (b == 64 || b == 65) {
        for (int i = 0; i < 3; i++)
            apply_reaction(dispatch_action(b == 64 ? TUI_ACT_MOVE_UP : TUI_ACT_MOVE_DOWN));
        return;
    }
    if (b != 0)
        return;
    bool twice = now - last_click.when < 400 && m->x == last_click.x && m->y == last_click.y;
    last_click.when = twice ? 0 : now;
    last_click.x = m->x;
    last_click.y = m->y;
    size_t row;
    struct tui_list *l = tui_list_at(m->y, m->x, &row);
    if (!l)
        return;
    /* a click in the other pane (the command log) moves the focus there */
    for (int i = 0; i < 2 && tui_view_top_list() != l; i++)
        apply_reaction(dispatch_action(TUI_ACT_NEXT_PANE));
    if (tui_view_top_list() != l)
        tui_message_clear(); /* a screen without panes said so */
    tui_list_select(l, row);
    tui_redraw_request(false);
    if (twice)
        handle_key(TUI_KEY_ENTER);
}

static void handle_key(int key)
{
    if (key == tui_key_resize()) {
        tui_redraw_request(true);
        return;
    }
    int r;
    if (tui_modal_open()) {
        r = tui_modal_key(key);
    } else {
        struct tui_view *v = tui_top();
        enum tui_action a = tui_keymap_lookup(v ? v->ops->scope : TUI_SCOPEID_GENERIC, key);
        if (a != TUI_ACT_COMMAND)
            tui_message_clear();
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
    if (tui_tty_got_term())
        ui.quit = true;
    if (tui_tty_take_int())
        apply_reaction(TUI_R_QUIT);
}

static int run_interactive(void)
{
    int fd = tui_tty_fd();
    while (!ui.quit) {
        if (tui_redraw_pending())
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
            int key = tui_key_from_curses(ret, (unsigned)wch);
            struct tui_mouse m;
            if (key != (TUI_KEY_FN | TUI_KEY_MOUSE_CODE))
                handle_key(key);
            else if (tui_tty_mouse_parse(&m))
                handle_mouse(&m, now_ms());
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
        if (tui_redraw_pending())
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
                if (tui_redraw_pending())
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

int tui_ui_run(struct tui_script *script, const char *dump_dir)
{
    ui.quit = false;
    ui.script = script;
    ui.dump_dir = dump_dir;
    tui_redraw_request(false);
    int rc = script ? run_script() : run_interactive();
    ui.script = NULL;
    return rc;
}

void tui_ui_close(void)
{
    while (tui_view_depth())
        tui_view_pop();
    tui_modal_close();
}
