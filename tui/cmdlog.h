/*
 * cmdlog.h - the command log: every command the remote layer ran on a host,
 * with its exit status, time and the tail of its stderr, and the steps and
 * notes around them, as the Targets screen shows them in its lower pane
 * (lazygit's command log). Bounded: the oldest lines fall out and are
 * counted. UI thread only.
 */
#ifndef TUI_CMDLOG_H
#define TUI_CMDLOG_H

#include "tui/draw.h"
#include "tui/list.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

#define TUI_CMDLOG_MAX 2000

enum tui_cmdlog_kind {
    TUI_CL_COMMAND, /* a remote command ("$ ..."), updated when it ends */
    TUI_CL_STEP,    /* a step of an operation ("upload: 5.5 MB") */
    TUI_CL_NOTE,    /* something to know ("added host key ...") */
    TUI_CL_RESULT,  /* an operation's outcome on a host */
    TUI_CL_ERROR,   /* an operation's failure on a host */
};

struct tui_cmdlog_line {
    enum tui_cmdlog_kind kind;
    char *host;
    char *text;   /* the command as the remote shell ran it, or the step/note text */
    long when_ms; /* wall clock, ms since the epoch */
    /* COMMAND only: */
    bool ended;
    int status;    /* exit status, -1 when none */
    char *failure; /* "killed by SIGKILL", a transport error, or NULL */
    double seconds;
    char *stderr_tail; /* "" or the last lines of stderr */
};

struct tui_cmdlog {
    struct tui_cmdlog_line *lines; /* ring of TUI_CMDLOG_MAX */
    size_t start, count, dropped;
    struct tui_list list; /* one row per line; follows the end unless moved */
    bool follow;
};

void tui_cmdlog_init(struct tui_cmdlog *log);
void tui_cmdlog_free(struct tui_cmdlog *log);

/* The i-th line, oldest first. */
const struct tui_cmdlog_line *tui_cmdlog_get(const struct tui_cmdlog *log, size_t i);

void tui_cmdlog_add(struct tui_cmdlog *log, enum tui_cmdlog_kind kind, const char *host,
                    const char *text);
/* A command began on `host`. */
void tui_cmdlog_begin(struct tui_cmdlog *log, const char *host, const char *command);
/* The newest unfinished `command` of `host` ended (or, when none is found,
 * a new line says so). */
void tui_cmdlog_end(struct tui_cmdlog *log, const char *host, const char *command, int status,
                    const char *failure, double seconds, const char *stderr_tail);

/* Draw into `r`; `focused` highlights the selected line. */
void tui_cmdlog_draw(struct tui_cmdlog *log, struct tui_rect r, bool focused);

/* A line as full text (for the pager): the command, how it ended, its stderr. */
void tui_cmdlog_describe(const struct tui_cmdlog_line *l, struct rel_buf *out);

#endif
