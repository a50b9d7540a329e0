/*
 * rollback.c - the rollback operation (see rollback.h): a runner `next`
 * function per host, under the deploy lock, with an audit line.
 */
#include "rollback.h"

#include "audit.h"
#include "deploy.h"
#include "events.h"
#include "health.h"
#include "layout.h"
#include "runner.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static void exec_act(struct rel_action *act, char *command)
{
    act->kind = REL_ACT_EXEC;
    act->command = command;
}

enum rstate {
    R_CONNECTED,
    R_LOCKED,
    R_INSPECTED,
    R_PID,
    R_STOPPED,
    R_SWITCHED,
    R_STARTED,
    R_HEALTH,
    R_AUDITED,
    R_UNLOCKED,
};

struct rhost {
    struct rel_rollback_opts o;
    const struct rel_remote_target *t;
    enum rstate st;
    bool locked;
    char *cur, *prev, *pid, *who;
    struct rel_health health;
    int rc;
    char *msg;
};

static void rhost_free(void *op)
{
    struct rhost *h = op;
    free(h->cur);
    free(h->prev);
    free(h->pid);
    free(h->who);
    free(h->msg);
    rel_health_free(&h->health);
    free(h);
}

static void rollback_fail(struct rhost *h, struct rel_job *j, const char *what)
{
    if (h->msg)
        return;
    char line[512];
    h->rc = j->last_rc < 0 ? j->last_rc : REL_ECHILD;
    h->msg =
        j->last_rc == REL_ECANCELED
            ? rel_asprintf("%s: interrupted at %s (canceled)", h->t->name, what)
        : j->last_rc < 0
            ? rel_asprintf("%s: %s", what, j->last_error)
            : rel_asprintf("%s: %s failed (exit status %d): %s", h->t->name, what, j->last_status,
                           rel_layout_last_line(j->last_err[0] ? j->last_err : j->last_out, line,
                                                sizeof(line)));
}

/* The audit line (locally and on the host), then the lock goes. */
static int rollback_audit(struct rhost *h, struct rel_action *act)
{
    char *what = rel_asprintf("rollback %s -> %s", h->cur ? h->cur : "-", h->prev ? h->prev : "-");
    char *line = rel_audit_line(h->t->name, what, h->who, h->msg ? h->msg : "ok");
    rel_audit_local_note(h->o.audit_file, h->o.events, h->t->name, line);
    char *audit = rel_audit_remote_cmd(h->t, line), *unlock = rel_layout_unlock_cmd(h->t);
    exec_act(act, rel_asprintf("%s; %s", audit, unlock));
    free(audit);
    free(unlock);
    free(line);
    free(what);
    h->st = R_UNLOCKED;
    return 0;
}

static int rollback_step(struct rel_job *j, struct rel_action *act)
{
    struct rhost *h = j->op;
    switch (h->st) {
    case R_CONNECTED:
        if (j->last_rc < 0)
            return rel_error_set(j->last_rc, "%s", j->last_error);
        rel_remote_step(h->o.events, h->t->name, "lock", "taking the deploy lock");
        h->st = R_LOCKED;
        exec_act(act, rel_layout_lock_cmd(h->t, "rollback"));
        return 0;
    case R_LOCKED: {
        if (j->last_rc < 0 || j->last_status != 0) {
            rollback_fail(h, j, "cannot take the deploy lock");
            return rel_error_set(h->rc, "%s", h->msg);
        }
        if (rel_layout_lock_result(h->t, j->last_out) < 0)
            return REL_ELOCKED;
        h->locked = true;
        struct rel_buf b = REL_BUF_INIT;
        rel_buf_puts(&b, "cd ");
        rel_layout_path(&b, h->t, "");
        rel_buf_puts(&b, " && ");
        rel_layout_read_links(&b);
        h->st = R_INSPECTED;
        exec_act(act, rel_buf_detach(&b));
        return 0;
    }
    case R_INSPECTED: {
        if (j->last_rc < 0 || j->last_status != 0) {
            rollback_fail(h, j, "cannot read the deploy directory");
            return rollback_audit(h, act);
        }
        const char *c = strstr(j->last_out, "current=");
        const char *p = strstr(j->last_out, "previous=");
        char *cv = c ? rel_strndup(c + 8, strcspn(c + 8, "\n")) : rel_strdup("");
        char *pv = p ? rel_strndup(p + 9, strcspn(p + 9, "\n")) : rel_strdup("");
        h->cur = rel_layout_checked_link(cv);
        h->prev = rel_layout_checked_link(pv);
        free(cv);
        free(pv);
        if (!h->cur || !h->prev) {
            h->rc = REL_ENOTFOUND;
            h->msg =
                rel_asprintf("%s: nothing to roll back to (%s/previous %s)", h->t->name, h->t->path,
                             h->prev ? "exists but current does not" : "is not set");
            return rollback_audit(h, act);
        }
        rel_remote_step(h->o.events, h->t->name, "rollback", "%s -> %s", h->cur, h->prev);
        h->st = R_PID;
        exec_act(act, rel_layout_pid_cmd(h->t, "current"));
        return 0;
    }
    case R_PID:
        if (j->last_rc < 0) {
            rollback_fail(h, j, "checking the running node");
            return rollback_audit(h, act);
        }
        h->pid = j->last_status == 0 ? rel_layout_parse_pid(j->last_out) : NULL;
        h->st = R_STOPPED;
        if (h->pid) {
            exec_act(act, rel_layout_stop_cmd(h->t, h->cur, h->pid));
            return 0;
        }
        j->last_status = 0;
        return rollback_step(j, act);
    case R_STOPPED: {
        if (j->last_rc < 0 || j->last_status != 0) {
            rollback_fail(h, j, "stopping the node");
            return rollback_audit(h, act);
        }
        h->st = R_SWITCHED;
        exec_act(act, rel_layout_switch_cmd(h->t, h->prev, true, h->cur));
        return 0;
    }
    case R_SWITCHED:
        if (j->last_rc < 0 || j->last_status != 0) {
            rollback_fail(h, j, "switching `current`");
            return rollback_audit(h, act);
        }
        if (!h->pid) {
            rel_remote_note(h->o.events, h->t->name, "the node was not running; not starting it");
            return rollback_audit(h, act);
        }
        h->st = R_STARTED;
        exec_act(act, rel_layout_daemon_cmd(h->t, "current"));
        return 0;
    case R_STARTED:
        if (j->last_rc < 0 || j->last_status != 0) {
            rollback_fail(h, j, "starting the node");
            return rollback_audit(h, act);
        }
        rel_health_init(&h->health, h->t, "current", h->o.health_tcp, h->o.health_timeout);
        h->st = R_HEALTH;
        /* fall through */
    case R_HEALTH: {
        int r = rel_health_next(&h->health, j, act);
        if (r == 1)
            return 0;
        if (r < 0) {
            h->rc = r;
            h->msg = rel_strdup(rel_error_message());
        }
        return rollback_audit(h, act);
    }
    case R_UNLOCKED:
        if (h->msg)
            return rel_error_set(h->rc, "%s", h->msg);
        act->kind = REL_ACT_DONE;
        return 0;
    default:
        return rel_error_set(REL_EINVAL, "rollback: bad state");
    }
}

/* Once the node is stopped, bringing it back and unlocking are finishing:
 * a cancel does not skip them. */
static int rollback_next(struct rel_job *j, struct rel_action *act)
{
    int rc = rollback_step(j, act);
    const struct rhost *h = j->op;
    if (rc == 0 && (h->st == R_UNLOCKED || (h->st >= R_SWITCHED && h->pid)))
        act->finishing = true;
    return rc;
}

static const char *rollback_phase(const struct rel_job *j)
{
    static const char *const names[] = {
        [R_CONNECTED] = "connect", [R_LOCKED] = "lock",   [R_INSPECTED] = "inspect",
        [R_PID] = "pid",           [R_STOPPED] = "stop",  [R_SWITCHED] = "switch",
        [R_STARTED] = "start",     [R_HEALTH] = "health", [R_AUDITED] = "audit",
        [R_UNLOCKED] = "unlock",
    };
    const struct rhost *h = j->op;
    return names[h->st];
}

/* A second signal: the audit line and the lock, nothing undone. */
static char *rollback_abandon(struct rel_job *j)
{
    struct rhost *h = j->op;
    if (!h->locked || h->st == R_UNLOCKED)
        return NULL;
    char *what = rel_asprintf("rollback %s -> %s", h->cur ? h->cur : "-", h->prev ? h->prev : "-");
    char *result = rel_asprintf("FAILED: %s: interrupted twice at %s: not undone", h->t->name,
                                rollback_phase(j));
    char *line = rel_audit_line(h->t->name, what, h->who, result);
    rel_audit_local_note(h->o.audit_file, h->o.events, h->t->name, line);
    char *audit = rel_audit_remote_cmd(h->t, line), *unlock = rel_layout_unlock_cmd(h->t);
    char *cmd = rel_asprintf("%s; %s", audit, unlock);
    free(audit);
    free(unlock);
    free(line);
    free(result);
    free(what);
    return cmd;
}

static const struct rel_op_ops rollback_ops = {.next = rollback_next,
                                               .free = rhost_free,
                                               .phase = rollback_phase,
                                               .abandon = rollback_abandon};

void rel_rollback_add(struct rel_runner *r, const struct rel_remote_target *t,
                      const struct rel_rollback_opts *opts)
{
    struct rhost *h = rel_calloc(1, sizeof(*h));
    h->o = *opts;
    h->t = t;
    h->who = rel_layout_who();
    h->st = R_CONNECTED;
    rel_runner_add(r, t, &rollback_ops, h);
}

/* ---- rollback-all ---------------------------------------------------------- */

size_t rel_rollback_all_init(struct rel_rollback_all *ra, const struct rel_runner *deploy)
{
    memset(ra, 0, sizeof(*ra));
    ra->deploy = deploy;
    ra->count = rel_runner_count(deploy);
    ra->hosts = rel_calloc(ra->count + 1, sizeof(*ra->hosts));
    ra->back = rel_calloc(ra->count + 1, sizeof(*ra->back));
    ra->error = rel_calloc(ra->count + 1, sizeof(*ra->error));
    for (size_t i = 0; i < ra->count; i++) {
        const struct rel_job *j = rel_runner_job(deploy, i);
        if (j->result == 0 && strcmp(rel_deploy_outcome(j), "deployed") == 0)
            ra->hosts[ra->n++] = i;
    }
    return ra->n;
}

int rel_rollback_all_run(struct rel_rollback_all *ra, const struct rel_runner_opts *ro,
                         const struct rel_rollback_opts *o)
{
    if (!ra->n)
        return 0;
    struct rel_runner_opts all = *ro;
    all.batch = 0;
    all.stop_on_failure = false;
    struct rel_runner *rb = NULL;
    int rc = rel_runner_new(&rb, &all);
    if (rc < 0)
        return rc;
    for (size_t k = 0; k < ra->n; k++)
        rel_rollback_add(rb, rel_runner_job(ra->deploy, ra->hosts[k])->target, o);
    rc = rel_runner_run(rb);
    for (size_t k = 0; k < ra->n && k < rel_runner_count(rb); k++) {
        const struct rel_job *j = rel_runner_job(rb, k);
        size_t i = ra->hosts[k];
        ra->back[i] = j->result == 0;
        if (j->result < 0)
            ra->error[i] = rel_strdup(j->message ? j->message : "rollback failed");
    }
    rel_runner_free(rb);
    return rc;
}

void rel_rollback_all_free(struct rel_rollback_all *ra)
{
    if (!ra)
        return;
    for (size_t i = 0; ra->error && i < ra->count; i++)
        free(ra->error[i]);
    free(ra->error);
    free(ra->hosts);
    free(ra->back);
    memset(ra, 0, sizeof(*ra));
}
