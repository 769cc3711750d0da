"""Run a documentation example and compare what it prints with what the page shows.

A page shows an example's output as a ``# -> ...`` comment on the statement that prints
it::

    print(cube.shape)  # -> (40, 125, 125)

The example runs as a user would run it (saved as a script in an empty folder, a fresh
interpreter, the Agg backend), with ``print`` recording the line of the example that
called it.  Then every printing statement must have a shown output, every shown output
must have been printed, and each must match:

- text must agree exactly, runs of white space aside; ``...`` in the shown output stands
  for any text (as doctest's ELLIPSIS);
- integers (digits alone) must be equal;
- numbers written with a decimal point or an exponent must agree to a relative
  ``REL_TOL`` = 1e-3 (absolute ``ABS_TOL`` = 1e-12 near zero): a page may show the
  figures that matter, rounded.

Only ``print`` calls written in the example are checked (the example's module gets a
recording ``print`` of its own); what library code prints itself passes through.  A
statement printing more than one line (a loop, a table) is refused: show one line per
statement.
"""

from __future__ import annotations

import ast
import io
import json
import math
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

REL_TOL = 1e-3
ABS_TOL = 1e-12
SHOWN = re.compile(r"#\s*->\s?(.*)$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
_TOKENS = re.compile(rf"(\.\.\.)|({_NUMBER})|(\s+)")

# Runs the example with a ``print`` of its own (a global of the example's module, so library
# code and numba, which registers the built-in print, never see it) that records the
# example's line of each call, then writes the records as JSON.  runpy keeps the example
# the ``__main__`` module, so worker processes (Dask's spawn) start from it.
_RUNNER = """\
import io, json, os, runpy, sys

records = []


def recording_print(*args, **kwargs):
    if kwargs.get("file") is not None:
        return print(*args, **kwargs)
    buffer = io.StringIO()
    print(*args, **{**kwargs, "file": buffer})
    records.append((sys._getframe(1).f_lineno, buffer.getvalue()))
    sys.stdout.write(buffer.getvalue())
    if kwargs.get("flush"):
        sys.stdout.flush()


try:
    script = os.path.abspath(sys.argv[1])
    sys.argv = [script]
    runpy.run_path(script, init_globals={"print": recording_print}, run_name="__main__")
finally:
    with open(os.environ["SHOWN_OUTPUT_RECORDS"], "w") as out:
        json.dump(records, out)
"""


def shown_outputs(text: str) -> dict[int, str]:
    """Return ``{line: shown output}`` for each ``# -> ...`` comment of an example."""
    shown = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and (match := SHOWN.match(token.string)):
            shown[token.start[0]] = match.group(1).strip()
    return shown


def _statement_lines(text: str) -> dict[int, range]:
    """Return, for every line, the lines of the innermost simple statement holding it."""
    spans: dict[int, range] = {}
    for node in ast.walk(ast.parse(text)):
        compound = hasattr(node, "body")  # a def, loop or with: its own lines only
        if isinstance(node, ast.stmt) and not compound and node.end_lineno is not None:
            lines = range(node.lineno, node.end_lineno + 1)
            for line in lines:
                if line not in spans or len(lines) < len(spans[line]):
                    spans[line] = lines
    return spans


def matches(printed: str, shown: str) -> str | None:
    """Return ``None`` if ``printed`` is what ``shown`` says, else what differs."""
    pattern, expected = [], []
    for ellipsis, number, space, text in _split(shown):
        if ellipsis:
            pattern.append(".*?")
        elif number:
            pattern.append(f"({_NUMBER})")
            expected.append(number)
        elif space:
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(text))
    found = re.fullmatch("".join(pattern), " ".join(printed.split()), flags=re.S)
    if found is None:
        return f"printed {printed.strip()!r}, the page shows {shown!r}"
    for want, got in zip(expected, found.groups(), strict=True):
        if not _numbers_agree(want, got):
            return f"printed {got} where the page shows {want} (in {printed.strip()!r})"
    return None


def _split(shown: str) -> list[tuple[str, str, str, str]]:
    """Split a shown output into (ellipsis, number, space, text) pieces."""
    pieces, at = [], 0
    for match in _TOKENS.finditer(shown):
        if match.start() > at:
            pieces.append(("", "", "", shown[at : match.start()]))
        pieces.append((match.group(1) or "", match.group(2) or "", match.group(3) or "", ""))
        at = match.end()
    if at < len(shown):
        pieces.append(("", "", "", shown[at:]))
    return pieces


def _numbers_agree(want: str, got: str) -> bool:
    """Integers exactly; other numbers to ``REL_TOL`` (``ABS_TOL`` near zero)."""
    if re.fullmatch(r"[-+]?\d+", want):
        return re.fullmatch(r"[-+]?\d+", got) is not None and int(want) == int(got)
    a, b = float(want), float(got)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def check_example(
    text: str, folder: Path, name: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the example ``text`` in ``folder``; return the process and every disagreement."""
    script = folder / f"{name}.py"
    script.write_text(text)
    runner = folder / "_shown_output_runner.py"
    runner.write_text(_RUNNER)
    records_file = folder / "_shown_output_records.json"
    environment = {**os.environ, "MPLBACKEND": "Agg", "SHOWN_OUTPUT_RECORDS": str(records_file)}
    command = [sys.executable, str(runner), str(script)]
    result = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=600, env=environment
    )
    if result.returncode != 0:
        return result, [f"exit status {result.returncode}"]
    records = json.loads(records_file.read_text())
    return result, compare(text, records)


def compare(text: str, records: list[tuple[int, str]]) -> list[str]:
    """Return the disagreements between an example's shown outputs and its ``records``."""
    shown = shown_outputs(text)
    spans = _statement_lines(text)
    printed: dict[int, str] = {}  # the shown line of each printing statement -> its output
    problems = []
    for line, output in records:
        lines = spans.get(line, range(line, line + 1))
        shown_here = [number for number in lines if number in shown]
        if not shown_here:
            problems.append(f"line {line} prints {output.strip()!r}; the page shows nothing")
            continue
        printed[shown_here[-1]] = printed.get(shown_here[-1], "") + output
    for line, want in shown.items():
        if line not in printed:
            problems.append(f"line {line} shows {want!r}, but nothing was printed there")
            continue
        if printed[line].count("\n") > 1:
            problems.append(f"line {line} printed several lines: {printed[line]!r}")
            continue
        if (difference := matches(printed[line], want)) is not None:
            problems.append(f"line {line}: {difference}")
    return problems
