/*
 * node.c - node control operations (see node.h) and the remote command
 * builders shared with deploy.c.
 */
#include "node.h"

#include "deploy.h"
#include "events.h"
#include "health.h"
#include "layout.h"
#include "runner.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STOP_WAIT_STEPS 150 /* x 0.2 s: SIGTERM after 20 s, SIGKILL after 30 s */
#define MAX_RELEASES 10000
#define LOGS_MAX_OUTPUT ((size_t)8 << 20)

/* ---- command builders ------------------------------------------------------ */

char *rel_node_checked_link(const char *v)
{
    if (strncmp(v, "releases/", 9) != 0)
        return NULL;
    const char *name = v + 9;
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return NULL;
    return rel_strdup(v);
}

static bool digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

char *rel_node_parse_pid(const char *out)
{
    size_t n = strcspn(out, "\r\n");
    char *p = rel_strndup(out, n);
    if (!digits(p) || n > 12) {
        free(p);
        return NULL;
    }
    return p;
}

const char *rel_node_last_line(const char *s, char *buf, size_t size)
{
    /* An Erlang/Elixir exception line ("** (RuntimeError) boom") says more
     * than the stack trace under it. */
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > 3 && strncmp(p, "** ", 3) == 0) {
            snprintf(buf, size, "%.*s", (int)len, p);
            return buf;
        }
        p += len;
        if (*p)
            p++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    size_t start = n;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    snprintf(buf, size, "%.*s", (int)(n - start), s + start);
    return buf;
}

char *rel_node_pid_cmd(const struct rel_remote_target *t, const char *dir)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"pid", NULL};
    rel_layout_node_cmd(&b, t, dir, args);
    return rel_buf_detach(&b);
}

char *rel_node_daemon_cmd(const struct rel_remote_target *t, const char *dir)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"daemon", NULL};
    rel_buf_puts(&b, "mkdir -p ");
    rel_layout_path(&b, t, "shared/tmp");
    rel_buf_puts(&b, " && ");
    rel_layout_node_cmd(&b, t, dir, args);
    /* The daemon must not keep the channel open: its output goes to a file
     * that is shown once it has detached. */
    rel_buf_puts(&b, " </dev/null >");
    rel_layout_path(&b, t, "shared/tmp/daemon.out");
    rel_buf_puts(&b, " 2>&1; rc=$?; cat ");
    rel_layout_path(&b, t, "shared/tmp/daemon.out");
    rel_buf_puts(&b, " >&2; exit $rc");
    return rel_buf_detach(&b);
}

/* A shell function `alive PID` (Linux /proc; a zombie is not alive). */
static const char alive_fn[] =
    "alive() { s=$(sed -n 's/.*) \\(.\\).*/\\1/p' /proc/$1/stat 2>/dev/null); "
    "[ -n \"$s\" ] && [ \"$s\" != Z ]; }; ";

char *rel_node_stop_cmd(const struct rel_remote_target *t, const char *dir, const char *pid)
{
    if (!digits(pid))
        return rel_strdup("echo 'relman: bad pid' >&2; exit 1");
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"stop", NULL};
    rel_buf_puts(&b, alive_fn);
    rel_layout_node_cmd(&b, t, dir, args);
    rel_buf_printf(&b,
                   " >/dev/null 2>&1; i=0; while alive %s; do i=$((i+1)); "
                   "if [ $i -eq %d ]; then kill %s 2>/dev/null; fi; "
                   "if [ $i -ge %d ]; then kill -9 %s 2>/dev/null; "
                   "echo 'the node did not stop; killed it' >&2; exit 1; fi; sleep 0.2; done",
                   pid, STOP_WAIT_STEPS * 2 / 3, pid, STOP_WAIT_STEPS, pid);
    return rel_buf_detach(&b);
}

char *rel_node_lock_cmd(const struct rel_remote_target *t, const char *what)
{
    char when[32];
    rel_layout_iso_time(when);
    char *who = rel_layout_who();
    char *info = rel_asprintf("%s (relman pid %d) since %s: %s", who, (int)getpid(), when, what);
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "set -e; umask 022; mkdir -p ");
    rel_layout_path(&b, t, "releases");
    rel_buf_putc(&b, ' ');
    rel_layout_path(&b, t, "shared/tarballs");
    rel_buf_putc(&b, ' ');
    rel_layout_path(&b, t, "shared/tmp");
    rel_buf_puts(&b, "; if mkdir ");
    rel_layout_path(&b, t, "shared/lock");
    rel_buf_puts(&b, " 2>/dev/null; then printf '%s\\n' ");
    rel_shell_quote(&b, info);
    rel_buf_puts(&b, " > ");
    rel_layout_path(&b, t, "shared/lock/info");
    rel_buf_puts(&b, "; echo relman-locked; else echo relman-busy; cat ");
    rel_layout_path(&b, t, "shared/lock/info");
    rel_buf_puts(&b, " 2>/dev/null || true; fi");
    free(info);
    free(who);
    return rel_buf_detach(&b);
}

int rel_node_lock_result(const struct rel_remote_target *t, const char *out)
{
    if (strncmp(out, "relman-locked", 13) == 0)
        return 0;
    char line[512];
    const char *holder = strchr(out, '\n');
    holder = holder && holder[1] ? rel_node_last_line(holder + 1, line, sizeof(line)) : "unknown";
    return rel_error_set(REL_ELOCKED,
                         "%s: locked by %s (%s/shared/lock; if no deploy is running, remove it: "
                         "relman unlock %s)",
                         t->name, holder, t->path, t->name);
}

char *rel_node_unlock_cmd(const struct rel_remote_target *t)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "rm -rf ");
    rel_layout_path(&b, t, "shared/lock");
    return rel_buf_detach(&b);
}

char *rel_node_audit_cmd(const struct rel_remote_target *t, const char *line)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "mkdir -p ");
    rel_layout_path(&b, t, "shared");
    rel_buf_puts(&b, " && printf '%s\\n' ");
    rel_shell_quote(&b, line);
    rel_buf_puts(&b, " >> ");
    rel_layout_path(&b, t, "shared/audit.log");
    return rel_buf_detach(&b);
}

static char *status_cmd(const struct rel_remote_target *t)
{
    struct rel_buf b = REL_BUF_INIT;
    char *bin = rel_asprintf("current/bin/%s", t->release);
    const char *version[] = {"version", NULL};
    const char *pid[] = {"pid", NULL};
    rel_buf_puts(&b, "cd ");
    rel_layout_path(&b, t, "");
    rel_buf_puts(&b, " 2>/dev/null || exit 0; "
                     "printf 'current=%s\\nprevious=%s\\n' \"$(readlink current || true)\" "
                     "\"$(readlink previous || true)\"; "
                     "if [ -f shared/lock/info ]; then printf 'lock=%s\\n' \"$(head -n 1 "
                     "shared/lock/info)\"; fi; "
                     "if [ -f shared/audit.log ]; then printf 'last=%s\\n' \"$(grep -E "
                     "'^[^ ]+ [^ ]+ (deploy|rollback) ' shared/audit.log | tail -n 1)\"; fi; "
                     "for r in releases/*; do if [ -d \"$r\" ] && [ ! -L \"$r\" ]; then "
                     "printf 'release=%s\\n' \"${r#releases/}\"; fi; done; "
                     "if [ -x ");
    rel_shell_quote(&b, bin);
    rel_buf_puts(&b, " ]; then v=$(");
    rel_layout_node_cmd(&b, t, "current", version);
    rel_buf_puts(&b, " 2>/dev/null) && printf 'version=%s\\n' \"$v\"; p=$(");
    rel_layout_node_cmd(&b, t, "current", pid);
    rel_buf_puts(&b, " 2>/dev/null) && printf 'pid=%s\\n' \"$p\"; fi; true");
    free(bin);
    return rel_buf_detach(&b);
}

static char *logs_cmd(const struct rel_remote_target *t, int lines, bool follow)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *tmp = rel_target_getenv(t, "RELEASE_TMP");
    char *dir = tmp ? rel_asprintf("%s/log", tmp) : rel_asprintf("%s/shared/tmp/log", t->path);
    rel_buf_puts(&b, "d=");
    rel_shell_quote(&b, dir);
    rel_buf_printf(&b,
                   "; f=$(cd \"$d\" 2>/dev/null && ls -t erlang.log.* 2>/dev/null | head -n 1); "
                   "if [ -z \"$f\" ]; then echo \"no node logs in $d\" >&2; exit 1; fi; "
                   "exec tail -n %d %s\"$d/$f\"",
                   lines > 0 ? lines : 100, follow ? "-F " : "");
    free(dir);
    return rel_buf_detach(&b);
}

/* ---- the operations ---------------------------------------------------------- */

enum nstate {
    N_CONNECTED,
    N_QUERY,    /* pid/version/status/releases/logs/rpc/unlock result */
    N_PID,      /* start/stop/restart: is it running? */
    N_STOPPED,
    N_STARTED,
    N_HEALTH,
    N_AUDITED,
};

struct nhost {
    struct rel_node_opts o;
    const struct rel_remote_target *t;
    enum nstate st;
    struct rel_node_result res;
    struct rel_health health;
    char *who;
    char *fail; /* action failure, audited then returned */
    int fail_rc;
};

static void nhost_free(void *op)
{
    struct nhost *h = op;
    struct rel_node_result *r = &h->res;
    free(r->pid);
    free(r->version);
    free(r->current);
    free(r->previous);
    free(r->lock);
    free(r->last_deploy);
    for (size_t i = 0; i < r->nreleases; i++)
        free(r->releases[i]);
    free(r->releases);
    free(r->output);
    free(r->errout);
    free(r->note);
    rel_health_free(&h->health);
    free(h->who);
    free(h->fail);
    free(h);
}

const struct rel_node_result *rel_node_result(const struct rel_job *j)
{
    return &((const struct nhost *)j->op)->res;
}

static const char *op_name(enum rel_node_op op)
{
    switch (op) {
    case REL_NODE_START: return "start";
    case REL_NODE_STOP: return "stop";
    case REL_NODE_RESTART: return "restart";
    case REL_NODE_PID: return "pid";
    case REL_NODE_VERSION: return "version";
    case REL_NODE_STATUS: return "status";
    case REL_NODE_RELEASES: return "releases";
    case REL_NODE_LOGS: return "logs";
    case REL_NODE_RPC: return "rpc";
    case REL_NODE_UNLOCK: return "unlock";
    }
    return "?";
}

static void exec_act(struct rel_action *act, char *command)
{
    act->kind = REL_ACT_EXEC;
    act->command = command;
}

static void parse_status(struct nhost *h, const char *out)
{
    struct rel_node_result *r = &h->res;
    char *copy = rel_strdup(out);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "current=", 8) == 0 && line[8])
            r->current = rel_node_checked_link(line + 8);
        else if (strncmp(line, "previous=", 9) == 0 && line[9])
            r->previous = rel_node_checked_link(line + 9);
        else if (strncmp(line, "lock=", 5) == 0)
            r->lock = rel_strdup(line + 5);
        else if (strncmp(line, "last=", 5) == 0 && line[5] && !r->last_deploy)
            r->last_deploy = rel_strdup(line + 5);
        else if (strncmp(line, "version=", 8) == 0)
            r->version = rel_strdup(line + 8);
        else if (strncmp(line, "pid=", 4) == 0)
            r->pid = rel_node_parse_pid(line + 4);
        else if (strncmp(line, "release=", 8) == 0 && r->nreleases < MAX_RELEASES) {
            r->releases = rel_reallocarray(r->releases, r->nreleases + 1, sizeof(char *));
            r->releases[r->nreleases++] = rel_strdup(line + 8);
        }
    }
    free(copy);
    if (r->nreleases > 1) /* releases is NULL when there are none: qsort wants a pointer */
        qsort(r->releases, r->nreleases, sizeof(char *), rel_layout_release_cmp_desc);
    r->installed = r->current != NULL;
    r->running = r->pid != NULL;
}

static int command_failed(struct nhost *h, struct rel_job *j, const char *what)
{
    if (j->last_rc < 0)
        return rel_error_set(j->last_rc, "%s", j->last_error);
    char line[512];
    const char *why = rel_node_last_line(j->last_err[0] ? j->last_err : j->last_out, line,
                                         sizeof(line));
    return rel_error_set(REL_ECHILD, "%s: %s failed (exit status %d)%s%s", h->t->name, what,
                         j->last_status, *why ? ": " : "", why);
}

static int audit(struct nhost *h, struct rel_action *act, const char *result)
{
    char when[32];
    rel_layout_iso_time(when);
    char *line = rel_asprintf("%s %s %s %s by %s: %s", when, h->t->name, op_name(h->o.op),
                              h->res.current ? h->res.current : "-", h->who, result);
    if (h->o.audit_file && rel_audit_local(h->o.audit_file, line) < 0)
        rel_remote_note(h->o.events, h->t->name, "%s", rel_error_message());
    exec_act(act, rel_node_audit_cmd(h->t, line));
    free(line);
    h->st = N_AUDITED;
    return 0;
}

static int fail_and_audit(struct nhost *h, struct rel_job *j, struct rel_action *act,
                          const char *what)
{
    h->fail_rc = command_failed(h, j, what);
    h->fail = rel_strdup(rel_error_message());
    char *r = rel_asprintf("FAILED: %s", h->fail);
    audit(h, act, r);
    free(r);
    return 0;
}

static int start_daemon(struct nhost *h, struct rel_action *act)
{
    rel_remote_step(h->o.events, h->t->name, "start", "%s", h->res.current ? h->res.current : "");
    exec_act(act, rel_node_daemon_cmd(h->t, "current"));
    h->st = N_STARTED;
    return 0;
}

static int node_next(struct rel_job *j, struct rel_action *act)
{
    struct nhost *h = j->op;
    struct rel_node_result *r = &h->res;
    switch (h->st) {
    case N_CONNECTED:
        if (j->last_rc < 0)
            return rel_error_set(j->last_rc, "%s", j->last_error);
        r->reachable = true;
        switch (h->o.op) {
        case REL_NODE_PID:
            exec_act(act, rel_node_pid_cmd(h->t, "current"));
            h->st = N_QUERY;
            return 0;
        case REL_NODE_VERSION: {
            struct rel_buf b = REL_BUF_INIT;
            const char *args[] = {"version", NULL};
            rel_layout_node_cmd(&b, h->t, "current", args);
            exec_act(act, rel_buf_detach(&b));
            h->st = N_QUERY;
            return 0;
        }
        case REL_NODE_RPC: {
            struct rel_buf b = REL_BUF_INIT;
            const char *args[] = {"rpc", h->o.expr, NULL};
            rel_layout_node_cmd(&b, h->t, "current", args);
            exec_act(act, rel_buf_detach(&b));
            h->st = N_QUERY;
            return 0;
        }
        case REL_NODE_LOGS:
            exec_act(act, logs_cmd(h->t, h->o.lines, h->o.follow));
            act->stream = h->o.follow;
            act->max_output = LOGS_MAX_OUTPUT;
            h->st = N_QUERY;
            return 0;
        case REL_NODE_UNLOCK: {
            struct rel_buf b = REL_BUF_INIT;
            rel_buf_puts(&b, "if [ -d ");
            rel_layout_path(&b, h->t, "shared/lock");
            rel_buf_puts(&b, " ]; then cat ");
            rel_layout_path(&b, h->t, "shared/lock/info");
            rel_buf_puts(&b, " 2>/dev/null || echo '(no info)'; rm -rf ");
            rel_layout_path(&b, h->t, "shared/lock");
            rel_buf_puts(&b, "; fi");
            exec_act(act, rel_buf_detach(&b));
            h->st = N_QUERY;
            return 0;
        }
        default:
            /* status, releases, and the first step of start/stop/restart */
            exec_act(act, status_cmd(h->t));
            h->st = h->o.op == REL_NODE_STATUS || h->o.op == REL_NODE_RELEASES ? N_QUERY : N_PID;
            return 0;
        }
    case N_QUERY:
        if (j->last_rc < 0)
            return rel_error_set(j->last_rc, "%s", j->last_error);
        r->output = rel_strdup(j->last_out);
        r->errout = rel_strdup(j->last_err);
        if (h->o.op == REL_NODE_STATUS || h->o.op == REL_NODE_RELEASES) {
            if (j->last_status != 0)
                return command_failed(h, j, "status");
            parse_status(h, j->last_out);
        } else if (h->o.op == REL_NODE_UNLOCK) {
            if (j->last_status != 0)
                return command_failed(h, j, "unlock");
            size_t n = strcspn(j->last_out, "\n");
            r->note = n ? rel_asprintf("removed the lock held by %.*s", (int)n, j->last_out)
                        : rel_strdup("no lock");
        } else if (j->last_status != 0) {
            if (h->o.op == REL_NODE_PID)
                return rel_error_set(REL_ECHILD, "%s: the node is not running (or not reachable "
                                                 "over distribution)",
                                     h->t->name);
            return command_failed(h, j, op_name(h->o.op));
        } else if (h->o.op == REL_NODE_PID) {
            r->pid = rel_node_parse_pid(j->last_out);
            r->running = r->pid != NULL;
        }
        act->kind = REL_ACT_DONE;
        return 0;
    case N_PID:
        if (j->last_rc < 0 || j->last_status != 0)
            return command_failed(h, j, "status");
        parse_status(h, j->last_out);
        if (!r->current)
            return rel_error_set(REL_ENOTFOUND, "%s: nothing deployed in %s (no current release)",
                                 h->t->name, h->t->path);
        if (h->o.op == REL_NODE_START && r->running) {
            r->note = rel_asprintf("already running (pid %s)", r->pid);
            act->kind = REL_ACT_DONE;
            return 0;
        }
        if (!r->running) {
            if (h->o.op == REL_NODE_STOP) {
                r->note = rel_strdup("not running");
                return audit(h, act, "ok (not running)");
            }
            return start_daemon(h, act);
        }
        rel_remote_step(h->o.events, h->t->name, "stop", "pid %s", r->pid);
        exec_act(act, rel_node_stop_cmd(h->t, "current", r->pid));
        h->st = N_STOPPED;
        return 0;
    case N_STOPPED:
        if (j->last_rc < 0 || j->last_status != 0)
            return fail_and_audit(h, j, act, "stop");
        r->running = false;
        if (h->o.op == REL_NODE_STOP)
            return audit(h, act, "ok");
        return start_daemon(h, act);
    case N_STARTED:
        if (j->last_rc < 0 || j->last_status != 0)
            return fail_and_audit(h, j, act, "daemon");
        rel_remote_step(h->o.events, h->t->name, "health", "waiting for the node");
        rel_health_init(&h->health, h->t, "current", h->o.health_tcp, h->o.health_timeout);
        h->st = N_HEALTH;
        /* fall through */
    case N_HEALTH: {
        int rc = rel_health_next(&h->health, j, act);
        if (rc == 1)
            return 0;
        if (rc < 0) {
            h->fail_rc = rc;
            h->fail = rel_strdup(rel_error_message());
            char *res = rel_asprintf("FAILED: %s", h->fail);
            audit(h, act, res);
            free(res);
            return 0;
        }
        r->running = true;
        return audit(h, act, "ok");
    }
    case N_AUDITED:
        if (j->last_rc < 0 || j->last_status != 0)
            rel_remote_note(h->o.events, h->t->name, "appending to the host's audit log failed");
        if (h->fail)
            return rel_error_set(h->fail_rc, "%s", h->fail);
        act->kind = REL_ACT_DONE;
        return 0;
    }
    return rel_error_set(REL_EINVAL, "node: bad state");
}

static const struct rel_op_ops node_ops = {.next = node_next, .free = nhost_free};

void rel_node_add(struct rel_runner *r, const struct rel_remote_target *t,
                  const struct rel_node_opts *opts)
{
    struct nhost *h = rel_calloc(1, sizeof(*h));
    h->o = *opts;
    h->t = t;
    h->who = rel_layout_who();
    h->st = N_CONNECTED;
    rel_runner_add(r, t, &node_ops, h);
}
