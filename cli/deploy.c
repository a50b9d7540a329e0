/*
 * deploy.c - `relman deploy` and `relman rollback` (logic: remote/deploy.c,
 * remote/rollback.c).
 */
#include "cli.h"
#include "load.h"
#include "progress.h"
#include "remote_cli.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/plan.h"
#include "core/project.h"
#include "core/resolve.h"
#include "remote/deploy.h"
#include "remote/layout.h"
#include "remote/runner.h"
#include "remote/rollback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options of deploy alone. */
enum { OPT_FORCE = 0x1100, OPT_ROLLBACK_ALL };

/* "VSN" of a "releases/VSN-STAMP" link, into buf ("-" when unknown). */
static const char *version_of(const char *link, char *buf, size_t size)
{
    char *vsn = NULL;
    const char *stamp;
    const char *name = link && strncmp(link, "releases/", 9) == 0 ? link + 9 : NULL;
    if (name && rel_layout_parse_release_dir(name, &vsn, &stamp))
        snprintf(buf, size, "%s", vsn);
    else
        snprintf(buf, size, "-");
    free(vsn);
    return buf;
}

/*
 * After a failed run with rollback-all: every host the run switched to the
 * new release ("deployed") goes back to its previous one (the rollback
 * operation, all at once). *back[i] says whether host i was returned.
 */
static void rollback_all(struct cli_remote *c, struct rel_runner *r, bool *back)
{
    struct rel_runner_opts ro;
    cli_remote_runner_opts(c, &ro);
    ro.batch = 0;
    struct rel_runner *rb;
    rel_runner_new(&rb, &ro);
    struct rel_rollback_opts o = {.health_tcp = c->cfg->deploy.health_tcp,
                                  .health_timeout = c->cfg->deploy.health_timeout,
                                  .audit_file = c->audit_file,
                                  .events = &c->events};
    size_t *idx = rel_calloc(rel_runner_count(r) + 1, sizeof(*idx));
    size_t n = 0;
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        if (j->result == 0 && strcmp(rel_deploy_outcome(j), "deployed") == 0) {
            rel_rollback_add(rb, j->target, &o);
            idx[n++] = i;
        }
    }
    if (n) {
        if (!cli_globals.quiet)
            fprintf(stderr, "deploy: --rollback-all: returning %zu host(s) to their previous "
                            "release\n",
                    n);
        rel_runner_run(rb);
        for (size_t k = 0; k < n; k++) {
            const struct rel_job *j = rel_runner_job(rb, k);
            back[idx[k]] = j->result == 0;
            if (j->result < 0)
                cli_error("%s", j->message ? j->message : "rollback failed");
        }
    }
    free(idx);
    rel_runner_free(rb);
}

/*
 * A release without a `tar` step: build it as `relman assemble` does
 * (compile, plan, assemble -- incrementally, replacing the version in
 * place), then pack the tarball at the path the tar step would use.
 */
static int build_tarball(char **out, const char *release)
{
    struct cli_progress prog;
    cli_progress_init(&prog, cli_globals.quiet, cli_globals.verbose);
    struct cli_load load = {.name = release, .code = CLI_OK};
    struct rel_build_opts bo = {.compile = true, .assemble = {.overwrite = true}};
    struct rel_plan *plan = NULL;
    struct rel_assemble_stats st = {0};
    int rc = cli_build_release(&plan, &st, &bo, &load, &prog);
    if (rc != CLI_OK)
        goto done;
    bool packed = false;
    if (!plan->tar) {
        plan->tarball =
            rel_project_tarball_path(load.p, load.m->release, plan->version, NULL);
        plan->tar = true;
        /* Nothing changed since the last pack: the same tarball (the same
         * checksum, so a host running it has nothing to do). Packing
         * again would give other bytes: the tree's directories are new. */
        if (st.written == 0 && rel_fs_is_file(plan->tarball))
            packed = true;
        else if (rel_assemble_tar(plan, &prog.ev) < 0) {
            cli_progress_clear(&prog);
            rc = cli_core_error();
            goto done;
        }
    }
    cli_progress_clear(&prog);
    if (!cli_globals.quiet)
        fprintf(stderr, "deploy: assembled %s-%s (%llu written, %llu reused)%s %s\n",
                plan->name, plan->version, (unsigned long long)st.written,
                (unsigned long long)st.reused, packed ? "; unchanged since" : " and packed",
                plan->tarball);
    *out = rel_strdup(plan->tarball);
done:
    rel_plan_free(plan);
    rel_model_free(load.m);
    rel_project_free(load.p);
    return rc;
}

/*
 * The tarball `relman assemble` packs for `release` (its `tar` step), by
 * core's one rule (rel_project_assembled_tarball: no plan is built, no
 * model resolved); it must exist already. A release without a tar step is
 * built and packed here (build_tarball).
 */
static int assembled_tarball(char **out, const char *release)
{
    /* relman.yml alone, unless the version comes from an application's
     * .app file (then the applications are searched for) */
    struct rel_project *p = NULL;
    if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN) < 0)
        return cli_core_error();
    const struct rel_config_release *r = rel_config_find_release(p->config, release);
    if (r && !r->version) {
        rel_project_free(p);
        if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG) < 0)
            return cli_core_error();
        r = rel_config_find_release(p->config, release);
    }
    char *how = rel_asprintf("`relman assemble %s`, or pass --tarball FILE", release);
    int rc = CLI_OK;
    if (!r) {
        rc = cli_error("no release '%s' in %s", release, REL_CONFIG_FILE);
    } else if (rel_project_assembled_tarball(out, p, r, how) == REL_EUSAGE) {
        rel_error_clear();
        rel_project_free(p);
        p = NULL;
        rc = build_tarball(out, release);
    } else if (!*out) {
        rc = cli_core_error();
    }
    free(how);
    rel_project_free(p);
    return rc;
}

int cmd_deploy(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_REMOTE_LONGOPTS,
        {"tarball", required_argument, NULL, CLI_OPT_TARBALL},
        {"batch", required_argument, NULL, CLI_OPT_BATCH},
        {"force", no_argument, NULL, OPT_FORCE},
        {"rollback-all", no_argument, NULL, OPT_ROLLBACK_ALL},
        {NULL, 0, NULL, 0},
    };
    struct cli_remote c = {.cmd = "deploy"};
    const char *tarball = NULL;
    bool force = false, back_all = false;
    long batch = 0;
    int opt;
    while ((opt = cli_getopt(argc, argv, "yv", longopts)) != -1) {
        if (opt == -2)
            return CLI_USAGE;
        if (cli_remote_option(&c, opt, optarg))
            continue;
        if (opt == CLI_OPT_TARBALL) {
            tarball = optarg;
        } else if (opt == OPT_FORCE) {
            force = true;
        } else if (opt == OPT_ROLLBACK_ALL) {
            back_all = true;
        } else if (opt == CLI_OPT_BATCH) {
            char *end;
            batch = strtol(optarg, &end, 10);
            if (*end || batch < 1 || batch > 10000)
                return cli_usage_error("deploy", "--batch needs a number from 1 to 10000");
        }
    }
    char **names = argv + optind;
    size_t nnames = (size_t)(argc - optind);

    /* deploy [REL] TARGET...: a first word naming a release (and no target
     * or group) is the release. */
    const char *release = NULL;
    struct rel_config *peek = NULL;
    if (nnames >= 2 && rel_config_load(&peek, REL_CONFIG_FILE) == 0 &&
        rel_config_find_release(peek, names[0]) && !rel_config_find_target(peek, names[0]) &&
        !rel_config_find_group(peek, names[0])) {
        release = names[0];
        names++;
        nnames--;
    }
    rel_config_free(peek);
    rel_error_clear();

    int rc = cli_remote_load(&c, names, nnames, release);
    if (rc != CLI_OK) {
        cli_remote_free(&c);
        return rc;
    }
    /* every target of one run deploys the same release */
    const char *relname = c.targets[0].release;
    for (size_t i = 1; i < c.ntargets; i++)
        if (strcmp(c.targets[i].release, relname) != 0) {
            cli_error("targets %s and %s run different releases (%s, %s): deploy them separately",
                      c.targets[0].name, c.targets[i].name, relname, c.targets[i].release);
            cli_remote_free(&c);
            return CLI_FAIL;
        }

    char *assembled = NULL;
    if (!tarball) {
        if ((rc = assembled_tarball(&assembled, relname)) != CLI_OK) {
            cli_remote_free(&c);
            return rc;
        }
        tarball = assembled;
    }
    struct rel_deploy_opts dopts = {
        .tarball = tarball,
        .release = relname,
        .keep = c.cfg->deploy.keep,
        .health_tcp = c.cfg->deploy.health_tcp,
        .health_timeout = c.cfg->deploy.health_timeout,
        .force = force,
        .audit_file = c.audit_file,
        .events = &c.events,
    };
    struct rel_deploy *d = NULL;
    rc = rel_deploy_new(&d, &dopts) < 0 ? cli_core_error() : CLI_OK;
    free(assembled);
    if (rc != CLI_OK) {
        cli_remote_free(&c);
        return rc;
    }
    struct rel_buf q = REL_BUF_INIT;
    rel_buf_printf(&q, "Deploy %s %s to", relname, rel_deploy_version(d));
    for (size_t i = 0; i < c.ntargets; i++)
        rel_buf_printf(&q, "%s %s", i ? "," : "", c.targets[i].name);
    rel_buf_putc(&q, '?');
    rc = cli_remote_confirm(&c, rel_buf_cstr(&q));
    rel_buf_free(&q);
    if (rc != CLI_OK) {
        rel_deploy_free(d);
        cli_remote_free(&c);
        return rc;
    }
    if (!cli_globals.quiet)
        fprintf(stderr, "deploy: %s %s (%s, %.1f MB, sha256 %.12s) to %zu target(s), batch %ld\n",
                relname, rel_deploy_version(d), rel_deploy_dirname(d),
                (double)rel_deploy_size(d) / 1e6, rel_deploy_sha256(d), c.ntargets,
                batch ? batch : (long)c.cfg->deploy.batch);

    struct rel_runner_opts ro;
    cli_remote_runner_opts(&c, &ro);
    cli_remote_catch_signals(&c, &ro);
    ro.batch = (size_t)(batch ? batch : c.cfg->deploy.batch);
    ro.stop_on_failure = true;
    struct rel_runner *r;
    rel_runner_new(&r, &ro);
    for (size_t i = 0; i < c.ntargets; i++)
        rel_deploy_add(d, r, &c.targets[i]);
    rel_runner_run(r);
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        const char *outcome = rel_deploy_outcome(j);
        if (j->result == 0 && strcmp(outcome, "already running") == 0)
            printf("%s: already running %s %s (nothing done; --force deploys it again)\n",
                   j->target->name, relname, rel_deploy_version(d));
        else if (j->result == 0)
            printf("%s: deployed %s %s (releases/%s)\n", j->target->name, relname,
                   rel_deploy_version(d), rel_deploy_dirname(d));
        else
            printf("%s: %s\n", j->target->name, outcome);
    }
    fflush(stdout);
    rc = cli_remote_exit(&c, cli_remote_failures(&c, r));
    size_t n = rel_runner_count(r);
    bool *back = rel_calloc(n + 1, sizeof(*back));
    bool rolled = rc != CLI_OK && (back_all || c.cfg->deploy.rollback_all);
    if (rolled)
        rollback_all(&c, r, back);
    /* where each host ends up */
    if (n > 1 || rolled) {
        printf("summary:\n");
        for (size_t i = 0; i < n; i++) {
            const struct rel_job *j = rel_runner_job(r, i);
            const char *outcome = rel_deploy_outcome(j);
            char old[128];
            version_of(rel_deploy_previous(j), old, sizeof(old));
            if (back[i])
                printf("  %s: %s %s (rolled back from %s: --rollback-all)\n", j->target->name,
                       relname, old, rel_deploy_version(d));
            else if (strcmp(outcome, "deployed") == 0 || strcmp(outcome, "already running") == 0)
                printf("  %s: %s %s (%s)\n", j->target->name, relname, rel_deploy_version(d),
                       outcome);
            else if (strcmp(outcome, "not started") == 0)
                printf("  %s: not started (left as it was)\n", j->target->name);
            else
                printf("  %s: %s %s (%s)\n", j->target->name, relname, old, outcome);
        }
        fflush(stdout);
    }
    free(back);
    rel_runner_free(r);
    rel_deploy_free(d);
    cli_remote_free(&c);
    return rc;
}

int cmd_rollback(int argc, char **argv)
{
    struct cli_remote c = {.cmd = "rollback"};
    if (cli_remote_options(&c, argc, argv, false) != CLI_OK)
        return CLI_USAGE;
    int rc = cli_remote_load(&c, argv + optind, (size_t)(argc - optind), NULL);
    if (rc == CLI_OK)
        rc = cli_remote_confirm(&c, "Roll back to the previous release?");
    if (rc != CLI_OK) {
        cli_remote_free(&c);
        return rc;
    }
    struct rel_runner_opts ro;
    cli_remote_runner_opts(&c, &ro);
    cli_remote_catch_signals(&c, &ro);
    ro.batch = (size_t)c.cfg->deploy.batch;
    ro.stop_on_failure = true;
    struct rel_runner *r;
    rel_runner_new(&r, &ro);
    struct rel_rollback_opts o = {.health_tcp = c.cfg->deploy.health_tcp,
                                  .health_timeout = c.cfg->deploy.health_timeout,
                                  .audit_file = c.audit_file,
                                  .events = &c.events};
    for (size_t i = 0; i < c.ntargets; i++)
        rel_rollback_add(r, &c.targets[i], &o);
    rel_runner_run(r);
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        if (j->result == 0)
            printf("%s: rolled back\n", j->target->name);
    }
    fflush(stdout);
    rc = cli_remote_exit(&c, cli_remote_failures(&c, r));
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}
