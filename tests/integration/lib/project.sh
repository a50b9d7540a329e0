# Helpers for the project/resolution integration tests (sourced).
# Needs RELMAN (the binary) and RELMAN_SRC (the source tree) from ctest.
R=${RELMAN:?RELMAN must point to the relman binary}
SRC=${RELMAN_SRC:?RELMAN_SRC must point to the source tree}
export HEX_OFFLINE=1
export LANG="${LANG:-C.UTF-8}"
unset MIX_ENV

TMP=$(mktemp -d /tmp/relman-it-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fails=0
pass=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
finish() {
    echo "$pass passed, $fails failed"
    [ "$fails" -eq 0 ]
}

# copy_example NAME: a clean copy of examples/NAME (no _build, no deps) in
# $TMP/NAME. Skips the whole test (exit 0, with a message) only when the
# example directory does not exist.
copy_example() {
    local name=$1
    if [ ! -d "$SRC/examples/$name" ]; then
        echo "SKIP: examples/$name does not exist (yet)"
        exit 0
    fi
    mkdir -p "$TMP/$name"
    tar -C "$SRC/examples/$name" --exclude=./_build --exclude=./deps -cf - . | tar -C "$TMP/$name" -xf -
}

# same_terms A B: the files hold equal Erlang terms (file:consult).
same_terms() {
    erl -noshell -eval "
        {ok, A} = file:consult(\"$1\"),
        {ok, B} = file:consult(\"$2\"),
        case A =:= B of
            true -> halt(0);
            false -> io:format(\"~p~n  differs from~n~p~n\", [A, B]), halt(1)
        end." 2>&1
}
