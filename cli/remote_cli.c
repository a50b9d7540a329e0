/*
 * remote_cli.c - shared plumbing of the remote commands (see remote_cli.h).
 *
 * Output discipline: results go to stdout (pid, version, status, rpc, logs);
 * what relman is doing goes to stderr, prefixed with the target's name:
 * steps and notes always (unless -q), every remote command with -v
 * ("web1: $ command", then its exit status and, on failure, the tail of its
 * stderr).
 */
#include "remote_cli.h"

#include "cli.h"
#include "progress.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/escape.h"
#include "remote/audit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- printing what hosts say ------------------------------------------------ */

void cli_remote_fputs(FILE *f, const char *text, unsigned flags)
{
    if (!text)
        return;
    size_t len = strlen(text);
    if (!rel_escape_needed(text, len, flags)) {
        fputs(text, f);
        return;
    }
    struct rel_buf b = REL_BUF_INIT;
    rel_escape_text(&b, text, len, flags);
    fputs(rel_buf_cstr(&b), f);
    rel_buf_free(&b);
}

/* The escaped copy of a one-line field (malloc'd; "-" for NULL). */
char *cli_remote_field(const char *text)
{
    return rel_escape_dup(text ? text : "-", 0);
}

/* ---- printing events ----------------------------------------------------- */

static void clear_progress(struct cli_remote *c)
{
    if (c->progress_shown) {
        fputs("\r\033[K", stderr);
        c->progress_shown = 0;
    }
}

static void ev_command_begin(void *ctx, const char *host, const char *command)
{
    struct cli_remote *c = ctx;
    if (cli_globals.verbose < 1)
        return;
    clear_progress(c);
    fprintf(stderr, "%s: $ ", host);
    cli_remote_fputs(stderr, command, 0);
    fputc('\n', stderr);
}

static void print_tail(const char *host, const char *text)
{
    /* the last few lines, indented */
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    const char *start = end;
    int lines = 0;
    while (start > text && lines < 8) {
        start--;
        if (*start == '\n')
            lines++;
    }
    if (*start == '\n')
        start++;
    while (start < end) {
        const char *nl = memchr(start, '\n', (size_t)(end - start));
        size_t len = nl ? (size_t)(nl - start) : (size_t)(end - start);
        struct rel_buf line = REL_BUF_INIT;
        rel_escape_text(&line, start, len, 0);
        fprintf(stderr, "%s:   | %s\n", host, rel_buf_cstr(&line));
        rel_buf_free(&line);
        start += len + (nl ? 1 : 0);
    }
}

static void ev_command_end(void *ctx, const struct rel_remote_command *cmd)
{
    struct cli_remote *c = ctx;
    if (cli_globals.verbose < 1)
        return;
    clear_progress(c);
    if (cmd->error) {
        fprintf(stderr, "%s: -> failed after %.2f s: ", cmd->host, cmd->seconds);
        cli_remote_fputs(stderr, cmd->error, 0);
        fputc('\n', stderr);
    } else if (cmd->signal)
        fprintf(stderr, "%s: -> killed by SIG%s (%.2f s)\n", cmd->host, cmd->signal, cmd->seconds);
    else
        fprintf(stderr, "%s: -> exit %d (%.2f s)\n", cmd->host, cmd->exit_status, cmd->seconds);
    if ((cmd->error || cmd->exit_status != 0) && cmd->stderr_tail && cmd->stderr_tail[0])
        print_tail(cmd->host, cmd->stderr_tail);
}

static void ev_step(void *ctx, const char *host, const char *step, const char *detail)
{
    struct cli_remote *c = ctx;
    if (cli_globals.quiet || c->json)
        return;
    if (strcmp(step, "connect") == 0 && cli_globals.verbose < 1)
        return;
    clear_progress(c);
    fprintf(stderr, "%s: %s%s", host, step, detail && *detail ? ": " : "");
    cli_remote_fputs(stderr, detail, 0);
    fputc('\n', stderr);
}

static void ev_progress(void *ctx, const char *host, uint64_t done, uint64_t total, double seconds)
{
    struct cli_remote *c = ctx;
    if (cli_globals.quiet || c->json)
        return;
    double mb = (double)done / 1e6, rate = seconds > 0 ? mb / seconds : 0;
    bool end = total && done >= total;
    if (c->stderr_tty) {
        char text[128];
        fprintf(stderr, "\r\033[K%s: %s", host,
                cli_progress_bytes(text, sizeof(text), done, total, seconds));
        c->progress_shown = 1;
        if (end) {
            fputc('\n', stderr);
            c->progress_shown = 0;
        }
    } else if (end) {
        fprintf(stderr, "%s: sent %.1f MB in %.2f s (%.1f MB/s)\n", host, mb, seconds, rate);
    }
}

static void ev_note(void *ctx, const char *host, const char *message)
{
    struct cli_remote *c = ctx;
    if (cli_globals.quiet && !strstr(message, "added host key"))
        return;
    clear_progress(c);
    fprintf(stderr, "%s: ", host);
    cli_remote_fputs(stderr, message, 0);
    fputc('\n', stderr);
}

static void ev_output(void *ctx, const char *host, const char *data, size_t len, int is_stderr)
{
    struct cli_remote *c = ctx;
    FILE *f = is_stderr ? stderr : stdout;
    if (c->raw) {
        fwrite(data, 1, len, f);
        fflush(f);
        return;
    }
    /* a character cut at the end of the last piece goes in front of this one */
    struct rel_buf in = REL_BUF_INIT, out = REL_BUF_INIT;
    rel_buf_put(&in, c->out_tail, c->out_tail_len);
    rel_buf_put(&in, data, len);
    size_t used = rel_escape_text(&out, in.ptr, in.len, REL_ESCAPE_KEEP_LINES | REL_ESCAPE_PARTIAL);
    c->out_tail_len = in.len - used;
    memcpy(c->out_tail, in.ptr + used, c->out_tail_len);
    fwrite(out.ptr, 1, out.len, f);
    fflush(f);
    rel_buf_free(&in);
    rel_buf_free(&out);
}

static const struct rel_remote_event_ops event_ops = {
    .command_begin = ev_command_begin,
    .command_end = ev_command_end,
    .step = ev_step,
    .progress = ev_progress,
    .note = ev_note,
    .output = ev_output,
};

/* ---- terminal prompts ---------------------------------------------------- */

/* Read one line from /dev/tty with the question on it; echo off for secrets.
 * Returns 0, or -1 when there is no terminal. */
static int tty_ask(const char *question, char *buf, size_t size, bool secret)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios old, quiet;
    bool restore = false;
    if (secret && tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    ssize_t w = write(fd, question, strlen(question));
    (void)w;
    size_t n = 0;
    char ch;
    while (n + 1 < size && read(fd, &ch, 1) == 1 && ch != '\n')
        buf[n++] = ch;
    buf[n] = '\0';
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &old);
        w = write(fd, "\n", 1);
    }
    close(fd);
    return 0;
}

static int prompt_hostkey(void *ctx, const struct rel_ssh_hostkey *key)
{
    struct cli_remote *c = ctx;
    clear_progress(c);
    char *q = rel_asprintf("The host key of %s (target %s) is not known.\n"
                           "%s key fingerprint is %s.\n"
                           "Add it to %s and connect? [y/N] ",
                           key->host, key->label, key->key_type, key->fingerprint,
                           key->known_hosts);
    char answer[16];
    int rc = tty_ask(q, answer, sizeof(answer), false);
    free(q);
    if (rc < 0)
        return 0;
    return strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0;
}

static int prompt_passphrase(void *ctx, const char *label, const char *key_file, int attempt,
                             char *buf, size_t size)
{
    struct cli_remote *c = ctx;
    clear_progress(c);
    char *q = rel_asprintf("%sPassphrase for %s (target %s): ", attempt > 1 ? "Try again. " : "",
                           key_file, label);
    int rc = tty_ask(q, buf, size, true);
    free(q);
    return rc < 0 || !buf[0] ? REL_ECANCELED : 0;
}

/* ---- loading --------------------------------------------------------------- */

bool cli_remote_option(struct cli_remote *c, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_SSH_CONFIG:
        c->ssh_config = arg;
        return true;
    case 'y':
    case CLI_OPT_YES:
        c->yes = true;
        return true;
    case 'v':
        cli_globals.verbose++;
        return true;
    case CLI_OPT_JSON:
        c->json = true;
        return true;
    default:
        return false;
    }
}

int cli_remote_options(struct cli_remote *c, int argc, char **argv, bool json)
{
    static const struct option longopts[] = {CLI_REMOTE_LONGOPTS, {NULL, 0, NULL, 0}};
    static const struct option longopts_json[] = {
        CLI_REMOTE_LONGOPTS, {"json", no_argument, NULL, CLI_OPT_JSON}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = cli_getopt(argc, argv, "yv", json ? longopts_json : longopts)) != -1) {
        if (opt == -2)
            return CLI_USAGE;
        cli_remote_option(c, opt, optarg);
    }
    return CLI_OK;
}

int cli_remote_load(struct cli_remote *c, char **names, size_t nnames, const char *release)
{
    c->events.ops = &event_ops;
    c->events.ctx = c;
    c->stderr_tty = isatty(STDERR_FILENO);
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        c->have_prompts = true;
        c->prompts.confirm_hostkey = prompt_hostkey;
        c->prompts.passphrase = prompt_passphrase;
    }
    if (nnames == 0)
        return cli_usage_error(c->cmd, "name at least one target or group");
    int rc = rel_config_load(&c->cfg, REL_CONFIG_FILE);
    if (rc == REL_ENOTFOUND)
        return cli_error("no %s here: remote commands need its `targets:` (run relman in the "
                         "project directory or use -C DIR)",
                         REL_CONFIG_FILE);
    if (rc < 0)
        return cli_core_error();
    if (release && !rel_config_find_release(c->cfg, release))
        return cli_error("%s: no release '%s'", c->cfg->file, release);
    rc = rel_targets_resolve(&c->targets, &c->ntargets, c->cfg, (const char *const *)names, nnames,
                             c->ssh_config, release);
    if (rc < 0)
        return cli_core_error();
    c->audit_file = rel_audit_file(c->cfg->dir);
    return CLI_OK;
}

void cli_remote_runner_opts(struct cli_remote *c, struct rel_runner_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->events = &c->events;
    o->prompts = c->have_prompts ? &c->prompts : NULL;
    o->prompt_ctx = c;
}

/* ---- interrupts ------------------------------------------------------------ */

static volatile sig_atomic_t signals_seen, last_signal;
static struct sigaction saved_int, saved_term, saved_hup;

static void on_signal(int sig)
{
    last_signal = sig;
    if (signals_seen < 2)
        signals_seen++;
}

static const char *signal_name(int sig)
{
    return sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGHUP  ? "SIGHUP"
                            : "a signal";
}

/* Whether `level` signals came (1: cancel, 2: abandon); says so once. */
static bool interrupted(struct cli_remote *c, int level)
{
    if (signals_seen >= level && c->told < level) {
        c->told = level;
        clear_progress(c);
        if (level == 1)
            fprintf(stderr,
                    "relman: %s: interrupted: each host finishes its current step (an upload is "
                    "cut), then undoes what is not verified and releases its lock (again to exit "
                    "at once)\n",
                    c->cmd);
        else
            fprintf(stderr,
                    "relman: %s: interrupted again: releasing the locks it holds (at most %d s), "
                    "then exiting; nothing is undone\n",
                    c->cmd, REL_RUNNER_ABANDON_MS / 1000);
    }
    return signals_seen >= level;
}

static bool cb_canceled(void *ctx)
{
    return interrupted(ctx, 1);
}

static bool cb_abandoned(void *ctx)
{
    return interrupted(ctx, 2);
}

void cli_remote_catch_signals(struct cli_remote *c, struct rel_runner_opts *o)
{
    o->canceled = cb_canceled;
    o->abandoned = cb_abandoned;
    o->cancel_ctx = c;
    if (c->catching)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() wakes up */
    signals_seen = 0;
    last_signal = 0;
    sigaction(SIGINT, &sa, &saved_int);
    sigaction(SIGTERM, &sa, &saved_term);
    sigaction(SIGHUP, &sa, &saved_hup);
    c->catching = true;
}

int cli_remote_exit(const struct cli_remote *c, int rc)
{
    if (c->catching && signals_seen) {
        fprintf(stderr, "relman: %s: interrupted by %s\n", c->cmd, signal_name(last_signal));
        return 128 + last_signal;
    }
    return rc;
}

int cli_remote_confirm(struct cli_remote *c, const char *question)
{
    if (c->yes)
        return CLI_OK;
    if (!isatty(STDIN_FILENO) || !c->have_prompts)
        return cli_usage_error(c->cmd, "%s changes the targets: confirm on a terminal or pass --yes",
                               c->cmd);
    char *q = rel_asprintf("%s [y/N] ", question);
    char answer[16];
    int rc = tty_ask(q, answer, sizeof(answer), false);
    free(q);
    if (rc == 0 && (strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0))
        return CLI_OK;
    return cli_error("%s: not confirmed", c->cmd);
}

int cli_remote_failures(struct cli_remote *c, struct rel_runner *r)
{
    size_t failed = 0, skipped = rel_runner_skipped(r);
    struct rel_buf names = REL_BUF_INIT;
    clear_progress(c);
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        /* hosts not started after a failed batch were reported as notes */
        if (j->result < 0 && j->started) {
            failed++;
            rel_buf_printf(&names, "%s%s", names.len ? ", " : "", j->target->name);
            char *msg = cli_remote_field(j->message ? j->message : "failed");
            cli_error("%s", msg);
            free(msg);
        }
    }
    if ((failed || skipped) && rel_runner_count(r) > 1) {
        if (skipped)
            cli_error("%s failed on %zu of %zu targets (%s); %zu not started", c->cmd, failed,
                      rel_runner_count(r), rel_buf_cstr(&names), skipped);
        else
            cli_error("%s failed on %zu of %zu targets (%s)", c->cmd, failed, rel_runner_count(r),
                      rel_buf_cstr(&names));
    }
    rel_buf_free(&names);
    return failed || skipped ? CLI_FAIL : CLI_OK;
}

void cli_remote_free(struct cli_remote *c)
{
    if (c->catching) {
        sigaction(SIGINT, &saved_int, NULL);
        sigaction(SIGTERM, &saved_term, NULL);
        sigaction(SIGHUP, &saved_hup, NULL);
    }
    rel_targets_free(c->targets, c->ntargets);
    rel_config_free(c->cfg);
    free(c->audit_file);
    memset(c, 0, sizeof(*c));
}
