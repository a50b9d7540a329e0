#!/usr/bin/env bash
# Acceptance (issue 4): on examples/kv, the .rel that `relman render REL rel`
# prints equals, as Erlang terms, the .rel `mix release REL` writes, for
# releases foo and bar. `mix release` runs here, at test time, so the golden
# files cannot go stale. Also: the committed examples/kv/relman.yml is what
# `relman init --import` produces today.
set -u
. "$(dirname "$0")/lib/project.sh"

copy_example kv
cd "$TMP/kv" || exit 1

# the committed relman.yml is the imported one
cp relman.yml relman.yml.committed
if "$R" init --import --force >/dev/null && cmp -s relman.yml relman.yml.committed; then ok; else
    fail "examples/kv/relman.yml differs from what 'relman init --import' writes now:"
    diff relman.yml.committed relman.yml
fi

if ! out=$(MIX_ENV=prod mix compile 2>&1); then
    echo "$out"
    fail "mix compile"
fi
for rel in foo bar; do
    if ! out=$(MIX_ENV=prod mix release "$rel" --overwrite --quiet 2>&1); then
        echo "$out"
        fail "mix release $rel"
        continue
    fi
    mixrel=_build/prod/rel/$rel/releases/0.0.1/$rel.rel
    [ -f "$mixrel" ] || { fail "mix wrote no $mixrel"; continue; }
    if "$R" render "$rel" rel >"$TMP/$rel.rel"; then ok; else fail "relman render $rel rel"; fi
    if res=$(same_terms "$mixrel" "$TMP/$rel.rel"); then ok; else
        fail "$rel: relman's .rel differs from mix's: $res"
    fi
    # the boot order relman reports is the one systools wrote into mix's start.script
    want=$(erl -noshell -eval "
        {ok, [{script, _, Is}]} = file:consult(\"_build/prod/rel/$rel/releases/0.0.1/start.script\"),
        io:format(\"~s\", [lists:join(\" \", [atom_to_list(A) || {apply, {application, start_boot, [A, _]}} <- Is])]),
        halt().")
    got=$("$R" apps "$rel" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
modes = {a["name"]: a["mode"] for a in d["applications"]}
print(" ".join(a for a in d["boot_order"] if modes[a] not in ("load", "none")))')
    if [ "$want" = "$got" ]; then ok; else fail "$rel boot order: mix/systools '$want', relman '$got'"; fi
done
finish
