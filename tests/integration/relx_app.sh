#!/usr/bin/env bash
# Acceptance (issue 14): `rebar3 new app` plus a relx section (no config/
# directory: relman's default vm.args, a generated cookie), made at test
# time: `relman init --import && relman assemble` with no hand edits to
# what relman reads; foreground serves, ping prints pong, eval 'node().'
# prints the node's name, stop stops it (and waits for the VM, as relx).
set -u
. "$(dirname "$0")/lib/assemble.sh"
APP=rxa$$
HOST=$(hostname -s)

rebar3_new app "$APP"
cat >>rebar.config <<EOF

{relx, [{release, {$APP, "0.1.0"}, [$APP, sasl]}, {mode, dev}]}.
EOF
check "init --import" "$R" init --import
"$R" assemble -q >"$T/asm.out" 2>&1 || { cat "$T/asm.out"; bad "relman assemble"; finish; exit 1; }
B=$T/$APP/_build/default/rel/$APP/bin/$APP
check "ping when down: exit 1" bash -c "! '$B' ping >/dev/null"
"$B" foreground >"$T/fg.out" 2>&1 &
fg=$!
up=0
for _ in $(seq 1 100); do "$B" ping >/dev/null 2>&1 && { up=1; break; }; sleep 0.2; done
check "foreground serves" test "$up" = 1
check "ping prints pong" test "$("$B" ping)" = pong
check "the application runs" test "$("$B" rpc erlang whereis "[${APP}_sup]" | cut -c1-1)" = "<"
check "eval 'node().' prints the node's name" test "$("$B" eval 'node().')" = "$APP@$HOST"
check "stop" "$B" stop
check "stop waited for the VM" bash -c "! kill -0 $fg 2>/dev/null"
check "ping after: exit 1" bash -c "! '$B' ping >/dev/null"
finish
