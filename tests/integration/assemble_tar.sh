#!/usr/bin/env bash
# Steps: `steps: [run: ..., assemble, run: ..., tar, run: ...]` runs the hooks
# in order around assembly and packs NAME-VSN.tar.gz with the files mix's tar
# step packs; with SOURCE_DATE_EPOCH the tarball is byte-for-byte
# reproducible; relman inspect reads it; unpacked elsewhere it boots.
set -u
. "$(dirname "$0")/lib/assemble.sh"

fixture kv
cd "$T/kv" || exit 1
python3 - <<'PY'
import re
s = open("relman.yml").read()
s = s.replace("  foo:\n", """  foo:
    steps:
      - run: echo "before $RELEASE_NAME $RELEASE_VSN" >> hooks.log
      - assemble
      - run: test -x "$RELEASE_PATH/bin/foo" && echo after-assemble >> hooks.log
      - tar
      - run: echo after-tar >> hooks.log
""", 1)
open("relman.yml", "w").write(s)
PY
export SOURCE_DATE_EPOCH=1700000000
check "assemble foo with steps" "$R" assemble foo --no-compile --quiet
TAR=$T/kv/_build/prod/foo-0.0.1.tar.gz
check "tarball in _build/prod" test -f "$TAR"
check "hooks ran in order" test "$(tr '\n' '|' <hooks.log)" = "before foo 0.0.1|after-assemble|after-tar|"
cp "$TAR" "$T/first.tar.gz"
check "second assembly" "$R" assemble foo --no-compile --quiet --overwrite
check "reproducible tarball" cmp "$T/first.tar.gz" "$TAR"

tar -tzf "$TAR" | sed 's|/$||' | LC_ALL=C sort >"$T/tar.list"
check "tar: bin/foo" grep -qx 'bin/foo' "$T/tar.list"
check "tar: releases/0.0.1/start.boot" grep -qx 'releases/0.0.1/start.boot' "$T/tar.list"
check "tar: COOKIE and start_erl.data" bash -c "grep -qx releases/COOKIE '$T/tar.list' && grep -qx releases/start_erl.data '$T/tar.list'"
check "tar: erts" grep -q '^erts-[0-9.]*/bin/beam.smp$' "$T/tar.list"
check "tar: every app" test "$(grep -c '^lib/[^/]*$' "$T/tar.list")" -eq 9
check "tar: no manifest, no tmp" bash -c "! grep -qE '^(\\.relman|tmp)' '$T/tar.list'"
check "tar: owner 0/0, mtime from SOURCE_DATE_EPOCH" bash -c "tar -tvzf '$TAR' | awk '{print \$2, \$4}' | sort -u | grep -qx '0/0 2023-11-14'"
check "tar: COOKIE stays 0600" bash -c "tar -tvzf '$TAR' releases/COOKIE | grep -q '^-rw-------'"

"$R" inspect "$TAR" >"$T/inspect.txt"
check "inspect tarball" grep -q '^release   foo 0.0.1 (tarball, built by relman)' "$T/inspect.txt"
check "inspect tarball: apps" grep -qE '^  kv_server +0\.1\.0 +permanent' "$T/inspect.txt"

mkdir "$T/unpacked" && tar -C "$T/unpacked" -xzf "$TAR"
check "the unpacked release evaluates" test "$("$T/unpacked/bin/foo" eval 'IO.puts(:unpacked)')" = unpacked
finish
