#!/usr/bin/env bash
# Acceptance (issue 14, point 1): bin/NAME as relx's extended start script,
# on a project `rebar3 new release` makes at test time:
#   - `relman init --import && relman assemble`, no hand edits;
#   - foreground serves (the script's pid is the VM: exec), stops on SIGTERM;
#   - ping prints pong (exit 0), "Node is not running!" (exit 1) when down;
#   - eval 'node().' / rpc M F [A] on the running node, in relx's notation;
#   - pid, versions, status; remote_console attaches (script(1), a pipe).
# relx_vmargs.sh continues with vm.args.src, hooks and extensions.
# Names carry $$: several tests boot nodes on this machine at once.
set -u
. "$(dirname "$0")/lib/assemble.sh"
APP=rx$$
HOST=$(hostname -s)

rebar3_new release "$APP"
check "init --import" "$R" init --import
"$R" assemble -q >"$T/asm.out" 2>&1 || { cat "$T/asm.out"; bad "relman assemble"; finish; exit 1; }
REL=$T/$APP/_build/default/rel/$APP
B=$REL/bin/$APP

# ---- 1. foreground, ping, eval, rpc, remote_console ------------------------
check "no command: the list on stderr, exit 1 (as relx)" bash -c "! '$B' 2>'$T/usage.out' && grep -q '^  foreground ' '$T/usage.out'"
check "help foreground" bash -c "'$B' help foreground | grep -q '^Usage: $APP  *foreground '"
check "ping when down: exit 1" bash -c "! '$B' ping >'$T/ping0.out'"
check "ping when down says so" grep -qx 'Node is not running!' "$T/ping0.out"
"$B" foreground >"$T/fg.out" 2>&1 &
fg=$!
up=0
for _ in $(seq 1 100); do "$B" ping >/dev/null 2>&1 && { up=1; break; }; sleep 0.2; done
check "foreground comes up" test "$up" = 1
check "foreground prints Exec: and Root: as relx" grep -q "^Root: $REL" "$T/fg.out"
check "foreground execs: its pid is the VM" grep -q beam "/proc/$fg/comm"
check "ping prints pong" test "$("$B" ping)" = pong
check "eval 'node().' prints the node's name" test "$("$B" eval 'node().')" = "$APP@$HOST"
check "rpc M F" test "$("$B" rpc erlang node)" = "$APP@$HOST"
check "rpc M F A" test "$("$B" rpc lists reverse '[[1,2,3]]')" = '"\x3\x2\x1"'
check "rpc of a missing function prints the badrpc (exit 0, as relx)" \
    bash -c "'$B' rpc nosuch fn | grep -q \"^{badrpc, {'EXIT', {undef\""
check "rpc of one expression (mix's form) still works" \
    test "$("$B" rpc 'io:format("~s~n", [node()])')" = "$APP@$HOST"
check "eval of a term in erl_call's notation" \
    test "$("$B" eval '{ok, [a|b], <<1,2>>, "s", 1.5}.')" = '{ok, [a | b], #Bin<1,2>, "s", 1.500000}'
check "pid" test "$("$B" pid)" = "$fg"
check "versions" bash -c "'$B' versions | grep -qP '^\\* 0\\.1\\.0\\t'"
check "status exits 0 when up" "$B" status
if command -v script >/dev/null; then
    tty_session 3 'io:format("remote:~s~n", [node()]).' 8 "'$B' remote_console" >"$T/remote.out"
    check "remote_console evaluates on the node" grep -aq "^remote:$APP@$HOST" "$T/remote.out"
    check "the node survives the remote shell" "$B" ping
fi
kill -TERM "$fg"
check "foreground stops on SIGTERM" wait_pid_gone "$fg" 20
check "ping after the stop: exit 1" bash -c "! '$B' ping >/dev/null"

finish
