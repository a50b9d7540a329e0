#include "event.h"

#include "alloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rel_event_begin(const struct rel_events *ev, const char *step, uint64_t files_total,
                     uint64_t bytes_total)
{
    if (ev && ev->ops && ev->ops->begin)
        ev->ops->begin(ev->ctx, step, files_total, bytes_total);
}

void rel_event_advance(const struct rel_events *ev, uint64_t files_done, uint64_t bytes_done)
{
    if (ev && ev->ops && ev->ops->advance)
        ev->ops->advance(ev->ctx, files_done, bytes_done);
}

void rel_event_log(const struct rel_events *ev, enum rel_log_level level, const char *fmt, ...)
{
    if (!ev || !ev->ops || !ev->ops->log)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ev->ops->log(ev->ctx, level, line);
}

void rel_event_end(const struct rel_events *ev, const char *step, int rc)
{
    if (ev && ev->ops && ev->ops->end)
        ev->ops->end(ev->ctx, step, rc);
}

const char *rel_log_level_name(enum rel_log_level level)
{
    switch (level) {
    case REL_LOG_DEBUG:
        return "debug";
    case REL_LOG_INFO:
        return "info";
    case REL_LOG_WARN:
        return "warning";
    case REL_LOG_ERROR:
        return "error";
    }
    return "info";
}

/* The recorder. */

static void rec_push(struct rel_event_recorder *rec, char *line)
{
    rec->lines = rel_reallocarray(rec->lines, rec->count + 1, sizeof(*rec->lines));
    rec->lines[rec->count++] = line;
}

static void rec_begin(void *ctx, const char *step, uint64_t files, uint64_t bytes)
{
    rec_push(ctx, rel_asprintf("begin %s %" PRIu64 " %" PRIu64, step, files, bytes));
}

static void rec_advance(void *ctx, uint64_t files, uint64_t bytes)
{
    struct rel_event_recorder *rec = ctx;
    char *line = rel_asprintf("advance %" PRIu64 " %" PRIu64, files, bytes);
    if (rec->coalesce_advance && rec->count > 0 &&
        strncmp(rec->lines[rec->count - 1], "advance ", 8) == 0) {
        free(rec->lines[rec->count - 1]);
        rec->lines[rec->count - 1] = line;
        return;
    }
    rec_push(rec, line);
}

static void rec_log(void *ctx, enum rel_log_level level, const char *line)
{
    rec_push(ctx, rel_asprintf("log %s %s", rel_log_level_name(level), line));
}

static void rec_end(void *ctx, const char *step, int rc)
{
    rec_push(ctx, rel_asprintf("end %s %d", step, rc));
}

static const struct rel_event_ops recorder_ops = {
    .begin = rec_begin,
    .advance = rec_advance,
    .log = rec_log,
    .end = rec_end,
};

void rel_event_recorder_init(struct rel_event_recorder *rec, struct rel_events *ev)
{
    int coalesce = rec->coalesce_advance;
    memset(rec, 0, sizeof(*rec));
    rec->coalesce_advance = coalesce;
    ev->ops = &recorder_ops;
    ev->ctx = rec;
}

void rel_event_recorder_free(struct rel_event_recorder *rec)
{
    if (!rec)
        return;
    for (size_t i = 0; i < rec->count; i++)
        free(rec->lines[i]);
    free(rec->lines);
    rec->lines = NULL;
    rec->count = 0;
}

long rel_event_recorder_find(const struct rel_event_recorder *rec, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < rec->count; i++)
        if (strncmp(rec->lines[i], prefix, n) == 0)
            return (long)i;
    return -1;
}
