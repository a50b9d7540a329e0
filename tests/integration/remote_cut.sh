#!/usr/bin/env bash
# The connection is cut in the middle of an upload (the sshd processes
# serving relman are killed): the deploy fails saying so, the host keeps
# running the previous release untouched, relman reconnects to remove its
# partial upload and release the lock, and a later deploy succeeds.
# The second tarball is padded with 96 MB of random data so the upload lasts
# long enough to be cut. Ports: sshd 22260-22269, node and epmd 4450-4459.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init cut 4450
sshd_start c1 127.0.0.2 22260 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4459)
HOSTDIR=$T/c1/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  c1:
    host: c1
    path: $HOSTDIR
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvcut$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
V2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1
mkdir -p "$T/pad" && (cd "$T/pad" && tar xzf "$V2") || exit 1
head -c 96M /dev/urandom >"$T/pad/lib/padding.bin"
(cd "$T/pad" && tar cf - . | gzip -1 >"$T/padded.tar.gz") || exit 1

check deploy-v1 rr deploy c1 --tarball "$V1" --yes
pid1=$(rr pid c1)
cur1=$(readlink "$HOSTDIR/current")
is answer-v1 "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND one"

# start the big deploy; cut the connection once the upload is under way
(cd "$PROJ" && "$R" deploy c1 --tarball "$T/padded.tar.gz" --yes >"$T/cut.out" 2>&1; echo $? >"$T/cut.rc") &
deployer=$!
cut=no
for _ in $(seq 1 600); do
    part=$(ls "$HOSTDIR"/shared/tarballs/*.part-* 2>/dev/null | head -1)
    if [ -n "$part" ] && [ "$(stat -c %s "$part" 2>/dev/null || echo 0)" -gt 4000000 ]; then
        sshd_kill_sessions c1
        cut=yes
        break
    fi
    sleep 0.02
done
wait $deployer
is cut-happened "$cut" yes
out=$(cat "$T/cut.out")
is cut-deploy-failed "$(cat "$T/cut.rc")" 1
contains cut-message "upload"
contains cut-connection "connection"
lacks cut-no-switch "switch:"

# the previous release is untouched and still serving
is cut-same-current "$(readlink "$HOSTDIR/current")" "$cur1"
is cut-same-pid "$(rr pid c1)" "$pid1"
is cut-still-answers "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND one"
# relman reconnected and cleaned up: no partial upload, no temp dir, no lock
contains cut-reconnected "reconnecting"
is cut-no-part "$(ls "$HOSTDIR"/shared/tarballs/ | grep -c part)" 0
is cut-no-tmp "$(ls -a "$HOSTDIR"/releases/ | grep -c '^\.tmp-')" 0
if [ -d "$HOSTDIR/shared/lock" ]; then
    contains cut-lock-reported "could not release the deploy lock"
else
    passes=$((passes + 1))
fi
grep -q "FAILED: upload" "$HOSTDIR/shared/audit.log" && passes=$((passes + 1)) || { echo "FAIL cut audit: $(cat "$HOSTDIR/shared/audit.log")"; fails=$((fails + 1)); }

# a later deploy succeeds
sleep 1
check deploy-after-cut rr deploy c1 --tarball "$V2" --yes
contains deploy-after-cut "c1: deployed foo 0.0.2"
is answer-v2 "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND two"
check stop rr stop c1 --yes
finish
