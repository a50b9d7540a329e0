#!/usr/bin/env bash
# docs/cli.md documents every command in relman's command table.
set -u
R=${RELMAN:?}
SRC=${RELMAN_SRC:?}
fails=0
pass=0
cmds=$("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}')
for c in $cmds; do
    if grep -qE "^#+ +\`?relman $c\b" "$SRC/docs/cli.md"; then
        pass=$((pass + 1))
    else
        echo "FAIL docs/cli.md has no section for 'relman $c'"
        fails=$((fails + 1))
    fi
done
echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
