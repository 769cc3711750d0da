"""Make the documentation's pictures from the package itself, so that they cannot go stale.

    python docs/make_figures.py [OUTDIR [NAME ...]]

Writes the pictures of :data:`PICTURES` (or those NAMEs) to OUTDIR (default: ``docs/``,
where the README and the docs site show them):

- ``demo_moments.png``, the picture ``galcubecraft demo`` draws of the cube it writes: it
  runs the demo itself (``GalCubeCraft.cli.main(["demo", ...])`` in a scratch folder), so
  the picture is whatever the demo draws today;
- ``survey_field.png``, :func:`GalCubeCraft.survey.plot_field` of the field of
  :func:`survey_field_spec`, made in a scratch folder in this process (``workers=0``).

``tests/test_docs.py`` remakes each one and fails if the committed picture differs from
what the package draws now.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "src"))  # the checkout's package, as docs/conf.py does
PICTURES = ("demo_moments.png", "survey_field.png")
"""The pictures this script makes, by file name."""


def survey_field_spec() -> Any:
    """Return the field of ``survey_field.png``: SDC2's sampling, 512 x 512 x 256, 300 galaxies.

    The ``sdc2`` preset (2.8" pixels, 7" beam, 30 kHz channels, noise 3e-5 Jy/beam) cut to
    its lowest 256 channels (1.1347-1.1423 GHz, z = 0.243-0.252), with 300 galaxies: about
    4 times SDC2's mean density of sources, so that the zoom is crowded.
    """
    from GalCubeCraft.survey import PopulationSpec, load_field_spec

    return load_field_spec("sdc2").replace(n_chan=256, population=PopulationSpec(n_galaxies=300))


def _demo_moments(path: Path) -> None:
    """Run the demo in a scratch folder and copy its picture to ``path``."""
    from GalCubeCraft.cli import main

    with tempfile.TemporaryDirectory() as scratch:
        demo = Path(scratch) / "demo_output"
        status = main(["-q", "demo", "--out", str(demo)])
        if status != 0:
            raise RuntimeError(f"galcubecraft demo exited with status {status}")
        shutil.copyfile(demo / path.name, path)


def _survey_field(path: Path) -> None:
    """Make the field of :func:`survey_field_spec` in a scratch folder and draw it to ``path``."""
    from GalCubeCraft.survey import make_field, plot_field

    with tempfile.TemporaryDirectory() as scratch:
        make_field(survey_field_spec(), scratch, workers=0, progress=False)
        plot_field(scratch).savefig(path, dpi=90)


MAKERS: dict[str, Callable[[Path], None]] = {
    "demo_moments.png": _demo_moments,
    "survey_field.png": _survey_field,
}


def make_figures(out: Path = DOCS, names: Iterable[str] = PICTURES) -> list[Path]:
    """Make the pictures ``names`` (of :data:`PICTURES`) in the folder ``out``; return them."""
    names = list(names)
    unknown = sorted(set(names) - set(PICTURES))
    if unknown:
        raise ValueError(f"unknown pictures {unknown}; known: {list(PICTURES)}")
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name in names:
        MAKERS[name](out / name)
        made.append(out / name)
    return made


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS
    for path in make_figures(folder, sys.argv[2:] or PICTURES):
        print(f"wrote {path}")
