#!/usr/bin/env bash
# Untrusted output is shown as text: a host (over a real sshd) whose release
# says its version, pid, rpc results and logs with ESC, CR, an OSC 52
# sequence (write the clipboard) and an 8-bit CSI, whose lock holder, audit
# log and release directory names hold them too. Every relman command that
# prints or logs them (status, releases --remote, version, rpc, logs,
# deploy against the lock, unlock, stop, a deploy that fails on what the host
# says) must leave no raw control byte in its output or in the local audit
# log; `logs --raw` passes them through.
# Ports: sshd 22620, 4620-4629.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init escape 4620
sshd_start e1 127.0.0.2 22620 || exit 1
HOSTDIR=$T/host/opt/kv
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.9"}
targets:
  e1: {host: e1, path: $HOSTDIR, release: foo}
deploy: {health: {timeout: 2}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

EVIL=$'\e]52;c;aGVsbG8=\a\r\e[2J\e[31m\xc2\x9b1m'
# a fake release: bin/foo says EVIL in everything it prints
fake_bin() {
    mkdir -p "$1/bin" "$1/releases/$2"
    cat >"$1/bin/foo" <<SH
#!/bin/sh
evil=\$(printf '\\033]52;c;aGVsbG8=\\007\\r\\033[2J\\033[31m\\302\\2331m')
case "\$1" in
  version) printf 'foo %s%s\\n' "$2" "\$evil" ;;
  pid) echo 99999999 ;;
  rpc) printf 'result%s\\nline two\\n' "\$evil" ;;
  stop) exit 0 ;;
  daemon) exit 0 ;;
  *) exit 1 ;;
esac
SH
    chmod +x "$1/bin/foo"
    echo "12.0 $2" >"$1/releases/start_erl.data"
}
rel=$HOSTDIR/releases/0.0.1-20260101000000
fake_bin "$rel" 0.0.1
mkdir -p "$HOSTDIR/releases/evil${EVIL//\//}-20260101000001" "$HOSTDIR/shared/tmp/log"
ln -s releases/0.0.1-20260101000000 "$HOSTDIR/current"
printf 'LOGGING STARTED%s\nsecond line\n' "$EVIL" >"$HOSTDIR/shared/tmp/log/erlang.log.1"
printf '2026-01-01T00:00:00Z e1 deploy foo 0.0.1%s by x@y: ok\n' "$EVIL" >"$HOSTDIR/shared/audit.log"
mkdir "$HOSTDIR/shared/lock"
printf 'mallory%s@box (relman pid 1) since 2026-01-01T00:00:00Z: deploy\n' "$EVIL" >"$HOSTDIR/shared/lock/info"

# raw control bytes (newline and tab aside), C1 as UTF-8 too
raw() { LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; }
clean() { # clean NAME: $out holds no raw control byte
    if printf '%s' "$out" | raw; then
        echo "FAIL $1: raw control bytes: $(printf '%s' "$out" | od -c | head -5)"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

check status rr status e1
clean status
contains status '\x1b]52;c;aGVsbG8=\x07\x0d\x1b[2J'
contains status "LOCKED by mallory"
check status-json rr status e1 --json
clean status-json
check releases rr releases --remote e1
clean releases
contains releases 'evil\x1b]52'
check version rr version e1
clean version
check rpc rr rpc e1 'IO.puts(:x)'
clean rpc
contains rpc "line two"
check logs rr logs e1
clean logs
contains logs 'LOGGING STARTED\x1b]52'
check logs-raw rr logs e1 --raw
printf '%s' "$out" | raw && passes=$((passes + 1)) || { echo "FAIL logs --raw escaped"; fails=$((fails + 1)); }
# a deploy against the lock: the holder is named, escaped
tar_dir=$T/tarball
fake_bin "$tar_dir" 0.0.9
tar -C "$tar_dir" -czf "$T/foo-0.0.9.tar.gz" bin releases
check_fails locked-deploy rr -v deploy e1 --tarball "$T/foo-0.0.9.tar.gz" --yes
clean locked-deploy
contains locked-deploy "locked by mallory"
check unlock rr -v unlock e1 --yes
clean unlock
# the deploy fails on what the host says (bin/foo version), audited
check_fails bad-version rr -v deploy e1 --tarball "$T/foo-0.0.9.tar.gz" --yes
clean bad-version
contains bad-version "bin/NAME version says"
check stop rr -v stop e1 --yes
clean stop
raw "$PROJ/.relman/audit.log" && { echo "FAIL local audit log: $(od -c "$PROJ/.relman/audit.log" | head)"; fails=$((fails + 1)); } || passes=$((passes + 1))
grep -qF 'held by mallory\x1b]52' "$PROJ/.relman/audit.log" && passes=$((passes + 1)) || { echo "FAIL audit: no unlock line: $(cat "$PROJ/.relman/audit.log")"; fails=$((fails + 1)); }
grep -qF 'version says' "$PROJ/.relman/audit.log" && passes=$((passes + 1)) || { echo "FAIL audit: no failed deploy line"; fails=$((fails + 1)); }
# the lines relman appended to the host's audit log are escaped too
tail -n +2 "$HOSTDIR/shared/audit.log" | raw && { echo "FAIL host audit log"; fails=$((fails + 1)); } || passes=$((passes + 1))
finish
