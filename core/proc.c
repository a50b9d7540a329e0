#define _GNU_SOURCE
#include "proc.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_MAX_OUTPUT ((size_t)16 << 20)
#define MAX_LINE 4096 /* longer lines are handed on in pieces */

/* The part of a stream not yet handed on as lines. */
struct pending {
    char buf[MAX_LINE];
    size_t len;
};

static void split_lines(const struct rel_proc_opts *o, int err, struct pending *pd,
                        const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] != '\n' && pd->len < MAX_LINE - 1) {
            pd->buf[pd->len++] = data[i];
            continue;
        }
        pd->buf[pd->len] = '\0';
        o->on_line(o->line_ctx, err, pd->buf);
        pd->len = 0;
        if (data[i] != '\n')
            pd->buf[pd->len++] = data[i];
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child_exec(const char *const *argv, const struct rel_proc_opts *opts, int outfd,
                       int errfd)
{
    if (opts && opts->canceled)
        setpgid(0, 0); /* a group of its own: cancelling ends its children too */
    if (outfd >= 0)
        dup2(outfd, 1);
    if (errfd >= 0)
        dup2(errfd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    if (opts && opts->cwd && chdir(opts->cwd) < 0)
        _exit(126);
    if (opts && opts->env)
        for (size_t i = 0; opts->env[i]; i++)
            putenv((char *)opts->env[i]);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
}

int rel_proc_run(int *status, const char *const *argv, const struct rel_proc_opts *opts)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, devnull = -1;
    size_t max = opts && opts->max_output ? opts->max_output : DEFAULT_MAX_OUTPUT;
    struct rel_buf *bufs[2] = {opts ? opts->out : NULL, opts ? opts->err : NULL};
    int rc = 0;
    *status = -1;

    if (pipe2(outp, O_CLOEXEC) < 0 || (bufs[1] && pipe2(errp, O_CLOEXEC) < 0))
        return rel_error_set_errno(REL_EIO, errno, "cannot create pipe for %s", argv[0]);
    pid_t pid = fork();
    if (pid < 0) {
        rc = rel_error_set_errno(REL_ECHILD, errno, "cannot start %s", argv[0]);
        goto cleanup;
    }
    if (pid == 0) {
        if (!bufs[0])
            devnull = open("/dev/null", O_WRONLY);
        child_exec(argv, opts, bufs[0] ? outp[1] : devnull, bufs[1] ? errp[1] : -1);
    }
    if (opts && opts->canceled)
        setpgid(pid, pid); /* as the child does: whichever runs first */
    close(outp[1]);
    outp[1] = -1;
    if (errp[1] >= 0) {
        close(errp[1]);
        errp[1] = -1;
    }
    struct pollfd fds[2] = {{.fd = outp[0], .events = POLLIN}, {.fd = errp[0], .events = POLLIN}};
    int open_count = (fds[0].fd >= 0) + (fds[1].fd >= 0);
    struct pending pend[2] = {{.len = 0}, {.len = 0}};
    double killed_at = 0;
    while (open_count > 0) {
        if (opts && opts->canceled && rc == 0 && opts->canceled(opts->cancel_ctx)) {
            rc = rel_error_set(REL_ECANCELED, "%s: canceled", argv[0]);
            kill(-pid, SIGTERM);
            killed_at = now_s();
        }
        if (killed_at > 0 && now_s() - killed_at > 2.0) {
            kill(-pid, SIGKILL);
            killed_at = -1;
        }
        if (poll(fds, 2, opts && opts->canceled ? 100 : -1) < 0) {
            if (errno == EINTR)
                continue;
            rc = rel_error_set_errno(REL_EIO, errno, "poll");
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[16384];
            ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                close(fds[i].fd);
                if (i == 0)
                    outp[0] = -1;
                else
                    errp[0] = -1;
                fds[i].fd = -1;
                open_count--;
                continue;
            }
            if (!bufs[i])
                continue;
            if (opts->on_line)
                split_lines(opts, i, &pend[i], chunk, (size_t)n);
            if (bufs[i]->len + (size_t)n > max) {
                rc = rel_error_set(REL_ELIMIT, "%s: output larger than %zu bytes", argv[0], max);
                kill(pid, SIGKILL);
                open_count = 0;
                break;
            }
            rel_buf_put(bufs[i], chunk, (size_t)n);
        }
    }
    for (int i = 0; i < 2 && opts && opts->on_line; i++)
        if (pend[i].len) {
            pend[i].buf[pend[i].len] = '\0';
            opts->on_line(opts->line_ctx, i, pend[i].buf);
        }
    if (killed_at != 0) /* canceled: the group goes, whatever it does with SIGTERM */
        kill(-pid, SIGKILL);
    int ws;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            rc = rel_error_set_errno(REL_ECHILD, errno, "waitpid %s", argv[0]);
            goto cleanup;
        }
    }
    if (WIFEXITED(ws))
        *status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws))
        *status = 128 + WTERMSIG(ws);
    if (rc == 0 && *status == 127) {
        char *found = NULL;
        if (rel_proc_which(&found, argv[0]) == 0)
            rc = rel_error_set(REL_ENOTFOUND, "%s: command not found", argv[0]);
        free(found);
    }
cleanup:
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    return rc;
}

int rel_proc_which(char **path_out, const char *name)
{
    if (path_out)
        *path_out = NULL;
    if (strchr(name, '/')) {
        if (access(name, X_OK) == 0) {
            if (path_out)
                *path_out = rel_strdup(name);
            return 1;
        }
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char *copy = rel_strdup(path);
    int found = 0;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *full = rel_asprintf("%s/%s", dir, name);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
            found = 1;
            if (path_out)
                *path_out = full;
            else
                free(full);
            break;
        }
        free(full);
    }
    free(copy);
    return found;
}
