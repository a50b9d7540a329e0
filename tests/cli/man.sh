#!/usr/bin/env bash
# relman(1): `relman help --man` is well-formed roff (groff finds nothing to
# warn about), has a section for every command and names every option of
# `relman help CMD`; the build's share/man/man1/relman.1.gz is that text.
set -u
. "$(dirname "$0")/lib/check.sh"
B=${RELMAN_BUILD:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$R" help --man >"$T/relman.1" || fail "help --man exited $?"
if command -v groff >/dev/null; then
    w=$(groff -man -ww -z "$T/relman.1" 2>&1)
    [ -z "$w" ] && ok || fail "groff warns: $w"
    groff -man -Tutf8 "$T/relman.1" 2>/dev/null | col -bx >"$T/page.txt"
else
    echo "note: groff not installed, the page is not rendered"
    sed 's/\\-/-/g' "$T/relman.1" >"$T/page.txt"
fi
for c in $("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}'); do
    grep -q "^\.SS $c\$" "$T/relman.1" && ok || fail "no section for $c"
    for o in $("$R" help "$c" | sed -nE 's/^  (-[a-zA-Z], )?--([a-z][a-z-]*).*/\2/p'); do
        grep -qF -- "--$o" "$T/page.txt" && ok || fail "page lacks $c --$o"
    done
done
if [ -n "$B" ] && [ -f "$B/share/man/man1/relman.1.gz" ]; then
    cmp -s <(gzip -dc "$B/share/man/man1/relman.1.gz") "$T/relman.1" && ok ||
        fail "build's relman.1.gz differs from relman help --man"
fi
finish
