/*
 * node.c - node control operations (see node.h), with the table of them.
 */
#include "node.h"

#include "nodelink.h"

#include "audit.h"
#include "events.h"
#include "health.h"
#include "layout.h"
#include "runner.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/shell.h"
#include "core/term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RELEASES 10000
#define LOGS_MAX_OUTPUT ((size_t)8 << 20)

/* The status command; with `vm_pid` it asks bin/NAME pid (a VM on the host),
 * else it lists the cookie directories of the nodes bin/NAME started
 * (RELEASE_TMP/cookie/node-NAME/.erlang.cookie: name and cookie of a
 * running node), for the calls over distribution. printf is the shell's
 * builtin: the cookie is in no process's arguments. */
static char *status_cmd(const struct rel_remote_target *t, bool vm_pid)
{
    struct rel_buf b = REL_BUF_INIT;
    char *bin = rel_asprintf("current/bin/%s", t->release);
    const char *version[] = {"version", NULL};
    const char *pid[] = {"pid", NULL};
    /* the env script is read first: stdin is drained on every way out */
    rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE "cd ");
    rel_layout_path(&b, t, "");
    rel_buf_puts(&b, " 2>/dev/null || exit 0; ");
    rel_layout_read_links(&b);
    rel_buf_puts(&b, "; if [ -f shared/lock/info ]; then printf 'lock=%s\\n' \"$(head -n 1 "
                     "shared/lock/info)\"; fi; "
                     "if [ -f shared/audit.log ]; then printf 'last=%s\\n' \"$(grep -E "
                     "'^[^ ]+ [^ ]+ (deploy|rollback) ' shared/audit.log | tail -n 1)\"; fi; ");
    rel_layout_list_releases(&b);
    rel_buf_puts(&b, "; if [ -x ");
    rel_shell_quote(&b, bin);
    rel_buf_puts(&b, " ]; then v=$(");
    rel_layout_node_cmd(&b, t, "current", version);
    rel_buf_puts(&b, " 2>/dev/null) && printf 'version=%s\\n' \"$v\"; ");
    if (vm_pid) {
        rel_buf_puts(&b, "p=$(");
        rel_layout_node_cmd(&b, t, "current", pid);
        rel_buf_puts(&b, " 2>/dev/null) && printf 'pid=%s\\n' \"$p\"; ");
    } else {
        const char *tmp = rel_target_getenv(t, "RELEASE_TMP");
        rel_buf_puts(&b, "for d in ");
        if (tmp) {
            char *c = rel_asprintf("%s/cookie", tmp);
            rel_shell_quote(&b, c);
            free(c);
        } else {
            rel_layout_path(&b, t, "shared/tmp/cookie");
        }
        rel_buf_puts(&b,
                     "/node-*; do [ -f \"$d/.erlang.cookie\" ] && "
                     "printf 'node=%s %s\\n' \"${d##*/node-}\" \"$(cat \"$d/.erlang.cookie\")\"; "
                     "done; ");
    }
    rel_buf_puts(&b, "fi; true");
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
    N_QUERY, /* pid/version/status/releases/logs/rpc/unlock result */
    N_LIVE,  /* status: the calls over distribution */
    N_VMPID, /* status: bin/NAME pid, when distribution could not be used */
    N_PID,   /* start/stop/restart: is it running? */
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
    bool stopped;                  /* restart: the node was stopped (starting it is finishing) */
    bool dist;                     /* status: ask the node over distribution first */
    char *cand_node, *cand_cookie; /* status: the node's name and cookie, from its cookie dir */
    char *fail;                    /* action failure, audited then returned */
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
    free(r->dist_note);
    free(r->live.node);
    free(r->live.release_name);
    free(r->live.release_version);
    for (size_t i = 0; i < r->live.napps; i++)
        free(r->live.apps[i]);
    free(r->live.apps);
    free(h->cand_node);
    if (h->cand_cookie)
        explicit_bzero(h->cand_cookie, strlen(h->cand_cookie));
    free(h->cand_cookie);
    rel_health_free(&h->health);
    free(h->who);
    free(h->fail);
    free(h);
}

const struct rel_node_result *rel_node_result(const struct rel_job *j)
{
    return &((const struct nhost *)j->op)->res;
}

/* The one table of node operations (see node.h). */
static const struct rel_node_op_info op_table[] = {
    [REL_NODE_START] = {.name = "start", .verb = "starting", .done = "started", .changes = true},
    [REL_NODE_STOP] = {.name = "stop",
                       .verb = "stopping",
                       .done = "stopped",
                       .changes = true,
                       .question = "Stop the node(s)?"},
    [REL_NODE_RESTART] = {.name = "restart",
                          .verb = "restarting",
                          .done = "restarted",
                          .changes = true,
                          .question = "Restart the node(s)?"},
    [REL_NODE_PID] = {.name = "pid", .verb = "asking", .done = "ok"},
    [REL_NODE_VERSION] = {.name = "version", .verb = "asking", .done = "ok"},
    [REL_NODE_STATUS] = {.name = "status", .verb = "checking", .done = "ok"},
    [REL_NODE_RELEASES] = {.name = "releases", .verb = "checking", .done = "ok"},
    [REL_NODE_LOGS] = {.name = "logs", .verb = "reading logs", .done = "ok"},
    [REL_NODE_RPC] = {.name = "rpc", .verb = "calling", .done = "ok"},
    [REL_NODE_UNLOCK] = {.name = "unlock",
                         .verb = "unlocking",
                         .done = "unlocked",
                         .changes = true,
                         .question = "Remove the deploy lock(s)?"},
};

const struct rel_node_op_info *rel_node_op_info(enum rel_node_op op)
{
    static const struct rel_node_op_info unknown = {.name = "?", .verb = "?", .done = "?"};
    return (unsigned)op < sizeof(op_table) / sizeof(op_table[0]) ? &op_table[op] : &unknown;
}

static const char *op_name(enum rel_node_op op)
{
    return rel_node_op_info(op)->name;
}

static void exec_act(struct rel_action *act, char *command)
{
    act->kind = REL_ACT_EXEC;
    act->command = command;
}

/* "NAME COOKIE" of a cookie directory: the one for the release's node
 * (RELEASE_NODE, else the release's name; with or without its host) wins,
 * else the only one. */
static void take_candidate(struct nhost *h, const char *line)
{
    const char *sp = strchr(line, ' ');
    if (!sp || sp == line || !sp[1])
        return;
    size_t n = (size_t)(sp - line);
    const char *want = rel_target_getenv(h->t, "RELEASE_NODE");
    if (!want)
        want = h->t->release;
    size_t wl = strcspn(want, "@");
    bool match = (n == strlen(want) && strncmp(line, want, n) == 0) ||
                 (strncmp(line, want, wl) == 0 && (n == wl || line[wl] == '@'));
    bool had_match = h->cand_node && strncmp(h->cand_node, want, wl) == 0;
    if (h->cand_node && (had_match || !match)) {
        if (!had_match && !match) { /* two unrelated nodes: cannot tell which */
            free(h->cand_node);
            h->cand_node = NULL;
        }
        return;
    }
    free(h->cand_node);
    free(h->cand_cookie);
    h->cand_node = rel_strndup(line, n);
    h->cand_cookie = rel_strdup(sp + 1);
}

static void parse_status(struct nhost *h, const char *out)
{
    struct rel_node_result *r = &h->res;
    char *copy = rel_strdup(out);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "current=", 8) == 0 && line[8])
            r->current = rel_layout_checked_link(line + 8);
        else if (strncmp(line, "previous=", 9) == 0 && line[9])
            r->previous = rel_layout_checked_link(line + 9);
        else if (strncmp(line, "lock=", 5) == 0)
            r->lock = rel_strdup(line + 5);
        else if (strncmp(line, "last=", 5) == 0 && line[5] && !r->last_deploy)
            r->last_deploy = rel_strdup(line + 5);
        else if (strncmp(line, "version=", 8) == 0)
            r->version = rel_strdup(line + 8);
        else if (strncmp(line, "pid=", 4) == 0)
            r->pid = rel_layout_parse_pid(line + 4);
        else if (strncmp(line, "node=", 5) == 0)
            take_candidate(h, line + 5);
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
    if (j->last_rc == REL_ECANCELED)
        return rel_error_set(REL_ECANCELED, "%s: interrupted at %s (canceled)", h->t->name, what);
    if (j->last_rc < 0)
        return rel_error_set(j->last_rc, "%s", j->last_error);
    char line[512];
    const char *why =
        rel_layout_last_line(j->last_err[0] ? j->last_err : j->last_out, line, sizeof(line));
    return rel_error_set(REL_ECHILD, "%s: %s failed (exit status %d)%s%s", h->t->name, what,
                         j->last_status, *why ? ": " : "", why);
}

static int audit(struct nhost *h, struct rel_action *act, const char *result)
{
    char *what = rel_asprintf("%s %s", op_name(h->o.op), h->res.current ? h->res.current : "-");
    char *line = rel_audit_line(h->t->name, what, h->who, result);
    rel_audit_local_note(h->o.audit_file, h->o.events, h->t->name, line);
    exec_act(act, rel_audit_remote_cmd(h->t, line));
    free(line);
    free(what);
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
    exec_act(act, rel_layout_daemon_cmd(h->t, "current"));
    h->st = N_STARTED;
    return 0;
}

/* The status output without its "node=NAME COOKIE" lines. */
static char *without_cookies(const char *out)
{
    struct rel_buf b = REL_BUF_INIT;
    for (const char *p = out; *p;) {
        size_t n = strcspn(p, "\n");
        if (strncmp(p, "node=", 5) != 0) {
            rel_buf_put(&b, p, n);
            if (p[n])
                rel_buf_putc(&b, '\n');
        }
        p += n + (p[n] ? 1 : 0);
    }
    return rel_buf_detach(&b);
}

/* What status asks a running node, in one connection (node.h). */
const struct rel_nodecall rel_node_status_calls[] = {
    {"os", "getpid", "[]"},
    {"init", "script_id", "[]"},
    {"erlang", "statistics", "[wall_clock]"},
    {"erlang", "memory", "[]"},
    {"erlang", "system_info", "[process_count]"},
    {"erlang", "system_info", "[port_count]"},
    {"erlang", "statistics", "[run_queue]"},
    {"erlang", "system_info", "[schedulers_online]"},
    {"application", "which_applications", "[]"},
};
#define NSTATUS_CALLS (sizeof(rel_node_status_calls) / sizeof(rel_node_status_calls[0]))
const size_t rel_node_status_ncalls = NSTATUS_CALLS;

/* Status of an installed release: over distribution when a node name and
 * cookie were found, else through bin/NAME pid. */
static int status_live(struct nhost *h, struct rel_action *act)
{
    struct rel_node_result *r = &h->res;
    if (!r->current) {
        act->kind = REL_ACT_DONE;
        return 0;
    }
    if (!h->cand_node) {
        r->dist_note = rel_strdup("no cookie directory of a node started by bin/NAME");
        exec_act(act, rel_layout_pid_cmd(h->t, "current"));
        h->st = N_VMPID;
        return 0;
    }
    const char *env_cookie = rel_target_getenv(h->t, "RELEASE_COOKIE");
    act->kind = REL_ACT_CALL;
    act->call.node = rel_strdup(h->cand_node);
    act->call.cookie = rel_strdup(env_cookie ? env_cookie : h->cand_cookie);
    const char *epmd = rel_target_getenv(h->t, "ERL_EPMD_PORT");
    act->call.epmd_port = epmd ? atoi(epmd) : 0;
    act->call.timeout_ms = 5000;
    act->call.calls = rel_node_status_calls;
    act->call.ncalls = NSTATUS_CALLS;
    h->st = N_LIVE;
    return 0;
}

static char *charlist(const struct rel_term *t)
{
    if (!t)
        return NULL;
    if (t->kind == REL_TERM_ATOM)
        return rel_strndup(t->u.atom.name, t->u.atom.len);
    if (t->kind == REL_TERM_STRING || (t->kind == REL_TERM_LIST && t->u.list.len == 0))
        return rel_term_to_cstring(t);
    return NULL;
}

static long long int_of(const struct rel_term *t)
{
    return t && t->kind == REL_TERM_INT ? (long long)t->u.i : -1;
}

/* The answers of status_calls into r->live. */
static void take_live(struct nhost *h, const struct rel_job *j)
{
    struct rel_node_result *r = &h->res;
    struct rel_node_live *L = &r->live;
    struct rel_term *const *a = j->last_terms;
    if (!a || j->last_nterms != NSTATUS_CALLS)
        return;
    r->via = "distribution";
    L->valid = true;
    L->node = j->last_peer ? rel_strdup(j->last_peer) : NULL;
    char *pid = charlist(a[0]);
    if (pid && strspn(pid, "0123456789") == strlen(pid) && *pid) {
        free(r->pid);
        r->pid = pid;
        r->running = true;
    } else {
        free(pid);
    }
    if (a[1] && a[1]->kind == REL_TERM_TUPLE && a[1]->u.tuple.len == 2) {
        L->release_name = charlist(a[1]->u.tuple.items[0]);
        L->release_version = charlist(a[1]->u.tuple.items[1]);
    }
    if (a[2] && a[2]->kind == REL_TERM_TUPLE && a[2]->u.tuple.len == 2)
        L->uptime_ms = int_of(a[2]->u.tuple.items[0]);
    const struct rel_term *m = a[3];
    struct {
        const char *key;
        long long *into;
    } mem[] = {{"total", &L->mem_total},
               {"processes", &L->mem_processes},
               {"binary", &L->mem_binary},
               {"ets", &L->mem_ets},
               {"atom", &L->mem_atom}};
    for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++)
        *mem[i].into =
            int_of(m && m->kind == REL_TERM_LIST ? rel_term_proplist_get(m, mem[i].key) : NULL);
    L->processes = int_of(a[4]);
    L->ports = int_of(a[5]);
    L->run_queue = int_of(a[6]);
    L->schedulers = int_of(a[7]);
    const struct rel_term *apps = a[8];
    size_t n = apps && apps->kind == REL_TERM_LIST ? apps->u.list.len : 0;
    for (size_t i = 0; i < n && i < 1000; i++) {
        const struct rel_term *e = rel_term_list_get(apps, i);
        if (!e || e->kind != REL_TERM_TUPLE || e->u.tuple.len != 3)
            continue;
        char *name = charlist(e->u.tuple.items[0]), *vsn = charlist(e->u.tuple.items[2]);
        if (name && vsn) {
            L->apps = rel_reallocarray(L->apps, L->napps + 1, sizeof(char *));
            L->apps[L->napps++] = rel_asprintf("%s %s", name, vsn);
        }
        free(name);
        free(vsn);
    }
}

static int node_step(struct rel_job *j, struct rel_action *act)
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
            exec_act(act, rel_layout_pid_cmd(h->t, "current"));
            h->st = N_QUERY;
            return 0;
        case REL_NODE_VERSION: {
            struct rel_buf b = REL_BUF_INIT;
            const char *args[] = {"version", NULL};
            rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE);
            rel_layout_node_cmd(&b, h->t, "current", args);
            exec_act(act, rel_buf_detach(&b));
            h->st = N_QUERY;
            return 0;
        }
        case REL_NODE_RPC: {
            struct rel_buf b = REL_BUF_INIT;
            const char *args[] = {"rpc", h->o.expr, NULL};
            rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE);
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
            h->dist = h->o.op == REL_NODE_STATUS &&
                      !(rel_target_getenv(h->t, "RELEASE_DISTRIBUTION") &&
                        strcmp(rel_target_getenv(h->t, "RELEASE_DISTRIBUTION"), "none") == 0);
            exec_act(act, status_cmd(h->t, !h->dist));
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
            free(r->output); /* without the cookie lines */
            r->output = without_cookies(j->last_out);
            if (h->dist)
                return status_live(h, act);
            r->via = "command";
        } else if (h->o.op == REL_NODE_UNLOCK) {
            if (j->last_status != 0)
                return command_failed(h, j, "unlock");
            size_t n = strcspn(j->last_out, "\n");
            r->note = n ? rel_asprintf("removed the lock held by %.*s", (int)n, j->last_out)
                        : rel_strdup("no lock");
            if (n) { /* removing someone's lock is an action: audited */
                char *res = rel_asprintf("ok (%s)", r->note);
                audit(h, act, res);
                free(res);
                return 0;
            }
        } else if (j->last_status != 0) {
            if (h->o.op == REL_NODE_PID)
                return rel_error_set(REL_ECHILD,
                                     "%s: the node is not running (or not reachable "
                                     "over distribution)",
                                     h->t->name);
            return command_failed(h, j, op_name(h->o.op));
        } else if (h->o.op == REL_NODE_PID) {
            r->pid = rel_layout_parse_pid(j->last_out);
            r->running = r->pid != NULL;
        }
        act->kind = REL_ACT_DONE;
        return 0;
    case N_LIVE:
        if (j->last_rc == 0) {
            take_live(h, j);
        } else if (j->last_rc == REL_ENOTFOUND && strstr(j->last_error, "registered with epmd")) {
            r->via = "distribution"; /* epmd answered: the node is not running */
        } else {
            r->dist_note = rel_strdup(j->last_error);
            rel_remote_note(h->o.events, h->t->name, "asking the node through bin/%s pid: %s",
                            h->t->release, j->last_error);
            exec_act(act, rel_layout_pid_cmd(h->t, "current"));
            h->st = N_VMPID;
            return 0;
        }
        act->kind = REL_ACT_DONE;
        return 0;
    case N_VMPID:
        if (j->last_rc < 0)
            return rel_error_set(j->last_rc, "%s", j->last_error);
        r->via = "command";
        if (j->last_status == 0) {
            r->pid = rel_layout_parse_pid(j->last_out);
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
        exec_act(act, rel_layout_stop_cmd(h->t, "current", r->pid));
        h->st = N_STOPPED;
        return 0;
    case N_STOPPED:
        if (j->last_rc < 0 || j->last_status != 0)
            return fail_and_audit(h, j, act, "stop");
        r->running = false;
        h->stopped = true;
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
            if (rc == REL_ECANCELED)
                command_failed(h, j, "health");
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

/* The audit line, and starting a node a restart stopped, are finishing: a
 * cancel does not skip them. */
static int node_next(struct rel_job *j, struct rel_action *act)
{
    int rc = node_step(j, act);
    const struct nhost *h = j->op;
    if (rc == 0 && (h->st == N_AUDITED || (h->stopped && h->st >= N_STARTED)))
        act->finishing = true;
    return rc;
}

static const char *node_phase(const struct rel_job *j)
{
    static const char *const names[] = {
        [N_CONNECTED] = "connect", [N_QUERY] = NULL,      [N_LIVE] = "status",
        [N_VMPID] = "status",      [N_PID] = "status",    [N_STOPPED] = "stop",
        [N_STARTED] = "start",     [N_HEALTH] = "health", [N_AUDITED] = "audit",
    };
    const struct nhost *h = j->op;
    return names[h->st] ? names[h->st] : op_name(h->o.op);
}

/* A second signal: a node being stopped or started gets its audit line. */
static char *node_abandon(struct rel_job *j)
{
    struct nhost *h = j->op;
    if (h->st < N_STOPPED || h->st == N_AUDITED)
        return NULL;
    char *res = rel_asprintf("FAILED: %s: interrupted twice at %s", h->t->name, node_phase(j));
    char *what = rel_asprintf("%s %s", op_name(h->o.op), h->res.current ? h->res.current : "-");
    char *line = rel_audit_line(h->t->name, what, h->who, res);
    rel_audit_local_note(h->o.audit_file, h->o.events, h->t->name, line);
    char *cmd = rel_audit_remote_cmd(h->t, line);
    free(line);
    free(what);
    free(res);
    return cmd;
}

static const struct rel_op_ops node_ops = {
    .next = node_next, .free = nhost_free, .phase = node_phase, .abandon = node_abandon};

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
