#!/usr/bin/env bash
# Without relman.yml, the project commands say how to create one and exit 1;
# init writes one, never overwrites it without --force; a broken relman.yml
# gives a one-line FILE:LINE:COL error and exit 1.
set -u
. "$(dirname "$0")/lib/project.sh"

check() { # check NAME WANT_STATUS CMD...  (output in $out)
    local name=$1 want=$2
    shift 2
    out=$("$@" 2>&1)
    local got=$?
    if [ $got -ne "$want" ]; then fail "$name: exit $got, want $want: $out"; return 1; fi
    ok
}
has() { grep -qF -- "$2" <<<"$out" && ok || fail "$1: output lacks '$2': $out"; }
one_line() { [ "$(wc -l <<<"$out")" -eq 1 ] && ok || fail "$1: not one line: $out"; }

mkdir -p "$TMP/empty" && cd "$TMP/empty" || exit 1
for cmd in apps releases "render rel"; do
    check "no-config $cmd" 1 "$R" $cmd
    has "no-config $cmd" "relman init --import"
    has "no-config $cmd prefix" "relman: "
    one_line "no-config $cmd"
done
check "no-config -C" 1 "$R" -C "$TMP/empty" apps
has "no-config -C" "no relman.yml in $TMP/empty"

# nothing to import in a plain directory
check "import plain" 1 "$R" init --import
has "import plain" "nothing to import"
[ ! -e relman.yml ] && ok || fail "init --import left a file behind"

# a starter file, refused twice, replaced with --force
check "init" 0 "$R" init
has "init" "wrote relman.yml"
check "starter valid" 1 "$R" apps   # lib/ is empty: the release's root is missing
has "starter apps" "application 'empty' was not found"
cp relman.yml before.yml
check "init again" 1 "$R" init
has "init again" "already exists; use --force"
cmp -s relman.yml before.yml && ok || fail "relman.yml changed without --force"
check "init --force" 0 "$R" init --force

# a broken relman.yml: one line naming the place
printf 'releases:\n  foo:\n    applications:\n      kv: permanant\n' >relman.yml
check "typo" 1 "$R" apps
has "typo" "relman.yml:4:11: releases.foo.applications.kv: unknown mode 'permanant'"
has "typo" "did you mean 'permanent'?"
one_line "typo"
printf 'relases: {}\n' >relman.yml
check "unknown key" 1 "$R" releases
has "unknown key" "relman.yml:1:1: unknown key 'relases' at the top level"
printf 'releases: {foo: {}, bar: {}}\n' >relman.yml
check "ambiguous" 2 "$R" apps
has "ambiguous" "no default_release"
check "unknown release" 1 "$R" apps baz
has "unknown release" "no release 'baz'"
check "render unknown" 2 "$R" render foo frob
has "render unknown" "nothing called 'frob'"
check "render list" 0 "$R" render --list
has "render list" "rel "
finish
