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
# an overlay, and a priv directory reached through a symlink (as mix links
# apps' priv into _build) holding an executable and a symlinked file
mkdir -p rel/overlays/etc apps/kv/priv/bin
echo "overlay file" >rel/overlays/etc/extra.conf
printf '#!/bin/sh\necho tool\n' >apps/kv/priv/bin/tool.sh
chmod 0750 apps/kv/priv/bin/tool.sh
echo data >apps/kv/priv/real.txt
ln -s real.txt apps/kv/priv/link.txt
rm -rf _build/prod/lib/kv/priv
ln -s ../../../../apps/kv/priv _build/prod/lib/kv/priv
# env.sh from a template: sourced with the command's arguments
cat >rel/env.sh.eex <<'EEX'
#!/bin/sh
# release <%= @release.name %> <%= @release.version %>
echo "args: $*" >>"$RELEASE_ROOT/../envsh.log"
export FROM_ENV_SH="<%= @release.name %>-$RELEASE_COMMAND"
EEX
export SOURCE_DATE_EPOCH=1700000000
check "assemble foo with steps" "$R" assemble foo --no-compile --quiet
TAR=$T/kv/_build/prod/foo-0.0.1.tar.gz
REL=$T/kv/_build/prod/rel/foo
check "env.sh rendered" grep -q '^# release foo 0.0.1$' "$REL/releases/0.0.1/env.sh"
check "env.sh sets the VM's environment" test "$("$REL/bin/foo" eval 'IO.puts(System.get_env("FROM_ENV_SH"))' one two)" = "foo-eval"
check "env.sh sees the arguments" grep -qx 'args: eval IO.puts(System.get_env("FROM_ENV_SH")) one two' "$T/kv/_build/prod/rel/envsh.log"
check "overlay copied" test "$(cat "$REL/etc/extra.conf")" = "overlay file"
check "priv: executable kept 0750" test "$(stat -c %a "$REL/lib/kv-0.1.0/priv/bin/tool.sh")" = 750
check "priv: symlinks followed" bash -c "test -f '$REL/lib/kv-0.1.0/priv/link.txt' && test ! -L '$REL/lib/kv-0.1.0/priv/link.txt' && test ! -L '$REL/lib/kv-0.1.0/priv'"
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
check "tar: the overlay" grep -qx 'etc/extra.conf' "$T/tar.list"
check "tar: priv" grep -qx 'lib/kv-0.1.0/priv/bin/tool.sh' "$T/tar.list"
check "tar: no manifest, no tmp" bash -c "! grep -qE '^(\\.relman|tmp)' '$T/tar.list'"
check "tar: owner 0/0, mtime from SOURCE_DATE_EPOCH" bash -c "tar -tvzf '$TAR' | awk '{print \$2, \$4}' | sort -u | grep -qx '0/0 2023-11-14'"
check "tar: COOKIE stays 0600" bash -c "tar -tvzf '$TAR' releases/COOKIE | grep -q '^-rw-------'"

"$R" inspect "$TAR" >"$T/inspect.txt"
check "inspect tarball" grep -q '^release   foo 0.0.1 (tarball, built by relman)' "$T/inspect.txt"
check "inspect tarball: apps" grep -qE '^  kv_server +0\.1\.0 +permanent' "$T/inspect.txt"

mkdir "$T/unpacked" && tar -C "$T/unpacked" -xzf "$TAR"
check "the unpacked release evaluates" test "$("$T/unpacked/bin/foo" eval 'IO.puts(:unpacked)')" = unpacked
finish
