#!/usr/bin/env bash
# The Targets screen's deploy does what `relman deploy` does (one code path
# below both: core/build.h, remote/rollback.h), driven through the real
# binary in its headless mode, on examples/hello_erl (rebar3, no Elixir),
# whose release has no `tar` step, on two targets reached through a jump
# host (ProxyJump j1, a third sshd):
#   - deploying builds the release and packs the tarball (the dialog says
#     so), deploys it to both targets; the health check runs the Erlang
#     wrapper of the rpc (no lib/elixir-*): every application started and an
#     rpc check in Erlang syntax (`=/=`, which Elixir cannot parse);
#   - a second version that fails its rpc check on t2 with
#     deploy.rollback_all (one batch): t2 is rolled back by its deploy, t1
#     (switched by this run) is returned by rollback-all; both run the first
#     version again (pid of the node, `current`, audit lines, no lock, no VM
#     of the second version left);
#   - the Targets screen and `relman remote` (an Erlang shell on the node,
#     under tmux, left with ~.) go through j1: its sshd logs every
#     forwarding, and no shell VM is left on the target.
# Ports: sshd from 22440, node and epmd 4820-4829.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
command -v rebar3 >/dev/null || { echo "rebar3 missing (scripts/setup.sh installs it)"; exit 1; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE

remote_init tui_remote_ops 4820
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
sshd_start t1 127.0.0.2 22440 || exit 1
sshd_start t2 127.0.0.3 $(($(sshd_port t1) + 1)) || exit 1
sshd_start j1 127.0.0.4 $(($(sshd_port t2) + 1)) || exit 1
# j1 logs its forwardings
sed -i 's/^LogLevel .*/LogLevel DEBUG1/' "$SSHD_DIR/j1/sshd_config"
sshd_stop j1
_sshd_launch j1 || exit 1
cfg=$T/ssh_config
{ printf 'Host t1 t2\n  ProxyJump j1\n\n'; cat "$SSHD_CLIENT_CONFIG"; } >"$cfg"
P1=$(free_port $((REMOTE_EPMD + 1)) 4829)
P2=$(free_port $((P1 + 1)) 4829)

PROJ=$T/hello_erl
example_copy hello_erl "$PROJ" || exit 1
grep -q "steps:" "$PROJ/relman.yml" && { echo "hello_erl has a tar step: this test needs none"; exit 1; }
H1=$T/t1/srv/hello
H2=$T/t2/srv/hello
cat >>"$PROJ/relman.yml" <<YML
targets:
  t1:
    host: t1
    path: $H1
    release: hello_erl
    env: {HELLO_PORT: "$P1", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: hops1x$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
    health: {tcp: $P1, rpc: 'whereis(hello_erl_sup) =/= undefined'}
  t2:
    host: t2
    path: $H2
    release: hello_erl
    env: {HELLO_PORT: "$P2", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: hops2x$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
    health: {tcp: $P2, timeout: 6, rpc: 'os:getenv("RELEASE_VSN") =/= "0.2.0"'}
deploy: {keep: 3, batch: 2, rollback_all: true, health: {timeout: 30}}
ssh: {config: $cfg}
YML
cd "$PROJ" || exit 1

forwarded() { # ADDR PORT: direct-tcpip opens to ADDR:PORT j1's sshd logged
    grep -c "direct-tcpip.*$1 port $2\|originator.*to $1 port $2\|target $1 port $2" "$(sshd_log j1)"
}
# the VMs of host directory DIR (a release VM or a remote shell)
vms() { pgrep -f -- "$1/" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = beam.smp ] && echo "$p"; done | wc -l; }
hello() { # PORT: the server's answer to PING
    python3 -c "
import socket, sys
s = socket.create_connection(('127.0.0.1', $1), 5); s.sendall(b'PING\r\n')
print(s.makefile().readline().strip())" 2>/dev/null
}
nolock() { [ ! -e "$1/shared/lock" ] && passes=$((passes + 1)) || { echo "FAIL lock left in $1"; fails=$((fails + 1)); }; }

# ---- 1. deploy from the TUI: the tarball is built (no tar step) --------------
headless '@timeout 120
t
@wait ✓      - none
@wait !working
<Space>
<Space>
D
@wait Deploy hello_erl 0.1.0 to 2 targets
@dump confirm
y
@wait deployed hello_erl 0.1.0 to 2 targets
@wait !working
@dump deployed' --size 140x40
rc=$?
is deploy-run "$rc" 0
[ "$rc" -eq 0 ] || { cat "$T/tui.err"; cat "$dumps/timeout.txt" 2>/dev/null; }
has "the dialog says the release was assembled and packed" confirm 'assembled hello_erl 0\.1\.0 \([0-9]+ written, [0-9]+ reused\) and packed \(the release has no tar step\)'
has "the dialog names the packed tarball" confirm "tarball $PROJ/_build/default/hello_erl-0\.1\.0\.tar\.gz"
has "the dialog says rollback_all" confirm 'rollback_all: a failed run returns every host'
has "t1 running" deployed 't1 +root@127\.0\.0\.2:[0-9]+ +✓ +● running +0\.1\.0 '
has "t2 running" deployed 't2 +root@127\.0\.0\.3:[0-9]+ +✓ +● running +0\.1\.0 '
[ -f "$PROJ/_build/default/hello_erl-0.1.0.tar.gz" ] && passes=$((passes + 1)) || { echo "FAIL no tarball packed"; fails=$((fails + 1)); }
is t1-answers "$(hello "$P1")" PONG
is t2-answers "$(hello "$P2")" PONG
cur1=$(readlink "$H1/current")
cur2=$(readlink "$H2/current")
case $cur1 in releases/0.1.0-*) passes=$((passes + 1)) ;; *) echo "FAIL t1 current: $cur1"; fails=$((fails + 1)) ;; esac
# the Erlang wrapper ran: no Elixir in the release
[ -z "$(ls -d "$H1/$cur1"/lib/elixir-* 2>/dev/null)" ] && passes=$((passes + 1)) || { echo "FAIL the release holds Elixir"; fails=$((fails + 1)); }
pid1=$(rr pid t1 2>/dev/null)
pid2=$(rr pid t2 2>/dev/null)
# through j1: every connection to t1 and t2 was forwarded by it
is t1-logins-via-j1 "$(grep -c 'Accepted publickey' "$(sshd_log t1)")" "$(forwarded 127.0.0.2 "$(sshd_port t1)")"
is t2-logins-via-j1 "$(grep -c 'Accepted publickey' "$(sshd_log t2)")" "$(forwarded 127.0.0.3 "$(sshd_port t2)")"
[ "$(forwarded 127.0.0.2 "$(sshd_port t1)")" -ge 2 ] && passes=$((passes + 1)) || { echo "FAIL j1 did not forward to t1"; fails=$((fails + 1)); }

# the Erlang rpc check is really evaluated: false fails (the CLI, same check)
sed -i "s/{tcp: $P1, rpc: 'whereis(hello_erl_sup) =\/= undefined'/{tcp: $P1, timeout: 5, rpc: 'whereis(hello_erl_sup) =:= undefined'/" relman.yml
check_fails rpc-erlang-false rr restart t1 --yes
contains rpc-erlang-false "the rpc check returned false, not true"
sed -i "s/{tcp: $P1, timeout: 5, rpc: 'whereis(hello_erl_sup) =:= undefined'/{tcp: $P1, rpc: 'whereis(hello_erl_sup) =\/= undefined'/" relman.yml
check restart-again rr restart t1 --yes
pid1=$(rr pid t1 2>/dev/null)

# ---- 2. a failing batch with rollback_all, from the TUI -----------------------
sed -i 's/version: "0.1.0"/version: "0.2.0"/' relman.yml
a1=$(wc -l <"$H1/shared/audit.log")
a2=$(wc -l <"$H2/shared/audit.log")
headless '@timeout 150
t
@wait ✓      ● running
@wait !working
<Space>
<Space>
D
@wait Deploy hello_erl 0.2.0 to 2 targets
y
@wait deploy failed on 1 of 2 targets
@wait !working
@dump failed' --size 140x40
rc=$?
is rollback-all-run "$rc" 0
[ "$rc" -eq 0 ] || { cat "$T/tui.err"; cat "$dumps/timeout.txt" 2>/dev/null; }
tr '\n' ' ' <"$dumps/failed.txt" | tr -s ' ' | grep -qE 'deploy failed on 1 of 2 targets: t2: .*the rpc check returned false.* the others went back to their previous release \(deploy\.rollback_all\)' &&
    passes=$((passes + 1)) || { echo "FAIL the outcome names the failure and rollback_all"; fails=$((fails + 1)); }
has "t1's log line: returned by rollback_all" failed 't1 +deploy: deployed, then rolled back \(deploy\.rollback_all\)'
has "the note before it" failed 't1 +deploy\.rollback_all: returning to the previous release'
is t1-current-back "$(readlink "$H1/current")" "$cur1"
is t2-current-back "$(readlink "$H2/current")" "$cur2"
is t1-answers-again "$(hello "$P1")" PONG
is t2-answers-again "$(hello "$P2")" PONG
pid1=$(rr pid t1 2>/dev/null) && passes=$((passes + 1)) || { echo "FAIL t1 not running"; fails=$((fails + 1)); }
new1=$(ls "$H1/releases" | grep '^0\.2\.0-' | head -n 1)
[ -n "$new1" ] && passes=$((passes + 1)) || { echo "FAIL t1 never got 0.2.0"; fails=$((fails + 1)); }
is t1-no-v2-vm "$(vms "$H1/releases/$new1")" 0
is t1-one-vm "$(vms "$H1")" 1
is t2-one-vm "$(vms "$H2")" 1
nolock "$H1"
nolock "$H2"
tail -n +$((a1 + 1)) "$H1/shared/audit.log" | grep -q "deploy hello_erl 0.2.0 .*: ok" && passes=$((passes + 1)) ||
    { echo "FAIL t1 audit: no deploy line: $(tail -n 3 "$H1/shared/audit.log")"; fails=$((fails + 1)); }
tail -n +$((a1 + 1)) "$H1/shared/audit.log" | grep -q "rollback releases/0.2.0-.* -> $cur1" && passes=$((passes + 1)) ||
    { echo "FAIL t1 audit: no rollback line: $(tail -n 3 "$H1/shared/audit.log")"; fails=$((fails + 1)); }
tail -n +$((a2 + 1)) "$H2/shared/audit.log" | grep -q "FAILED: .*the rpc check returned false" && passes=$((passes + 1)) ||
    { echo "FAIL t2 audit: $(tail -n 3 "$H2/shared/audit.log")"; fails=$((fails + 1)); }
[ -f "$PROJ/_build/default/hello_erl-0.2.0.tar.gz" ] && passes=$((passes + 1)) || { echo "FAIL no 0.2.0 tarball"; fails=$((fails + 1)); }

# ---- 3. `relman remote` through j1 (tmux), left with ~. -----------------------
command -v tmux >/dev/null || { echo "tmux not installed"; exit 1; }
TM="tmux -S $T/tmux.sock"
sshd_at_exit "tmux -S '$T/tmux.sock' kill-server 2>/dev/null"
cat >"$T/session.sh" <<SH
cd "$PROJ"
"$R" remote t1
echo "relman-exit=\$?"
sleep 600
SH
before=$(forwarded 127.0.0.2 "$(sshd_port t1)")
$TM -f /dev/null new-session -d -s con -x 100 -y 30 "bash $T/session.sh"
screen() { $TM capture-pane -p -t con -S -100 2>/dev/null; }
wait_screen() { # TEXT SECONDS
    local i
    for i in $(seq 1 $(($2 * 10))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "  timed out waiting for '$1':"
    screen | sed 's/^/  | /'
    return 1
}
wait_screen "(hops1x$$@" 30 && passes=$((passes + 1)) || fails=$((fails + 1))
is remote-vm-runs "$(vms "$H1")" 2
$TM send-keys -t con 'io:format("sum=~p~n", [20+22]).' Enter
wait_screen "sum=42" 10 && passes=$((passes + 1)) || fails=$((fails + 1))
$TM send-keys -t con Enter
sleep 0.3
$TM send-keys -t con '~.'
wait_screen "relman-exit=0" 15 && passes=$((passes + 1)) || fails=$((fails + 1))
[ "$(forwarded 127.0.0.2 "$(sshd_port t1)")" -gt "$before" ] && passes=$((passes + 1)) || { echo "FAIL the console did not go through j1"; fails=$((fails + 1)); }
for _ in $(seq 50); do [ "$(vms "$H1")" = 1 ] && break; sleep 0.1; done
is no-shell-vm-left "$(vms "$H1")" 1
is node-kept "$(rr pid t1 2>/dev/null)" "$pid1"
$TM kill-server 2>/dev/null

check stop rr stop t1 t2 --yes
is no-vm-left "$(($(vms "$H1") + $(vms "$H2")))" 0
finish
