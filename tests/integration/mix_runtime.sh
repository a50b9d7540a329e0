#!/usr/bin/env bash
# Issue 13 (points 1-4): Mix runtime configuration, config providers, reboots,
# function steps and the cookie, on two Mix projects written here (no hex
# packages), checked by booting the releases and against `mix release` run
# here on the same projects:
#   - config/runtime.exs raises in prod unless RT_DB is set: `init --import`
#     and `assemble` succeed without it (relman never evaluates it); booting
#     without it fails with runtime.exs's own message; with it the node sees
#     the value;
#   - config.exs with import_config, config_env(), config_target() -> sys.config;
#   - Config.Reader providers with a path and with {:system, VAR, PATH}, a
#     custom provider module of the project;
#   - reboot_system_after_config: after the reboot rpc, remote and stop reach
#     the node; start_distribution_during_config and
#     prune_runtime_sys_config_after_boot give mix's sys.config;
#   (config_path and the deprecated releases.exs: mix_releases_exs.sh)
#   - function steps before and after :assemble and after :tar run, with the
#     release they expect; a step that changes the release is refused;
#   - a cookie that differs from an existing releases/COOKIE is refused
#     off a terminal, asked on one (script gives it a terminal), replaced
#     with --overwrite.
# Every sys.config is compared as terms with mix's.
set -u
. "$(dirname "$0")/lib/assemble.sh"

N=h13c$$ # node names unique to this run

# answers BIN EXPR WANT: `BIN rpc EXPR` prints WANT within 20 s (a node
# that reboots after configuring answers only once rebooted)
answers() {
    local _
    for _ in $(seq 100); do
        [ "$("$1" rpc "$2" 2>/dev/null)" = "$3" ] && return 0
        sleep 0.2
    done
    return 1
}

# ---- project rt ------------------------------------------------------------
P=$T/rt
mkdir -p "$P/lib" "$P/config" && cd "$P" || exit 1
cat >mix.exs <<'MIX'
defmodule Rt.MixProject do
  use Mix.Project

  def project do
    last = fn r -> File.write!("last.txt", inspect(r.steps)) && r end
    first = fn r -> update_in(r.steps, &(&1 ++ [last])) end

    [
      app: :rt,
      version: "0.1.0",
      deps: [],
      releases: [
        rt: [
          config_providers: [
            {Config.Reader, {:system, "RELEASE_ROOT", "/extra.exs"}},
            {Config.Reader, path: {:system, "RELEASE_ROOT", "/other.exs"}},
            {Config.Reader, "@ABS@"},
            {Rt.Provider, "from-provider"}
          ],
          steps: [&Rt.Steps.pre/1, :assemble, &Rt.Steps.post/1, :tar, &Rt.Steps.after_tar/1]
        ],
        rb: [reboot_system_after_config: true, cookie: "cookie_a"],
        rbd: [
          reboot_system_after_config: true,
          start_distribution_during_config: true,
          prune_runtime_sys_config_after_boot: true
        ],
        bad: [steps: [:assemble, &Rt.Steps.change/1]],
        # mix's own "steps" case: a step adds a step after :assemble
        demo: [steps: [first, :assemble]],
        slow: [steps: [:assemble, &Rt.Steps.post/1]]
      ]
    ]
  end

  def application, do: [mod: {Rt.App, []}, extra_applications: [:logger]]
end
MIX
sed -i "s|@ABS@|$T/abs.exs|" mix.exs
printf 'import Config\nconfig :rt, abs: :from_abs\n' >"$T/abs.exs"
cat >lib/rt.ex <<'EX'
defmodule Rt.App do
  use Application
  def start(_, _), do: Supervisor.start_link([], strategy: :one_for_one)
end

defmodule Rt.Provider do
  @behaviour Config.Provider
  def init(value), do: {:inited, value}
  def load(config, {:inited, value}), do: Config.Reader.merge(config, rt: [provided: value])
end

defmodule Rt.Steps do
  def pre(%Mix.Release{} = r) do
    File.write!(Path.join(File.cwd!(), "pre.txt"), "#{r.name} #{r.version} #{r.path}")
    File.write!("order.txt", "pre\n", [:append])
    r
  end

  def post(%Mix.Release{} = r) do
    true = File.dir?(Path.join(r.path, "releases/#{r.version}"))
    overlays = inspect(Enum.sort(r.overlays))
    File.write!(Path.join(r.path, "post.txt"), "steps left: #{inspect(r.steps)} overlays: #{overlays}")
    File.write!("order.txt", "post\n", [:append])
    r
  end

  def after_tar(%Mix.Release{} = r) do
    tar = Path.join(Path.dirname(Path.dirname(r.path)), "#{r.name}-#{r.version}.tar.gz")
    File.write!(Path.join(File.cwd!(), "after_tar.txt"), "#{File.exists?(tar)}")
    File.write!("order.txt", "after_tar\n", [:append])
    r
  end

  def change(r), do: %{r | version: "9.9.9"}
end
EX
cat >config/config.exs <<'CFG'
import Config
config :rt, built: config_env(), target: config_target()
config :logger, level: :warning
import_config "#{config_env()}.exs"
CFG
printf 'import Config\nconfig :rt, prod_only: true\n' >config/prod.exs
mkdir -p rel/overlays/etc && echo hello >rel/overlays/etc/motd
cat >config/runtime.exs <<'CFG'
import Config

if config_env() == :prod do
  db = System.get_env("RT_DB") || raise "environment variable RT_DB is missing"
  config :rt, db: db
end
CFG
(MIX_ENV=prod mix compile >"$T/compile.log" 2>&1) || { cat "$T/compile.log"; bad "mix compile rt"; finish; exit 1; }
# mix's own releases, the reference (its steps run there too)
cp -a "$P" "$T/rtmix"
for rel in rt rb rbd; do
    (cd "$T/rtmix" && MIX_ENV=prod mix release "$rel" --quiet >"$T/mix-$rel.log" 2>&1) ||
        { bad "mix release $rel"; cat "$T/mix-$rel.log"; }
done

# import: runtime.exs raises in prod without RT_DB, and is not evaluated
unset RT_DB
check "init --import without RT_DB" "$R" init --import
check "import: steps as {mix: N}" grep -qF -- "- {mix: 1}  # &Rt.Steps.pre/1" relman.yml
check "import: step after tar" grep -qF -- "- {mix: 5}  # &Rt.Steps.after_tar/1" relman.yml
check "import: reader {system}" grep -qF -- '- reader: {system: "RELEASE_ROOT", path: "/extra.exs"}' relman.yml
check "import: reader path:" grep -qF -- '- reader: {system: "RELEASE_ROOT", path: "/other.exs"}' relman.yml
check "import: reader with an absolute path" grep -qF -- "- reader: \"$T/abs.exs\"" relman.yml
check "import: custom provider" grep -qF -- "- mix: 4  # {'Elixir.Rt.Provider'" relman.yml
check "import: reboot" grep -qF -- "reboot_system_after_config: true" relman.yml
if grep -q "not imported" relman.yml; then bad "import left 'not imported' comments:"; cat relman.yml; else ok; fi

# a relman.yml hook between the function steps runs in its place
sed -i '0,/^      - assemble$/s//      - assemble\n      - {run: "echo hook >>order.txt"}/' relman.yml
rm -f order.txt
# assemble without RT_DB; the steps run with the release they expect
check "assemble rt without RT_DB" "$R" assemble rt --no-compile --quiet
check "steps in order, the hook among them" test "$(tr '\n' ' ' <order.txt)" = "pre hook post after_tar "
O=$P/_build/prod/rel/rt
M=$T/rtmix/_build/prod/rel/rt
check "pre step saw relman's release" grep -qx "rt 0.1.0 $O" pre.txt
check "post step wrote into the release" grep -qF 'steps left: [:tar, &Rt.Steps.after_tar/1] overlays: ["etc", "etc/motd"]' "$O/post.txt"
check "post step saw what it sees under mix release" cmp "$M/post.txt" "$O/post.txt"
check "after-tar step saw the tarball" grep -qx true after_tar.txt
check "assemble rt, compiling first, without RT_DB" "$R" assemble rt --compile --quiet
check "runtime.exs copied, not evaluated" cmp config/runtime.exs "$O/releases/0.1.0/runtime.exs"
for rel in rt rb rbd; do
    [ "$rel" = rt ] || check "assemble $rel" "$R" assemble "$rel" --no-compile --quiet
    if res=$(same_terms "$T/rtmix/_build/prod/rel/$rel/releases/0.1.0/sys.config" \
        "$P/_build/prod/rel/$rel/releases/0.1.0/sys.config"); then ok; else
        bad "$rel: sys.config differs from mix's as terms: $(echo "$res" | head -c 3000)"
    fi
    check "$rel: the RUNTIME_CONFIG line as mix" cmp <(sed -n 2p "$T/rtmix/_build/prod/rel/$rel/releases/0.1.0/sys.config") \
        <(sed -n 2p "$P/_build/prod/rel/$rel/releases/0.1.0/sys.config")
done
check "sys.config: config_env, config_target, import_config" grep -q "{built,prod}" "$O/releases/0.1.0/sys.config"
check "sys.config: prod.exs imported" grep -q "{prod_only,true}" "$O/releases/0.1.0/sys.config"

# a step adding a step after :assemble (mix's own "steps" test)
check "assemble demo" "$R" assemble demo --no-compile --quiet
check "the added step ran after :assemble, with no steps left" test "$(cat last.txt)" = "[]"
check "demo assembled" test -x "$P/_build/prod/rel/demo/bin/demo"

# relman killed while Mix runs the steps (during a hook): no VM is left
sed -i "/^  slow:/,/^  [a-z]/s/^      - assemble\$/      - assemble\n      - {run: \"while :; do sleep 0.1; done; : $N-slow\"}/" relman.yml
"$R" assemble slow --no-compile --quiet >/dev/null 2>&1 &
rp=$!
hooked=no
for _ in $(seq 150); do pgrep -f "$N-slow" >/dev/null && { hooked=yes; break; }; sleep 0.1; done
check "the hook among mix steps started" test $hooked = yes
kill -9 "$rp"
wait "$rp" 2>/dev/null
vm_left() {
    local p
    for p in $(pgrep beam.smp); do grep -qz "RELMAN_MIX_PATH=$P" "/proc/$p/environ" 2>/dev/null && echo "$p"; done
}
for _ in $(seq 40); do [ -z "$(vm_left)" ] && break; sleep 0.1; done
check "killed relman: the steps' VM is gone" test -z "$(vm_left)"
hp=$(pgrep -f "$N-slow") # the orphaned hook: ours, by its unique marker
[ -n "$hp" ] && kill $hp 2>/dev/null

# a step that changes the release: refused, one line naming it
out=$("$R" assemble bad --no-compile --quiet 2>&1)
[ $? -ne 0 ] && ok || bad "a step changing the release should fail"
grep -q "Rt.Steps.change/1 changed :version" <<<"$out" && ok || bad "changing step: $out"

# boot without RT_DB: runtime.exs's own message
printf 'import Config\nconfig :rt, extra: :from_extra\n' >"$O/extra.exs"
printf 'import Config\nconfig :rt, other: :from_other\n' >"$O/other.exs"
out=$(RELEASE_NODE=${N}a timeout 60 "$O/bin/rt" start 2>&1)
[ $? -ne 0 ] && ok || bad "booting without RT_DB should fail"
grep -q "environment variable RT_DB is missing" <<<"$out" && ok || bad "boot without RT_DB: $(tail -5 <<<"$out")"

# with it: the node sees the value, the readers and the custom provider ran
export RT_DB=ecto://db RELEASE_NODE=${N}b
check "daemon rt with RT_DB" "$O/bin/rt" daemon
for _ in $(seq 50); do "$O/bin/rt" pid >/dev/null 2>&1 && break; sleep 0.2; done
check "node sees RT_DB" test "$("$O/bin/rt" rpc 'IO.write(Application.get_env(:rt, :db))' 2>&1)" = ecto://db
check "Config.Reader {system,...} ran" test "$("$O/bin/rt" rpc 'IO.write(Application.get_env(:rt, :extra))' 2>&1)" = from_extra
check "Config.Reader path: {system,...} ran" test "$("$O/bin/rt" rpc 'IO.write(Application.get_env(:rt, :other))' 2>&1)" = from_other
check "Config.Reader with a path ran" test "$("$O/bin/rt" rpc 'IO.write(Application.get_env(:rt, :abs))' 2>&1)" = from_abs
check "custom provider ran" test "$("$O/bin/rt" rpc 'IO.write(Application.get_env(:rt, :provided))' 2>&1)" = from-provider
check "stop rt" "$O/bin/rt" stop
unset RELEASE_NODE

# reboot_system_after_config: after the reboot the node is distributed
B=$P/_build/prod/rel/rb
export RELEASE_NODE=${N}c
check "daemon rb" "$B/bin/rb" daemon
check "rb: rpc reaches the rebooted node" answers "$B/bin/rb" 'IO.write(:up)' up
check "rb: runtime config applied after reboot" test "$("$B/bin/rb" rpc 'IO.write(Application.get_env(:rt, :db))' 2>&1)" = ecto://db
# IEx connects a remote shell only on a terminal: `script` gives it one; it
# is ended (by its pid) once the answer is there
mkfifo "$T/remote.in"
script -qec "$B/bin/rb remote" /dev/null <"$T/remote.in" >"$T/remote.out" 2>&1 &
rpid=$!
exec 7>"$T/remote.in"
sleep 2
printf 'IO.puts("remote:" <> inspect([node() | Node.list()]))\n' >&7
for _ in $(seq 150); do grep -q "remote:\[" "$T/remote.out" && break; sleep 0.1; done
kill "$rpid" 2>/dev/null
exec 7>&-
wait "$rpid" 2>/dev/null
grep -q "remote:.*${N}c@" "$T/remote.out" && ok || bad "rb: remote did not reach the node: $(tail -3 "$T/remote.out")"
check "rb: the runtime sys.config kept in tmp/ (no prune)" test -n "$(find "$B/tmp" -name '*.config' 2>/dev/null)"
check "rb: stop" "$B/bin/rb" stop
for _ in $(seq 50); do "$B/bin/rb" pid >/dev/null 2>&1 || break; sleep 0.2; done
if "$B/bin/rb" pid >/dev/null 2>&1; then bad "rb: still running after stop"; else ok; fi
unset RELEASE_NODE

# distribution during configuration, the runtime sys.config pruned after boot
D=$P/_build/prod/rel/rbd
export RELEASE_NODE=${N}e
check "daemon rbd" "$D/bin/rbd" daemon
check "rbd: rebooted, configured, distributed" answers "$D/bin/rbd" 'IO.write(Application.get_env(:rt, :db))' ecto://db
check "rbd: no runtime sys.config left in tmp/" test -z "$(find "$D/tmp" -name '*.config' 2>/dev/null)"
check "rbd: stop" "$D/bin/rbd" stop
unset RELEASE_NODE

# the cookie: another one than releases/COOKIE is refused off a terminal
check "rb: COOKIE is mix.exs's" test "$(cat "$B/releases/COOKIE")" = cookie_a
sed -i 's/cookie: cookie_a/cookie: cookie_b/' relman.yml
out=$("$R" assemble rb --no-compile --quiet 2>&1 </dev/null)
[ $? -ne 0 ] && ok || bad "a different cookie should be refused off a terminal"
grep -q "releases/COOKIE holds another cookie" <<<"$out" && ok || bad "cookie refusal: $out"
[ "$(wc -l <<<"$out")" -eq 1 ] && ok || bad "cookie refusal is not one line: $out"
check "rb: COOKIE kept" test "$(cat "$B/releases/COOKIE")" = cookie_a
check "rb: --overwrite replaces it" "$R" assemble rb --no-compile --quiet --overwrite
check "rb: COOKIE replaced" test "$(cat "$B/releases/COOKIE")" = cookie_b
# on a terminal relman asks, as mix does: no keeps it, an empty answer (yes) replaces it
sed -i 's/cookie: cookie_b/cookie: cookie_c/' relman.yml
out=$(printf 'n\n' | timeout 60 script -qec "$R assemble rb --no-compile --quiet" /dev/null 2>&1)
grep -q "Replace it? \[Yn\]" <<<"$out" && ok || bad "cookie question on a terminal: $out"
grep -q "kept, nothing assembled" <<<"$out" && ok || bad "cookie answer no: $out"
check "rb: COOKIE kept after no" test "$(cat "$B/releases/COOKIE")" = cookie_b
printf '\n' | timeout 60 script -qec "$R assemble rb --no-compile --quiet" /dev/null >/dev/null 2>&1
check "rb: COOKIE replaced after yes" test "$(cat "$B/releases/COOKIE")" = cookie_c

finish
