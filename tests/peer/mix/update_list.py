#!/usr/bin/env python3
"""Update the mix suite's expected list after a run (MIX_SUITE_UPDATE=1).

usage: update_list.py EXPECTED COMPAT_MD [ID...]
Each ID (a known failure that passed) becomes `pass` with no reason; then
the status table at the end of docs/compat.md is written again from the
list. Cases that failed unexpectedly are never changed here: they need a
look, not a new status.
"""
import sys

expected, compat, passed = sys.argv[1], sys.argv[2], set(sys.argv[3:])
lines = open(expected, encoding="utf-8").read().splitlines(keepends=True)
rows = []
out = []
for line in lines:
    if line.strip() and not line.startswith("#"):
        parts = line.rstrip("\n").split("|")
        if parts[0] in passed:
            parts[1], parts[3] = "pass", ""
            line = "|".join(parts) + "\n"
        rows.append(line.rstrip("\n").split("|"))
    out.append(line)
open(expected, "w", encoding="utf-8").writelines(out)

header = "| case | status | mix test | relman behaviour tested | why it fails / does not apply |"
text = open(compat, encoding="utf-8").read().splitlines(keepends=True)
start = next(i for i, l in enumerate(text) if l.startswith(header))
end = start + 2
while end < len(text) and text[end].startswith("| "):
    end += 1
table = [header + "\n", "|---|---|---|---|---|\n"]
table += ["| %s | %s | %s | %s | %s |\n" % (r[0], r[1], r[2], (r[4] if len(r) > 4 else ""), r[3])
          for r in rows]
open(compat, "w", encoding="utf-8").writelines(text[:start] + table + text[end:])
print("updated %s and %s: %d case(s) now pass" % (expected, compat, len(passed)))
