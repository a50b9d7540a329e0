#!/usr/bin/env bash
# Acceptance (issue 5): examples/kv's release foo, assembled by relman,
# boots and is driven through bin/foo like a `mix release` release:
#   - `RELEASE_DISTRIBUTION=none bin/foo daemon`; a TCP client gets OK, OK, 1
#     for CREATE shopping / PUT shopping milk 1 / GET shopping milk;
#   - with distribution: pid, version, rpc 'IO.puts(:ok)', eval, stop;
#   - the cookie: releases/COOKIE is 0600, its value is in no process's
#     arguments and in no file under tmp/log;
#   - a second assembly reuses the unchanged files, and relman inspect
#     reads the result.
set -u
. "$(dirname "$0")/lib/assemble.sh"
# a port nothing listens on now (a fixed one collided with other tests' epmd)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NODE=asmkv$$

fixture kv
cd "$T/kv" || exit 1
REL=$T/kv/_build/prod/rel/foo

# The first assembly runs the project's build (mix compile) like mix release.
t0=$(date +%s.%N)
check "assemble foo" "$R" assemble foo
t1=$(date +%s.%N)
echo "first assembly (with mix compile): $(awk "BEGIN {print $t1 - $t0}") s"
check "bin/foo is executable" test -x "$REL/bin/foo"
check "COOKIE is mode 0600" test "$(stat -c %a "$REL/releases/COOKIE")" = 600
check "start_erl.data" test "$(cat "$REL/releases/start_erl.data")" = "$(erl -noshell -eval 'io:format("~s", [erlang:system_info(version)]), halt().') 0.0.1"
check "version" test "$("$REL/bin/foo" version)" = "foo 0.0.1"
check "usage without command" bash -c "'$REL/bin/foo' 2>&1 | grep -q 'rpc EXPR'"
check "unknown command exits 1" bash -c "! '$REL/bin/foo' frobnicate 2>/dev/null"

# 1. without distribution: the TCP front end
export PORT RELEASE_NODE=$NODE
RELEASE_DISTRIBUTION=none "$REL/bin/foo" daemon
if wait_port $PORT 60; then ok; else bad "kv_server did not listen on $PORT"; tail -20 "$REL"/tmp/log/erlang.log.* 2>/dev/null; fi
answers=$(tcp_lines $PORT "CREATE shopping" "PUT shopping milk 1" "GET shopping milk" | tr '\n' ' ')
check "CREATE/PUT/GET answers" test "$answers" = "OK OK 1 "
stop_our_vms
wait_gone "$REL/erts-[0-9.]*/bin/beam" 10

# 2. with distribution (the default sname)
"$REL/bin/foo" daemon
check "daemon up" wait_port $PORT 60
check "the node answers rpc" wait_rpc "$REL/bin/foo"
pid=$("$REL/bin/foo" pid)
check "pid is the node's OS pid" bash -c "tr '\\0' ' ' </proc/$pid/cmdline | grep -q 'sname $NODE'"
check "rpc prints here" test "$("$REL/bin/foo" rpc 'IO.puts(:ok)')" = "ok"
check "rpc sees the routing table from runtime.exs" bash -c "'$REL/bin/foo' rpc 'IO.inspect(Application.fetch_env!(:kv, :routing_table))' | grep -q '$NODE@'"
check "eval" test "$("$REL/bin/foo" eval 'IO.puts(:ok)')" = "ok"
check "eval gets its arguments" test "$("$REL/bin/foo" eval 'IO.puts(Enum.join(System.argv(), ","))' a b)" = "a,b"
check "eval of bad code exits non-zero" bash -c "! '$REL/bin/foo' eval 'raise \"boom\"' 2>/dev/null"
cookie=$(cat "$REL/releases/COOKIE")
# (grep -f reads the pattern from the file, so the value is on no command line here either)
check "cookie in no process's arguments" bash -c "! grep -qF -f '$REL/releases/COOKIE' /proc/[0-9]*/cmdline 2>/dev/null"
check "cookie in no log" bash -c "! grep -rqF -f '$REL/releases/COOKIE' '$REL/tmp/log'"
# issue 13.2: the node sees RELEASE_COOKIE in its environment, as with mix (the
# environment is no argument: only the node's user and root can read it).
check "the node's RELEASE_COOKIE is releases/COOKIE" test "$("$REL/bin/foo" rpc 'IO.puts(System.get_env("RELEASE_COOKIE") == String.trim(File.read!(Path.join(System.fetch_env!("RELEASE_ROOT"), "releases/COOKIE"))))')" = true
check "node's cookie file is private" test "$(stat -c %a "$REL/tmp/cookie/node-$NODE/.erlang.cookie")" = 600
# (removed by a watcher once each one-off VM has exited: give it a moment)
for _ in $(seq 1 30); do [ -z "$(ls "$REL/tmp/cookie" | grep -v '^node-')" ] && break; sleep 0.1; done
check "one-off cookie dirs are gone" test -z "$(ls "$REL/tmp/cookie" | grep -v '^node-')"
check "HOME is the user's inside the VM" test "$("$REL/bin/foo" rpc 'IO.puts(System.get_env("HOME"))')" = "$HOME"
# remote: an IEx shell on the node (needs a terminal: script(1) gives it one)
if command -v script >/dev/null; then
    (sleep 5; printf 'IO.puts("remote:" <> to_string(node()))\r'; sleep 3) |
        timeout 20 script -qfc "'$REL/bin/foo' remote" /dev/null 2>&1 | tr -d '\r' >"$T/remote.out"
    check "remote evaluates on the node" grep -aq "^remote:$NODE@" "$T/remote.out"
    check "the node survives a remote shell" wait_rpc "$REL/bin/foo" 10
fi
check "stop" "$REL/bin/foo" stop
# the node's own process (a remote shell is a VM of the same ERTS too)
check "node gone after stop" wait_pid_gone "$pid" 15
check "rpc to a stopped node fails" bash -c "! '$REL/bin/foo' rpc 'IO.puts(:ok)' 2>/dev/null"

# 3. a second assembly reuses what did not change
out=$("$R" assemble foo --overwrite --no-compile)
echo "$out" | head -1
reused=$(echo "$out" | sed -n 's/.* \([0-9][0-9]*\) reused.*/\1/p')
check "re-assembly reuses files" test "${reused:-0}" -gt 500
check "re-assembly keeps the cookie" test "$(cat "$REL/releases/COOKIE")" = "$cookie"
check "a version relman made is replaced without --overwrite" "$R" assemble foo --no-compile --quiet
check "without --overwrite a version relman did not make is refused" bash -c "mv '$REL/.relman/manifest' '$T/manifest'; ! '$R' assemble foo --no-compile 2>$T/ow.err && grep -q 'relman did not make' $T/ow.err; rc=\$?; mv '$T/manifest' '$REL/.relman/manifest'; exit \$rc"

# --version: a second version beside the first; bin/foo boots the newest
check "assemble --version 0.0.2" "$R" assemble foo --no-compile --quiet --version 0.0.2
check "both versions present" test -d "$REL/releases/0.0.1" -a -d "$REL/releases/0.0.2"
check "version is 0.0.2" test "$("$REL/bin/foo" version)" = "foo 0.0.2"
check "RELEASE_VSN picks 0.0.1" test "$(RELEASE_VSN=0.0.1 "$REL/bin/foo" version)" = "foo 0.0.1"
check "the .rel names 0.0.2" grep -q '{"foo","0.0.2"}' "$REL/releases/0.0.2/foo.rel"
check "0.0.2 evaluates" test "$("$REL/bin/foo" eval 'IO.puts(:v2)')" = v2
check "unknown RELEASE_VSN is an error" bash -c "! RELEASE_VSN=9.9 '$REL/bin/foo' version 2>/dev/null"

# 4. inspect reads it back
"$R" inspect "$REL" >"$T/inspect.txt"
check "inspect: name and version" grep -q '^release   foo 0.0.2' "$T/inspect.txt"
check "inspect: both versions" grep -qE '^versions +0\.0\.1 0\.0\.2 \(boots\)' "$T/inspect.txt"
check "inspect: built by relman" grep -q 'built by relman' "$T/inspect.txt"
check "inspect: iex is none" grep -qE '^  iex +1\.14\.0 +none' "$T/inspect.txt"
check "inspect: no cookie value" bash -c "! grep -qF -f '$REL/releases/COOKIE' '$T/inspect.txt'"
check "inspect --json" bash -c "'$R' inspect --json '$REL' | python3 -m json.tool >/dev/null"
finish
