#!/usr/bin/env bash
# Runs the ExUnit suites of the examples/kv umbrella (apps kv and kv_server).
#
# Works offline: the project has no Hex dependencies, and HEX_OFFLINE keeps
# Hex (if installed at all) from touching the network. Extra arguments are
# passed to `mix test`, e.g. `kv_suite.sh --trace`.
# Exits with mix's status (non-zero on any test failure).
set -euo pipefail

cd "$(dirname "$0")/../../examples/kv"

export MIX_ENV=test
export HEX_OFFLINE=1
# Elixir warns when the VM does not run with a UTF-8 locale.
export LANG="${LANG:-C.UTF-8}"

if ! command -v mix >/dev/null 2>&1; then
    echo "kv_suite: mix (Elixir) not found in PATH" >&2
    exit 127
fi

exec mix test "$@"
