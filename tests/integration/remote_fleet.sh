#!/usr/bin/env bash
# Four hosts (four sshd on 127.0.0.2..5), deploy.batch 2: all end running;
# then a version that fails its health check on one host of the first
# batch: that host is rolled back (the previous release runs again), the
# other host of the batch keeps the new version, and the second batch does
# not start; with --rollback-all the host that succeeded goes back too.
# The failure is real: the second version's runtime config
# refuses to boot when FAIL_V2=1, which only h2 sets.
# Ports: sshd 22240-22249, nodes and epmd 4430-4439.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init fleet 4430
port=22240
for i in 1 2 3 4; do
    sshd_start h$i 127.0.0.$((i + 1)) $port || exit 1
    port=$(($(sshd_port h$i) + 1))
done
node_ports=()
next=$((REMOTE_EPMD + 1))
for i in 1 2 3 4; do
    p=$(free_port $next 4439) || { echo "no free node port" >&2; exit 1; }
    node_ports+=("$p")
    next=$((p + 1))
done

{
    echo 'releases:'
    echo '  foo: {version: "0.0.1"}'
    echo 'targets:'
    for i in 1 2 3 4; do
        fail=
        [ $i = 2 ] && fail=', FAIL_V2: "1"'
        echo "  h$i: {host: h$i, path: $T/h$i/srv/kv, release: foo,"
        echo "        env: {PORT: \"${node_ports[$((i - 1))]}\", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvfleet${i}x$$, ERL_EPMD_PORT: \"$REMOTE_EPMD\"$fail}}"
    done
    echo 'groups: {all: [h1, h2, h3, h4]}'
    echo 'deploy: {keep: 3, batch: 2, health: {timeout: 12}}'
    echo "ssh: {config: $SSHD_CLIENT_CONFIG}"
} >"$PROJ/relman.yml"

V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
V2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1
# version 2 cannot boot where FAIL_V2=1
cat >>"$T/build/kv-0.0.2/config/runtime.exs" <<'EXS'

if System.get_env("FAIL_V2") == "1" do
  raise "FAIL_V2 is set: this node refuses to boot version 0.0.2"
end
EXS
(cd "$T/build/kv-0.0.2" && "$RELMAN" -q assemble foo --overwrite >/dev/null 2>&1) || { echo "rebuild failed" >&2; exit 1; }

answer() { kv_ask 127.0.0.1 "${node_ports[$(($1 - 1))]}" PING; }

check deploy-v1-all rr deploy all --tarball "$V1" --yes
for i in 1 2 3 4; do
    contains deploy-v1-h$i "h$i: deployed foo 0.0.1"
    is answer-v1-h$i "$(answer $i)" "UNKNOWN COMMAND one"
done
# batches: h3 and h4 start only after h1 and h2 are healthy
first_h3=$(grep -n '^h3: lock' <<<"$out" | head -1 | cut -d: -f1)
last_h12=$(grep -n '^h[12]: cleanup' <<<"$out" | tail -1 | cut -d: -f1)
[ -n "$first_h3" ] && [ -n "$last_h12" ] && [ "$first_h3" -gt "$last_h12" ] && passes=$((passes + 1)) ||
    { echo "FAIL batch order: h3 began at line $first_h3, batch 1 ended at $last_h12: $out"; fails=$((fails + 1)); }
# within a batch, the hosts progress together
first_h2=$(grep -n '^h2: lock' <<<"$out" | head -1 | cut -d: -f1)
h1_done=$(grep -n '^h1: cleanup' <<<"$out" | head -1 | cut -d: -f1)
[ "$first_h2" -lt "$h1_done" ] && passes=$((passes + 1)) || { echo "FAIL h1 and h2 not in parallel"; fails=$((fails + 1)); }

check status-all rr status all
lacks status-all-keys-kept "added host key"
json=$(rr status all --json 2>/dev/null)
python3 - "$json" <<'PY' && passes=$((passes + 1)) || { echo "FAIL status-json: $json"; fails=$((fails + 1)); }
import json, sys
s = json.loads(sys.argv[1])
assert [h["target"] for h in s] == ["h1", "h2", "h3", "h4"], s
assert all(h["running"] and h["version"] == "0.0.1" for h in s), s
PY

sleep 1
check_fails deploy-v2-fails rr deploy all --tarball "$V2" --yes
contains v2-h1-deployed "h1: deployed foo 0.0.2"
contains v2-h2-rolled-back "h2: rolled back"
contains v2-h2-health "h2: health check failed after 12 s"
contains v2-h2-running-again "running again"
contains v2-h3-skipped "h3: not started"
contains v2-h4-skipped "h4: not started"
contains v2-summary "deploy failed on 1 of 4 targets (h2); 2 not started"
lacks v2-h3-no-lock "h3: lock"
is answer-v2-h1 "$(answer 1)" "UNKNOWN COMMAND two"
is answer-v2-h2 "$(answer 2)" "UNKNOWN COMMAND one"
is answer-v2-h3 "$(answer 3)" "UNKNOWN COMMAND one"
is answer-v2-h4 "$(answer 4)" "UNKNOWN COMMAND one"
[ "$(readlink "$T/h2/srv/kv/current")" = "$(readlink "$T/h3/srv/kv/current")" ] || true
case $(readlink "$T/h2/srv/kv/current") in releases/0.0.1-*) passes=$((passes + 1)) ;; *) echo "FAIL h2 current: $(readlink "$T/h2/srv/kv/current")"; fails=$((fails + 1)) ;; esac
[ ! -e "$T/h3/srv/kv/releases/$(basename "$(readlink "$T/h1/srv/kv/current")")" ] && passes=$((passes + 1)) || { echo "FAIL h3 got the new release"; fails=$((fails + 1)); }
[ ! -d "$T/h2/srv/kv/shared/lock" ] && passes=$((passes + 1)) || { echo "FAIL h2 lock left"; fails=$((fails + 1)); }
grep -q "FAILED: .*health check failed" "$T/h2/srv/kv/shared/audit.log" && passes=$((passes + 1)) || { echo "FAIL h2 audit"; fails=$((fails + 1)); }

# --rollback-all: h1 back on 0.0.1 first; then the same failing run returns
# h1 (which the run switched to 0.0.2) to 0.0.1 too: no mixed versions
check rollback-h1 rr rollback h1 --yes
sleep 1
check_fails deploy-v2-rollback-all rr deploy all --tarball "$V2" --rollback-all --yes
contains v2ra-h1-deployed "h1: deployed foo 0.0.2"
contains v2ra-h2-rolled-back "h2: rolled back"
contains v2ra-returning "--rollback-all: returning 1 host(s) to their previous release"
contains v2ra-summary-h1 "  h1: foo 0.0.1 (rolled back from 0.0.2: --rollback-all)"
contains v2ra-summary-h2 "  h2: foo 0.0.1 (rolled back)"
contains v2ra-summary-h3 "  h3: not started (left as it was)"
for i in 1 2 3 4; do
    is answer-v2ra-h$i "$(answer $i)" "UNKNOWN COMMAND one"
    case $(readlink "$T/h$i/srv/kv/current") in releases/0.0.1-*) passes=$((passes + 1)) ;; *) echo "FAIL h$i current: $(readlink "$T/h$i/srv/kv/current")"; fails=$((fails + 1)) ;; esac
    [ ! -d "$T/h$i/srv/kv/shared/lock" ] && passes=$((passes + 1)) || { echo "FAIL h$i lock left"; fails=$((fails + 1)); }
done
grep -q "rollback releases/0.0.2-" "$T/h1/srv/kv/shared/audit.log" && passes=$((passes + 1)) || { echo "FAIL h1 rollback audit: $(tail -n 2 "$T/h1/srv/kv/shared/audit.log")"; fails=$((fails + 1)); }

check stop-all rr stop all --yes
finish
