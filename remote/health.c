/*
 * health.c - the health check of a freshly started node (see health.h).
 */
#include "health.h"

#include "layout.h"
#include "runner.h"
#include "ssh.h"
#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/shell.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MS 500
/* An attempt's command gets what is left of the timeout, at least
 * CHECK_MIN_MS (booting the VM of `bin/NAME rpc` takes a second, several
 * on a busy host: a last attempt that started in time may answer), at most
 * CHECK_MAX_MS. */
#define CHECK_MIN_MS 10000
#define CHECK_MAX_MS 20000
/* The node's own waits (gen_tcp connect, each recv of the HTTP check): what
 * is left of the timeout, HTTP_IO_MIN_MS..HTTP_IO_MAX_MS. */
#define HTTP_IO_MIN_MS 1000
#define HTTP_IO_MAX_MS 5000

enum { H_START, H_CHECK, H_PROBE, H_SLEPT_CHECK, H_SLEPT_PROBE, H_SETTLING };

void rel_health_init(struct rel_health *h, const struct rel_remote_target *t, const char *dir,
                     int tcp, int timeout_s)
{
    memset(h, 0, sizeof(*h));
    h->t = t;
    h->dir = dir;
    if (t->health_set) {
        h->spec = t->health;
    } else {
        h->spec.tcp = tcp;
        h->spec.timeout = timeout_s;
    }
    if (h->spec.timeout <= 0)
        h->spec.timeout = 30;
    h->probe_port = h->spec.tcp ? h->spec.tcp : h->spec.http_port;
    h->phase = H_START;
}

void rel_health_free(struct rel_health *h)
{
    free(h->problem);
    h->problem = NULL;
    free(h->pid);
    h->pid = NULL;
}

/* ---- the command of one attempt ------------------------------------------------ */

/* An Erlang string literal of s. */
static void erl_string(struct rel_buf *b, const char *s)
{
    rel_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == '"')
            rel_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            rel_buf_printf(b, "\\x{%x}", *p);
        else
            rel_buf_putc(b, (char)*p);
    }
    rel_buf_putc(b, '"');
}

/*
 * The Erlang the node evaluates: it prints pid=, then apps=[...] (the
 * release's applications that should run and do not), then http=STATUS and
 * body=yes|no. It reads which release it is from the environment every
 * release script exports (RELEASE_ROOT, RELEASE_VSN, RELEASE_NAME).
 */
static void probe_source(struct rel_buf *b, const struct rel_config_health *s, int io_ms)
{
    rel_buf_puts(b, "io:format(\"pid=~s~n\", [os:getpid()]),\n");
    if (s->apps)
        rel_buf_puts(
            b, "RelFile = os:getenv(\"RELEASE_ROOT\") ++ \"/releases/\" ++ os:getenv(\"RELEASE_VSN\")"
               " ++ \"/\" ++ os:getenv(\"RELEASE_NAME\") ++ \".rel\",\n"
               "case file:consult(RelFile) of\n"
               "  {ok, [{release, _, _, As}]} ->\n"
               "    Ty = fun({_, _}) -> permanent; ({_, _, T}) when is_atom(T) -> T;\n"
               "            ({_, _, _}) -> permanent; ({_, _, T, _}) -> T end,\n"
               "    Run = [element(1, X) || X <- application:which_applications()],\n"
               "    Miss = [element(1, A) || A <- As, not lists:member(Ty(A), [load, none]),\n"
               "            not lists:member(element(1, A), Run)],\n"
               "    io:format(\"apps=~w~n\", [Miss]);\n"
               "  Other -> io:format(\"apps=unreadable ~s: ~w~n\", [RelFile, Other])\n"
               "end,\n");
    if (s->http_port) {
        rel_buf_printf(b, "case gen_tcp:connect({127,0,0,1}, %d, [binary, {active, false}], %d) of\n",
                       s->http_port, io_ms);
        rel_buf_printf(b, "  {ok, S} ->\n"
                          "    Io = %d,\n"
                          "    ok = gen_tcp:send(S, [<<\"GET \">>, unicode:characters_to_binary(",
                       io_ms);
        erl_string(b, s->http_path ? s->http_path : "/");
        rel_buf_puts(
            b, "),\n"
               "      <<\" HTTP/1.0\\r\\nHost: localhost\\r\\nUser-Agent: relman\\r\\n\\r\\n\">>]),\n"
               "    Rd = fun(F, Acc) -> case gen_tcp:recv(S, 0, Io) of\n"
               "           {ok, D} when byte_size(Acc) < 1048576 -> F(F, <<Acc/binary, D/binary>>);\n"
               "           _ -> Acc end end,\n"
               "    Resp = Rd(Rd, <<>>),\n"
               "    gen_tcp:close(S),\n"
               "    case Resp of\n"
               "      <<\"HTTP/\", _:3/binary, \" \", C:3/binary, _/binary>> ->\n"
               "        io:format(\"http=~s~n\", [C]);\n"
               "      _ -> io:format(\"http=none~n\")\n"
               "    end,\n"
               "    Body = case binary:split(Resp, <<\"\\r\\n\\r\\n\">>) of [_, B] -> B; _ -> <<>> end,\n");
        if (s->http_body && *s->http_body) {
            rel_buf_puts(b, "    case binary:match(Body, unicode:characters_to_binary(");
            erl_string(b, s->http_body);
            rel_buf_puts(b, ")) of\n"
                            "      nomatch -> io:format(\"body=no~n\");\n"
                            "      _ -> io:format(\"body=yes~n\")\n"
                            "    end,\n");
        }
        rel_buf_puts(b, "    byte_size(Body);\n"
                        "  {error, Why} -> io:format(\"http=~w~n\", [Why])\n"
                        "end,\n");
    }
    rel_buf_puts(b, "ok.\n");
}

/* The user's expression without a final "." (Erlang's end of expression). */
static char *user_expr(const char *e)
{
    size_t n = strlen(e);
    while (n > 0 && (e[n - 1] == '.' || e[n - 1] == ' ' || e[n - 1] == '\n' || e[n - 1] == '\t'))
        n--;
    return rel_strndup(e, n);
}

/* Append "e=ELIXIR" or "e=ERLANG" after the release's kind, to run with
 * `bin/NAME rpc "$e"`. */
static void rpc_exprs(struct rel_buf *b, const struct rel_health *h)
{
    struct rel_buf src = REL_BUF_INIT;
    probe_source(&src, &h->spec, h->io_ms > 0 ? h->io_ms : HTTP_IO_MAX_MS);
    unsigned char *b64 = rel_malloc(4 * (src.len / 3 + 1) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)src.ptr, (int)src.len);
    char *user = h->spec.rpc ? user_expr(h->spec.rpc) : NULL;
    struct rel_buf ex = REL_BUF_INIT, erl = REL_BUF_INIT;
    rel_buf_printf(&ex,
                   "{:ok, t, _} = :erl_scan.string(:unicode.characters_to_list(:base64.decode(\"%s\")));"
                   " {:ok, e} = :erl_parse.parse_exprs(t); :erl_eval.exprs(e, [])",
                   (const char *)b64);
    rel_buf_printf(&erl,
                   "{ok, T, _} = erl_scan:string(unicode:characters_to_list(base64:decode(\"%s\"))),"
                   " {ok, E} = erl_parse:parse_exprs(T), erl_eval:exprs(E, [])",
                   (const char *)b64);
    if (user) {
        rel_buf_printf(&ex, "; IO.puts(\"rpc=\" <> inspect((%s)))", user);
        rel_buf_printf(&erl, ", io:format(\"rpc=~p~n\", [begin %s end])", user);
    }
    char *lib = rel_asprintf("%s/lib", h->dir);
    rel_buf_puts(b, "set -- ");
    rel_layout_path(b, h->t, lib);
    rel_buf_puts(b, "/elixir-*; if [ -d \"$1\" ]; then e=");
    rel_shell_quote(b, rel_buf_cstr(&ex));
    rel_buf_puts(b, "; else e=");
    rel_shell_quote(b, rel_buf_cstr(&erl));
    rel_buf_puts(b, "; fi; ");
    free(lib);
    free(user);
    free(b64);
    rel_buf_free(&src);
    rel_buf_free(&ex);
    rel_buf_free(&erl);
}

/*
 * `own PORT`: prints "owner PORT=node" when a socket listening on PORT
 * (/proc/net/tcp{,6}, state 0A) is an open file of $p or a descendant of
 * it, "owner PORT=none" when nothing listens, else "owner PORT=other".
 */
static const char own_fn[] =
    "own() { i=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h=\"$(printf ':%04X' "
    "\"$1\")\" '$4 == \"0A\" && substr($2, length($2) - 4) == h { print $10 }'); "
    "if [ -z \"$i\" ]; then echo \"owner $1=none\"; return; fi; "
    "k=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v p=\"$p\" '{ s = $0; sub(/.*\\) /, \"\", s); "
    "split(s, f, \" \"); par[$1] = f[2] } END { q[1] = p; n = 1; o = p; for (x = 1; x <= n; x++) "
    "for (c in par) if (par[c] == q[x] && !(c in seen)) { seen[c] = 1; q[++n] = c; o = o \" \" c "
    "}; print o }'); "
    "for q in $k; do for n in $i; do if ls -l /proc/$q/fd 2>/dev/null | grep -qF \"socket:[$n]\"; "
    "then echo \"owner $1=node\"; return; fi; done; done; echo \"owner $1=other\"; }; ";

char *rel_health_command(const struct rel_health *h)
{
    const struct rel_config_health *s = &h->spec;
    bool rpc = s->apps || s->rpc || s->http_port;
    bool ports = s->tcp || s->http_port;
    struct rel_buf b = REL_BUF_INIT;
    if (!rpc && !ports)
        return rel_layout_pid_cmd(h->t, h->dir);
    /* the node's env reaches relman_env on stdin (remote/layout.h) */
    rel_buf_puts(&b, REL_LAYOUT_ENV_PREAMBLE);
    if (ports)
        rel_buf_puts(&b, own_fn);
    if (rpc)
        rpc_exprs(&b, h);
    rel_buf_puts(&b, "o=$(");
    const char *args[] = {rpc ? "rpc" : "pid", NULL};
    rel_layout_node_cmd(&b, h->t, h->dir, rpc ? NULL : args);
    if (rpc)
        rel_buf_puts(&b, " rpc \"$e\"");
    rel_buf_puts(&b, " 2>&1); s=$?; printf '%s\\n' \"$o\"; [ $s -eq 0 ] || exit $s; "
                     "p=$(printf '%s\\n' \"$o\" | sed -n 's/^pid=\\([0-9][0-9]*\\)$/\\1/p; "
                     "s/^\\([0-9][0-9]*\\)$/\\1/p' | head -n 1); [ -n \"$p\" ] || exit 0; r=$(cd ");
    rel_layout_path(&b, h->t, h->dir);
    rel_buf_puts(&b, " && pwd -P) && if tr '\\000' '\\n' < /proc/$p/cmdline 2>/dev/null | "
                     "grep -qF -- \"$r/\"; then echo new=yes; else echo \"new=no $r\"; fi");
    if (s->tcp)
        rel_buf_printf(&b, "; own %d", s->tcp);
    if (s->http_port && s->http_port != s->tcp)
        rel_buf_printf(&b, "; own %d", s->http_port);
    return rel_buf_detach(&b);
}

/* ---- judging an answer ----------------------------------------------------------- */

/* The value after "key" on its own line of out ("" for a line that is
 * just the key), or NULL. Points into out; ends at the line's end. */
static const char *field(const char *out, const char *key, size_t *len)
{
    size_t k = strlen(key);
    for (const char *p = out; *p;) {
        size_t n = strcspn(p, "\n");
        if (n >= k && strncmp(p, key, k) == 0) {
            *len = n - k;
            return p + k;
        }
        p += n;
        if (*p)
            p++;
    }
    return NULL;
}

static bool field_is(const char *out, const char *key, const char *want)
{
    size_t n;
    const char *v = field(out, key, &n);
    return v && n == strlen(want) && strncmp(v, want, n) == 0;
}

static int why_not(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int why_not(char **why, const char *fmt, ...)
{
    struct rel_buf b = REL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    rel_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    *why = rel_buf_detach(&b);
    return REL_ECHILD;
}

int rel_health_judge(const struct rel_health *h, const char *out, char **pid, char **why)
{
    const struct rel_config_health *s = &h->spec;
    *pid = NULL;
    *why = NULL;
    size_t n;
    const char *v = field(out, "pid=", &n);
    char *p = v ? rel_strndup(v, n) : rel_layout_parse_pid(out);
    if (!p || !*p || strspn(p, "0123456789") != strlen(p)) {
        free(p);
        return why_not(why, "the node gave no pid");
    }
    int rc = 0;
    char line[512];
    if (s->tcp || s->http_port) {
        v = field(out, "new=", &n);
        if (!v || strncmp(v, "yes", 3) != 0) {
            rc = why_not(why, "pid %s is not a node of the release in %s", p, h->dir);
            goto done;
        }
    }
    int ports[2] = {s->tcp, s->http_port != s->tcp ? s->http_port : 0};
    for (int i = 0; i < 2; i++) {
        if (!ports[i])
            continue;
        char key[32];
        snprintf(key, sizeof(key), "owner %d=", ports[i]);
        if (field_is(out, key, "node"))
            continue;
        if (field_is(out, key, "none"))
            rc = why_not(why, "nothing listens on port %d", ports[i]);
        else
            rc = why_not(why, "port %d is held by another process, not by the node (pid %s)",
                         ports[i], p);
        goto done;
    }
    if (s->apps) {
        v = field(out, "apps=", &n);
        if (!v || n != 2 || strncmp(v, "[]", 2) != 0) {
            rc = v ? why_not(why, "applications not started: %.*s", (int)n, v)
                   : why_not(why, "no answer about the applications: %s",
                             rel_layout_last_line(out, line, sizeof(line)));
            goto done;
        }
    }
    if (s->http_port) {
        const char *path = s->http_path ? s->http_path : "/";
        int want = s->http_status ? s->http_status : 200;
        v = field(out, "http=", &n);
        if (!v) {
            rc = why_not(why, "GET %s: no answer", path);
            goto done;
        }
        char got[16];
        snprintf(got, sizeof(got), "%d", want);
        if (n != strlen(got) || strncmp(v, got, n) != 0) {
            rc = why_not(why, "GET %s on port %d answered %.*s, not %d", path, s->http_port,
                         (int)(n > 64 ? 64 : n), v, want);
            goto done;
        }
        if (s->http_body && *s->http_body && !field_is(out, "body=", "yes")) {
            rc = why_not(why, "GET %s: the body lacks '%s'", path, s->http_body);
            goto done;
        }
    }
    if (s->rpc && !field_is(out, "rpc=", "true")) {
        v = field(out, "rpc=", &n);
        rc = v ? why_not(why, "the rpc check returned %.*s, not true", (int)(n > 100 ? 100 : n), v)
               : why_not(why, "the rpc check gave no answer");
        goto done;
    }
done:
    if (rc == 0)
        *pid = p;
    else
        free(p);
    return rc;
}

/* ---- the steps ------------------------------------------------------------------ */

/* What is left of the timeout, in ms (<= 0: none). */
static int64_t left_ms(const struct rel_health *h)
{
    return h->deadline - rel_ssh_now_ms();
}

/* The attempt's command, bounded by the deadline: the node's waits of the
 * HTTP check get what is left of the timeout (HTTP_IO_MIN_MS at least), the
 * command CHECK_MIN_MS..CHECK_MAX_MS (a check after the settle period has
 * the whole timeout again). */
static void check_action(struct rel_health *h, struct rel_action *act)
{
    int64_t left = h->settled ? (int64_t)h->spec.timeout * 1000 : left_ms(h);
    int ms = left < CHECK_MIN_MS ? CHECK_MIN_MS : left > CHECK_MAX_MS ? CHECK_MAX_MS : (int)left;
    h->io_ms = left < HTTP_IO_MIN_MS   ? HTTP_IO_MIN_MS
               : left > HTTP_IO_MAX_MS ? HTTP_IO_MAX_MS
                                       : (int)left;
    act->kind = REL_ACT_EXEC;
    act->command = rel_health_command(h);
    act->timeout_ms = ms;
    h->check_ms = ms;
    h->check_t0 = rel_ssh_now_ms();
    h->phase = H_CHECK;
}

/* The TCP probe, given up at the deadline (at least RETRY_MS): a listener
 * that never accepts must not hold the check for the kernel's connect
 * timeout. */
static void probe_action(struct rel_health *h, struct rel_action *act)
{
    int64_t left = left_ms(h);
    act->kind = REL_ACT_PROBE;
    act->port = h->probe_port;
    act->timeout_ms = left < RETRY_MS ? RETRY_MS : left > INT32_MAX ? INT32_MAX : (int)left;
    h->phase = H_PROBE;
}

static void set_problem(struct rel_health *h, const char *prefix, const char *detail)
{
    char line[512];
    free(h->problem);
    h->problem = rel_asprintf("%s%s", prefix, rel_layout_last_line(detail, line, sizeof(line)));
}

static int retry_or_fail(struct rel_health *h, struct rel_action *act)
{
    if (rel_ssh_now_ms() >= h->deadline)
        return rel_error_set(REL_ECHILD, "%s: health check failed after %d s: %s", h->t->name,
                             h->spec.timeout, h->problem ? h->problem : "no answer");
    act->kind = REL_ACT_SLEEP;
    act->sleep_ms = RETRY_MS;
    h->phase = h->probe_port ? H_SLEPT_PROBE : H_SLEPT_CHECK;
    return 1;
}

/* The answer of a check: healthy (0), settling (1: *act is the wait), or
 * not yet (retry). */
static int judge_check(struct rel_health *h, struct rel_job *j, struct rel_action *act)
{
    if (j->last_rc < 0) {
        if (rel_ssh_now_ms() - h->check_t0 >= h->check_ms) { /* not the whole command line */
            free(h->problem);
            h->problem = rel_asprintf("the check (`bin/NAME %s`) gave no answer within %d s",
                                      h->spec.apps || h->spec.rpc || h->spec.http_port ? "rpc"
                                                                                       : "pid",
                                      h->check_ms / 1000);
        } else {
            set_problem(h, "", j->last_error);
        }
        return retry_or_fail(h, act);
    }
    if (j->last_status != 0) {
        bool rpc = h->spec.apps || h->spec.rpc || h->spec.http_port;
        set_problem(h, rpc ? "`bin/NAME rpc` failed: " : "`bin/NAME pid` failed: ",
                    j->last_err[0] ? j->last_err : j->last_out);
        if (h->settled)
            return rel_error_set(REL_ECHILD, "%s: the node did not stay up for %d s: %s",
                                 h->t->name, h->spec.settle, h->problem);
        return retry_or_fail(h, act);
    }
    char *pid = NULL, *why = NULL;
    if (rel_health_judge(h, j->last_out, &pid, &why) < 0) {
        free(h->problem);
        h->problem = why;
        if (h->settled)
            return rel_error_set(REL_ECHILD, "%s: the node did not stay healthy for %d s: %s",
                                 h->t->name, h->spec.settle, h->problem);
        return retry_or_fail(h, act);
    }
    if (h->settled) {
        bool same = h->pid && strcmp(h->pid, pid) == 0;
        int rc = same ? 0
                      : rel_error_set(REL_ECHILD,
                                      "%s: the node did not stay up for %d s: pid %s became %s",
                                      h->t->name, h->spec.settle, h->pid, pid);
        free(pid);
        return rc;
    }
    free(h->pid);
    h->pid = pid;
    if (h->spec.settle > 0) {
        h->settled = true;
        act->kind = REL_ACT_SLEEP;
        act->sleep_ms = h->spec.settle * 1000;
        h->phase = H_SETTLING;
        return 1;
    }
    return 0;
}

int rel_health_next(struct rel_health *h, struct rel_job *j, struct rel_action *act)
{
    /* A canceled run is not healthy, and is not retried. */
    if (h->phase != H_START && j->last_rc == REL_ECANCELED)
        return rel_error_set(REL_ECANCELED, "%s: health check canceled", h->t->name);
    switch (h->phase) {
    case H_START:
        /* The TCP probe is cheap (a channel open); the check boots a VM.
         * So: wait for the port first, then ask the node. */
        h->deadline = rel_ssh_now_ms() + (int64_t)h->spec.timeout * 1000;
        if (h->probe_port)
            probe_action(h, act);
        else
            check_action(h, act);
        return 1;
    case H_CHECK:
        return judge_check(h, j, act);
    case H_PROBE:
        if (j->last_rc == 0) {
            check_action(h, act);
            return 1;
        }
        set_problem(h, "", j->last_error ? j->last_error : "TCP port closed");
        return retry_or_fail(h, act);
    case H_SLEPT_CHECK:
    case H_SETTLING:
        check_action(h, act);
        return 1;
    case H_SLEPT_PROBE:
        probe_action(h, act);
        return 1;
    }
    return rel_error_set(REL_EINVAL, "health: bad phase");
}
