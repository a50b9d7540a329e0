/*
 * cmdlog.c - the command log pane (see cmdlog.h).
 */
#include "tui/cmdlog.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/escape.h"
#include "tui/mask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static long wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static struct tui_cmdlog_line *at(const struct tui_cmdlog *log, size_t i)
{
    return &log->lines[(log->start + i) % TUI_CMDLOG_MAX];
}

const struct tui_cmdlog_line *tui_cmdlog_get(const struct tui_cmdlog *log, size_t i)
{
    return i < log->count ? at(log, i) : NULL;
}

static const char *row_text(void *ctx, size_t row, char *buf, size_t size)
{
    const struct tui_cmdlog_line *l = tui_cmdlog_get(ctx, row);
    if (l)
        snprintf(buf, size, "%s %s %s", l->host, l->text, l->stderr_tail ? l->stderr_tail : "");
    else
        buf[0] = '\0';
    return buf;
}

void tui_cmdlog_init(struct tui_cmdlog *log)
{
    memset(log, 0, sizeof(*log));
    log->lines = rel_calloc(TUI_CMDLOG_MAX, sizeof(*log->lines));
    log->follow = true;
    tui_list_init(&log->list, row_text, NULL, log);
}

static void clear_line(struct tui_cmdlog_line *l)
{
    free(l->host);
    free(l->text);
    free(l->failure);
    free(l->stderr_tail);
    memset(l, 0, sizeof(*l));
}

void tui_cmdlog_free(struct tui_cmdlog *log)
{
    for (size_t i = 0; i < log->count; i++)
        clear_line(at(log, i));
    free(log->lines);
    tui_list_free(&log->list);
    memset(log, 0, sizeof(*log));
}

static struct tui_cmdlog_line *push(struct tui_cmdlog *log)
{
    struct tui_cmdlog_line *l;
    if (log->count == TUI_CMDLOG_MAX) {
        l = at(log, 0);
        clear_line(l);
        log->start = (log->start + 1) % TUI_CMDLOG_MAX;
        log->dropped++;
    } else {
        l = at(log, log->count++);
    }
    l->when_ms = wall_ms();
    l->status = -1;
    tui_list_set_count(&log->list, log->count);
    if (log->follow)
        tui_list_action(&log->list, TUI_ACT_MOVE_LAST);
    return l;
}

/* `text` with any cookie given in it (RELEASE_COOKIE=..., -setcookie ...)
 * masked: a target's env may carry one; and its control characters
 * escaped (core/escape.h, as the CLI prints them): hosts wrote part of it. */
static char *masked(const char *text)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_escape_text(&b, text ? text : "", text ? strlen(text) : 0, REL_ESCAPE_KEEP_LINES);
    tui_mask_secrets(&b, NULL);
    return b.ptr ? rel_buf_detach(&b) : rel_strdup("");
}

void tui_cmdlog_add(struct tui_cmdlog *log, enum tui_cmdlog_kind kind, const char *host,
                    const char *text)
{
    struct tui_cmdlog_line *l = push(log);
    l->kind = kind;
    l->host = rel_strdup(host ? host : "");
    l->text = masked(text);
}

void tui_cmdlog_begin(struct tui_cmdlog *log, const char *host, const char *command)
{
    tui_cmdlog_add(log, TUI_CL_COMMAND, host, command);
}

void tui_cmdlog_end(struct tui_cmdlog *log, const char *host, const char *command, int status,
                    const char *failure, double seconds, const char *stderr_tail)
{
    struct tui_cmdlog_line *l = NULL;
    char *cmd = masked(command);
    command = cmd;
    for (size_t i = log->count; i-- > 0 && !l;) {
        struct tui_cmdlog_line *c = at(log, i);
        if (c->kind == TUI_CL_COMMAND && !c->ended && strcmp(c->host, host) == 0 &&
            strcmp(c->text, command) == 0)
            l = c;
    }
    if (!l) {
        tui_cmdlog_begin(log, host, command);
        l = at(log, log->count - 1);
    }
    l->ended = true;
    l->status = status;
    l->failure = failure && *failure ? rel_strdup(failure) : NULL;
    l->seconds = seconds;
    l->stderr_tail = masked(stderr_tail);
    free(cmd);
}

/* The last non-empty line of s, into buf. */
static const char *last_line(const char *s, char *buf, size_t size)
{
    const char *end = s + strlen(s);
    while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > s && start[-1] != '\n')
        start--;
    snprintf(buf, size, "%.*s", (int)(end - start), start);
    return buf;
}

/* How a command ended, short: "✓ 0.12 s", "exit 1 · 0.3 s", "running". */
static void outcome(const struct tui_cmdlog_line *l, char *buf, size_t size, enum tui_role *role)
{
    if (!l->ended) {
        snprintf(buf, size, "running");
        *role = TUI_ROLE_MUTED;
    } else if (l->failure) {
        snprintf(buf, size, "%s %s", tui_glyph(TUI_GLYPH_FAIL), l->failure);
        *role = TUI_ROLE_ERROR;
    } else if (l->status == 0) {
        snprintf(buf, size, "%s %.2f s", tui_glyph(TUI_GLYPH_OK), l->seconds);
        *role = TUI_ROLE_OK;
    } else {
        char tail[200] = "";
        if (l->stderr_tail && *l->stderr_tail)
            last_line(l->stderr_tail, tail, sizeof(tail));
        snprintf(buf, size, "exit %d %s %.2f s%s%s", l->status, tui_glyph(TUI_GLYPH_DOT),
                 l->seconds, tail[0] ? "  " : "", tail);
        *role = TUI_ROLE_PROBLEM;
    }
}

void tui_cmdlog_draw(struct tui_cmdlog *log, struct tui_rect r, bool focused)
{
    if (r.h <= 0)
        return;
    int y = r.y;
    if (log->count == 0) {
        tui_put(y, r.x + 1, r.w - 2, TUI_ROLE_MUTED,
                "(no remote command yet: every command relman runs on a host shows here)");
        return;
    }
    tui_list_layout(&log->list, r.h);
    if (log->follow && log->list.nvisible)
        tui_list_action(&log->list, TUI_ACT_MOVE_LAST);
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &log->list, (struct tui_rect){y, r.x, r.h, r.w},
                  &(struct tui_list_look){.fill = true, .hide = !focused});
    while (tui_list_rows_next(&it, &lr)) {
        const struct tui_cmdlog_line *l = at(log, lr.row);
        bool sel = lr.selected;
        int yy = lr.y;
        enum tui_role base = lr.role;
        time_t t = (time_t)(l->when_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        char head[100];
        snprintf(head, sizeof(head), "%02d:%02d:%02d %-8.8s", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 l->host);
        int x = r.x + 1;
        x += tui_put(yy, x, r.w - 2, sel ? base : TUI_ROLE_MUTED, head);
        x++;
        int right = r.x + r.w - 1;
        switch (l->kind) {
        case TUI_CL_COMMAND: {
            char out[300];
            enum tui_role role;
            outcome(l, out, sizeof(out), &role);
            int ow = tui_text_width(out);
            int maxo = r.w < 100 ? r.w / 4 : r.w / 3;
            if (ow > maxo)
                ow = maxo;
            int cw = right - x - ow - 4;
            if (cw > 0) {
                char cmd[8192];
                snprintf(cmd, sizeof(cmd), "$ %s", l->text);
                tui_put(yy, x, cw, base, cmd);
            }
            tui_put(yy, right - ow, ow, sel ? base : role, out);
            break;
        }
        default: {
            enum tui_role role = l->kind == TUI_CL_ERROR    ? TUI_ROLE_ERROR
                                 : l->kind == TUI_CL_RESULT ? TUI_ROLE_OK
                                 : l->kind == TUI_CL_NOTE   ? TUI_ROLE_WARNING
                                                            : TUI_ROLE_ACCENT;
            tui_put(yy, x, right - x, sel ? base : role, l->text);
            break;
        }
        }
    }
}

void tui_cmdlog_describe(const struct tui_cmdlog_line *l, struct rel_buf *out)
{
    time_t t = (time_t)(l->when_ms / 1000);
    struct tm tm;
    char when[64];
    localtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    rel_buf_printf(out, "host:    %s\ntime:    %s\n", l->host, when);
    if (l->kind != TUI_CL_COMMAND) {
        rel_buf_printf(out, "\n%s\n", l->text);
        return;
    }
    rel_buf_printf(out, "command: %s\n", l->text);
    if (!l->ended)
        rel_buf_puts(out, "status:  running\n");
    else if (l->failure)
        rel_buf_printf(out, "status:  %s (after %.2f s)\n", l->failure, l->seconds);
    else
        rel_buf_printf(out, "status:  exit %d (%.2f s)\n", l->status, l->seconds);
    if (l->stderr_tail && *l->stderr_tail)
        rel_buf_printf(out, "\nstderr (tail):\n%s%s", l->stderr_tail,
                       l->stderr_tail[strlen(l->stderr_tail) - 1] == '\n' ? "" : "\n");
}
