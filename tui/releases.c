/*
 * releases.c - the first screen: the project's releases, each with its
 * version, applications, roots, last assembly on disk, targets and state;
 * below, the selected release's details and problems.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/size.h"
#include "tui/format.h"
#include "tui/fswatch.h"
#include "tui/list.h"
#include "tui/project.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct disk {
    char *path; /* where the release is assembled */
    bool exists;
    time_t when; /* last assembled (mtime of the release directory) */
    unsigned long long bytes;
    unsigned long files;
};

struct releases {
    struct tui_project *tp;
    struct tui_list list;
    struct disk *disk; /* one per release of the config */
    size_t ndisk;
    unsigned disk_generation;    /* of the project when `disk` was read */
    bool reload_waits;           /* files changed during an assembly: told once */
    struct tui_fswatch *fswatch; /* relman.yml, rel/ and ebin/ on disk; NULL without inotify */
};

static const struct rel_config_release *release_at(struct releases *rs, size_t i)
{
    const struct rel_config *cfg = tui_project_config(rs->tp);
    return i < cfg->nreleases ? &cfg->releases[i] : NULL;
}

static void scan_disk(struct releases *rs)
{
    for (size_t i = 0; i < rs->ndisk; i++)
        free(rs->disk[i].path);
    free(rs->disk);
    const struct rel_config *cfg = tui_project_config(rs->tp);
    rs->disk_generation = tui_project_disk_generation(rs->tp);
    rs->ndisk = cfg->nreleases;
    rs->disk = rel_calloc(rs->ndisk ? rs->ndisk : 1, sizeof(*rs->disk));
    for (size_t i = 0; i < rs->ndisk; i++) {
        struct disk *d = &rs->disk[i];
        d->path = rel_project_release_path(tui_project_core(rs->tp), &cfg->releases[i]);
        struct stat st;
        /* releases/ holds RELEASES and the version directories: present once
         * a release was assembled there */
        char *rel_dir = rel_path_join2(d->path, "releases");
        if (stat(rel_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            d->exists = true;
            d->when = st.st_mtime;
            uint64_t files = 0;
            d->bytes = rel_size_tree(d->path, &files); /* THE size (core/size.h) */
            d->files = (unsigned long)files;
        }
        free(rel_dir);
    }
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    const struct rel_config_release *r = release_at(ctx, i);
    snprintf(buf, size, "%s %s", r ? r->name : "", r && r->version ? r->version : "");
    return buf;
}

/* The roots written in relman.yml, comma-separated. */
static void roots_text(const struct rel_config_release *r, struct rel_buf *out)
{
    for (size_t i = 0; i < r->napps; i++)
        rel_buf_printf(out, "%s%s", i ? ", " : "", r->apps[i].name);
    if (!r->napps)
        rel_buf_puts(out, "-");
}

static void targets_text(const struct rel_config *cfg, const char *release, struct rel_buf *out)
{
    for (size_t i = 0; i < cfg->ntargets; i++) {
        const struct rel_config_target *t = &cfg->targets[i];
        const char *tr = t->release ? t->release : cfg->default_release;
        if (!tr && cfg->nreleases == 1)
            tr = cfg->releases[0].name;
        if (tr && strcmp(tr, release) == 0)
            rel_buf_printf(out, "%s%s", out->len ? " " : "", t->name);
    }
    if (!out->len)
        rel_buf_puts(out, "-");
}

static void state_text(const struct rel_model *m, char *buf, size_t size, enum tui_role *role)
{
    if (!m) {
        snprintf(buf, size, "%s unresolved", tui_glyph(TUI_GLYPH_PROBLEM));
        *role = TUI_ROLE_PROBLEM;
        return;
    }
    size_t e = rel_model_count(m, REL_SEVERITY_ERROR), w = rel_model_count(m, REL_SEVERITY_WARNING);
    if (e) {
        snprintf(buf, size, "%s %zu error%s", tui_glyph(TUI_GLYPH_PROBLEM), e, e == 1 ? "" : "s");
        *role = TUI_ROLE_PROBLEM;
    } else if (w) {
        snprintf(buf, size, "~ %zu warning%s", w, w == 1 ? "" : "s");
        *role = TUI_ROLE_WARNING;
    } else {
        snprintf(buf, size, "%s ok", tui_glyph(TUI_GLYPH_OK));
        *role = TUI_ROLE_OK;
    }
}

/* The selected release's details, one paragraph a line; a problem's line
 * starts with its role's byte (1 problem, 2 warning, 3 note). */
static void details_text(struct releases *rs, size_t i, struct rel_buf *out)
{
    const struct rel_config *cfg = tui_project_config(rs->tp);
    const struct rel_config_release *rel = release_at(rs, i);
    if (!rel)
        return;
    const struct rel_model *m = tui_project_model(rs->tp, rel->name);
    const struct disk *d = i < rs->ndisk ? &rs->disk[i] : NULL;
    char size[32], when[64];
    struct rel_buf b = REL_BUF_INIT;

    rel_buf_printf(out, "%s %s\n", rel->name,
                   m && m->version ? m->version : (rel->version ? rel->version : ""));
    if (d && d->exists)
        rel_buf_printf(out, "assembled: %s, %s in %lu files, %s\n",
                       tui_format_when(when, sizeof(when), d->when, time(NULL)),
                       rel_size_human(size, sizeof(size), d->bytes), d->files, d->path);
    else if (d)
        rel_buf_printf(out, "assembled: never (goes to %s)\n", d->path);
    roots_text(rel, &b);
    rel_buf_printf(out, "roots:     %s\n", rel_buf_cstr(&b));
    rel_buf_clear(&b);
    targets_text(cfg, rel->name, &b);
    rel_buf_printf(out, "targets:   %s\n", rel_buf_cstr(&b));
    if (m)
        rel_buf_printf(out, "erts:      %s%s\n", m->erts_version ? m->erts_version : "unknown",
                       rel->include_erts == REL_ERTS_EXCLUDE ? " (not included)" : "");
    else
        rel_buf_printf(out, "\x01%s\n", rel_error_message());
    for (size_t p = 0; m && p < m->nproblems; p++) {
        const struct rel_problem *pr = &m->problems[p];
        const char *mark = pr->severity == REL_SEVERITY_ERROR     ? tui_glyph(TUI_GLYPH_PROBLEM)
                           : pr->severity == REL_SEVERITY_WARNING ? "~"
                                                                  : "-";
        rel_buf_printf(out, "%c%s %s: %s\n",
                       pr->severity == REL_SEVERITY_ERROR     ? 1
                       : pr->severity == REL_SEVERITY_WARNING ? 2
                                                              : 3,
                       mark, rel_severity_name(pr->severity), pr->message);
    }
    rel_buf_free(&b);
}

/* Each line wrapped: a field's value continues under the value, a
 * problem's text under its text. */
static void draw_details(struct releases *rs, size_t i, struct tui_rect r)
{
    if (r.h < 2)
        return;
    struct rel_buf b = REL_BUF_INIT;
    details_text(rs, i, &b);
    int y = r.y, x = r.x + 1, w = r.w - 2, end = r.y + r.h, line = 0;
    for (char *p = b.ptr; p && *p && y < end; line++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        enum tui_role role = line == 0 ? TUI_ROLE_ACCENT : TUI_ROLE_DEFAULT;
        int indent = 11;
        if (*p >= 1 && *p <= 3) {
            role = *p == 1 ? TUI_ROLE_PROBLEM : *p == 2 ? TUI_ROLE_WARNING : TUI_ROLE_MUTED;
            indent = 2;
            p++;
        }
        y += tui_put_wrapped((struct tui_rect){y, x, end - y, w}, indent, role, p);
        p = nl ? nl + 1 : NULL;
    }
    rel_buf_free(&b);
}

/* show-text: the selected release's details and every problem. */
static void text(struct tui_view *v, struct rel_buf *out)
{
    struct releases *rs = v->data;
    size_t sel = tui_list_selected(&rs->list);
    if (sel == TUI_LIST_NONE)
        return;
    size_t start = out->len;
    details_text(rs, sel, out);
    for (size_t k = start; k < out->len; k++)
        if (out->ptr[k] >= 1 && out->ptr[k] <= 3)
            out->ptr[k] = ' ';
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct releases *rs = v->data;
    const struct rel_config *cfg = tui_project_config(rs->tp);
    if (rs->disk_generation != tui_project_disk_generation(rs->tp) || rs->ndisk != cfg->nreleases)
        scan_disk(rs);
    int namew = 12, verw = 10, appsw = 5, whenw = 17, sizew = 9, statew = 12;
    int flex = r.w - (2 + namew + verw + appsw + whenw + sizew + statew);
    int rootsw = flex > 20 ? flex * 6 / 10 : (flex > 0 ? flex : 0);
    int targw = flex - rootsw;
    int xs[8];
    xs[0] = 2;
    xs[1] = xs[0] + namew;
    xs[2] = xs[1] + verw;
    xs[3] = xs[2] + appsw;
    xs[4] = xs[3] + rootsw;
    xs[5] = xs[4] + whenw;
    xs[6] = xs[5] + sizew;
    xs[7] = xs[6] + targw;
    const char *heads[8] = {"RELEASE",        "VERSION", "APPS",    "ROOTS",
                            "LAST ASSEMBLED", "SIZE",    "TARGETS", "STATE"};
    int widths[8] = {namew, verw, appsw, rootsw, whenw, sizew, targw, statew};
    for (int c = 0; c < 8; c++)
        if (widths[c] > 1)
            tui_put(r.y, xs[c], widths[c] - 1, TUI_ROLE_HEADER, heads[c]);

    /* list on top, details below */
    int detail_h = r.h >= 16 ? r.h * 2 / 5 : 0;
    int list_h = r.h - 1 - (detail_h ? detail_h + 1 : 0);
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &rs->list, (struct tui_rect){r.y + 1, 0, list_h, r.w},
                  &(struct tui_list_look){.cursor_w = 2, .fill = true});
    while (tui_list_rows_next(&it, &lr)) {
        size_t i = lr.row;
        const struct rel_config_release *rel = &cfg->releases[i];
        const struct rel_model *m = tui_project_model(rs->tp, rel->name);
        const struct disk *d = i < rs->ndisk ? &rs->disk[i] : NULL;
        bool sel = lr.selected;
        int y = lr.y;
        enum tui_role base = lr.role;
        char buf[256], size[32], when[64];
        struct rel_buf b = REL_BUF_INIT;
        tui_put(y, xs[0], namew - 1, base, rel->name);
        tui_put(y, xs[1], verw - 1, base,
                m && m->version ? m->version : (rel->version ? rel->version : "?"));
        snprintf(buf, sizeof(buf), "%zu", m ? m->napps : (size_t)0);
        tui_put(y, xs[2], appsw - 1, base, m ? buf : "?");
        roots_text(rel, &b);
        tui_put(y, xs[3], rootsw - 1, base, rel_buf_cstr(&b));
        rel_buf_clear(&b);
        if (d && d->exists) {
            struct tm tm;
            localtime_r(&d->when, &tm);
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
            tui_put(y, xs[4], whenw - 1, base, when);
            tui_put(y, xs[5], sizew - 1, base, rel_size_human(size, sizeof(size), d->bytes));
        } else {
            tui_put(y, xs[4], whenw - 1, sel ? base : TUI_ROLE_MUTED, "never");
            tui_put(y, xs[5], sizew - 1, sel ? base : TUI_ROLE_MUTED, "-");
        }
        targets_text(cfg, rel->name, &b);
        tui_put(y, xs[6], targw - 1, base, rel_buf_cstr(&b));
        rel_buf_free(&b);
        enum tui_role srole;
        state_text(m, buf, sizeof(buf), &srole);
        tui_put(y, xs[7], statew, sel ? base : srole, buf);
    }
    if (rs->list.nvisible == 0)
        tui_put(r.y + 1, 2, r.w - 2, TUI_ROLE_MUTED,
                cfg->nreleases ? "no release matches the filter" : "relman.yml has no releases");
    if (detail_h) {
        int y = r.y + 1 + list_h;
        tui_hline(y, 0, r.w, TUI_ROLE_BORDER);
        size_t sel = tui_list_selected(&rs->list);
        if (sel != TUI_LIST_NONE)
            draw_details(rs, sel, (struct tui_rect){y + 1, 0, detail_h, r.w});
    }
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct releases *rs = v->data;
    const struct rel_project *p = tui_project_core(rs->tp);
    const char *dot = tui_glyph(TUI_GLYPH_DOT);
    rel_buf_printf(out, "%s", rel_project_kind_name(p->kind));
    if (p->env)
        rel_buf_printf(out, ", %s", p->env);
    if (p->erts_version)
        rel_buf_printf(out, " %s ERTS %s", dot, p->erts_version);
    if (p->otp_release)
        rel_buf_printf(out, " %s OTP %s", dot, p->otp_release);
    if (p->elixir_version)
        rel_buf_printf(out, " %s Elixir %s", dot, p->elixir_version);
    if (tui_session_dirty(tui_project_session(rs->tp)))
        rel_buf_printf(out, " %s unsaved %s", dot, tui_glyph(TUI_GLYPH_CHANGED));
}

/* ---- live: the project's files changed on disk */

/* Watch relman.yml, rel/ (and the directories in it: templates, overlays)
 * and the ebin/ of every application of the project. Again after each
 * reload: applications come and go. */
static void watch_files(struct releases *rs)
{
    if (!rs->fswatch)
        return;
    tui_fswatch_clear(rs->fswatch);
    const struct rel_project *p = tui_project_core(rs->tp);
    tui_fswatch_add(rs->fswatch, p->root, REL_CONFIG_FILE, REL_CONFIG_FILE);
    tui_fswatch_add(rs->fswatch, p->root, "rel", "rel/"); /* made later */
    char *rel = rel_path_join2(p->root, "rel");
    tui_fswatch_add(rs->fswatch, rel, NULL, "rel/");
    DIR *d = opendir(rel);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            char *sub = rel_path_join2(rel, e->d_name);
            if (rel_fs_is_dir(sub))
                tui_fswatch_add(rs->fswatch, sub, NULL, "rel/");
            free(sub);
        }
    if (d)
        closedir(d);
    free(rel);
    for (size_t i = 0; i < p->napps; i++)
        if (p->apps[i].origin == REL_ORIGIN_PROJECT || p->apps[i].origin == REL_ORIGIN_LIB_DIRS) {
            char *ebin = rel_path_join2(p->apps[i].dir, "ebin");
            tui_fswatch_add(rs->fswatch, ebin, NULL, "ebin/");
            free(ebin);
        }
}

static int files_changed(void *ctx, const char *labels)
{
    struct releases *rs = ctx;
    struct tui_session *s = tui_project_session(rs->tp);
    /* relman's own save: the file is what the session wrote */
    if (strcmp(labels, REL_CONFIG_FILE) == 0 && !tui_session_disk_changed(s))
        return TUI_R_NONE;
    if (tui_session_dirty(s)) {
        tui_error("%s changed on disk: not reloaded, relman.yml has unsaved changes here "
                  "(s saves, u undoes, then R)",
                  labels);
        return TUI_R_REDRAW;
    }
    if (tui_project_pinned(rs->tp)) {
        /* an assembly reads the project: look again each second */
        tui_fswatch_later(rs->fswatch, labels, 1000);
        if (rs->reload_waits)
            return TUI_R_NONE;
        rs->reload_waits = true;
        tui_message("%s changed on disk: reloading once the assembly ends", labels);
        return TUI_R_REDRAW;
    }
    rs->reload_waits = false;
    tui_message("%s changed on disk: reloaded", labels);
    return TUI_R_RELOAD;
}

static const char *selected_name(struct releases *rs)
{
    size_t i = tui_list_selected(&rs->list);
    const struct rel_config_release *r = i == TUI_LIST_NONE ? NULL : release_at(rs, i);
    return r ? r->name : NULL;
}

static int reload(struct tui_view *v)
{
    struct releases *rs = v->data;
    int rc = tui_project_reload(rs->tp);
    if (rc == 0)
        watch_files(rs);
    scan_disk(rs);
    tui_list_set_count(&rs->list, tui_project_config(rs->tp)->nreleases);
    return rc;
}

/* `e` on any project screen: relman.yml in the user's editor, then reload. */
static int edit_config(struct releases *rs)
{
    struct tui_session *s = tui_project_session(rs->tp);
    if (tui_session_dirty(s)) {
        tui_error("relman.yml has unsaved changes here: save them (s) or undo them (u) first");
        return TUI_R_REDRAW;
    }
    if (tui_project_pinned(rs->tp)) {
        tui_message("an assembly is using the project: edit relman.yml when it ends");
        return TUI_R_REDRAW;
    }
    if (tui_tty_edit(tui_session_path(s)) < 0) {
        tui_core_error(NULL);
        return TUI_R_REDRAW;
    }
    if (!tui_session_disk_changed(s)) {
        tui_message("relman.yml unchanged");
        return TUI_R_REDRAW;
    }
    tui_message("relman.yml edited: reloaded");
    return TUI_R_RELOAD;
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct releases *rs = v->data;
    const char *name = selected_name(rs);
    switch (a) {
    case TUI_ACT_EDIT_FILE:
        return edit_config(rs);
    case TUI_ACT_OPEN:
        if (!name)
            return TUI_R_NONE;
        if (tui_apps_open(rs->tp, name) < 0)
            tui_core_error(name);
        return TUI_R_REDRAW;
    case TUI_ACT_ASSEMBLE:
        if (!name)
            return TUI_R_NONE;
        return tui_assemble_start(rs->tp, name);
    case TUI_ACT_TARGETS:
        if (!name)
            return TUI_R_NONE;
        if (tui_targets_open(rs->tp, name) < 0)
            tui_core_error(name);
        return TUI_R_REDRAW;
    case TUI_ACT_PREVIEW:
        if (!name)
            return TUI_R_NONE;
        if (tui_preview_open(rs->tp, name) < 0)
            tui_core_error(name);
        return TUI_R_REDRAW;
    case TUI_ACT_NEXT_PROBLEM: {
        const struct rel_config *cfg = tui_project_config(rs->tp);
        size_t start = rs->list.sel;
        for (size_t k = 1; k <= rs->list.nvisible; k++) {
            size_t pos = (start + k) % rs->list.nvisible;
            const struct rel_model *m =
                tui_project_model(rs->tp, cfg->releases[rs->list.visible[pos]].name);
            if (!m || rel_model_count(m, REL_SEVERITY_ERROR) ||
                rel_model_count(m, REL_SEVERITY_WARNING)) {
                rs->list.sel = pos;
                return TUI_R_REDRAW;
            }
        }
        tui_message("no release has a problem");
        return TUI_R_REDRAW;
    }
    default:
        return TUI_R_UNHANDLED;
    }
}

static struct tui_list *list(struct tui_view *v)
{
    struct releases *rs = v->data;
    return &rs->list;
}

/* ---- `:` jumps: from any project screen to another */

static const char *const releases_commands[] = {
    "releases - back to the releases of the project",
    "apps [RELEASE] - the applications of RELEASE (or of the selected one)",
    "preview [RELEASE] - the files of RELEASE, rendered",
    "targets [RELEASE] - the deploy targets of RELEASE", NULL};

/*
 * Close the screens above the Releases screen `self`, top first, as `back`
 * would: a screen that keeps itself open (an assembly running) stops the
 * walk, and what is asked for opens above it.
 */
static void close_above(struct tui_view *self)
{
    for (int i = tui_view_depth() - 1; i >= 0; i--) {
        struct tui_view *v = tui_view_at(i);
        if (v == self)
            return;
        int r = v->ops->action ? v->ops->action(v, TUI_ACT_BACK) : TUI_R_UNHANDLED;
        if (!(r & TUI_R_UNHANDLED))
            return;
        tui_close_later(v);
    }
}

static int command(struct tui_view *v, int argc, char **argv)
{
    struct releases *rs = v->data;
    const char *cmd = argv[0];
    bool apps = strcmp(cmd, "apps") == 0 || strcmp(cmd, "applications") == 0;
    bool preview = strcmp(cmd, "preview") == 0, targets = strcmp(cmd, "targets") == 0;
    if (strcmp(cmd, "releases") == 0) {
        if (argc > 1) {
            tui_error("usage: releases");
            return TUI_R_REDRAW;
        }
        close_above(v);
        return TUI_R_REDRAW;
    }
    if (!apps && !preview && !targets)
        return TUI_R_UNHANDLED;
    if (argc > 2) {
        tui_error("usage: %s [RELEASE]", cmd);
        return TUI_R_REDRAW;
    }
    const struct rel_config *cfg = tui_project_config(rs->tp);
    if (argc == 2) {
        const struct rel_config_release *r = rel_config_find_release(cfg, argv[1]);
        if (!r) {
            struct rel_buf names = REL_BUF_INIT;
            for (size_t i = 0; i < cfg->nreleases; i++)
                rel_buf_printf(&names, "%s%s", i ? ", " : "", cfg->releases[i].name);
            tui_error("no release '%s' in relman.yml (%s)", argv[1], rel_buf_cstr(&names));
            rel_buf_free(&names);
            return TUI_R_REDRAW;
        }
        tui_list_set_filter(&rs->list, "");
        tui_list_select(&rs->list, (size_t)(r - cfg->releases));
    }
    char name[128];
    const char *sel = selected_name(rs);
    if (!sel) {
        tui_error("no release selected: %s RELEASE", cmd);
        return TUI_R_REDRAW;
    }
    snprintf(name, sizeof(name), "%s", sel);
    close_above(v);
    int rc = apps      ? tui_apps_open(rs->tp, name)
             : preview ? tui_preview_open(rs->tp, name)
                       : tui_targets_open(rs->tp, name);
    if (rc < 0)
        tui_core_error(name);
    return TUI_R_REDRAW;
}

static size_t complete(struct tui_view *v, const char *cmd, const char *prefix, const char **out,
                       size_t max)
{
    struct releases *rs = v->data;
    if (strcmp(cmd, "apps") != 0 && strcmp(cmd, "applications") != 0 &&
        strcmp(cmd, "preview") != 0 && strcmp(cmd, "targets") != 0)
        return 0;
    const struct rel_config *cfg = tui_project_config(rs->tp);
    size_t n = 0;
    for (size_t i = 0; i < cfg->nreleases && n < max; i++)
        if (strncmp(cfg->releases[i].name, prefix, strlen(prefix)) == 0)
            out[n++] = cfg->releases[i].name;
    return n;
}

static bool dirty(struct tui_view *v)
{
    struct releases *rs = v->data;
    return tui_session_dirty(tui_project_session(rs->tp));
}

static void destroy(struct tui_view *v)
{
    struct releases *rs = v->data;
    for (size_t i = 0; i < rs->ndisk; i++)
        free(rs->disk[i].path);
    free(rs->disk);
    tui_fswatch_free(rs->fswatch);
    tui_list_free(&rs->list);
    tui_project_free(rs->tp);
    free(rs);
}

static const struct tui_view_ops releases_ops = {
    .scope = TUI_SCOPEID_RELEASES,
    .draw = draw,
    .action = action,
    .command = command,
    .commands = releases_commands,
    .complete = complete,
    .reload = reload,
    .status = status,
    .list = list,
    .text = text,
    .dirty = dirty,
    .destroy = destroy,
};

int tui_releases_open(struct tui_project *tp)
{
    struct releases *rs = rel_calloc(1, sizeof(*rs));
    rs->tp = tp;
    tui_list_init(&rs->list, row_text, NULL, rs);
    if (tui_fswatch_open(&rs->fswatch, files_changed, rs) < 0)
        rel_error_clear(); /* no live reload: R still reloads */
    watch_files(rs);
    scan_disk(rs);
    tui_list_set_count(&rs->list, tui_project_config(tp)->nreleases);
    const struct rel_project *p = tui_project_core(tp);
    char *base = rel_path_basename(p->root);
    tui_push(&releases_ops, rs, base);
    free(base);
    const struct rel_config *cfg = tui_project_config(tp);
    if (cfg->default_release)
        for (size_t i = 0; i < cfg->nreleases; i++)
            if (strcmp(cfg->releases[i].name, cfg->default_release) == 0)
                tui_list_select(&rs->list, i);
    return 0;
}
