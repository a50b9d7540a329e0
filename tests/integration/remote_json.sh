#!/usr/bin/env bash
# --json of the remote commands that read state (pid, version TARGET, status,
# releases --remote) parses with python3 -m json.tool, against a real sshd
# and a fake installed release (bin/foo answers pid and version), plus a
# target that cannot be reached (its entry carries the error, exit 1).
# No release is booted. Ports: sshd 22300-22309.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/remote.sh"

remote_init json 4490
sshd_start j1 127.0.0.2 22300 || exit 1
sshd_trust j1
rel=$T/j1/srv/releases/0.0.1-20260101000000
mkdir -p "$rel/bin" "$rel/releases/0.0.1"
cat >"$rel/bin/foo" <<'SH'
#!/bin/sh
case $1 in
pid) echo 4242 ;;
version) echo "foo 0.0.1" ;;
*) exit 1 ;;
esac
SH
chmod +x "$rel/bin/foo"
echo "13.1.5 0.0.1" >"$rel/releases/start_erl.data"
ln -s releases/0.0.1-20260101000000 "$T/j1/srv/current"
cat >"$PROJ/relman.yml" <<YML
releases:
  foo: {version: "0.0.1"}
targets:
  j1: {host: j1, path: $T/j1/srv, release: foo}
  gone: {host: 127.0.0.2, port: 1, path: /srv/gone, release: foo}
ssh: {config: $SSHD_CLIENT_CONFIG}
YML

json() { # json NAME: $out is JSON
    if python3 -m json.tool <<<"$out" >/dev/null 2>&1; then
        passes=$((passes + 1))
    else
        echo "FAIL $1: not JSON: $out"
        fails=$((fails + 1))
    fi
}
field() { # field PYTHON-EXPR on the JSON document d (stdout of relman only)
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$json_out"
}
jrun() { # jrun COMMAND...: stdout in $json_out and $out
    json_out=$(cd "$PROJ" && "$R" "$@" 2>/dev/null)
    jrc=$?
    out=$json_out
}

jrun pid j1 --json
is "pid --json exit" "$jrc" 0
json "pid --json"
is "pid --json value" "$(field 'd[0]["pid"]')" 4242
jrun version j1 --json
is "version TARGET --json exit" "$jrc" 0
json "version TARGET --json"
is "version TARGET --json value" "$(field 'd[0]["version"]')" "foo 0.0.1"
jrun status j1 --json
json "status --json"
jrun releases --remote j1 --json
json "releases --remote --json"
jrun pid j1 gone --json
is "pid --json with a failing target exits 1" "$jrc" 1
json "pid --json with a failing target"
is "the failing target's pid" "$(field '[e["pid"] for e in d if e["target"] == "gone"][0]')" None
is "the failing target's error" \
    "$(field 'bool([e["error"] for e in d if e["target"] == "gone"][0])')" True
finish
