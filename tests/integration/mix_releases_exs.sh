#!/usr/bin/env bash
# Issue 13 (point 1): the project option config_path and the deprecated
# config/releases.exs (which Elixir 1.14 still honours, with a warning, and
# with reboot_system_after_config on by default), on a Mix project written
# here: imported, assembled without evaluating releases.exs, sys.config equal
# as terms to what `mix release` makes, and the booted node sees both files.
set -u
. "$(dirname "$0")/lib/assemble.sh"

N=h13c$$
Q=$T/old
mkdir -p "$Q/lib" "$Q/cfg" && cd "$Q" || exit 1
cat >mix.exs <<'MIX'
defmodule Old.MixProject do
  use Mix.Project
  def project, do: [app: :old, version: "0.2.0", deps: [], config_path: "cfg/main.exs"]
  def application, do: [extra_applications: [:logger]]
end
MIX
printf 'defmodule Old do\nend\n' >lib/old.ex
printf 'import Config\nconfig :old, from: :main_exs\n' >cfg/main.exs
printf 'import Config\nconfig :old, secret: System.fetch_env!("OLD_SECRET")\n' >cfg/releases.exs
(MIX_ENV=prod mix compile >"$T/compile-old.log" 2>&1) || { cat "$T/compile-old.log"; bad "mix compile old"; }
cp -a "$Q" "$T/oldmix"
(cd "$T/oldmix" && MIX_ENV=prod mix release --quiet >"$T/mix-old.log" 2>&1) || { bad "mix release old"; cat "$T/mix-old.log"; }
check "old: init --import" "$R" init --import
check "old: config_path imported" grep -qF 'config_path: "cfg/main.exs"' relman.yml
check "old: assemble" "$R" assemble --no-compile --quiet
QO=$Q/_build/prod/rel/old
if res=$(same_terms "$T/oldmix/_build/prod/rel/old/releases/0.2.0/sys.config" "$QO/releases/0.2.0/sys.config"); then ok; else
    bad "old: sys.config differs from mix's: $(echo "$res" | head -c 3000)"
fi
check "old: releases.exs copied as runtime.exs" cmp cfg/releases.exs "$QO/releases/0.2.0/runtime.exs"
check "old: reboot on by default (RUNTIME_CONFIG=true)" grep -qx '%% RUNTIME_CONFIG=true' "$QO/releases/0.2.0/sys.config"
# (eval prints nothing with a reboot, under mix as well: the VM restarts)
export OLD_SECRET=s3 RELEASE_NODE=${N}d
check "old: daemon" "$QO/bin/old" daemon
got=
for _ in $(seq 100); do
    got=$("$QO/bin/old" rpc 'IO.write("#{Application.get_env(:old, :secret)} #{Application.get_env(:old, :from)}")' 2>/dev/null) && break
    sleep 0.2
done
[ "$got" = "s3 main_exs" ] && ok || bad "old: the node should see releases.exs and main.exs: '$got'"
check "old: stop" "$QO/bin/old" stop
unset OLD_SECRET RELEASE_NODE

finish
