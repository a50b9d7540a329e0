/*
 * targets.c - the Targets screen of a release.
 *
 * The upper pane lists the release's targets (relman.yml `targets:` whose
 * release is this one) with what the remote layer's status operation found:
 * reachable or not, the version `current` points to, the versions installed,
 * running or stopped, the node's pid, and the newest deploy or rollback line
 * of the host's audit log. The lower pane is the command log (cmdlog.h):
 * every command relman runs on a host, with its exit status, time and
 * stderr tail.
 *
 * Actions (on the marked targets, or the selected one): deploy, start, stop,
 * restart, rollback, logs, attach. Those that change a node ask first, in a
 * dialog that lists the hosts and the versions. Each runs in the background
 * (tui/remote_job.h: a worker thread drives the remote layer's runner, the same
 * operations the CLI runs: remote/deploy.h, remote/node.h); the screen stays
 * live, shows the step and bytes sent, and asks for the state again when an
 * action ends. Deploy first checks the tarball that `relman assemble` packs
 * (the release needs the `tar` step; core/project.h names it without a
 * plan), then asks.
 *
 * This file is the screen: its rows (from relman.yml), drawing, keys and
 * the dialogs that start an action. The operations themselves and what
 * happens when one ends are in targets_ops.c (targets_int.h is what the two
 * share); Attach's console is attach.c.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/size.h"
#include "remote/audit.h"
#include "remote/ssh.h"
#include "tui/format.h"
#include "tui/logview.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/remote_job.h"
#include "tui/targets_int.h"
#include "tui/ui.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* The interval refresh waits this long after the screen's last key. */
#define AUTO_IDLE_MS 2000
#define AUTO_DEFAULT_S 15

/* ---- the rows (from relman.yml) ---------------------------------------------- */

static void free_rows(struct targets *ts)
{
    for (size_t i = 0; i < ts->nrows; i++) {
        if (ts->rows[i].resolved)
            rel_target_free(&ts->rows[i].t);
        free(ts->rows[i].resolve_error);
        tui_targets_found_free(&ts->rows[i].f);
    }
    free(ts->rows);
    ts->rows = NULL;
    ts->nrows = 0;
}

/* The release a configured target runs (as the remote layer decides). */
static const char *target_release(const struct rel_config *cfg, const struct rel_config_target *t)
{
    if (t->release)
        return t->release;
    if (cfg->default_release)
        return cfg->default_release;
    return cfg->nreleases == 1 ? cfg->releases[0].name : NULL;
}

/* (Re)build the rows from relman.yml as currently edited. */
static void load_rows(struct targets *ts)
{
    free_rows(ts);
    const struct rel_config *cfg = tui_project_config(ts->tp);
    ts->rows = rel_calloc(cfg->ntargets + 1, sizeof(*ts->rows));
    for (size_t i = 0; i < cfg->ntargets; i++) {
        const struct rel_config_target *ct = &cfg->targets[i];
        const char *rel = target_release(cfg, ct);
        if (!rel || strcmp(rel, ts->release) != 0)
            continue;
        struct trow *row = &ts->rows[ts->nrows++];
        snprintf(row->name, sizeof(row->name), "%s", ct->name);
        if (rel_target_from_config(&row->t, cfg, ct, NULL, NULL) == 0) {
            row->resolved = true;
        } else {
            row->resolve_error = rel_strdup(rel_error_message());
            rel_error_clear();
        }
    }
    const struct rel_config_release *r = rel_config_find_release(cfg, ts->release);
    snprintf(ts->local_version, sizeof(ts->local_version), "%s", r && r->version ? r->version : "");
    tui_list_set_count(&ts->list, ts->nrows);
}

/* ---- starting actions (UI thread) --------------------------------------------- */

/* The targets an action applies to: the marked ones, else the selected one.
 * Unresolved targets are left out (and said so). Returns the count. */
static size_t chosen(struct targets *ts, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->nrows; i++)
        if (ts->rows[i].marked && ts->rows[i].resolved)
            out[n++] = i;
    if (n)
        return n;
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_error("no target to act on: relman.yml has no target for release %s", ts->release);
        return 0;
    }
    if (!ts->rows[sel].resolved) {
        tui_error("%s: %s", ts->rows[sel].name, ts->rows[sel].resolve_error);
        return 0;
    }
    out[0] = sel;
    return 1;
}

/* "a1  root@127.0.0.2 port 22  0.0.5 running (pid 123)" for a dialog */
static void describe_row(const struct trow *row, struct rel_buf *out)
{
    char *cur = tui_targets_dir_version(row->f.current);
    rel_buf_printf(out, "%-10s %s@%s port %d  %s  ", row->name,
                   row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname, row->t.ep.port,
                   row->t.path);
    if (!row->checked)
        rel_buf_puts(out, "state unknown");
    else if (!row->f.reachable)
        rel_buf_puts(out, "unreachable");
    else if (!cur)
        rel_buf_puts(out, "nothing deployed");
    else if (row->f.running)
        rel_buf_printf(out, "%s running (pid %s)", cur, row->f.pid ? row->f.pid : "?");
    else
        rel_buf_printf(out, "%s stopped", cur);
    rel_buf_putc(out, '\n');
    free(cur);
}

static int ask_node_action(struct targets *ts, enum op_kind kind, enum rel_node_op nop)
{
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = chosen(ts, rows);
    if (!n) {
        free(rows);
        return TUI_R_REDRAW;
    }
    struct op *op = tui_targets_op_new(ts, kind, rows, n);
    op->node_op = nop;
    free(rows);
    const char *verb = tui_targets_op_verb(op);
    struct rel_buf body = REL_BUF_INIT, q = REL_BUF_INIT, title = REL_BUF_INIT;
    char cap[32];
    snprintf(cap, sizeof(cap), "%s", verb);
    cap[0] = (char)(cap[0] - 'a' + 'A');
    if (kind == OP_ROLLBACK)
        rel_buf_printf(&title, "Roll %s back on %zu target%s", ts->release, n, n == 1 ? "" : "s");
    else
        rel_buf_printf(&title, "%s %s on %zu target%s", cap, ts->release, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const struct trow *row = &ts->rows[op->rows[i]];
        describe_row(row, &body);
        if (kind == OP_ROLLBACK) {
            char *cur = tui_targets_dir_version(row->f.current),
                 *prev = tui_targets_dir_version(row->f.previous);
            rel_buf_printf(&body, "%10s back from %s to %s\n", "", cur ? cur : "?",
                           prev ? prev : "? (no previous release known)");
            free(cur);
            free(prev);
        }
    }
    rel_buf_printf(&q, "%s %s on ", kind == OP_ROLLBACK ? "Roll back" : cap, ts->release);
    for (size_t i = 0; i < n; i++)
        rel_buf_printf(&q, "%s%s", i ? ", " : "", ts->rows[op->rows[i]].name);
    rel_buf_printf(&q, "?  y: %s  n: cancel", kind == OP_ROLLBACK ? "roll back" : verb);
    ts->pending = op;
    tui_dialog(rel_buf_cstr(&title), rel_buf_cstr(&body), rel_buf_cstr(&q), "yn",
               tui_targets_confirm, ts);
    rel_buf_free(&body);
    rel_buf_free(&q);
    rel_buf_free(&title);
    return TUI_R_REDRAW;
}

static int busy_message(struct targets *ts)
{
    struct tui_remote_job_progress p;
    tui_remote_job_progress(ts->remote, &p);
    tui_message("'%s' is running: wait for it to end", p.title);
    return TUI_R_REDRAW;
}

static int start_deploy(struct targets *ts)
{
    size_t *rows = rel_calloc(ts->nrows + 1, sizeof(size_t));
    size_t n = chosen(ts, rows);
    if (!n) {
        free(rows);
        return TUI_R_REDRAW;
    }
    const struct rel_model *m = tui_project_model(ts->tp, ts->release);
    if (!m) {
        free(rows);
        tui_core_error(ts->release);
        return TUI_R_REDRAW;
    }
    struct op *op = tui_targets_op_new(ts, OP_PREPARE, rows, n);
    free(rows);
    op->model = m;
    tui_project_pin(ts->tp);
    ts->pinned = true;
    tui_message("deploy: reading the tarball of %s", ts->release);
    tui_targets_start(ts, op, "deploy (preparing)");
    return TUI_R_REDRAW;
}

static int start_simple(struct targets *ts, enum op_kind kind, bool follow)
{
    /* logs and attach: the selected target only */
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_error("no target: relman.yml has no target for release %s", ts->release);
        return TUI_R_REDRAW;
    }
    if (!ts->rows[sel].resolved) {
        tui_error("%s: %s", ts->rows[sel].name, ts->rows[sel].resolve_error);
        return TUI_R_REDRAW;
    }
    const struct trow *row = &ts->rows[sel];
    if (kind == OP_CONNECT && !tui_can_external()) {
        tui_error("attach: the remote console needs a terminal (not in the headless mode; "
                  "`relman remote %s` from a shell)",
                  row->name);
        return TUI_R_REDRAW;
    }
    if (kind == OP_CONNECT && row->checked && row->f.reachable && !row->f.running) {
        tui_error("attach: the node on %s is not running%s", row->name,
                  row->f.installed ? " (S starts it)" : " (nothing deployed: D deploys)");
        return TUI_R_REDRAW;
    }
    if (follow) {
        tui_targets_follow(ts, sel);
        return TUI_R_REDRAW;
    }
    struct op *op = tui_targets_op_new(ts, kind, &sel, 1);
    if (kind == OP_CONNECT)
        tui_message("attach: connecting to %s", ts->rows[sel].name);
    tui_targets_start(ts, op, tui_targets_op_verb(op));
    return TUI_R_REDRAW;
}

static void open_details(struct targets *ts)
{
    if (ts->focus == 1) {
        size_t i = tui_list_selected(&ts->log.list);
        const struct tui_cmdlog_line *l = tui_cmdlog_get(&ts->log, i);
        if (!l)
            return;
        struct rel_buf b = REL_BUF_INIT;
        tui_cmdlog_describe(l, &b);
        tui_pager_open("command", "a command of the log", rel_buf_cstr(&b));
        rel_buf_free(&b);
        return;
    }
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE)
        return;
    const struct trow *row = &ts->rows[sel];
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_printf(&b, "target:      %s\nrelease:     %s\n", row->name, ts->release);
    if (!row->resolved) {
        rel_buf_printf(&b, "error:       %s\n", row->resolve_error);
    } else {
        rel_buf_printf(&b, "host:        %s@%s port %d (%s)\npath:        %s\nhost keys:   %s\n",
                       row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname, row->t.ep.port,
                       row->t.ep.alias ? row->t.ep.alias : "", row->t.path,
                       rel_ssh_policy_name(row->t.policy));
        for (char **e = row->t.env; e && *e; e++)
            rel_buf_printf(&b, "env:         %s\n", *e);
    }
    if (row->checked) {
        const struct found *f = &row->f;
        rel_buf_printf(&b,
                       "\nreachable:   %s\ncurrent:     %s\nprevious:    %s\nversion:     %s\n"
                       "running:     %s%s%s\ninstalled:   %s\nlock:        %s\nlast deploy: %s\n",
                       f->reachable ? "yes" : "no", f->current ? f->current : "-",
                       f->previous ? f->previous : "-", f->version ? f->version : "-",
                       f->running ? "yes (pid " : "no", f->running && f->pid ? f->pid : "",
                       f->running ? ")" : "", f->installed_versions ? f->installed_versions : "-",
                       f->lock ? f->lock : "-", f->last_deploy ? f->last_deploy : "-");
        if (f->error)
            rel_buf_printf(&b, "error:       %s\n", f->error);
    }
    struct rel_buf masked = REL_BUF_INIT;
    rel_buf_puts(&masked, rel_buf_cstr(&b));
    tui_mask_secrets(&masked, NULL);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s", row->name);
    tui_pager_open(crumb, "target", rel_buf_cstr(&masked));
    rel_buf_free(&b);
    rel_buf_free(&masked);
}

/* ---- drawing ----------------------------------------------------------------------- */

/* "11-22 14:38 0.0.5 ok" or "11-22 14:40 rollback ok" (local time) from an audit line
 * "2026-11-22T14:38:50Z a1 deploy foo 0.0.5 (...) by WHO: ok ...". */
static void last_deploy_text(const char *line, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!line)
        return;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", line);
    char *w[6] = {0};
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    if (n < 3)
        return;
    char when[32];
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (strptime(w[0], "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        time_t t = timegm(&tm);
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%m-%d %H:%M", &tm);
    } else {
        snprintf(when, sizeof(when), "%.16s", w[0]);
    }
    const char *result = strstr(line, ": ");
    bool ok = result && strncmp(result + 2, "ok", 2) == 0;
    if (strcmp(w[2], "deploy") == 0 && n >= 5) /* the version says it was a deploy */
        snprintf(buf, size, "%s %s %s", when, w[4], ok ? "ok" : "FAILED");
    else
        snprintf(buf, size, "%s %s %s", when, w[2], ok ? "ok" : "FAILED");
}

static void state_text(const struct trow *row, char *buf, size_t size, enum tui_role *role)
{
    const char *ellipsis = tui_glyph(TUI_GLYPH_ELLIPSIS);
    *role = TUI_ROLE_DEFAULT;
    if (row->busy[0]) {
        snprintf(buf, size, "%s%s", row->busy, ellipsis);
        *role = TUI_ROLE_ACCENT;
    } else if (!row->resolved) {
        snprintf(buf, size, "%s config", tui_glyph(TUI_GLYPH_PROBLEM));
        *role = TUI_ROLE_PROBLEM;
    } else if (!row->checked) {
        snprintf(buf, size, "?");
        *role = TUI_ROLE_MUTED;
    } else if (!row->f.reachable) {
        snprintf(buf, size, "%s unreachable", tui_glyph(TUI_GLYPH_FAIL));
        *role = TUI_ROLE_PROBLEM;
    } else if (!row->f.installed) {
        snprintf(buf, size, "- none");
        *role = TUI_ROLE_MUTED;
    } else if (row->f.running) {
        snprintf(buf, size, "%s running", tui_draw_utf8() ? "●" : "*");
        *role = TUI_ROLE_OK;
    } else {
        snprintf(buf, size, "%s stopped", tui_draw_utf8() ? "○" : "o");
        *role = TUI_ROLE_WARNING;
    }
}

static void draw_targets(struct targets *ts, struct tui_rect r)
{
    bool wide = r.w >= 110;
    char hdr[300];
    if (wide)
        snprintf(hdr, sizeof(hdr), "  %-10s %-22s %-6s %-14s %-9s %-12s %-8s %s", "TARGET", "HOST",
                 "REACH", "STATE", "CURRENT", "INSTALLED", "PID", "LAST DEPLOY");
    else
        snprintf(hdr, sizeof(hdr), "  %-10s %-6s %-14s %-9s %-8s %s", "TARGET", "REACH", "STATE",
                 "CURRENT", "PID", "LAST DEPLOY");
    tui_put(r.y, 0, r.w, TUI_ROLE_HEADER, hdr);
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &ts->list, (struct tui_rect){r.y + 1, 0, r.h - 1, r.w},
                  &(struct tui_list_look){.cursor_w = 1, .fill = true, .inactive = ts->focus != 0});
    while (tui_list_rows_next(&it, &lr)) {
        const struct trow *row = &ts->rows[lr.row];
        int y = lr.y;
        bool sel = lr.selected;
        enum tui_role base = lr.role;
        tui_put(y, 1, 1, base, row->marked ? "+" : " ");
        char state[64], last[200], host[200];
        enum tui_role srole;
        state_text(row, state, sizeof(state), &srole);
        const struct found *f = &row->f;
        char *cur = tui_targets_dir_version(f->current);
        const char *reach = !row->checked  ? "?"
                            : f->reachable ? tui_glyph(TUI_GLYPH_OK)
                                           : tui_glyph(TUI_GLYPH_FAIL);
        last_deploy_text(f->last_deploy, last, sizeof(last));
        int x = 2;
        tui_put(y, x, 10, base, row->name);
        x += 11;
        if (wide) {
            if (row->resolved)
                snprintf(host, sizeof(host), "%s@%s:%d", row->t.ep.user ? row->t.ep.user : "?",
                         row->t.ep.hostname, row->t.ep.port);
            else
                snprintf(host, sizeof(host), "-");
            tui_put(y, x, 22, base, host);
            x += 23;
        }
        tui_put(y, x, 6,
                sel ? base
                    : (!row->checked  ? TUI_ROLE_MUTED
                       : f->reachable ? TUI_ROLE_OK
                                      : TUI_ROLE_PROBLEM),
                reach);
        x += 7;
        tui_put(y, x, 14, sel ? base : srole, state);
        x += 15;
        tui_put(y, x, 9, base, cur ? cur : "-");
        x += 10;
        if (wide) {
            tui_put(y, x, 12, base, f->installed_versions ? f->installed_versions : "-");
            x += 13;
        }
        tui_put(y, x, 8, base, f->running && f->pid ? f->pid : "-");
        x += 9;
        tui_put(y, x, r.w - x, base, last[0] ? last : "-");
        free(cur);
    }
}

static void draw_detail(struct targets *ts, int y, int w)
{
    size_t sel = tui_list_selected(&ts->list);
    if (sel == TUI_LIST_NONE) {
        tui_put(y, 1, w - 2, TUI_ROLE_MUTED,
                ts->nrows ? ""
                          : "no target of this release in relman.yml (targets: NAME: {host, "
                            "path, release}; see docs/remote.md)");
        return;
    }
    const struct trow *row = &ts->rows[sel];
    if (!row->resolved) {
        tui_put(y, 1, w - 2, TUI_ROLE_ERROR, row->resolve_error);
        return;
    }
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_printf(&b, "%s@%s:%d  %s", row->t.ep.user ? row->t.ep.user : "?", row->t.ep.hostname,
                   row->t.ep.port, row->t.path);
    if (row->checked && row->f.error && !row->f.reachable)
        rel_buf_printf(&b, "  %s", row->f.error);
    else if (row->checked) {
        if (row->f.installed_versions)
            rel_buf_printf(&b, "  installed: %s", row->f.installed_versions);
        if (row->f.lock)
            rel_buf_printf(&b, "  LOCKED by %s", row->f.lock);
    }
    tui_put(y, 1, w - 2,
            row->checked && !row->f.reachable ? TUI_ROLE_ERROR
            : row->f.lock                     ? TUI_ROLE_WARNING
                                              : TUI_ROLE_MUTED,
            rel_buf_cstr(&b));
    rel_buf_free(&b);
}

static void draw_progress(struct targets *ts, int y, int w)
{
    struct tui_remote_job_progress p;
    tui_remote_job_progress(ts->remote, &p);
    if (p.running) {
        char line[600], sent[32], total[32];
        int n = snprintf(line, sizeof(line), "%s %s %s", p.title, tui_glyph(TUI_GLYPH_DOT),
                         p.step[0] ? p.step : "connecting");
        if (p.total && n > 0 && (size_t)n < sizeof(line))
            snprintf(line + n, sizeof(line) - (size_t)n, " %s / %s",
                     rel_size_human(sent, sizeof(sent), p.sent),
                     rel_size_human(total, sizeof(total), p.total));
        tui_putf(y, 1, w - 2, TUI_ROLE_ACCENT, "%s %s %.1f s", line, tui_glyph(TUI_GLYPH_DOT),
                 p.seconds);
    } else if (ts->last[0]) {
        tui_put(y, 1, w - 2, ts->last_error ? TUI_ROLE_ERROR : TUI_ROLE_OK, ts->last);
    }
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct targets *ts = v->data;
    /* targets on top (at most half), a detail line, the progress line, the log */
    int want = (int)ts->nrows + 1;
    int top_h = want < 2 ? 2 : want;
    int max_top = (r.h - 4) / 2;
    if (max_top < 2)
        max_top = 2;
    if (top_h > max_top)
        top_h = max_top;
    draw_targets(ts, (struct tui_rect){r.y, 0, top_h, r.w});
    int y = r.y + top_h;
    draw_detail(ts, y++, r.w);
    draw_progress(ts, y++, r.w);
    char rule[64];
    snprintf(rule, sizeof(rule), " commands%s ", ts->log.dropped ? " (older ones dropped)" : "");
    tui_hline(y, 0, r.w, ts->focus == 1 ? TUI_ROLE_ACCENT : TUI_ROLE_BORDER);
    tui_put(y, 2, r.w - 4, ts->focus == 1 ? TUI_ROLE_ACCENT : TUI_ROLE_BORDER, rule);
    y++;
    tui_cmdlog_draw(&ts->log, (struct tui_rect){y, 0, r.y + r.h - y, r.w}, ts->focus == 1);
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct targets *ts = v->data;
    size_t running = 0, marked = 0;
    for (size_t i = 0; i < ts->nrows; i++) {
        running += ts->rows[i].checked && ts->rows[i].f.running;
        marked += ts->rows[i].marked;
    }
    rel_buf_printf(out, "%zu target%s", ts->nrows, ts->nrows == 1 ? "" : "s");
    if (ts->refreshed_ms)
        rel_buf_printf(out, " %s %zu running", tui_glyph(TUI_GLYPH_DOT), running);
    if (marked)
        rel_buf_printf(out, " %s %zu marked", tui_glyph(TUI_GLYPH_DOT), marked);
    if (tui_remote_job_busy(ts->remote))
        rel_buf_printf(out, " %s working", tui_glyph(TUI_GLYPH_DOT));
}

/* ---- the interval refresh -------------------------------------------------------- */

/* Each second: ask again when the interval passed since the last answer,
 * nothing runs, no question is open and no key came just now. */
static int on_tick(void *ctx, int fd, short revents)
{
    (void)revents;
    struct targets *ts = ctx;
    unsigned long long ticks;
    if (read(fd, &ticks, sizeof(ticks)) < 0)
        return TUI_R_NONE;
    long now = tui_targets_now_ms();
    if (tui_remote_job_busy(ts->remote) || tui_modal_open() || ts->pending ||
        now - ts->refreshed_ms < ts->auto_ms || now - ts->input_ms < AUTO_IDLE_MS ||
        !ts->refreshed_ms)
        return TUI_R_NONE;
    tui_targets_refresh_quiet(ts);
    return TUI_R_REDRAW;
}

static void auto_stop(struct targets *ts)
{
    if (ts->tick_fd < 0)
        return;
    tui_unwatch(ts->tick_fd);
    close(ts->tick_fd);
    ts->tick_fd = -1;
}

static int auto_start(struct targets *ts)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "timerfd");
    struct itimerspec it = {{1, 0}, {1, 0}};
    if (timerfd_settime(fd, 0, &it, NULL) < 0 || tui_watch(fd, POLLIN, on_tick, ts) < 0) {
        close(fd);
        return rel_error_code() ? rel_error_code() : REL_EIO;
    }
    ts->tick_fd = fd;
    return 0;
}

/* RELMAN_TUI_REFRESH: seconds between refreshes, 0 (or off) for none. */
static long auto_interval_ms(void)
{
    const char *s = getenv("RELMAN_TUI_REFRESH");
    if (!s || !s[0])
        return AUTO_DEFAULT_S * 1000L;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 0 || v > 86400)
        return 0;
    return v * 1000L;
}

static int toggle_auto(struct targets *ts)
{
    if (ts->tick_fd >= 0) {
        auto_stop(ts);
        tui_message("auto-refresh off (r asks the targets again)");
        return TUI_R_REDRAW;
    }
    if (ts->auto_ms <= 0)
        ts->auto_ms = AUTO_DEFAULT_S * 1000L;
    if (auto_start(ts) < 0) {
        tui_core_error("auto-refresh");
        return TUI_R_REDRAW;
    }
    tui_message("auto-refresh every %ld s while idle (w stops it)", ts->auto_ms / 1000);
    return TUI_R_REDRAW;
}

/* ---- the view ---------------------------------------------------------------------- */

static int action(struct tui_view *v, enum tui_action a)
{
    struct targets *ts = v->data;
    bool busy = tui_remote_job_busy(ts->remote);
    ts->input_ms = tui_targets_now_ms();
    switch (a) {
    case TUI_ACT_AUTO_REFRESH:
        return toggle_auto(ts);
    case TUI_ACT_NEXT_PANE:
        ts->focus = !ts->focus;
        return TUI_R_REDRAW;
    case TUI_ACT_OPEN:
        open_details(ts);
        return TUI_R_REDRAW;
    case TUI_ACT_MARK: {
        size_t sel = tui_list_selected(&ts->list);
        if (sel != TUI_LIST_NONE) {
            ts->rows[sel].marked = !ts->rows[sel].marked;
            tui_list_action(&ts->list, TUI_ACT_MOVE_DOWN);
        }
        return TUI_R_REDRAW;
    }
    case TUI_ACT_REFRESH:
        if (busy)
            return busy_message(ts);
        load_rows(ts);
        tui_targets_refresh(ts);
        return TUI_R_REDRAW;
    case TUI_ACT_DEPLOY:
        return busy ? busy_message(ts) : start_deploy(ts);
    case TUI_ACT_START_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_START);
    case TUI_ACT_STOP_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_STOP);
    case TUI_ACT_RESTART_NODE:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_NODE, REL_NODE_RESTART);
    case TUI_ACT_ROLLBACK:
        return busy ? busy_message(ts) : ask_node_action(ts, OP_ROLLBACK, REL_NODE_STATUS);
    case TUI_ACT_LOGS:
        return busy ? busy_message(ts) : start_simple(ts, OP_LOGS, false);
    case TUI_ACT_LOGS_FOLLOW:
        return busy ? busy_message(ts) : start_simple(ts, OP_LOGS, true);
    case TUI_ACT_ATTACH:
        return busy ? busy_message(ts) : start_simple(ts, OP_CONNECT, false);
    case TUI_ACT_BACK:
        if ((ts->focus == 0 ? ts->list.filter[0] : ts->log.list.filter[0]))
            return TUI_R_UNHANDLED;
        if (busy && ts->op && ts->op->kind != OP_STATUS && ts->op->kind != OP_LOGS &&
            ts->op->kind != OP_PREPARE) {
            tui_message("'%s' runs to its end (a deploy or node action is never left half "
                        "done); close the screen after",
                        tui_targets_op_verb(ts->op));
            return TUI_R_REDRAW;
        }
        if (busy)
            tui_remote_job_cancel(ts->remote);
        return TUI_R_UNHANDLED;
    case TUI_ACT_MOVE_LAST:
        if (ts->focus == 1)
            ts->log.follow = true;
        return TUI_R_UNHANDLED;
    case TUI_ACT_MOVE_UP:
    case TUI_ACT_PAGE_UP:
    case TUI_ACT_MOVE_FIRST:
        if (ts->focus == 1)
            ts->log.follow = false;
        return TUI_R_UNHANDLED;
    default:
        return TUI_R_UNHANDLED;
    }
}

static int reload(struct tui_view *v)
{
    struct targets *ts = v->data;
    if (tui_remote_job_busy(ts->remote))
        return 0; /* the rows are in use; `r` re-reads them after */
    load_rows(ts);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct targets *ts = v->data;
    return ts->focus == 1 ? &ts->log.list : &ts->list;
}

static void destroy(struct tui_view *v)
{
    struct targets *ts = v->data;
    auto_stop(ts);
    if (ts->follow_view)
        tui_logview_detach(ts->follow_view);
    tui_remote_job_set_output(ts->remote, NULL, NULL);
    tui_modal_cancel(ts);
    tui_targets_op_free(ts->pending);
    tui_remote_job_cancel(ts->remote);
    tui_remote_job_free(ts->remote); /* waits for the job; its done() is not called */
    if (ts->op)
        tui_targets_op_free(ts->op);
    if (ts->pinned)
        tui_project_unpin(ts->tp);
    free_rows(ts);
    tui_list_free(&ts->list);
    tui_cmdlog_free(&ts->log);
    free(ts->audit_file);
    free(ts);
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct targets *ts = ctx;
    if (i >= ts->nrows)
        return "";
    const struct trow *row = &ts->rows[i];
    snprintf(buf, size, "%s %s", row->name, row->resolved ? row->t.ep.hostname : "");
    return buf;
}

static const struct tui_view_ops targets_ops = {
    .scope = TUI_SCOPEID_TARGETS,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_targets_open(struct tui_project *tp, const char *release)
{
    struct targets *ts = rel_calloc(1, sizeof(*ts));
    ts->tp = tp;
    snprintf(ts->release, sizeof(ts->release), "%s", release);
    tui_list_init(&ts->list, row_text, NULL, ts);
    tui_cmdlog_init(&ts->log);
    tui_remote_job_new(&ts->remote, &ts->log);
    ts->audit_file = rel_audit_file(tui_project_core(tp)->root);
    load_rows(ts);
    ts->tick_fd = -1;
    ts->auto_ms = auto_interval_ms();
    if (ts->auto_ms > 0 && auto_start(ts) < 0)
        rel_error_clear(); /* no interval refresh: r still asks */
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s targets", release, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&targets_ops, ts, crumb);
    tui_targets_refresh(ts);
    return 0;
}
