/* Unit tests of interrupted runs over the local transport (the fixture of
 * deploy_fixture.h): a second signal abandons a deploy (the lock goes, the
 * audit says so), a lock left by a killed relman is reported with its age
 * and never taken over, `unlock` is audited, node changes interrupted.
 * (Canceling a deploy between any two actions is test_deploy.c's
 * deploy_cancel_between_phases.) */
#include "deploy_fixture.h"

/* A lock a killed relman left: who, where (pid, host), when; reported with
 * its age and never taken over; unlock removes it and is audited. */
static void lock_left_by_a_killed_relman(void **state)
{
    (void)state;
    struct host h;
    host_init(&h, "locked");
    clone_hosts(&tmpl1, &h, 1);
    struct run run;
    struct rel_deploy *d;
    const struct rel_job *j;
    char buf[2048];
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
        if (at[k] == 3) { /* before the switch: the old release, as it was */
            assert_tidy(&h);
            assert_current(&h, "0.0.1");
        }
        char buf[2048];
        assert_non_null(strstr(host_audit(&h, buf, sizeof(buf)), "interrupted twice at "));
        if (at[k] == 7)
            assert_non_null(strstr(buf, "current may be an unverified release"));
        rel_deploy_free(d);
        run_free(&run);
        host_free(&h);
    }
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
        cmocka_unit_test(lock_left_by_a_killed_relman),
        cmocka_unit_test(deploy_abandoned),
        cmocka_unit_test(node_interrupted),
    };
    int rc = cmocka_run_group_tests(tests, setup_all, teardown_all);
    rel_buf_free(&notes);
    return rc;
}
