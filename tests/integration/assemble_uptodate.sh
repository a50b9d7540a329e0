#!/usr/bin/env bash
# An assembly with nothing to do says so: the second `relman assemble
# --overwrite` of an unchanged release reuses every file and prints "is up
# to date"; after a change it says "assembled" with what it wrote.
set -u
. "$(dirname "$0")/lib/project.sh"
cd "$TMP" || exit 1
cat >relman.yml <<'YML'
releases:
  tiny: {version: "1.0.0", applications: {kernel: permanent, stdlib: permanent}}
YML
out=$("$R" assemble --no-compile 2>&1) || fail "first assemble: $out"
grep -q "^relman: assembled tiny-1.0.0 in _build/rel/tiny (.* written, 0 reused)" <<<"$out" && ok ||
    fail "first assemble: $out"
out=$("$R" assemble --no-compile --overwrite 2>&1) || fail "second assemble: $out"
grep -q "^relman: tiny-1.0.0 in _build/rel/tiny is up to date ([0-9]* files, [0-9.]* MB; 0 written, [0-9]* reused)$" \
    <<<"$out" && ok || fail "second assemble: $out"
grep -q "assembled" <<<"$out" && fail "up to date but says assembled: $out" || ok
out=$("$R" assemble --no-compile --overwrite --no-reuse 2>&1) || fail "--no-reuse: $out"
grep -q "^relman: assembled tiny-1.0.0 .* 0 reused)" <<<"$out" && ok || fail "--no-reuse: $out"
finish
