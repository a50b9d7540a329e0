/*
 * layout.c - paths, the layout's shell commands and the checks of what hosts
 * say back (see layout.h).
 */
#include "layout.h"

#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STOP_WAIT_STEPS 150 /* x 0.2 s: SIGTERM after 20 s, SIGKILL after 30 s */

int rel_layout_path(struct rel_buf *out, const struct rel_remote_target *t, const char *rel)
{
    char *p = rel && *rel ? rel_asprintf("%s/%s", t->path, rel) : rel_strdup(t->path);
    int rc = rel_shell_quote(out, p);
    free(p);
    return rc;
}

int rel_layout_env_script(struct rel_buf *out, const struct rel_remote_target *t)
{
    /* A shell function, so the exports reach the node's command alone, not
     * relman's own commands around it; read by the preamble's eval (a
     * builtin: nothing of it reaches any process's arguments). */
    int rc = rel_buf_puts(out, REL_LAYOUT_ENV_FN "() { (\n");
    for (size_t i = 0; rc == 0 && t->env && t->env[i]; i++) {
        rc = rel_buf_puts(out, "export ");
        if (rc == 0)
            rc = rel_shell_quote(out, t->env[i]);
        if (rc == 0)
            rc = rel_buf_putc(out, '\n');
    }
    if (rc == 0 && !rel_target_getenv(t, "RELEASE_TMP")) {
        char *v = rel_asprintf("RELEASE_TMP=%s/shared/tmp", t->path);
        rc = rel_buf_puts(out, "export ");
        if (rc == 0)
            rc = rel_shell_quote(out, v);
        free(v);
        if (rc == 0)
            rc = rel_buf_putc(out, '\n');
    }
    if (rc == 0)
        rc = rel_buf_puts(out, "exec \"$@\"\n) }\n");
    return rc;
}

#define MAX_ENV_SCRIPT 60000 /* fits a pipe's buffer: written whole before the command starts */

int rel_layout_env_pipe(int *fd, const struct rel_remote_target *t)
{
    *fd = -1;
    struct rel_buf script = REL_BUF_INIT;
    int rc = rel_layout_env_script(&script, t);
    if (rc == 0 && script.len > MAX_ENV_SCRIPT)
        rc = rel_error_set(REL_EINVAL, "%s: the target's env is too large (%zu bytes, at most %d)",
                           t->name, script.len, MAX_ENV_SCRIPT);
    int p[2] = {-1, -1};
    if (rc == 0 && pipe(p) < 0)
        rc = rel_error_set_errno(REL_EIO, errno, "%s: pipe", t->name);
    if (rc == 0) {
        fcntl(p[0], F_SETFD, FD_CLOEXEC);
        fcntl(p[1], F_SETFD, FD_CLOEXEC);
        ssize_t w = write(p[1], script.ptr, script.len);
        if (w < 0 || (size_t)w != script.len)
            rc = rel_error_set_errno(REL_EIO, errno, "%s: writing the env script", t->name);
        close(p[1]);
        if (rc < 0)
            close(p[0]);
        else
            *fd = p[0];
    }
    rel_buf_free(&script);
    return rc;
}

bool rel_layout_wants_env(const char *command)
{
    return command &&
           strncmp(command, REL_LAYOUT_ENV_PREAMBLE, strlen(REL_LAYOUT_ENV_PREAMBLE)) == 0;
}

int rel_layout_node_cmd(struct rel_buf *out, const struct rel_remote_target *t, const char *dir,
                        const char *const *args)
{
    int rc = rel_buf_puts(out, "cd ");
    if (rc == 0)
        rc = rel_layout_path(out, t, "");
    if (rc == 0)
        rc = rel_buf_puts(out, " && " REL_LAYOUT_ENV_FN " ");
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
        if ((unsigned char)*p < 0x20 || *p == 0x7f || strchr("/$`\"\\", *p))
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

/* ---- what hosts say ------------------------------------------------------------ */

char *rel_layout_checked_link(const char *v)
{
    if (strncmp(v, "releases/", 9) != 0)
        return NULL;
    const char *name = v + 9;
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return NULL;
    return rel_strdup(v);
}

static bool digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

char *rel_layout_parse_pid(const char *out)
{
    size_t n = strcspn(out, "\r\n");
    char *p = rel_strndup(out, n);
    if (!digits(p) || n > 12) {
        free(p);
        return NULL;
    }
    return p;
}

const char *rel_layout_last_line(const char *s, char *buf, size_t size)
{
    /* An Erlang/Elixir exception line ("** (RuntimeError) boom") says more
     * than the stack trace under it. */
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > 3 && strncmp(p, "** ", 3) == 0) {
            snprintf(buf, size, "%.*s", (int)len, p);
            return buf;
        }
        p += len;
        if (*p)
            p++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    size_t start = n;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    snprintf(buf, size, "%.*s", (int)(n - start), s + start);
    return buf;
}

char *rel_layout_pid_cmd(const struct rel_remote_target *t, const char *dir)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"pid", NULL};
    rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE);
    rel_layout_node_cmd(&b, t, dir, args);
    return rel_buf_detach(&b);
}

char *rel_layout_daemon_cmd(const struct rel_remote_target *t, const char *dir)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"daemon", NULL};
    rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE "mkdir -p ");
    rel_layout_path(&b, t, "shared/tmp");
    rel_buf_puts(&b, " && ");
    rel_layout_node_cmd(&b, t, dir, args);
    /* The daemon must not keep the channel open: its output goes to a file
     * that is shown once it has detached. */
    rel_buf_puts(&b, " </dev/null >");
    rel_layout_path(&b, t, "shared/tmp/daemon.out");
    rel_buf_puts(&b, " 2>&1; rc=$?; cat ");
    rel_layout_path(&b, t, "shared/tmp/daemon.out");
    rel_buf_puts(&b, " >&2; exit $rc");
    return rel_buf_detach(&b);
}

/* A shell function `alive PID` (Linux /proc; a zombie is not alive). */
static const char alive_fn[] =
    "alive() { s=$(sed -n 's/.*) \\(.\\).*/\\1/p' /proc/$1/stat 2>/dev/null); "
    "[ -n \"$s\" ] && [ \"$s\" != Z ]; }; ";

char *rel_layout_stop_cmd(const struct rel_remote_target *t, const char *dir, const char *pid)
{
    if (!digits(pid))
        return rel_strdup("echo 'relman: bad pid' >&2; exit 1");
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"stop", NULL};
    rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE);
    rel_buf_puts(&b, alive_fn);
    rel_layout_node_cmd(&b, t, dir, args);
    rel_buf_printf(&b,
                   " >/dev/null 2>&1; i=0; while alive %s; do i=$((i+1)); "
                   "if [ $i -eq %d ]; then kill %s 2>/dev/null; fi; "
                   "if [ $i -ge %d ]; then kill -9 %s 2>/dev/null; "
                   "echo 'the node did not stop; killed it' >&2; exit 1; fi; sleep 0.2; done",
                   pid, STOP_WAIT_STEPS * 2 / 3, pid, STOP_WAIT_STEPS, pid);
    return rel_buf_detach(&b);
}

char *rel_layout_lock_cmd(const struct rel_remote_target *t, const char *what)
{
    char when[32];
    rel_layout_iso_time(when);
    char *who = rel_layout_who();
    char *info = rel_asprintf("%s (relman pid %d) since %s: %s", who, (int)getpid(), when, what);
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "set -e; umask 022; mkdir -p ");
    rel_layout_path(&b, t, "releases");
    rel_buf_putc(&b, ' ');
    rel_layout_path(&b, t, "shared/tarballs");
    rel_buf_putc(&b, ' ');
    rel_layout_path(&b, t, "shared/tmp");
    rel_buf_puts(&b, "; if mkdir ");
    rel_layout_path(&b, t, "shared/lock");
    rel_buf_puts(&b, " 2>/dev/null; then printf '%s\\n' ");
    rel_shell_quote(&b, info);
    rel_buf_puts(&b, " > ");
    rel_layout_path(&b, t, "shared/lock/info");
    rel_buf_puts(&b, "; echo relman-locked; else echo relman-busy; cat ");
    rel_layout_path(&b, t, "shared/lock/info");
    rel_buf_puts(&b, " 2>/dev/null || true; fi");
    free(info);
    free(who);
    return rel_buf_detach(&b);
}

/* "N s", "N min", "N h M min", "N days": how long ago ISO time `iso`
 * ("YYYY-mm-ddTHH:MM:SSZ") was, into buf; false when it is not one. */
static bool age_of(const char *iso, char *buf, size_t size)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    char z = 0;
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &z) != 7 ||
        z != 'Z')
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t then = timegm(&tm);
    long d = (long)difftime(time(NULL), then);
    if (d < 0)
        snprintf(buf, size, "in the future by %ld s: check the clocks", -d);
    else if (d < 120)
        snprintf(buf, size, "%ld s ago", d);
    else if (d < 7200)
        snprintf(buf, size, "%ld min ago", d / 60);
    else if (d < 3 * 86400)
        snprintf(buf, size, "%ld h %ld min ago", d / 3600, d % 3600 / 60);
    else
        snprintf(buf, size, "%ld days ago", d / 86400);
    return true;
}

int rel_layout_lock_result(const struct rel_remote_target *t, const char *out)
{
    if (strncmp(out, "relman-locked", 13) == 0)
        return 0;
    char line[512], age[96] = "";
    const char *holder = strchr(out, '\n');
    holder = holder && holder[1] ? rel_layout_last_line(holder + 1, line, sizeof(line)) : "unknown";
    const char *since = strstr(holder, " since ");
    if (since) {
        char when[32], ago[80];
        snprintf(when, sizeof(when), "%.20s", since + 7); /* YYYY-mm-ddTHH:MM:SSZ */
        if (age_of(when, ago, sizeof(ago)))
            snprintf(age, sizeof(age), ", taken %s,", ago);
    }
    return rel_error_set(REL_ELOCKED,
                         "%s: locked by %s%s (%s/shared/lock; relman never takes over a lock: if "
                         "no deploy is running, remove it with: relman unlock %s)",
                         t->name, holder, age, t->path, t->name);
}

char *rel_layout_unlock_cmd(const struct rel_remote_target *t)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "rm -rf ");
    rel_layout_path(&b, t, "shared/lock");
    return rel_buf_detach(&b);
}

/* Point PATH/name at `target` (a "releases/X" string, or NULL to remove the
 * link) with a temporary link renamed over it. */
static void relink(struct rel_buf *b, const struct rel_remote_target *t, const char *name,
                   const char *target)
{
    char *tmp = rel_asprintf(".%s.tmp", name);
    if (target) {
        rel_buf_puts(b, "ln -sfn ");
        rel_shell_quote(b, target);
        rel_buf_putc(b, ' ');
        rel_layout_path(b, t, tmp);
        rel_buf_puts(b, " && mv -Tf ");
        rel_layout_path(b, t, tmp);
        rel_buf_putc(b, ' ');
        rel_layout_path(b, t, name);
    } else {
        rel_buf_puts(b, "rm -f ");
        rel_layout_path(b, t, name);
    }
    free(tmp);
}

char *rel_layout_switch_cmd(const struct rel_remote_target *t, const char *current,
                            bool set_previous, const char *previous)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "set -e; ");
    if (set_previous) {
        relink(&b, t, "previous", previous);
        rel_buf_puts(&b, "; ");
    }
    relink(&b, t, "current", current);
    return rel_buf_detach(&b);
}

int rel_layout_read_links(struct rel_buf *out)
{
    return rel_buf_puts(out, "printf 'current=%s\\nprevious=%s\\n' \"$(readlink current || true)\" "
                             "\"$(readlink previous || true)\"");
}

int rel_layout_list_releases(struct rel_buf *out)
{
    return rel_buf_puts(out, "for r in releases/*; do if [ -d \"$r\" ] && [ ! -L \"$r\" ]; then "
                             "printf 'release=%s\\n' \"${r#releases/}\"; fi; done");
}
