# tests/integration/lib/remote.sh - common ground of the remote tests:
# a temp dir, sshd servers (lib/sshd.sh), kv release tarballs
# (lib/kvrel.sh), a project dir with relman.yml, and cleanup of every node
# the test started (by pid: the processes whose command line holds the
# test's own temp dir) and of its epmd (by port).
#
#   remote_init NAME PORT_FROM   sets $T (temp dir), $PROJ (project dir), $R and
#                                $REMOTE_EPMD (a free port from PORT_FROM on:
#                                each test has ten ports of 4400-4499)
#   check NAME COMMAND...        run, expect exit 0 (output in $out)
#   check_fails NAME COMMAND...  run, expect a non-zero exit (output in $out)
#   contains NAME TEXT           $out contains TEXT
#   finish                       print the tally, exit 1 on failures
#   headless SCRIPT [ARGS...]    run `relman tui` headless with the key script
#                                SCRIPT (and ARGS); screen dumps in $dumps
#   has / lacks_in NAME DUMP RE  dump $dumps/DUMP.txt matches RE / does not
#   remote_standin_tarball FILE  write FILE: a stand-in release foo 0.1.0 whose
#                                bin/foo fakes daemon, pid, stop and version
#                                (a sleep), so deploys run with no VM booting

here_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here_lib/sshd.sh"
. "$here_lib/kvrel.sh"

R=${RELMAN:?set RELMAN to the relman binary}
export RELMAN_SRC=${RELMAN_SRC:-$(cd "$here_lib/../../.." && pwd)}
T=
PROJ=
REMOTE_EPMD=
fails=0
passes=0

remote_cleanup() {
    local pid
    if [ -n "$T" ]; then
        for pid in $(pgrep -f -- "$T/" || true); do
            # never the machine's epmd (port 4369), even when a release in $T
            # started it; an epmd of ours on another port (ERL_EPMD_PORT of
            # a target's env) is stopped
            if [ "$(cat /proc/$pid/comm 2>/dev/null)" = epmd ]; then
                local ep
                ep=$(tr '\0' '\n' </proc/$pid/environ 2>/dev/null | sed -n 's/^ERL_EPMD_PORT=//p')
                [ -n "$ep" ] && [ "$ep" != 4369 ] && kill -9 "$pid" 2>/dev/null
                continue
            fi
            [ "$pid" != $$ ] && kill -9 "$pid" 2>/dev/null
        done
    fi
    if [ -n "$REMOTE_EPMD" ]; then
        epmd -port "$REMOTE_EPMD" -kill >/dev/null 2>&1 || true
    fi
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ $fails -gt 0 ] && [ -n "${RELMAN_KEEP_TEST_DIRS:-}" ]; then
            echo "keeping $T" >&2
        else
            rm -rf "$T"
        fi
    fi
}

remote_init() {
    local name=$1
    REMOTE_EPMD=$(free_port "$2" $(($2 + 9))) || { echo "no free port from $2" >&2; exit 1; }
    T=$(mktemp -d "${TMPDIR:-/tmp}/relman-$name.XXXXXX")
    PROJ=$T/proj
    mkdir -p "$PROJ"
    sshd_init || exit 1
    sshd_at_exit remote_cleanup
    unset SSH_AUTH_SOCK
}

# RELMAN_TEST_TIMING=1: print how long each check took (stderr).
_timed() {
    local t0=$SECONDS
    out=$("$@" 2>&1)
    local rc=$?
    [ -n "${RELMAN_TEST_TIMING:-}" ] && echo "time $((SECONDS - t0))s: $*" >&2
    return $rc
}

check() {
    local name=$1
    shift
    _timed "$@"
    local rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $name: exit $rc: $out"
        fails=$((fails + 1))
        return 1
    fi
    passes=$((passes + 1))
}

check_fails() {
    local name=$1
    shift
    _timed "$@"
    local rc=$?
    if [ $rc -eq 0 ]; then
        echo "FAIL $name: succeeded, expected a failure: $out"
        fails=$((fails + 1))
        return 1
    fi
    passes=$((passes + 1))
}

contains() {
    if grep -qF -- "$2" <<<"$out"; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: output lacks '$2': $out"
        fails=$((fails + 1))
    fi
}

lacks() {
    if grep -qF -- "$2" <<<"$out"; then
        echo "FAIL $1: output has '$2': $out"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

is() { # is NAME ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: got '$2', want '$3'"
        fails=$((fails + 1))
    fi
}

finish() {
    echo "$(basename "$0"): $passes passed, $fails failed"
    [ $fails -eq 0 ]
}

# The TUI in its headless mode (docs/tui.md: --script, --dump), for the
# tests of the Targets screen.
dumps= # $T/dump, set by headless
headless() { # headless SCRIPT_TEXT [relman tui args...]
    printf '%s\n' "$1" >"$T/script.txt"
    shift
    dumps=$T/dump
    rm -rf "$dumps"
    "$R" tui --script "$T/script.txt" --dump "$dumps" "$@" >"$T/tui.out" 2>"$T/tui.err"
}
has() { # has NAME DUMP REGEX
    if grep -qE -- "$3" "$dumps/$2.txt"; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: $2.txt lacks /$3/:"
        sed 's/^/  | /' "$dumps/$2.txt"
        fails=$((fails + 1))
    fi
}
lacks_in() { # lacks_in NAME DUMP REGEX
    if grep -qE -- "$3" "$dumps/$2.txt"; then
        echo "FAIL $1: $2.txt has /$3/"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

# Run relman in the project dir.
rr() {
    (cd "$PROJ" && "$R" "$@")
}

remote_standin_tarball() {
    mkdir -p "$T/fakerel/bin" "$T/fakerel/releases/0.1.0"
    cat >"$T/fakerel/bin/foo" <<'SH'
#!/bin/sh
# A stand-in for a release's bin script (daemon, pid, stop, version).
root=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=${RELEASE_TMP:-$root/tmp}
case $1 in
version) echo "foo 0.1.0" ;;
daemon) mkdir -p "$tmp" && { sleep 600 </dev/null >/dev/null 2>&1 & echo $! >"$tmp/fake.pid"; } ;;
pid) p=$(cat "$tmp/fake.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p" || { echo nodedown >&2; exit 1; } ;;
stop) kill "$(cat "$tmp/fake.pid")" ;;
*) echo "unknown command $1" >&2; exit 1 ;;
esac
SH
    chmod +x "$T/fakerel/bin/foo"
    echo "13.1.5 0.1.0" >"$T/fakerel/releases/start_erl.data"
    (cd "$T/fakerel" && tar czf "$1" bin releases)
}
