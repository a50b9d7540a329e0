#!/usr/bin/env bash
# The guided first release on a new Mix project (mix new, compiled): the TUI
# starts on the setup, imports through core's `relman init` generator in
# the background (the screen stays live), shows the text, writes relman.yml
# on Enter and opens the Releases screen on it; `relman assemble` builds a
# release from that file which boots.
. "$(dirname "$0")/lib/tui.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }
mkdir -p "$HOME"
cd "$T" || exit 1
mix new demo >"$T/mix.log" 2>&1 || { cat "$T/mix.log"; exit 1; }
cd demo || exit 1
mix compile >>"$T/mix.log" 2>&1 || { cat "$T/mix.log"; exit 1; }

headless '@dump source
<Enter>
@dump generating
@timeout 120
@wait step 3 of 4
@dump roots
<Enter>
@wait step 4 of 4
@dump review
<Enter>
@wait <Enter> open
@dump releases
<Enter>
@dump apps' --size 100x30
check "starts on the setup" grep -q "$T/demo has no relman.yml; it looks like a mix project." "$T/dump/source.txt"
check "import is the first choice" grep -q '^▶ import the release definitions' "$T/dump/source.txt"
check "roots step offers the project's application, ticked" grep -qE '^▶ +\[x\] demo$' "$T/dump/roots.txt"
check "review shows the text" grep -qE '^ +[0-9]+ +demo: permanent$' "$T/dump/review.txt"
check "review says what was found" grep -q 'proposed release demo' "$T/dump/review.txt"
check "relman.yml written" test -f relman.yml
check "it is the reviewed text" grep -q '^      demo: permanent$' relman.yml
check "releases screen on it" grep -qE '^▶ demo +0\.1\.0 ' "$T/dump/releases.txt"
check "setup gone from the breadcrumbs" grep -q '^ relman › demo  ' "$T/dump/releases.txt"
check "apps of the new release" grep -qE '^▶ +demo +0\.1\.0 +permanent +project' "$T/dump/apps.txt"
check "the CLI accepts it" "$R" releases
# the release it describes assembles and boots
"$R" assemble >"$T/assemble.log" 2>&1 || cat "$T/assemble.log"
out=$(timeout 120 _build/prod/rel/demo/bin/demo eval 'IO.puts(:booted_ok)' 2>&1)
check "relman assemble on it builds a release that boots" grep -q booted_ok <<<"$out"
# with relman.yml in place the TUI opens on the Releases screen
headless ':dump again'
check "second run opens the project" grep -qE '^▶ demo +0\.1\.0 ' "$T/dump/again.txt"
finish
