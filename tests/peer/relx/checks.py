"""What a relx suite case asserts about a release, as checks run on both sides.

A check is a function of a View (one built release: the reference made by
rebar3, or relman's) returning a list of problems (empty: it holds).  The
harness runs every check of a case on the reference first: a check that the
reference fails is reported as a note (relx 4.7 under rebar3 3.19 disagrees
with the suite's expectation) and is not held against relman.
"""

import os
import re
import stat
import subprocess

ANY = None  # a version that is not checked (kernel's, stdlib's)


class View:
    """One side's release: its directory, version, .rel entries, tarball."""

    def __init__(self, side, root, vsn, specs, erts, tar_members, project, terms,
                 installed_erts):
        self.side = side            # "rebar3" or "relman"
        self.root = root            # the release directory
        self.vsn = vsn
        self.specs = specs          # [(app, vsn, mode)] in .rel order
        self.erts = erts            # ERTS version written in the .rel
        self.tar_members = tar_members  # None unless a tarball was made
        self.project = project      # the case's project directory
        self.terms = terms          # terms(path) -> {key: printed value}
        self.installed_erts = installed_erts

    def path(self, rel):
        return os.path.join(self.root, rel.format(vsn=self.vsn, erts=self.erts))


def _spec_matches(want, have):
    app, vsn, mode = want
    return have[0] == app and (vsn is ANY or have[1] == vsn) and have[2] == mode


def has_specs(*wanted):
    def check(v):
        return ["no %s in the .rel" % (w,) for w in wanted
                if not any(_spec_matches(w, h) for h in v.specs)]
    return check


def specs_exactly(*wanted):
    """The .rel lists exactly these applications, in this order."""
    def check(v):
        if len(wanted) == len(v.specs) and all(map(_spec_matches, wanted, v.specs)):
            return []
        return ["the .rel lists %s, the suite expects %s"
                % (" ".join("%s-%s:%s" % h for h in v.specs),
                   " ".join("%s:%s" % (w[0], w[2]) for w in wanted))]
    return check


def lacks_app(app):
    def check(v):
        return ["%s is in the .rel" % app] if any(h[0] == app for h in v.specs) else []
    return check


def erts_is_installed():
    """The .rel names the installed ERTS (a {release, Id, {erts, Vsn}, Goals})."""
    def check(v):
        return [] if v.erts == v.installed_erts else \
            ["the .rel names ERTS %s, not %s" % (v.erts, v.installed_erts)]
    return check


def exists(*rels):
    def check(v):
        return ["%s is missing" % r for r in rels if not os.path.lexists(v.path(r))]
    return check


def absent(*rels):
    def check(v):
        return ["%s exists" % r for r in rels if os.path.lexists(v.path(r))]
    return check


def symlinks(*rels):
    def check(v):
        return ["%s is not a symbolic link" % r for r in rels if not os.path.islink(v.path(r))]
    return check


def not_symlinks(*rels):
    def check(v):
        out = []
        for r in rels:
            p = v.path(r)
            if os.path.islink(p):
                out.append("%s is a symbolic link" % r)
            elif not os.path.exists(p):
                out.append("%s is missing" % r)
        return out
    return check


def links_to(rel, target):
    """REL is a symbolic link to TARGET (relative to the project)."""
    def check(v):
        p = v.path(rel)
        want = os.path.realpath(os.path.join(v.project, target))
        if not os.path.islink(p):
            return ["%s is not a symbolic link" % rel]
        if os.path.realpath(p) != want:
            return ["%s points to %s, not %s" % (rel, os.readlink(p), want)]
        return []
    return check


def mode_has(rel, bits, exact=False):
    """REL's permission bits include BITS (are BITS, with EXACT)."""
    def check(v):
        p = v.path(rel)
        if not os.path.exists(p):
            return ["%s is missing" % rel]
        m = stat.S_IMODE(os.stat(p).st_mode)
        if (m == bits) if exact else (m & bits == bits):
            return []
        return ["%s has mode %o, %s %o" % (rel, m, "not" if exact else "lacks", bits)]
    return check


def values(rel, want, differ=None):
    """REL consults to {Key, Value} terms: WANT maps keys to the value as
    io_lib:format("~p") prints it; DIFFER maps keys to values they must not have."""
    def check(v):
        p = v.path(rel)
        if not os.path.exists(p):
            return ["%s is missing" % rel]
        got = v.terms(p)
        if got is None:
            return ["%s does not consult" % rel]
        out = []
        for k, w in want.items():
            w = w.format(vsn=v.vsn, erts=v.erts)
            if got.get(k) != w:
                out.append("%s: %s is %s, not %s" % (rel, k, got.get(k), w))
        for k, w in (differ or {}).items():
            if got.get(k) == w:
                out.append("%s: %s is %s" % (rel, k, w))
        return out
    return check


def contains(rel, word):
    """REL holds the term-level word WORD (an atom in a sys.config)."""
    def check(v):
        p = v.path(rel)
        if not os.path.exists(p):
            return ["%s is missing" % rel]
        with open(p, errors="replace") as f:
            return [] if re.search(r"\b%s\b" % re.escape(word), f.read()) else \
                ["%s does not mention %s" % (rel, word)]
    return check


def project_file_is(rel, text):
    """A file of the project was left as the case wrote it."""
    def check(v):
        with open(os.path.join(v.project, rel)) as f:
            return [] if f.read() == text else ["the project's %s was changed" % rel]
    return check


def tar_has(*patterns):
    def check(v):
        if v.tar_members is None:
            return ["no tarball"]
        return ["no tarball member matches %s" % p for p in patterns
                if not any(re.search(p, m) for m in v.tar_members)]
    return check


def tar_lacks(*patterns):
    def check(v):
        if v.tar_members is None:
            return ["no tarball"]
        out = []
        for p in patterns:
            hit = [m for m in v.tar_members if re.search(p, m)]
            if hit:
                out.append("tarball has %s (matches %s)" % (hit[0], p))
        return out
    return check


def extended_script(*commands):
    """bin/NAME is an extended start script: its usage names these commands
    (relx needs bin/nodetool for them; the suite checks that file, this
    checks what it is for)."""
    def check(v):
        script = os.path.join(v.root, "bin", "foo")
        if not os.access(script, os.X_OK):
            return ["bin/foo is missing"]
        p = subprocess.run([script, "help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=30, env=_quiet_env())
        text = p.stdout.decode("utf-8", "replace")
        return ["bin/foo's usage does not name '%s'" % c for c in commands
                if not re.search(r"\b%s\b" % re.escape(c), text)]
    return check


def _quiet_env():
    env = dict(os.environ)
    env.pop("RELX_REPLACE_OS_VARS", None)
    return env


def vsn_like(pattern):
    """The built version matches PATTERN (a semver computed from git)."""
    def check(v):
        return [] if re.fullmatch(pattern, v.vsn or "") else \
            ["version %s does not match %s" % (v.vsn, pattern)]
    return check
