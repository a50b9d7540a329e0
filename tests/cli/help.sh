#!/usr/bin/env bash
# -h and --help are answered by the dispatcher for every command: `relman CMD -h`
# and `relman CMD --help` print exactly `relman help CMD` and exit 0, also after
# other arguments, and never once "--" has ended the options.
set -u
R=${RELMAN:?}
fails=0
pass=0
fail() {
    echo "FAIL $*"
    fails=$((fails + 1))
}
# same NAME EXPECTED COMMAND...: stdout equals EXPECTED, stderr empty, exit 0
same() {
    local name=$1 want=$2
    shift 2
    local got err rc
    err=$(mktemp)
    got=$("$@" 2>"$err")
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: exit $rc, want 0"
    elif [ "$got" != "$want" ]; then
        fail "$name: output differs from 'relman help':"$'\n'"$(diff <(echo "$want") <(echo "$got"))"
    elif [ -s "$err" ]; then
        fail "$name: stderr not empty: $(cat "$err")"
    else
        pass=$((pass + 1))
    fi
    rm -f "$err"
}

# Run where there is no project, so nothing but help could succeed.
cd "$(mktemp -d)" || exit 1
cmds=$("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}')
[ -n "$cmds" ] || fail "no commands listed by relman --help"
for c in $cmds; do
    want=$("$R" help "$c")
    same "$c -h" "$want" "$R" "$c" -h
    same "$c --help" "$want" "$R" "$c" --help
    same "$c --he" "$want" "$R" "$c" --he
    same "$c ARG -h" "$want" "$R" "$c" some-arg -h
    same "-q $c --help" "$want" "$R" -q "$c" --help
done

# After "--", -h is an argument like any other: the command sees it.
out=$("$R" inspect -- -h 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -qF -- "-h: no such file or directory" <<<"$out" && pass=$((pass + 1)) ||
    fail "inspect -- -h: exit $rc, output: $out"
# A value that merely starts like --help is not help.
out=$("$R" apps --helpme 2>&1)
rc=$?
[ $rc -eq 2 ] && grep -qF -- "unknown option '--helpme' for 'apps'" <<<"$out" && pass=$((pass + 1)) ||
    fail "apps --helpme: exit $rc, output: $out"

echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
