#!/usr/bin/env bash
# --json on every command that reads local state parses with python3 -m
# json.tool: version, releases, apps, render (and --list), inspect (a release directory, a .beam,
# a .boot, a term file). (status, pid, version TARGET and releases --remote
# need a target: tests/integration/remote_*.sh.)
set -u
. "$(dirname "$0")/lib/check.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
cat >relman.yml <<'YML'
releases:
  tiny: {version: "1.0.0", applications: {kernel: permanent, stdlib: permanent}}
YML
# json NAME COMMAND...: exit 0 and stdout is JSON
json() {
    local name=$1
    shift
    if ! "$@" >"$T/out.json" 2>"$T/err"; then
        fail "$name: exit $?: $(cat "$T/err")"
    elif ! python3 -m json.tool "$T/out.json" >/dev/null 2>"$T/err"; then
        fail "$name: not JSON: $(cat "$T/err"): $(head -c 300 "$T/out.json")"
    else
        ok
    fi
}
json "version --json" "$R" version --json
json "releases --json" "$R" releases --json
json "apps --json" "$R" apps tiny --json
json "render --list --json" "$R" render --list --json
json "render --json" "$R" render tiny start.script --json
got=$("$R" render tiny vm.args --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"], end="")')
[ "$got" = "$("$R" render tiny vm.args)" ] && ok || fail "render --json: the text differs from render's"
"$R" assemble -q --no-compile || fail "assemble exited $?"
json "inspect --json release" "$R" inspect --json _build/rel/tiny
beam=$(ls _build/rel/tiny/lib/stdlib-*/ebin/lists.beam)
json "inspect --json .beam" "$R" inspect --json "$beam"
json "inspect --json .app" "$R" inspect --json _build/rel/tiny/lib/stdlib-*/ebin/stdlib.app
json "inspect --json .boot" "$R" inspect --json _build/rel/tiny/releases/1.0.0/start.boot
got=$("$R" version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["relman"])')
[ "$got" = "$("$R" --version | awk '{print $2}')" ] && ok ||
    fail "version --json says '$got'"
got=$("$R" inspect --json "$beam" | python3 -c 'import json,sys; print(json.load(sys.stdin)["module"])')
[ "$got" = lists ] && ok || fail "inspect --json .beam: module '$got'"

finish
