#!/bin/sh
# bin/@@NAME@@ - start and control the @@NAME@@ release.
#
# Written by relman (`relman assemble`); the next assembly replaces it.
# Run it without arguments for the list of commands. Every setting below can
# be given in the environment or in releases/VSN/env.sh (docs/assemble.md).
#
# The distribution cookie is never put on a command line or in a log: each
# VM finds it in a private directory (mode 0700) that it sees as its home
# directory, in a file of mode 0600; the real HOME is handed back to the VM
# with `-env HOME`. See "Cookie" in docs/assemble.md.
set -e
set -f

RELMAN_KIND=@@KIND@@

rel_die() {
  echo "ERROR: $*" >&2
  exit 1
}

# The release root: this script's directory's parent, following symlinks
# so that bin/@@NAME@@ may be linked from anywhere.
rel_self=$0
while [ -h "$rel_self" ]; do
  rel_link=$(readlink "$rel_self")
  case $rel_link in
    /*) rel_self=$rel_link ;;
    *) rel_self=$(dirname -- "$rel_self")/$rel_link ;;
  esac
done
RELEASE_ROOT=$(CDPATH='' cd -- "$(dirname -- "$rel_self")/.." && pwd -P)
export RELEASE_ROOT

RELEASE_NAME=${RELEASE_NAME:-@@NAME@@}
export RELEASE_NAME

# start_erl.data holds "ERTS_VSN RELEASE_VSN" without a final newline.
rel_erts_vsn=
rel_start_vsn=
if [ -r "$RELEASE_ROOT/releases/start_erl.data" ]; then
  read -r rel_erts_vsn rel_start_vsn <"$RELEASE_ROOT/releases/start_erl.data" || true
fi
RELEASE_VSN=${RELEASE_VSN:-$rel_start_vsn}
[ -n "$RELEASE_VSN" ] || rel_die "cannot read the release version from $RELEASE_ROOT/releases/start_erl.data"
export RELEASE_VSN
RELEASE_COMMAND=${1:-}
export RELEASE_COMMAND
RELEASE_PROG=${RELEASE_PROG:-${0##*/}}
export RELEASE_PROG

REL_VSN_DIR=$RELEASE_ROOT/releases/$RELEASE_VSN
[ -d "$REL_VSN_DIR" ] || rel_die "release version $RELEASE_VSN not found in $RELEASE_ROOT/releases"

# env.sh is sourced with this script's arguments ("$@" is "COMMAND ARGS...").
if [ -f "$REL_VSN_DIR/env.sh" ]; then
  . "$REL_VSN_DIR/env.sh"
fi

RELEASE_MODE=${RELEASE_MODE:-embedded}
RELEASE_NODE=${RELEASE_NODE:-$RELEASE_NAME}
RELEASE_TMP=${RELEASE_TMP:-$RELEASE_ROOT/tmp}
RELEASE_VM_ARGS_SET=${RELEASE_VM_ARGS:-}
RELEASE_VM_ARGS=${RELEASE_VM_ARGS:-$REL_VSN_DIR/vm.args}
RELEASE_REMOTE_VM_ARGS=${RELEASE_REMOTE_VM_ARGS:-$REL_VSN_DIR/remote.vm.args}
RELEASE_DISTRIBUTION=${RELEASE_DISTRIBUTION:-sname}
RELEASE_BOOT_SCRIPT=${RELEASE_BOOT_SCRIPT:-start}
RELEASE_BOOT_SCRIPT_CLEAN=${RELEASE_BOOT_SCRIPT_CLEAN:-start_clean}
export RELEASE_MODE RELEASE_NODE RELEASE_TMP RELEASE_VM_ARGS RELEASE_REMOTE_VM_ARGS
export RELEASE_DISTRIBUTION RELEASE_BOOT_SCRIPT RELEASE_BOOT_SCRIPT_CLEAN

# The ERTS this release version was built for: the bundled one when present,
# otherwise the `erl` found in PATH.
rel_erts=$(sed -n 's/.*{erts, *"\([^"]*\)"}.*/\1/p' "$REL_VSN_DIR/$RELEASE_NAME.rel" 2>/dev/null | head -n 1)
[ -n "$rel_erts" ] || rel_erts=$rel_erts_vsn
if [ -x "$RELEASE_ROOT/erts-$rel_erts/bin/erl" ]; then
  rel_bin=$RELEASE_ROOT/erts-$rel_erts/bin/
elif command -v erl >/dev/null 2>&1; then
  rel_bin=
else
  rel_die "no erts-$rel_erts in $RELEASE_ROOT and no erl in PATH"
fi

# The command line is collected in rel_cmd, each word single-quoted, so that
# it can be run with eval or handed to run_erl as one shell command.
rel_cmd=
rel_push() {
  for rel_w in "$@"; do
    case $rel_w in
      *\'*) rel_w=$(printf '%s\n' "$rel_w" | sed "s/'/'\\\\''/g") ;;
    esac
    rel_cmd="$rel_cmd '$rel_w'"
  done
}

rel_rand() {
  od -An -N2 -tx1 /dev/urandom | tr -d ' \n'
}

# rel_dist NAME: the distribution flags for a node called NAME.
rel_dist() {
  case $RELEASE_DISTRIBUTION in
    none) ;;
    name) rel_push -name "$1" ;;
    sname) rel_push -sname "$1" ;;
    *) rel_die "RELEASE_DISTRIBUTION must be sname, name or none, not '$RELEASE_DISTRIBUTION'" ;;
  esac
}

# rel_render_src SRC DST: copy SRC to DST (mode 0600) with every ${VAR} and
# ${VAR:-default} replaced from the environment, as relx does for
# sys.config.src and vm.args.src. An unset VAR without default is an error.
rel_render_src() {
  (umask 077 && mkdir -p "$RELEASE_TMP") || rel_die "cannot create $RELEASE_TMP"
  (umask 077 && awk '
    {
      line = $0; out = ""
      while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/)) {
        tok = substr(line, RSTART + 2, RLENGTH - 3)
        name = tok; def = ""; hasdef = 0
        i = index(tok, ":-")
        if (i > 0) { name = substr(tok, 1, i - 1); def = substr(tok, i + 2); hasdef = 1 }
        if (name in ENVIRON) val = ENVIRON[name]
        else if (hasdef) val = def
        else { print "ERROR: " FILENAME ":" NR ": " name " is not set" > "/dev/stderr"; exit 1 }
        out = out substr(line, 1, RSTART - 1) val
        line = substr(line, RSTART + RLENGTH)
      }
      print out line
    }' "$1" >"$2.$$" && mv -f "$2.$$" "$2") || { rm -f "$2.$$"; exit 1; }
}

# vm.args.src (rebar3 projects): filled in from the environment at start.
if [ -z "${RELEASE_VM_ARGS_SET:-}" ] && [ ! -f "$RELEASE_VM_ARGS" ] && [ -f "$RELEASE_VM_ARGS.src" ]; then
  case ${1:-} in
    start | start_iex | daemon | daemon_iex | eval)
      rel_render_src "$RELEASE_VM_ARGS.src" "$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.vm.args"
      RELEASE_VM_ARGS=$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.vm.args
      export RELEASE_VM_ARGS
      ;;
  esac
fi

# The sys.config to boot with (RELEASE_SYS_CONFIG, without ".config"). When
# config providers rewrite it at boot (RUNTIME_CONFIG=true), boot from a
# private copy in RELEASE_TMP instead; a sys.config.src is filled in first.
rel_sys_config() {
  rel_src=${RELEASE_SYS_CONFIG:-$REL_VSN_DIR/sys}
  if [ ! -f "$rel_src.config" ] && [ -f "$rel_src.config.src" ]; then
    rel_render_src "$rel_src.config.src" "$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.sys.config"
    rel_src=$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.sys
  fi
  if grep -q 'RUNTIME_CONFIG=true' "$rel_src.config" 2>/dev/null; then
    rel_dst=$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN-$(date +%Y%m%d%H%M%S)-$(rel_rand).runtime
    (umask 077 && mkdir -p "$RELEASE_TMP" && cp "$rel_src.config" "$rel_dst.config") ||
      rel_die "cannot write $rel_dst.config (set RELEASE_TMP to a writable directory)"
    RELEASE_SYS_CONFIG=$rel_dst
  else
    RELEASE_SYS_CONFIG=$rel_src
  fi
  export RELEASE_SYS_CONFIG
}

# rel_cookie_home node|once: put the cookie where only the VM about to run
# will read it, as .erlang.cookie (mode 0600) in a directory of mode 0700.
# "node": one directory per node name, kept while the node may need it;
# "once": a fresh directory, removed when the command ends.
rel_auth_dir=
rel_auth_once=
rel_cookie_home() {
  if [ -n "${ELIXIR_CLI_DRY_RUN:-}" ]; then
    [ -z "${HOME+set}" ] || rel_push -env HOME "$HOME"
    return 0
  fi
  if [ -n "${RELEASE_COOKIE:-}" ]; then
    rel_cookie=$RELEASE_COOKIE
  elif [ -r "$RELEASE_ROOT/releases/COOKIE" ]; then
    rel_cookie=
    read -r rel_cookie <"$RELEASE_ROOT/releases/COOKIE" || true
  else
    rel_die "cannot read $RELEASE_ROOT/releases/COOKIE (or set RELEASE_COOKIE)"
  fi
  [ -n "$rel_cookie" ] || rel_die "the cookie is empty ($RELEASE_ROOT/releases/COOKIE or RELEASE_COOKIE)"
  case $rel_cookie in
    *[![:print:]]*) rel_die "the cookie may only hold printable ASCII characters" ;;
  esac
  rel_base=$RELEASE_TMP/cookie
  if ! (umask 077 && mkdir -p "$rel_base") 2>/dev/null || [ ! -w "$rel_base" ]; then
    rel_base=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/relman-cookie.XXXXXX") ||
      rel_die "cannot create a private directory for the cookie (set RELEASE_TMP)"
  fi
  chmod 700 "$rel_base"
  if [ "$1" = node ]; then
    rel_auth_dir=$rel_base/node-$(printf '%s' "$RELEASE_NODE" | tr -c 'A-Za-z0-9_.@-' '_')
    (umask 077 && mkdir -p "$rel_auth_dir") || rel_die "cannot create $rel_auth_dir"
  else
    rel_auth_dir=$(umask 077 && mktemp -d "$rel_base/cmd.XXXXXX") || rel_die "cannot create a directory in $rel_base"
    rel_auth_once=$rel_auth_dir
  fi
  chmod 700 "$rel_auth_dir"
  # printf is a shell builtin: the cookie is not passed to any program.
  (umask 077 && printf '%s' "$rel_cookie" >"$rel_auth_dir/.erlang.cookie.$$" &&
    mv -f "$rel_auth_dir/.erlang.cookie.$$" "$rel_auth_dir/.erlang.cookie") ||
    rel_die "cannot write the cookie to $rel_auth_dir"
  rel_cookie=
  if [ -n "${HOME+set}" ]; then
    rel_push -env HOME "$HOME"
  fi
  unset RELEASE_COOKIE
  HOME=$rel_auth_dir
  export HOME
}

# The start of every VM command line.
rel_erl() {
  rel_cmd=
  rel_push "${rel_bin}erl"
  # Extra VM flags, word-split as the elixir launcher does.
  if [ -n "${ELIXIR_ERL_OPTIONS:-}" ]; then
    rel_push $ELIXIR_ERL_OPTIONS
  fi
}

rel_boot() {
  rel_push -boot "$REL_VSN_DIR/$1" -boot_var RELEASE_LIB "$RELEASE_ROOT/lib"
}

rel_ansi() {
  if [ -z "${NO_COLOR:-}" ] && [ -t 1 ] && [ -t 2 ]; then
    rel_push -elixir ansi_enabled true
  fi
}

# Run the collected command: replace this shell ("exec"), hand it to run_erl
# ("daemon"), or replace this shell with a command that had a one-off cookie
# directory ("once").
#
# "once" (remote, rpc, eval) also execs: the VM must be the process the
# terminal and the connection signal, so that a hang-up (ssh's ~., a cut
# connection, a killed client) ends it. Run as a child of this shell, it
# outlived them: the shell, waiting, never ran its traps, and the VM spun on
# a dead terminal. A small watcher (no terminal, ignoring hang-ups) removes
# the cookie directory once the VM -- this pid, after exec -- has exited
# (within 0.2 s; 1 s where sleep takes whole seconds only).
rel_run() {
  if [ -n "${ELIXIR_CLI_DRY_RUN:-}" ]; then
    eval "set -- $rel_cmd"
    echo "$@"
    [ -z "$rel_auth_once" ] || rm -rf "$rel_auth_once"
    exit 0
  fi
  case $1 in
    exec)
      eval "exec $rel_cmd"
      ;;
    daemon)
      mkdir -p "$RELEASE_TMP/pipe" "$RELEASE_TMP/log" ||
        rel_die "cannot create $RELEASE_TMP/pipe and $RELEASE_TMP/log"
      exec "${rel_bin}run_erl" -daemon "$RELEASE_TMP/pipe/" "$RELEASE_TMP/log/" "exec $rel_cmd"
      ;;
    once)
      if [ -n "$rel_auth_once" ]; then
        rel_vm=$$
        (
          trap '' HUP INT TERM
          while kill -0 "$rel_vm" 2>/dev/null; do sleep 0.2 2>/dev/null || sleep 1; done
          rm -rf "$rel_auth_once"
        ) </dev/null >/dev/null 2>&1 &
      fi
      eval "exec $rel_cmd"
      ;;
  esac
}

# Erlang-native helpers for releases without Elixir, given to -eval. They
# read their input from the plain arguments after -extra.
rel_erl_parse='Parse = fun(S) -> T = string:trim(S, trailing), T1 = case lists:suffix(".", T) of true -> T; false -> T ++ "." end, case erl_scan:string(T1) of {ok, Ts, _} -> case erl_parse:parse_exprs(Ts) of {ok, Es} -> Es; {error, {_, M, D}} -> io:format(standard_error, "ERROR: ~ts~n", [M:format_error(D)]), halt(1) end; {error, {_, M, D}, _} -> io:format(standard_error, "ERROR: ~ts~n", [M:format_error(D)]), halt(1) end end'
rel_erl_eval="$rel_erl_parse"', [S | _] = init:get_plain_arguments(), Es = Parse(S), try erl_eval:exprs(Es, []) of _ -> halt(0) catch C:R:St -> io:format(standard_error, "ERROR: ~ts~n", [erl_error:format_exception(C, R, St)]), halt(1) end.'
rel_erl_rpc="$rel_erl_parse"', [N, S | _] = init:get_plain_arguments(), Node = case lists:member($@, N) of true -> list_to_atom(N); false -> [_, H] = string:split(atom_to_list(node()), "@"), list_to_atom(N ++ "@" ++ H) end, Es = Parse(S), case net_kernel:connect_node(Node) of true -> ok; _ -> io:format(standard_error, "ERROR: could not contact node ~s~n", [Node]), halt(1) end, case rpc:call(Node, erl_eval, exprs, [Es, []]) of {badrpc, {'"'EXIT'"', {C, St}}} -> io:format(standard_error, "ERROR: ~ts~n", [erl_error:format_exception(error, C, St)]), halt(1); {badrpc, R} -> io:format(standard_error, "ERROR: ~p~n", [R]), halt(1); _ -> halt(0) end.'

# rel_rpc EXPR: evaluate EXPR on the running node.
rel_rpc() {
  rel_erl
  if [ "$RELMAN_KIND" = elixir ]; then
    rel_push -noshell -s elixir start_cli
  else
    rel_push -noshell
  fi
  rel_push -hidden
  rel_dist "rpc-$(rel_rand)-$RELEASE_NODE"
  rel_boot "$RELEASE_BOOT_SCRIPT_CLEAN"
  rel_push -args_file "$RELEASE_REMOTE_VM_ARGS"
  rel_cookie_home once
  if [ "$RELMAN_KIND" = elixir ]; then
    rel_push -extra --rpc-eval "$RELEASE_NODE" "$1"
  else
    rel_push -eval "$rel_erl_rpc" -extra "$RELEASE_NODE" "$1"
  fi
  rel_run once
}

# rel_start elixir|iex [daemon]: boot the release.
rel_start() {
  rel_sys_config
  rel_erl
  if [ "$RELMAN_KIND" = elixir ]; then
    if [ "$1" = iex ]; then
      rel_push @@IEX_FLAGS@@
    else
      rel_push -noshell -s elixir start_cli
      [ "$2" = daemon ] || rel_ansi
    fi
  elif [ "$1" != iex ]; then
    rel_push -noshell
  fi
  rel_push @@MODE_FLAG@@ "$RELEASE_MODE"
  rel_dist "$RELEASE_NODE"
  rel_push -config "$RELEASE_SYS_CONFIG"
  rel_boot "$RELEASE_BOOT_SCRIPT"
  rel_push -args_file "$RELEASE_VM_ARGS"
  rel_cookie_home node
  if [ "$RELMAN_KIND" = elixir ]; then
    if [ "$1" = iex ]; then
      rel_push -extra --no-halt +iex
    else
      rel_push -extra --no-halt
    fi
  fi
  if [ "$2" = daemon ]; then
    rel_run daemon
  else
    rel_run exec
  fi
}

case ${1:-} in
  start)
    rel_start elixir
    ;;
  start_iex)
    rel_start iex
    ;;
  daemon)
    rel_start elixir daemon
    ;;
  daemon_iex)
    rel_start iex daemon
    ;;
  eval)
    [ -n "${2:-}" ] || rel_die "eval expects an expression as argument"
    rel_expr=$2
    shift 2
    rel_sys_config
    rel_erl
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_push -noshell -s elixir start_cli
      rel_ansi
    else
      rel_push -noshell
    fi
    rel_push -config "$RELEASE_SYS_CONFIG"
    rel_boot "$RELEASE_BOOT_SCRIPT_CLEAN"
    rel_push -args_file "$RELEASE_VM_ARGS"
    rel_cookie_home once
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_push -extra --eval "$rel_expr" -- "$@"
    else
      rel_push -eval "$rel_erl_eval" -extra "$rel_expr" "$@"
    fi
    rel_run once
    ;;
  remote)
    rel_erl
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_push @@IEX_FLAGS@@
    fi
    rel_push -hidden
    rel_dist "rem-$(rel_rand)-$RELEASE_NODE"
    rel_boot "$RELEASE_BOOT_SCRIPT_CLEAN"
    rel_push -args_file "$RELEASE_REMOTE_VM_ARGS"
    rel_cookie_home once
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_push -extra --no-halt +iex --remsh "$RELEASE_NODE"
    else
      rel_push -remsh "$RELEASE_NODE"
    fi
    rel_run once
    ;;
  rpc)
    [ -n "${2:-}" ] || rel_die "rpc expects an expression as argument"
    rel_rpc "$2"
    ;;
  stop)
    if [ "$RELMAN_KIND" = elixir ]; then rel_rpc "System.stop()"; else rel_rpc "init:stop()"; fi
    ;;
  restart)
    if [ "$RELMAN_KIND" = elixir ]; then rel_rpc "System.restart()"; else rel_rpc "init:restart()"; fi
    ;;
  pid)
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_rpc "IO.puts(System.pid())"
    else
      rel_rpc 'io:format("~s~n", [os:getpid()])'
    fi
    ;;
  version)
    echo "$RELEASE_NAME $RELEASE_VSN"
    ;;
  *)
    cat >&2 <<EOF
usage: $RELEASE_PROG COMMAND [ARGS]

  start         boot the release in the foreground
  start_iex     boot it with an interactive shell
  daemon        boot it in the background (run_erl; logs in \$RELEASE_TMP/log)
  daemon_iex    boot it in the background with a shell (attach: to_erl \$RELEASE_TMP/pipe/)
  eval EXPR     evaluate EXPR in a fresh VM where the release is loaded, not started
  rpc EXPR      evaluate EXPR on the running node
  remote        open a remote shell on the running node
  restart       restart the running node (without restarting the OS process)
  stop          stop the running node
  pid           print the OS process id of the running node
  version       print the release name and the version that would boot

Settings come from RELEASE_* environment variables and $REL_VSN_DIR/env.sh.
EOF
    if [ -n "${1:-}" ] && [ "$1" != help ]; then
      echo "ERROR: unknown command '$1'" >&2
      exit 1
    fi
    ;;
esac
