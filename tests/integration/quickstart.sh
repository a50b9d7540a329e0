#!/usr/bin/env bash
# README quick start (a): relman opened on examples/kv. Without a terminal it
# prints the releases and their applications and exits 0; on a terminal
# (tmux) it shows the TUI on the project, and q leaves it.
. "$(dirname "$0")/lib/tui.sh"
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE

# a private copy of the example, compiled as the demo compiles it
mkdir -p "$T/kv" && (cd "$SRC/examples/kv" && tar cf - --exclude=_build --exclude=deps .) | (cd "$T/kv" && tar xf -)
(cd "$T/kv" && MIX_ENV=prod HEX_OFFLINE=1 mix compile >/dev/null 2>&1) || bad "mix compile of examples/kv"

# no terminal: releases and applications, exit 0
out=$(cd "$T/kv" && "$R" </dev/null | cat; echo "exit=${PIPESTATUS[0]}")
check "piped: exit 0" grep -q '^exit=0$' <<<"$out"
check "piped: release foo listed" grep -qE '^foo +0\.0\.1' <<<"$out"
check "piped: release bar listed" grep -qE '^bar +0\.0\.1' <<<"$out"
check "piped: foo's applications" grep -qE '^kv_server +0\.1\.0 +permanent' <<<"$out"
check "piped: pulled-in applications" grep -qE '^logger +1\.14' <<<"$out"
check "piped: no escapes" bash -c '! grep -q $'"'"'\e'"'"' <<<"$1"' _ "$out"

# a terminal: the TUI on the project
cat >"$T/run.sh" <<EOS
cd "$T/kv" && "$R"
echo "exit=\$?" >"$T/exit"
sleep 30
EOS
tmux_start 100 30 "bash $T/run.sh"
check "tui: shows release foo" tmux_wait 'foo'
check "tui: shows release bar" tmux_wait 'bar'
tmux_screen >"$T/screen.txt"; [ -n "${RELMAN_TEST_SHOW:-}" ] && cat "$T/screen.txt"
check "tui: title bar" grep -q '^ relman' "$T/screen.txt"
tmux_keys q
for _ in $(seq 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "tui: q quits with 0" grep -q '^exit=0$' "$T/exit"
tmux_stop
finish
