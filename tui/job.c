/*
 * job.c - worker thread + event pipe + state on the UI side.
 *
 * Messages on the pipe: a 5-byte header (type, payload length as 4 bytes
 * little-endian) and the payload. Each message is at most PIPE_BUF bytes,
 * so the single writer's writes are atomic.
 */
#include "tui/job.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/size.h"
#include "tui/format.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum msg_type { MSG_BEGIN = 1, MSG_ADVANCE, MSG_LOG, MSG_END, MSG_DONE, MSG_RECORD };

#define MSG_MAX 2048 /* < PIPE_BUF */

struct tui_job {
    struct tui_job_state st;
    int rfd, wfd;
    pthread_t thread;
    bool joined;
    atomic_int cancel;
    tui_job_fn fn;
    void *arg;
    tui_job_record_fn on_record; /* UI side */
    void *record_ctx;
    /* UI side: bytes read but not yet a whole message */
    unsigned char in[MSG_MAX * 4];
    size_t inlen;
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- worker side ---- */

static void send_msg(struct tui_job *job, enum msg_type type, const void *payload, size_t len)
{
    unsigned char buf[MSG_MAX + 5];
    if (len > MSG_MAX)
        len = MSG_MAX;
    buf[0] = (unsigned char)type;
    for (int i = 0; i < 4; i++)
        buf[1 + i] = (unsigned char)(len >> (8 * i));
    memcpy(buf + 5, payload, len);
    size_t off = 0, total = len + 5;
    while (off < total) {
        ssize_t n = write(job->wfd, buf + off, total - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the UI went away: nothing to report to */
        off += (size_t)n;
    }
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void ev_begin(void *ctx, const char *step, uint64_t files_total, uint64_t bytes_total)
{
    unsigned char p[16 + 64];
    put_u64(p, files_total);
    put_u64(p + 8, bytes_total);
    size_t n = strnlen(step, 63);
    memcpy(p + 16, step, n);
    send_msg(ctx, MSG_BEGIN, p, 16 + n);
}

static void ev_advance(void *ctx, uint64_t files_done, uint64_t bytes_done)
{
    unsigned char p[16];
    put_u64(p, files_done);
    put_u64(p + 8, bytes_done);
    send_msg(ctx, MSG_ADVANCE, p, 16);
}

static void ev_log(void *ctx, enum rel_log_level level, const char *line)
{
    unsigned char p[MSG_MAX];
    p[0] = (unsigned char)level;
    size_t n = strnlen(line, MSG_MAX - 1);
    memcpy(p + 1, line, n);
    send_msg(ctx, MSG_LOG, p, 1 + n);
}

static void ev_end(void *ctx, const char *step, int rc)
{
    unsigned char p[8 + 64];
    put_u64(p, (uint64_t)(int64_t)rc);
    size_t n = strnlen(step, 63);
    memcpy(p + 8, step, n);
    send_msg(ctx, MSG_END, p, 8 + n);
}

static const struct rel_event_ops pipe_ops = {
    .begin = ev_begin,
    .advance = ev_advance,
    .log = ev_log,
    .end = ev_end,
};

static void *worker(void *arg)
{
    struct tui_job *job = arg;
    struct rel_events ev = {&pipe_ops, job};
    rel_error_clear();
    int rc = job->fn(job->arg, &ev, job);
    unsigned char p[8 + 1024];
    put_u64(p, (uint64_t)(int64_t)rc);
    size_t n = 0;
    if (rc < 0) {
        const char *msg = rel_error_message();
        n = strnlen(msg, 1023);
        memcpy(p + 8, msg, n);
    }
    send_msg(job, MSG_DONE, p, 8 + n);
    close(job->wfd);
    job->wfd = -1;
    return NULL;
}

void tui_job_send(struct tui_job *job, const void *data, size_t len)
{
    send_msg(job, MSG_RECORD, data, len > TUI_JOB_RECORD_MAX ? TUI_JOB_RECORD_MAX : len);
}

bool tui_job_canceled(const struct tui_job *job)
{
    return atomic_load(&((struct tui_job *)job)->cancel) != 0;
}

/* ---- UI side ---- */

int tui_job_start(struct tui_job **out, const char *title, tui_job_fn fn, void *arg)
{
    *out = NULL;
    int fds[2];
    if (pipe(fds) < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot create a pipe for '%s'", title);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    struct tui_job *job = rel_calloc(1, sizeof(*job));
    snprintf(job->st.title, sizeof(job->st.title), "%s", title);
    job->st.log = rel_calloc(TUI_JOB_LOG_MAX, sizeof(*job->st.log));
    job->st.running = true;
    job->st.started_ms = now_ms();
    job->rfd = fds[0];
    job->wfd = fds[1];
    job->fn = fn;
    job->arg = arg;
    atomic_init(&job->cancel, 0);
    int e = pthread_create(&job->thread, NULL, worker, job);
    if (e != 0) {
        close(fds[0]);
        close(fds[1]);
        free(job->st.log);
        free(job);
        return rel_error_set_errno(REL_EIO, e, "cannot start a thread for '%s'", title);
    }
    *out = job;
    return 0;
}

void tui_job_on_record(struct tui_job *job, tui_job_record_fn fn, void *ctx)
{
    job->on_record = fn;
    job->record_ctx = ctx;
}

int tui_job_fd(const struct tui_job *job)
{
    return job->rfd;
}

const struct tui_job_state *tui_job_state(const struct tui_job *job)
{
    return &job->st;
}

void tui_job_cancel(struct tui_job *job)
{
    if (job)
        atomic_store(&job->cancel, 1);
}

static void add_log(struct tui_job_state *st, enum rel_log_level level, const char *text,
                    size_t len)
{
    size_t slot;
    if (st->log_count == TUI_JOB_LOG_MAX) {
        slot = st->log_start;
        free(st->log[slot].text);
        st->log_start = (st->log_start + 1) % TUI_JOB_LOG_MAX;
        st->dropped++;
    } else {
        slot = (st->log_start + st->log_count) % TUI_JOB_LOG_MAX;
        st->log_count++;
    }
    st->log[slot].level = level;
    st->log[slot].text = rel_strndup(text, len);
}

static void handle_msg(struct tui_job *job, enum msg_type type, const unsigned char *p, size_t len)
{
    struct tui_job_state *st = &job->st;
    switch (type) {
    case MSG_BEGIN:
        if (len < 16)
            return;
        st->files_total = get_u64(p);
        st->bytes_total = get_u64(p + 8);
        st->files_done = st->bytes_done = 0;
        snprintf(st->step, sizeof(st->step), "%.*s", (int)(len - 16), (const char *)p + 16);
        break;
    case MSG_ADVANCE:
        if (len < 16)
            return;
        st->files_done = get_u64(p);
        st->bytes_done = get_u64(p + 8);
        break;
    case MSG_LOG:
        if (len < 1)
            return;
        add_log(st, (enum rel_log_level)p[0], (const char *)p + 1, len - 1);
        break;
    case MSG_END: {
        if (len < 8)
            return;
        int rc = (int)(int64_t)get_u64(p);
        size_t used = strlen(st->steps_done);
        snprintf(st->steps_done + used, sizeof(st->steps_done) - used, "%s%.*s %s",
                 used ? "   " : "", (int)(len - 8), (const char *)p + 8,
                 tui_glyph(rc == 0 ? TUI_GLYPH_OK : TUI_GLYPH_FAIL));
        break;
    }
    case MSG_RECORD:
        if (job->on_record)
            job->on_record(job->record_ctx, p, len);
        break;
    case MSG_DONE:
        if (len < 8)
            return;
        st->rc = (int)(int64_t)get_u64(p);
        snprintf(st->error, sizeof(st->error), "%.*s", (int)(len - 8), (const char *)p + 8);
        break;
    }
}

static void join(struct tui_job *job)
{
    if (!job->joined) {
        pthread_join(job->thread, NULL);
        job->joined = true;
    }
    job->st.running = false;
    job->st.ended_ms = now_ms();
}

bool tui_job_pump(struct tui_job *job)
{
    bool changed = false;
    for (;;) {
        if (job->rfd < 0)
            break;
        ssize_t n = read(job->rfd, job->in + job->inlen, sizeof(job->in) - job->inlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break; /* EAGAIN: nothing more now */
        if (n == 0) {
            close(job->rfd);
            job->rfd = -1;
            join(job);
            changed = true;
            break;
        }
        job->inlen += (size_t)n;
        size_t off = 0;
        while (job->inlen - off >= 5) {
            size_t len = 0;
            for (int i = 0; i < 4; i++)
                len |= (size_t)job->in[off + 1 + (size_t)i] << (8 * i);
            if (job->inlen - off < 5 + len)
                break;
            handle_msg(job, (enum msg_type)job->in[off], job->in + off + 5, len);
            off += 5 + len;
            changed = true;
        }
        memmove(job->in, job->in + off, job->inlen - off);
        job->inlen -= off;
    }
    return changed;
}

void tui_job_free(struct tui_job *job)
{
    if (!job)
        return;
    tui_job_cancel(job);
    /* Drain so a worker blocked on a full pipe can finish. */
    while (job->rfd >= 0) {
        tui_job_pump(job);
        if (job->rfd >= 0)
            usleep(1000);
    }
    if (!job->joined)
        join(job);
    for (size_t i = 0; i < job->st.log_count; i++)
        free(job->st.log[(job->st.log_start + i) % TUI_JOB_LOG_MAX].text);
    free(job->st.log);
    free(job);
}

void tui_job_draw(const struct tui_job *job, struct tui_rect r)
{
    const struct tui_job_state *st = &job->st;
    if (r.h < 1)
        return;
    int y = r.y;
    char line[600];
    snprintf(line, sizeof(line), "%s  %s", st->steps_done,
             st->running ? st->step : (st->rc == 0 ? "done" : "failed"));
    tui_put(y++, r.x + 1, r.w - 2, TUI_ROLE_DEFAULT, line);
    if (y >= r.y + r.h)
        return;
    /* [#####.....]  412 / 615 files   7.9 / 11.3 MB   0.14 s */
    char counts[160], done[32], total[32];
    rel_size_human(done, sizeof(done), st->bytes_done);
    rel_size_human(total, sizeof(total), st->bytes_total);
    long end = st->running ? now_ms() : st->ended_ms;
    snprintf(counts, sizeof(counts), " %" PRIu64 " / %" PRIu64 " files   %s / %s   %.1f s",
             st->files_done, st->files_total, done, total, (double)(end - st->started_ms) / 1000.0);
    int cw = tui_text_width(counts);
    int barw = r.w - 4 - cw;
    if (barw > 60)
        barw = 60;
    int x = r.x + 1;
    if (barw >= 10) {
        double frac = st->files_total ? (double)st->files_done / (double)st->files_total
                                      : (st->running ? 0.0 : 1.0);
        if (frac > 1.0)
            frac = 1.0;
        int full = (int)(frac * barw + 0.5);
        tui_put(y, x++, 1, TUI_ROLE_DEFAULT, "[");
        for (int i = 0; i < barw; i++)
            tui_put(y, x + i, 1, i < full ? TUI_ROLE_PROGRESS : TUI_ROLE_MUTED,
                    tui_glyph(i < full ? TUI_GLYPH_BAR_FULL : TUI_GLYPH_BAR_EMPTY));
        x += barw;
        tui_put(y, x++, 1, TUI_ROLE_DEFAULT, "]");
    }
    tui_put(y++, x, r.x + r.w - x, TUI_ROLE_DEFAULT, counts);
    if (!st->running && st->rc < 0 && y < r.y + r.h)
        tui_put(y++, r.x + 1, r.w - 2, TUI_ROLE_ERROR, st->error);
    int room = r.y + r.h - y;
    if (room <= 0)
        return;
    if (st->dropped && room > 1) {
        tui_putf(y++, r.x + 1, r.w - 2, TUI_ROLE_MUTED, "(%zu earlier lines not kept)",
                 st->dropped);
        room--;
    }
    size_t first = st->log_count > (size_t)room ? st->log_count - (size_t)room : 0;
    for (size_t i = first; i < st->log_count; i++) {
        const struct tui_job_line *l = &st->log[(st->log_start + i) % TUI_JOB_LOG_MAX];
        enum tui_role role = l->level == REL_LOG_ERROR   ? TUI_ROLE_ERROR
                             : l->level == REL_LOG_WARN  ? TUI_ROLE_WARNING
                             : l->level == REL_LOG_DEBUG ? TUI_ROLE_MUTED
                                                         : TUI_ROLE_DEFAULT;
        tui_put(y++, r.x + 1, r.w - 2, role, l->text);
    }
}
