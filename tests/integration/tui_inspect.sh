#!/usr/bin/env bash
# Inspect: `relman tui PATH` on a release directory and on a tarball shows
# every entry read-only, unsafe entries marked '!' first, files openable,
# and the cookie never on screen (COOKIE not shown, -setcookie masked).
. "$(dirname "$0")/lib/tui.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
unset NO_COLOR RELMAN_THEME RELMAN_TUI_CONFIG RELMAN_TUI_SCRIPT RELMAN_TUI_DUMP RELMAN_TUI_SIZE
cd "$T" || exit 1
secret=Sekr1tC00kieValue
mkdir -p rel/releases/0.1 rel/bin
echo '[{release,"foo","0.1","13.1.5",[],permanent}].' >rel/releases/RELEASES
echo "$secret" >rel/releases/COOKIE
printf -- '-name foo\n-setcookie %s\n' "$secret" >rel/releases/0.1/vm.args
printf 'export RELEASE_COOKIE="%s"\n' "$secret" >rel/releases/0.1/env.sh
printf '#!/bin/sh\necho hi\n' >rel/bin/foo
chmod 755 rel/bin/foo
ln -s ../../../etc/passwd rel/bin/escape
mkdir -p rel/lib/stdlib-4.2/ebin
cp "$(ls -d /usr/lib/erlang/lib/stdlib-*/ebin | head -1)/lists.beam" rel/lib/stdlib-4.2/ebin/
cp /usr/lib/erlang/bin/start.boot rel/releases/0.1/start.boot
cp rel/releases/0.1/vm.args before.vm.args

headless ':dump dir
/vm.args<Enter>
<Enter>
:dump vmargs
<Esc><Esc>
/env.sh<Enter>
<Enter>
:dump envsh
<Esc><Esc>
/COOKIE<Enter>
<Enter>
:dump cookie' rel
check "directory listed" grep -qE '^. +-rwxr-xr-x +[0-9]+ B +bin/foo$' "$T/dump/dir.txt"
check "escaping link first, marked" grep -qE '^▶!lrwxrwxrwx +bin/escape -> \.\./\.\./\.\./etc/passwd' "$T/dump/dir.txt"
check "title says read-only" grep -q 'read-only · 14 entries' "$T/dump/dir.txt"
check "reason shown" grep -q '^ ! bin/escape' "$T/dump/dir.txt"
check "file opens" grep -qE '^ +1 -name foo$' "$T/dump/vmargs.txt"
check "-setcookie masked" grep -qE '^ +2 -setcookie \*\*\*\*\*\*\*\*$' "$T/dump/vmargs.txt"
check "RELEASE_COOKIE masked" grep -q 'RELEASE_COOKIE="\*\*\*\*\*\*\*\*"' "$T/dump/envsh.txt"
check "COOKIE file not shown" grep -q '^releases/COOKIE holds the distribution cookie: not shown' "$T/dump/cookie.txt"
check "cookie on no screen" bash -c "! grep -rq '$secret' '$T/dump'"
check "read-only: nothing changed" cmp -s rel/releases/0.1/vm.args before.vm.args

headless '/start.boot<Enter>
<Enter>
@dump boot
<Esc><Esc>
/lists.beam<Enter>
<Enter>
@dump beam' rel
check "a .boot shows as terms (core's decoder)" grep -qE '^ +2 \{script,$' "$T/dump/boot.txt"
check "a .beam shows its chunks" grep -qE '^ +1 module: lists$' "$T/dump/beam.txt"

# a tarball with entries safe extraction refuses
python3 - <<'EOS'
import io, tarfile
with tarfile.open("evil.tar.gz", "w:gz") as t:
    for name, data in [("releases/0.1/vm.args", b"-setcookie Sekr1tC00kieValue\n"),
                       ("../evil", b"x"), ("/abs", b"y"), ("bin/foo", b"#!/bin/sh\n")]:
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
EOS
headless ':dump tar
G
<Enter>
:dump tarfile' --size 120x30 evil.tar.gz
check "tarball listed" grep -qE '^  -rw-r--r-- +10 B +bin/foo$' "$T/dump/tar.txt"
check "'..' entry first and marked" grep -qE '^▶!-rw-r--r-- +1 B +\.\./evil$' "$T/dump/tar.txt"
check "absolute entry marked" grep -qE '^ !-rw-r--r-- +1 B +/abs$' "$T/dump/tar.txt"
check "2 unsafe in the title" grep -q '! 2 unsafe' "$T/dump/tar.txt"
check "tar member opens masked" grep -qE '^ +1 -setcookie \*{8}$' "$T/dump/tarfile.txt"
check "cookie on no screen (tar)" bash -c "! grep -rq '$secret' '$T/dump'"
check "nothing extracted" test ! -e "$T/evil" -a ! -e /abs
finish
