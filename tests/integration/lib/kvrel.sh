# tests/integration/lib/kvrel.sh - real release tarballs of examples/kv for
# deploy tests, made at test time by `relman assemble` with its tar step.
#
#   kvrel_build WORKDIR VERSION [MARK]
#       Copy examples/kv to WORKDIR/kv-VERSION, give release foo version
#       VERSION and (when MARK is given) make the server answer unknown
#       commands with "UNKNOWN COMMAND MARK" so tests can tell the code
#       apart; add `steps: [assemble, tar]` to release foo in the copy's
#       relman.yml and assemble it (relman compiles the project first, as
#       mix release does). Prints the path of the tarball
#       (_build/prod/foo-VSN.tar.gz, no top-level directory).
#
# Needs RELMAN and RELMAN_SRC.

kvrel_build() {
    local work=$1 vsn=$2 mark=${3:-} src=${RELMAN_SRC:?}/examples/kv
    local dir=$work/kv-$vsn
    rm -rf "$dir"
    mkdir -p "$work"
    cp -r "$src" "$dir" || return 1
    rm -rf "$dir/_build" "$dir/deps"
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
