#!/usr/bin/env bash
# Acceptance (issue 4): on examples/hello_erl, the applications relman
# resolves are exactly those `rebar3 release` puts in its .rel (and, since
# relman follows relx's rules for rebar3 projects, the .rel terms are equal).
set -u
. "$(dirname "$0")/lib/project.sh"

copy_example hello_erl
cd "$TMP/hello_erl" || exit 1
# the committed relman.yml is what `relman init --import` writes today
if [ -f relman.yml ]; then
    cp relman.yml relman.yml.committed
    "$R" init --import --force >/dev/null || fail "relman init --import"
    cmp -s relman.yml relman.yml.committed && ok ||
        { fail "examples/hello_erl/relman.yml differs from the import:"; diff relman.yml.committed relman.yml; }
else
    "$R" init --import >/dev/null || fail "relman init --import"
fi

if ! out=$(rebar3 release 2>&1); then
    echo "$out"
    fail "rebar3 release"
    finish
    exit 1
fi
relxrel=$(ls _build/default/rel/hello_erl/releases/*/hello_erl.rel 2>/dev/null | head -1)
[ -n "$relxrel" ] || { fail "rebar3 wrote no .rel"; finish; exit 1; }
"$R" render rel >"$TMP/relman.rel" && ok || fail "relman render rel"
sets=$(erl -noshell -eval "
    {ok, [{release, _, _, A}]} = file:consult(\"$relxrel\"),
    {ok, [{release, _, _, B}]} = file:consult(\"$TMP/relman.rel\"),
    S = fun(L) -> lists:sort([{element(1, E), element(2, E)} || E <- L]) end,
    case S(A) =:= S(B) of
        true -> io:format(\"same\");
        false -> io:format(\"relx ~p~nrelman ~p\", [S(A), S(B)])
    end, halt().")
[ "$sets" = same ] && ok || fail "application sets differ: $sets"
res=$(same_terms "$relxrel" "$TMP/relman.rel") && ok || fail "the .rel terms differ: $res"
finish
