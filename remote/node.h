/*
 * node.h - controlling the node on a target: start, stop, restart, pid,
 * version, status, the installed releases, logs, rpc, unlock.
 *
 * Each is a runner operation (see runner.h), so a command on a group runs on
 * all its hosts at once. start/stop/restart are actions: they append a line
 * to PATH/shared/audit.log and the local audit file (audit.h). The table
 * rel_node_op_info() is what the front ends know about each operation (its
 * name, what it is doing, whether it changes the node, the question asked
 * first): the CLI and the TUI take these from here.
 */
#ifndef REL_NODE_H
#define REL_NODE_H

#include "remote/nodelink.h"

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

/* What the front ends know about an operation. */
struct rel_node_op_info {
    const char *name;     /* "stop": the command, the word in audit lines */
    const char *verb;     /* "stopping": shown while it runs */
    const char *done;     /* "stopped": said of a host where it succeeded */
    bool changes;         /* changes the node (audited; the TUI asks first) */
    const char *question; /* "Stop the node(s)?": the CLI asks it first (unless --yes);
                             NULL: it does not ask */
};

/* The entry of `op` (never NULL). */
const struct rel_node_op_info *rel_node_op_info(enum rel_node_op op);

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
    /* status: how the node was asked ("distribution": relman as a hidden node,
     * through the SSH connection; "command": bin/NAME pid, a VM on the host),
     * and what a node reached over distribution reports */
    const char *via;
    char *dist_note;    /* why distribution was not used, or NULL */
    struct rel_node_live {
        bool valid;
        char *node;          /* its name */
        char *release_name, *release_version; /* the boot script's id */
        long long uptime_ms;
        long long mem_total, mem_processes, mem_binary, mem_ets, mem_atom;
        long long processes, ports, run_queue, schedulers;
        char **apps; /* "name vsn", as application:which_applications() lists them */
        size_t napps;
    } live;
};

/* The calls `status` makes on a running node over distribution, in this
 * order: os:getpid, init:script_id, statistics(wall_clock), memory,
 * process and port counts, statistics(run_queue), schedulers_online,
 * application:which_applications (bench/nodeq.c makes the same). */
extern const struct rel_nodecall rel_node_status_calls[];
extern const size_t rel_node_status_ncalls;

void rel_node_add(struct rel_runner *r, const struct rel_remote_target *t,
                  const struct rel_node_opts *opts);
const struct rel_node_result *rel_node_result(const struct rel_job *j);

#endif
