#!/usr/bin/env bash
# Secrets never on a command line: a target whose targets.env holds
# RELEASE_COOKIE (and another secret value) is deployed, asked for its
# status, called with rpc and stopped, while a background loop polls
# `ps -eo args` every 50 ms on the target (the same machine) and records
# every line holding either value. None may appear; `-v` output may not hold
# them either. rpc answering proves the node got its cookie (it must reach the
# running node over distribution).
# Ports: sshd 22600, node and epmd 4600-4609.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init secrets 4600
sshd_start s1 127.0.0.2 22600 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4609)
HOSTDIR=$T/host/opt/kv
COOKIE=sekrit_cookie_$$_x9
OTHER=other_secret_$$_q7
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  s1:
    host: s1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvsecret$$, ERL_EPMD_PORT: "$REMOTE_EPMD", RELEASE_COOKIE: "$COOKIE", API_TOKEN: "$OTHER"}
deploy: {keep: 2, health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1

# The poll: every 50 ms, every process's arguments; hits go to $T/seen (the
# values come from a file: the poll's own grep has none in its arguments).
: >"$T/seen"
printf '%s\n%s\n' "$COOKIE" "$OTHER" >"$T/secrets"
poll_start() {
    (
        end=$((SECONDS + 120))
        while [ $SECONDS -lt $end ] && [ ! -e "$T/poll.stop" ]; do
            ps -eo pid,args | grep -F -f "$T/secrets" >>"$T/seen"
            sleep 0.05
        done
    ) &
    poll_pid=$!
}
poll_stop() {
    touch "$T/poll.stop"
    wait "$poll_pid" 2>/dev/null
    rm -f "$T/poll.stop"
}
# a self-check of the poll: a process with the cookie in its arguments is seen
poll_start
sh -c "sleep 0.5; : $COOKIE" &
wait $!
poll_stop
[ -s "$T/seen" ] && passes=$((passes + 1)) || { echo "FAIL the poll sees nothing"; fails=$((fails + 1)); }
: >"$T/seen"

poll_start
check deploy rr -v deploy s1 --tarball "$V1" --yes
contains deploy "s1: deployed foo 0.0.1"
lacks deploy-v-cookie "$COOKIE"
lacks deploy-v-other "$OTHER"
contains deploy-v-preamble 'eval "$(cat)"'
check status rr -v status s1
contains status running
lacks status-v-cookie "$COOKIE"
check rpc rr -v rpc s1 'IO.puts(:pong)'
contains rpc pong
lacks rpc-v-cookie "$COOKIE"
check version rr -v version s1
is version "$(tail -n 1 <<<"$out")" "foo 0.0.1"
check stop rr -v stop s1 --yes
contains stop "s1: stopped"
lacks stop-v-cookie "$COOKIE"
lacks stop-v-other "$OTHER"
poll_stop
if [ -s "$T/seen" ]; then
    echo "FAIL the secrets were seen in ps:"
    sort -u "$T/seen" | head -20
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
# nothing of the env script stays on the host
left=$(grep -rlF "$COOKIE" "$HOSTDIR" 2>/dev/null | grep -v '/cookie/' || true)
is no-cookie-files "$left" ""
# the local audit log and the host's audit log do not hold them
! grep -qF "$COOKIE" "$PROJ/.relman/audit.log" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) ||
    { echo "FAIL an audit log holds the cookie"; fails=$((fails + 1)); }
finish
