#include "layout.h"

#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/shell.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int rel_layout_path(struct rel_buf *out, const struct rel_remote_target *t, const char *rel)
{
    char *p = rel && *rel ? rel_asprintf("%s/%s", t->path, rel) : rel_strdup(t->path);
    int rc = rel_shell_quote(out, p);
    free(p);
    return rc;
}

int rel_layout_env(struct rel_buf *out, const struct rel_remote_target *t)
{
    int rc = rel_buf_puts(out, "env ");
    for (size_t i = 0; rc == 0 && t->env && t->env[i]; i++) {
        rc = rel_shell_quote(out, t->env[i]);
        if (rc == 0)
            rc = rel_buf_putc(out, ' ');
    }
    if (rc == 0 && !rel_target_getenv(t, "RELEASE_TMP")) {
        char *v = rel_asprintf("RELEASE_TMP=%s/shared/tmp", t->path);
        rc = rel_shell_quote(out, v);
        free(v);
        if (rc == 0)
            rc = rel_buf_putc(out, ' ');
    }
    return rc;
}

int rel_layout_node_cmd(struct rel_buf *out, const struct rel_remote_target *t, const char *dir,
                        const char *const *args)
{
    int rc = rel_buf_puts(out, "cd ");
    if (rc == 0)
        rc = rel_layout_path(out, t, "");
    if (rc == 0)
        rc = rel_buf_puts(out, " && ");
    if (rc == 0)
        rc = rel_layout_env(out, t);
    char *bin = rel_asprintf("%s/bin/%s", dir, t->release);
    if (rc == 0)
        rc = rel_layout_path(out, t, bin);
    free(bin);
    for (size_t i = 0; rc == 0 && args && args[i]; i++) {
        rc = rel_buf_putc(out, ' ');
        if (rc == 0)
            rc = rel_shell_quote(out, args[i]);
    }
    return rc;
}

bool rel_layout_parse_release_dir(const char *name, char **vsn, const char **stamp)
{
    *vsn = NULL;
    *stamp = NULL;
    const char *dash = strrchr(name, '-');
    if (!dash || dash == name || strlen(dash + 1) != 14)
        return false;
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    *vsn = rel_strndup(name, (size_t)(dash - name));
    *stamp = dash + 1;
    return true;
}

int rel_layout_release_cmp_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *sx = strrchr(x, '-'), *sy = strrchr(y, '-');
    int c = strcmp(sy ? sy : y, sx ? sx : x);
    return c ? c : strcmp(y, x);
}

bool rel_layout_valid_version(const char *vsn)
{
    size_t n = strlen(vsn);
    if (n == 0 || n > 100 || strcmp(vsn, ".") == 0 || strcmp(vsn, "..") == 0)
        return false;
    for (const char *p = vsn; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/')
            return false;
    return true;
}

void rel_layout_stamp(char out[16])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

void rel_layout_iso_time(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *rel_layout_who(void)
{
    struct passwd *pw = getpwuid(getuid());
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    return rel_asprintf("%s@%s", pw && pw->pw_name ? pw->pw_name : "unknown", host);
}
