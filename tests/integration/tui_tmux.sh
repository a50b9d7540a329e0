#!/usr/bin/env bash
# The real TUI on a real terminal (tmux): start, keys, resize without
# garbage (the screen after a resize equals a fresh headless screen of that
# size), NO_COLOR emits no colour escapes, q leaves the terminal as it was.
. "$(dirname "$0")/lib/tui.sh"
command -v tmux >/dev/null || { echo "tmux missing (scripts/setup.sh installs it)"; exit 1; }
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
cd "$T" || exit 1
env_vars="LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME"

# The terminal settings after relman exits are those from before.
cat >"$T/run.sh" <<EOS
stty -a >"$T/stty.before"
env $env_vars "$R" tui
echo "exit=\$?" >"$T/exit"
stty -a >"$T/stty.after"
sleep 30
EOS
tmux_start 80 24 "bash $T/run.sh"
check "starts" tmux_wait 'step 1 of 8'
tmux_keys '?'
check "help opens" tmux_wait '? help · q close · <Esc> back · / filter · : command'
tmux_screen >"$T/start.txt"
check "title bar" grep -q '^ relman › first release' "$T/start.txt"

# keys: filter, then esc
tmux_keys /
tmux_keys -l redraw
tmux_keys Enter
check "filter on a terminal" tmux_wait 'filter: redraw  (1 of'
tmux_keys Escape
check "esc clears the filter" tmux_wait 'filter cleared'

# resize to 200x60 and back: the screen must equal a fresh headless one
headless_screen() { # COLS LINES -> $T/dump/ref.txt, after the same keys
    printf '?\n/redraw<Enter>\n<Esc>\n:dump ref\n' >"$T/ref.script"
    LANG=C.UTF-8 LC_ALL=C.UTF-8 "$R" tui --script "$T/ref.script" --dump "$T/dump" --size "$1x$2"
}
same_but_message() { # tmux screen vs headless dump, the message line aside
    diff <(head -n -1 "$1" | sed 's/ *$//') <(head -n -1 "$2") >"$T/diff" || { cat "$T/diff"; return 1; }
}
# the screen after the resize settles on the reference (up to 10 s)
settles_on() { # settles_on FILE REF
    for _ in $(seq 100); do
        tmux_screen >"$1"
        same_but_message "$1" "$2" >/dev/null && return 0
        sleep 0.1
    done
    same_but_message "$1" "$2"
}
headless_screen 200 60
tmux -S "$TMUX_SOCK" resize-window -t t -x 200 -y 60
check "200x60 after resize: no garbage" settles_on "$T/big.txt" "$T/dump/ref.txt"
check "200x60: status bar whole" well_formed "$T/big.txt" 200 60
headless_screen 80 24
tmux -S "$TMUX_SOCK" resize-window -t t -x 80 -y 24
check "80x24 after resize: no garbage" settles_on "$T/small.txt" "$T/dump/ref.txt"
check "80x24: status bar whole" well_formed "$T/small.txt" 80 24

# ctrl-l redraws; q quits and the terminal is restored
tmux_keys C-l
sleep 0.2
tmux_keys Q
for _ in $(seq 50); do [ -f "$T/stty.after" ] && break; sleep 0.1; done
check "q quits with status 0" grep -qx 'exit=0' "$T/exit"
check "terminal modes restored" cmp -s "$T/stty.before" "$T/stty.after"
tmux_stop

# colour: escapes with the default theme; none at all with NO_COLOR=1
# SGR colours: 30-38 and 40-48 (39/49 are "default colour", which tmux
# itself writes around every cell), 90-97, 100-107
colour_re=$'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m'
tmux_start 80 24 "env $env_vars $R tui"
check "colour run starts" tmux_wait 'q quit'
tmux_keys '?'
tmux_wait 'every screen' >/dev/null
tmux_screen -e >"$T/colour.txt"
check "default theme uses colour" grep -qaE "$colour_re" "$T/colour.txt"
tmux_stop
tmux_start 80 24 "env $env_vars NO_COLOR=1 $R tui"
check "NO_COLOR run starts" tmux_wait 'q quit'
tmux_keys '?'
tmux_wait 'every screen' >/dev/null
tmux_screen -e >"$T/nocolour.txt"
check "NO_COLOR: no colour escape on screen" bash -c "! grep -qaE '$colour_re' '$T/nocolour.txt'"
tmux_screen >"$T/nocolour-text.txt"
check "NO_COLOR: selection still marked" grep -q '^▶ [^ ]' "$T/nocolour-text.txt"
tmux_stop

# `relman` with no command on a terminal opens the TUI
tmux_start 80 24 "env $env_vars $R"
check "relman alone opens the TUI" tmux_wait 'step 1 of 8'
tmux_keys q
tmux_stop
# ... and without a terminal it does not
check "relman alone in a pipe is no TUI" bash -c "! '$R' </dev/null 2>&1 | cat | grep -q 'step 1 of 8'"

finish
