#!/usr/bin/env bash
# Issue 14.1 on a Mix project (examples/kv, an umbrella; dialect mix) and
# issue 13.2's first part:
#   - relx's commands work on an Elixir release too: foreground serves and
#     stops on SIGTERM, ping prints pong / exits 1 when down, remote_console
#     attaches (IEx), versions, status, pid, reboot is offered;
#   - mix's meaning of eval (a fresh VM, no node needed) and rpc EXPR;
#   - start_iex/daemon_iex are offered (the release has Elixir);
#   - RELEASE_COOKIE from the caller's environment reaches the node's
#     environment (System.fetch_env!/1 in runtime.exs sees it), and is in
#     no process's argv (50 ms ps poll) and in no file under tmp/log.
set -u
. "$(dirname "$0")/lib/assemble.sh"
PORT=$((4900 + $$ % 90))
NODE=ssmix$$
HOST=$(hostname -s)

fixture kv
cd "$T/kv" || exit 1
# runtime.exs reads the cookie the way a project's config would.
cat >>config/runtime.exs <<'EOF'

config :kv, :cookie_length, String.length(System.fetch_env!("RELEASE_COOKIE"))
EOF
# hooks work in mix's dialect too (overlay scripts, a built-in)
mkdir -p rel/overlays/bin/hooks
printf 'echo "pre_start $RELEASE_COMMAND" >>"$RELEASE_ROOT/hooks.log"\n' >rel/overlays/bin/hooks/pre
awk -v pid="$T/kv.pid" '{ print } /^  foo:$/ {
    print "    start_script:"; print "      hooks:"
    print "        pre_start: [hooks/pre]"; print "        post_start: [\"pid " pid "\"]" }' \
    relman.yml >relman.yml.new && mv relman.yml.new relman.yml
"$R" assemble foo -q >"$T/asm.out" 2>&1 || { cat "$T/asm.out"; bad "relman assemble foo"; finish; exit 1; }
REL=$T/kv/_build/prod/rel/foo
B=$REL/bin/foo
export PORT RELEASE_NODE=$NODE

check "usage offers start_iex (Elixir release)" bash -c "'$B' help | grep -q '^  start_iex '"
check "usage shows mix's eval" bash -c "'$B' help | grep -q '^  eval EXPR \\[ARGS\\]'"
check "ping when down: exit 1, relx's words" bash -c "! '$B' ping >'$T/p0' && grep -qx 'Node is not running!' '$T/p0'"
check "eval needs no running node (mix)" test "$("$B" eval 'IO.puts(1 + 1)')" = 2

export RELEASE_COOKIE=caller_cookie_$$_$RANDOM
printf '%s\n' "$RELEASE_COOKIE" >"$T/cookie.pat"
argv_poll_start "$T/cookie.pat"
"$B" foreground >"$T/fg.out" 2>&1 &
fg=$!
check "foreground serves" wait_port "$PORT" 60
check "foreground execs: its pid is the VM" grep -q beam "/proc/$fg/comm"
check "ping prints pong" test "$("$B" ping)" = pong
check "rpc EXPR (mix)" test "$("$B" rpc 'IO.puts(node())')" = "$NODE@$HOST"
check "relx's eval on request" test "$(RELMAN_DIALECT=relx "$B" eval 'node().')" = "$NODE@$HOST"
# (the node writes what it sees to a file: the value goes on no command line here either)
"$B" rpc 'File.write!("'"$T/seen"'", System.get_env("RELEASE_COOKIE") <> "\n")'
check "the node sees the caller's RELEASE_COOKIE" cmp -s "$T/seen" "$T/cookie.pat"
check "runtime.exs read it with System.fetch_env!/1" \
    test "$("$B" rpc 'IO.puts(Application.fetch_env!(:kv, :cookie_length))')" = "${#RELEASE_COOKIE}"
check "pid" test "$("$B" pid)" = "$fg"
check "versions" bash -c "'$B' versions | grep -qP '^\\* 0\\.0\\.1\\t'"
check "status" "$B" status
if command -v script >/dev/null; then
    tty_session 5 'IO.puts("remote:" <> to_string(node()))' 12 "'$B' remote_console" >"$T/remote.out"
    check "remote_console attaches (IEx)" grep -aq "^remote:$NODE@" "$T/remote.out"
fi
kill -TERM "$fg"
check "foreground stops on SIGTERM" wait_pid_gone "$fg" 20
check "ping after: exit 1" bash -c "! '$B' ping >/dev/null"
argv_poll_stop
check "the cookie was in no process's argv (50 ms poll)" test ! -s "$T/poll.out"

# daemon (mix: returns at once), the cookie from releases/COOKIE this time
unset RELEASE_COOKIE
"$B" daemon
check "daemon serves" wait_port "$PORT" 60
check "the node sees releases/COOKIE as RELEASE_COOKIE" \
    test "$("$B" rpc 'IO.puts(System.get_env("RELEASE_COOKIE") == File.read!(Path.join(System.fetch_env!("RELEASE_ROOT"), "releases/COOKIE")))')" = true
check "no cookie in tmp/log" bash -c "! grep -rqF -f '$T/cookie.pat' '$REL/tmp/log' && ! grep -rqF -f '$REL/releases/COOKIE' '$REL/tmp/log'"
dpid=$("$B" pid)
check "post_start's built-in pid hook ran once the node answered" test "$(cat "$T/kv.pid")" = "$dpid"
check "pre_start ran for foreground and daemon" \
    bash -c "grep -qx 'pre_start foreground' '$REL/hooks.log' && grep -qx 'pre_start daemon' '$REL/hooks.log'"
check "stop" "$B" stop
check "node gone" wait_pid_gone "$dpid" 20
finish
