#!/usr/bin/env bash
# Issue 13 point 7: umbrellas and several releases as mix has them, on an
# umbrella written here (apps a, b, c; c depends on a) and compiled once:
#   - releases: slices of the umbrella with their own applications, a
#     version {:from_app, :b}, default_release;
#   - `relman assemble` without a name builds default_release as `mix
#     release` does; each release gives the same .rel, start.script and
#     relative paths as mix's;
#   - several releases without default_release, an unknown release: refused,
#     naming the releases (mix refuses both too);
#   - an umbrella without releases: `mix release` refuses it; `relman init
#     --import` says what mix would say and what it proposes instead, and the
#     proposal assembles;
#   - a release of one child made in its directory (build_path
#     "../../_build"), as mix's refusal suggests.
set -u
. "$(dirname "$0")/lib/assemble.sh"

U=$T/shop
child() { # child NAME VSN DEPS-TERM
    mkdir -p "$U/apps/$1/lib"
    cat >"$U/apps/$1/mix.exs" <<MIX
defmodule ${1^}.MixProject do
  use Mix.Project
  def project do
    [app: :$1, version: "$2", build_path: "../../_build", config_path: "../../config/config.exs",
     deps_path: "../../deps", lockfile: "../../mix.lock", deps: $3]
  end
  def application, do: [extra_applications: [:logger]]
end
MIX
    printf 'defmodule %s do\n  def hello, do: :%s\nend\n' "${1^}" "$1" >"$U/apps/$1/lib/$1.ex"
}
child a 1.2.3 '[]'
child b 2.0.0 '[]'
child c 0.3.0 '[{:a, in_umbrella: true}]'
cat >"$U/mix.exs" <<'MIX'
defmodule Shop.MixProject do
  use Mix.Project

  def project do
    [
      apps_path: "apps",
      version: "0.1.0",
      deps: [],
      default_release: :back,
      releases: [
        front: [version: {:from_app, :b}, applications: [b: :permanent, a: :temporary]],
        back: [applications: [c: :permanent]]
      ]
    ]
  end
end
MIX
(cd "$U" && MIX_ENV=prod mix compile >"$T/compile.log" 2>&1) || { cat "$T/compile.log"; bad "mix compile"; }
cp -a "$U" "$T/shopmix"
M=$T/shopmix

if (cd "$U" && "$R" init --import >"$T/import.out" 2>&1); then ok; else bad "init --import: $(cat "$T/import.out")"; fi
Y=$U/relman.yml
check "default_release imported" grep -q '^default_release: back' "$Y"
check "from_app version imported" grep -q 'version: {from_app: b}' "$Y"
check "front's applications" bash -c "sed -n '/^  front:/,/^  back:/p' '$Y' | grep -q 'a: temporary'"
check "back's applications" bash -c "sed -n '/^  back:/,\$p' '$Y' | grep -q 'c: permanent'"

paths() { (cd "$1" && find . -path ./tmp -prune -o -print | grep -v -e '^\./\.relman' | LC_ALL=C sort); }
compare() { # compare REL VSN
    local m=$M/_build/prod/rel/$1 o=$U/_build/prod/rel/$1
    if diff <(paths "$m") <(paths "$o") >"$T/$1.diff"; then ok; else
        bad "$1: relative paths differ (mix < > relman):"
        head -20 "$T/$1.diff"
    fi
    for f in "$1.rel" start.script start_clean.script; do
        if res=$(same_terms "$m/releases/$2/$f" "$o/releases/$2/$f"); then ok; else
            bad "$1 $f differs as terms: $(echo "$res" | head -c 1200)"
        fi
    done
}
# without a name: default_release, for both
(cd "$M" && MIX_ENV=prod mix release >"$T/mix-back.log" 2>&1) || bad "mix release: $(tail -3 "$T/mix-back.log")"
(cd "$U" && "$R" assemble --no-compile --quiet) || bad "relman assemble (default_release)"
check "the default release was built" test -d "$U/_build/prod/rel/back/releases/0.1.0"
compare back 0.1.0
check "back holds c and a (its dependency), not b" bash -c "ls '$U/_build/prod/rel/back/lib' | grep -q '^a-1.2.3' && ! ls '$U/_build/prod/rel/back/lib' | grep -q '^b-'"
(cd "$M" && MIX_ENV=prod mix release front >"$T/mix-front.log" 2>&1) || bad "mix release front: $(tail -3 "$T/mix-front.log")"
(cd "$U" && "$R" assemble front --no-compile --quiet) || bad "relman assemble front"
check "front's version is b's (from_app)" test -d "$U/_build/prod/rel/front/releases/2.0.0"
compare front 2.0.0
check "front boots: a is loaded, temporary" bash -c "'$U/_build/prod/rel/front/bin/front' eval ':ok = Application.ensure_loaded(:a); IO.puts(:ok)' | grep -qx ok"

# several releases and no default_release; an unknown release
sed -i '/^default_release:/d' "$Y"
(cd "$U" && "$R" assemble --no-compile >/dev/null 2>"$T/noname.err")
check "no name, no default_release: refused" test $? -ne 0
check "... naming the releases and default_release" grep -q 'several releases (front, back) and no default_release' "$T/noname.err"
sed -i 's/      default_release: :back,//' "$M/mix.exs"
check "mix refuses it too" bash -c "cd '$M' && ! MIX_ENV=prod mix release >'$T/mix-noname.log' 2>&1 && grep -q 'multiple releases' '$T/mix-noname.log'"
(cd "$U" && "$R" assemble nope --no-compile >/dev/null 2>"$T/nope.err")
check "unknown release refused" test $? -ne 0
check "... listing the releases" grep -q "no release 'nope'.*front, back" "$T/nope.err"

# an umbrella without releases
rm -f "$Y"
sed -i '/default_release:/d; /releases: \[/,/^      \]$/d' "$U/mix.exs" "$M/mix.exs"
check "mix.exs without releases" bash -c "! grep -q releases: '$U/mix.exs'"
check "mix release refuses the umbrella" bash -c "cd '$M' && ! MIX_ENV=prod mix release >'$T/mix-umb.log' 2>&1 && grep -q 'Umbrella projects require releases' '$T/mix-umb.log'"
if (cd "$U" && "$R" init --import >"$T/umb.out" 2>&1); then ok; else bad "init --import of the bare umbrella: $(cat "$T/umb.out")"; fi
check "init says what mix would say" grep -q '`mix release` would refuse this umbrella' "$T/umb.out"
check "... and what it proposes" grep -q 'Proposed instead: release shop with every child (a, b, c)' "$T/umb.out"
check "relman.yml says it too" grep -q 'mix.exs defines no releases' "$Y"
(cd "$U" && "$R" assemble --no-compile --quiet) || bad "relman assemble of the proposed release"
check "the proposal holds every child" bash -c "ls '$U/_build/prod/rel/shop/lib' | grep -c -e '^a-' -e '^b-' -e '^c-' | grep -qx 3"

# the other way mix points to: a release of one child, made in its directory
# with the umbrella's build (build_path: "../../_build")
mkdir -p "$U/config" "$M/config"
echo 'import Config' | tee "$U/config/config.exs" >"$M/config/config.exs"
if (cd "$U/apps/c" && "$R" init --import >"$T/child.out" 2>&1); then ok; else bad "init --import in apps/c: $(cat "$T/child.out")"; fi
check "the child's build_path imported" grep -q 'build_path: "../../_build"' "$U/apps/c/relman.yml"
(cd "$M/apps/c" && MIX_ENV=prod mix release >"$T/mix-c.log" 2>&1) || bad "mix release in apps/c: $(tail -3 "$T/mix-c.log")"
(cd "$U/apps/c" && "$R" assemble --no-compile --quiet) || bad "relman assemble in apps/c"
check "released into the umbrella's _build, as mix" test -d "$U/_build/prod/rel/c/releases/0.3.0"
compare c 0.3.0
finish
