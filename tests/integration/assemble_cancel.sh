#!/usr/bin/env bash
# Acceptance (issue 17, deliverable 4): Ctrl-C (SIGINT) cancels a running
# `relman assemble` - during the build (a stand-in `mix` that takes long)
# and during a hook: exit status 130, one line saying so, the build tool's
# or hook's processes gone, the release assembled before untouched, nothing
# left beside it. And a version relman made is replaced without --overwrite.
set -u
. "$(dirname "$0")/lib/assemble.sh"

fixture kv
cd "$T/kv" || exit 1
REL=$T/kv/_build/prod/rel/foo
check "a first assembly" "$R" assemble foo --quiet
check "a version relman made is replaced" "$R" assemble foo --quiet
snap() { (cd "$REL" && find . -type f -printf '%p %s %T@\n' | sort | sha1sum); }
before=$(snap)

# interrupt WAIT_FOR ARGS...: run relman assemble, SIGINT once WAIT_FOR is in its output
interrupt() {
    local wait_for=$1
    shift
    "$R" assemble foo "$@" >"$T/out" 2>&1 &
    local pid=$! i
    for i in $(seq 100); do grep -q -- "$wait_for" "$T/out" && break; sleep 0.1; done
    kill -INT $pid
    wait $pid
}

# 1. during the build: a stand-in mix that would run for a minute
mkdir -p "$T/fakebin"
printf '#!/bin/sh\necho fake-mix-compiling\nexec sleep 61.7\n' >"$T/fakebin/mix"
chmod +x "$T/fakebin/mix"
PATH=$T/fakebin:$PATH interrupt fake-mix-compiling --compile
rc=$?
check "build: exit status 130 (got $rc)" test $rc = 130
check "build: says canceled" grep -q '^relman: .*canceled' "$T/out"
check "build: the build's process is gone" bash -c "! pgrep -f '[s]leep 61.7' >/dev/null"
check "build: the release is untouched" test "$(snap)" = "$before"

# 2. during a hook
sed -i "0,/version: \"0.0.1\"/ s//version: \"0.0.1\"\n    steps: [{run: 'echo hook-started; sleep 62.3'}, assemble]/" relman.yml
interrupt hook-started --no-compile
rc=$?
check "hook: exit status 130 (got $rc)" test $rc = 130
check "hook: says so" grep -q "^relman: canceled during step 'echo hook-started; sleep 62.3'; the release at its path was not touched$" "$T/out"
check "hook: its process is gone" bash -c "! pgrep -f '[s]leep 62.3' >/dev/null"
check "hook: the release is untouched" test "$(snap)" = "$before"
check "nothing left beside it" bash -c "! ls -a '$T/kv/_build/prod/rel' | grep -q -e relman-new -e relman-old"
check "no lock file left" test -z "$(cd "$T/kv" && find . -name '*.lock' ! -name mix.lock)"
finish
