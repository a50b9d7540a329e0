#!/usr/bin/env bash
# Benchmark: parse every .app file of the installed OTP (and Elixir).
#
#   bench/parse_apps.sh [LIBDIR...]
#
# Compiles bench/parse_apps.c against the relman_core library of the build
# directory ($RELMAN_BUILD, default build/; run scripts/build.sh first) and
# prints the best of 20 runs. Target: well under 100 ms. Not part of ctest.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${RELMAN_BUILD:-$src/build}
lib="$build/librelman_core.a"
[ -f "$lib" ] || { echo "no $lib: build relman first (scripts/build.sh)"; exit 1; }
if [ $# -eq 0 ] && command -v erl >/dev/null; then
    root=$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')
    set -- "$root/lib"
    [ -d /usr/lib/elixir/lib ] && set -- "$@" /usr/lib/elixir/lib
fi
out="$build/bench_parse_apps"
${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src" -I"$build/generated" \
    -o "$out" "$src/bench/parse_apps.c" "$lib" \
    $(pkg-config --libs yaml-0.1 libarchive zlib libcrypto) -lpthread -lm
"$out" "$@"
