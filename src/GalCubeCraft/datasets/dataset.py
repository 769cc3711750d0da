"""Map-style datasets (``__len__``, ``__getitem__``) for PyTorch and plain Python.

Items are dicts of NumPy arrays (:data:`~GalCubeCraft.datasets.items.ARRAY_NAMES`: noisy
and clean cubes, per-galaxy clean cubes, truth maps, labels (segmentation, noiseless
moments, the galaxy catalogue), per-galaxy positions and systemic velocities, the
parameter vector) plus ``index``; ``torch.utils.data.DataLoader``
collates them into tensors with its default ``collate_fn``, with any number of workers.
Both take a ``transform`` (:mod:`~GalCubeCraft.datasets.transforms`) and split into
train / validation / test subsets by index (:mod:`~GalCubeCraft.datasets.splits`).
Neither class imports torch: it stays an optional dependency.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..priors.spec import DatasetSpec
from .items import array_names, parameter_names, render_item
from .reading import selected
from .splits import Subset, split_indices
from .stores import Store, open_store
from .transforms import needs_of
from .verify import VerifyReport, verify_store

Transform = Callable[[dict[str, Any]], dict[str, Any]]


class _Splittable:
    """What both datasets share: a length, and splits by index."""

    def __len__(self) -> int:
        raise NotImplementedError

    def split(
        self,
        fractions: Sequence[float] = (0.8, 0.1, 0.1),
        seed: int = 0,
        *,
        stable: bool = False,
        group: int = 1,
    ) -> tuple[Subset, ...]:
        """Return disjoint subsets covering the dataset, e.g. train, validation and test.

        The indices are :func:`~GalCubeCraft.datasets.splits.split_indices` of
        ``len(self)`` (the spec's item count, whether written yet or not); the arguments
        are its.  Each :class:`~GalCubeCraft.datasets.splits.Subset` is a map-style
        dataset a ``DataLoader`` takes, like ``torch.utils.data.Subset``.
        """
        parts = split_indices(len(self), fractions, seed, stable=stable, group=group)
        return tuple(Subset(self, indices) for indices in parts)


def _check_transform(transform: Any) -> None:
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable or None; got {transform!r}")


class CubeDataset(_Splittable):
    """Items rendered on the fly from a spec: item ``i`` is a pure function of ``(spec, i)``.

    Parameters
    ----------
    spec : DatasetSpec
        What to render.
    transform : callable, optional
        Applied to each item before it is returned (:mod:`~GalCubeCraft.datasets.transforms`).
    """

    def __init__(self, spec: DatasetSpec, transform: Transform | None = None) -> None:
        if not isinstance(spec, DatasetSpec):
            raise TypeError(f"spec must be a DatasetSpec; got {type(spec).__name__}")
        _check_transform(transform)
        self.spec = spec
        self.parameter_names = parameter_names(spec)
        self.transform = transform

    def __len__(self) -> int:
        """Return the number of items."""
        return self.spec.n_cubes

    def __getitem__(self, index: int) -> dict[str, Any]:
        """Render and return item ``index``."""
        item = render_item(self.spec, _check_index(index, len(self))).as_dict()
        return item if self.transform is None else self.transform(item)


class StoreDataset(_Splittable):
    """Items read back from any store (Zarr, HDF5, npy folder, FITS folder).

    The store is opened lazily in each process, so DataLoader workers (forked or
    spawned) each get their own handle; each process then reuses its handles and its
    knowledge of which items are done.

    Parameters
    ----------
    path : str or os.PathLike
        The store.
    arrays : sequence of str, optional
        The item arrays to return (``index`` always comes too), e.g. ``("noisy",
        "clean")`` for a denoiser.  Only these arrays are read from the store.
        Default: all.
    verify_reads : bool
        Check each array read against the checksum recorded when it was written, raising
        ``DamagedItemError`` on damage.  Off by default: check a store once with
        :meth:`verify` (or ``galcubecraft verify PATH``) instead of at every read.  An
        array that cannot be decoded at all raises either way.
    transform : callable, optional
        Applied to each item before it is returned
        (:mod:`~GalCubeCraft.datasets.transforms`); arrays it ``needs`` are read too,
        and dropped again unless asked for.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        arrays: Sequence[str] | None = None,
        *,
        verify_reads: bool = False,
        transform: Transform | None = None,
    ) -> None:
        self.path = Path(path)
        store = open_store(self.path)
        self.format = store.format
        self.spec = store.spec
        self.layout = store.layout  # a store of an earlier layout holds fewer arrays
        store.close()
        self.parameter_names = parameter_names(self.spec, self.layout)
        available = array_names(self.spec, self.layout)
        self.arrays = selected(available, arrays)
        _check_transform(transform)
        self.verify_reads = bool(verify_reads)
        self.transform = transform
        extra = tuple(name for name in needs_of(transform) if name not in self.arrays)
        if extra:
            selected(available, extra)  # the transform's needs must be the store's arrays
        self._read = self.arrays + extra
        self._extra = extra
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
        index = _check_index(index, len(self))
        item = self._open().read_item(index, self._read, self.verify_reads)
        if self.transform is None:
            return item
        item = self.transform(item)
        for name in self._extra:  # read only for the transform
            item.pop(name, None)
        return item

    def verify(self) -> VerifyReport:
        """Check every array of every written item once against its recorded checksum.

        Returns
        -------
        VerifyReport
            How many items were checked and every damaged one, with its arrays
            (:func:`~GalCubeCraft.datasets.verify.verify_store`).
        """
        return verify_store(self.path)

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
