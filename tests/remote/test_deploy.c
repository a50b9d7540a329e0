/* Unit tests of the deploy, rollback and fleet state machines (remote/deploy.c,
 * remote/rollback.c, remote/runner.c) over the local transport
 * (remote/local.c): the same commands a host runs over SSH, run with sh in
 * directories under /dev/shm, with a fake release whose bin/foo starts a
 * `sleep` as its node. Each test asserts what is left on the "host": the
 * lock, temporary files, where `current` and `previous` point, which node
 * runs, and the audit lines. Failures are injected by the transport's fault
 * callback (a command's exit status, a lost connection, an upload cut) and
 * by canceling the run between any two actions. */
#include "deploy_fixture.h"

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

/* Rollback-all (remote/rollback.h): after a failed run, the hosts that run
 * switched go back to their previous release; the one that failed, and
 * one the run did not reach, are not touched. */
static void fleet_rollback_all(void **state)
{
    (void)state;
    static struct host hosts[3];
    host_init(&hosts[0], "a1");
    host_init(&hosts[1], "a2");
    host_init(&hosts[2], "a3");
    clone_hosts(&tmpl1, hosts, 3);
    char before[3][300], buf[2048], run_v[64];
    for (int i = 0; i < 3; i++)
        link_of(&hosts[i], "current", before[i], sizeof(before[i]));
    sh("mkdir -p '%s/shared/lock'", hosts[1].dir); /* a2 fails before its switch */
    struct run run;
    run_init(&run, 0, true);
    struct rel_deploy *d = new_deploy(tar2, 5);
    for (int i = 0; i < 3; i++)
        rel_deploy_add(d, run.r, &hosts[i].t);
    assert_int_equal(rel_runner_run(run.r), REL_ELOCKED);
    assert_current(&hosts[0], "0.0.2");
    assert_current(&hosts[2], "0.0.2");

    struct rel_rollback_all ra;
    assert_int_equal(rel_rollback_all_init(&ra, run.r), 2);
    assert_int_equal(ra.count, 3);
    struct rel_runner_opts ro = {.batch = 1, .events = &events, .transport = run.tr};
    struct rel_rollback_opts o = {.health_timeout = 5, .audit_file = audit_file, .events = &events};
    assert_int_equal(rel_rollback_all_run(&ra, &ro, &o), 0);
    assert_true(ra.back[0]);
    assert_false(ra.back[1]);
    assert_true(ra.back[2]);
    for (int i = 0; i < 3; i++) {
        assert_null(ra.error[i]);
        assert_string_equal(link_of(&hosts[i], "current", buf, sizeof(buf)), before[i]);
        assert_string_equal(running(&hosts[i], run_v, sizeof(run_v)), "0.0.1");
    }
    assert_false(exists(&hosts[0], "shared/lock"));
    assert_true(exists(&hosts[1], "shared/lock")); /* not its own: left alone */
    char want[400];
    snprintf(want, sizeof(want), "-> %s by ", before[0]);
    assert_non_null(strstr(host_audit(&hosts[0], buf, sizeof(buf)), want));
    assert_non_null(strstr(buf, " rollback releases/0.0.2-"));
    rel_rollback_all_free(&ra);
    rel_rollback_all_free(&ra); /* twice is fine */
    sh("rmdir '%s/shared/lock'", hosts[1].dir);
    run_free(&run);
    rel_deploy_free(d);
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
        cmocka_unit_test(rollback_and_back),
        cmocka_unit_test(rollback_every_failure),
        cmocka_unit_test(fleet_batches),
        cmocka_unit_test(fleet_rollback_all),
        cmocka_unit_test(node_status_and_restart),
    };
    int rc = cmocka_run_group_tests(tests, setup_all, teardown_all);
    rel_buf_free(&notes);
    return rc;
}
