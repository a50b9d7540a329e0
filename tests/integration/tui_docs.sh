#!/usr/bin/env bash
# docs/tui.md carries the key table exactly as `relman tui --keys` prints
# it, and documents every environment variable the TUI reads.
. "$(dirname "$0")/lib/tui.sh"
"$R" tui --keys >"$T/keys.md"
sed -n '/^<!-- keys:begin/,/^<!-- keys:end/p' "$SRC/docs/tui.md" | sed '1d;$d' >"$T/doc-keys.md"
if diff -u "$T/doc-keys.md" "$T/keys.md" >"$T/diff"; then ok; else
    bad "docs/tui.md key table differs from 'relman tui --keys' (paste the new output):"
    cat "$T/diff"
fi
for v in $(grep -ohE 'getenv\("[A-Z_]+"\)' "$SRC"/tui/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
    [ "$v" = HOME ] && continue
    grep -q "\`$v\`" "$SRC/docs/tui.md" || bad "docs/tui.md does not document \$$v"
done
for role in $(grep -oE '^ +X\([A-Z_]+, "[a-z-]+"' "$SRC/tui/theme.h" | sed 's/.*"\(.*\)"/\1/'); do
    grep -q "^| \`$role\` |" "$SRC/docs/tui.md" || bad "docs/tui.md does not list role '$role'"
done
finish
