#!/usr/bin/env bash
# Deploys that do nothing twice, and health checks that prove the new node.
# examples/kv's release foo has no `tar` step here: `relman deploy` builds
# and packs it itself. Then: the same release again is a no-op ("already
# running": no upload, no new directory, the same VM), --force deploys it
# again; the port held by another process fails the health check and rolls
# back; an HTTP check against a path answering 500 fails and rolls back,
# one answering 200 with the body text passes; an rpc check. Counts what is
# left on the host: release directories, links, the node's pid, locks.
# Ports: sshd 22740-22749, node, http and epmd 4740-4749.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init health 4740
sshd_start h1 127.0.0.2 22740 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4749)
HTTP_PORT=$(free_port $((NODE_PORT + 1)) 4749)
KV=$T/kv
cp -r "$RELMAN_SRC/examples/kv" "$KV" && rm -rf "$KV/_build" "$KV/deps"
PROJ=$KV
HOSTDIR=$T/h1/opt/kv
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

write_yml() { # write_yml DEPLOY-HEALTH-YAML [TARGET-HEALTH-YAML]
    sed -i '/^targets:/,$d' "$KV/relman.yml"
    cat >>"$KV/relman.yml" <<YML
targets:
  h1:
    host: h1
    path: $HOSTDIR
    release: foo
    health: ${2:-{\}}
    env: {PORT: "$NODE_PORT", HTTP_PORT: "$HTTP_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvhealth$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {keep: 3, health: $1}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
}
write_yml "{tcp: $NODE_PORT, timeout: 40}"
ndirs() { ls "$HOSTDIR/releases" | grep -c -- '-[0-9]\{14\}$'; }

# --- point 4: no tar step, deploy builds; the same release again does nothing
check deploy-builds rr deploy h1 --yes
contains deploy-builds "packed"
contains deploy-builds "h1: deployed foo 0.0.1"
[ -f "$KV/_build/prod/foo-0.0.1.tar.gz" ] && passes=$((passes + 1)) || { echo "FAIL no tarball packed"; fails=$((fails + 1)); }
is answers "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
pid1=$(rr pid h1)
cur1=$(readlink "$HOSTDIR/current")
audit1=$(wc -l <"$HOSTDIR/shared/audit.log")

t0=$(date +%s.%N)
check again rr deploy h1 --yes
t1=$(date +%s.%N)
contains again "already running foo 0.0.1"
lacks again "upload"
is again-current "$(readlink "$HOSTDIR/current")" "$cur1"
is again-dirs "$(ndirs)" 1
is again-pid "$(rr pid h1)" "$pid1"
is again-no-lock "$(ls "$HOSTDIR/shared" | grep -c '^lock$')" 0
grep -q "no change: already running $cur1" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) ||
    { echo "FAIL again: no audit line"; fails=$((fails + 1)); }
echo "re-deploy of the running release (assembly included): $(echo "$t1 - $t0" | bc) s"

check force rr deploy h1 --force --yes
contains force "already on the host: not uploading"
contains force "h1: deployed foo 0.0.1"
is force-dirs "$(ndirs)" 2
[ "$(rr pid h1)" != "$pid1" ] && passes=$((passes + 1)) || { echo "FAIL --force did not restart"; fails=$((fails + 1)); }
is force-previous "$(readlink "$HOSTDIR/previous")" "$cur1"

# --- point 2: health checks that prove the new node
# VMs of a release directory still running
vms() { pgrep -f -- "$HOSTDIR/releases/$1/" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = beam.smp ] && echo "$p"; done | wc -l; }

# the node's port held by another process: the new node cannot listen;
# deploy fails, switches back; nothing of the new release runs
check stop rr stop h1 --yes
python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $NODE_PORT)); s.listen(5)
while True: s.accept()[0].close()" &
squatter=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$NODE_PORT) 2>/dev/null && break; sleep 0.1; done
write_yml "{tcp: $NODE_PORT, timeout: 8}"
cur=$(readlink "$HOSTDIR/current")
check_fails port-taken rr deploy h1 --force --yes
contains port-taken "health check failed"
contains port-taken "h1: rolled back"
is port-taken-current "$(readlink "$HOSTDIR/current")" "$cur"
new=$(ls -t "$HOSTDIR/releases" | head -n 1)
is port-taken-no-new-vm "$(vms "$new")" 0
is port-taken-no-lock "$(ls "$HOSTDIR/shared" | grep -c '^lock$')" 0
grep "deploy foo 0.0.1" "$HOSTDIR/shared/audit.log" | tail -n 1 | grep -q "FAILED: .*health check failed" &&
    passes=$((passes + 1)) || { echo "FAIL port-taken audit: $(tail -n 1 "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }
kill $squatter; wait $squatter 2>/dev/null

# an HTTP check against a path answering 500: fails and rolls back (and
# the previous release, started again, fails the same check: said so)
write_yml "{tcp: $NODE_PORT, timeout: 6, http: {port: $HTTP_PORT, path: /fail}}"
check_fails start-for-500 rr start h1
contains start-for-500 "answered 500, not 200"
check_fails http-500 rr deploy h1 --force --yes
contains http-500 "GET /fail on port $HTTP_PORT answered 500, not 200"
contains http-500 "h1: rolled back"
is http-500-current "$(readlink "$HOSTDIR/current")" "$cur"
new=$(ls -t "$HOSTDIR/releases" | head -n 1)
is http-500-no-new-vm "$(vms "$new")" 0
check_fails restart-500 rr restart h1 --yes
contains restart-500 "answered 500"

# per-target values over deploy.health: /ok with its body, an rpc that must
# be true, a settle period; the node passes
write_yml "{tcp: $NODE_PORT, timeout: 40, http: {port: $HTTP_PORT, path: /fail}}" \
    "{settle: 1, rpc: 'Process.whereis(KVServer.TaskSupervisor) != nil', http: {path: /ok, body: kv is fine}}"
check http-ok rr deploy h1 --force --yes
contains http-ok "h1: deployed foo 0.0.1"
is answers-after-checks "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
write_yml "{tcp: $NODE_PORT, timeout: 5}" "{rpc: '1 == 2'}"
check_fails rpc-false rr restart h1 --yes
contains rpc-false "the rpc check returned false, not true"
write_yml "{tcp: $NODE_PORT, timeout: 5, http: {port: $HTTP_PORT, path: /ok, body: not there}}"
check_fails body-lacks rr restart h1 --yes
contains body-lacks "the body lacks 'not there'"
check stop-at-end rr stop h1 --yes

finish
