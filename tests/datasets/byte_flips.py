"""Change bytes of one array of one item on disk, in every store format; see what checks see.

:func:`detection_matrix` writes a small dataset per format, and for each array of item 1
and each pattern (one bit flipped; eight bytes set to 0xFF, on zero bytes where the array
has eight in a row, the blind spot of FITS's ones'-complement ``CHECKSUM``) damages a copy
of the store where that array's bytes lie, then records whether a read with verification
raised ``DamagedItemError`` naming the item and the array, and whether the store's
``verify()`` pass reported exactly that item with that array.  ``python byte_flips.py
DIR`` prints the matrix.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import zarr

from GalCubeCraft.datasets import DatasetSpec, open_store, verify_store
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import DamagedItemError, array_names

SPEC = DatasetSpec(
    n_cubes=2,
    seed=3,
    observation={"grid_size": 16, "n_chan": 4},
    galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    noise={"peak_snr": (5.0, 20.0)},
)
SUFFIX = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}
PATTERNS = ("bit", "zeros_to_ff")
INDEX = 1


def _region(fmt: str, path: Path, name: str) -> tuple[Path, int, int]:
    """Return ``(file, start, length)`` of the bytes that hold array ``name`` of item 1."""
    if fmt == "npy":
        file = path / f"{INDEX:06d}_{name}.npy"
        nbytes = np.load(file, mmap_mode="r").nbytes
        return file, file.stat().st_size - nbytes, nbytes
    if fmt == "fits":
        from astropy.io import fits

        file = path / f"{INDEX:06d}.fits"
        with fits.open(file) as hdul:
            hdu = hdul[0 if name == "noisy" else name.upper()]
            return file, hdu.fileinfo()["datLoc"], hdu.data.nbytes
    if fmt == "hdf5":
        import h5py

        with h5py.File(path, "r") as handle:
            dataset = handle[name]
            per_item = int(np.prod(dataset.shape[1:])) * dataset.dtype.itemsize
            return path, dataset.id.get_offset() + INDEX * per_item, per_item
    # Zarr: the item's chunk file (compressed for the model cubes: any byte of it), under
    # the key Zarr gives it (flat or nested, as the store's metadata says).
    file = path / name / chunk_key(zarr.open_array(path / name, mode="r"), INDEX)
    return file, 0, file.stat().st_size


def chunk_key(array, index: int) -> str:
    """Return the key of item ``index``'s chunk of ``array`` (one item per chunk), as Zarr says."""
    return array.metadata.encode_chunk_key((index,) + (0,) * (array.ndim - 1))


def damage(fmt: str, path: Path, name: str, pattern: str) -> str:
    """Damage array ``name`` of item 1 in the store at ``path``; return what was done."""
    file, start, length = _region(fmt, path, name)
    raw = bytearray(file.read_bytes())
    region = bytes(raw[start : start + length])
    if pattern == "bit":
        at = start + length // 2
        raw[at] ^= 0x10
        done = f"bit 4 of byte {at}"
    else:
        zeros = region.find(b"\0" * 8)
        at = start + (zeros if zeros >= 0 and length >= 8 else 0)
        count = min(8, length)
        raw[at : at + count] = b"\xff" * count
        done = f"{count} {'zero ' if zeros >= 0 else ''}bytes at {at} set to 0xFF"
    file.write_bytes(bytes(raw))
    return done


def read_outcome(path: Path, name: str, written: np.ndarray) -> str:
    """Read item 1 with verification and say what the reader saw.

    'detected' (refused, naming the array), 'unnamed' (refused, array not named), 'raw'
    (another error), 'returned' (the damaged bytes came back as data) or 'intact' (the
    array came back as ``written``: a flip in a compressed chunk that its decoder never
    sees, e.g. in a match offset pointing at identical bytes, damages nothing).
    """
    store = open_store(path)
    try:
        read = store.read_item(INDEX, verify=True)[name]
    except DamagedItemError as error:
        text = str(error)
        named = f"item {INDEX} " in text and f" {name}" in text.split(f"item {INDEX} ", 1)[1]
        return "detected" if named else f"unnamed: {text}"
    except Exception as error:  # noqa: BLE001 - what a reader would see instead
        return f"raw {type(error).__name__}"
    finally:
        store.close()
    return "intact" if np.asarray(read).tobytes() == written.tobytes() else "returned"


def verify_outcome(path: Path, name: str) -> str:
    """Verify the store and say what the report holds.

    'detected' (both items checked, item 1 alone reported, with ``name`` among its
    arrays), 'intact' (both checked, nothing reported: right only where the read found
    the array as written), or what the report says instead.
    """
    report = verify_store(path)
    if report.checked == SPEC.n_cubes and report.ok:
        return "intact"
    damage = [(d.index, d.arrays) for d in report.damaged]
    if report.checked == SPEC.n_cubes and len(damage) == 1 and damage[0][0] == INDEX:
        return "detected" if name in damage[0][1] else f"unnamed: {report.damaged[0].message}"
    return f"reported {report.summary()}"


def detection_matrix(root: Path, formats: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Return ``{format: {"array/pattern/check": outcome}}`` over every array of item 1.

    ``check`` is ``read`` (``read_item(..., verify=True)``) or ``verify`` (the store pass).
    """
    matrix: dict[str, dict[str, str]] = {}
    for fmt in formats:
        clean = root / f"clean{SUFFIX[fmt]}"
        generate_dataset(SPEC, clean, fmt=fmt, workers=0, progress=False)
        store = open_store(clean)
        written = store.read_item(INDEX)
        store.close()
        matrix[fmt] = {}
        for k, name in enumerate(array_names(SPEC)):
            for pattern in PATTERNS:
                copy = root / f"{fmt}-{k}-{pattern}{SUFFIX[fmt]}"  # no array name in the path
                if clean.is_dir():
                    shutil.copytree(clean, copy)
                else:
                    shutil.copy(clean, copy)
                damage(fmt, copy, name, pattern)
                outcome = read_outcome(copy, name, np.asarray(written[name]))
                matrix[fmt][f"{name}/{pattern}/read"] = outcome
                matrix[fmt][f"{name}/{pattern}/verify"] = verify_outcome(copy, name)
        shutil.rmtree(clean) if clean.is_dir() else clean.unlink()
    return matrix


if __name__ == "__main__":
    print(json.dumps(detection_matrix(Path(sys.argv[1]), ("zarr", "hdf5", "npy", "fits")),
                     indent=1))  # fmt: skip
