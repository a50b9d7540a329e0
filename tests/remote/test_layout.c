/* Unit tests for remote/layout.c (paths, the layout's commands, the checks
 * of what hosts say) and remote/target.c: paths, env prefixes and node
 * commands are quoted; what is read back from hosts is validated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/shell.h"
#include "remote/layout.h"
#include "remote/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct rel_remote_target make_target(const char *path, const char *const *env)
{
    struct rel_remote_target t;
    memset(&t, 0, sizeof(t));
    t.name = rel_strdup("web1");
    t.path = rel_strdup(path);
    t.release = rel_strdup("foo");
    size_t n = 0;
    while (env && env[n])
        n++;
    t.env = rel_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        t.env[i] = rel_strdup(env[i]);
    return t;
}

/* Run `cmd` with sh, printing each argument of `printf '<%s>'` instead of
 * running it: shows how a shell splits a command line we built. */
static char *shell_words(const char *words)
{
    char *cmd = rel_asprintf("printf '<%%s>' %s", words);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    pclose(f);
    free(cmd);
    return rel_strdup(buf);
}

static void paths_are_one_word(void **state)
{
    (void)state;
    const char *weird = "/srv/it's a \"kv\"; $(touch /tmp/x) `id` & | *?[x]";
    struct rel_remote_target t = make_target(weird, NULL);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_layout_path(&b, &t, "shared/lock"), 0);
    char *words = shell_words(rel_buf_cstr(&b));
    char *want = rel_asprintf("<%s/shared/lock>", weird);
    assert_string_equal(words, want);
    free(words);
    free(want);
    rel_buf_free(&b);
    rel_target_free(&t);
}

static void env_prefix(void **state)
{
    (void)state;
    const char *env[] = {"PORT=4040", "GREETING=it's $HOME `x`", NULL};
    struct rel_remote_target t = make_target("/opt/kv", env);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_layout_env_script(&b, &t), 0);
    assert_string_equal(rel_buf_cstr(&b), "relman_env() { (\nexport PORT=4040\n"
                                          "export 'GREETING=it'\\''s $HOME `x`'\n"
                                          "export RELEASE_TMP=/opt/kv/shared/tmp\nexec \"$@\"\n) }\n");
    rel_buf_free(&b);
    rel_target_free(&t);

    /* the target's own RELEASE_TMP wins */
    const char *env2[] = {"RELEASE_TMP=/var/tmp/kv", NULL};
    t = make_target("/opt/kv", env2);
    assert_int_equal(rel_layout_env_script(&b, &t), 0);
    assert_string_equal(rel_buf_cstr(&b),
                        "relman_env() { (\nexport RELEASE_TMP=/var/tmp/kv\nexec \"$@\"\n) }\n");
    assert_string_equal(rel_target_getenv(&t, "RELEASE_TMP"), "/var/tmp/kv");
    assert_null(rel_target_getenv(&t, "RELEASE"));
    rel_buf_free(&b);
    rel_target_free(&t);
}

/* The env script through a real sh: the values reach the command run by
 * relman_env, are not in any argument, and stay out of the shell around it. */
static void env_script(void **state)
{
    (void)state;
    const char *env[] = {"RELEASE_COOKIE=s3cr3t it's $HOME `x`", "PORT=4040", NULL};
    struct rel_remote_target t = make_target("/opt/kv", env);
    struct rel_buf script = REL_BUF_INIT;
    assert_int_equal(rel_layout_env_script(&script, &t), 0);
    char path[] = "/tmp/relman-envscript-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, script.ptr, script.len), (ssize_t)script.len);
    close(fd);
    const char *cmd = REL_LAYOUT_ENV_PREAMBLE
        "relman_env sh -c 'printf \"%s|%s|%s\" \"$RELEASE_COOKIE\" \"$PORT\" \"$RELEASE_TMP\"'; "
        "printf '|%s' \"${PORT:-unset}\"";
    struct rel_buf q = REL_BUF_INIT;
    rel_shell_quote(&q, cmd);
    char *run = rel_asprintf("sh -c %s < '%s'", rel_buf_cstr(&q), path);
    FILE *f = popen(run, "r");
    assert_non_null(f);
    char buf[512];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    pclose(f);
    assert_string_equal(buf, "s3cr3t it's $HOME `x`|4040|/opt/kv/shared/tmp|unset");
    assert_true(rel_layout_wants_env(cmd));
    assert_false(rel_layout_wants_env("cd /opt/kv && ls"));
    /* the commands that run the node start with the preamble and hold no value */
    char *pid = rel_layout_pid_cmd(&t, "current");
    assert_true(rel_layout_wants_env(pid));
    assert_null(strstr(pid, "s3cr3t"));
    assert_null(strstr(pid, "4040"));
    free(pid);
    unlink(path);
    free(run);
    rel_buf_free(&q);
    rel_buf_free(&script);
    rel_target_free(&t);
}

static void node_commands(void **state)
{
    (void)state;
    struct rel_remote_target t = make_target("/opt/my kv", NULL);
    struct rel_buf b = REL_BUF_INIT;
    const char *args[] = {"rpc", "IO.puts(\"hi\"); :ok", NULL};
    assert_int_equal(rel_layout_node_cmd(&b, &t, "current", args), 0);
    assert_string_equal(rel_buf_cstr(&b),
                        "cd '/opt/my kv' && relman_env "
                        "'/opt/my kv/current/bin/foo' rpc 'IO.puts(\"hi\"); :ok'");
    rel_buf_free(&b);
    /* a pid that is not digits never reaches a shell */
    char *stop = rel_layout_stop_cmd(&t, "current", "1; rm -rf /");
    assert_null(strstr(stop, "rm -rf"));
    free(stop);
    stop = rel_layout_stop_cmd(&t, "releases/0.1-20260101000000", "4242");
    assert_non_null(strstr(stop, "alive 4242"));
    free(stop);
    char *lock = rel_layout_lock_cmd(&t, "deploy foo 1.0");
    assert_non_null(strstr(lock, "mkdir '/opt/my kv/shared/lock'"));
    free(lock);
    rel_target_free(&t);
}

static void lock_results(void **state)
{
    (void)state;
    struct rel_remote_target t = make_target("/opt/kv", NULL);
    assert_int_equal(rel_layout_lock_result(&t, "relman-locked\n"), 0);
    assert_int_equal(rel_layout_lock_result(&t, "relman-busy\nbob@box (relman pid 7) since X: deploy\n"),
                     REL_ELOCKED);
    assert_non_null(strstr(rel_error_message(), "locked by bob@box (relman pid 7) since X: deploy"));
    assert_non_null(strstr(rel_error_message(), "relman unlock web1"));
    rel_target_free(&t);
}

static void release_dirs(void **state)
{
    (void)state;
    char *vsn;
    const char *stamp;
    assert_true(rel_layout_parse_release_dir("0.1.0-rc.1-20261122143809", &vsn, &stamp));
    assert_string_equal(vsn, "0.1.0-rc.1");
    assert_string_equal(stamp, "20261122143809");
    free(vsn);
    assert_false(rel_layout_parse_release_dir("0.1.0", &vsn, &stamp));
    assert_false(rel_layout_parse_release_dir("0.1.0-2026112214380x", &vsn, &stamp));
    assert_false(rel_layout_parse_release_dir("-20261122143809", &vsn, &stamp));
    const char *names[] = {"1.0-20260101000000", "0.9-20261231000000", "2.0-20250101000000"};
    qsort(names, 3, sizeof(char *), rel_layout_release_cmp_desc);
    assert_string_equal(names[0], "0.9-20261231000000");
    assert_string_equal(names[2], "2.0-20250101000000");

    assert_true(rel_layout_valid_version("0.0.1"));
    assert_true(rel_layout_valid_version("1.0.0+build 7"));
    assert_false(rel_layout_valid_version(""));
    assert_false(rel_layout_valid_version(".."));
    assert_false(rel_layout_valid_version("a/b"));
    assert_false(rel_layout_valid_version("a\nb"));
    char stamp16[16], iso[32];
    rel_layout_stamp(stamp16);
    assert_int_equal(strlen(stamp16), 14);
    rel_layout_iso_time(iso);
    assert_int_equal(strlen(iso), 20);
    assert_int_equal(iso[19], 'Z');
}

static void host_output_is_checked(void **state)
{
    (void)state;
    char *l = rel_layout_checked_link("releases/0.1-20260101000000");
    assert_string_equal(l, "releases/0.1-20260101000000");
    free(l);
    assert_null(rel_layout_checked_link("/etc"));
    assert_null(rel_layout_checked_link("releases/../../etc"));
    assert_null(rel_layout_checked_link("releases/"));
    assert_null(rel_layout_checked_link("releases/.."));
    char *p = rel_layout_parse_pid("12345\n");
    assert_string_equal(p, "12345");
    free(p);
    assert_null(rel_layout_parse_pid("nodedown\n"));
    assert_null(rel_layout_parse_pid("12 34"));
    assert_null(rel_layout_parse_pid(""));
    char buf[128];
    assert_string_equal(rel_layout_last_line("a\nb\n\n", buf, sizeof(buf)), "b");
    assert_string_equal(
        rel_layout_last_line("** (RuntimeError) boom\n    (elixir) lib/code.ex:1\n", buf, sizeof(buf)),
        "** (RuntimeError) boom");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_one_word), cmocka_unit_test(env_prefix),
        cmocka_unit_test(env_script),
        cmocka_unit_test(env_script),
        cmocka_unit_test(node_commands),      cmocka_unit_test(lock_results),
        cmocka_unit_test(release_dirs),       cmocka_unit_test(host_output_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
