/*
 * fswatch.c - inotify watches on the project's files, debounced by a
 * timerfd; both fds live in the main loop's poll().
 */
#include "tui/fswatch.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "tui/ui.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_DIRS 256
/* Quiet time after the last event before the callback runs. */
#define SETTLE_MS 120

struct dir_watch {
    int wd;
    char *name;  /* the one file of interest, or NULL */
    char *label; /* what the callback is told */
};

struct tui_fswatch {
    int ifd, tfd;
    struct dir_watch dirs[MAX_DIRS];
    int ndirs;
    struct rel_buf seen; /* labels since the timer was armed, ", "-separated */
    tui_fswatch_fn fn;
    void *ctx;
};

static void note_label(struct tui_fswatch *fw, const char *label)
{
    const char *s = rel_buf_cstr(&fw->seen);
    size_t n = strlen(label);
    for (const char *p = s; (p = strstr(p, label)); p += n)
        if ((p == s || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return;
    rel_buf_printf(&fw->seen, "%s%s", fw->seen.len ? ", " : "", label);
}

static void arm_ms(struct tui_fswatch *fw, int ms)
{
    struct itimerspec it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000000L}};
    timerfd_settime(fw->tfd, 0, &it, NULL);
}

static void arm(struct tui_fswatch *fw)
{
    arm_ms(fw, SETTLE_MS);
}

void tui_fswatch_later(struct tui_fswatch *fw, const char *labels, int ms)
{
    char *copy = rel_strdup(labels);
    char *save = NULL;
    for (char *l = strtok_r(copy, ",", &save); l; l = strtok_r(NULL, ",", &save))
        note_label(fw, l + strspn(l, " "));
    free(copy);
    arm_ms(fw, ms > 0 ? ms : SETTLE_MS);
}

static int on_inotify(void *ctx, int fd, short revents)
{
    (void)revents;
    struct tui_fswatch *fw = ctx;
    _Alignas(struct inotify_event) char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            for (int i = 0; i < fw->ndirs; i++) {
                const struct dir_watch *d = &fw->dirs[i];
                if (d->wd != ev->wd)
                    continue;
                if (d->name && (!ev->len || strcmp(ev->name, d->name) != 0))
                    continue;
                note_label(fw, d->label);
                arm(fw);
            }
        }
    }
    return TUI_R_NONE;
}

static int on_timer(void *ctx, int fd, short revents)
{
    (void)revents;
    struct tui_fswatch *fw = ctx;
    unsigned long long ticks;
    if (read(fd, &ticks, sizeof(ticks)) < 0 || !fw->seen.len)
        return TUI_R_NONE;
    char *labels = rel_strdup(rel_buf_cstr(&fw->seen));
    rel_buf_truncate(&fw->seen, 0);
    int r = fw->fn(fw->ctx, labels);
    free(labels);
    return r;
}

int tui_fswatch_open(struct tui_fswatch **out, tui_fswatch_fn fn, void *ctx)
{
    *out = NULL;
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0)
        return rel_error_set(REL_EIO, "inotify: %s", strerror(errno));
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) {
        int e = errno;
        close(ifd);
        return rel_error_set(REL_EIO, "timerfd: %s", strerror(e));
    }
    struct tui_fswatch *fw = rel_calloc(1, sizeof(*fw));
    fw->ifd = ifd;
    fw->tfd = tfd;
    fw->fn = fn;
    fw->ctx = ctx;
    if (tui_watch(ifd, POLLIN, on_inotify, fw) < 0 || tui_watch(tfd, POLLIN, on_timer, fw) < 0) {
        tui_fswatch_free(fw);
        return rel_error_code();
    }
    *out = fw;
    return 0;
}

void tui_fswatch_clear(struct tui_fswatch *fw)
{
    for (int i = 0; i < fw->ndirs; i++) {
        /* several entries may share a wd (same directory, two names) */
        bool last = true;
        for (int k = i + 1; k < fw->ndirs; k++)
            last = last && fw->dirs[k].wd != fw->dirs[i].wd;
        if (last)
            inotify_rm_watch(fw->ifd, fw->dirs[i].wd);
        free(fw->dirs[i].name);
        free(fw->dirs[i].label);
    }
    fw->ndirs = 0;
}

void tui_fswatch_free(struct tui_fswatch *fw)
{
    if (!fw)
        return;
    tui_fswatch_clear(fw);
    tui_unwatch(fw->ifd);
    tui_unwatch(fw->tfd);
    close(fw->ifd);
    close(fw->tfd);
    rel_buf_free(&fw->seen);
    free(fw);
}

int tui_fswatch_add(struct tui_fswatch *fw, const char *dir, const char *name, const char *label)
{
    if (fw->ndirs == MAX_DIRS)
        return rel_error_set(REL_ELIMIT, "watching %d directories already", MAX_DIRS);
    int wd = inotify_add_watch(fw->ifd, dir,
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                                   IN_DELETE | IN_ATTRIB | IN_ONLYDIR);
    if (wd < 0)
        return 0; /* not there (yet): nothing to watch */
    fw->dirs[fw->ndirs++] =
        (struct dir_watch){wd, name ? rel_strdup(name) : NULL, rel_strdup(label)};
    return 0;
}

int tui_fswatch_count(const struct tui_fswatch *fw)
{
    return fw ? fw->ndirs : 0;
}
