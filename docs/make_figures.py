"""Make the documentation's pictures from the package itself, so that they cannot go stale.

    python docs/make_figures.py [OUTDIR]

Writes ``demo_moments.png``, the picture ``galcubecraft demo`` draws of the cube it writes,
to OUTDIR (default: ``docs/``, where the README and the docs site show it).  It runs the
demo itself (``GalCubeCraft.cli.main(["demo", ...])`` in a scratch folder), so the picture
is whatever the demo draws today; ``tests/test_docs.py`` remakes it and fails if the
committed picture differs from what the demo draws now.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "src"))  # the checkout's package, as docs/conf.py does
PICTURES = ("demo_moments.png",)
"""The pictures this script makes, by file name."""


def make_figures(out: Path = DOCS) -> list[Path]:
    """Run the demo in a scratch folder and copy its pictures to ``out``; return them."""
    from GalCubeCraft.cli import main

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        demo = Path(scratch) / "demo_output"
        status = main(["-q", "demo", "--out", str(demo)])
        if status != 0:
            raise RuntimeError(f"galcubecraft demo exited with status {status}")
        return [Path(shutil.copyfile(demo / name, out / name)) for name in PICTURES]


if __name__ == "__main__":
    for path in make_figures(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(f"wrote {path}")
