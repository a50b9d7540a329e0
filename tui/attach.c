/*
 * attach.c - a node's remote console on this terminal (see attach.h).
 */
#include "tui/attach.h"

#include "core/buf.h"
#include "core/error.h"
#include "remote/console.h"
#include "remote/ssh.h"
#include "remote/target.h"
#include "tui/cmdlog.h"
#include "tui/tty.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct attach_ctx {
    const struct rel_remote_target *t;
    struct rel_ssh_session *s;
    int status;
    char error[1024];
};

static void write_all(int fd, const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Runs with the terminal handed over (tui_external). */
static int attach_fn(void *ctx, int in_fd, int out_fd)
{
    struct attach_ctx *a = ctx;
    struct rel_buf cmd = REL_BUF_INIT, banner = REL_BUF_INIT, text = REL_BUF_INIT;
    rel_console_command(&cmd, a->t);
    rel_console_banner(&banner, a->t, rel_ssh_session_peer(a->s));
    char *save = NULL;
    for (char *l = strtok_r(banner.ptr, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        rel_buf_printf(&text, "relman: %s\r\n", l);
    rel_buf_puts(&text, "relman: then you are back in relman's screen.\r\n");
    write_all(out_fd, rel_buf_cstr(&text));
    struct rel_console_opts co = {.in_fd = in_fd, .out_fd = out_fd, .target = a->t};
    int64_t started = rel_ssh_now_ms();
    a->status = rel_console_run(a->s, rel_buf_cstr(&cmd), &co);
    bool quick = rel_ssh_now_ms() - started < 1000;
    if (a->status < 0)
        snprintf(a->error, sizeof(a->error), "%s", rel_error_message());
    if ((a->status > 0 && quick) || (a->status < 0 && a->status != REL_ECANCELED)) {
        /* it failed at once (the node is not running, say): let the person
         * read what it said before the screen comes back */
        rel_buf_clear(&text);
        rel_buf_printf(&text, "\r\nrelman: the console ended: %s. Press Enter to go back.",
                       a->status > 0 ? "see above" : a->error);
        write_all(out_fd, rel_buf_cstr(&text));
        char c;
        while (read(in_fd, &c, 1) == 1 && c != '\n' && c != '\r')
            ;
    }
    rel_buf_free(&cmd);
    rel_buf_free(&banner);
    rel_buf_free(&text);
    return a->status;
}

bool tui_attach_console(const struct rel_remote_target *t, const char *name,
                        struct rel_ssh_session *s, struct tui_cmdlog *log, char *out, size_t size)
{
    struct attach_ctx a = {.t = t, .s = s};
    bool error;
    tui_cmdlog_add(log, TUI_CL_STEP, name, "attach: the remote console");
    int rc = tui_external(attach_fn, &a);
    if (rc == REL_EUSAGE && !a.error[0]) {
        error = true;
        snprintf(out, size, "attach: %s", rel_error_message());
    } else if (rc == REL_ECANCELED) {
        error = false;
        snprintf(out, size, "left the %s console on %s: %s", t->release, name, a.error);
    } else if (rc < 0) {
        error = true;
        snprintf(out, size, "attach %s: %s", name, a.error);
    } else if (rc == 0 || rc == 130) {
        /* 130: left with Ctrl-C, the way the banner says */
        error = false;
        snprintf(out, size, "left the %s console on %s", t->release, name);
    } else {
        error = true;
        snprintf(out, size, "left the %s console on %s (exit status %d)", t->release, name, rc);
    }
    tui_cmdlog_add(log, error ? TUI_CL_ERROR : TUI_CL_RESULT, name, out);
    return error;
}
