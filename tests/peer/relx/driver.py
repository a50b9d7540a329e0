#!/usr/bin/env python3
"""relx's own test scenarios, rebuilt as rebar3 projects, against relman.

For every case of relx 4.7's rlx_release_SUITE and rlx_tar_SUITE (cases.py)
this writes the scenario as a rebar3 project (a copy of one compiled umbrella
project, fixture.py), runs `rebar3 release` (or `rebar3 tar`) there as the
reference, then `relman init --import` and `relman assemble` on the same
project, and compares the two releases:

  - the version built, the .rel and start.script as terms (and that relman's
    start.boot is its start.script), sys.config as terms, sys.config.src,
    vm.args and vm.args.src as text (comments and blank lines aside; relx's
    generated default vm.args is not compared, see docs/compat.md);
  - lib/: the same app-vsn directories holding the same files (or symbolic
    links to the same places, in dev mode), every .app as terms;
  - whether ERTS is included; the tarball's lib/ and releases/ members;
  - what the suite case itself asserts (checks.py), checked on both sides;
  - a case where relx fails must fail in relman too (exit status non-zero, a
    `relman:` line, no release left behind).

expected.txt says what each case should do today: pass, fail (a known failure,
with the reason and the issue point it waits for) or skip.  The run fails on a
case that does other than expected, including a known failure that passes
(so the list is kept true).  `--update` rewrites expected.txt from the run.

Usage: driver.py [--relman PATH] [--jobs N] [--keep] [--update] [--list] [--table FILE] [CASE...]
CASE is a case name or SUITE:CASE, or a part of one; the default is every case.
The last line is `N passed, N failed` (as the ctest script tests end).
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # nothing written into the source tree

import cases  # noqa: E402
import checks  # noqa: E402
import fixture  # noqa: E402

EXPECTED = os.path.join(HERE, "expected.txt")
# files of releases/VSN that only relx writes (docs/compat.md, relx section)
RELX_ONLY = {"no_dot_erlang.boot"}
# top-level entries only one of the two writes (docs/compat.md, relx section)
RELMAN_ONLY = {".relman"}


def load_expected(path):
    exp = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 2 or parts[1] not in ("pass", "fail", "skip"):
                sys.exit("%s:%d: expected 'SUITE:CASE pass|fail|skip [REASON]'" % (path, n))
            if parts[1] != "pass" and len(parts) < 3:
                sys.exit("%s:%d: a %s needs a reason" % (path, n, parts[1]))
            exp[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return exp


class Env:
    """What every case shares: tools, the fixture, the term helper."""

    def __init__(self, relman, work):
        self.relman = relman
        self.work = work
        self.log = os.path.join(work, "fixture.log")
        self.erts = subprocess.run(
            ["erl", "-noshell", "-eval", "io:put_chars(erlang:system_info(version)), halt()."],
            stdout=subprocess.PIPE, check=True).stdout.decode()
        self.beam_dir = os.path.join(work, "ebin")
        os.makedirs(self.beam_dir)
        fixture.run(["erlc", "-o", self.beam_dir, os.path.join(HERE, "relx_peer.erl")], work,
                    self.log)
        self.fx = fixture.build(work, self.log)
        self.env = dict(os.environ, HEX_OFFLINE="1", REBAR_COLOR="none", TERM="dumb")
        self.env.pop("REBAR_PROFILE", None)
        self.env.pop("RELX_REPLACE_OS_VARS", None)

    def terms(self, requests):
        """Run relx_peer with REQUESTS [(id, cmd, args...)]: {id: [answer lines]}."""
        argv = ["erl", "-noshell", "-pa", self.beam_dir, "-run", "relx_peer", "main"]
        for i, req in enumerate(requests):
            if i:
                argv.append("::")
            argv.extend(req)
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=self.env).stdout.decode("utf-8", "replace")
        ans = {}
        for line in out.splitlines():
            rid, _, text = line.partition(" ")
            ans.setdefault(rid, []).append(text)
        return ans


class Build:
    """One side's result for one round."""

    def __init__(self, side, ok, root=None, vsn=None, msg="", tar=None):
        self.side, self.ok, self.root, self.vsn, self.msg, self.tar = side, ok, root, vsn, msg, tar


def last_error(log_path, marker):
    """The last line of LOG_PATH containing MARKER (or the last line)."""
    with open(log_path, errors="replace") as f:
        lines = [ln.rstrip() for ln in f if ln.strip() and not ln.startswith("$ ")]
    hit = [ln for ln in lines if marker in ln]
    return (hit or lines or [""])[-1].strip()[:300]


def release_version(root, name):
    """The version a release directory was built at (releases/start_erl.data)."""
    try:
        with open(os.path.join(root, "releases", "start_erl.data")) as f:
            return f.read().split()[1]
    except (OSError, IndexError):
        vs = [v for v in os.listdir(os.path.join(root, "releases"))
              if os.path.exists(os.path.join(root, "releases", v, name + ".rel"))]
        return sorted(vs)[-1] if vs else None


def tarball(root, name, vsn):
    """NAME-VSN.tar.gz where rebar3 puts it (in the release directory), else
    where relman's default path puts it (_build/PROFILE/)."""
    base = "%s-%s.tar.gz" % (name, vsn)
    for p in (os.path.join(root, base), os.path.join(os.path.dirname(os.path.dirname(root)), base)):
        if os.path.exists(p):
            return p
    return None


def run_rebar3(E, c, proj, dest, log):
    cmd = ["rebar3", "tar" if c["tar"] else "release", "-n", c["rel"]]
    rc = fixture.run(cmd, proj, log, env=E.env, check=False)
    out = os.path.join(proj, "_build", "default", "rel")
    if rc != 0:
        shutil.rmtree(out, ignore_errors=True)
        return Build("rebar3", False, msg=last_error(log, "===>"))
    shutil.move(out, dest)
    root = os.path.join(dest, c["rel"])
    vsn = release_version(root, c["rel"])
    return Build("rebar3", True, root, vsn, tar=tarball(root, c["rel"], vsn) if c["tar"] else None)


def add_tar_step(yml, rel):
    """relman's `rebar3 tar`: the release's steps gain tar (relman.yml edited here,
    as the harness's choice of command, not the project's)."""
    with open(yml) as f:
        lines = f.read().split("\n")
    for i, ln in enumerate(lines):
        if ln.rstrip() == "  %s:" % rel:
            lines.insert(i + 1, "    steps: [assemble, tar]")
            break
    else:
        return False
    with open(yml, "w") as f:
        f.write("\n".join(lines))
    return True


def run_relman(E, c, proj, first, log):
    init = [E.relman, "init", "--import"] + ([] if first else ["--force"])
    if fixture.run(init, proj, log, env=E.env, check=False) != 0:
        return Build("relman", False, msg="init --import: " + last_error(log, "relman:"))
    if c["tar"] and not add_tar_step(os.path.join(proj, "relman.yml"), c["rel"]):
        return Build("relman", False, msg="relman.yml has no release %s" % c["rel"])
    if fixture.run([E.relman, "assemble", c["rel"], "--quiet"], proj, log, env=E.env,
                   check=False) != 0:
        return Build("relman", False, msg="assemble: " + last_error(log, "relman:"))
    root = os.path.join(proj, "_build", "default", "rel", c["rel"])
    if not os.path.isdir(root):
        root = relman_path(E, c["rel"], proj) or root
    if not os.path.isdir(root):
        return Build("relman", False, msg="assemble succeeded but left no %s" % root)
    vsn = release_version(root, c["rel"])
    return Build("relman", True, root, vsn, tar=tarball(root, c["rel"], vsn) if c["tar"] else None)


def relman_path(E, rel, proj):
    """Where relman says it assembles REL (`relman releases --json`)."""
    p = subprocess.run([E.relman, "releases", "--json"], cwd=proj, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, env=E.env)
    try:
        paths = [r["path"] for r in json.loads(p.stdout)["releases"] if r["name"] == rel]
    except (ValueError, KeyError, TypeError):
        return None
    return paths[-1] if paths else None


def listing(top, proj):
    """Relative paths under TOP: files, and symbolic links as 'path -> realpath'
    (PROJ/... when the link leads into the project)."""
    out = set()
    if not os.path.isdir(top):
        return out
    for dirpath, dirs, files in os.walk(top):
        for n in list(dirs) + files:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            if os.path.islink(p):
                real = os.path.realpath(p)
                if real.startswith(proj + os.sep):
                    real = "PROJ" + real[len(proj):]
                out.add("%s -> %s" % (rel, real))
                if n in dirs:
                    dirs.remove(n)
            elif n in files:
                out.add(rel)
    return out


def set_diff(what, ref, mine, limit=int(os.environ.get("RELX_SUITE_SHOW", "4"))):
    only_ref, only_mine = sorted(ref - mine), sorted(mine - ref)
    out = []
    if only_ref:
        out.append("%s: only rebar3's has %s%s" % (what, ", ".join(only_ref[:limit]),
                                                    " (+%d)" % (len(only_ref) - limit)
                                                    if len(only_ref) > limit else ""))
    if only_mine:
        out.append("%s: only relman's has %s%s" % (what, ", ".join(only_mine[:limit]),
                                                    " (+%d)" % (len(only_mine) - limit)
                                                    if len(only_mine) > limit else ""))
    return out


def meaningful_lines(path):
    with open(path, errors="replace") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")]


def tar_members(path):
    if not path:
        return None
    with tarfile.open(path) as t:
        return sorted(m.name[2:] if m.name.startswith("./") else m.name
                      for m in t.getmembers() if not m.isdir())


def compare(E, c, ref, mine, proj):
    """(problems, specs): the differences (strings) between the two releases
    of one round, and relx_peer's answers for the two .rel files (for
    make_view); specs is None when the versions differ."""
    P = []
    if ref.vsn != mine.vsn:
        return ["relman built version %s, rebar3 %s" % (mine.vsn, ref.vsn)], None
    name, vsn = c["rel"], ref.vsn
    rv = lambda root, f: os.path.join(root, "releases", vsn, f)  # noqa: E731
    reqs = [("rel", "same", rv(ref.root, name + ".rel"), rv(mine.root, name + ".rel")),
            ("script", "script", rv(ref.root, "start.script"), rv(mine.root, "start.script")),
            ("boot", "boot", rv(mine.root, "start.boot"), rv(mine.root, "start.script"))]
    if os.path.exists(rv(ref.root, "sys.config")):
        reqs.append(("sys.config", "same", rv(ref.root, "sys.config"), rv(mine.root, "sys.config")))
    for f in ("sys.config.src", "vm.args.src", "vm.args"):
        if f == "vm.args" and not any(k.startswith("config/vm.args") for k in c["files"]):
            continue  # relx's generated default: not compared (docs/compat.md)
        if os.path.exists(rv(ref.root, f)):
            if not os.path.exists(rv(mine.root, f)):
                P.append("releases/%s/%s: rebar3 writes it, relman does not" % (vsn, f))
            elif meaningful_lines(rv(ref.root, f)) != meaningful_lines(rv(mine.root, f)):
                P.append("releases/%s/%s differs from rebar3's" % (vsn, f))
        elif os.path.exists(rv(mine.root, f)) and f.endswith(".src"):
            P.append("releases/%s/%s: relman writes it, rebar3 does not" % (vsn, f))
    lib_ref = listing(os.path.join(ref.root, "lib"), proj)
    lib_mine = listing(os.path.join(mine.root, "lib"), proj)
    P += set_diff("lib/", lib_ref, lib_mine)
    for i, f in enumerate(sorted(x for x in lib_ref & lib_mine if x.endswith(".app"))):
        reqs.append(("app%d" % i, "same", os.path.join(ref.root, "lib", f),
                     os.path.join(mine.root, "lib", f)))
    erts_ref = sorted(e for e in os.listdir(ref.root) if e.startswith("erts-"))
    erts_mine = sorted(e for e in os.listdir(mine.root) if e.startswith("erts-"))
    if erts_ref != erts_mine:
        P.append("ERTS: rebar3's release has %s, relman's %s" % (erts_ref or "none", erts_mine or "none"))
    rel_ref = {f for f in os.listdir(os.path.join(ref.root, "releases", vsn))} - RELX_ONLY
    missing = sorted(rel_ref - set(os.listdir(os.path.join(mine.root, "releases", vsn))))
    if missing:
        P.append("releases/%s: relman's lacks %s" % (vsn, ", ".join(missing)))
    top_ref = set(os.listdir(ref.root)) - {os.path.basename(ref.tar or "")}
    top_mine = set(os.listdir(mine.root)) - RELMAN_ONLY - {os.path.basename(mine.tar or "")}
    P += set_diff("release root", top_ref, top_mine)
    tar_ref, tar_mine = tar_members(ref.tar), tar_members(mine.tar)
    if c["tar"]:
        if tar_mine is None:
            P.append("relman made no tarball %s-%s.tar.gz" % (name, vsn))
        else:
            if os.path.dirname(mine.tar) != mine.root:
                P.append("tarball: relman writes %s, rebar3 %s" % (
                    os.path.relpath(mine.tar, proj), os.path.relpath(
                        os.path.join(proj, "_build", "default", "rel", name,
                                     os.path.basename(ref.tar)), proj)))
            # lib/ as the release's lib/; releases/ as the release's: what
            # rebar3 packs must be there, relman's own files may be added
            def under(ms, top):
                return {m for m in ms if m.startswith(top)
                        and os.path.basename(m) not in RELX_ONLY}
            P += set_diff("tarball", under(tar_ref, "lib/"), under(tar_mine, "lib/"))
            lacks = sorted(under(tar_ref, "releases/") - under(tar_mine, "releases/"))
            if lacks:
                P.append("tarball: relman's lacks %s" % ", ".join(lacks))

    # the .rel entries of both sides, for the checks, in the same VM
    reqs += [("s_ref", "specs", rv(ref.root, name + ".rel")),
             ("s_mine", "specs", rv(mine.root, name + ".rel"))]
    ans = E.terms(reqs)
    specs = {"ref": {"s": ans.get("s_ref", [])}, "mine": {"s": ans.get("s_mine", [])}}
    for q in reqs:
        if q[1] in ("same", "boot", "script"):
            a = ans.get(q[0], ["no answer"])
            if a != ["same"]:
                P.append("%s: %s" % (q[0] if not q[0].startswith("app") else
                                     os.path.relpath(q[2], ref.root), a[0]))
    return P, specs


def make_view(E, b, name, proj, ans=None):
    """checks.View of one side's release; its .rel is read by relx_peer, or
    ANS holds relx_peer's answer to a request "s" for it."""
    if ans is None:
        ans = E.terms([("s", "specs", os.path.join(b.root, "releases", b.vsn, name + ".rel"))]) \
            if b.vsn else {}
    specs, erts = [], None
    for ln in ans.get("s", []):
        f = ln.split()
        if f[0] == "spec":
            specs.append((f[1], f[2], f[3]))
        elif f[0] == "erts":
            erts = f[1]

    def terms_of(path):
        a = E.terms([("t", "consult", path)]).get("t", [])
        if any(x.startswith("error") for x in a):
            return None
        return {x.split(" ", 2)[1]: x.split(" ", 2)[2] for x in a if x.startswith("kv ")}

    return checks.View(b.side, b.root, b.vsn, specs, erts, tar_members(b.tar), proj, terms_of,
                       E.erts)


def check_views(checklist, ref, mine):
    """Run the suite's checks on rebar3's release, then on relman's (None: it
    failed to build): (problems on relman's side, notes)."""
    P, notes = [], []
    for chk in checklist:
        bad_ref = chk(ref)
        if bad_ref:
            notes.append("rebar3 itself: " + "; ".join(bad_ref))
        elif mine is not None:
            P += chk(mine)
    return P, notes


def run_case(E, c):
    """Returns (problems, notes)."""
    cdir = os.path.join(E.work, "cases", c["name"])
    os.makedirs(cdir)
    proj = os.path.join(cdir, "proj")
    log = os.path.join(cdir, "log")
    fixture.copy_project(E.fx, proj)
    for rel, content in c["files"].items():
        text, mode = content if isinstance(content, tuple) else (content, None)
        fixture.write(os.path.join(proj, rel), text, mode)
    for d in c["mkdirs"]:
        os.makedirs(os.path.join(proj, d), exist_ok=True)
    for sub, key in c["extra"]:
        fixture.add_extra(E.fx, proj, sub, key)
    problems, notes = [], []
    for i, rnd in enumerate(c["rounds"]):
        tag = "round %d: " % (i + 1) if len(c["rounds"]) > 1 else ""
        fixture.write(os.path.join(proj, "rebar.config"),
                      "{erl_opts, [debug_info]}.\n{relx, [\n %s\n]}.\n"
                      % rnd["relx"].replace("@ERTS@", E.erts))
        if rnd["before"]:
            rnd["before"](proj, E.fx)
        if c["git"] and i == 0:
            for g in (["git", "init", "-q"], ["git", "add", "-A"],
                      ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                      ["git", "tag", "v0.3.1"]):
                fixture.run(g, proj, log)
        # relman's release of the previous round stays out of rebar3's way,
        # then comes back: its re-assembly is incremental, as relx's is
        mine_out = os.path.join(proj, "_build", "default", "rel")
        parked = os.path.join(cdir, "relman-rel")
        if os.path.exists(mine_out):
            shutil.move(mine_out, parked)
        ref = run_rebar3(E, c, proj, os.path.join(cdir, "rebar3-%d" % i), log)
        if os.path.exists(parked):
            shutil.move(parked, mine_out)
        mine = run_relman(E, c, proj, i == 0, log)
        if rnd["error"]:
            if ref.ok:
                problems.append(tag + "rebar3 built the release; the suite expects an error")
            if mine.ok:
                problems.append(tag + "relman built the release; relx refuses it (%s)" % ref.msg)
            elif os.path.exists(os.path.join(mine_out, c["rel"])):
                problems.append(tag + "relman failed but left %s" % os.path.join(mine_out, c["rel"]))
            elif not mine.msg.split(": ", 1)[-1].startswith("relman:"):
                problems.append(tag + "relman failed without a relman: line (%s)" % mine.msg)
            elif not re.search(c["error_says"], mine.msg):
                problems.append(tag + "relman's error does not say /%s/: %s" % (c["error_says"], mine.msg))
            continue
        if not ref.ok:
            problems.append(tag + "rebar3 failed: %s" % ref.msg)
            continue
        P, specs, mine_view = [], None, None
        if not mine.ok:
            problems.append(tag + mine.msg)
        else:
            P, specs = compare(E, c, ref, mine, proj)
        ref_view = make_view(E, ref, c["rel"], proj, specs and specs["ref"])
        if specs:
            mine_view = make_view(E, mine, c["rel"], proj, specs["mine"])
        P2, N = check_views(rnd["checks"], ref_view, mine_view)
        problems += [tag + p for p in P + P2]
        notes += [tag + n for n in N]
    return problems, notes


def pick(all_cases, names):
    if not names:
        return all_cases
    out = []
    for n in names:  # an exact name names one case, anything else a part of names
        hit = [c for c in all_cases if n in (c["id"], c["name"])] or \
              [c for c in all_cases if n in c["id"]]
        out += [c for c in hit if c not in out]
    return out


def update_expected(path, results):
    """Rewrite PATH: passing cases become pass, newly failing ones fail."""
    with open(path) as f:
        lines = f.read().split("\n")
    out = []
    for ln in lines:
        parts = ln.split(None, 2)
        if len(parts) >= 2 and not ln.startswith("#") and parts[0] in results:
            verdict, problems = results[parts[0]]
            if verdict == "XPASS":
                ln = "%-60s pass" % parts[0]
            elif verdict == "FAIL":
                ln = "%-60s fail (new) %s" % (parts[0], (problems or ["?"])[0])
        out.append(ln)
    with open(path, "w") as f:
        f.write("\n".join(out))


def write_table(path, todo, exp, results):
    """The run as a Markdown table: case, expected status, outcome, problems."""
    with open(path, "w") as f:
        f.write("| case | expected | outcome | problems now |\n|---|---|---|---|\n")
        for c in todo:
            st, why = exp.get(c["id"], ("pass", ""))
            verdict, problems = results.get(c["id"], ("?", []))
            shown = problems if verdict != "SKIP" else []
            f.write("| %s | %s | %s | %s |\n" % (
                c["id"], st + (": " + why if why else ""), verdict,
                "<br>".join(p.replace("|", "\\|") for p in shown[:10])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--relman", default=os.environ.get("RELMAN"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("RELX_SUITE_JOBS", "2")))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--update", action="store_true", help="rewrite expected.txt from this run")
    ap.add_argument("--list", action="store_true", help="list the cases and their expected status")
    ap.add_argument("--expected", default=EXPECTED)
    ap.add_argument("--table", metavar="FILE",
                    help="also write a Markdown table of the cases and their problems to FILE")
    a = ap.parse_args()
    exp = load_expected(a.expected)
    todo = pick(cases.CASES, a.cases)
    unknown = [c["id"] for c in cases.CASES if c["id"] not in exp]
    stale = [k for k in exp if k not in {c["id"] for c in cases.CASES}]
    if a.list:
        for c in todo:
            st, why = exp.get(c["id"], ("?", "not in expected.txt"))
            print("%-62s %-4s %s" % (c["id"], st, why))
        return 0
    if not todo:
        sys.exit("no case matches %s" % " ".join(a.cases))
    if not a.relman or not os.access(a.relman, os.X_OK):
        sys.exit("RELMAN (or --relman) must name the relman binary")
    relman = os.path.abspath(a.relman)
    work = tempfile.mkdtemp(prefix="relman-relx-")
    t0 = time.time()
    lock = threading.Lock()
    results = {}
    passed = failed = 0
    counts = {"PASS": 0, "XFAIL": 0, "SKIP": 0, "FAIL": 0, "XPASS": 0}
    try:
        try:
            E = Env(relman, work)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print("FAIL fixture: %s" % e)
            with open(os.path.join(work, "fixture.log")) as f:
                print(f.read()[-3000:])
            print("0 passed, 1 failed")
            return 1
        print("fixture: %d applications compiled by rebar3 in %.1f s" %
              (len(fixture.APPS), time.time() - t0))

        def one(c):
            st, why = exp.get(c["id"], ("pass", ""))
            if st == "skip":
                return c, "SKIP", [why], [], 0.0
            t = time.time()
            try:
                problems, notes = run_case(E, c)
            except Exception:  # a harness error is a failure of the case
                problems = ["harness error: " + traceback.format_exc().strip().replace("\n", " | ")]
                notes = []
            dt = time.time() - t
            if st == "pass" or any(p.startswith("harness error") for p in problems):
                verdict = "FAIL" if problems else "PASS"
            else:
                verdict = "XFAIL" if problems else "XPASS"
            return c, verdict, problems, notes, dt

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            for c, verdict, problems, notes, dt in pool.map(one, todo):
                with lock:
                    st, why = exp.get(c["id"], ("pass", ""))
                    counts[verdict] += 1
                    results[c["id"]] = (verdict, problems + ["note: " + n for n in notes])
                    head = "%-5s %s" % (verdict, c["id"])
                    if verdict == "PASS":
                        print("%s (%.1f s)" % (head, dt))
                    elif verdict == "SKIP":
                        print("%s: %s" % (head, why))
                    elif verdict == "XFAIL":
                        print("%s (%.1f s): known: %s" % (head, dt, why))
                        for p in problems[:8]:
                            print("        now: " + p)
                    elif verdict == "XPASS":
                        print("%s (%.1f s): passes, but expected.txt says 'fail %s': "
                              "mark it pass" % (head, dt, why))
                    else:
                        print("%s (%.1f s):" % (head, dt))
                        for p in problems[:8]:
                            print("        " + p)
                    for n in notes:
                        print("        note: " + n)
                    sys.stdout.flush()
                    if verdict in ("PASS", "XFAIL", "SKIP"):
                        passed += 1
                    else:
                        failed += 1
        for k in unknown:
            if any(c["id"] == k for c in todo):
                print("NOTE  %s is not in expected.txt (treated as pass)" % k)
        for k in stale:
            print("FAIL  expected.txt names %s, which is no case" % k)
            failed += 1
        if a.table:
            write_table(a.table, todo, exp, results)
        if a.update:
            update_expected(a.expected, results)
            print("expected.txt updated")
    finally:
        if a.keep:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("relx suites: %d pass, %d known failures, %d skipped, %d unexpected failures, "
          "%d unexpected passes, %.0f s" % (counts["PASS"], counts["XFAIL"], counts["SKIP"],
                                           counts["FAIL"], counts["XPASS"], time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
