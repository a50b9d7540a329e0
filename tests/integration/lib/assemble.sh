# Helpers for the assembly acceptance tests (sourced by assemble_*.sh).
# Needs RELMAN, RELMAN_SRC and RELMAN_BUILD from ctest.
#
# The examples are compiled once per source state into
# $RELMAN_BUILD/fixtures/NAME-HASH (under a lock, so parallel tests share
# it) and each test copies that into its own temp dir. Every VM a test
# starts has the test's temp dir in its command line; the exit trap ends
# those (by pid) so no node outlives its test.
R=${RELMAN:?RELMAN must point to the relman binary}
SRC=${RELMAN_SRC:?RELMAN_SRC must point to the source tree}
BUILD=${RELMAN_BUILD:?RELMAN_BUILD must point to the build tree}
export HEX_OFFLINE=1 LANG=C.UTF-8 LC_ALL=C.UTF-8
unset MIX_ENV RELEASE_NODE RELEASE_COOKIE RELEASE_DISTRIBUTION RELEASE_TMP ELIXIR_ERL_OPTIONS
unset SOURCE_DATE_EPOCH RELMAN_NO_CONFIG_CACHE

T=$(mktemp -d /tmp/relman-asm-XXXXXX)
fails=0
pass=0

. "$(dirname "${BASH_SOURCE[0]}")/vms.sh"
# none_left: within 5 s nothing of ours runs (epmd aside, see our_pids); a
# stopped node's helpers (the cookie watcher) take a moment to go. Names
# what still runs.
none_left() {
    local pid out i
    for i in $(seq 50); do
        out=""
        for pid in $(our_pids); do out="$out [$(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)]"; done
        [ -z "$out" ] && return 0
        sleep 0.1
    done
    echo "still running:$out"
    return 1
}
cleanup() {
    stop_our_vms
    rm -rf "$T"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # check NAME CMD...: CMD must succeed
    local name=$1
    shift
    if "$@" >"$T/check.out" 2>&1; then ok; else
        bad "$name"
        sed 's/^/    /' "$T/check.out" | head -20
    fi
}
finish() {
    echo "$pass passed, $fails failed"
    [ "$fails" -eq 0 ]
}

# fixture NAME: a compiled copy of examples/NAME at $T/NAME (compiled once
# per source state and shared: example_copy in kvrel.sh).
. "$(dirname "${BASH_SOURCE[0]}")/kvrel.sh"
fixture() {
    local name=$1
    [ -d "$SRC/examples/$name" ] || { echo "examples/$name is missing"; exit 1; }
    RELMAN_SRC=$SRC RELMAN_BUILD=$BUILD example_copy "$name" "$T/$name" ||
        { echo "building the $name fixture failed"; exit 1; }
}

# kv_request PORT LINE...: send the lines to kv_server, print the answers.
tcp_lines() {
    python3 - "$@" <<'EOF'
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=60)
f = s.makefile("rwb")
for line in sys.argv[2:]:
    f.write(line.encode() + b"\r\n")
    f.flush()
    print(f.readline().decode().rstrip("\r\n"))
EOF
}

# wait_port PORT [SECONDS]: until something accepts connections on PORT.
wait_port() {
    local port=$1 secs=${2:-60} i=0
    while [ $i -lt $((secs * 10)) ]; do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), timeout=1)" \
            2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# wait_rpc BIN [SECONDS]: until `BIN rpc` reaches the node (the machine may
# be loaded: a first connection can take seconds).
wait_rpc() {
    local bin=$1 secs=${2:-60} i=0 expr='ok'
    grep -q 'RELMAN_KIND=elixir' "$bin" && expr=':ok'
    while [ $i -lt "$secs" ]; do
        "$bin" rpc "$expr" >/dev/null 2>&1 && return 0
        sleep 1
        i=$((i + 1))
    done
    return 1
}

# wait_pid_gone PID [SECONDS]: until the process PID has exited.
wait_pid_gone() {
    local pid=$1 secs=${2:-15} i=0
    [ -n "$pid" ] || return 1
    while [ $i -lt $((secs * 10)) ]; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# wait_gone PATTERN [SECONDS]: until no process of ours matches PATTERN.
# Match the node's beam (ERTS/bin/beam), not all of ERTS/: an epmd started
# from the release's ERTS (when none ran before) rightly outlives the node.
wait_gone() {
    local pat=$1 secs=${2:-15} i=0
    while [ $i -lt $((secs * 10)) ]; do
        pgrep -f "$pat" >/dev/null 2>&1 || return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# same_terms A B: the files hold equal Erlang terms.
same_terms() {
    erl -noshell -eval "
        {ok, A} = file:consult(\"$1\"),
        {ok, B} = file:consult(\"$2\"),
        case A =:= B of
            true -> halt(0);
            false -> io:format(\"~p~n  differs from~n~p~n\", [A, B]), halt(1)
        end." 2>&1
}

# tree_digest DIR: "PATH SHA1" of every file (and "PATH/" for directories)
# under DIR, sorted, leaving out tmp/ and the manifest (its inode numbers
# change with every build).
tree_digest() {
    (
        cd "$1" || exit 1
        find . \( -path ./tmp -o -path ./.relman \) -prune -o -type d -print | sed 's|$|/|'
        find . \( -path ./tmp -o -path ./.relman \) -prune -o -type f -print |
            xargs -d '\n' -r sha1sum
    ) | LC_ALL=C sort
}

# argv_poll_start PATFILE: every 50 ms, look for the text of PATFILE (one
# grep over every process's argv; the pattern is read from the file, so it
# is on no command line itself) and log each hit to $T/poll.out.
# argv_poll_stop ends it; the file is empty when nothing was seen.
argv_poll_start() {
    local pat=$1
    (
        while :; do
            grep -laF -f "$pat" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
                echo "$f: $(tr '\0' ' ' <"$f")"
            done
            sleep 0.05
        done
    ) >"$T/poll.out" &
    argv_poll_pid=$!
}
argv_poll_stop() {
    kill "$argv_poll_pid" 2>/dev/null
    wait "$argv_poll_pid" 2>/dev/null
    [ ! -s "$T/poll.out" ] || head -5 "$T/poll.out"
    return 0
}

# rebar3_new TEMPLATE NAME: `rebar3 new TEMPLATE NAME` in $T, then cd there.
rebar3_new() {
    command -v rebar3 >/dev/null || { echo "rebar3 not installed"; exit 1; }
    (cd "$T" && rebar3 new "$1" "$2" >"$T/new.out" 2>&1) || { cat "$T/new.out"; exit 1; }
    cd "$T/$2" || exit 1
}

# tty_session WAIT LINE TIMEOUT CMD: run CMD on a terminal (script(1)),
# type LINE after WAIT seconds, and print what the terminal showed (CR
# removed) once TIMEOUT seconds have passed or CMD has ended.
tty_session() {
    local wait=$1 line=$2 secs=$3 cmd=$4
    (sleep "$wait"; printf '%s\r' "$line"; sleep 2) |
        timeout "$secs" script -qfc "$cmd" /dev/null 2>&1 | tr -d '\r'
}
