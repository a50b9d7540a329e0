/*
 * deploy_fixture.h - the fixture of the operation tests over the local
 * transport (test_deploy.c, test_interrupt.c): a scratch root under
 * /dev/shm, fake releases whose bin/foo starts a `sleep` as its node, hosts
 * (directories) cloned from two prepared ones, runs with injected faults
 * and cancels, and the checks of what a run left on a host. Header-only
 * (static functions) so each test executable stays standalone.
 */
#ifndef REL_TEST_DEPLOY_FIXTURE_H
#define REL_TEST_DEPLOY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "remote/audit.h"
#include "remote/deploy.h"
#include "remote/events.h"
#include "remote/layout.h"
#include "remote/local.h"
#include "remote/node.h"
#include "remote/rollback.h"
#include "remote/runner.h"
#include "remote/target.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_HOSTS 40

/* ---- the fixture: a scratch root, fake releases, hosts ----------------------------- */

static char root[256]; /* the scratch directory */
static char tar1[300], tar2[300], tar_sick[300], tar_badvsn[300];
static char pids[300]; /* every fake node's pid, for the teardown */
static char audit_file[300];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    struct rel_buf cmd = REL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    rel_buf_vprintf(&cmd, fmt, ap);
    va_end(ap);
    int rc = system(rel_buf_cstr(&cmd));
    if (rc != 0)
        fail_msg("`%.300s` failed (%d)", rel_buf_cstr(&cmd), rc);
    rel_buf_free(&cmd);
}

/* The fake release: bin/foo answers version/daemon/pid/stop like a release
 * does, its "node" a sleep whose pid is in $RELEASE_TMP/foo.pid and whose
 * version is in $RELEASE_TMP/running. `mode` "sick": daemon starts nothing;
 * "badvsn": version says 9.9.9. */
static void make_release(char *out, size_t size, const char *vsn, const char *mode)
{
    char dir[400];
    snprintf(dir, sizeof(dir), "%s/build-%s-%s", root, vsn, mode);
    snprintf(out, size, "%s/foo-%s-%s.tar.gz", root, vsn, mode);
    sh("mkdir -p '%s/bin' '%s/releases/%s' && printf '14.0 %s\\n' > '%s/releases/start_erl.data'",
       dir, dir, vsn, vsn, dir);
    char path[500];
    snprintf(path, sizeof(path), "%s/bin/foo", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "#!/bin/sh\n"
            "pidf=\"$RELEASE_TMP/foo.pid\"\n"
            /* the state field of /proc/PID/stat, with shell builtins only */
            "alive() { read -r s 2>/dev/null < /proc/$1/stat || return 1; s=${s##*) }; "
            "[ \"${s%%%% *}\" != Z ]; }\n"
            "case \"$1\" in\n"
            "version) echo 'foo %s' ;;\n"
            "daemon) %s\n"
            "  sleep 30 </dev/null >/dev/null 2>&1 &\n"
            "  echo $! > \"$pidf\"; echo $! >> '%s'; echo %s > \"$RELEASE_TMP/running\" ;;\n"
            "pid) p=$(cat \"$pidf\" 2>/dev/null) && alive \"$p\" && echo \"$p\" && exit 0\n"
            "  echo 'nodedown' >&2; exit 1 ;;\n"
            "stop) p=$(cat \"$pidf\" 2>/dev/null) || exit 1; kill \"$p\"; "
            "while alive \"$p\"; do sleep 0.01; done; rm -f \"$pidf\" \"$RELEASE_TMP/running\" ;;\n"
            "*) echo \"unknown $1\" >&2; exit 1 ;;\n"
            "esac\n",
            strcmp(mode, "badvsn") == 0 ? "9.9.9" : vsn,
            strcmp(mode, "sick") == 0 ? "echo 'started (not really)'; exit 0" : ":", pids, vsn);
    fclose(f);
    sh("chmod 755 '%s' && tar -czf '%s' -C '%s' bin releases", path, out, dir);
}

struct host {
    struct rel_remote_target t;
    char dir[300]; /* = t.path */
};

static struct host tmpl1, tmpl2; /* made once: see setup_all() */

static void host_init(struct host *h, const char *name)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->dir, sizeof(h->dir), "%s/%s/srv/foo", root, name);
    sh("rm -rf '%s/%s' && mkdir -p '%s'", root, name, h->dir);
    h->t.name = rel_strdup(name);
    h->t.path = rel_strdup(h->dir);
    h->t.release = rel_strdup("foo");
}

static void host_free(struct host *h)
{
    free(h->t.name);
    free(h->t.path);
    free(h->t.release);
}

/* Where PATH/name points ("" when it does not exist). */
static const char *link_of(const struct host *h, const char *name, char *buf, size_t size)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", h->dir, name);
    ssize_t n = readlink(path, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static bool exists(const struct host *h, const char *rel)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", h->dir, rel);
    return lstat(path, &st) == 0;
}

/* The version of the fake node that runs ("" when none). */
static const char *running(const struct host *h, char *buf, size_t size)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/shared/tmp/running", h->dir);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(buf, (int)size, f))
            buf[strcspn(buf, "\n")] = '\0';
        fclose(f);
    }
    return buf;
}

/* Entries of PATH/sub whose names contain `part`. */
static int count_entries(const struct host *h, const char *sub, const char *part)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", h->dir, sub);
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part))
            n++;
    closedir(d);
    return n;
}

/* The last line of a file containing `needle` ("" when none), into buf. */
static const char *last_line_with(const char *file, const char *needle, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(file, "r");
    char line[2048];
    if (!f)
        return buf;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, needle))
            snprintf(buf, size, "%s", line);
    fclose(f);
    return buf;
}

static const char *host_audit(const struct host *h, char *buf, size_t size)
{
    char file[400];
    char needle[64];
    snprintf(file, sizeof(file), "%s/shared/audit.log", h->dir);
    snprintf(needle, sizeof(needle), " %s ", h->t.name);
    return last_line_with(file, needle, buf, size);
}

/* What every run leaves, whatever happened: no temporary files, and the node
 * that runs is the release `current` points to (when one runs). */
static void assert_tidy(const struct host *h)
{
    assert_int_equal(count_entries(h, "shared/tarballs", ".part-"), 0);
    assert_int_equal(count_entries(h, "releases", ".tmp-"), 0);
    assert_false(exists(h, ".current.tmp"));
    assert_false(exists(h, ".previous.tmp"));
    char cur[300], run[64];
    link_of(h, "current", cur, sizeof(cur));
    running(h, run, sizeof(run));
    if (run[0]) {
        char want[100];
        snprintf(want, sizeof(want), "releases/%s-", run);
        assert_true(strncmp(cur, want, strlen(want)) == 0);
    }
}

/* ---- faults and cancel ---------------------------------------------------------- */

struct plan_entry {
    char host[32];
    int at; /* fail the host's action number `at` (1-based) */
    enum rel_local_fault_kind kind;
    const char *match; /* or: the first action containing this */
    uint64_t cut_after;
    int cancel_after; /* cancel the run after this action (0: no) */
    int seen;         /* actions so far */
    bool done;
};

struct plan {
    struct plan_entry e[MAX_HOSTS];
    size_t n;
    bool canceled;
    struct rel_buf log; /* "host: what" of every action, for failure messages */
};

static struct plan_entry *plan_for(struct plan *p, const char *host)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->e[i].host, host) == 0)
            return &p->e[i];
    return NULL;
}

static void fault_cb(void *ctx, const char *host, const char *what, struct rel_local_fault *f)
{
    struct plan *p = ctx;
    rel_buf_printf(&p->log, "%s: %.60s\n", host, what);
    struct plan_entry *e = plan_for(p, host);
    if (!e || strcmp(what, "connect") == 0)
        return;
    e->seen++;
    if (e->cancel_after && e->seen == e->cancel_after)
        p->canceled = true;
    if (e->done || (e->at ? e->seen != e->at : !(e->match && strstr(what, e->match))))
        return;
    if (!e->at && !e->match)
        return;
    e->done = true;
    f->kind = e->kind;
    f->status = 1;
    f->message = "injected failure\n";
    f->cut_after = e->cut_after;
}

static bool cancel_cb(void *ctx)
{
    return ((struct plan *)ctx)->canceled;
}

/* Events: keep the notes (to check what the operator is told). */
static struct rel_buf notes;
static void ev_note(void *ctx, const char *host, const char *message)
{
    (void)ctx;
    rel_buf_printf(&notes, "%s: %s\n", host, message);
}
static const struct rel_remote_event_ops event_ops = {.note = ev_note};
static const struct rel_remote_events events = {.ops = &event_ops, .ctx = NULL};

struct run {
    struct rel_transport *tr;
    struct rel_runner *r;
    struct plan plan;
};

static void run_init(struct run *run, size_t batch, bool stop_on_failure)
{
    memset(run, 0, sizeof(*run));
    rel_buf_init(&run->plan.log, 0);
    struct rel_local_opts lo = {.dir = root, .fault = fault_cb, .fault_ctx = &run->plan};
    assert_int_equal(rel_local_transport_new(&run->tr, &lo), 0);
    struct rel_runner_opts ro = {.batch = batch,
                                 .stop_on_failure = stop_on_failure,
                                 .events = &events,
                                 .transport = run->tr,
                                 .canceled = cancel_cb,
                                 .cancel_ctx = &run->plan};
    assert_int_equal(rel_runner_new(&run->r, &ro), 0);
}

static struct plan_entry *run_plan(struct run *run, const char *host)
{
    struct plan_entry *e = &run->plan.e[run->plan.n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->host, sizeof(e->host), "%s", host);
    return e;
}

static void run_free(struct run *run)
{
    rel_runner_free(run->r);
    rel_local_transport_free(run->tr);
    rel_buf_free(&run->plan.log);
}

static struct rel_deploy *new_deploy(const char *tarball, int health_timeout)
{
    struct rel_deploy_opts o = {.tarball = tarball,
                                .release = "foo",
                                .keep = 3,
                                .health_timeout = health_timeout,
                                .audit_file = audit_file,
                                .events = &events};
    struct rel_deploy *d = NULL;
    assert_int_equal(rel_deploy_new(&d, &o), 0);
    return d;
}

/* Deploy `tarball` to the hosts, no faults; all must succeed. */
static void deploy_ok(struct host *hosts, size_t n, const char *tarball)
{
    struct run run;
    run_init(&run, 0, false);
    struct rel_deploy *d = new_deploy(tarball, 5);
    for (size_t i = 0; i < n; i++)
        rel_deploy_add(d, run.r, &hosts[i].t);
    int rc = rel_runner_run(run.r);
    if (rc != 0)
        fail_msg("deploy failed: %s", rel_error_message());
    for (size_t i = 0; i < n; i++)
        assert_string_equal(rel_deploy_outcome(rel_runner_job(run.r, i)), "deployed");
    rel_deploy_free(d);
    run_free(&run);
}

/*
 * Give each host what `tmpl` has (its releases, links, audit log: cp -a),
 * with a node of its own started from `current` when the template's runs:
 * a fleet in a known state for the price of one deploy.
 */
static void clone_hosts(const struct host *tmpl, struct host *hosts, size_t n)
{
    struct rel_buf cmd = REL_BUF_INIT;
    char run_v[64];
    bool up = running(tmpl, run_v, sizeof(run_v))[0] != '\0';
    rel_buf_puts(&cmd, "set -e; ");
    for (size_t i = 0; i < n; i++) {
        const char *d = hosts[i].dir;
        rel_buf_printf(&cmd,
                       "rm -rf '%s' && cp -a '%s' '%s' && rm -f '%s/shared/tmp/foo.pid' "
                       "'%s/shared/tmp/running'; ",
                       d, tmpl->dir, d, d, d);
        if (up)
            rel_buf_printf(&cmd, "RELEASE_TMP='%s/shared/tmp' '%s/current/bin/foo' daemon; ", d, d);
    }
    sh("%s", rel_buf_cstr(&cmd));
    rel_buf_free(&cmd);
}

static int setup_all(void **state)
{
    (void)state;
    const char *base = rel_fs_is_dir("/dev/shm") ? "/dev/shm" : "/tmp";
    snprintf(root, sizeof(root), "%s/relman-test-deploy-XXXXXX", base);
    if (!mkdtemp(root))
        return -1;
    snprintf(pids, sizeof(pids), "%s/pids", root);
    snprintf(audit_file, sizeof(audit_file), "%s/project/.relman/audit.log", root);
    make_release(tar1, sizeof(tar1), "0.0.1", "ok");
    make_release(tar2, sizeof(tar2), "0.0.2", "ok");
    make_release(tar_sick, sizeof(tar_sick), "0.0.3", "sick");
    make_release(tar_badvsn, sizeof(tar_badvsn), "0.0.4", "badvsn");
    /* the states most tests start from: 0.0.1 running; 0.0.2 running over 0.0.1 */
    host_init(&tmpl1, "tmpl1");
    deploy_ok(&tmpl1, 1, tar1);
    host_init(&tmpl2, "tmpl2");
    clone_hosts(&tmpl1, &tmpl2, 1);
    deploy_ok(&tmpl2, 1, tar2);
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    FILE *f = fopen(pids, "r");
    if (f) {
        long pid;
        while (fscanf(f, "%ld", &pid) == 1)
            kill((pid_t)pid, SIGKILL);
        fclose(f);
    }
    host_free(&tmpl1);
    host_free(&tmpl2);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void assert_current(const struct host *h, const char *vsn)
{
    char cur[300], want[100];
    link_of(h, "current", cur, sizeof(cur));
    snprintf(want, sizeof(want), "releases/%s-", vsn);
    if (strncmp(cur, want, strlen(want)) != 0)
        fail_msg("%s: current -> '%s', want %s*", h->t.name, cur, want);
}

#endif
