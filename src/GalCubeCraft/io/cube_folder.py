"""The one resumable cube-folder writer: ``cube_<k>.<format>`` files, ``k`` from 1.

One indexing convention, stated in every file: a cube's **index** is 0-based, as
everywhere in Python and in the package (``results[index]``, ``g.cube(index)``, the
random stream ``(seed, index)``, a dataset's item index); its **file number** is
``index + 1``, the number in its file's name (``cube_1.npy`` is index 0), because 1.2.1
named its files so and scripts and folders made with it rely on the names.  The
sidecar's ``run`` record (and the params) give both, ``"index": 0, "file_number": 1``;
a FITS cube's header gives ``CUBEIDX`` and ``CUBENUM``.

A folder holds ``cube_<k>.npy`` (each with its description ``cube_<k>.json``,
:mod:`GalCubeCraft.io.sidecar`) or ``cube_<k>.fits`` files, or files of a format a
caller registers (:data:`CUBE_WRITERS`).  Each file records the run that made it (root
seed, cube index and run id), so a resumed run adds only the cubes that are missing and
refuses a folder written by another run.  :class:`CubeFolder` is what the
:class:`~GalCubeCraft.GalCubeCraft` class and the ``generate`` command both write through.

One process writes a folder at a time: the first cube written (or the first clearing)
takes the folder's lock (:mod:`GalCubeCraft._support.lock`, ``.<folder>.lock`` beside it),
held until the process ends or :meth:`CubeFolder.release`; another process is refused,
with a message naming the owner, before it writes anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support.lock import hold_until_exit, release

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..products.cube import Cube

CUBE_NAME = re.compile(r"cube_([1-9][0-9]*)\.(npy|fits|h5|json)")
"""Names of the files a cube folder holds (the cube number is 1-based)."""

CubeWriter = Callable[..., Path]
"""``writer(path, cube, params, run, scale, extras) -> path``: writes one cube file.

``cube`` is the :class:`~GalCubeCraft.products.cube.Cube` (Jy/beam), ``params`` its
description, ``run`` ``{'seed', 'index', 'file_number', 'run_id', 'version'}``, ``scale``
the factor the stored array carries (1: Jy/beam), ``extras`` named arrays beside the cube
(per-galaxy cubes); a writer stores what its format can.
"""


def _write_npy(path: Path, cube: Cube, params: Mapping[str, Any], run: Mapping[str, Any],
               scale: float, extras: Mapping[str, np.ndarray]) -> Path:  # fmt: skip
    """Write ``cube.npy`` after its description ``cube.json`` (a cube never lacks one)."""
    from .npy import save_npy
    from .sidecar import sidecar_path, write_sidecar

    write_sidecar(sidecar_path(path), cube, params, run, data_per_jy_beam=scale)
    return save_npy(path, (cube.data * scale).astype(np.float32))


def _write_fits(path: Path, cube: Cube, params: Mapping[str, Any], run: Mapping[str, Any],
                scale: float, extras: Mapping[str, np.ndarray]) -> Path:  # fmt: skip
    """Write a FITS cube whose header records the run (its galaxies' cards come with it)."""
    if scale != 1.0:
        raise ValueError("FITS cubes are written in Jy/beam only")
    cards = {"RUNID": (run["run_id"], "GalCubeCraft run identity"),
             "SEED": (run["seed"], "root seed of the run"),
             "CUBEIDX": (run["index"], "0-based index of the cube in the run"),
             "CUBENUM": (run["file_number"], "its file number: cube_<CUBENUM>")}  # fmt: skip
    return cube.write_fits(path, overwrite=True, header_cards=cards)


CUBE_WRITERS: dict[str, CubeWriter] = {"npy": _write_npy, "fits": _write_fits}
"""The formats a cube folder writes, by file suffix; callers may pass more."""


def existing_cubes(folder: str | os.PathLike[str]) -> dict[int, Path]:
    """Return ``{index: path}`` of the cube files in ``folder`` (not their descriptions).

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
    """Delete the files a cube folder holds (and only those) from ``folder``; return the count."""
    folder = Path(folder)
    removed = 0
    for path in folder.iterdir() if folder.is_dir() else ():
        if CUBE_NAME.fullmatch(path.name) and path.is_file():
            path.unlink()
            removed += 1
    return removed


class CubeFolder:
    """A folder of ``cube_<k>.<fmt>`` files written by one run, resumable.

    Parameters
    ----------
    folder : str or path
        Where the cubes go (made when the first cube is written).
    fmt : str
        A key of ``writers``.
    writers : mapping of str to writer, optional
        The formats (default :data:`CUBE_WRITERS`).
    """

    def __init__(self, folder: str | os.PathLike[str], fmt: str,
                 writers: Mapping[str, CubeWriter] | None = None) -> None:  # fmt: skip
        self.folder = Path(folder)
        self.writers = dict(CUBE_WRITERS if writers is None else writers)
        if fmt not in self.writers:
            raise ValueError(f"format must be one of {tuple(self.writers)}; got {fmt!r}")
        self.fmt = fmt

    def path(self, index: int) -> Path:
        """Return the file of cube ``index`` (0-based): ``cube_<index+1>.<fmt>``."""
        return self.folder / f"cube_{index + 1}.{self.fmt}"

    def existing(self) -> dict[int, Path]:
        """Return ``{index: path}`` of the cubes already in the folder."""
        return existing_cubes(self.folder)

    def clear(self) -> int:
        """Delete the folder's cube files; return how many files went."""
        hold_until_exit(self.folder)
        return remove_cubes(self.folder)

    def release(self) -> None:
        """Let other processes write the folder (this process took it on its first write)."""
        release(self.folder)

    def recorded_seed(self) -> int:
        """Return the root seed the folder's cubes record (all must agree)."""
        seeds = {cube_run(path).get("seed") for path in self.existing().values()}
        if len(seeds) != 1 or None in seeds:
            raise ValueError("the cubes in the folder record no common seed")
        return int(seeds.pop())  # type: ignore[arg-type]

    def done(self, run_id: str, n_cubes: int) -> set[int]:
        """Return the indices below ``n_cubes`` already written by run ``run_id``.

        Raises
        ------
        ValueError
            If a cube of the folder is of another format, or was made by another run.
        """
        existing = self.existing()
        for index, path in sorted(existing.items()):
            if path.suffix != f".{self.fmt}":
                raise ValueError(f"{path} is not a {self.fmt} cube; this run writes "
                                 f".{self.fmt} files")  # fmt: skip
            run = cube_run(path)
            if run.get("run_id") != run_id or run.get("index") != index:
                raise ValueError(f"{path} was made by another run (seed {run.get('seed')}, "
                                 "other options or version)")  # fmt: skip
        return {index for index in existing if index < n_cubes}

    def write(self, index: int, cube: Cube, params: Mapping[str, Any], run: Mapping[str, Any],
              scale: float = 1.0, extras: Mapping[str, np.ndarray] | None = None
              ) -> Path:  # fmt: skip
        """Write cube ``index`` (atomically, with what describes it); return its path."""
        from .._version import __version__

        hold_until_exit(self.folder)  # one writer: refused here, before anything is written
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "seed": run["seed"],
            "index": index,
            "file_number": index + 1,
            "run_id": run["run_id"],
            "version": __version__,
        }
        return self.writers[self.fmt](self.path(index), cube, params, record, scale,
                                      dict(extras or {}))  # fmt: skip
