#!/usr/bin/env bash
# Deploying a tarball made by `mix release` itself (mix's tar step:
# `steps: [:assemble, :tar]` in mix.exs), not by relman: examples/kv's
# release foo built by `MIX_ENV=prod mix release foo`, then `relman deploy
# --tarball` to a loopback sshd. Mix's own bin/foo runs the node (daemon,
# pid, rpc, stop): the health check (TCP port owned by the node, every
# application of the release started: the Elixir wrapper) passes, the node
# answers, a second deploy of the same tarball is a no-op, restart goes
# through mix's script (stop, daemon, the check again), and stop leaves no
# VM. The cookie of
# mix's releases/COOKIE is on no command line of relman's (a 50 ms ps poll;
# mix's script puts it on the ones of the VMs it starts).
# Ports: sshd 22780-22789, node and epmd 4770-4779.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }

remote_init mix_tarball 4770
sshd_start m1 127.0.0.2 22780 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4779)
KV=$T/kv
kvrel_copy "$KV" || exit 1
# mix's tar step for release foo
sed -i 's/          applications: \[kv_server: :permanent, kv: :permanent\]/&,\n          steps: [:assemble, :tar]/' "$KV/mix.exs"
grep -q 'steps: \[:assemble, :tar\]' "$KV/mix.exs" || { echo "could not add the tar step to mix.exs"; exit 1; }
mixrel() { # mixrel VERSION: mix's tarball of foo VERSION
    sed -i "/foo: \[/,/\]/ s/version: \"[0-9.]*\"/version: \"$1\"/" "$KV/mix.exs"
    grep -q "version: \"$1\"" "$KV/mix.exs" || { echo "could not set version $1" >&2; return 1; }
    (cd "$KV" && MIX_ENV=prod HEX_OFFLINE=1 mix release foo --overwrite >"$T/mix-$1.log" 2>&1) ||
        { cat "$T/mix-$1.log" >&2; return 1; }
    [ -f "$KV/_build/prod/foo-$1.tar.gz" ] || { echo "mix made no foo-$1.tar.gz" >&2; return 1; }
    cp "$KV/_build/prod/foo-$1.tar.gz" "$T/foo-$1.tar.gz"
    echo "$T/foo-$1.tar.gz"
}
V1=$(mixrel 0.0.1) || exit 1
# mix's script, not relman's (relman's starts with its own header)
tar -xzOf "$V1" bin/foo | grep -q 'RELEASE_ROOT' && passes=$((passes + 1)) || { echo "FAIL no bin/foo in mix's tarball"; fails=$((fails + 1)); }
tar -xzOf "$V1" bin/foo | grep -q 'relman' && { echo "FAIL bin/foo is relman's"; fails=$((fails + 1)); } || passes=$((passes + 1))

HOSTDIR=$T/m1/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  m1:
    host: m1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvmix$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {keep: 3, health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
vms() { pgrep -f -- "$HOSTDIR/" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = beam.smp ] && echo "$p"; done | wc -l; }
cookie=$(tar -xzOf "$V1" releases/COOKIE)
[ -n "$cookie" ] || { echo "no cookie in mix's tarball"; exit 1; }
# a 50 ms ps poll while relman works on the host
ps_poll() { while :; do ps -eo args >>"$T/ps.log" 2>/dev/null; sleep 0.05; done; }
ps_poll &
poller=$!

check deploy-mix rr deploy m1 --tarball "$V1" --yes
contains deploy-mix "m1: deployed foo 0.0.1"
is answers "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
cur1=$(readlink "$HOSTDIR/current")
cmp -s <(tar -xzOf "$V1" bin/foo) "$HOSTDIR/$cur1/bin/foo" && passes=$((passes + 1)) || { echo "FAIL the host's bin/foo is not mix's"; fails=$((fails + 1)); }
pid=$(rr pid m1)
check status rr status m1
contains status "running"
contains status "0.0.1"

check again rr deploy m1 --tarball "$V1" --yes
contains again "already running foo 0.0.1"
is again-pid "$(rr pid m1)" "$pid"

check restart rr restart m1 --yes
[ "$(rr pid m1)" != "$pid" ] && passes=$((passes + 1)) || { echo "FAIL restart kept the pid"; fails=$((fails + 1)); }

is answers-after-restart "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
is one-vm "$(vms)" 1

check stop rr stop m1 --yes
is no-vm-left "$(vms)" 0
kill "$poller" 2>/dev/null
wait "$poller" 2>/dev/null
# relman's commands never hold it; mix's bin/foo hands it to the VMs it
# starts (`elixir --cookie C`, which runs `erl ... -setcookie C`: mix's
# script does, docs/remote.md), and only those
grep -F -- "$cookie" "$T/ps.log" | grep -vF -e "--cookie $cookie" -e "-setcookie $cookie" >"$T/ps.cookie"
[ -s "$T/ps.cookie" ] && { echo "FAIL the cookie on a command line: $(head -c 300 "$T/ps.cookie")"; fails=$((fails + 1)); } ||
    passes=$((passes + 1))
[ -s "$T/ps.log" ] && passes=$((passes + 1)) || { echo "FAIL the ps poll saw nothing"; fails=$((fails + 1)); }
finish
