#!/usr/bin/env bash
# Acceptance (issue 4): `relman apps foo --json | python3 -m json.tool`
# succeeds on examples/kv, and the JSON says what the table says.
set -u
. "$(dirname "$0")/lib/project.sh"

copy_example kv
cd "$TMP/kv" || exit 1
if ! out=$(MIX_ENV=prod mix compile 2>&1); then echo "$out"; fail "mix compile"; fi
"$R" apps foo --json >apps.json
rc=$?
[ $rc -eq 0 ] && ok || fail "relman apps foo --json exited $rc"
python3 -m json.tool apps.json >/dev/null && ok || fail "not valid JSON"
"$R" apps foo --json | python3 -m json.tool >/dev/null && ok || fail "pipe into json.tool"
check=$(python3 - apps.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
errs = []
if d["release"] != "foo" or d["version"] != "0.0.1": errs.append("release/version")
if not d["ok"] or [p for p in d["problems"] if p["severity"] == "error"]: errs.append("errors")
apps = {a["name"]: a for a in d["applications"]}
for n in ("kernel", "stdlib", "elixir", "sasl", "kv_server", "kv", "logger", "compiler", "iex"):
    if n not in apps: errs.append("missing " + n)
if apps["kv"]["source"] != "project" or apps["kernel"]["source"] != "OTP": errs.append("source")
if apps["elixir"]["source"] != "Elixir": errs.append("elixir source")
if apps["iex"]["mode"] != "none": errs.append("iex mode")
if apps["kv_server"]["mode_source"] != "explicit": errs.append("mode_source")
if apps["logger"]["why"] != "dependency" or not apps["logger"]["parent"]: errs.append("why")
if sorted(d["boot_order"]) != sorted(apps): errs.append("boot order")
print(" ".join(errs) or "ok")
PY
)
[ "$check" = ok ] && ok || fail "JSON content: $check"
# bar holds kv only
"$R" apps bar --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if "kv_server" not in [a["name"] for a in d["applications"]] else 1)' \
    && ok || fail "bar should not hold kv_server"
finish
