"""Datasets as Zarr stores: one compressed chunk per cube, written by any worker at once.

Layout (one group): one array per item array (:func:`~.items.array_names`) with the item
index first, chunked one item per chunk, so workers never share a chunk, each chunk a
file in its array's folder (flat keys, ``c.<index>.0.0.0``: stores written before keep
Zarr's nested ones, which read as well); the spec's TOML and the store's record in the
group attributes.  An item is done once the file ``items_done/<index>`` exists, written
(atomically, holding the CRC-32 of each of the item's arrays; stores written before
those: one for the item) after all its chunks: one directory listing finds every done
item, however large the store.  A read opens each array once per store object, reads
only the arrays asked for, and checks their checksums when asked.  An item's chunks are
encoded here and written as files (:class:`_ChunkFiles`: the bytes and keys Zarr would
write, in a fifth of the CPU time of its asynchronous pipeline per 40 x 64^2 item), each
atomically: written in ``items_done`` (whose scan at a resume removes what a killed run
left), then renamed into place.  The only module of :mod:`~GalCubeCraft.datasets` that
imports zarr (and numcodecs, which zarr brings).
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
    import numcodecs
    import zarr
    from zarr.codecs import BloscCodec, BytesCodec
    from zarr.core.sync import sync  # Zarr's own bridge to its event loop
    from zarr.storage import LocalStore
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise MissingExtraError(
        "zarr is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error

from .._support.atomic import write_bytes
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
_CHUNK_KEYS: dict[str, Any] = {"name": "default", "separator": "."}
"""The chunk key encoding of new stores: flat keys (``c.<index>.0.0.0``), every chunk a file
in its array's folder, so an item adds no folders (Zarr's default, ``c/<index>/0/0/0``,
made three per array per item).  Stores written with nested keys keep them: Zarr reads
the encoding from each array's metadata."""


def _write_chunks(arrays: list[tuple[Any, np.ndarray]], index: int) -> None:
    """Write each ``(zarr array, value)`` at ``index``, all in one pass of Zarr's event loop.

    The general path (:class:`_ChunkFiles` writes the chunks of the layouts this module
    creates).  One synchronous call per array costs a round trip to Zarr's I/O thread
    each; gathered, the chunks are encoded and written together.  Every write is
    awaited, and the first error raised after all end, so nothing is still being
    written when this returns or raises.
    """

    async def write_all() -> list[BaseException | None]:
        return await asyncio.gather(
            *(array.async_array.setitem(index, value) for array, value in arrays),
            return_exceptions=True,
        )

    for outcome in sync(write_all()):
        if isinstance(outcome, BaseException):
            raise outcome


_SHUFFLES = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}  # numcodecs.Blosc's numbers


class _ChunkFiles:
    """Writes one item's chunk of a Zarr array as a file: Zarr's bytes, without its pipeline.

    For the arrays this module creates (a local store, one item per chunk, the ``bytes``
    codec little-endian, optionally Blosc): the chunk is the item's array in C order,
    little-endian, compressed by the same Blosc settings (numcodecs, as Zarr's own codec
    calls it), stored under Zarr's chunk key.  Zarr's asynchronous write of a 40 x 64^2
    item (its indexing, a fill-value comparison of every chunk, a thread hand-off per
    chunk) took 10 ms CPU; this takes 2.  :meth:`for_array` returns None for any other
    array, which Zarr then writes itself (:func:`_write_chunks`).
    """

    def __init__(self, array: Any, folder: str, encoder: Any, scratch: str) -> None:
        self.array = array
        self.folder = folder
        self.scratch = scratch  # where chunks are written before their rename into place
        self.encoder = encoder  # numcodecs.Blosc, or None: the raw bytes
        self.shape = tuple(array.shape[1:])
        self.dtype = np.dtype(array.dtype).newbyteorder("<")

    @classmethod
    def for_array(cls, array: Any, scratch: str) -> _ChunkFiles | None:
        """Return the writer of ``array``'s chunks, or None if Zarr must write them.

        ``scratch``: the folder of the temporary files (the store's ``items_done``, whose
        scan at a resume removes those a killed run left).
        """
        store = array.store_path.store
        metadata = array.metadata
        if (not isinstance(store, LocalStore) or metadata.zarr_format != 3
                or tuple(array.chunks) != (1, *array.shape[1:])):  # fmt: skip
            return None
        codecs = tuple(metadata.codecs)
        if not codecs or not isinstance(codecs[0], BytesCodec):
            return None
        if codecs[0].endian is not None and codecs[0].endian.value != "little":
            return None
        encoder = None
        if len(codecs) == 2 and isinstance(codecs[1], BloscCodec):
            blosc = codecs[1]
            encoder = numcodecs.Blosc(
                cname=blosc.cname.value,
                clevel=blosc.clevel,
                shuffle=_SHUFFLES[blosc.shuffle.value],
                blocksize=blosc.blocksize,
                typesize=blosc.typesize,
            )
        elif len(codecs) != 1:
            return None
        return cls(array, os.path.join(store.root, array.store_path.path), encoder, scratch)

    def encode(self, name: str, value: np.ndarray) -> Any:
        """Return the chunk's bytes for ``value``; ValueError if its shape is not the store's."""
        if np.shape(value) != self.shape:
            raise ValueError(f"item array {name!r} has shape {np.shape(value)}; the store "
                             f"holds {self.shape} per item")  # fmt: skip
        raw = np.ascontiguousarray(value, dtype=self.dtype).reshape(-1).view(np.uint8)
        return raw.data if self.encoder is None else self.encoder.encode(raw)

    def write(self, index: int, encoded: Any) -> None:
        """Write item ``index``'s chunk file (atomically: complete, or not there)."""
        key = self.array.metadata.encode_chunk_key((index,) + (0,) * len(self.shape))
        final = os.path.join(self.folder, key)
        parent = os.path.dirname(final)
        if parent != self.folder:  # nested keys (older stores): a folder per item
            os.makedirs(parent, exist_ok=True)
        write_bytes(final, encoded, self.scratch)


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
        self._files: dict[str, _ChunkFiles | None] = {}  # chunk writers (None: Zarr's)
        self._names = array_names(spec, layout)  # a store of an earlier layout holds fewer
        self._done = DoneMask(spec.n_cubes)
        self._scratch = os.path.join(path, _DONE)  # the done markers, and the temporaries

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
                name, shape=(n, *shape), chunks=(1, *shape), dtype=dtype, fill_value=fill,
                chunk_key_encoding=_CHUNK_KEYS, **codecs,
            )  # fmt: skip
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
        """Write ``item`` into its own chunks, then mark it done with its checksum.

        Every chunk is encoded before any is written (an array of the wrong shape writes
        nothing); the item is marked done only after all its chunks are written.
        """
        direct, general = [], []
        for name in self._names:
            if name not in self._files:
                self._files[name] = _ChunkFiles.for_array(self._array(name), self._scratch)
            files = self._files[name]
            if files is None:
                general.append((self._array(name), item.arrays[name]))
            else:
                direct.append((files, files.encode(name, item.arrays[name])))
        for files, encoded in direct:
            files.write(item.index, encoded)
        if general:
            _write_chunks(general, item.index)
        record = json.dumps({"arrays": array_checksums(item.arrays)}).encode()
        write_bytes(os.path.join(self._scratch, str(item.index)), record)

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
        self._files.clear()
