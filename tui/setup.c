/*
 * setup.c - the guided first release, for a project without relman.yml.
 *
 *   1. source: what the project is (detected kind) and where the releases
 *      come from: imported from mix.exs / rebar.config, or relman's proposal
 *      (the project's application, or every umbrella child);
 *   2. generate: core writes the text (rel_import_generate; importing runs
 *      mix, so it runs in the background and the screen stays live) and
 *      finds the project's own applications (rel_project_open);
 *   3. roots: tick the root applications of each release (space); each
 *      change is core's surgical edit of the text (rel_config_edit_app_mode);
 *      skipped when the project has no built application to offer;
 *   4. name and version of each release (space edits the selected field);
 *   5. ERTS: ship the installed Erlang's runtime, or use the target's;
 *   6. cookie policy: generated once per assembled release and kept private,
 *      or configured in relman.yml (a new random one, or typed, hidden);
 *   7. rel/ templates: none (the built-in defaults), or write relman's
 *      default texts into rel/ to edit, like `mix release.init`;
 *   8. summary: the choices and the relman.yml text (cookie masked); Enter
 *      writes it (core's rel_import_write_text) and the Releases screen opens.
 * Steps 4-7 are choices core applies to the text (rel_import_apply), the same
 * as `relman init --name --version --include-erts --cookie --templates`.
 * Esc goes back one step.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/assemble.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/import.h"
#include "core/path.h"
#include "core/project.h"
#include "tui/job.h"
#include "tui/list.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step {
    STEP_SOURCE,
    STEP_GENERATE,
    STEP_ROOTS,
    STEP_NAME,
    STEP_ERTS,
    STEP_COOKIE,
    STEP_TEMPLATES,
    STEP_REVIEW,
    STEP_COUNT
};

static const char *const step_names[STEP_COUNT] = {
    "source", "generate", "roots", "name", "ERTS", "cookie", "templates", "write",
};

static const char *const sources[] = {
    "import the release definitions of the build tool (mix.exs releases / rebar.config relx)",
    "start from relman's proposal (the project's application, or every umbrella child)",
};

/* Choices of the ERTS, cookie and templates steps, in row order. */
enum { ERTS_INCLUDE, ERTS_TARGET, ERTS_KEEP };
enum { COOKIE_GENERATED, COOKIE_RANDOM, COOKIE_TYPED, COOKIE_KEEP };
enum { TEMPLATES_NONE, TEMPLATES_WRITE };

/* A row of the roots step: a release heading, or an application of the
 * project that may be a root of that release. */
struct root_row {
    char release[128];
    char app[128]; /* "" for the heading */
    bool ticked;
};

/* A release of the generated text with the name and version chosen. */
struct rel_choice {
    char orig[128];
    char name[128];
    char version[128]; /* as chosen; "" when the text has none to edit */
    char shown[160];   /* the version as the text has it, when not editable */
    bool version_set;  /* the user typed a version */
};

struct setup {
    char *dir;
    enum rel_project_kind kind;
    enum step step;
    struct tui_list list; /* the rows of the current step */
    bool import;
    struct tui_job *job;
    int job_fd; /* the fd watched for the job (the job closes it at its end) */
    /* filled by the worker, read by the UI after the job ended */
    struct rel_buf text, summary;
    char **apps; /* the project's own applications */
    size_t napps;
    /* step 3 */
    struct root_row *roots;
    size_t nroots;
    /* step 4 */
    struct rel_choice *rels;
    size_t nrels;
    size_t editing; /* the field being edited (row of step 4) */
    /* steps 5-7 */
    int erts, cookie, templates;
    bool imported_cookie;   /* the text configures a cookie already */
    char cookie_value[256]; /* COOKIE_RANDOM / COOKIE_TYPED; wiped on destroy */
    char erts_version[32];
    char erts_path[256]; /* include_erts: PATH in the text, or "" */
    /* step 8 */
    struct rel_buf final; /* the text with every choice applied */
    struct tui_textview review;
};

/* ---- rows ------------------------------------------------------------------ */

static const char *erts_row(struct setup *st, int i, char *buf, size_t size)
{
    if (i == ERTS_INCLUDE)
        snprintf(buf, size,
                 "include ERTS: ship the Erlang runtime installed here%s%s%s; the targets need "
                 "no Erlang",
                 st->erts_version[0] ? " (erts-" : "", st->erts_version,
                 st->erts_version[0] ? ")" : "");
    else if (i == ERTS_KEEP)
        snprintf(buf, size, "keep the ERTS directory the build tool names (%s)", st->erts_path);
    else
        snprintf(buf, size, "use the targets' Erlang: it must be the very same version%s%s%s",
                 st->erts_version[0] ? " (erts-" : "", st->erts_version,
                 st->erts_version[0] ? ")" : "");
    return buf;
}

static const char *const cookie_rows[] = {
    "generated: each assembled release makes its own once (mode 0600) and keeps it (recommended)",
    "configured: a new random cookie in relman.yml, the same for every build and node",
    "configured: type the cookie (hidden) to put in relman.yml",
    "keep the cookie the build tool configures",
};

static const char *templates_row(int i, char *buf, size_t size)
{
    if (i == TEMPLATES_NONE)
        snprintf(
            buf, size,
            "no rel/ templates: relman's built-in texts are used (`relman render` shows them)");
    else
        snprintf(buf, size,
                 "write rel/vm.args.eex, rel/remote.vm.args.eex, rel/env.sh.eex, rel/env.bat.eex "
                 "to edit (like mix release.init)");
    return buf;
}

static size_t step_rows(const struct setup *st)
{
    switch (st->step) {
    case STEP_SOURCE:
        return 2;
    case STEP_ROOTS:
        return st->nroots;
    case STEP_NAME:
        return st->nrels * 2;
    case STEP_ERTS:
        return st->erts_path[0] ? 3 : 2;
    case STEP_COOKIE:
        return st->imported_cookie ? 4 : 3;
    case STEP_TEMPLATES:
        return 2;
    default:
        return 0;
    }
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct setup *st = ctx;
    buf[0] = '\0';
    switch (st->step) {
    case STEP_SOURCE:
        return i < 2 ? sources[i] : "";
    case STEP_ROOTS:
        if (i < st->nroots)
            snprintf(buf, size, "%s %s", st->roots[i].release, st->roots[i].app);
        return buf;
    case STEP_NAME:
        if (i / 2 < st->nrels) {
            const struct rel_choice *c = &st->rels[i / 2];
            if (i % 2 == 0)
                snprintf(buf, size, "%s name %s", c->orig, c->name);
            else
                snprintf(buf, size, "%s version %s", c->orig,
                         c->version[0] ? c->version : c->shown);
        }
        return buf;
    case STEP_ERTS:
        return erts_row(st, (int)i, buf, size);
    case STEP_COOKIE:
        return i < 4 ? cookie_rows[i] : "";
    case STEP_TEMPLATES:
        return templates_row((int)i, buf, size);
    default:
        return "";
    }
}

static bool row_selectable(void *ctx, size_t i)
{
    struct setup *st = ctx;
    return st->step != STEP_ROOTS || (i < st->nroots && st->roots[i].app[0]);
}

static void set_rows(struct setup *st, size_t select)
{
    tui_list_set_filter(&st->list, "");
    tui_list_set_count(&st->list, step_rows(st));
    tui_list_action(&st->list, TUI_ACT_MOVE_FIRST);
    tui_list_select(&st->list, select);
}

static void free_apps(struct setup *st)
{
    for (size_t i = 0; i < st->napps; i++)
        free(st->apps[i]);
    free(st->apps);
    st->apps = NULL;
    st->napps = 0;
}

/* ---- step 2: generating ------------------------------------------------------- */

/* worker thread */
static int generate(void *arg, const struct rel_events *ev, struct tui_job *job)
{
    (void)job;
    struct setup *st = arg;
    struct rel_import_opts opts = {.import = st->import, .env = NULL};
    const char *step = st->import ? "import" : "propose";
    rel_event_begin(ev, step, 0, 0);
    rel_event_log(ev, REL_LOG_INFO, "%s",
                  st->import ? "asking the build tool for its releases"
                             : "writing relman's proposal");
    int rc = rel_import_generate(&st->text, &st->summary, st->dir, &opts);
    rel_event_end(ev, step, rc);
    if (rc < 0)
        return rc;
    /* the applications the project builds, to offer as roots */
    rel_event_begin(ev, "scan", 0, 0);
    struct rel_project *p = NULL;
    if (rel_project_open(&p, st->dir, 0) == 0) {
        for (size_t i = 0; i < p->napps; i++) {
            if (p->apps[i].origin != REL_ORIGIN_PROJECT || !p->apps[i].chosen)
                continue;
            st->apps = rel_reallocarray(st->apps, st->napps + 1, sizeof(char *));
            st->apps[st->napps++] = rel_strdup(p->apps[i].name);
        }
        rel_project_free(p);
    }
    rel_error_clear();
    rel_event_end(ev, "scan", 0);
    return 0;
}

/* ---- step 3: roots ---------------------------------------------------------------- */

/* Rebuild the roots rows from the current text. */
static int build_roots(struct setup *st)
{
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, st->text.ptr, st->text.len, "relman.yml", st->dir);
    if (rc < 0)
        return rc;
    free(st->roots);
    st->roots = rel_calloc(cfg->nreleases * (st->napps + 1) + 1, sizeof(*st->roots));
    st->nroots = 0;
    for (size_t r = 0; r < cfg->nreleases; r++) {
        const struct rel_config_release *rel = &cfg->releases[r];
        struct root_row *h = &st->roots[st->nroots++];
        snprintf(h->release, sizeof(h->release), "%s", rel->name);
        for (size_t a = 0; a < st->napps; a++) {
            struct root_row *row = &st->roots[st->nroots++];
            snprintf(row->release, sizeof(row->release), "%s", rel->name);
            snprintf(row->app, sizeof(row->app), "%s", st->apps[a]);
            for (size_t k = 0; k < rel->napps; k++)
                if (strcmp(rel->apps[k].name, st->apps[a]) == 0 &&
                    rel->apps[k].mode != REL_MODE_NONE)
                    row->ticked = true;
        }
    }
    rel_config_free(cfg);
    tui_list_set_count(&st->list, st->nroots);
    return 0;
}

/* Tick or untick the selected root: core edits the text. */
static void toggle_root(struct setup *st)
{
    size_t i = tui_list_selected(&st->list);
    if (i == TUI_LIST_NONE || !st->roots[i].app[0])
        return;
    struct root_row *row = &st->roots[i];
    struct rel_buf out = REL_BUF_INIT;
    if (rel_config_edit_app_mode(&out, rel_buf_cstr(&st->text), st->text.len, "relman.yml",
                                 row->release, row->app, row->ticked ? NULL : "permanent") < 0) {
        tui_core_error(row->app);
        rel_buf_free(&out);
        return;
    }
    rel_buf_free(&st->text);
    st->text = out;
    build_roots(st);
    tui_list_select(&st->list, i);
}

/* ---- steps 4-7: choices ------------------------------------------------------- */

/* The releases of the text (after the roots step), with their names and
 * versions as the first choices; what the ERTS and cookie steps start on. */
static int read_releases(struct setup *st)
{
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, st->text.ptr, st->text.len, "relman.yml", st->dir);
    if (rc < 0)
        return rc;
    free(st->rels);
    st->rels = rel_calloc(cfg->nreleases + 1, sizeof(*st->rels));
    st->nrels = cfg->nreleases;
    bool all_false = cfg->nreleases > 0;
    st->imported_cookie = false;
    st->erts_path[0] = '\0';
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        struct rel_choice *c = &st->rels[i];
        snprintf(c->orig, sizeof(c->orig), "%s", r->name);
        snprintf(c->name, sizeof(c->name), "%s", r->name);
        if (r->version)
            snprintf(c->version, sizeof(c->version), "%s", r->version);
        else if (r->version_from_app)
            snprintf(c->shown, sizeof(c->shown), "the version of %s (from_app)",
                     r->version_from_app);
        else
            snprintf(c->shown, sizeof(c->shown), "the project's version");
        if (r->include_erts != REL_ERTS_EXCLUDE)
            all_false = false;
        if (r->include_erts == REL_ERTS_PATH && r->erts_path)
            snprintf(st->erts_path, sizeof(st->erts_path), "%s", r->erts_path);
        if (r->cookie)
            st->imported_cookie = true;
    }
    rel_config_free(cfg);
    st->erts = st->erts_path[0] ? ERTS_KEEP : all_false ? ERTS_TARGET : ERTS_INCLUDE;
    st->cookie = st->imported_cookie ? COOKIE_KEEP : COOKIE_GENERATED;
    return 0;
}

/*
 * Apply the choices to the text into st->final. With `upto` < STEP_REVIEW,
 * only the choices of the steps before it (to check a field as it is typed).
 * The error is set on failure.
 */
static int apply_choices(struct setup *st, enum step upto)
{
    struct rel_buf cur = REL_BUF_INIT, next = REL_BUF_INIT;
    rel_buf_put(&cur, st->text.ptr, st->text.len);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < st->nrels; i++) {
        const struct rel_choice *c = &st->rels[i];
        struct rel_import_choice ch = {
            .release = c->orig,
            .name = strcmp(c->name, c->orig) != 0 ? c->name : NULL,
            .version = c->version_set ? c->version : NULL,
        };
        if (!ch.name && !ch.version)
            continue;
        rc = rel_import_apply(&next, cur.ptr, cur.len, &ch);
        if (rc == 0) {
            rel_buf_free(&cur);
            cur = next;
            next = (struct rel_buf)REL_BUF_INIT;
        }
    }
    if (rc == 0 && upto > STEP_NAME) {
        struct rel_import_choice ch = {0};
        if (upto > STEP_ERTS && st->erts != ERTS_KEEP)
            ch.erts = st->erts == ERTS_TARGET ? REL_IMPORT_ERTS_FALSE : REL_IMPORT_ERTS_TRUE;
        if (upto > STEP_COOKIE && st->cookie != COOKIE_KEEP) {
            ch.cookie = st->cookie == COOKIE_GENERATED ? REL_IMPORT_COOKIE_GENERATED
                                                       : REL_IMPORT_COOKIE_CONFIGURED;
            ch.cookie_value = st->cookie == COOKIE_GENERATED ? NULL : st->cookie_value;
        }
        if (st->nrels && (ch.erts || ch.cookie))
            rc = rel_import_apply(&next, cur.ptr, cur.len, &ch);
        if (rc == 0 && (ch.erts || ch.cookie)) {
            rel_buf_free(&cur);
            cur = next;
            next = (struct rel_buf)REL_BUF_INIT;
        }
    }
    if (rc == 0) {
        if (st->final.ptr)
            memset(st->final.ptr, 0, st->final.len);
        rel_buf_free(&st->final);
        st->final = cur;
        cur = (struct rel_buf)REL_BUF_INIT;
    }
    if (cur.ptr)
        memset(cur.ptr, 0, cur.len);
    rel_buf_free(&cur);
    rel_buf_free(&next);
    return rc;
}

/* The relman.yml text as shown: every cookie it holds masked. */
static void masked_final(struct setup *st, struct rel_buf *out)
{
    rel_buf_put(out, st->final.ptr, st->final.len);
    struct rel_config *cfg = NULL;
    if (rel_config_parse(&cfg, st->final.ptr, st->final.len, "relman.yml", st->dir) == 0) {
        for (size_t i = 0; i < cfg->nreleases; i++)
            if (cfg->releases[i].cookie && cfg->releases[i].cookie[0])
                tui_mask_secrets(out, cfg->releases[i].cookie);
        rel_config_free(cfg);
    } else {
        rel_error_clear();
    }
    if (st->cookie_value[0])
        tui_mask_secrets(out, st->cookie_value);
}

/* ---- moving between steps ------------------------------------------------------- */

static void enter_step(struct setup *st, enum step s);

static void enter_review(struct setup *st)
{
    if (apply_choices(st, STEP_REVIEW) < 0) {
        tui_core_error(NULL);
        return;
    }
    st->step = STEP_REVIEW;
    struct rel_buf shown = REL_BUF_INIT;
    masked_final(st, &shown);
    tui_textview_set(&st->review, rel_buf_cstr(&shown));
    rel_buf_free(&shown);
    tui_list_action(&st->review.list, TUI_ACT_MOVE_FIRST);
    tui_message("%s - <Enter> writes relman.yml%s, <Esc> goes back", rel_buf_cstr(&st->summary),
                st->templates == TEMPLATES_WRITE ? " and the rel/ templates" : "");
}

static void enter_step(struct setup *st, enum step s)
{
    switch (s) {
    case STEP_ROOTS:
        if (st->napps == 0 || build_roots(st) < 0) {
            enter_step(st, STEP_NAME);
            return;
        }
        st->step = STEP_ROOTS;
        tui_list_action(&st->list, TUI_ACT_MOVE_FIRST);
        tui_message("<Space> ticks the roots of each release; <Enter> goes on");
        return;
    case STEP_NAME:
        if (read_releases(st) < 0) {
            tui_core_error(NULL);
            return;
        }
        st->step = STEP_NAME;
        set_rows(st, 0);
        tui_message("<Space> changes the selected name or version; <Enter> goes on");
        return;
    case STEP_ERTS:
        st->step = s;
        set_rows(st, (size_t)st->erts);
        tui_message("<Enter> takes the selected choice");
        return;
    case STEP_COOKIE:
        st->step = s;
        set_rows(st, (size_t)st->cookie);
        tui_message("<Enter> takes the selected choice; the cookie is never shown");
        return;
    case STEP_TEMPLATES:
        st->step = s;
        set_rows(st, (size_t)st->templates);
        tui_message("<Enter> takes the selected choice; existing files in rel/ are kept");
        return;
    case STEP_REVIEW:
        enter_review(st);
        return;
    default:
        st->step = s;
        set_rows(st, st->import ? 0 : 1);
        return;
    }
}

static int job_ready(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    struct setup *st = ctx;
    if (!st->job)
        return TUI_R_NONE;
    if (!tui_job_pump(st->job))
        return TUI_R_NONE;
    const struct tui_job_state *js = tui_job_state(st->job);
    if (js->running)
        return TUI_R_REDRAW;
    tui_unwatch(st->job_fd);
    if (js->rc < 0) {
        tui_error("%s", js->error);
        enter_step(st, STEP_SOURCE);
    } else {
        enter_step(st, STEP_ROOTS);
    }
    tui_job_free(st->job);
    st->job = NULL;
    return TUI_R_REDRAW;
}

static void start_generate(struct setup *st)
{
    rel_buf_clear(&st->text);
    rel_buf_clear(&st->summary);
    free_apps(st);
    if (tui_job_start(&st->job, "relman init", generate, st) < 0 ||
        tui_watch(st->job_fd = tui_job_fd(st->job), POLLIN, job_ready, st) < 0) {
        tui_core_error("setup");
        tui_job_free(st->job);
        st->job = NULL;
        return;
    }
    st->step = STEP_GENERATE;
}

/* ---- step 4: editing a name or version ------------------------------------------ */

static int field_done(void *ctx, const char *text, bool done, bool canceled)
{
    struct setup *st = ctx;
    if (!done || canceled || st->step != STEP_NAME || st->editing / 2 >= st->nrels)
        return TUI_R_REDRAW;
    struct rel_choice *c = &st->rels[st->editing / 2];
    bool is_name = st->editing % 2 == 0;
    struct rel_choice saved = *c;
    if (is_name) {
        snprintf(c->name, sizeof(c->name), "%s", text);
    } else {
        snprintf(c->version, sizeof(c->version), "%s", text);
        c->version_set = true;
    }
    if (apply_choices(st, STEP_ERTS) < 0) {
        tui_core_error(is_name ? "name" : "version");
        *c = saved;
    } else {
        tui_message("release %s: %s %s", c->orig, is_name ? "name" : "version", text);
    }
    return TUI_R_REDRAW;
}

static void edit_field(struct setup *st)
{
    size_t i = tui_list_selected(&st->list);
    if (i == TUI_LIST_NONE || i / 2 >= st->nrels)
        return;
    const struct rel_choice *c = &st->rels[i / 2];
    char label[200];
    st->editing = i;
    if (i % 2 == 0) {
        snprintf(label, sizeof(label), "name of release %s: ", c->orig);
        tui_prompt(label, c->name, 0, field_done, st);
    } else {
        snprintf(label, sizeof(label), "version of release %s: ", c->orig);
        tui_prompt(label, c->version, 0, field_done, st);
    }
}

/* ---- step 6: a typed cookie ------------------------------------------------------- */

static int cookie_typed(void *ctx, const char *text, bool done, bool canceled)
{
    struct setup *st = ctx;
    if (!done || canceled || st->step != STEP_COOKIE)
        return TUI_R_REDRAW;
    struct rel_buf scratch = REL_BUF_INIT;
    struct rel_import_choice ch = {.cookie = REL_IMPORT_COOKIE_CONFIGURED, .cookie_value = text};
    int rc = rel_import_apply(&scratch, st->text.ptr, st->text.len, &ch);
    if (scratch.ptr)
        memset(scratch.ptr, 0, scratch.len);
    rel_buf_free(&scratch);
    if (rc < 0) {
        tui_core_error("cookie");
        return TUI_R_REDRAW;
    }
    snprintf(st->cookie_value, sizeof(st->cookie_value), "%s", text);
    st->cookie = COOKIE_TYPED;
    enter_step(st, STEP_TEMPLATES);
    return TUI_R_REDRAW;
}

/* ---- writing ---------------------------------------------------------------------- */

static int write_all(struct setup *st, struct tui_view *v)
{
    struct rel_buf summary = REL_BUF_INIT;
    if (rel_import_write_text(st->dir, st->final.ptr, st->final.len,
                              st->templates == TEMPLATES_WRITE, false, &summary) < 0) {
        rel_buf_free(&summary);
        tui_core_error(NULL);
        return TUI_R_REDRAW;
    }
    struct tui_project *tp = NULL;
    if (tui_project_open(&tp, st->dir) < 0) {
        rel_buf_free(&summary);
        tui_core_error("relman.yml written, but");
        return TUI_R_REDRAW;
    }
    /* the setup is done: the Releases screen replaces it */
    tui_releases_open(tp);
    tui_close_later(v);
    tui_message("wrote %s/relman.yml%s", st->dir, rel_buf_cstr(&summary));
    rel_buf_free(&summary);
    return TUI_R_REDRAW;
}

/* ---- drawing ----------------------------------------------------------------------- */

static const char *const questions[STEP_COUNT] = {
    [STEP_SOURCE] = "Where should the release definitions come from?",
    [STEP_ROOTS] = "Which of the project's applications does each release start? (the others "
                   "come in as they are needed)",
    [STEP_NAME] = "The name and version of each release:",
    [STEP_ERTS] = "Should the release carry the Erlang runtime (ERTS)?",
    [STEP_COOKIE] = "The Erlang distribution cookie:",
    [STEP_TEMPLATES] = "Templates for vm.args, remote.vm.args and env.sh in rel/?",
};

static void draw_steps(struct setup *st, int y, int w)
{
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    struct rel_buf b = REL_BUF_INIT;
    for (int i = 0; i < STEP_COUNT; i++)
        rel_buf_printf(&b, "%s%s%s%s%s", i ? " " : "", i ? dot : "", i ? " " : "",
                       (int)st->step == i ? "> " : "", step_names[i]);
    if (tui_text_width(rel_buf_cstr(&b)) > w) {
        rel_buf_clear(&b);
        rel_buf_printf(&b, "step %d of %d: %s", (int)st->step + 1, STEP_COUNT,
                       step_names[st->step]);
    }
    tui_put(y, 1, w, TUI_ROLE_HEADER, rel_buf_cstr(&b));
    rel_buf_free(&b);
}

/* The choices so far, one line (the summary step). */
static void draw_summary(struct setup *st, int y, int w)
{
    struct rel_buf b = REL_BUF_INIT;
    for (size_t i = 0; i < st->nrels; i++)
        rel_buf_printf(&b, "%s%s %s", i ? ", " : "release ", st->rels[i].name,
                       st->rels[i].version[0] ? st->rels[i].version : "");
    rel_buf_printf(&b, " %s ERTS %s %s cookie %s %s %s", tui_glyph(TUI_GLYPH_DOT),
                   st->erts == ERTS_INCLUDE ? "included"
                   : st->erts == ERTS_KEEP  ? "as imported"
                                            : "from the target",
                   tui_glyph(TUI_GLYPH_DOT),
                   st->cookie == COOKIE_GENERATED ? "generated at assembly, private"
                   : st->cookie == COOKIE_KEEP    ? "as imported (in relman.yml)"
                                                  : "configured in relman.yml",
                   tui_glyph(TUI_GLYPH_DOT),
                   st->templates == TEMPLATES_WRITE ? "rel/ templates written"
                                                    : "no rel/ templates");
    tui_put(y, 1, w, TUI_ROLE_ACCENT, rel_buf_cstr(&b));
    rel_buf_free(&b);
}

/*
 * The steps that offer a few choices (source, ERTS, cookie, templates):
 * each choice wrapped in full under the cursor mark, as many rows as it
 * needs, so no answer is cut. Returns false when they do not fit in `h`
 * rows (the list then draws them one row each).
 */
static bool draw_choices(struct setup *st, int y, int w, int h)
{
    size_t n = st->list.count, sel = tui_list_selected(&st->list);
    char buf[512];
    int need = 0;
    for (size_t i = 0; i < n; i++)
        need += (int)tui_wrap(row_text(st, i, buf, sizeof(buf)), w - 2, 0, NULL, 0);
    if (need > h)
        return false;
    for (size_t i = 0; i < n; i++) {
        enum tui_role role = i == sel ? TUI_ROLE_SELECTION : TUI_ROLE_DEFAULT;
        const char *text = row_text(st, i, buf, sizeof(buf));
        int rows = (int)tui_wrap(text, w - 2, 0, NULL, 0);
        for (int k = 0; k < rows; k++)
            tui_fill(y + k, 0, w, role);
        if (i == sel)
            tui_put(y, 0, 2, role, tui_glyph(TUI_GLYPH_CURSOR));
        y += tui_put_wrapped((struct tui_rect){y, 2, rows, w - 2}, 0, role, text);
    }
    return true;
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct setup *st = v->data;
    int y = r.y;
    draw_steps(st, y++, r.w - 2);
    char intro[PATH_MAX + 100];
    snprintf(intro, sizeof(intro), "%s has no relman.yml; it looks like a %s project.", st->dir,
             rel_project_kind_name(st->kind));
    y += tui_put_wrapped((struct tui_rect){y, 1, 3, r.w - 2}, 2, TUI_ROLE_DEFAULT, intro);
    if (st->step == STEP_GENERATE) {
        y++;
        if (st->job)
            tui_job_draw(st->job, (struct tui_rect){y, 0, r.y + r.h - y, r.w});
        return;
    }
    if (st->step == STEP_REVIEW) {
        draw_summary(st, y++, r.w - 2);
        tui_textview_draw(&st->review, (struct tui_rect){y, 0, r.y + r.h - y, r.w});
        return;
    }
    y++;
    y += tui_put_wrapped((struct tui_rect){y, 1, 2, r.w - 2}, 0, TUI_ROLE_DEFAULT,
                         questions[st->step]);
    static const char cookie_note[] =
        "A configured cookie is written into relman.yml in clear text: keep that file private. "
        "RELEASE_COOKIE overrides either at run time; relman never puts it on a command line.";
    int note_rows = st->step == STEP_COOKIE ? (int)tui_wrap(cookie_note, r.w - 2, 0, NULL, 0) : 0;
    int h = r.y + r.h - y - note_rows;
    if (note_rows)
        tui_put_wrapped((struct tui_rect){r.y + r.h - note_rows, 1, note_rows, r.w - 2}, 0,
                        TUI_ROLE_MUTED, cookie_note);
    bool choices = st->step == STEP_SOURCE || st->step == STEP_ERTS || st->step == STEP_COOKIE ||
                   st->step == STEP_TEMPLATES;
    if (choices && draw_choices(st, y, r.w, h))
        return;
    char buf[512];
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &st->list, (struct tui_rect){y, 0, h, r.w},
                  &(struct tui_list_look){.cursor_w = 2, .fill = true});
    while (tui_list_rows_next(&it, &lr)) {
        size_t i = lr.row;
        int yy = lr.y;
        enum tui_role role = lr.role;
        if (st->step == STEP_ROOTS && !st->roots[i].app[0]) {
            tui_putf(yy, 1, r.w - 2, TUI_ROLE_ACCENT, "release %s", st->roots[i].release);
            continue;
        }
        switch (st->step) {
        case STEP_ROOTS:
            tui_putf(yy, 2, r.w - 2, role, "  [%s] %s", st->roots[i].ticked ? "x" : " ",
                     st->roots[i].app);
            break;
        case STEP_NAME: {
            const struct rel_choice *c = &st->rels[i / 2];
            if (i % 2 == 0)
                tui_putf(yy, 2, r.w - 2, role, "%-16.16s name     %s", c->orig, c->name);
            else
                tui_putf(yy, 2, r.w - 2, role, "%-16s version  %s", "",
                         c->version[0] ? c->version : c->shown);
            break;
        }
        default:
            tui_put(yy, 2, r.w - 2, role, row_text(st, i, buf, sizeof(buf)));
            break;
        }
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct setup *st = v->data;
    rel_buf_printf(out, "step %d of %d", (int)st->step + 1, STEP_COUNT);
}

/* ---- actions ----------------------------------------------------------------------- */

static int next_step(struct setup *st, struct tui_view *v, bool toggle)
{
    size_t sel = tui_list_selected(&st->list);
    switch (st->step) {
    case STEP_SOURCE:
        st->import = sel == 0;
        start_generate(st);
        break;
    case STEP_ROOTS:
        if (toggle)
            toggle_root(st);
        else
            enter_step(st, STEP_NAME);
        break;
    case STEP_NAME:
        if (toggle) {
            edit_field(st);
        } else if (apply_choices(st, STEP_ERTS) < 0) {
            tui_core_error(NULL);
        } else {
            enter_step(st, STEP_ERTS);
        }
        break;
    case STEP_ERTS:
        if (sel == TUI_LIST_NONE)
            break;
        st->erts = (int)sel;
        enter_step(st, STEP_COOKIE);
        break;
    case STEP_COOKIE:
        if (sel == TUI_LIST_NONE)
            break;
        if ((int)sel == COOKIE_TYPED) {
            tui_prompt("cookie (hidden): ", "", TUI_PROMPT_SECRET, cookie_typed, st);
            break;
        }
        if ((int)sel == COOKIE_RANDOM && st->cookie != COOKIE_RANDOM) {
            char fresh[65];
            if (rel_assemble_new_cookie(fresh) < 0) {
                tui_core_error("cookie");
                break;
            }
            snprintf(st->cookie_value, sizeof(st->cookie_value), "%s", fresh);
            memset(fresh, 0, sizeof(fresh));
        } else if ((int)sel != COOKIE_RANDOM) {
            memset(st->cookie_value, 0, sizeof(st->cookie_value));
        }
        st->cookie = (int)sel;
        enter_step(st, STEP_TEMPLATES);
        break;
    case STEP_TEMPLATES:
        if (sel == TUI_LIST_NONE)
            break;
        st->templates = (int)sel;
        enter_step(st, STEP_REVIEW);
        break;
    case STEP_REVIEW:
        if (!toggle)
            return write_all(st, v);
        break;
    default:
        break;
    }
    return TUI_R_REDRAW;
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct setup *st = v->data;
    switch (a) {
    case TUI_ACT_SETUP_NEXT:
    case TUI_ACT_SETUP_TOGGLE:
        return next_step(st, v, a == TUI_ACT_SETUP_TOGGLE);
    case TUI_ACT_BACK:
        if (st->list.filter[0] && st->step != STEP_REVIEW && st->step != STEP_GENERATE)
            return TUI_R_UNHANDLED; /* clears the filter */
        if (st->step == STEP_SOURCE)
            return TUI_R_UNHANDLED;
        if (st->job) {
            tui_message("waiting for the build tool to answer");
            return TUI_R_REDRAW;
        }
        switch (st->step) {
        case STEP_REVIEW:
            enter_step(st, STEP_TEMPLATES);
            break;
        case STEP_TEMPLATES:
            enter_step(st, STEP_COOKIE);
            break;
        case STEP_COOKIE:
            enter_step(st, STEP_ERTS);
            break;
        case STEP_ERTS:
            st->step = STEP_NAME;
            set_rows(st, 0);
            break;
        case STEP_NAME:
            if (st->nroots) {
                st->step = STEP_ROOTS;
                tui_list_set_count(&st->list, st->nroots);
                tui_list_action(&st->list, TUI_ACT_MOVE_FIRST);
                break;
            }
            /* fall through */
        default:
            free(st->roots);
            st->roots = NULL;
            st->nroots = 0;
            enter_step(st, STEP_SOURCE);
            break;
        }
        return TUI_R_REDRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static struct tui_list *list(struct tui_view *v)
{
    struct setup *st = v->data;
    if (st->step == STEP_GENERATE)
        return NULL;
    return st->step == STEP_REVIEW ? &st->review.list : &st->list;
}

static void destroy(struct tui_view *v)
{
    struct setup *st = v->data;
    if (st->job) {
        tui_unwatch(st->job_fd);
        tui_job_free(st->job);
    }
    tui_list_free(&st->list);
    tui_textview_free(&st->review);
    rel_buf_free(&st->text);
    rel_buf_free(&st->summary);
    if (st->final.ptr)
        memset(st->final.ptr, 0, st->final.len);
    rel_buf_free(&st->final);
    memset(st->cookie_value, 0, sizeof(st->cookie_value));
    free_apps(st);
    free(st->roots);
    free(st->rels);
    free(st->dir);
    free(st);
}

static const struct tui_view_ops setup_ops = {
    .scope = TUI_SCOPEID_SETUP,
    .draw = draw,
    .action = action,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_setup_open(const char *dir)
{
    struct setup *st = rel_calloc(1, sizeof(*st));
    st->dir = rel_fs_realpath(dir);
    if (!st->dir)
        st->dir = rel_strdup(dir);
    st->kind = rel_project_detect_kind(dir);
    char *root = NULL, *erts = NULL, *otp = NULL;
    if (rel_otp_locate(&root, &erts, &otp) == 0 && erts)
        snprintf(st->erts_version, sizeof(st->erts_version), "%s", erts);
    rel_error_clear();
    free(root);
    free(erts);
    free(otp);
    tui_list_init(&st->list, row_text, row_selectable, st);
    tui_textview_init(&st->review);
    st->import = st->kind != REL_PROJECT_PLAIN; /* nothing to import otherwise */
    enter_step(st, STEP_SOURCE);
    tui_push(&setup_ops, st, "first release");
    return 0;
}
