#!/usr/bin/env bash
# Installable: `cmake --install` lays out the binary, the man page, the bash,
# zsh and fish completions and the themes under a prefix, and the installed
# binary finds its themes there; `cpack -G DEB` builds relman_VERSION_ARCH.deb
# holding the same files and declaring its library dependencies. (Installing
# the .deb on a clean Debian 12 root is a check by hand: docs/testing.md.)
set -u
. "$(dirname "$0")/lib/project.sh"
B=${RELMAN_BUILD:?RELMAN_BUILD must point to the build directory}

# 1. cmake --install into a prefix
P=$TMP/prefix
if ! out=$(cmake --install "$B" --prefix "$P" 2>&1); then
    fail "cmake --install: $out"
fi
for f in bin/relman share/man/man1/relman.1.gz share/bash-completion/completions/relman \
    share/zsh/vendor-completions/_relman share/fish/vendor_completions.d/relman.fish \
    share/relman/themes/dark.theme share/relman/themes/light.theme \
    share/relman/themes/high-contrast.theme share/relman/themes/monochrome.theme; do
    [ -f "$P/$f" ] && ok || fail "cmake --install did not install $f"
done
"$P/bin/relman" --version | grep -q "^relman " && ok || fail "installed relman --version"
# a theme only the installed directory has is found (built-ins are not files)
cp "$P/share/relman/themes/dark.theme" "$P/share/relman/themes/installed-only.theme"
printf 'q\n' >"$TMP/keys"
out=$(cd "$TMP" && env -u RELMAN_THEMES_DIR HOME="$TMP" XDG_CONFIG_HOME="$TMP/xdg" \
    "$P/bin/relman" tui --theme installed-only --script "$TMP/keys" 2>&1) && ok ||
    fail "installed relman does not find PREFIX/share/relman/themes: $out"

# 2. cpack -G DEB
if ! command -v dpkg-deb >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
    echo "SKIP: no dpkg-deb/dpkg-shlibdeps, the .deb is not built"
    finish
    exit
fi
if ! out=$(cd "$TMP" && cpack -G DEB --config "$B/CPackConfig.cmake" -B "$TMP/deb" 2>&1); then
    fail "cpack -G DEB: $out"
    finish
    exit
fi
deb=$(ls "$TMP"/deb/relman_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && ok || { fail "no relman_*.deb in $TMP/deb: $out"; finish; exit; }
list=$(dpkg-deb -c "$deb")
for f in ./usr/bin/relman ./usr/share/man/man1/relman.1.gz \
    ./usr/share/bash-completion/completions/relman ./usr/share/zsh/vendor-completions/_relman \
    ./usr/share/fish/vendor_completions.d/relman.fish ./usr/share/relman/themes/dark.theme \
    ./usr/share/relman/themes/monochrome.theme; do
    grep -q " $f\$" <<<"$list" && ok || fail "the .deb lacks $f"
done
info=$(dpkg-deb -I "$deb")
grep -q "^ Package: relman$" <<<"$info" && ok || fail "Package: $info"
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
for pkg in libncursesw6 libyaml-0-2 libarchive13 libssh2-1 libssl3 zlib1g libc6; do
    grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" && ok || fail "Depends lacks $pkg: $depends"
done
finish
