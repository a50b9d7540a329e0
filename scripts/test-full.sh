#!/usr/bin/env bash
# The long suites, run by `scripts/test.sh --full` after the default run:
#   1. the whole ctest suite again, built with ASan + UBSan (build-asan/);
#   2. every cmocka unit test under valgrind (memcheck, leaks are errors);
#   3. each fuzz target for RELMAN_FUZZ_SECONDS (default 300) when clang is there.
# Prints one summary line per stage and exits non-zero if any stage failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
status=0

echo "== full: ASan + UBSan build and test run"
asan=$root/build-asan
if cmake -S "$root" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DRELMAN_SANITIZE=ON -DRELMAN_WERROR=ON >/dev/null &&
    cmake --build "$asan" -j "$(nproc)" >/dev/null; then
    (cd "$asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$(nproc)") || status=1
else
    echo "full: ASan build failed"
    status=1
fi

echo "== full: unit tests under valgrind"
vpass=0
vfail=0
for t in "$root"/build/core_test_* "$root"/build/remote_test_* "$root"/build/tui_test_*; do
    [ -x "$t" ] || continue
    if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$t" >/tmp/relman-valgrind.$$.log 2>&1; then
        vpass=$((vpass + 1))
    else
        vfail=$((vfail + 1))
        echo "valgrind: $(basename "$t") failed:"
        tail -40 /tmp/relman-valgrind.$$.log
    fi
done
rm -f /tmp/relman-valgrind.$$.log
echo "valgrind: $vpass passed, $vfail failed"
[ $vfail -eq 0 ] || status=1

if [ -f "$root/tests/fuzz/run.sh" ]; then
    echo "== full: fuzzing, ${RELMAN_FUZZ_SECONDS:-300} s per target"
    bash "$root/tests/fuzz/run.sh" "${RELMAN_FUZZ_SECONDS:-300}" || status=1
fi
exit $status
