#!/usr/bin/env bash
# `relman completion bash`, loaded in bash, completes commands, options,
# release names and target (and group) names in a project; the zsh and fish
# scripts parse (when those shells are installed); every command and option
# of `relman help` is in each script (they come from the same table).
set -u
. "$(dirname "$0")/lib/check.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/proj" "$T/elsewhere"
cat >"$T/proj/relman.yml" <<'YML'
releases:
  foo: {version: "0.0.1", applications: {kernel: permanent, stdlib: permanent}}
  bar: {version: "0.0.1", applications: {kernel: permanent}}
targets:
  web1: {host: 127.0.0.1, path: /srv/foo, release: foo}
  web2: {host: 127.0.0.1, path: /srv/foo2, release: foo}
groups:
  webs: [web1, web2]
YML
"$R" completion bash >"$T/relman.bash" || fail "completion bash exited $?"

# complete DIR WORDS...: in DIR, `source <(relman completion bash)`, then
# COMPREPLY (sorted, one line) for the last word, with COMP_WORDS[0] the
# binary, as bash sets it
complete_in() {
    local dir=$1
    shift
    (cd "$dir" && bash -c '
        source <("$1" completion bash) || exit 1
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _relman
        [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$R" "$@")
}
expect() { # expect NAME WANT GOT
    if [ "$3" = "$2" ]; then ok; else fail "$1: want '$2', got '$3'"; fi
}
P=$T/proj
expect "commands" "apps assemble " "$(complete_in "$P" a)"
expect "command list has every command" \
    "$("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}' | sort | tr '\n' ' ')" \
    "$(complete_in "$P" '')"
expect "releases" "bar foo " "$(complete_in "$P" apps '')"
expect "release prefix" "foo " "$(complete_in "$P" assemble f)"
expect "targets and groups" "web1 web2 webs " "$(complete_in "$P" status '')"
expect "deploy: releases and targets" "bar foo web1 web2 webs " "$(complete_in "$P" deploy '')"
expect "-C DIR elsewhere" "web1 web2 webs " "$(complete_in "$T/elsewhere" -C "$P" stop w)"
expect "options" "--no-archives-check --no-compile --no-deps-check --no-elixir-version-check --no-reuse --no-sync " "$(complete_in "$P" assemble --no)"
expect "option value words" "configured generated " "$(complete_in "$P" init --cookie '')"
expect "--remote TARGET" "web1 web2 webs " "$(complete_in "$P" releases --remote '')"
expect "help COMMAND" "deploy " "$(complete_in "$P" help dep)"
expect "render NAME (core's list)" "$(cd "$P" && "$R" render --list | awk '$1 ~ /^s/ {print $1}' | sort | tr '\n' ' ')" \
    "$(complete_in "$P" render foo s)"
expect "completion SHELL" "bash " "$(complete_in "$P" completion b)"
expect "global options" "--verbose --version " "$(complete_in "$P" --ver)"
expect "outside a project: no names, no error" "" "$(complete_in "$T/elsewhere" apps '')"
expect "--names releases" "foo bar" "$(cd "$P" && "$R" completion --names releases | tr '\n' ' ' | sed 's/ $//')"

# Every option of every command's help is in every script.
for sh in bash zsh fish; do
    "$R" completion $sh >"$T/s.$sh" || fail "completion $sh exited $?"
done
for c in $("$R" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}'); do
    for o in $("$R" help "$c" | sed -nE 's/^  (-[a-zA-Z], )?--([a-z][a-z-]*).*/\2/p'); do
        for sh in bash zsh fish; do
            case $sh in
            fish) pat="-l $o" ;;
            *) pat="--$o" ;;
            esac
            grep -qF -- "$pat" "$T/s.$sh" && ok || fail "$sh script lacks $c --$o"
        done
    done
done
if command -v zsh >/dev/null; then
    zsh -n "$T/s.zsh" && ok || fail "zsh -n"
    # an interactive zsh (in a zpty) with compinit and the script as _relman:
    # what Tab prints and inserts
    mkdir -p "$T/zfn" "$T/bin" && cp "$T/s.zsh" "$T/zfn/_relman" && ln -sf "$R" "$T/bin/relman"
    cat >"$T/drive.zsh" <<ZSH
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PS1='> '; fpath=($T/zfn \\\$fpath); PATH=$T/bin:\\\$PATH; autoload -Uz compinit; compinit -u -D; cd $P"
for line in 'relman apps ' 'relman status w' 'relman as' 'relman init --cookie g'; do
    zpty -n -w z "\$line"\$'\t'
    sleep 1
    zpty -n -w z \$'\C-u'
done
sleep 1
out=
while zpty -rt z chunk; do out+=\$chunk; done
print -r -- "\$out"
zpty -d z
ZSH
    zout=$(timeout 60 zsh -f "$T/drive.zsh" 2>&1 | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tr '\r' '\n')
    for want in "bar  foo" "relman status web" "relman assemble" "relman init --cookie generated"; do
        grep -qF -- "$want" <<<"$zout" && ok || fail "zsh: no '$want' after Tab: $zout"
    done
else
    echo "note: zsh not installed, its script not parsed"
fi
if command -v fish >/dev/null; then
    fish -n "$T/s.fish" && ok || fail "fish -n"
    # fish completes a command line itself (complete -C), with relman on PATH
    mkdir -p "$T/bin" && ln -sf "$R" "$T/bin/relman"
    fish_complete() {
        (cd "$P" && PATH="$T/bin:$PATH" fish -c "source $T/s.fish; complete -C '$1'" 2>&1 |
            cut -f1 | sort | tr '\n' ' ')
    }
    expect "fish commands" "apps assemble " "$(fish_complete 'relman a')"
    expect "fish releases" "bar foo " "$(fish_complete 'relman apps ')"
    expect "fish targets" "web1 web2 webs " "$(fish_complete 'relman status w')"
    expect "fish options" "--no-archives-check --no-compile --no-deps-check --no-elixir-version-check --no-reuse --no-sync " "$(fish_complete 'relman assemble --no')"
else
    echo "note: fish not installed, its script not parsed"
fi
bash -n "$T/s.bash" && ok || fail "bash -n"

finish
