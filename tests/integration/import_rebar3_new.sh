#!/usr/bin/env bash
# Issue 14: the projects rebar3's own templates make. `rebar3 new release`
# (mode dev: links into _build) and `rebar3 new app` with a relx section
# added: `relman init --import && relman assemble`, no hand edits, and the
# release boots, answers and stops; nothing is left running.
set -u
. "$(dirname "$0")/lib/assemble.sh"
command -v rebar3 >/dev/null || { echo "SKIP: no rebar3"; exit 0; }

cd "$T" || exit 1
rebar3 new release newrel >/dev/null 2>&1 || { bad "rebar3 new release"; finish; exit 1; }
rebar3 new app newapp >/dev/null 2>&1 || { bad "rebar3 new app"; finish; exit 1; }
cat >>newapp/rebar.config <<'EOF'
{relx, [{release, {newapp, "0.1.0"}, [newapp, sasl]}, {mode, prod}]}.
EOF

boots() { # boots DIR NAME: import, assemble, daemon, rpc, stop
    local dir=$1 name=$2 rel
    cd "$dir" || return 1
    "$R" init --import >"$T/$name.init" 2>&1 || { cat "$T/$name.init"; return 1; }
    "$R" assemble --quiet >"$T/$name.asm" 2>&1 || { cat "$T/$name.asm"; return 1; }
    rel=$dir/_build/default/rel/$name
    RELEASE_NODE=$name$$ "$rel/bin/$name" daemon || return 1
    RELEASE_NODE=$name$$ wait_rpc "$rel/bin/$name" || { echo "$name does not answer"; return 1; }
    local apps
    apps=$(RELEASE_NODE=$name$$ "$rel/bin/$name" rpc \
        'io:format("~p~n", [lists:sort([A || {A, _, _} <- application:which_applications()])])')
    grep -q "$name" <<<"$apps" || { echo "$name not started: $apps"; return 1; }
    RELEASE_NODE=$name$$ "$rel/bin/$name" stop || return 1
    wait_gone "$rel/erts\|-sname $name$$" || { echo "$name still runs"; return 1; }
}
check "rebar3 new release: import, assemble, boot" boots "$T/newrel" newrel
check "mode dev: lib/ links into _build" test -L "$T/newrel/_build/default/rel/newrel/lib/newrel-0.1.0"
check "rebar3 new app + relx (mode prod): import, assemble, boot" boots "$T/newapp" newapp
check "mode prod: ERTS bundled" bash -c "ls -d '$T'/newapp/_build/default/rel/newapp/erts-*"
check "nothing of ours is left running" none_left
finish
