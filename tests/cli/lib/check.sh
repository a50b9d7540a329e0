# Counting helpers for tests/cli/*.sh (sourced): fail MESSAGE, ok, finish.
# Needs RELMAN (the binary) from ctest; sets R to it.
R=${RELMAN:?RELMAN must point to the relman binary}
fails=0
pass=0
ok() { pass=$((pass + 1)); }
fail() {
    echo "FAIL $*"
    fails=$((fails + 1))
}
finish() {
    echo "$pass passed, $fails failed"
    [ "$fails" -eq 0 ]
}
