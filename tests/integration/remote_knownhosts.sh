#!/usr/bin/env bash
# known_hosts as OpenSSH reads it, with OpenSSH as the reference: for each
# case the same known_hosts files and the same client configuration
# (UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking,
# HostKeyAlias, HashKnownHosts) are given to `ssh -o BatchMode=yes ... true`
# and to `relman status`, against the same sshd, and relman must accept
# exactly when ssh does. Cases: a revoked key, a pin in the global file only
# (the right key / another key), HostKeyAlias pins, a `host` entry beside
# `[host]:port`, hashed entries, wildcard and negated patterns, accept-new
# writing (plain and hashed with HashKnownHosts yes; ssh then accepts what
# relman wrote, strictly), StrictHostKeyChecking yes from the client
# configuration. Then what ssh cannot be the reference for: @cert-authority
# (relman refuses the plain key rather than pinning it), and the fix command
# a changed key's message suggests, pasted as it is.
# Ports: sshd from free_port 22310-22339.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init knownhosts 4490
port=$(free_port 22310 22339) || { echo "no free port"; exit 1; }
sshd_start k1 127.0.0.2 "$port" || exit 1
port=$(sshd_port k1)
name="[127.0.0.2]:$port"
key=$(cut -d' ' -f1,2 "$SSHD_DIR/k1/ssh_host_ed25519_key.pub")
ssh-keygen -q -t ed25519 -N '' -f "$T/other" -C other
other=$(cut -d' ' -f1,2 "$T/other.pub")

# CASE STRICT WANT [CONFIG LINE...]: $T/CASE.u and $T/CASE.g hold the user
# and global known_hosts (either may be missing); ssh and relman each get
# their own copies, and the answers are compared.
kh_run() { # CASE STRICT [CONFIG LINE...]: sets $ref (ssh's answer), $mine, $out
    local c=$1 strict=$2 who line f
    shift 2
    for who in ssh rel; do
        for f in u u2 g; do
            rm -f "$T/$c.$who.$f"
            [ -f "$T/$c.$f" ] && cp "$T/$c.$f" "$T/$c.$who.$f"
        done
        {
            echo "Host k1"
            echo "  HostName 127.0.0.2"
            echo "  Port $port"
            echo "  User $(id -un)"
            echo "  IdentityFile $SSHD_USER_KEY"
            echo "  IdentitiesOnly yes"
            echo "  BatchMode yes"
            echo "  UserKnownHostsFile $T/$c.$who.u $T/$c.$who.u2"
            echo "  GlobalKnownHostsFile $T/$c.$who.g"
            echo "  StrictHostKeyChecking $strict"
            for line in "$@"; do echo "  $line"; done
        } >"$T/$c.$who.cfg"
    done
    ssh -F "$T/$c.ssh.cfg" k1 true </dev/null >"$T/$c.ssh.out" 2>&1 && ref=accept || ref=refuse
    printf 'releases:\n  foo: {version: "0.0.1"}\ntargets:\n  k1: {host: k1, path: %s, release: foo}\nssh: {config: %s}\n' \
        "$T/srv" "$T/$c.rel.cfg" >"$PROJ/relman.yml"
    out=$(rr status k1 2>&1) && mine=accept || mine=refuse
}
kh_case() {
    local c=$1 strict=$2 want=$3
    shift 3
    kh_run "$c" "$strict" "$@"
    is "$c: ssh (the reference) ${want}s" "$ref" "$want" || cat "$T/$c.ssh.out"
    is "$c: relman as ssh" "$mine" "$ref" || echo "$out"
}

# @revoked: refused, even under accept-new and with a plain line for it too
printf '@revoked %s %s\n%s %s\n' "$name" "$key" "$name" "$key" >"$T/revoked.u"
kh_case revoked accept-new refuse
contains revoked-banner "REVOKED HOST KEY: $T/revoked.rel.u:1"
lacks revoked-not-added "added host key"

# the global file only: its pin counts (another key: changed; the key: known)
echo "$name $other" >"$T/global-other.g"
kh_case global-other accept-new refuse
contains global-other-changed "HOST KEY CHANGED: $T/global-other.rel.g:1"
[ ! -s "$T/global-other.rel.u" ] && passes=$((passes + 1)) || { echo "FAIL global-other: the key was added"; fails=$((fails + 1)); }
echo "$name $key" >"$T/global-ok.g"
kh_case global-ok yes accept

# the second UserKnownHostsFile is read too
echo "$name $other" >"$T/second-user.u2"
kh_case second-user yes refuse

# HostKeyAlias: the pin is under the alias (without the port), not the address
echo "k1alias $key" >"$T/alias-ok.u"
kh_case alias-ok yes accept HostKeyAlias=k1alias
echo "k1alias $other" >"$T/alias-other.u"
kh_case alias-other accept-new refuse HostKeyAlias=k1alias
echo "$name $key" >"$T/alias-addr.u"
kh_case alias-addr yes refuse HostKeyAlias=k1alias

# a `host` entry (port 22) never answers for [host]:port: unknown, not changed
echo "127.0.0.2 $other" >"$T/port22.u"
cp "$T/port22.u" "$T/port22-strict.u"
kh_case port22-strict yes refuse
lacks port22-not-changed "CHANGED"
contains port22-unknown "unknown host key"
cp "$T/port22.u" "$T/port22-new.u"
kh_case port22-new accept-new accept

# hashed entries (ssh-keygen -H), the right key and another one
echo "$name $key" >"$T/hashed-ok.u"
ssh-keygen -q -H -f "$T/hashed-ok.u" >/dev/null 2>&1
grep -q '^|1|' "$T/hashed-ok.u" && passes=$((passes + 1)) || { echo "FAIL ssh-keygen -H did not hash"; fails=$((fails + 1)); }
kh_case hashed-ok yes accept
echo "$name $other" >"$T/hashed-other.u"
ssh-keygen -q -H -f "$T/hashed-other.u" >/dev/null 2>&1
kh_case hashed-other accept-new refuse

# wildcards and negations
echo "[127.0.0.?]:$port,nothing.example $key" >"$T/wild.u"
kh_case wild yes accept
echo "[127.0.0.2]:*,!$name $key" >"$T/negated.u"
kh_case negated yes refuse
echo "*,!nothing.example $key" >"$T/negated-other.u"
kh_case negated-other yes accept
echo "[127.0.0.2]:*,!$name $other" >"$T/negated-changed.u"
kh_case negated-changed accept-new accept

# StrictHostKeyChecking yes from the configuration: an unknown host refused
kh_case strict-config yes refuse
contains strict-config "strict"

# accept-new writes to the first file; ssh then accepts relman's line strictly
kh_case accept-new accept-new accept
grep -qxF "$name $key" "$T/accept-new.rel.u" && passes=$((passes + 1)) || { echo "FAIL accept-new: not written: $(cat "$T/accept-new.rel.u" 2>&1)"; fails=$((fails + 1)); }
check accept-new-ssh-agrees ssh -F "$T/accept-new.rel.cfg" -o StrictHostKeyChecking=yes k1 true

# HashKnownHosts yes: a hashed name, which ssh and ssh-keygen -F find
kh_case hash-write accept-new accept "HashKnownHosts yes"
grep -q '^|1|[^ ]* ssh-ed25519 ' "$T/hash-write.rel.u" && passes=$((passes + 1)) || { echo "FAIL hash-write: not hashed: $(cat "$T/hash-write.rel.u" 2>&1)"; fails=$((fails + 1)); }
out=$(cat "$T/hash-write.rel.u")
lacks hash-write-no-name "127.0.0.2"
check hash-write-keygen-finds ssh-keygen -F "$name" -f "$T/hash-write.rel.u"
check hash-write-ssh-agrees ssh -F "$T/hash-write.rel.cfg" -o StrictHostKeyChecking=yes k1 true
# and a HostKeyAlias write is under the alias, as ssh writes it
kh_case alias-write accept-new accept HostKeyAlias=k1alias
is alias-write-as-ssh "$(cut -d' ' -f1 "$T/alias-write.rel.u")" "$(cut -d' ' -f1 "$T/alias-write.ssh.u")"

# @cert-authority only: ssh (it would check a certificate) is no reference;
# relman cannot check host certificates and refuses to pin the plain key
ssh-keygen -q -t ed25519 -N '' -f "$T/ca" -C ca
printf '@cert-authority %s %s\n' "$name" "$(cut -d' ' -f1,2 "$T/ca.pub")" >"$T/ca.u"
kh_run ca accept-new
is ca-refused "$mine" refuse
contains ca-says-why "$T/ca.rel.u:1 trusts a @cert-authority"
contains ca-cannot "cannot verify host certificates"
[ ! -s "$T/ca.rel.u2" ] && passes=$((passes + 1)) || { echo "FAIL ca: plain key pinned"; fails=$((fails + 1)); }

# the fix a changed key's message suggests works when pasted as it is
echo "$name $other" >"$T/fix.u"
kh_case fix accept-new refuse
fix=$(sed -n 's/.*remove the old key: \(ssh-keygen -R .*\))$/\1/p' <<<"$out")
contains fix-command "ssh-keygen -R '$name' -f $T/fix.rel.u"
(eval "$fix") >/dev/null 2>&1
out=$(rr status k1 2>&1) && passes=$((passes + 1)) || { echo "FAIL fix: still refused after '$fix': $out"; fails=$((fails + 1)); }
contains fix-then-added "added host key ssh-ed25519"
finish
