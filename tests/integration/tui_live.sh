#!/usr/bin/env bash
# Issue 17, keys and live files, on the real TUI in tmux at 80x24 over
# examples/kv (compiled with mix in a temp copy):
#   - `q` from help returns to the screen below; `Q` quits from anywhere;
#   - `/e`, Enter, `n` moves to the next match and changes no mode;
#   - an SGR mouse click selects the row under it, a double-click opens it,
#     the wheel moves;
#   - relman.yml edited outside relman shows on the screen within a second;
#   - `e` runs $EDITOR on relman.yml and the screen shows the edit after;
#   - `:apps bar` jumps to another release's applications.
. "$(dirname "$0")/lib/tui.sh"
command -v tmux >/dev/null || { echo "tmux missing (scripts/setup.sh installs it)"; exit 1; }
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
unset RELMAN_TUI_MOUSE VISUAL
mkdir -p "$HOME"
tar -C "$SRC/examples" --exclude=_build --exclude=deps --exclude=erl_crash.dump -cf - kv | tar -C "$T" -xf -
cd "$T/kv" || exit 1
mix compile >"$T/mix.log" 2>&1 || { cat "$T/mix.log"; echo "mix compile failed"; exit 1; }
cp relman.yml "$T/relman.yml.orig"

# the editor `e` runs: sets kv to transient
cat >"$T/ed.sh" <<'EOS'
sed -i 's/^      kv: load$/      kv: transient/' "$1"
EOS
cat >"$T/run.sh" <<EOS
cd "$T/kv"
env LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME EDITOR="sh $T/ed.sh" "$R" tui
echo "exit=\$?" >"$T/exit"
sleep 30
EOS
# the pane shows TEXT (a grep -E pattern) within SECONDS (default 10)
shows() { # shows PATTERN [SECONDS]
    local end=$(($(date +%s%N) + ${2:-10} * 1000000000))
    while [ "$(date +%s%N)" -lt "$end" ]; do
        tmux_screen 2>/dev/null | grep -qE -- "$1" && return 0
        sleep 0.05
    done
    echo "  not shown: '$1'; screen:"
    tmux_screen 2>/dev/null | sed 's/^/  | /'
    return 1
}
selected() { shows "^▶ +$1 " 3; }
gone() { # the pane no longer shows PATTERN (within 3 s)
    for _ in $(seq 60); do
        tmux_screen 2>/dev/null | grep -qE -- "$1" || return 0
        sleep 0.05
    done
    echo "  still shown: '$1'"
    return 1
}

tmux_start 80 24 "bash $T/run.sh"
check "starts on the releases" shows '^▶ foo '
tmux_keys Enter
check "applications of foo" shows 'foo › applications'
check "kv_server selected first" selected kv_server

# q from help returns to the screen below
tmux_keys '?'
check "help opens" shows 'applications › help'
tmux_keys q
check "q from help: back on the applications" shows 'foo › applications +[0-9]+ apps'
check "q from help: not quit" test ! -e "$T/exit"

# /e Enter n: the next match, and no mode set
tmux_keys / e Enter
check "filter e" shows '^filter: e '
tmux_keys n
check "n: the next match (kv)" selected kv
tmux_keys n
check "n again: kernel" selected kernel
tmux_keys N
check "N: back to kv" selected kv
tmux_keys Escape
check "Esc clears the filter" shows 'filter cleared'
tmux_keys n
check "n without the filter: next row with an e" selected kernel
check "n set no mode (nothing unsaved)" bash -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t t | head -1 | grep -q unsaved"
check "n set no mode (relman.yml unchanged)" cmp -s relman.yml "$T/relman.yml.orig"

# the mouse: a click on the row of stdlib (screen line 7, under the separator), then the wheel
tmux_keys -l $'\e[<0;10;7M\e[<0;10;7m'
check "a click selects stdlib" selected stdlib
tmux_keys -l $'\e[<65;10;6M'
check "the wheel down moves three rows" selected iex
tmux_keys -l $'\e[<64;10;6M'
check "the wheel up moves back" selected stdlib

# live: relman.yml edited outside relman shows within a second
sed -i 's/^      kv: permanent$/      kv: load/' relman.yml
check "outside edit shown within a second" shows '^. +kv +0\.1\.0 +load ' 1
check "outside edit: a note says so" shows 'relman.yml changed on disk: reloaded' 1

# live: a .beam compiled and a template written are noticed too
touch _build/prod/lib/kv/ebin/Elixir.KV.beam
check "a .beam written: reloaded" shows 'ebin/ changed on disk: reloaded' 2
mkdir rel && printf -- '-sname x\n' >rel/vm.args.eex
check "rel/ made with a template: reloaded" shows 'rel/ changed on disk: reloaded' 2
tmux_keys j k # any key clears the message line
check "the message line cleared" gone 'changed on disk'
printf -- '-sname y\n' >rel/vm.args.eex
check "a template edited: reloaded" shows 'rel/ changed on disk: reloaded' 2

# unsaved edits here are never reloaded over: the message line says so
tmux_keys :
tmux_keys -l 'mode kv_server transient'
tmux_keys Enter
check "an edit here: unsaved" shows 'unsaved'
sed -i 's/^    version: "0.0.1"$/    version: "0.0.2"/' relman.yml
check "outside edit over unsaved ones: not reloaded" shows 'changed on disk: not reloaded' 2
tmux_keys u
check "undone: nothing unsaved" gone 'unsaved'

# e: the editor on relman.yml, then the screen shows its edit
tmux_keys e
check "e: the editor's edit shown" shows '^. +kv +0\.1\.0 +transient ' 5
check "e: a note says so" shows 'relman.yml edited: reloaded' 5
check "e: relman.yml has it" grep -q '^      kv: transient$' relman.yml

# : jumps, with candidates
tmux_keys : a p
check ": shows the candidates" shows '^ apps '
tmux_keys Tab
check "Tab completes the release names" shows '^ foo  bar'
tmux_keys b Tab Enter
check ":apps bar opens bar's applications" shows 'bar › applications'
check ":apps bar: one level deep" shows '^ relman › kv › bar › applications'

# h goes back, q on the first screen quits
tmux_keys h
check "h goes back" shows '^ relman › kv  '
# a double-click opens the row (bar, screen line 4)
tmux_keys -l $'\e[<0;5;4M\e[<0;5;4m\e[<0;5;4M\e[<0;5;4m'
check "a double-click opens bar" shows '^ relman › kv › bar › applications'
tmux_keys Q
for _ in $(seq 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "Q quits from the applications" grep -q '^exit=0$' "$T/exit"
tmux_stop
finish
