# Helpers for the TUI tests (sourced). Each test gets its own temp dir and
# its own tmux server socket; everything is removed on exit.
set -u
R=${RELMAN:?RELMAN must name the relman binary}
SRC=${RELMAN_SRC:?}
T=$(mktemp -d /tmp/relman-tui-test.XXXXXX)
TMUX_SOCK=$T/tmux-0.sock
TMUX_USED=()
pass=0
fails=0
cleanup() {
    for s in "${TMUX_USED[@]}"; do tmux -S "$s" kill-server 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}
finish() {
    echo "$pass passed, $fails failed"
    [ "$fails" -eq 0 ]
}
# Run the TUI headless: headless SCRIPT_TEXT [relman args...]; dumps in $T/dump.
# With OPEN_HELP=1 the script starts with '?' (the help screen).
headless() {
    local script=$1
    shift
    [ "${OPEN_HELP:-}" = 1 ] && script=$'?\n'"$script"
    printf '%s\n' "$script" >"$T/script.txt"
    rm -rf "$T/dump"
    "$R" tui --script "$T/script.txt" --dump "$T/dump" "$@" >"$T/out" 2>"$T/err"
}
# A dump is well formed at COLSxLINES: exactly LINES lines, none wider than
# COLS, the title bar on the first line and the key-hint bar whole above the
# message, which wraps onto up to three rows (all generic hints on the help
# screen; "? help" at the end on others).
well_formed() { # well_formed FILE COLS LINES [apps]
    local f=$1 cols=$2 lines=$3 hints='\? help · q (quit|close)( · <Esc> back)? · / filter · : command$'
    [ "${4:-}" ] && hints='\? help( · .*)?$'
    [ "$(wc -l <"$f")" -eq "$lines" ] || { echo "  $f: $(wc -l <"$f") lines, want $lines"; return 1; }
    local w
    w=$(LC_ALL=C.UTF-8 wc -L <"$f")
    [ "$w" -le "$cols" ] || { echo "  $f: a line of $w columns, want <= $cols"; return 1; }
    head -1 "$f" | grep -q '^ relman' || { echo "  $f: no title bar"; return 1; }
    sed -n "$((lines - 3)),$((lines - 1))p" "$f" | grep -qE "$hints" ||
        { echo "  $f: status bar cut: '$(sed -n "$((lines - 1))p" "$f")'"; return 1; }
}
# tmux: start "COMMAND" in a COLSxLINES window, on a tmux server of its own
# (a new socket in $T each time, removed with $T); tmux_start COLS LINES COMMAND
tmux_start() {
    TMUX_SOCK=$T/tmux-${#TMUX_USED[@]}.sock
    TMUX_USED+=("$TMUX_SOCK")
    tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s t -x "$1" -y "$2" "$3"
    tmux -S "$TMUX_SOCK" set-option -g status off >/dev/null
}
tmux_screen() { tmux -S "$TMUX_SOCK" capture-pane -p -t t "$@"; }
# wait until the pane shows TEXT (up to 10 s)
tmux_wait() {
    for _ in $(seq 100); do
        tmux_screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "  timed out waiting for '$1'; screen:"
    tmux_screen 2>/dev/null | sed 's/^/  | /'
    return 1
}
tmux_keys() { tmux -S "$TMUX_SOCK" send-keys -t t "$@"; }
tmux_stop() { tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
