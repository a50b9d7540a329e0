#!/usr/bin/env bash
# The sshd test harness itself: two servers on two loopback addresses, the
# OpenSSH client reaches both through the generated config with strict host
# key checking, sessions can be cut, host keys can be replaced.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/sshd.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

sshd_init
sshd_start h1 127.0.0.2 22200
sshd_start h2 127.0.0.3 22201

# Unknown host keys are refused strictly (the client config itself says
# accept-new: relman reads StrictHostKeyChecking from it).
if ssh -F "$SSHD_CLIENT_CONFIG" -o StrictHostKeyChecking=yes h1 true 2>/dev/null; then
    fail "unknown host key accepted"
fi
sshd_trust h1
sshd_trust h2
[ "$(ssh -F "$SSHD_CLIENT_CONFIG" h1 echo hello)" = hello ] || fail "h1 does not answer"
[ "$(ssh -F "$SSHD_CLIENT_CONFIG" h2 'echo $SSH_CONNECTION')" != "" ] || fail "h2 does not answer"
ssh -F "$SSHD_CLIENT_CONFIG" h2 'echo $SSH_CONNECTION' | grep -q ' 127.0.0.3 22201$' || fail "h2 not on 127.0.0.3:22201"

# A session can be cut from outside while the listener stays up.
ssh -F "$SSHD_CLIENT_CONFIG" h1 'sleep 30' &
client=$!
for _ in $(seq 1 100); do
    [ "$(sshd_session_count h1)" -ge 1 ] && break
    sleep 0.05
done
[ "$(sshd_session_count h1)" -ge 1 ] || fail "no session seen on h1"
sshd_kill_sessions h1
if wait "$client"; then fail "cut session reported success"; fi
[ "$(ssh -F "$SSHD_CLIENT_CONFIG" h1 echo again)" = again ] || fail "h1 listener gone after the cut"

# A replaced host key is refused by the client.
old=$(sshd_fingerprint h1)
sshd_new_hostkey h1
new=$(sshd_fingerprint h1)
[ "$old" != "$new" ] || fail "host key not replaced"
if ssh -F "$SSHD_CLIENT_CONFIG" h1 true 2>/dev/null; then
    fail "changed host key accepted"
fi
echo "sshd harness: ok ($old -> $new)"
