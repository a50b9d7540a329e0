/*
 * format.c - sizes and times.
 */
#include "tui/format.h"

#include "core/size.h"

#include <stdio.h>

const char *tui_format_when(char *buf, size_t size, time_t t, time_t now)
{
    if (t == 0) {
        snprintf(buf, size, "never");
        return buf;
    }
    struct tm tm;
    localtime_r(&t, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M", &tm);
    long ago = (long)(now - t);
    if (ago < 0)
        snprintf(buf, size, "%s", day);
    else if (ago < 60)
        snprintf(buf, size, "%s (%ld s ago)", day, ago);
    else if (ago < 3600)
        snprintf(buf, size, "%s (%ld m ago)", day, ago / 60);
    else if (ago < 86400)
        snprintf(buf, size, "%s (%ld h ago)", day, ago / 3600);
    else
        snprintf(buf, size, "%s (%ld d ago)", day, ago / 86400);
    return buf;
}
