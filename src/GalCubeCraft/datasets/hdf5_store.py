"""Datasets as HDF5 files: the same arrays as the Zarr store, written by one process.

HDF5 takes a single writer, so generation sends items back to the client, which writes
them here; a ``done`` flag per item is set after its arrays, then the file is flushed.
The only module that imports h5py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

try:
    import h5py
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise ImportError(
        "h5py is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error

from ..spec import DatasetSpec
from .items import ARRAY_NAMES, Item, array_shapes
from .stores import marker


class HDF5Store:
    """One HDF5 file holding a dataset (see the module docstring)."""

    format: ClassVar[str] = "hdf5"
    concurrent_writers: ClassVar[bool] = False

    def __init__(self, path: Path, spec: DatasetSpec, store_id: str) -> None:
        self.path = path
        self.spec = spec
        self.store_id = store_id
        self._handle: Any = None
        self._mode = ""

    @classmethod
    def create_at(cls, path: Path, spec: DatasetSpec, store_id: str) -> None:
        """Create an empty store at ``path``."""
        n = spec.n_cubes
        with h5py.File(path, "w-") as handle:
            for name, (shape, dtype, fill) in array_shapes(spec).items():
                compression = (
                    {"compression": "gzip", "compression_opts": 4} if len(shape) == 3 else {}
                )
                handle.create_dataset(
                    name, shape=(n, *shape), dtype=dtype, chunks=(1, *shape), fillvalue=fill,
                    **compression,
                )  # fmt: skip
            handle.create_dataset("done", shape=(n,), dtype="uint8")
            handle.attrs["galcubecraft_store"] = json.dumps(marker(cls.format, store_id))
            handle.attrs["spec"] = spec.to_toml()
            handle.attrs["units"] = "cubes Jy/beam; moment0 Jy/pixel km/s; velocities km/s"

    @classmethod
    def open(cls, path: Path) -> HDF5Store:
        """Open an existing store."""
        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("galcubecraft_store")
            if raw is None:
                raise ValueError(f"{path} is an HDF5 file, but not a GalCubeCraft dataset")
            record = json.loads(str(raw))
            spec = DatasetSpec.from_toml_text(str(handle.attrs["spec"]))
        return cls(path, spec, str(record["store_id"]))

    def _file(self, mode: str) -> Any:
        if self._handle is None or (mode == "r+" and self._mode != "r+"):
            self.close()
            self._handle = h5py.File(self.path, mode)
            self._mode = mode
        return self._handle

    def done_indices(self) -> np.ndarray:
        """Return the sorted indices of the items completely written."""
        return np.flatnonzero(self._file("r")["done"][:])

    def write_item(self, item: Item) -> None:
        """Write ``item``, mark it done and flush."""
        handle = self._file("r+")
        for name in ARRAY_NAMES:
            handle[name][item.index] = item.arrays[name]
        handle["done"][item.index] = 1
        handle.flush()

    def read_item(self, index: int) -> dict[str, Any]:
        """Return item ``index``; ``KeyError`` if it is not done."""
        handle = self._file("r")
        if not handle["done"][index]:
            raise KeyError(f"item {index} has not been written")
        return {"index": index, **{name: handle[name][index] for name in ARRAY_NAMES}}

    def parameter_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, rows)`` of the done items' parameter vectors."""
        done = self.done_indices()
        return done, self._file("r")["params"][:][done]

    def close(self) -> None:
        """Close the file."""
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._mode = ""

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the open file."""
        return {**self.__dict__, "_handle": None, "_mode": ""}
