/*
 * progress.c - the CLI's event sink (see progress.h).
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_clear(struct cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}

static void on_begin(void *ctx, const char *step, uint64_t files, uint64_t bytes)
{
    struct cli_progress *p = ctx;
    snprintf(p->step, sizeof(p->step), "%s", step);
    p->files_total = files;
    p->bytes_total = bytes;
    p->last_draw = 0;
}

static void on_advance(void *ctx, uint64_t files, uint64_t bytes)
{
    struct cli_progress *p = ctx;
    if (!p->tty || p->quiet)
        return;
    double t = now();
    bool last = p->files_total && files >= p->files_total;
    if (!last && t - p->last_draw < 0.05)
        return;
    p->last_draw = t;
    int pct = p->bytes_total ? (int)(bytes * 100 / p->bytes_total)
                             : (p->files_total ? (int)(files * 100 / p->files_total) : 0);
    if (pct > 100)
        pct = 100;
    fprintf(stderr, "\r\033[K%s %3d%%  %" PRIu64, p->step, pct, files);
    if (p->files_total)
        fprintf(stderr, "/%" PRIu64, p->files_total);
    fprintf(stderr, " files  %.1f MB", (double)bytes / 1e6);
    fflush(stderr);
    p->drawn = true;
}

static void on_log(void *ctx, enum rel_log_level level, const char *line)
{
    struct cli_progress *p = ctx;
    bool show = level >= REL_LOG_WARN || (!p->quiet && level == REL_LOG_INFO) ||
                (p->verbose && level == REL_LOG_DEBUG);
    if (p->quiet && level < REL_LOG_ERROR)
        show = false;
    if (!show)
        return;
    cli_progress_clear(p);
    if (level >= REL_LOG_WARN)
        fprintf(stderr, "relman: %s: %s\n", rel_log_level_name(level), line);
    else
        fprintf(stderr, "  %s\n", line);
}

static void on_end(void *ctx, const char *step, int rc)
{
    (void)step;
    (void)rc;
    cli_progress_clear(ctx);
}

static const struct rel_event_ops cli_progress_ops = {
    .begin = on_begin,
    .advance = on_advance,
    .log = on_log,
    .end = on_end,
};

void cli_progress_init(struct cli_progress *p, bool quiet, int verbose)
{
    memset(p, 0, sizeof(*p));
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->verbose = verbose;
    p->ev.ops = &cli_progress_ops;
    p->ev.ctx = p;
}
