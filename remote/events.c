#include "events.h"

#include <stdarg.h>
#include <stdio.h>

void rel_remote_step(const struct rel_remote_events *ev, const char *host, const char *step,
                     const char *fmt, ...)
{
    if (!ev || !ev->ops || !ev->ops->step)
        return;
    char detail[1024] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    ev->ops->step(ev->ctx, host, step, detail);
}

void rel_remote_vnote(const struct rel_remote_events *ev, const char *host, const char *fmt,
                      va_list ap)
{
    if (!ev || !ev->ops || !ev->ops->note)
        return;
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    ev->ops->note(ev->ctx, host, msg);
}

void rel_remote_note(const struct rel_remote_events *ev, const char *host, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rel_remote_vnote(ev, host, fmt, ap);
    va_end(ap);
}
