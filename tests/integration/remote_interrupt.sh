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
# For speed the second part (twice, SIGKILL) runs beside the first on a
# target of its own (i2: its own directory, node name and port), and the
# two releases are assembled side by side from a compiled examples/kv.
# Ports: sshd 22610, nodes and epmd 4610-4619.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init interrupt 4610
sshd_start i1 127.0.0.2 22610 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4619)
NODE_PORT2=$(free_port $((NODE_PORT + 1)) 4619)
HOSTDIR1=$T/host/opt/kv
HOSTDIR2=$T/host2/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  i1:
    host: i1
    path: $HOSTDIR1
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvintr$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
    health: {tcp: $NODE_PORT}
  i2:
    host: i1
    path: $HOSTDIR2
    release: foo
    env: {PORT: "$NODE_PORT2", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvintrb$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
    health: {tcp: $NODE_PORT2}
deploy: {keep: 3, health: {timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

# V2, then V2 with 40 MB of random data (an upload and an unpack that take
# a while), made while V1 is built and deployed: ready once $READY is
BIG=$T/big.tar.gz
V2=
READY=$T/v2.ready
(
    v2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1
    mkdir "$T/big" && tar -xzf "$v2" -C "$T/big" && head -c 40M /dev/urandom >"$T/big/lib/pad.bin" &&
        (cd "$T/big" && tar -cf - -- * | gzip -1 >"$BIG") || { echo "cannot pad V2" >&2; exit 1; }
    echo "$v2" >"$READY"
) &
b2=$!
V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
# both parts need V2: wait_v2 sets V2 once it is there
wait_v2() {
    local i
    for i in $(seq 1200); do
        [ -s "$READY" ] && { V2=$(cat "$READY"); return 0; }
        kill -0 $b2 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$READY" ] && { V2=$(cat "$READY"); return 0; }
    echo "FAIL V2 was not built"
    fails=$((fails + 1))
    return 1
}


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
# the two parts run side by side, each in a subshell with its own target,
# host dir and files ($T/B/...), each ending with its tally
part() { # part NAME TARGET HOSTDIR FUNCTION
    (
        passes=0 fails=0 TGT=$2 HOSTDIR=$3 T=$T/$1
        mkdir -p "$T"
        "$4" >"$T/log" 2>&1
        echo "$passes $fails" >"$T/tally"
    ) &
}

# interrupt NAME TARBALL WHEN...: start a deploy of $TGT in the background,
# wait until WHEN... succeeds, send SIGINT, wait for relman to end; $out is
# its stderr, $rc its exit status.
interrupt() {
    local name=$1 tarball=$2
    shift 2
    : >"$T/run.err"
    (cd "$PROJ" && exec "$R" deploy "$TGT" --tarball "$tarball" --yes >"$T/run.out" 2>"$T/run.err") &
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
    # (a check's rpc VM may take a moment to exit after its command ended)
    for _ in $(seq 30); do [ "$(vms)" = 1 ] && break; sleep 0.1; done
    is "$name-one-vm" "$(vms)" 1
    tail -n 1 "$HOSTDIR/shared/audit.log" | grep -qF "interrupted at $phase" && passes=$((passes + 1)) ||
        { echo "FAIL $name: host audit lacks 'interrupted at $phase': $(tail -n 1 "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }
    grep -F " $TGT " "$PROJ/.relman/audit.log" | tail -n 1 | grep -qF "interrupted at $phase" && passes=$((passes + 1)) ||
        { echo "FAIL $name: local audit lacks it"; fails=$((fails + 1)); }
}

part_phases() { # i1: SIGINT at each phase of a deploy over a running release
check deploy-v1 rr deploy i1 --tarball "$V1" --yes
cur1=$(readlink "$HOSTDIR/current")
wait_v2 || return

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
check stop rr stop i1 --yes
}

part_twice_and_kill() { # i2, from nothing deployed: SIGINT twice, then SIGKILL
wait_v2 || return
# twice: abandoned, the lock still goes
: >"$T/run.err"
(cd "$PROJ" && exec "$R" deploy i2 --tarball "$BIG" --yes >"$T/run.out" 2>"$T/run.err") &
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
[ ! -e "$HOSTDIR/current" ] && passes=$((passes + 1)) || { echo "FAIL twice: current switched"; fails=$((fails + 1)); }
have_part && { echo "FAIL twice: .part left"; fails=$((fails + 1)); } || passes=$((passes + 1))
grep -qF "interrupted twice at upload" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) ||
    { echo "FAIL twice: no audit line"; tail -n 2 "$HOSTDIR/shared/audit.log"; fails=$((fails + 1)); }

# SIGKILL: the lock stays; the next deploy reports it and leaves it alone
rm -f "$HOSTDIR"/shared/tarballs/*.tar.gz
(cd "$PROJ" && exec "$R" deploy i2 --tarball "$BIG" --yes >/dev/null 2>&1) &
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
check_fails locked rr deploy i2 --tarball "$V2" --yes
contains locked "locked by $(id -un)@$(hostname) (relman pid $pid)"
contains locked " s ago"
contains locked "relman unlock i2"
is lock-untouched "$(cat "$HOSTDIR/shared/lock/info")" "$info"
[ ! -e "$HOSTDIR/current" ] && passes=$((passes + 1)) || { echo "FAIL locked: current switched"; fails=$((fails + 1)); }
check unlock rr unlock i2 --yes
contains unlock "removed the lock held by"
tail -n 1 "$HOSTDIR/shared/audit.log" | grep -qF " i2 unlock " && passes=$((passes + 1)) ||
    { echo "FAIL unlock not audited: $(tail -n 1 "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }
# the next deploy goes through (and removes the killed run's .part)
check deploy-after rr deploy i2 --tarball "$V2" --yes
have_part && { echo "FAIL .part of the killed run left"; fails=$((fails + 1)); } || passes=$((passes + 1))
is answers-v2 "$(kv_ask 127.0.0.1 $NODE_PORT2 PING)" "UNKNOWN COMMAND two"
check stop-i2 rr stop i2 --yes
}

part A i1 "$HOSTDIR1" part_phases
part B i2 "$HOSTDIR2" part_twice_and_kill
wait
for b in A B; do
    cat "$T/$b/log"
    read -r p f <"$T/$b/tally" 2>/dev/null || { p=0 f=1; echo "FAIL part $b: no tally"; }
    passes=$((passes + p))
    fails=$((fails + f))
done
finish
