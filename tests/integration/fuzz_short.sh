#!/usr/bin/env bash
# A short fuzzing run (10 s per target) of every libFuzzer target (term
# parser, external term decoder, BEAM reader, relman.yml, templates, relx's
# mustache templates) under
# ASan+UBSan, seeded from real files.
# Longer runs: tests/fuzz/run.sh SECONDS (scripts/test.sh --full).
set -u
SRC=${RELMAN_SRC:?}
secs=10
[ "${RELMAN_FULL_TESTS:-0}" = 1 ] && secs=${RELMAN_FUZZ_SECONDS:-120}
bash "$SRC/tests/fuzz/run.sh" "$secs"
rc=$?
if [ $rc -eq 77 ]; then
    echo "SKIP: clang is not installed; fuzz targets not run"
    echo "0 passed, 0 failed"
    exit 0
fi
targets=$(ls "$SRC"/tests/fuzz/fuzz_*.c | wc -l)
if [ $rc -eq 0 ]; then
    echo "$targets passed, 0 failed"
else
    echo "0 passed, 1 failed"
fi
exit $rc
