#!/usr/bin/env bash
# Acceptance (issue 5): the same project released by `mix release` (run here,
# at test time) and by `relman assemble`:
#   - the same set of relative paths, apart from the differences
#     docs/compat.md lists (.relman/manifest);
#   - NAME.rel, start.script, start_clean.script and sys.config equal as
#     Erlang terms; each .boot decodes to its .script's term and is
#     byte-identical to term_to_binary of it;
#   - start_erl.data and the patched releases/VSN/elixir byte for byte;
#   - relman inspect reads mix's release and its tarball-less layout.
set -u
. "$(dirname "$0")/lib/assemble.sh"

fixture kv
cp -a "$T/kv" "$T/kvmix"
(cd "$T/kvmix" && MIX_ENV=prod mix release foo --quiet >"$T/mix.log" 2>&1) || { cat "$T/mix.log"; bad "mix release foo"; }
(cd "$T/kv" && "$R" assemble foo --no-compile --quiet) || bad "relman assemble foo"
M=$T/kvmix/_build/prod/rel/foo
O=$T/kv/_build/prod/rel/foo
V=releases/0.0.1

(cd "$M" && find . -path ./tmp -prune -o -print | LC_ALL=C sort) >"$T/mix.paths"
(cd "$O" && find . -path ./tmp -prune -o -print | LC_ALL=C sort) >"$T/relman.paths"
# intended differences (docs/compat.md)
grep -v -e '^\./\.relman$' -e '^\./\.relman/manifest$' "$T/relman.paths" >"$T/relman.cmp"
if diff "$T/mix.paths" "$T/relman.cmp" >"$T/paths.diff"; then ok; else
    bad "relative paths differ (mix < > relman):"
    head -40 "$T/paths.diff"
fi
echo "paths: $(wc -l <"$T/mix.paths") in mix's release, $(wc -l <"$T/relman.paths") in relman's"

for f in foo.rel start.script start_clean.script sys.config; do
    if res=$(same_terms "$M/$V/$f" "$O/$V/$f"); then ok; else bad "$f differs as terms: $(echo "$res" | head -c 2000)"; fi
done
for b in start start_clean; do
    check "$b.boot = term_to_binary($b.script)" erl -noshell -eval "
        {ok, Bin} = file:read_file(\"$O/$V/$b.boot\"),
        {ok, [S]} = file:consult(\"$O/$V/$b.script\"),
        case {binary_to_term(Bin) =:= S, term_to_binary(S) =:= Bin} of
            {true, true} -> halt(0);
            R -> io:format(\"~p~n\", [R]), halt(1)
        end."
    check "$b.boot equals mix's as a term" erl -noshell -eval "
        {ok, A} = file:read_file(\"$O/$V/$b.boot\"),
        {ok, B} = file:read_file(\"$M/$V/$b.boot\"),
        case binary_to_term(A) =:= binary_to_term(B) of true -> halt(0); false -> halt(1) end."
done
check "start_erl.data byte for byte" cmp "$M/releases/start_erl.data" "$O/releases/start_erl.data"
check "patched elixir launcher byte for byte" cmp "$M/$V/elixir" "$O/$V/elixir"
check "iex launcher byte for byte" cmp "$M/$V/iex" "$O/$V/iex"
check "runtime.exs copied" cmp "$M/$V/runtime.exs" "$O/$V/runtime.exs"
check "consolidated protocols: same files" diff <(ls "$M/$V/consolidated") <(ls "$O/$V/consolidated")
check "mix's COOKIE is world-readable, relman's is not" test "$(stat -c %a "$O/releases/COOKIE")" = 600

# Every stripped BEAM loads: ask the VM to load all of lib/kv-0.1.0/ebin.
check "stripped BEAMs load" erl -noshell -eval "
    Dir = \"$O/lib/kv-0.1.0/ebin\",
    Fs = filelib:wildcard(Dir ++ \"/*.beam\"),
    [{module, _} = code:load_binary(list_to_atom(filename:basename(F, \".beam\")), F,
                                    element(2, file:read_file(F))) || F <- Fs],
    halt(0)."

# relman inspect reads mix's release too
"$R" inspect "$M" >"$T/inspect-mix.txt" 2>&1
check "inspect mix release: name" grep -q '^release   foo 0.0.1' "$T/inspect-mix.txt"
check "inspect mix release: built by mix" grep -q 'built by mix' "$T/inspect-mix.txt"
check "inspect mix release: world-readable cookie flagged" grep -q 'readable by others' "$T/inspect-mix.txt"
check "inspect mix release: no problems" bash -c "! grep -q '^problem' '$T/inspect-mix.txt'"
check "inspect relman release: no problems" bash -c "! '$R' inspect '$O' | grep -q '^problem'"
finish
