/*
 * health.h - "is the node up?", as a step of a runner operation.
 *
 * Healthy means: when a TCP port is configured, something accepts a
 * connection on 127.0.0.1:PORT on the host (checked through the SSH
 * connection, so no tool is needed there and no port has to be open to the
 * outside), and then `bin/NAME pid` answers (the node is up and reachable
 * over distribution). Each is retried every half second until the timeout.
 */
#ifndef REL_HEALTH_H
#define REL_HEALTH_H

#include <stdint.h>

struct rel_action;
struct rel_job;
struct rel_remote_target;

struct rel_health {
    const struct rel_remote_target *t;
    const char *dir; /* release dir relative to PATH ("current") */
    int tcp;         /* port, 0: none */
    int timeout_s;
    int64_t deadline;
    int phase;
    char *problem; /* why it is not healthy yet */
};

void rel_health_init(struct rel_health *h, const struct rel_remote_target *t, const char *dir,
                     int tcp, int timeout_s);

/*
 * Drive the check from an operation's next(): returns 1 with *act filled
 * (return that action to the runner and call again with its result), 0 when
 * healthy, or REL_ECHILD with "health check failed after N s: why" set
 * (REL_ECANCELED at once when the run was canceled).
 * The first call must come right after rel_health_init().
 */
int rel_health_next(struct rel_health *h, struct rel_job *j, struct rel_action *act);

void rel_health_free(struct rel_health *h);

#endif
