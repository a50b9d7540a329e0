#!/usr/bin/env bash
# The TUI's headless mode (--script/--dump): help generated from the action
# table, filter, command line, themes, resize, key configuration errors,
# NO_COLOR, script errors. Drives the real binary; no terminal needed.
. "$(dirname "$0")/lib/tui.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
cd "$T" || exit 1
# $T has no relman.yml: the TUI starts on the guided setup; these tests
# work on the help screen, opened first ('?').
OPEN_HELP=1

# 1. the help screen lists every generic action of --keys, with its keys
"$R" tui --keys >"$T/keys.md"
check "--keys prints a table" grep -q '^| `quit` | `Q` | generic |' "$T/keys.md"
headless ':dump help' --size 200x60
check "help dump written" test -f "$T/dump/help.txt"
for a in $(grep '| generic |' "$T/keys.md" | sed 's/^| `\([^`]*\)`.*/\1/'); do
    grep -qE "^..[^ ].* $a +" "$T/dump/help.txt" || bad "help screen lacks action '$a'"
done
check "help shows the quit key" grep -qE '^. Q +quit +quit relman' "$T/dump/help.txt"

# 2. filter: '/' narrows the list, <Esc> clears it
headless '/redraw<Enter>
:dump filtered
<Esc>
:dump cleared'
check "filter keeps the match" grep -q ' redraw ' "$T/dump/filtered.txt"
check "filter hides the rest" bash -c "! grep -q 'move-down' '$T/dump/filtered.txt'"
check "filter shown on the message line" grep -q '^filter: redraw  (1 of ' "$T/dump/filtered.txt"
check "esc clears the filter" grep -q 'move-down' "$T/dump/cleared.txt"

# 3. sizes: 80x24, 200x60, and after resizing both ways
headless ':dump s80
@resize 200x60
:dump s200
@resize 80x24
:dump back80
@resize 30x8
:dump tiny
@resize 80x24
:dump again80'
check "80x24 well formed" well_formed "$T/dump/s80.txt" 80 24
check "200x60 well formed" well_formed "$T/dump/s200.txt" 200 60
check "back to 80x24 well formed" well_formed "$T/dump/back80.txt" 80 24
# the same screen but for the message line ("screen written to ...")
same_screen() { cmp -s <(head -n -1 "$1") <(head -n -1 "$2"); }
check "resize back gives the same screen" same_screen "$T/dump/s80.txt" "$T/dump/back80.txt"
check "too small says so" grep -q 'terminal too small (30x8)' "$T/dump/tiny.txt"
check "after too small all is back" same_screen "$T/dump/s80.txt" "$T/dump/again80.txt"
RELMAN_TUI_SIZE=100x30 headless ':dump env'
check "RELMAN_TUI_SIZE sets the size" well_formed "$T/dump/env.txt" 100 30

# 4. the command line: completion, palette, errors
headless '<Colon>them<Tab>hi<Tab><Enter>
:dump theme
:no-such-thing
:dump unknown
<Colon>move-l<Tab><Enter>
:dump palette'
check "command completion + theme switch" grep -q 'theme high-contrast' "$T/dump/theme.txt"
check "unknown command is reported" grep -q "^unknown command 'no-such-thing'" "$T/dump/unknown.txt"
check "actions run by name" grep -qE '^. :dump NAME' "$T/dump/palette.txt"

# 5. rebinding: tui.conf and :bind; the help screen shows the new keys
mkdir -p "$T/home/.config/relman"
printf '# my keys\nbind generic Z move-last\ntheme light\n' >"$T/home/.config/relman/tui.conf"
headless 'Z
:dump rebound'
check "tui.conf binding works" grep -qE '^. :dump NAME' "$T/dump/rebound.txt"
check "tui.conf binding listed in help" grep -qE '^  G <End> Z +move-last' "$T/dump/rebound.txt"
check "tui.conf theme used" grep -q 'theme light' "$T/dump/rebound.txt"
printf 'bind generic Z move-last\nbind generic x fly\n' >"$T/home/.config/relman/tui.conf"
headless ':dump never'
rc=$?
check "bad tui.conf exits 1" test $rc -eq 1
check "bad tui.conf names file:line" grep -q "^relman: $T/home/.config/relman/tui.conf:2: unknown action 'fly'" "$T/err"
check "bad tui.conf: no dump" test ! -e "$T/dump/never.txt"
rm "$T/home/.config/relman/tui.conf"
RELMAN_TUI_CONFIG=$T/missing.conf headless ':dump never'
check "missing RELMAN_TUI_CONFIG is an error" grep -q "missing.conf: no such file" "$T/err"
headless ':bind generic X move-last
X
:dump bound'
check ":bind works" grep -qE '^. :dump NAME' "$T/dump/bound.txt"

# 6. themes: flag, env, unknown
headless ':dump t' --theme monochrome
check "--theme" grep -q 'theme monochrome' "$T/dump/t.txt"
RELMAN_THEME=light headless ':dump t'
check "RELMAN_THEME" grep -q 'theme light' "$T/dump/t.txt"
headless ':dump t' --theme purple
rc=$?
check "unknown theme exits 1" test $rc -eq 1
check "unknown theme message" grep -q "^relman: unknown theme 'purple' (built in: dark, high-contrast, light, monochrome)" "$T/err"

# 7. colour: escapes with a colour theme, none with NO_COLOR or --no-color
printf '?\n:dump c\n' >"$T/script.txt"
RELMAN_TUI_TTYLOG=$T/colour.log "$R" tui --script "$T/script.txt" --dump "$T/dump"
check "a colour theme emits colour" grep -qaE $'\e\\[(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' "$T/colour.log"
NO_COLOR=1 RELMAN_TUI_TTYLOG=$T/nocolour.log "$R" tui --script "$T/script.txt" --dump "$T/dump"
check "NO_COLOR: output written" test -s "$T/nocolour.log"
check "NO_COLOR: no colour escape" bash -c "! grep -qaE $'\e\\\\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9]+)*m|\e\\\\[[0-9;]*[34]8;' '$T/nocolour.log'"
check "NO_COLOR: monochrome theme" grep -q 'theme monochrome' "$T/dump/c.txt"
RELMAN_TUI_TTYLOG=$T/flag.log "$R" tui --no-color --script "$T/script.txt" --dump "$T/dump"
check "--no-color: no colour escape" bash -c "! grep -qaE $'\e\\\\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9]+)*m' '$T/flag.log'"
check "--no-color: still shows the selection (reverse)" grep -qa $'\e\\[7m\|\e\\[0;7m\|\e\\[1;7m\|\e\\[7;1m' "$T/flag.log"

# 8. ASCII: no UTF-8 markers in a C locale or with --ascii
LC_ALL=C LANG=C headless ':dump ascii'
check "C locale draws ASCII" bash -c "! LC_ALL=C grep -qP '[\x80-\xff]' '$T/dump/ascii.txt'"
headless ':dump ascii2' --ascii
check "--ascii draws ASCII" bash -c "! LC_ALL=C grep -qP '[\x80-\xff]' '$T/dump/ascii2.txt'"
headless ':dump utf8'
check "UTF-8 locale draws markers" grep -q '▶' "$T/dump/utf8.txt"

# 9. script steps: @wait succeeds and times out with the line named
OPEN_HELP=0 headless '@wait step 1 of 8
@timeout 1
@wait no such text anywhere'
rc=$?
check "@wait timeout exits 1" test $rc -eq 1
check "@wait timeout names the line" grep -q "script.txt:3: timed out waiting for 'no such text anywhere'" "$T/err"
check "@wait timeout leaves a dump" test -s "$T/dump/timeout.txt"
OPEN_HELP=0 headless '@frobnicate'
check "bad step named" grep -q "script.txt:1: unknown step" "$T/err"

# 10. quitting: q ends the run at once; the rest of the script is not run
headless 'Q
:dump after'
check "q quits" test ! -e "$T/dump/after.txt"

# 11. the first screen: no relman.yml -> the guided setup
OPEN_HELP=0 headless ':dump setup'
check "guided setup without relman.yml" grep -q "has no relman.yml; it looks like a plain project" "$T/dump/setup.txt"
check "usage error for a bad --size" bash -c "'$R' tui --size 0x0 2>&1 | grep -q 'size needs COLSxLINES'"

# 12. bad input: a missing PATH, a broken relman.yml (FILE:LINE:COL, exit 1)
OPEN_HELP=0 headless ':dump never' "$T/does-not-exist"
rc=$?
check "missing PATH exits 1" test $rc -eq 1
check "missing PATH named" grep -q "^relman: $T/does-not-exist: no such file or directory" "$T/err"
mkdir -p "$T/broken"
printf 'releases:\n  foo:\n    applications: {kv: sometimes}\n' >"$T/broken/relman.yml"
OPEN_HELP=0 headless ':dump never' "$T/broken"
rc=$?
check "broken relman.yml exits 1" test $rc -eq 1
check "broken relman.yml: one line naming file:line:col" grep -qE "^relman: .*relman.yml:3:[0-9]+: " "$T/err"
check "broken relman.yml: one line only" test "$(wc -l <"$T/err")" -eq 1
check "broken relman.yml: no dump" test ! -e "$T/dump/never.txt"

finish
