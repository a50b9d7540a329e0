#!/usr/bin/env bash
# Issue 13 point 5 (and 6): release options in every form mix accepts, each
# release built by `mix release` (run here, at test time) and by `relman
# assemble` from the imported relman.yml, on the same compiled fixture:
#   ov    overlays: "rel/another" (a string): rel/overlays and rel/another
#         both copied, rel/another wins, empty directories kept
#   sb    strip_beams: [keep: "Docs"] (a string), include_executables_for: []
#   fe/ft include_erts: fn -> false end / fn -> ... true end (evaluated at
#         import; fe is only built by relman, to keep the test short)
#   zz    include_erts: the ERTS copied out of another release (ft's)
#   demo  include_erts: false with a tar step, into a path that held a
#         build with ERTS
# Each release: the same relative paths as mix's; rel/remote.vm.args.eex
# (a `for`, function calls, @release.options) rendered by Elixir's EEx
# byte for byte as mix renders it, and `relman render` shows the same.
# Also mix release's build flags on `relman assemble`.
set -u
. "$(dirname "$0")/lib/assemble.sh"

P=$T/rt
M=$T/rtmix
export TMPDIR=$T/tmpdir # where the EEx hand-off makes its private directory
mkdir -p "$TMPDIR"
mkdir -p "$P/lib" "$P/rel/overlays/empty/directory" "$P/rel/another/empty/directory"
cat >"$P/mix.exs" <<'MIX'
defmodule ReleaseTest.MixProject do
  use Mix.Project

  def project do
    [
      app: :release_test,
      version: "0.1.0",
      deps: [],
      default_release: :ov,
      releases: [
        ov: [overlays: "rel/another", my_flag: "from mix.exs"],
        sb: [strip_beams: [keep: "Docs"], include_executables_for: []],
        fe: [include_erts: fn -> false end],
        ft: [include_erts: fn -> System.get_env("NO_ERTS_AT_ALL") == nil end],
        demo: [include_erts: false, steps: [:assemble, :tar]],
        zz: [include_erts: "_build/prod/rel/ft/erts-#{:erlang.system_info(:version)}"]
      ]
    ]
  end

  def application, do: [extra_applications: [:logger]]
end
MIX
cat >"$P/lib/release_test.ex" <<'EX'
defmodule ReleaseTest do
  @moduledoc "A module with docs (the Docs chunk) and debug info (Dbgi)."
  @doc "Answers."
  def hello, do: :world
end
EX
echo world >"$P/rel/overlays/hello"
echo kept >"$P/rel/overlays/original"
echo override >"$P/rel/another/hello"
cat >"$P/rel/remote.vm.args.eex" <<'EEX'
## <%= String.upcase(to_string(@release.name)) %> <%= @release.version %>
<%= for app <- @release.applications |> Map.keys() |> Enum.sort() do %>
## <%= app %> <%= @release.applications[app][:vsn] %> <%= @release.applications[app][:mode] %>
<% end %>
## overlays=<%= inspect(@release.options[:overlays]) %> my_flag=<%= @release.options[:my_flag] || "-" %>
## erts bundled: <%= @release.erts_source != nil %>, steps: <%= inspect(@release.steps) %>
## <%= Path.relative_to(@release.version_path, @release.path) %>
EEX
(cd "$P" && MIX_ENV=prod mix compile >"$T/compile.log" 2>&1) || { cat "$T/compile.log"; bad "mix compile"; }
cp -a "$P" "$M"

# import
if (cd "$P" && "$R" init --import >"$T/import.out" 2>&1); then ok; else bad "init --import: $(cat "$T/import.out")"; fi
Y=$P/relman.yml
check "overlays as a string imported" grep -q 'overlays: \[rel/another\]' "$Y"
check "strip_beams keep as a string imported" grep -q 'strip_beams: {keep: \[Docs\]' "$Y"
check "include_erts function evaluated (false)" \
    bash -c "sed -n '/^  fe:/,/^  [a-z]*:\$/p' '$Y' | grep -q 'include_erts: false'"
check "include_erts function evaluated (true)" \
    bash -c "sed -n '/^  ft:/,/^  demo:/p' '$Y' | grep -q 'include_erts: true'"
check "the evaluation is said" grep -q 'include_erts was a function in mix.exs' "$Y"
check "include_erts path imported" grep -q 'include_erts: _build/prod/rel/ft/erts-' "$Y"

paths() { (cd "$1" && find . -path ./tmp -prune -o -print | grep -v -e '^\./\.relman' | LC_ALL=C sort); }
build_both() { # build_both REL: mix release REL in $M, relman assemble REL in $P
    (cd "$M" && MIX_ENV=prod mix release "$1" --overwrite >"$T/mix-$1.log" 2>&1) ||
        { bad "mix release $1: $(tail -5 "$T/mix-$1.log")"; return 1; }
    (cd "$P" && "$R" assemble "$1" --no-compile --quiet >"$T/asm-$1.log" 2>&1) ||
        { bad "relman assemble $1: $(cat "$T/asm-$1.log")"; return 1; }
    if diff <(paths "$M/_build/prod/rel/$1") <(paths "$P/_build/prod/rel/$1") >"$T/$1.diff"; then ok; else
        bad "$1: relative paths differ (mix < > relman):"
        head -20 "$T/$1.diff"
    fi
    local v=releases/0.1.0/remote.vm.args
    check "$1: remote.vm.args (Elixir's EEx) byte for byte" cmp "$M/_build/prod/rel/$1/$v" "$P/_build/prod/rel/$1/$v"
    check "$1: relman render shows it" bash -c "cd '$P' && '$R' render '$1' remote.vm.args | cmp - '$P/_build/prod/rel/$1/$v'"
}

for rel in ov sb ft; do build_both $rel; done
(cd "$P" && "$R" assemble fe --no-compile --quiet) || bad "relman assemble fe"
O=$P/_build/prod/rel
check "ov: rel/another wins" test "$(cat "$O/ov/hello")" = override
check "ov: rel/overlays kept" test "$(cat "$O/ov/original")" = kept
check "ov: empty directory kept" test -d "$O/ov/empty/directory"
check "ov: my_flag from mix.exs reached the template" grep -q 'my_flag=from mix.exs' "$O/ov/releases/0.1.0/remote.vm.args"
check "sb: Docs kept, Dbgi stripped" erl -noshell -eval "
    {ok, B} = file:read_file(\"$O/sb/lib/release_test-0.1.0/ebin/Elixir.ReleaseTest.beam\"),
    {ok, {_, [{\"Docs\", _}]}} = beam_lib:chunks(B, [\"Docs\"]),
    {error, _, _} = beam_lib:chunks(B, [\"Dbgi\"]),
    halt(0)."
for f in bin/sb bin/start releases/0.1.0/elixir releases/0.1.0/iex releases/0.1.0/env.sh; do
    check "sb: no $f" test ! -e "$O/sb/$f"
done
check "sb: bin/ is there, empty, as mix leaves it" test -d "$O/sb/bin"
check "fe: no ERTS" bash -c "! ls '$O/fe' | grep -q erts"
check "fe: no OTP application" test ! -e "$O/fe/lib/stdlib-"*
check "ft: ERTS bundled" bash -c "ls '$O/ft' | grep -q '^erts-'"

# zz: the ERTS of release ft (relman's ft in P, mix's ft in M)
build_both zz
check "zz: bundles an ERTS" bash -c "ls '$O/zz' | grep -q '^erts-'"
check "zz: boots on it" bash -c "'$O/zz/bin/zz' eval 'IO.puts(:code.root_dir())' | grep -qx '$O/zz'"

# demo: tar without ERTS where a build with ERTS was
sed -i '/^  demo:/,/^  zz:/s/include_erts: false/include_erts: true/' "$Y"
(cd "$P" && "$R" assemble demo --no-compile --quiet) || bad "assemble demo with ERTS"
check "demo: the first build has ERTS" bash -c "ls '$O/demo' | grep -q '^erts-'"
sed -i '/^  demo:/,/^  zz:/s/include_erts: true/include_erts: false/' "$Y"
# the same on mix's side: a build with ERTS first, then without
sed -i 's/demo: \[include_erts: false/demo: [include_erts: true/' "$M/mix.exs"
(cd "$M" && MIX_ENV=prod mix release demo --overwrite >"$T/mix-demo0.log" 2>&1) || bad "mix release demo with ERTS"
sed -i 's/demo: \[include_erts: true/demo: [include_erts: false/' "$M/mix.exs"
build_both demo
tarlist() { tar tzf "$1" | sed 's|/$||' | LC_ALL=C sort -u; }
check "demo tarball: no ERTS, no OTP application" bash -c "! tar tzf '$P/_build/prod/demo-0.1.0.tar.gz' | grep -q -e erts -e stdlib"
check "demo tarball: bin/demo, COOKIE, overlays" bash -c "tar tzf '$P/_build/prod/demo-0.1.0.tar.gz' | sed 's|/\$||' | grep -c -x -e bin/demo -e releases/COOKIE -e hello -e empty/directory | grep -qx 4"
# Every entry of mix's tarball is in relman's, except the OTP applications
# mix's tar takes from lib/ where the build with ERTS left them (it packs
# lib/APP-VSN of every application that exists there; relman packs what the
# release holds: docs/compat.md)
otp_lib=$(erl -noshell -eval 'io:format("~s", [code:lib_dir()]), halt().')
otp_apps=$(ls "$otp_lib" | sed 's|^|lib/|; s|$|/|' | paste -sd'|')
tarlist "$M/_build/prod/demo-0.1.0.tar.gz" | grep -c -E "^($otp_apps)" >"$T/mix-otp.count"
check "mix's tar packs the stale OTP applications (the difference compat.md lists)" \
    test "$(cat "$T/mix-otp.count")" -gt 0
if comm -23 <(tarlist "$M/_build/prod/demo-0.1.0.tar.gz" | grep -v -E "^($otp_apps)") \
    <(tarlist "$P/_build/prod/demo-0.1.0.tar.gz") >"$T/tar.diff" && [ ! -s "$T/tar.diff" ]; then ok; else
    bad "demo tarball: entries of mix's missing in relman's: $(head -10 "$T/tar.diff")"
fi

# the hand-off leaves nothing behind; its cache is private; Elixir's error
# is one line naming the template
check "no private directory of the hand-off left" bash -c "! ls '$TMPDIR' | grep -q relman-eex"
check "the EEx cache is mode 0600" test "$(stat -c %a "$P/_build/prod/.relman/eex-rel_remote.vm.args.eex")" = 600
cp "$P/rel/remote.vm.args.eex" "$T/remote.vm.args.eex.good"
printf '<%%= if true do %%>\n<%%= raise "boom from the template" %%>\n<%% end %%>\n' >"$P/rel/remote.vm.args.eex"
(cd "$P" && "$R" render ov remote.vm.args >"$T/boom.out" 2>"$T/boom.err")
check "a raising template fails the render" test $? -ne 0
check "... with one line naming the file and Elixir's error" \
    grep -qx 'relman: rel/remote.vm.args.eex: EEx: \*\* (RuntimeError) boom from the template' "$T/boom.err"
check "... and nothing else" test "$(wc -l <"$T/boom.err")" = 1
check "no private directory left after the error" bash -c "! ls '$TMPDIR' | grep -q relman-eex"
# an error that inspects @release never shows the cookie
cp "$Y" "$T/relman.yml.good"
sed -i 's/^  ov:$/  ov:\n    cookie: sekrit-cookie-4242/' "$Y"
printf '<%%= if @release.nope do %%>x<%% end %%>\n' >"$P/rel/remote.vm.args.eex"
(cd "$P" && "$R" render ov remote.vm.args >/dev/null 2>"$T/key.err")
check "a KeyError on @release is reported" grep -q 'EEx: \*\* (KeyError) key :nope not found' "$T/key.err"
check "... without the cookie" bash -c "! grep -q sekrit-cookie-4242 '$T/key.err'"
printf '<%%= raise "the cookie is #{@release.options[:cookie]}" %%>\n' >"$P/rel/remote.vm.args.eex"
(cd "$P" && "$R" render ov remote.vm.args >/dev/null 2>"$T/cookie.err")
check "an error holding the cookie has it masked" grep -q 'the cookie is \*\*\*\*\*\*\*\*$' "$T/cookie.err"
cp "$T/relman.yml.good" "$Y"
cp "$T/remote.vm.args.eex.good" "$P/rel/remote.vm.args.eex"

# mix release's build flags
(cd "$P" && "$R" -v assemble ov --force --no-deps-check --no-archives-check --no-elixir-version-check >"$T/flags.out" 2>&1) ||
    bad "assemble with the build flags: $(tail -5 "$T/flags.out")"
check "the flags reach mix compile" grep -q 'mix compile --force --no-deps-check --no-archives-check --no-elixir-version-check' "$T/flags.out"
check "--force recompiles" grep -q 'Compiling 1 file' "$T/flags.out"
(cd "$P" && "$R" assemble ov --force --no-compile >/dev/null 2>"$T/flags.err")
check "--force with --no-compile is a usage error" test $? -eq 2
check "... saying why" grep -q 'not with --no-compile' "$T/flags.err"
finish
