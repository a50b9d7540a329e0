#!/usr/bin/env bash
# Acceptance (issue 5): two nodes. Releases foo (kv_server + kv) and bar (kv
# only), assembled by relman, started with RELEASE_DISTRIBUTION=name and a
# routing table split a-m / n-z (config/runtime.exs reads KV_ROUTING): a
# request for bucket "shopping" sent to foo's port is served by bar.
set -u
. "$(dirname "$0")/lib/assemble.sh"
PORT=4620
FOO=asmfoo$$@127.0.0.1
BAR=asmbar$$@127.0.0.1

fixture kv
cd "$T/kv" || exit 1
check "assemble foo" "$R" assemble foo --no-compile --quiet
check "assemble bar" "$R" assemble bar --no-compile --quiet
check "bar holds no kv_server" test ! -e _build/prod/rel/bar/lib/kv_server-0.1.0
check "both releases share no cookie by accident" test "$(cat _build/prod/rel/foo/releases/COOKIE)" != "$(cat _build/prod/rel/bar/releases/COOKIE)"

# One cookie for both nodes, given in the environment (never on a command line).
export RELEASE_DISTRIBUTION=name RELEASE_COOKIE=asm_shared_$$ PORT
export KV_ROUTING="a-m=$FOO,n-z=$BAR"
RELEASE_NODE=$BAR _build/prod/rel/bar/bin/bar daemon
RELEASE_NODE=$FOO _build/prod/rel/foo/bin/foo daemon
if wait_port $PORT 60; then ok; else bad "foo did not listen on $PORT"; tail -20 _build/prod/rel/foo/tmp/log/erlang.log.*; fi
# bar must be up too before a bucket can be created there
RELEASE_NODE=$BAR wait_rpc _build/prod/rel/bar/bin/bar || bad "bar does not answer rpc"
RELEASE_NODE=$FOO wait_rpc _build/prod/rel/foo/bin/foo || bad "foo does not answer rpc"

answers=$(tcp_lines $PORT "CREATE shopping" "PUT shopping milk 3" "GET shopping milk" "CREATE apples" | tr '\n' ' ')
check "answers through foo" test "$answers" = "OK OK 3 OK "
lookup='case KV.Registry.lookup(KV.Registry, "shopping") do {:ok, _} -> IO.puts("here"); :error -> IO.puts("absent") end'
check "shopping lives on bar" test "$(RELEASE_NODE=$BAR _build/prod/rel/bar/bin/bar rpc "$lookup")" = "here"
check "shopping is not on foo" test "$(RELEASE_NODE=$FOO _build/prod/rel/foo/bin/foo rpc "$lookup")" = "absent"
apples='case KV.Registry.lookup(KV.Registry, "apples") do {:ok, _} -> IO.puts("here"); :error -> IO.puts("absent") end'
check "apples lives on foo" test "$(RELEASE_NODE=$FOO _build/prod/rel/foo/bin/foo rpc "$apples")" = "here"
check "the value is stored on bar" test "$(RELEASE_NODE=$BAR _build/prod/rel/bar/bin/bar rpc '{:ok, b} = KV.Registry.lookup(KV.Registry, "shopping"); IO.puts(KV.Bucket.get(b, "milk"))')" = "3"
printf '%s' "$RELEASE_COOKIE" >"$T/cookie.pat"
check "the shared cookie is in no process's arguments" bash -c "! grep -qF -f '$T/cookie.pat' /proc/[0-9]*/cmdline 2>/dev/null"
check "stop foo" env RELEASE_NODE=$FOO _build/prod/rel/foo/bin/foo stop
check "stop bar" env RELEASE_NODE=$BAR _build/prod/rel/bar/bin/bar stop
check "both gone" wait_gone "$T/kv/_build/prod/rel/.*/erts-[0-9.]*/bin/beam" 15
finish
