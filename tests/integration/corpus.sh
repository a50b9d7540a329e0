#!/usr/bin/env bash
# The malformed-input corpus (tests/corpus/): every case must give its one
# expected error line, and nothing else.
#
# Each case is a file under tests/corpus/KIND/ plus CASE.expect, whose first
# line is an extended regular expression (grep -E) the whole stderr line must
# match; an optional line "status N" sets the exit status (default 1). KIND
# says where the file goes and what runs (see tests/corpus/README.md):
#
#   config/NAME.yml         the project's relman.yml           relman assemble
#   app/NAME.app            lib/bad-1.0/ebin/bad.app           relman assemble r
#   beam/NAME.beam          lib/bad-1.0/ebin/bad.beam          relman assemble r
#   template/NAME.F.eex     rel/F.eex (F: vm.args, env.sh...)  relman assemble r
#   sysconfig/NAME.config   config/sys.config                  relman assemble r
#   tarball/NAME.tar[.gz]   --tarball of a deploy              relman deploy r t1
#
# For every case: exit status as expected (never >= 128, no hang: 20 s
# limit), exactly one line on stderr, starting "relman: ", matching the
# regex and naming the case's file; nothing half-written (no release at the
# path, nothing beside it, no temporary files and no new *.lock in the
# project). Each kind first runs its fixture with a valid input, which must
# succeed. A few huge inputs are generated here rather than kept in git. Set
# CORPUS_SHOW=1 to print what relman said for every case.
R=${RELMAN:?RELMAN must point to the relman binary}
SRC=${RELMAN_SRC:?RELMAN_SRC must point to the source tree}
CORPUS=${CORPUS_DIR:-$SRC/tests/corpus}
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset MIX_ENV RELEASE_COOKIE

TMP=$(mktemp -d /tmp/relman-corpus-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fails=0
skips=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# ---- fixtures: a plain project around the case file ---------------------------
base_yml() {
    cat <<'EOF'
project:
  kind: plain
lib_dirs: [lib]
releases:
  r:
    version: "1"
    include_erts: false
    applications:
      bad: permanent
EOF
}

good_app() {
    printf '{application, bad,\n [{description, "a corpus fixture"},\n  {vsn, "1.0"},\n  {modules, [%s]},\n  {registered, []},\n  {applications, [kernel, stdlib]}]}.\n' "$1"
}

# A valid BEAM file for module `bad`, compiled once.
good_beam=$TMP/good/bad.beam
mkdir -p "$TMP/good"
printf -- '-module(bad).\n-export([hello/0]).\nhello() -> ok.\n' >"$TMP/good/bad.erl"
(cd "$TMP/good" && erlc bad.erl) || { echo "FAIL cannot compile the fixture module"; exit 1; }

# setup KIND CASEFILE DIR: the project for one case (CASEFILE empty: the
# kind's valid input). Prints the path, relative to DIR, of the file the
# case becomes.
setup() {
    local kind=$1 file=$2 dir=$3
    mkdir -p "$dir"
    case $kind in
    config)
        if [ -n "$file" ]; then cp "$file" "$dir/relman.yml"; else base_yml >"$dir/relman.yml"; fi
        mkdir -p "$dir/lib/bad-1.0/ebin"
        good_app "" >"$dir/lib/bad-1.0/ebin/bad.app"
        echo relman.yml ;;
    app)
        base_yml >"$dir/relman.yml"
        mkdir -p "$dir/lib/bad-1.0/ebin"
        if [ -n "$file" ]; then cp "$file" "$dir/lib/bad-1.0/ebin/bad.app"; else good_app "" >"$dir/lib/bad-1.0/ebin/bad.app"; fi
        echo lib/bad-1.0/ebin/bad.app ;;
    beam)
        base_yml >"$dir/relman.yml"
        mkdir -p "$dir/lib/bad-1.0/ebin"
        good_app bad >"$dir/lib/bad-1.0/ebin/bad.app"
        cp "${file:-$good_beam}" "$dir/lib/bad-1.0/ebin/bad.beam"
        echo lib/bad-1.0/ebin/bad.beam ;;
    template)
        base_yml >"$dir/relman.yml"
        mkdir -p "$dir/lib/bad-1.0/ebin" "$dir/rel"
        good_app "" >"$dir/lib/bad-1.0/ebin/bad.app"
        local target=vm.args.eex
        if [ -n "$file" ]; then
            target=$(basename "$file" | sed 's/^[^.]*\.//')
            cp "$file" "$dir/rel/$target"
        else
            printf -- '-name <%%= @release.name %%>\n## <%%= @release.options[:cookie] %%>\n' >"$dir/rel/$target"
        fi
        echo "rel/$target" ;;
    sysconfig)
        { base_yml; echo '    sys_config: config/sys.config'; } >"$dir/relman.yml"
        mkdir -p "$dir/lib/bad-1.0/ebin" "$dir/config"
        good_app "" >"$dir/lib/bad-1.0/ebin/bad.app"
        if [ -n "$file" ]; then cp "$file" "$dir/config/sys.config"; else echo '[{bad, [{key, value}]}].' >"$dir/config/sys.config"; fi
        echo config/sys.config ;;
    tarball)
        {
            base_yml
            echo 'targets:'
            echo '  t1: {host: 127.0.0.1, port: 4799, path: /tmp/relman-corpus-never, release: r}'
        } >"$dir/relman.yml"
        mkdir -p "$dir/lib/bad-1.0/ebin"
        good_app "" >"$dir/lib/bad-1.0/ebin/bad.app"
        if [ -n "$file" ]; then cp "$file" "$dir/$(basename "$file")"; echo "$(basename "$file")"; fi ;;
    esac
}

# locks DIR: the *.lock files under DIR (relman's atomic writes use
# FILE.lock; a project may hold its own, mix.lock, which are no leftovers)
locks() { (cd "$1" && find . -name '*.lock' | sort); }

# run KIND DIR FILE: relman's command for the kind; stderr to DIR.err
run() {
    local kind=$1 dir=$2 file=$3
    locks "$dir" >"$dir.locks-before"
    case $kind in
    tarball)
        # Nothing listens on 127.0.0.1:4799: the tarball is checked before
        # anything connects.
        (cd "$dir" && timeout 20 "$R" deploy r t1 --yes --tarball "$file" >"$dir.out" 2>"$dir.err") ;;
    *)
        (cd "$dir" && timeout 20 "$R" assemble r --no-compile --path "$dir/out" >"$dir.out" 2>"$dir.err") ;;
    esac
}

# half_written DIR: what a failed run left behind (empty when nothing): the
# release, a tree beside it, temporary files, and lock files that appeared
half_written() {
    local dir=$1
    [ -e "$dir/out" ] && echo "out"
    (cd "$dir" && find . \( -name '.out.relman-new-*' -o -name '.out.relman-old-*' -o -name '*.tmp.*' \
        -o -name '*.part-*' \) -print)    # a FILE.lock of relman's that was not there before the run
    locks "$dir" | comm -13 "$dir.locks-before" -
}

have_deploy=0
"$R" help deploy >/dev/null 2>&1 && have_deploy=1

n=0
for kind in config app beam template sysconfig tarball; do
    [ -d "$CORPUS/$kind" ] || continue
    if [ $kind = tarball ] && [ $have_deploy = 0 ]; then
        c=$(ls "$CORPUS/$kind"/*.expect 2>/dev/null | wc -l)
        echo "SKIP tarball: $c cases need 'relman deploy', which this relman does not have"
        skips=$((skips + c))
        continue
    fi
    # the fixture itself works
    if [ $kind != tarball ]; then
        d=$TMP/$kind-valid
        setup $kind "" "$d" >/dev/null
        if run $kind "$d" "" && [ -d "$d/out/releases/1" ]; then
            ok
        else
            fail "$kind: the fixture with a valid input does not assemble: $(head -3 "$d.err")"
            continue
        fi
    fi
    for expect in "$CORPUS/$kind"/*.expect; do
        [ -f "$expect" ] || continue
        name=$(basename "$expect" .expect)
        file=$(ls "$CORPUS/$kind/$name".* 2>/dev/null | grep -v '\.expect$' | head -1)
        if [ -z "$file" ]; then
            fail "$kind/$name: no case file beside $expect"
            continue
        fi
        n=$((n + 1))
        d=$TMP/case-$n
        rel=$(setup $kind "$file" "$d")
        run $kind "$d" "$rel"
        status=$?
        want_status=$(sed -n 's/^status \([0-9]*\)$/\1/p' "$expect")
        want_status=${want_status:-1}
        regex=$(head -1 "$expect")
        lines=$(wc -l <"$d.err")
        line=$(head -1 "$d.err")
        [ "${CORPUS_SHOW:-0}" = 1 ] && echo "$kind/$name: [$status] $line"
        what="$kind/$name"
        if [ $status -ge 124 ]; then
            fail "$what: exit status $status (crash or hang): $(head -5 "$d.err")"
            continue
        fi
        [ "$status" = "$want_status" ] || { fail "$what: exit status $status, expected $want_status: $line"; continue; }
        [ "$lines" = 1 ] || { fail "$what: $lines lines on stderr, expected 1: $(head -3 "$d.err" | tr '\n' '|')"; continue; }
        case $line in
        "relman: "*) ;;
        *) fail "$what: the line does not start with 'relman: ': $line"; continue ;;
        esac
        echo "$line" | grep -Eq -- "$regex" || { fail "$what: '$line' does not match '$regex'"; continue; }
        base=$(basename "$rel")
        case $line in
        *"$base"*) ;;
        *) fail "$what: the error does not name $base: $line"; continue ;;
        esac
        left=$(half_written "$d")
        [ -z "$left" ] || { fail "$what: left behind: $left"; continue; }
        ok
    done
done

# ---- generated cases: too big to keep in git ------------------------------------
gen() { # gen KIND NAME REGEX: the case file is $TMP/gen/NAME (written by the caller)
    local kind=$1 name=$2 regex=$3
    n=$((n + 1))
    local d=$TMP/case-$n rel status line
    rel=$(setup $kind "$TMP/gen/$name" "$d")
    run $kind "$d" "$rel"
    status=$?
    line=$(head -1 "$d.err")
    [ "${CORPUS_SHOW:-0}" = 1 ] && echo "$kind/$name (generated): [$status] $line"
    if [ $status = 1 ] && [ "$(wc -l <"$d.err")" = 1 ] && echo "$line" | grep -Eq -- "$regex" &&
        [ -z "$(half_written "$d")" ]; then
        ok
    else
        fail "$kind/$name (generated): status $status, stderr: $(head -3 "$d.err" | tr '\n' '|')"
    fi
}
mkdir -p "$TMP/gen"
# relman.yml over its 1 MiB cap
{ echo 'releases:'; echo '  r:'; printf '    version: "%s"\n' "$(head -c 1100000 /dev/zero | tr '\0' 1)"; } >"$TMP/gen/huge.yml"
gen config huge.yml '^relman: .*relman\.yml: file is larger than [0-9]+ bytes$'
# a .app file over its cap
{ printf '{application, bad, [{vsn, "1.0"}, {applications, [kernel, stdlib]}, {description, "'
    head -c 5000000 /dev/zero | tr '\0' x; printf '"}]}.\n'; } >"$TMP/gen/huge.app"
gen app huge.app "^relman: .*bad\.app: larger than [0-9]+ bytes"
# a gzip'd BEAM that inflates beyond 256 MiB
head -c 300000000 /dev/zero | gzip -1 >"$TMP/gen/bomb.beam"
gen beam bomb.beam '^relman: .*bad\.beam: uncompresses to more than [0-9]+ bytes$'
# a template over its 1 MiB cap
head -c 1100000 /dev/zero | tr '\0' '#' >"$TMP/gen/huge.vm.args.eex"
gen template huge.vm.args.eex '^relman: .*vm\.args\.eex.*larger than [0-9]+ bytes'

[ $skips -gt 0 ] && echo "($skips cases skipped)"
echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
