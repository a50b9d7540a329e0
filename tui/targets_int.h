/*
 * targets_int.h - what the files of the Targets screen share: targets.c
 * (the screen: rows, drawing, keys, the dialogs that start an action),
 * targets_ops.c (the background operations and what happens when one
 * ends). Attach (attach.h) needs neither. Not for use outside them: the
 * screen is opened with tui_targets_open() (screens.h).
 */
#ifndef TUI_TARGETS_INT_H
#define TUI_TARGETS_INT_H

#include "core/config.h"
#include "remote/node.h"
#include "remote/target.h"
#include "tui/cmdlog.h"
#include "tui/list.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_deploy;
struct rel_model;
struct rel_remote_events;
struct rel_ssh_prompt_ops;
struct rel_ssh_session;
struct tui_project;
struct tui_remote_job;

/* What a status (or an action) found on one target. */
struct found {
    bool reachable, installed, running;
    char *pid, *version, *current, *previous, *lock, *last_deploy;
    char *installed_versions; /* "0.0.5 0.0.4", newest first */
    char *error;              /* why it was not reachable / the action failed */
    char *note;               /* "already running", "not running", "deployed" ... */
    char *output;             /* logs */
};

struct trow {
    char name[128];
    bool resolved;
    struct rel_remote_target t; /* when resolved */
    char *resolve_error;
    bool marked;
    bool checked; /* a status came back */
    struct found f;
    char busy[32]; /* "deploying" while an action runs on it */
};

enum op_kind { OP_STATUS, OP_PREPARE, OP_DEPLOY, OP_NODE, OP_ROLLBACK, OP_LOGS, OP_CONNECT };

/* One background operation: inputs set on the UI thread before the job,
 * outputs written by the worker, read after the job ended. */
struct op {
    struct targets *ts;
    enum op_kind kind;
    enum rel_node_op node_op;
    size_t *rows; /* which targets */
    size_t n;
    bool then_status; /* ask for the state again at the end */
    bool follow;      /* OP_LOGS: stream into ts->follow_view until canceled */
    /* inputs */
    const struct rel_remote_events *events;
    const struct rel_ssh_prompt_ops *prompts;
    void *prompt_ctx;
    struct rel_config_deploy deploy_cfg;
    char *audit_file;
    const struct rel_model *model; /* OP_PREPARE: pinned */
    struct rel_deploy *deploy;     /* OP_DEPLOY (owned by the op) */
    /* outputs */
    struct found *res; /* per target */
    int *rc;
    char *tarball;                   /* OP_PREPARE */
    bool built;                      /* OP_PREPARE: the release was assembled for it */
    char *built_note;                /* OP_PREPARE: what was assembled, or NULL */
    struct rel_ssh_session *session; /* OP_CONNECT */
};

struct targets {
    struct tui_project *tp;
    char release[128];
    char local_version[128];
    struct trow *rows;
    size_t nrows;
    struct tui_list list;
    struct tui_cmdlog log;
    struct tui_remote_job *remote;
    int focus; /* 0: targets, 1: command log */
    struct op *op;
    bool pinned;
    long refreshed_ms;
    /* the interval refresh: a 1 s tick (timerfd, -1 when off) asks the
     * reachable targets again every auto_ms once nothing ran meanwhile */
    int tick_fd;
    long auto_ms;
    long input_ms; /* the last key the screen handled */
    char *audit_file;
    char last[512]; /* the last outcome, shown above the log */
    bool last_error;
    /* waiting for a confirmation */
    struct op *pending;
    /* logs -f: the pager it streams into (logview.h), while open */
    struct tui_view *follow_view;
};

/* ---- targets_ops.c ---------------------------------------------------------- */

/* logs -f: follow the log of row `sel` in a new pager (logview.h). */
void tui_targets_follow(struct targets *ts, size_t sel);

/* Free what a status found (and zero it). */
void tui_targets_found_free(struct found *f);
/* The version part of "releases/VSN-STAMP" or "VSN-STAMP" (malloc'd), or NULL. */
char *tui_targets_dir_version(const char *dir);

/* A new operation of `kind` on ts->rows[rows[0..n-1]] (copied), wired to the
 * screen's remote job, deploy settings and audit file. op_free accepts NULL. */
struct op *tui_targets_op_new(struct targets *ts, enum op_kind kind, const size_t *rows, size_t n);
void tui_targets_op_free(struct op *op);
/* "deploy", "start", "rollback", ... for messages and dialogs. */
const char *tui_targets_op_verb(const struct op *op);

/* Run `op` in the background (it is the screen's running op until it ends;
 * then its outcome is shown and the state asked for again where that is
 * due). `title` names it in the progress line. On failure to start, the
 * error is shown and `op` freed. */
void tui_targets_start(struct targets *ts, struct op *op, const char *title);
/* Ask every resolved target for its state (nothing while a job runs). */
void tui_targets_refresh(struct targets *ts);
/* The interval's refresh: the targets that answered last time, without
 * marking their rows "checking" (nothing while a job runs). */
void tui_targets_refresh_quiet(struct targets *ts);
/* CLOCK_MONOTONIC in milliseconds. */
long tui_targets_now_ms(void);
/* The answer to the confirmation of ts->pending (a tui_confirm_fn, ctx the
 * screen): 'y' starts it, anything else drops it. */
int tui_targets_confirm(void *ctx, int key);

#endif
