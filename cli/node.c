/*
 * node.c - node control on targets: `relman start|stop|restart|pid|version|
 * status|logs|rpc|unlock` and `relman releases --remote` (logic:
 * remote/node.c).
 */
#include "cli.h"
#include "remote_cli.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/json.h"
#include "remote/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run `op` on the targets named in argv[optind..]. */
static int run_node_op(struct cli_remote *c, int argc, char **argv, struct rel_node_opts *o,
                       struct rel_runner **out)
{
    int rc = cli_remote_load(c, argv + optind, (size_t)(argc - optind), NULL);
    if (rc != CLI_OK)
        return rc;
    const char *question = rel_node_op_info(o->op)->question;
    if (question && (rc = cli_remote_confirm(c, question)) != CLI_OK)
        return rc;
    o->health_tcp = c->cfg->deploy.health_tcp;
    o->health_timeout = c->cfg->deploy.health_timeout;
    o->audit_file = c->audit_file;
    o->events = &c->events;
    struct rel_runner_opts ro;
    cli_remote_runner_opts(c, &ro);
    /* what changes a node is interrupted cleanly; queries just end */
    if (rel_node_op_info(o->op)->changes)
        cli_remote_catch_signals(c, &ro);
    rel_runner_new(out, &ro);
    for (size_t i = 0; i < c->ntargets; i++)
        rel_node_add(*out, &c->targets[i], o);
    rel_runner_run(*out);
    return CLI_OK;
}

/* `pid --json`, `version TARGET --json`: [{"target", KEY, "error"}...] */
static void print_outputs_json(struct rel_runner *r, const char *key)
{
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json js;
    rel_json_init(&js, &out, true);
    rel_json_array_begin(&js);
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        const struct rel_node_result *res = j->result < 0 ? NULL : rel_node_result(j);
        char *text = res && res->output ? rel_strdup(res->output) : NULL;
        if (text)
            text[strcspn(text, "\n")] = '\0';
        rel_json_object_begin(&js);
        rel_json_kv_string(&js, "target", j->target->name);
        if (text && text[0] && strcmp(key, "pid") == 0 &&
            strspn(text, "0123456789") == strlen(text))
            rel_json_kv_int(&js, key, atoll(text));
        else
            rel_json_kv_string(&js, key, text && text[0] ? text : NULL);
        rel_json_kv_string(&js, "error", j->result < 0 ? j->message : NULL);
        rel_json_object_end(&js);
        free(text);
    }
    rel_json_array_end(&js);
    if (rel_json_finish(&js) == 0)
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    fflush(stdout);
}

static int simple(enum rel_node_op op, int argc, char **argv)
{
    struct cli_remote c = {.cmd = rel_node_op_info(op)->name};
    struct rel_runner *r = NULL;
    struct rel_node_opts o = {.op = op};
    bool json_ok = op == REL_NODE_PID || op == REL_NODE_VERSION;
    int rc = cli_remote_options(&c, argc, argv, json_ok);
    if (rc == CLI_OK)
        rc = run_node_op(&c, argc, argv, &o, &r);
    if (rc == CLI_OK && c.json) {
        print_outputs_json(r, op == REL_NODE_PID ? "pid" : "version");
        rc = cli_remote_failures(&c, r);
    } else if (rc == CLI_OK) {
        bool many = rel_runner_count(r) > 1;
        for (size_t i = 0; i < rel_runner_count(r); i++) {
            const struct rel_job *j = rel_runner_job(r, i);
            if (j->result < 0)
                continue;
            const struct rel_node_result *res = rel_node_result(j);
            const char *name = j->target->name;
            switch (op) {
            case REL_NODE_PID:
            case REL_NODE_VERSION:
            case REL_NODE_RPC: {
                const char *out = res->output ? res->output : "";
                if (many)
                    printf("%s: ", name);
                cli_remote_fputs(stdout, out, REL_ESCAPE_KEEP_LINES);
                if (*out && out[strlen(out) - 1] != '\n')
                    putchar('\n');
                break;
            }
            case REL_NODE_START:
            case REL_NODE_STOP:
            case REL_NODE_RESTART:
            case REL_NODE_UNLOCK:
                printf("%s: ", name);
                cli_remote_fputs(stdout, res->note ? res->note : rel_node_op_info(op)->done, 0);
                putchar('\n');
                break;
            default:
                break;
            }
        }
        fflush(stdout);
        rc = cli_remote_exit(&c, cli_remote_failures(&c, r));
    }
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}

int cmd_start(int argc, char **argv)
{
    return simple(REL_NODE_START, argc, argv);
}

int cmd_stop(int argc, char **argv)
{
    return simple(REL_NODE_STOP, argc, argv);
}

int cmd_restart(int argc, char **argv)
{
    return simple(REL_NODE_RESTART, argc, argv);
}

int cmd_pid(int argc, char **argv)
{
    return simple(REL_NODE_PID, argc, argv);
}

int cmd_node_version(int argc, char **argv)
{
    return simple(REL_NODE_VERSION, argc, argv);
}

int cmd_unlock(int argc, char **argv)
{
    return simple(REL_NODE_UNLOCK, argc, argv);
}

int cmd_rpc(int argc, char **argv)
{
    struct cli_remote c = {.cmd = "rpc"};
    int rc = cli_remote_options(&c, argc, argv, false);
    if (rc != CLI_OK)
        return rc;
    if (argc - optind != 2)
        return cli_usage_error("rpc", "usage: relman rpc TARGET EXPR");
    struct rel_node_opts o = {.op = REL_NODE_RPC, .expr = argv[argc - 1]};
    struct rel_runner *r = NULL;
    rc = run_node_op(&c, argc - 1, argv, &o, &r);
    if (rc == CLI_OK) {
        const struct rel_job *j = rel_runner_job(r, 0);
        const struct rel_node_result *res = j ? rel_node_result(j) : NULL;
        if (res && res->output) {
            cli_remote_fputs(stdout, res->output, REL_ESCAPE_KEEP_LINES);
            fflush(stdout);
        }
        /* what the node said on failure, its control characters escaped */
        if (j && j->result < 0 && res && res->errout && res->errout[0])
            cli_remote_fputs(stderr, res->errout, REL_ESCAPE_KEEP_LINES);
        rc = cli_remote_failures(&c, r);
    }
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}

int cmd_logs(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_REMOTE_LONGOPTS,
        {"follow", no_argument, NULL, 'f'},
        {"lines", required_argument, NULL, 'n'},
        {"raw", no_argument, NULL, CLI_OPT_RAW},
        {NULL, 0, NULL, 0},
    };
    struct cli_remote c = {.cmd = "logs"};
    struct rel_node_opts o = {.op = REL_NODE_LOGS, .lines = 100};
    int opt;
    while ((opt = cli_getopt(argc, argv, "yvfn:", longopts)) != -1) {
        if (opt == -2)
            return CLI_USAGE;
        if (cli_remote_option(&c, opt, optarg))
            continue;
        if (opt == 'f') {
            o.follow = true;
        } else if (opt == CLI_OPT_RAW) {
            c.raw = true;
        } else if (opt == 'n') {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 1000000)
                return cli_usage_error("logs", "-n needs a number of lines (1 to 1000000)");
            o.lines = (int)n;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("logs", "name one target");
    struct rel_runner *r = NULL;
    int rc = run_node_op(&c, argc, argv, &o, &r);
    if (rc == CLI_OK) {
        const struct rel_job *j = rel_runner_job(r, 0);
        if (j && j->result == 0 && !o.follow) {
            const char *out = rel_node_result(j)->output;
            if (c.raw)
                fputs(out ? out : "", stdout);
            else
                cli_remote_fputs(stdout, out, REL_ESCAPE_KEEP_LINES);
            fflush(stdout);
        }
        rc = cli_remote_failures(&c, r);
    }
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}

/* What a node reached over distribution reports (status --json). */
static void live_json(struct rel_json *js, const struct rel_node_live *L)
{
    rel_json_kv_string(js, "node", L->node);
    rel_json_kv_string(js, "release_name", L->release_name);
    rel_json_kv_string(js, "release_version", L->release_version);
    rel_json_kv_int(js, "uptime_ms", L->uptime_ms);
    rel_json_key(js, "memory");
    rel_json_object_begin(js);
    rel_json_kv_int(js, "total", L->mem_total);
    rel_json_kv_int(js, "processes", L->mem_processes);
    rel_json_kv_int(js, "binary", L->mem_binary);
    rel_json_kv_int(js, "ets", L->mem_ets);
    rel_json_kv_int(js, "atom", L->mem_atom);
    rel_json_object_end(js);
    rel_json_kv_int(js, "process_count", L->processes);
    rel_json_kv_int(js, "port_count", L->ports);
    rel_json_kv_int(js, "run_queue", L->run_queue);
    rel_json_kv_int(js, "schedulers", L->schedulers);
    rel_json_key(js, "applications");
    rel_json_array_begin(js);
    for (size_t i = 0; i < L->napps; i++) {
        const char *sp = strchr(L->apps[i], ' ');
        rel_json_object_begin(js);
        char *name = rel_strndup(L->apps[i], sp ? (size_t)(sp - L->apps[i]) : strlen(L->apps[i]));
        rel_json_kv_string(js, "name", name);
        rel_json_kv_string(js, "version", sp ? sp + 1 : NULL);
        free(name);
        rel_json_object_end(js);
    }
    rel_json_array_end(js);
}

static void status_json(struct rel_runner *r, struct rel_buf *out)
{
    struct rel_json js;
    rel_json_init(&js, out, true);
    rel_json_array_begin(&js);
    for (size_t i = 0; i < rel_runner_count(r); i++) {
        const struct rel_job *j = rel_runner_job(r, i);
        const struct rel_node_result *res = rel_node_result(j);
        rel_json_object_begin(&js);
        rel_json_kv_string(&js, "target", j->target->name);
        rel_json_kv_string(&js, "host", j->target->ep.hostname);
        rel_json_kv_int(&js, "port", j->target->ep.port);
        rel_json_kv_string(&js, "user", j->target->ep.user);
        rel_json_kv_string(&js, "path", j->target->path);
        rel_json_kv_string(&js, "release", j->target->release);
        rel_json_kv_bool(&js, "reachable", res->reachable);
        rel_json_kv_bool(&js, "installed", res->installed);
        rel_json_kv_bool(&js, "running", res->running);
        rel_json_key(&js, "pid");
        if (res->pid)
            rel_json_int(&js, atoll(res->pid));
        else
            rel_json_null(&js);
        const char *vsn = res->version ? strrchr(res->version, ' ') : NULL;
        rel_json_kv_string(&js, "version", vsn ? vsn + 1 : res->version);
        rel_json_kv_string(&js, "current", res->current);
        rel_json_kv_string(&js, "previous", res->previous);
        rel_json_kv_string(&js, "lock", res->lock);
        rel_json_kv_string(&js, "last_deploy", res->last_deploy);
        rel_json_key(&js, "releases");
        rel_json_array_begin(&js);
        for (size_t k = 0; k < res->nreleases; k++)
            rel_json_string(&js, res->releases[k]);
        rel_json_array_end(&js);
        rel_json_kv_string(&js, "via", res->via);
        if (res->dist_note)
            rel_json_kv_string(&js, "distribution_note", res->dist_note);
        if (res->live.valid)
            live_json(&js, &res->live);
        rel_json_kv_string(&js, "error", j->result < 0 ? j->message : NULL);
        rel_json_object_end(&js);
    }
    rel_json_array_end(&js);
    rel_json_finish(&js);
}

int cmd_status(int argc, char **argv)
{
    struct cli_remote c = {.cmd = "status"};
    struct rel_runner *r = NULL;
    struct rel_node_opts o = {.op = REL_NODE_STATUS};
    int rc = cli_remote_options(&c, argc, argv, true);
    if (rc == CLI_OK)
        rc = run_node_op(&c, argc, argv, &o, &r);
    if (rc == CLI_OK) {
        if (c.json) {
            struct rel_buf out = REL_BUF_INIT;
            status_json(r, &out);
            fputs(rel_buf_cstr(&out), stdout);
            rel_buf_free(&out);
        } else {
            for (size_t i = 0; i < rel_runner_count(r); i++) {
                const struct rel_job *j = rel_runner_job(r, i);
                const struct rel_node_result *res = rel_node_result(j);
                if (j->result < 0) {
                    printf("%-12s unreachable\n", j->target->name);
                    continue;
                }
                const char *state = !res->installed ? "not deployed"
                                    : res->running  ? "running"
                                                    : "stopped";
                char *vsn = cli_remote_field(res->version), *cur = cli_remote_field(res->current),
                     *lock = res->lock ? cli_remote_field(res->lock) : NULL;
                printf("%-12s %-12s %-20s pid %-8s current %s%s%s\n", j->target->name, state, vsn,
                       res->pid ? res->pid : "-", cur, lock ? "  LOCKED by " : "",
                       lock ? lock : "");
                if (res->live.valid) {
                    char *node = cli_remote_field(res->live.node);
                    printf("%-12s node %s  up %llds  memory %lld MB  processes %lld  ports %lld  "
                           "run queue %lld  %zu applications (asked over distribution)\n",
                           "", node, res->live.uptime_ms / 1000,
                           res->live.mem_total / (1024 * 1024), res->live.processes,
                           res->live.ports, res->live.run_queue, res->live.napps);
                    free(node);
                }
                free(vsn);
                free(cur);
                free(lock);
            }
        }
        fflush(stdout);
        rc = cli_remote_failures(&c, r);
    }
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}

int cmd_releases_remote(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_REMOTE_LONGOPTS,
                                             {"remote", required_argument, NULL, CLI_OPT_REMOTE},
                                             {"json", no_argument, NULL, CLI_OPT_JSON},
                                             {NULL, 0, NULL, 0}};
    struct cli_remote c = {.cmd = "releases"};
    char *names[1] = {NULL};
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "yv", longopts)) != -1) {
        if (opt == -2)
            return CLI_USAGE;
        if (opt == CLI_OPT_REMOTE)
            names[0] = optarg;
        else
            cli_remote_option(&c, opt, optarg);
    }
    if (!names[0] || optind != argc)
        return cli_usage_error("releases", "usage: relman releases --remote TARGET");
    int rc = cli_remote_load(&c, names, 1, NULL);
    struct rel_runner *r = NULL;
    if (rc == CLI_OK) {
        struct rel_node_opts o = {.op = REL_NODE_RELEASES, .events = &c.events};
        struct rel_runner_opts ro;
        cli_remote_runner_opts(&c, &ro);
        rel_runner_new(&r, &ro);
        for (size_t i = 0; i < c.ntargets; i++)
            rel_node_add(r, &c.targets[i], &o);
        rel_runner_run(r);
        for (size_t i = 0; i < rel_runner_count(r); i++) {
            const struct rel_job *j = rel_runner_job(r, i);
            if (j->result < 0)
                continue;
            const struct rel_node_result *res = rel_node_result(j);
            if (c.json) {
                struct rel_buf out = REL_BUF_INIT;
                struct rel_json js;
                rel_json_init(&js, &out, true);
                rel_json_object_begin(&js);
                rel_json_kv_string(&js, "target", j->target->name);
                rel_json_kv_string(&js, "current", res->current);
                rel_json_kv_string(&js, "previous", res->previous);
                rel_json_key(&js, "releases");
                rel_json_array_begin(&js);
                for (size_t k = 0; k < res->nreleases; k++)
                    rel_json_string(&js, res->releases[k]);
                rel_json_array_end(&js);
                rel_json_object_end(&js);
                rel_json_finish(&js);
                fputs(rel_buf_cstr(&out), stdout);
                rel_buf_free(&out);
                continue;
            }
            if (res->nreleases == 0)
                printf("%s: no releases in %s/releases\n", j->target->name, j->target->path);
            for (size_t k = 0; k < res->nreleases; k++) {
                const char *rel = res->releases[k];
                bool cur = res->current && strcmp(res->current + 9, rel) == 0;
                bool prev = res->previous && strcmp(res->previous + 9, rel) == 0;
                char *name = cli_remote_field(rel);
                printf("%s %s%s\n", cur ? "*" : " ", name,
                       cur    ? "  (current)"
                       : prev ? "  (previous)"
                              : "");
                free(name);
            }
        }
        fflush(stdout);
        rc = cli_remote_failures(&c, r);
    }
    rel_runner_free(r);
    cli_remote_free(&c);
    return rc;
}
