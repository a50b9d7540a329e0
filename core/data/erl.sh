#!/bin/sh
# erts-VSN/bin/erl - start the Erlang runtime bundled with this release.
# Written by relman. The runtime finds everything relative to this file, so
# the release can be moved or copied anywhere; ERL_ROOTDIR overrides the
# root directory (the release root, two levels up).
set -e
erl_self=$0
while [ -h "$erl_self" ]; do
  erl_link=$(readlink "$erl_self")
  case $erl_link in
    /*) erl_self=$erl_link ;;
    *) erl_self=$(dirname -- "$erl_self")/$erl_link ;;
  esac
done
BINDIR=$(CDPATH='' cd -- "$(dirname -- "$erl_self")" && pwd -P)
ROOTDIR=${ERL_ROOTDIR:-$(dirname -- "$(dirname -- "$BINDIR")")}
EMU=beam
PROGNAME=${0##*/}
export BINDIR ROOTDIR EMU PROGNAME
exec "$BINDIR/erlexec" "$@"
