#!/usr/bin/env bash
# Acceptance (issue 5): bad inputs give a one-line error (relman: ...), exit
# status 1, and nothing at the final path (nor anything half-built beside
# it): a missing ebin directory, a corrupt .app, a corrupt BEAM, a template
# error, an unwritable path, a broken config/config.exs. A failed re-assembly
# leaves the previous release untouched.
set -u
. "$(dirname "$0")/lib/assemble.sh"

fixture kv
PRISTINE=$T/kv
# expect_error NAME PATTERN [ASSEMBLE ARGS]: run in $T/case, check the outcome
expect_error() {
    local name=$1 pattern=$2
    shift 2
    (cd "$T/case" && "$R" assemble foo --no-compile --path "$T/case-out/foo" "$@") >"$T/out" 2>"$T/err"
    local rc=$?
    if [ $rc -eq 1 ]; then ok; else bad "$name: exit status $rc, want 1"; fi
    if [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^relman: ' "$T/err"; then ok; else
        bad "$name: want one line 'relman: ...' on stderr, got:"
        head -5 "$T/err"
    fi
    if grep -qE -- "$pattern" "$T/err"; then ok; else bad "$name: message lacks /$pattern/: $(cat "$T/err")"; fi
    if [ ! -e "$T/case-out/foo" ]; then ok; else bad "$name: something was left at the final path"; fi
    if ! ls -a "$T/case-out" 2>/dev/null | grep -q -e relman-new -e relman-old; then ok; else
        bad "$name: a half-built tree was left beside the final path"
    fi
    echo "  $name: $(cat "$T/err")"
}
fresh() {
    rm -rf "$T/case" "$T/case-out"
    cp -a "$PRISTINE" "$T/case"
}

fresh
rm -rf "$T/case/_build/prod/lib/kv/ebin"
expect_error "missing ebin" "kv"

fresh
printf '{application, kv, [{vsn, "0.1.0"}, {modules, [\n' >"$T/case/_build/prod/lib/kv/ebin/kv.app"
expect_error "corrupt .app" "kv\\.app(:[0-9]+)?"

fresh
beam=$T/case/_build/prod/lib/kv/ebin/Elixir.KV.Bucket.beam
head -c 200 "$beam" >"$beam.cut" && mv "$beam.cut" "$beam"
expect_error "corrupt BEAM" "Elixir\\.KV\\.Bucket\\.beam"

fresh
mkdir -p "$T/case/rel"
# a Mix project's template may use any EEx (Elixir's EEx renders what
# relman's subset does not): an `if` without its `end` is EEx's error
printf '#!/bin/sh\nexport A=1\n<%% if true do %%>\nexport B=2\n' >"$T/case/rel/env.sh.eex"
expect_error "template error" "rel/env\\.sh\\.eex: EEx: .*rel/env\\.sh\\.eex:5"

fresh
printf 'not a directory\n' >"$T/afile"
rm -rf "$T/case-out"
(cd "$T/case" && "$R" assemble foo --no-compile --path "$T/afile/foo") >"$T/out" 2>"$T/err"
rc=$?
check "unwritable path: exit 1" test $rc -eq 1
check "unwritable path: one line" test "$(wc -l <"$T/err")" -eq 1
check "unwritable path: names the path" grep -q "$T/afile" "$T/err"
check "unwritable path: nothing there" test ! -e "$T/afile/foo"
echo "  unwritable path: $(cat "$T/err")"

fresh
printf 'import Config\nconfig :kv, :x, Missing.Module.call()\n' >"$T/case/config/config.exs"
RELMAN_NO_CONFIG_CACHE=1 expect_error "config/config.exs raises" "config\\.exs"

# A failed re-assembly leaves the previous release as it was.
fresh
(cd "$T/case" && "$R" assemble foo --no-compile --quiet --path "$T/case-out/foo") || bad "first assembly"
tree_digest "$T/case-out/foo" >"$T/before"
mkdir -p "$T/case/rel"
printf '<%%= @release.nope %%>\n' >"$T/case/rel/vm.args.eex"
(cd "$T/case" && "$R" assemble foo --no-compile --overwrite --path "$T/case-out/foo") 2>"$T/err"
check "re-assembly with a bad template fails" test $? -eq 1
check "message names the template" grep -q 'rel/vm.args.eex: EEx: \*\* (KeyError) key :nope not found' "$T/err"
check "the previous release is untouched" cmp -s "$T/before" <(tree_digest "$T/case-out/foo")
finish
