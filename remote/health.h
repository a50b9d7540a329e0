/*
 * health.h - "is the NEW node up and working?", as a step of a runner
 * operation (deploy, rollback, start, restart).
 *
 * What is checked comes from the target's health settings
 * (targets.NAME.health over deploy.health, docs/config.md) when the target
 * was built from relman.yml, else from the tcp/timeout given here. Each
 * attempt:
 *
 *   1. with a port (tcp, http.port): something accepts a connection on
 *      127.0.0.1:PORT on the host, opened through the SSH connection (a
 *      direct-tcpip channel: cheap, no tool needed there) -- only then
 *   2. one command on the host: the node answers over distribution --
 *      `bin/NAME rpc` of one expression (when the applications, an rpc
 *      expression or HTTP are checked) that prints the node's OS pid,
 *      the applications of the release's .rel file not started, the HTTP
 *      answer to `GET PATH` made from inside the node (gen_tcp), and the
 *      rpc expression's value; else `bin/NAME pid`. Then, in the same
 *      shell, from /proc: that pid runs the release in `dir` (its command
 *      line names that directory), and each port's listening socket
 *      belongs to that pid or one of its descendants -- a port held by
 *      another process is not healthy. The expression is written in
 *      Erlang, handed over base64-encoded, and wrapped in Elixir or
 *      Erlang after what the release holds (lib/elixir-*).
 *   3. once healthy, with a settle period: wait, then check again; the pid
 *      must be the same.
 *
 * A failed attempt is retried every half second until the timeout. Every
 * wait is bounded by it: the probe is given up at the deadline (a listener
 * that never accepts, its backlog full, would otherwise hold it for the
 * kernel's connect timeout: the connection is then closed and opened again
 * for what follows, see rel_ssh_probe_start), and so are the node's waits
 * of the HTTP check (1 s at least); the command of an attempt that started
 * in time may take 10 s (booting the rpc VM on a busy host), 20 s at most.
 * Linux targets (/proc). The whole check is stateless on the host.
 */
#ifndef REL_HEALTH_H
#define REL_HEALTH_H

#include "core/config.h"

#include <stdbool.h>
#include <stdint.h>

struct rel_action;
struct rel_buf;
struct rel_job;
struct rel_remote_target;

struct rel_health {
    const struct rel_remote_target *t;
    const char *dir;                /* release dir relative to PATH ("current") */
    struct rel_config_health spec;  /* strings borrowed from the target */
    int64_t deadline;
    int phase;
    int probe_port;                 /* the port probed first (0: none) */
    int io_ms;                      /* the node's HTTP waits in this attempt (0: the most) */
    int check_ms;                   /* this attempt's command: its timeout */
    int64_t check_t0;               /* and when it started */
    bool settled;                   /* the settle wait is over */
    char *pid;                      /* the node's pid at the first healthy answer */
    char *problem;                  /* why it is not healthy yet */
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

/* For tests: the command of one attempt (step 2), malloc'd. */
char *rel_health_command(const struct rel_health *h);

/*
 * For tests: judge the output of one attempt. 0 when healthy (*pid set,
 * malloc'd), else REL_ECHILD with a one-line reason in *why (malloc'd).
 */
int rel_health_judge(const struct rel_health *h, const char *out, char **pid, char **why);

#endif
