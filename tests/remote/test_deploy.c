/* Unit tests of the deploy, rollback and fleet state machines (remote/deploy.c,
 * remote/rollback.c, remote/runner.c) over the local transport
 * (remote/local.c): the same commands a host runs over SSH, run with sh in
 * directories under /dev/shm, with a fake release whose bin/foo starts a
 * `sleep` as its node. Each test asserts what is left on the "host": the
 * lock, temporary files, where `current` and `previous` point, which node
 * runs, and the audit lines. Failures are injected by the transport's fault
 * callback (a command's exit status, a lost connection, an upload cut) and
 * by canceling the run between any two actions. */
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

/* Drive several runners from one poll loop, as the TUI embeds one. */
static void drive(struct run **runs, size_t n)
{
    struct pollfd fds[MAX_HOSTS * REL_TRANSPORT_MAX_FDS];
    for (;;) {
        bool active = false;
        size_t nfds = 0;
        int timeout = 200;
        for (size_t i = 0; i < n; i++) {
            if (rel_runner_step(runs[i]->r) != REL_SSH_AGAIN)
                continue;
            active = true;
            int t;
            nfds +=
                rel_runner_pollfds(runs[i]->r, fds + nfds, sizeof(fds) / sizeof(fds[0]) - nfds, &t);
            if (t < timeout)
                timeout = t;
        }
        if (!active)
            return;
        poll(fds, nfds, timeout);
    }
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

/* ---- the tests ------------------------------------------------------------------ */

/* A first deploy, then a second over the running first. */
static void deploy_first_then_second(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "first");
    char buf[2048], run[64];
    deploy_ok(&h, 1, tar1);
    assert_current(&h, "0.0.1");
    assert_false(exists(&h, "previous"));
    assert_string_equal(running(&h, run, sizeof(run)), "0.0.1");
    assert_false(exists(&h, "shared/lock"));
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "deploy foo 0.0.1"));
    assert_non_null(strstr(buf, ": ok (first release)"));
    assert_non_null(strstr(last_line_with(audit_file, " first deploy", buf, sizeof(buf)),
                           ": ok (first release)"));
    char first[300];
    link_of(&h, "current", first, sizeof(first));

    deploy_ok(&h, 1, tar2);
    assert_current(&h, "0.0.2");
    link_of(&h, "previous", buf, sizeof(buf));
    assert_string_equal(buf, first);
    assert_string_equal(running(&h, run, sizeof(run)), "0.0.2");
    assert_false(exists(&h, "shared/lock"));
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "deploy foo 0.0.2"));
    assert_non_null(strstr(buf, ": ok (previous releases/0.0.1-"));
    assert_tidy(&h);

    host_free(&h);

    /* a tarball already on the host (by its checksum) is not uploaded again */
    host_init(&h, "again");
    struct rel_deploy *d = new_deploy(tar2, 5);
    sh("mkdir -p '%s/shared/tarballs' && cp '%s' '%s/shared/tarballs/%s.tar.gz'", h.dir, tar2,
       h.dir, rel_deploy_sha256(d));
    rel_deploy_free(d);
    rel_buf_clear(&notes);
    deploy_ok(&h, 1, tar2);
    assert_non_null(strstr(rel_buf_cstr(&notes), "already on the host: not uploading"));
    assert_current(&h, "0.0.2");
    host_free(&h);
}

/* A lock held by someone else: nothing is touched, the lock stays theirs. */
static void deploy_lock_held(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "locked");
    clone_hosts(&tmpl1, &h, 1);
    sh("mkdir '%s/shared/lock' && echo 'bob@box (relman pid 7) since X: deploy foo 9' > "
       "'%s/shared/lock/info'",
       h.dir, h.dir);
    struct run run;
    run_init(&run, 0, false);
    struct rel_deploy *d = new_deploy(tar2, 5);
    rel_deploy_add(d, run.r, &h.t);
    assert_int_equal(rel_runner_run(run.r), REL_ELOCKED);
    const struct rel_job *j = rel_runner_job(run.r, 0);
    assert_string_equal(rel_deploy_outcome(j), "failed");
    assert_non_null(strstr(j->message, "locked by bob@box (relman pid 7)"));
    assert_non_null(strstr(j->message, "relman unlock locked"));
    char buf[300], run_v[64];
    assert_true(exists(&h, "shared/lock/info"));
    assert_current(&h, "0.0.1");
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.1");
    assert_int_equal(count_entries(&h, "shared/tarballs", ""), 2 + 1); /* ., .., the first */
    assert_null(strstr(host_audit(&h, buf, sizeof(buf)), "0.0.2"));
    rel_deploy_free(d);
    run_free(&run);

    /* a lock a killed relman left: who, where (pid, host), when; reported
     * with its age and never taken over */
    char *lock = rel_layout_lock_cmd(&h.t, "deploy foo 9");
    sh("rm -rf '%s/shared/lock' && cd '%s' && { %s; } >/dev/null && sed -i 's/since "
       "[^:]*:[^:]*:[^:]*:/since 2000-01-01T00:00:00Z:/' "
       "'%s/shared/lock/info'",
       h.dir, root, lock, h.dir);
    free(lock);
    char info[512], file[400];
    snprintf(file, sizeof(file), "%s/shared/lock/info", h.dir);
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    assert_non_null(fgets(info, sizeof(info), f));
    fclose(f);
    char *who = rel_layout_who(), *pid = rel_asprintf("(relman pid %d)", (int)getpid());
    assert_non_null(strstr(info, who));
    assert_non_null(strstr(info, pid));
    assert_non_null(strstr(info, "since 2000-01-01T00:00:00Z: deploy foo 9"));
    free(who);
    free(pid);
    run_init(&run, 0, false);
    d = new_deploy(tar2, 5);
    rel_deploy_add(d, run.r, &h.t);
    assert_int_equal(rel_runner_run(run.r), REL_ELOCKED);
    j = rel_runner_job(run.r, 0);
    assert_non_null(strstr(j->message, "days ago"));
    assert_non_null(strstr(j->message, "relman unlock locked"));
    assert_true(exists(&h, "shared/lock/info"));
    assert_current(&h, "0.0.1");
    rel_deploy_free(d);
    run_free(&run);

    /* unlock removes it, and says so in the audit logs */
    run_init(&run, 0, false);
    struct rel_node_opts uo = {.op = REL_NODE_UNLOCK, .audit_file = audit_file, .events = &events};
    rel_node_add(run.r, &h.t, &uo);
    assert_int_equal(rel_runner_run(run.r), 0);
    assert_false(exists(&h, "shared/lock"));
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), " locked unlock - by "));
    assert_non_null(strstr(buf, "removed the lock held by "));
    assert_non_null(
        strstr(last_line_with(audit_file, " locked unlock ", buf, sizeof(buf)), "deploy foo 9"));
    run_free(&run);
    host_free(&h);
}

/* The connection is cut during the upload: the runner reconnects, the part
 * file goes, the lock is released, the audit says why. */
static void deploy_upload_cut(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "cut");
    clone_hosts(&tmpl1, &h, 1);
    struct run run;
    run_init(&run, 0, false);
    struct plan_entry *e = run_plan(&run, "cut");
    e->match = "upload ";
    e->kind = REL_LOCAL_LOST;
    e->cut_after = 100;
    struct rel_deploy *d = new_deploy(tar2, 5);
    rel_deploy_add(d, run.r, &h.t);
    assert_int_equal(rel_runner_run(run.r), REL_ESSH);
    const struct rel_job *j = rel_runner_job(run.r, 0);
    assert_string_equal(rel_deploy_outcome(j), "failed");
    assert_non_null(strstr(j->message, "upload"));
    assert_true(e->done);
    char buf[2048];
    assert_current(&h, "0.0.1");
    assert_false(exists(&h, "shared/lock"));
    assert_tidy(&h);
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "FAILED: upload"));
    assert_non_null(
        strstr(last_line_with(audit_file, " cut deploy", buf, sizeof(buf)), "FAILED: upload"));
    rel_deploy_free(d);
    run_free(&run);
    host_free(&h);
}

/* The release does not pass the unpack checks (bin/foo version says
 * another version): its directory goes, nothing switches. */
static void deploy_unpack_fails(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "unpack");
    clone_hosts(&tmpl1, &h, 1);
    struct run run;
    run_init(&run, 0, false);
    struct rel_deploy *d = new_deploy(tar_badvsn, 5);
    rel_deploy_add(d, run.r, &h.t);
    assert_int_equal(rel_runner_run(run.r), REL_ECHILD);
    const struct rel_job *j = rel_runner_job(run.r, 0);
    assert_non_null(strstr(j->message, "unpacking and checking the release"));
    assert_non_null(strstr(j->message, "bin/NAME version says 'foo 9.9.9'"));
    char buf[2048], run_v[64];
    assert_current(&h, "0.0.1");
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.1");
    assert_false(exists(&h, "shared/lock"));
    assert_int_equal(count_entries(&h, "releases", "0.0.4"), 0);
    assert_tidy(&h);
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "FAILED: unpack: unpacking"));
    rel_deploy_free(d);
    run_free(&run);
    host_free(&h);
}

/* Switching `current` fails: the old release keeps running, untouched. */
static void deploy_switch_fails(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "switch");
    clone_hosts(&tmpl1, &h, 1);
    char first[300];
    link_of(&h, "current", first, sizeof(first));
    struct run run;
    run_init(&run, 0, false);
    struct plan_entry *e = run_plan(&run, "switch");
    e->match = "mv -Tf";
    e->kind = REL_LOCAL_EXIT;
    struct rel_deploy *d = new_deploy(tar2, 5);
    rel_deploy_add(d, run.r, &h.t);
    assert_int_equal(rel_runner_run(run.r), REL_ECHILD);
    const struct rel_job *j = rel_runner_job(run.r, 0);
    assert_string_equal(rel_deploy_outcome(j), "failed");
    assert_non_null(strstr(j->message, "switching `current`"));
    assert_non_null(strstr(j->message, "injected failure"));
    char buf[2048], run_v[64];
    link_of(&h, "current", buf, sizeof(buf));
    assert_string_equal(buf, first);
    assert_false(exists(&h, "previous"));
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.1");
    assert_false(exists(&h, "shared/lock"));
    assert_tidy(&h);
    rel_deploy_free(d);
    run_free(&run);
    host_free(&h);
}

/* The new node never becomes healthy: stopped, links switched back, the old
 * node started again; the outcome and the audit say "rolled back". Its
 * 1 s health timeout runs beside deploy_every_failure()'s hosts. */
struct sick {
    struct host h;
    struct run run;
    struct rel_deploy *d;
    char cur[300], prev[300];
};

static void sick_start(struct sick *s)
{
    host_init(&s->h, "sick");
    clone_hosts(&tmpl2, &s->h, 1);
    link_of(&s->h, "current", s->cur, sizeof(s->cur));
    link_of(&s->h, "previous", s->prev, sizeof(s->prev));
    run_init(&s->run, 0, false);
    s->d = new_deploy(tar_sick, 1);
    rel_deploy_add(s->d, s->run.r, &s->h.t);
}

static void sick_check(struct sick *s)
{
    const struct host *h = &s->h;
    char buf[2048], run_v[64];
    const struct rel_job *j = rel_runner_job(s->run.r, 0);
    assert_int_equal(j->result, REL_ECHILD);
    assert_string_equal(rel_deploy_outcome(j), "rolled back");
    assert_non_null(strstr(j->message, "health check failed after 1 s"));
    assert_non_null(strstr(j->message, "(running again)"));
    assert_string_equal(link_of(h, "current", buf, sizeof(buf)), s->cur);
    assert_string_equal(link_of(h, "previous", buf, sizeof(buf)), s->prev);
    assert_string_equal(running(h, run_v, sizeof(run_v)), "0.0.2");
    assert_false(exists(h, "shared/lock"));
    assert_tidy(h);
    assert_non_null(strstr(host_audit(h, buf, sizeof(buf)), "deploy foo 0.0.3"));
    assert_non_null(strstr(buf, "FAILED: sick: health check failed"));
    assert_non_null(strstr(buf, "rolled back to releases/0.0.2-"));
    rel_deploy_free(s->d);
    run_free(&s->run);
    host_free(&s->h);
}

/*
 * Every action of a deploy over a running release, made to fail (the
 * command exits 1; or the connection is lost), one host per case, all in one
 * runner (and the unhealthy release beside them, see struct sick). The
 * actions, in order:
 *   1 lock  2 inspect  3 upload  4 verify  5 unpack  6 old pid  7 switch
 *   8 stop old  9 start new  10 health (pid)  11 cleanup  12 audit  13 unlock
 */
enum { NACTIONS = 13 };
/*
 * What a failing action N leaves (index N): F failed, current still the old
 * release; R rolled back; D deployed, current the new one; L deployed with
 * the lock left behind. Exit 1 of `bin/foo pid` (6) reads as "not running":
 * nothing to stop; the health check (10) asks again and the node answers.
 */
static const char exit_expect[] = "-FFFFFDFRRDDDL";
static const char lost_expect[] = "-FFFFFFFRRDDDL";

static void deploy_every_failure(void **state)
{
    (void)state;
    enum { N = 2 * NACTIONS };
    static struct host hosts[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "%s%d", i < NACTIONS ? "x" : "l", i % NACTIONS + 1);
        host_init(&hosts[i], name);
    }
    clone_hosts(&tmpl1, hosts, N);
    struct run run;
    run_init(&run, 0, false);
    struct rel_deploy *d = new_deploy(tar2, 1);
    for (int i = 0; i < N; i++) {
        struct plan_entry *e = run_plan(&run, hosts[i].t.name);
        e->at = i % NACTIONS + 1;
        e->kind = i < NACTIONS ? REL_LOCAL_EXIT : REL_LOCAL_LOST;
        rel_deploy_add(d, run.r, &hosts[i].t);
    }
    static struct sick sick;
    sick_start(&sick);
    struct run *both[] = {&run, &sick.run};
    drive(both, 2);
    sick_check(&sick);
    for (int i = 0; i < N; i++) {
        const struct host *h = &hosts[i];
        const struct rel_job *j = rel_runner_job(run.r, (size_t)i);
        char x = i < NACTIONS ? exit_expect[i % NACTIONS + 1] : lost_expect[i % NACTIONS + 1];
        const char *want = x == 'F' ? "failed" : x == 'R' ? "rolled back" : "deployed";
        bool now_new = x == 'D' || x == 'L';
        const char *outcome = rel_deploy_outcome(j);
        if (strcmp(outcome, want) != 0)
            fail_msg("%s: outcome %s, want %s (%s)", h->t.name, outcome, want,
                     j->message ? j->message : "");
        assert_int_equal(j->result == 0, now_new);
        assert_current(h, now_new ? "0.0.2" : "0.0.1");
        if (exists(h, "shared/lock") != (x == 'L'))
            fail_msg("%s: lock %s", h->t.name, x == 'L' ? "gone" : "left behind");
        if (x == 'L')
            assert_non_null(strstr(rel_buf_cstr(&notes), "could not remove the deploy lock"));
        assert_tidy(h);
        char run_v[64];
        assert_string_equal(running(h, run_v, sizeof(run_v)), now_new ? "0.0.2" : "0.0.1");
        /* the audit line (not when the lock was never taken, or the audit
         * command itself was the one that failed) */
        char buf[2048];
        host_audit(h, buf, sizeof(buf));
        int at = i % NACTIONS + 1;
        if (at == 1)
            assert_null(strstr(buf, "0.0.2"));
        else if (at != 12)
            assert_non_null(strstr(buf, now_new ? "deploy foo 0.0.2 (" : "FAILED: "));
    }
    rel_deploy_free(d);
    run_free(&run);
    for (int i = 0; i < N; i++)
        host_free(&hosts[i]);
}

/* Cancel the run after each action (0: before the first): one runner per
 * case, all driven from one poll loop. Before the switch the host is left as
 * it was; after it, the deploy rolls back; once the new node is healthy the
 * rest (cleanup, audit, unlock) is finishing and runs. */
/* The phase a cancel after action N (see NACTIONS) interrupts: the step
 * the next action belongs to. */
static const char *const cancel_phase[] = {
    NULL, "lock", "upload", "upload", "unpack", "unpack", "switch", "stop", "start", "health",
};

static void deploy_cancel_between_phases(void **state)
{
    (void)state;
    enum { N = NACTIONS + 1 };
    static struct host hosts[N];
    static struct run runs[N];
    struct run *rp[N];
    struct rel_deploy *d = new_deploy(tar2, 1);
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "c%d", i);
        host_init(&hosts[i], name);
    }
    clone_hosts(&tmpl1, hosts, N);
    for (int i = 0; i < N; i++) {
        run_init(&runs[i], 0, false);
        rp[i] = &runs[i];
        struct plan_entry *e = run_plan(&runs[i], hosts[i].t.name);
        e->cancel_after = i;
        runs[i].plan.canceled = i == 0;
        rel_deploy_add(d, runs[i].r, &hosts[i].t);
    }
    drive(rp, N);
    for (int i = 0; i < N; i++) {
        const struct host *h = &hosts[i];
        const struct rel_job *j = rel_runner_job(runs[i].r, 0);
        const char *want = i <= 6 ? "failed" : i <= 9 ? "rolled back" : "deployed";
        const char *outcome = rel_deploy_outcome(j);
        if (strcmp(outcome, want) != 0)
            fail_msg("cancel after %d: outcome %s, want %s (%s)", i, outcome, want,
                     j->message ? j->message : "");
        if (j->result < 0)
            assert_non_null(strstr(j->message, "cancel"));
        assert_current(h, i <= 9 ? "0.0.1" : "0.0.2");
        assert_false(exists(h, "shared/lock"));
        assert_tidy(h);
        char run_v[64];
        assert_string_equal(running(h, run_v, sizeof(run_v)), i <= 9 ? "0.0.1" : "0.0.2");
        /* the audit lines (host and local) say where it was interrupted */
        if (i >= 1 && i <= 9) {
            char buf[2048], phase[64], needle[64];
            snprintf(phase, sizeof(phase), "interrupted at %s", cancel_phase[i]);
            if (!strstr(host_audit(h, buf, sizeof(buf)), phase))
                fail_msg("cancel after %d: audit '%s' lacks '%s'", i, buf, phase);
            snprintf(needle, sizeof(needle), " %s deploy ", h->t.name);
            assert_non_null(strstr(last_line_with(audit_file, needle, buf, sizeof(buf)), phase));
            assert_non_null(strstr(j->message, phase));
        }
        /* the unpacked release of a run that never switched is gone */
        if (i >= 5 && i <= 6)
            assert_int_equal(count_entries(h, "releases", "0.0.2-"), 0);
    }
    for (int i = 1; i <= 9; i++) {
        char want[80];
        snprintf(want, sizeof(want), "c%d: interrupted: stopping after ", i);
        assert_non_null(strstr(rel_buf_cstr(&notes), want));
    }
    for (int i = 0; i < N; i++) {
        run_free(&runs[i]);
        host_free(&hosts[i]);
    }
    rel_deploy_free(d);
}

/* A second signal abandons the run: whatever runs is dropped, nothing is
 * undone, but the lock goes and the audit lines say so. Abandoned after
 * the switch (action 7) and during the upload (3). */
static bool abandon_cb(void *ctx)
{
    struct plan *p = ctx;
    return p->canceled && p->e[0].seen >= p->e[0].cancel_after + 1;
}

static void deploy_abandoned(void **state)
{
    (void)state;
    static const int at[] = {3, 7};
    for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
        struct host h;
        char name[32];
        snprintf(name, sizeof(name), "ab%d", at[k]);
        host_init(&h, name);
        clone_hosts(&tmpl1, &h, 1);
        struct run run;
        memset(&run, 0, sizeof(run));
        rel_buf_init(&run.plan.log, 0);
        struct rel_local_opts lo = {.dir = root, .fault = fault_cb, .fault_ctx = &run.plan};
        assert_int_equal(rel_local_transport_new(&run.tr, &lo), 0);
        struct rel_runner_opts ro = {.events = &events,
                                     .transport = run.tr,
                                     .canceled = cancel_cb,
                                     .abandoned = abandon_cb,
                                     .cancel_ctx = &run.plan};
        assert_int_equal(rel_runner_new(&run.r, &ro), 0);
        struct rel_deploy *d = new_deploy(tar2, 1);
        run_plan(&run, h.t.name)->cancel_after = at[k];
        rel_deploy_add(d, run.r, &h.t);
        assert_int_equal(rel_runner_run(run.r), REL_ECANCELED);
        const struct rel_job *j = rel_runner_job(run.r, 0);
        assert_string_equal(rel_deploy_outcome(j), "interrupted");
        assert_non_null(strstr(j->message, "abandoned"));
        assert_false(exists(&h, "shared/lock"));
        assert_int_equal(count_entries(&h, "shared/tarballs", ".part-"), 0);
        char buf[2048];
        assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "interrupted twice at "));
        if (at[k] == 7)
            assert_non_null(strstr(buf, "current may be an unverified release"));
        rel_deploy_free(d);
        run_free(&run);
        host_free(&h);
    }
}

/* Rollback: back to previous and forth again; nothing to roll back to. */
static void rollback_and_back(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "rb");
    char first[300], second[300], buf[2048], run_v[64];
    struct rel_rollback_opts o = {.health_timeout = 5, .audit_file = audit_file, .events = &events};
    /* nothing deployed: nothing to roll back to */
    struct run run;
    run_init(&run, 0, false);
    rel_rollback_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), REL_ENOTFOUND);
    assert_non_null(strstr(rel_runner_job(run.r, 0)->message, "nothing to roll back to"));
    assert_false(exists(&h, "shared/lock"));
    run_free(&run);

    clone_hosts(&tmpl2, &h, 1);
    link_of(&h, "previous", first, sizeof(first));
    link_of(&h, "current", second, sizeof(second));
    run_init(&run, 0, false);
    rel_rollback_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), 0);
    assert_string_equal(link_of(&h, "current", buf, sizeof(buf)), first);
    assert_string_equal(link_of(&h, "previous", buf, sizeof(buf)), second);
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.1");
    assert_false(exists(&h, "shared/lock"));
    char want[700];
    snprintf(want, sizeof(want), "rollback %s -> %s by ", second, first);
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), want));
    assert_non_null(strstr(buf, ": ok"));
    assert_non_null(strstr(last_line_with(audit_file, " rb rollback ", buf, sizeof(buf)), want));
    run_free(&run);

    /* and forth again, with the node stopped: it stays stopped */
    sh("p=$(cat '%s/shared/tmp/foo.pid') && kill $p; rm -f '%s/shared/tmp/foo.pid' "
       "'%s/shared/tmp/running'",
       h.dir, h.dir, h.dir);
    run_init(&run, 0, false);
    rel_buf_clear(&notes);
    rel_rollback_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), 0);
    assert_string_equal(link_of(&h, "current", buf, sizeof(buf)), second);
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "");
    assert_non_null(strstr(rel_buf_cstr(&notes), "not running; not starting it"));
    run_free(&run);
    host_free(&h);
}

/*
 * Every action of a rollback of a running node made to fail (exit 1), and
 * the run canceled after each:
 *   1 lock  2 inspect  3 pid  4 stop  5 switch  6 start  7 health (pid)
 *   8 audit + unlock
 */
enum { RB_ACTIONS = 8 };
static void rollback_every_failure(void **state)
{
    (void)state;
    enum { N = 2 * RB_ACTIONS + 1 };
    static struct host hosts[N];
    static struct run runs[N];
    struct run *rp[N];
    char name[32], first[300], second[300];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "r%s%d", i < RB_ACTIONS ? "x" : "c", i);
        host_init(&hosts[i], name);
    }
    clone_hosts(&tmpl2, hosts, N);
    struct rel_rollback_opts o = {.health_timeout = 1, .audit_file = audit_file, .events = &events};
    for (int i = 0; i < N; i++) {
        run_init(&runs[i], 0, false);
        rp[i] = &runs[i];
        struct plan_entry *e = run_plan(&runs[i], hosts[i].t.name);
        if (i < RB_ACTIONS) {
            e->at = i + 1;
            e->kind = REL_LOCAL_EXIT;
        } else {
            e->cancel_after = i - RB_ACTIONS;
            runs[i].plan.canceled = e->cancel_after == 0;
        }
        rel_rollback_add(runs[i].r, &hosts[i].t, &o);
    }
    drive(rp, N);
    for (int i = 0; i < N; i++) {
        const struct host *h = &hosts[i];
        const struct rel_job *j = rel_runner_job(runs[i].r, 0);
        bool canceled = i >= RB_ACTIONS;
        int k = canceled ? i - RB_ACTIONS : i + 1;
        /* exit 1 of: pid (3) reads as not running: switched, not started;
         * health (7) asks again; audit+unlock (8) is only noted.
         * canceled after: stop (4) and later is finishing. */
        bool ok = canceled ? k >= 4 : (k == 3 || k == 7 || k == 8);
        bool switched = ok || (!canceled && k == 6);
        (void)second;
        if ((j->result == 0) != ok)
            fail_msg("%s (%s %d): result %d (%s)", h->t.name, canceled ? "cancel after" : "fail", k,
                     j->result, j->message ? j->message : "");
        link_of(h, "current", first, sizeof(first));
        link_of(h, "previous", second, sizeof(second));
        assert_current(h, switched ? "0.0.1" : "0.0.2");
        /* which node runs: a failed switch (5) or start (6) leaves the
         * stopped node stopped; pid failing (3) leaves it running, unseen */
        char run_v[64];
        const char *want = switched ? "0.0.1" : "0.0.2";
        if (!canceled && (k == 5 || k == 6))
            want = "";
        else if (!canceled && k == 3)
            want = "0.0.2";
        assert_string_equal(running(h, run_v, sizeof(run_v)), want);
        if (!(!canceled && k == 8))
            assert_false(exists(h, "shared/lock"));
        assert_int_equal(count_entries(h, "", ".tmp"), 0);
    }
    for (int i = 0; i < N; i++) {
        run_free(&runs[i]);
        host_free(&hosts[i]);
    }
}

/* A fleet in batches of one: a failure stops the batches after it; a cancel
 * too. */
static void fleet_batches(void **state)
{
    (void)state;
    static struct host hosts[3];
    host_init(&hosts[0], "f1");
    host_init(&hosts[1], "f2");
    host_init(&hosts[2], "f3");
    sh("mkdir -p '%s/shared/lock'", hosts[1].dir);
    struct run run;
    run_init(&run, 1, true);
    struct rel_deploy *d = new_deploy(tar1, 5);
    for (int i = 0; i < 3; i++)
        rel_deploy_add(d, run.r, &hosts[i].t);
    assert_int_equal(rel_runner_run(run.r), REL_ELOCKED);
    assert_string_equal(rel_deploy_outcome(rel_runner_job(run.r, 0)), "deployed");
    assert_string_equal(rel_deploy_outcome(rel_runner_job(run.r, 1)), "failed");
    assert_string_equal(rel_deploy_outcome(rel_runner_job(run.r, 2)), "not started");
    assert_non_null(strstr(rel_runner_job(run.r, 2)->message,
                           "not started: a host of an earlier batch failed"));
    assert_int_equal(rel_runner_skipped(run.r), 1);
    assert_current(&hosts[0], "0.0.1");
    assert_false(exists(&hosts[2], "current"));
    assert_false(exists(&hosts[2], "shared"));
    run_free(&run);

    /* canceled during the first batch: the first host finishes its undo,
     * the others never start */
    sh("rmdir '%s/shared/lock'", hosts[1].dir);
    run_init(&run, 1, true);
    struct rel_deploy *d2 = new_deploy(tar2, 5);
    for (int i = 0; i < 3; i++)
        rel_deploy_add(d2, run.r, &hosts[i].t);
    run_plan(&run, "f1")->cancel_after = 3;
    rel_runner_run(run.r);
    assert_string_equal(rel_deploy_outcome(rel_runner_job(run.r, 0)), "failed");
    assert_non_null(strstr(rel_runner_job(run.r, 1)->message, "not started: canceled"));
    assert_int_equal(rel_runner_skipped(run.r), 2);
    assert_current(&hosts[0], "0.0.1");
    assert_false(exists(&hosts[0], "shared/lock"));
    assert_tidy(&hosts[0]);
    assert_false(exists(&hosts[1], "current"));
    run_free(&run);
    rel_deploy_free(d);
    rel_deploy_free(d2);
    for (int i = 0; i < 3; i++)
        host_free(&hosts[i]);
}

/* Node control over the same transport: status reads what deploys left;
 * restart is audited. */
static void node_status_and_restart(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "node");
    clone_hosts(&tmpl2, &h, 1);
    struct run run;
    run_init(&run, 0, false);
    struct rel_node_opts o = {.op = REL_NODE_STATUS, .events = &events};
    rel_node_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), 0);
    const struct rel_node_result *res = rel_node_result(rel_runner_job(run.r, 0));
    assert_true(res->reachable && res->installed && res->running);
    assert_string_equal(res->version, "foo 0.0.2");
    assert_non_null(strstr(res->current, "releases/0.0.2-"));
    assert_non_null(strstr(res->previous, "releases/0.0.1-"));
    assert_int_equal(res->nreleases, 2);
    assert_non_null(strstr(res->last_deploy, " tmpl2 deploy foo 0.0.2 ")); /* cloned */
    run_free(&run);

    run_init(&run, 0, false);
    o = (struct rel_node_opts){
        .op = REL_NODE_RESTART, .health_timeout = 5, .audit_file = audit_file, .events = &events};
    rel_node_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), 0);
    char buf[2048], run_v[64];
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), " node restart releases/0.0.2-"));
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.2");
    run_free(&run);
    assert_string_equal(rel_node_op_info(REL_NODE_RESTART)->name, "restart");
    assert_true(rel_node_op_info(REL_NODE_STOP)->changes);
    assert_false(rel_node_op_info(REL_NODE_STATUS)->changes);
    host_free(&h);
}

/* Node changes interrupted: a stop canceled before it runs leaves the node
 * running and says so in the audit logs; a restart canceled once the node
 * was stopped starts it again (finishing). */
static void node_interrupted(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "nodeint");
    clone_hosts(&tmpl2, &h, 1);
    struct run run;
    run_init(&run, 0, false);
    struct rel_node_opts o = {
        .op = REL_NODE_STOP, .health_timeout = 5, .audit_file = audit_file, .events = &events};
    run_plan(&run, h.t.name)->cancel_after = 1; /* after the status */
    rel_node_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), REL_ECANCELED);
    const struct rel_job *j = rel_runner_job(run.r, 0);
    assert_non_null(strstr(j->message, "interrupted at stop"));
    char buf[2048], run_v[64];
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "stop releases/0.0.2-"));
    assert_non_null(strstr(buf, "FAILED: nodeint: interrupted at stop"));
    assert_non_null(strstr(last_line_with(audit_file, " nodeint stop ", buf, sizeof(buf)),
                           "interrupted at stop"));
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.2");
    assert_non_null(strstr(rel_buf_cstr(&notes), "nodeint: interrupted: stopping after status"));
    run_free(&run);

    run_init(&run, 0, false);
    o.op = REL_NODE_RESTART;
    run_plan(&run, h.t.name)->cancel_after = 2; /* during the stop */
    rel_node_add(run.r, &h.t, &o);
    assert_int_equal(rel_runner_run(run.r), 0);
    assert_string_equal(running(&h, run_v, sizeof(run_v)), "0.0.2");
    assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), " nodeint restart "));
    run_free(&run);
    host_free(&h);
}

int main(void)
{
    rel_buf_init(&notes, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deploy_first_then_second),
        cmocka_unit_test(deploy_lock_held),
        cmocka_unit_test(deploy_upload_cut),
        cmocka_unit_test(deploy_unpack_fails),
        cmocka_unit_test(deploy_switch_fails),
        cmocka_unit_test(deploy_every_failure),
        cmocka_unit_test(deploy_cancel_between_phases),
        cmocka_unit_test(deploy_abandoned),
        cmocka_unit_test(rollback_and_back),
        cmocka_unit_test(rollback_every_failure),
        cmocka_unit_test(fleet_batches),
        cmocka_unit_test(node_status_and_restart),
        cmocka_unit_test(node_interrupted),
    };
    int rc = cmocka_run_group_tests(tests, setup_all, teardown_all);
    rel_buf_free(&notes);
    return rc;
}
