/*
 * audit.c - the audit log's lines, local and on the host (see audit.h).
 */
#include "audit.h"

#include "events.h"
#include "layout.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *rel_audit_file(const char *project_dir)
{
    char *dot = rel_path_join2(project_dir, ".relman/audit.log");
    char *file = rel_path_normalize(dot);
    free(dot);
    return file;
}

char *rel_audit_line(const char *target, const char *what, const char *who, const char *result)
{
    char when[32];
    rel_layout_iso_time(when);
    /* parts come from hosts (lock holders, stderr, versions): one line of text */
    char *line = rel_asprintf("%s %s %s by %s: %s", when, target, what, who, result);
    char *text = rel_escape_dup(line, 0);
    free(line);
    return text;
}

int rel_audit_local(const char *file, const char *line)
{
    char *dir = rel_path_dirname(file);
    int rc = rel_fs_is_dir(dir) ? 0 : rel_fs_mkdirs(dir, 0755);
    free(dir);
    if (rc < 0)
        return rc;
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot open audit log %s", file);
    char *text = rel_asprintf("%s\n", line);
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    if (w < 0 || (size_t)w != len)
        rc = rel_error_set_errno(REL_EIO, errno, "cannot append to audit log %s", file);
    free(text);
    close(fd);
    return rc;
}

void rel_audit_local_note(const char *file, const struct rel_remote_events *events,
                          const char *host, const char *line)
{
    if (file && rel_audit_local(file, line) < 0)
        rel_remote_note(events, host, "%s", rel_error_message());
}

char *rel_audit_remote_cmd(const struct rel_remote_target *t, const char *line)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "mkdir -p ");
    rel_layout_path(&b, t, "shared");
    rel_buf_puts(&b, " && printf '%s\\n' ");
    rel_shell_quote(&b, line);
    rel_buf_puts(&b, " >> ");
    rel_layout_path(&b, t, "shared/audit.log");
    return rel_buf_detach(&b);
}
