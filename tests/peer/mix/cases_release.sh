# R01-R67: the 67 tests of Elixir 1.14's lib/mix/test/mix/release_test.exs, in
# its order (sourced by tests/integration/mix_suite.sh; helpers in lib.sh).
# They test Mix.Release's functions; each case here tests the relman
# behaviour the function stands for, on the relpeer fixture (whose app plays
# the part of the `:mix` app of mix's tests): from_config! -> relman init
# --import + relman releases/apps; boot_scripts and make_boot_script -> the
# resolved .rel and the boot scripts; make_sys_config -> sys.config, compared
# as terms with what `mix release` writes for the same project at test time;
# copy_* and strip_beam -> what relman assemble copies and strips.

V0=releases/0.1.0

# ---- shared projects (built once per run, read by several cases) ----

# default: release demo (mix's `release([])`), with config `foo: [bar: :baz]`;
# assembled by relman, and by mix as the reference.
setup_default() {
    project relpeer
    mix_opts 'releases: [demo: []]'
    printf 'config :foo, bar: :baz\n' >>config/config.exs
    touch_old config/config.exs
    import && asm demo && mixrel demo
}
# eex: releases that copy Elixir's and OTP's applications, stripped or not.
setup_eex() {
    project relpeer
    mix_opts 'releases: [demo: [applications: [eex: :permanent, runtime_tools: :permanent]], raw: [strip_beams: false, applications: [eex: :permanent]], noerts: [include_erts: false, applications: [runtime_tools: :permanent]]]'
    import && asm demo && asm raw && asm noerts
}
# modes: one release per mode scenario, with applications a dependency
# could bring (in _build/dev/lib); resolved only.
setup_modes() {
    project relpeer
    local L=_build/dev/lib
    fake_app $L/my_sample_mode my_sample_mode 1.0.0 '{applications,[kernel,stdlib,elixir,tools,compiler]}'
    fake_app $L/my_sample1 my_sample1 1.0.0 '{applications,[kernel,stdlib,elixir]},{included_applications,[runtime_tools]}'
    fake_app $L/my_sample2 my_sample2 1.0.0 '{applications,[kernel,stdlib,elixir,runtime_tools]},{included_applications,[runtime_tools]}'
    fake_app $L/my_sample3 my_sample3 1.0.0 '{applications,[kernel,stdlib,elixir,unknown_opt]},{optional_applications,[unknown_opt]}'
    fake_app $L/my_ghost my_ghost 1.0.0 '{applications,[kernel,stdlib,ghost_dep]}'
    mix_opts 'releases: [
      e1: [applications: [eex: :permanent]], e2: [applications: [relpeer: :permanent, eex: :permanent]],
      t1: [applications: [relpeer: :temporary]], t2: [applications: [iex: :temporary]],
      c1: [applications: [my_sample_mode: :temporary]],
      c2: [applications: [my_sample_mode: :temporary, elixir: :permanent]],
      c3: [applications: [my_sample_mode: :temporary, tools: :none, compiler: :none]],
      c4: [applications: [my_sample_mode: :temporary, elixir: :permanent, compiler: :none]],
      leaf: [applications: [relpeer: :none]], sub: [applications: [relpeer: :load, elixir: :load, iex: :load]],
      unknown: [applications: [unknown: :none]], unk2: [applications: [unknown: :permanent]],
      ghost: [applications: [my_ghost: :permanent]],
      bad1: [applications: [kernel: :load]], bad2: [applications: [elixir: :none]],
      skip: [applications: [elixir: :load], skip_mode_validation_for: [:relpeer, :logger]],
      inc1: [applications: [my_sample1: :permanent]],
      inc2: [applications: [my_sample1: :permanent, runtime_tools: :none]],
      conflict: [applications: [my_sample2: :permanent]], opt: [applications: [my_sample3: :permanent]]]'
    import
}
# otp: a copy of the installed ERTS with the .app files of OTP's
# applications beside it, plus a newer cowboy (for include_erts: PATH).
setup_otp() {
    P=$T/shared/otp
    mkdir -p "$P/lib"
    cp -a "$OTP_ROOT/erts-$ERTS_VSN" "$P/" || return 1
    local app lib
    for app in "$OTP_ROOT"/lib/*/ebin/*.app; do
        lib=$(basename "$(dirname "$(dirname "$app")")")
        mkdir -p "$P/lib/$lib/ebin" && cp "$app" "$P/lib/$lib/ebin/"
    done
    fake_app "$P/lib/cowboy-2.0.0" cowboy 2.0.0 '{applications,[kernel,stdlib]}'
    mkdir -p "$P/lib/compiler-1.0"
}
# providers: config_providers with and without reboot (mix's three
# make_sys_config cases), by relman and by mix.
setup_providers() {
    project relpeer
    printf 'config :kernel, key: :value\n' >>config/config.exs
    touch_old config/config.exs
    local pr='config_providers: [{Config.Reader, "/foo/bar/baz"}]'
    mix_opts "releases: [p1: [$pr, reboot_system_after_config: true], p2: [$pr, reboot_system_after_config: true, start_distribution_during_config: true, prune_runtime_sys_config_after_boot: true], p3: [$pr, reboot_system_after_config: false]]"
    import && asm p1 && asm p2 && asm p3 && mixrel p1 p2 p3
}

# mode_is REL "APP MODE": APP has MODE in the resolved release REL.
mode_is() {
    modes "$1"
    want "$1: $2" grep -qx "$2" "modes.$1"
}

# ---- from_config!/3 ----

# uses default configuration if no release is specified
case_R01() {
    project relpeer
    want "import" import || return 1
    "$R" releases --json >rel.json
    want "release named after the app" test "$(json_get rel.json 'j["releases"][0]["name"]')" = relpeer
    want "version of the project" test "$(json_get rel.json 'j["releases"][0]["version"]')" = 0.1.0
    want "path _build/dev/rel/relpeer" test "$(json_get rel.json 'j["releases"][0]["path"]')" = "$P/_build/dev/rel/relpeer"
    want "assemble" asm
    want "version path _build/dev/rel/relpeer/releases/0.1.0" test -f _build/dev/rel/relpeer/$V0/relpeer.rel
    return $CASE_BAD
}

# options_template: rel/env.sh.eex printing three release options.
options_template() {
    mkdir -p rel
    printf '<%%= @release.options[:overwrite] %%> <%%= @release.options[:quiet] %%> <%%= @release.options[:strip_beams] %%>\n' >rel/env.sh.eex
}

# provides default options (overwrite: false, quiet: false, strip_beams: true)
case_R02() {
    project relpeer
    options_template
    want "import" import || return 1
    "$R" render relpeer env.sh >env.out 2>&1
    want "options overwrite, quiet, strip_beams are false false true" is_text env.out "false false true"
    return $CASE_BAD
}

# allows overrides (path, version, overwrite, quiet)
case_R03() {
    project relpeer
    options_template
    want "import" import || return 1
    want "assemble --path demo --version 0.2.0 --overwrite --quiet" asm --path demo --version 0.2.0 --overwrite --quiet
    wantnot "--quiet: no progress message" has_re asm.out "assembl|[Rr]elease created"
    want "at the given path, with the given version" test -f demo/releases/0.2.0/relpeer.rel
    want "options overwrite and quiet set" is_text demo/releases/0.2.0/env.sh "true true true"
    return $CASE_BAD
}

# allows specifying the version from an application
case_R04() {
    project relpeer
    mix_opts 'releases: [demo: [version: {:from_app, :elixir}]]'
    want "import" import || return 1
    "$R" releases --json >rel.json 2>&1
    want "version of elixir" test "$(json_get rel.json 'j["releases"][0]["version"]')" = "$ELIXIR_VSN"
    return $CASE_BAD
}

# raises when :from_app is used with an app that doesn't exist
case_R05() {
    project relpeer
    mix_opts 'releases: [demo: [version: {:from_app, :not_valid}]]'
    if import; then "$R" apps demo >rel.out 2>&1 && { echo "    relman apps accepted from_app: not_valid"; return 1; }
    else cp import.out rel.out; fi
    want "the error names not_valid" has rel.out not_valid
    return $CASE_BAD
}

# includes applications (with their paths; OTP's flagged)
case_R06() {
    project relpeer
    want "import" import || return 1
    "$R" apps relpeer --json >apps.json
    local q='{a["name"]: a for a in j["applications"]}'
    want "the project app from _build" test "$(json_get apps.json "($q)['relpeer']['dir']")" = "$P/_build/dev/lib/relpeer"
    want "the project app is not OTP's" test "$(json_get apps.json "($q)['relpeer']['source']")" = project
    want "kernel from the OTP installation" test "$(json_get apps.json "($q)['kernel']['dir']")" = \
        "$(ls -d "$OTP_ROOT"/lib/kernel-*)"
    want "kernel is OTP's" test "$(json_get apps.json "($q)['kernel']['source']")" = OTP
    return $CASE_BAD
}

# allows release to be given as an anonymous function
case_R07() {
    project relpeer
    mix_opts 'releases: [foo: fn -> [version: "0.2.0"] end]'
    want "import" import || return 1
    "$R" releases --json >rel.json
    want "release foo" test "$(json_get rel.json 'j["releases"][0]["name"]')" = foo
    want "version 0.2.0" test "$(json_get rel.json 'j["releases"][0]["version"]')" = 0.2.0
    return $CASE_BAD
}

two_releases='releases: [foo: [version: "0.2.0"], bar: [version: "0.3.0"]]'

# uses chosen release via the CLI
case_R08() {
    project relpeer
    mix_opts "$two_releases"
    want "import" import || return 1
    "$R" apps bar --json >apps.json 2>&1
    want "release bar" test "$(json_get apps.json 'j["release"]')" = bar
    want "version 0.3.0" test "$(json_get apps.json 'j["version"]')" = 0.3.0
    want "assemble bar" asm bar
    want "at _build/dev/rel/bar/releases/0.3.0" test -f _build/dev/rel/bar/releases/0.3.0/bar.rel
    return $CASE_BAD
}

# uses chosen release via the default_release
case_R09() {
    project relpeer
    mix_opts "default_release: :bar, $two_releases"
    want "import" import || return 1
    "$R" apps --json >apps.json 2>&1
    want "release bar" test "$(json_get apps.json 'j["release"]')" = bar
    want "version 0.3.0" test "$(json_get apps.json 'j["version"]')" = 0.3.0
    want "assemble without a name" asm
    want "bar at _build/dev/rel/bar/releases/0.3.0" test -f _build/dev/rel/bar/releases/0.3.0/bar.rel
    return $CASE_BAD
}

# raises for multiple releases and no name
case_R10() {
    project relpeer
    mix_opts 'releases: [foo: [], bar: []]'
    want "import" import || return 1
    wantnot "assemble without a name fails" asm
    want "it says a name is needed" has_re asm.out 'name|several|multiple'
    wantnot "nothing assembled" test -e _build/dev/rel
    return $CASE_BAD
}

# raises for unknown release
case_R11() {
    project relpeer
    want "import" import || return 1
    wantnot "assemble foo fails" asm foo
    want "the error names foo and the available releases" has_re asm.out "foo.*relpeer"
    return $CASE_BAD
}

# uses the locked version of an app (the project's over the one beside include_erts)
case_R12() {
    shared otp setup_otp || return 1
    local otp=$P
    project relpeer
    fake_app _build/dev/lib/cowboy cowboy 1.1.2 '{applications,[kernel,stdlib]}'
    mkdir -p deps/cowboy
    printf '%%{\n  "cowboy": {:hex, :cowboy, "1.1.2"},\n}\n' >mix.lock
    perl -pi -e 's/deps: \[\]/deps: [{:cowboy, "~> 1.0", path: "deps\/cowboy"}]/' mix.exs
    touch_old mix.lock
    local stamp
    stamp=$(stat -c %Y mix.lock)
    ERTS=$otp/erts-$ERTS_VSN perl -0pi -e 's/deps: \[\{:cowboy[^\]]*\]/$& , releases: [demo: [include_erts: "$ENV{ERTS}", applications: [cowboy: :permanent]]]/' mix.exs
    touch -d "@$stamp" mix.exs
    want "import" import || { cat import.out; return 1; }
    "$R" apps demo --json >apps.json 2>&1
    want "cowboy 1.1.2 (the project's)" test "$(json_get apps.json '[a["version"] for a in j["applications"] if a["name"]=="cowboy"][0]')" = 1.1.2
    return $CASE_BAD
}

# uses the latest version of an app if it is not locked
case_R13() {
    shared otp setup_otp || return 1
    local otp=$P
    project relpeer
    mix_opts "releases: [demo: [include_erts: \"$otp/erts-$ERTS_VSN\"]]"
    want "import" import || return 1
    "$R" apps demo --json >apps.json 2>&1
    local q='[a for a in j["applications"] if a["name"]=="compiler"][0]'
    want "compiler from the lib beside the ERTS" test "$(dirname "$(json_get apps.json "($q)['dir']")")" = "$otp/lib"
    want "not the empty compiler-1.0" test "$(json_get apps.json "($q)['version']")" != 1.0
    return $CASE_BAD
}

# raises on unknown app
case_R14() {
    shared modes setup_modes || return 1
    wantnot "the release does not resolve" modes unknown
    problems unknown >p.out
    want "an error names the unknown application" has_re p.out "^error .*unknown.*not found|^error unknown"
    return $CASE_BAD
}

# raises for missing version
case_R15() {
    project relpeer
    local stamp
    stamp=$(stat -c %Y mix.exs)
    perl -pi -e 's/version: "0.1.0", //' mix.exs
    touch -d "@$stamp" mix.exs
    if import; then "$R" apps >rel.out 2>&1 && { echo "    a project without a version was accepted"; return 1; }
    else cp import.out rel.out; fi
    want "the error says there is no version" has_re rel.out '[Vv]ersion'
    return $CASE_BAD
}

# raises for blank version
case_R16() {
    project relpeer
    local stamp
    stamp=$(stat -c %Y mix.exs)
    perl -pi -e 's/version: "0.1.0"/version: ""/' mix.exs
    touch -d "@$stamp" mix.exs
    if import; then "$R" releases >rel.out 2>&1 && { echo "    an empty version was accepted"; cat rel.out; return 1; }
    else cp import.out rel.out; fi
    want "the error says the version is empty" has_re rel.out '[Vv]ersion.*empty|empty.*[Vv]ersion'
    return $CASE_BAD
}

# raises on invalid release names
case_R17() {
    project relpeer
    mix_opts 'releases: ["invalid name": []]'
    if import; then "$R" releases >rel.out 2>&1 && { echo "    'invalid name' accepted"; return 1; }
    else cp import.out rel.out; fi
    want "the error names the invalid release name" has rel.out "invalid name"
    return $CASE_BAD
}

# raises on bad steps (six forms)
case_R18() {
    project relpeer
    cp -p mix.exs mix.exs.orig
    local steps re i=0
    while IFS='|' read -r steps re; do
        i=$((i + 1))
        cp -p mix.exs.orig mix.exs
        rm -rf _build/dev/rel
        mix_opts "releases: [demo: [steps: $steps]]"
        if import && asm demo; then
            echo "    not: steps: $steps refused"
            CASE_BAD=1
            continue
        fi
        cat import.out asm.out >steps$i.out 2>/dev/null
        want "steps: $steps refused saying $re" has_re steps$i.out "$re"
        wantnot "steps: $steps: nothing assembled" test -e _build/dev/rel/demo
    done <<'EOF'
:foo|steps
[]|steps.*assemble
[:assemble, :assemble]|steps.*assemble
[:tar, :assemble]|tar.*after.*assemble
[:assemble, :tar, :tar]|steps.*tar
[:foo]|steps
EOF
    return $CASE_BAD
}

# ---- from_config!/3 + umbrella ----

# cannot infer for umbrella projects
case_R19() {
    project umbrella
    import
    want "the import says what mix would say" has import.out "Umbrella projects require releases to be explicitly defined"
    want "and what relman proposes" has import.out "proposed release"
    return $CASE_BAD
}

# requires apps for umbrella projects
case_R20() {
    project umbrella
    mix_opts 'releases: [foo: []]'
    if import && asm foo; then
        echo "    not: a release of an umbrella without applications refused"
        return 1
    fi
    cat import.out asm.out >err.out 2>/dev/null
    want "the refusal says applications must be given" has_re err.out "[Uu]mbrella.*(applications|explicitly)"
    wantnot "nothing assembled" test -e _build/dev/rel/foo
    return $CASE_BAD
}

# builds explicit releases with applications
case_R21() {
    project umbrella
    mix_opts 'releases: [foo: [applications: [alpha: :permanent]]]'
    want "import" import || return 1
    "$R" releases --json >rel.json
    want "release foo" test "$(json_get rel.json 'j["releases"][0]["name"]')" = foo
    want "version 0.1.0" test "$(json_get rel.json 'j["releases"][0]["version"]')" = 0.1.0
    want "alpha in it" modes foo
    want "alpha permanent" grep -qx "alpha permanent" modes.foo
    return $CASE_BAD
}

# ---- from_config!/3 + boot_scripts ----

# generates a start boot script with current application
case_R22() {
    shared default setup_default || return 1
    local rel=_build/dev/rel/demo/$V0/demo.rel
    want ".rel modes and order" peer rel_modes $rel \
        "[{kernel,permanent},{stdlib,permanent},{elixir,permanent},{sasl,permanent},{relpeer,permanent},{iex,none},{compiler,permanent},{logger,permanent}]"
    want ".rel equals mix's as terms" peer same_terms $rel "$P.mix/$rel"
    return $CASE_BAD
}

# includes extra application in order
case_R23() {
    shared modes setup_modes || return 1
    want "e1 resolves" modes e1
    want "eex before the project app" test "$(head -7 modes.e1 | tr '\n' ' ')" = \
        "kernel permanent stdlib permanent elixir permanent sasl permanent eex permanent relpeer permanent iex none "
    want "e2 resolves" modes e2
    want "unless listed after it" test "$(head -7 modes.e2 | tr '\n' ' ')" = \
        "kernel permanent stdlib permanent elixir permanent sasl permanent relpeer permanent eex permanent iex none "
    return $CASE_BAD
}

# configures other applications
case_R24() {
    shared modes setup_modes || return 1
    mode_is t1 "relpeer temporary"
    mode_is t2 "iex temporary"
    return $CASE_BAD
}

# configures other applications in cascade
case_R25() {
    shared modes setup_modes || return 1
    local r want_modes
    while read -r r want_modes; do
        modes "$r"
        local got
        got=$(grep -E '^(my_sample_mode|tools|compiler) ' "modes.$r" | sort | tr '\n' ' ')
        got=${got% }
        want "$r: $want_modes" test "$got" = "$want_modes"
    done <<'EOF'
c1 compiler permanent my_sample_mode temporary tools temporary 
c2 compiler permanent my_sample_mode temporary tools temporary 
c3 compiler none my_sample_mode temporary tools none 
c4 compiler none my_sample_mode temporary tools temporary 
EOF
    return $CASE_BAD
}

# generates a start_clean script with only kernel and stdlib starting up
case_R26() {
    shared default setup_default || return 1
    local s=_build/dev/rel/demo/$V0/start_clean.script a checks=()
    for a in kernel stdlib; do checks+=("{apply,{application,start_boot,[$a,permanent]}}" yes); done
    for a in elixir sasl relpeer iex compiler; do checks+=("{apply,{application,start_boot,[$a,permanent]}}" no); done
    want "start_clean starts kernel and stdlib only" peer script_has $s "${checks[@]}"
    want "start_clean.script equals mix's as terms" peer same_terms $s "$P.mix/$s"
    return $CASE_BAD
}

# ---- from_config!/3 + include_erts ----

# when true (default)
case_R27() {
    shared default setup_default || return 1
    local root=_build/dev/rel/demo
    want "start_erl.data names the ERTS" is_text $root/releases/start_erl.data "$ERTS_VSN 0.1.0"
    want "the installed ERTS is copied" cmp $root/erts-$ERTS_VSN/bin/beam.smp "$OTP_ROOT/erts-$ERTS_VSN/bin/beam.smp"
    return $CASE_BAD
}

# when false
case_R28() {
    shared eex setup_eex || return 1
    local root=_build/dev/rel/noerts
    want "start_erl.data still names the ERTS" is_text $root/releases/start_erl.data "$ERTS_VSN 0.1.0"
    wantnot "no ERTS copied" test -e $root/erts-$ERTS_VSN
    return $CASE_BAD
}

# when anonymous function
case_R29() {
    project relpeer
    mix_opts 'releases: [yes: [include_erts: fn -> true end], no: [include_erts: fn -> false end]]'
    want "import" import || return 1
    want "assemble yes" asm yes
    want "fn -> true end: ERTS copied" test -d _build/dev/rel/yes/erts-$ERTS_VSN
    want "assemble no" asm no
    wantnot "fn -> false end: no ERTS" test -e _build/dev/rel/no/erts-$ERTS_VSN
    want "start_erl.data names the ERTS" is_text _build/dev/rel/no/releases/start_erl.data "$ERTS_VSN 0.1.0"
    return $CASE_BAD
}

# with valid path
case_R30() {
    project relpeer
    mix_opts "releases: [demo: [include_erts: \"$OTP_ROOT/erts-$ERTS_VSN\"]]"
    want "import" import || return 1
    want "assemble" asm demo || { cat asm.out; return 1; }
    want "that ERTS copied" cmp _build/dev/rel/demo/erts-$ERTS_VSN/bin/beam.smp "$OTP_ROOT/erts-$ERTS_VSN/bin/beam.smp"
    want "start_erl.data" is_text _build/dev/rel/demo/releases/start_erl.data "$ERTS_VSN 0.1.0"
    return $CASE_BAD
}

# with invalid path
case_R31() {
    project relpeer
    mix_opts 'releases: [demo: [include_erts: "bad"]]'
    if import && asm demo; then echo "    include_erts: \"bad\" accepted"; return 1; fi
    cat import.out asm.out >err.out 2>/dev/null
    want "the error names the path" has_re err.out 'ERTS.*bad|bad.*ERTS|erts.*bad'
    wantnot "nothing assembled" test -e _build/dev/rel/demo/releases
    return $CASE_BAD
}

# ---- make_boot_script/4 ----

# writes .rel, .boot, and .script files
case_R32() {
    shared default setup_default || return 1
    local v=_build/dev/rel/demo/$V0 kv
    kv=$(ls -d "$OTP_ROOT"/lib/kernel-* | sed 's/.*kernel-//')
    peer consult_print $v/demo.rel >rel.txt
    want ".rel: release, version, ERTS" has rel.txt "{release,{\"demo\",\"0.1.0\"},{erts,\"$ERTS_VSN\"},"
    want ".rel: elixir $ELIXIR_VSN" has rel.txt "{elixir,\"$ELIXIR_VSN\",permanent}"
    want ".rel: iex none" has rel.txt "{iex,\"$ELIXIR_VSN\",none}"
    want "script: kernel from \$ROOT/lib" peer script_has $v/start.script "{path,[\"\$ROOT/lib/kernel-$kv/ebin\"]}" yes
    peer consult_print $v/start.script >script.txt
    want "script: elixir from \$RELEASE_LIB" has script.txt "\"\$RELEASE_LIB/elixir-$ELIXIR_VSN/ebin\""
    want ".boot is the .script's term" erl -noshell -eval "
        {ok, B} = file:read_file(\"$v/start.boot\"), {ok, [S]} = file:consult(\"$v/start.script\"),
        halt(case binary_to_term(B) =:= S of true -> 0; false -> 1 end)."
    want "start.script equals mix's as terms" peer same_terms $v/start.script "$P.mix/$v/start.script"
    want ".rel equals mix's as terms" peer same_terms $v/demo.rel "$P.mix/$v/demo.rel"
    return $CASE_BAD
}

# prepends relevant paths (the consolidated protocols before $RELEASE_LIB paths)
case_R33() {
    shared default setup_default || return 1
    local s=_build/dev/rel/demo/$V0/start.script kv
    kv=$(ls -d "$OTP_ROOT"/lib/kernel-* | sed 's/.*kernel-//')
    want "kernel path unchanged; elixir's not alone; consolidated in front of it" peer script_has $s \
        "{path,[\"\$ROOT/lib/kernel-$kv/ebin\"]}" yes \
        "{path,[\"\$RELEASE_LIB/elixir-$ELIXIR_VSN/ebin\"]}" no \
        "{path,[\"\$RELEASE_LIB/../releases/0.1.0/consolidated\",\"\$RELEASE_LIB/elixir-$ELIXIR_VSN/ebin\"]}" yes
    want "equals mix's as terms" peer same_terms $s "$P.mix/$s"
    return $CASE_BAD
}

# works when :load/:none is set at the leaf
case_R34() {
    shared modes setup_modes || return 1
    want "render the .rel" eval "'$R' render leaf rel >leaf.rel 2>leaf.err"
    want "relpeer none" peer rel_modes leaf.rel "{partial,[{relpeer,none}]}"
    want "boot script made" eval "'$R' render leaf start.script >/dev/null"
    return $CASE_BAD
}

# works when :load/:none is set at the subtree
case_R35() {
    shared modes setup_modes || return 1
    want "render the .rel" eval "'$R' render sub rel >sub.rel 2>sub.err" || cat sub.err
    want "elixir, iex, relpeer load" peer rel_modes sub.rel "{partial,[{elixir,load},{iex,load},{relpeer,load}]}"
    want "boot script made" eval "'$R' render sub start.script >/dev/null"
    return $CASE_BAD
}

# raises on unknown app
case_R36() {
    shared modes setup_modes || return 1
    wantnot "no boot script for a release with an unknown application" eval "'$R' render unk2 start.script >unk2.out 2>&1"
    want "the error names it" has unk2.out unknown
    return $CASE_BAD
}

# raises on missing dependency (an application whose dependency is not there)
case_R37() {
    shared modes setup_modes || return 1
    wantnot "no boot script" eval "'$R' render ghost start.script >ghost.out 2>&1"
    want "the error names the missing dependency and who needs it" has_re ghost.out "ghost_dep.*my_ghost|my_ghost.*ghost_dep"
    return $CASE_BAD
}

# raises on unknown mode
case_R38() {
    project relpeer
    mix_opts 'releases: [demo: [applications: [relpeer: :what]]]'
    if import && "$R" apps demo >apps.out 2>&1; then echo "    mode :what accepted"; return 1; fi
    cat import.out apps.out >err.out 2>/dev/null
    want "the error names the mode and the application" has_re err.out "what.*relpeer|relpeer.*what"
    return $CASE_BAD
}

# raises on bad load/none
case_R39() {
    shared modes setup_modes || return 1
    wantnot "kernel: load refused" modes bad1
    problems bad1 >p1.out
    want "stdlib started but needs kernel, loaded only" has_re p1.out "^error.*stdlib.*kernel.*load|^error stdlib .*load"
    wantnot "elixir: none refused" modes bad2
    problems bad2 >p2.out
    want "an app started but needs elixir, not loaded" has_re p2.out "^error.*elixir.*none"
    wantnot "no boot script" eval "'$R' render bad2 start.script >/dev/null 2>&1"
    return $CASE_BAD
}

# does not raise on child unsafe mode if parent is in skip_mode_validation_for
case_R40() {
    shared modes setup_modes || return 1
    want "resolves" modes skip
    want "start.script made" eval "'$R' render skip start.script >/dev/null"
    want "start_clean.script made" eval "'$R' render skip start_clean.script >/dev/null"
    return $CASE_BAD
}

# ---- make_cookie/1 ----

# creates a random cookie if no cookie
case_R41() {
    shared default setup_default || return 1
    local c1 c2
    c1=$(cat _build/dev/rel/demo/releases/COOKIE)
    want "a cookie of base32 letters (relman: 64, mix: 56; docs/compat.md)" eval "[[ '$c1' =~ ^[A-Z2-7]{56,}=*$ ]]"
    shared eex setup_eex || return 1
    c2=$(cat _build/dev/rel/demo/releases/COOKIE)
    want "random: another release has another" test "$c1" != "$c2"
    return $CASE_BAD
}

# uses the given cookie
case_R42() {
    project relpeer
    mix_opts 'releases: [demo: [cookie: "abcdefghijk"]]'
    want "import" import || return 1
    want "assemble" asm demo
    want "COOKIE is the given one" is_text _build/dev/rel/demo/releases/COOKIE abcdefghijk
    want "assemble again" asm demo
    want "COOKIE unchanged" is_text _build/dev/rel/demo/releases/COOKIE abcdefghijk
    return $CASE_BAD
}

# cookie_to COOKIE: mix.exs's release demo with that cookie, imported.
cookie_to() {
    cp -p mix.exs.orig mix.exs
    mix_opts "releases: [demo: [cookie: \"$1\"]]"
    import
}

# asks to change if the cookie changes
case_R43() {
    project relpeer
    cp -p mix.exs mix.exs.orig
    want "import" cookie_to abcdefghijk || return 1
    want "assemble" asm demo
    cookie_to lmnopqrstuv
    wantnot "a changed cookie is refused without a terminal" asm demo
    want "the refusal names the cookie" has_re asm.out "[Cc]ookie"
    want "COOKIE kept" is_text _build/dev/rel/demo/releases/COOKIE abcdefghijk
    printf 'n\n' | timeout 60 script -qec "'$R' assemble --no-compile demo" /dev/null >tty1.out 2>&1
    want "the terminal is asked" has_re tty1.out "[Cc]ookie.*\?"
    want "answer no: COOKIE kept" is_text _build/dev/rel/demo/releases/COOKIE abcdefghijk
    printf 'y\n' | timeout 60 script -qec "'$R' assemble --no-compile demo" /dev/null >tty2.out 2>&1
    want "answer yes: COOKIE changed" is_text _build/dev/rel/demo/releases/COOKIE lmnopqrstuv
    return $CASE_BAD
}

# does not ask to change if set to overwrite
case_R44() {
    project relpeer
    cp -p mix.exs mix.exs.orig
    mix_opts 'releases: [demo: []]'
    want "import" import
    want "assemble (random cookie)" asm demo
    cookie_to lmnopqrstuv
    want "assemble --overwrite with another cookie" asm demo --overwrite
    want "COOKIE replaced" is_text _build/dev/rel/demo/releases/COOKIE lmnopqrstuv
    return $CASE_BAD
}

# ---- make_start_erl/1 ----

# writes ERTS and release versions
case_R45() {
    shared default setup_default || return 1
    local f=_build/dev/rel/demo/releases/start_erl.data
    want "\"ERTS_VSN REL_VSN\"" is_text $f "$ERTS_VSN 0.1.0"
    want "byte for byte mix's" cmp $f "$P.mix/$f"
    return $CASE_BAD
}

# ---- make_sys_config/1 ----

# writes the given sys_config
case_R46() {
    shared default setup_default || return 1
    local f=_build/dev/rel/demo/$V0/sys.config
    want "RUNTIME_CONFIG=false" has $f "%% RUNTIME_CONFIG=false"
    want "holds foo: [bar: :baz]" erl -noshell -eval "
        {ok, [C]} = file:consult(\"$f\"), halt(case lists:member({foo,[{bar,baz}]}, C) of true -> 0; false -> 1 end)."
    want "equals mix's as terms" peer same_terms $f "$P.mix/$f"
    return $CASE_BAD
}

# writes sys_config with encoding
case_R47() {
    shared default setup_default || return 1
    local f=_build/dev/rel/demo/$V0/sys.config
    want "the encoding term read back" erl -noshell -eval "
        {ok, [C]} = file:consult(\"$f\"),
        E = proplists:get_value(encoding, proplists:get_value(relpeer, C)),
        halt(case E =:= {'_μ','£',<<\"£\"/utf8>>,\"£\"} of true -> 0; false -> io:format(\"~tp~n\", [E]), 1 end)."
    want "equals mix's as terms" peer same_terms $f "$P.mix/$f"
    return $CASE_BAD
}

# provider_check REL EXPR...: each EXPR (Erlang, over P = the provider map of
# elixir's config_provider_init, K = the kernel config) holds for relman's
# sys.config of REL; the ones that do not are printed.
provider_check() {
    local rel=$1 e list=""
    shift
    for e in "$@"; do list="$list{<<\"$(printf '%s' "$e" | sed 's/"/\\"/g')\">>, ($e)},"; done
    erl -noshell -eval "
        {ok, [C]} = file:consult(\"_build/dev/rel/$rel/$V0/sys.config\"),
        P = proplists:get_value(config_provider_init, proplists:get_value(elixir, C, []), #{}),
        K = proplists:get_value(kernel, C),
        Bad = [D || {D, V} <- [${list%,}], V =/= true],
        [io:format(\"  does not hold: ~s~n\", [D]) || D <- Bad],
        Bad =/= [] andalso io:format(\"  provider: ~p~n  kernel: ~p~n\", [P, K]),
        halt(length(Bad))."
}

# writes the given sys_config with config providers
case_R48() {
    shared providers setup_providers || return 1
    local f=_build/dev/rel/p1/$V0/sys.config
    want "RUNTIME_CONFIG=true" has $f "%% RUNTIME_CONFIG=true"
    want "a Config.Provider, no pruning, distribution started after the reboot, not during config" \
        provider_check p1 "maps:get('__struct__', P, none) =:= 'Elixir.Config.Provider'" \
        "maps:get(prune_runtime_sys_config_after_boot, P, x) =:= false" \
        "maps:get(extra_config, P, x) =:= [{kernel,[{start_distribution,true}]}]" \
        "K =:= [{key,value},{start_distribution,false}]"
    want "equals mix's as terms" peer same_terms $f "$P.mix/$f"
    return $CASE_BAD
}

# writes the given sys_config without distribution and with pruning
case_R49() {
    shared providers setup_providers || return 1
    local f=_build/dev/rel/p2/$V0/sys.config
    want "RUNTIME_CONFIG=true" has $f "%% RUNTIME_CONFIG=true"
    want "a Config.Provider, reboot, pruning, no extra config, kernel config as written" \
        provider_check p2 "maps:get('__struct__', P, none) =:= 'Elixir.Config.Provider'" \
        "maps:get(reboot_system_after_config, P, x) =:= true" \
        "maps:get(prune_runtime_sys_config_after_boot, P, x) =:= true" \
        "maps:get(extra_config, P, x) =:= []" "K =:= [{key,value}]"
    want "equals mix's as terms" peer same_terms $f "$P.mix/$f"
    return $CASE_BAD
}

# writes the given sys_config without reboot
case_R50() {
    shared providers setup_providers || return 1
    local f=_build/dev/rel/p3/$V0/sys.config
    want "RUNTIME_CONFIG=false" has $f "%% RUNTIME_CONFIG=false"
    want "a Config.Provider, no reboot, no extra config, kernel config as written" \
        provider_check p3 "maps:get('__struct__', P, none) =:= 'Elixir.Config.Provider'" \
        "maps:get(reboot_system_after_config, P, x) =:= false" \
        "maps:get(extra_config, P, x) =:= []" "K =:= [{key,value}]"
    want "equals mix's as terms" peer same_terms $f "$P.mix/$f"
    return $CASE_BAD
}

# errors on bad config (a pid; a struct holding a pid)
case_R51() {
    project relpeer
    want "import" import || return 1
    cp -p config/config.exs config.orig
    local bad i=0
    for bad in 'config :relpeer, bad: self()' 'config :relpeer, env: %{__ENV__ | lexical_tracker: self()}'; do
        i=$((i + 1))
        cp -p config.orig config/config.exs
        printf '%s\n' "$bad" >>config/config.exs
        wantnot "'$bad' refused" asm
        cp asm.out bad$i.out
        want "one line naming the configuration" eval "[ \$(wc -l <bad$i.out) -eq 1 ] && grep -qE 'config' bad$i.out"
        wantnot "nothing assembled" test -e _build/dev/rel/relpeer/releases
    done
    return $CASE_BAD
}

# ---- copy_erts/1 ----

# copies to directory (and again from that copy, without src)
case_R52() {
    project relpeer
    mix_opts "releases: [demo: [], new_demo: [include_erts: \"_build/dev/rel/demo/erts-$ERTS_VSN\"]]"
    want "import" import || return 1
    want "assemble demo" asm demo || return 1
    local e=_build/dev/rel/demo/erts-$ERTS_VSN
    want "erts copied" test -d $e
    want "bin/erl mode 755" test "$(stat -c %a $e/bin/erl)" = 755
    want "bin/erl finds its root from its own place (ERL_ROOTDIR overrides)" has $e/bin/erl ERL_ROOTDIR
    want "bin/erl runs relocated" test "$($e/bin/erl -boot "$OTP_ROOT/bin/start_clean" -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')" = "$P/_build/dev/rel/demo"
    wantnot "no bin/erl.ini" test -e $e/bin/erl.ini
    wantnot "no doc" test -e $e/doc
    rm -rf $e/src
    want "assemble new_demo from that copy" asm new_demo || cat asm.out
    want "erts copied again" test -x _build/dev/rel/new_demo/erts-$ERTS_VSN/bin/beam.smp
    return $CASE_BAD
}

# does not copy when include_erts is false
case_R53() {
    shared eex setup_eex || return 1
    wantnot "no erts directory" test -e _build/dev/rel/noerts/erts-$ERTS_VSN
    return $CASE_BAD
}

# ---- copy_ebin/3 ----

size() { stat -c %s "$1"; }

# copies and strips beams
case_R54() {
    shared eex setup_eex || return 1
    local src=_build/dev/lib/relpeer/ebin dst=_build/dev/rel/demo/lib/relpeer-0.1.0/ebin
    want ".app copied as is" test "$(size $src/relpeer.app)" = "$(size $dst/relpeer.app)"
    want "BEAM stripped (smaller)" test "$(size $src/Elixir.Relpeer.beam)" -gt "$(size $dst/Elixir.Relpeer.beam)"
    return $CASE_BAD
}

# copies without stripping beams
case_R55() {
    shared eex setup_eex || return 1
    local src=_build/dev/lib/relpeer/ebin dst=_build/dev/rel/raw/lib/relpeer-0.1.0/ebin
    want ".app copied as is" test "$(size $src/relpeer.app)" = "$(size $dst/relpeer.app)"
    want "BEAM copied as is" cmp $src/Elixir.Relpeer.beam $dst/Elixir.Relpeer.beam
    return $CASE_BAD
}

# preserves file mode
case_R57() {
    project relpeer
    touch _build/dev/lib/relpeer/ebin/libtest_nif.so
    chmod 755 _build/dev/lib/relpeer/ebin/libtest_nif.so
    want "import" import || return 1
    want "assemble" asm || { cat asm.out; return 1; }
    want "mode 755 kept" test "$(stat -c %a _build/dev/rel/relpeer/lib/relpeer-0.1.0/ebin/libtest_nif.so 2>&1)" = 755
    return $CASE_BAD
}

# ---- copy_app/2 ----

EEX_EBIN=$(elixir -e 'IO.write(Application.app_dir(:eex, "ebin"))')

# copies and strips beams
case_R58() {
    shared eex setup_eex || return 1
    local dst=_build/dev/rel/demo/lib/eex-$ELIXIR_VSN/ebin
    want "eex.app copied as is" test "$(size $EEX_EBIN/eex.app)" = "$(size $dst/eex.app)"
    want "Elixir.EEx.beam stripped" test "$(size $EEX_EBIN/Elixir.EEx.beam)" -gt "$(size $dst/Elixir.EEx.beam)"
    return $CASE_BAD
}

# copies without stripping beams
case_R59() {
    shared eex setup_eex || return 1
    local dst=_build/dev/rel/raw/lib/eex-$ELIXIR_VSN/ebin
    want "eex.app copied as is" test "$(size $EEX_EBIN/eex.app)" = "$(size $dst/eex.app)"
    want "Elixir.EEx.beam as is" cmp $EEX_EBIN/Elixir.EEx.beam $dst/Elixir.EEx.beam
    return $CASE_BAD
}

# copies OTP apps
case_R60() {
    shared eex setup_eex || return 1
    local rt
    rt=$(basename "$(ls -d "$OTP_ROOT"/lib/runtime_tools-*)")
    want "$rt/ebin" test -d _build/dev/rel/demo/lib/$rt/ebin
    want "$rt/priv" test -d _build/dev/rel/demo/lib/$rt/priv
    return $CASE_BAD
}

# does not copy OTP app if include_erts is false
case_R61() {
    shared eex setup_eex || return 1
    wantnot "no runtime_tools copied" eval "ls -d _build/dev/rel/noerts/lib/runtime_tools-* 2>/dev/null | grep -q ."
    return $CASE_BAD
}

# ---- strip_beam/1 ----

# excludes at least docs and dbgi chunks
case_R62() {
    shared eex setup_eex || return 1
    peer chunks _build/dev/rel/demo/lib/eex-$ELIXIR_VSN/ebin/Elixir.EEx.beam Dbgi Docs >chunks.out 2>&1
    want "no Dbgi" has chunks.out "Dbgi no"
    want "no Docs" has chunks.out "Docs no"
    return $CASE_BAD
}

setup_strip() {
    project relpeer
    mix_opts 'releases: [k: [strip_beams: [keep: ["Docs", "Dbgi"]], applications: [eex: :permanent]], c: [strip_beams: [compress: false], applications: [eex: :permanent]]]'
    import && asm k && asm c
}

# can keep docs and debug info, if requested
case_R63() {
    shared strip setup_strip || return 1
    peer chunks _build/dev/rel/k/lib/eex-$ELIXIR_VSN/ebin/Elixir.EEx.beam Dbgi Docs >chunks.out 2>&1
    want "Dbgi kept" has chunks.out "Dbgi yes"
    want "Docs kept" has chunks.out "Docs yes"
    return $CASE_BAD
}

# strip beams without compression
case_R64() {
    shared strip setup_strip || return 1
    want "an uncompressed BEAM (FOR1)" test "$(head -c 4 _build/dev/rel/c/lib/eex-$ELIXIR_VSN/ebin/Elixir.EEx.beam)" = FOR1
    return $CASE_BAD
}

# ---- included applications ----

# are included in the release
case_R65() {
    shared modes setup_modes || return 1
    mode_is inc1 "runtime_tools load"
    mode_is inc2 "runtime_tools none"
    return $CASE_BAD
}

# raise on conflict
case_R66() {
    shared modes setup_modes || return 1
    wantnot "refused" modes conflict
    problems conflict >p.out
    want "runtime_tools both a dependency and included" has_re p.out "^error.*runtime_tools.*(both|included)"
    return $CASE_BAD
}

# ---- optional applications ----

# are ignored if not available
case_R67() {
    shared modes setup_modes || return 1
    want "resolves" modes opt
    wantnot "the missing optional application is left out" grep -q "^unknown_opt " modes.opt
    return $CASE_BAD
}
