#!/usr/bin/env bash
# Configure and build relman into build/ (extra arguments go to cmake).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${RELMAN_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELMAN_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" -- --no-print-directory >/dev/null
echo "relman: built $build/relman"
