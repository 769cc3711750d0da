"""Sphinx configuration of the GalCubeCraft documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.  Nothing is
executed during the build beyond importing the package for autodoc; the pages' examples
run in ``tests/test_docs.py`` (their printed outputs checked against the pages).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent / "src"))  # the checkout's package, not an installed one

import GalCubeCraft  # noqa: E402

project = "GalCubeCraft"
author = "GalCubeCraft developers"
copyright = "GalCubeCraft developers, MIT licence"  # noqa: A001
release = GalCubeCraft.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "public_api",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
root_doc = "index"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters sections give the types in words
autosummary_generate = False  # no stub files: the public-api directive writes the entries
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}  # offline builds: no inventories

html_theme = "furo"
html_title = f"GalCubeCraft {release}"
html_static_path: list[str] = []
