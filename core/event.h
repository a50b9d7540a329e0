/*
 * event.h - the progress/event sink: how long-running core work (assembly,
 * packing, later deploys) tells a front end what it is doing.
 *
 * Core code never prints. It reports through a `struct rel_events`, a small
 * ops table plus a context pointer that the outer layer fills: the CLI prints
 * a progress line on a terminal (cli/progress.c), the TUI draws a bar and a
 * log pane, tests record every event (rel_event_recorder below).
 *
 * The protocol, for one step:
 *
 *     rel_event_begin(ev, "assemble", files_total, bytes_total);
 *     rel_event_advance(ev, files_done, bytes_done);   (any number of times)
 *     rel_event_log(ev, REL_LOG_INFO, "...");           (any time)
 *     rel_event_end(ev, "assemble", rc);
 *
 * Steps do not nest. `advance` carries absolute counts (never deltas), so a
 * sink that drops events still shows the right figures. A total of 0 means
 * "unknown". Every function accepts a NULL `ev` and ops with NULL members,
 * so callers never test before reporting. Sinks are called on the thread that
 * does the work; they must not call back into the code that reports.
 */
#ifndef REL_EVENT_H
#define REL_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum rel_log_level { REL_LOG_DEBUG, REL_LOG_INFO, REL_LOG_WARN, REL_LOG_ERROR };

struct rel_event_ops {
    /* A step starts; totals may be 0 when unknown. */
    void (*begin)(void *ctx, const char *step, uint64_t files_total, uint64_t bytes_total);
    /* Progress within the current step, as absolute counts. */
    void (*advance)(void *ctx, uint64_t files_done, uint64_t bytes_done);
    /* One line of text (no trailing newline). */
    void (*log)(void *ctx, enum rel_log_level level, const char *line);
    /* The step ends: rc is 0 or the REL_E* code it failed with. */
    void (*end)(void *ctx, const char *step, int rc);
};

struct rel_events {
    const struct rel_event_ops *ops;
    void *ctx;
};

void rel_event_begin(const struct rel_events *ev, const char *step, uint64_t files_total,
                     uint64_t bytes_total);
void rel_event_advance(const struct rel_events *ev, uint64_t files_done, uint64_t bytes_done);
void rel_event_log(const struct rel_events *ev, enum rel_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rel_event_end(const struct rel_events *ev, const char *step, int rc);

/* "debug", "info", "warning", "error". */
const char *rel_log_level_name(enum rel_log_level level);

/*
 * A sink that records every event as one text line, for tests and for
 * replaying a run:
 *   "begin STEP FILES BYTES", "advance FILES BYTES", "log LEVEL TEXT",
 *   "end STEP RC".
 * rel_event_recorder_init() points `ev` at the recorder. `lines` is a
 * malloc'd array of malloc'd strings owned by the recorder; free it with
 * rel_event_recorder_free() (accepts a zeroed recorder).
 * With `coalesce_advance`, consecutive advance events keep only the last.
 */
struct rel_event_recorder {
    char **lines;
    size_t count;
    int coalesce_advance;
};

void rel_event_recorder_init(struct rel_event_recorder *rec, struct rel_events *ev);
void rel_event_recorder_free(struct rel_event_recorder *rec);
/* Index of the first line starting with `prefix`, or -1. */
long rel_event_recorder_find(const struct rel_event_recorder *rec, const char *prefix);

#endif
