#!/usr/bin/env bash
# Runs the EUnit suite of examples/hello_erl (protocol logic plus real TCP
# round trips). No dependencies, so rebar3 never needs the network. Extra
# arguments are passed to `rebar3 eunit`.
# Exits with rebar3's status (non-zero on any test failure).
set -euo pipefail

cd "$(dirname "$0")/../../examples/hello_erl"

if ! command -v rebar3 >/dev/null 2>&1; then
    echo "hello_erl_suite: rebar3 not found in PATH" >&2
    exit 127
fi

exec rebar3 eunit "$@"
