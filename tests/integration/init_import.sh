#!/usr/bin/env bash
# relman init --import on small projects written here: rebar3 (relx goals of
# every form, a profile overriding the base section, no relx section at all)
# and Mix (every option, function steps and providers, a release given as a
# function, no :releases). The written relman.yml must be what the project
# says, and relman must accept it.
set -u
. "$(dirname "$0")/lib/project.sh"

expect() { # expect NAME FILE TEXT
    grep -qF -- "$3" "$2" && ok || { fail "$1: $2 lacks '$3'"; cat "$2"; }
}

# ---- rebar3: goals of every form, per-release options, a profile ----
mkdir -p "$TMP/r3/src" && cd "$TMP/r3" || exit 1
cat >src/svc.app.src <<'APP'
{application, svc, [{vsn, "2.3.4"}, {applications, [kernel, stdlib]}]}.
APP
cat >rebar.config <<'CFG'
{relx, [
    {release, {svc, "2.3.4"}, [svc, {sasl, load}, {runtime_tools, "1.19"}, {tools, "3.5.3", temporary}]},
    {release, {tiny, "0.1.0"}, [svc], [{sys_config, "config/tiny.config"}]},
    {default_release, {svc, "2.3.4"}},
    {sys_config, "config/sys.config"},
    {vm_args_src, "config/vm.args.src"},
    {include_erts, false},
    {overlay, [{mkdir, "log"}]}
]}.
{profiles, [{prod, [{relx, [{include_erts, true}, {vm_args_src, "config/prod.vm.args.src"}]}]}]}.
CFG
"$R" init --import >out.txt 2>&1 && ok || { fail "rebar3 import"; cat out.txt; }
expect r3-kind relman.yml "kind: rebar3"
expect r3-env relman.yml "env: default"
expect r3-default relman.yml "default_release: svc"
expect r3-goal-atom relman.yml "      svc: permanent"
expect r3-goal-type relman.yml "      sasl: load"
expect r3-goal-vsn relman.yml "      runtime_tools: permanent"
expect r3-goal-vsn-type relman.yml "      tools: temporary"
expect r3-sysconfig relman.yml "    sys_config: config/sys.config"
expect r3-vmargs relman.yml "    vm_args: config/vm.args.src"
expect r3-erts relman.yml "    include_erts: false"
expect r3-per-release relman.yml "    sys_config: config/tiny.config"
expect r3-overlay relman.yml '      - mkdir: "log"'
"$R" releases >rel.txt 2>&1 && ok || { fail "relman releases on the import"; cat rel.txt; }
expect r3-releases rel.txt "svc *"
"$R" init --import --force --env prod >/dev/null 2>&1 && ok || fail "rebar3 import, prod"
expect r3-prod relman.yml "env: prod"
expect r3-prod-erts relman.yml "    include_erts: true"
expect r3-prod-vmargs relman.yml "    vm_args: config/prod.vm.args.src"

# no relx section: a release named after the application
printf '{deps, []}.\n' >rebar.config
"$R" init --import --force >out.txt 2>&1 && ok || { fail "rebar3 import without relx"; cat out.txt; }
expect r3-proposed out.txt "proposed release svc"
expect r3-proposed-yml relman.yml '    version: "2.3.4"'
expect r3-proposed-app relman.yml "      svc: permanent"

# a rebar.config that does not parse: one line naming the place
printf '{relx, [\n  {release, {svc, "1"}, [svc]\n]}.\n' >rebar.config
out=$("$R" init --import --force 2>&1)
[ $? -eq 1 ] && ok || fail "broken rebar.config should fail"
grep -q "rebar.config:3:" <<<"$out" && ok || fail "broken rebar.config: no FILE:LINE: $out"

# ---- Mix: every option, function steps and providers, a release given as a
# function, an option relman refuses, no releases ----
mkdir -p "$TMP/mx/lib" && cd "$TMP/mx" || exit 1
cat >mix.exs <<'MIX'
defmodule Mx.MixProject do
  use Mix.Project
  def project do
    [app: :mx, version: "1.2.3", deps: [],
     default_release: :full,
     releases: [
       full: [
         version: {:from_app, :mx},
         applications: [mx: :permanent, runtime_tools: :load],
         include_executables_for: [:unix],
         strip_beams: [keep: ["Docs"], compress: true],
         steps: [:assemble, &IO.inspect/1, :tar],
         config_providers: [{Foo, "x"}],
         include_erts: fn -> true end,
         path: "out/full",
         runtime_config_path: false,
         skip_mode_validation_for: [:mx],
         reboot_system_after_config: true
       ],
       lazy: fn -> [applications: [mx: :temporary]] end
     ]]
  end
  def application, do: [extra_applications: [:logger]]
end
MIX
# include_erts as a function: called at import, as mix calls it (checked below)
"$R" init --import >out.txt 2>&1 && ok || { fail "mix import"; cat out.txt; }
expect mx-app relman.yml "  app: mx"
expect mx-default relman.yml "default_release: full"
expect mx-from-app relman.yml "    version: {from_app: mx}"
expect mx-apps relman.yml "      runtime_tools: load"
expect mx-exec relman.yml "    include_executables_for: [unix]"
expect mx-strip relman.yml "    strip_beams: {keep: [Docs], compress: true}"
expect mx-steps relman.yml "      - assemble"
expect mx-steps-fn relman.yml "      - {mix: 2}  # &IO.inspect/1"
expect mx-steps-tar relman.yml "      - tar"
expect mx-providers relman.yml "      - mix: 1  # {'Elixir.Foo',\"x\"}"
expect mx-erts relman.yml "    include_erts: true"
expect mx-path relman.yml "    path: out/full"
expect mx-runtime relman.yml "    runtime_config_path: false"
expect mx-skip relman.yml "    skip_mode_validation_for: [mx]"
expect mx-reboot relman.yml "    reboot_system_after_config: true"
expect mx-fn-release relman.yml "      mx: temporary"
expect mx-lazy-version relman.yml '    version: "1.2.3"'
grep -q "not imported" relman.yml && fail "mix import left 'not imported' comments" || ok
# include_erts given as a function is called at import, as mix calls it (issue 13)
expect mx-erts-fn relman.yml "    include_erts: true"
expect mx-erts-fn-said relman.yml "# include_erts was a function in mix.exs"
"$R" releases >rel.txt 2>&1 && ok || { fail "relman releases on the mix import"; cat rel.txt; }

# no :releases: the release mix would make, named after :app
sed -i 's/default_release: :full,//; /releases: \[/,/^     \]\]/c\     ]' mix.exs
"$R" init --import --force >out.txt 2>&1 && ok || { fail "mix import, no releases"; cat out.txt mix.exs; }
expect mx-proposed out.txt "proposed release mx"
expect mx-proposed-yml relman.yml "      mx: permanent"

# mix failing: its complaint, one line
printf 'defmodule Broken do\n' >mix.exs
out=$("$R" init --import --force 2>&1)
[ $? -eq 1 ] && ok || fail "broken mix.exs should fail"
grep -q "mix could not print the project configuration" <<<"$out" && ok || fail "broken mix.exs: $out"
grep -q "mix.exs:2" <<<"$out" && ok || fail "broken mix.exs: mix's error line should be shown: $out"
[ "$(wc -l <<<"$out")" -eq 1 ] && ok || fail "broken mix.exs: not one line: $out"
finish
