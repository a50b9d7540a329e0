#!/usr/bin/env bash
# Run relman's libFuzzer targets under ASan+UBSan.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]
#
# Builds the targets (tests/fuzz/fuzz_*.c) with clang and -DRELMAN_FUZZ=ON in
# their own build directory ($RELMAN_FUZZ_BUILD, default $RELMAN_BUILD/fuzz or
# build/fuzz), seeds each corpus from real files (.app/.rel/.script files, the
# boot files OTP ships plus .app terms in the external format, small BEAM files,
# plain and gzipped), runs each target for SECONDS and fails on any crash, leak,
# sanitizer report or broken round trip. Crash inputs are kept in
# $build/crashes. Targets default to every tests/fuzz/fuzz_*.c (term parser,
# external term decoder, BEAM reader, relman.yml, templates, relx's mustache
# templates). Exit 0 all
# clean, 1 a crash, 77 clang is missing.
set -euo pipefail
secs=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$src"/tests/fuzz/fuzz_*.c; do
        t=$(basename "$f" .c)
        targets+=("$t")
    done
fi
build=${RELMAN_FUZZ_BUILD:-${RELMAN_BUILD:-$src/build}/fuzz}

if ! command -v clang >/dev/null; then
    echo "SKIP: clang is not installed (the fuzz targets need libFuzzer)"
    exit 77
fi

echo "building fuzz targets in $build"
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DRELMAN_FUZZ=ON -DRELMAN_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j2 --target "${targets[@]}" >"$build.build.log" 2>&1 ||
    { tail -50 "$build.build.log"; exit 1; }

work=$(mktemp -d /tmp/relman-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT

# ---- seed corpora from real files ----
root=/usr/lib/erlang
if command -v erl >/dev/null; then
    root=$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().' 2>/dev/null || echo "$root")
fi
elixir_lib=/usr/lib/elixir/lib
mkdir -p "$work/seed_term" "$work/seed_etf" "$work/seed_beam" "$work/seed_config" "$work/seed_template" \
    "$work/seed_mustache"
cp "$src"/tests/fuzz/mustache/*.mustache "$work/seed_mustache/"
n=0
for f in "$root"/lib/*/ebin/*.app "$elixir_lib"/*/ebin/*.app "$root"/releases/*/*.rel \
    "$root"/bin/*.script "$src"/examples/*/config/*.config "$src"/examples/*/*.config; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$work/seed_term/$n-$(basename "$f")"
done
for f in "$root"/bin/*.boot; do
    [ -f "$f" ] && cp "$f" "$work/seed_etf/"
done
if command -v escript >/dev/null; then
    # the .app terms (and a compressed one) in the external format
    cat >"$work/etf.escript" <<'EOF'
%% write term_to_binary of each consulted file into Dir
main([Dir | Files]) ->
    lists:foldl(fun(F, N) ->
        case file:consult(F) of
            {ok, [T | _]} ->
                ok = file:write_file(filename:join(Dir, integer_to_list(N) ++ ".etf"),
                                     term_to_binary(T)),
                ok = file:write_file(filename:join(Dir, integer_to_list(N) ++ "z.etf"),
                                     term_to_binary(T, [compressed, {minor_version, 2}]));
            _ -> ok
        end,
        N + 1
    end, 0, lists:sublist(Files, 40)).
EOF
    escript "$work/etf.escript" "$work/seed_etf" "$work"/seed_term/* || true
fi
# small beams (the fuzzer is faster on small inputs), some gzipped
# (no `| head` here: under pipefail a SIGPIPE in find would end the script)
mapfile -t beams < <(find "$root"/lib/stdlib-*/ebin "$root"/lib/kernel-*/ebin \
    "$elixir_lib"/elixir/ebin "$src"/examples -name '*.beam' -size -12k 2>/dev/null | sort)
for f in "${beams[@]:0:60}"; do
    cp "$f" "$work/seed_beam/$(basename "$f")"
done
for f in "${beams[@]:0:5}"; do
    gzip -c "$f" >"$work/seed_beam/$(basename "$f").gz"
done
# relman.yml files (the examples', the config tests' fixtures, the malformed
# corpus) and EEx templates (relman's defaults, the corpus)
n=0
for f in "$src"/examples/*/relman.yml "$src"/tests/corpus/config/*.yml; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$work/seed_config/$n-$(basename "$f")"
done
n=0
for f in "$src"/core/data/*.eex "$src"/tests/corpus/template/*.eex "$src"/examples/*/rel/*.eex; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$work/seed_template/$n-$(basename "$f")"
done
echo "seeds: $(ls "$work/seed_term" | wc -l) term files, $(ls "$work/seed_etf" | wc -l) external terms, $(ls "$work/seed_beam" | wc -l) beams, $(ls "$work/seed_config" | wc -l) relman.yml, $(ls "$work/seed_template" | wc -l) templates"

# ---- run ----
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/crashes"
status=0
for t in "${targets[@]}"; do
    case $t in
    fuzz_term_parse) seed=seed_term; extra=(-dict="$src/tests/fuzz/term.dict" -max_len=65536) ;;
    fuzz_etf_decode) seed=seed_etf; extra=(-max_len=16384) ;;
    fuzz_beam) seed=seed_beam; extra=(-max_len=16384) ;;
    fuzz_config) seed=seed_config; extra=(-dict="$src/tests/fuzz/config.dict" -max_len=8192) ;;
    fuzz_template) seed=seed_template; extra=(-dict="$src/tests/fuzz/template.dict" -max_len=8192) ;;
    fuzz_mustache) seed=seed_mustache; extra=(-dict="$src/tests/fuzz/mustache.dict" -max_len=8192) ;;
    *) echo "unknown target $t"; exit 2 ;;
    esac
    mkdir -p "$work/corpus_$t"
    log="$work/$t.log"
    if "$build/$t" "$work/corpus_$t" "$work/$seed" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
        "${extra[@]}" >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
        echo "$t: ${secs}s, $execs executions, $cov, 0 crashes"
    else
        status=1
        echo "$t: CRASH (inputs kept in $build/crashes):"
        grep -E 'ERROR|runtime error|SUMMARY|fuzz_[a-z_]+: |Test unit written' "$log" | head -20
        tail -30 "$log"
    fi
done
exit $status
