#!/usr/bin/env bash
# Issue 14, points 4 and 6: relx overlays and releases/RELEASES, with the
# real rebar3 3.19 (relx 4.7) as the reference, on projects written here.
#
#  - a project whose relx section has every overlay operation (mkdir, copy of
#    files, trees and wildcards, template with overlay_vars files that
#    include each other, nested keys, sections, relx's built-in
#    variables, link, chmod by integer and by template) and a bin/env entry
#    point: `relman init --import && relman assemble` gives the overlay
#    files `rebar3 release` gives (paths, types, modes, link targets,
#    contents), at the same path;
#  - a dev-mode profile: `link` makes the same symlinks;
#  - releases/RELEASES equals rebar3's as terms, after one version and after
#    a second one, and release_handler on the node booted through bin/env
#    reads it;
#  - rlx_release_SUITE's overlay_release case (its assertions);
#  - relx's overlay errors (its shelltests/overlay_error_test profiles) and a
#    bad template: rebar3 fails, relman fails with one line naming the
#    overlay, and leaves nothing behind.
set -u
. "$(dirname "$0")/lib/assemble.sh"

# tree DIR PATH...: one line per file under DIR/PATH: relative path, type,
# mode, link target, and the contents' checksum.
tree() {
    local dir=$1
    shift
    (cd "$dir" && for p in "$@"; do
        find "$p" -printf '%p %y %m %l\n' 2>/dev/null
    done | sort | while read -r path type mode link; do
        sum=-
        [ "$type" = f ] && sum=$(md5sum <"$path" | cut -c1-32)
        echo "$path $type $mode ${link:--} $sum"
    done)
}

P=$T/ovl
mkdir -p "$P/src" "$P/config/more" "$P/files/tree/sub/empty" && cd "$P" || exit 1
cat >src/ovl.app.src <<'EOF'
{application, ovl, [{description, "overlays"}, {vsn, "0.3.0"}, {registered, []},
                    {applications, [kernel, stdlib, sasl]}, {env, [{greeting, "unset"}]}]}.
EOF
cat >src/ovl.erl <<'EOF'
-module(ovl).
-export([hello/0]).
hello() -> application:get_env(ovl, greeting).
EOF
cat >rebar.config <<'EOF'
{erl_opts, [debug_info]}.
{relx, [{release, {ovl, "0.3.0"}, [ovl, sasl]},
        {overlay_vars, ["config/vars.config", "config/inline.config"]},
        {overlay, [{mkdir, "log/sasl"},
                   {mkdir, "{{target_dir}}/var/{{inline_var}}"},
                   {copy, "files/README", "README"},
                   {copy, "files/tree", "share/tree"},
                   {copy, "files/tree", "share2/"},
                   {copy, "files/*.cfg", "etc/"},
                   {copy, "files/nothing*.none", "etc/none/"},
                   {copy, "{{erts_dir}}/bin/start.script", "bin/copy.script"},
                   {template, "files/app.tpl", "etc/app.conf"},
                   {template, "files/edge.tpl", "etc/edge.txt"},
                   {template, "files/env.tpl", "bin/env"},
                   {template, "files/sys.config.tpl", "releases/{{release_version}}/sys.config"},
                   {chmod, 8#0755, "bin/env"},
                   {chmod, "{{conf_mode}}", "etc/app.conf"},
                   {chmod, 8#0750, "share/tree/sub"},
                   {link, "files/README", "README.link"}]}]}.
{profiles, [{dev, [{relx, [{mode, dev},
                           {overlay, [{link, "files/README", "README.link"},
                                      {link, "files/tree", "tree.link"},
                                      {link, "files/*.cfg", "links/"}]}]}]}]}.
EOF
cat >config/vars.config <<'EOF'
%% overlay variables
{greeting, "hello from {{release_name}} {{release_version}}"}.
{conf_mode, "416"}.
{port, 8080}.
{ratio, 0.25}.
{db, [{host, "db.local"}, {pool, [{size, 10}]}]}.
{servers, [[{name, "a"}], [{name, "b"}]]}.
{flag_on, true}.
{flag_off, false}.
{override_me, "first"}.
{foo, "bar"}.
{n, 42}.
{letters, "hi"}.
{strs, ["ab", "cd"]}.
{bin, <<"bin {{n}}">>}.
{codes, [97, 98, 99]}.
{big, 1.0e3}.
{neg, -42}.
{atom_v, some_atom}.
{empty_s, ""}.
{nil_v, nil}.
{pl, [{k, "v"}]}.
"more/extra.config".
{override_me, "from vars.config"}.
EOF
printf '{inline_var, "inline"}.\n' >config/inline.config
cat >config/more/extra.config <<'EOF'
{override_me, "from extra"}.
{extra, "port {{port}}"}.
EOF
printf 'read me\n' >files/README
printf 'a=1\n' >files/a.cfg
printf 'b=2\n' >files/b.cfg
printf 'leaf\n' >files/tree/sub/leaf.txt
printf '#!/bin/sh\necho tool\n' >files/tree/tool.sh
chmod 0750 files/tree/tool.sh
chmod 0600 files/tree/sub/leaf.txt
cat >files/app.tpl <<'EOF'
name={{release_name}} vsn={{release_version}} rel={{release}}
erts={{erts_vsn}} {{release_erts_version}} erts_dir={{erts_dir}}
out={{output_dir}} target={{target_dir}} root={{root_dir}}
app_dir={{ovl}} vm_args={{vm_args}} sys_config={{sys_config}}
rebar3: base_dir={{base_dir}} profile={{profile_string}}
greeting={{greeting}} port={{port}} ratio={{ratio}} db={{db.host}}:{{db.pool.size}}
{{#servers}}
server {{name}}
{{/servers}}
  {{#flag_on}}
flag on
  {{/flag_on}}
{{^flag_off}}off, inverted{{/flag_off}}
{{! a comment line }}
override={{override_me}} extra={{extra}} inline={{inline_var}}
missing=[{{no_such_var}}] log=[{{log}}] {{{greeting}}} {{&port}}
{{=<% %>=}}
delimiters: <% port %> {{port}}
EOF
chmod 0640 files/app.tpl
# the corners of bbmustache: values of every kind, sections over strings,
# atoms and proplists, falsy values, standalone lines with tabs and CRLF,
# triple and & tags, delimiters changed and back, no final newline
printf '%s\n' 'a={{atom_v}} neg={{neg}} big={{big}} ratio={{ratio}} codes={{codes}} bin={{bin}} strs={{strs}}' \
    '[{{empty_s}}][{{nil_v}}][{{ nosuch.deep }}]' '{{#letters}}<{{.}}>{{/letters}}' \
    '{{#atom_v}}atom section {{.}}{{/atom_v}}' '{{#pl}}pl k={{k}} outer={{n}}{{/pl}}' \
    '{{#servers}}{{name}}{{#db}}/{{host}}{{/db}},{{/servers}}' '{{^empty_s}}empty is falsy{{/empty_s}}' \
    '{{^nil_v}}nil is falsy{{/nil_v}}' >files/edge.tpl
printf '\t{{#flag_on}}\t\ntab-indented standalone\n {{/flag_on}} \n{{#strs}}[{{.}}]{{/strs}}\n' >>files/edge.tpl
printf '{{{ foo }}} {{& foo}} {{{foo}}}\nline with crlf\r\n{{! c }}\r\nafter crlf\r\n' >>files/edge.tpl
printf '{{#flag_on}}x{{/flag_on}}  {{! not standalone }}\n{{=| |=}}|foo| {{foo}}\n|={{ }}=|\n{{foo}}\nno final newline' >>files/edge.tpl
cat >files/env.tpl <<'EOF'
#!/bin/sh
# {{release_name}}'s entry point, as projects ship one: environment, then the release.
GREETING="{{greeting}}"
export GREETING
exec "$(dirname "$0")/{{release_name}}" "$@"
EOF
cat >files/sys.config.tpl <<'EOF'
[{ovl, [{greeting, "{{greeting}}"}]}].
EOF

# ---- relx's overlay errors (shelltests/overlay_error_test) ----
E=$T/ovlerr
mkdir -p "$E/src" && cd "$E" || exit 1
cp "$P/src/ovl.erl" src/
sed 's/ovl, \[/ovlerr, [/; s/"0.4.0"/"0.1.0"/' "$P/src/ovl.app.src" >src/ovlerr.app.src
printf '# readme\n' >README.md
printf 'base\n' >b.txt
printf 'profile\n' >p.txt
printf 'line 1\n{{#open}}\nnever closed\n' >bad.tpl
cat >rebar.config <<'EOF'
{relx, [{release, {ovlerr, "0.1.0"}, [ovlerr]},
        {overlay, [{mkdir, "base_dir"}, {copy, "b.txt", "x.txt"}]}]}.
{profiles, [
  {order, [{relx, [{overlay, [{copy, "p.txt", "x.txt"}, {mkdir, "prof_dir"}]}]}]},
  {malformed_error, [{relx, [{overlay, [{malformed, foo}]}]}]},
  {mkdir_error, [{relx, [{overlay, [{mkdir, "releases/RELEASES"}]}]}]},
  {copy_error, [{relx, [{overlay, [{copy, "does_not_exist", "something"}]}]}]},
  {template_read_error, [{relx, [{overlay, [{template, "does_not_exist", "something"}]}]}]},
  {template_write_error, [{relx, [{overlay, [{template, "README.md", "releases"}]}]}]},
  {template_dir_error, [{relx, [{overlay, [{template, "README.md", "releases/RELEASES/foo"}]}]}]},
  {chmod_error, [{relx, [{overlay, [{chmod, 0, "does_not_exist"}]}]}]},
  {link_error, [{relx, [{mode, dev}, {overlay, [{link, "README.md", "../../../../../../../../../../../../../../../../../../../../../../../../f"}]}]}]},
  {bad_template, [{relx, [{overlay, [{mkdir, "fine"}, {template, "bad.tpl", "etc/bad"}]}]}]}
]}.
EOF
# The references, in parallel (each profile in a copy of the project). Not
# link_error's: relx resolves its path to /f, and rebar3 running as root
# would make that link at the root of this machine (relx's shelltest expects
# a failure, which an unprivileged user gets).
PROFILES="malformed_error mkdir_error copy_error template_read_error template_write_error
          template_dir_error chmod_error bad_template"
# They run in the background while the rest of the test goes on.
for prof in $PROFILES link_error order; do
    cp -a "$E" "$T/err-$prof"
    if [ "$prof" = link_error ]; then
        (cd "$T/err-$prof" && rebar3 as "$prof" compile >"$T/r3-$prof.out" 2>&1) &
    else
        (cd "$T/err-$prof" && rebar3 as "$prof" release >"$T/r3-$prof.out" 2>&1
         echo $? >"$T/r3-$prof.rc") &
    fi
done
cd "$P" || exit 1

# ---- the reference: rebar3 release (one version into a second place too) ----
rebar3 release >"$T/rebar3.out" 2>&1 || { cat "$T/rebar3.out"; bad "rebar3 release"; }
REL=$P/_build/default/rel/ovl
OVERLAY_PATHS="README README.link log var share share2 etc bin/env bin/copy.script releases/0.3.0/sys.config"
tree "$REL" $OVERLAY_PATHS >"$T/ref.tree"
cp "$REL/releases/RELEASES" "$T/ref.RELEASES"
check "rebar3 writes the overlays" grep -q 'etc/app.conf f 640' "$T/ref.tree"
mkdir -p "$T/refout" && cp -a "$REL" "$T/refout/ovl" # where the second version goes
mv "$REL" "$T/ref-ovl"
echo "[${SECONDS}s] reference built"

# ---- relman at the same path ----
"$R" init --import >"$T/init.out" 2>&1 || { cat "$T/init.out"; bad "relman init --import"; }
check "the overlay is imported" grep -q 'relx_overlay:' relman.yml
check "link outside dev mode is a copy" grep -q -- '- copy: \["files/README", "README.link"\]' relman.yml
check "the integer chmod mode is octal" grep -q -- '- chmod: \["0755", "bin/env"\]' relman.yml
check "both overlay_vars files" grep -q -- '- "config/inline.config"' relman.yml
"$R" assemble >"$T/assemble.out" 2>&1 || { cat "$T/assemble.out" relman.yml; bad "relman assemble"; }
tree "$REL" $OVERLAY_PATHS >"$T/relman.tree"
if diff "$T/ref.tree" "$T/relman.tree" >"$T/tree.diff"; then ok; else
    bad "the overlay files differ from rebar3's"
    cat "$T/tree.diff"
    diff "$T/ref-ovl/etc/app.conf" "$REL/etc/app.conf"
fi
check "the template is what rebar3 wrote" cmp "$T/ref-ovl/etc/app.conf" "$REL/etc/app.conf"
check "bbmustache's corners as rebar3 renders them" cmp "$T/ref-ovl/etc/edge.txt" "$REL/etc/edge.txt"
check "an empty mkdir is there" test -d "$REL/var/inline"
check "a wildcard with no match makes only the directory" test -d "$REL/etc/none"
check "RELEASES as rebar3 writes it" same_terms "$T/ref.RELEASES" "$REL/releases/RELEASES"

# the release boots through the overlay's bin/env; release_handler reads RELEASES
export RELEASE_NODE=ovl$$
"$REL/bin/env" daemon >"$T/daemon.out" 2>&1 || { cat "$T/daemon.out"; bad "bin/env daemon"; }
check "the node answers through bin/env" wait_rpc "$REL/bin/env"
check "the overlay's sys.config is the one booted" test \
    "$("$REL/bin/env" rpc 'io:format("~p~n", [ovl:hello()])')" = '{ok,"hello from ovl 0.3.0"}'
rh=$("$REL/bin/env" rpc 'io:format("~p~n", [[{N, V, S} || {N, V, _, S} <- release_handler:which_releases()]])' 2>&1)
check "release_handler reads RELEASES" test "$rh" = '[{"ovl","0.3.0",permanent}]'
"$REL/bin/env" stop >/dev/null 2>&1 || bad "bin/env stop"
for _ in $(seq 1 50); do [ -z "$(our_pids)" ] && break; sleep 0.2; done
check "no VM left" test -z "$(our_pids)"
unset RELEASE_NODE

echo "[${SECONDS}s] booted and stopped"
# ---- a second version: RELEASES names the new one only, as relx's ----
sed -i 's/"0.3.0"/"0.4.0"/' rebar.config src/ovl.app.src
rebar3 release -o "$T/refout" >"$T/rebar3.out" 2>&1 || { cat "$T/rebar3.out"; bad "rebar3 release 0.4.0"; }
"$R" init --import --force >/dev/null 2>&1 || bad "relman init --import (0.4.0)"
"$R" assemble >"$T/assemble.out" 2>&1 || { cat "$T/assemble.out"; bad "relman assemble 0.4.0"; }
check "both versions are kept" test -d "$REL/releases/0.3.0" -a -d "$REL/releases/0.4.0"
check "RELEASES after a second version as rebar3's" same_terms "$T/refout/ovl/releases/RELEASES" "$REL/releases/RELEASES"
check "the new version's overlay template" grep -q 'vsn=0.4.0' "$REL/etc/app.conf"

echo "[${SECONDS}s] second version"
# ---- dev mode: link makes symlinks to the project's files ----
rebar3 as dev release >"$T/rebar3.out" 2>&1 || { cat "$T/rebar3.out"; bad "rebar3 as dev release"; }
DREL=$P/_build/dev/rel/ovl
tree "$DREL" README.link tree.link links >"$T/ref-dev.tree"
mv "$DREL" "$T/ref-dev"
"$R" init --import --force --env dev >"$T/init.out" 2>&1 || { cat "$T/init.out"; bad "relman init --import --env dev"; }
check "dev mode keeps link" grep -q -- '- link: \["files/README", "README.link"\]' relman.yml
"$R" assemble >"$T/assemble.out" 2>&1 || { cat "$T/assemble.out"; bad "relman assemble (dev)"; }
tree "$DREL" README.link tree.link links >"$T/relman-dev.tree"
if diff "$T/ref-dev.tree" "$T/relman-dev.tree" >"$T/tree.diff"; then ok; else
    bad "the dev-mode links differ from rebar3's"
    cat "$T/tree.diff"
fi
check "a link to a directory" test "$(readlink "$DREL/tree.link")" = "$P/files/tree"

expect_error() { # PROFILE TEXT [WHERE]: rebar3 and relman both fail with TEXT
    local prof=$1 text=$2 where=${3:-assemble}
    if [ ! -f "$T/r3-$prof.rc" ]; then
        : # no reference (see above)
    elif [ "$(cat "$T/r3-$prof.rc")" = 0 ]; then
        bad "$prof: rebar3 release succeeded"
    elif ! grep -q "$text" "$T/r3-$prof.out"; then
        bad "$prof: rebar3 says no '$text'"
        tail -5 "$T/r3-$prof.out"
    else ok; fi
    local rc=0 out
    # relman in the reference's copy (compiled there), without its output
    if [ -d "$T/err-$prof" ]; then cd "$T/err-$prof" || return; else cd "$E" || return; fi
    rm -rf "_build/$prof/rel"
    if [ "$where" = import ]; then
        out=$("$R" init --import --force --env "$prof" 2>&1) || rc=$?
    else
        "$R" init --import --force --env "$prof" >"$T/init.out" 2>&1 || { cat "$T/init.out"; bad "$prof: import"; }
        out=$("$R" assemble 2>&1) || rc=$?
    fi
    check "$prof: relman fails" test "$rc" -eq 1
    check "$prof: one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
    if grep -q -- "$text" <<<"$out"; then ok; else bad "$prof: relman says no '$text': $out"; fi
    [ "$where" = import ] || if grep -q 'relx_overlay\[' <<<"$out" && grep -q 'relman.yml:[0-9]*:[0-9]*:' <<<"$out"; then ok; else
        bad "$prof: the error names no overlay: $out"; fi
    check "$prof: nothing left behind" test ! -e "_build/$prof/rel"
}
# ---- rlx_release_SUITE's overlay_release, with its assertions ----
# (written as relman.yml: rebar3 3.19 cannot pass a {Key, Value} among
# overlay_vars, nor overlay_vars_values, which the case uses)
S=$T/suite
L=$S/lib1
mkdir -p "$S/src" "$S/priv/subdir" "$L/first_test_dir" && cd "$S" || exit 1
printf '{application, goal_app_1, [{vsn, "0.0.1"}, {description, "g"}, {registered, []}, {applications, [kernel, stdlib]}]}.\n' >src/goal_app_1.app.src
printf 'foo\n' >priv/subdir/foo.txt
printf '{relx, [{release, {foo, "0.0.1"}, [goal_app_1]}]}.\n' >rebar.config
printf '%s\n' '{yahoo, "yahoo"}.' '{yahoo2, [{foo, "bar"}]}.' '{foo_yahoo, "foo_{{yahoo}}"}.' \
    '{foo_dir, "foodir"}.' '{prop2, 1}.' '{tpl_var, "defined in vars1"}.' \
    '{api_caller_var, "{{api_caller_var}}"}.' >"$L/vars1.config"
printf '%s\n' '{google, "yahoo"}.' '{yahoo2, "foo"}.' '{tpl_arg, "a template value"}.' \
    '{tpl_var, "Redefined in vars2 with {{tpl_arg}}"}.' "\"$L/vars3.config\"." \
    "\"$L/vars4.config\"." >"$L/vars2.config"
printf '%s\n' '{google, "yahoo"}.' '{prop2, 3}.' '{yahoo4, "{{yahoo}}/{{yahoo2}}4"}.' >"$L/vars3.config"
printf '%s\n' '{prop1, "val1"}.' '{prop2, 2}.' >"$L/vars4.config"
for k in erts_vsn release_erts_version rel_vsn:release_version release_version log output_dir \
    target_dir config_file sys_config root_dir release yahoo4 yahoo foo_dir foo_yahoo google prop1 \
    tpl_var api_caller_var; do
    printf '{%s, "{{%s}}"}.\n' "${k%%:*}" "${k##*:}"
done >"$L/test_template"
printf '{release_name, {{release_name}}}.\n{prop2, {{prop2}}}.\n' >>"$L/test_template"
chmod 0777 "$L/test_template"
cp "$L/test_template" "$L/first_test_dir/test_file"
cat >relman.yml <<EOF
project: {kind: rebar3}
releases:
  foo:
    version: "0.0.1"
    applications: {goal_app_1: permanent}
    relx_overlay_vars:
      - {term: '{var_list_dir, "non-file-variable-list"}'}
      - $L/vars1.config
      - $L/vars2.config
    relx_overlay_vars_values: '[{api_caller_var, "api-caller-var"}, {release_name, "release-var-conflict"}, {yahoo, "overlays-file-conflict"}]'
    relx_overlay:
      - mkdir: "{{target_dir}}/fooo"
      - mkdir: "{{target_dir}}/{{var_list_dir}}"
      - copy: ["{{goal_app_1}}/priv/subdir/foo.txt", "{{target_dir}}/{{foo_dir}}/test_app_overlay"]
      - copy: ["$L/vars1.config", "{{target_dir}}/{{foo_dir}}/vars1.config"]
      - copy: ["$L/vars1*.config", "{{target_dir}}/{{yahoo}}/"]
      - copy: ["$L/vars4.config", "{{target_dir}}/{{yahoo}}/vars4.config"]
      - copy: ["$L/first_test_dir", "{{target_dir}}/second_test_dir/"]
      - template: ["$L/test_template", "{{target_dir}}/test_template_resolved"]
      - template: ["$L/test_template", "bin/{{release_name}}-{{release_version}}"]
      - copy: ["{{erts_dir}}/bin/erl", "bin/copy.erl"]
EOF
"$R" assemble >"$T/suite.out" 2>&1 || { cat "$T/suite.out"; bad "overlay_release: relman assemble"; }
O=$S/_build/default/rel/foo
for f in non-file-variable-list fooo foodir/vars1.config foodir/test_app_overlay yahoo/vars1.config \
    yahoo/vars4.config second_test_dir/first_test_dir/test_file bin/copy.erl bin/foo-0.0.1; do
    check "overlay_release: $f" test -e "$O/$f"
done
check "overlay_release: the template keeps mode 0777" test "$(stat -c %a "$O/test_template_resolved")" = 777
got=$(erl -noshell -eval '{ok, T} = file:consult("'"$O"'/test_template_resolved"),
    G = fun(K) -> proplists:get_value(K, T) end,
    io:format("~p", [[G(erts_vsn) =:= erlang:system_info(version),
                      G(release_erts_version) =:= erlang:system_info(version), G(release_version),
                      G(release_name), G(yahoo4), G(foo_yahoo), G(google), G(prop1), G(prop2),
                      G(tpl_var), G(api_caller_var), G(yahoo), G(config_file)]]), halt().' 2>&1)
check "overlay_release: the variables" test "$(tr -d ' \n' <<<"$got")" = \
    '[true,true,"0.0.1",foo,"yahoo/foo4","foo_yahoo","yahoo","val1",2,"Redefinedinvars2withatemplatevalue","api-caller-var","yahoo",[]]'

# ---- relx's overlay errors: the references started at the beginning ----
wait
echo "[${SECONDS}s] error references built"
# a profile's overlay runs after the base section's, as rebar3 runs them
cd "$T/err-order" || exit 1
OREL=_build/order/rel/ovlerr
check "order: rebar3 release" test "$(cat "$T/r3-order.rc")" = 0
tree "$OREL" x.txt base_dir prof_dir >"$T/ref-order.tree"
check "order: rebar3 copies the profile's file last" grep -q profile "$OREL/x.txt"
rm -rf "$OREL"
"$R" init --import --env order >"$T/init.out" 2>&1 || { cat "$T/init.out"; bad "order: import"; }
"$R" assemble >"$T/assemble.out" 2>&1 || { cat "$T/assemble.out"; bad "order: assemble"; }
check "order: the same overlay files as rebar3" diff "$T/ref-order.tree" <(tree "$OREL" x.txt base_dir prof_dir)
expect_error malformed_error "Overlay section malformed" import
expect_error mkdir_error "Unable to make directory"
expect_error copy_error "Unable to copy from"
expect_error template_read_error "Unable to read template file"
expect_error template_write_error "Unable to write to"
expect_error template_dir_error "Unable to create enclosing directory for"
expect_error chmod_error "Unable to chmod"
expect_error link_error "Unable to symlink"
expect_error bad_template "Unable to render template"
out=$("$R" assemble 2>&1)
check "a bad template names its file and line" grep -q 'bad.tpl:2: section {{#open}} is not closed' <<<"$out"

# ---- what the import refuses, by name (no rebar3 needed) ----
I=$T/imp
mkdir -p "$I/src" && cd "$I" || exit 1
cp "$E/src/ovlerr.app.src" src/
refuse() { # NAME RELX-OPTIONS TEXT
    printf '{relx, [{release, {ovlerr, "0.1.0"}, [ovlerr]},\n %s]}.\n' "$2" >rebar.config
    rm -f relman.yml
    local rc=0 out
    out=$("$R" init --import 2>&1) || rc=$?
    check "import $1: fails" test "$rc" -eq 1
    check "import $1: one line naming rebar.config:2" test "$(wc -l <<<"$out")" -eq 1 -a \
        -n "$(grep -F "rebar.config:2: relx: $3" <<<"$out")"
    check "import $1: no relman.yml" test ! -e relman.yml
}
refuse "an overlay that is a string" '{overlay, "abc"}' 'Overlay section malformed: "abc"'
refuse "copy without a target" '{overlay, [{copy, "a"}]}' 'Overlay section malformed: {copy,"a"}'
refuse "a mode that is no number" '{overlay, [{chmod, "rw", "x"}]}' 'Overlay section malformed: {chmod,"rw","x"}'
refuse "a bad overlay_vars item" '{overlay_vars, [1]}' 'overlay_vars: 1 is neither a file name'
refuse "overlay_vars_values not a list" '{overlay_vars_values, foo}' 'overlay_vars_values must be a list'

finish
