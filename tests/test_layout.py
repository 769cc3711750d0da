"""The house rules of the layout (issue 25), measured the way tools/layout_report.py prints them.

The layering itself (imports only downward, nothing in the core importing ``compat/``) is
import-linter's contract in pyproject.toml, run by CI; these tests hold the rest.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import layout_report  # noqa: E402 - a script beside the tests, not an installed module


def test_the_module_import_graph_has_no_cycle():
    """No module imports, directly or through others, a module that imports it back."""
    assert layout_report.import_cycles() == []


def test_no_module_passes_400_lines():
    """Each module stays small enough to read in one sitting."""
    lines = layout_report.module_lines()
    assert {name: n for name, n in lines.items() if n > layout_report.MAX_LINES} == {}


def test_the_top_level_holds_at_most_twelve_plain_modules():
    """Everything else lives in a package per stage."""
    assert len(layout_report.top_level_modules()) <= 12


def test_only_the_compatibility_layer_speaks_of_the_original():
    """Words for the original package stay in compat/ (and the CLI's compatibility flags)."""
    assert layout_report.original_word_lines() == []
