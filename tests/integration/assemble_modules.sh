#!/usr/bin/env bash
# Acceptance (issue 17, deliverable 6): a module listed in an .app's
# `modules` without its .beam in ebin/ (and a .beam not listed) fails the
# assembly with one line naming the application and the module, before
# anything is written: `rm` of one .beam in _build of examples/kv (a copy)
# -> `relman assemble foo` exits 1 naming it; no release at the path, nothing
# beside it, and a release assembled there before stays as it was.
set -u
. "$(dirname "$0")/lib/assemble.sh"

fixture kv
cd "$T/kv" || exit 1
REL=$T/kv/_build/prod/rel/foo
EBIN=$T/kv/_build/prod/lib/kv/ebin

# nothing_written: no release, no half-built tree beside it, no tarball
nothing_written() {
    [ ! -e "$REL" ] && ! ls -a "$T/kv/_build/prod/rel" 2>/dev/null | grep -q -e relman-new -e relman-old
}

# 1. a listed module without its .beam (relman decides no build is due:
#    nothing changed since the fixture was compiled)
cp -a "$EBIN/Elixir.KV.Bucket.beam" "$T/Bucket.beam"
rm "$EBIN/Elixir.KV.Bucket.beam"
"$R" assemble foo >"$T/out" 2>"$T/err"
rc=$?
check "exit status 1 (got $rc)" test $rc = 1
check "one line on stderr" test "$(wc -l <"$T/err")" = 1
check "it names the application and the module" grep -q "application 'kv': module 'Elixir.KV.Bucket' is listed in modules but ebin/Elixir.KV.Bucket.beam is missing" "$T/err"
check "nothing written" nothing_written
echo "  $(cat "$T/err")"
# the same with --no-compile (the TUI's old path)
"$R" assemble foo --no-compile >"$T/out" 2>"$T/err"
check "--no-compile: exit 1" test $? = 1
check "--no-compile: names the module" grep -q "Elixir.KV.Bucket" "$T/err"
check "--no-compile: nothing written" nothing_written

# 2. a .beam that the .app does not list
cp -a "$T/Bucket.beam" "$EBIN/Elixir.KV.Bucket.beam"
cp "$EBIN/Elixir.KV.Bucket.beam" "$EBIN/Elixir.KV.Extra.beam"
"$R" assemble foo --no-compile >"$T/out" 2>"$T/err"
check "unlisted: exit 1" test $? = 1
check "unlisted: one line" test "$(wc -l <"$T/err")" = 1
check "unlisted: names it" grep -q "application 'kv': module 'Elixir.KV.Extra' (ebin/Elixir.KV.Extra.beam) is not listed in modules" "$T/err"
check "unlisted: nothing written" nothing_written
echo "  $(cat "$T/err")"
rm "$EBIN/Elixir.KV.Extra.beam"

# 3. over a release assembled before: it stays as it was
check "a good assembly" "$R" assemble foo --no-compile --quiet
before=$(cd "$REL" && find . -type f -printf '%p %s %T@\n' | sort | sha1sum)
rm "$EBIN/Elixir.KV.Router.beam"
"$R" assemble foo --no-compile >"$T/out" 2>"$T/err"
check "over a release: exit 1" test $? = 1
check "over a release: names the module" grep -q "Elixir.KV.Router" "$T/err"
after=$(cd "$REL" && find . -type f -printf '%p %s %T@\n' | sort | sha1sum)
check "the release there is untouched" test "$before" = "$after"
check "nothing beside it" bash -c "! ls -a '$T/kv/_build/prod/rel' | grep -q -e relman-new -e relman-old"
finish
