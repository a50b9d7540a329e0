#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static _Thread_local struct {
    int code;
    char msg[REL_ERROR_MSG_MAX];
} last;

static const struct {
    int code;
    const char *name;
    const char *desc;
} table[] = {
#define X(name, value, desc) {value, #name, desc},
    REL_ERROR_TABLE
#undef X
};

int rel_error_setv(int code, const char *fmt, va_list ap)
{
    last.code = code;
    vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
    return code;
}

int rel_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rel_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

int rel_error_set_errno(int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rel_error_setv(code, fmt, ap);
    va_end(ap);
    size_t n = strlen(last.msg);
    if (n < sizeof(last.msg) - 1)
        snprintf(last.msg + n, sizeof(last.msg) - n, ": %s", strerror(errnum));
    return code;
}

void rel_error_prefix(const char *fmt, ...)
{
    char ctx[REL_ERROR_MSG_MAX];
    char old[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    memcpy(old, rel_error_message(), sizeof(old));
    old[sizeof(old) - 1] = '\0';
    /* Truncation is acceptable for an over-long message. */
    size_t n = strnlen(ctx, sizeof(last.msg) - 3);
    memcpy(last.msg, ctx, n);
    memcpy(last.msg + n, ": ", 2);
    size_t room = sizeof(last.msg) - n - 3;
    size_t m = strnlen(old, room);
    memcpy(last.msg + n + 2, old, m);
    last.msg[n + 2 + m] = '\0';
}

int rel_error_code(void)
{
    return last.code;
}

const char *rel_error_message(void)
{
    if (last.msg[0] == '\0')
        return rel_error_describe(last.code);
    return last.msg;
}

void rel_error_clear(void)
{
    last.code = REL_OK;
    last.msg[0] = '\0';
}

const char *rel_error_name(int code)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].code == code)
            return table[i].name;
    return "unknown";
}

const char *rel_error_describe(int code)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].code == code)
            return table[i].desc;
    return "unknown error";
}
