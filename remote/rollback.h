/*
 * rollback.h - switch targets back to their previous release.
 *
 * Per host (a runner operation): take the deploy lock, read `current` and
 * `previous`, stop the node when it runs, switch both links (`current` to
 * what was previous, `previous` to what was current) with the layout's one
 * switch command, start the node again when it was running and check its
 * health like a deploy does, then one audit line (audit.h) and unlock. A
 * host with no `previous` fails with REL_ENOTFOUND and is left as it was.
 */
#ifndef REL_ROLLBACK_H
#define REL_ROLLBACK_H

#include <stdbool.h>
#include <stddef.h>

struct rel_remote_events;
struct rel_remote_target;
struct rel_runner;
struct rel_runner_opts;

struct rel_rollback_opts {
    int health_tcp;         /* 0: no TCP check */
    int health_timeout;     /* seconds */
    const char *audit_file; /* local audit log, or NULL */
    const struct rel_remote_events *events;
};

/* Add a rollback of `t` to `r` (`t` must outlive the runner). */
void rel_rollback_add(struct rel_runner *r, const struct rel_remote_target *t,
                      const struct rel_rollback_opts *opts);

/*
 * Rollback-all (`deploy --rollback-all`, deploy.rollback_all), for both
 * front ends: after a deploy run that failed, every host that run switched
 * to the new release (outcome "deployed", remote/deploy.h) goes back to its
 * previous one -- the rollback above, all those hosts at once.
 *
 *   rel_rollback_all_init(&ra, deploy_runner)   which hosts: ra.n of them
 *   rel_rollback_all_run(&ra, &runner_opts, &rollback_opts)
 *   ... ra.back[i], ra.error[i] for host i of the deploy run ...
 *   rel_rollback_all_free(&ra)
 *
 * The deploy runner must outlive `ra` until run returns (its targets are
 * used). run ignores ro->batch; it returns 0 when every host went back,
 * else the first failure's code (each host's message in error[i]).
 */
struct rel_rollback_all {
    size_t n;      /* hosts to return */
    size_t count;  /* hosts of the deploy run (the size of back and error) */
    size_t *hosts; /* their indices in the deploy run (n) */
    bool *back;    /* per host of the deploy run: returned to its previous release */
    char **error;  /* per host of the deploy run: why not (malloc'd), or NULL */
    const struct rel_runner *deploy;
};

size_t rel_rollback_all_init(struct rel_rollback_all *ra, const struct rel_runner *deploy);
int rel_rollback_all_run(struct rel_rollback_all *ra, const struct rel_runner_opts *ro,
                         const struct rel_rollback_opts *o);
void rel_rollback_all_free(struct rel_rollback_all *ra);

#endif
