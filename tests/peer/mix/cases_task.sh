# T01-T19: the 19 tests of Elixir 1.14's lib/mix/test/mix/tasks/release_test.exs,
# in its order, rebuilt on tests/peer/mix/fixtures/relpeer (sourced by
# tests/integration/mix_suite.sh; helpers in lib.sh). Node names carry the
# run's pid so parallel runs never meet; the default name is checked with
# ELIXIR_CLI_DRY_RUN instead.

# import_asm [ARGS]: relman init --import, then relman assemble ARGS; either
# failing fails the case (with its output).
import_asm() {
    want "import" import || { cat import.out; return 1; }
    want "assemble $*" asm "$@" || { cat asm.out; return 1; }
}

# templates PREFIX: the four rel templates, each printing its own name.
templates() {
    local f
    mkdir -p "$1"
    for f in vm.args remote.vm.args env.sh env.bat; do
        printf '%s FOR <%%= @release.name %%>\n' "$1/$f.eex" >"$1/$f.eex"
    done
}

# templates_case DIR: the four templates and an overlay (with an empty
# directory) under DIR, assembled; each file rendered from its template.
templates_case() {
    local dir=$1 v=_build/dev/rel/relpeer/releases/0.1.0 f
    mkdir -p "$dir/overlays/empty/directory"
    printf world >"$dir/overlays/hello"
    templates "$dir"
    want "import" import || return 1
    want "assemble" asm || { cat asm.out; return 1; }
    want "progress names release, version and path" has_re asm.out 'relpeer-0\.1\.0 in _build/dev/rel/relpeer'
    for f in env.sh env.bat vm.args remote.vm.args; do
        want "$f rendered from $dir/$f.eex" is_text "$v/$f" "$dir/$f.eex FOR relpeer"
    done
    want "empty overlay directory kept" test -d _build/dev/rel/relpeer/empty/directory
    want "overlay file copied" is_text _build/dev/rel/relpeer/hello world
    return $CASE_BAD
}

# customize: env, vm.args and overlays templates
case_T01() {
    project relpeer
    templates_case rel
}

# customize: env, vm.args and overlays templates with custom rel_templates_path
case_T02() {
    project relpeer
    mix_opts 'releases: [relpeer: [rel_templates_path: "custom_rel"]]'
    templates_case custom_rel
}

# customize: custom overlays (overlays: "rel/another", a string)
case_T03() {
    project relpeer
    mix_opts 'releases: [relpeer: [overlays: "rel/another"]]'
    mkdir -p rel/overlays rel/another/empty/directory
    printf world >rel/overlays/hello
    printf kept >rel/overlays/original
    printf override >rel/another/hello
    want "import" import || { cat import.out; return 1; }
    want "assemble --overwrite" asm --overwrite || { cat asm.out; return 1; }
    local root=_build/dev/rel/relpeer
    want "empty directory of rel/another kept" test -d $root/empty/directory
    want "rel/another overrides rel/overlays" is_text $root/hello override
    want "rel/overlays still copied" is_text $root/original kept
    return $CASE_BAD
}

# customize: steps (a function step before :assemble adds one after it)
case_T04() {
    project relpeer
    mix_opts 'releases: [demo: [steps: [fn r -> File.write!("first_step.txt", inspect({r.__struct__, r.steps})); update_in(r.steps, &(&1 ++ [fn r2 -> File.write!("last_step.txt", inspect({r2.__struct__, r2.steps})); r2 end])) end, :assemble]]]'
    import_asm || return 1
    want "release assembled" test -f _build/dev/rel/demo/releases/0.1.0/demo.rel
    want "first step ran with the release before :assemble" is_text first_step.txt '{Mix.Release, [:assemble]}'
    want "the step it added ran after :assemble" is_text last_step.txt '{Mix.Release, []}'
    return $CASE_BAD
}

# customize: include_executables_for and strip_beams (keep: "Docs", a string)
case_T05() {
    project relpeer
    mix_opts 'releases: [relpeer: [include_executables_for: [], strip_beams: [keep: "Docs"]]]'
    import_asm || return 1
    local root=_build/dev/rel/relpeer f
    peer chunks $root/lib/relpeer-0.1.0/ebin/Elixir.Relpeer.beam Docs Dbgi >chunks.out 2>&1
    want "Docs chunk kept" has chunks.out "Docs yes"
    want "Dbgi chunk stripped" has chunks.out "Dbgi no"
    for f in bin/start bin/start.bat releases/0.1.0/elixir releases/0.1.0/elixir.bat \
        releases/0.1.0/iex releases/0.1.0/iex.bat; do
        wantnot "no $f" test -e "$root/$f"
    done
    return $CASE_BAD
}

# errors: requires a matching name
case_T06() {
    project relpeer
    want "import" import || return 1
    wantnot "assemble of an unknown release fails" asm unknown
    want "the error names the unknown release" has_re asm.out "release '?:?unknown'?"
    wantnot "nothing assembled" test -e _build/dev/rel/unknown
    return $CASE_BAD
}

# tar: with default options
case_T07() {
    project relpeer
    mix_opts 'releases: [demo: [steps: [:assemble, :tar]]]'
    local root=_build/dev/rel/demo tar=_build/dev/demo-0.1.0.tar.gz
    mkdir -p $root/lib/ignored_app-0.1.0/ebin $root/releases/ignored_dir
    touch $root/lib/ignored_app-0.1.0/ebin/ignored_app.app $root/releases/ignored_dir/ignored
    mkdir -p rel/overlays/empty/directory
    printf world >rel/overlays/hello
    import_asm || return 1
    want "says it built the tarball" has asm.out demo-0.1.0.tar.gz
    want "tarball at _build/dev/demo-0.1.0.tar.gz" test -f $tar || return 1
    peer tar_list $tar >files.txt 2>&1
    local f d
    for f in bin/demo releases/0.1.0/sys.config releases/0.1.0/vm.args releases/0.1.0/remote.vm.args \
        releases/COOKIE releases/start_erl.data hello empty/directory; do
        want "tarball holds $f" grep -qx -- "$f/\?" files.txt
    done
    want "tarball holds ERTS" grep -q erts files.txt
    want "tarball holds stdlib" grep -q stdlib files.txt
    for d in $(ls $root/lib); do
        [ "$d" = ignored_app-0.1.0 ] && continue
        want "tarball holds lib/$d/ebin/${d%%-*}.app" grep -qx "lib/$d/ebin/${d%%-*}.app" files.txt
    done
    wantnot "no ignored app" grep -q ignored_app files.txt
    wantnot "no ignored release dir" grep -q ignored_dir files.txt
    return $CASE_BAD
}

# tar_without_erts TARBALL: it exists, holds bin/demo and neither ERTS nor OTP's apps.
tar_without_erts() {
    want "tarball at $1" test -f "$1" || return 1
    peer tar_list "$1" >files.txt 2>&1
    want "tarball holds bin/demo" grep -qx bin/demo files.txt
    wantnot "no ERTS" grep -q erts files.txt
    wantnot "no stdlib" grep -q stdlib files.txt
    return $CASE_BAD
}

# tar: without ERTS and custom path
case_T08() {
    project relpeer
    mix_opts 'releases: [demo: [include_erts: false, path: "tmp/rel", steps: [:assemble, :tar]]]'
    import_asm || return 1
    want "says it built the tarball" has asm.out demo-0.1.0.tar.gz
    tar_without_erts tmp/rel/demo-0.1.0.tar.gz
}

# tar: without ERTS when a previous build included ERTS
case_T09() {
    project relpeer
    mix_opts 'releases: [demo: [include_erts: false, steps: [:assemble, :tar]]]'
    mkdir -p _build/dev/rel/demo/erts-$ERTS_VSN
    import_asm || return 1
    tar_without_erts _build/dev/demo-0.1.0.tar.gz
}

# assembles a bootable release with ERTS
case_T10() {
    project relpeer
    want "import" import || return 1
    want "assemble" asm || { cat asm.out; return 1; }
    want "says where the release is" has asm.out "_build/dev/rel/relpeer"
    local root=$P/_build/dev/rel/relpeer f
    for f in erts-$ERTS_VSN lib/relpeer-0.1.0/ebin lib/relpeer-0.1.0/priv/hello releases/COOKIE \
        releases/start_erl.data releases/0.1.0/relpeer.rel releases/0.1.0/sys.config \
        releases/0.1.0/env.sh releases/0.1.0/env.bat releases/0.1.0/vm.args releases/0.1.0/remote.vm.args; do
        want "$f exists" test -e "$root/$f"
    done
    want "sys.config says RUNTIME_CONFIG=false" has $root/releases/0.1.0/sys.config "RUNTIME_CONFIG=false"
    wantnot "priv is not a symlink" test -L $root/lib/relpeer-0.1.0/priv
    ELIXIR_CLI_DRY_RUN=1 $root/bin/relpeer start >dry.out 2>&1
    want "node named after the release by default" has dry.out "-sname relpeer "
    local cookie
    cookie=$(cat $root/releases/COOKIE)
    RELEASE_NODE=relpeer_$RUN timeout 60 $root/bin/relpeer start >node.out 2>&1
    want "booted as mix's would" booted $root "#{app_dir => <<\"$root/lib/relpeer-0.1.0\">>,
        cookie_env => <<\"$cookie\">>, encoding => {'_μ','£',<<\"£\"/utf8>>,\"£\"},
        mode => embedded, node => 'relpeer_$RUN@$HOST', 'protocols_consolidated?' => true,
        release_name => <<\"relpeer\">>, release_node => <<\"relpeer_$RUN\">>,
        release_prog => <<\"relpeer\">>, release_root => <<\"$root\">>, release_vsn => <<\"0.1.0\">>,
        root_dir => <<\"$root\">>, runtime_config => error, static_config => {ok, was_set},
        sys_config_env => <<\"$root/releases/0.1.0/sys\">>,
        sys_config_init => <<\"$root/releases/0.1.0/sys\">>}"
    return $CASE_BAD
}

# assembles a rebootable release with runtime configuration
case_T11() {
    project relpeer
    mix_opts 'releases: [runtime_config: [reboot_system_after_config: true]]'
    printf 'config :relpeer, :runtime, keep: :static, override: :static\n' >>config/config.exs
    cat >config/runtime.exs <<'EOF'
import Config

if System.get_env("RELEASE_MODE") == nil do
  raise "file should not be loaded while assembling release"
end

config :relpeer, :runtime,
  override: :runtime,
  config_env: config_env(),
  config_target: config_target()

config :relpeer, :encoding, {:runtime, :_μ, :"£", "£", '£'}
EOF
    touch_old config/config.exs config/runtime.exs
    want "import (runtime.exs not evaluated)" import || { cat import.out; return 1; }
    want "assemble (runtime.exs not evaluated)" asm runtime_config || { cat asm.out; return 1; }
    local root=$P/_build/dev/rel/runtime_config
    want "sys.config says RUNTIME_CONFIG=true" has $root/releases/0.1.0/sys.config "RUNTIME_CONFIG=true"
    chmod 555 $root/releases/0.1.0/sys.config
    RELEASE_NODE=runtime_config_$RUN timeout 60 $root/bin/runtime_config start >node.out 2>&1
    want "booted with the runtime configuration (read-only sys.config)" booted $root "#{
        encoding => {runtime,'_μ','£',<<\"£\"/utf8>>,\"£\"}, mode => embedded,
        node => 'runtime_config_$RUN@$HOST', 'protocols_consolidated?' => true,
        release_name => <<\"runtime_config\">>, release_mode => <<\"embedded\">>,
        release_node => <<\"runtime_config_$RUN\">>, release_prog => <<\"runtime_config\">>,
        release_vsn => <<\"0.1.0\">>,
        runtime_config => {ok, [{keep,static},{override,runtime},{config_env,dev},{config_target,host}]},
        static_config => {ok, was_set},
        sys_config_env => {'\$contains', <<\"tmp/runtime_config-0.1.0\">>},
        sys_config_init => {'\$contains', <<\"tmp/runtime_config-0.1.0\">>}}"
    return $CASE_BAD
}

# assembles a bootable release without distribution
case_T12() {
    project relpeer
    mix_opts 'releases: [no_dist: []]'
    want "import" import || return 1
    want "assemble" asm no_dist || { cat asm.out; return 1; }
    local root=$P/_build/dev/rel/no_dist
    RELEASE_DISTRIBUTION=none timeout 60 $root/bin/no_dist start >node.out 2>&1
    want "booted without distribution" booted $root "#{mode => embedded, node => nonode@nohost,
        'protocols_consolidated?' => true, release_name => <<\"no_dist\">>,
        release_node => <<\"no_dist\">>, release_vsn => <<\"0.1.0\">>}"
    return $CASE_BAD
}

# assembles a release without ERTS and with custom options
case_T13() {
    project relpeer
    mix_opts 'releases: [demo: [include_erts: false, cookie: "abcdefghijk"]]'
    want "import" import || return 1
    want "assemble demo --path demo --version 0.2.0 --quiet" \
        asm demo --path demo --version 0.2.0 --quiet || { cat asm.out; return 1; }
    wantnot "--quiet: no progress message" has_re asm.out "assembl|[Rr]elease created"
    local root=$P/demo f
    for f in bin/demo lib/relpeer-0.1.0/ebin lib/relpeer-0.1.0/priv/hello releases/COOKIE \
        releases/start_erl.data releases/0.2.0/demo.rel releases/0.2.0/sys.config \
        releases/0.2.0/vm.args releases/0.2.0/remote.vm.args; do
        want "$f exists" test -e "$root/$f"
    done
    wantnot "no ERTS" test -e $root/erts-$ERTS_VSN
    RELEASE_NODE=demo_$RUN timeout 60 $root/bin/demo start >node.out 2>&1
    want "booted as mix's would" booted $root "#{app_dir => <<\"$root/lib/relpeer-0.1.0\">>,
        cookie_env => <<\"abcdefghijk\">>, mode => embedded, node => 'demo_$RUN@$HOST',
        'protocols_consolidated?' => true, release_name => <<\"demo\">>,
        release_node => <<\"demo_$RUN\">>, release_prog => <<\"demo\">>,
        release_root => <<\"$root\">>, release_vsn => <<\"0.2.0\">>,
        root_dir => <<\"$OTP_ROOT\">>, runtime_config => error, static_config => {ok, was_set}}"
    return $CASE_BAD
}

# validates compile_env (with a non-standard config_path)
case_T14() {
    project relpeer cenv
    mix_opts 'releases: [compile_env_config: []], config_path: "different_config/config.exs"'
    mkdir -p different_config
    cp -p config/config.exs different_config/config.exs
    printf 'import Config\nconfig :relpeer, :static, String.to_atom(System.get_env("RELEASE_STATIC"))\n' \
        >different_config/runtime.exs
    touch_old different_config/runtime.exs
    want "import" import || { cat import.out; return 1; }
    want "assemble" asm compile_env_config || { cat asm.out; return 1; }
    local root=$P/_build/dev/rel/compile_env_config
    RELEASE_STATIC=runtime RELEASE_NODE=cec_$RUN timeout 60 $root/bin/compile_env_config start >bad.out 2>&1
    want "a changed compile-time value stops the boot" \
        has bad.out "ERROR! the application :relpeer has a different value set for key :static during runtime compared to compile time"
    rm -f $root/RELEASE_BOOTED
    RELEASE_STATIC=was_set RELEASE_NODE=cec_$RUN timeout 60 $root/bin/compile_env_config start >node.out 2>&1
    want "the same value boots" booted $root "#{}"
    return $CASE_BAD
}

# does not validate compile_env if opted out
case_T15() {
    project relpeer cenv
    mix_opts 'releases: [no_compile_env_config: [validate_compile_env: false]]'
    printf 'import Config\nconfig :relpeer, :static, String.to_atom(System.get_env("RELEASE_STATIC"))\n' \
        >config/runtime.exs
    touch_old config/runtime.exs
    want "import" import || { cat import.out; return 1; }
    want "assemble" asm no_compile_env_config || { cat asm.out; return 1; }
    local root=$P/_build/dev/rel/no_compile_env_config
    RELEASE_STATIC=runtime RELEASE_NODE=ncec_$RUN timeout 60 $root/bin/no_compile_env_config start >node.out 2>&1
    want "boots with a mismatched value" booted $root "#{}"
    return $CASE_BAD
}

# executes rpc instructions
case_T16() {
    project relpeer cenv
    mix_opts 'releases: [permanent1: [include_erts: false]]'
    printf 'import Config\n' >config/runtime.exs
    touch_old config/runtime.exs
    import_asm || return 1
    local root=$P/_build/dev/rel/permanent1 bin=$P/_build/dev/rel/permanent1/bin/permanent1
    export RELEASE_DISTRIBUTION=name RELEASE_NODE=permanent1_$RUN@127.0.0.1
    start_bg $bin start
    want "booted" booted $root "#{}" || return 1
    want "rpc prints hello world, exit 0" eval "out=\$(timeout 60 $bin rpc 'Relpeer.hello_world()') && [ \"\$out\" = 'hello world' ]"
    want "pid answers, exit 0" eval "pid=\$(timeout 60 $bin pid) && [ -n \"\$pid\" ]"
    want "stop prints nothing, exit 0" eval "out=\$(timeout 60 $bin stop) && [ -z \"\$out\" ]"
    unset RELEASE_DISTRIBUTION RELEASE_NODE
    return $CASE_BAD
}

# runs eval and version commands
case_T17() {
    project relpeer
    mix_opts 'releases: [eval: [include_erts: false, cookie: "abcdefghij"]]'
    printf 'import Config\nconfig :relpeer, :runtime, :was_set\n' >config/runtime.exs
    touch_old config/runtime.exs
    import_asm || return 1
    local root=$P/_build/dev/rel/eval bin=$P/_build/dev/rel/eval/bin/eval
    timeout 60 $bin version >v.out 2>&1
    want "version prints 'eval 0.1.0'" is_text v.out "eval 0.1.0"
    wantnot "version boots nothing" test -e $root/RELEASE_BOOTED
    timeout 60 $bin eval 'IO.puts :hello_world' >e.out 2>&1
    want "eval prints hello_world" is_text e.out hello_world
    wantnot "eval boots nothing" test -e $root/RELEASE_BOOTED
    timeout 60 $bin eval 'Application.ensure_all_started(:relpeer)' >node.out 2>&1
    want "eval starts the application as mix's would" booted $root "#{cookie_env => <<\"abcdefghij\">>,
        mode => interactive, node => nonode@nohost, 'protocols_consolidated?' => true,
        release_name => <<\"eval\">>, release_node => <<\"eval\">>, release_prog => <<\"eval\">>,
        release_root => <<\"$root\">>, release_vsn => <<\"0.1.0\">>,
        runtime_config => {ok, was_set}, static_config => {ok, was_set}}"
    return $CASE_BAD
}

# runs in daemon mode
case_T18() {
    project relpeer
    mix_opts 'releases: [permanent2: [include_erts: false, cookie: "abcdefghij"]]'
    import_asm || return 1
    local root=$P/_build/dev/rel/permanent2 bin=$P/_build/dev/rel/permanent2/bin/permanent2
    local node=permanent2_$RUN@127.0.0.1
    export RELEASE_DISTRIBUTION=name RELEASE_NODE=$node
    want "daemon_iex" timeout 60 $bin daemon_iex || return 1
    want "booted as mix's would" booted $root "#{app_dir => <<\"$root/lib/relpeer-0.1.0\">>,
        cookie_env => <<\"abcdefghij\">>, mode => embedded, node => '$node',
        'protocols_consolidated?' => true, release_name => <<\"permanent2\">>,
        release_node => <<\"$node\">>, release_root => <<\"$root\">>, release_vsn => <<\"0.1.0\">>,
        root_dir => <<\"$OTP_ROOT\">>, runtime_config => error, static_config => {ok, was_set},
        sys_config_env => <<\"$root/releases/0.1.0/sys\">>,
        sys_config_init => <<\"$root/releases/0.1.0/sys\">>}"
    want "IEx prompt in tmp/log/erlang.log.1" wait_log $root/tmp/log/erlang.log.1 "iex($node)1> "
    want "rpc prints hello world, exit 0" eval "out=\$(timeout 60 $bin rpc 'Relpeer.hello_world()') && [ \"\$out\" = 'hello world' ]"
    want "restart prints nothing, exit 0" eval "out=\$(timeout 60 $bin restart) && [ -z \"\$out\" ]"
    want "restarted (RESTARTED!!! in the log)" wait_log $root/tmp/log/erlang.log.1 "RESTARTED!!!"
    want "stop prints nothing, exit 0" eval "out=\$(timeout 60 $bin stop) && [ -z \"\$out\" ]"
    unset RELEASE_DISTRIBUTION RELEASE_NODE
    return $CASE_BAD
}

# wait_log FILE TEXT: FILE holds TEXT within 60 s.
wait_log() {
    local i=0
    while [ $i -lt 600 ]; do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    tail -5 "$1" 2>&1
    return 1
}

# requires confirmation if release already exists unless overwriting
# (relman: a release another tool made is refused without --overwrite; its
# own is replaced, see docs/compat.md)
case_T19() {
    project relpeer
    want "import" import || return 1
    (mix release --quiet >mix.out 2>&1) || { echo "    mix release failed"; cat mix.out; return 1; }
    local v=_build/dev/rel/relpeer/releases/0.1.0
    wantnot "a release mix made is not replaced without --overwrite" asm
    want "the refusal says so and names --overwrite" has_re asm.out '(already exists|did not make).*--overwrite'
    wantnot "mix's release left as it was" test -e _build/dev/rel/relpeer/.relman/manifest
    want "--overwrite assembles" asm --overwrite
    want "relman's release now" test -f _build/dev/rel/relpeer/.relman/manifest
    want "re-assembling relman's own release needs no --overwrite" asm
    want "release in place" test -f $v/relpeer.rel
    return $CASE_BAD
}
