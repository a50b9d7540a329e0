/*
 * assemble_steps.c - the release's steps around the executor
 * (core/assemble.h): the hooks (`sh -c`, output logged as it comes,
 * cancellable), the tar step, and rel_assemble_run() which runs them in
 * order around rel_assemble_execute() (assemble.c) -- or, when the release
 * has function steps of mix.exs, lets Mix run them in order and does the
 * assembly, the tar and the hooks when Mix asks (see core/mixrun.h).
 */
#include "assemble.h"

#include "alloc.h"
#include "assemble_int.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "mixrun.h"
#include "path.h"
#include "plan.h"
#include "proc.h"
#include "tarball.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rel_assemble_tar(const struct rel_plan *p, const struct rel_events *ev)
{
    const char **paths = rel_calloc(p->ntar + 1, sizeof(*paths));
    size_t n = 0;
    for (size_t i = 0; i < p->ntar; i++) {
        char *full = rel_path_join2(p->dest, p->tar_paths[i]);
        struct stat st;
        if (lstat(full, &st) == 0)
            paths[n++] = p->tar_paths[i];
        free(full);
    }
    int rc = rel_tarball_pack(p->tarball, p->dest, paths, n, -1, ev);
    free(paths);
    return rc;
}

/* proc's on_line for a hook: each line logged as it comes, the last one
 * kept for the error */
struct hook_out {
    const struct rel_events *ev;
    char *last;
};

static void hook_line(void *ctx, int err, const char *line)
{
    (void)err;
    struct hook_out *h = ctx;
    rel_event_log(h->ev, REL_LOG_INFO, "%s", line);
    free(h->last);
    h->last = rel_strdup(line);
}

static bool hook_canceled(void *ctx)
{
    return rel_assemble_is_canceled(ctx);
}

static int run_hook(const struct rel_plan *p, const struct rel_plan_hook *h,
                    const struct rel_assemble_opts *o)
{
    const struct rel_events *ev = o ? o->ev : NULL;
    char *e_name = rel_asprintf("RELEASE_NAME=%s", p->name);
    char *e_vsn = rel_asprintf("RELEASE_VSN=%s", p->version);
    char *e_path = rel_asprintf("RELEASE_PATH=%s", p->dest);
    const char *env[] = {e_name, e_vsn, e_path, NULL};
    const char *argv[] = {"sh", "-c", h->command, NULL};
    struct rel_buf out = REL_BUF_INIT;
    struct hook_out ho = {ev, NULL};
    struct rel_proc_opts po = {.cwd = p->project_root,
                               .env = env,
                               .out = &out,
                               .err = &out,
                               .on_line = hook_line,
                               .line_ctx = &ho,
                               .canceled = o && o->canceled ? hook_canceled : NULL,
                               .cancel_ctx = (void *)o};
    int status = 0;
    /* the step's name says which hook runs: "hook COMMAND" (cut) */
    char step[48];
    snprintf(step, sizeof(step), "hook %s", h->command);
    for (char *c = step; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    rel_event_begin(ev, step, 0, 0);
    rel_event_log(ev, REL_LOG_INFO, "$ %s", h->command);
    int rc = rel_proc_run(&status, argv, &po);
    if (rc == REL_ECANCELED)
        rc = rel_error_set(REL_ECANCELED, "canceled during step '%s'%s", h->command,
                           h->after ? " (the release was assembled before it)"
                                    : "; the release at its path was not touched");
    else if (rc == 0 && status != 0)
        rc = rel_error_set(REL_ECHILD, "step '%s' failed with status %d%s%s", h->command, status,
                           ho.last ? ": " : "", ho.last ? ho.last : "");
    rel_event_end(ev, step, rc);
    free(ho.last);
    rel_buf_free(&out);
    free(e_name);
    free(e_vsn);
    free(e_path);
    return rc;
}

/* ---- Mix runs the steps ---------------------------------------------------- */

/* What relman does while Mix runs the steps: each request line of Mix
 * ("RELMAN-DO assemble | tar | hook K") is carried out here, from the
 * output callback, and answered in the reply file. */
struct pipeline {
    const struct rel_plan *p;
    const struct rel_assemble_opts *o;
    struct rel_assemble_stats *stats;
    char *reply;
    int rc;     /* the first failure of a request (its message in `msg`) */
    char *msg;
    bool assembled;
    char *last; /* Mix's last output line */
};

static void pipeline_request(struct pipeline *pl, const char *what)
{
    const struct rel_plan *p = pl->p;
    const struct rel_events *ev = pl->o ? pl->o->ev : NULL;
    int rc;
    if (rel_assemble_is_canceled(pl->o)) {
        rc = rel_assemble_cancel_error(pl->assembled);
    } else if (strcmp(what, "assemble") == 0) {
        rc = pl->assembled
                 ? rel_error_set(REL_ECONFIG, "mix.exs: release %s: the steps assemble twice",
                                 p->name)
                 : rel_assemble_execute(p, pl->o, pl->stats);
        pl->assembled = rc == 0;
    } else if (strcmp(what, "tar") == 0) {
        rc = pl->assembled ? rel_assemble_tar(p, ev)
                           : rel_error_set(REL_ECONFIG,
                                           "mix.exs: release %s: a tar step before :assemble",
                                           p->name);
    } else {
        unsigned long k = strncmp(what, "hook ", 5) == 0 ? strtoul(what + 5, NULL, 10) : p->nhooks;
        rc = k < p->nhooks && p->hooks[k].command
                 ? run_hook(p, &p->hooks[k], pl->o)
                 : rel_error_set(REL_ECHILD, "mix asked for an unknown step '%s'", what);
    }
    if (rc < 0 && pl->rc == 0) {
        pl->rc = rc;
        pl->msg = rel_strdup(rel_error_message());
    }
    int wrc = rel_fs_write_atomic(pl->reply, rc == 0 ? "ok" : "fail", rc == 0 ? 2 : 4, 0600);
    if (wrc < 0 && pl->rc == 0) {
        pl->rc = wrc;
        pl->msg = rel_strdup(rel_error_message());
    }
}

static void pipeline_line(void *ctx, int err, const char *line)
{
    (void)err;
    struct pipeline *pl = ctx;
    if (strncmp(line, "RELMAN-DO ", 10) == 0) {
        pipeline_request(pl, line + 10);
        return;
    }
    rel_event_log(pl->o ? pl->o->ev : NULL, REL_LOG_INFO, "%s", line);
    free(pl->last);
    pl->last = rel_strdup(line);
}

/* The steps in order as Mix reads them: mN for the Nth step of mix.exs, a,
 * t, hK for hook K. */
static char *pipeline_plan(const struct rel_plan *p)
{
    struct rel_buf b = REL_BUF_INIT;
    for (int phase = 0; phase < 3; phase++) {
        for (size_t i = 0; i < p->nhooks; i++) {
            const struct rel_plan_hook *h = &p->hooks[i];
            if ((phase == 0 && h->after) || (phase == 1 && (!h->after || h->after_tar)) ||
                (phase == 2 && !h->after_tar))
                continue;
            if (h->mix_step > 0)
                rel_buf_printf(&b, "m%d ", h->mix_step);
            else
                rel_buf_printf(&b, "h%zu ", i);
        }
        if (phase == 0)
            rel_buf_puts(&b, "a ");
        if (phase == 1 && p->tar)
            rel_buf_puts(&b, "t ");
    }
    return rel_buf_detach(&b);
}

static bool has_mix_steps(const struct rel_plan *p)
{
    for (size_t i = 0; i < p->nhooks; i++)
        if (p->hooks[i].mix_step > 0)
            return true;
    return false;
}

static int run_pipeline(const struct rel_plan *p, const struct rel_assemble_opts *o,
                        struct rel_assemble_stats *stats)
{
    const struct rel_events *ev = o ? o->ev : NULL;
    const char *tmp = getenv("TMPDIR");
    char *dir = rel_asprintf("%s/relman-mix-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        int rc = rel_error_set_errno(REL_EIO, errno, "cannot create %s", dir);
        free(dir);
        return rc;
    }
    struct pipeline pl = {.p = p, .o = o, .stats = stats, .reply = rel_path_join2(dir, "reply")};
    char *plan = pipeline_plan(p);
    struct rel_mixrun_opts mo = {.dir = p->project_root,
                                 .env = p->mix_env,
                                 .action = "pipeline",
                                 .release = p->name,
                                 .plan = plan,
                                 .reply = pl.reply,
                                 .path = p->dest,
                                 .version = p->version};
    struct rel_mixrun_cmd cmd;
    int rc = rel_mixrun_cmd_init(&cmd, &mo);
    struct rel_buf out = REL_BUF_INIT;
    int status = 0;
    if (rc == 0) {
        struct rel_proc_opts po = {.cwd = p->project_root,
                                   .env = (const char *const *)cmd.env,
                                   .out = &out,
                                   .err = &out,
                                   .on_line = pipeline_line,
                                   .line_ctx = &pl,
                                   .canceled = o && o->canceled ? hook_canceled : NULL,
                                   .cancel_ctx = (void *)o};
        rel_event_begin(ev, "steps (mix)", 0, 0);
        rc = rel_proc_run(&status, cmd.argv, &po);
        if (pl.rc < 0) {
            /* a request failed: its own message, set where it failed */
            rc = rel_error_set(pl.rc, "%s", pl.msg);
        } else if (rc == REL_ECANCELED) {
            rc = rel_assemble_cancel_error(pl.assembled);
        } else if (rc == 0 && status != 0) {
            /* Mix's own error line ("** (Mix) ...") names the step and why */
            char *line = rel_mixrun_error_line(rel_buf_cstr(&out));
            rc = rel_error_set(REL_ECHILD, "the steps of mix.exs failed (exit %d)%s%s", status,
                               line[0] ? ": " : "", line);
            free(line);
        } else if (rc == 0 && !pl.assembled) {
            rc = rel_error_set(REL_ECONFIG,
                               "mix.exs: release %s: after its function steps, the steps no "
                               "longer contain :assemble",
                               p->name);
        }
        rel_event_end(ev, "steps (mix)", rc);
    }
    rel_mixrun_cmd_free(&cmd);
    rel_buf_free(&out);
    free(plan);
    free(pl.msg);
    free(pl.last);
    unlink(pl.reply);
    free(pl.reply);
    rmdir(dir);
    free(dir);
    return rc;
}

int rel_assemble_run(const struct rel_plan *p, const struct rel_assemble_opts *o,
                     struct rel_assemble_stats *stats)
{
    const struct rel_events *ev = o ? o->ev : NULL;
    if (has_mix_steps(p))
        return rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(false)
                                           : run_pipeline(p, o, stats);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->nhooks; i++)
        if (!p->hooks[i].after)
            rc = rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(false)
                                             : run_hook(p, &p->hooks[i], o);
    if (rc == 0)
        rc = rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(false)
                                         : rel_assemble_execute(p, o, stats);
    /* after the swap a cancel stops the remaining steps; the new release stays */
    for (size_t i = 0; rc == 0 && i < p->nhooks; i++)
        if (p->hooks[i].after && !p->hooks[i].after_tar)
            rc = rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(true)
                                             : run_hook(p, &p->hooks[i], o);
    if (rc == 0 && p->tar)
        rc =
            rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(true) : rel_assemble_tar(p, ev);
    for (size_t i = 0; rc == 0 && i < p->nhooks; i++)
        if (p->hooks[i].after_tar)
            rc = rel_assemble_is_canceled(o) ? rel_assemble_cancel_error(true)
                                             : run_hook(p, &p->hooks[i], o);
    return rc;
}
