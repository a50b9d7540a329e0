/*
 * deploy.c - the deploy and rollback operations (see deploy.h): one state
 * machine per host, written as a runner `next` function. Each state issues
 * one remote command (or a probe or a wait); the next call reads its result.
 *
 * Quoting: every value that comes from the user, the tarball or the host
 * (paths, names, versions, link targets, env) goes through rel_shell_quote().
 * Link targets read back from the host are also checked to be of the form
 * releases/NAME before they are used.
 */
#include "deploy.h"

#include "audit.h"
#include "events.h"
#include "health.h"
#include "layout.h"
#include "runner.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/shell.h"
#include "core/tarball.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RELEASES 10000

/* In each release directory unpack made: the sha256 of the tarball it came
 * from, so that a deploy of the same tarball finds it already running. */
#define SHA_FILE ".relman-sha256"

struct rel_deploy {
    char *tarball;
    char *release;
    char *version;
    char sha256[65];
    uint64_t size;
    char stamp[16];
    char *dirname; /* VSN-STAMP */
    char *who;
    int keep, health_tcp, health_timeout;
    bool force;
    char *audit_file;
    const struct rel_remote_events *events;
};

/* ---- local helpers ------------------------------------------------------- */

static int sha256_file(char out[65], uint64_t *size, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rel_error_set_errno(errno == ENOENT ? REL_ENOTFOUND : REL_EIO, errno,
                                   "cannot open tarball %s", path);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    char *buf = rel_malloc(1 << 16);
    int rc = 0;
    *size = 0;
    for (;;) {
        ssize_t n = read(fd, buf, 1 << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rel_error_set_errno(REL_EIO, errno, "cannot read tarball %s", path);
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        *size += (uint64_t)n;
    }
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(ctx);
    free(buf);
    close(fd);
    return rc;
}

int rel_deploy_new(struct rel_deploy **out, const struct rel_deploy_opts *o)
{
    *out = NULL;
    struct rel_deploy *d = rel_calloc(1, sizeof(*d));
    d->tarball = rel_strdup(o->tarball);
    d->release = rel_strdup(o->release);
    d->keep = o->keep > 0 ? o->keep : 5;
    d->health_tcp = o->health_tcp;
    d->health_timeout = o->health_timeout > 0 ? o->health_timeout : 30;
    d->force = o->force;
    d->audit_file = o->audit_file ? rel_strdup(o->audit_file) : NULL;
    d->events = o->events;
    d->who = rel_layout_who();
    rel_layout_stamp(d->stamp);

    int rc = sha256_file(d->sha256, &d->size, o->tarball);
    struct rel_tar_entry *entries = NULL;
    size_t n = 0;
    struct rel_buf data = REL_BUF_INIT;
    if (rc == 0)
        rc = rel_tarball_list(&entries, &n, o->tarball, NULL);
    if (rc < 0)
        goto cleanup;
    /* The tarball is unpacked by tar on the host: refuse anything unsafe
     * here (what relman's own extraction refuses: also duplicates, writes
     * through a symlink, sizes), where the message can name the entry. */
    if ((rc = rel_tarball_check(entries, n, NULL)) < 0) {
        rel_error_prefix("tarball %s", o->tarball);
        goto cleanup;
    }
    char *bin = rel_asprintf("bin/%s", o->release);
    bool have_bin = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(entries[i].path, bin) == 0 && entries[i].type == REL_TAR_FILE)
            have_bin = true;
    free(bin);
    if (!have_bin) {
        rc = rel_error_set(REL_EFORMAT, "tarball %s has no bin/%s: is it a release of %s?",
                           o->tarball, o->release, o->release);
        goto cleanup;
    }
    const char *names[] = {"releases/start_erl.data"};
    bool found = false;
    rc = rel_tarball_read_members(o->tarball, names, 1, &data, &found, 4096);
    if (rc == 0 && !found)
        rc = rel_error_set(REL_EFORMAT, "tarball %s has no releases/start_erl.data", o->tarball);
    if (rc < 0)
        goto cleanup;
    /* "ERTS_VSN REL_VSN" */
    const char *txt = rel_buf_cstr(&data);
    const char *sp = strchr(txt, ' ');
    size_t vlen = sp ? strcspn(sp + 1, " \r\n") : 0;
    d->version = sp ? rel_strndup(sp + 1, vlen) : rel_strdup("");
    if (!rel_layout_valid_version(d->version)) {
        rc = rel_error_set(REL_EFORMAT,
                           "tarball %s: releases/start_erl.data does not name a usable version "
                           "('%s')",
                           o->tarball, d->version);
        goto cleanup;
    }
    d->dirname = rel_asprintf("%s-%s", d->version, d->stamp);
cleanup:
    rel_tarball_entries_free(entries, n);
    rel_buf_free(&data);
    if (rc < 0) {
        rel_deploy_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

const char *rel_deploy_version(const struct rel_deploy *d)
{
    return d->version;
}

const char *rel_deploy_sha256(const struct rel_deploy *d)
{
    return d->sha256;
}

uint64_t rel_deploy_size(const struct rel_deploy *d)
{
    return d->size;
}

const char *rel_deploy_dirname(const struct rel_deploy *d)
{
    return d->dirname;
}

void rel_deploy_free(struct rel_deploy *d)
{
    if (!d)
        return;
    free(d->tarball);
    free(d->release);
    free(d->version);
    free(d->dirname);
    free(d->who);
    free(d->audit_file);
    free(d);
}

/* ---- remote command builders ---------------------------------------------- */

static void q(struct rel_buf *b, const char *s)
{
    rel_shell_quote(b, s);
}

/* Path under PATH, quoted. */
static void qp(struct rel_buf *b, const struct rel_remote_target *t, const char *rel)
{
    rel_layout_path(b, t, rel);
}

/* ---- the deploy state machine ----------------------------------------------- */

enum dstate {
    D_CONNECTED,
    D_LOCKED,
    D_INSPECTED,
    D_SAME_PID, /* current holds this tarball: does its node run? */
    D_UPLOADED,
    D_VERIFIED,
    D_UNPACKED,
    D_OLD_PID,
    D_SWITCHED,
    D_OLD_STOPPED,
    D_STARTED,
    D_HEALTH,
    D_CLEANED,
    D_AUDITED,
    D_UNLOCKED,
    /* after a failure */
    F_NEW_PID,
    F_NEW_PID_WAIT,
    F_NEW_STOPPED,
    F_SWITCHED_BACK,
    F_OLD_STARTED,
    F_OLD_HEALTH,
    F_CLEANED,
    F_AUDITED,
    F_UNLOCKED,
};

struct dhost {
    struct rel_deploy *d;
    const struct rel_remote_target *t;
    enum dstate st;
    bool locked, switched, new_started, unpacked;
    const char *phase;     /* the step it is in ("upload", "health"): what a cancel interrupts */
    int64_t boot_deadline; /* interrupted while the new node boots: wait for it until then */
    char *old_current, *old_previous; /* "releases/X" or NULL */
    char *old_pid;
    char **releases;
    size_t nreleases;
    bool have_tarball;
    bool same;       /* current holds this tarball */
    char *same_node; /* ... and this process runs its boot script (pid), or NULL */
    int fd;
    char *part;       /* shared/tarballs/SHA.tar.gz.part-STAMP */
    struct rel_health health;
    int fail_rc;
    char *fail_msg;   /* the first failure */
    char *fail_extra; /* what recovery did or could not do */
    const char *outcome;
};

static void dhost_free(void *op)
{
    struct dhost *h = op;
    if (!h)
        return;
    free(h->old_current);
    free(h->old_previous);
    free(h->old_pid);
    free(h->same_node);
    for (size_t i = 0; i < h->nreleases; i++)
        free(h->releases[i]);
    free(h->releases);
    if (h->fd >= 0)
        close(h->fd);
    free(h->part);
    rel_health_free(&h->health);
    free(h->fail_msg);
    free(h->fail_extra);
    free(h);
}

static void exec_act(struct rel_action *act, char *command)
{
    act->kind = REL_ACT_EXEC;
    act->command = command;
}

static void step(struct dhost *h, const char *name, const char *detail)
{
    h->phase = name;
    rel_remote_step(h->d->events, h->t->name, name, "%s", detail);
}

/* Describe a failed command: "what: `...` exited N: last stderr line". */
static void remember_failure(struct dhost *h, struct rel_job *j, const char *what)
{
    if (h->fail_msg)
        return;
    char line[512];
    if (j->last_rc == REL_ECANCELED) {
        h->fail_rc = REL_ECANCELED;
        h->fail_msg = rel_asprintf("%s: interrupted at %s (canceled)", h->t->name,
                                   h->phase ? h->phase : what);
    } else if (j->last_rc < 0) {
        h->fail_rc = j->last_rc;
        h->fail_msg = rel_asprintf("%s: %s", what, j->last_error ? j->last_error : "failed");
    } else {
        h->fail_rc = REL_ECHILD;
        const char *why = j->last_err[0] ? rel_layout_last_line(j->last_err, line, sizeof(line))
                                         : rel_layout_last_line(j->last_out, line, sizeof(line));
        h->fail_msg = rel_asprintf("%s: %s: %s failed (exit status %d)%s%s", h->t->name, what,
                                   "remote command", j->last_status, *why ? ": " : "", why);
    }
}

static void add_extra(struct dhost *h, const char *text)
{
    char *e = h->fail_extra ? rel_asprintf("%s; %s", h->fail_extra, text) : rel_strdup(text);
    free(h->fail_extra);
    h->fail_extra = e;
}

static char *audit_line(struct dhost *h, const char *result)
{
    char *what = rel_asprintf("deploy %s %s (%s)", h->d->release, h->d->version, h->d->dirname);
    char *line = rel_audit_line(h->t->name, what, h->d->who, result);
    free(what);
    return line;
}

static char *audit_cmd(struct dhost *h, const char *line)
{
    return rel_audit_remote_cmd(h->t, line);
}

static void local_audit(struct dhost *h, const char *line)
{
    rel_audit_local_note(h->d->audit_file, h->d->events, h->t->name, line);
}

static char *unlock_cmd(struct dhost *h)
{
    return rel_layout_unlock_cmd(h->t);
}

/* Append the command removing what this run made and did not switch to:
 * the partial upload, the temporary directory and, with `unpacked`, the
 * unpacked release (its name has this run's stamp). */
static void remove_leftovers(struct rel_buf *b, struct dhost *h, bool unpacked)
{
    rel_buf_puts(b, "cd ");
    qp(b, h->t, "");
    rel_buf_puts(b, " && rm -rf ");
    char *tmp = rel_asprintf("releases/.tmp-%s", h->d->dirname);
    q(b, tmp);
    free(tmp);
    rel_buf_putc(b, ' ');
    q(b, h->part);
    if (unpacked) {
        char *dir = rel_asprintf("releases/%s", h->d->dirname);
        rel_buf_putc(b, ' ');
        q(b, dir);
        free(dir);
    }
}

/* Start the failure path: undo what was done, in reverse. */
static int fail_next(struct dhost *h, struct rel_job *j, struct rel_action *act);

static int begin_failure(struct dhost *h, struct rel_job *j, struct rel_action *act,
                         const char *what)
{
    remember_failure(h, j, what);
    if (h->fd >= 0) {
        close(h->fd);
        h->fd = -1;
    }
    if (!h->locked) {
        /* Nothing of ours is on the host. */
        return rel_error_set(h->fail_rc, "%s", h->fail_msg);
    }
    if (h->switched) {
        step(h, "rollback", "switching back and restarting the previous release");
        if (h->new_started) {
            h->st = F_NEW_PID;
            h->boot_deadline = rel_ssh_now_ms() + (int64_t)h->d->health_timeout * 1000;
            exec_act(act, rel_layout_pid_cmd(h->t, "current"));
            return 0;
        }
        h->st = F_NEW_STOPPED;
        j->last_rc = 0;
        return fail_next(h, j, act);
    }
    h->st = F_CLEANED;
    struct rel_buf b = REL_BUF_INIT;
    remove_leftovers(&b, h, h->unpacked);
    exec_act(act, rel_buf_detach(&b));
    return 0;
}

static int finish_failure(struct dhost *h)
{
    if (h->fail_extra)
        return rel_error_set(h->fail_rc, "%s; %s", h->fail_msg, h->fail_extra);
    return rel_error_set(h->fail_rc, "%s", h->fail_msg);
}

static int fail_next(struct dhost *h, struct rel_job *j, struct rel_action *act)
{
    switch (h->st) {
    case F_NEW_PID: {
        char *pid =
            j->last_rc == 0 && j->last_status == 0 ? rel_layout_parse_pid(j->last_out) : NULL;
        /* Interrupted before the new node answered: it may still be booting
         * (it would then take the name and port the old one needs); ask
         * again until it answers, as long as its health check would have. */
        if (!pid && h->fail_rc == REL_ECANCELED && rel_ssh_now_ms() < h->boot_deadline) {
            h->st = F_NEW_PID_WAIT;
            act->kind = REL_ACT_SLEEP;
            act->sleep_ms = 500;
            return 0;
        }
        h->st = F_NEW_STOPPED;
        if (pid) {
            char *dir = rel_asprintf("releases/%s", h->d->dirname);
            exec_act(act, rel_layout_stop_cmd(h->t, dir, pid));
            free(dir);
            free(pid);
            return 0;
        }
        j->last_rc = 0;
        return fail_next(h, j, act);
    }
    case F_NEW_PID_WAIT:
        h->st = F_NEW_PID;
        exec_act(act, rel_layout_pid_cmd(h->t, "current"));
        return 0;
    case F_NEW_STOPPED: {
        if (j->last_rc < 0 || j->last_status != 0)
            add_extra(h, "the new node may still be running");
        h->st = F_SWITCHED_BACK;
        exec_act(act, rel_layout_switch_cmd(h->t, h->old_current, true, h->old_previous));
        return 0;
    }
    case F_SWITCHED_BACK:
        if (j->last_rc < 0 || j->last_status != 0) {
            add_extra(h, "switching `current` back FAILED: check the host");
            h->outcome = "failed";
            h->st = F_CLEANED;
            j->last_rc = 0;
            return fail_next(h, j, act);
        }
        h->switched = false;
        h->outcome = "rolled back";
        if (h->old_current && h->old_pid) {
            h->st = F_OLD_STARTED;
            exec_act(act, rel_layout_daemon_cmd(h->t, "current"));
            return 0;
        }
        {
            char *e = h->old_current ? rel_asprintf("rolled back to %s", h->old_current)
                                     : rel_strdup("rolled back (no release is current)");
            add_extra(h, e);
            free(e);
        }
        h->st = F_CLEANED;
        j->last_rc = 0;
        return fail_next(h, j, act);
    case F_OLD_STARTED:
        if (j->last_rc < 0 || j->last_status != 0) {
            char *e = rel_asprintf("rolled back to %s but it did not start again", h->old_current);
            add_extra(h, e);
            free(e);
            h->st = F_CLEANED;
            j->last_rc = 0;
            return fail_next(h, j, act);
        }
        rel_health_free(&h->health);
        rel_health_init(&h->health, h->t, "current", h->d->health_tcp, h->d->health_timeout);
        h->st = F_OLD_HEALTH;
        /* fall through */
    case F_OLD_HEALTH: {
        int r = rel_health_next(&h->health, j, act);
        if (r == 1)
            return 0;
        char *e = r == 0 ? rel_asprintf("rolled back to %s (running again)", h->old_current)
                         : rel_asprintf("rolled back to %s but it is not healthy: %s",
                                        h->old_current, rel_error_message());
        add_extra(h, e);
        free(e);
        h->st = F_CLEANED;
        j->last_rc = 0;
        return fail_next(h, j, act);
    }
    case F_CLEANED: {
        char *result = rel_asprintf("FAILED: %s%s%s", h->fail_msg, h->fail_extra ? "; " : "",
                                    h->fail_extra ? h->fail_extra : "");
        char *line = audit_line(h, result);
        local_audit(h, line);
        h->st = F_AUDITED;
        exec_act(act, audit_cmd(h, line));
        free(line);
        free(result);
        return 0;
    }
    case F_AUDITED:
        h->st = F_UNLOCKED;
        exec_act(act, unlock_cmd(h));
        return 0;
    case F_UNLOCKED:
        if (j->last_rc < 0 || j->last_status != 0) {
            char *p = rel_asprintf("%s/shared/lock", h->t->path);
            char *e = rel_asprintf("could not release the deploy lock: %s is still there (remove "
                                   "it once nobody deploys: relman unlock %s)",
                                   p, h->t->name);
            add_extra(h, e);
            free(e);
            free(p);
        }
        h->locked = false;
        if (!h->outcome)
            h->outcome = "failed";
        return finish_failure(h);
    default:
        return rel_error_set(REL_EINVAL, "deploy: bad failure state %d", (int)h->st);
    }
}

/* Releases to delete: keep the newest `keep` (by stamp), never current or
 * previous; directories not named VSN-STAMP are left alone. */
static char *cleanup_cmd(struct dhost *h)
{
    const char *current = h->d->dirname;
    /* `previous` is what current was, or (a first switch sets no previous)
     * what it already pointed at */
    const char *prev_link = h->old_current ? h->old_current : h->old_previous;
    const char *previous = prev_link ? prev_link + 9 : NULL;
    char **list = rel_calloc(h->nreleases + 2, sizeof(char *));
    size_t n = 0;
    bool have_new = false;
    for (size_t i = 0; i < h->nreleases; i++) {
        char *vsn;
        const char *stamp;
        if (rel_layout_parse_release_dir(h->releases[i], &vsn, &stamp)) {
            list[n++] = h->releases[i];
            have_new = have_new || strcmp(h->releases[i], current) == 0;
        }
        free(vsn);
    }
    if (!have_new)
        list[n++] = (char *)current;
    qsort(list, n, sizeof(char *), rel_layout_release_cmp_desc);
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_puts(&b, "cd ");
    qp(&b, h->t, "releases");
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < n; i++) {
        bool pinned = strcmp(list[i], current) == 0 || (previous && strcmp(list[i], previous) == 0);
        if (pinned || kept < (size_t)h->d->keep) {
            kept++;
            continue;
        }
        rel_buf_puts(&b, removed++ ? " " : " && rm -rf -- ");
        q(&b, list[i]);
    }
    rel_buf_puts(&b, " && cd ");
    qp(&b, h->t, "shared/tarballs");
    rel_buf_printf(&b,
                   " && ls -t | grep -E '^[0-9a-f]{64}\\.tar\\.gz$' | tail -n +%d | "
                   "while read -r f; do rm -f -- \"$f\"; done; true",
                   h->d->keep + 1);
    free(list);
    if (removed)
        rel_remote_note(h->d->events, h->t->name, "removing %zu old release(s)", removed);
    return rel_buf_detach(&b);
}

static int parse_inspect(struct dhost *h, const char *out)
{
    char *copy = rel_strdup(out);
    int rc = 0;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "current=", 8) == 0 && line[8]) {
            h->old_current = rel_layout_checked_link(line + 8);
            if (!h->old_current)
                rc = rel_error_set(REL_EUNSAFE, "%s: %s/current points to '%s', not releases/NAME",
                                   h->t->name, h->t->path, line + 8);
        } else if (strncmp(line, "previous=", 9) == 0 && line[9]) {
            h->old_previous = rel_layout_checked_link(line + 9);
        } else if (strncmp(line, "release=", 8) == 0 && h->nreleases < MAX_RELEASES) {
            h->releases = rel_reallocarray(h->releases, h->nreleases + 1, sizeof(char *));
            h->releases[h->nreleases++] = rel_strdup(line + 8);
        } else if (strncmp(line, "have=", 5) == 0) {
            h->have_tarball = strncmp(line + 5, h->d->sha256, 64) == 0;
        } else if (strcmp(line, "same=1") == 0) {
            h->same = true;
        } else if (strncmp(line, "node=", 5) == 0 && !h->same_node) {
            h->same_node = rel_layout_parse_pid(line + 5);
        }
    }
    free(copy);
    return rc;
}

static char *lock_cmd(struct dhost *h)
{
    char *what = rel_asprintf("deploy %s %s", h->d->release, h->d->version);
    char *cmd = rel_layout_lock_cmd(h->t, what);
    free(what);
    return cmd;
}

static char *inspect_cmd(struct dhost *h)
{
    struct rel_buf b = REL_BUF_INIT;
    char *tarball = rel_asprintf("shared/tarballs/%s.tar.gz", h->d->sha256);
    rel_buf_puts(&b, "cd ");
    qp(&b, h->t, "");
    /* we hold the lock: leftovers of interrupted runs can go */
    rel_buf_puts(&b, " && rm -rf releases/.tmp-* shared/tarballs/*.part-* && ");
    rel_layout_read_links(&b);
    rel_buf_puts(&b, " && ");
    rel_layout_list_releases(&b);
    /* Does `current` hold this tarball already (and then: does a VM run
     * its boot script)? Only otherwise is an uploaded tarball checksummed. */
    rel_buf_puts(&b, " && f=");
    q(&b, tarball);
    rel_buf_puts(&b, " && if ");
    if (!h->d->force) {
        rel_buf_puts(&b, "[ -L current ] && [ \"$(cat current/" SHA_FILE " 2>/dev/null)\" = ");
        q(&b, h->d->sha256);
        rel_buf_puts(&b, " ]; then echo same=1; r=$(cd current && pwd -P) && { grep -lszxF -- "
                         "\"$r/releases/\"");
        q(&b, h->d->version);
        rel_buf_puts(&b, "/start /proc/[0-9]*/cmdline | sed -n "
                         "'s,^/proc/\\([0-9]*\\)/cmdline$,node=\\1,p' || true; }; elif ");
    }
    rel_buf_puts(&b, "[ -f \"$f\" ]; then printf 'have=%s\\n' \"$(sha256sum < \"$f\")\"; fi");
    free(tarball);
    return rel_buf_detach(&b);
}

static int upload_act(struct dhost *h, struct rel_action *act)
{
    h->fd = open(h->d->tarball, O_RDONLY | O_CLOEXEC);
    if (h->fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot open tarball %s", h->d->tarball);
    act->kind = REL_ACT_UPLOAD;
    act->path = rel_asprintf("%s/%s", h->t->path, h->part);
    act->stdin_fd = h->fd;
    act->stdin_size = h->d->size;
    return 0;
}

static char *verify_cmd(struct dhost *h)
{
    struct rel_buf b = REL_BUF_INIT;
    char *final = rel_asprintf("%s.tar.gz", h->d->sha256);
    const char *part = strrchr(h->part, '/') + 1;
    rel_buf_puts(&b, "cd ");
    qp(&b, h->t, "shared/tarballs");
    rel_buf_puts(&b, " && s=$(sha256sum < ");
    q(&b, part);
    rel_buf_puts(&b, ") && if [ \"${s%% *}\" != ");
    q(&b, h->d->sha256);
    rel_buf_puts(&b, " ]; then echo \"checksum mismatch after upload: got ${s%% *}\" >&2; exit 1; "
                     "fi && mv -f ");
    q(&b, part);
    rel_buf_putc(&b, ' ');
    q(&b, final);
    free(final);
    return rel_buf_detach(&b);
}

static char *unpack_cmd(struct dhost *h)
{
    struct rel_buf b = REL_BUF_INIT;
    char *tmp = rel_asprintf(".tmp-%s", h->d->dirname);
    char *tarball = rel_asprintf("../shared/tarballs/%s.tar.gz", h->d->sha256);
    char *bin = rel_asprintf("bin/%s", h->d->release);
    char *reldir = rel_asprintf("releases/%s", h->d->version);
    rel_buf_puts(&b, "set -e; cd ");
    qp(&b, h->t, "releases");
    rel_buf_puts(&b, "; d=");
    q(&b, tmp);
    rel_buf_puts(&b, "; mkdir \"$d\"; touch ");
    q(&b, tarball);
    rel_buf_puts(&b, "; tar -xzf ");
    q(&b, tarball);
    /* no setuid/setgid program or directory comes out of a tarball */
    rel_buf_puts(&b, " -C \"$d\" --no-same-owner; chmod -R u-s,g-s \"$d\"; if [ ! -x \"$d\"/");
    q(&b, bin);
    rel_buf_puts(&b, " ]; then echo \"the release has no executable ");
    rel_buf_puts(&b, "bin/NAME\" >&2; exit 1; fi; if [ ! -d \"$d\"/");
    q(&b, reldir);
    rel_buf_puts(&b, " ]; then echo \"the release has no releases/VSN directory\" >&2; exit 1; fi; "
                     "v=$(\"$d\"/");
    q(&b, bin);
    rel_buf_puts(&b, " version 2>&1) || { echo \"bin/NAME version failed: $v\" >&2; exit 1; }; "
                     "case \" $v\" in *' '");
    q(&b, h->d->version);
    rel_buf_puts(&b, ") ;; *) echo \"bin/NAME version says '$v'\" >&2; exit 1 ;; esac; "
                     "if [ -e ");
    q(&b, h->d->dirname);
    /* The unpacked files reach the disk before the directory gets its
     * name (and before `current` can point at it): a power cut must not
     * leave a switched release of empty files. */
    rel_buf_puts(&b, " ]; then echo 'release directory exists already' >&2; exit 1; fi; "
                     "printf '%s\\n' ");
    q(&b, h->d->sha256);
    rel_buf_puts(&b, " > \"$d\"/" SHA_FILE "; sync -f \"$d\" 2>/dev/null || sync; mv -T \"$d\" ");
    q(&b, h->d->dirname);
    free(tmp);
    free(tarball);
    free(bin);
    free(reldir);
    return rel_buf_detach(&b);
}

static char *switch_cmd(struct dhost *h)
{
    char *target = rel_asprintf("releases/%s", h->d->dirname);
    char *cmd = rel_layout_switch_cmd(h->t, target, h->old_current != NULL, h->old_current);
    free(target);
    return cmd;
}

/* The host runs this tarball already: nothing to do but say so. */
static int already_running(struct dhost *h, struct rel_action *act)
{
    char *what = rel_asprintf("already running %s %s (%s, pid %s): nothing to do (--force "
                              "deploys it again)",
                              h->d->release, h->d->version, h->old_current, h->same_node);
    rel_remote_note(h->d->events, h->t->name, "%s", what);
    h->outcome = "already running";
    char *result = rel_asprintf("no change: already running %s", h->old_current);
    char *line = audit_line(h, result);
    free(result);
    local_audit(h, line);
    /* one command for both: this path is the one an operator waits on */
    char *audit = audit_cmd(h, line), *unlock = unlock_cmd(h);
    h->st = D_UNLOCKED;
    exec_act(act, rel_asprintf("{ %s; } || echo 'relman: appending to the audit log failed' >&2; %s",
                               audit, unlock));
    free(audit);
    free(unlock);
    free(line);
    free(what);
    return 0;
}

/* Upload the tarball, or unpack the copy the host has. */
static int begin_upload(struct dhost *h, struct rel_job *j, struct rel_action *act)
{
    if (h->have_tarball) {
        rel_remote_note(h->d->events, h->t->name,
                        "tarball %.12s... already on the host: not uploading", h->d->sha256);
        step(h, "unpack", h->d->dirname);
        h->st = D_UNPACKED;
        exec_act(act, unpack_cmd(h));
        return 0;
    }
    step(h, "upload", h->d->tarball);
    h->st = D_UPLOADED;
    int rc = upload_act(h, act);
    if (rc < 0) {
        j->last_rc = rc;
        j->last_error = rel_error_message();
        return begin_failure(h, j, act, "upload");
    }
    return 0;
}

static int deploy_step(struct rel_job *j, struct rel_action *act)
{
    struct dhost *h = j->op;
    if (h->st >= F_NEW_PID)
        return fail_next(h, j, act);
    switch (h->st) {
    case D_CONNECTED:
        if (j->last_rc < 0) {
            h->outcome = "failed";
            return rel_error_set(j->last_rc, "%s", j->last_error);
        }
        step(h, "lock", "taking the deploy lock");
        h->st = D_LOCKED;
        exec_act(act, lock_cmd(h));
        return 0;
    case D_LOCKED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "cannot take the deploy lock");
        if (rel_layout_lock_result(h->t, j->last_out) < 0) {
            h->outcome = "failed";
            return REL_ELOCKED;
        }
        h->locked = true;
        h->st = D_INSPECTED;
        exec_act(act, inspect_cmd(h));
        return 0;
    case D_INSPECTED: {
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "cannot inspect the deploy directory");
        int rc = parse_inspect(h, j->last_out);
        if (rc < 0) {
            j->last_rc = rc;
            j->last_error = rel_error_message();
            return begin_failure(h, j, act, "inspect");
        }
        if (h->same && !h->d->force) {
            if (h->same_node)
                return already_running(h, act);
            /* not found by its boot script (a mix script, a boot script
             * env.sh chose): ask the node */
            h->st = D_SAME_PID;
            exec_act(act, rel_layout_pid_cmd(h->t, "current"));
            return 0;
        }
        return begin_upload(h, j, act);
    }
    case D_SAME_PID:
        if (j->last_rc == 0 && j->last_status == 0) {
            free(h->same_node);
            h->same_node = rel_layout_parse_pid(j->last_out);
            if (h->same_node)
                return already_running(h, act);
        }
        return begin_upload(h, j, act);
    case D_UPLOADED:
        close(h->fd);
        h->fd = -1;
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "upload");
        h->st = D_VERIFIED;
        exec_act(act, verify_cmd(h));
        return 0;
    case D_VERIFIED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "checking the uploaded tarball");
        step(h, "unpack", h->d->dirname);
        h->st = D_UNPACKED;
        exec_act(act, unpack_cmd(h));
        return 0;
    case D_UNPACKED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "unpacking and checking the release");
        h->unpacked = true;
        h->st = D_OLD_PID;
        if (h->old_current) {
            exec_act(act, rel_layout_pid_cmd(h->t, "current"));
            return 0;
        }
        j->last_rc = 0;
        j->last_status = 1;
        return deploy_step(j, act);
    case D_OLD_PID:
        if (j->last_rc < 0)
            return begin_failure(h, j, act, "checking the running node");
        h->old_pid = j->last_status == 0 ? rel_layout_parse_pid(j->last_out) : NULL;
        h->phase = "switch";
        rel_remote_step(h->d->events, h->t->name, "switch", "current -> releases/%s",
                        h->d->dirname);
        h->st = D_SWITCHED;
        exec_act(act, switch_cmd(h));
        return 0;
    case D_SWITCHED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "switching `current`");
        h->switched = true;
        h->st = D_OLD_STOPPED;
        if (h->old_pid) {
            step(h, "stop", h->old_current);
            exec_act(act, rel_layout_stop_cmd(h->t, h->old_current, h->old_pid));
            return 0;
        }
        j->last_rc = 0;
        j->last_status = 0;
        return deploy_step(j, act);
    case D_OLD_STOPPED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "stopping the old node");
        h->phase = "start";
        rel_remote_step(h->d->events, h->t->name, "start", "releases/%s", h->d->dirname);
        h->st = D_STARTED;
        h->new_started = true;
        exec_act(act, rel_layout_daemon_cmd(h->t, "current"));
        return 0;
    case D_STARTED:
        if (j->last_rc < 0 || j->last_status != 0)
            return begin_failure(h, j, act, "starting the new node");
        step(h, "health", "waiting for the node");
        rel_health_init(&h->health, h->t, "current", h->d->health_tcp, h->d->health_timeout);
        h->st = D_HEALTH;
        /* fall through */
    case D_HEALTH: {
        int r = rel_health_next(&h->health, j, act);
        if (r == 1)
            return 0;
        if (r < 0) {
            j->last_rc = r;
            j->last_error = rel_error_message();
            if (r != REL_ECANCELED) {
                h->fail_rc = r;
                h->fail_msg = rel_strdup(rel_error_message());
            }
            return begin_failure(h, j, act, "health check");
        }
        step(h, "cleanup", "old releases");
        h->st = D_CLEANED;
        exec_act(act, cleanup_cmd(h));
        return 0;
    }
    case D_CLEANED: {
        if (j->last_rc < 0 || j->last_status != 0)
            rel_remote_note(h->d->events, h->t->name, "cleaning old releases failed: %s",
                            j->last_rc < 0 ? j->last_error : j->last_err);
        char *result = h->old_current ? rel_asprintf("ok (previous %s)", h->old_current)
                                      : rel_strdup("ok (first release)");
        char *line = audit_line(h, result);
        local_audit(h, line);
        h->st = D_AUDITED;
        exec_act(act, audit_cmd(h, line));
        free(line);
        free(result);
        return 0;
    }
    case D_AUDITED:
        if (j->last_rc < 0 || j->last_status != 0)
            rel_remote_note(h->d->events, h->t->name, "appending to the host's audit log failed");
        h->st = D_UNLOCKED;
        exec_act(act, unlock_cmd(h));
        return 0;
    case D_UNLOCKED:
        if (j->last_rc == 0 && strstr(j->last_err, "appending to the audit log failed"))
            rel_remote_note(h->d->events, h->t->name, "appending to the host's audit log failed");
        if (j->last_rc < 0 || j->last_status != 0)
            rel_remote_note(h->d->events, h->t->name,
                            "could not remove the deploy lock %s/shared/lock", h->t->path);
        h->locked = false;
        if (!h->outcome)
            h->outcome = "deployed";
        act->kind = REL_ACT_DONE;
        return 0;
    default:
        return rel_error_set(REL_EINVAL, "deploy: bad state %d", (int)h->st);
    }
}

/* Once the new release is healthy, and on the way back from a failure,
 * every action is finishing: a cancel does not skip it. */
static int deploy_next(struct rel_job *j, struct rel_action *act)
{
    int rc = deploy_step(j, act);
    const struct dhost *h = j->op;
    if (rc == 0 && h->st >= D_CLEANED)
        act->finishing = true;
    return rc;
}

static const char *deploy_phase(const struct rel_job *j)
{
    const struct dhost *h = j->op;
    return h->phase ? h->phase : "connect";
}

/* A second signal: no undo; remove what this run left half made, say so in
 * the audit logs, release the lock (the host keeps the release `current`
 * points to, verified or not). */
static char *deploy_abandon(struct rel_job *j)
{
    struct dhost *h = j->op;
    if (!h->locked)
        return NULL;
    char *result =
        rel_asprintf("FAILED: %s: interrupted twice at %s: not undone%s", h->t->name,
                     deploy_phase(j), h->switched ? " (current may be an unverified release)" : "");
    char *line = audit_line(h, result);
    local_audit(h, line);
    struct rel_buf b = REL_BUF_INIT;
    remove_leftovers(&b, h, h->unpacked && !h->switched);
    char *audit = audit_cmd(h, line), *unlock = unlock_cmd(h);
    rel_buf_printf(&b, "; %s; %s", audit, unlock);
    free(audit);
    free(unlock);
    free(line);
    free(result);
    h->outcome = "interrupted";
    return rel_buf_detach(&b);
}

static const struct rel_op_ops deploy_ops = {
    .next = deploy_next, .free = dhost_free, .phase = deploy_phase, .abandon = deploy_abandon};

void rel_deploy_add(struct rel_deploy *d, struct rel_runner *r, const struct rel_remote_target *t)
{
    struct dhost *h = rel_calloc(1, sizeof(*h));
    h->d = d;
    h->t = t;
    h->fd = -1;
    h->part = rel_asprintf("shared/tarballs/%s.tar.gz.part-%s", d->sha256, d->stamp);
    h->st = D_CONNECTED;
    rel_runner_add(r, t, &deploy_ops, h);
}

const char *rel_deploy_previous(const struct rel_job *j)
{
    const struct dhost *h = j->op;
    return h ? h->old_current : NULL;
}

const char *rel_deploy_outcome(const struct rel_job *j)
{
    const struct dhost *h = j->op;
    if (!j->started)
        return "not started";
    return h && h->outcome ? h->outcome : (j->result == 0 ? "deployed" : "failed");
}
