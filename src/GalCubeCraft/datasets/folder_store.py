"""Datasets as folders of files, one set per item: ``.npy`` arrays or FITS cubes.

npy: ``<i>_noisy.npy``, ``<i>_clean.npy``, ``<i>_moment0.npy``, ``<i>_velocity_field.npy``
and ``<i>_params.npy`` (written last: its presence marks the item done).
FITS: ``<i>.fits`` with the noisy cube (and the generating parameters in its header),
the clean cube in extension ``CLEAN`` and the truth maps in ``MOMENT0``; pixels get an
angular scale from the spec's redshift.  Every file is written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..io.fits import write_fits
from ..io.npy import save_npy
from ..sky import frame_for_pixel_scale
from .items import ARRAY_NAMES, Item, galaxies_from_params
from .spec import DatasetSpec

NPY_PARTS = ARRAY_NAMES  # params last: its file marks the item done


def _stem(index: int) -> str:
    return f"{index:06d}"


def open_folder(path: str | os.PathLike[str], spec: DatasetSpec) -> Path:
    """Create the folder (with ``spec.toml``), or check an existing one was made from ``spec``."""
    folder = Path(path)
    spec_file = folder / "spec.toml"
    if spec_file.exists():
        if DatasetSpec.from_toml(spec_file) != spec:
            raise ValueError(f"{folder} holds a dataset made from a different spec")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    spec.write_toml(spec_file)
    return folder


def write_item(folder: str | os.PathLike[str], spec: DatasetSpec, item: Item, fmt: str) -> None:
    """Write ``item`` as ``fmt`` ('npy' or 'fits') files."""
    folder = Path(folder)
    stem = _stem(item.index)
    if fmt == "npy":
        for part in NPY_PARTS:  # params last: its file marks the item done
            save_npy(folder / f"{stem}_{part}.npy", getattr(item, part))
        return
    pixel_kpc = float(item.params[1])
    frame = frame_for_pixel_scale(
        pixel_kpc, spec.grid_size, spec.n_chan, 2 * spec.v_max_kms / spec.n_chan,
        spec.beam_px, spec.redshift,
    )  # fmt: skip
    write_fits(
        folder / f"{stem}.fits", item.noisy, frame,
        galaxies=galaxies_from_params(spec, item.params), overwrite=True,
        extensions={"CLEAN": item.clean, "MOMENT0": item.moment0},
    )  # fmt: skip


def done_indices(folder: str | os.PathLike[str], fmt: str) -> np.ndarray:
    """Return the indices of the items fully written."""
    pattern = "*_params.npy" if fmt == "npy" else "*.fits"
    return np.array(sorted(int(p.name[:6]) for p in Path(folder).glob(pattern)), dtype=int)


def read_npy_item(folder: str | os.PathLike[str], index: int) -> dict[str, object]:
    """Return item ``index`` of an npy folder as a dict of arrays."""
    folder = Path(folder)
    stem = _stem(index)
    if not (folder / f"{stem}_params.npy").exists():
        raise KeyError(f"item {index} has not been written")
    return {"index": index, **{p: np.load(folder / f"{stem}_{p}.npy") for p in NPY_PARTS}}
