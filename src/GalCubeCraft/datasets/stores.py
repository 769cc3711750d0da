"""The store contract, and the one table of stores that implement it.

A store holds the items of one :class:`~GalCubeCraft.priors.spec.DatasetSpec`.  Every format
(Zarr, HDF5, a folder of ``.npy`` files, a folder of FITS files) implements
:class:`Store`, and everything else (generation, :class:`StoreDataset`,
``parameter_table``) goes through :func:`open_store` and that protocol, never through
the format's name.  :data:`STORES` is the one table of formats: adding one is one entry
there (its class, default suffix, how its stores are recognised), and the contract tests
in ``tests/datasets/test_stores.py`` run over every entry.

A store records its own format, format version (its layout), a random ``store_id``, the
spec's TOML and the column names of its table arrays when it is created; creation
happens under a temporary name that is renamed into place, so a store is either complete
and recorded or absent.  Opening refuses, naming both sides, a store of another format
or one made from another spec.  A store of an earlier layout (:data:`READABLE_LAYOUTS`)
reads as it was written (:mod:`.layouts`), and takes no new items.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np

from .._support.lock import writer_lock
from ..priors.spec import DatasetSpec
from .items import Item, recorded_columns

FORMAT_VERSION = 6
"""The store layout written.  5: warp columns; lens and interferometer arrays and columns.
6: label arrays (segmentation, noiseless moments, catalogue), paired interferometric
products (model_convolved, residual, uv_weights), column names recorded."""
READABLE_LAYOUTS = (5, 6)
"""The layouts read (:mod:`.layouts` says what each holds)."""
PRODUCTS_VERSION = 2
"""What the renderer makes from a spec, by version (``FORMAT_VERSION`` is the layout).

2: spiral arms trail the rotation; interferometer tracks centre on their hour angle at
15 deg/h and every channel's noise takes the band's width.  A store of an older version
reads as it was written; a run adds no item to it where its spec reaches a change (arms,
an interferometer), as items of two kinds would then mix in one dataset.
"""
MARKER_FILE = "store.json"  # folder stores: format, version and id


@dataclass(frozen=True)
class StoreFormat:
    """One storage format: where its class lives and how its stores are recognised.

    Parameters
    ----------
    implementation : str
        ``"module:Class"`` implementing :class:`Store` (imported when first used, so
        Zarr and h5py load only for their own stores).
    suffix : str
        What a store path of this format ends with by default ('' for a folder).
    description : str
        One line for help texts.
    signature : bytes, optional
        A store that is one file starts with these bytes.
    folder_marker : str
        A store that is a folder holds this file; :data:`MARKER_FILE` (which records the
        format) unless the format's library writes its own.
    compresses : bool
        Whether the store compresses its arrays: the disk estimate then counts only the
        noisy cube, which does not compress.
    """

    implementation: str
    suffix: str
    description: str
    signature: bytes | None = None
    folder_marker: str = MARKER_FILE
    compresses: bool = False


STORES: Mapping[str, StoreFormat] = MappingProxyType(
    {
        "zarr": StoreFormat("GalCubeCraft.datasets.zarr_store:ZarrStore", ".zarr",
                            "a Zarr folder, one compressed chunk per cube",
                            folder_marker="zarr.json", compresses=True),
        "hdf5": StoreFormat("GalCubeCraft.datasets.hdf5_store:HDF5Store", ".h5",
                            "one HDF5 file of fixed-layout arrays",
                            signature=b"\x89HDF\r\n\x1a\n"),
        "npy": StoreFormat("GalCubeCraft.datasets.folder_store:NpyFolderStore", "",
                           "a folder of .npy files with JSON sidecars"),
        "fits": StoreFormat("GalCubeCraft.datasets.folder_store:FitsFolderStore", "",
                            "a folder of FITS cubes with their WCS"),
    }
)  # fmt: skip
"""Format name -> its :class:`StoreFormat`: adding a format is one entry here."""
FORMATS = tuple(STORES)  #: The store formats' names (``STORES``' keys).


class Store(Protocol):
    """What every dataset store does.

    Attributes
    ----------
    format : str
        Its key in :data:`STORES`.
    concurrent_writers : bool
        Whether several processes may write items at once (else the client writes).
    path : pathlib.Path
        Where it lives.
    spec : DatasetSpec
        The spec it was made from.
    store_id : str
        Random id given at creation (a store re-made at the same path gets a new one).
    record : dict
        What the store recorded about itself when it was opened (:func:`marker`).
    layout : int
        Its layout (``format_version``): :func:`~.items.array_names` of the spec at this
        layout are the arrays it holds.
    """

    format: ClassVar[str]
    concurrent_writers: ClassVar[bool]
    path: Path
    spec: DatasetSpec
    store_id: str
    record: dict[str, Any]
    layout: int

    @classmethod
    def create_at(cls, path: Path, spec: DatasetSpec, store_id: str) -> None:
        """Create an empty store at ``path`` (which does not exist), recording everything."""

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open an existing store, reading its recorded spec and id."""

    def done_indices(self, remove_unfinished: bool = False) -> np.ndarray:
        """Return the sorted indices of the items completely written.

        With ``remove_unfinished`` the same scan deletes unfinished files of killed runs
        (only while no other process writes to the store).
        """

    def write_item(self, item: Item) -> None:
        """Write ``item``, marking it done only once all its arrays are written."""

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index`` as :meth:`Item.as_dict`, with only ``arrays`` (default all).

        Reads no array but those asked for.  ``KeyError`` if the item is not done;
        ``DamagedItemError`` (naming every damaged array) if an array read cannot be
        decoded or, with ``verify``, does not match the checksum recorded at write.
        ``ValueError`` if ``arrays`` names an array the store does not hold.
        """

    def parameter_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, rows)`` of the parameter vectors of the done items."""

    def array_rows(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, arrays)``: array ``name`` of every done item, stacked."""

    def close(self) -> None:
        """Release open handles."""


def store_class(fmt: str) -> Any:
    """Return the class implementing format ``fmt`` (imports its library on first use)."""
    if fmt not in STORES:
        raise ValueError(f"format must be one of {FORMATS}; got {fmt!r}")
    module, name = STORES[fmt].implementation.split(":")
    return getattr(importlib.import_module(module), name)


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """Return the format recorded by the store at ``path``; None if nothing is there.

    Raises
    ------
    ValueError
        If ``path`` exists but holds no GalCubeCraft store (an empty folder is fine).
    """
    path = Path(path)
    if not path.exists():
        return None
    if path.is_dir():
        for fmt, entry in STORES.items():  # formats whose library writes its own marker
            if entry.folder_marker != MARKER_FILE and (path / entry.folder_marker).exists():
                return fmt
        marker = path / MARKER_FILE
        if marker.exists():
            return str(json.loads(marker.read_text())["format"])
        if not any(path.iterdir()):
            return None
        raise ValueError(
            f"{path} is a folder that holds no GalCubeCraft dataset; choose a new path"
        )
    with open(path, "rb") as handle:
        head = handle.read(max(len(e.signature or b"") for e in STORES.values()))
    for fmt, entry in STORES.items():
        if entry.signature is not None and head.startswith(entry.signature):
            return fmt
    raise ValueError(f"{path} is a file that is not a GalCubeCraft dataset; choose a new path")


def describe_formats() -> str:
    """Return one line per store format, ``name: description``, for help texts."""
    return "\n".join(f"{name}: {entry.description}" for name, entry in STORES.items())


def marker(fmt: str, store_id: str, spec: DatasetSpec) -> dict[str, Any]:
    """Return what a store records about itself besides its spec.

    ``columns`` names the columns of its table arrays (``params``, ``catalogue``), so
    that they are read by name, never by position.
    """
    return {
        "format": fmt,
        "format_version": FORMAT_VERSION,
        "products_version": PRODUCTS_VERSION,
        "store_id": store_id,
        "columns": recorded_columns(spec),
    }


def products_changes(record: dict[str, Any], spec: DatasetSpec) -> list[str]:
    """Return what the renderer now makes differently for ``spec`` than for the store's items.

    ``record`` is the store's marker (stores made before versions were recorded are
    version 1); an empty list means new items match the stored ones.
    """
    version = int(record.get("products_version", 1))
    changes = []
    if version < 2 and spec.features.arm_contrast[1] > 0.0:
        changes.append("spiral arms now trail the rotation (they led)")
    if version < 2 and spec.interferometer.enabled:
        changes.append("interferometer tracks' hour angle and channel bandwidth were corrected")
    return changes


def check_record(record: dict[str, Any], fmt: str, path: Path) -> str:
    """Check a store's recorded marker against format ``fmt``; return its store id.

    Raises
    ------
    ValueError
        If the store is of another format, or was written by another store layout
        (``format_version``), whose items this version cannot check.
    """
    if record.get("format") != fmt:
        raise ValueError(f"{path} holds a {record.get('format')} dataset, not {fmt}")
    version = record.get("format_version")
    if version not in READABLE_LAYOUTS:
        raise ValueError(
            f"{path} was written with store layout {version}; this GalCubeCraft reads layouts "
            f"{', '.join(map(str, READABLE_LAYOUTS))}: regenerate the dataset at a new path"
        )
    return str(record["store_id"])


def is_unfinished(name: str) -> bool:
    """Return whether ``name`` is an unfinished atomic write (``.<name>.<random>.part``)."""
    return name.startswith(".") and name.endswith(".part")


def remove_store(path: Path) -> None:
    """Delete the store at ``path``, a folder (Zarr, npy, FITS) or a file (HDF5)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_leftovers(path: Path) -> int:
    """Remove stores left half-created beside ``path`` by killed runs; return the count.

    A store killed while being created leaves ``.<store>.creating-<random>`` beside it
    (unfinished files inside a store are removed by its done scan).  Call it only while
    holding the store's :func:`~GalCubeCraft._support.lock.writer_lock`.
    """
    removed = 0
    for entry in path.parent.glob(f".{path.name}.creating-*"):
        remove_store(entry)
        removed += 1
    return removed


def open_store(
    path: str | os.PathLike[str], spec: DatasetSpec | None = None, fmt: str | None = None
) -> Store:
    """Open the store at ``path``, or create it for ``spec`` in format ``fmt``.

    Parameters
    ----------
    path : str or path
        The store.
    spec : DatasetSpec, optional
        Required to create a store; when the store exists it must have been made from
        this spec.
    fmt : str, optional
        Required to create a store; when the store exists it must be of this format.

    Raises
    ------
    ValueError
        If the store exists with another format or spec (the message names both), or
        if ``path`` holds something else.
    FileNotFoundError
        If nothing is at ``path`` and no spec and format were given to create a store.
    """
    path = Path(path)
    if fmt is not None and fmt not in STORES:
        raise ValueError(f"format must be one of {FORMATS}; got {fmt!r}")
    found = detect_format(path)
    if found is None:
        if spec is None or fmt is None:
            raise FileNotFoundError(f"no dataset at {path}")
        # One creator: under the store's lock, and only if no other process made it first.
        with writer_lock(path):
            found = detect_format(path)
            if found is None:
                _create(path, spec, fmt)
                found = fmt
    elif fmt is not None and found != fmt:
        raise ValueError(
            f"{path} is a {found} dataset; refusing to write {fmt} items into it "
            f"(use --format {found}, or a new path)"
        )
    store: Store = store_class(found).open(path)
    if spec is not None and store.spec != spec:
        changes = "; ".join(
            f"{key}: stored {old!r}, asked {new!r}"
            for key, (old, new) in store.spec.differences(spec).items()
        )
        store.close()
        raise ValueError(
            f"{path} holds a dataset made from a different spec ({changes}); "
            "choose a new path or the stored spec"
        )
    if spec is not None and (changed := products_changes(store.record, spec)):
        store.close()
        raise ValueError(
            f"{path} holds items an earlier GalCubeCraft made, and for this spec new items "
            f"would differ ({'; '.join(changed)}): the stored items still read as they were; "
            "make the rest at a new path"
        )
    old_layout = store.layout != FORMAT_VERSION
    if spec is not None and old_layout and store.done_indices().size < spec.n_cubes:
        store.close()
        raise ValueError(
            f"{path} holds items of store layout {store.layout}, which this GalCubeCraft "
            f"reads but does not add to (it writes layout {FORMAT_VERSION}: more arrays "
            "per item): the stored items still read as they were; make the rest at a new path"
        )
    return store


def _create(path: Path, spec: DatasetSpec, fmt: str) -> None:
    """Create the store under a temporary name, then rename it into place."""
    if not isinstance(spec, DatasetSpec):
        raise TypeError(f"spec must be a DatasetSpec; got {type(spec).__name__}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.creating-{uuid.uuid4().hex[:8]}")
    try:
        store_class(fmt).create_at(temporary, spec, uuid.uuid4().hex)
        if path.is_dir():  # an empty folder the user made for the dataset
            path.rmdir()
        _rename_new(temporary, path)
    except BaseException:
        remove_store(temporary)  # only the temporary: never what is at ``path``
        raise


def _rename_new(source: Path, path: Path) -> None:
    """Rename ``source`` to ``path``, refusing (never replacing) something already there."""
    if source.is_dir():
        try:  # a folder replaces only an empty folder: made since, by someone else
            os.rename(source, path)
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise
            raise FileExistsError(f"{path} was made by another process meanwhile") from None
        return
    try:  # a file: link (which never replaces), then drop the temporary name
        os.link(source, path)
    except FileExistsError:
        raise FileExistsError(f"{path} was made by another process meanwhile") from None
    except OSError as error:  # no hard links here: the lock already keeps creators apart
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.rename(source, path)
        return
    source.unlink()
