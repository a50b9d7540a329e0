/*
 * bench/nodeq.c - per-query cost of asking a running node over distribution
 * through an SSH connection (remote/nodelink), for bench/deploy.sh's live rows.
 *
 *   nodeq SSH_CONFIG HOST NODE COOKIE_FILE EPMD_PORT N
 *
 * Connects to HOST as the client configuration says, opens one link to NODE
 * (its epmd and distribution port reached from the server's side), then asks
 * N times what `relman status` asks (os:getpid, memory, counts, the
 * applications: 9 calls) and prints "QUERIES MEDIAN_US MIN_US MAX_US" for one
 * whole status query. The cookie is read from COOKIE_FILE, never an
 * argument.
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/term.h"
#include "remote/node.h"
#include "remote/nodelink.h"
#include "remote/ssh.h"
#include "remote/sshconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* what `relman status` asks (remote/node.c) */
#define calls rel_node_status_calls
#define NCALLS rel_node_status_ncalls

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: nodeq SSH_CONFIG HOST NODE COOKIE_FILE EPMD_PORT N\n");
        return 2;
    }
    int n = atoi(argv[6]);
    struct rel_buf cookie = REL_BUF_INIT;
    if (rel_fs_read_file(&cookie, argv[4], 4096) < 0) {
        fprintf(stderr, "nodeq: %s\n", rel_error_message());
        return 1;
    }
    while (cookie.len && (cookie.ptr[cookie.len - 1] == '\n'))
        rel_buf_truncate(&cookie, cookie.len - 1);
    struct rel_ssh_endpoint ep;
    struct rel_sshconfig_query q = {.host = argv[2], .config_file = argv[1]};
    struct rel_ssh_opts so;
    rel_ssh_opts_init(&so);
    so.label = argv[2];
    struct rel_ssh_session *s = NULL;
    if (rel_sshconfig_resolve(&ep, &q) < 0 || rel_ssh_session_new(&s, &ep, &so) < 0 ||
        rel_ssh_drive(s, rel_ssh_session_step_cb, s) < 0) {
        fprintf(stderr, "nodeq: %s\n", rel_error_message());
        return 1;
    }
    struct rel_nodelink_opts o = {.node = argv[3],
                                  .cookie = rel_buf_cstr(&cookie),
                                  .host = "127.0.0.1",
                                  .epmd_port = atoi(argv[5]),
                                  .timeout_ms = 5000,
                                  .ssh = s};
    struct rel_nodelink *l = NULL;
    if (rel_nodelink_open(&l, &o) < 0) {
        fprintf(stderr, "nodeq: %s\n", rel_error_message());
        return 1;
    }
    struct rel_term *args[32];
    for (size_t i = 0; i < NCALLS; i++) {
        char text[64];
        snprintf(text, sizeof(text), "%s.", calls[i].args);
        if (rel_term_parse_one(&args[i], text, strlen(text), "nodeq") < 0)
            return 1;
    }
    double *t = calloc((size_t)n, sizeof(double));
    for (int k = 0; k < n; k++) {
        double t0 = now_us();
        for (size_t i = 0; i < NCALLS; i++) {
            struct rel_term *r = NULL;
            if (rel_nodelink_call(l, calls[i].mod, calls[i].fun, args[i], 5000, &r) < 0) {
                fprintf(stderr, "nodeq: %s\n", rel_error_message());
                return 1;
            }
            rel_term_free(r);
        }
        t[k] = now_us() - t0;
    }
    qsort(t, (size_t)n, sizeof(double), cmp);
    printf("%d %.0f %.0f %.0f\n", n, t[n / 2], t[0], t[n - 1]);
    rel_nodelink_free(l);
    rel_ssh_session_free(s);
    rel_sshconfig_free(&ep);
    rel_buf_free(&cookie);
    free(t);
    return 0;
}
