#!/usr/bin/env bash
# Acceptance (issue 13): every test of Elixir 1.14's two release test files
# (lib/mix/test/mix/tasks/release_test.exs: T01-T19, lib/mix/test/mix/release_test.exs:
# R01-R67) rebuilt against relman on fixture projects of tests/peer/mix,
# compiled at test time. tests/peer/mix/expected.txt gives each case's
# status: pass, known-fail (with the reason and the issue-13 point it
# needs) or na (not applicable, with the reason; docs/compat.md lists them).
#
# A case passes when its outcome matches expected.txt: a "pass" case that
# fails, and a "known-fail" case that passes (the list must then be
# updated), are failures. Usage (docs/testing.md):
#   bash tests/integration/mix_suite.sh [CASE...]      (or MIX_SUITE_CASES="T01 R12")
#   MIX_SUITE_VERBOSE=1   show the assertions of known failures too
#   MIX_SUITE_KEEP=1      keep the run's directory
#   MIX_SUITE_UPDATE=1    mark the known failures that passed as pass (expected.txt
#                         and docs/compat.md's table; tests/peer/mix/update_list.py)
#   MIX_SUITE_REFERENCE=1 run the cases against `mix release` (checks the harness)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RELMAN_SRC=${RELMAN_SRC:-$(cd "$HERE/../.." && pwd)}
RELMAN_BUILD=${RELMAN_BUILD:-$RELMAN_SRC/build}   # defaults for a run by hand
RELMAN=${RELMAN:-$RELMAN_BUILD/relman}
export RELMAN RELMAN_SRC RELMAN_BUILD
. "$RELMAN_SRC/tests/peer/mix/lib.sh"
. "$PEER/cases_task.sh"
. "$PEER/cases_release.sh"
EXPECTED=$PEER/expected.txt

want_cases=${*:-${MIX_SUITE_CASES:-}}
xpassed=""
passed=0 failed=0 n_pass=0 n_known=0 n_na=0 n_bad=0 n_xpass=0
started=$(date +%s)
while IFS="|" read -r id status title reason _counterpart; do
    case $id in '' | \#*) continue ;; esac
    id=${id// /}
    status=${status// /}
    if [ -n "$want_cases" ] && ! grep -qw -- "$id" <<<"$want_cases"; then continue; fi
    if [ "$status" = na ]; then
        n_na=$((n_na + 1))
        passed=$((passed + 1))
        echo "n.a.  $id $title"
        continue
    fi
    if ! declare -F "case_$id" >/dev/null; then
        echo "FAIL  $id: no function case_$id"
        failed=$((failed + 1))
        continue
    fi
    t0=$(date +%s.%N)
    (CASE=$id; "case_$id") >"$T/$id.log" 2>&1 </dev/null
    rc=$?
    stop_our_vms
    secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
    case $status:$rc in
    pass:0)
        n_pass=$((n_pass + 1)); passed=$((passed + 1))
        echo "ok    $id $title (${secs}s)" ;;
    known-fail:0)
        n_xpass=$((n_xpass + 1)); failed=$((failed + 1)); xpassed="$xpassed $id"
        echo "FAIL  $id $title: marked known-fail but passes now; mark it pass in tests/peer/mix/expected.txt (${secs}s)" ;;
    known-fail:*)
        n_known=$((n_known + 1)); passed=$((passed + 1))
        echo "known $id $title: ${reason# } (${secs}s)"
        [ -n "${MIX_SUITE_VERBOSE:-}" ] && sed 's/^/      /' "$T/$id.log" ;;
    *)
        n_bad=$((n_bad + 1)); failed=$((failed + 1))
        echo "FAIL  $id $title (${secs}s)"
        sed 's/^/      /' "$T/$id.log" | head -40 ;;
    esac
done <"$EXPECTED"
if [ -n "${MIX_SUITE_UPDATE:-}" ] && [ -n "$xpassed" ]; then
    "$PY" "$PEER/update_list.py" "$EXPECTED" "$RELMAN_SRC/docs/compat.md" $xpassed
fi

# Nothing left running: no process of the run, no node of its names in epmd.
left=$(our_pids)
if [ -n "$left" ]; then
    echo "FAIL  processes left running: $(ps -o pid=,args= -p $left | head -5)"
    failed=$((failed + 1))
fi
if epmd -names 2>/dev/null | grep -q "_$RUN"; then
    echo "FAIL  nodes left registered: $(epmd -names | grep "_$RUN")"
    failed=$((failed + 1))
fi

# docs/compat.md's table of the cases must give each case the status
# expected.txt gives it.
while IFS='|' read -r id status _; do
    case $id in '' | \#*) continue ;; esac
    if grep -qE "^\| $id \| $status \|" "$RELMAN_SRC/docs/compat.md"; then :; else
        echo "FAIL  docs/compat.md: no row '| $id | $status |' (tests/peer/mix/expected.txt says $status)"
        failed=$((failed + 1))
    fi
done <"$EXPECTED"
echo "mix suite: $n_pass pass, $n_known known-fail, $n_na n.a., $n_bad unexpected failures, $n_xpass known-fail now passing ($(( $(date +%s) - started )) s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
