/*
 * build.c - compile if asked, plan, assemble (see build.h).
 */
#include "build.h"

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "error.h"
#include "event.h"
#include "fs.h"
#include "path.h"
#include "proc.h"
#include "project.h"
#include "resolve.h"
#include "walk.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- is a build needed? ------------------------------------------------ */

#define MAX_SCAN 20000 /* files looked at; a larger tree is simply built */

/* Directories that hold no input of `mix compile` / `rebar3 compile`. */
static bool not_source(const char *name)
{
    static const char *const skip[] = {"_build", "deps", "rel",          "test",
                                       "doc",    "priv", "node_modules", NULL};
    if (name[0] == '.')
        return true; /* .git, .elixir_ls, ... */
    for (size_t i = 0; skip[i]; i++)
        if (strcmp(name, skip[i]) == 0)
            return true;
    return false;
}

/* What newest() collects: the newest mtime (ns) of the regular files seen,
 * and how many; with `sources`, not_source() directories and relman.yml
 * (which no build reads) are skipped. */
struct newest {
    bool sources;
    int64_t t;
    size_t count;
};

static bool newest_enter(void *ctx, const char *name, int depth)
{
    (void)depth;
    return !((struct newest *)ctx)->sources || !not_source(name);
}

static bool newest_entry(void *ctx, const char *name, int depth, const struct stat *st)
{
    struct newest *n = ctx;
    if (!S_ISREG(st->st_mode) || (n->sources && depth == 0 && strcmp(name, "relman.yml") == 0))
        return true;
    int64_t m = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    if (m > n->t)
        n->t = m;
    return ++n->count <= MAX_SCAN;
}

static struct newest newest(const char *dir, bool sources)
{
    static const struct rel_walk_ops ops = {.enter = newest_enter, .entry = newest_entry};
    struct newest n = {sources, 0, 0};
    rel_walk(dir, &ops, &n);
    return n;
}

/* `path` relative to `root` when it is below it (as a user reads it). */
static const char *shown_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

int rel_build_needed(const struct rel_project *p, char **why)
{
    *why = NULL;
    if (p->kind != REL_PROJECT_MIX && p->kind != REL_PROJECT_REBAR3)
        return 0;
    char *rel = rel_asprintf("%s/lib", p->env ? p->env : "default");
    char *lib = rel_path_join2(p->build_dir, rel);
    struct newest out = newest(lib, false), src = newest(p->root, true);
    int needed = 1;
    if (out.count == 0)
        *why = rel_asprintf("%s holds no build yet", shown_under(lib, p->root));
    else if (out.count > MAX_SCAN || src.count > MAX_SCAN)
        *why = rel_asprintf("more than %d files to compare", MAX_SCAN);
    else if (src.t > out.t)
        *why = rel_strdup("a source file is newer than the build");
    else
        needed = 0;
    free(lib);
    free(rel);
    return needed;
}

/* ---- the build ------------------------------------------------------------ */

/* proc's on_line: each line of the build's output as it comes */
static void stream_line(void *ctx, int err, const char *line)
{
    (void)err;
    rel_event_log(ctx, REL_LOG_INFO, "%s", line);
}

static bool build_canceled(void *ctx)
{
    const struct rel_build_opts *o = ctx;
    return o->canceled && o->canceled(o->cancel_ctx);
}

#define MAX_COMPILE_ARGS 8

/* Step 1 for project `p`: the build tool, its output streamed to o->ev
 * (INFO) and captured for o->build_output when it fails. */
static int build_run(const struct rel_project *p, const struct rel_build_opts *o)
{
    const char *argv_mix[2 + MAX_COMPILE_ARGS + 1] = {"mix", "compile", NULL};
    for (size_t i = 0; o->compile_args && o->compile_args[i] && i < MAX_COMPILE_ARGS; i++)
        argv_mix[2 + i] = o->compile_args[i];
    /* the profile directory test+prod is `rebar3 as test,prod` */
    char *profiles = rel_strdup(p->env ? p->env : "default");
    for (char *c = profiles; *c; c++)
        if (*c == '+')
            *c = ',';
    const char *argv_rebar[] = {"rebar3", "as", profiles, "compile", NULL};
    const char *const *argv;
    char *env_mix = NULL;
    const char *env[2] = {NULL, NULL};
    if (p->kind == REL_PROJECT_MIX) {
        argv = argv_mix;
        env_mix = rel_asprintf("MIX_ENV=%s", p->env ? p->env : "prod");
        env[0] = env_mix;
    } else if (p->kind == REL_PROJECT_REBAR3) {
        argv = argv_rebar;
    } else {
        free(profiles);
        return 0;
    }
    struct rel_buf out = REL_BUF_INIT;
    struct rel_buf cmd = REL_BUF_INIT;
    for (size_t i = 0; argv[i]; i++)
        rel_buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
    rel_event_log(o->ev, REL_LOG_DEBUG, "$ %s%s%s", env_mix ? env_mix : "", env_mix ? " " : "",
                  rel_buf_cstr(&cmd));
    struct rel_proc_opts po = {.cwd = p->root,
                               .env = env,
                               .out = &out,
                               .err = &out,
                               .on_line = stream_line,
                               .line_ctx = (void *)o->ev,
                               .canceled = o->canceled ? build_canceled : NULL,
                               .cancel_ctx = (void *)o};
    int status = 0;
    rel_event_begin(o->ev, "compile", 0, 0);
    int rc = rel_proc_run(&status, argv, &po);
    if (rc == 0 && status != 0) {
        if (o->build_output)
            rel_buf_put(o->build_output, out.ptr ? out.ptr : "", out.len);
        rc = rel_error_set(REL_ECHILD,
                           "'%s' failed (status %d) in %s; fix the build or use --no-compile",
                           rel_buf_cstr(&cmd), status, p->root);
    }
    rel_event_end(o->ev, "compile", rc);
    rel_buf_free(&out);
    rel_buf_free(&cmd);
    free(env_mix);
    free(profiles);
    return rc;
}

int rel_build_compile(const struct rel_project *p, struct rel_buf *output,
                      const struct rel_events *ev)
{
    struct rel_build_opts o = {.build_output = output, .ev = ev};
    return build_run(p, &o);
}

static bool canceled(const struct rel_build_opts *o)
{
    return o->canceled && o->canceled(o->cancel_ctx);
}

/* Step 1 as o->compile says. */
static int maybe_compile(const struct rel_build_opts *o)
{
    if (o->compile == REL_BUILD_COMPILE_NEVER)
        return 0;
    /* Build first: discovery reads what the build produced. */
    struct rel_project *p = NULL;
    int rc =
        rel_project_open(&p, o->dir ? o->dir : ".", REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN);
    if (rc == 0 && o->compile_args && o->compile_args[0] && p->kind != REL_PROJECT_MIX)
        rc = rel_error_set(REL_EUSAGE, "%s is for Mix projects (it is passed to mix compile)",
                           o->compile_args[0]);
    if (rc == 0 && o->compile == REL_BUILD_COMPILE_AUTO) {
        char *why = NULL;
        if (rel_build_needed(p, &why))
            rel_event_log(o->ev, REL_LOG_DEBUG, "compiling: %s", why);
        else if (p->kind != REL_PROJECT_PLAIN)
            rel_event_log(o->ev, REL_LOG_DEBUG,
                          "not compiling: no source is newer than the build (--compile forces it)");
        if (!why) {
            rel_project_free(p);
            return 0;
        }
        free(why);
    }
    if (rc == 0)
        rc = build_run(p, o);
    rel_project_free(p);
    return rc;
}

int rel_build_release(struct rel_plan **plan_out, struct rel_assemble_stats *stats,
                      const struct rel_build_opts *o)
{
    *plan_out = NULL;
    int rc = maybe_compile(o);
    if (rc < 0)
        return rc;
    if (canceled(o))
        return rel_error_set(REL_ECANCELED, "canceled; the release was not touched");
    const struct rel_model *m = NULL;
    if ((rc = o->model(o->model_ctx, &m)) < 0)
        return rc;
    struct rel_plan_opts po = o->plan;
    po.ev = o->ev;
    struct rel_assemble_opts ao = o->assemble;
    ao.ev = o->ev;
    ao.canceled = o->canceled;
    ao.cancel_ctx = o->cancel_ctx;
    struct rel_plan *plan = NULL;
    rel_event_begin(o->ev, "plan", 0, 0);
    rc = rel_plan_build(&plan, m, &po);
    rel_event_end(o->ev, "plan", rc);
    if (rc == 0 && canceled(o))
        rc = rel_error_set(REL_ECANCELED, "canceled; the release was not touched");
    if (rc == 0)
        rc = rel_assemble_run(plan, &ao, stats);
    if (rc < 0) {
        rel_plan_free(plan);
        return rc;
    }
    *plan_out = plan;
    return 0;
}

/* ---- the tarball for deploy ----------------------------------------------- */

/* rel_build_opts.model when the caller has none: the release resolved from
 * the project on disk, once the build ran. */
struct fresh {
    const char *dir;
    const char *release;
    struct rel_project *p;
    struct rel_model *m;
};

static int fresh_model(void *ctx, const struct rel_model **m)
{
    struct fresh *f = ctx;
    int rc = rel_project_open(&f->p, f->dir, REL_PROJECT_NEED_CONFIG);
    const struct rel_config_release *r = NULL;
    if (rc == 0 && !(r = rel_config_find_release(f->p->config, f->release)))
        rc = rel_error_set(REL_ENOTFOUND, "no release '%s' in %s", f->release, REL_CONFIG_FILE);
    if (rc == 0)
        rc = rel_resolve(&f->m, f->p, r);
    *m = f->m;
    return rc;
}

/* The tar step's tarball, or REL_EUSAGE (error cleared) for a release
 * without that step. */
static int tar_step_tarball(char **out, const char *dir, const char *release, const char *how)
{
    /* relman.yml alone, unless the version comes from an application's
     * .app file (then the applications are searched for) */
    struct rel_project *p = NULL;
    int rc = rel_project_open(&p, dir, REL_PROJECT_NEED_CONFIG | REL_PROJECT_NO_SCAN);
    const struct rel_config_release *r = rc == 0 ? rel_config_find_release(p->config, release) : NULL;
    if (rc == 0 && r && !r->version) {
        rel_project_free(p);
        p = NULL;
        rc = rel_project_open(&p, dir, REL_PROJECT_NEED_CONFIG);
        r = rc == 0 ? rel_config_find_release(p->config, release) : NULL;
    }
    if (rc == 0 && !r)
        rc = rel_error_set(REL_ENOTFOUND, "no release '%s' in %s", release, REL_CONFIG_FILE);
    if (rc == 0) {
        rc = rel_project_assembled_tarball(out, p, r, how);
        if (rc == REL_EUSAGE)
            rel_error_clear();
    }
    rel_project_free(p);
    return rc;
}

/* The caller's model step, keeping the model it gave (for the tarball's
 * path). */
struct kept {
    int (*model)(void *ctx, const struct rel_model **m);
    void *ctx;
    const struct rel_model *m;
};

static int kept_model(void *ctx, const struct rel_model **m)
{
    struct kept *k = ctx;
    int rc = k->model(k->ctx, m);
    k->m = rc == 0 ? *m : NULL;
    return rc;
}

int rel_build_deploy_tarball(struct rel_build_tarball *out, const char *release,
                             const struct rel_build_opts *o, const char *how)
{
    memset(out, 0, sizeof(*out));
    const char *dir = o->dir ? o->dir : ".";
    int rc = tar_step_tarball(&out->path, dir, release, how);
    if (rc != REL_EUSAGE)
        return rc;
    struct fresh f = {.dir = dir, .release = release};
    struct kept k = {.model = o->model ? o->model : fresh_model,
                     .ctx = o->model ? o->model_ctx : &f};
    struct rel_build_opts bo = *o;
    bo.assemble.overwrite = true;
    bo.model = kept_model;
    bo.model_ctx = &k;
    struct rel_plan *plan = NULL;
    rc = rel_build_release(&plan, &out->stats, &bo);
    if (rc == 0 && !plan->tar) {
        plan->tarball = rel_project_tarball_path(k.m->project, k.m->release, plan->version, NULL);
        plan->tar = true;
        bool unchanged = out->stats.written == 0 && rel_fs_is_file(plan->tarball);
        if (!unchanged && (rc = rel_assemble_tar(plan, o->ev)) == 0)
            out->packed = true;
    } else if (rc == 0) {
        out->packed = true; /* by the release's own tar step */
    }
    rel_model_free(f.m);
    rel_project_free(f.p);
    if (rc < 0) {
        rel_plan_free(plan);
        return rc;
    }
    out->path = rel_strdup(plan->tarball);
    out->plan = plan;
    return 0;
}

void rel_build_tarball_free(struct rel_build_tarball *t)
{
    if (!t)
        return;
    free(t->path);
    rel_plan_free(t->plan);
    memset(t, 0, sizeof(*t));
}
