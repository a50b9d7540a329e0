/*
 * remote/nodelink.c and core/dist.c against a real Erlang node started by
 * the test on this machine (epmd, then the distribution port; and with a
 * fixed port, epmd-less): calls that return integers, big integers, floats,
 * binaries, lists, maps, pids, errors, a missing module, a timeout; a wrong
 * cookie; a node that is not there; and the same node through a real
 * OpenSSH server on loopback (tests/integration/lib/sshd.sh in fixture
 * mode), epmd and the distribution port reached from the server's side. The
 * node's cookie comes from its $HOME/.erlang.cookie, never from its
 * arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/term.h"
#include "remote/nodelink.h"
#include "remote/ssh.h"
#include "remote/sshconfig.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/relman-test-nodelink.XXXXXX";
static char node[128], fixed_node[128];
static int fixed_port;
static const char cookie[] = "RELMANTESTCOOKIE";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char cmd[4096];
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char hostname_short[64];

/* Start a node in the background; its pid file is DIR/NAME.pid. */
static void start_node(const char *name, const char *extra)
{
    assert_int_equal(sh("cd %s && HOME=%s erl -sname %s -noinput %s "
                        "-eval 'file:write_file(\"%s.pid\", os:getpid())' "
                        ">%s/%s.log 2>&1 & echo $! > %s/%s.shpid",
                        dir, dir, name, extra, name, dir, name, dir, name),
                     0);
}

/* Wait (up to 20 s) until the node wrote its pid file. */
static void wait_node(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
    for (int i = 0; i < 200; i++) {
        struct stat st;
        if (stat(path, &st) == 0 && st.st_size > 0)
            return;
        usleep(100000);
    }
    fail_msg("node %s did not start (see %s/%s.log)", name, dir, name);
}

static void stop_node(const char *name)
{
    sh("kill $(cat %s/%s.pid 2>/dev/null) 2>/dev/null; true", dir, name);
}

static char *fixture;
static int ssh_port = 22260;

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    fixture = rel_asprintf("%s/tests/integration/lib/sshd.sh", RELMAN_SOURCE_DIR);
    unsetenv("SSH_AUTH_SOCK");
    if (sh("SSHD_WATCH_PID=%d bash %s start %s h1 127.0.0.5 %d >/dev/null", (int)getpid(), fixture,
           dir, ssh_port) != 0)
        return -1;
    struct rel_buf pb = REL_BUF_INIT;
    char pf[512];
    snprintf(pf, sizeof(pf), "%s/h1/port", dir);
    if (rel_fs_read_file(&pb, pf, 64) < 0)
        return -1;
    ssh_port = atoi(rel_buf_cstr(&pb));
    rel_buf_free(&pb);
    gethostname(hostname_short, sizeof(hostname_short));
    hostname_short[strcspn(hostname_short, ".")] = '\0';
    char path[512];
    snprintf(path, sizeof(path), "%s/.erlang.cookie", dir);
    if (rel_fs_write_atomic(path, cookie, strlen(cookie), 0400) < 0)
        return -1;
    char name[64], fixed[64];
    snprintf(name, sizeof(name), "nl%ld", (long)getpid());
    snprintf(fixed, sizeof(fixed), "nlfixed%ld", (long)getpid());
    snprintf(node, sizeof(node), "%s@%s", name, hostname_short);
    snprintf(fixed_node, sizeof(fixed_node), "%s@%s", fixed, hostname_short);
    fixed_port = 30000 + (int)(getpid() % 20000);
    start_node(name, "");
    char extra[200];
    snprintf(extra, sizeof(extra), "-kernel inet_dist_listen_min %d inet_dist_listen_max %d",
             fixed_port, fixed_port);
    start_node(fixed, extra);
    wait_node(name);
    wait_node(fixed);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char name[64];
    snprintf(name, sizeof(name), "nl%ld", (long)getpid());
    stop_node(name);
    snprintf(name, sizeof(name), "nlfixed%ld", (long)getpid());
    stop_node(name);
    sh("bash %s stop %s", fixture, dir);
    free(fixture);
    sh("rm -rf %s", dir);
    return 0;
}

/* An Erlang term from text (no final dot needed). */
static int parse(struct rel_term **out, const char *text)
{
    char *s = rel_asprintf("%s.", text);
    int rc = rel_term_parse_one(out, s, strlen(s), "test");
    free(s);
    return rc;
}

static struct rel_nodelink *open_link(void)
{
    struct rel_nodelink_opts o = {.node = node, .cookie = cookie, .timeout_ms = 5000};
    struct rel_nodelink *l = NULL;
    int rc = rel_nodelink_open(&l, &o);
    if (rc < 0)
        fail_msg("open: %s", rel_error_message());
    return l;
}

/* Call M:F(ARGS) where ARGS is the text of an Erlang list; the result as text. */
static char *call_text(struct rel_nodelink *l, const char *m, const char *f, const char *args)
{
    struct rel_term *a = NULL;
    assert_int_equal(parse(&a, args), 0);
    struct rel_term *r = NULL;
    int rc = rel_nodelink_call(l, m, f, a, 5000, &r);
    rel_term_free(a);
    if (rc < 0)
        fail_msg("%s:%s: %s", m, f, rel_error_message());
    char *text = rel_term_to_text(r);
    rel_term_free(r);
    return text;
}

static void assert_call(struct rel_nodelink *l, const char *m, const char *f, const char *args,
                        const char *want)
{
    char *got = call_text(l, m, f, args);
    assert_string_equal(got, want);
    free(got);
}

static void test_values(void **state)
{
    (void)state;
    struct rel_nodelink *l = open_link();
    assert_string_equal(rel_nodelink_peer(l), node);
    char want[200];
    snprintf(want, sizeof(want), "'%s'", node);
    char *self = call_text(l, "erlang", "node", "[]");
    /* node names with '@' print quoted */
    assert_true(strcmp(self, want) == 0 || strcmp(self, node) == 0);
    free(self);
    assert_call(l, "erlang", "+", "[40, 2]", "42");
    assert_call(l, "erlang", "*", "[4294967296, 4294967296]", "18446744073709551616");
    assert_call(l, "erlang", "-", "[0, 300000]", "-300000");
    assert_call(l, "erlang", "list_to_binary", "[\"hello\"]", "<<\"hello\">>");
    assert_call(l, "unicode", "characters_to_binary", "[\"héllo\"]", "<<\"héllo\"/utf8>>");
    assert_call(l, "lists", "seq", "[1, 5]", "[1,2,3,4,5]");
    assert_call(l, "lists", "reverse", "[[a, {b, \"c\"}, 1.5]]", "[1.5,{b,\"c\"},a]");
    assert_call(l, "maps", "from_list", "[[{a, 1}, {b, [2]}]]", "#{a => 1,b => [2]}");
    assert_call(l, "erlang", "is_process_alive", "[]",
                "{badrpc,{'EXIT',{undef,[{erlang,is_process_alive,[],[]}]}}}");
    /* a pid comes back as the tagged tuple, with the node's name */
    char *pid = call_text(l, "erlang", "whereis", "[init]");
    snprintf(want, sizeof(want), "{'$pid',%s,0,0,", node);
    if (!strstr(pid, want))
        fail_msg("%s does not contain %s", pid, want);
    free(pid);
    rel_nodelink_free(l);
}

static void test_errors(void **state)
{
    (void)state;
    struct rel_nodelink *l = open_link();
    char *e = call_text(l, "erlang", "error", "[boom]");
    assert_non_null(strstr(e, "{badrpc,{'EXIT',{boom,"));
    free(e);
    e = call_text(l, "no_such_module_xyz", "f", "[]");
    assert_non_null(strstr(e, "{badrpc,{'EXIT',{undef,"));
    free(e);
    /* a call that outlives its timeout: REL_ETIMEOUT, and the link is closed */
    struct rel_term *a = NULL, *r = NULL;
    assert_int_equal(parse(&a, "[3000]"), 0);
    assert_int_equal(rel_nodelink_call(l, "timer", "sleep", a, 300, &r), REL_ETIMEOUT);
    assert_non_null(strstr(rel_error_message(), "did not answer within 300 ms"));
    assert_int_equal(rel_nodelink_call(l, "timer", "sleep", a, 300, &r), REL_EIO);
    rel_term_free(a);
    rel_nodelink_free(l);
}

static void test_refused(void **state)
{
    (void)state;
    struct rel_nodelink *l = NULL;
    struct rel_nodelink_opts o = {.node = node, .cookie = "WRONG", .timeout_ms = 5000};
    assert_int_equal(rel_nodelink_open(&l, &o), REL_EAUTH);
    assert_null(l);
    assert_null(strstr(rel_error_message(), cookie));
    assert_null(strstr(rel_error_message(), "WRONG"));
    char absent[160];
    snprintf(absent, sizeof(absent), "absent%ld@%s", (long)getpid(), hostname_short);
    o.node = absent;
    o.cookie = cookie;
    assert_int_equal(rel_nodelink_open(&l, &o), REL_ENOTFOUND);
    assert_non_null(strstr(rel_error_message(), "registered with epmd"));
}

/* Only the node's name part: its host is learnt in the handshake. */
static void test_name_only(void **state)
{
    (void)state;
    char alive[64];
    snprintf(alive, sizeof(alive), "%.*s", (int)(strchr(node, '@') - node), node);
    struct rel_nodelink_opts o = {.node = alive, .cookie = cookie, .timeout_ms = 5000};
    struct rel_nodelink *l = NULL;
    if (rel_nodelink_open(&l, &o) < 0)
        fail_msg("open: %s", rel_error_message());
    assert_string_equal(rel_nodelink_peer(l), node);
    assert_call(l, "erlang", "+", "[2, 2]", "4");
    rel_nodelink_free(l);
}

static void test_fixed_port(void **state)
{
    (void)state;
    /* epmd-less: the port is given, epmd is pointed at a port where nothing
     * listens to show it is not asked */
    struct rel_nodelink_opts o = {.node = fixed_node,
                                  .cookie = cookie,
                                  .dist_port = fixed_port,
                                  .epmd_port = 1,
                                  .timeout_ms = 5000};
    struct rel_nodelink *l = NULL;
    if (rel_nodelink_open(&l, &o) < 0)
        fail_msg("open: %s", rel_error_message());
    assert_call(l, "erlang", "+", "[1, 1]", "2");
    rel_nodelink_free(l);
}

/* The node as a target's would be reached: through the SSH connection, to
 * 127.0.0.1 on the server's side. */
static void test_through_ssh(void **state)
{
    (void)state;
    char *cfg = rel_asprintf("%s/ssh_config", dir);
    char *kh = rel_asprintf("%s/known_hosts", dir);
    struct rel_ssh_endpoint ep;
    struct rel_sshconfig_query q = {.host = "h1", .config_file = cfg, .known_hosts = kh};
    assert_int_equal(rel_sshconfig_resolve(&ep, &q), 0);
    ep.identities_only = true;
    struct rel_ssh_opts so;
    rel_ssh_opts_init(&so);
    so.label = "h1";
    so.policy = REL_SSH_POLICY_ACCEPT_NEW;
    struct rel_ssh_session *s = NULL;
    assert_int_equal(rel_ssh_session_new(&s, &ep, &so), 0);
    rel_sshconfig_free(&ep);
    if (rel_ssh_drive(s, rel_ssh_session_step_cb, s) < 0)
        fail_msg("ssh: %s", rel_error_message());
    struct rel_nodelink_opts o = {
        .node = node, .cookie = cookie, .host = "127.0.0.1", .timeout_ms = 5000, .ssh = s};
    struct rel_nodelink *l = NULL;
    if (rel_nodelink_open(&l, &o) < 0)
        fail_msg("open through ssh: %s", rel_error_message());
    assert_call(l, "erlang", "+", "[20, 22]", "42");
    assert_call(l, "lists", "seq", "[1, 3]", "[1,2,3]");
    /* a large answer crosses many channel windows */
    char *big = call_text(l, "lists", "duplicate", "[200000, 7]");
    assert_true(strlen(big) > 200000);
    free(big);
    rel_nodelink_free(l);
    /* a wrong cookie is refused the same way */
    o.cookie = "WRONG";
    assert_int_equal(rel_nodelink_open(&l, &o), REL_EAUTH);
    /* epmd-less through ssh */
    o.cookie = cookie;
    o.node = fixed_node;
    o.dist_port = fixed_port;
    if (rel_nodelink_open(&l, &o) < 0)
        fail_msg("open fixed through ssh: %s", rel_error_message());
    assert_call(l, "erlang", "+", "[1, 2]", "3");
    rel_nodelink_free(l);
    rel_ssh_session_free(s);
    free(cfg);
    free(kh);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_refused),    cmocka_unit_test(test_name_only),
        cmocka_unit_test(test_fixed_port), cmocka_unit_test(test_through_ssh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
