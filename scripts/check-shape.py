#!/usr/bin/env python3
"""Checks the shape the architecture promises (ARCHITECTURE.md, "Where things go"):

1. The API crate reaches the database only through the service layer: no diesel or
   diesel-async among its dependencies, no `diesel` and no `transaction(` in its source.
2. No source file under crates/ or providers/ is longer than 800 lines.
3. No module imports another that imports it back (a module and its own submodules aside).

Exits non-zero, naming each violation. Run by `make lint` (and so by `make test`).
"""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_LINES = 800
problems = []

# 1. The API crate and the database.
tree = subprocess.run(
    ["cargo", "tree", "-p", "viva-api", "-e", "normal", "--depth", "1", "--prefix", "none"],
    cwd=ROOT, capture_output=True, text=True, check=True,
).stdout
for line in tree.splitlines()[1:]:
    name = line.split()[0] if line.split() else ""
    if name in ("diesel", "diesel-async"):
        problems.append(f"viva-api depends on {name}: database work belongs in crates/service")
for path in sorted((ROOT / "crates/api/src").rglob("*.rs")):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if "transaction(" in line or re.search(r"\bdiesel(_async)?::", line):
            problems.append(f"{path.relative_to(ROOT)}:{number}: database work in the API: {line.strip()}")

# 2. File length.
for top in ("crates", "providers"):
    for path in sorted((ROOT / top).rglob("*.rs")):
        if "/target/" in str(path):
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            problems.append(f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_LINES})")


# 3. Module cycles, per crate.
def module_of(src: pathlib.Path, path: pathlib.Path) -> tuple:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts = parts[:-1]
    return tuple(parts)


for src in sorted(list(ROOT.glob("crates/*/src")) + list(ROOT.glob("providers/*/src"))):
    files = {module_of(src, p): p for p in src.rglob("*.rs")}
    modules = set(files)
    edges = {}
    for module, path in files.items():
        text = path.read_text()
        # Only code before the unit tests: tests may reach anywhere.
        text = text.split("#[cfg(test)]")[0]
        targets = set()
        for match in re.finditer(r"\b(crate|super)((?:::\w+)+)", text):
            base = () if match.group(1) == "crate" else module[:-1]
            names = match.group(2).strip(":").split("::")
            candidate = base + tuple(names)
            while candidate and candidate not in modules:
                candidate = candidate[:-1]
            if candidate and candidate != module:
                targets.add(candidate)
        edges[module] = targets
    for a, targets in edges.items():
        for b in targets:
            related = a[: len(b)] == b or b[: len(a)] == a
            if not related and a in edges.get(b, set()) and a < b:
                problems.append(
                    f"{src.parent.name}: modules {'::'.join(a)} and {'::'.join(b)} import each other"
                )

for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print("shape: the API has no database code, no file passes 800 lines, no module cycle")
