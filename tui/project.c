/*
 * project.c - the project, its session, cached models and their plans.
 */
#include "tui/project.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/size.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cached {
    char *name;
    struct rel_model *model;
    struct rel_plan *plan; /* of `model`, once a worker built it; or NULL */
};

struct tui_project {
    char *dir;
    struct rel_project *core;
    struct tui_session *session;
    struct cached *models;
    size_t nmodels;
    unsigned generation;      /* of the session text the models were resolved from */
    struct rel_config *saved; /* the file as last read/saved, for "was ..." */
    int pins;
    unsigned disk_generation;
    struct rel_model **retired; /* replaced while pinned, freed at the last unpin */
    size_t nretired;
    struct rel_plan **retired_plans;
    size_t nretired_plans;
    char *saved_text;
};

static void free_retired(struct tui_project *tp)
{
    for (size_t i = 0; i < tp->nretired_plans; i++)
        rel_plan_free(tp->retired_plans[i]);
    free(tp->retired_plans);
    tp->retired_plans = NULL;
    tp->nretired_plans = 0;
    for (size_t i = 0; i < tp->nretired; i++)
        rel_model_free(tp->retired[i]);
    free(tp->retired);
    tp->retired = NULL;
    tp->nretired = 0;
}

/* Free `plan` now, or at the last unpin when background work may read it. */
static void retire_plan(struct tui_project *tp, struct rel_plan *plan)
{
    if (!plan)
        return;
    if (!tp->pins) {
        rel_plan_free(plan);
        return;
    }
    tp->retired_plans =
        rel_reallocarray(tp->retired_plans, tp->nretired_plans + 1, sizeof(*tp->retired_plans));
    tp->retired_plans[tp->nretired_plans++] = plan;
}

static void drop_models(struct tui_project *tp)
{
    for (size_t i = 0; i < tp->nmodels; i++) {
        retire_plan(tp, tp->models[i].plan);
        if (tp->pins) {
            tp->retired = rel_reallocarray(tp->retired, tp->nretired + 1, sizeof(*tp->retired));
            tp->retired[tp->nretired++] = tp->models[i].model;
        } else {
            rel_model_free(tp->models[i].model);
        }
        free(tp->models[i].name);
    }
    free(tp->models);
    tp->models = NULL;
    tp->nmodels = 0;
}

static int open_parts(struct tui_project *tp)
{
    struct rel_project *core = NULL;
    int rc = rel_project_open(&core, tp->dir, REL_PROJECT_NEED_CONFIG);
    if (rc < 0)
        return rc;
    char *path = rel_path_join2(core->root, REL_CONFIG_FILE);
    struct tui_session *s = NULL;
    rc = tui_session_open(&s, path);
    free(path);
    if (rc < 0) {
        rel_project_free(core);
        return rc;
    }
    drop_models(tp);
    tui_session_free(tp->session);
    rel_project_free(tp->core);
    tp->core = core;
    tp->session = s;
    return 0;
}

int tui_project_open(struct tui_project **out, const char *dir)
{
    *out = NULL;
    struct tui_project *tp = rel_calloc(1, sizeof(*tp));
    tp->dir = rel_strdup(dir ? dir : ".");
    int rc = open_parts(tp);
    if (rc < 0) {
        tui_project_free(tp);
        return rc;
    }
    *out = tp;
    return 0;
}

void tui_project_free(struct tui_project *tp)
{
    if (!tp)
        return;
    tp->pins = 0;
    drop_models(tp);
    free_retired(tp);
    tui_session_free(tp->session);
    rel_project_free(tp->core);
    rel_config_free(tp->saved);
    free(tp->saved_text);
    free(tp->dir);
    free(tp);
}

const struct rel_project *tui_project_core(const struct tui_project *tp)
{
    return tp->core;
}

struct tui_session *tui_project_session(struct tui_project *tp)
{
    return tp->session;
}

const struct rel_config *tui_project_config(const struct tui_project *tp)
{
    return tui_session_config(tp->session);
}

/* The cache entry of release `name` for the current text, or NULL. */
static struct cached *cached(struct tui_project *tp, const char *name)
{
    if (tp->generation != tui_session_generation(tp->session)) {
        drop_models(tp);
        tp->generation = tui_session_generation(tp->session);
    }
    for (size_t i = 0; i < tp->nmodels; i++)
        if (strcmp(tp->models[i].name, name) == 0)
            return &tp->models[i];
    return NULL;
}

const struct rel_model *tui_project_model(struct tui_project *tp, const char *name)
{
    struct cached *c = cached(tp, name);
    if (c)
        return c->model;
    const struct rel_config_release *r =
        rel_config_find_release(tui_session_config(tp->session), name);
    if (!r) {
        rel_error_set(REL_ENOTFOUND, "no release '%s' in relman.yml", name);
        return NULL;
    }
    struct rel_model *m = NULL;
    if (rel_resolve(&m, tp->core, r) < 0)
        return NULL;
    tp->models = rel_reallocarray(tp->models, tp->nmodels + 1, sizeof(*tp->models));
    tp->models[tp->nmodels++] = (struct cached){rel_strdup(name), m, NULL};
    return m;
}

const struct rel_plan *tui_project_plan(struct tui_project *tp, const char *name)
{
    struct cached *c = cached(tp, name);
    return c ? c->plan : NULL;
}

void tui_project_keep_plan(struct tui_project *tp, const char *name, const struct rel_model *m,
                           struct rel_plan *plan)
{
    struct cached *c = cached(tp, name);
    if (c && c->model == m && !c->plan) {
        c->plan = plan;
        return;
    }
    retire_plan(tp, plan); /* the text changed meanwhile, or one is kept already */
}

static int mode_in(const struct rel_config *cfg, const char *release, const char *app)
{
    const struct rel_config_release *r = cfg ? rel_config_find_release(cfg, release) : NULL;
    for (size_t i = 0; r && i < r->napps; i++)
        if (strcmp(r->apps[i].name, app) == 0)
            return (int)r->apps[i].mode;
    return -1;
}

int tui_project_explicit_mode(const struct tui_project *tp, const char *release, const char *app)
{
    return mode_in(tui_session_config(tp->session), release, app);
}

int tui_project_saved_mode(struct tui_project *tp, const char *release, const char *app)
{
    /* The saved text is the session's text whenever it is not dirty; else
     * parse the file's text once per save. */
    if (!tui_session_dirty(tp->session))
        return tui_project_explicit_mode(tp, release, app);
    const char *path = tui_session_path(tp->session);
    struct rel_buf b = REL_BUF_INIT;
    if (rel_fs_read_file(&b, path, REL_CONFIG_MAX_SIZE) < 0) {
        rel_buf_free(&b);
        return -1;
    }
    if (!tp->saved_text || strcmp(tp->saved_text, rel_buf_cstr(&b)) != 0) {
        rel_config_free(tp->saved);
        tp->saved = NULL;
        free(tp->saved_text);
        tp->saved_text = rel_strdup(rel_buf_cstr(&b));
        if (rel_config_parse(&tp->saved, b.ptr, b.len, path, NULL) < 0)
            tp->saved = NULL;
    }
    rel_buf_free(&b);
    return mode_in(tp->saved, release, app);
}

void tui_project_disk_changed(struct tui_project *tp)
{
    tp->disk_generation++;
}

unsigned tui_project_disk_generation(const struct tui_project *tp)
{
    return tp->disk_generation;
}

int tui_project_reload(struct tui_project *tp)
{
    if (tui_session_dirty(tp->session))
        return rel_error_set(REL_EUSAGE, "not reloaded: relman.yml has unsaved changes here "
                                         "(save them with s, or undo them with u)");
    if (tp->pins)
        return rel_error_set(REL_EUSAGE, "an assembly is using the project: reload when it ends");
    return open_parts(tp);
}

void tui_project_pin(struct tui_project *tp)
{
    tp->pins++;
}

void tui_project_unpin(struct tui_project *tp)
{
    if (tp->pins > 0 && --tp->pins == 0)
        free_retired(tp);
}

bool tui_project_pinned(const struct tui_project *tp)
{
    return tp->pins > 0;
}

unsigned long long tui_project_du(const char *path, unsigned long *files)
{
    uint64_t n = 0;
    uint64_t bytes = rel_size_tree(path, &n); /* one rule for sizes (core/size.h) */
    if (files)
        *files = (unsigned long)n;
    return bytes;
}
