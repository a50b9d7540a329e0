#!/usr/bin/env python3
"""No two files of one layer call each other in a loop.

tests/cycles.py BUILD_DIR

For each layer (core, remote, tui, cli) the object files under
BUILD_DIR/CMakeFiles/<target>.dir/<layer>/ are read with `nm`: a file that
uses a symbol another file of the same layer defines depends on that file.
A strongly connected set of two or more files is a loop: it is printed with
one symbol for each edge of it, and the test fails. Calls between layers are
tests/layering.sh's business; static functions are not seen (they are not
calls between files).

One module may be split over several files that share a private header
(config.c, config_check.c, ... with config_int.h; plan.c and plan_text.c with
plan_int.h; term*.c with term_int.h): calls back and forth inside one module
are allowed. A file's module is its name up to the first '_', or what
MODULES says.
"""
import os
import subprocess
import sys

LAYERS = {
    "core": "relman_core.dir/core",
    "remote": "relman_remote.dir/remote",
    "tui": "relman_tui.dir/tui",
    "cli": "relman.dir/cli",
}


# Files that belong to another file's module although their names do not say
# so: the boot order is the model's (resolve.h), moved out of resolve.c; a
# ProxyJump hop is itself an SSH session, which remote/sshproxy.c steps and
# remote/ssh.c connects through.
MODULES = {"bootorder.c.o": "resolve", "sshproxy.c.o": "ssh"}


def module(f):
    return MODULES.get(f, f[:-4].split("_")[0])


def symbols(obj):
    out = subprocess.run(["nm", "-P", obj], check=True, capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            used.add(name)
        elif kind in "TDBRCVWG":
            defined.add(name)
    return defined, used


def loops(graph):
    """Tarjan's strongly connected components; those of two or more nodes."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: tests/cycles.py BUILD_DIR", file=sys.stderr)
        return 2
    base = os.path.join(sys.argv[1], "CMakeFiles")
    fail = False
    for layer, sub in LAYERS.items():
        d = os.path.join(base, sub)
        if not os.path.isdir(d):
            print(f"cycles: no object files for {layer} in {d}", file=sys.stderr)
            return 1
        files = sorted(f for f in os.listdir(d) if f.endswith(".c.o"))
        defs, uses = {}, {}
        for f in files:
            defs[f], uses[f] = symbols(os.path.join(d, f))
        owner = {s: f for f in files for s in defs[f]}
        graph = {f: set() for f in files}
        why = {}
        for f in files:
            for s in uses[f]:
                g = owner.get(s)
                if g and g != f and module(g) != module(f):
                    graph[f].add(g)
                    why.setdefault((f, g), s)
        for comp in loops(graph):
            fail = True
            names = [c[:-2] for c in comp]
            print(f"cycles: {layer}/ files call each other in a loop: {', '.join(names)}")
            for f in comp:
                for g in sorted(graph[f]):
                    if g in comp:
                        print(f"    {f[:-2]} -> {g[:-2]} ({why[(f, g)]})")
        print(f"cycles: {layer}/: {len(files)} files, "
              f"{sum(len(v) for v in graph.values())} calls between files")
    if not fail:
        print("cycles: no loops between the files of core/, remote/, tui/, cli/")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
