# tests/integration/lib/kvrel.sh - real release tarballs of examples/kv for
# deploy tests, made at test time by `mix release` with its tar step.
#
#   kvrel_build WORKDIR VERSION [MARK]
#       Copy examples/kv to WORKDIR/kv-VERSION, give release foo version
#       VERSION and (when MARK is given) make the server answer unknown
#       commands with "UNKNOWN COMMAND MARK" so tests can tell the code
#       apart; add `steps: [:assemble, :tar]` to release foo in the copy and
#       build it. Prints the path of the tarball (_build/prod/foo-VSN.tar.gz,
#       no top-level directory, as mix writes it).
#
# Until `relman assemble` packs tarballs itself, this is how deploy tests get
# one. Needs RELMAN_SRC.

kvrel_build() {
    local work=$1 vsn=$2 mark=${3:-} src=${RELMAN_SRC:?}/examples/kv
    local dir=$work/kv-$vsn
    rm -rf "$dir"
    mkdir -p "$work"
    cp -r "$src" "$dir" || return 1
    rm -rf "$dir/_build" "$dir/deps"
    # release foo: our version and the tar step (the file is a copy)
    sed -i "/foo: \[/,/\]/ s/version: \"[^\"]*\"/version: \"$vsn\", steps: [:assemble, :tar]/" "$dir/mix.exs"
    grep -q "version: \"$vsn\", steps: \[:assemble, :tar\]" "$dir/mix.exs" ||
        { echo "kvrel: could not edit $dir/mix.exs" >&2; return 1; }
    if [ -n "$mark" ]; then
        sed -i "s/\"UNKNOWN COMMAND\\\\r\\\\n\"/\"UNKNOWN COMMAND $mark\\\\r\\\\n\"/" \
            "$dir/apps/kv_server/lib/kv_server/command.ex"
        grep -q "UNKNOWN COMMAND $mark" "$dir/apps/kv_server/lib/kv_server/command.ex" ||
            { echo "kvrel: could not mark the server code" >&2; return 1; }
    fi
    (cd "$dir" && MIX_ENV=prod mix release foo --overwrite >"$dir/release.log" 2>&1) ||
        { echo "kvrel: mix release failed:" >&2; tail -20 "$dir/release.log" >&2; return 1; }
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
