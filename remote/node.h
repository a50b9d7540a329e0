/*
 * node.h - controlling the node on a target: start, stop, restart, pid,
 * version, status, the installed releases, logs, rpc, unlock; and the
 * command builders deploy.c shares.
 *
 * Each is a runner operation (see runner.h), so a command on a group runs on
 * all its hosts at once. start/stop/restart are actions: they append a line
 * to PATH/shared/audit.log and the local audit file.
 */
#ifndef REL_NODE_H
#define REL_NODE_H

#include <stdbool.h>
#include <stddef.h>

struct rel_job;
struct rel_remote_events;
struct rel_remote_target;
struct rel_runner;

enum rel_node_op {
    REL_NODE_START,    /* daemon, then the health check (already running: nothing) */
    REL_NODE_STOP,     /* bin/NAME stop, waiting for the VM to exit */
    REL_NODE_RESTART,  /* stop (when running), start, health check */
    REL_NODE_PID,      /* bin/NAME pid */
    REL_NODE_VERSION,  /* bin/NAME version */
    REL_NODE_STATUS,   /* links, version, pid, lock, last deploy: never fails on a stopped
                          node */
    REL_NODE_RELEASES, /* the installed releases, current and previous */
    REL_NODE_LOGS,     /* the tail of the newest run_erl log (follow: tail -F) */
    REL_NODE_RPC,      /* bin/NAME rpc EXPR */
    REL_NODE_UNLOCK,   /* remove PATH/shared/lock (shows what it held) */
};

struct rel_node_opts {
    enum rel_node_op op;
    int health_tcp;     /* start/restart */
    int health_timeout; /* start/restart/stop (seconds) */
    const char *expr;   /* rpc */
    int lines;          /* logs: lines to show (0: 100) */
    bool follow;        /* logs: keep following (output streamed to events) */
    const char *audit_file;
    const struct rel_remote_events *events;
};

/* What a node operation found (valid once the job is finished). */
struct rel_node_result {
    bool reachable;     /* the connection worked */
    bool installed;     /* PATH/current exists */
    bool running;       /* bin/NAME pid answered */
    char *pid;          /* OS pid of the VM */
    char *version;      /* "NAME VSN" from bin/NAME version */
    char *current;      /* "releases/VSN-STAMP" or NULL */
    char *previous;
    char *lock;         /* lock holder's info line, or NULL */
    char *last_deploy;  /* status: the newest deploy or rollback line of the host's
                           audit log ("TIME TARGET deploy NAME VSN ... by WHO: ok"), or NULL */
    char **releases;    /* installed release directories, newest first */
    size_t nreleases;
    char *output;       /* stdout of pid/version/rpc/logs */
    char *errout;       /* the tail of their stderr */
    char *note;         /* "already running", "not running" ... */
};

void rel_node_add(struct rel_runner *r, const struct rel_remote_target *t,
                  const struct rel_node_opts *opts);
const struct rel_node_result *rel_node_result(const struct rel_job *j);

/* ---- command builders (shared with deploy.c) ------------------------------ */

/* `bin/NAME pid` of the release in dir ("current" or "releases/X"). */
char *rel_node_pid_cmd(const struct rel_remote_target *t, const char *dir);
/* `bin/NAME daemon` with its output shown after it detached. */
char *rel_node_daemon_cmd(const struct rel_remote_target *t, const char *dir);
/* `bin/NAME stop`, then wait for OS process `pid` (digits) to exit: SIGTERM
 * after 20 s, SIGKILL after 30 s (then exit status 1). */
char *rel_node_stop_cmd(const struct rel_remote_target *t, const char *dir, const char *pid);
/* Take the deploy lock: create PATH/releases, shared/tarballs, shared/tmp,
 * then mkdir PATH/shared/lock and write "WHO (relman pid N) since TIME:
 * WHAT" into lock/info. Read the result with rel_node_lock_result(). */
char *rel_node_lock_cmd(const struct rel_remote_target *t, const char *what);
/* 0 when the lock was taken; REL_ELOCKED naming its holder otherwise. */
int rel_node_lock_result(const struct rel_remote_target *t, const char *out);
/* rm -rf PATH/shared/lock */
char *rel_node_unlock_cmd(const struct rel_remote_target *t);
/* Append LINE to PATH/shared/audit.log. */
char *rel_node_audit_cmd(const struct rel_remote_target *t, const char *line);
/* The pid printed by `bin/NAME pid` (digits only), or NULL. */
char *rel_node_parse_pid(const char *out);
/* "releases/NAME" read back from the host, or NULL when it is anything else. */
char *rel_node_checked_link(const char *v);
/* The line of s that best says what went wrong, into buf: the first
 * "** ..." exception line when there is one, else the last non-empty line. */
const char *rel_node_last_line(const char *s, char *buf, size_t size);

#endif
