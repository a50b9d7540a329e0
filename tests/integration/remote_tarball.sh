#!/usr/bin/env bash
# Deploy finds the tarball without building a plan: a Mix project whose
# config/config.exs raises (so no plan of it can be built: `relman render
# sys.config` fails with elixir's error) is still deployed, by `relman
# deploy TARGET` and by the TUI's deploy (D on the Targets screen), from
# the tarball its `tar` step names (_build/prod/NAME-VSN.tar.gz, the rule of
# rel_project_tarball_path). Before the tarball is there, deploy says that
# file is missing, not that config.exs fails. The application's build is
# hand-made (an ebin/foo.app) and the tarball is a stand-in release (a shell
# script bin/foo that fakes daemon, pid, stop and version; its health check
# without `apps`: it cannot rpc), so nothing is
# compiled and no VM boots; the deploy itself is real, over a real sshd.
# Ports: sshd 22220-22229, epmd 4410-4419.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE

remote_init tarball 4410
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
sshd_start t1 127.0.0.2 22220 || exit 1
sshd_at_exit 'for f in $(find "$T" -name fake.pid 2>/dev/null); do kill "$(cat "$f")" 2>/dev/null; done'
HOSTDIR=$T/t1/opt/foo

# ---- the project: Mix, built by hand, config.exs raises
cd "$PROJ" || exit 1
cat >mix.exs <<'EOF'
defmodule Foo.MixProject do
  use Mix.Project
  def project, do: [app: :foo, version: "0.1.0"]
end
EOF
mkdir -p config _build/prod/lib/foo/ebin
echo 'raise "config.exs cannot be evaluated on this machine"' >config/config.exs
cat >_build/prod/lib/foo/ebin/foo.app <<'EOF'
{application,foo,[{description,"foo"},{vsn,"0.1.0"},{modules,[]},{registered,[]},
                  {applications,[kernel,stdlib,elixir]}]}.
EOF
cat >relman.yml <<YML
project: {app: foo}
releases:
  foo:
    version: "0.1.0"
    steps: [assemble, tar]
targets:
  t1: {host: t1, path: $HOSTDIR, release: foo}
deploy: {health: {timeout: 30, apps: false}}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML
TARBALL=$PROJ/_build/prod/foo-0.1.0.tar.gz

# no plan can be built: the configuration does not evaluate
check_fails render-fails rr render foo sys.config
contains render-fails "config.exs cannot be evaluated on this machine"

# ---- before the tarball exists: deploy names it (and not config.exs)
check_fails not-assembled rr deploy t1 --yes
contains not-assembled "$TARBALL does not exist: assemble release foo first"
contains not-assembled "relman assemble foo"
lacks not-assembled "config.exs"
lacks not-assembled "evaluat"

# ---- the stand-in release at the path the tar step packs to
remote_standin_tarball "$TARBALL"

# ---- relman deploy: finds it, deploys it
check deploy rr deploy t1 --yes
contains deploy "t1: deployed foo 0.1.0"
[ -L "$HOSTDIR/current" ] && passes=$((passes + 1)) || { echo "FAIL no current link under $HOSTDIR"; fails=$((fails + 1)); }
check status rr status t1
contains status "running"

# ---- the TUI's deploy: the tarball at the same path, asked about, deployed
# (packed again with one more file: the very tarball a host runs is a no-op)
sleep 1 # a new stamp
echo again >"$T/fakerel/releases/0.1.0/again" && (cd "$T/fakerel" && tar czf "$TARBALL" bin releases)
dumps=$T/dump
printf '%s\n' '@timeout 60
t
@wait ● running
D
@wait Deploy foo 0.1.0 to 1 target
@dump confirm
y
@wait deployed foo 0.1.0 to 1 target
@dump deployed' >"$T/script.txt"
rr tui --script "$T/script.txt" --dump "$dumps" --size 120x40 >"$T/tui.out" 2>"$T/tui.err"
is tui-run "$?" 0
if grep -qF "tarball $TARBALL" "$dumps/confirm.txt" 2>/dev/null; then
    passes=$((passes + 1))
else
    echo "FAIL the TUI's deploy dialog lacks 'tarball $TARBALL':"
    sed 's/^/  | /' "$dumps/confirm.txt" "$dumps/timeout.txt" "$T/tui.err" 2>/dev/null
    fails=$((fails + 1))
fi
grep -q "deployed foo 0.1.0 to 1 target" "$dumps/deployed.txt" 2>/dev/null && passes=$((passes + 1)) ||
    { echo "FAIL the TUI did not deploy"; fails=$((fails + 1)); }
[ "$(ls "$HOSTDIR/releases" | wc -l)" = 2 ] && passes=$((passes + 1)) ||
    { echo "FAIL two releases on the host: $(ls "$HOSTDIR/releases")"; fails=$((fails + 1)); }

check stop rr stop t1 --yes
finish
