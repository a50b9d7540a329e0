#!/usr/bin/env bash
# Quick start (b): install what is missing, build relman, and run every test
# (cmocka unit tests, the layering check, CLI and integration tests that boot
# real releases and talk to a real sshd, the examples' own suites).
#
#   scripts/test.sh           the default run (what CI runs)
#   scripts/test.sh --full    also the long suites (fuzzing for minutes,
#                             ASan+UBSan build, valgrind); see docs/testing.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
full=0
for a in "$@"; do
    case $a in
    --full) full=1 ;;
    *) echo "usage: scripts/test.sh [--full]" >&2; exit 2 ;;
    esac
done
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$root/build"
export RELMAN_FULL_TESTS=$full
ctest --output-on-failure -j "$(nproc)"
if [ $full -eq 1 ] && [ -x "$root/scripts/test-full.sh" ]; then
    bash "$root/scripts/test-full.sh"
fi
