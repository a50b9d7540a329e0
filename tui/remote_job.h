/*
 * remote_job.h - remote operations (remote/) run as background jobs of the TUI.
 *
 * An operation on targets (status, deploy, start, stop, ...) runs on a
 * worker thread (tui/job.h) that drives the remote layer's runner, so the
 * screen never waits for the network. The remote layer reports through the
 * two ops tables this module fills:
 *
 *   events (remote/events.h): every command (its start, then its exit
 *     status, time and stderr tail), the steps, notes and transfer progress
 *     travel as records on the job's pipe and become lines of the screen's
 *     command log (cmdlog.h) on the UI thread; the current step and the
 *     bytes sent are kept for the screen's progress line;
 *   prompts (remote/ssh.h): an unknown host key under policy `ask` and the
 *     passphrase of a key are questions for the person at the screen. The
 *     worker sends the question and waits; the UI thread shows a dialog (or
 *     a hidden prompt) and hands the answer back. A job that is canceled
 *     (the screen closes) gets "no".
 *
 * Events that arrive on the UI thread itself (a session used there after
 * its job ended, as Attach does) go straight into the command log.
 * One job at a time per tui_remote_job.
 */
#ifndef TUI_REMOTE_JOB_H
#define TUI_REMOTE_JOB_H

#include "tui/job.h"

#include <stdbool.h>
#include <stdint.h>

struct rel_remote_events;
struct rel_ssh_prompt_ops;
struct tui_cmdlog;
struct tui_remote_job;

/* `log` (borrowed) receives the lines; it must outlive `r`. */
int tui_remote_job_new(struct tui_remote_job **out, struct tui_cmdlog *log);
/* Cancel and wait for a running job (a deploy runs to its end), close a
 * question of ours that is open, free. NULL is fine. */
void tui_remote_job_free(struct tui_remote_job *r);

/* The ops tables to give the remote layer (runner or session options). */
const struct rel_remote_events *tui_remote_job_events(struct tui_remote_job *r);
const struct rel_ssh_prompt_ops *tui_remote_job_prompts(struct tui_remote_job *r);
/* The prompt context that goes with tui_remote_job_prompts(). */
void *tui_remote_job_prompt_ctx(struct tui_remote_job *r);

/* While set, streamed output (logs -f) goes to fn(ctx, host, text) on the
 * UI thread instead of into the command log; NULL sets it back. */
typedef void (*tui_remote_job_output_fn)(void *ctx, const char *host, const char *text);
void tui_remote_job_set_output(struct tui_remote_job *r, tui_remote_job_output_fn fn, void *ctx);

/* Runs on the UI thread once the job has ended: its result and, when rc < 0,
 * the worker's error message. */
typedef void (*tui_remote_job_done_fn)(void *arg, int rc, const char *error);

/*
 * Run fn(arg, ...) on a worker thread wired to `r`; `done(arg, ...)` runs on
 * the UI thread at the end. REL_EUSAGE when a job of `r` runs already.
 */
int tui_remote_job_start(struct tui_remote_job *r, const char *title, tui_job_fn fn, void *arg,
                         tui_remote_job_done_fn done);
bool tui_remote_job_busy(const struct tui_remote_job *r);
/* Ask the running job to stop early (operations that only read stop at the
 * next step; deploys and node actions run to their end). */
void tui_remote_job_cancel(struct tui_remote_job *r);

/* What the running (or last) job is doing: its title, the newest step
 * ("a1: upload"), bytes sent and to send (0 when none), seconds running. */
struct tui_remote_job_progress {
    char title[128];
    char step[200];
    uint64_t sent, total;
    double seconds;
    bool running;
};
void tui_remote_job_progress(const struct tui_remote_job *r, struct tui_remote_job_progress *out);

#endif
