#!/usr/bin/env bash
# Acceptance (issue 5): killing `relman assemble` with SIGKILL at random
# moments (20 trials) never leaves a partial release at the final path: the
# path always holds, file for file, either the release before the run or the
# complete new one. Two configurations whose releases differ in almost every
# file (strip_beams true / false) alternate, so "before" and "after" differ.
set -u
. "$(dirname "$0")/lib/assemble.sh"
TRIALS=${ASSEMBLE_KILL_TRIALS:-20}

fixture kv
cd "$T/kv" || exit 1
REL=$T/kv/_build/prod/rel/foo
cp relman.yml "$T/yml.a"
sed 's/^  foo:$/  foo:\n    strip_beams: false/' relman.yml >"$T/yml.b"
grep -q 'strip_beams: false' "$T/yml.b" || { echo "could not make the second configuration"; exit 1; }

assemble() { # assemble a|b
    cp "$T/yml.$1" relman.yml
    "$R" assemble foo --no-compile --overwrite --no-reuse --quiet
}
t0=$(date +%s%N)
assemble a || bad "assemble a"
t1=$(date +%s%N)
tree_digest "$REL" >"$T/digest.a"
assemble b || bad "assemble b"
tree_digest "$REL" >"$T/digest.b"
ms=$(((t1 - t0) / 1000000))
echo "one assembly takes ${ms} ms; $(wc -l <"$T/digest.a") entries; $(diff "$T/digest.a" "$T/digest.b" | grep -c '^<') differ between a and b"
check "the two releases differ" bash -c "! cmp -s '$T/digest.a' '$T/digest.b'"

state=b
mid=0
old=0
new=0
for i in $(seq 1 "$TRIALS"); do
    if [ $state = a ]; then next=b; else next=a; fi
    cp "$T/yml.$next" relman.yml
    "$R" assemble foo --no-compile --overwrite --no-reuse --quiet 2>/dev/null &
    pid=$!
    # somewhere between "not started yet" and "just finished"
    delay=$((RANDOM % (ms + ms / 4 + 1)))
    sleep "$(printf '0.%03d' "$delay")" 2>/dev/null || sleep "$((delay / 1000))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    ls -a "$T/kv/_build/prod/rel" | grep -q 'relman-new' && mid=$((mid + 1))
    tree_digest "$REL" >"$T/digest.now"
    if cmp -s "$T/digest.now" "$T/digest.$state"; then
        old=$((old + 1))
    elif cmp -s "$T/digest.now" "$T/digest.$next"; then
        new=$((new + 1))
        state=$next
    else
        bad "trial $i (killed after ${delay} ms): the release is neither the old nor the new one"
        diff "$T/digest.$state" "$T/digest.now" | head -5
        diff "$T/digest.$next" "$T/digest.now" | head -5
        break
    fi
    ok
done
echo "$TRIALS kills: $old left the previous release, $new the new one; $mid left a build or its clean-up in progress"
check "some kills hit a build in progress" test "$mid" -gt 0
# The next run clears what the killed ones left beside the release.
check "a normal run after the kills" assemble a
check "no leftovers beside the release" bash -c "! ls -a '$T/kv/_build/prod/rel' | grep -q -e relman-new -e relman-old"
check "the final release is complete" cmp -s <(tree_digest "$REL") "$T/digest.a"
finish
