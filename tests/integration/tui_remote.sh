#!/usr/bin/env bash
# The Targets screen and Attach against real sshd servers on loopback, on a
# copy of examples/kv compiled here (release foo with the tar step):
#   headless: assemble from the TUI, open foo's targets (reachable, nothing
#   deployed), deploy (a dialog lists the host and the version), see it
#   running with version and pid, the details and the command log (every
#   remote command with its exit status), the node's log, stop it (asked
#   first), start it again;
#   policy ask: an unknown host key is a dialog with its fingerprint; `n`
#   refuses, `y` trusts it (known_hosts gets it);
#   an encrypted key: its passphrase is asked in a hidden prompt;
#   under tmux: attach opens the node's console (1+1 gives 2), leaving it
#   comes back to the screen as it was, `q` quits, and `stty -a` is the same
#   before and after.
# The cookie never shows on any screen.
# Ports: sshd 22400-22409, node and epmd 4800-4809.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
command -v tmux >/dev/null || { echo "tmux not installed (scripts/setup.sh installs it)"; exit 1; }
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE

remote_init tui_remote 4800
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
sshd_start a1 127.0.0.2 22400 || exit 1
sshd_start a2 127.0.0.3 22401 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4809)
NODE=kvtui$$
KV=$T/kv
PROJ=$KV
cp -r "$RELMAN_SRC/examples/kv" "$KV" && rm -rf "$KV/_build" "$KV/deps"
python3 - "$KV/relman.yml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('  foo:\n    version: "0.0.1"\n', '  foo:\n    version: "0.0.1"\n    steps: [assemble, tar]\n', 1)
open(p, "w").write(s)
PY
grep -q 'steps: \[assemble, tar\]' "$KV/relman.yml" || { echo "could not add the tar step"; exit 1; }
# a3: a2's server, logging in with an encrypted key
ssh-keygen -q -t ed25519 -N 'open sesame' -C relman-test-encrypted -f "$T/enc_key"
cat "$T/enc_key.pub" >>"$SSHD_DIR/authorized_keys"
cat >>"$SSHD_CLIENT_CONFIG" <<CONF
Host a3
  HostName 127.0.0.3
  Port $(sshd_port a2)
  User $(id -un)
  IdentityFile $T/enc_key
  IdentitiesOnly yes
  UserKnownHostsFile $SSHD_KNOWN_HOSTS

CONF
cat >>"$KV/relman.yml" <<YML
targets:
  a1:
    host: a1
    path: $T/a1/opt/kv
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: $NODE, ERL_EPMD_PORT: "$REMOTE_EPMD"}
  a2:
    host: a2
    path: $T/a2/opt/kv
    release: bar
    ssh: {host_key_policy: ask, known_hosts: $T/known_hosts_a2}
deploy: {health: {tcp: $NODE_PORT, timeout: 60}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
(cd "$KV" && mix compile >"$T/mix.log" 2>&1) || { cat "$T/mix.log"; exit 1; }
cd "$KV" || exit 1


# ---- 1. headless: assemble, deploy, running, details, logs, stop, start ----
headless '@timeout 180
a
@wait - done
<Esc>
t
@wait ✓      - none
@dump fresh
D
@wait Deploy foo 0.0.1 to 1 target
@dump confirm
y
@wait deployed foo 0.0.1 to 1 target
@wait ● running
@dump running
<Enter>
@dump details
<Esc>
L
@wait the node'"'"'s newest log
@dump logs
<Esc>
<Tab>
/readlink current<Enter>
G
<Enter>
@dump command
<Esc>
<Esc>
<Tab>
X
@wait Stop foo on 1 target
@dump stop-confirm
y
@wait ○ stopped
@dump stopped
A
@dump attach-headless
S
@wait Start foo on 1 target
n
@dump start-cancelled
S
@wait Start foo on 1 target
y
@wait ● running
@dump started
@resize 80x24
@dump small
@resize 100x24
@dump doc' --size 120x40
rc=$?
is headless-run "$rc" 0
[ "$rc" -eq 0 ] || { cat "$T/tui.err"; cat "$dumps/timeout.txt" 2>/dev/null; }
has "before deploying: reachable, nothing deployed" fresh '^▶ a1 +[^ ]+@127\.0\.0\.2:22400 +✓ +- none +- +- +- +-$'
has "the first status is in the command log" fresh '\$ eval "\$\(cat\)"; cd .*/a1/opt/kv 2>/dev/null \|\| exit 0; .* ✓ [0-9.]+ s$'
has "accept-new host key noted" fresh 'added host key ssh-ed25519 SHA256:'
has "deploy dialog: title with the version" confirm 'Deploy foo 0\.0\.1 to 1 target'
has "deploy dialog: the host and what runs there now" confirm "a1 +[^ ]+@127\.0\.0\.2 port 22400  $T/a1/opt/kv  now: nothing deployed"
has "deploy dialog: the tarball" confirm "tarball $KV/_build/prod/foo-0\.0\.1\.tar\.gz"
has "deploy dialog: asks" confirm '^Deploy foo 0\.0\.1\?  y: deploy  n: cancel$'
pid=$(sed -n 's/^▶ a1 .* ● running  *0\.0\.1  *0\.0\.1  *\([0-9][0-9]*\) .*/\1/p' "$dumps/running.txt")
has "running: state, version and the node's pid" running "^▶ a1 .* ✓ +● running +0\.0\.1 +0\.0\.1 +[0-9]+ +[0-9-]+ [0-9:]+ 0\.0\.1 ok$"
[ -n "$pid" ] && passes=$((passes + 1)) || { echo "FAIL no pid shown"; fails=$((fails + 1)); }
has "outcome line" running 'deployed foo 0\.0\.1 to 1 target \(releases/0\.0\.1-[0-9]{14}\)'
has "command log: upload step" running 'a1 +upload: '
has "command log: the switch" running 'a1 +\$ set -e; ln -sfn releases/0\.0\.1-'
has "command log: the health probe" running 'a1 +\$ \[tcp connect 127\.0\.0\.1:'"$NODE_PORT"
has "command log: the deploy outcome" running 'a1 +deploy: deployed$'
has "details: current and pid" details "^ +[0-9]+ running: +yes \(pid $pid\)$"
has "details: last deploy from the host's audit log" details '^ +[0-9]+ last deploy: [0-9T:-]+Z a1 deploy foo 0\.0\.1 .*: ok'
has "logs of the node" logs 'a1: the node.s newest log, last 200 lines'
has "command details" command '^ +[0-9]+ command: eval "\$\(cat\)"; cd .*/a1/opt/kv 2>/dev/null'
has "command details: exit status" command '^ +[0-9]+ status: +exit 0 \([0-9.]+ s\)$'
has "stop dialog lists the host and the running version" stop-confirm "a1 +[^ ]+@127\.0\.0\.2 port 22400  $T/a1/opt/kv  0\.0\.1 running \(pid $pid\)"
has "stop dialog asks" stop-confirm '^Stop foo on a1\?  y: stop  n: cancel$'
has "stopped" stopped '^▶ a1 .* ✓ +○ stopped +0\.0\.1 +0\.0\.1 +- '
has "stop outcome in the log" stopped 'a1 +stop: ok$'
has "attach needs a terminal" attach-headless 'attach: the remote console needs a terminal'
has "start not confirmed: nothing done" start-cancelled '^start: not done$'
has "started again" started "^▶ a1 .* ● running +0\.0\.1 +0\.0\.1 +$(rr pid a1) "
is small-lines "$(wc -l <"$dumps/small.txt")" 24
is small-width "$(LC_ALL=C.UTF-8 wc -L <"$dumps/small.txt")" 80
has "80x24: the hint bar keeps ? help" small '\? help$'
has "80x24: the target row, whole" small '^▶ a1 +✓ +● running +0\.0\.1 +[0-9]+ +[0-9-]+ [0-9:]+ 0\.0\.1 ok$'
has "80x24: the command log" small '── commands ──'
check cli-agrees rr status a1
contains cli-agrees "running"
pid=$(rr pid a1)
cookie=$(cat "$KV/_build/prod/rel/foo/releases/COOKIE")
[ -n "$cookie" ] && ! grep -rqF -- "$cookie" "$dumps" && passes=$((passes + 1)) ||
    { echo "FAIL the cookie shows on a screen"; fails=$((fails + 1)); }

# ---- 1b. logs -f live in a pager (closing it stops the remote tail), and
# the interval refresh (RELMAN_TUI_REFRESH=2) ----
printf '%s\n' '@timeout 60
t
@wait ● running
F
@wait following
@dump follow
@wait relman-follow-marker
@dump followed
<Esc>
@wait logs -f on a1: stopped
@dump follow-stopped
@wait status (auto-refresh)
@wait !working
@dump auto' >"$T/follow.script"
rm -rf "$dumps"
RELMAN_TUI_REFRESH=2 "$R" tui --script "$T/follow.script" --dump "$dumps" --size 120x40 \
    >"$T/tui.out" 2>"$T/tui.err" &
tui_pid=$!
for _ in $(seq 300); do [ -f "$dumps/follow.txt" ] && break; sleep 0.1; done
log=$(ls -t "$T"/a1/opt/kv/shared/tmp/log/erlang.log.* 2>/dev/null | head -n 1)
[ -n "$log" ] && echo "relman-follow-marker" >>"$log"
wait "$tui_pid"
rc=$?
is follow-run "$rc" 0
[ "$rc" -eq 0 ] || { cat "$T/tui.err"; cat "$dumps/timeout.txt" 2>/dev/null; }
has "logs -f: the pager follows" follow 'a1: the node.s log, live .* following'
has "logs -f: a line written meanwhile shows" followed '^ +[0-9]+ relman-follow-marker$'
has "logs -f: closing the pager stops it" follow-stopped '^logs -f on a1: stopped'
has "the interval refresh asked again" auto '^▶ a1 .* ● running '
ps -eo args | grep -q '[t]ail -n 200 -F' && { echo "FAIL a remote tail -F was left running"; fails=$((fails + 1)); } ||
    passes=$((passes + 1))

# ---- 2. policy ask: the host key question is a dialog ----
fp=$(sshd_fingerprint a2)
# at 80x24 (issue 17): the framed dialog wraps, the whole fingerprint, the
# known_hosts path and both answers are on the screen; `o` after refusing
# shows the note in full
headless '@timeout 60
j
t
@wait The host key is not known
@dump hostkey80
n
@wait host key refused' --size 80x24
is hostkey80-run "$?" 0
grep -qF "$fp" "$dumps/hostkey80.txt" && passes=$((passes + 1)) ||
    { echo "FAIL 80x24 host key dialog: the whole fingerprint $fp"; sed 's/^/  | /' "$dumps/hostkey80.txt"; fails=$((fails + 1)); }
has "80x24 host key dialog: framed, with corners" hostkey80 '┌.*┐'
has "80x24 host key dialog: known_hosts whole" hostkey80 "$T/known_hosts_a2"
has "80x24 host key dialog: both answers" hostkey80 '^Trust this host key and connect\?  y: yes  n: no$'
headless '@timeout 60
j
t
@wait The host key is not known
@dump hostkey
n
@wait host key refused
@wait ✗ unreachable
@dump refused
r
@wait The host key is not known
y
@wait ✓      - none
@dump trusted' --size 120x40
is hostkey-run "$?" 0
has "host key dialog: target and host" hostkey 'target a2: \[127\.0\.0\.3\]:22401'
grep -qF "ssh-ed25519 key fingerprint $fp" "$dumps/hostkey.txt" && passes=$((passes + 1)) ||
    { echo "FAIL host key dialog: the fingerprint $fp"; fails=$((fails + 1)); }
has "host key dialog: where it goes" hostkey "Trusting it appends it to $T/known_hosts_a2"
has "host key dialog: asks" hostkey '^Trust this host key and connect\?  y: yes  n: no$'
has "refused: unreachable" refused '^▶ a2 .* ✗ +✗ unreachable'
grep -q "127.0.0.3" "$T/known_hosts_a2" 2>/dev/null && passes=$((passes + 1)) ||
    { echo "FAIL trusted key not in known_hosts"; fails=$((fails + 1)); }
has "trusted: reachable" trusted '^▶ a2 .* ✓ +- none'

# ---- 3. an encrypted key: the passphrase prompt ----
python3 - "$KV/relman.yml" "$T" <<'PY2'
import sys
p, t = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("targets:\n", "targets:\n  a3: {host: a3, path: %s/a3/opt/kv, release: bar}\n" % t, 1)
open(p, "w").write(s)
PY2
headless '@timeout 60
j
t
@wait passphrase for
@dump passphrase-prompt
open sesame
@dump passphrase-typed
<Enter>
@wait !working
@dump passphrase-ok' --size 120x40
is passphrase-run "$?" 0
has "passphrase asked for the key" passphrase-prompt "^passphrase for $T/enc_key \(target a3\):$"
has "passphrase typed hidden" passphrase-typed "^passphrase for $T/enc_key \(target a3\): \*{11}$"
lacks_in "the passphrase never shows" passphrase-typed 'open sesame'
has "a3 reachable with it" passphrase-ok '^. a3 .* ✓ +- none'
# at 80x24 (issue 17) the long label goes above the input, whole
headless '@timeout 60
j
t
@wait passphrase for
open sesame
@dump passphrase80
<Enter>
@wait !working' --size 80x24
is passphrase80-run "$?" 0
tr '\n' ' ' <"$dumps/passphrase80.txt" | tr -s ' ' | grep -qF "passphrase for $T/enc_key (target a3):" &&
    passes=$((passes + 1)) || { echo "FAIL 80x24 passphrase label whole"; sed 's/^/  | /' "$dumps/passphrase80.txt"; fails=$((fails + 1)); }
has "80x24 passphrase typed on a row of its own" passphrase80 '^\*{11}$'

# ---- 4. tmux: attach and come back ----
TM="tmux -S $T/tmux.sock"
sshd_at_exit "tmux -S '$T/tmux.sock' kill-server 2>/dev/null"
cat >"$T/session.sh" <<SH
cd "$KV"
stty -a > "$T/stty.before"
"$R" tui
echo "relman-exit=\$?"
stty -a > "$T/stty.after"
sleep 600
SH
$TM -f /dev/null new-session -d -s t -x 100 -y 30 "bash $T/session.sh"
$TM set-option -g status off >/dev/null
screen() { $TM capture-pane -p -t t 2>/dev/null; }
wait_for() { # wait_for TEXT [SECONDS]
    local i
    for i in $(seq 1 $((${2:-20} * 10))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "  timed out waiting for '$1'; screen:"
    screen | sed 's/^/  | /'
    return 1
}
wait_gone() { # wait_gone TEXT [SECONDS]
    local i
    for i in $(seq 1 $((${2:-20} * 10))); do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
    done
    return 1
}
ok_if() { # ok_if NAME COMMAND...
    local name=$1
    shift
    if "$@"; then passes=$((passes + 1)); else echo "FAIL $name"; fails=$((fails + 1)); fi
}
ok_if "the TUI starts" wait_for "RELEASE"
$TM send-keys -t t t
ok_if "targets: running" wait_for "● running" 60
wait_gone "working" 30
screen >"$T/before-attach.txt"
$TM send-keys -t t A
ok_if "the console shows" wait_for "iex($NODE@" 60
out=$(screen)
contains banner "attaching to the foo console on a1"
contains banner-leave "leave with Ctrl-C twice"
$TM send-keys -t t '1+1' Enter
ok_if "1+1 evaluated" wait_for "iex($NODE@" 10
sleep 0.5
grep -qx '2' <<<"$(screen | sed 's/[[:space:]]*$//')" && passes=$((passes + 1)) ||
    { echo "FAIL 1+1 did not give 2: $(screen)"; fails=$((fails + 1)); }
$TM send-keys -t t C-c
sleep 0.5
$TM send-keys -t t C-c
ok_if "back in the TUI" wait_for "left the foo console on a1" 20
ok_if "the state asked again" wait_gone "working" 30
screen >"$T/after-attach.txt"
out=$(cat "$T/after-attach.txt")
contains title-bar "relman › kv › foo › targets"
contains still-running "● running"
contains hints "? help"
lacks no-console-left-over "iex($NODE@"
# the screen is whole: the same rows as before, except the log and the message
is same-target-row "$(grep '^▶ a1' "$T/after-attach.txt")" "$(grep '^▶ a1' "$T/before-attach.txt")"
is same-height "$(wc -l <"$T/after-attach.txt")" "$(wc -l <"$T/before-attach.txt")"
$TM send-keys -t t Q
ok_if "relman quits" wait_for "relman-exit=0" 20
sleep 0.3
for mode in icanon echo isig; do
    grep -qw -- "$mode" "$T/stty.after" && passes=$((passes + 1)) ||
        { echo "FAIL terminal not restored ($mode)"; fails=$((fails + 1)); }
done
is stty-same "$(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.after")" \
    "$(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.before")"
is node-still-running "$(rr pid a1)" "$pid"
$TM kill-server 2>/dev/null
check stop rr stop a1 --yes
finish
