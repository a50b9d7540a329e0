#!/usr/bin/env bash
# Assembling from the TUI as from the CLI (issue 17, deliverable 4), on a
# copy of examples/kv in headless mode:
#   - a source touched after the build: the TUI compiles first (step
#     "compile"), mix's output in the log pane, then assembles; a version
#     relman made is replaced without asking;
#   - a hook that runs long: the bar names it ("hook sleep ..."), its output
#     shows as it comes; `x` cancels: the screen says canceled, the hook's
#     process is gone, the release assembled before is untouched and no
#     temporary tree is left beside it;
#   - one size figure: the Releases screen, the assemble outcome, `relman
#     assemble` and `relman inspect` show the same.
. "$(dirname "$0")/lib/tui.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
command -v mix >/dev/null || { echo "mix missing"; exit 1; }
mkdir -p "$HOME"
tar -C "$SRC/examples" --exclude=_build --exclude=deps --exclude=erl_crash.dump -cf - kv | tar -C "$T" -xf -
cd "$T/kv" || exit 1
mix compile >"$T/mix.log" 2>&1 || { cat "$T/mix.log"; echo "mix compile failed"; exit 1; }
REL=$T/kv/_build/prod/rel/foo
"$R" assemble foo >"$T/cli.out" 2>&1 || { cat "$T/cli.out"; exit 1; }
cli_size=$(sed -n 's/.* files, \([0-9.]* [kMG]\?B\);.*/\1/p' "$T/cli.out")
insp_size=$("$R" inspect "$REL" | sed -n 's/^files .*(\(.*\))$/\1/p')
check "relman assemble and relman inspect give one size ($cli_size, $insp_size)" test -n "$cli_size" -a "$cli_size" = "$insp_size"

# 1. a touched source: compiled first, mix's output in the pane
echo "# touched by the test" >>apps/kv/lib/kv/bucket.ex
headless $':dump rel0\na\n@timeout 300\n@wait - done\n:dump compiled' --size 120x40 .
check "the Releases screen shows that size" grep -q "$cli_size" "$T/dump/rel0.txt"
check "the assembly compiled first" grep -q 'compile ✓' "$T/dump/compiled.txt"
check "mix's output is in the log pane" grep -qE 'Compiling 1 file|Generated kv app' "$T/dump/compiled.txt"
check "a version relman made is replaced" grep -q "^ assembled foo 0.0.1 in .*_build/prod/rel/foo" "$T/dump/compiled.txt"
check "the outcome gives the same size" grep -q "$cli_size" "$T/dump/compiled.txt"

# 2. cancel during a long hook
before=$(cd "$REL" && find . -type f -printf '%p %s %T@\n' | sort | sha1sum)
sed -i "0,/version: \"0.0.1\"/ s//version: \"0.0.1\"\n    steps: [{run: 'echo hook-started; sleep 31.5'}, assemble]/" relman.yml
grep -q "sleep 31.5" relman.yml || { echo "could not edit relman.yml"; exit 1; }
headless $'a\n@timeout 60\n@wait hook-started\n:dump hook\nx\n@wait - canceled\n:dump canceled' --size 120x40 .
check "the bar names the hook" grep -q 'hook echo hook-started' "$T/dump/hook.txt"
check "the hook's output shows as it comes" grep -q 'hook-started' "$T/dump/hook.txt"
check "the screen says canceled" grep -q 'foo - canceled' "$T/dump/canceled.txt"
check "the outcome says why" grep -q "canceled during step 'echo hook-started; sleep 31.5'; the release at its path was not touched" "$T/dump/canceled.txt"
check "the hook's process is gone" bash -c "! pgrep -f '[s]leep 31.5' >/dev/null"
after=$(cd "$REL" && find . -type f -printf '%p %s %T@\n' | sort | sha1sum)
check "the release assembled before is untouched" test "$before" = "$after"
check "no temporary tree beside it" bash -c "! ls -a '$T/kv/_build/prod/rel' | grep -q -e relman-new -e relman-old"
finish
