/*
 * transport.c - what the transports share (see transport.h).
 */
#include "transport.h"

#include "core/buf.h"
#include "core/shell.h"

int rel_transport_upload_command(struct rel_buf *out, const char *path)
{
    int rc = rel_buf_puts(out, "cat > ");
    return rc < 0 ? rc : rel_shell_quote(out, path);
}
