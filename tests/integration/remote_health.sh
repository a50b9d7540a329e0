#!/usr/bin/env bash
# Deploys that do nothing twice, and health checks that prove the new node.
# examples/kv's release foo has no `tar` step here: `relman deploy` builds
# and packs it itself. Then: the same release again is a no-op ("already
# running": no upload, no new directory, the same VM), --force deploys it
# again; the port held by another process fails the health check and rolls
# back; an HTTP check against a path answering 500 fails and rolls back,
# one answering 200 with the body text passes; an rpc check; a settle
# period the node does not survive (it halts a moment after its first
# healthy answer) rolls back; a listener that never accepts (its backlog
# full) and one that accepts and stays silent cannot hold the check past
# its timeout. Counts what is left on the host: release directories, links,
# the node's pid, VMs, locks, audit lines.
#
# For speed the cases after the first deploy run side by side, each on a
# target of its own (the same sshd, its own directory, node name and
# ports) with the tarball the first deploy packed (no second assembly).
# Ports: sshd 22740-22749, nodes, http and epmd 4740-4749 and 4760-4769.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init health 4740
sshd_start h1 127.0.0.2 22740 || exit 1
ports=()
next=$((REMOTE_EPMD + 1))
for i in $(seq 12); do
    p=$(free_port "$next" 4749) || p=$(free_port 4760 4769) || { echo "no free port" >&2; exit 1; }
    ports+=("$p")
    next=$((p + 1))
done
KV=$T/kv
kvrel_copy "$KV" || exit 1
PROJ=$KV
# a small HTTP endpoint in the node (HTTP_PORT): /ok answers 200 "kv is fine",
# anything else 500
cat >"$KV/apps/kv_server/lib/kv_server/http.ex" <<'EX'
defmodule KVServer.Http do
  @moduledoc false
  def child_spec(port), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [port]}}

  def start_link(port) do
    {:ok, l} = :gen_tcp.listen(port, [:binary, active: false, reuseaddr: true])
    {:ok, spawn_link(fn -> loop(l) end)}
  end

  defp loop(l) do
    {:ok, s} = :gen_tcp.accept(l)
    {:ok, req} = :gen_tcp.recv(s, 0, 5000)
    [_, path | _] = String.split(req, " ", parts: 3)
    {code, body} = if path == "/ok", do: {"200 OK", "kv is fine"}, else: {"500 Oops", "broken"}
    :gen_tcp.send(s, "HTTP/1.0 #{code}\r\ncontent-length: #{byte_size(body)}\r\n\r\n#{body}")
    :gen_tcp.close(s)
    loop(l)
  end
end
EX
sed -i 's/      {KVServer, port: port}/      {KVServer, port: port},\n      {KVServer.Http, String.to_integer(System.get_env("HTTP_PORT", "0"))}/' \
    "$KV/apps/kv_server/lib/kv_server/application.ex"
grep -q KVServer.Http "$KV/apps/kv_server/lib/kv_server/application.ex" || { echo "could not add the http child"; exit 1; }

# Each case: a project dir holding relman.yml (the first is $KV itself),
# one target, its host dir and ports.
#   case_yml DIR TARGET NODE_PORT HTTP_PORT DEPLOY-HEALTH [TARGET-HEALTH]
case_yml() {
    local dir=$1 name=$2 np=$3 hp=$4
    mkdir -p "$dir"
    if [ "$dir" = "$KV" ]; then
        sed -i '/^targets:/,$d' "$KV/relman.yml"
    else
        printf 'releases:\n  foo: {version: "0.0.1"}\n' >"$dir/relman.yml"
    fi
    cat >>"$dir/relman.yml" <<YML
targets:
  $name:
    host: h1
    path: $T/$name/opt/kv
    release: foo
    health: ${6:-{\}}
    env: {PORT: "$np", HTTP_PORT: "$hp", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvh${name}x$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {keep: 3, health: $5}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
}
in_dir() { # in_dir DIR relman args...: relman in DIR
    local d=$1
    shift
    (cd "$d" && "$R" "$@")
}
ndirs() { ls "$1/releases" | grep -c -- '-[0-9]\{14\}$'; }
# VMs of a release directory still running
vms() { pgrep -f -- "$1/" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = beam.smp ] && echo "$p"; done | wc -l; }
nolock() { is "$1" "$(ls "$2/shared" | grep -c '^lock$')" 0; }
audit_last() { # audit_last NAME HOSTDIR ERE: the newest deploy line matches
    grep "deploy foo 0.0.1" "$2/shared/audit.log" | tail -n 1 | grep -qE -- "$3" && passes=$((passes + 1)) ||
        { echo "FAIL $1 audit: $(tail -n 1 "$2/shared/audit.log")"; fails=$((fails + 1)); }
}
newest() { ls -t "$1/releases" | head -n 1; }
# a squatter on a port: `accept` (accepts and closes), `silent` (accepts,
# never answers), `full` (never accepts; its backlog is full, so the kernel
# drops further SYNs). Prints its pid once it listens.
squat() { # squat MODE PORT
    python3 -u -c "
import socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port)); s.listen(0 if mode == 'full' else 8)
held = []
if mode == 'full':  # fill the accept queue: nothing more gets in
    for _ in range(2):
        c = socket.socket(); c.setblocking(False); c.connect_ex(('127.0.0.1', port)); held.append(c)
print('ready', flush=True)
while True:
    if mode == 'full': time.sleep(1); continue
    c, _ = s.accept()
    if mode == 'accept': c.close()
    else: held.append(c)
" "$1" "$2" >"$T/squat-$2" 2>&1 &
    local pid=$! i
    for i in $(seq 50); do grep -q ready "$T/squat-$2" 2>/dev/null && break; sleep 0.1; done
    echo "$pid"
}
sshd_at_exit 'for f in $(find "$T" -name fake.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null; done'

# --- point 4: no tar step, deploy builds; the same release again does nothing
NP1=${ports[0]}
HOSTDIR=$T/h1/opt/kv
case_yml "$KV" h1 "$NP1" 0 "{tcp: $NP1, timeout: 40}"
check deploy-builds rr deploy h1 --yes
contains deploy-builds "packed"
contains deploy-builds "h1: deployed foo 0.0.1"
TARBALL=$KV/_build/prod/foo-0.0.1.tar.gz
[ -f "$TARBALL" ] && passes=$((passes + 1)) || { echo "FAIL no tarball packed"; fails=$((fails + 1)); }
is answers "$(kv_ask 127.0.0.1 "$NP1" PING)" "UNKNOWN COMMAND"
pid1=$(rr pid h1)
cur1=$(readlink "$HOSTDIR/current")

t0=$(date +%s.%N)
check again rr deploy h1 --yes
t1=$(date +%s.%N)
contains again "already running foo 0.0.1"
lacks again "upload"
is again-current "$(readlink "$HOSTDIR/current")" "$cur1"
is again-dirs "$(ndirs "$HOSTDIR")" 1
is again-pid "$(rr pid h1)" "$pid1"
nolock again-no-lock "$HOSTDIR"
grep -q "no change: already running $cur1" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) ||
    { echo "FAIL again: no audit line"; fails=$((fails + 1)); }
echo "re-deploy of the running release (assembly included): $(echo "$t1 - $t0" | bc) s"

# --- the cases, side by side; each ends by writing its tally
case_force_and_port_taken() { # h1: --force, then the node's port held by another process
    check force rr deploy h1 --force --yes
    contains force "already on the host: not uploading"
    contains force "h1: deployed foo 0.0.1"
    is force-dirs "$(ndirs "$HOSTDIR")" 2
    [ "$(rr pid h1)" != "$pid1" ] && passes=$((passes + 1)) || { echo "FAIL --force did not restart"; fails=$((fails + 1)); }
    is force-previous "$(readlink "$HOSTDIR/previous")" "$cur1"
    # the new node cannot listen; deploy fails, switches back; nothing of
    # the new release runs
    check stop rr stop h1 --yes
    local squatter cur new
    squatter=$(squat accept "$NP1")
    case_yml "$KV" h1 "$NP1" 0 "{tcp: $NP1, timeout: 6}"
    cur=$(readlink "$HOSTDIR/current")
    check_fails port-taken rr deploy h1 --force --yes
    contains port-taken "health check failed"
    contains port-taken "h1: rolled back"
    is port-taken-current "$(readlink "$HOSTDIR/current")" "$cur"
    new=$(newest "$HOSTDIR")
    is port-taken-no-new-vm "$(vms "$HOSTDIR/releases/$new")" 0
    nolock port-taken-no-lock "$HOSTDIR"
    audit_last port-taken "$HOSTDIR" "FAILED: .*health check failed"
    kill "$squatter"
    wait "$squatter" 2>/dev/null
}

case_http_500() { # h2: an HTTP check against a path answering 500
    local d=$T/p2 np=${ports[1]} hp=${ports[2]} hd=$T/h2/opt/kv cur new
    case_yml "$d" h2 "$np" "$hp" "{tcp: $np, timeout: 40}"
    check deploy-h2 in_dir "$d" deploy h2 --tarball "$TARBALL" --yes
    check stop-h2 in_dir "$d" stop h2 --yes
    cur=$(readlink "$hd/current")
    case_yml "$d" h2 "$np" "$hp" "{tcp: $np, timeout: 8, http: {port: $hp, path: /fail}}"
    check_fails start-for-500 in_dir "$d" start h2
    contains start-for-500 "answered 500, not 200"
    check_fails http-500 in_dir "$d" deploy h2 --tarball "$TARBALL" --force --yes
    contains http-500 "GET /fail on port $hp answered 500, not 200"
    contains http-500 "h2: rolled back"
    is http-500-current "$(readlink "$hd/current")" "$cur"
    new=$(newest "$hd")
    is http-500-no-new-vm "$(vms "$hd/releases/$new")" 0
}

case_restart_checks() { # h7: restart with checks that fail: a path answering 500, a body lacking a text
    local d=$T/p7 np=${ports[8]} hp=${ports[9]}
    case_yml "$d" h7 "$np" "$hp" "{tcp: $np, timeout: 40}"
    check deploy-h7 in_dir "$d" deploy h7 --tarball "$TARBALL" --yes
    case_yml "$d" h7 "$np" "$hp" "{tcp: $np, timeout: 8, http: {port: $hp, path: /fail}}"
    check_fails restart-500 in_dir "$d" restart h7 --yes
    contains restart-500 "answered 500"
    case_yml "$d" h7 "$np" "$hp" "{tcp: $np, timeout: 8, http: {port: $hp, path: /ok, body: not there}}"
    check_fails body-lacks in_dir "$d" restart h7 --yes
    contains body-lacks "the body lacks 'not there'"
    check stop-h7 in_dir "$d" stop h7 --yes
}

case_checks_pass() { # h3: per-target values over deploy.health: /ok with its body, an rpc, settle
    local d=$T/p3 np=${ports[3]} hp=${ports[4]}
    case_yml "$d" h3 "$np" "$hp" "{tcp: $np, timeout: 40, http: {port: $hp, path: /fail}}" \
        "{settle: 1, rpc: 'Process.whereis(KVServer.TaskSupervisor) != nil', http: {path: /ok, body: kv is fine}}"
    check http-ok in_dir "$d" deploy h3 --tarball "$TARBALL" --yes
    contains http-ok "h3: deployed foo 0.0.1"
    is answers-after-checks "$(kv_ask 127.0.0.1 "$np" PING)" "UNKNOWN COMMAND"
    check stop-h3 in_dir "$d" stop h3 --yes
}

case_rpc_false() { # h6: an rpc check that is false
    local d=$T/p6 np=${ports[10]}
    case_yml "$d" h6 "$np" 0 "{tcp: $np, timeout: 40}"
    check deploy-h6 in_dir "$d" deploy h6 --tarball "$TARBALL" --yes
    case_yml "$d" h6 "$np" 0 "{tcp: $np, timeout: 8}" "{rpc: '1 == 2'}"
    check_fails rpc-false in_dir "$d" restart h6 --yes
    contains rpc-false "the rpc check returned false, not true"
    check stop-h6 in_dir "$d" stop h6 --yes
}

case_settle_fails() { # h4: the new node halts within the settle period
    local d=$T/p4 np=${ports[5]} hd=$T/h4/opt/kv cur pid new
    case_yml "$d" h4 "$np" 0 "{tcp: $np, timeout: 40}"
    check deploy-h4 in_dir "$d" deploy h4 --tarball "$TARBALL" --yes
    cur=$(readlink "$hd/current")
    pid=$(in_dir "$d" pid h4)
    # the rpc check is true, and the first node that answers it with its
    # applications started (the new one: it takes the mark) halts half a
    # second later
    touch "$T/halt-once"
    case_yml "$d" h4 "$np" 0 "{tcp: $np, timeout: 20}" \
        "{settle: 3, rpc: '(if List.keymember?(Application.started_applications(), :kv_server, 0) and File.rm(\"$T/halt-once\") == :ok, do: spawn(fn -> Process.sleep(500); System.halt(1) end)); true'}"
    local a0
    a0=$(wc -l <"$hd/shared/audit.log")
    check_fails settle-fails in_dir "$d" deploy h4 --tarball "$TARBALL" --force --yes
    [ ! -e "$T/halt-once" ] && passes=$((passes + 1)) || { echo "FAIL settle: the new node never answered"; fails=$((fails + 1)); }
    contains settle-fails "did not stay up for 3 s"
    contains settle-fails "h4: rolled back"
    is settle-current "$(readlink "$hd/current")" "$cur"
    new=$(newest "$hd")
    is settle-no-new-vm "$(vms "$hd/releases/$new")" 0
    is settle-old-running "$(vms "$hd/$cur")" 1
    [ "$(in_dir "$d" pid h4 2>/dev/null)" != "$pid" ] && passes=$((passes + 1)) || { echo "FAIL settle: the old node was not restarted"; fails=$((fails + 1)); }
    nolock settle-no-lock "$hd"
    tail -n +$((a0 + 1)) "$hd/shared/audit.log" | grep -q "FAILED: .*did not stay up for 3 s" && passes=$((passes + 1)) ||
        { echo "FAIL settle audit: $(tail -n 2 "$hd/shared/audit.log")"; fails=$((fails + 1)); }
    check stop-h4 in_dir "$d" stop h4 --yes
}

case_silent_http() { # h8: an HTTP port whose listener accepts and never answers
    local d=$T/p8 np=${ports[11]} hd=$T/h8/opt/kv cur silent t0 took
    case_yml "$d" h8 "$np" 0 "{tcp: $np, timeout: 40}"
    check deploy-h8 in_dir "$d" deploy h8 --tarball "$TARBALL" --yes
    cur=$(readlink "$hd/current")
    # the node's waits fit in the timeout, the deploy fails and rolls back
    silent=$(squat silent "${ports[6]}")
    case_yml "$d" h8 "$np" 0 "{tcp: $np, timeout: 4, http: {port: ${ports[6]}}}"
    t0=$SECONDS
    check_fails silent-http in_dir "$d" deploy h8 --tarball "$TARBALL" --force --yes
    took=$((SECONDS - t0))
    contains silent-http "health check failed after 4 s"
    contains silent-http "h8: rolled back"
    is silent-current "$(readlink "$hd/current")" "$cur"
    nolock silent-no-lock "$hd"
    # two checks (the new node's, the old one's again): each about 4 s +
    # its last attempt; the rest is the deploy's commands
    [ "$took" -le 60 ] && passes=$((passes + 1)) || { echo "FAIL silent listener: the deploy took $took s"; fails=$((fails + 1)); }
    kill "$silent"
    wait "$silent" 2>/dev/null
    check stop-h8 in_dir "$d" stop h8 --yes
}

case_backlog_full() { # h5 (a stand-in release, no VM): a TCP port that never accepts
    local d=$T/p5 hd=$T/h5/opt/kv sp=${ports[7]} cur full t0 took
    remote_standin_tarball "$T/standin.tar.gz"
    case_yml "$d" h5 0 0 "{timeout: 10, apps: false}"
    check deploy-standin in_dir "$d" deploy h5 --tarball "$T/standin.tar.gz" --yes
    cur=$(readlink "$hd/current")
    full=$(squat full "$sp")
    case_yml "$d" h5 0 0 "{tcp: $sp, timeout: 3, apps: false}"
    t0=$SECONDS
    check_fails backlog-full in_dir "$d" deploy h5 --tarball "$T/standin.tar.gz" --force --yes
    took=$((SECONDS - t0))
    contains backlog-full "nothing accepted a connection on 127.0.0.1:$sp within"
    contains backlog-full "h5: rolled back"
    is backlog-current "$(readlink "$hd/current")" "$cur"
    nolock backlog-no-lock "$hd"
    grep "deploy foo 0.1.0" "$hd/shared/audit.log" | tail -n 1 | grep -q "FAILED: .*health check failed after 3 s" &&
        passes=$((passes + 1)) || { echo "FAIL backlog audit: $(tail -n 1 "$hd/shared/audit.log")"; fails=$((fails + 1)); }
    # the new release's check and the old one's: 3 s each, not the
    # kernel's connect timeout (about 130 s each: 260 s before); the rest is
    # the deploy's commands (reconnecting after each probe given up), slow
    # on a busy machine
    [ "$took" -le 60 ] && passes=$((passes + 1)) || { echo "FAIL backlog full: the deploy took $took s"; fails=$((fails + 1)); }
    kill "$full"
    wait "$full" 2>/dev/null
    case_yml "$d" h5 0 0 "{timeout: 10, apps: false}"
    check stop-standin in_dir "$d" stop h5 --yes
}

run_case() { # run_case FUNCTION: in the background, its tally in $T/FUNCTION.tally
    (
        passes=0 fails=0
        "$1" >"$T/$1.log" 2>&1
        echo "$passes $fails" >"$T/$1.tally"
    ) &
}
cases=(case_force_and_port_taken case_http_500 case_restart_checks case_checks_pass case_rpc_false
    case_settle_fails case_silent_http case_backlog_full)
for c in "${cases[@]}"; do run_case "$c"; done
wait
for c in "${cases[@]}"; do
    cat "$T/$c.log"
    read -r p f <"$T/$c.tally" 2>/dev/null || { p=0 f=1; echo "FAIL $c: no tally"; }
    passes=$((passes + p))
    fails=$((fails + f))
done
finish
