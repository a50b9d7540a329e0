#!/usr/bin/env bash
# relman inspect: boot files made by the installed OTP print as text that
# file:consult/1 reads back equal to binary_to_term/1 of the boot; BEAM files
# list their chunks; term files parse or report FILE:LINE:COL; directories
# are refused (not supported yet).
set -u
R=${RELMAN:?}
fails=0
pass=0
T=$(mktemp -d /tmp/relman-test-inspect-XXXXXX)
trap 'rm -rf "$T"' EXIT

check() { # check NAME EXPECTED_STATUS COMMAND... (stdout in $out, stderr in $err)
    local name=$1 want=$2
    shift 2
    out=$("$@" 2>"$T/stderr")
    local got=$?
    err=$(cat "$T/stderr")
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit $got, want $want; stdout: $out; stderr: $err"
        fails=$((fails + 1))
        return 1
    fi
    pass=$((pass + 1))
    return 0
}
contains() { # contains NAME TEXT WHERE
    if ! grep -qF -- "$2" <<<"$3"; then
        echo "FAIL $1: lacks '$2': $3"
        fails=$((fails + 1))
    else
        pass=$((pass + 1))
    fi
}

if ! command -v erl >/dev/null || ! command -v escript >/dev/null; then
    echo "SKIP: erl/escript not installed"
    exit 0
fi
root=$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')

# --- boot files made by systools from .rel files written here ---
cat >"$T/mk.escript" <<'EOF'
%% make boot scripts with the installed OTP
main([Dir]) ->
    Vsn = fun(A) -> _ = application:load(A), {ok, V} = application:get_key(A, vsn), V end,
    Erts = erlang:system_info(version),
    Rels = [{"small", [], [{kernel, Vsn(kernel)}, {stdlib, Vsn(stdlib)}]},
            {"big", [local], [{kernel, Vsn(kernel)}, {stdlib, Vsn(stdlib)}, {sasl, Vsn(sasl)},
                              {compiler, Vsn(compiler)}, {runtime_tools, Vsn(runtime_tools), load}]}],
    [begin
         Base = filename:join(Dir, Name),
         ok = file:write_file(Base ++ ".rel",
                              io_lib:format("~tp.~n", [{release, {Name, "1.0"}, {erts, Erts}, Apps}])),
         {ok, _, _} = systools:make_script(Base, [{outdir, Dir}, silent, no_warn_sasl | Opts])
     end || {Name, Opts, Apps} <- Rels],
    ok.
EOF
if escript "$T/mk.escript" "$T"; then pass=$((pass + 1)); else
    echo "FAIL systools could not make the boot scripts"
    exit 1
fi
mkdir -p "$T/out"
pairs=()
n=0
for boot in "$T"/small.boot "$T"/big.boot "$root"/bin/start.boot "$root"/bin/start_clean.boot \
    "$root"/bin/no_dot_erlang.boot "$root"/bin/start_sasl.boot; do
    [ -f "$boot" ] || continue
    n=$((n + 1))
    txt="$T/out/$n.txt"
    if check "inspect-$(basename "$boot")" 0 "$R" inspect "$boot"; then
        printf '%s\n' "$out" >"$txt"
        contains "header-$n" "%% coding: utf-8" "$(head -1 "$txt")"
        pairs+=("$boot" "$txt")
    fi
done
[ "$n" -ge 3 ] || { echo "FAIL only $n boot files found"; fails=$((fails + 1)); }
cat >"$T/check.escript" <<'EOF'
%% file:consult(Text) =:= {ok, [binary_to_term(Boot)]} for each pair
main(Args) -> check(Args).
check([Boot, Txt | Rest]) ->
    {ok, Bin} = file:read_file(Boot),
    Want = {ok, [binary_to_term(Bin)]},
    case file:consult(Txt) of
        Want -> io:format("ok ~s~n", [Boot]);
        Got -> io:format("MISMATCH ~s: ~p~n", [Boot, Got]), halt(1)
    end,
    check(Rest);
check([]) -> ok.
EOF
if res=$(escript "$T/check.escript" "${pairs[@]}" 2>&1); then
    pass=$((pass + 1))
else
    echo "FAIL OTP reads the inspected boot differently: $res"
    fails=$((fails + 1))
fi
# the .script systools wrote is what inspect prints, byte for byte
check small-script 0 "$R" inspect "$T/small.boot"
if [ "$out" == "$(cat "$T/small.script")" ]; then pass=$((pass + 1)); else
    echo "FAIL inspect small.boot differs from small.script"
    diff <(printf '%s\n' "$out") "$T/small.script" | head -5
    fails=$((fails + 1))
fi
# a boot file without the extension is recognised by its content
cp "$T/small.boot" "$T/noext"
check sniff-etf 0 "$R" inspect "$T/noext"
contains sniff-etf-script "{script," "$out"
# a truncated boot file
head -c 100 "$T/small.boot" >"$T/trunc.boot"
check truncated-boot 1 "$R" inspect "$T/trunc.boot"
contains truncated-boot-msg "relman: $T/trunc.boot: offset" "$err"

# --- BEAM files ---
lists=$(ls "$root"/lib/stdlib-*/ebin/lists.beam | head -1)
check beam 0 "$R" inspect "$lists"
contains beam-module "module: lists" "$out"
contains beam-plain "compressed: no" "$out"
if grep -qE '^  Code +[0-9]+$' <<<"$out"; then pass=$((pass + 1)); else
    echo "FAIL no Code chunk line: $out"
    fails=$((fails + 1))
fi
mkdir -p "$T/gz"
gzip -c "$lists" >"$T/gz/lists.beam"
check beam-gz 0 "$R" inspect "$T/gz/lists.beam"
contains beam-gz-module "module: lists" "$out"
contains beam-gz-compressed "compressed: yes (gzip" "$out"
head -c 200 "$lists" >"$T/cut.beam"
check beam-truncated 1 "$R" inspect "$T/cut.beam"
contains beam-truncated-msg "relman: $T/cut.beam: truncated" "$err"

# --- term files ---
kapp=$(ls "$root"/lib/kernel-*/ebin/kernel.app | head -1)
check app 0 "$R" inspect "$kapp"
contains app-ok "$kapp: ok, 1 term" "$out"
check rel 0 "$R" inspect "$T/big.rel"
check script 0 "$R" inspect "$T/big.script"
printf '[{kv,\n  [{port 4000}]}].\n' >"$T/sys.config"
check bad-config 1 "$R" inspect "$T/sys.config"
if [ "$err" == "relman: $T/sys.config:2:10: unexpected '4000', expected ',' or '}'" ]; then
    pass=$((pass + 1))
else
    echo "FAIL bad-config message: $err"
    fails=$((fails + 1))
fi
printf '%% a comment\n[{kv, [{port, 4000}, {name, "x"}]}].\n' >"$T/good.config"
check print 0 "$R" inspect --print "$T/good.config"
contains print-text '[{kv,[{port,4000},{name,"x"}]}].' "$out"

# --- what inspect refuses ---
check directory 1 "$R" inspect "$T"
contains directory-msg "not a release (no releases/ directory)" "$err"
echo hello >"$T/notes.txt"
check unknown-kind 2 "$R" inspect "$T/notes.txt"
check missing 1 "$R" inspect "$T/nope.boot"
contains missing-msg "relman: $T/nope.boot: no such file or directory" "$err"
check no-arg 2 "$R" inspect
check two-args 2 "$R" inspect a b

echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
