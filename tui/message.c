/*
 * message.c - the message line's text.
 */
#include "tui/message.h"

#include "core/buf.h"
#include "core/error.h"
#include "tui/draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct {
    char text[512];
    bool error;
    /* the message shown when ':' was pressed, so `:dump` shows the screen
     * as it was before the command line opened */
    char saved[512];
    bool saved_error;
} msg;

/* The last messages, newest at (hist_next - 1) % HISTORY, for the pager of
 * the full texts (tui_message_history): the message line is cleared at the
 * next key, the history is not. */
#define HISTORY 20
static struct {
    char text[sizeof(msg.text)];
    bool error;
} hist[HISTORY];
static unsigned hist_next, hist_count;

static void set_message(bool error, const char *fmt, va_list ap)
{
    vsnprintf(msg.text, sizeof(msg.text), fmt, ap);
    /* one paragraph: no control characters reach the terminal */
    for (char *c = msg.text; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    msg.error = error;
    unsigned last = (hist_next + HISTORY - 1) % HISTORY;
    if (msg.text[0] && !(hist_count && strcmp(hist[last].text, msg.text) == 0)) {
        memcpy(hist[hist_next].text, msg.text, sizeof(msg.text));
        hist[hist_next].error = error;
        hist_next = (hist_next + 1) % HISTORY;
        if (hist_count < HISTORY)
            hist_count++;
    }
    tui_redraw_request(false);
}

void tui_message_history(struct rel_buf *out)
{
    for (unsigned k = 0; k < hist_count; k++) {
        unsigned i = (hist_next + HISTORY - 1 - k) % HISTORY;
        rel_buf_printf(out, "%s%s\n", hist[i].error ? "error: " : "", hist[i].text);
    }
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

const char *tui_message_text(bool *error)
{
    if (error)
        *error = msg.error;
    return msg.text;
}

void tui_message_clear(void)
{
    msg.text[0] = '\0';
    msg.error = false;
}

void tui_message_save(void)
{
    memcpy(msg.saved, msg.text, sizeof(msg.text));
    msg.saved_error = msg.error;
}

void tui_message_restore(void)
{
    memcpy(msg.text, msg.saved, sizeof(msg.text));
    msg.error = msg.saved_error;
}
