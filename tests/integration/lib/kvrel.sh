# tests/integration/lib/kvrel.sh - real release tarballs of examples/kv for
# deploy tests, made at test time by `relman assemble` with its tar step.
#
#   kvrel_build WORKDIR VERSION [MARK]
#       Copy examples/kv (compiled: kvrel_copy) to WORKDIR/kv-VERSION, give release foo version
#       VERSION and (when MARK is given) make the server answer unknown
#       commands with "UNKNOWN COMMAND MARK" so tests can tell the code
#       apart; add `steps: [assemble, tar]` to release foo in the copy's
#       relman.yml and assemble it (relman compiles the project first, as
#       mix release does). Prints the path of the tarball
#       (_build/prod/foo-VSN.tar.gz, no top-level directory).
#
# Needs RELMAN and RELMAN_SRC.

# example_copy NAME DEST: a copy of examples/NAME, compiled (kv: MIX_ENV=prod
# mix compile; hello_erl: rebar3 compile). The compiled tree is made once
# per source state under $RELMAN_BUILD/fixtures/NAME-HASH, under a lock,
# shared with the tests that run at once (lib/assemble.sh's fixture uses
# the same one); a copy keeps its files' times, so an assembly after an edit
# recompiles only what the edit touched. Without RELMAN_BUILD: a clean
# copy, compiled by the assembly.
example_copy() {
    local name=$1 dest=$2 src=${RELMAN_SRC:?}/examples/$1 hash fix
    if [ -z "${RELMAN_BUILD:-}" ]; then
        cp -r "$src" "$dest" && rm -rf "$dest/_build" "$dest/deps"
        return
    fi
    hash=$(cd "$RELMAN_SRC/examples" && tar --sort=name --mtime=@0 --owner=0 --group=0 \
        --exclude="$name/_build" --exclude="$name/deps" --exclude="$name/erl_crash.dump" \
        -cf - "$name" | sha1sum | cut -c1-12)
    fix=$RELMAN_BUILD/fixtures/$name-$hash
    mkdir -p "$RELMAN_BUILD/fixtures"
    (
        flock 9
        if [ ! -f "$fix/.compiled" ]; then
            rm -rf "$fix"
            mkdir -p "$fix"
            tar -C "$src" --exclude=./_build --exclude=./deps -cf - . | tar -C "$fix" -xf -
            case $name in
            kv | phx_like) (cd "$fix" && MIX_ENV=prod HEX_OFFLINE=1 mix compile >"$fix/.build.log" 2>&1) ;;
            hello_erl) (cd "$fix" && rebar3 compile >"$fix/.build.log" 2>&1) ;;
            esac || { cat "$fix/.build.log" >&2; exit 1; }
            touch "$fix/.compiled"
        fi
    ) 9>"$RELMAN_BUILD/fixtures/.lock" || { echo "compiling examples/$name failed" >&2; return 1; }
    cp -a "$fix" "$dest" && rm -f "$dest/.compiled" "$dest/.build.log"
}

kvrel_copy() { # kvrel_copy DEST: examples/kv compiled (example_copy)
    example_copy kv "$1"
}

kvrel_build() {
    local work=$1 vsn=$2 mark=${3:-}
    local dir=$work/kv-$vsn
    rm -rf "$dir"
    mkdir -p "$work"
    kvrel_copy "$dir" || return 1
    # release foo: our version and the tar step (the file is a copy)
    sed -i "0,/version: \"[^\"]*\"/ s//version: \"$vsn\"\n    steps: [assemble, tar]/" "$dir/relman.yml"
    grep -q "version: \"$vsn\"" "$dir/relman.yml" && grep -q "steps: \[assemble, tar\]" "$dir/relman.yml" ||
        { echo "kvrel: could not edit $dir/relman.yml" >&2; return 1; }
    if [ -n "$mark" ]; then
        sed -i "s/\"UNKNOWN COMMAND\\\\r\\\\n\"/\"UNKNOWN COMMAND $mark\\\\r\\\\n\"/" \
            "$dir/apps/kv_server/lib/kv_server/command.ex"
        grep -q "UNKNOWN COMMAND $mark" "$dir/apps/kv_server/lib/kv_server/command.ex" ||
            { echo "kvrel: could not mark the server code" >&2; return 1; }
    fi
    (cd "$dir" && HEX_OFFLINE=1 "${RELMAN:?}" -q assemble foo >"$dir/release.log" 2>&1) ||
        { echo "kvrel: relman assemble failed:" >&2; tail -20 "$dir/release.log" >&2; return 1; }
    local tarball=$dir/_build/prod/foo-$vsn.tar.gz
    [ -f "$tarball" ] || { echo "kvrel: no $tarball" >&2; return 1; }
    echo "$tarball"
}

# kv_ask ADDR PORT LINE: send one line to the kv server, print its answer.
kv_ask() {
    local addr=$1 port=$2 line=$3 reply
    exec 7<>"/dev/tcp/$addr/$port" || return 1
    printf '%s\r\n' "$line" >&7
    IFS= read -r -t 5 reply <&7
    exec 7>&-
    printf '%s\n' "${reply%$'\r'}"
}
