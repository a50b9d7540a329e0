@echo off
rem bin\@@NAME@@.bat - start and control the @@NAME@@ release on Windows.
rem Written by relman; the next assembly replaces it. See docs/assemble.md.
setlocal enabledelayedexpansion

set RELMAN_KIND=@@KIND@@
pushd "%~dp0.."
set "RELEASE_ROOT=%cd%"
popd
if not defined RELEASE_NAME set "RELEASE_NAME=@@NAME@@"
for /f "usebackq tokens=1,2" %%a in ("!RELEASE_ROOT!\releases\start_erl.data") do (
  set "REL_ERTS=%%a"
  if not defined RELEASE_VSN set "RELEASE_VSN=%%b"
)
set "RELEASE_COMMAND=%~1"
if not defined RELEASE_PROG set "RELEASE_PROG=%~nx0"
set "REL_VSN_DIR=!RELEASE_ROOT!\releases\!RELEASE_VSN!"
if exist "!REL_VSN_DIR!\env.bat" call "!REL_VSN_DIR!\env.bat" %*

if not defined RELEASE_COOKIE set /p RELEASE_COOKIE=<"!RELEASE_ROOT!\releases\COOKIE"
if not defined RELEASE_MODE set "RELEASE_MODE=embedded"
if not defined RELEASE_NODE set "RELEASE_NODE=!RELEASE_NAME!"
if not defined RELEASE_TMP set "RELEASE_TMP=!RELEASE_ROOT!\tmp"
if not defined RELEASE_VM_ARGS set "RELEASE_VM_ARGS=!REL_VSN_DIR!\vm.args"
if not defined RELEASE_REMOTE_VM_ARGS set "RELEASE_REMOTE_VM_ARGS=!REL_VSN_DIR!\remote.vm.args"
if not defined RELEASE_DISTRIBUTION set "RELEASE_DISTRIBUTION=sname"
if not defined RELEASE_BOOT_SCRIPT set "RELEASE_BOOT_SCRIPT=start"
if not defined RELEASE_BOOT_SCRIPT_CLEAN set "RELEASE_BOOT_SCRIPT_CLEAN=start_clean"
if not defined RELEASE_SYS_CONFIG set "RELEASE_SYS_CONFIG=!REL_VSN_DIR!\sys"

if "!RELEASE_DISTRIBUTION!" == "none" (
  set "REL_DIST="
  set "REL_DIST_FLAG="
) else if "!RELEASE_DISTRIBUTION!" == "name" (
  set "REL_DIST_FLAG=-name"
) else if "!RELEASE_DISTRIBUTION!" == "sname" (
  set "REL_DIST_FLAG=-sname"
) else (
  echo ERROR: RELEASE_DISTRIBUTION must be sname, name or none 1>&2
  exit /b 1
)

set "REL_ERL=erl.exe"
if exist "!RELEASE_ROOT!\erts-!REL_ERTS!\bin\erl.exe" set "REL_ERL=!RELEASE_ROOT!\erts-!REL_ERTS!\bin\erl.exe"
set "REL_BOOT=-boot_var RELEASE_LIB "!RELEASE_ROOT!\lib""
if "!RELMAN_KIND!" == "elixir" (
  set "REL_CLI=-noshell -s elixir start_cli"
  set "REL_IEX=@@IEX_FLAGS@@"
) else (
  set "REL_CLI=-noshell"
  set "REL_IEX="
)

if "%~1" == "start" goto start
if "%~1" == "start_iex" goto start_iex
if "%~1" == "install" goto install
if "%~1" == "eval" goto eval
if "%~1" == "rpc" goto rpc
if "%~1" == "remote" goto remote
if "%~1" == "stop" goto stop
if "%~1" == "restart" goto restart
if "%~1" == "pid" goto pid
if "%~1" == "version" goto version
echo usage: !RELEASE_PROG! COMMAND [ARGS] 1>&2
echo   start, start_iex, install, eval EXPR, rpc EXPR, remote, restart, stop, pid, version 1>&2
if not "%~1" == "" (
  echo ERROR: unknown command %~1 1>&2
  exit /b 1
)
goto end

:start
if defined REL_DIST_FLAG set "REL_DIST=!REL_DIST_FLAG! !RELEASE_NODE!"
if "!RELMAN_KIND!" == "elixir" (set "REL_EXTRA=-extra --no-halt") else (set "REL_EXTRA=")
"!REL_ERL!" !ELIXIR_ERL_OPTIONS! !REL_CLI! @@MODE_FLAG@@ !RELEASE_MODE! !REL_DIST! -setcookie "!RELEASE_COOKIE!" -config "!RELEASE_SYS_CONFIG!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT!" !REL_BOOT! -args_file "!RELEASE_VM_ARGS!" !REL_EXTRA!
goto end

:start_iex
if defined REL_DIST_FLAG set "REL_DIST=!REL_DIST_FLAG! !RELEASE_NODE!"
if "!RELMAN_KIND!" == "elixir" (set "REL_EXTRA=-extra --no-halt +iex") else (set "REL_EXTRA=")
"!REL_ERL!" !ELIXIR_ERL_OPTIONS! !REL_IEX! @@MODE_FLAG@@ !RELEASE_MODE! !REL_DIST! -setcookie "!RELEASE_COOKIE!" -config "!RELEASE_SYS_CONFIG!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT!" !REL_BOOT! -args_file "!RELEASE_VM_ARGS!" !REL_EXTRA!
goto end

:install
if not defined REL_DIST_FLAG (
  echo ERROR: install needs distribution (RELEASE_DISTRIBUTION sname or name^) 1>&2
  exit /b 1
)
"!RELEASE_ROOT!\erts-!REL_ERTS!\bin\erlsrv.exe" add "!RELEASE_NAME!_!RELEASE_NAME!" !REL_DIST_FLAG! "!RELEASE_NODE!" -env RELEASE_ROOT="!RELEASE_ROOT!" -env RELEASE_NAME="!RELEASE_NAME!" -env RELEASE_VSN="!RELEASE_VSN!" -env RELEASE_MODE="!RELEASE_MODE!" -env RELEASE_NODE="!RELEASE_NODE!" -env RELEASE_TMP="!RELEASE_TMP!" -env RELEASE_SYS_CONFIG="!RELEASE_SYS_CONFIG!" -args "!ELIXIR_ERL_OPTIONS! !REL_CLI! -setcookie !RELEASE_COOKIE! -config !RELEASE_SYS_CONFIG! @@MODE_FLAG@@ !RELEASE_MODE! -boot !REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT! !REL_BOOT! -args_file !RELEASE_VM_ARGS!"
goto end

:eval
if "%~2" == "" (
  echo ERROR: eval expects an expression as argument 1>&2
  exit /b 1
)
if "!RELMAN_KIND!" == "elixir" (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! !REL_CLI! -setcookie "!RELEASE_COOKIE!" -config "!RELEASE_SYS_CONFIG!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_VM_ARGS!" -extra --eval "%~2"
) else (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! -noshell -setcookie "!RELEASE_COOKIE!" -config "!RELEASE_SYS_CONFIG!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_VM_ARGS!" -eval "%~2" -s init stop
)
goto end

:stop
if "!RELMAN_KIND!" == "elixir" (set "REL_RPC=System.stop()") else (set "REL_RPC=init:stop()")
goto rpc_run
:restart
if "!RELMAN_KIND!" == "elixir" (set "REL_RPC=System.restart()") else (set "REL_RPC=init:restart()")
goto rpc_run
:pid
if "!RELMAN_KIND!" == "elixir" (set "REL_RPC=IO.puts(System.pid())") else (set "REL_RPC=io:format(\"~s~n\", [os:getpid()])")
goto rpc_run
:rpc
if "%~2" == "" (
  echo ERROR: rpc expects an expression as argument 1>&2
  exit /b 1
)
set "REL_RPC=%~2"
:rpc_run
if not defined REL_DIST_FLAG (
  echo ERROR: rpc needs distribution (RELEASE_DISTRIBUTION sname or name^) 1>&2
  exit /b 1
)
if "!RELMAN_KIND!" == "elixir" (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! !REL_CLI! -hidden !REL_DIST_FLAG! "rpc-!RANDOM!-!RELEASE_NODE!" -setcookie "!RELEASE_COOKIE!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_REMOTE_VM_ARGS!" -extra --rpc-eval "!RELEASE_NODE!" "!REL_RPC!"
) else (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! -noshell -hidden !REL_DIST_FLAG! "rpc-!RANDOM!-!RELEASE_NODE!" -setcookie "!RELEASE_COOKIE!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_REMOTE_VM_ARGS!" -eval "{ok,T,_}=erl_scan:string(\"!REL_RPC!.\"),{ok,E}=erl_parse:parse_exprs(T),[_,H]=string:split(atom_to_list(node()),\"@\"),N=case lists:member($@,\"!RELEASE_NODE!\") of true->list_to_atom(\"!RELEASE_NODE!\");false->list_to_atom(\"!RELEASE_NODE!@\"++H) end,case rpc:call(N,erl_eval,exprs,[E,[]]) of {badrpc,R}->io:format(standard_error,\"ERROR: ~p~n\",[R]),halt(1);_->halt(0) end."
)
goto end

:remote
if "!RELMAN_KIND!" == "elixir" (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! !REL_IEX! -hidden !REL_DIST_FLAG! "rem-!RANDOM!-!RELEASE_NODE!" -setcookie "!RELEASE_COOKIE!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_REMOTE_VM_ARGS!" -extra --no-halt +iex --remsh "!RELEASE_NODE!"
) else (
  "!REL_ERL!" !ELIXIR_ERL_OPTIONS! -hidden !REL_DIST_FLAG! "rem-!RANDOM!-!RELEASE_NODE!" -setcookie "!RELEASE_COOKIE!" -boot "!REL_VSN_DIR!\!RELEASE_BOOT_SCRIPT_CLEAN!" !REL_BOOT! -args_file "!RELEASE_REMOTE_VM_ARGS!" -remsh "!RELEASE_NODE!"
)
goto end

:version
echo !RELEASE_NAME! !RELEASE_VSN!
goto end

:end
endlocal
