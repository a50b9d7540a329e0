#!/usr/bin/env bash
# Deploy examples/kv release foo to a target over a real sshd, then: status
# (running, version, pid), a second version (current moves, new code
# answers), the same tarball again (no upload), rollback to the first, node
# control (pid, version, rpc, logs, restart, stop, start), keep N, audit
# logs, a held lock. Tarballs: `relman assemble` with the tar step (lib/kvrel.sh).
# Ports: sshd 22230, node and epmd 4420-4429 (or the next free ones).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init deploy 4420
sshd_start web1 127.0.0.2 22230
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4429)
HOSTDIR=$T/host/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  web1:
    host: web1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvdeploy$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {keep: 2, batch: 1, health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
V2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1

# nothing there yet
check status-empty rr status web1
contains status-empty "not deployed"
contains status-empty "added host key ssh-ed25519"

# deploy 1 (accept-new adds the host key)
check deploy-v1 rr deploy web1 --tarball "$V1" --yes
contains deploy-v1 "web1: deployed foo 0.0.1"
is answers-v1 "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND one"
check put rr rpc web1 'KV.Registry.create(KV.Registry, "shop"); IO.puts(:ok)'
check status-v1 rr status web1
contains status-v1 "running"
contains status-v1 "foo 0.0.1"
pid1=$(rr pid web1)
[ -n "$pid1" ] && kill -0 "$pid1" 2>/dev/null && passes=$((passes + 1)) || { echo "FAIL pid-v1: '$pid1'"; fails=$((fails + 1)); }
contains status-v1-pid "pid $pid1"
json=$(rr status web1 --json 2>/dev/null)
python3 - "$json" <<'PY' && passes=$((passes + 1)) || { echo "FAIL status-json: $json"; fails=$((fails + 1)); }
import json, sys
s = json.loads(sys.argv[1])[0]
assert s["target"] == "web1" and s["running"] and s["version"] == "0.0.1", s
assert s["current"].startswith("releases/0.0.1-") and s["previous"] is None, s
PY
# status asks the node itself as a hidden Erlang node, through the SSH
# connection: the same pid and applications as bin/foo on the host says
check apps-rpc rr rpc web1 'Enum.each(:application.which_applications(), fn {a, _, v} -> IO.puts("#{a} #{v}") end)'
apps=$(sort <<<"$out")
python3 - "$json" "$pid1" "$apps" <<'PY' && passes=$((passes + 1)) || { echo "FAIL status-live: $json"; fails=$((fails + 1)); }
import json, sys
s = json.loads(sys.argv[1])[0]
assert s["via"] == "distribution", s
assert s["pid"] == int(sys.argv[2]), (s["pid"], sys.argv[2])
assert s["node"].startswith("kvdeploy"), s
assert s["release_name"] == "foo" and s["release_version"] == "0.0.1", s
import re
got = sorted(f'{a["name"]} {a["version"]}' for a in s["applications"])
want = sorted(l for l in sys.argv[3].split("\n") if re.fullmatch(r"[a-z_]+ [0-9][0-9.]*", l))
assert got == want and "kv_server 0.1.0" in got, (got, sys.argv[3])
assert s["process_count"] > 10 and s["memory"]["total"] > s["memory"]["processes"] > 0, s
assert s["schedulers"] >= 1 and s["uptime_ms"] > 0, s
PY
check status-live-verbose rr -v status web1
contains status-live-verbose "asked over distribution"
lacks status-live-verbose "$(cat "$HOSTDIR"/current/releases/COOKIE)"
check version-v1 rr version web1
is version-v1 "$out" "foo 0.0.1"
cur1=$(readlink "$HOSTDIR/current")

# deploy 2: current moves, the new code answers, the old node is gone
sleep 1 # a new stamp
check deploy-v2 rr -v deploy web1 --tarball "$V2" --yes
contains deploy-v2-verbose "web1: \$ cat > "
contains deploy-v2-verbose "-> exit 0"
is answers-v2 "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND two"
cur2=$(readlink "$HOSTDIR/current")
[ "$cur2" != "$cur1" ] && [ "$(readlink "$HOSTDIR/previous")" = "$cur1" ] && passes=$((passes + 1)) ||
    { echo "FAIL links after v2: current=$cur2 previous=$(readlink "$HOSTDIR/previous")"; fails=$((fails + 1)); }
# gone within 10 s (a zombie waiting for its parent counts as gone)
for _ in $(seq 100); do
    st=$(ps -o stat= -p "$pid1" 2>/dev/null)
    [ -z "$st" ] || [ "${st#Z}" != "$st" ] && break
    sleep 0.1
done
st=$(ps -o stat= -p "$pid1" 2>/dev/null)
[ -z "$st" ] || [ "${st#Z}" != "$st" ] && passes=$((passes + 1)) ||
    { echo "FAIL old node $pid1 still running: $(ps -o pid,ppid,stat,args -p "$pid1" | tail -1)"; fails=$((fails + 1)); }
check version-v2 rr version web1
is version-v2 "$out" "foo 0.0.2"

# the same tarball again (--force: it runs already): not uploaded twice; keep 2 removes the oldest
sleep 1
check deploy-v2-again rr deploy web1 --tarball "$V2" --force --yes
contains deploy-v2-again "already on the host: not uploading"
contains deploy-v2-again "removing 1 old release(s)"
[ "$(ls "$HOSTDIR/releases" | wc -l)" = 2 ] && passes=$((passes + 1)) || { echo "FAIL keep 2: $(ls "$HOSTDIR/releases")"; fails=$((fails + 1)); }
[ ! -e "$HOSTDIR/$cur1" ] && passes=$((passes + 1)) || { echo "FAIL $cur1 not removed"; fails=$((fails + 1)); }
check releases-remote rr releases --remote web1
contains releases-current "$(basename "$(readlink "$HOSTDIR/current")")  (current)"
contains releases-previous "$(basename "$cur2")  (previous)"

# rollback returns to the previous (the first v2 deploy)
check rollback rr rollback web1 --yes
contains rollback "web1: rolled back"
is rolled-back-current "$(readlink "$HOSTDIR/current")" "$cur2"
is answers-after-rollback "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND two"
check rollback-again rr rollback web1 --yes
check rpc rr rpc web1 'IO.puts(40 + 2)'
is rpc "$out" "42"
check_fails rpc-error rr rpc web1 'raise "boom"'
contains rpc-error "boom"

# logs, and logs -f following new lines
check logs rr logs web1 -n 50
contains logs "LOGGING STARTED"
check_fails logs-two-targets rr logs web1 web1
(cd "$PROJ" && exec "$R" logs web1 -f -n 1 >"$T/follow.out" 2>&1) &
follower=$!
sleep 2
check log-something rr rpc web1 'require Logger; Logger.error("relman-follow-marker"); :ok'
for _ in $(seq 1 100); do grep -q relman-follow-marker "$T/follow.out" && break; sleep 0.1; done
kill -INT $follower 2>/dev/null; wait $follower 2>/dev/null
grep -q relman-follow-marker "$T/follow.out" && passes=$((passes + 1)) || { echo "FAIL logs -f: $(cat "$T/follow.out")"; fails=$((fails + 1)); }

# a held lock is reported with its holder, and unlock removes it
mkdir "$HOSTDIR/shared/lock" && echo "someone@else since yesterday" >"$HOSTDIR/shared/lock/info"
check_fails locked rr deploy web1 --tarball "$V1" --yes
contains locked "locked by someone@else since yesterday"
check status-locked rr status web1
contains status-locked "LOCKED by someone@else"
check unlock rr unlock web1 --yes
contains unlock "removed the lock held by someone@else"

# node control
check restart rr restart web1 --yes
is answers-after-restart "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND two"
check stop rr stop web1 --yes
contains stop "web1: stopped"
check status-stopped rr status web1
contains status-stopped "stopped"
check_fails pid-stopped rr pid web1
contains pid-stopped "not running"
check_fails no-answer bash -c "exec 3<>/dev/tcp/127.0.0.1/$NODE_PORT"
check stop-again rr stop web1 --yes
contains stop-again "not running"
check start rr start web1
is answers-after-start "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND two"
check stop-final rr stop web1 --yes

# audit trail, on the host and locally
n=$(grep -c ' web1 ' "$HOSTDIR/shared/audit.log")
[ "$n" -ge 8 ] && passes=$((passes + 1)) || { echo "FAIL host audit has $n lines"; fails=$((fails + 1)); }
grep -q "deploy foo 0.0.2 .* ok (previous releases/0.0.1-" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) || { echo "FAIL audit deploy line"; cat "$HOSTDIR/shared/audit.log"; fails=$((fails + 1)); }
grep -q "rollback releases/" "$PROJ/.relman/audit.log" && passes=$((passes + 1)) || { echo "FAIL local audit"; fails=$((fails + 1)); }

# without --yes and without a terminal, changes are refused
check_fails no-yes rr deploy web1 --tarball "$V1" </dev/null
contains no-yes "--yes"
# usage errors
check_fails unknown-target rr status nosuch
contains unknown-target "no target or group 'nosuch'"
check_fails no-tarball rr deploy web1 --yes
contains no-tarball "release foo"
finish
