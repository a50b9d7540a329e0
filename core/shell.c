#include "shell.h"

#include "buf.h"

#include <string.h>

static int is_bare(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_@%+=:,./-", c)))
            return 0;
    }
    return 1;
}

int rel_shell_quote(struct rel_buf *out, const char *arg)
{
    if (is_bare(arg))
        return rel_buf_puts(out, arg);
    int rc = rel_buf_putc(out, '\'');
    for (const char *p = arg; rc == 0 && *p; p++) {
        if (*p == '\'')
            rc = rel_buf_puts(out, "'\\''");
        else
            rc = rel_buf_putc(out, *p);
    }
    if (rc == 0)
        rc = rel_buf_putc(out, '\'');
    return rc;
}

int rel_shell_join(struct rel_buf *out, const char *const *argv)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && argv[i]; i++) {
        if (i > 0)
            rc = rel_buf_putc(out, ' ');
        if (rc == 0)
            rc = rel_shell_quote(out, argv[i]);
    }
    return rc;
}
