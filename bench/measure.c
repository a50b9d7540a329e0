/*
 * measure.c - run one command and say how long it took.
 *
 *   measure [-C DIR] [-l LOG] -- COMMAND [ARG...]
 *
 * Prints one line "WALL_MS CPU_MS MAXRSS_KB STATUS": wall-clock time
 * (CLOCK_MONOTONIC around fork..wait), CPU time of the command and all its
 * children (user + system, from wait4's rusage, so a `mix` that starts a VM
 * or a `tar` that pipes into `gzip` is counted whole), the largest resident
 * set of the command or any one of its children (ru_maxrss), and the exit
 * status (128+N for a signal). The command's output goes to LOG (default
 * /dev/null). Used by bench/run; /usr/bin/time only has 10 ms resolution.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms(struct timeval tv)
{
    return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *log = "/dev/null";
    int c;
    while ((c = getopt(argc, argv, "+C:l:")) != -1) {
        switch (c) {
        case 'C':
            dir = optarg;
            break;
        case 'l':
            log = optarg;
            break;
        default:
            fprintf(stderr, "usage: measure [-C DIR] [-l LOG] -- COMMAND [ARG...]\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: measure [-C DIR] [-l LOG] -- COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 1;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
            perror(log);
            _exit(127);
        }
        if (dir && chdir(dir) < 0) {
            dprintf(2, "measure: cannot cd to %s: %s\n", dir, strerror(errno));
            _exit(127);
        }
        execvp(argv[optind], argv + optind);
        dprintf(2, "measure: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* wait4 gives the child's own usage; its reaped descendants are in
     * RUSAGE_CHILDREN of this process (only this child ran). */
    struct rusage all;
    getrusage(RUSAGE_CHILDREN, &all);
    double wall = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu = ms(all.ru_utime) + ms(all.ru_stime);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%.1f %.1f %ld %d\n", wall, cpu, all.ru_maxrss, code);
    return 0;
}
