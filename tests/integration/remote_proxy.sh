#!/usr/bin/env bash
# Reaching a target through other hosts, as OpenSSH does, against real sshd:
#   - ProxyJump j1: status and a deploy of a stand-in release (a shell
#     script bin/foo faking daemon, pid, stop and version: no VM boots) go
#     over a direct-tcpip channel of j1, which its sshd logs (LogLevel
#     DEBUG1) and whose PermitOpen allows t1 only, so a target j1 may not
#     forward to is refused with the jump host named;
#   - ProxyJump j2,j1: two hops (j2 forwards to j1, j1 to t1);
#   - ProxyCommand `ssh -W %h:%p j1`: the same target over a command, once
#     relman.yml allows its ssh config to run commands (ssh.allow_match_exec);
#   - `Match exec` in the file relman.yml names is refused (and not run)
#     unless allowed; from --ssh-config (the user's own) it runs.
# Ports: sshd from free_port 22340-22369, epmd 4500-4509.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init proxy 4500
start() { # NAME ADDR
    local p
    p=$(free_port 22340 22369) || { echo "no free port"; exit 1; }
    sshd_start "$1" "$2" "$p" || exit 1
}
start t1 127.0.0.2
start t2 127.0.0.4
start j1 127.0.0.3
start j2 127.0.0.5
t1port=$(sshd_port t1)
t2port=$(sshd_port t2)
j1port=$(sshd_port j1)
# the jump hosts log their forwardings; j1 may forward to t1 only
for j in j1 j2; do
    sed -i 's/^LogLevel .*/LogLevel DEBUG1/' "$SSHD_DIR/$j/sshd_config"
done
echo "PermitOpen 127.0.0.2:$t1port" >>"$SSHD_DIR/j1/sshd_config"
for j in j1 j2; do
    sshd_stop $j
    _sshd_launch $j || exit 1
done
sshd_at_exit 'for f in $(find "$T" -name fake.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null; done'

# The first value wins in ssh_config: these lines go before the harness's.
cfg=$T/proxy_config
{
    printf 'Host t1 t2\n  ProxyJump j1\n\n'
    printf 'Host t1two\n  HostName 127.0.0.2\n  Port %s\n  HostKeyAlias t1\n  ProxyJump j2,j1\n\n' "$t1port"
    printf 'Host t1cmd\n  HostName 127.0.0.2\n  Port %s\n  HostKeyAlias t1\n' "$t1port"
    printf '  ProxyCommand ssh -F %s -W %%h:%%p j1\n\n' "$cfg"
    printf 'Host t1two t1cmd\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  BatchMode yes\n\n' \
        "$(id -un)" "$SSHD_USER_KEY" "$SSHD_KNOWN_HOSTS"
    cat "$SSHD_CLIENT_CONFIG"
} >"$cfg"

HOSTDIR=$T/t1/opt/foo
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.1.0"}
targets:
  t1: {host: t1, path: $HOSTDIR, release: foo}
  t2: {host: t2, path: $T/t2/opt/foo, release: foo}
  t1two: {host: t1two, path: $HOSTDIR, release: foo}
  t1cmd: {host: t1cmd, path: $HOSTDIR, release: foo}
deploy: {health: {timeout: 30, apps: false}}
ssh: {config: $cfg, allow_match_exec: true}
YML

# ---- the stand-in release
TARBALL=$T/foo-0.1.0.tar.gz
remote_standin_tarball "$TARBALL"

forwarded() { # JUMP ADDR PORT: how many direct-tcpip opens to ADDR:PORT JUMP's sshd logged
    grep -c "direct-tcpip.*$2 port $3\|originator.*to $2 port $3\|target $2 port $3" "$(sshd_log "$1")"
}

# ---- ProxyJump j1
check status-via-j1 rr status t1
contains status-via-j1 "not deployed"
is j1-forwarded-status "$([ "$(forwarded j1 127.0.0.2 "$t1port")" -ge 1 ] && echo yes)" yes
before=$(forwarded j1 127.0.0.2 "$t1port")
check deploy-via-j1 rr deploy t1 --tarball "$TARBALL" --yes
contains deploy-via-j1 "t1: deployed foo 0.1.0"
is j1-forwarded-deploy "$([ "$(forwarded j1 127.0.0.2 "$t1port")" -gt "$before" ] && echo yes)" yes
[ -L "$HOSTDIR/current" ] && passes=$((passes + 1)) || { echo "FAIL no current link under $HOSTDIR"; fails=$((fails + 1)); }
[ -n "$(find "$HOSTDIR" -name '*.part' 2>/dev/null)" ] && { echo "FAIL .part left"; fails=$((fails + 1)); } || passes=$((passes + 1))
check status-running rr status t1
contains status-running "running"
# the target's sshd saw the connection come from j1's side, never from a
# direct connect by relman: every t1 login happened while j1 forwarded
is t1-logins-match "$(grep -c 'Accepted publickey' "$(sshd_log t1)")" "$(forwarded j1 127.0.0.2 "$t1port")"

# ---- a target j1 may not forward to: refused, j1 named, nothing created
check_fails permitopen rr status t2
contains permitopen "jump host j1"
contains permitopen "cannot connect to 127.0.0.4 port $t2port"
[ ! -e "$T/t2" ] && passes=$((passes + 1)) || { echo "FAIL t2: something was created"; fails=$((fails + 1)); }
! grep -q "Accepted publickey" "$(sshd_log t2)" && passes=$((passes + 1)) || { echo "FAIL t2 was reached"; fails=$((fails + 1)); }

# ---- two hops: j2 forwards to j1, j1 to t1
j2before=$(forwarded j2 127.0.0.3 "$j1port")
check status-two-hops rr status t1two
contains status-two-hops "running"
is j2-forwarded "$([ "$(forwarded j2 127.0.0.3 "$j1port")" -gt "${j2before:-0}" ] && echo yes)" yes

# ---- ProxyCommand
before=$(forwarded j1 127.0.0.2 "$t1port")
check status-proxycommand rr status t1cmd
contains status-proxycommand "running"
is proxycommand-forwarded "$([ "$(forwarded j1 127.0.0.2 "$t1port")" -gt "$before" ] && echo yes)" yes
# no ProxyCommand process is left behind
[ -z "$(pgrep -f -- "-W 127.0.0.2:$t1port j1" || true)" ] && passes=$((passes + 1)) || { echo "FAIL ProxyCommand left running"; fails=$((fails + 1)); }

# ---- commands from the file relman.yml names: refused unless allowed
sed -i 's/, allow_match_exec: true}/}/' "$PROJ/relman.yml"
check_fails proxycommand-refused rr status t1cmd
contains proxycommand-refused "sets ProxyCommand"
contains proxycommand-refused "ssh.allow_match_exec: true"
check proxyjump-is-no-command rr status t1
{ printf 'Match exec "touch %s/match-ran"\n  User nobody-at-all\n\n' "$T"; cat "$cfg"; } >"$T/exec_config"
sed -i "s|config: $cfg}|config: $T/exec_config}|" "$PROJ/relman.yml"
check_fails match-exec-refused rr status t1
contains match-exec-refused "$T/exec_config:1: \`Match exec\` runs a command"
[ ! -e "$T/match-ran" ] && passes=$((passes + 1)) || { echo "FAIL Match exec ran"; fails=$((fails + 1)); }
# hidden behind an Include: refused too
printf 'Include %s/exec_config\n' "$T" >"$T/include_config"
sed -i "s|config: $T/exec_config}|config: $T/include_config}|" "$PROJ/relman.yml"
check_fails match-exec-included rr status t1
contains match-exec-included "Include $T/exec_config"
[ ! -e "$T/match-ran" ] && passes=$((passes + 1)) || { echo "FAIL Match exec ran (Include)"; fails=$((fails + 1)); }
# the user's own file (--ssh-config): it runs (and its User applies: refused login)
rr status t1 --ssh-config "$T/exec_config" >/dev/null 2>&1
[ -e "$T/match-ran" ] && passes=$((passes + 1)) || { echo "FAIL Match exec from --ssh-config did not run"; fails=$((fails + 1)); }
rm -f "$T/match-ran"
# allowed in relman.yml: it runs
sed -i "s|config: $T/include_config}|config: $T/exec_config, allow_match_exec: true}|" "$PROJ/relman.yml"
rr status t1 >/dev/null 2>&1
[ -e "$T/match-ran" ] && passes=$((passes + 1)) || { echo "FAIL Match exec allowed did not run"; fails=$((fails + 1)); }
sed -i "s|config: $T/exec_config, allow_match_exec: true}|config: $cfg}|" "$PROJ/relman.yml"

check stop rr stop t1 --yes
finish
