"""The documentation site builds, documents every public name, and its examples are true.

Built with warnings as errors; every example on its pages prints what the page shows
(``tests/shown_output.py``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from shown_output import REL_TOL, check_example, compare, matches

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT / "tools")]

from public_names import homes  # noqa: E402

PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
EXAMPLES = [
    (page, index, block)
    for page in PAGES
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S))
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site once, warnings as errors, into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
               "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    print(f"docs built in {time.perf_counter() - start:.1f} s")
    return result, out / "html"


def test_the_site_builds_without_a_warning(site):
    """Sphinx, with warnings as errors, exits 0 and prints no warning."""
    result, html = site
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]
    assert (html / "index.html").is_file()


def test_every_public_name_has_an_entry_in_the_api_reference(site):
    """Each public name of the reference's modules is an anchor on one of its pages."""
    _, html = site
    pages = "".join(path.read_text() for path in (html / "api").glob("*.html"))
    missing = [name for name in homes().values() if f'id="{name}"' not in pages]
    assert missing == []


def test_no_public_name_lacks_a_docstring():
    """tools/docstring_report.py finds every documented public name with its docstring."""
    report = importlib.import_module("docstring_report")
    checked, missing = report.missing_docstrings()
    assert checked > 300  # the count covers the whole reference, not an empty list
    assert missing == []


@pytest.mark.parametrize(
    ("page", "index", "block"),
    EXAMPLES,
    ids=[f"{page.relative_to(DOCS)}-{index}" for page, index, _ in EXAMPLES],
)
def test_docs_example_prints_what_the_page_shows(page, index, block, tmp_path):
    """Each Python example of the docs runs and prints what its ``# ->`` comments show."""
    result, problems = check_example(block, tmp_path, f"example_{index}")
    assert problems == [], f"{page.name} example {index}: {problems}\n{result.stderr[-3000:]}"


def test_command_line_page_names_only_options_the_parser_has():
    """Every --option in the command-line guide's usage exists for its verb."""
    from GalCubeCraft.cli import build_parser

    parser = build_parser()
    verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    usage = re.search(r"```text\n(.*?)```", (DOCS / "guide" / "command-line.md").read_text(),
                      flags=re.S).group(1)  # fmt: skip
    named = 0
    for entry in re.split(r"\n(?=galcubecraft )", usage):
        verb = entry.split()[1]
        options = set(parser._option_string_actions)
        if verb in verbs.choices:
            options |= set(verbs.choices[verb]._option_string_actions)
        flags = set(re.findall(r"--[a-z][a-z0-9-]*(?![\w.-])", entry))  # not --table.key
        named += len(flags)
        assert flags <= options, (verb, sorted(flags - options))
    assert named > 30


def _pictures() -> tuple[str, ...]:
    """Return ``PICTURES`` of docs/make_figures.py, read from its source (nothing is run)."""
    tree = ast.parse((DOCS / "make_figures.py").read_text())
    (value,) = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["PICTURES"]]  # fmt: skip
    return tuple(ast.literal_eval(value))


@pytest.mark.parametrize("name", _pictures())
def test_docs_picture_is_what_the_package_draws_now(name, tmp_path):
    """Each picture of docs/make_figures.py equals the one it draws today (remade here).

    Pixel by pixel up to anti-aliasing: at most 1% of the pixels may differ by more than
    0.1 (a font rendered by another FreeType); a galaxy at another angle differs in ~16%.
    """
    import matplotlib.image

    # A fresh interpreter: the command line sets up logging and thread limits of its own.
    command = [sys.executable, str(DOCS / "make_figures.py"), str(tmp_path), name]
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    made = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
    assert made.returncode == 0, made.stderr[-3000:]
    assert [path.name for path in tmp_path.glob("*.png")] == [name]
    committed = matplotlib.image.imread(DOCS / name)
    fresh = matplotlib.image.imread(tmp_path / name)
    assert committed.shape == fresh.shape, "run: python docs/make_figures.py"
    differing = float(np.mean(np.abs(committed - fresh).max(axis=-1) > 0.1))
    assert differing <= 0.01, f"{differing:.1%} of the pixels differ: python docs/make_figures.py"


# --- the output checker itself --------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "shown"),
    [
        ("(16, 41)", "(16, 41)"),
        ("0.9995", "1.0"),  # within REL_TOL
        ("1.0000312 Jy/beam", "1.0 Jy/beam"),
        ("['a', 'b', 'c', 'd']", "['a', 'b', ...]"),
        ("SOURCE 230538000000.0 2.0 0.0002", "SOURCE 230538000000.0 2.0 0.0002"),
        ("noisy  True\n", "noisy True"),
    ],
)
def test_checker_accepts_what_agrees(printed, shown):
    """Equal text, equal integers and floats within the tolerance agree."""
    assert matches(printed, shown) is None


@pytest.mark.parametrize(
    ("printed", "shown"),
    [
        ("(16, 83)", "(16, 41)"),  # the README's old shape
        ("0.998", "1.0"),  # beyond REL_TOL
        ("1.0", "1"),  # an integer shown must be printed as one
        ("noisy False", "noisy True"),
        ("Jy/pixel 1.0", "Jy/beam 1.0"),
        ("(3, 24, 32, 32)", "(24, 32, 32)"),
    ],
)
def test_checker_refuses_what_differs(printed, shown):
    """Other text, another integer or a float beyond the tolerance is reported."""
    assert matches(printed, shown) is not None


def test_checker_reports_unshown_and_unprinted_lines():
    """A print with no shown output, and a shown output never printed, are both reported."""
    text = "x = 1\nprint(x)\nprint(2)  # -> 2\ny = 3  # -> 3\n"
    problems = compare(text, [(2, "1\n"), (3, "2\n")])
    assert len(problems) == 2
    assert "line 2 prints '1'" in problems[0]
    assert "line 4 shows '3'" in problems[1]


def test_checker_reads_prints_inside_functions_and_multiline_calls(tmp_path):
    """An example run for real: prints in a function and across lines are matched."""
    lines = ["def main():", "    print('a',", "          1.0001)  # -> a 1.0", "", "main()"]
    text = "\n".join([*lines, "print(3)  # -> 4", ""])
    result, problems = check_example(text, tmp_path, "example")
    assert result.returncode == 0, result.stderr
    assert problems == ["line 6: printed 3 where the page shows 4 (in '3')"]
    assert REL_TOL == 1e-3
