/*
 * remote_job.c - remote operations as background jobs, their events in the
 * command log, their questions as dialogs (see remote_job.h).
 *
 * Records on the job's pipe: one kind byte, then fields separated by NUL:
 *   'B' host command                       a command began
 *   'E' host command status failure secs stderr_tail
 *   'S' host step detail                   a step began
 *   'N' host message                       a note
 *   'O' host text                          streamed output
 *   'G' host sent total secs               transfer progress (throttled)
 *   'H' label host type fingerprint known_hosts   host key question
 *   'K' label key_file attempt             passphrase question
 */
#include "tui/remote_job.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "remote/events.h"
#include "remote/ssh.h"
#include "tui/cmdlog.h"
#include "tui/ui.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIELD_COMMAND 1200 /* a command in a record (begin and end cut alike) */
#define FIELD_TAIL 500     /* the end of stderr kept in a record */

struct tui_remote_job {
    struct tui_cmdlog *log;
    pthread_t ui_thread;
    struct rel_remote_events events;
    struct rel_ssh_prompt_ops prompts;
    /* the job (UI side) */
    struct tui_job *job;
    int job_fd;
    tui_job_fn fn;
    void *arg;
    tui_remote_job_done_fn done;
    tui_remote_job_output_fn output;
    void *output_ctx;
    /* progress (UI side) */
    struct tui_remote_job_progress prog;
    long started_ms, ended_ms;
    /* worker side */
    struct tui_job *wjob;
    int64_t last_progress_ms;
    /* a question in flight */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool answered;
    int answer; /* host key: 1 trust; passphrase: 0 given, REL_ECANCELED */
    char secret[1024];
};

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool on_ui_thread(const struct tui_remote_job *r)
{
    return pthread_equal(pthread_self(), r->ui_thread);
}

/* ---- worker side: records ---------------------------------------------------- */

struct rec {
    char buf[TUI_JOB_RECORD_MAX];
    size_t len;
};

static void rec_start(struct rec *rc, char kind)
{
    rc->buf[0] = kind;
    rc->len = 1;
}

/* Append a field: at most `max` bytes of s (its end when `tail`). */
static void rec_field(struct rec *rc, const char *s, size_t max, bool tail)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (n > max) {
        if (tail)
            s += n - max;
        n = max;
    }
    if (rc->len + n + 1 > sizeof(rc->buf))
        n = sizeof(rc->buf) - rc->len - 1;
    memcpy(rc->buf + rc->len, s, n);
    rc->len += n;
    rc->buf[rc->len++] = '\0';
}

static void rec_send(struct tui_remote_job *r, struct rec *rc)
{
    if (r->wjob)
        tui_job_send(r->wjob, rc->buf, rc->len);
}

/* ---- the events ops ------------------------------------------------------------ */

static char *cut_command(const char *command)
{
    return rel_strndup(command, strnlen(command, FIELD_COMMAND));
}

static void ev_command_begin(void *ctx, const char *host, const char *command)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r)) {
        char *c = cut_command(command);
        tui_cmdlog_begin(r->log, host, c);
        free(c);
        return;
    }
    struct rec rc;
    rec_start(&rc, 'B');
    rec_field(&rc, host, 64, false);
    rec_field(&rc, command, FIELD_COMMAND, false);
    rec_send(r, &rc);
}

static void failure_text(const struct rel_remote_command *cmd, char *buf, size_t size)
{
    if (cmd->error)
        snprintf(buf, size, "%s", cmd->error);
    else if (cmd->signal)
        snprintf(buf, size, "killed by SIG%s", cmd->signal);
    else
        buf[0] = '\0';
}

static void ev_command_end(void *ctx, const struct rel_remote_command *cmd)
{
    struct tui_remote_job *r = ctx;
    char failure[300];
    failure_text(cmd, failure, sizeof(failure));
    if (on_ui_thread(r)) {
        char *c = cut_command(cmd->command);
        tui_cmdlog_end(r->log, cmd->host, c, cmd->exit_status, failure, cmd->seconds,
                       cmd->stderr_tail);
        free(c);
        return;
    }
    char status[16], secs[32];
    snprintf(status, sizeof(status), "%d", cmd->exit_status);
    snprintf(secs, sizeof(secs), "%.3f", cmd->seconds);
    struct rec rc;
    rec_start(&rc, 'E');
    rec_field(&rc, cmd->host, 64, false);
    rec_field(&rc, cmd->command, FIELD_COMMAND, false);
    rec_field(&rc, status, 16, false);
    rec_field(&rc, failure, 200, false);
    rec_field(&rc, secs, 32, false);
    rec_field(&rc, cmd->stderr_tail, FIELD_TAIL, true);
    rec_send(r, &rc);
}

static void ev_step(void *ctx, const char *host, const char *step, const char *detail)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r)) {
        char text[600];
        snprintf(text, sizeof(text), "%s%s%s", step, detail && *detail ? ": " : "",
                 detail ? detail : "");
        tui_cmdlog_add(r->log, TUI_CL_STEP, host, text);
        return;
    }
    struct rec rc;
    rec_start(&rc, 'S');
    rec_field(&rc, host, 64, false);
    rec_field(&rc, step, 100, false);
    rec_field(&rc, detail, 800, false);
    rec_send(r, &rc);
}

static void ev_progress(void *ctx, const char *host, uint64_t done, uint64_t total, double seconds)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r))
        return;
    int64_t now = rel_ssh_now_ms();
    bool end = total && done >= total;
    if (!end && now - r->last_progress_ms < 100)
        return;
    r->last_progress_ms = now;
    char d[32], t[32], s[32];
    snprintf(d, sizeof(d), "%llu", (unsigned long long)done);
    snprintf(t, sizeof(t), "%llu", (unsigned long long)total);
    snprintf(s, sizeof(s), "%.2f", seconds);
    struct rec rc;
    rec_start(&rc, 'G');
    rec_field(&rc, host, 64, false);
    rec_field(&rc, d, 32, false);
    rec_field(&rc, t, 32, false);
    rec_field(&rc, s, 32, false);
    rec_send(r, &rc);
}

static void ev_note(void *ctx, const char *host, const char *message)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r)) {
        tui_cmdlog_add(r->log, TUI_CL_NOTE, host, message);
        return;
    }
    struct rec rc;
    rec_start(&rc, 'N');
    rec_field(&rc, host, 64, false);
    rec_field(&rc, message, 1200, false);
    rec_send(r, &rc);
}

static void ev_output(void *ctx, const char *host, const char *data, size_t len, int is_stderr)
{
    (void)is_stderr;
    struct tui_remote_job *r = ctx;
    /* in pieces that fit a record: a follower wants every byte */
    for (size_t off = 0; off < len || off == 0; off += 1400) {
        size_t n = len - off < 1400 ? len - off : 1400;
        char *text = rel_strndup(data + off, n);
        if (on_ui_thread(r)) {
            tui_cmdlog_add(r->log, TUI_CL_STEP, host, text);
        } else {
            struct rec rc;
            rec_start(&rc, 'O');
            rec_field(&rc, host, 64, false);
            rec_field(&rc, text, 1500, true);
            rec_send(r, &rc);
        }
        free(text);
        if (n == 0)
            break;
    }
}

static const struct rel_remote_event_ops event_ops = {
    .command_begin = ev_command_begin,
    .command_end = ev_command_end,
    .step = ev_step,
    .progress = ev_progress,
    .note = ev_note,
    .output = ev_output,
};

/* ---- questions ---------------------------------------------------------------- */

/* Worker: send the question, wait for the answer (or the job's end). */
static int ask(struct tui_remote_job *r, struct rec *rc, char *secret, size_t size)
{
    pthread_mutex_lock(&r->mu);
    r->answered = false;
    r->answer = 0;
    pthread_mutex_unlock(&r->mu);
    rec_send(r, rc);
    pthread_mutex_lock(&r->mu);
    while (!r->answered && !tui_job_canceled(r->wjob)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    int answer = r->answered ? r->answer : REL_ECANCELED;
    if (secret && size)
        snprintf(secret, size, "%s", r->secret);
    memset(r->secret, 0, sizeof(r->secret));
    pthread_mutex_unlock(&r->mu);
    return answer;
}

static int prompt_hostkey(void *ctx, const struct rel_ssh_hostkey *key)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r) || !r->wjob)
        return 0; /* no way to ask from here: refused, as without prompts */
    struct rec rc;
    rec_start(&rc, 'H');
    rec_field(&rc, key->label, 64, false);
    rec_field(&rc, key->host, 300, false);
    rec_field(&rc, key->key_type, 64, false);
    rec_field(&rc, key->fingerprint, 200, false);
    rec_field(&rc, key->known_hosts, 800, false);
    return ask(r, &rc, NULL, 0) == 1;
}

static int prompt_passphrase(void *ctx, const char *label, const char *key_file, int attempt,
                             char *buf, size_t size)
{
    struct tui_remote_job *r = ctx;
    if (on_ui_thread(r) || !r->wjob)
        return REL_ECANCELED;
    char n[16];
    snprintf(n, sizeof(n), "%d", attempt);
    struct rec rc;
    rec_start(&rc, 'K');
    rec_field(&rc, label, 64, false);
    rec_field(&rc, key_file, 800, false);
    rec_field(&rc, n, 16, false);
    int answer = ask(r, &rc, buf, size);
    if (answer != 0) {
        memset(buf, 0, size);
        return REL_ECANCELED;
    }
    return 0;
}

/* UI: the answers. */
static void give_answer(struct tui_remote_job *r, int answer, const char *secret)
{
    pthread_mutex_lock(&r->mu);
    r->answer = answer;
    snprintf(r->secret, sizeof(r->secret), "%s", secret ? secret : "");
    r->answered = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static int hostkey_answer(void *ctx, int key)
{
    struct tui_remote_job *r = ctx;
    give_answer(r, key == 'y' ? 1 : 0, NULL);
    tui_message(key == 'y' ? "host key trusted: added to known_hosts"
                           : "host key refused: not connecting");
    return TUI_R_REDRAW;
}

static int passphrase_answer(void *ctx, const char *text, bool done, bool canceled)
{
    struct tui_remote_job *r = ctx;
    if (done)
        give_answer(r, canceled || !text[0] ? REL_ECANCELED : 0, canceled ? "" : text);
    return TUI_R_REDRAW;
}

/* ---- UI side: records -------------------------------------------------------- */

/* Split a record's fields (after the kind byte) into f[]; returns the count. */
static int fields(const unsigned char *data, size_t len, const char **f, int max)
{
    int n = 0;
    size_t i = 1;
    while (i < len && n < max) {
        const char *s = (const char *)data + i;
        size_t l = strnlen(s, len - i);
        if (i + l >= len)
            break; /* no terminating NUL: cut record */
        f[n++] = s;
        i += l + 1;
    }
    return n;
}

static void on_record(void *ctx, const void *data, size_t len)
{
    struct tui_remote_job *r = ctx;
    const unsigned char *d = data;
    if (len < 1)
        return;
    const char *f[8];
    int n = fields(d, len, f, 8);
    switch (d[0]) {
    case 'B':
        if (n >= 2)
            tui_cmdlog_begin(r->log, f[0], f[1]);
        break;
    case 'E':
        if (n >= 6)
            tui_cmdlog_end(r->log, f[0], f[1], atoi(f[2]), f[3], atof(f[4]), f[5]);
        break;
    case 'S':
        if (n >= 3) {
            char text[1000];
            snprintf(text, sizeof(text), "%s%s%s", f[1], f[2][0] ? ": " : "", f[2]);
            tui_cmdlog_add(r->log, TUI_CL_STEP, f[0], text);
            snprintf(r->prog.step, sizeof(r->prog.step), "%s: %s", f[0], f[1]);
            r->prog.sent = r->prog.total = 0;
        }
        break;
    case 'N':
        if (n >= 2)
            tui_cmdlog_add(r->log, TUI_CL_NOTE, f[0], f[1]);
        break;
    case 'O':
        if (n >= 2 && r->output)
            r->output(r->output_ctx, f[0], f[1]);
        else if (n >= 2)
            tui_cmdlog_add(r->log, TUI_CL_STEP, f[0], f[1]);
        break;
    case 'G':
        if (n >= 3) {
            r->prog.sent = strtoull(f[1], NULL, 10);
            r->prog.total = strtoull(f[2], NULL, 10);
        }
        break;
    case 'H':
        if (n >= 5) {
            char body[2000];
            snprintf(body, sizeof(body),
                     "target %s: %s\n%s key fingerprint %s\n\nTrusting it appends it to %s.\n"
                     "Check the fingerprint with the host's administrator first.",
                     f[0], f[1], f[2], f[3], f[4]);
            tui_dialog("The host key is not known", body,
                       "Trust this host key and connect?  y: yes  n: no", "yn", hostkey_answer, r);
            tui_cmdlog_add(r->log, TUI_CL_NOTE, f[0], "unknown host key: asking");
        }
        break;
    case 'K':
        if (n >= 3) {
            char label[1100];
            snprintf(label, sizeof(label),
                     "%spassphrase for %s (target %s): ", atoi(f[2]) > 1 ? "try again: " : "", f[1],
                     f[0]);
            tui_prompt(label, "", TUI_PROMPT_SECRET, passphrase_answer, r);
        }
        break;
    default:
        break;
    }
}

static int job_ready(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    struct tui_remote_job *r = ctx;
    if (!r->job || !tui_job_pump(r->job))
        return TUI_R_NONE;
    const struct tui_job_state *js = tui_job_state(r->job);
    if (js->running)
        return TUI_R_REDRAW;
    tui_unwatch(r->job_fd);
    r->prog.running = false;
    r->ended_ms = mono_ms();
    char error[sizeof(js->error)];
    snprintf(error, sizeof(error), "%s", js->error);
    int rc = js->rc;
    tui_job_free(r->job);
    r->job = NULL;
    r->wjob = NULL;
    /* `done` may start the next job */
    if (r->done)
        r->done(r->arg, rc, error);
    return TUI_R_REDRAW;
}

/* worker thread */
static int run(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    struct tui_remote_job *r = arg;
    r->wjob = job;
    r->last_progress_ms = 0;
    return r->fn(r->arg, ev, job);
}

/* ---- public ------------------------------------------------------------------- */

int tui_remote_job_new(struct tui_remote_job **out, struct tui_cmdlog *log)
{
    struct tui_remote_job *r = rel_calloc(1, sizeof(*r));
    r->log = log;
    r->ui_thread = pthread_self();
    r->events.ops = &event_ops;
    r->events.ctx = r;
    r->prompts.confirm_hostkey = prompt_hostkey;
    r->prompts.passphrase = prompt_passphrase;
    r->job_fd = -1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    *out = r;
    return 0;
}

void tui_remote_job_free(struct tui_remote_job *r)
{
    if (!r)
        return;
    tui_modal_cancel(r);
    if (r->job) {
        tui_unwatch(r->job_fd);
        tui_job_free(r->job); /* cancels: a question in flight is answered "no" */
    }
    tui_modal_cancel(r); /* one the last records may have opened */
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    memset(r->secret, 0, sizeof(r->secret));
    free(r);
}

void tui_remote_job_set_output(struct tui_remote_job *r, tui_remote_job_output_fn fn, void *ctx)
{
    r->output = fn;
    r->output_ctx = ctx;
}

const struct rel_remote_events *tui_remote_job_events(struct tui_remote_job *r)
{
    return &r->events;
}

const struct rel_ssh_prompt_ops *tui_remote_job_prompts(struct tui_remote_job *r)
{
    return &r->prompts;
}

void *tui_remote_job_prompt_ctx(struct tui_remote_job *r)
{
    return r;
}

int tui_remote_job_start(struct tui_remote_job *r, const char *title, tui_job_fn fn, void *arg,
                         tui_remote_job_done_fn done)
{
    if (r->job)
        return rel_error_set(REL_EUSAGE, "'%s' is still running: wait for it to end",
                             r->prog.title);
    r->fn = fn;
    r->arg = arg;
    r->done = done;
    memset(&r->prog, 0, sizeof(r->prog));
    snprintf(r->prog.title, sizeof(r->prog.title), "%s", title);
    int rc = tui_job_start(&r->job, title, run, r);
    if (rc < 0)
        return rc;
    tui_job_on_record(r->job, on_record, r);
    r->job_fd = tui_job_fd(r->job);
    if ((rc = tui_watch(r->job_fd, POLLIN, job_ready, r)) < 0) {
        tui_job_free(r->job);
        r->job = NULL;
        return rc;
    }
    r->prog.running = true;
    r->started_ms = mono_ms();
    return 0;
}

bool tui_remote_job_busy(const struct tui_remote_job *r)
{
    return r->job != NULL;
}

void tui_remote_job_cancel(struct tui_remote_job *r)
{
    if (r->job)
        tui_job_cancel(r->job);
}

void tui_remote_job_progress(const struct tui_remote_job *r, struct tui_remote_job_progress *out)
{
    *out = r->prog;
    long end = r->prog.running ? mono_ms() : r->ended_ms;
    out->seconds = r->started_ms ? (double)(end - r->started_ms) / 1000.0 : 0;
}
