#!/usr/bin/env bash
# Acceptance (issue 14, points 1 and 2), on a project `rebar3 new release`
# makes at test time, edited as relx users do:
#   - a vm.args.src with -sname ${NODE_NAME} and -setcookie ${COOKIE}, picked
#     up by relx's default (no vm_args in rebar.config): daemon, ping, rpc,
#     stop reach the node; a ps poll (every 50 ms) never sees the cookie in
#     any argv; it is in no file under tmp/log; the node sees RELEASE_COOKIE;
#   - RELX_REPLACE_OS_VARS for a plain sys.config and a plain vm.args;
#   - hooks (pre/post start and stop, status, built-in pid, wait_for_vm_start,
#     wait_for_process) and an extension, from releases.NAME.start_script;
#   - the dialect key: `start_script: {dialect: mix}` gives mix's eval.
set -u
. "$(dirname "$0")/lib/assemble.sh"
APP=rv$$
HOST=$(hostname -s)

rebar3_new release "$APP"
cd "$T" && mv "$APP" src && cd src || exit 1
# ---- vm.args.src with ${NODE_NAME} and ${COOKIE}; RELX_REPLACE_OS_VARS --
rm config/vm.args
printf -- '-sname ${NODE_NAME}\n-setcookie ${COOKIE}\n+K true\n' >config/vm.args.src
printf '[{%s, [{greeting, "${GREETING}"}]}].\n' "$APP" >config/sys.config
# relx's default: with no vm_args in rebar.config, config/vm.args.src is used.
sed -i '/{vm_args, /d; s/{sys_config, "\.\/config\/sys\.config"},/{sys_config, "\.\/config\/sys\.config"}/' rebar.config
mkdir -p rel/overlays/bin/hooks rel/overlays/bin/ext
for h in pre_start post_start pre_stop post_stop; do
    printf 'echo "%s $*" >>"$RELEASE_ROOT/hooks.log"\n' "$h" >"rel/overlays/bin/hooks/$h"
done
printf 'echo "status-hook $(erl_eval "1 + 1.")"\n' >rel/overlays/bin/hooks/status
printf 'echo "hello from $REL_NAME: $*"\nexit 0\n' >rel/overlays/bin/ext/hello
check "init --import (vm.args.src)" "$R" init --import
cat >>relman.yml <<YML
    start_script:
      hooks:
        pre_start: ["hooks/pre_start one two"]
        post_start: [hooks/post_start, "pid $T/node.pid", wait_for_vm_start, "wait_for_process ${APP}_sup"]
        pre_stop: [hooks/pre_stop]
        post_stop: [hooks/post_stop]
        status: hooks/status
      extensions:
        hello: ext/hello
YML
"$R" assemble -q >"$T/asm2.out" 2>&1 || { cat "$T/asm2.out"; bad "relman assemble (vm.args.src)"; }
REL2=$T/src/_build/default/rel/$APP
B2=$REL2/bin/$APP
check "vm.args.src shipped as such" test -f "$REL2/releases/0.1.0/vm.args.src"
NODE2=rxsrc$$
export NODE_NAME=$NODE2 COOKIE=cookie_$$_$RANDOM GREETING=hej
printf '%s\n' "$COOKIE" >"$T/cookie.pat"
argv_poll_start "$T/cookie.pat"
RELX_REPLACE_OS_VARS=1 "$B2" daemon >"$T/daemon.out" 2>&1
check "daemon returns once the node answers" "$B2" ping
check "the node is named by vm.args.src" test "$("$B2" rpc erlang node)" = "$NODE2@$HOST"
check "its cookie is vm.args.src's" test "$("$B2" eval 'erlang:get_cookie().')" = "$COOKIE"
check "RELX_REPLACE_OS_VARS filled in sys.config" \
    test "$("$B2" rpc application get_env "[$APP, greeting]")" = '{ok, "hej"}'
check "the node sees RELEASE_COOKIE" test "$("$B2" rpc os getenv '["RELEASE_COOKIE"]')" = "\"$COOKIE\""
check "pre_start ran with its arguments" grep -qx 'pre_start one two' "$REL2/hooks.log"
check "post_start ran" grep -qx 'post_start ' "$REL2/hooks.log"
check "built-in pid hook wrote the node's pid" test "$(cat "$T/node.pid")" = "$("$B2" pid)"
check "status runs its hook" test "$("$B2" status)" = "status-hook 2"
check "extension" test "$("$B2" hello a b)" = "hello from $APP: a b"
check "help lists the extension" bash -c "'$B2' help | grep -q '^  hello '"
check "a wrong COOKIE does not reach the node" bash -c "! COOKIE=wrong '$B2' ping >/dev/null"
npid=$(cat "$T/node.pid")
check "stop" "$B2" stop
check "stop waited for the VM to exit" bash -c "! kill -0 $npid 2>/dev/null"
check "pre_stop and post_stop ran" bash -c "grep -qx 'pre_stop ' '$REL2/hooks.log' && grep -qx 'post_stop ' '$REL2/hooks.log'"
argv_poll_stop
check "the cookie was in no process's argv (50 ms poll)" test ! -s "$T/poll.out"
check "the cookie is in no file under tmp/log" bash -c "! grep -rqF -f '$T/cookie.pat' '$REL2/tmp/log'"
check "the rendered vm.args holds no cookie" bash -c "! grep -qF -f '$T/cookie.pat' '$REL2/tmp/$APP-0.1.0.vm.args'"
for _ in $(seq 1 30); do [ -z "$(ls "$REL2/tmp/cookie" | grep -v '^node-')" ] && break; sleep 0.1; done
check "no one-off cookie directory left" test -z "$(ls "$REL2/tmp/cookie" | grep -v '^node-')"
check "no VM of the release left" wait_gone "$REL2/erts-[0-9.]*/bin/beam" 10

# ---- the dialect key: mix's eval (a fresh VM) on the same release -------
sed -i 's/^    start_script:$/    start_script:\n      dialect: mix/' relman.yml
"$R" assemble -q >"$T/asm3.out" 2>&1 || { cat "$T/asm3.out"; bad "relman assemble (dialect: mix)"; }
check "dialect mix: eval runs in a fresh VM (no node needed)" \
    test "$("$B2" eval 'io:format("~p~n", [6 * 7])' 2>/dev/null)" = 42
check "RELMAN_DIALECT=relx overrides it for one command" \
    bash -c "RELMAN_DIALECT=relx '$B2' eval 'node().' | grep -qx 'Node is not running!'"
check "start_iex is not offered without Elixir" bash -c "! '$B2' start_iex 2>'$T/iex.err' && grep -q 'needs Elixir' '$T/iex.err'"
check "usage does not list start_iex" bash -c "! '$B2' help | grep -q start_iex"
# RELX_REPLACE_OS_VARS on a plain vm.args (no VM needed: ELIXIR_CLI_DRY_RUN
# prints the command line bin/NAME would run).
printf -- '-sname ${NODE_NAME}_plain\n+A ${ASYNC:-7}\n' >"$T/plain.vm.args"
RELX_REPLACE_OS_VARS=1 RELEASE_VM_ARGS=$T/plain.vm.args ELIXIR_CLI_DRY_RUN=1 "$B2" console >"$T/dry.out" 2>&1
check "RELX_REPLACE_OS_VARS: plain vm.args filled in" grep -qx '+A 7' "$REL2/tmp/$APP-0.1.0.vm.args"
check "RELX_REPLACE_OS_VARS: the node is named by it" grep -q -- "-sname ${NODE2}_plain " "$T/dry.out"
printf -- '+A ${ASYNC:-7}\n' >"$T/plain2.vm.args"
check "without RELX_REPLACE_OS_VARS (and no name or cookie in it) a vm.args is used as it is" \
    bash -c "RELEASE_VM_ARGS='$T/plain2.vm.args' ELIXIR_CLI_DRY_RUN=1 '$B2' console | grep -qF -- '-args_file $T/plain2.vm.args'"
check "help COMMAND" bash -c "'$B2' help remote | grep -q 'remote_console'"
finish
