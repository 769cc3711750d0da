"""Datasets as HDF5 files: the same arrays as the Zarr store, written by one process.

HDF5 takes a single writer, so generation sends items back to the client, which writes
them here.  HDF5 keeps its own bookkeeping inside the file, and a writer killed, or
refused disk space, while that bookkeeping changes can leave the file unreadable.  So
the file's whole layout is fixed when the store is created: every dataset is contiguous
and allocated at once (the file is sparse until written), and afterwards only the bytes
of items change.  An item is then made durable before it is marked done:

1. its arrays are written and the file is flushed;
2. they are read back and compared with what was written: a write that never reached the
   file (HDF5 can drop the error of a full disk) fails here, loudly;
3. only then are its checksum and ``done`` flag set and the file flushed again.

A kill at any point leaves the item not done (it is rewritten on resume) or done and
whole; reading an item with ``verify`` checks its checksums, so a damaged one raises
instead of being returned.  Reads look each dataset up once per open file, and the done
flags up once per store object (:class:`~.reading.DoneMask`).  The price of a fixed
layout is no compression: use Zarr for compact stores.
The only module that imports h5py.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._support.extras import MissingExtraError

try:
    import h5py
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise MissingExtraError(
        "h5py is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error

from ..priors.spec import DatasetSpec
from .checksums import array_checksums, check_arrays
from .disk_full import DiskFullError
from .items import (
    Item,
    array_names,
    array_shapes,
    check_item,
    item_checksum,
    parameter_names,
    stored_column,
)
from .layouts import store_layout
from .reading import DoneMask, selected
from .stores import FORMAT_VERSION, check_record, marker

_METADATA_BYTES = 1 << 20  # room for HDF5's own records, besides the arrays


def _check_size_limit(path: Path, size: int) -> None:
    """Raise :class:`DiskFullError` if this process may not write a file of ``size`` bytes.

    ``ulimit -f`` (``RLIMIT_FSIZE``) fails writes past it as a full disk does.
    """
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit != resource.RLIM_INFINITY and size > limit:
        raise DiskFullError(
            errno.EFBIG,
            f"{path}: an HDF5 store of {size / 2**20:.1f} MiB is larger than this process may "
            f"write ({limit / 2**20:.1f} MiB, 'ulimit -f'): raise the limit, or make a "
            "smaller dataset",
        )


def _reserve(path: Path) -> None:
    """Allocate every block of the (sparse) file, or raise :class:`DiskFullError`."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.posix_fallocate(fd, 0, os.fstat(fd).st_size)
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EINVAL):  # cannot reserve here: write on
            return
        reason = os.strerror(error.errno or errno.ENOSPC)
        raise DiskFullError(
            error.errno,
            f"{path}: out of disk space while reserving the store's space "
            f"({reason}): free some space, or choose another disk",
        ) from None
    finally:
        os.close(fd)


class HDF5Store:
    """One HDF5 file holding a dataset (see the module docstring)."""

    format: ClassVar[str] = "hdf5"
    concurrent_writers: ClassVar[bool] = False

    def __init__(
        self, path: Path, spec: DatasetSpec, store_id: str, layout: int = FORMAT_VERSION
    ) -> None:
        self.path = path
        self.spec = spec
        self.store_id = store_id
        self.record: dict[str, Any] = {}  # the stored marker, set by open()
        self.layout = layout  # the stored layout (open() reads it from the record)
        self._handle: Any = None
        self._mode = ""
        self._datasets: dict[str, Any] = {}  # of the open file, for reads
        self._names = array_names(spec, layout)  # a store of an earlier layout holds fewer
        self._done = DoneMask(spec.n_cubes)

    @classmethod
    def create_at(cls, path: Path, spec: DatasetSpec, store_id: str) -> None:
        """Create an empty store at ``path``, its layout fixed for good."""
        n = spec.n_cubes
        # Contiguous datasets, all space allocated now, nothing filled (an item is read
        # only once written whole): the file's structure never changes again.
        layout = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        layout.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        layout.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        # HDF5 cannot recover from a full disk (its clean-up then fails again, and the
        # process can crash at exit): check the room first, and reserve every block of
        # the file once it is laid out, so that writing items never needs new space.
        need = sum(
            n * int(np.prod(shape)) * np.dtype(dtype).itemsize
            for shape, dtype, _fill in array_shapes(spec).values()
        )
        free = shutil.disk_usage(path.parent).free
        if need + _METADATA_BYTES > free:
            raise DiskFullError(
                errno.ENOSPC,
                f"{path.parent}: out of disk space for an HDF5 store of {need / 2**20:.1f} MiB "
                f"({free / 2**20:.1f} MiB free): free some space, or choose another disk",
            )
        # ``path`` is the temporary name of a store being created: name the store.
        _check_size_limit(path.with_name(path.name[1:].split(".creating-")[0]),
                          need + _METADATA_BYTES)  # fmt: skip
        with h5py.File(path, "w-") as handle:
            for name, (shape, dtype, _fill) in array_shapes(spec).items():
                handle.create_dataset(name, shape=(n, *shape), dtype=dtype, dcpl=layout)
            handle.create_dataset("checksum", shape=(n,), dtype="uint32", dcpl=layout)
            # Each array's CRC-32 (columns in array_names order): a damaged read names it.
            width = len(array_names(spec))
            handle.create_dataset("checksums", shape=(n, width), dtype="uint32", dcpl=layout)
            done = handle.create_dataset("done", shape=(n,), dtype="uint8", dcpl=layout)
            done[...] = 0  # the flags are read before any item is written: zeros, really
            handle.attrs["galcubecraft_store"] = json.dumps(marker(cls.format, store_id, spec))
            handle.attrs["spec"] = spec.to_toml()
            handle.attrs["units"] = "cubes Jy/beam; moment0 Jy/pixel km/s; velocities km/s"
            # The params columns by name, so the file describes itself.
            handle.attrs["parameter_columns"] = json.dumps(parameter_names(spec))
        _reserve(path)

    @classmethod
    def open(cls, path: Path) -> HDF5Store:
        """Open an existing store."""
        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("galcubecraft_store")
            if raw is None:
                raise ValueError(f"{path} is an HDF5 file, but not a GalCubeCraft dataset")
            record = json.loads(str(raw))
            store_id = check_record(record, cls.format, path)
            spec = DatasetSpec.from_stored(str(handle.attrs["spec"]), f"{path}: ")
        store = cls(path, spec, store_id, store_layout(record))
        store.record = record
        return store

    def _file(self, mode: str) -> Any:
        if self._handle is None or (mode == "r+" and self._mode != "r+"):
            if mode == "r+":  # HDF5 cannot recover from a write refused for its size
                _check_size_limit(self.path, self.path.stat().st_size)
            self.close()
            self._handle = h5py.File(self.path, mode)
            self._mode = mode
        return self._handle

    def done_indices(self, remove_unfinished: bool = False) -> np.ndarray:
        """Return the sorted indices of the items completely written (one file: no leftovers)."""
        return np.flatnonzero(self._file("r")["done"][:])

    def write_item(self, item: Item) -> None:
        """Write ``item`` durably, then mark it done (see the module docstring).

        Raises
        ------
        OSError
            If the arrays read back differ from those written (e.g. the disk is full).
        """
        handle = self._file("r+")
        index = item.index
        for name in self._names:
            handle[name][index] = item.arrays[name]
        handle.flush()
        checksum = item_checksum(item.arrays)
        if item_checksum({name: handle[name][index] for name in self._names}) != checksum:
            raise OSError(
                f"{self.path}: item {index} did not reach the file (is the disk full?); "
                "it is not marked done"
            )
        handle["checksum"][index] = checksum
        if "checksums" in handle:  # stores written before per-array checksums lack it
            crcs = array_checksums(item.arrays)
            handle["checksums"][index] = [crcs[name] for name in self._names]
        handle["done"][index] = 1
        handle.flush()

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index``'s ``arrays`` (default all), reading no other array.

        ``KeyError`` if the item is not done; with ``verify``, ``DamagedItemError`` if an
        array read does not match its recorded checksum.
        """
        names = selected(self._names, arrays)
        if not self._done.holds(index, self.done_indices):
            raise KeyError(f"item {index} has not been written")
        # Stores written before per-array checksums hold one CRC-32 for the whole item.
        legacy = verify and "checksums" not in self._file("r")
        read = {name: self._dataset(name)[index] for name in (self._names if legacy else names)}
        if legacy:
            check_item(read, int(self._dataset("checksum")[index]), str(self.path), index)
        elif verify:
            row = self._dataset("checksums")[index].tolist()
            crcs = dict(zip(self._names, row, strict=True))
            check_arrays(read, crcs, str(self.path), index)
        return {"index": index, **{name: read[name] for name in names}}

    def _dataset(self, name: str) -> Any:
        """Return the open file's dataset ``name`` (looked up once per open file)."""
        if name not in self._datasets:
            self._datasets[name] = self._file("r")[name]
        return self._datasets[name]

    def parameter_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, rows)`` of the done items' parameter vectors."""
        return self.array_rows("params")

    def array_rows(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, arrays)``: array ``name`` of every done item, stacked."""
        done = self.done_indices()
        return done, self._file("r")[name][:][done]

    def parameter_columns(self) -> list[str]:
        """Return the names of the ``params`` columns (a store that records none: the spec's)."""
        raw = self._file("r").attrs.get("parameter_columns")
        if raw is None:  # written before stores recorded their columns
            return parameter_names(self.spec, self.layout)
        return [stored_column(name) for name in json.loads(str(raw))]

    def close(self) -> None:
        """Close the file."""
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._mode = ""
        self._datasets = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the open file."""
        return {**self.__dict__, "_handle": None, "_mode": "", "_datasets": {}}
