# bench/deploy.sh - the deploy rows of bench/run (sourced by it; uses its
# helpers and variables: run_one, row, target, $work, $kv, $R, $reps).
#
# Four OpenSSH servers on 127.0.0.1..4 (ports 22300-22303, started here with
# tests/integration/lib/sshd.sh, host keys trusted), each target a directory
# of $work; the kv release foo (relman's own tarball) is deployed:
#   - to 1 host, fresh (upload, unpack, start, health check), then again
#     unchanged (the upload is skipped: the same checksum is there);
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
    dep_clean
    run_one deploy four "$dep/proj" "$R" deploy foo all --tarball "$tarball" --yes
    run_one deploy four_again "$dep/proj" "$R" deploy foo all --tarball "$tarball" --yes
done
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
tsize=$(stat -c %s "$tarball")
row deploy "deploy kv \`foo\` (tarball $(mb "$tsize")), loopback sshd" one "relman deploy to 1 host (fresh)" one "$(sent one)"
row deploy "" one_again "relman deploy to 1 host, same release again" one "$(sent one_again)"
row deploy "" four "relman deploy to 4 hosts, batch 4 (fresh)" one "$(sent four)"
row deploy "" four_again "relman deploy to 4 hosts, same release again" one "$(sent four_again)"
