/*
 * job.h - long work in the background, reported to the UI through a pipe.
 *
 * Core work that takes time (assembly, packing, later deploys) reports
 * through core's event sink (core/event.h). A job runs such work on a worker
 * thread with a sink that turns every event into a small message on a pipe;
 * the UI thread watches the pipe's read end in its poll() loop
 * (tui_watch(tui_job_fd(job), POLLIN, ...)) and calls tui_job_pump(), which
 * updates the job's state: the step, the counts, a bounded log, the result.
 * So curses stays on one thread and the screen never waits for the work.
 *
 * The worker must not touch curses or UI state; it may check
 * tui_job_canceled() to stop early (returning REL_ECANCELED).
 */
#ifndef TUI_JOB_H
#define TUI_JOB_H

#include "core/event.h"
#include "tui/draw.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TUI_JOB_LOG_MAX 1000 /* log lines kept; older ones are dropped and counted */

struct tui_job;

/* The work: runs on the worker thread; returns 0 or REL_E* (with the error
 * message set on that thread, which the job carries over to the UI). */
typedef int (*tui_job_fn)(void *arg, const struct rel_events *ev, struct tui_job *job);

struct tui_job_line {
    enum rel_log_level level;
    char *text;
};

/* What the UI thread knows about a job (read it between pumps). */
struct tui_job_state {
    char title[128];
    char step[64];        /* the current (or last) step */
    char steps_done[512]; /* "resolve ✓  boot scripts ✓" */
    uint64_t files_done, files_total, bytes_done, bytes_total;
    bool running;
    int rc;                   /* when !running: 0 or the REL_E* code */
    char error[1024];         /* when rc < 0: the worker's error message */
    struct tui_job_line *log; /* ring of TUI_JOB_LOG_MAX lines */
    size_t log_start, log_count;
    size_t dropped; /* lines that fell out of the ring */
    long started_ms, ended_ms;
};

/* Start `fn(arg, ...)` on a new thread. 0 or REL_E* (no thread, no pipe). */
int tui_job_start(struct tui_job **out, const char *title, tui_job_fn fn, void *arg);

/* The pipe's read end, to watch for POLLIN. Remember it: tui_job_pump()
 * closes it (and this returns -1) once the worker is done, and the watch
 * must be removed by that number. */
int tui_job_fd(const struct tui_job *job);

/* Read the events that arrived (never blocks). Returns true when anything
 * changed. When the worker is done the thread is joined here. */
bool tui_job_pump(struct tui_job *job);

const struct tui_job_state *tui_job_state(const struct tui_job *job);

/*
 * Records: opaque messages of the work's own (the remote layer's commands
 * and prompts, say). The worker sends one with tui_job_send() (at most
 * TUI_JOB_RECORD_MAX bytes; longer ones are cut); tui_job_pump() hands each
 * to the receiver set with tui_job_on_record(), on the UI thread, in order
 * with the other events. Set the receiver right after tui_job_start(),
 * before the first pump; records arriving without one are dropped.
 */
#define TUI_JOB_RECORD_MAX 2000
typedef void (*tui_job_record_fn)(void *ctx, const void *data, size_t len);
void tui_job_on_record(struct tui_job *job, tui_job_record_fn fn, void *ctx);
void tui_job_send(struct tui_job *job, const void *data, size_t len);

/* Ask the worker to stop; tui_job_canceled() is what the worker checks. */
void tui_job_cancel(struct tui_job *job);
bool tui_job_canceled(const struct tui_job *job);

/* Cancel if needed, wait for the thread, free everything. NULL is fine. */
void tui_job_free(struct tui_job *job);

/* Drawing (UI thread): a progress line with a bar, counts and elapsed time,
 * and the log's last lines in the rest of `r`. */
void tui_job_draw(const struct tui_job *job, struct tui_rect r);

#endif
