/*
 * deploy.c - `relman deploy` and `relman rollback` (logic: remote/deploy.c,
 * remote/rollback.c).
 */
#include "cli.h"
#include "load.h"
#include "progress.h"
#include "remote_cli.h"

#include "core/alloc.h"
#include "core/build.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
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
 * new release goes back to its previous one (remote/rollback.h).
 */
static void rollback_all(struct cli_remote *c, struct rel_runner *r, struct rel_rollback_all *ra)
{
    if (!rel_rollback_all_init(ra, r))
        return;
    if (!cli_globals.quiet)
        fprintf(stderr, "deploy: --rollback-all: returning %zu host(s) to their previous release\n",
                ra->n);
    struct rel_runner_opts ro;
    cli_remote_runner_opts(c, &ro);
    struct rel_rollback_opts o = {.health_tcp = c->cfg->deploy.health_tcp,
                                  .health_timeout = c->cfg->deploy.health_timeout,
                                  .audit_file = c->audit_file,
                                  .events = &c->events};
    rel_rollback_all_run(ra, &ro, &o);
    for (size_t i = 0; i < ra->count; i++)
        if (ra->error[i])
            cli_error("%s", ra->error[i]);
}

/*
 * The tarball to deploy (core/build.h rel_build_deploy_tarball): the one
 * `relman assemble` packs for `release` (its `tar` step), which must exist
 * already; a release without a tar step is built and packed here.
 */
static int assembled_tarball(char **out, const char *release)
{
    struct cli_progress prog;
    cli_progress_init(&prog, cli_globals.quiet, cli_globals.verbose);
    struct cli_load load = {.name = release, .code = CLI_OK};
    struct rel_build_opts bo = {.compile = REL_BUILD_COMPILE_AUTO};
    struct rel_build_tarball t;
    char *how = rel_asprintf("`relman assemble %s`, or pass --tarball FILE", release);
    int rc = cli_build_deploy_tarball(&t, release, &bo, &load, &prog, how);
    free(how);
    cli_progress_clear(&prog);
    if (rc == CLI_OK && t.plan && !cli_globals.quiet)
        fprintf(stderr, "deploy: assembled %s-%s (%llu written, %llu reused)%s %s\n",
                t.plan->name, t.plan->version, (unsigned long long)t.stats.written,
                (unsigned long long)t.stats.reused, t.packed ? " and packed" : "; unchanged since",
                t.path);
    if (rc == CLI_OK) {
        *out = t.path;
        t.path = NULL;
    }
    rel_build_tarball_free(&t);
    rel_model_free(load.m);
    rel_project_free(load.p);
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
    struct rel_rollback_all ra = {0};
    bool rolled = rc != CLI_OK && (back_all || c.cfg->deploy.rollback_all);
    if (rolled)
        rollback_all(&c, r, &ra);
    /* where each host ends up */
    if (n > 1 || rolled) {
        printf("summary:\n");
        for (size_t i = 0; i < n; i++) {
            const struct rel_job *j = rel_runner_job(r, i);
            const char *outcome = rel_deploy_outcome(j);
            char old[128];
            version_of(rel_deploy_previous(j), old, sizeof(old));
            if (ra.back && ra.back[i])
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
    rel_rollback_all_free(&ra);
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
