#!/usr/bin/env bash
# The layers only point one way: core/ includes neither curses nor libssh2,
# and remote/ includes no curses. (tests/layering.sh SRC_DIR)
set -u
src=${1:-$(dirname "$0")/..}
fail=0
check() {
    local dir=$1 pattern=$2 what=$3
    local hits
    hits=$(grep -RnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$src/$dir" --include='*.c' --include='*.h' 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering violation: $dir/ must not include $what:"
        echo "$hits"
        fail=1
    fi
}
check core '(n?curses|ncursesw/|curses|panel\.h|menu\.h|form\.h|libssh2)' 'curses or libssh2 headers'
# curses' <term.h>, not relman's own core/term.h (included as "core/term.h")
hits=$(grep -RnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<term\.h>' "$src/core" --include='*.c' --include='*.h' 2>/dev/null)
if [ -n "$hits" ]; then
    echo "layering violation: core/ must not include curses' <term.h>:"
    echo "$hits"
    fail=1
fi
check remote '(n?curses|ncursesw/|curses|panel\.h|menu\.h|form\.h)' 'curses headers'
check core '(tui/|cli/|remote/)' 'headers of outer layers'
check remote '(tui/|cli/)' 'headers of the front ends'
if [ $fail -eq 0 ]; then
    echo "layering: core and remote are clean"
fi
exit $fail
