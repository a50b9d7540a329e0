/* Unit tests for tui/job: work on a thread, events through the pipe, the
 * state on the UI side, a bounded log, errors and cancelation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "tui/job.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int work(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    int n = *(int *)arg;
    rel_event_begin(ev, "copy", (uint64_t)n, (uint64_t)n * 100);
    for (int i = 1; i <= n; i++) {
        rel_event_advance(ev, (uint64_t)i, (uint64_t)i * 100);
        rel_event_log(ev, REL_LOG_INFO, "file %d", i);
        if (tui_job_canceled(job)) {
            rel_event_end(ev, "copy", REL_ECANCELED);
            return rel_error_set(REL_ECANCELED, "stopped at file %d", i);
        }
    }
    rel_event_end(ev, "copy", 0);
    if (n == 7)
        return rel_error_set(REL_EIO, "disk on fire after %d files", n);
    return 0;
}

/* Pump like the UI loop does: poll the fd, then tui_job_pump. */
static void run_to_end(struct tui_job *job)
{
    while (tui_job_state(job)->running) {
        struct pollfd p = {tui_job_fd(job), POLLIN, 0};
        poll(&p, 1, 1000);
        tui_job_pump(job);
    }
}

static void test_events_arrive(void **state)
{
    (void)state;
    int n = 50;
    struct tui_job *job;
    assert_int_equal(tui_job_start(&job, "assemble", work, &n), 0);
    run_to_end(job);
    const struct tui_job_state *st = tui_job_state(job);
    assert_int_equal(st->rc, 0);
    assert_string_equal(st->step, "copy");
    assert_int_equal(st->files_done, 50);
    assert_int_equal(st->files_total, 50);
    assert_int_equal(st->bytes_done, 5000);
    assert_int_equal(st->log_count, 50);
    assert_string_equal(st->log[(st->log_start + 49) % TUI_JOB_LOG_MAX].text, "file 50");
    assert_non_null(strstr(st->steps_done, "copy"));
    tui_job_free(job);
}

static void test_log_is_bounded(void **state)
{
    (void)state;
    int n = TUI_JOB_LOG_MAX + 250;
    struct tui_job *job;
    assert_int_equal(tui_job_start(&job, "big", work, &n), 0);
    run_to_end(job);
    const struct tui_job_state *st = tui_job_state(job);
    assert_int_equal(st->log_count, TUI_JOB_LOG_MAX);
    assert_int_equal(st->dropped, 250);
    assert_string_equal(st->log[st->log_start].text, "file 251");
    tui_job_free(job);
}

static void test_error_crosses_threads(void **state)
{
    (void)state;
    int n = 7;
    struct tui_job *job;
    assert_int_equal(tui_job_start(&job, "fail", work, &n), 0);
    run_to_end(job);
    assert_int_equal(tui_job_state(job)->rc, REL_EIO);
    assert_string_equal(tui_job_state(job)->error, "disk on fire after 7 files");
    tui_job_free(job);
}

static void test_cancel_and_free_while_running(void **state)
{
    (void)state;
    int n = 1000000;
    struct tui_job *job;
    assert_int_equal(tui_job_start(&job, "long", work, &n), 0);
    tui_job_cancel(job);
    run_to_end(job);
    assert_int_equal(tui_job_state(job)->rc, REL_ECANCELED);
    tui_job_free(job);
    /* freeing a running job cancels and joins it */
    assert_int_equal(tui_job_start(&job, "long", work, &n), 0);
    tui_job_free(job);
}

/* Records: the work's own messages, in order with the log, to the receiver. */
static int send_records(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)arg;
    char big[TUI_JOB_RECORD_MAX + 100];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 300; i++) {
        char rec[32];
        int n = snprintf(rec, sizeof(rec), "rec%d", i);
        tui_job_send(job, rec, (size_t)n + 1);
        rel_event_log(ev, REL_LOG_INFO, "log %d", i);
    }
    tui_job_send(job, big, sizeof(big));
    return 0;
}

struct received {
    int count;
    int in_order;
    size_t last_len;
};

static void receive(void *ctx, const void *data, size_t len)
{
    struct received *r = ctx;
    char want[32];
    snprintf(want, sizeof(want), "rec%d", r->count);
    if (r->count < 300 && strcmp(data, want) == 0)
        r->in_order++;
    r->last_len = len;
    r->count++;
}

static void test_records(void **state)
{
    (void)state;
    struct tui_job *job;
    struct received got = {0};
    assert_int_equal(tui_job_start(&job, "records", send_records, NULL), 0);
    tui_job_on_record(job, receive, &got);
    run_to_end(job);
    assert_int_equal(got.count, 301);
    assert_int_equal(got.in_order, 300);
    assert_int_equal(got.last_len, TUI_JOB_RECORD_MAX); /* cut, not lost */
    assert_int_equal(tui_job_state(job)->log_count, 300);
    tui_job_free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_arrive),
        cmocka_unit_test(test_log_is_bounded),
        cmocka_unit_test(test_error_crosses_threads),
        cmocka_unit_test(test_cancel_and_free_while_running),
        cmocka_unit_test(test_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
