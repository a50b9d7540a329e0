#!/usr/bin/env bash
# Issue 17: the real TUI at 80x24 under tmux; every long text is readable in
# full through its key, and `relman tui PATH` / `relman PATH` open Inspect on
# any release directory or tarball.
#   - a problem longer than the width: on the message line (wrapped) and,
#     whole, in the show-text pager (`o`) of the application it is about;
#   - the quit question with every answer; a setup choice; the assemble
#     outcome; a help text; the frame of a dialog has corners;
#   - Inspect on relman's, mix's (`mix release`, run here) and rebar3's
#     (`rebar3 release` and `rebar3 tar`, run here) release and a tarball;
#     a pager scrolls sideways (`>`) to the end of a long line;
#   - `relman PATH` in a pipe prints `relman inspect PATH`.
# (The host-key dialog at 80x24 is in tui_remote.sh, which has the sshd.)
. "$(dirname "$0")/lib/tui.sh"
command -v tmux >/dev/null || { echo "tmux missing (scripts/setup.sh installs it)"; exit 1; }
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }
command -v rebar3 >/dev/null || { echo "rebar3 missing (scripts/setup.sh installs it)"; exit 1; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
mkdir -p "$HOME"
env_vars="LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME MIX_ENV=prod HEX_OFFLINE=1"
for ex in kv hello_erl; do
    tar -C "$SRC/examples" --exclude=_build --exclude=deps --exclude=erl_crash.dump -cf - "$ex" |
        tar -C "$T" -xf -
done
(cd "$T/kv" && mix compile >"$T/build.log" 2>&1) || { cat "$T/build.log"; echo "mix compile failed"; exit 1; }

# The screen as one paragraph: frames and pager line numbers gone, rows
# joined with blanks (a wrapped text reads as it was written).
joined() { # joined FILE [pager]
    local f=$1
    if [ "${2:-}" = pager ]; then sed -E 's/^ *[0-9]+ //' "$f"; else cat "$f"; fi |
        sed 's/[│┌┐└┘─]//g' | tr '\n' ' ' | tr -s ' '
}
reads() { # reads FILE TEXT [pager]: TEXT is on the screen, whole
    local want
    want=$(printf '%s' "$2" | tr -s ' ')
    joined "$1" "${3:-}" | grep -qF -- "$want" ||
        { echo "  '$2' not whole in $1:"; sed 's/^/  | /' "$1"; return 1; }
}
wait_long() { # wait_long TEXT SECONDS
    for _ in $(seq $(($2 * 10))); do
        tmux_screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    tmux_wait "$1"
}

# ---- the Applications screen: a problem, the quit question, the assembly
tmux_start 80 24 "cd $T/kv && env $env_vars $R tui; sleep 30"
check "kv opens" tmux_wait 'RELEASE'
tmux_keys Enter
check "applications" tmux_wait 'MODS'
tmux_keys j L
check "kv set to load" tmux_wait 'load ●'
tmux_screen >"$T/message.txt"
tmux_keys k o
check "show-text opens" tmux_wait 'full text'
tmux_screen >"$T/text.txt"
tmux_keys Escape m
check "the mode menu" tmux_wait 'choose'
tmux_screen >"$T/menu.txt"
tmux_keys Escape Q
check "quit asks" tmux_wait 'Quit anyway?'
tmux_screen >"$T/quit.txt"
tmux_keys n
check "not quitting" tmux_wait 'not quitting'
tmux_keys s
check "saved" tmux_wait 'relman.yml'
sleep 0.5
# the problem as the CLI says it, from the saved file
problem=$("$R" -C "$T/kv" apps foo --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([p["message"] for p in d["problems"] if p.get("application") == "kv_server"][0])')
tmux_keys j P s
check "kv permanent again" tmux_wait 'mode:        permanent (explicit in relman.yml)'
sleep 0.5
tmux_keys a
check "assembled" wait_long 'foo - done' 120
sleep 0.5
tmux_screen >"$T/assemble.txt"
tmux_stop
check "the problem is longer than the screen" test "${#problem}" -gt 80
check "message line: the problem wrapped, whole" reads "$T/message.txt" "kv_server: $problem"
check "show-text: the problem whole" reads "$T/text.txt" "error: $problem" pager
check "show-text: kv_server's details" reads "$T/text.txt" "required by:" pager
check "menu framed with corners" grep -qE '┌.*┐' "$T/menu.txt"
check "menu's answers" reads "$T/menu.txt" "<Enter> choose · <Esc> cancel"
check "quit question, every answer" reads "$T/quit.txt" \
    "Unsaved changes to relman.yml. Quit anyway? y: quit without saving s: save and quit n: stay"
joined "$T/assemble.txt" | grep -qE "assembled foo 0\.0\.1 in $T/kv/_build/prod/rel/foo: [0-9]+ files \([0-9]+ written, [0-9]+ reused\), [0-9.]+ [kKMG]?B, [0-9.]+ s" &&
    ok || { bad "assemble outcome whole"; cat "$T/assemble.txt"; }

# ---- a setup choice: kv without relman.yml
cp -a "$T/kv" "$T/kvnew" && rm -f "$T/kvnew/relman.yml"
tmux_start 80 24 "env $env_vars $R tui $T/kvnew; sleep 30"
check "setup opens" tmux_wait 'step 1 of 8'
tmux_screen >"$T/setup.txt"
# the help screen cuts a long help text at 80 columns; o shows it whole
tmux_keys '?' /
tmux_keys -l 'there are unsaved'
tmux_keys Enter o
check "help: show-text" tmux_wait 'full text'
tmux_screen >"$T/help.txt"
tmux_stop
check "help: the quit action's text whole" reads "$T/help.txt" \
    "quit relman from any screen (asks first when there are unsaved changes)" pager
check "setup: the first choice whole" reads "$T/setup.txt" \
    "import the release definitions of the build tool (mix.exs releases / rebar.config relx)"
check "setup: the second choice whole" reads "$T/setup.txt" \
    "start from relman's proposal (the project's application, or every umbrella child)"

# ---- Inspect on any release directory and on a tarball
cp -a "$T/kv" "$T/kvmix" && rm -rf "$T/kvmix/_build/prod/rel"
(cd "$T/kvmix" && mix release foo --quiet >"$T/mix.log" 2>&1) || { cat "$T/mix.log"; bad "mix release"; }
(cd "$T/hello_erl" && rebar3 release >"$T/rebar.log" 2>&1 && rebar3 tar >>"$T/rebar.log" 2>&1) ||
    { cat "$T/rebar.log"; bad "rebar3 release / tar"; }
M=$T/kvmix/_build/prod/rel/foo
X=$T/hello_erl/_build/default/rel/hello_erl
tarball=$(ls "$X"/hello_erl-*.tar.gz 2>/dev/null | head -1)
inspects() { # inspects NAME ARGS...: the TUI opens on Inspect (read-only)
    local name=$1
    shift
    tmux_start 80 24 "env $env_vars $R $*; sleep 30"
    if tmux_wait 'read-only ·' >"$T/inspect.out"; then ok; else bad "$name opens Inspect"; cat "$T/inspect.out"; fi
    tmux_stop
}
inspects "relman tui: relman's release" tui "$T/kv/_build/prod/rel/foo"
inspects "relman tui: mix's release" tui "$M"
inspects "relman tui: rebar3's release" tui "$X"
inspects "relman tui: rebar3's tarball" tui "$tarball"
inspects "relman PATH: mix's release" "$M"
inspects "relman PATH: a tarball" "$tarball"
"$R" "$M" </dev/null >"$T/pipe.out" 2>&1 && grep -q '^release *foo 0.0.1 (directory, built by mix)' "$T/pipe.out" &&
    ok || { bad "relman PATH in a pipe is relman inspect PATH"; cat "$T/pipe.out"; }

# ---- a pager scrolls sideways to the end of a long line
printf 'begin %s END-OF-THE-LONG-LINE\n' "$(printf 'word%.0s ' $(seq 40))" >"$M/releases/long.txt"
tmux_start 80 24 "env $env_vars $R tui $M; sleep 30"
check "inspect" tmux_wait 'read-only ·'
tmux_keys /
tmux_keys -l long.txt
tmux_keys Enter Enter
check "the pager" tmux_wait '1 begin'
tmux_screen >"$T/long0.txt"
tmux_keys -l '>>>>>>'
check "scrolled to the end of the line" tmux_wait 'END-OF-THE-LONG-LINE'
tmux_keys -l '<<<<<<'
check "and back" tmux_wait '1 begin'
tmux_stop
check "the long line is cut before scrolling" bash -c "! grep -q END-OF-THE-LONG-LINE '$T/long0.txt'"

finish
