#!/usr/bin/env bash
# The guided first release on a new Mix project (mix new, compiled): the TUI
# starts on the setup, imports through core's `relman init` generator in
# the background (the screen stays live), then goes through every step:
# roots, name and version, ERTS, cookie policy (a typed cookie, never shown),
# rel/ templates, the summary with the relman.yml text; Enter writes it and
# the Releases screen opens on it. `relman assemble` builds a release from
# that file which boots, with the chosen name, version, cookie and templates.
# Then `relman init` with the same choices as flags writes the same file.
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
COOKIE=TyPeDcOoKiE-4711

headless '@dump source
<Enter>
@dump generating
@timeout 120
@wait step 3 of 8
@dump roots
<Enter>
@wait step 4 of 8
@dump name
<Space>
@dump name-prompt
<C-u>Bad Name<Enter>
@dump name-bad
<Space>
<C-u>shop<Enter>
j<Space>
<C-u>1.2.3<Enter>
@dump name-done
<Enter>
@wait step 5 of 8
@dump erts
<Enter>
@wait step 6 of 8
@dump cookie
jj<Enter>
'"$COOKIE"'
@dump cookie-typing
<Enter>
@wait step 7 of 8
@dump templates
j<Enter>
@wait step 8 of 8
@dump review
<Esc>
@wait step 7 of 8
@dump back
<Enter>
@wait step 8 of 8
<Enter>
@wait <Enter> open
@dump releases
<Enter>
@dump apps' --size 100x30
check "starts on the setup" grep -q "$T/demo has no relman.yml; it looks like a mix project." "$T/dump/source.txt"
check "the steps are listed" grep -q '> source · generate · roots · name · ERTS · cookie · templates · write' "$T/dump/source.txt"
check "import is the first choice" grep -q '^▶ import the release definitions' "$T/dump/source.txt"
check "roots step offers the project's application, ticked" grep -qE '^▶ +\[x\] demo$' "$T/dump/roots.txt"
check "name step shows name and version" bash -c "grep -qE '^▶ demo +name +demo$' '$T/dump/name.txt' && grep -qE '^ +version +0\.1\.0$' '$T/dump/name.txt'"
check "name prompt prefilled" grep -q '^name of release demo: demo' "$T/dump/name-prompt.txt"
check "a bad name is refused with core's reason" grep -q "'Bad Name' is not a release name" "$T/dump/name-bad.txt"
check "name and version changed" bash -c "grep -qE '^  demo +name +shop$' '$T/dump/name-done.txt' && grep -qE '^▶ +version +1\.2\.3$' '$T/dump/name-done.txt'"
check "ERTS step names the installed runtime" grep -qE '^▶ include ERTS: ship the Erlang runtime installed here \(erts-[0-9.]+\)' "$T/dump/erts.txt"
check "cookie step recommends the generated cookie" grep -q '^▶ generated: each assembled release makes its own once (mode 0600)' "$T/dump/cookie.txt"
check "typed cookie shown as stars" grep -q '^cookie (hidden): \*\{16\}$' "$T/dump/cookie-typing.txt"
check "templates step" grep -q 'write rel/vm.args.eex, rel/remote.vm.args.eex, rel/env.sh.eex' "$T/dump/templates.txt"
check "summary of the choices" grep -q 'release shop 1.2.3 · ERTS included · cookie configured in relman.yml · rel/ templates written' "$T/dump/review.txt"
check "review shows the text" grep -qE '^ +[0-9]+ +demo: permanent$' "$T/dump/review.txt"
check "review shows the renamed release" grep -qE '^ +[0-9]+   shop:$' "$T/dump/review.txt"
check "review masks the cookie" grep -qE '^ +[0-9]+     cookie: "\*{8}"$' "$T/dump/review.txt"
check "review says what was found" grep -q 'proposed release demo' "$T/dump/review.txt"
check "Esc goes back a step" grep -q '^▶ write rel/vm.args.eex' "$T/dump/back.txt"
check "the cookie never on screen" bash -c "! grep -rq '$COOKIE' '$T/dump'"
check "relman.yml written" test -f relman.yml
check "with the chosen name and version" grep -qzP '\n  shop:\n    version: "1\.2\.3"\n' relman.yml
check "with ERTS" grep -q '^    include_erts: true$' relman.yml
check "with the typed cookie" grep -q "^    cookie: \"$COOKIE\"$" relman.yml
check "it is the reviewed text" grep -q '^      demo: permanent$' relman.yml
for f in vm.args.eex remote.vm.args.eex env.sh.eex env.bat.eex; do
    check "template rel/$f written with relman's default text" cmp -s "rel/$f" "$SRC/core/data/$f"
done
check "releases screen on it" grep -qE '^▶ shop +1\.2\.3 ' "$T/dump/releases.txt"
check "the message says what was written" grep -q "wrote $T/demo/relman.yml; wrote rel/vm.args.eex" "$T/dump/releases.txt"
check "setup gone from the breadcrumbs" grep -q '^ relman › demo  ' "$T/dump/releases.txt"
check "apps of the new release" grep -qE '^▶ +demo +0\.1\.0 +permanent +project' "$T/dump/apps.txt"
check "the CLI accepts it" bash -c "'$R' releases >/dev/null"
# the release it describes assembles and boots, with the choices
echo '## relman-setup-test: from rel/vm.args.eex' >>rel/vm.args.eex
"$R" assemble >"$T/assemble.log" 2>&1 || cat "$T/assemble.log"
out=$(timeout 120 _build/prod/rel/shop/bin/shop eval 'IO.puts(:booted_ok)' 2>&1)
check "relman assemble on it builds a release that boots" grep -q booted_ok <<<"$out"
check "release shop 1.2.3" test -f _build/prod/rel/shop/releases/1.2.3/shop.rel
check "ERTS shipped" bash -c "ls -d _build/prod/rel/shop/erts-* >/dev/null"
check "the typed cookie, private" bash -c "[ \"\$(cat _build/prod/rel/shop/releases/COOKIE)\" = '$COOKIE' ] && [ \"\$(stat -c %a _build/prod/rel/shop/releases/COOKIE)\" = 600 ]"
check "rel/vm.args.eex used" grep -q 'relman-setup-test: from rel/vm.args.eex' _build/prod/rel/shop/releases/1.2.3/vm.args
# with relman.yml in place the TUI opens on the Releases screen
headless ':dump again'
check "second run opens the project" grep -qE '^▶ shop +1\.2\.3 ' "$T/dump/again.txt"

# the same choices as `relman init` flags write the same relman.yml
cp relman.yml "$T/from-tui.yml"
printf '%s\n' "$COOKIE" >"$T/cookie.txt"
rm -rf rel
"$R" init --import --force --name shop --version 1.2.3 --include-erts true \
    --cookie-file "$T/cookie.txt" --templates >"$T/init.out" 2>&1
check "relman init with the choices" grep -q 'wrote relman.yml (no releases in mix.exs; proposed release demo; wrote rel/vm.args.eex, rel/remote.vm.args.eex, rel/env.sh.eex, rel/env.bat.eex)' "$T/init.out"
check "the same file as the TUI wrote" cmp -s relman.yml "$T/from-tui.yml"
check "the cookie is not printed" bash -c "! grep -q '$COOKIE' '$T/init.out'"
"$R" init --import --force --templates >"$T/init2.out" 2>&1
check "existing templates are kept" grep -q 'kept rel/vm.args.eex, rel/remote.vm.args.eex, rel/env.sh.eex, rel/env.bat.eex (they exist)' "$T/init2.out"
check "without choices: no include_erts, no cookie" bash -c "! grep -qE 'include_erts|cookie' relman.yml"
"$R" init --import --force --cookie configured >/dev/null 2>&1
check "--cookie configured writes a random cookie" grep -qE '^    cookie: "[A-Z2-7]{64}"$' relman.yml
cp relman.yml "$T/before-bad.yml"
"$R" init --import --force --version 'a b' >"$T/bad.out" 2>&1
check "a bad version: exit 1" test $? -eq 1
check "a bad version: one line" grep -qx "relman: version 'a b': printable characters only, no spaces or '/'" "$T/bad.out"
check "a bad version writes nothing" cmp -s relman.yml "$T/before-bad.yml"
"$R" init --import --force --include-erts maybe >"$T/bad2.out" 2>&1
check "--include-erts maybe: usage error" test $? -eq 2
"$R" init --import --force --release nope --version 1 >"$T/bad3.out" 2>&1
check "--release names an unknown release" grep -q "relman: no release 'nope' (the file defines demo)" "$T/bad3.out"
finish
