"""Datasets as HDF5 files: the same layout as the Zarr store, written by one process.

HDF5 does not take concurrent writers, so workers send items to the client, which writes
them here and flushes after each one.  The only module that imports h5py.
"""

from __future__ import annotations

import os

try:
    import h5py
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise ImportError(
        "h5py is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error
import numpy as np

from .items import ARRAY_NAMES, Item, parameter_names
from .spec import DatasetSpec


def create_or_open(path: str | os.PathLike[str], spec: DatasetSpec) -> h5py.File:
    """Create the file for ``spec`` at ``path``, or open it if it was made from ``spec``."""
    if os.path.exists(path):
        handle = h5py.File(path, "r+")
        stored = handle.attrs.get("spec")
        if stored is None or DatasetSpec.from_toml_text(str(stored)) != spec:
            handle.close()
            raise ValueError(
                f"{path} holds a dataset made from a different spec; choose a new path"
            )
        return handle
    n, (c, y, x) = spec.n_cubes, spec.shape
    handle = h5py.File(path, "w")
    cube = {
        "dtype": "float32",
        "chunks": (1, c, y, x),
        "compression": "gzip",
        "compression_opts": 4,
    }
    handle.create_dataset("noisy", shape=(n, c, y, x), **cube)
    handle.create_dataset("clean", shape=(n, c, y, x), **cube)
    handle.create_dataset("moment0", shape=(n, y, x), dtype="float32", chunks=(1, y, x))
    handle.create_dataset(
        "velocity_field", shape=(n, y, x), dtype="float32", chunks=(1, y, x), fillvalue=np.nan
    )
    handle.create_dataset(
        "params", shape=(n, len(parameter_names(spec))), dtype="float64", fillvalue=np.nan
    )
    handle.create_dataset("done", shape=(n,), dtype="uint8")
    handle.attrs["spec"] = spec.to_toml()
    handle.attrs["parameter_names"] = parameter_names(spec)
    handle.attrs["units"] = "cubes Jy/beam; moment0 Jy/pixel km/s"
    return handle


def write_item(handle: h5py.File, item: Item) -> None:
    """Write ``item``, mark it done and flush."""
    i = item.index
    for name in ARRAY_NAMES:
        handle[name][i] = getattr(item, name)
    handle["done"][i] = 1
    handle.flush()


def done_indices(path: str | os.PathLike[str]) -> np.ndarray:
    """Return the indices of the items fully written."""
    with h5py.File(path, "r") as handle:
        return np.flatnonzero(handle["done"][:])


def read_spec(path: str | os.PathLike[str]) -> DatasetSpec:
    """Return the spec stored with a dataset."""
    with h5py.File(path, "r") as handle:
        return DatasetSpec.from_toml_text(str(handle.attrs["spec"]))


def open_for_reading(path: str | os.PathLike[str]) -> h5py.File:
    """Open a file read-only."""
    return h5py.File(path, "r")


def read_table(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Return (column names, all parameter rows)."""
    with h5py.File(path, "r") as handle:
        return [str(n) for n in handle.attrs["parameter_names"]], handle["params"][:]
