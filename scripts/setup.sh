#!/usr/bin/env bash
# Install whatever relman needs to build, run and test that is not installed
# yet (Debian 12, as root). Idempotent, and silent when everything is there.
set -euo pipefail

packages=(
    # build
    build-essential cmake pkg-config clang libclang-rt-14-dev
    # libraries
    libncurses-dev libyaml-dev libarchive-dev libssh2-1-dev zlib1g-dev libssl-dev
    # tests
    libcmocka-dev tmux openssh-server openssh-client python3 valgrind iproute2 procps
    # Erlang/Elixir, to build the examples and boot releases
    erlang erlang-dev elixir rebar3
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "relman setup: missing packages: ${missing[*]}" >&2
    echo "relman setup: run this script as root (or install them with apt-get)" >&2
    exit 1
fi
echo "relman setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "relman setup: done"
