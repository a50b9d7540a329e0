#!/usr/bin/env bash
# Acceptance (issue 5): examples/hello_erl (rebar3, no Elixir): the release
# relman assembles boots with `bin/hello_erl daemon`, answers on its port,
# and rpc (Erlang expressions), pid, eval and stop work. The -setcookie and
# -sname lines of the project's vm.args are moved out of the command line.
set -u
. "$(dirname "$0")/lib/assemble.sh"
PORT=4630
NODE=asmhello$$

fixture hello_erl
cd "$T/hello_erl" || exit 1
"$R" assemble >"$T/assemble.out" 2>"$T/assemble.err" || { cat "$T/assemble.err"; bad "relman assemble"; }
REL=$T/hello_erl/_build/default/rel/hello_erl
check "a note says where -setcookie went" grep -q 'setcookie moved to releases/COOKIE' "$T/assemble.err"
check "vm.args keeps the other flags" grep -q '^+K true' "$REL/releases/0.1.0/vm.args"
check "vm.args has no -setcookie line" bash -c "! grep -q '^-setcookie' '$REL/releases/0.1.0/vm.args'"
check "the cookie is the project's" test "$(cat "$REL/releases/COOKIE")" = hello_erl_cookie
check "sys.config is the project's" same_terms "$T/hello_erl/config/sys.config" "$REL/releases/0.1.0/sys.config"
check "no Elixir launchers" test ! -e "$REL/releases/0.1.0/elixir"
check "OTP apps copied into lib" test -d "$REL/lib/kernel-$(ls /usr/lib/erlang/lib | sed -n 's/^kernel-//p')"

export RELEASE_NODE=$NODE HELLO_PORT=$PORT
"$REL/bin/hello_erl" daemon
if wait_port $PORT 60; then ok; else bad "hello_erl did not listen on $PORT"; tail -20 "$REL"/tmp/log/erlang.log.*; fi
answers=$(tcp_lines $PORT PING "ECHO hi" COUNT | tr '\n' ' ')
check "the node answers rpc" wait_rpc "$REL/bin/hello_erl"
check "answers" test "$answers" = "PONG hi 3 "
pid=$("$REL/bin/hello_erl" pid)
check "pid" bash -c "tr '\\0' ' ' </proc/$pid/cmdline | grep -q 'sname $NODE'"
check "rpc (Erlang)" test "$("$REL/bin/hello_erl" rpc 'io:format("~p~n", [application:get_env(hello_erl, port)])')" = "{ok,4050}"
check "rpc with a final dot" test "$("$REL/bin/hello_erl" rpc 'io:format("~s~n", [node()]).')" = "$NODE@$(hostname -s)"
check "rpc error exits 1" bash -c "! '$REL/bin/hello_erl' rpc 'erlang:error(boom)' 2>$T/rpc.err && grep -q boom $T/rpc.err"
check "rpc syntax error exits 1" bash -c "! '$REL/bin/hello_erl' rpc 'foo(' 2>/dev/null"
check "eval (Erlang)" bash -c "'$REL/bin/hello_erl' eval 'io:format(\"~p~n\", [6*7])' | grep -qx 42"
check "cookie in no process's arguments" bash -c "! grep -qF -f '$REL/releases/COOKIE' /proc/[0-9]*/cmdline 2>/dev/null"
# remote: an Erlang shell on the node (script(1) gives it a terminal)
if command -v script >/dev/null; then
    (sleep 4; printf 'io:format("remote:~s~n", [node()]).\r'; sleep 3) |
        timeout 15 script -qfc "'$REL/bin/hello_erl' remote" /dev/null 2>&1 | tr -d '\r' >"$T/remote.out"
    check "remote evaluates on the node" grep -aq "^remote:$NODE@" "$T/remote.out"
    check "the node survives a remote shell" wait_rpc "$REL/bin/hello_erl" 10
fi
check "stop" "$REL/bin/hello_erl" stop
check "node gone" wait_gone "sname $NODE" 15
finish
