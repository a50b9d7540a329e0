# The VMs a test started (sourced; needs $T, the test's own temp dir).
#
# Our processes: everything whose command line names $T, except this shell
# and epmd. On a machine where no epmd ran yet, the first release to boot
# starts the machine's epmd from its own ERTS (inside $T); it serves every
# node on the machine, other tests' too, so it is never ours to kill.
our_pids() {
    local pid
    for pid in $(pgrep -f "$T" 2>/dev/null); do
        [ "$pid" = $$ ] && continue
        [ "$(cat /proc/$pid/comm 2>/dev/null)" = epmd ] && continue
        echo "$pid"
    done
}
# stop_our_vms: TERM them, KILL what is left 0.3 s later.
stop_our_vms() {
    local pids
    pids=$(our_pids)
    [ -n "$pids" ] || return 0
    kill $pids 2>/dev/null
    sleep 0.3
    pids=$(our_pids)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    return 0
}
