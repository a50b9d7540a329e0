"""The scenarios of relx 4.7's rlx_release_SUITE and rlx_tar_SUITE, as rebar3
projects.

Each case names the suite case it rebuilds (SUITE:CASE), the relx section of
its rebar.config (Erlang text; @ERTS@ stands for the installed ERTS version),
the files it writes into its project, and what the suite asserts, as checks
(checks.py) that hold on the reference (`rebar3 release` / `rebar3 tar`) and
must hold on relman's release.  Beyond these, the harness compares every
release it builds with the reference (driver.py).

The suites build from a directory of hand-made applications; here they are
the project's apps/ (fixture.py).  The relx text is this harness's own, with
the options the suite case sets; paths are relative to the project root, the
suites' root_dir.
"""

from checks import (ANY, absent, contains, erts_is_installed, exists, extended_script, has_specs, lacks_app,
                    links_to, mode_has, not_symlinks, project_file_is, specs_exactly,
                    symlinks, tar_has, tar_lacks, values, vsn_like)

RS = "rlx_release_SUITE"
TS = "rlx_tar_SUITE"

KERNEL = ("kernel", ANY, "permanent")
STDLIB = ("stdlib", ANY, "permanent")
# what a release of goal_app_1 and goal_app_2 holds, in every case that has them
BOTH_GOALS = has_specs(KERNEL, STDLIB, ("non_goal_1", "0.0.1", "permanent"),
                       ("non_goal_2", "0.0.1", "permanent"),
                       ("goal_app_1", "0.0.1", "permanent"),
                       ("goal_app_2", "0.0.1", "permanent"),
                       ("lib_dep_1", "0.0.1", "load"))
FOO = '{release, {foo, "0.0.1"}, [goal_app_1, goal_app_2]}'
DEV_LIBS = ("lib/non_goal_1-0.0.1", "lib/non_goal_2-0.0.1", "lib/goal_app_1-0.0.1",
            "lib/goal_app_2-0.0.1", "lib/lib_dep_1-0.0.1")

SYS_CONFIG = '[{goal_app_1, [{this_is_a_test, "yup it is"}]}].\n'

# The overlay template: one {Key, Value} term per variable the suites read.
TEMPLATE = """%% written by the relx suite harness; each line renders one variable
{erts_vsn, "{{erts_vsn}}"}.
{release_erts_version, "{{release_erts_version}}"}.
{release_name, {{release_name}}}.
{release_version, "{{release_version}}"}.
{config_file, "{{ config_file }}"}.
{yahoo, "{{yahoo}}"}.
{yahoo4, "{{yahoo4}}"}.
{foo_dir, "{{foo_dir}}"}.
{foo_yahoo, "{{foo_yahoo}}"}.
{google, "{{google}}"}.
{prop1, "{{prop1}}"}.
{prop2, {{prop2}}}.
{tpl_var, "{{tpl_var}}"}.
{api_caller_var, "{{api_caller_var}}"}.
"""

CASES = []

# overlay entries both overlay cases have
MKDIR_FOOO = '{mkdir, "{{target_dir}}/fooo"}'
COPY_VARS1 = '{copy, "vars1.config", "{{target_dir}}/{{foo_dir}}/vars1.config"}'
COPY_TEST_DIR = '{copy, "first_test_dir", "{{target_dir}}/second_test_dir/"}'
TEMPLATES = ('{template, "test_template", "{{target_dir}}/test_template_resolved"}',
             '{template, "test_template", "bin/{{release_name}}-{{release_version}}"}')


def overlay(*entries):
    return "{overlay, [" + ",\n            ".join(entries) + "]}"


def own_config(tag):
    """A release's own sys.config, marked with TAG."""
    return "[{goal_app_1, [{which_config, %s}]}].\n" % tag



def case(suite, name, relx, **kw):
    """Register a case.  Keywords:
    rel      release to build (default foo)
    files    {path: text} written into the project; (text, mode) for a mode
    extra    [(lib_dir, app_key)] ready applications put under extra/LIB_DIR
    mkdirs   directories made in the project (an empty lib_dirs entry)
    checks   what the suite asserts (checks.py)
    error    the build must fail (both tools); relman's error line must match
             the regular expression error_says (relx's reason, in relman's words)
    tar      `rebar3 tar` / relman's tar step instead of a release
    git      the project is a git repository with a tag (semver versions)
    rounds   a list of {relx, before, checks, error} run one after the other
             in the same project (the relx text and checks default to the
             case's; before(case_dir, fixture) runs first)
    """
    kw.setdefault("rel", "foo")
    kw.setdefault("files", {})
    kw.setdefault("extra", [])
    kw.setdefault("mkdirs", [])
    kw.setdefault("checks", [])
    kw.setdefault("error", False)
    kw.setdefault("error_says", "")
    kw.setdefault("tar", False)
    kw.setdefault("git", False)
    rounds = kw.pop("rounds", None) or [{}]
    for r in rounds:
        r.setdefault("relx", relx)
        r.setdefault("checks", kw["checks"])
        r.setdefault("error", kw["error"])
        r.setdefault("before", None)
    CASES.append(dict(kw, id="%s:%s" % (suite, name), suite=suite, name=name, rounds=rounds))


# ---- rlx_release_SUITE, regular mode ----

case(RS, "make_release",
     '{release, {foo, "0.0.1"}, [goal_app_1, goal_app_2]},\n'
     ' {release, {foo, "0.0.2"}, [goal_app_1, goal_app_2]}',
     checks=[BOTH_GOALS, exists("releases/0.0.2/foo.rel")])

case(RS, "make_config_release",
     '{release, {foo, "0.0.1"}, [goal_app_1, goal_app_2], [{sys_config, "config/one.config"}]},\n'
     ' {release, {foo, "0.0.2"}, [{goal_app_1, "0.0.2"}, goal_app_2],\n'
     '  [{sys_config, "config/two.config"}]},\n'
     ' {lib_dirs, ["extra/other"]}',
     extra=[("other", "goal_app_1-0.0.2")],
     files={"config/one.config": own_config("config1"), "config/two.config": own_config("config2")},
     checks=[has_specs(KERNEL, STDLIB, ("non_goal_1", "0.0.1", "permanent"),
                       ("non_goal_2", "0.0.1", "permanent"), ("goal_app_1", "0.0.2", "permanent"),
                       ("goal_app_2", "0.0.1", "permanent"), ("lib_dep_1", "0.0.1", "load")),
             exists("releases/0.0.2/foo.rel"), contains("releases/0.0.2/sys.config", "config2")])

case(RS, "make_release_semver", '{release, {foo, semver}, [goal_app_1, goal_app_2]}',
     git=True, checks=[BOTH_GOALS, vsn_like(r"[0-9.]+(\+build\.\d+\.ref[a-f0-9]+)?")])

case(RS, "overlay_release",
     '{overlay_vars, ["vars1.config", "vars2.config"]},\n'
     ' {overlay_vars_values, [{api_caller_var, "api-caller-var"},\n'
     '                        {release_name, "release-var-conflict"},\n'
     '                        {yahoo, "overlays-file-conflict"}]},\n'
     ' ' + overlay(MKDIR_FOOO, '{mkdir, "{{target_dir}}/{{var_list_dir}}"}',
                   '{copy, "{{goal_app_1}}/priv/subdir/foo.txt", "{{target_dir}}/{{foo_dir}}/test_app_overlay"}',
                   COPY_VARS1, '{copy, "vars1*.config", "{{target_dir}}/{{yahoo}}/"}',
                   '{link, "vars4.config", "{{target_dir}}/{{yahoo}}/vars4.config"}',
                   COPY_TEST_DIR, *TEMPLATES, '{copy, "{{erts_dir}}/bin/erl", "bin/copy.erl"}')
     + ',\n ' + FOO,
     files={
         # the suite gives var_list_dir inline in overlay_vars, which the relx
         # of rebar3 3.19 cannot read (badarg in rlx_overlay:merge_overlay_vars/3):
         # here it comes from vars1.config
         "vars1.config": '{yahoo, "yahoo"}.\n{yahoo2, [{foo, "bar"}]}.\n{foo_yahoo, "foo_{{yahoo}}"}.\n'
                         '{foo_dir, "foodir"}.\n{prop2, 1}.\n{tpl_var, "defined in vars1"}.\n'
                         '{api_caller_var, "{{api_caller_var}}"}.\n'
                         '{var_list_dir, "non-file-variable-list"}.\n',
         # a later file of the list wins: prop2 ends as vars4's 2, not vars3's 3
         "vars2.config": '{google, "yahoo"}.\n{yahoo2, "foo"}.\n{tpl_arg, "a template value"}.\n'
                         '{tpl_var, "Redefined in vars2 with {{tpl_arg}}"}.\n'
                         '"vars3.config".\n"vars4.config".\n',
         "vars3.config": '{google, "yahoo"}.\n{prop2, 3}.\n{yahoo4, "{{yahoo}}/{{yahoo2}}4"}.\n',
         "vars4.config": '{prop1, "val1"}.\n{prop2, 2}.\n',
         "first_test_dir/test_file": TEMPLATE,
         "test_template": (TEMPLATE, 0o777),
     },
     checks=[BOTH_GOALS,
             exists("non-file-variable-list", "fooo", "foodir/vars1.config",
                    "foodir/test_app_overlay", "yahoo/vars1.config",
                    "second_test_dir/first_test_dir/test_file", "bin/copy.erl"),
             mode_has("test_template_resolved", 0o777, exact=True),
             values("test_template_resolved",
                    {"erts_vsn": '"{erts}"', "release_erts_version": '"{erts}"',
                     "release_version": '"0.0.1"', "release_name": "foo",
                     "yahoo4": '"yahoo/foo4"', "foo_yahoo": '"foo_yahoo"', "google": '"yahoo"',
                     "prop1": '"val1"', "prop2": "2",
                     "tpl_var": '"Redefined in vars2 with a template value"',
                     "api_caller_var": '"api-caller-var"'},
                    differ={"config_file": '"state-var-conflict"',
                            "yahoo": '"overlays-file-conflict"'})])

WILD = ' {lib_dirs, ["_build/default/lib/*"]}'  # the suites' wildcard lib_dirs entry

case(RS, "make_extend_release",
     FOO + ',\n {release, {foo_test, "0.0.1", {extend, foo}}, [goal_app_2]},\n' + WILD,
     rel="foo_test", checks=[BOTH_GOALS])

case(RS, "make_extend_release_versioned",
     '{release, {foo, "0.0.2"}, [goal_app_1, goal_app_2]},\n'
     ' {release, {foo_test, "0.0.3", {extend, {foo, "0.0.2"}}}, [goal_app_2]},\n' + WILD,
     rel="foo_test", checks=[BOTH_GOALS, exists("releases/0.0.3/foo_test.rel")])

case(RS, "make_extend_config_release",
     FOO + ',\n {release, {foo_test, "0.0.1", {extend, foo}}, [goal_app_2],\n'
     '  [{sys_config, "config/test.config"}]},\n' + WILD,
     rel="foo_test", files={"config/test.config": own_config("config")},
     checks=[BOTH_GOALS, contains("releases/0.0.1/sys.config", "config")])

case(RS, "make_scriptless_release",
     '{generate_start_script, false},\n ' + FOO + ',\n {include_start_scripts_for, [unix]}',
     checks=[BOTH_GOALS, absent("bin/foo", "bin/foo-0.0.1", "bin/psutil.ps1")])

case(RS, "make_app_type_none_release",
     '{release, {foo, "0.0.1"}, [goal_app_1, {goal_app_2, none}]}',
     checks=[has_specs(KERNEL, STDLIB, ("non_goal_1", "0.0.1", "permanent"),
                       ("non_goal_2", "0.0.1", "permanent"), ("goal_app_1", "0.0.1", "permanent"),
                       ("goal_app_2", "0.0.1", "none"), ("lib_dep_1", "0.0.1", "load"))])

case(RS, "include_powershell", FOO + ',\n {include_start_scripts_for, [powershell]}',
     checks=[absent("bin/foo", "bin/foo-0.0.1"),
             exists("bin/foo.ps1", "bin/foo-0.0.1.ps1", "bin/psutil.ps1")])

case(RS, "include_unix_powershell_win32",
     FOO + ',\n {include_start_scripts_for, [powershell, unix, win32]}',
     checks=[exists("bin/foo", "bin/foo-0.0.1", "bin/foo.cmd", "bin/foo-0.0.1.cmd",
                    "bin/foo.ps1", "bin/foo-0.0.1.ps1", "bin/psutil.ps1")])

FOUR_CONFIGS = {"config/sys.config": SYS_CONFIG, "config/sys.config.src": SYS_CONFIG,
                "config/vm.args": "", "config/vm.args.src": ""}

case(RS, "make_release_with_default_sys_config_vm_args_src", '{dev_mode, false},\n ' + FOO,
     files=FOUR_CONFIGS,
     checks=[exists("releases/0.0.1/sys.config.src", "releases/0.0.1/vm.args.src"),
             absent("releases/0.0.1/sys.config", "releases/0.0.1/vm.args")])

case(RS, "make_release_with_default_sys_config_vm_args", '{mode, prod},\n ' + FOO,
     files={"config/sys.config": SYS_CONFIG, "config/vm.args": ""},
     checks=[exists("releases/0.0.1/sys.config", "releases/0.0.1/vm.args")])

ERTS_GOAL1 = '{release, {foo, "0.0.1"}, {erts, "@ERTS@"}, [goal_app_1]}'
USAGE = extended_script("foreground", "console", "remote_console", "ping", "stop", "eval", "rpc")

case(RS, "make_not_included_nodetool_release",
     ERTS_GOAL1 + ',\n {extended_start_script, true},\n {include_nodetool, false}',
     checks=[has_specs(KERNEL, STDLIB), erts_is_installed(), USAGE])

case(RS, "make_src_release",
     FOO.replace("goal_app_1, goal_app_2", "goal_app_1") +
     ',\n {extended_start_script, true},\n {include_erts, true},\n {include_src, true}',
     checks=[has_specs(KERNEL, STDLIB), exists("erts-{erts}/bin", "lib/goal_app_1-0.0.1/src")])

case(RS, "make_excluded_src_release",
     FOO.replace("goal_app_1, goal_app_2", "goal_app_1") +
     ',\n {extended_start_script, true},\n {include_erts, true},\n {include_src, false}',
     checks=[has_specs(KERNEL, STDLIB), exists("erts-{erts}/bin"),
             absent("erts-{erts}/src", "lib/goal_app_1-0.0.1/src")])

case(RS, "make_exclude_modules_release",
     '{release, {foo, "0.0.1"}, [goal_app_1]},\n'
     ' {exclude_modules, [{non_goal_1, [a_real_beamnon_goal_1]}]}',
     checks=[has_specs(KERNEL, STDLIB, ("goal_app_1", "0.0.1", "permanent")),
             absent("lib/non_goal_1-0.0.1/ebin/a_real_beamnon_goal_1.beam"),
             values("lib/non_goal_1-0.0.1/ebin/non_goal_1.app", {"modules": "[]"})])

case(RS, "make_release_with_sys_config_vm_args_src",
     '{dev_mode, true},\n {sys_config_src, "config/sys.config.src"},\n'
     ' {vm_args_src, "config/vm.args.src"},\n ' + FOO,
     files=FOUR_CONFIGS,
     checks=[symlinks(*DEV_LIBS),
             symlinks("releases/0.0.1/sys.config.src", "releases/0.0.1/vm.args.src"),
             absent("releases/0.0.1/sys.config")])

case(RS, "make_exclude_app_release",
     '{release, {foo, "0.0.1"}, [goal_app_1]},\n {exclude_apps, [non_goal_1]}',
     checks=[has_specs(KERNEL, STDLIB, ("goal_app_1", "0.0.1", "permanent")),
             lacks_app("non_goal_1")])

case(RS, "make_overridden_release",
     '{release, {foo, "0.0.1"}, [goal_app_1, override_app, goal_app_2]},\n'
     ' {dev_mode, true},\n {lib_dirs, ["extra/override"]}',
     extra=[("override", "override_app-3.14.15")],
     checks=[BOTH_GOALS, has_specs(("override_app", "3.14.15", "permanent")),
             links_to("lib/override_app-3.14.15", "extra/override/override_app-3.14.15")])

case(RS, "make_goalless_release", '{release, {foo, "0.0.1"}, []}', error=True,
     error_says=r"release foo.*no (applications|goals)")

case(RS, "make_one_app_top_level_release", '{release, {foo, "0.0.1"}, [{non_goal_2, "0.0.1"}]}',
     checks=[has_specs(KERNEL, STDLIB, ("non_goal_2", "0.0.1", "permanent"))])


def _newer_non_goal_1(case_dir, fx):
    import fixture
    fixture.add_extra(fx, case_dir, "twice", "non_goal_1-0.0.3")


NEWER = has_specs(KERNEL, STDLIB, ("non_goal_1", "0.0.3", "permanent"),
                  ("non_goal_2", "0.0.1", "permanent"), ("goal_app_1", "0.0.1", "permanent"),
                  ("goal_app_2", "0.0.1", "permanent"), ("lib_dep_1", "0.0.1", "load"))

case(RS, "make_release_twice", FOO + ',\n {lib_dirs, ["extra/twice"]}',
     mkdirs=["extra/twice"],
     rounds=[{"checks": [BOTH_GOALS]},
             {"before": _newer_non_goal_1, "checks": [NEWER]}])

case(RS, "make_erts_release", ERTS_GOAL1,
     checks=[has_specs(KERNEL, STDLIB), erts_is_installed()])

case(RS, "make_erts_config_release",
     '{release, {foo, "0.0.1"}, {erts, "@ERTS@"}, [goal_app_1], [{sys_config, "config/erts.config"}]}',
     files={"config/erts.config": own_config("config")},
     checks=[has_specs(KERNEL, STDLIB), erts_is_installed(),
             contains("releases/0.0.1/sys.config", "config")])

case(RS, "make_included_nodetool_release",
     ERTS_GOAL1 + ',\n {extended_start_script, true},\n {include_nodetool, true}',
     checks=[has_specs(KERNEL, STDLIB), erts_is_installed(), USAGE])

case(RS, "make_release_goal_reorder", '{release, {reordered_foo, "0.0.1"}, [goal_app_2, goal_app_1]}',
     rel="reordered_foo",
     checks=[specs_exactly(KERNEL, STDLIB, ("lib_dep_1", "0.0.1", "load"),
                           ("non_goal_1", "0.0.1", "permanent"),
                           ("goal_app_1", "0.0.1", "permanent"),
                           ("non_goal_2", "0.0.1", "permanent"),
                           ("goal_app_2", "0.0.1", "permanent"))])

case(RS, "make_release_keep_goal_order", '{release, {ordered_foo, "0.0.1"}, [non_goal_2, lib_dep_1]}',
     rel="ordered_foo",
     checks=[specs_exactly(KERNEL, STDLIB, ("non_goal_2", "0.0.1", "permanent"),
                           ("lib_dep_1", "0.0.1", "permanent"))])

OPTIONAL = specs_exactly(KERNEL, STDLIB, ("lib_dep_1", "0.0.1", "load"),
                         ("non_goal_1", "0.0.1", "permanent"), ("goal_app_1", "0.0.1", "permanent"),
                         ("non_goal_2", "0.0.1", "permanent"), ("non_goal_3", "0.0.1", "permanent"),
                         ("goal_app_3", "0.0.1", "permanent"))

case(RS, "optional_application", '{release, {optional_foo, "0.0.1"}, [goal_app_3]}',
     rel="optional_foo", checks=[OPTIONAL])

case(RS, "missing_optional_application",
     '{release, {missing_optional_foo, "0.0.1"}, [goal_app_4]}', rel="missing_optional_foo",
     checks=[specs_exactly(KERNEL, STDLIB, ("lib_dep_1", "0.0.1", "load"),
                           ("non_goal_1", "0.0.1", "permanent"),
                           ("goal_app_1", "0.0.1", "permanent"),
                           ("non_goal_2", "0.0.1", "permanent"),
                           ("goal_app_4", "0.0.1", "permanent"))])

# an application optional to the goal but required by one of its deps (goal_app_5),
# or required by the goal and optional to a dep (goal_app_6): both builds fail
case(RS, "missing_duplicated_optional_application",
     '{release, {missing_optional_foo, "0.0.1"}, [goal_app_5]}', rel="missing_optional_foo",
     error=True, error_says=r"'non_existant_goal' was not found",
     rounds=[{}, {"relx": '{release, {missing_optional_foo, "0.0.1"}, [goal_app_6]}'}])

case(RS, "duplicated_optional_applications",
     '{release, {duplicated_optional_foo, "0.0.1"}, [goal_app_3]}',
     rel="duplicated_optional_foo", checks=[OPTIONAL])

case(RS, "excluded_optional_applications",
     '{release, {excluded_optional_foo, "0.0.1"}, [goal_app_3]},\n {exclude_apps, [non_goal_2]}',
     rel="excluded_optional_foo",
     checks=[specs_exactly(KERNEL, STDLIB, ("lib_dep_1", "0.0.1", "load"),
                           ("non_goal_1", "0.0.1", "permanent"),
                           ("goal_app_1", "0.0.1", "permanent"),
                           ("non_goal_3", "0.0.1", "permanent"),
                           ("goal_app_3", "0.0.1", "permanent"))])

# ---- rlx_release_SUITE, dev / prod / minimal mode ----

TEMPLATED_SYS = ('[{goal_app_1, [{this_is_a_test, "yup it is"},\n'
                 '               {this_is_an_overlay_var, "{{var1}}"}]}].\n')
case(RS, "make_dev_mode_template_release",
     '{dev_mode, true},\n {mode, dev},\n {sys_config, "config/sys.config"},\n'
     ' {vm_args, "config/vm.args"},\n {overlay_vars, ["config/vars1.config"]},\n'
     ' {overlay, [{template, "config/sys.config", "releases/{{release_version}}/sys.config"},\n'
     '            {template, "config/vm.args", "releases/{{release_version}}/vm.args"}]},\n '
     + FOO,
     files={"config/sys.config": TEMPLATED_SYS, "config/vm.args": "-sname {{nodename}}",
            "config/vars1.config": '{var1, "indeed it is"}.\n{nodename, "testnode"}.\n'},
     checks=[symlinks(*DEV_LIBS),
             not_symlinks("releases/0.0.1/sys.config", "releases/0.0.1/vm.args"),
             project_file_is("config/sys.config", TEMPLATED_SYS),
             project_file_is("config/vm.args", "-sname {{nodename}}")])

DEV_CONFIGS = {"config/sys.config": SYS_CONFIG, "config/vm.args": ""}
SYS_VM = ' {sys_config, "config/sys.config"},\n {vm_args, "config/vm.args"},\n '

case(RS, "make_dev_mode_release", '{dev_mode, true},\n' + SYS_VM + FOO, files=DEV_CONFIGS,
     checks=[symlinks(*DEV_LIBS),
             symlinks("releases/0.0.1/sys.config", "releases/0.0.1/vm.args")])

case(RS, "make_release_twice_dev_mode",
     FOO + ',\n {dev_mode, true},\n {lib_dirs, ["extra/twice"]}', mkdirs=["extra/twice"],
     rounds=[{"checks": [BOTH_GOALS]},
             {"before": _newer_non_goal_1, "checks": [NEWER]}])

NOT_LINKED = not_symlinks(*DEV_LIBS + ("releases/0.0.1/sys.config", "releases/0.0.1/vm.args"))

case(RS, "make_prod_mode_release", '{mode, prod},\n {debug_info, keep},\n' + SYS_VM + FOO,
     files=DEV_CONFIGS, checks=[NOT_LINKED])

case(RS, "make_minimal_mode_release", '{mode, minimal},\n {debug_info, keep},\n' + SYS_VM + FOO,
     files=DEV_CONFIGS, checks=[NOT_LINKED])

# ---- rlx_tar_SUITE ----

OTP_EBIN = tar_has(r"^lib/stdlib-[^/]+/ebin/.", r"^lib/kernel-[^/]+/ebin/.")

case(TS, "basic_tar",
     '{release, {foo, "0.0.4"}, [goal_app_1, goal_app_2]},\n'
     ' {sys_config_src, "config/sys.config.src"},\n {vm_args_src, "config/vm.args.src"}',
     tar=True, files={"config/sys.config.src": SYS_CONFIG, "config/vm.args.src": ""},
     checks=[BOTH_GOALS, OTP_EBIN,
             tar_has(r"^releases/0\.0\.4/vm\.args\.src$", r"^releases/0\.0\.4/sys\.config\.src$")])

case(TS, "exclude_erts",
     '{release, {foo, "0.0.3"}, [goal_app_1, goal_app_2]},\n {include_erts, false}',
     tar=True, checks=[BOTH_GOALS, OTP_EBIN, tar_lacks(r"^erts-")])

# Debian's Erlang ships no OTP sources: the project's own src/ is what shows
# include_src here (the suite looks at stdlib's and kernel's)
case(TS, "exclude_src", FOO + ',\n {include_src, false}', tar=True,
     checks=[BOTH_GOALS, tar_lacks(r"^lib/[^/]+/src/")])

case(TS, "include_src", '{release, {foo, "0.0.2"}, [goal_app_1, goal_app_2]},\n {include_src, true}',
     tar=True, checks=[BOTH_GOALS, tar_has(r"^lib/goal_app_1-0\.0\.1/src/a_real_beamgoal_app_1\.erl$")])

case(TS, "overlay_archive",
     '{overlay_vars, ["vars1.config", "vars2.config"]},\n'
     ' ' + overlay(MKDIR_FOOO, COPY_VARS1, '{copy, "vars1.config", "{{target_dir}}/{{yahoo}}/"}',
                   '{link, "vars1.config", "{{target_dir}}/{{yahoo}}/vars.link.config"}',
                   COPY_TEST_DIR,
                   '{copy, "test_script", "{{target_dir}}/second_test_dir/test_script"}',
                   '{chmod, 8#00700, "{{target_dir}}/second_test_dir/test_script"}',
                   '{copy, "test_script2", "{{target_dir}}/second_test_dir/test_script2"}',
                   '{chmod, "{{test_script_perm}}", "{{target_dir}}/second_test_dir/test_script2"}',
                   *TEMPLATES)
     + ',\n ' + FOO,
     tar=True,
     files={
         "vars1.config": '{yahoo, "yahoo"}.\n{yahoo2, [{foo, "bar"}]}.\n{foo_yahoo, "foo_{{yahoo}}"}.\n'
                         '{foo_dir, "foodir"}.\n{test_script_perm, 8#00770}.\n',
         "vars2.config": '{google, "yahoo"}.\n{yahoo2, "foo"}.\n"vars3.config".\n',
         "vars3.config": '{google, "yahoo"}.\n{yahoo4, "{{yahoo}}/{{yahoo2}}4"}.\n',
         "test_script": ('#!/bin/sh\necho "hello world"\n', 0o644),
         "test_script2": ('#!/bin/sh\necho "hello world 2"\n', 0o644),
         "first_test_dir/test_file": TEMPLATE,
         "test_template": (TEMPLATE, 0o777),
     },
     checks=[BOTH_GOALS, OTP_EBIN,
             mode_has("second_test_dir/test_script", 0o700),
             mode_has("second_test_dir/test_script2", 0o770),
             exists("fooo", "foodir/vars1.config", "yahoo/vars1.config",
                    "yahoo/vars.link.config", "second_test_dir/first_test_dir/test_file",
                    "test_template_resolved")])
