#!/usr/bin/env bash
# Quick start (a): install what is missing, build relman, compile the bundled
# example project examples/kv, and open relman on it. On a terminal that is
# the TUI; without one relman lists the releases and applications it found.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
echo "relman: compiling examples/kv (MIX_ENV=prod)"
(cd "$root/examples/kv" && MIX_ENV=prod mix compile >/dev/null)
cd "$root/examples/kv"
# On a terminal this is the TUI; otherwise relman prints the releases and
# their applications and exits.
exec "$root/build/relman"
