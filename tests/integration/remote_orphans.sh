#!/usr/bin/env bash
# No orphans: every way of leaving a remote console ends its VM on the host.
# `relman remote TARGET` left by ~., by SIGTERM, SIGHUP and SIGINT sent to
# relman, by a cut connection (the sshd processes serving it killed) and by
# SIGKILL of relman; and plain `ssh -tt HOST bin/foo remote` left by ~. (so
# the generated bin/foo is what holds). After each, the test counts the
# beam.smp processes of remote consoles (node names rem-*) on the host: zero,
# within a few seconds; the node itself keeps running.
# Ports: sshd 22750-22759, node and epmd 4750-4759.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
command -v tmux >/dev/null || { echo "tmux not installed"; exit 1; }

remote_init orphans 4750
sshd_start o1 127.0.0.2 22750 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4759)
HOSTDIR=$T/o1/opt/kv
NODE=kvorph$$
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  o1:
    host: o1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: $NODE, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
V1=$(kvrel_build "$T/build" 0.0.1) || exit 1
check deploy rr deploy o1 --tarball "$V1" --yes
pid=$(rr pid o1)

TM="tmux -S $T/tmux.sock"
sshd_at_exit "tmux -S $T/tmux.sock kill-server 2>/dev/null"
screen() { $TM capture-pane -p -t con -S -50 2>/dev/null; }
# beam.smp processes of remote consoles to our node
consoles() {
    local p n=0
    for p in $(pgrep -f -- "rem-[0-9a-f]*-$NODE" || true); do
        [ "$(cat /proc/$p/comm 2>/dev/null)" = beam.smp ] && n=$((n + 1))
    done
    echo $n
}
wait_consoles() { # wait_consoles N SECONDS
    local i
    for i in $(seq 1 $(($2 * 10))); do
        [ "$(consoles)" = "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
relman_pid() { pgrep -f -- "$R remote o1" | head -n 1; }
# open a console in tmux (relman or plain ssh), wait for the prompt
open_console() { # open_console NAME COMMAND
    $TM kill-server 2>/dev/null
    sleep 0.5
    printf 'cd %q\n%s\necho console-exit=$?\nsleep 600\n' "$PROJ" "$2" >"$T/session-$1.sh"
    $TM new-session -d -s con -x 100 -y 30 "bash $T/session-$1.sh" ||
        { sleep 1; $TM new-session -d -s con -x 100 -y 30 "bash $T/session-$1.sh"; }
    local i
    for i in $(seq 1 300); do
        screen | grep -qF "iex($NODE" && break
        sleep 0.1
    done
    if [ "$(consoles)" = 1 ]; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: no console VM ($(consoles)): $(screen)"
        fails=$((fails + 1))
    fi
}
left() { # left NAME: no console VM left, the node still runs
    if wait_consoles 0 15; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: $(consoles) console VM(s) left on the host"
        ps -o pid,ppid,stat,pcpu,args -p "$(pgrep -d, -f -- "rem-[0-9a-f]*-$NODE")" | cut -c1-160
        fails=$((fails + 1))
        pkill -9 -f -- "rem-[0-9a-f]*-$NODE"
    fi
    is "$1-node-runs" "$(rr pid o1)" "$pid"
}

open_console tilde "\"$R\" remote o1"
$TM send-keys -t con Enter
sleep 0.3
$TM send-keys -t con '~.'
left relman-tilde

for sig in TERM HUP INT KILL; do
    open_console "$sig" "\"$R\" remote o1"
    kill "-$sig" "$(relman_pid)"
    left "relman-SIG$sig"
done

open_console cut "\"$R\" remote o1"
sshd_kill_sessions o1
left relman-cut

# plain ssh -tt and its own ~. escape: the generated bin/foo alone
remote_env="PORT=$NODE_PORT RELEASE_DISTRIBUTION=sname RELEASE_NODE=$NODE ERL_EPMD_PORT=$REMOTE_EPMD RELEASE_TMP=$HOSTDIR/shared/tmp"
open_console ssh "ssh -F $SSHD_CLIENT_CONFIG -tt -o EscapeChar='~' o1 'cd $HOSTDIR && env $remote_env current/bin/foo remote'"
$TM send-keys -t con Enter
sleep 0.3
$TM send-keys -t con '~.'
left ssh-tt-tilde

# an rpc leaves no one-off cookie directory behind
check rpc rr rpc o1 'IO.puts(:ok)'
sleep 1.5
is rpc-cookie-dirs "$(ls "$HOSTDIR/shared/tmp/cookie" | grep -c '^cmd\.' || true)" 0
$TM kill-server 2>/dev/null
check stop rr stop o1 --yes
finish
