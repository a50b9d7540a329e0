#!/usr/bin/env bash
# relman's own tarball: examples/kv assembled by `relman assemble` with the
# `tar` step, deployed by `relman deploy TARGET` without --tarball (deploy
# takes the tarball the release's tar step packs), then driven with rpc,
# status, restart and stop. The node runs relman's bin script.
# Ports: sshd 22290-22299, node and epmd 4480-4489.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init assembled 4480
sshd_start a1 127.0.0.2 22290 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4489)
KV=$T/kv
cp -r "$RELMAN_SRC/examples/kv" "$KV" && rm -rf "$KV/_build" "$KV/deps"
PROJ=$KV
python3 - "$KV/relman.yml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('  foo:\n    version: "0.0.1"\n', '  foo:\n    version: "0.0.5"\n    steps: [assemble, tar]\n', 1)
open(p, "w").write(s)
PY
grep -q 'steps: \[assemble, tar\]' "$KV/relman.yml" || { echo "could not add the tar step"; exit 1; }
cat >>"$KV/relman.yml" <<YML
targets:
  a1:
    host: a1
    path: $T/a1/opt/kv
    release: foo
    env: {PORT: "$NODE_PORT", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: kvassembled$$, ERL_EPMD_PORT: "$REMOTE_EPMD"}
deploy: {health: {tcp: $NODE_PORT, timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

# before assembling: deploy says what to do
check_fails not-assembled rr deploy a1 --yes
contains not-assembled "release foo"
check assemble rr assemble foo
contains assemble "packed _build/prod/foo-0.0.5.tar.gz"
check deploy rr deploy a1 --yes
contains deploy "a1: deployed foo 0.0.5"
is answers "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
check rpc rr rpc a1 'IO.puts(Application.get_env(:kv_server, :port))'
is rpc-port "$out" "$NODE_PORT"
check status rr status a1
contains status "foo 0.0.5"
contains status "running"
check restart rr restart a1 --yes
is answers-after-restart "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND"
check stop rr stop a1 --yes
finish
