/* Unit tests for remote/health.c: what one attempt's answer means (the
 * judge), and the attempt's command run for real with sh against a fake
 * release whose `bin/foo rpc` names a listening process: the /proc checks
 * tell the node's socket from another process's, and the release's node
 * from another program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "remote/health.h"
#include "remote/layout.h"
#include "remote/target.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct rel_remote_target target(const char *path)
{
    struct rel_remote_target t;
    memset(&t, 0, sizeof(t));
    t.name = rel_strdup("web1");
    t.path = rel_strdup(path);
    t.release = rel_strdup("foo");
    t.env = rel_calloc(1, sizeof(char *));
    t.health_set = true;
    t.health.timeout = 5;
    return t;
}

static void judged(struct rel_health *h, const char *out, const char *want_why)
{
    char *pid = NULL, *why = NULL;
    int rc = rel_health_judge(h, out, &pid, &why);
    if (!want_why) {
        if (rc != 0)
            fail_msg("not healthy: %s (answer: %s)", why, out);
        assert_string_equal(pid, "42");
    } else {
        assert_int_equal(rc, REL_ECHILD);
        assert_null(pid);
        if (!strstr(why, want_why))
            fail_msg("why: '%s', want '%s'", why, want_why);
    }
    free(pid);
    free(why);
}

static void judge(void **state)
{
    (void)state;
    struct rel_remote_target t = target("/srv/foo");
    t.health.apps = true;
    t.health.tcp = 4040;
    t.health.http_port = 8080;
    t.health.http_path = rel_strdup("/health");
    t.health.http_status = 200;
    t.health.http_body = rel_strdup("ok");
    t.health.rpc = rel_strdup("true");
    struct rel_health h;
    rel_health_init(&h, &t, "current", 0, 0);
    const char *good =
        "pid=42\napps=[]\nhttp=200\nbody=yes\nrpc=true\nnew=yes\nowner 4040=node\nowner 8080=node\n";
    judged(&h, good, NULL);
    judged(&h, "apps=[]\n", "no pid");
    judged(&h, "pid=42\napps=[]\nhttp=200\nbody=yes\nrpc=true\nnew=no /x\nowner 4040=node\n",
           "pid 42 is not a node of the release in current");
    judged(&h, "pid=42\nnew=yes\nowner 4040=other\nowner 8080=node\n",
           "port 4040 is held by another process, not by the node (pid 42)");
    judged(&h, "pid=42\nnew=yes\nowner 4040=node\nowner 8080=none\n", "nothing listens on port 8080");
    judged(&h, "pid=42\napps=[kv_server]\nnew=yes\nowner 4040=node\nowner 8080=node\n",
           "applications not started: [kv_server]");
    judged(&h, "pid=42\napps=[]\nhttp=500\nnew=yes\nowner 4040=node\nowner 8080=node\n",
           "GET /health on port 8080 answered 500, not 200");
    judged(&h, "pid=42\napps=[]\nhttp=econnrefused\nnew=yes\nowner 4040=node\nowner 8080=node\n",
           "answered econnrefused");
    judged(&h, "pid=42\napps=[]\nhttp=200\nbody=no\nnew=yes\nowner 4040=node\nowner 8080=node\n",
           "the body lacks 'ok'");
    judged(&h, "pid=42\napps=[]\nhttp=200\nbody=yes\nrpc=false\nnew=yes\nowner 4040=node\nowner 8080=node\n",
           "the rpc check returned false, not true");
    rel_health_free(&h);

    /* no target settings: `bin/NAME pid` alone, a bare pid is healthy */
    struct rel_remote_target plain = target("/srv/foo");
    plain.health_set = false;
    rel_health_init(&h, &plain, "current", 0, 3);
    char *cmd = rel_health_command(&h);
    assert_non_null(strstr(cmd, "/srv/foo/current/bin/foo pid"));
    assert_null(strstr(cmd, "rpc"));
    free(cmd);
    judged(&h, "42\n", NULL);
    rel_health_free(&h);
    rel_target_free(&plain);
    rel_target_free(&t);
}

/* A listener: python3 bound to a free port, with `tag` in its command line;
 * its port is written to `portfile`. */
static pid_t listener(const char *portfile, const char *tag)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("python3", "python3", "-c",
               "import socket, sys, time\n"
               "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
               "open(sys.argv[1] + '.t', 'w').write(str(s.getsockname()[1]))\n"
               "import os; os.rename(sys.argv[1] + '.t', sys.argv[1]); time.sleep(60)\n",
               portfile, tag, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && access(portfile, F_OK) != 0; i++)
        usleep(20000);
    return pid;
}

static int read_int(const char *path)
{
    FILE *f = fopen(path, "r");
    int v = 0;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

/* Run cmd as the runner does: when it starts with the env preamble, the
 * target's env script is its stdin (remote/layout.h). */
static char *run_on(const struct rel_remote_target *t, const char *cmd)
{
    char script[] = "/tmp/relman-test-health-env-XXXXXX";
    int fd = mkstemp(script);
    assert_true(fd >= 0);
    struct rel_buf env = REL_BUF_INIT, full = REL_BUF_INIT;
    if (rel_layout_wants_env(cmd))
        assert_int_equal(rel_layout_env_script(&env, t), 0);
    assert_true(write(fd, env.ptr ? env.ptr : "", env.len) == (ssize_t)env.len);
    close(fd);
    rel_buf_printf(&full, "( %s ) < '%s'", cmd, script);
    FILE *p = popen(rel_buf_cstr(&full), "r");
    rel_buf_free(&env);
    rel_buf_free(&full);
    struct rel_buf b = REL_BUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        rel_buf_put(&b, buf, n);
    pclose(p);
    unlink(script);
    return rel_buf_detach(&b);
}

static void command_on_proc(void **state)
{
    (void)state;
    if (access("/proc/net/tcp", R_OK) != 0 || system("command -v python3 >/dev/null") != 0)
        skip();
    char root[] = "/tmp/relman-test-health-XXXXXX";
    assert_non_null(mkdtemp(root));
    char rel[300], portfile[300], otherfile[300], cmd[1200];
    snprintf(rel, sizeof(rel), "%s/releases/1-20260101000000", root);
    snprintf(portfile, sizeof(portfile), "%s/port", root);
    snprintf(otherfile, sizeof(otherfile), "%s/other", root);
    char tag[400], ntag[400];
    snprintf(ntag, sizeof(ntag), "%s/lib", rel);
    pid_t node = listener(portfile, ntag); /* "the node": its command line names its release */
    snprintf(tag, sizeof(tag), "%s/elsewhere/", root);
    pid_t other = listener(otherfile, tag);
    int port = read_int(portfile), oport = read_int(otherfile);
    assert_true(port > 0 && oport > 0);
    /* bin/foo rpc answers like the node would, naming the listener's pid */
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/bin' && ln -s releases/1-20260101000000 '%s/current' && "
             "printf '#!/bin/sh\\necho pid=%d\\necho apps=[]\\n' > '%s/bin/foo' && "
             "chmod 755 '%s/bin/foo'",
             rel, root, (int)node, rel, rel);
    assert_int_equal(system(cmd), 0);

    struct rel_remote_target t = target(root);
    t.health.apps = true;
    t.health.tcp = port;
    struct rel_health h;
    rel_health_init(&h, &t, "current", 0, 0);
    char *c = rel_health_command(&h);
    char *out = run_on(&t, c);
    char *pid = NULL, *why = NULL;
    if (rel_health_judge(&h, out, &pid, &why) != 0)
        fail_msg("not healthy: %s; answer: %s", why, out);
    char want[32];
    snprintf(want, sizeof(want), "%d", (int)node);
    assert_string_equal(pid, want);
    free(pid);
    free(out);
    free(c);
    rel_health_free(&h);

    /* the port is another process's */
    t.health.tcp = oport;
    rel_health_init(&h, &t, "current", 0, 0);
    c = rel_health_command(&h);
    out = run_on(&t, c);
    assert_int_equal(rel_health_judge(&h, out, &pid, &why), REL_ECHILD);
    assert_non_null(strstr(why, "is held by another process"));
    free(why);
    free(out);
    free(c);
    rel_health_free(&h);

    /* the pid is not the release's */
    snprintf(cmd, sizeof(cmd), "printf '#!/bin/sh\\necho pid=%d\\necho apps=[]\\n' > '%s/bin/foo'",
             (int)other, rel);
    assert_int_equal(system(cmd), 0);
    rel_health_init(&h, &t, "current", 0, 0);
    c = rel_health_command(&h);
    out = run_on(&t, c);
    assert_int_equal(rel_health_judge(&h, out, &pid, &why), REL_ECHILD);
    assert_non_null(strstr(why, "is not a node of the release"));
    free(why);
    free(out);
    free(c);
    rel_health_free(&h);

    kill(node, SIGKILL);
    kill(other, SIGKILL);
    waitpid(node, NULL, 0);
    waitpid(other, NULL, 0);
    rel_target_free(&t);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(judge),
        cmocka_unit_test(command_on_proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
