#!/usr/bin/env bash
# Quoting: deploy paths with spaces and shell metacharacters, env values and
# rpc expressions with quotes, dollars and backquotes, all reach the host
# exactly as written; no metacharacter is ever interpreted by a remote shell
# (a canary file would appear if one were).
#
# Two releases:
#   - examples/kv (mix) under a path with spaces and ' ; & | * ? [ ] ( ) # ~.
#     Not $ ` " or \: ERTS starts epmd through sh -c with the path in double
#     quotes, and mix's scripts hand commands to run_erl, so OTP itself
#     cannot boot from such a directory (whatever deploys it);
#   - a stand-in release (a shell script bin/foo that fakes daemon, pid,
#     stop, version and rpc) under a path with the same metacharacters
#     (its health check without `apps`: the stand-in cannot rpc).
# A path or env value with $ ` " or \ is refused when relman.yml is read
# (with the reason), since OTP would hand it to a shell on the host.
# Ports: sshd 22280-22289, node and epmd 4470-4479.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init quoting 4470
sshd_start q1 127.0.0.2 22280 || exit 1
NODE_PORT=$(free_port $((REMOTE_EPMD + 1)) 4479)
CANARY=$T/canary
sshd_at_exit 'for f in $(find "$T" -name fake.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null; done'

KVPATH="$T/srv dir/it's a kv; & | *?[x] (#1) ~"
FAKEPATH="$T/fake dir/'it's' ; & | *?[x] (touch) ~ %"
HOSTILE="$T/fake dir/\"it's\" \$(touch $CANARY) \`touch $CANARY\` ; & | \\ *?[x] \$HOME"
GREETING="it's 'quoted'; (touch x) & | *"
yaml() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  kv:
    host: q1
    path: $(yaml "$KVPATH")
    release: foo
    env:
      PORT: "$NODE_PORT"
      RELEASE_DISTRIBUTION: sname
      RELEASE_NODE: kvquoting$$
      ERL_EPMD_PORT: "$REMOTE_EPMD"
      GREETING: $(yaml "$GREETING")
  fake:
    host: q1
    path: $(yaml "$FAKEPATH")
    release: foo
    env: {GREETING: $(yaml "$GREETING")}
    health: {apps: false}
deploy: {health: {timeout: 40}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

# ---- what cannot work is refused when relman.yml is read
mkdir -p "$T/proj2"
sed "s|^    path: .*fake dir.*|    path: $(yaml "$HOSTILE" | sed 's/[|&\\]/\\&/g')|" "$PROJ/relman.yml" >"$T/proj2/relman.yml"
check_fails hostile-path bash -c "cd '$T/proj2' && '$R' status fake"
contains hostile-path "targets.fake.path: "
contains hostile-path "holds '\"', which a shell on the host would expand or unquote"
sed "s|^      GREETING: .*|      GREETING: \"\$HOME\"|" "$PROJ/relman.yml" >"$T/proj2/relman.yml"
check_fails hostile-env bash -c "cd '$T/proj2' && '$R' status kv"
contains hostile-env "targets.kv.env.GREETING: '\$HOME' holds '\$'"

# ---- the kv release
V1=$(kvrel_build "$T/build" 0.0.1 one) || exit 1
V2=$(kvrel_build "$T/build" 0.0.2 two) || exit 1
check kv-deploy rr deploy kv --tarball "$V1" --yes
[ -L "$KVPATH/current" ] && passes=$((passes + 1)) || { echo "FAIL kv: no current under the path"; fails=$((fails + 1)); }
is kv-answers "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND one"
check kv-greeting rr rpc kv 'IO.puts(System.get_env("GREETING"))'
is kv-greeting "$out" "$GREETING"
check kv-rpc-quotes rr rpc kv 'IO.puts("a'"'"'b; $(x) `y` & | *")'
is kv-rpc-quotes "$out" "a'b; \$(x) \`y\` & | *"
sleep 1
check kv-deploy-2 rr deploy kv --tarball "$V2" --yes
is kv-answers-2 "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND two"
check kv-rollback rr rollback kv --yes
is kv-answers-rollback "$(kv_ask 127.0.0.1 "$NODE_PORT" PING)" "UNKNOWN COMMAND one"
check kv-logs rr logs kv -n 5
check kv-stop rr stop kv --yes

# ---- the stand-in release
mkdir -p "$T/fakerel/bin" "$T/fakerel/releases/0.0.1"
cat >"$T/fakerel/bin/foo" <<'SH'
#!/bin/sh
# A stand-in for a release's bin script (daemon, pid, stop, version, rpc).
root=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=${RELEASE_TMP:-$root/tmp}
case $1 in
version) echo "foo 0.0.1" ;;
daemon) mkdir -p "$tmp" && { sleep 600 </dev/null >/dev/null 2>&1 & echo $! >"$tmp/fake.pid"; } ;;
pid) p=$(cat "$tmp/fake.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p" || { echo nodedown >&2; exit 1; } ;;
stop) kill "$(cat "$tmp/fake.pid")" ;;
rpc) printf '%s|%s\n' "$2" "$GREETING" ;;
*) echo "unknown command $1" >&2; exit 1 ;;
esac
SH
chmod +x "$T/fakerel/bin/foo"
echo "13.1.5 0.0.1" >"$T/fakerel/releases/start_erl.data"
(cd "$T/fakerel" && tar czf "$T/fake.tar.gz" bin releases)
check fake-deploy rr deploy fake --tarball "$T/fake.tar.gz" --yes
[ -L "$FAKEPATH/current" ] && passes=$((passes + 1)) || { echo "FAIL fake: no current under $FAKEPATH: $(find "$T" -maxdepth 3)"; fails=$((fails + 1)); }
check fake-status rr status fake
contains fake-status "running"
check fake-rpc rr rpc fake '$(touch '"$CANARY"') `x` "q" '"'"'s'"'"
is fake-rpc "$out" "\$(touch $CANARY) \`x\` \"q\" 's'|$GREETING"
sleep 1
check fake-deploy-2 rr deploy fake --tarball "$T/fake.tar.gz" --force --yes
check fake-rollback rr rollback fake --yes
check fake-releases rr status fake --json
check fake-unlock rr unlock fake --yes
check fake-stop rr stop fake --yes
grep -c ' fake ' "$FAKEPATH/shared/audit.log" >/dev/null && passes=$((passes + 1)) || { echo "FAIL fake audit"; fails=$((fails + 1)); }

[ ! -e "$CANARY" ] && passes=$((passes + 1)) || { echo "FAIL a metacharacter was interpreted: $CANARY exists"; fails=$((fails + 1)); }
finish
