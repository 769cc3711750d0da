"""Datasets as Zarr stores: one compressed chunk per cube, written by any worker at once.

Layout (one group): one array per item array (:func:`~.items.array_names`) with the item
index first, chunked one item per chunk, so workers never share a chunk; the spec's TOML
and the store's record in the group attributes.  An item is done once the file
``items_done/<index>`` exists, written (atomically, holding the CRC-32 of each of the
item's arrays; stores written before those: one for the item) after all its chunks: one
directory listing finds every done item, however large the store.  A read opens each
array once per store object, reads only the arrays asked for, and checks their checksums
when asked.  The only module that imports zarr.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._support.extras import MissingExtraError

try:
    import zarr
    from zarr.codecs import BloscCodec
    from zarr.core.sync import sync  # Zarr's own bridge to its event loop
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise MissingExtraError(
        "zarr is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error

from .._support.atomic import atomic_path
from ..priors.spec import DatasetSpec
from .checksums import array_checksums, check_arrays, damaged, damaged_arrays
from .items import Item, array_names, array_shapes, check_item
from .layouts import store_layout
from .reading import DoneMask, selected
from .stores import FORMAT_VERSION, check_record, is_unfinished, marker

# Fast LZ4 with byte shuffle for model products; the noisy cube is stored raw, as noise
# does not compress (6% smaller at twice the write time).  Together this keeps writing
# a small fraction of rendering.
_CUBE_CODEC = BloscCodec(cname="lz4", clevel=1, shuffle="shuffle")
_DONE = "items_done"


def _write_chunks(arrays: list[tuple[Any, np.ndarray]], index: int) -> None:
    """Write each ``(zarr array, value)`` at ``index``, all in one pass of Zarr's event loop.

    One synchronous call per array costs a round trip to Zarr's I/O thread each (a third
    of a 40 x 64^2 item's write time went there); gathered, the chunks are encoded and
    written together.  Every write is awaited, and the first error raised after all end,
    so nothing is still being written when this returns or raises.
    """

    async def write_all() -> list[BaseException | None]:
        return await asyncio.gather(
            *(array.async_array.setitem(index, value) for array, value in arrays),
            return_exceptions=True,
        )

    for outcome in sync(write_all()):
        if isinstance(outcome, BaseException):
            raise outcome


class ZarrStore:
    """A Zarr v3 group holding a dataset (see the module docstring)."""

    format: ClassVar[str] = "zarr"
    concurrent_writers: ClassVar[bool] = True

    def __init__(
        self, path: Path, spec: DatasetSpec, store_id: str, group: Any, layout: int = FORMAT_VERSION
    ) -> None:
        self.path = path
        self.spec = spec
        self.store_id = store_id
        self.record: dict[str, Any] = {}  # the stored marker, set by open()
        self.layout = layout  # the stored layout (open() reads it from the record)
        self._group = group
        self._arrays: dict[str, Any] = {}  # array handles, opened once: reads reuse them
        self._names = array_names(spec, layout)  # a store of an earlier layout holds fewer
        self._done = DoneMask(spec.n_cubes)

    @classmethod
    def create_at(cls, path: Path, spec: DatasetSpec, store_id: str) -> None:
        """Create an empty store at ``path``."""
        group = zarr.open_group(path, mode="w-")
        n = spec.n_cubes
        for name, (shape, dtype, fill) in array_shapes(spec).items():
            codecs: dict[str, Any] = {"compressors": None}
            if dtype == "float32" and name != "noisy":
                codecs = {"compressors": _CUBE_CODEC}
            group.create_array(
                name, shape=(n, *shape), chunks=(1, *shape), dtype=dtype, fill_value=fill, **codecs
            )
        group.attrs.update(
            {"galcubecraft_store": marker(cls.format, store_id, spec), "spec": spec.to_toml(),
             "units": "cubes Jy/beam; moment0 Jy/pixel km/s; velocities km/s"}
        )  # fmt: skip
        (path / _DONE).mkdir()

    @classmethod
    def open(cls, path: Path) -> ZarrStore:
        """Open an existing store."""
        group = zarr.open_group(path, mode="r+")
        record = dict(group.attrs.get("galcubecraft_store") or {})  # type: ignore[arg-type]
        if not record:
            raise ValueError(f"{path} is a Zarr group, but not a GalCubeCraft dataset")
        store_id = check_record(record, cls.format, path)
        spec = DatasetSpec.from_stored(str(group.attrs["spec"]), f"{path}: ")
        store = cls(path, spec, store_id, group, store_layout(record))
        store.record = record
        return store

    def _array(self, name: str) -> Any:
        if name not in self._arrays:
            self._arrays[name] = self._group[name]
        return self._arrays[name]

    def done_indices(self, remove_unfinished: bool = False) -> np.ndarray:
        """Return the sorted indices of the items completely written (one listing)."""
        names = os.listdir(self.path / _DONE)
        if remove_unfinished:
            for name in filter(is_unfinished, names):
                (self.path / _DONE / name).unlink(missing_ok=True)
        return np.array(sorted(int(n) for n in names if n.isdigit()), dtype=np.int64)

    def write_item(self, item: Item) -> None:
        """Write ``item`` into its own chunks, then mark it done with its checksum."""
        _write_chunks([(self._array(name), item.arrays[name]) for name in self._names],
                      item.index)  # fmt: skip
        with atomic_path(self.path / _DONE / str(item.index)) as temporary:
            temporary.write_text(json.dumps({"arrays": array_checksums(item.arrays)}))

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index``'s ``arrays`` (default all), reading no other array.

        ``KeyError`` if the item is not done; ``DamagedItemError`` if an array read cannot
        be decoded or, with ``verify``, does not match its recorded checksum.
        """
        names = selected(self._names, arrays)
        if not self._done.holds(index, self.done_indices):
            raise KeyError(f"item {index} has not been written")
        recorded = self._recorded(index) if verify else None
        legacy = isinstance(recorded, int)  # one checksum over the whole item: read it all
        read: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name in self._names if legacy else names:
            try:
                read[name] = self._array(name)[index]
            except (ValueError, RuntimeError, OSError, TypeError) as error:  # a chunk undecodable
                problems[name] = f"cannot be decoded: {error}"
        if problems:
            raise damaged_arrays(str(self.path), index, problems)
        if isinstance(recorded, int):
            check_item(read, recorded, str(self.path), index)
        elif recorded is not None:
            check_arrays(read, recorded, str(self.path), index)
        return {"index": index, **{name: read[name] for name in names}}

    def _recorded(self, index: int) -> dict[str, int] | int:
        """Return item ``index``'s recorded CRC-32s (an int: one for the whole item)."""
        try:
            recorded = (self.path / _DONE / str(index)).read_text()
        except FileNotFoundError:  # done (its marker was seen), so the marker was lost
            raise damaged(str(self.path), index, f"its record {_DONE}/{index} is lost") from None
        if recorded.strip().isdigit():  # written before per-array checksums
            return int(recorded)
        try:
            return {str(k): int(v) for k, v in dict(json.loads(recorded)["arrays"]).items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            why = f"its record {_DONE}/{index} is unreadable"
            raise damaged(str(self.path), index, why) from None

    def parameter_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, rows)`` of the done items' parameter vectors."""
        return self.array_rows("params")

    def array_rows(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, arrays)``: array ``name`` of every done item, stacked."""
        done = self.done_indices()
        return done, np.asarray(self._array(name)[:])[done]

    def close(self) -> None:
        """Nothing to release: Zarr keeps no open file."""
        self._arrays.clear()
