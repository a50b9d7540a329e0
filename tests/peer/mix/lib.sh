# The mix-suite harness's helpers (sourced by tests/integration/mix_suite.sh).
#
# Each case of Elixir 1.14's two release test files has a function here
# (cases_task.sh: T01-T19, cases_release.sh: R01-R67) that rebuilds its
# scenario on the fixture projects of tests/peer/mix/fixtures, compiled once
# per source state into $RELMAN_BUILD/fixtures and copied per case. A case
# function returns 0 when every assertion held; each failed assertion is
# printed by `want`/`want_cmd` and makes it return 1.
R=${RELMAN:?RELMAN must point to the relman binary}
SRC=${RELMAN_SRC:?RELMAN_SRC must point to the source tree}
BUILD=${RELMAN_BUILD:?RELMAN_BUILD must point to the build tree}
PEER=$SRC/tests/peer/mix
export HEX_OFFLINE=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 MIX_ENV=dev
unset RELEASE_NODE RELEASE_COOKIE RELEASE_DISTRIBUTION RELEASE_TMP ELIXIR_ERL_OPTIONS
unset SOURCE_DATE_EPOCH RELMAN_NO_CONFIG_CACHE RELEASE_MODE BOOTED_ONCE

T=$(mktemp -d /tmp/relman-mixsuite-XXXXXX)
RUN=$$
HOST=$(erl -noshell -eval 'io:format("~s", [element(2, inet:gethostname())]), halt().')
ERTS_VSN=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(version)]), halt().')
OTP_ROOT=$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')
ELIXIR_VSN=$(elixir -e 'IO.write(System.version())')
EB=$T/ebin
# The system's python when there is one: a version manager's shim costs a
# second per call on a loaded machine.
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
mkdir -p "$EB"
erlc -o "$EB" "$PEER/peer_check.erl" || exit 1

. "$SRC/tests/integration/lib/vms.sh"
cleanup() {
    stop_our_vms
    [ -n "${MIX_SUITE_KEEP:-}" ] && { echo "kept $T"; return; }
    rm -rf "$T"
}
trap cleanup EXIT

# ---- assertions (inside a case) ----
CASE_BAD=0
# want DESCRIPTION CMD...: CMD must succeed.
want() {
    local what=$1
    shift
    if "$@" >"$T/want.out" 2>&1; then return 0; fi
    echo "    not: $what"
    sed 's/^/      /' "$T/want.out" | head -12
    CASE_BAD=1
    return 1
}
# wantnot DESCRIPTION CMD...: CMD must fail.
wantnot() {
    local what=$1
    shift
    if ! "$@" >"$T/want.out" 2>&1; then return 0; fi
    echo "    not: $what"
    CASE_BAD=1
    return 1
}
has() { grep -qF -- "$2" "$1"; }           # has FILE TEXT
has_re() { grep -qE -- "$2" "$1"; }        # has_re FILE ERE
is_text() { [ "$(cat "$1")" = "$2" ] || { printf 'got: %s\n' "$(head -c 300 "$1")"; return 1; }; }
peer() { erl -noshell -pa "$EB" -run peer_check "$@"; }

# ---- fixtures ----
# compiled NAME [VARIANT]: the directory of fixture NAME compiled with
# MIX_ENV=dev (VARIANT "cenv" adds a module that reads the config at
# compile time), cached in $BUILD/fixtures by the hash of its sources.
CENV_SRC='require Application
_ = Application.compile_env(:relpeer, :static)
'
compiled() {
    local name=$1 variant=${2:-} hash dir
    hash=$( (cd "$PEER/fixtures" && tar --sort=name --mtime=@0 --owner=0 --group=0 \
        --exclude=_build -cf - "$name"; echo "$variant"; [ "$variant" = cenv ] && echo "$CENV_SRC") |
        sha1sum | cut -c1-12)
    dir=$BUILD/fixtures/mixpeer-$name${variant:+-$variant}-$hash
    mkdir -p "$BUILD/fixtures"
    (
        flock 9
        if [ ! -f "$dir/.compiled" ]; then
            rm -rf "$dir"
            mkdir -p "$dir"
            cp -a "$PEER/fixtures/$name/." "$dir/"
            if [ "$variant" = cenv ]; then
                printf '%s' "$CENV_SRC" >"$dir/lib/compile_env.ex"
            fi
            (cd "$dir" && mix compile >"$dir/.build.log" 2>&1) || { cat "$dir/.build.log"; exit 1; }
            touch "$dir/.compiled"
        fi
    ) 9>"$BUILD/fixtures/.mixpeer.lock" || { echo "building fixture $name failed"; exit 1; }
    echo "$dir"
}

# project NAME [VARIANT]: a fresh copy of the compiled fixture at $P, and cd
# there. Sources keep the fixture's times, so relman sees an up-to-date build.
project() {
    local src
    src=$(compiled "$@") || exit 1
    P=$T/$CASE/$1
    mkdir -p "$T/$CASE"
    cp -a "$src" "$P"
    rm -f "$P/.compiled" "$P/.build.log"
    cd "$P" || exit 1
}

# mix_opts 'KEYWORDS': add project options to mix.exs (after `deps: []`),
# for example mix_opts 'releases: [demo: [include_erts: false]]'. The file's
# time is kept: release options do not change what mix compiles.
mix_opts() {
    local extra=$1 stamp
    stamp=$(stat -c %Y mix.exs)
    EXTRA=$extra perl -0pi -e 's/deps: \[\]/deps: [], $ENV{EXTRA}/' mix.exs
    touch -d "@$stamp" mix.exs
}
# touch_old FILE...: give FILEs the fixture's source time (not newer than
# the build), for files a case adds that do not change the compile.
touch_old() { touch -d "@$(stat -c %Y mix.exs)" "$@"; }

# import: relman init --import (the Mix project's releases into relman.yml);
# its output in $P/import.out, its status returned. What mix reads for it
# (mix.exs, config files, mix.lock) keys a cache of the result, so cases
# importing the same project run relman init once.
import() {
    local key rc dir
    [ -n "${MIX_SUITE_REFERENCE:-}" ] && { : >"$P/import.out"; return 0; }
    key=$(cat mix.exs mix.lock ./*config*/*.exs apps/*/mix.exs 2>/dev/null | sha1sum | cut -c1-16)
    dir=$T/imports/$(basename "$P")-$key
    if [ -f "$dir/rc" ]; then
        cp "$dir/import.out" "$P/import.out"
        [ -f "$dir/relman.yml" ] && cp "$dir/relman.yml" relman.yml
        return "$(cat "$dir/rc")"
    fi
    "$R" init --import --force --env dev >"$P/import.out" 2>&1
    rc=$?
    mkdir -p "$dir"
    cp "$P/import.out" "$dir/"
    [ $rc -eq 0 ] && cp relman.yml "$dir/"
    echo $rc >"$dir/rc"
    return $rc
}

# asm ARGS...: relman assemble ARGS (no compile: the fixture is compiled);
# output in $P/asm.out. With MIX_SUITE_REFERENCE=1, `mix release ARGS`
# instead and import does nothing: the cases then run against mix itself,
# which shows what of a case's expectations is mix's behaviour (the
# relman-only assertions, such as its messages, then fail).
asm() {
    [ -n "${MIX_SUITE_REFERENCE:-}" ] && { (mix release "$@" </dev/null) >"$P/asm.out" 2>&1; return; }
    "$R" assemble --no-compile "$@" >"$P/asm.out" 2>&1
}

# mixrel NAME...: `mix release NAME` for each NAME, in one mix, in a copy of
# the case's project at $P.mix (the reference; relman's releases left out);
# the release root of NAME is then $P.mix/_build/dev/rel/NAME.
mixrel() {
    local names
    [ -d "$P.mix" ] || { cp -a "$P" "$P.mix" && rm -rf "$P.mix/_build/dev/rel"; }
    names=$(printf '"%s", ' "$@")
    (cd "$P.mix" && mix run --no-start --no-compile \
        -e "for r <- [${names%, }], do: Mix.Task.rerun(\"release\", [r, \"--quiet\"])" \
        >"$P.mix/mix.out" 2>&1) ||
        { echo "    mix release $* failed:"; sed 's/^/      /' "$P.mix/mix.out" | tail -8; return 1; }
}

# json_get FILE PYEXPR: evaluate PYEXPR on the parsed JSON `j`, print it.
json_get() {
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# fake_app DIR NAME VSN KEYS: an application without modules at
# DIR/ebin/NAME.app (a compiled dependency: DIR=_build/dev/lib/NAME).
fake_app() {
    mkdir -p "$1/ebin"
    printf '{application,%s,[{description,"%s"},{vsn,"%s"},{modules,[]},%s]}.\n' \
        "$2" "$2" "$3" "$4" >"$1/ebin/$2.app"
}

# shared NAME SETUP: SETUP (a function building a project, as a case does)
# runs once per run in $T/shared/NAME; later calls only cd to its project
# and set P. Cases that share a setup only read it.
shared() {
    local name=$1 setup=$2 dir=$T/shared/$1
    mkdir -p "$T/shared"
    if [ ! -f "$dir.done" ] && [ ! -f "$dir.failed" ]; then
        if (CASE=shared/$name; $setup && echo "$P" >"$dir.path") >"$dir.log" 2>&1; then
            touch "$dir.done"
        else
            touch "$dir.failed"
        fi
    fi
    if [ -f "$dir.failed" ]; then
        echo "    shared setup $name failed:"
        sed 's/^/      /' "$dir.log" | tail -20
        return 1
    fi
    P=$(cat "$dir.path")
    cd "$P" || return 1
}

# modes REL: "APP MODE" lines of the resolved release REL (relman apps
# --json, in .rel order) into modes.REL; the status of relman apps returned.
modes() {
    local rc
    "$R" apps "$1" --json >"apps.$1.json" 2>"apps.$1.err"
    rc=$?
    "$PY" -c 'import json,sys
for a in json.load(open(sys.argv[1]))["applications"]: print(a["name"], a["mode"])' \
        "apps.$1.json" >"modes.$1" 2>/dev/null
    return $rc
}
# problems REL: the messages of relman apps REL --json's problems, one a line.
problems() {
    "$PY" -c 'import json,sys
for p in json.load(open(sys.argv[1]))["problems"]: print(p["severity"], p.get("application"), p["message"])' \
        "apps.$1.json" 2>/dev/null
}

# booted ROOT 'EXPECTED-MAP': ROOT/RELEASE_BOOTED (written by the fixture
# at boot) appears and holds EXPECTED (Erlang map text).
booted() { peer booted "$1/RELEASE_BOOTED" "$2"; }

# start_bg BIN ARGS...: run the release command in the background (output
# in $P/node.out).
start_bg() {
    "$@" >"$P/node.out" 2>&1 </dev/null &
}
