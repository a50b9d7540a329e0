#include "health.h"

#include "layout.h"
#include "runner.h"
#include "ssh.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define RETRY_MS 500

enum { H_START, H_PID, H_PROBE, H_SLEPT_PID, H_SLEPT_PROBE };

void rel_health_init(struct rel_health *h, const struct rel_remote_target *t, const char *dir,
                     int tcp, int timeout_s)
{
    memset(h, 0, sizeof(*h));
    h->t = t;
    h->dir = dir;
    h->tcp = tcp;
    h->timeout_s = timeout_s > 0 ? timeout_s : 30;
    h->phase = H_START;
}

void rel_health_free(struct rel_health *h)
{
    free(h->problem);
    h->problem = NULL;
}

static void pid_action(struct rel_health *h, struct rel_action *act)
{
    act->kind = REL_ACT_EXEC;
    act->command = rel_layout_pid_cmd(h->t, h->dir);
    act->timeout_ms = 20000;
    h->phase = H_PID;
}

static void probe_action(struct rel_health *h, struct rel_action *act)
{
    act->kind = REL_ACT_PROBE;
    act->port = h->tcp;
    h->phase = H_PROBE;
}

static void set_problem(struct rel_health *h, const char *prefix, const char *detail)
{
    free(h->problem);
    size_t n = strlen(detail);
    while (n > 0 && (detail[n - 1] == '\n' || detail[n - 1] == '\r'))
        n--;
    /* the last line says most */
    const char *start = detail;
    for (const char *p = detail; p < detail + n; p++)
        if (*p == '\n')
            start = p + 1;
    char *line = rel_strndup(start, (size_t)(detail + n - start));
    h->problem = rel_asprintf("%s%s", prefix, line);
    free(line);
}

static int retry_or_fail(struct rel_health *h, struct rel_action *act, int phase)
{
    if (rel_ssh_now_ms() >= h->deadline)
        return rel_error_set(REL_ECHILD, "%s: health check failed after %d s: %s", h->t->name,
                             h->timeout_s, h->problem ? h->problem : "no answer");
    act->kind = REL_ACT_SLEEP;
    act->sleep_ms = RETRY_MS;
    h->phase = phase;
    return 1;
}

int rel_health_next(struct rel_health *h, struct rel_job *j, struct rel_action *act)
{
    /* A canceled run is not healthy, and is not retried. */
    if (h->phase != H_START && j->last_rc == REL_ECANCELED)
        return rel_error_set(REL_ECANCELED, "%s: health check canceled", h->t->name);
    switch (h->phase) {
    case H_START:
        /* The TCP probe is cheap (a channel open); `bin/NAME pid` boots a VM.
         * So: wait for the port first, then ask the node once. */
        h->deadline = rel_ssh_now_ms() + (int64_t)h->timeout_s * 1000;
        if (h->tcp)
            probe_action(h, act);
        else
            pid_action(h, act);
        return 1;
    case H_PID:
        if (j->last_rc == 0 && j->last_status == 0)
            return 0;
        if (j->last_rc < 0)
            set_problem(h, "", j->last_error);
        else
            set_problem(h, "`bin/NAME pid` failed: ",
                        j->last_err[0] ? j->last_err : j->last_out);
        return retry_or_fail(h, act, H_SLEPT_PID);
    case H_PROBE:
        if (j->last_rc == 0) {
            pid_action(h, act);
            return 1;
        }
        set_problem(h, "", j->last_error ? j->last_error : "TCP port closed");
        return retry_or_fail(h, act, H_SLEPT_PROBE);
    case H_SLEPT_PID:
        pid_action(h, act);
        return 1;
    case H_SLEPT_PROBE:
        probe_action(h, act);
        return 1;
    }
    return rel_error_set(REL_EINVAL, "health: bad phase");
}
