#!/usr/bin/env bash
# The relman command itself: help, version, dispatch, exit codes, errors.
set -u
R=${RELMAN:?}
fails=0
pass=0
check() { # check NAME EXPECTED_STATUS COMMAND... (stdout+stderr in $out)
    local name=$1 want=$2
    shift 2
    out=$("$@" 2>&1)
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit $got, want $want; output: $out"
        fails=$((fails + 1))
        return 1
    fi
    pass=$((pass + 1))
    return 0
}
contains() { # contains NAME TEXT
    if ! grep -qF -- "$2" <<<"$out"; then
        echo "FAIL $1: output lacks '$2': $out"
        fails=$((fails + 1))
    else
        pass=$((pass + 1))
    fi
}

check help 0 "$R" --help
contains help-usage "usage: relman"
# every command in the table is listed with its one-line help, and has its own help
cmds=$(sed -n '/^Commands:/,/^$/p' <<<"$out" | awk 'NF>1 {print $1}')
[ -n "$cmds" ] || { echo "FAIL no commands listed"; fails=$((fails + 1)); }
for c in $cmds; do
    check "help-$c" 0 "$R" help "$c"
    contains "help-$c-usage" "usage: relman $c"
done
check version 0 "$R" --version
contains version-text "relman "
check unknown-command 2 "$R" frobnicate
contains unknown-command-names "frobnicate"
contains unknown-command-prefix "relman: "
[ "$(wc -l <<<"$out")" -eq 1 ] || { echo "FAIL unknown command: not one line: $out"; fails=$((fails + 1)); }
check unknown-global-option 2 "$R" --frobnicate
contains unknown-global-option-names "--frobnicate"
check unknown-command-option 2 "$R" version --frobnicate
contains unknown-command-option-names "--frobnicate"
check help-unknown 2 "$R" help frobnicate
check missing-C-dir 1 "$R" -C /nonexistent/relman-dir version
contains missing-C-dir-message "/nonexistent/relman-dir"
# NO_COLOR: no escape sequences, even from help
out=$(NO_COLOR=1 "$R" --help 2>&1)
if grep -q $'\e' <<<"$out"; then echo "FAIL NO_COLOR: escape found"; fails=$((fails + 1)); else pass=$((pass + 1)); fi

echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
