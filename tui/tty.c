/*
 * tty.c - the terminal under curses: open and close, modes, signals, and
 * lending it to another program (tui_external).
 */
#include "tui/tty.h"

#include "core/error.h"
#include "tui/draw.h"
#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

static struct {
    SCREEN *screen;
    FILE *in, *out;
    bool own, headless;
    bool mouse;
} tty;

static volatile sig_atomic_t got_term, got_int;

/* ---------------------------------------------------------------- signals */

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
    if (tty.mouse) {
        static const char off[] = "\033[?1006l\033[?1000l";
        ssize_t w = write(fileno(tty.out), off, sizeof(off) - 1);
        (void)w;
    }
    if (tty.screen)
        endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

void tui_tty_signals_install(void)
{
    got_term = got_int = 0;
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

void tui_tty_signals_restore(void)
{
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
}

bool tui_tty_got_term(void)
{
    return got_term;
}

bool tui_tty_take_int(void)
{
    if (!got_int)
        return false;
    got_int = 0;
    return true;
}

/* ------------------------------------------------------------ open, close */

void tui_tty_modes(void)
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

/* A screen of the asked size on /dev/null (or the tty log), with the first
 * terminfo entry that exists. */
static int open_headless(const struct tui_options *opts)
{
    int lines = opts->lines, cols = opts->cols;
    if (!lines || !cols) {
        lines = 24;
        cols = 80;
        int rc = env_size(&lines, &cols);
        if (rc < 0)
            return rc;
    }
    const char *log = opts->ttylog ? opts->ttylog : getenv("RELMAN_TUI_TTYLOG");
    tty.out = fopen(log && log[0] ? log : "/dev/null", "w");
    tty.in = fopen("/dev/null", "r");
    if (!tty.out || !tty.in)
        return rel_error_set_errno(REL_EIO, errno, "cannot open %s",
                                   log && log[0] ? log : "/dev/null");
    tty.own = true;
    char l[16], c[16];
    snprintf(l, sizeof(l), "%d", lines);
    snprintf(c, sizeof(c), "%d", cols);
    setenv("LINES", l, 1);
    setenv("COLUMNS", c, 1);
    const char *term = getenv("TERM");
    const char *tries[] = {term && term[0] && strcmp(term, "dumb") != 0 ? term : NULL,
                           "xterm-256color", "xterm", "vt100"};
    for (size_t i = 0; i < 4 && !tty.screen; i++)
        if (tries[i])
            tty.screen = newterm(tries[i], tty.out, tty.in);
    unsetenv("LINES");
    unsetenv("COLUMNS");
    if (!tty.screen)
        return rel_error_set(REL_EUNSUPPORTED, "cannot start curses (no usable terminfo)");
    resizeterm(lines, cols);
    return 0;
}

static int open_interactive(void)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        tty.in = stdin;
        tty.out = stdout;
    } else {
        FILE *f = fopen("/dev/tty", "r+");
        if (!f)
            return rel_error_set(REL_EUNSUPPORTED,
                                 "relman tui needs a terminal (for scripted use, see "
                                 "RELMAN_TUI_SCRIPT in docs/tui.md)");
        tty.in = tty.out = f;
        tty.own = true;
    }
    const char *term = getenv("TERM");
    if (!term || !term[0] || strcmp(term, "dumb") == 0)
        return rel_error_set(REL_EUNSUPPORTED,
                             "TERM is %s: relman tui needs a terminal that can move the cursor",
                             term && term[0] ? "dumb" : "not set");
    tty.screen = newterm(NULL, tty.out, tty.in);
    if (!tty.screen)
        return rel_error_set(REL_EUNSUPPORTED, "cannot start curses on terminal '%s'", term);
    return 0;
}

int tui_tty_open(const struct tui_options *opts, bool headless)
{
    tty.headless = headless;
    int rc = headless ? open_headless(opts) : open_interactive();
    if (rc < 0)
        return rc;
    tui_tty_modes();
    const char *mouse = getenv("RELMAN_TUI_MOUSE");
    if (!mouse || (strcmp(mouse, "0") != 0 && strcmp(mouse, "off") != 0))
        tui_tty_mouse(true);
    return 0;
}

void tui_tty_close(void)
{
    tui_tty_mouse(false);
    if (tty.screen) {
        endwin();
        delscreen(tty.screen);
        tty.screen = NULL;
    }
    if (tty.own) {
        if (tty.out && tty.out != tty.in)
            fclose(tty.out);
        if (tty.in)
            fclose(tty.in);
    }
    tty.in = tty.out = NULL;
    tty.own = false;
}

int tui_tty_fd(void)
{
    return fileno(tty.in);
}

/* --------------------------------------------------------------- external */

bool tui_can_external(void)
{
    return !tty.headless && tty.screen;
}

int tui_external(tui_external_fn fn, void *ctx)
{
    if (tty.headless || !tty.screen)
        return rel_error_set(REL_EUSAGE, "this needs a terminal (not in the headless mode)");
    int in_fd = fileno(tty.in), out_fd = fileno(tty.out);
    bool mouse = tty.mouse;
    tui_tty_mouse(false);
    def_prog_mode();
    endwin();
    fflush(tty.out);
    int rc = fn(ctx, in_fd, out_fd);
    reset_prog_mode();
    tui_tty_mouse(mouse);
    /* the window may have changed size while we were away */
    struct winsize ws;
    if (ioctl(out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
        resizeterm(ws.ws_row, ws.ws_col);
    tui_tty_modes();
    /* keys typed for the other program must not reach the screen */
    flushinp();
    tui_redraw_request(true);
    return rc;
}

/* ------------------------------------------------------------------ editor */

struct edit {
    const char *path, *cmd;
    int status;
};

static int edit_fn(void *ctx, int in_fd, int out_fd)
{
    struct edit *e = ctx;
    pid_t pid = fork();
    if (pid < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot start %s", e->cmd);
    if (pid == 0) {
        dup2(in_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        char *cmd = NULL;
        size_t n = strlen(e->cmd) + 8;
        cmd = malloc(n);
        if (cmd) {
            snprintf(cmd, n, "%s \"$1\"", e->cmd);
            execl("/bin/sh", "sh", "-c", cmd, "sh", e->path, (char *)NULL);
        }
        _exit(127);
    }
    /* the editor gets ^C, not us */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGINT, &ign, &old);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    sigaction(SIGINT, &old, NULL);
    e->status = status;
    return 0;
}

int tui_tty_edit(const char *path)
{
    const char *cmd = getenv("VISUAL");
    if (!cmd || !cmd[0])
        cmd = getenv("EDITOR");
    if (!cmd || !cmd[0])
        cmd = "vi";
    struct edit e = {path, cmd, 0};
    int rc = tui_external(edit_fn, &e);
    if (rc < 0)
        return rc;
    if (!WIFEXITED(e.status) || WEXITSTATUS(e.status) != 0)
        return rel_error_set(REL_EIO, "%s %s: the editor exited with status %d", cmd, path,
                             WIFEXITED(e.status) ? WEXITSTATUS(e.status)
                                                 : 128 + WTERMSIG(e.status));
    return 0;
}

/* ------------------------------------------------------------------- mouse */

void tui_tty_mouse(bool on)
{
    if (tty.headless || !tty.screen || on == tty.mouse)
        return;
    static bool defined;
    if (on && !defined) {
        define_key("\033[<", TUI_KEY_MOUSE_CODE);
        defined = true;
    }
    /* 1000: report presses, releases and the wheel; 1006: in SGR form */
    fputs(on ? "\033[?1000h\033[?1006h" : "\033[?1006l\033[?1000l", tty.out);
    fflush(tty.out);
    tty.mouse = on;
}

bool tui_tty_mouse_on(void)
{
    return tty.mouse;
}

bool tui_tty_mouse_parse(struct tui_mouse *m)
{
    int v[3] = {0, 0, 0}, n = 0, digits = 0;
    for (int i = 0; i < 24; i++) {
        wint_t wch;
        int ret = get_wch(&wch);
        if (ret == ERR || ret == KEY_CODE_YES)
            return false;
        if (wch >= '0' && wch <= '9') {
            if (v[n] < 100000)
                v[n] = v[n] * 10 + (int)(wch - '0');
            digits++;
        } else if (wch == ';' && n < 2 && digits) {
            n++;
            digits = 0;
        } else if ((wch == 'M' || wch == 'm') && n == 2 && digits) {
            m->button = v[0];
            m->x = v[1] - 1;
            m->y = v[2] - 1;
            m->press = wch == 'M';
            return true;
        } else {
            return false;
        }
    }
    return false;
}
