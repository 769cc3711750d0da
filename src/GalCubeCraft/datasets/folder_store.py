"""Datasets as folders of files, one set per item: ``.npy`` arrays or one FITS file.

Both record ``store.json`` (format, layout version, id and the spec's TOML) and a
readable copy ``spec.toml`` at creation; opening refuses a store whose two records
disagree or are missing.

- npy: ``<index>_<array>.npy`` for every item array, then ``<index>_checksums.json``
  (each array's CRC-32), then ``params``, written last: its file marks the item done.
  ``store.json`` records the column names of ``params`` and ``catalogue``.
- FITS: ``<index>.fits``, whose primary HDU is the noisy cube with the full header of its
  observation (WCS, beam, units, galaxy parameters) and whose image extensions hold the
  other arrays, named after them in capitals (``CLEAN``, ``GALAXY_CLEAN``, ...; the
  ``PARAMS`` and ``CATALOGUE`` tables name their columns in ``COL<k>`` cards).  The
  file marks the item done; every HDU carries its array's CRC-32 (``DATACRC``) besides
  the standard ``CHECKSUM``/``DATASUM`` keywords (whose ones'-complement sum misses,
  e.g., zero bytes turned to 0xFF), all checked by a read with ``verify``.

Stores record ``"checksums": "crc32"`` in ``store.json``; in those a missing checksum is
damage (stores written before it have none, and their npy arrays go unchecked).

Every file is written atomically, so a file that exists is complete; file names hold the
index in full, however large.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._support.atomic import atomic_path
from ..io.npy import save_npy
from ..priors.spec import DatasetSpec
from .checksums import array_checksums, array_crc, check_arrays, damaged, damaged_arrays
from .items import (
    ARRAY_UNITS,
    Item,
    array_names,
    array_shapes,
    galaxies_from_params,
    parameter_names,
)
from .labels import CATALOGUE_COLUMNS
from .layouts import store_layout
from .reading import selected
from .stores import FORMAT_VERSION, MARKER_FILE, check_record, is_unfinished, marker

CRC = "crc32"
"""What ``store.json`` records under ``checksums``: every item records its arrays' CRC-32s."""
CRC_CARD = "DATACRC"
"""The FITS keyword holding the CRC-32 of its HDU's array (as the store returns it)."""
_CRC_COMMENT = "CRC-32 of the array as GalCubeCraft reads it"


def _index_of(name: str) -> int | None:
    """Return the item index a file name starts with (digits before '_' or '.')."""
    stem = name.split("_", 1)[0].split(".", 1)[0]
    return int(stem) if stem.isdigit() else None


class _FolderStore:
    """What the npy and FITS folders share: the record, the done scan, the table."""

    format: ClassVar[str] = ""
    concurrent_writers: ClassVar[bool] = True
    done_suffix: ClassVar[str] = ""

    def __init__(
        self, path: Path, spec: DatasetSpec, store_id: str, layout: int = FORMAT_VERSION
    ) -> None:
        self.path = path
        self.spec = spec
        self.store_id = store_id
        self.record: dict[str, Any] = {}  # the stored marker, set by open()
        self.layout = layout  # the stored layout (open() reads it from the record)
        self.checked = True  # whether its items record checksums (stores since 2.x do)
        # A store of an earlier layout holds fewer arrays: its own, read as written.
        self._names = array_names(spec, layout)
        self._shapes = array_shapes(spec, layout)

    @classmethod
    def create_at(cls, path: Path, spec: DatasetSpec, store_id: str) -> None:
        """Create an empty store at ``path``."""
        path.mkdir()
        spec.write_toml(path / "spec.toml")
        with atomic_path(path / MARKER_FILE) as temporary:
            record = {**marker(cls.format, store_id, spec), "checksums": CRC,
                      "spec": spec.to_toml()}  # fmt: skip
            temporary.write_text(json.dumps(record))

    @classmethod
    def open(cls, path: Path) -> Any:
        """Open an existing store; its two spec records must agree."""
        record = json.loads((path / MARKER_FILE).read_text())
        store_id = check_record(record, cls.format, path)
        # A store made before the spec's tables records 2.0's flat keys: read either.
        spec = DatasetSpec.from_stored(str(record["spec"]), f"{path / MARKER_FILE}: ")
        copy = path / "spec.toml"
        if not copy.is_file() or DatasetSpec.from_stored(copy.read_text(), f"{copy}: ") != spec:
            raise ValueError(
                f"{path}/spec.toml is missing or differs from the spec recorded in "
                f"{MARKER_FILE}; the items belong to the recorded spec: restore its copy "
                "or use a new path"
            )
        store = cls(path, spec, store_id, store_layout(record))
        store.checked = record.get("checksums") == CRC
        store.record = record
        return store

    @staticmethod
    def _stem(index: int) -> str:
        return f"{index:06d}"

    def done_indices(self, remove_unfinished: bool = False) -> np.ndarray:
        """Return the sorted indices of the items completely written (one listing)."""
        found = []
        for name in os.listdir(self.path):
            if remove_unfinished and is_unfinished(name):
                (self.path / name).unlink(missing_ok=True)
            elif name.endswith(self.done_suffix):
                found.append(_index_of(name))
        return np.array(sorted(i for i in found if i is not None), dtype=np.int64)

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index``'s ``arrays``; ``KeyError`` if it is not done."""
        raise NotImplementedError

    def read_array(self, index: int, name: str) -> np.ndarray:
        """Return array ``name`` of done item ``index``, reading nothing else."""
        raise NotImplementedError

    def read_params(self, index: int) -> np.ndarray:
        """Return the parameter vector of done item ``index``, reading nothing else."""
        return self.read_array(index, "params")

    def parameter_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, rows)`` of the done items' parameter vectors."""
        return self.array_rows("params")

    def array_rows(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(indices, arrays)``: array ``name`` of every done item, stacked."""
        done = self.done_indices()
        shape, dtype, _fill = self._shapes[name]
        rows = np.empty((done.size, *shape), dtype=dtype)
        for row, index in enumerate(done):
            rows[row] = self.read_array(int(index), name)
        return done, rows

    def close(self) -> None:
        """Nothing to release."""


class NpyFolderStore(_FolderStore):
    """A folder of ``.npy`` files (see the module docstring)."""

    format: ClassVar[str] = "npy"
    done_suffix: ClassVar[str] = "_params.npy"

    def write_item(self, item: Item) -> None:
        """Write each array to its own file, then the checksums, ``params`` last."""
        stem = self._stem(item.index)
        for name in self._names[:-1]:  # params last: its file marks the item done
            save_npy(self.path / f"{stem}_{name}.npy", item.arrays[name])
        with atomic_path(self.path / f"{stem}_checksums.json") as temporary:
            temporary.write_text(json.dumps(array_checksums(item.arrays)))
        save_npy(self.path / f"{stem}_params.npy", item.arrays["params"])

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index``'s ``arrays`` (default all), opening no other array's file.

        ``KeyError`` if the item is not done; ``DamagedItemError`` if a file read is lost
        or unreadable or, with ``verify``, does not match its recorded checksum.
        """
        names = selected(self._names, arrays)
        stem = self._stem(index)
        if not os.path.exists(self.path / f"{stem}_params.npy"):  # its file marks it done
            raise KeyError(f"item {index} has not been written")
        read: dict[str, np.ndarray] = {}
        problems: dict[str, str] = {}
        for name in names:
            file = self.path / f"{stem}_{name}.npy"
            try:
                array = np.load(file)
            except (OSError, ValueError, EOFError) as error:  # lost, or its header damaged
                problems[name] = f"in {file.name} cannot be read: {error}"
                continue
            shape, dtype, _fill = self._shapes[name]
            if array.shape != tuple(shape) or array.dtype != np.dtype(dtype):
                found = f"{array.shape} {array.dtype}, not {tuple(shape)} {dtype}"
                problems[name] = f"has shape {found}"
            read[name] = array
        if problems:
            raise damaged_arrays(str(self.path), index, problems)
        if verify:
            check_arrays(read, self._recorded(index), str(self.path), index)
        return {"index": index, **read}

    def _recorded(self, index: int) -> dict[str, int]:
        """Return the item's recorded checksums ({} in a store written before them)."""
        file = self.path / f"{self._stem(index)}_checksums.json"
        try:
            return {str(k): int(v) for k, v in json.loads(file.read_text()).items()}
        except FileNotFoundError:
            if self.checked:
                raise damaged(str(self.path), index, f"{file.name} is missing") from None
            return {}
        except (ValueError, AttributeError, TypeError):
            raise damaged(str(self.path), index, f"{file.name} is unreadable") from None

    def read_array(self, index: int, name: str) -> np.ndarray:
        """Return array ``name`` of done item ``index`` (its file alone)."""
        return np.load(self.path / f"{self._stem(index)}_{name}.npy")


class FitsFolderStore(_FolderStore):
    """A folder of FITS files, one per item (see the module docstring)."""

    format: ClassVar[str] = "fits"
    done_suffix: ClassVar[str] = ".fits"

    def write_item(self, item: Item) -> None:
        """Write the item's FITS file atomically (the noisy cube first, with its WCS)."""
        from ..products.cube import Cube
        from ..products.fits import write_fits

        params = item.arrays["params"]
        columns = parameter_names(self.spec)
        rms = float(params[columns.index("noise_rms")])
        pixel_kpc = float(params[columns.index("pixel_kpc")])
        cube = Cube(
            item.arrays["noisy"], self.spec.observation.for_pixel(pixel_kpc),
            kind="noisy" if rms > 0 else "observed", noise_rms=rms,
            galaxies=tuple(galaxies_from_params(self.spec, params)),
        )  # fmt: skip
        from astropy.io import fits

        from ..products.fits import extension_header

        names = [name for name in self._names if name != "noisy"]  # noisy: the primary HDU
        extensions: dict[str, Any] = {}
        for name in names:
            array = item.arrays[name]
            if name in ("uv_mask", "uv_weights"):  # axes: spatial frequencies, not the sky's
                from ..interferometry.weighting import uv_mask_header

                hdu = fits.ImageHDU(data=array)
                pixel_rad = cube.observation.pixel_arcsec * math.pi / (180.0 * 3600.0)
                for key, card in uv_mask_header(self.spec.shape[1:], pixel_rad).items():
                    hdu.header[key] = card
            elif name in ("params", "catalogue"):  # a table names its columns
                hdu = fits.ImageHDU(data=array)
                table = columns if name == "params" else CATALOGUE_COLUMNS
                for k, column in enumerate(table, start=1):
                    hdu.header[f"COL{k}"] = column
            else:
                if np.any(np.isinf(array)):
                    raise ValueError(f"extension {name.upper()} holds inf; refusing to write it")
                header = extension_header(array, cube.observation, ARRAY_UNITS[name])
                hdu = fits.ImageHDU(data=array, header=header)
            hdu.header[CRC_CARD] = (array_crc(array), _CRC_COMMENT)
            extensions[name.upper()] = hdu
        crc = (array_crc(item.arrays["noisy"]), _CRC_COMMENT)
        write_fits(self.path / f"{self._stem(item.index)}.fits", cube, overwrite=True,
                   extensions=extensions, header_cards={CRC_CARD: crc}, checksum=True)  # fmt: skip

    def read_item(
        self, index: int, arrays: Sequence[str] | None = None, verify: bool = False
    ) -> dict[str, Any]:
        """Return item ``index``'s ``arrays`` (default all), reading no other HDU's data.

        ``KeyError`` if the item is not done; ``DamagedItemError`` if its file cannot be
        read or, with ``verify``, an HDU read fails its FITS checksums or its CRC-32.
        """
        from astropy.io import fits

        names = selected(self._names, arrays)
        path = self.path / f"{self._stem(index)}.fits"
        item: dict[str, Any] = {"index": index}
        recorded: dict[str, int] = {}
        problems: dict[str, str] = {}
        try:
            hdul = fits.open(path)
        except FileNotFoundError:  # the file, written atomically, marks the item done
            raise KeyError(f"item {index} has not been written") from None
        try:
            with hdul:
                for name in names:
                    key = 0 if name == "noisy" else name.upper()
                    hdu = hdul[key]
                    if verify and (hdu.verify_checksum() != 1 or hdu.verify_datasum() != 1):
                        problems[name] = f"fails its FITS checksum (HDU {key} of {path.name})"
                        continue
                    # FITS is big-endian: give back native arrays equal to what was written.
                    item[name] = np.asarray(hdu.data, dtype=self._shapes[name][1])
                    if CRC_CARD in hdu.header:
                        recorded[name] = int(hdu.header[CRC_CARD])
                    elif verify and self.checked:
                        problems[name] = f"has no checksum ({CRC_CARD}) in {path.name}"
        except (KeyError, ValueError, TypeError, IndexError, OSError) as error:  # a lost HDU
            raise damaged(str(self.path), index, f"{path.name} cannot be read: {error}") from None
        if problems:
            raise damaged_arrays(str(self.path), index, problems)
        if verify:
            check_arrays({name: item[name] for name in names}, recorded, str(self.path), index)
        return item

    def read_array(self, index: int, name: str) -> np.ndarray:
        """Return array ``name`` of done item ``index`` (its extension alone)."""
        from astropy.io import fits

        dtype = self._shapes[name][1]
        with fits.open(self.path / f"{self._stem(index)}.fits") as hdul:
            return np.asarray(hdul[0 if name == "noisy" else name.upper()].data, dtype=dtype)
