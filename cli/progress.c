/*
 * progress.c - the CLI's event sink (see progress.h).
 */
#include "progress.h"

#include "core/size.h"
#include "core/assemble.h"

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
    p->started = now();
    p->last_draw = 0;
}

const char *cli_human_seconds(char *out, size_t n, double seconds)
{
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
    if (s < 60)
        snprintf(out, n, "%ld s", s);
    else if (s < 3600)
        snprintf(out, n, "%ld min %02ld s", s / 60, s % 60);
    else
        snprintf(out, n, "%ld h %02ld min", s / 3600, s / 60 % 60);
    return out;
}

const char *cli_progress_bytes(char *out, size_t n, uint64_t done, uint64_t total, double seconds)
{
    char d[32], t[32] = "", rate[32] = "", eta[32] = "";
    rel_size_human(d, sizeof(d), done);
    if (total)
        rel_size_human(t, sizeof(t), total);
    if (seconds >= 1.0 && done) {
        rel_size_human(rate, sizeof(rate), (uint64_t)((double)done / seconds));
        if (total > done)
            cli_human_seconds(eta, sizeof(eta), seconds * (double)(total - done) / (double)done);
    }
    snprintf(out, n, "%s%s%s%s%s%s%s%s", d, t[0] ? "/" : "", t, rate[0] ? "  " : "", rate,
             rate[0] ? "/s" : "", eta[0] ? "  ETA " : "", eta);
    return out;
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
    /* bytes measure the work better than files (a few big files dominate) */
    double done = p->bytes_total   ? (double)bytes / (double)p->bytes_total
                  : p->files_total ? (double)files / (double)p->files_total
                                   : 0;
    if (done > 1)
        done = 1;
    char text[128];
    fprintf(stderr, "\r\033[K%s %3d%%  %" PRIu64, p->step, (int)(done * 100), files);
    if (p->files_total)
        fprintf(stderr, "/%" PRIu64, p->files_total);
    fprintf(stderr, " files  %s",
            cli_progress_bytes(text, sizeof(text), bytes, p->bytes_total, t - p->started));
    fflush(stderr);
    p->drawn = true;
}

void cli_progress_assembled(FILE *out, const char *name, const char *version, const char *where,
                            const struct rel_assemble_stats *st)
{
    char size[32], took[32];
    rel_size_human(size, sizeof(size), st->size);
    if (st->written == 0 && st->files > 0)
        fprintf(out,
                "relman: %s-%s in %s is up to date (%" PRIu64 " files, %s; 0 written, %" PRIu64
                " reused)\n",
                name, version, where, st->files, size, st->reused);
    else
        fprintf(out,
                "relman: assembled %s-%s in %s (%" PRIu64 " files, %s; %" PRIu64
                " written, %" PRIu64 " reused) in %s\n",
                name, version, where, st->files, size, st->written, st->reused,
                st->seconds < 10 ? (snprintf(took, sizeof(took), "%.2f s", st->seconds), took)
                                 : cli_human_seconds(took, sizeof(took), st->seconds));
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
