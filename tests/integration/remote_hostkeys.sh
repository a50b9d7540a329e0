#!/usr/bin/env bash
# Host keys and authentication through the relman CLI, against real sshd:
#   - policy strict + unknown host key: refused, nothing uploaded or created;
#   - a changed host key: refused under strict, accept-new and ask, with both
#     SHA256 fingerprints (as OpenSSH prints them) and the known_hosts line;
#   - policy ask without a terminal: refused;
#   - accept-new: the key is added, and OpenSSH accepts the line;
#   - a wrong user key: an authentication error naming the user and the host;
#   - an RSA key: libssh2 1.10 cannot use it with OpenSSH 9: the error says
#     so and suggests ed25519;
#   - a bad ssh config file: an error naming it;
#   - an encrypted key used for two hosts: its passphrase is asked once;
#   - a server with only an RSA host key: the message names the cause.
# No release is booted; the tarball is a tiny fake (bin/foo + start_erl.data).
# Ports: sshd 22250-22259.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init hostkeys 4440
sshd_start k1 127.0.0.2 22250 || exit 1
port=$(sshd_port k1)
sshd_start k2 127.0.0.2 22251 || exit 1

# a minimal tarball that passes the local checks
mkdir -p "$T/fake/bin" "$T/fake/releases/0.0.1"
printf '#!/bin/sh\necho "foo 0.0.1"\n' >"$T/fake/bin/foo"
chmod +x "$T/fake/bin/foo"
echo "13.1.5 0.0.1" >"$T/fake/releases/start_erl.data"
(cd "$T/fake" && tar czf "$T/fake.tar.gz" bin releases)

write_yml() { # POLICY [KNOWN_HOSTS] [CONFIG]
    cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  k1: {host: k1, path: $T/k1/srv, release: foo}
ssh: {config: ${3:-$SSHD_CLIENT_CONFIG}, known_hosts: ${2:-$T/known_hosts}, host_key_policy: $1}
YML
}

fp=$(sshd_fingerprint k1)

# strict, unknown host: refused before anything is sent in our name
write_yml strict
check_fails strict-unknown rr deploy k1 --tarball "$T/fake.tar.gz" --yes
contains strict-unknown "unknown host key ssh-ed25519 $fp"
contains strict-unknown "strict"
[ ! -e "$T/k1" ] && passes=$((passes + 1)) || { echo "FAIL strict: something was created on the host"; fails=$((fails + 1)); }
[ ! -e "$T/known_hosts" ] && passes=$((passes + 1)) || { echo "FAIL strict: known_hosts written"; fails=$((fails + 1)); }
! grep -q "Accepted publickey" "$(sshd_log k1)" && passes=$((passes + 1)) || { echo "FAIL strict: authenticated anyway"; fails=$((fails + 1)); }

# ask, no terminal (setsid: no controlling tty): refused
write_yml ask
out=$(cd "$PROJ" && setsid "$R" status k1 2>&1 </dev/null)
rc=$?
[ $rc -ne 0 ] && passes=$((passes + 1)) || { echo "FAIL ask without a terminal succeeded"; fails=$((fails + 1)); }
contains ask-no-tty "no way to ask"

# accept-new: added, then OpenSSH itself accepts the line strictly
write_yml accept-new
check accept-new rr status k1
contains accept-new "added host key ssh-ed25519 $fp"
check openssh-agrees ssh -F "$SSHD_CLIENT_CONFIG" -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes k1 true
write_yml strict
check strict-known rr status k1
contains strict-known "not deployed"

# the host key changes: refused under every policy, both fingerprints shown
sshd_new_hostkey k1
newfp=$(sshd_fingerprint k1)
for policy in strict accept-new ask; do
    write_yml $policy
    check_fails changed-$policy rr status k1
    contains changed-$policy-banner "HOST KEY CHANGED"
    contains changed-$policy-old "$fp"
    contains changed-$policy-new "$newfp"
    contains changed-$policy-line "$T/known_hosts:1"
    contains changed-$policy-fix "ssh-keygen -R '[127.0.0.2]:$port'"
done
check_fails changed-deploy rr deploy k1 --tarball "$T/fake.tar.gz" --yes
[ ! -e "$T/k1/srv/shared" ] && passes=$((passes + 1)) || { echo "FAIL changed key: deploy touched the host"; fails=$((fails + 1)); }
# forget the old key (as the message says), accept the new one
ssh-keygen -q -R "[127.0.0.2]:$port" -f "$T/known_hosts" >/dev/null 2>&1
write_yml accept-new
check accepted-new-key rr status k1

# a key the server does not know: authentication error naming user and host
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" -C stranger
sed "s|IdentityFile .*|IdentityFile $T/stranger|" "$SSHD_CLIENT_CONFIG" >"$T/stranger_config"
write_yml accept-new "$T/known_hosts" "$T/stranger_config"
check_fails wrong-key rr status k1
contains wrong-key "authentication failed for user $(id -un) on 127.0.0.2"
contains wrong-key "$T/stranger"

# an RSA key (authorized on the server): libssh2 1.10 signs with ssh-rsa only
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T/rsa" -C rsa
cat "$T/rsa.pub" >>"$SSHD_DIR/authorized_keys"
sed "s|IdentityFile .*|IdentityFile $T/rsa|" "$SSHD_CLIENT_CONFIG" >"$T/rsa_config"
write_yml accept-new "$T/known_hosts" "$T/rsa_config"
if rr status k1 >/dev/null 2>&1; then
    echo "note: this libssh2 authenticates RSA keys (1.11+?); RSA hint not exercised"
else
    check_fails rsa-key rr status k1
    contains rsa-key "RSA key $T/rsa"
    contains rsa-key "use an ed25519 key"
fi

# On a terminal (tmux): policy ask shows the fingerprint and asks; an
# encrypted key's passphrase is asked without echo.
if command -v tmux >/dev/null; then
    TM="tmux -S $T/tmux-1.sock"
    sshd_at_exit "tmux -S $T/tmux-1.sock kill-server 2>/dev/null"
    screen() { $TM capture-pane -p -t hk 2>/dev/null; }
    wait_for() { local i; for i in $(seq 1 100); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done; return 1; }
    write_yml ask "$T/known_hosts_ask"
    $TM new-session -d -s hk -x 150 -y 30 "cd '$PROJ' && '$R' status k1; echo relman-exit=\$?; sleep 600"
    wait_for "[y/N]" && passes=$((passes + 1)) || { echo "FAIL ask: no question: $(screen)"; fails=$((fails + 1)); }
    out=$(screen)
    contains ask-fingerprint "ssh-ed25519 key fingerprint is $newfp"
    $TM send-keys -t hk y Enter
    wait_for "relman-exit=0" && passes=$((passes + 1)) || { echo "FAIL ask: $(screen)"; fails=$((fails + 1)); }
    grep -q "^\[127.0.0.2\]:$port ssh-ed25519 " "$T/known_hosts_ask" && passes=$((passes + 1)) || { echo "FAIL ask: key not remembered"; fails=$((fails + 1)); }
    $TM kill-server

    ssh-keygen -q -t ed25519 -N 'open sesame' -f "$T/locked" -C locked
    cat "$T/locked.pub" >>"$SSHD_DIR/authorized_keys"
    sed "s|IdentityFile .*|IdentityFile $T/locked|" "$SSHD_CLIENT_CONFIG" >"$T/locked_config"
    write_yml accept-new "$T/known_hosts" "$T/locked_config"
    # passphrased N CHECK ARGS: relman ARGS in tmux server N, its passphrase
    # question answered
    passphrased() {
        TM="tmux -S $T/tmux-$1.sock"
        sshd_at_exit "tmux -S $T/tmux-$1.sock kill-server 2>/dev/null"
        $TM new-session -d -s hk -x 150 -y 40 "cd '$PROJ' && '$R' $3; echo relman-exit=\$?; sleep 600"
        wait_for "Passphrase for $T/locked" && passes=$((passes + 1)) || { echo "FAIL $2: not asked: $(screen)"; fails=$((fails + 1)); }
        $TM send-keys -t hk 'open sesame' Enter
        wait_for "relman-exit=0" && passes=$((passes + 1)) || { echo "FAIL $2: $(screen)"; fails=$((fails + 1)); }
    }
    passphrased 2 passphrase "status k1"
    out=$(screen)
    lacks passphrase-not-echoed "open sesame"
    $TM kill-server
    # two hosts, one key: one prompt for the run, not one per host
    cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  k1: {host: k1, path: $T/k1/srv, release: foo}
  k2: {host: k2, path: $T/k2/srv, release: foo}
groups: {both: [k1, k2]}
ssh: {config: $T/locked_config, known_hosts: $T/known_hosts, host_key_policy: accept-new}
YML
    passphrased 3 "passphrase once" "status both"
    is passphrase-asked-once "$(screen | grep -c "Passphrase for")" 1
    out=$(screen)
    contains passphrase-once-k2 "k2"
    grep -q "Accepted publickey.*ED25519" "$(sshd_log k2)" && passes=$((passes + 1)) || { echo "FAIL k2 not authenticated"; fails=$((fails + 1)); }
    $TM kill-server
    write_yml accept-new "$T/known_hosts" "$T/locked_config"
    # without a terminal the encrypted key is skipped, and relman says why
    out=$(cd "$PROJ" && setsid "$R" status k1 2>&1 </dev/null)
    contains passphrase-no-tty "encrypted"
else
    echo "tmux not installed: terminal prompts not exercised"
fi

# a server with only an RSA host key (OpenSSH signs it as rsa-sha2-* only,
# libssh2 1.10 knows ssh-rsa only): the cause is named, not "no common algorithm"
sshd_start r1 127.0.0.2 22252 || exit 1
ssh-keygen -q -t rsa -b 2048 -N '' -f "$SSHD_DIR/r1/rsa_host"
sed -i "s|^HostKey .*|HostKey $SSHD_DIR/r1/rsa_host|" "$SSHD_DIR/r1/sshd_config"
sshd_stop r1
_sshd_launch r1 || exit 1
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  r1: {host: r1, path: $T/r1/srv, release: foo}
ssh: {config: $SSHD_CLIENT_CONFIG, known_hosts: $T/known_hosts_rsa, host_key_policy: accept-new}
YML
check_fails rsa-host rr status r1
contains rsa-host "the server has only an RSA host key"
contains rsa-host "rsa-sha2-512"
contains rsa-host "ed25519 host key"
[ ! -s "$T/known_hosts_rsa" ] && passes=$((passes + 1)) || { echo "FAIL rsa-host: a key was pinned"; fails=$((fails + 1)); }

# --ssh-config on the command line wins; a missing file is named
write_yml accept-new "$T/known_hosts" "$T/rsa_config"
check ssh-config-option rr status k1 --ssh-config "$SSHD_CLIENT_CONFIG"
check_fails ssh-config-missing rr status k1 --ssh-config "$T/nope"
contains ssh-config-missing "$T/nope"
finish
