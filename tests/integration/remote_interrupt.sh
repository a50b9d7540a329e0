#!/usr/bin/env bash
# Interrupts over a real sshd: SIGINT sent to `relman deploy` during the
# upload (a tarball padded with 40 MB of random data), the unpack, the
# switch and the health check. Each time the test counts what is left on the
# host: no lock, no .part, no .tmp- directory, `current` points at a release
# whose node answers (the old one: none of these runs got verified), and the
# audit logs say "interrupted at PHASE". Then: SIGINT twice (the run is
# abandoned: the lock still goes, the audit says so); SIGKILL during the
# upload leaves the lock, which the next deploy reports with its age and the
# `relman unlock` hint, exit non-zero, the lock untouched; `relman unlock`
# removes it and is audited.
# Ports: sshd 22610, node and epmd 4610-4619.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init interrupt 4610
sshd_start i1 127.0.0.2 22610 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4619)
HOSTDIR=$T/host/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  i1:
    host: i1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvintr$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {keep: 3, health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
V2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1
# V2 with 40 MB of random data: an upload and an unpack that take a while
mkdir "$T/big" && tar -xzf "$V2" -C "$T/big" && head -c 40M /dev/urandom >"$T/big/lib/pad.bin" &&
    (cd "$T/big" && tar -cf - -- * | gzip -1 >"$T/big.tar.gz") || { echo "cannot pad V2" >&2; exit 1; }
BIG=$T/big.tar.gz

check deploy-v1 rr deploy i1 --tarball "$V1" --yes
cur1=$(readlink "$HOSTDIR/current")

# wait_for SECONDS COMMAND...: until COMMAND succeeds (every 20 ms)
wait_for() {
    local end=$((SECONDS + $1))
    shift
    while [ $SECONDS -lt $end ]; do
        "$@" && return 0
        sleep 0.02
    done
    return 1
}
# the VMs running a release of the host
vms() {
    local p n=0
    for p in $(pgrep beam.smp); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$HOSTDIR/" && n=$((n + 1))
    done
    echo $n
}
have_part() { compgen -G "$HOSTDIR/shared/tarballs/*.part-*" >/dev/null; }
have_tmp() { compgen -G "$HOSTDIR/releases/.tmp-*" >/dev/null; }
said() { grep -qF -- "$1" "$T/run.err"; }

# interrupt NAME TARBALL WHEN...: start a deploy in the background, wait
# until WHEN... succeeds, send SIGINT, wait for relman to end; $out is its
# stderr, $rc its exit status.
interrupt() {
    local name=$1 tarball=$2
    shift 2
    : >"$T/run.err"
    (cd "$PROJ" && exec "$R" deploy i1 --tarball "$tarball" --yes >"$T/run.out" 2>"$T/run.err") &
    local pid=$!
    if ! wait_for 60 "$@"; then
        echo "FAIL $name: the moment never came: $(cat "$T/run.err")"
        fails=$((fails + 1))
    fi
    kill -INT $pid
    wait $pid
    rc=$?
    out=$(cat "$T/run.err" "$T/run.out")
}

# what every interrupted run leaves: the old verified release, nothing else
left_clean() {
    local name=$1 phase=$2
    is "$name-exit" "$rc" 130
    contains "$name-told" "interrupted: stopping after "
    [ ! -e "$HOSTDIR/shared/lock" ] && passes=$((passes + 1)) || { echo "FAIL $name: lock left"; fails=$((fails + 1)); }
    have_part && { echo "FAIL $name: .part left: $(ls "$HOSTDIR/shared/tarballs")"; fails=$((fails + 1)); } || passes=$((passes + 1))
    have_tmp && { echo "FAIL $name: .tmp- left"; fails=$((fails + 1)); } || passes=$((passes + 1))
    is "$name-current" "$(readlink "$HOSTDIR/current")" "$cur1"
    is "$name-answers" "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND one"
    is "$name-one-vm" "$(vms)" 1
    tail -n 1 "$HOSTDIR/shared/audit.log" | grep -qF "interrupted at $phase" && passes=$((passes + 1)) ||
        { echo "FAIL $name: host audit lacks 'interrupted at $phase': $(tail -n 1 "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }
    tail -n 1 "$PROJ/.relman/audit.log" | grep -qF "interrupted at $phase" && passes=$((passes + 1)) ||
        { echo "FAIL $name: local audit lacks it"; fails=$((fails + 1)); }
}

interrupt upload "$BIG" have_part
left_clean upload upload
contains upload-cut "interrupted at upload"

interrupt unpack "$BIG" have_tmp
left_clean unpack unpack

# the switch is one short command: SIGINT as it is announced; the stop of the
# old node is then not done, and the switch is undone
interrupt switch "$V2" said "i1: switch:"
left_clean switch ""
contains switch-rolled-back "i1: rolled back"

interrupt health "$V2" said "i1: health:"
left_clean health health
contains health-rolled-back "rolled back to $cur1 (running again)"

# twice: abandoned, the lock still goes (the big tarball is uploaded again)
rm -f "$HOSTDIR"/shared/tarballs/*.tar.gz
: >"$T/run.err"
(cd "$PROJ" && exec "$R" deploy i1 --tarball "$BIG" --yes >"$T/run.out" 2>"$T/run.err") &
pid=$!
wait_for 60 have_part || { echo "FAIL twice: no upload"; fails=$((fails + 1)); }
kill -INT $pid
sleep 0.05
kill -INT $pid
t0=$SECONDS
wait $pid
rc=$?
out=$(cat "$T/run.err" "$T/run.out")
is twice-exit "$rc" 130
[ $((SECONDS - t0)) -le 8 ] && passes=$((passes + 1)) || { echo "FAIL twice: took $((SECONDS - t0)) s"; fails=$((fails + 1)); }
contains twice-told "interrupted again"
[ ! -e "$HOSTDIR/shared/lock" ] && passes=$((passes + 1)) || { echo "FAIL twice: lock left"; fails=$((fails + 1)); }
is twice-current "$(readlink "$HOSTDIR/current")" "$cur1"
have_part && { echo "FAIL twice: .part left"; fails=$((fails + 1)); } || passes=$((passes + 1))
grep -qF "interrupted twice at upload" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) ||
    { echo "FAIL twice: no audit line"; tail -n 2 "$HOSTDIR/shared/audit.log"; fails=$((fails + 1)); }

# SIGKILL: the lock stays; the next deploy reports it and leaves it alone
rm -f "$HOSTDIR"/shared/tarballs/*.tar.gz
(cd "$PROJ" && exec "$R" deploy i1 --tarball "$BIG" --yes >/dev/null 2>&1) &
pid=$!
wait_for 60 have_part || { echo "FAIL kill: no upload"; fails=$((fails + 1)); }
kill -KILL $pid
wait $pid 2>/dev/null
[ -f "$HOSTDIR/shared/lock/info" ] && passes=$((passes + 1)) || { echo "FAIL kill: no lock left"; fails=$((fails + 1)); }
info=$(cat "$HOSTDIR/shared/lock/info" 2>/dev/null)
contains_info() { grep -qF -- "$1" <<<"$info" && passes=$((passes + 1)) || { echo "FAIL lock info lacks '$1': $info"; fails=$((fails + 1)); }; }
contains_info "$(id -un)@$(hostname)"
contains_info "(relman pid $pid)"
contains_info "deploy foo 0.0.2"
sleep 1
check_fails locked rr deploy i1 --tarball "$V2" --yes
contains locked "locked by $(id -un)@$(hostname) (relman pid $pid)"
contains locked " s ago"
contains locked "relman unlock i1"
is lock-untouched "$(cat "$HOSTDIR/shared/lock/info")" "$info"
is locked-current "$(readlink "$HOSTDIR/current")" "$cur1"
check unlock rr unlock i1 --yes
contains unlock "removed the lock held by"
tail -n 1 "$HOSTDIR/shared/audit.log" | grep -qF " i1 unlock " && passes=$((passes + 1)) ||
    { echo "FAIL unlock not audited: $(tail -n 1 "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }
# the next deploy goes through (and removes the killed run's .part)
check deploy-after rr deploy i1 --tarball "$V2" --yes
have_part && { echo "FAIL .part of the killed run left"; fails=$((fails + 1)); } || passes=$((passes + 1))
is answers-v2 "$(kv_ask 127.0.0.1 $NODE_PORT PING)" "UNKNOWN COMMAND two"
check stop rr stop i1 --yes
finish
