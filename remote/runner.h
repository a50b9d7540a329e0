/*
 * runner.h - work on many hosts from one poll loop.
 *
 * An operation (deploy, status, stop, ...) is written as a `next` function:
 * given what the last action on a host returned, it says what to do next on
 * that host (run a command, upload a file, probe a TCP port, wait, or
 * finish). The runner owns the connections and the loop: it connects through
 * the transport (transport.h: SSH, or the local one of the unit tests), runs
 * each action without blocking, calls `next` when an action ends, and keeps
 * all hosts moving at once, `batch` hosts at a time. A deploy is the `next`
 * function of remote/deploy.c; rollback is remote/rollback.c; node control is
 * remote/node.c.
 *
 * Front ends either call rel_runner_run() (blocking; the CLI), or put
 * rel_runner_pollfds() into their own poll() and call rel_runner_step() when
 * it wakes (the TUI). Everything the hosts do is reported through the
 * events given in the options (every remote command, steps, notes).
 *
 * Connection loss: when an action fails because the connection died, `next`
 * sees the error; if it then asks for another command (to release a lock,
 * say), the runner reconnects first, once per action.
 *
 * Cancel: when the options' `canceled` callback says so, the runner starts
 * no further batch (those hosts end "not started: canceled"), and each
 * running host's next action is not run: `next` sees it failed with
 * REL_ECANCELED ("canceled"). That happens once per host, and never to an
 * action marked `finishing` (undoing, auditing, unlocking, restarting a node
 * that was stopped): what `next` asks for after the cancel runs as usual. An
 * action that is running is not cut (a command on a host is never left half
 * done); a wait, a connection attempt, a streamed command (`stream`: logs -f,
 * which only ends when cut) or an upload is (the upload's
 * connection is closed; what `next` asks for then reconnects). When the
 * cancel is first seen, each running host gets the note "interrupted:
 * stopping after PHASE" (PHASE from the operation's `phase`).
 *
 * Abandon (the options' `abandoned` callback, a second Ctrl-C): every
 * running host's connection is closed at once, whatever runs; the
 * operation's `abandon` may name one last command (releasing a lock, an
 * audit line), run on a fresh connection within ABANDON_MS in all; then the
 * host ends REL_ECANCELED. Best effort: a host that cannot be reached in
 * that time keeps what it has.
 */
#ifndef REL_RUNNER_H
#define REL_RUNNER_H

#include "remote/ssh.h"
#include "remote/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pollfd;
struct rel_remote_events;
struct rel_remote_target;

enum rel_action_kind {
    REL_ACT_EXEC,   /* run `command` */
    REL_ACT_UPLOAD, /* send file stdin_fd (stdin_size bytes) to `path` on the host */
    REL_ACT_PROBE,  /* open a TCP connection to 127.0.0.1:port from the host */
    REL_ACT_CALL,   /* calls on the node as a hidden Erlang node: `call` */
    REL_ACT_SLEEP,  /* wait sleep_ms */
    REL_ACT_DONE,   /* the host is finished (successfully) */
};

struct rel_action {
    enum rel_action_kind kind;
    char *command;       /* EXEC: malloc'd; the runner frees it. One that starts with
                            REL_LAYOUT_ENV_PREAMBLE gets the node's environment on
                            stdin (remote/layout.h; stdin_fd must be -1) */
    char *path;          /* UPLOAD: absolute path on the host; malloc'd, freed by the runner */
    int stdin_fd;        /* EXEC: stream this file as stdin (-1: none); UPLOAD: the file;
                            not closed */
    uint64_t stdin_size; /* EXEC, UPLOAD: for progress */
    bool stream;         /* EXEC: stream output to events->output */
    size_t max_output;   /* EXEC: cap (0: default) */
    int timeout_ms;      /* EXEC, PROBE: 0 none */
    int port;            /* PROBE */
    struct rel_transport_call call; /* CALL: node and cookie are malloc'd, freed (the cookie
                                       wiped) by the runner; calls borrowed */
    int sleep_ms;                   /* SLEEP */
    bool finishing;                 /* runs even when the run is canceled (see above) */
};

/* One host's run, as `next` sees it. */
struct rel_job {
    const struct rel_remote_target *target;
    void *op;     /* the operation's per-host state */
    size_t index; /* position in the runner */
    /* The last action's outcome (valid inside next()): */
    int last_rc; /* 0, or the REL_E* code it failed with (message in last_error) */
    const char *last_error;
    int last_status;                    /* exit status of the last EXEC or UPLOAD (-1: none) */
    const char *last_out;               /* its stdout ("" if none) */
    const char *last_err;               /* its stderr tail */
    struct rel_term *const *last_terms; /* the last CALL's answers (NULL for those not in);
                                           valid inside next() only */
    size_t last_nterms;
    const char *last_peer; /* the node's name, as it gave it */
    bool connected;        /* a session was established at least once */
    /* The job's outcome: */
    bool started, finished;
    int result;    /* 0, or REL_E* */
    char *message; /* failure message (or NULL) */
};

struct rel_op_ops {
    /*
     * Decide what host `j` does next. Called once at the start (after the
     * connection attempt: j->last_rc tells whether it worked) and after every
     * action. Fill *act and return 0; return a negative code (message set)
     * to end the host's run as failed.
     */
    int (*next)(struct rel_job *j, struct rel_action *act);
    /* Free j->op; may be NULL. */
    void (*free)(void *op);
    /* The phase host `j` is in ("upload", "health"), for the cancel note;
     * may be NULL. */
    const char *(*phase)(const struct rel_job *j);
    /* The run is abandoned: the one command to run before the host's run
     * ends (malloc'd), or NULL; may be NULL. */
    char *(*abandon)(struct rel_job *j);
};

struct rel_runner_opts {
    size_t batch;         /* hosts at a time (0: all at once) */
    bool stop_on_failure; /* after a batch with a failure, start no more */
    const struct rel_remote_events *events;
    const struct rel_ssh_prompt_ops *prompts;
    void *prompt_ctx;
    int connect_timeout;                   /* seconds, 0: default */
    const struct rel_transport *transport; /* NULL: SSH (rel_ssh_transport()) */
    /* Asked between actions: true to cancel the run (see above); may be NULL. */
    bool (*canceled)(void *ctx);
    void *cancel_ctx;
    /* Asked between steps: true to abandon the run (see above); may be NULL.
     * Gets cancel_ctx. */
    bool (*abandoned)(void *ctx);
};

/* How long an abandoned run may take to run the `abandon` commands. */
#define REL_RUNNER_ABANDON_MS 5000

struct rel_runner;

int rel_runner_new(struct rel_runner **out, const struct rel_runner_opts *opts);
/* Add a host with its operation state `op` (freed by ops->free). The target
 * must outlive the runner. */
void rel_runner_add(struct rel_runner *r, const struct rel_remote_target *target,
                    const struct rel_op_ops *ops, void *op);

/* Advance every active host as far as it goes without blocking. Returns
 * REL_SSH_AGAIN while hosts remain, 0 when all are finished. */
int rel_runner_step(struct rel_runner *r);

/* Fill up to `max` pollfds for the active hosts (a host needs at most
 * REL_TRANSPORT_MAX_FDS); *timeout_ms gets how long the caller may sleep at
 * most. Returns the number filled. */
size_t rel_runner_pollfds(struct rel_runner *r, struct pollfd *fds, size_t max, int *timeout_ms);

/* Step and poll until every host is finished. Returns 0 when all succeeded,
 * else the first failure's code (each job keeps its own message); REL_EIO
 * when poll() fails. */
int rel_runner_run(struct rel_runner *r);

size_t rel_runner_count(const struct rel_runner *r);
const struct rel_job *rel_runner_job(const struct rel_runner *r, size_t i);
/* Number of hosts not started because an earlier batch failed. */
size_t rel_runner_skipped(const struct rel_runner *r);

void rel_runner_free(struct rel_runner *r);

#endif
