#!/usr/bin/env bash
# Issue 14, points 3, 5 and 7: a rebar3 project written here, whose relx
# section uses every release form relx 4.7 accepts (two versions of one
# release, {extend, Rel}, {erts, Vsn}, version pins with modes and
# included-application lists, semver /
# {cmd, ...} / {git, short} versions, per-release options: mode minimal,
# exclude_apps, exclude_modules, system_libs, generate_start_script), a
# profile that redefines a release, mode dev (links into _build), and a
# dependency in _checkouts. `rebar3 release` is the reference, run here:
# `relman init --import` must give the relman.yml that says the same, and
# the .rel relman assembles from it must be rebar3's, as terms. Then the
# release rebar3 left at the default path needs --overwrite (and says so),
# the one relman made is replaced without it, and it boots.
# Also: an erlang.mk-style project (deps/) assembles and runs with no
# lib_dirs; options relman cannot honour fail the import with their name.
set -u
. "$(dirname "$0")/lib/assemble.sh"
command -v rebar3 >/dev/null && command -v git >/dev/null || { echo "SKIP: needs rebar3 and git"; exit 0; }
NODE=imprx$$

otp() { erl -noshell -eval "$1, halt()." 2>/dev/null; }
ERTS=$(otp 'io:format("~s", [erlang:system_info(version)])')
SASL=$(otp 'application:load(sasl), {ok, V} = application:get_key(sasl, vsn), io:format("~s", [V])')

P=$T/rx
mkdir -p "$P/apps/svc/src" "$P/apps/lib1/src" "$P/_checkouts/dep1/src" "$P/config" \
    "$P/apps/host/src" "$P/apps/inc1/src" "$P/apps/inc2/src"
cd "$P" || exit 1
cat >apps/svc/src/svc.app.src <<'EOF'
{application, svc, [{vsn, "1.0.0"}, {description, "svc"},
                    {applications, [kernel, stdlib, lib1, dep1]}, {modules, []}]}.
EOF
printf -- '-module(svc).\n-export([hello/0]).\nhello() -> {lib1:name(), dep1:name()}.\n' >apps/svc/src/svc.erl
printf -- '-module(svc_extra).\n-export([x/0]).\nx() -> x.\n' >apps/svc/src/svc_extra.erl
cat >apps/lib1/src/lib1.app.src <<'EOF'
{application, lib1, [{vsn, "0.3.0"}, {description, "lib1"}, {applications, [kernel, stdlib]}]}.
EOF
printf -- '-module(lib1).\n-export([name/0]).\nname() -> lib1.\n' >apps/lib1/src/lib1.erl
cat >_checkouts/dep1/src/dep1.app.src <<'EOF'
{application, dep1, [{vsn, "2.0.0"}, {description, "dep1"}, {applications, [kernel, stdlib]}]}.
EOF
printf -- '-module(dep1).\n-export([name/0]).\nname() -> dep1.\n' >_checkouts/dep1/src/dep1.erl
printf '{deps, []}.\n' >_checkouts/dep1/rebar.config
printf '{application, host, [{vsn, "0.5.0"}, {description, "host"}, {applications, [kernel, stdlib]}, {included_applications, [inc1, inc2]}]}.\n' >apps/host/src/host.app.src
for i in inc1 inc2; do
    printf '{application, %s, [{vsn, "0.1.0"}, {description, "%s"}, {applications, [kernel, stdlib]}]}.\n' $i $i >apps/$i/src/$i.app.src
done
printf '[{svc, [{greeting, "hi"}]}].\n' >config/sys.config
printf -- '-sname rx\n-setcookie rx_cookie\n+K true\n' >config/vm.args
cat >rebar.config <<EOF
{deps, [dep1]}.
{relx, [
    {release, {multi, "0.0.1"}, [svc]},
    {release, {multi, "0.0.2"}, [svc, sasl]},
    {release, {ext, "0.0.2", {extend, multi}}, [{runtime_tools, load}]},
    {release, {ertsrel, "1.0.0"}, {erts, "$ERTS"}, [svc]},
    {release, {pins, "1.0.0"}, [{svc, "1.0.0"}, {sasl, "$SASL", load}, {runtime_tools, temporary}]},
    {release, {gitrel, semver}, [svc]},
    {release, {cmdrel, {cmd, "printf 3.4.5"}}, [svc]},
    {release, {shortrel, {git, short}}, [svc]},
    {release, {incl, "1.0.0"}, [{host, "0.5.0", [inc1]}, {svc, []}]},
    {release, {lean, "1.0.0"}, [svc],
     [{mode, minimal}, {exclude_apps, [lib1]}, {exclude_modules, [{svc, [svc_extra]}]},
      {system_libs, false}, {generate_start_script, false}]},
    {mode, dev},
    {sys_config, "config/sys.config"},
    {vm_args, "config/vm.args"}
]}.
{profiles, [{prod, [{relx, [{release, {multi, "0.0.2"}, [svc, sasl, runtime_tools]}, {mode, prod}]}]}]}.
EOF
g() { git -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
g init -q . && g add -A && g commit -qm one && g tag v1.2.0 && echo >>README && g add README && g commit -qm two
SHORT=$(git rev-parse --short HEAD)

# (relx keeps the newline `echo` prints in a {cmd, ...} version; relman trims
# it: docs/compat.md)
# the reference: rebar3 (one compile; the highest of every release, then the
# lower version, then the prod profile)
(rebar3 release --all && rebar3 release -n multi -v 0.0.1 && rebar3 as prod release -n multi) \
    >"$T/rebar3.log" 2>&1 || { cat "$T/rebar3.log"; bad "rebar3 release"; finish; exit 1; }
REF=$P/_build/default/rel
check "rebar3 built dep1 from _checkouts" test -d _build/default/checkouts/dep1/ebin
check "relx's semver version" test -f "$REF/gitrel/releases/1.2.0+build.1.ref$SHORT/gitrel.rel"

# ---- the import ----
"$R" init --import >"$T/init.out" 2>&1 || { cat "$T/init.out"; bad "relman init --import"; }
Y=relman.yml
has() { grep -qxF -- "$2" "$Y" || { echo "relman.yml lacks '$2'"; cat "$Y"; return 1; }; }
check "lower version keyed by its version" has v1 '  multi_0_0_1:'
check "... named as the release" has v2 '    name: multi'
check "the highest version under the name" has v3 '  multi:'
check "extend: the base's goals" has ext '      sasl: permanent'
check "{erts, Vsn}" has erts "    erts_version: \"$ERTS\""
check "pin {App, Vsn}" has pin1 '      svc: "1.0.0"'
check "pin {App, Vsn, Mode}" has pin2 "      sasl: \"$SASL\""
check "pinned mode" has pin3 '      sasl: load'
check "semver" has semver '    version: {git: tag}'
check "cmd" has cmd '    version: {cmd: "printf 3.4.5"}'
check "git short" has short '    version: {git: short}'
check "mode dev links" has dev '    dev_mode: true'
check "mode dev keeps debug info" has strip '    strip_beams: false'
check "rebar3 default: no ERTS" has erts0 '    include_erts: false'
check "exclude_apps" has exa '    exclude_apps: [lib1]'
check "exclude_modules" has exm '      svc: [svc_extra]'
check "{App, Vsn, [Incl]}" has incl1 '      host: [inc1]'
check "{App, []}" has incl2 '      svc: []'
check "system_libs" has sys '    system_libs: false'
check "generate_start_script" has gss '    include_executables_for: []'
check "minimal: no src" has src '    include_src: false'

# ---- the .rel of every release, against rebar3's ----
rel_of() { # rel_of KEY NAME: assemble KEY beside, print its .rel path
    local out=$T/out/$1
    "$R" assemble "$1" --no-compile --quiet --path "$out" >"$T/asm-$1.log" 2>&1 ||
        { cat "$T/asm-$1.log" >&2; return 1; }
    ls "$out"/releases/*/"$2".rel
}
same_rel() { # same_rel KEY NAME VSN
    local mine
    mine=$(rel_of "$1" "$2") || return 1
    same_terms "$mine" "$REF/$2/releases/$3/$2.rel"
}
check ".rel multi (the highest)" same_rel multi multi 0.0.2
check ".rel multi 0.0.1 (by its key)" same_rel multi_0_0_1 multi 0.0.1
check ".rel ext" same_rel ext ext 0.0.2
check ".rel ertsrel" same_rel ertsrel ertsrel 1.0.0
check ".rel pins" same_rel pins pins 1.0.0
check ".rel gitrel" same_rel gitrel gitrel "1.2.0+build.1.ref$SHORT"
check ".rel cmdrel" same_rel cmdrel cmdrel 3.4.5
check ".rel shortrel" same_rel shortrel shortrel "$SHORT"
check ".rel lean" same_rel lean lean 1.0.0
check ".rel incl (included-applications goals)" same_rel incl incl 1.0.0
check "incl: the boot script loads host with the .rel's included list" \
    grep -q '{included_applications,\[inc1\]}' "$T/out/incl/releases/1.0.0/start.script"
L=$T/out/lean
check "lean: svc's .app without lib1, as relx's" same_terms \
    "$L/lib/svc-1.0.0/ebin/svc.app" "$REF/lean/lib/svc-1.0.0/ebin/svc.app"
check "lean: no svc_extra.beam" test ! -e "$L/lib/svc-1.0.0/ebin/svc_extra.beam"
check "lean: no lib1" test ! -e "$L/lib/lib1-0.3.0"
check "lean: no OTP applications (system_libs)" bash -c "! ls '$L/lib' | grep -q '^kernel-'"
check "lean: no bin/lean" test ! -e "$L/bin/lean"
same_lib() { # same_lib MINE THEIRS: the same lib/APP-VSN names, and the same subdirectories
    local a b
    a=$(cd "$1/lib" && for d in *; do echo "$d: $(ls "$d" 2>/dev/null | tr '\n' ' ')"; done)
    b=$(cd "$2/lib" && for d in *; do echo "$d: $(ls "$d" 2>/dev/null | tr '\n' ' ')"; done)
    [ "$a" = "$b" ] || { printf 'relman:\n%s\nrebar3:\n%s\n' "$a" "$b"; return 1; }
}
check "lean: lib/ as relx's" same_lib "$L" "$REF/lean"
check "multi (dev): lib/ as relx's" same_lib "$T/out/multi" "$REF/multi"
check "multi: lib links into _build (dev mode)" \
    test "$(readlink "$T/out/multi/lib/dep1-2.0.0")" = "$P/_build/default/checkouts/dep1"

# ---- the prod profile (rebar3 as prod): the redefined release, ERTS bundled ----
REBAR_PROFILE=prod "$R" init --import --force >"$T/init-prod.out" 2>&1 ||
    { cat "$T/init-prod.out"; bad "init --import under REBAR_PROFILE=prod"; }
check "prod: the profile" has penv '  env: prod'
check "prod: ERTS bundled" has perts '    include_erts: true'
check "prod: stripped" has pstrip '    strip_beams: true'
mine=$(rel_of multi multi) && ok || bad "assemble multi (prod)"
check ".rel multi (prod profile)" same_terms "$mine" "$P/_build/prod/rel/multi/releases/0.0.2/multi.rel"
check "prod: ERTS in the release" test -d "$T/out/multi/erts-$ERTS"
check "prod: OTP applications copied" test -d "$T/out/multi/lib/sasl-$SASL/ebin"
check "prod: lib/ as relx's (no src)" same_lib "$T/out/multi" "$P/_build/prod/rel/multi"

# ---- re-running over rebar3's release; replacing relman's own ----
"$R" init --import --force >/dev/null 2>&1 || bad "init --import again"
before=$(ls "$REF/multi/releases")
out=$("$R" assemble multi --no-compile 2>&1)
check "rebar3's release is refused" test $? -ne 0
check "the refusal names --overwrite" grep -q -- "--overwrite" <<<"$out"
check "the refusal is one line" test "$(grep -c "^relman:" <<<"$out")" -eq 1
check "rebar3's release is untouched" test "$(ls "$REF/multi/releases")" = "$before"
"$R" assemble multi --no-compile --overwrite --quiet >"$T/ow.log" 2>&1 || { cat "$T/ow.log"; bad "--overwrite"; }
check "replaced whole: rebar3's 0.0.1 is gone" test ! -e "$REF/multi/releases/0.0.1"
check "relman's manifest" test -f "$REF/multi/.relman/manifest"
out=$("$R" assemble multi --no-compile 2>&1) && ok || bad "relman's own release needs no flag: $out"
check "incremental" grep -q "reused" <<<"$out"
export RELEASE_NODE=$NODE
"$REF/multi/bin/multi" daemon >"$T/daemon.log" 2>&1 || { cat "$T/daemon.log"; bad "daemon"; }
check "the node answers" wait_rpc "$REF/multi/bin/multi"
check "svc sees lib1 and the checkout dep1" test \
    "$("$REF/multi/bin/multi" rpc 'io:format("~p~n", [svc:hello()])')" = "{lib1,dep1}"
check "stop" "$REF/multi/bin/multi" stop
check "the node is gone" wait_gone "$REF/multi/erts\|-sname $NODE"

# ---- erlang.mk: the application at the root and its deps/ ----
E=$T/emk
mkdir -p "$E/ebin" "$E/src" "$E/deps/edep/ebin" "$E/deps/edep/src"
cd "$E" || exit 1
: >erlang.mk
printf 'PROJECT = emk\nDEPS = edep\ninclude erlang.mk\n' >Makefile
printf -- '-module(emk).\n-export([hello/0]).\nhello() -> edep:name().\n' >src/emk.erl
printf -- '-module(edep).\n-export([name/0]).\nname() -> edep.\n' >deps/edep/src/edep.erl
erlc -o ebin src/emk.erl && erlc -o deps/edep/ebin deps/edep/src/edep.erl || bad "erlc"
printf '{application,emk,[{vsn,"0.1.0"},{description,"e"},{modules,[emk]},{registered,[]},{applications,[kernel,stdlib,edep]}]}.\n' >ebin/emk.app
printf '{application,edep,[{vsn,"1.1.0"},{description,"d"},{modules,[edep]},{registered,[]},{applications,[kernel,stdlib]}]}.\n' >deps/edep/ebin/edep.app
printf 'releases:\n  emk:\n    version: "0.1.0"\n    include_erts: false\n    applications:\n      emk: permanent\n' >relman.yml
"$R" assemble --quiet >"$T/emk.log" 2>&1 || { cat "$T/emk.log"; bad "erlang.mk project assembles"; }
ER=$E/_build/rel/emk
check "deps/ found with no lib_dirs" test -d "$ER/lib/edep-1.1.0/ebin"
export RELEASE_NODE=emk$$
"$ER/bin/emk" daemon >"$T/emkd.log" 2>&1 || { cat "$T/emkd.log"; bad "emk daemon"; }
check "emk answers" wait_rpc "$ER/bin/emk"
check "emk runs its dependency" test "$("$ER/bin/emk" rpc 'io:format("~p~n", [emk:hello()])')" = edep
check "emk stop" "$ER/bin/emk" stop
check "nothing of ours is left running" none_left

# ---- what relman cannot honour fails the import, naming the option ----
N=$T/refuse
mkdir -p "$N/src" && cd "$N" || exit 1
printf '{application, n, [{vsn, "1"}]}.\n' >src/n.app.src
refused() { # refused OPTION-TERM WORD
    printf '{relx, [{release, {n, "1"}, [n]}, %s]}.\n' "$1" >rebar.config
    local o
    o=$("$R" init --import --force 2>&1) && { echo "accepted: $1"; return 1; }
    [ "$(wc -l <<<"$o")" -eq 1 ] || { echo "not one line: $o"; return 1; }
    grep -qF -- "$2" <<<"$o" || { echo "does not name $2: $o"; return 1; }
    [ ! -e relman.yml ] || { echo "relman.yml written"; return 1; }
}
check "malformed overlay refused" refused '{overlay, [{nonsense_op, "x"}]}' "malformed"
check "hooks refused" refused '{extended_start_script_hooks, []}' "extended_start_script_hooks"
check "unknown option refused" refused '{frobnicate, true}' "frobnicate"
check "a goal relx does not accept refused" refused '{release, {m, "1"}, [{n, "1", load, [x], y}]}' "{n,"
check "bad extend refused" refused '{release, {m, "1", {extend, nope}}, [n]}' "extend"
finish
