"""Map-style datasets (``__len__``, ``__getitem__``) for PyTorch and plain Python.

Items are dicts of NumPy arrays (:data:`~GalCubeCraft.datasets.items.ARRAY_NAMES`: noisy
and clean cubes, per-galaxy clean cubes, truth maps, labels (segmentation, noiseless
moments, the galaxy catalogue), per-galaxy positions and systemic velocities, the
parameter vector) plus ``index``; ``torch.utils.data.DataLoader``
collates them into tensors with its default ``collate_fn``, with any number of workers.
Neither class imports torch: it stays an optional dependency.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..priors.spec import DatasetSpec
from .items import array_names, parameter_names, render_item
from .stores import Store, open_store


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
    """Items read back from any store (Zarr, HDF5, npy folder, FITS folder).

    The store is opened lazily in each process, so DataLoader workers (forked or
    spawned) each get their own handle.

    Parameters
    ----------
    path : str or os.PathLike
        The store.
    arrays : sequence of str, optional
        The item arrays to return (``index`` always comes too), e.g. ``("noisy",
        "clean")`` for a denoiser: a batch of 64 items of 40 x 125^2 then collates 320 MB
        instead of 864 MB.  Every array is still read, to check the item's checksum:
        a damaged item is reported whichever arrays are asked for.  Default: all.
    """

    def __init__(self, path: str | os.PathLike[str], arrays: Sequence[str] | None = None) -> None:
        self.path = Path(path)
        store = open_store(self.path)
        self.format = store.format
        self.spec = store.spec
        self.layout = store.layout  # a store of an earlier layout holds fewer arrays
        store.close()
        self.parameter_names = parameter_names(self.spec, self.layout)
        available = array_names(self.spec, self.layout)
        if arrays is not None:
            if isinstance(arrays, str):
                raise TypeError("arrays must be a sequence of array names, not one string")
            unknown = [name for name in arrays if name not in available]
            if unknown or not arrays:
                raise ValueError(
                    f"arrays must name some of this store's arrays {list(available)}; "
                    f"got {list(arrays)}"
                )
        self.arrays = tuple(available if arrays is None else arrays)
        self._store: Store | None = None
        self._pid: int | None = None

    def __len__(self) -> int:
        """Return the number of items."""
        return self.spec.n_cubes

    def _open(self) -> Store:
        if self._store is None or self._pid != os.getpid():
            self._store = open_store(self.path)
            self._pid = os.getpid()
        return self._store

    def done_indices(self) -> list[int]:
        """Return the indices of the items written so far."""
        return [int(i) for i in self._open().done_indices()]

    def __getitem__(self, index: int) -> dict[str, Any]:
        """Read and return item ``index``'s chosen arrays (KeyError if it was never written)."""
        item = self._open().read_item(_check_index(index, len(self)))
        return {"index": item["index"], **{name: item[name] for name in self.arrays}}

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the open store (DataLoader workers reopen it)."""
        return {**self.__dict__, "_store": None, "_pid": None}


def _check_index(index: Any, length: int) -> int:
    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise TypeError(f"index must be an integer; got {type(index).__name__}")
    index = int(index)
    if index < 0:
        index += length
    if not 0 <= index < length:
        raise IndexError(f"index must lie in [0, {length - 1}]; got {index}")
    return index
