#!/usr/bin/env bash
# Option and command errors name what was typed (also after operands, which
# getopt permutes) and suggest the closest word; every option of the command
# table is accepted by its handler, and no handler takes one the table lacks
# (cli_getopt reports that as an internal error).
set -u
. "$(dirname "$0")/lib/check.sh"
# err NAME STATUS TEXT COMMAND...: exits STATUS, one stderr line containing TEXT
err() {
    local name=$1 want=$2 text=$3
    shift 3
    local out rc
    out=$("$@" 2>&1 >/dev/null)
    rc=$?
    if [ $rc -ne "$want" ]; then
        fail "$name: exit $rc, want $want: $out"
    elif ! grep -qF -- "$text" <<<"$out"; then
        fail "$name: no '$text' in: $out"
    elif [ "$(wc -l <<<"$out")" -ne 1 ]; then
        fail "$name: not one line: $out"
    else
        ok
    fi
}
cd "$(mktemp -d)" || exit 1
trap 'rm -rf "$PWD"' EXIT

err "after an operand" 2 "unknown option '--bogus' for 'apps'" "$R" apps foo --bogus
err "before an operand" 2 "unknown option '--bogus' for 'apps'" "$R" apps --bogus foo
err "after two operands" 2 "unknown option '--frob' for 'render'" "$R" render foo vm.args --frob
err "with a value" 2 "unknown option '--bogus' for 'apps'" "$R" apps foo --bogus=1
err "option typo" 2 "unknown option '--jsno' for 'apps'; did you mean '--json'?" "$R" apps foo --jsno
err "command typo" 2 "unknown command 'asemble'; did you mean 'assemble'?" "$R" asemble
err "help typo" 2 "unknown command 'asemble'; did you mean 'assemble'?" "$R" help asemble
err "global typo" 2 "unknown option '--verbos'; did you mean '--verbose'?" "$R" --verbos
err "missing value" 2 "option '--path' needs a value" "$R" assemble foo --path
err "missing short value" 2 "option '-n' needs a value" "$R" logs web1 -n
err "flag with value" 2 "option '--json' takes no value" "$R" apps foo --json=yes
err "ambiguous" 2 "ambiguous option '--no' for 'assemble' (--no-compile, --no-reuse, --no-sync, --no-deps-check, --no-archives-check, --no-elixir-version-check)" \
    "$R" assemble --no
err "short in a cluster" 2 "unknown option '-x' for 'logs'" "$R" logs web1 -yx
err "short after a long" 2 "unknown option '-x' for 'apps'" "$R" apps --json -x
err "nothing close" 2 "unknown command 'frobnicate' (see" "$R" frobnicate

cmds=$("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}')
for c in $cmds; do
    # the handler's getopt tables agree with the command table
    err "$c unknown option" 2 "unknown option '--zz-no-such-option' for '$c'" \
        "$R" "$c" --zz-no-such-option
    # every option `relman help CMD` lists is one the handler takes
    opts=$("$R" help "$c" | sed -nE 's/^  (-[a-zA-Z], )?--([a-z][a-z-]*)( [A-Za-z|]+)?  .*/\2\3/p')
    while read -r name value; do
        [ -n "$name" ] || continue
        d=$(mktemp -d)
        args=("--$name")
        [ -n "${value:-}" ] && args+=(x)
        out=$(cd "$d" && timeout 20 "$R" "$c" "${args[@]}" </dev/null 2>&1)
        if grep -qE "unknown option|internal error|needs a value|takes no value" <<<"$out"; then
            fail "$c --$name: $out"
        else
            ok
        fi
        rm -rf "$d"
    done <<<"$opts"
done

finish
