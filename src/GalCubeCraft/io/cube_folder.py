"""The folder ``generate`` writes: which cubes it holds, which run made them, clearing it.

A folder holds ``cube_<k>.npy`` (with ``cube_<k>.json``) or ``cube_<k>.fits`` files,
``k`` from 1.  Each file records the run that made it (seed, cube index and run id:
:attr:`GalCubeCraft.compat.facade.GalCubeCraft.run_id`), so a resumed run adds only the cubes
that are missing and refuses a folder written by another run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

CUBE_NAME = re.compile(r"cube_([1-9][0-9]*)\.(npy|fits|json)")
"""Names of the files ``generate`` writes (the cube number is 1-based)."""


def existing_cubes(folder: str | os.PathLike[str]) -> dict[int, Path]:
    """Return ``{index: path}`` of the cube files (``.npy`` or ``.fits``) in ``folder``.

    ``index`` is 0-based (``cube_1.npy`` is index 0); a missing folder holds none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = CUBE_NAME.fullmatch(path.name)
        if match and match.group(2) != "json":
            found[int(match.group(1)) - 1] = path
    return found


def cube_run(path: Path) -> dict[str, Any]:
    """Return the run a cube file records: ``{'seed', 'index', 'run_id'}`` (empty if none)."""
    if path.suffix == ".fits":
        from astropy.io import fits

        header = fits.getheader(path)
        if "RUNID" not in header:
            return {}
        return {"seed": header["SEED"], "index": header["CUBEIDX"], "run_id": header["RUNID"]}
    from .sidecar import read_sidecar, sidecar_path

    try:
        return dict(read_sidecar(sidecar_path(path)).get("run", {}))
    except (OSError, ValueError):  # no sidecar, or not ours: a file of unknown origin
        return {}


def remove_cubes(folder: str | os.PathLike[str]) -> int:
    """Delete the files ``generate`` writes (and only those) from ``folder``; return the count."""
    folder = Path(folder)
    removed = 0
    for path in folder.iterdir() if folder.is_dir() else ():
        if CUBE_NAME.fullmatch(path.name) and path.is_file():
            path.unlink()
            removed += 1
    return removed
