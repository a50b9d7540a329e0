#!/usr/bin/env bash
# The TUI on examples/kv (compiled with mix in a temp copy): the issue's
# acceptance steps that the project model allows, on the real binary in
# headless mode.
#   - open, release foo: kv_server and kv are the roots; elixir, logger and
#     others are pulled in;
#   - set kv to load: the unsafe-mode problem appears on kv_server; undo: gone;
#   - set logger temporary, save: relman.yml changed only on that line, its
#     comments intact; quitting with unsaved changes asks first;
#   - preview: each file of `relman render --list` as `relman render` prints
#     it; the cookie never appears on any screen.
. "$(dirname "$0")/lib/tui.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HEX_OFFLINE=1 MIX_ENV=prod
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
command -v mix >/dev/null || { echo "mix missing (scripts/setup.sh installs elixir)"; exit 1; }
mkdir -p "$HOME"
tar -C "$SRC/examples" --exclude=_build --exclude=deps --exclude=erl_crash.dump -cf - kv | tar -C "$T" -xf -
cd "$T/kv" || exit 1
mix compile >"$T/mix.log" 2>&1 || { cat "$T/mix.log"; echo "mix compile failed"; exit 1; }
# relman.yml with comments of our own, and a cookie that must never show
cat >relman.yml <<'EOS'
# kv umbrella: two releases
project:
  kind: mix
  env: prod
releases:
  foo:   # front end + storage
    version: "0.0.1"
    cookie: "sEcReTcOoKiE42"
    applications:
      kv_server: permanent   # the TCP front end
      kv: permanent
  bar:
    version: "0.0.1"
    applications:
      kv: permanent
EOS
cp relman.yml "$T/relman.yml.orig"

# 1. releases, then the applications of foo
headless ':dump releases
<Enter>
:dump apps' --size 120x40 .
check "releases screen lists foo" grep -qE '^. foo +0\.0\.1 +[0-9]+ +kv_server, kv' "$T/dump/releases.txt"
check "releases screen lists bar" grep -qE '^  bar +0\.0\.1 ' "$T/dump/releases.txt"
check "release state ok" grep -qE '^. foo .*ok' "$T/dump/releases.txt"
awk '/pulled in/ {exit} NR > 2 {print}' "$T/dump/apps.txt" | cut -c1-60 >"$T/roots.txt"
awk 'f {print} /pulled in/ {f = 1}' "$T/dump/apps.txt" | cut -c1-60 >"$T/pulled.txt"
check "kv_server is a root" grep -qE '^. +kv_server ' "$T/roots.txt"
check "kv is a root" grep -qE '^. +kv ' "$T/roots.txt"
check "only two roots" test "$(grep -cE '^. +[a-z_]+ +[0-9]' "$T/roots.txt")" -eq 2
for app in elixir logger kernel stdlib; do
    check "$app pulled in" grep -qE "^. +$app " "$T/pulled.txt"
done
check "logger says who pulled it in" grep -qE '^. +logger .* ← kv' "$T/pulled.txt"
check "detail pane explains the mode" grep -q 'mode: *permanent (explicit in relman.yml)' "$T/dump/apps.txt"

# 2. kv to load: unsafe-mode problem on kv_server; undo takes it away
headless '<Enter>
/^kv$<Enter>
<Esc>
:mode kv load
:dump load
u
:dump undone
R
:dump reloaded' --size 120x40 .
check "kv shows load, unsaved" grep -qE '^. +kv +0\.1\.0 +load ●' "$T/dump/load.txt"
check "problem marker on kv_server" grep -qE '^. ! kv_server ' "$T/dump/load.txt"
check "title counts the error" grep -q '! 1 error · unsaved ●' "$T/dump/load.txt"
check "message names the unsafe mode" grep -q "kv_server.*is permanent but depends on 'kv', which is load" "$T/dump/load.txt"
check "undo: no marker" bash -c "! grep -qE '^. ! kv_server ' '$T/dump/undone.txt'"
check "undo: no error" bash -c "! grep -q 'error' <(head -1 '$T/dump/undone.txt')"
check "undo: not dirty" bash -c "! grep -q 'unsaved' <(head -1 '$T/dump/undone.txt')"
check "undo said what it undid" grep -q '^undone: kv: load' "$T/dump/undone.txt"
check "nothing written" cmp -s relman.yml "$T/relman.yml.orig"

# the same with the keys: select kv, press l
headless '<Enter>
j
L
:dump keys' --size 80x24 .
check "keys: L sets load on the selected app" grep -qE '^. +kv +0\.1\.0 +load ●' "$T/dump/keys.txt"
check "keys: marker on kv_server at 80x24" grep -qE '^. ! kv_server ' "$T/dump/keys.txt"
check "keys: 80x24 well formed" well_formed "$T/dump/keys.txt" 80 24 apps

# sizes: the project screens at 200x60 and back at 80x24
headless ':dump r80
<Enter>
:dump a80
@resize 200x60
:dump a200
@resize 80x24
:dump a80b
<Esc>
:dump r80b' .
check "releases 80x24 well formed" well_formed "$T/dump/r80.txt" 80 24 apps
check "apps 80x24 well formed" well_formed "$T/dump/a80.txt" 80 24 apps
check "apps 200x60 well formed" well_formed "$T/dump/a200.txt" 200 60 apps
check "apps 200x60: side by side" grep -q '│ kv_server 0.1.0' "$T/dump/a200.txt"
check "apps after resize = before" cmp -s <(head -n -1 "$T/dump/a80.txt") <(head -n -1 "$T/dump/a80b.txt")
check "releases after resize = before" cmp -s <(head -n -1 "$T/dump/r80.txt") <(head -n -1 "$T/dump/r80b.txt")

# 3. quit with unsaved changes asks; n stays; then logger temporary + save
headless '<Enter>
:mode kv load
Q
@dump asked
n
@dump stayed
u
/logger<Enter>
E
s
:dump saved
Q
:dump notreached' --size 120x40 .
check "quit asks when unsaved" grep -q '^Unsaved changes to relman.yml. Quit anyway?' "$T/dump/asked.txt"
check "n stays" grep -q '^not quitting' "$T/dump/stayed.txt"
check "saved message" grep -q "^saved .*relman.yml" "$T/dump/saved.txt"
check "q after save quits at once" test ! -e "$T/dump/notreached.txt"
diff "$T/relman.yml.orig" relman.yml >"$T/yml.diff"
check "relman.yml: one line added" test "$(grep -c '^[<>]' "$T/yml.diff")" -eq 1
check "relman.yml: it is logger temporary" grep -qE '^>  +logger: temporary$' "$T/yml.diff"
check "relman.yml: comments intact" bash -c "grep -q '# the TCP front end' relman.yml && grep -q '# front end + storage' relman.yml && grep -q '^# kv umbrella' relman.yml"

# 4. preview: each renderable as relman render prints it; cookie never shown
cp "$T/relman.yml.orig" relman.yml
names=$("$R" render --list | awk '{print $1}')
script=$'p\n@timeout 120\n'
for n in $names; do
    script+=$'@wait !rendering...\n'":dump preview-$n"$'\n]\n'
done
headless "$script" --size 200x60 .
for n in $names; do
    "$R" render foo "$n" >"$T/render-$n.txt" 2>&1
    sed 's/sEcReTcOoKiE42/********/g' "$T/render-$n.txt" >"$T/render-$n.masked"
    lines=$(wc -l <"$T/render-$n.masked")
    # a 60-line screen shows the top of longer files (start.script, bin)
    if [ "$lines" -gt 50 ]; then
        lines=50
        head -n 50 "$T/render-$n.masked" >"$T/render-$n.top" && mv "$T/render-$n.top" "$T/render-$n.masked"
    fi
    sed -n "3,$((lines + 2))p" "$T/dump/preview-$n.txt" | cut -c6- >"$T/shown-$n.txt"
    if diff -u "$T/render-$n.masked" "$T/shown-$n.txt" >"$T/diff-$n"; then ok; else
        bad "preview of $n differs from relman render"; cat "$T/diff-$n"; fi
done
check "every dump written" test "$(ls "$T"/dump/preview-*.txt | wc -l)" -eq "$(echo "$names" | wc -w)"
check "cookie never on screen" bash -c "! grep -rq 'sEcReTcOoKiE42' '$T/dump'"

# 5. assemble from the TUI: runs in the background (keys are handled while
# it runs: the dumps below are typed commands), the bar reaches the total,
# the Releases screen shows the new release, and the release boots
cp "$T/relman.yml.orig" relman.yml
script=$'a\n:dump a0\n'
for i in $(seq 1 30); do script+=$'@sleep 40\n'":dump a$i"$'\n'; done
script+=$'@timeout 300\n@wait - done\n:dump adone\n<Esc>\n:dump arel\n'
headless "$script" --size 100x30 .
check "assembly shown running at once" grep -q '^ foo - assembling' "$T/dump/a0.txt"
check "the screen took keys while it ran" grep -lq 'foo - assembling' "$T"/dump/a[0-9]*.txt
total=$(grep -oE '[0-9]+ / [0-9]+ files' "$T/dump/adone.txt" | awk '{print $3}')
check "bar complete at the end" grep -qE "\] $total / $total files" "$T/dump/adone.txt"
check "result kept on the screen" grep -q "^ assembled foo 0.0.1 in .*_build/prod/rel/foo" "$T/dump/adone.txt"
check "releases screen shows it assembled" grep -qE '^. foo +0\.0\.1 .* [0-9]{4}-[0-9]{2}-[0-9]{2} ' "$T/dump/arel.txt"
out=$(timeout 120 _build/prod/rel/foo/bin/foo eval 'IO.puts(:booted_ok)' 2>&1)
check "the assembled release boots" grep -q booted_ok <<<"$out"
check "cookie never on screen (assembly)" bash -c "! grep -rq 'sEcReTcOoKiE42' '$T/dump'"

# 6. preview against the assembled release: same file -> "as assembled";
# after an edit (not saved) the .rel differs and d shows the changed line
headless '<Enter>
:mode logger temporary
p
@timeout 120
@wait !rendering...
:dump rel-changed
d
:dump rel-diff
]
@wait !rendering...
:dump vm-same' --size 120x40 .
check "preview says the .rel differs" grep -q 'differs from the assembled release' "$T/dump/rel-changed.txt"
check "diff shows the new line" grep -qE '^ +[0-9]+ \+ +\{logger,"[0-9.]+",temporary\},?' "$T/dump/rel-diff.txt"
check "diff keeps the same lines" grep -qE '^ +[0-9]+   +\{kv,"0\.1\.0",permanent\},?' "$T/dump/rel-diff.txt"
check "vm.args is as assembled" grep -q '✓ as assembled' "$T/dump/vm-same.txt"
check "cookie never on screen (diff)" bash -c "! grep -rq 'sEcReTcOoKiE42' '$T/dump'"

# 7. the guided setup on the umbrella: import, untick kv_server in foo, keep
# the other choices, write
mv relman.yml relman.yml.kept
headless '<Enter>
@timeout 120
@wait step 3 of 8
@dump roots
j
<Space>
@dump unticked
<Enter>
@wait step 4 of 8
@dump names
<Enter>
<Enter>
<Enter>
<Enter>
@wait step 8 of 8
<Enter>
@wait <Enter> open
@dump after-setup' --size 100x30 .
check "roots of foo and bar offered" bash -c "grep -q '^ release foo' '$T/dump/roots.txt' && grep -q '^ release bar' '$T/dump/roots.txt'"
check "imported roots ticked" grep -qE '^ +\[x\] kv_server$' "$T/dump/roots.txt"
check "unticked" grep -qE '^▶ +\[ \] kv_server$' "$T/dump/unticked.txt"
check "written without kv_server in foo" bash -c "! sed -n '/^  foo:/,/^  bar:/p' relman.yml | grep -q kv_server"
check "kv still in foo" bash -c "sed -n '/^  foo:/,/^  bar:/p' relman.yml | grep -q 'kv: permanent'"
check "the header comment of init kept" grep -q '^# relman.yml, imported from mix.exs' relman.yml
check "names of both releases offered" bash -c "grep -qE '^▶ foo +name +foo$' '$T/dump/names.txt' && grep -qE '^  bar +name +bar$' '$T/dump/names.txt'"
check "no rel/ templates unless asked" test ! -e rel/vm.args.eex
check "releases screen after setup" grep -qE '^. foo +0\.0\.1 +[0-9]+ +kv ' "$T/dump/after-setup.txt"
mv relman.yml.kept relman.yml

finish
