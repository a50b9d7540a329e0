"""The shared fixture of the relx suite harness: one rebar3 umbrella project.

relx's suites build their releases from a directory of hand-made applications
(goal_app_1 needs non_goal_1, which includes lib_dep_1, ...).  Here the same
applications are the apps/ of one rebar3 project, compiled once by rebar3; each
case copies the compiled project (cp -a keeps rebar3's relative symlinks, so no
case compiles again), writes its own rebar.config and files, and runs
`rebar3 release` and relman on its copy.

Applications that the suites add from other directories (a second version of
goal_app_1, a newer non_goal_1, the "override" application) are built here as
ready application directories (ebin/NAME.app + compiled module) that a case
copies into extra/ and names in relx's lib_dirs.
"""

import os
import shutil
import subprocess

# name -> (applications besides kernel/stdlib, included_applications,
#          optional_applications); all at version 0.0.1
APPS = {
    "goal_app_1": (["non_goal_1"], [], []),
    "lib_dep_1": ([], [], []),
    "goal_app_2": (["goal_app_1", "non_goal_2"], [], []),
    "non_goal_1": ([], ["lib_dep_1"], []),
    "non_goal_2": ([], [], []),
    "non_goal_3": (["non_goal_2"], [], []),
    "non_goal_6": (["non_existant_goal"], [], []),
    "goal_app_3": (["goal_app_1", "non_goal_2"], [], ["non_goal_3"]),
    "goal_app_4": (["goal_app_1", "non_goal_2"], [], ["non_existant_goal"]),
    "goal_app_5": (["non_goal_6"], [], ["non_existant_goal"]),
    "goal_app_6": (["non_existant_goal", "goal_app_5"], [], []),
}

# applications outside the project: key -> (name, version, deps, included)
EXTRA = {
    "goal_app_1-0.0.2": ("goal_app_1", "0.0.2", ["non_goal_1"], []),
    "non_goal_1-0.0.3": ("non_goal_1", "0.0.3", [], ["lib_dep_1"]),
    "override_app-3.14.15": ("override_app", "3.14.15", [], []),
}

MODULE_PREFIX = "a_real_beam"  # one module per application, as in the suites


def app_term(name, vsn, deps, incl, opt, modules):
    """The application resource term, keys in the order relx's suites use."""
    def atoms(xs):
        return "[" + ",".join(xs) + "]"
    return ("{application,%s,\n [{description,\"%s, a relx suite fixture\"},\n"
            "  {vsn,\"%s\"},\n  {modules,%s},\n  {included_applications,%s},\n"
            "  {optional_applications,%s},\n  {registered,[]},\n"
            "  {applications,%s}]}.\n"
            % (name, name, vsn, atoms(modules), atoms(incl), atoms(opt),
               atoms(["kernel", "stdlib"] + deps)))


def write(path, text, mode=None):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)


def module_src(name):
    return "-module(%s%s).\n-export([which/0]).\nwhich() -> %s.\n" % (MODULE_PREFIX, name, name)


def write_app_sources(appdir, name, vsn, deps, incl, opt, modules):
    write(os.path.join(appdir, "src", MODULE_PREFIX + name + ".erl"), module_src(name))
    write(os.path.join(appdir, "priv", "subdir", "foo.txt"), "contents of %s's priv file\n" % name)
    return app_term(name, vsn, deps, incl, opt, modules)


def build(work, log):
    """Write and compile the shared project under WORK; returns its paths."""
    base = os.path.join(work, "base")
    extra = os.path.join(work, "extra")
    for name, (deps, incl, opt) in APPS.items():
        d = os.path.join(base, "apps", name)
        term = write_app_sources(d, name, "0.0.1", deps, incl, opt, [])
        write(os.path.join(d, "src", name + ".app.src"), term)
    write(os.path.join(base, "rebar.config"), "{erl_opts, [debug_info]}.\n")
    write(os.path.join(base, ".gitignore"), "_build/\n")
    run(["rebar3", "compile"], base, log)

    srcs = []
    for key, (name, vsn, deps, incl) in EXTRA.items():
        d = os.path.join(extra, key)
        mod = MODULE_PREFIX + name
        write(os.path.join(d, "ebin", name + ".app"),
              write_app_sources(d, name, vsn, deps, incl, [], [mod]))
        srcs.append((d, os.path.join(d, "src", mod + ".erl")))
    for d, src in srcs:
        run(["erlc", "-o", os.path.join(d, "ebin"), src], d, log)
    return {"base": base, "extra": extra}


def run(argv, cwd, log, env=None, check=True):
    with open(log, "a") as f:
        f.write("$ (cd %s && %s)\n" % (cwd, " ".join(argv)))
        f.flush()
        p = subprocess.run(argv, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, env=env)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (exit %d), see %s" % (" ".join(argv), p.returncode, log))
    return p.returncode


def copy_project(fx, dest):
    """A case's own copy of the compiled project, with rebar3's symlinks."""
    subprocess.run(["cp", "-a", fx["base"], dest], check=True)


def add_extra(fx, case_dir, sub, key):
    """Put the ready application KEY under CASE_DIR/extra/SUB (a lib_dirs entry)."""
    dest = os.path.join(case_dir, "extra", sub, key)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copytree(os.path.join(fx["extra"], key), dest, symlinks=True)
    return dest
