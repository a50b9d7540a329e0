#!/usr/bin/env bash
# `relman remote TARGET` under tmux: the banner says how to leave, typing
# `1+1` in the node's console (iex) shows 2, window size changes reach the
# remote PTY, Ctrl-C twice leaves and the terminal is restored (echo and
# canonical mode back on); "~." at the start of a line disconnects too.
# Ports: sshd 22270-22279, node and epmd 4460-4469.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
command -v tmux >/dev/null || { echo "tmux not installed"; exit 1; }

remote_init console 4460
sshd_start r1 127.0.0.2 22270 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4469)
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  r1:
    host: r1
    path: $T/r1/opt/kv
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvconsole$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
check deploy rr deploy r1 --tarball "$V1" --yes
pid=$(rr pid r1)

TM="tmux -S $T/tmux-1.sock"
sshd_at_exit "tmux -S $T/tmux-1.sock kill-server 2>/dev/null; tmux -S $T/tmux-2.sock kill-server 2>/dev/null"
screen() { $TM capture-pane -p -t con -S -100 2>/dev/null; }
wait_for() { # wait_for TEXT [SECONDS]
    local i
    for i in $(seq 1 $((${2:-20} * 10))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
# The shell in tmux records the terminal modes before and after.
cat >"$T/session.sh" <<SH
cd "$PROJ"
stty -a > "$T/stty.before"
"$R" remote r1
echo "relman-exit=\$?"
stty -a > "$T/stty.after"
sleep 600
SH
$TM new-session -d -s con -x 100 -y 30 "bash $T/session.sh"
wait_for "iex(kvconsole" 30 && passes=$((passes + 1)) || { echo "FAIL no iex prompt: $(screen)"; fails=$((fails + 1)); }
out=$(screen)
contains banner "leave with Ctrl-C twice"
contains banner-escape "~. at the start"
$TM send-keys -t con '1+1' Enter
wait_for "iex(kvconsole" 10
sleep 0.5
out=$(screen)
grep -qx '2' <<<"$(sed 's/[[:space:]]*$//' <<<"$out")" && passes=$((passes + 1)) || { echo "FAIL 1+1: $out"; fails=$((fails + 1)); }
# the remote PTY follows the window size
$TM resize-window -t con -x 120 -y 40 2>/dev/null || $TM resize-pane -t con -x 120 -y 40
sleep 0.5
$TM send-keys -t con ':io.columns()' Enter
wait_for "{:ok, 120}" 10 && passes=$((passes + 1)) || { echo "FAIL resize: $(screen)"; fails=$((fails + 1)); }
# leave: Ctrl-C twice
$TM send-keys -t con C-c
sleep 0.5
$TM send-keys -t con C-c
wait_for "relman-exit=0" 15 && passes=$((passes + 1)) || { echo "FAIL leaving: $(screen)"; fails=$((fails + 1)); }
out=$(screen)
contains left "left the r1 console"
for _ in $(seq 1 50); do [ -s "$T/stty.after" ] && break; sleep 0.1; done
for mode in icanon echo isig; do
    grep -qw -- "$mode" "$T/stty.after" && passes=$((passes + 1)) || { echo "FAIL terminal not restored ($mode): $(cat "$T/stty.after")"; fails=$((fails + 1)); }
done
is terminal-same "$(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.after")" "$(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.before")"
# the node kept running
is node-still-running "$(rr pid r1)" "$pid"
# the env went through a private file, sourced and removed at once
is no-env-file "$(ls -A "$T/r1/opt/kv/shared/tmp" | grep -c relman-env)" 0
$TM kill-server

# "~." disconnects (and restores the terminal too)
rm -f "$T/stty.after"
TM="tmux -S $T/tmux-2.sock"
$TM new-session -d -s con -x 100 -y 30 "bash $T/session.sh"
wait_for "iex(kvconsole" 30
$TM send-keys -t con Enter
sleep 0.3
$TM send-keys -t con '~.'
wait_for "relman-exit=0" 15 && passes=$((passes + 1)) || { echo "FAIL ~.: $(screen)"; fails=$((fails + 1)); }
out=$(screen)
contains escape "disconnected (~.)"
for _ in $(seq 1 50); do [ -s "$T/stty.after" ] && break; sleep 0.1; done
grep -qw icanon "$T/stty.after" && passes=$((passes + 1)) || { echo "FAIL terminal after ~."; fails=$((fails + 1)); }
$TM kill-server

# without a terminal: refused
check_fails no-tty rr remote r1 </dev/null
contains no-tty "needs a terminal"
check stop rr stop r1 --yes
finish
