# tests/integration/lib/sshd.sh - real OpenSSH servers on loopback for tests.
#
# Source this file, then:
#
#   sshd_init                      temp dir $SSHD_DIR with an ed25519 user key
#                                  ($SSHD_USER_KEY), an empty known_hosts file
#                                  ($SSHD_KNOWN_HOSTS) and a client config
#                                  ($SSHD_CLIENT_CONFIG); installs an EXIT trap
#   sshd_start NAME ADDR PORT      start sshd on ADDR:PORT (127.0.0.1..127.255.255.254
#                                  are all loopback on Linux) with its own
#                                  generated ed25519 host key, and add
#                                  "Host NAME" to the client config
#                                  (StrictHostKeyChecking accept-new: relman
#                                  reads it, and new hosts are added)
#   sshd_trust NAME                put NAME's host key into known_hosts
#   sshd_new_hostkey NAME          replace NAME's host key and restart it
#   sshd_kill_sessions NAME        SIGKILL the sshd processes serving NAME's
#                                  open connections (the listener stays)
#   sshd_stop NAME                 stop one server
#   sshd_at_exit 'COMMAND'         run COMMAND (eval) at exit, before the
#                                  servers stop (stop nodes, remove dirs...);
#                                  the last registered runs first
#   sshd_log NAME                  path of NAME's sshd log (LogLevel VERBOSE)
#
# The servers run as the invoking user (root in CI: tests run as root) with
# an unprivileged-style configuration: UsePAM no, StrictModes no, keys only,
# AuthorizedKeysFile and PidFile inside $SSHD_DIR. Nothing outside $SSHD_DIR
# is touched except /run/sshd (the privilege separation directory sshd
# insists on), which is created when missing.
#
# Ports: every test script picks its own, from the remote range 22200-22299,
# so tests can run in parallel.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
SSHD_DIR=
SSHD_USER_KEY=
SSHD_KNOWN_HOSTS=
SSHD_CLIENT_CONFIG=
SSHD_NAMES=()
SSHD_EXIT_HOOKS=()

# sshd_init [DIR]: use DIR (created) instead of a new temp dir; with DIR no
# EXIT trap is installed (the caller stops the servers: see the fixture mode
# at the end of this file).
sshd_init() {
    command -v ssh-keygen >/dev/null || { echo "sshd.sh: ssh-keygen not found" >&2; return 1; }
    [ -x "$SSHD_BIN" ] || { echo "sshd.sh: $SSHD_BIN not found (apt-get install openssh-server)" >&2; return 1; }
    if [ -n "${1:-}" ]; then
        SSHD_DIR=$1
        mkdir -p "$SSHD_DIR" || return 1
    else
        SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relman-sshd.XXXXXX") || return 1
    fi
    chmod 700 "$SSHD_DIR"
    SSHD_USER_KEY=$SSHD_DIR/id_ed25519
    SSHD_KNOWN_HOSTS=$SSHD_DIR/known_hosts
    SSHD_CLIENT_CONFIG=$SSHD_DIR/ssh_config
    ssh-keygen -q -t ed25519 -N '' -C relman-test-user -f "$SSHD_USER_KEY" || return 1
    cp "$SSHD_USER_KEY.pub" "$SSHD_DIR/authorized_keys"
    : >"$SSHD_KNOWN_HOSTS"
    : >"$SSHD_CLIENT_CONFIG"
    mkdir -p /run/sshd && chmod 755 /run/sshd
    if [ -z "${1:-}" ]; then
        trap sshd_cleanup EXIT
        trap 'exit 130' INT TERM
    fi
}

sshd_at_exit() {
    SSHD_EXIT_HOOKS+=("$1")
}

sshd_log() {
    echo "$SSHD_DIR/$1/sshd.log"
}

# _sshd_get NAME FIELD -> value recorded by sshd_start
_sshd_get() {
    cat "$SSHD_DIR/$1/$2"
}

_sshd_write_config() {
    local name=$1 addr=$2 port=$3 d=$SSHD_DIR/$1
    cat >"$d/sshd_config" <<CONF
ListenAddress $addr:$port
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
PermitTTY yes
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 64:30:128
LogLevel VERBOSE
Subsystem sftp internal-sftp
CONF
}

# Wait until ADDR:PORT accepts connections (up to ~5 s).
_sshd_wait_listening() {
    local addr=$1 port=$2 i
    for i in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

_sshd_launch() {
    local name=$1 d=$SSHD_DIR/$1
    local addr port
    addr=$(_sshd_get "$name" addr)
    port=$(_sshd_get "$name" port)
    "$SSHD_BIN" -t -f "$d/sshd_config" || { echo "sshd.sh: bad sshd_config for $name" >&2; return 1; }
    rm -f "$d/sshd.pid"
    : >"$d/sshd.log"
    if ! "$SSHD_BIN" -f "$d/sshd_config" -E "$d/sshd.log"; then
        grep -q "Address already in use" "$d/sshd.log" && return 2
        echo "sshd.sh: sshd for $name did not start" >&2
        cat "$d/sshd.log" >&2
        return 1
    fi
    # sshd detaches before it binds: wait for its pid file (written once it
    # listens) or for its complaint, not for the port, which another test's
    # server may hold.
    local i
    for i in $(seq 1 200); do
        grep -q "Address already in use\|Cannot bind" "$d/sshd.log" && return 2
        [ -s "$d/sshd.pid" ] && _sshd_alive "$(cat "$d/sshd.pid")" && break
        sleep 0.025
    done
    if ! [ -s "$d/sshd.pid" ] || ! _sshd_wait_listening "$addr" "$port"; then
        echo "sshd.sh: sshd for $name not listening on $addr:$port" >&2
        cat "$d/sshd.log" >&2
        return 1
    fi
}

# sshd_start NAME ADDR PORT: when PORT is taken (the same test running in
# another worktree), the next free port (up to 40 further) is used;
# sshd_port NAME tells which.
sshd_start() {
    local name=$1 addr=$2 port=$3 d=$SSHD_DIR/$1 rc last=$(($3 + 40))
    [ -n "$SSHD_DIR" ] || { echo "sshd.sh: call sshd_init first" >&2; return 1; }
    mkdir -p "$d"
    echo "$addr" >"$d/addr"
    ssh-keygen -q -t ed25519 -N '' -C "relman-test-host-$name" -f "$d/ssh_host_ed25519_key" || return 1
    while :; do
        echo "$port" >"$d/port"
        _sshd_write_config "$name" "$addr" "$port"
        _sshd_launch "$name"
        rc=$?
        [ $rc -eq 2 ] && [ "$port" -lt "$last" ] && { port=$((port + 1)); continue; }
        [ $rc -eq 0 ] || return 1
        break
    done
    SSHD_NAMES+=("$name")
    cat >>"$SSHD_CLIENT_CONFIG" <<CONF
Host $name
  HostName $addr
  Port $port
  User $(id -un)
  IdentityFile $SSHD_USER_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $SSHD_KNOWN_HOSTS
  StrictHostKeyChecking accept-new
  BatchMode yes

CONF
}

sshd_port() {
    _sshd_get "$1" port
}

# free_port FROM TO: reserve and print the first port in [FROM, TO] that is
# neither reserved by another running test nor listened on at 127.0.0.1.
# The same test may run in several worktrees at once: a reservation is a
# directory created atomically (mkdir) under $SSHD_PORTS_DIR holding the
# owner's pid; a dead owner's reservation is taken over. Reservations are
# released at exit (sshd_cleanup).
SSHD_PORTS_DIR=${TMPDIR:-/tmp}/relman-test-ports
free_port() {
    local p owner
    mkdir -p "$SSHD_PORTS_DIR" 2>/dev/null
    for p in $(seq "$1" "$2"); do
        if ! mkdir "$SSHD_PORTS_DIR/$p" 2>/dev/null; then
            owner=$(cat "$SSHD_PORTS_DIR/$p/pid" 2>/dev/null)
            if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
                continue
            fi
            # a dead owner (or one still writing its pid: skip it then)
            [ -z "$owner" ] && continue
            rm -rf "$SSHD_PORTS_DIR/$p"
            mkdir "$SSHD_PORTS_DIR/$p" 2>/dev/null || continue
        fi
        echo $$ >"$SSHD_PORTS_DIR/$p/pid"
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            rm -rf "$SSHD_PORTS_DIR/$p"
            continue
        fi
        echo "$p"
        return 0
    done
    return 1
}

# known_hosts line for NAME: "[ADDR]:PORT ssh-ed25519 AAAA..."
sshd_known_hosts_line() {
    local name=$1 d=$SSHD_DIR/$1
    local addr port
    addr=$(_sshd_get "$name" addr)
    port=$(_sshd_get "$name" port)
    local key
    key=$(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")
    if [ "$port" = 22 ]; then
        echo "$addr $key"
    else
        echo "[$addr]:$port $key"
    fi
}

sshd_trust() {
    sshd_known_hosts_line "$1" >>"$SSHD_KNOWN_HOSTS"
}

sshd_pid() {
    cat "$SSHD_DIR/$1/sshd.pid" 2>/dev/null || true
}

# True while PID runs (a zombie waiting for its reaper counts as gone).
_sshd_alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case $st in Z*) return 1 ;; esac
    return 0
}

sshd_stop() {
    local name=$1 pid i
    pid=$(sshd_pid "$name")
    [ -n "$pid" ] || return 0
    # The listener and the processes serving open connections.
    sshd_kill_sessions "$name" TERM
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        _sshd_alive "$pid" || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$SSHD_DIR/$name/sshd.pid"
    return 0
}

# Kill the per-connection sshd processes (children of NAME's listener).
sshd_kill_sessions() {
    local name=$1 sig=${2:-KILL} pid child
    pid=$(sshd_pid "$name")
    [ -n "$pid" ] || return 0
    for child in $(pgrep -P "$pid" || true); do
        kill "-$sig" "$child" 2>/dev/null || true
    done
    return 0
}

# How many connections NAME serves right now.
sshd_session_count() {
    local pid
    pid=$(sshd_pid "$1")
    [ -n "$pid" ] || { echo 0; return; }
    { pgrep -P "$pid" || true; } | wc -l
}

sshd_new_hostkey() {
    local name=$1 d=$SSHD_DIR/$1
    sshd_stop "$name"
    rm -f "$d/ssh_host_ed25519_key" "$d/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "relman-test-host-$name-new" -f "$d/ssh_host_ed25519_key" || return 1
    _sshd_launch "$name"
}

# SHA256 fingerprint of NAME's host key, as OpenSSH prints it ("SHA256:...").
sshd_fingerprint() {
    ssh-keygen -l -E sha256 -f "$SSHD_DIR/$1/ssh_host_ed25519_key.pub" | cut -d' ' -f2
}

sshd_cleanup() {
    local rc=$? hook name
    set +e
    # last registered, first run (like defer): later hooks may use what
    # earlier ones remove
    local i
    for ((i = ${#SSHD_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${SSHD_EXIT_HOOKS[$i]}" || true
    done
    for name in "${SSHD_NAMES[@]}"; do
        sshd_stop "$name"
    done
    local p
    for p in $(grep -lx "$$" "$SSHD_PORTS_DIR"/*/pid 2>/dev/null); do
        rm -rf "$(dirname "$p")"
    done
    if [ -n "$SSHD_DIR" ] && [ -d "$SSHD_DIR" ]; then
        if [ "$rc" -ne 0 ] && [ -n "${RELMAN_KEEP_TEST_DIRS:-}" ]; then
            echo "sshd.sh: keeping $SSHD_DIR" >&2
        else
            rm -rf "$SSHD_DIR"
        fi
    fi
    return $rc
}

# Fixture mode, for tests written in C that need servers around them:
#   [SSHD_WATCH_PID=PID] bash sshd.sh start DIR NAME ADDR PORT [NAME ADDR PORT ...]
#   bash sshd.sh stop DIR
# `start` leaves the servers running with everything in DIR (user key
# DIR/id_ed25519, client config DIR/ssh_config, empty DIR/known_hosts);
# `stop` stops them and removes DIR.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    case ${1:-} in
    start)
        [ $# -ge 5 ] && [ $((($# - 2) % 3)) -eq 0 ] || { echo "usage: sshd.sh start DIR NAME ADDR PORT..." >&2; exit 2; }
        sshd_init "$2" || exit 1
        shift 2
        while [ $# -gt 0 ]; do
            sshd_start "$1" "$2" "$3" || { for d in "$SSHD_DIR"/*/; do SSHD_DIR=${SSHD_DIR} sshd_stop "$(basename "$d")"; done; exit 1; }
            shift 3
        done
        # With SSHD_WATCH_PID set, the servers go away with that process even
        # when it dies without calling `stop` (a crashed or killed test).
        if [ -n "${SSHD_WATCH_PID:-}" ]; then
            setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done; [ -d "$2" ] && bash "$3" stop "$2"' \
                sshd-watch "$SSHD_WATCH_PID" "$SSHD_DIR" "${BASH_SOURCE[0]}" </dev/null >/dev/null 2>&1 &
        fi
        ;;
    stop)
        [ $# -eq 2 ] || { echo "usage: sshd.sh stop DIR" >&2; exit 2; }
        SSHD_DIR=$2
        for d in "$SSHD_DIR"/*/; do
            [ -f "$d/sshd_config" ] && sshd_stop "$(basename "$d")"
        done
        rm -rf "$SSHD_DIR"
        ;;
    *)
        echo "usage: sshd.sh start DIR NAME ADDR PORT... | stop DIR (or source it)" >&2
        exit 2
        ;;
    esac
fi
