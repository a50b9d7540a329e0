#include "console.h"

#include "layout.h"
#include "ssh.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"

#include "core/error.h"
#include "core/shell.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t winch_seen;
static volatile sig_atomic_t quit_signal;

static void on_winch(int sig)
{
    (void)sig;
    winch_seen = 1;
}

static void on_quit(int sig)
{
    quit_signal = sig;
}

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static void sink(void *ctx, const char *data, size_t len, int is_stderr)
{
    (void)is_stderr;
    write_all(*(int *)ctx, data, len);
}

static void window_size(int fd, int *cols, int *rows)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    } else {
        *cols = 80;
        *rows = 24;
    }
}

/* Forward typed bytes, watching for "~." at the start of a line (as ssh
 * does; "~~" sends one "~"). Returns true when the user asked to leave. */
static bool forward_keys(struct rel_ssh_exec *x, const char *buf, size_t n, bool *line_start,
                         bool *tilde)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (*tilde) {
            *tilde = false;
            if (c == '.')
                return true;
            if (c != '~')
                rel_ssh_exec_write(x, "~", 1);
            rel_ssh_exec_write(x, &c, 1);
            *line_start = c == '\r' || c == '\n';
            continue;
        }
        if (*line_start && c == '~') {
            *tilde = true;
            continue;
        }
        rel_ssh_exec_write(x, &c, 1);
        *line_start = c == '\r' || c == '\n';
    }
    return false;
}

/*
 * Write the env script of `t` to a new private file under PATH/shared/tmp
 * (mktemp: mode 0600) from the stdin of a command, and append to `cmd` the
 * words that source and remove it: ". 'FILE'; rm -f 'FILE'; ". The file
 * lives for the moment between the two commands; nothing of it is ever on
 * a command line.
 */
static int env_file(struct rel_buf *cmd, struct rel_ssh_session *s,
                    const struct rel_remote_target *t)
{
    int fd;
    int rc = rel_layout_env_pipe(&fd, t);
    if (rc < 0)
        return rc;
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "umask 077 && mkdir -p ");
    rel_layout_path(&b, t, "shared/tmp");
    rel_buf_puts(&b, " && f=$(mktemp ");
    rel_layout_path(&b, t, "shared/tmp/.relman-env.XXXXXX");
    rel_buf_puts(&b, ") && cat > \"$f\" && printf '%s\\n' \"$f\"");
    struct rel_ssh_exec_opts xo = {.command = rel_buf_cstr(&b), .stdin_fd = fd,
                                   .timeout_ms = 30000};
    struct rel_ssh_exec *x = NULL;
    rc = rel_ssh_exec_start(&x, s, &xo);
    if (rc == 0)
        rc = rel_ssh_drive(s, rel_ssh_exec_step_cb, x);
    char *prefix = rel_asprintf("%s/shared/tmp/.relman-env.", t->path);
    if (rc == 0) {
        const char *out = rel_ssh_exec_stdout(x);
        size_t n = strcspn(out, "\n");
        if (rel_ssh_exec_status(x) != 0 || strncmp(out, prefix, strlen(prefix)) != 0 ||
            out[n] != '\n') {
            char line[256];
            rc = rel_error_set(REL_ECHILD, "%s: cannot write the node's environment under %s/shared/tmp: %s",
                               t->name, t->path,
                               rel_layout_last_line(rel_ssh_exec_stderr(x), line, sizeof(line)));
        } else {
            char *file = rel_strndup(out, n);
            rel_buf_puts(cmd, ". ");
            rel_shell_quote(cmd, file);
            rel_buf_puts(cmd, "; rm -f ");
            rel_shell_quote(cmd, file);
            rel_buf_puts(cmd, "; ");
            free(file);
        }
    }
    free(prefix);
    rel_ssh_exec_free(x);
    close(fd);
    rel_buf_free(&b);
    return rc;
}

int rel_console_run(struct rel_ssh_session *s, const char *command,
                    const struct rel_console_opts *o)
{
    struct termios saved, raw;
    if (!isatty(o->in_fd) || tcgetattr(o->in_fd, &saved) < 0)
        return rel_error_set(REL_EUSAGE, "the remote console needs a terminal");
    int cols, rows;
    window_size(o->out_fd, &cols, &rows);
    const char *term = getenv("TERM");
    int out_fd = o->out_fd;
    struct rel_buf full = REL_BUF_INIT;
    if (o->target) {
        int erc = env_file(&full, s, o->target);
        if (erc < 0) {
            rel_buf_free(&full);
            return erc;
        }
    }
    rel_buf_puts(&full, command);
    struct rel_ssh_exec_opts xo = {.command = rel_buf_cstr(&full), .stdin_fd = -1, .interactive = true,
                                   .pty = true, .term = term && *term ? term : "xterm",
                                   .cols = cols, .rows = rows, .sink = sink, .sink_ctx = &out_fd};
    struct rel_ssh_exec *x;
    int rc = rel_ssh_exec_start(&x, s, &xo);
    rel_buf_free(&full); /* the exec keeps its own copy */
    if (rc < 0)
        return rc;

    struct sigaction sa = {0}, old_winch, old_term, old_hup, old_int;
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, &old_winch);
    sa.sa_handler = on_quit;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sigaction(SIGINT, &sa, &old_int);
    winch_seen = 0;
    quit_signal = 0;

    raw = saved;
    cfmakeraw(&raw);
    tcsetattr(o->in_fd, TCSADRAIN, &raw);

    bool line_start = true, tilde = false, stdin_open = true;
    for (;;) {
        if (quit_signal) {
            rc = rel_error_set(REL_ECANCELED, "interrupted by signal %d", (int)quit_signal);
            break;
        }
        if (winch_seen) {
            winch_seen = 0;
            window_size(o->out_fd, &cols, &rows);
            rel_ssh_exec_resize(x, cols, rows);
        }
        rc = rel_ssh_exec_step(x);
        if (rc != REL_SSH_AGAIN)
            break;
        struct pollfd pfd[2];
        nfds_t n = 0;
        if (stdin_open) {
            pfd[n].fd = o->in_fd;
            pfd[n].events = POLLIN;
            n++;
        }
        if (rel_ssh_session_pollfd(s, &pfd[n]))
            n++;
        if (poll(pfd, n, 200) < 0) {
            if (errno == EINTR)
                continue;
            rc = rel_error_set_errno(REL_EIO, errno, "poll");
            break;
        }
        if (stdin_open && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            char buf[4096];
            ssize_t got = read(o->in_fd, buf, sizeof(buf));
            if (got > 0) {
                if (forward_keys(x, buf, (size_t)got, &line_start, &tilde)) {
                    rc = REL_ECANCELED;
                    rel_error_set(REL_ECANCELED, "disconnected (~.)");
                    break;
                }
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                stdin_open = false;
                rel_ssh_exec_close_stdin(x);
            }
        }
    }
    /* every way out passes here */
    tcsetattr(o->in_fd, TCSADRAIN, &saved);
    sigaction(SIGWINCH, &old_winch, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGINT, &old_int, NULL);
    if (rc == 0)
        rc = rel_ssh_exec_status(x);
    /* freeing an unfinished command reports it canceled: keep our reason */
    char *why = rc < 0 ? strdup(rel_error_message()) : NULL;
    rel_ssh_exec_free(x);
    if (why) {
        rel_error_set(rc, "%s", why);
        free(why);
    }
    return rc;
}

int rel_console_command(struct rel_buf *out, const struct rel_remote_target *t)
{
    const char *args[] = {"remote", NULL};
    return rel_layout_node_cmd(out, t, "current", args);
}

int rel_console_banner(struct rel_buf *out, const struct rel_remote_target *t, const char *peer)
{
    return rel_buf_printf(out,
                          "attaching to the %s console on %s (%s).\n"
                          "leave with Ctrl-C twice (the node keeps running), or type ~. at the "
                          "start of a line to disconnect.\n",
                          t->release, t->name, peer);
}
