"""Print the figures of the package's layout: cycles, upward imports, module sizes, top level.

Run from the repository root: ``python tools/layout_report.py``.  The same figures are
asserted by ``tests/test_layout.py``; this script prints them for notes and reviews.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "GalCubeCraft"
MAX_LINES = 400
# Lines that speak of the original package (not of a random seed): "original", the
# "seed" facade/API/package, and the seed-named conversions.
ORIGINAL_WORDS = re.compile(
    r"original|seed(?:'s| facade| api| package| release| argument| range| unit)|"
    r"from_seed|to_seed|seed_beam|SEED_",
    re.IGNORECASE,
)


def import_cycles() -> list[set[str]]:
    """Return the strongly connected components (size > 1) of the module import graph."""
    graph = grimp.build_graph("GalCubeCraft", exclude_type_checking_imports=True)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return components


def module_lines() -> dict[str, int]:
    """Return each source module's line count, by path relative to the package."""
    return {
        str(path.relative_to(PACKAGE)): len(path.read_text().splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def top_level_modules() -> list[str]:
    """Return the plain modules (not packages) directly in the package folder."""
    return sorted(path.name for path in PACKAGE.glob("*.py"))


def original_word_lines() -> list[str]:
    """Return ``path:line`` of each core line that speaks of the original package."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "compat" or relative.parts[0] == "cli":
            continue
        if relative.name in ("core.py", "utils.py", "visualise.py", "cli.py"):
            continue  # the top-level re-exports for the original's scripts; the CLI's flags
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ORIGINAL_WORDS.search(line):
                hits.append(f"{relative}:{number}: {line.strip()}")
    return hits


def main() -> int:
    """Print the layout figures."""
    cycles = import_cycles()
    lines = module_lines()
    over = {name: n for name, n in lines.items() if n > MAX_LINES}
    top = top_level_modules()
    words = original_word_lines()
    print(f"modules: {len(lines)}, lines: {sum(lines.values())}")
    print(f"import cycles: {len(cycles)}", *(sorted(c) for c in cycles))
    print(f"top-level modules: {len(top)} ({', '.join(top)})")
    print(f"modules over {MAX_LINES} lines: {len(over)}", over or "")
    print(f"largest: {sorted(lines.items(), key=lambda kv: -kv[1])[:5]}")
    print(f"core lines speaking of the original: {len(words)}")
    for hit in words:
        print("   ", hit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
