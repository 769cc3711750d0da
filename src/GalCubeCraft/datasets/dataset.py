"""Map-style datasets (``__len__``, ``__getitem__``) for PyTorch and plain Python.

Items are dicts of NumPy arrays (``noisy``, ``clean``, ``moment0``, ``velocity_field``,
``params``) plus ``index``; ``torch.utils.data.DataLoader`` collates them into tensors
with its default ``collate_fn``, with any number of workers.  Neither class imports
torch: it stays an optional dependency.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import folder_store
from .items import parameter_names, read_stored_item, render_item
from .spec import DatasetSpec


class CubeDataset:
    """Items rendered on the fly from a spec: item ``i`` is a pure function of ``(spec, i)``."""

    def __init__(self, spec: DatasetSpec) -> None:
        if not isinstance(spec, DatasetSpec):
            raise TypeError(f"spec must be a DatasetSpec; got {type(spec).__name__}")
        self.spec = spec
        self.parameter_names = parameter_names(spec)

    def __len__(self) -> int:
        """Return the number of items."""
        return self.spec.n_cubes

    def __getitem__(self, index: int) -> dict[str, Any]:
        """Render and return item ``index``."""
        return render_item(self.spec, _check_index(index, len(self))).as_dict()


class StoreDataset:
    """Items read back from a Zarr store, an HDF5 file or an npy folder.

    The store is opened lazily in each process, so DataLoader workers (forked or
    spawned) each get their own handle.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"no dataset at {self.path}")
        self.format = _detect_format(self.path)
        if self.format == "zarr":
            from . import zarr_store

            self.spec = zarr_store.read_spec(self.path)
        elif self.format == "hdf5":
            from . import hdf5_store

            self.spec = hdf5_store.read_spec(self.path)
        else:
            self.spec = DatasetSpec.from_toml(self.path / "spec.toml")
        self.parameter_names = parameter_names(self.spec)
        self._handle: Any = None
        self._pid: int | None = None

    def __len__(self) -> int:
        """Return the number of items."""
        return self.spec.n_cubes

    def _open(self) -> Any:
        if self._handle is None or self._pid != os.getpid():
            if self.format == "zarr":
                from . import zarr_store

                self._handle = zarr_store.open_for_reading(self.path)
            elif self.format == "hdf5":
                from . import hdf5_store

                self._handle = hdf5_store.open_for_reading(self.path)
            self._pid = os.getpid()
        return self._handle

    def __getitem__(self, index: int) -> dict[str, Any]:
        """Read and return item ``index`` (KeyError if it was never written)."""
        index = _check_index(index, len(self))
        if self.format == "npy":
            return folder_store.read_npy_item(self.path, index)
        return read_stored_item(self._open(), index)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the open handle (DataLoader workers reopen it)."""
        state = dict(self.__dict__)
        state["_handle"] = None
        state["_pid"] = None
        return state


def _check_index(index: Any, length: int) -> int:
    import numbers

    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise TypeError(f"index must be an integer; got {type(index).__name__}")
    index = int(index)
    if index < 0:
        index += length
    if not 0 <= index < length:
        raise IndexError(f"index must lie in [0, {length - 1}]; got {index}")
    return index


def _detect_format(path: Path) -> str:
    if path.is_dir() and (path / "zarr.json").exists():
        return "zarr"
    if path.is_dir() and (path / "spec.toml").exists():
        return "npy"
    if path.is_file():
        return "hdf5"
    raise ValueError(f"{path} is not a GalCubeCraft dataset (Zarr store, HDF5 file or npy folder)")


def parameter_table(path: str | os.PathLike[str]) -> Any:
    """Return a stored dataset's parameter table as a ``pandas.DataFrame``, one row per cube."""
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise ImportError("parameter tables need pandas: pip install 'GalCubeCraft[ml]'") from error

    path = Path(path)
    fmt = _detect_format(path)
    if fmt == "zarr":
        from . import zarr_store

        names, rows = zarr_store.read_table(path)
    elif fmt == "hdf5":
        from . import hdf5_store

        names, rows = hdf5_store.read_table(path)
    else:
        spec = DatasetSpec.from_toml(path / "spec.toml")
        names = parameter_names(spec)
        import numpy as np

        rows = np.array([folder_store.read_npy_item(path, i)["params"]
                         for i in folder_store.done_indices(path, "npy")])  # fmt: skip
    return pd.DataFrame(rows, columns=names)
