# bench/deploy.sh - the deploy rows of bench/run (sourced by it; uses its
# helpers and variables: run_one, row, target, $work, $kv, $R, $reps).
#
# Four OpenSSH servers on 127.0.0.1..4 (ports 22300-22303, started here with
# tests/integration/lib/sshd.sh, host keys trusted), each target a directory
# of $work; the kv release foo (relman's own tarball) is deployed:
#   - to 1 host, fresh (upload, unpack, start, health check), then again
#     unchanged (the host runs that tarball already: a no-op), then with
#     --force (a new directory and a restart, the upload skipped);
#   - the floor beside it: `scp` of the same tarball and `ssh HOST tar -xzf`;
#   - once more fresh with -v, whose command lines carry their times: where
#     the time per host goes beyond the transfer (lock+inspect, checksum,
#     unpack, switch, stop, start, health, cleanup+audit+unlock);
#   - to 4 hosts at once (batch 4), fresh, then again unchanged.
# The nodes listen on 4700-4703 with epmd on 4704, and are stopped between
# repetitions and at the end.
. "$src/tests/integration/lib/sshd.sh"
dep=$work/deploy
mkdir -p "$dep/proj"
sshd_init "$dep/sshd" || { say "bench: cannot set up sshd"; return 1; }
for i in 1 2 3 4; do
    sshd_start h$i 127.0.0.$i $((22299 + i)) || { say "bench: sshd h$i did not start"; return 1; }
    sshd_trust h$i
done
dep_epmd=4704
at_exit+=("deploy_cleanup")
deploy_cleanup() {
    (cd "$dep/proj" && "$R" -q stop all --yes >/dev/null 2>&1) || true
    epmd -port $dep_epmd -kill >/dev/null 2>&1
    for i in 1 2 3 4; do sshd_stop h$i; done
}
{
    echo 'releases:'
    echo '  foo: {version: "0.0.1"}'
    echo 'targets:'
    for i in 1 2 3 4; do
        echo "  t$i: {host: h$i, path: $dep/host$i/srv/kv, release: foo,"
        echo "        env: {PORT: \"$((4699 + i))\", RELEASE_DISTRIBUTION: sname, RELEASE_NODE: relmanbench$i,"
        echo "              ERL_EPMD_PORT: \"$dep_epmd\"}}"
    done
    echo 'groups: {all: [t1, t2, t3, t4]}'
    echo 'deploy: {keep: 3, batch: 4, health: {timeout: 30}}'
    echo "ssh: {config: $SSHD_CLIENT_CONFIG, known_hosts: $SSHD_KNOWN_HOSTS, host_key_policy: strict}"
} >"$dep/proj/relman.yml"

# relman's tarball of kv's foo
cp "$kv/relman.yml.tar" "$kv/relman.yml"
(cd "$kv" && "$R" assemble foo --no-compile -q --path "$dep/rel") >"$work/logs/deploy.tar.log" 2>&1 ||
    { cp "$kv/relman.yml.assemble" "$kv/relman.yml"; cat "$work/logs/deploy.tar.log" >&2; return 1; }
cp "$kv/relman.yml.assemble" "$kv/relman.yml"
tarball=$dep/foo-0.0.1.tar.gz
mv "$dep/rel/foo-0.0.1.tar.gz" "$tarball"

dep_clean() {
    (cd "$dep/proj" && "$R" -q stop all --yes >/dev/null 2>&1) || true
    rm -rf "$dep"/host1 "$dep"/host2 "$dep"/host3 "$dep"/host4
}
dreps=$reps
[ "$dreps" -gt 5 ] && dreps=5
say "bench: deploy to 1 and 4 loopback hosts ($dreps reps)"
for ((i = 0; i < dreps; i++)); do
    dep_clean
    run_one deploy one "$dep/proj" "$R" deploy foo t1 --tarball "$tarball" --yes
    run_one deploy one_again "$dep/proj" "$R" deploy foo t1 --tarball "$tarball" --yes
    run_one deploy one_force "$dep/proj" "$R" deploy foo t1 --tarball "$tarball" --force --yes
    dep_clean
    run_one deploy scp_tar "$dep/proj" bash -c "ssh -F '$SSHD_CLIENT_CONFIG' h1 'mkdir -p $dep/host1/raw' &&
        scp -q -F '$SSHD_CLIENT_CONFIG' '$tarball' h1:$dep/host1/raw/x.tar.gz &&
        ssh -F '$SSHD_CLIENT_CONFIG' h1 'mkdir $dep/host1/raw/x && tar -xzf $dep/host1/raw/x.tar.gz -C $dep/host1/raw/x'"
    dep_clean
    run_one deploy one_v "$dep/proj" "$R" -v deploy foo t1 --tarball "$tarball" --yes
    dep_clean
    run_one deploy four "$dep/proj" "$R" deploy foo all --tarball "$tarball" --yes
    run_one deploy four_again "$dep/proj" "$R" deploy foo all --tarball "$tarball" --yes
done
dep_clean

# ---- live: asking a running node --------------------------------------------------
# relman status of a running node (its pid, memory, counts, applications over
# distribution, through the SSH connection) against `bin/foo pid` run on the
# host (a VM per question), and per query on an open link (bench/nodeq.c).
# A 10 ms poll of the host's beam.smp count while the queries run shows
# whether any VM was started for them.
(cd "$dep/proj" && "$R" -q deploy foo t1 --tarball "$tarball" --yes) >"$work/logs/deploy.live.log" 2>&1 ||
    { say "bench: live: deploy failed"; cat "$work/logs/deploy.live.log" >&2; }
live_env=(env RELEASE_NODE=relmanbench1 RELEASE_DISTRIBUTION=sname ERL_EPMD_PORT=$dep_epmd
    PORT=4700 RELEASE_TMP=$dep/host1/srv/kv/shared/tmp)
for ((i = 0; i < dreps; i++)); do
    run_one deploy status_live "$dep/proj" "$R" status t1
    run_one deploy bin_pid "$dep/host1/srv/kv" "${live_env[@]}" current/bin/foo pid
done
cc_libs=$(pkg-config --libs libssh2 yaml-0.1 zlib libcrypto)
$cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src" -I"$build/generated" \
    -o "$build/bench_nodeq" "$src/bench/nodeq.c" "$build/librelman_remote.a" \
    "$build/librelman_core.a" $cc_libs -lpthread -ldl
beams_before=$(pgrep -c -x beam.smp)
( max=0; while [ ! -e "$dep/nodeq.done" ]; do
      c=$(pgrep -c -x beam.smp); [ "$c" -gt "$max" ] && max=$c; sleep 0.01
  done; echo "$max" >"$dep/nodeq.max" ) &
poller=$!
cookie_file=$(ls -d "$dep"/host1/srv/kv/shared/tmp/cookie/node-relmanbench1*/.erlang.cookie | head -n 1)
nodeq=$("$build/bench_nodeq" "$SSHD_CLIENT_CONFIG" h1 relmanbench1 "$cookie_file" "$dep_epmd" 200) ||
    say "bench: live: nodeq failed"
touch "$dep/nodeq.done"
wait "$poller"
beams_max=$(cat "$dep/nodeq.max" 2>/dev/null)
rm -f "$dep/nodeq.done" "$dep/nodeq.max"
dep_clean

# bytes sent per run: relman's "tN: sent X MB in ..." lines over the repetitions
sent() {
    local log=$work/logs/deploy.$1.log
    awk -v n="$dreps" '/: sent [0-9.]+ [kMG]?B in / {
            for (i = 1; i <= NF; i++) if ($i == "sent") { v = $(i + 1); u = $(i + 2) }
            m = u == "kB" || u == "KB" ? 1e3 : u == "MB" ? 1e6 : u == "GB" ? 1e9 : 1
            total += v * m }
        END { printf "sent %.1f MB per run", total / n / 1e6 }' "$log"
}
# where a fresh deploy's time goes on the host: each remote command's time
# (-v: "t1: -> exit 0 (0.12 s)") added to the step it belongs to
phases() {
    awk -v n="$dreps" '
        /^t1: [a-z]+: / { split($0, a, ": "); if (a[2] ~ /^[a-z]+$/) step = a[2] }
        /^t1: \$ / && step == "upload" && /sha256sum/ { checksum = 1 }
        /^t1: -> (exit|failed)/ {
            s = $0; sub(/.*[(]/, "", s); sub(/ s[)].*/, "", s); sub(/.*after /, "", s)
            k = checksum ? "checksum" : step; checksum = 0
            t[k] += s; total += s }
        END {
            split("lock upload checksum unpack switch stop start health cleanup", order, " ")
            out = ""
            for (i = 1; i <= 9; i++) if (order[i] in t)
                out = out sprintf("%s%s %.2f s", out == "" ? "" : ", ", order[i] == "lock" ? "lock+inspect" : order[i] == "cleanup" ? "cleanup+audit+unlock" : order[i], t[order[i]] / n)
            printf "%s; beyond the upload %.2f s", out, (total - t["upload"]) / n }' "$work/logs/deploy.one_v.log"
}
tsize=$(stat -c %s "$tarball")
row deploy "deploy kv \`foo\` (tarball $(mb "$tsize")), loopback sshd" one "relman deploy to 1 host (fresh)" one "$(sent one)"
row deploy "" one_again "relman deploy to 1 host, the release it runs again (no-op)" one "$(sent one_again)"
row deploy "" one_force "relman deploy to 1 host, the same again with --force" one "$(sent one_force)"
row deploy "" scp_tar "scp + ssh tar -xzf of the same tarball (the floor)" one ""
row deploy "" one_v "relman -v deploy to 1 host (fresh): per phase" one "$(phases)"
row deploy "" four "relman deploy to 4 hosts, batch 4 (fresh)" one "$(sent four)"
row deploy "" four_again "relman deploy to 4 hosts, the release they run again (no-op)" one "$(sent four_again)"
target "re-deploy of the release a host runs (no-op), ms" "$(median_of deploy one_again)" "<=" 500
row deploy "status of the running node (loopback sshd)" status_live "relman status (ssh connect + status command + 9 calls over distribution)" status_live ""
row deploy "" bin_pid "\`bin/foo pid\` on the host (a VM per question)" status_live ""
if [ -n "${nodeq:-}" ]; then
    read -r q_n q_med q_min q_max <<<"$nodeq"
    pid_ms=$(median_of deploy bin_pid)
    q_ratio=$(awk -v a="$pid_ms" -v b="$q_med" 'BEGIN { if (b > 0) printf "%.0f", a * 1000 / b }')
    echo "- per status query on an open link through ssh (9 calls, $q_n queries): median ${q_med} µs (min ${q_min}, max ${q_max}); \`bin/foo pid\` on the host: ${pid_ms} ms, ${q_ratio}× slower; beam.smp on the host during the queries: ${beams_max:-?} at most, ${beams_before} before" >>"$notes"
    target "status query over distribution vs bin/foo pid, times faster" "$q_ratio" ">=" 50
fi
