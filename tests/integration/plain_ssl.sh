#!/usr/bin/env bash
# Acceptance (issue 4): a plain project whose relman.yml has lib_dirs pointing
# at the OTP library directory and one root, ssl, resolves the whole closure
# (crypto, public_key, asn1, ...) in a valid boot order: systools accepts the
# rendered .rel, and the order it computes is the one relman reports.
set -u
. "$(dirname "$0")/lib/project.sh"

otp_lib=$(erl -noshell -eval 'io:format("~s", [code:lib_dir()]), halt().')
mkdir -p "$TMP/tls" && cd "$TMP/tls" || exit 1
cat >relman.yml <<YML
project: {kind: plain}
lib_dirs: [$otp_lib]
releases:
  tls:
    version: "1.0"
    applications: {ssl: permanent}
YML
"$R" apps tls >apps.txt && ok || { fail "relman apps tls"; cat apps.txt; }
for app in kernel stdlib crypto public_key asn1 ssl; do
    grep -qE "^$app +" apps.txt && ok || fail "$app missing from 'relman apps tls'"
done
grep -q "lib_dirs" apps.txt && ok || fail "the applications should come from lib_dirs"
"$R" render tls rel >tls.rel && ok || fail "relman render tls rel"
got=$("$R" apps tls --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(d["boot_order"]))')
want=$(erl -noshell -eval '
    case systools:make_script("tls", [silent, no_warn_sasl, {outdir, "."}]) of
        {ok, _, _} ->
            {ok, [{script, _, Is}]} = file:consult("tls.script"),
            Loaded = [A || {apply, {application, load, [{application, A, _}]}} <- Is],
            io:format("~s", [lists:join(" ", ["kernel" | [atom_to_list(A) || A <- Loaded]])]);
        Other -> io:format("systools refused the .rel: ~p", [Other])
    end, halt().')
[ "$want" = "$got" ] && ok || fail "boot order: systools '$want', relman '$got'"
finish
