#!/usr/bin/env bash
# Acceptance (issue 5): a release assembled with include_erts: true boots
# when the installed Erlang and Elixir are hidden from it: PATH holds no erl,
# and (when the test can use a private mount namespace, as root can)
# /usr/lib/erlang and /usr/lib/elixir are covered by empty directories.
# The release is moved after assembly, so nothing may point back at its
# build path either.
set -u
. "$(dirname "$0")/lib/assemble.sh"
PORT=4640
NODE=asmerts$$

fixture kv
cd "$T/kv" || exit 1
# kv's relman.yml does not set include_erts: true is the default, as with mix
check "assemble foo" "$R" assemble foo --no-compile --quiet --path "$T/built/foo"
check "ERTS bundled" bash -c "ls -d '$T/built/foo'/erts-*/bin/beam.smp"
mv "$T/built/foo" "$T/moved-foo"
REL=$T/moved-foo

# A PATH with the tools bin/foo uses and no Erlang, Elixir or mix.
mkdir -p "$T/bin"
for tool in sh dash bash dirname readlink sed head od tr grep date cp mkdir mktemp chmod mv rm awk \
    cat cut env sleep hostname uname basename ls; do
    p=$(command -v "$tool") && ln -sf "$p" "$T/bin/$tool"
done
check "no erl in the test PATH" env -i PATH="$T/bin" sh -c '! command -v erl && ! command -v elixir'
clean_env=(env -i PATH="$T/bin" HOME="$T" LANG=C.UTF-8 RELEASE_NODE=$NODE PORT=$PORT)

run_hidden() {
    if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
        unshare -m true 2>/dev/null; then
        # cover the installed Erlang/Elixir for this command only
        unshare -m sh -c 'mount -t tmpfs none /usr/lib/erlang && mount -t tmpfs none /usr/lib/elixir && exec "$@"' sh "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    echo "hiding /usr/lib/erlang and /usr/lib/elixir in a mount namespace"
    check "namespace hides erlang" unshare -m sh -c 'mount -t tmpfs none /usr/lib/erlang && test ! -e /usr/lib/erlang/bin/erl'
else
    echo "not root (or no unshare): only PATH hides the installed Erlang"
fi

check "eval without installed Erlang" test "$(run_hidden "${clean_env[@]}" "$REL/bin/foo" eval 'IO.puts(:ok)')" = ok
run_hidden "${clean_env[@]}" "$REL/bin/foo" daemon
if wait_port $PORT 60; then ok; else bad "no kv_server on $PORT"; tail -20 "$REL"/tmp/log/erlang.log.*; fi
check "requests" test "$(tcp_lines $PORT "CREATE fruit" "PUT fruit kiwi 7" "GET fruit kiwi" | tr '\n' ' ')" = "OK OK 7 "
check "the node runs the bundled ERTS" bash -c "pgrep -f '$REL/erts-[0-9.]*/bin/beam.smp' >/dev/null"
check "rpc without installed Erlang" test "$(run_hidden "${clean_env[@]}" "$REL/bin/foo" rpc 'IO.puts(:code.root_dir())')" = "$REL"
check "stop" run_hidden "${clean_env[@]}" "$REL/bin/foo" stop
check "gone" wait_gone "$REL/erts-[0-9.]*/bin/beam" 15
finish
