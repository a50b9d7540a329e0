/*
 * assemble_steps.c - the release's steps around the executor
 * (core/assemble.h): the hooks (`sh -c`, output logged as it comes,
 * cancellable), the tar step, and rel_assemble_run() which runs them in
 * order around rel_assemble_execute() (assemble.c).
 */
#include "assemble.h"

#include "alloc.h"
#include "assemble_int.h"
#include "buf.h"
#include "error.h"
#include "event.h"
#include "mixrun.h"
#include "path.h"
#include "plan.h"
#include "proc.h"
#include "tarball.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    /* a function step of mix.exs: Mix calls it (core/mixrun.h) */
    struct rel_mixrun_cmd mix = {0};
    char label[64];
    const char *what = h->command;
    if (h->mix_step > 0) {
        struct rel_mixrun_opts mo = {.dir = p->project_root,
                                     .env = p->mix_env,
                                     .action = "step",
                                     .release = p->name,
                                     .step = h->mix_step,
                                     .path = p->dest,
                                     .version = p->version};
        int mrc = rel_mixrun_cmd_init(&mix, &mo);
        if (mrc < 0) {
            free(e_name);
            free(e_vsn);
            free(e_path);
            return mrc;
        }
        snprintf(label, sizeof(label), "{mix: %d}", h->mix_step);
        what = label;
    }
    struct rel_buf out = REL_BUF_INIT;
    struct hook_out ho = {ev, NULL};
    struct rel_proc_opts po = {.cwd = p->project_root,
                               .env = h->mix_step > 0 ? (const char *const *)mix.env : env,
                               .out = &out,
                               .err = &out,
                               .on_line = hook_line,
                               .line_ctx = &ho,
                               .canceled = o && o->canceled ? hook_canceled : NULL,
                               .cancel_ctx = (void *)o};
    int status = 0;
    /* the step's name says which hook runs: "hook COMMAND" (cut) */
    char step[48];
    snprintf(step, sizeof(step), "%s %.40s", h->mix_step > 0 ? "step" : "hook", what);
    for (char *c = step; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    rel_event_begin(ev, step, 0, 0);
    if (h->mix_step == 0)
        rel_event_log(ev, REL_LOG_INFO, "$ %s", h->command);
    int rc = rel_proc_run(&status, h->mix_step > 0 ? mix.argv : argv, &po);
    if (rc == REL_ECANCELED) {
        rc = rel_error_set(REL_ECANCELED, "canceled during step '%s'%s", what,
                           h->after ? " (the release was assembled before it)"
                                    : "; the release at its path was not touched");
    } else if (rc == 0 && status != 0 && h->mix_step > 0) {
        /* Mix's own error line ("** (Mix) ...") says which step and why */
        char *line = rel_mixrun_error_line(rel_buf_cstr(&out));
        rc = rel_error_set(REL_ECHILD, "step %s failed with status %d%s%s", what, status,
                           line[0] ? ": " : "", line);
        free(line);
    } else if (rc == 0 && status != 0) {
        rc = rel_error_set(REL_ECHILD, "step '%s' failed with status %d%s%s", h->command, status,
                           ho.last ? ": " : "", ho.last ? ho.last : "");
    }
    rel_event_end(ev, step, rc);
    free(ho.last);
    rel_buf_free(&out);
    rel_mixrun_cmd_free(&mix);
    free(e_name);
    free(e_vsn);
    free(e_path);
    return rc;
}

int rel_assemble_run(const struct rel_plan *p, const struct rel_assemble_opts *o,
                     struct rel_assemble_stats *stats)
{
    const struct rel_events *ev = o ? o->ev : NULL;
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
