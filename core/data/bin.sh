#!/bin/sh
# bin/@@NAME@@ - start and control the @@NAME@@ release.
#
# Written by relman (`relman assemble`); the next assembly replaces it.
# Run it without arguments for the list of commands. It speaks both mix's
# and relx's commands (docs/start-script.md). Every setting below can be
# given in the environment or in releases/VSN/env.sh (docs/assemble.md).
#
# The distribution cookie is never put on a command line or in a log: each
# VM finds it in a private directory (mode 0700) that it sees as its home
# directory, in a file of mode 0600; the real HOME is handed back to the VM
# with `-env HOME`. A cookie that vm.args names is taken out of it at start
# and goes the same way. See "Cookie" in docs/assemble.md.
set -e
set -f

RELMAN_KIND=@@KIND@@
# relx or mix: which meaning eval, rpc, start and daemon have (relman.yml's
# releases.NAME.start_script.dialect; RELMAN_DIALECT overrides it).
RELMAN_DIALECT=${RELMAN_DIALECT:-@@DIALECT@@}

# Hooks and extensions (releases.NAME.start_script): one entry a line,
# "SCRIPT [ARGS...]" relative to bin/, or a built-in hook.
@@SCRIPT_CONFIG@@
rel_die() {
  echo "ERROR: $*" >&2
  exit 1
}

case $RELMAN_DIALECT in
  relx | mix) ;;
  *) rel_die "RELMAN_DIALECT must be relx or mix, not '$RELMAN_DIALECT'" ;;
esac

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

# What the caller set, before env.sh: a node name given in the environment
# wins over the one vm.args names; the real HOME, handed back to each VM.
rel_caller_node=${RELEASE_NODE:+set}
rel_home_set=${HOME+set}
rel_home=${HOME:-}

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
# run_erl's directories (relx's names; relx's defaults are /tmp/erl_pipes/NODE/ and log/).
PIPE_DIR=${PIPE_DIR:-$RELEASE_TMP/pipe/}
RUNNER_LOG_DIR=${RUNNER_LOG_DIR:-$RELEASE_TMP/log}
RELX_RPC_TIMEOUT=${RELX_RPC_TIMEOUT:-60}
export RELX_RPC_TIMEOUT
# release_handler (sasl) reads the release's own releases/RELEASES, also when
# the release runs on the target's Erlang (no bundled ERTS: code:root_dir()
# is then that installation, whose RELEASES is OTP's).
RELDIR=${RELDIR:-$RELEASE_ROOT/releases}
export RELDIR

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

# The names relx's hooks and extensions use (they are sourced by this
# script, as relx sources them).
REL_NAME=$RELEASE_NAME
REL_VSN=$RELEASE_VSN
REL_DIR=$REL_VSN_DIR
RELEASE_ROOT_DIR=$RELEASE_ROOT
SCRIPT_DIR=$RELEASE_ROOT/bin
NAME=$RELEASE_NODE
export REL_NAME

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

# rel_render SRC DST SUBST VM: copy SRC to DST (mode 0600; no DST: only
# read SRC) with, when SUBST is 1, every ${VAR} and ${VAR:-default}
# replaced from the environment as relx does (an unset or empty VAR takes
# the default, else "", with a warning). When VM is 1 (a vm.args), the
# lines that name the node (-name/-sname) and the cookie are taken out:
# bin/NAME passes the name itself and hands the cookie to the VM privately.
# Prints "=TYPE =NODE =COOKIE" on stdout (each may be empty) for
# rel_take_meta; stdout is a pipe into this shell, not anyone's argv.
rel_render() {
  rel_dst=
  [ -z "$2" ] || rel_dst=$2.$$
  (umask 077 && awk -v dst="$rel_dst" -v subst="$3" -v vm="$4" '
    BEGIN { ck = "-set" "cookie"; type = ""; node = ""; cookie = "" }
    function expand(line,   out, tok, name, def, i, val) {
      out = ""
      while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/)) {
        tok = substr(line, RSTART + 2, RLENGTH - 3)
        name = tok; def = ""
        i = index(tok, ":-")
        if (i > 0) { name = substr(tok, 1, i - 1); def = substr(tok, i + 2) }
        val = (name in ENVIRON) ? ENVIRON[name] : ""
        if (val == "") {
          val = def
          if (i == 0) print "WARNING: " FILENAME ":" NR ": " name " is not set; replaced by \"\"" > "/dev/stderr"
        }
        out = out substr(line, 1, RSTART - 1) val
        line = substr(line, RSTART + RLENGTH)
      }
      return out line
    }
    {
      line = $0
      if (subst == 1) line = expand(line)
      if (vm == 1) {
        n = split(line, w, /[ \t]+/)
        f = 1
        if (n > 0 && w[1] == "") f = 2
        if (w[f] == "-name" || w[f] == "-sname") {
          if (type != "") { print "ERROR: " FILENAME ":" NR ": a second " w[f] " (the node is named by " type " " node ")" > "/dev/stderr"; exit 2 }
          if (n != f + 1) { print "ERROR: " FILENAME ":" NR ": " w[f] " takes one node name, on a line of its own" > "/dev/stderr"; exit 2 }
          type = substr(w[f], 2); node = w[f + 1]
          line = "## " w[f] " taken out by bin/NAME (it passes the name itself)"
        } else if (w[f] == ck) {
          if (n != f + 1) { print "ERROR: " FILENAME ":" NR ": " ck " takes one cookie, on a line of its own" > "/dev/stderr"; exit 2 }
          cookie = w[f + 1]
          line = "## " ck " taken out by bin/NAME (the cookie goes to a private file)"
        } else {
          for (k = f; k <= n; k++) if (w[k] == ck) { print "ERROR: " FILENAME ":" NR ": " ck " must be on a line of its own" > "/dev/stderr"; exit 2 }
        }
      }
      if (dst != "") print line > dst
    }
    END { if (dst != "") close(dst); print "=" type " =" node " =" cookie }' "$1") || { [ -z "$rel_dst" ] || rm -f "$rel_dst"; return 1; }
  [ -z "$rel_dst" ] || mv -f "$rel_dst" "$2"
}

# rel_take_meta =TYPE =NODE =COOKIE: what rel_render found in vm.args.
rel_va_cookie=
rel_take_meta() {
  rel_t=${1#=}
  rel_n=${2#=}
  rel_va_cookie=${3#=}
  if [ -n "$rel_t" ] && [ -z "$rel_caller_node" ]; then
    RELEASE_DISTRIBUTION=$rel_t
    RELEASE_NODE=$rel_n
  fi
  NAME=$RELEASE_NODE
}

# The vm.args to boot with, and the node name and cookie it sets: with
# "boot" a vm.args.src (or, with RELX_REPLACE_OS_VARS, any vm.args) is
# filled in, and one that names the node or the cookie is rewritten
# without them, into RELEASE_TMP; with "peek" it is only read (commands
# that reach a running node need its name and cookie, not the file).
rel_vm_args() {
  rel_va=$RELEASE_VM_ARGS
  rel_subst=0
  if [ -z "$RELEASE_VM_ARGS_SET" ] && [ ! -f "$rel_va" ] && [ -f "$rel_va.src" ]; then
    rel_va=$rel_va.src
    rel_subst=1
  elif [ -n "${RELX_REPLACE_OS_VARS:-}" ]; then
    rel_subst=1
  fi
  [ -f "$rel_va" ] || return 0
  if [ "$rel_subst" = 0 ] && ! grep -Eq '^[[:space:]]*-(s?name|setcook[i]e)([[:space:]]|$)' "$rel_va"; then
    return 0
  fi
  rel_out=
  if [ "$1" = boot ]; then
    (umask 077 && mkdir -p "$RELEASE_TMP") || rel_die "cannot create $RELEASE_TMP"
    rel_out=$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.vm.args
  fi
  rel_meta=$(rel_render "$rel_va" "$rel_out" "$rel_subst" 1) || exit 1
  rel_take_meta $rel_meta
  rel_meta=
  [ -z "$rel_out" ] || RELEASE_VM_ARGS=$rel_out
  export RELEASE_VM_ARGS RELEASE_NODE RELEASE_DISTRIBUTION
}

# The sys.config to boot with (RELEASE_SYS_CONFIG, without ".config"). A
# sys.config.src (or, with RELX_REPLACE_OS_VARS, the sys.config) is filled
# in first. When config providers rewrite it at boot (RUNTIME_CONFIG=true),
# boot from a private copy in RELEASE_TMP instead.
rel_sys_config() {
  rel_src=${RELEASE_SYS_CONFIG:-$REL_VSN_DIR/sys}
  rel_subst_src=
  if [ ! -f "$rel_src.config" ] && [ -f "$rel_src.config.src" ]; then
    rel_subst_src=$rel_src.config.src
  elif [ -n "${RELX_REPLACE_OS_VARS:-}" ] && [ -f "$rel_src.config" ]; then
    rel_subst_src=$rel_src.config
  fi
  if [ -n "$rel_subst_src" ]; then
    (umask 077 && mkdir -p "$RELEASE_TMP") || rel_die "cannot create $RELEASE_TMP"
    rel_render "$rel_subst_src" "$RELEASE_TMP/$RELEASE_NAME-$RELEASE_VSN.sys.config" 1 0 >/dev/null || exit 1
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
# "once": a fresh directory, removed when the command ends. The VM also
# gets the cookie as RELEASE_COOKIE in its environment, as mix's releases
# do (runtime.exs may read it; the environment is not an argument).
# The cookie: RELEASE_COOKIE, else relx's RELX_COOKIE, else the one vm.args
# names, else releases/COOKIE.
rel_auth_dir=
rel_auth_once=
rel_cookie_home() {
  if [ -n "${ELIXIR_CLI_DRY_RUN:-}" ]; then
    [ -z "$rel_home_set" ] || rel_push -env HOME "$rel_home"
    return 0
  fi
  if [ -n "${RELEASE_COOKIE:-}" ]; then
    rel_cookie=$RELEASE_COOKIE
  elif [ -n "${RELX_COOKIE:-}" ]; then
    rel_cookie=$RELX_COOKIE
  elif [ -n "$rel_va_cookie" ]; then
    rel_cookie=$rel_va_cookie
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
  if [ -n "$rel_home_set" ]; then
    rel_push -env HOME "$rel_home"
  fi
  RELEASE_COOKIE=$rel_cookie
  export RELEASE_COOKIE
  unset RELX_COOKIE
  rel_cookie=
  rel_va_cookie=
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
  case $1 in
    /*) rel_push -boot "$1" ;;
    *) rel_push -boot "$REL_VSN_DIR/$1" ;;
  esac
  rel_push -boot_var RELEASE_LIB "$RELEASE_ROOT/lib"
}

rel_ansi() {
  if [ -z "${NO_COLOR:-}" ] && [ -t 1 ] && [ -t 2 ]; then
    rel_push -elixir ansi_enabled true
  fi
}

# Run the collected command: replace this shell ("exec"), hand it to
# run_erl ("daemon"; "daemon-wait" returns to this shell), or replace this
# shell with a command that had a one-off cookie directory ("once").
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
    daemon | daemon-wait)
      mkdir -p "$PIPE_DIR" "$RUNNER_LOG_DIR" ||
        rel_die "cannot create $PIPE_DIR and $RUNNER_LOG_DIR"
      [ -w "$PIPE_DIR" ] || rel_die "cannot write to $PIPE_DIR (set PIPE_DIR)"
      if [ "$1" = daemon ]; then
        exec "${rel_bin}run_erl" -daemon "$PIPE_DIR" "$RUNNER_LOG_DIR/" "exec $rel_cmd"
      fi
      "${rel_bin}run_erl" -daemon "$PIPE_DIR" "$RUNNER_LOG_DIR/" "exec $rel_cmd"
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
rel_erl_node='Node = fun(N) -> case lists:member($@, N) of true -> list_to_atom(N); false -> [_, H] = string:split(atom_to_list(node()), "@"), list_to_atom(N ++ "@" ++ H) end end'
rel_erl_rpc="$rel_erl_parse, $rel_erl_node"', [N, S | _] = init:get_plain_arguments(), Nd = Node(N), Es = Parse(S), case net_kernel:connect_node(Nd) of true -> ok; _ -> io:format(standard_error, "ERROR: could not contact node ~s~n", [Nd]), halt(1) end, case rpc:call(Nd, erl_eval, exprs, [Es, []]) of {badrpc, {'"'EXIT'"', {C, St}}} -> io:format(standard_error, "ERROR: ~ts~n", [erl_error:format_exception(error, C, St)]), halt(1); {badrpc, R} -> io:format(standard_error, "ERROR: ~p~n", [R]), halt(1); _ -> halt(0) end.'

# relx's commands on the running node: ctl OP NODE ARGS. Results are
# printed as relx's script prints them (erl_call's notation: atoms bare
# unless they need quotes, ", " between elements, #Bin<...>). A node that
# does not answer: "Node is not running!" and exit 1, as relx.
rel_erl_fmt='Q = fun(A) -> S = atom_to_list(A), Ok = fun(X) -> (X >= $a andalso X =< $z) orelse (X >= $A andalso X =< $Z) orelse (X >= $0 andalso X =< $9) orelse X =:= $_ orelse X =:= $@ end, case S of [C | Rs] when C >= $a, C =< $z -> case lists:all(Ok, Rs) of true -> S; false -> [$'"'"' | S] ++ "'"'"'" end; _ -> [$'"'"' | S] ++ "'"'"'" end end, IsStr = fun(L) -> try length(L) < 65535 andalso lists:all(fun(X) -> is_integer(X) andalso X >= 0 andalso X =< 255 end, L) catch _:_ -> false end end, Ch = fun(X) when X >= 32, X =< 126; X =:= 9; X =:= 10; X =:= 13 -> [X]; (X) -> "\\x" ++ string:lowercase(integer_to_list(X, 16)) end, F = fun F(v, T) when is_atom(T) -> Q(T); F(v, T) when is_integer(T) -> integer_to_list(T); F(v, T) when is_float(T) -> io_lib:format("~f", [T]); F(v, T) when is_binary(T) -> ["#Bin<", lists:join(",", [integer_to_list(B) || <<B>> <= T]), ">"]; F(v, T) when is_tuple(T) -> ["{", lists:join(", ", [F(v, E) || E <- tuple_to_list(T)]), "}"]; F(v, T) when is_map(T) -> ["#{", lists:join(", ", [[F(v, K), " => ", F(v, V)] || {K, V} <- maps:to_list(T)]), "}"]; F(v, T) when is_pid(T) -> [_, Pn, Ps] = string:lexemes(pid_to_list(T), "<.>"), ["<", atom_to_list(node(T)), ".", Pn, ".", Ps, ">"]; F(v, []) -> "[]"; F(v, T) when is_list(T) -> case IsStr(T) of true -> [$", [Ch(X) || X <- T], $"]; false -> ["[", F(l, T), "]"] end; F(v, T) -> io_lib:format("~w", [T]); F(l, [H]) -> [F(v, H)]; F(l, [H | Tl]) when is_list(Tl) -> [F(v, H), ", " | F(l, Tl)]; F(l, [H | Tl]) -> [F(v, H), " | ", F(v, Tl)] end'
rel_erl_ctl="$rel_erl_fmt, $rel_erl_node"', [Op, N | Rest] = init:get_plain_arguments(), Nd = Node(N), Tmo = list_to_integer(os:getenv("RELX_RPC_TIMEOUT", "60")) * 1000, Out = fun(X) -> io:put_chars([X, $\n]) end, Up = fun() -> net_kernel:connect_node(Nd) =:= true end, Need = fun() -> case Up() of true -> ok; false -> io:format("Node is not running!~n"), halt(1) end end, Wait = fun W(T, Reg) -> Ok = Up() andalso (Reg =:= none orelse is_pid(rpc:call(Nd, erlang, whereis, [Reg], Tmo))), if Ok -> halt(0); T =< 0 -> io:format(standard_error, "ERROR: ~s did not ~s within ~p s~n", [Nd, case Reg of none -> "answer"; _ -> "register " ++ atom_to_list(Reg) end, Tmo div 1000]), halt(1); true -> timer:sleep(200), W(T - 200, Reg) end end, case Op of "ping" -> Need(), Out("pong"); "up" -> Up() orelse halt(1); "wait" -> Wait(Tmo, case Rest of [] -> none; [R | _] -> list_to_atom(R) end); "getpid" -> Up() orelse halt(1), Out(rpc:call(Nd, os, getpid, [], Tmo)); "stop" -> Up() orelse halt(1), P = rpc:call(Nd, os, getpid, [], Tmo), ok = rpc:call(Nd, init, stop, [], Tmo), Out(P); "call" -> Up() orelse halt(1), [M, Fn] = Rest, ok = rpc:call(Nd, list_to_atom(M), list_to_atom(Fn), [], Tmo); "eval" -> Need(), Ex = string:trim(lists:flatten(lists:join(" ", Rest)), trailing), Ex1 = case lists:suffix(".", Ex) of true -> Ex; false -> Ex ++ "." end, case rpc:call(Nd, erl_eval, eval_str, [Ex1 ++ "\n"], Tmo) of {ok, V} -> Out(F(v, V)); Other -> Out(F(v, Other)) end; "rpc" -> Need(), {M, Fn, As} = case Rest of [M0] -> {M0, "start", "[]"}; [M0, F0] -> {M0, F0, "[]"}; [M0, F0 | A0] -> {M0, F0, lists:flatten(lists:join(" ", A0))} end, Args = case erl_scan:string(As ++ ".") of {ok, Ts, _} -> case erl_parse:parse_term(Ts) of {ok, L} when is_list(L) -> L; _ -> io:format(standard_error, "ERROR: rpc: ~ts is not an Erlang list of arguments~n", [As]), halt(1) end; _ -> io:format(standard_error, "ERROR: rpc: cannot read the arguments ~ts~n", [As]), halt(1) end, Out(F(v, rpc:call(Nd, list_to_atom(M), list_to_atom(Fn), Args, Tmo))); "versions" -> Need(), case rpc:call(Nd, release_handler, which_releases, [], Tmo) of L when is_list(L) -> io:format("Installed versions:~n"), [io:format("* ~s\t~s~n", [V, S]) || {_, V, _, S} <- L]; E -> io:format(standard_error, "ERROR: release_handler on ~s: ~p (versions needs sasl)~n", [Nd, E]), halt(1) end end, halt(0).'

# rel_ctl_cmd OP ARGS...: the command line of a short-lived hidden VM that
# runs OP against the node (rel_erl_ctl).
rel_ctl_cmd() {
  rel_erl
  rel_push -noshell -hidden
  rel_dist "ctl-$(rel_rand)-$RELEASE_NODE"
  rel_boot "$RELEASE_BOOT_SCRIPT_CLEAN"
  rel_push -args_file "$RELEASE_REMOTE_VM_ARGS"
  rel_cookie_home once
  rel_push -eval "$rel_erl_ctl" -extra "$1" "$RELEASE_NODE"
  shift
  rel_push "$@"
}

# rel_ctl OP ARGS...: run it as a child (a subshell: HOME and the cookie
# variables of this shell are left alone), its output on stdout.
rel_ctl() (
  rel_ctl_cmd "$@"
  if [ -n "${ELIXIR_CLI_DRY_RUN:-}" ]; then
    rel_run once
  fi
  rel_rc=0
  eval "$rel_cmd" || rel_rc=$?
  rm -rf "$rel_auth_once"
  exit "$rel_rc"
)

# rel_ctl_exec OP ARGS...: run it in place of this shell (the command's
# last act).
rel_ctl_exec() {
  rel_ctl_cmd "$@"
  rel_run once
}

# relx's helper functions, for hooks and extensions written for relx.
erl_rpc() { rel_ctl rpc "$@"; }
erl_eval() { rel_ctl eval "$@"; }
relx_get_pid() { rel_ctl getpid; }
ping_or_exit() { rel_ctl up || { echo "Node is not running!"; exit 1; }; }

# rel_hooks PHASE: run the hooks of PHASE (pre_start, post_start, pre_stop,
# post_stop): each script is sourced with its arguments, as relx does; a
# script that does not exist is skipped. RELX_DISABLE_HOOKS=1 (or relx's
# --relx-disable-hooks argument) turns them off.
rel_hooks() {
  [ -z "${RELX_DISABLE_HOOKS:-}" ] || return 0
  eval "rel_hook_list=\$rel_hooks_$1"
  NAME=$RELEASE_NODE
  [ -n "$rel_hook_list" ] || return 0
  rel_ifs=$IFS
  IFS='
'
  for rel_hook in $rel_hook_list; do
    IFS=$rel_ifs
    set -- $rel_hook
    rel_hook_script=$1
    shift
    case $rel_hook_script in
      pid) rel_ctl wait >/dev/null; rel_p=$(rel_ctl getpid); echo "$rel_p" >"${1:-/var/run/$RELEASE_NAME.pid}" ;;
      wait_for_vm_start) rel_ctl wait ;;
      wait_for_process) rel_ctl wait "$1" ;;
      *) if [ -f "$SCRIPT_DIR/$rel_hook_script" ]; then . "$SCRIPT_DIR/$rel_hook_script" "$@"; fi ;;
    esac
  done
  IFS=$rel_ifs
}

# rel_mix_rpc EXPR: evaluate EXPR on the running node (mix's rpc: output
# only, no result printed).
rel_mix_rpc() {
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

# rel_start SHELL HOW [BOOT]: boot the release. SHELL: "none" (no shell),
# "shell" (IEx, or Erlang's shell); HOW: fg (in place of this shell), relx
# (the same, printing the command first, as relx's console/foreground do),
# daemon (run_erl). BOOT: the boot script (default RELEASE_BOOT_SCRIPT).
rel_start() {
  rel_vm_args boot
  rel_sys_config
  rel_hooks pre_start
  rel_erl
  if [ "$RELMAN_KIND" = elixir ]; then
    if [ "$1" = shell ]; then
      rel_push @@IEX_FLAGS@@
    else
      rel_push -noshell -s elixir start_cli
      [ "$2" = daemon ] || rel_ansi
    fi
  elif [ "$1" != shell ]; then
    if [ "$2" = relx ]; then rel_push -noinput; else rel_push -noshell; fi
  fi
  [ "$2" != relx ] || [ "$1" = shell ] || rel_push +Bd
  rel_push @@MODE_FLAG@@ "${rel_mode:-$RELEASE_MODE}"
  rel_dist "$RELEASE_NODE"
  rel_push -config "$RELEASE_SYS_CONFIG"
  rel_boot "${3:-$RELEASE_BOOT_SCRIPT}"
  rel_push -args_file "$RELEASE_VM_ARGS"
  rel_cookie_home node
  if [ "$RELMAN_KIND" = elixir ]; then
    if [ "$1" = shell ]; then
      rel_push -extra --no-halt +iex
    else
      rel_push -extra --no-halt
    fi
  fi
  case $2 in
    daemon)
      # relx's daemon returns once the node answers; post_start hooks
      # need that too.
      if [ "$RELMAN_DIALECT" = relx ] || [ -n "$rel_hooks_post_start" ]; then
        rel_run daemon-wait
        if [ -n "$rel_home_set" ]; then HOME=$rel_home; else unset HOME; fi
        rel_ctl wait
        rel_hooks post_start
        exit 0
      fi
      rel_run daemon
      ;;
    relx)
      if [ -z "${ELIXIR_CLI_DRY_RUN:-}" ]; then
        eval "set -- $rel_cmd"
        echo "Exec: $*"
        echo "Root: $RELEASE_ROOT"
        echo "$RELEASE_ROOT"
      fi
      rel_run exec
      ;;
    *) rel_run exec ;;
  esac
}

# rel_stop: pre_stop hooks, stop the node; with relx's dialect or
# post_stop hooks, wait until its OS process has exited, then post_stop.
rel_stop() {
  rel_hooks pre_stop
  if [ "$RELMAN_DIALECT" = mix ] && [ -z "$rel_hooks_post_stop" ]; then
    if [ "$RELMAN_KIND" = elixir ]; then rel_mix_rpc "System.stop()"; else rel_mix_rpc "init:stop()"; fi
  fi
  rel_stop_pid=$(rel_ctl stop) || exit 1
  case $rel_stop_pid in
    *[!0-9]* | '') ;;
    *) while kill -0 "$rel_stop_pid" 2>/dev/null; do sleep 0.2 2>/dev/null || sleep 1; done ;;
  esac
  rel_hooks post_stop
}

rel_usage() {
  if [ "$RELMAN_KIND" = elixir ]; then
    rel_iex_lines="
  start_iex             boot it with an IEx shell
  daemon_iex            boot it in the background with an IEx shell"
  else
    rel_iex_lines=
  fi
  if [ "$RELMAN_DIALECT" = relx ]; then
    rel_eval_line="  eval EXPRS            evaluate Erlang expressions on the running node, print the result
  rpc MOD [FUN [ARGS]]  apply(MOD, FUN, ARGS) on the running node, print the result
                        (one argument that is not a module: evaluate it as mix's rpc does)
  start                 boot it in the background (relx: the same as daemon)"
  else
    rel_eval_line="  eval EXPR [ARGS]      evaluate EXPR in a fresh VM where the release is loaded, not started
  rpc EXPR              evaluate EXPR on the running node
  start                 boot the release in the foreground (as foreground)"
  fi
  rel_ext_lines=
  for rel_e in $rel_extensions; do
    rel_ext_lines="$rel_ext_lines
  $rel_e                (extension: bin/$(eval "printf '%s' \"\$rel_ext_$rel_e\""))"
  done
  cat <<EOF
Usage: $RELEASE_PROG COMMAND [ARGS]

Commands ($RELMAN_DIALECT dialect; RELMAN_DIALECT=relx|mix changes it):

  foreground            boot the release in the foreground, output to stdout, no shell
  console               boot it with an interactive shell
  console_clean         an interactive shell with the release's code, its applications not started
  console_boot FILE     an interactive shell booted with boot script FILE
  daemon                boot it in the background (run_erl; logs in \$RUNNER_LOG_DIR)
  daemon_attach         attach to a node started with daemon (to_erl; detach with Ctrl-D)$rel_iex_lines
$rel_eval_line
  remote_console        open a remote shell on the running node (also: remote, remsh)
  ping                  print pong if the node is alive (exit 1 if not)
  status                check that the node answers, then run the status hook
  pid                   print the OS process id of the running node
  stop                  stop the running node
  restart               restart the node's applications without restarting the VM
  reboot                restart the whole VM (with heart)
  versions              print the release versions the node knows (release_handler)
  version               print the release name and the version that would boot
  help [COMMAND]        this text, or one command's$rel_ext_lines

Settings come from RELEASE_* environment variables and $REL_VSN_DIR/env.sh.
EOF
}

# relx runs every command from the release root (a node's relative paths
# are relative to it).
if [ "$RELMAN_DIALECT" = relx ]; then
  cd "$RELEASE_ROOT"
fi

# relx's internal argument; anywhere on the line it turns hooks off.
for rel_a in "$@"; do
  [ "$rel_a" != --relx-disable-hooks ] || RELX_DISABLE_HOOKS=1
done

case ${1:-} in
  start)
    if [ "$RELMAN_DIALECT" = relx ]; then
      echo "'start' has been deprecated, replaced by 'daemon' (relx)" >&2
      rel_start none daemon
    fi
    rel_start none fg
    ;;
  foreground)
    rel_start none relx
    ;;
  console)
    rel_start shell relx
    ;;
  console_clean)
    rel_mode=interactive
    rel_start shell relx "$RELEASE_BOOT_SCRIPT_CLEAN"
    ;;
  console_boot)
    [ -n "${2:-}" ] || rel_die "console_boot expects a boot file as argument"
    rel_bf=${2%.boot}
    case $rel_bf in
      /*) ;;
      *) if [ -f "$RELEASE_ROOT/$rel_bf.boot" ]; then rel_bf=$RELEASE_ROOT/$rel_bf; fi ;;
    esac
    rel_start shell relx "$rel_bf"
    ;;
  start_iex | daemon_iex)
    [ "$RELMAN_KIND" = elixir ] || rel_die "$1 needs Elixir, and this release has none (use console or daemon)"
    if [ "$1" = start_iex ]; then rel_start shell fg; else rel_start shell daemon; fi
    ;;
  daemon)
    # relx's daemon has a shell to attach to (daemon_attach).
    if [ "$RELMAN_DIALECT" = relx ] && [ "$RELMAN_KIND" != elixir ]; then
      rel_start shell daemon
    fi
    rel_start none daemon
    ;;
  daemon_attach | attach)
    rel_vm_args peek
    ping_or_exit
    exec "${rel_bin}to_erl" "$PIPE_DIR"
    ;;
  eval)
    if [ "$RELMAN_DIALECT" = relx ]; then
      shift
      [ $# -gt 0 ] || rel_die "eval expects Erlang expressions as argument"
      rel_vm_args peek
      rel_ctl_exec eval "$@"
    fi
    [ -n "${2:-}" ] || rel_die "eval expects an expression as argument"
    rel_expr=$2
    shift 2
    rel_vm_args boot
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
  remote | remote_console | remsh)
    rel_vm_args peek
    [ "$1" = remote ] && [ "$RELMAN_DIALECT" = mix ] || ping_or_exit
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
    rel_vm_args peek
    if [ "$RELMAN_DIALECT" = relx ]; then
      shift
      [ $# -gt 0 ] || rel_die "rpc expects MODULE [FUNCTION [ARGS]] as arguments"
      # One argument that is not a module name: an expression, as mix's rpc.
      if [ $# -eq 1 ]; then
        case $1 in
          *[!A-Za-z0-9_@.]* | [!a-z]*) rel_mix_rpc "$1" ;;
        esac
      fi
      rel_ctl_exec rpc "$@"
    fi
    [ -n "${2:-}" ] || rel_die "rpc expects an expression as argument"
    rel_mix_rpc "$2"
    ;;
  ping)
    rel_vm_args peek
    rel_ctl_exec ping
    ;;
  status)
    rel_vm_args peek
    ping_or_exit
    shift
    case $rel_hook_status in
      '') ;;
      builtin_status) rel_ctl eval "application:which_applications()." ;;
      *) if [ -f "$SCRIPT_DIR/$rel_hook_status" ]; then . "$SCRIPT_DIR/$rel_hook_status" "$@"; fi ;;
    esac
    ;;
  stop)
    rel_vm_args peek
    rel_stop
    ;;
  restart)
    rel_vm_args peek
    if [ "$RELMAN_DIALECT" = relx ]; then rel_ctl_exec call init restart; fi
    if [ "$RELMAN_KIND" = elixir ]; then rel_mix_rpc "System.restart()"; else rel_mix_rpc "init:restart()"; fi
    ;;
  reboot)
    rel_vm_args peek
    rel_ctl_exec call init reboot
    ;;
  pid)
    rel_vm_args peek
    if [ "$RELMAN_DIALECT" = relx ]; then rel_ctl_exec getpid; fi
    if [ "$RELMAN_KIND" = elixir ]; then
      rel_mix_rpc "IO.puts(System.pid())"
    else
      rel_mix_rpc 'io:format("~s~n", [os:getpid()])'
    fi
    ;;
  versions)
    rel_vm_args peek
    rel_ctl_exec versions
    ;;
  version)
    echo "$RELEASE_NAME $RELEASE_VSN"
    ;;
  '')
    # mix: the list and exit 0; relx: the list and exit 1
    rel_usage >&2
    [ "$RELMAN_DIALECT" = mix ] || exit 1
    ;;
  *)
    case $rel_extensions in
      *" $1 "*)
        rel_vm_args peek
        eval "rel_ext_script=\$rel_ext_$1"
        NAME=$RELEASE_NODE
        shift
        if [ -f "$SCRIPT_DIR/$rel_ext_script" ]; then . "$SCRIPT_DIR/$rel_ext_script" "$@"; fi
        # relx: an extension script is expected to exit itself.
        exit 1
        ;;
    esac
    if [ "$1" = help ]; then
      case $rel_extensions in
        *" ${2:-} "*)
          rel_vm_args peek
          eval "rel_ext_script=\$rel_ext_$2"
          if [ -f "$SCRIPT_DIR/$rel_ext_script" ]; then . "$SCRIPT_DIR/$rel_ext_script" help; fi
          exit 0
          ;;
      esac
      if [ -n "${2:-}" ]; then
        rel_line=$(rel_usage | grep -E "^  $2( |$)" | head -n 1)
        [ -n "$rel_line" ] || rel_line=$(rel_usage | grep -E "^  [a-z_]+ .*[ (]$2[,)]" | head -n 1)
        [ -n "$rel_line" ] || rel_die "no command '$2'; $RELEASE_PROG help lists them"
        echo "Usage: $RELEASE_PROG$rel_line"
        exit 0
      fi
      rel_usage
      # relx's help without a topic exits 1; mix has no help command
      [ "$RELMAN_DIALECT" = mix ] || exit 1
      exit 0
    fi
    rel_usage >&2
    echo "ERROR: unknown command '$1'" >&2
    exit 1
    ;;
esac
