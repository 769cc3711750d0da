"""Item checksums: CRC-32s recorded when an item is written, checked when asked.

Every store records, for each item, the CRC-32 of each of its arrays (and stores of
layout 5 written before per-array checksums, the CRC-32 of the whole item).  Reads do not
check them unless asked (``read_item(..., verify=True)``, ``StoreDataset(path,
verify_reads=True)``); :func:`~GalCubeCraft.datasets.verify.verify_store` checks every
item once.  A torn, blank or altered item is then reported, naming the item and its
arrays, never returned as data.  :func:`mismatched` is the one place the CRC-32s of a
read are compared, for all four formats.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping

import numpy as np

MISMATCH = "does not match the checksum recorded when it was written"
"""Why an array whose bytes changed is damaged (the words of every format's error)."""


class DamagedItemError(OSError):
    """An item marked done whose stored arrays are not what was written.

    Attributes
    ----------
    index : int
        The item.
    arrays : tuple of str
        The arrays found damaged (empty where the damage is not one array's: a lost
        record, a whole-item checksum of an older store).
    """

    def __init__(self, message: str, index: int = -1, arrays: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.index = index
        self.arrays = arrays

    def __reduce__(self) -> tuple[type, tuple[str, int, tuple[str, ...]]]:
        """Pickle with the index and arrays (DataLoader workers send errors back)."""
        return (type(self), (str(self), self.index, self.arrays))


def array_crc(array: np.ndarray) -> int:
    """Return the CRC-32 of an array's bytes (C order, as stored)."""
    # The array's own buffer: the same bytes as ``tobytes()``, without its copy.
    return zlib.crc32(np.ascontiguousarray(array).data)


def item_checksum(arrays: Mapping[str, np.ndarray], order: tuple[str, ...]) -> int:
    """Return the CRC-32 of an item's arrays taken in ``order`` (those present)."""
    crc = 0
    for name in order:
        if name in arrays:
            crc = zlib.crc32(np.ascontiguousarray(arrays[name]).data, crc)
    return crc


def array_checksums(arrays: Mapping[str, np.ndarray]) -> dict[str, int]:
    """Return ``{name: CRC-32}`` of each array of an item."""
    return {name: array_crc(array) for name, array in arrays.items()}


def mismatched(arrays: Mapping[str, np.ndarray], recorded: Mapping[str, int]) -> list[str]:
    """Return the names of ``arrays`` whose CRC-32 is not the one ``recorded``.

    ``recorded`` maps array names to their checksums (empty: a store written before they
    were recorded, whose arrays go unchecked).  A store that records checksums records one
    for every array, so an array without one counts as damaged.
    """
    if not recorded:
        return []
    return [
        name
        for name, array in arrays.items()
        if name not in recorded or array_crc(array) != int(recorded[name])
    ]


def check_arrays(
    arrays: Mapping[str, np.ndarray], recorded: Mapping[str, int], where: str, index: int
) -> None:
    """Raise :class:`DamagedItemError` unless ``arrays`` have the ``recorded`` CRC-32s."""
    bad = mismatched(arrays, recorded)
    if bad:
        raise damaged_arrays(where, index, dict.fromkeys(bad, MISMATCH))


def damaged(where: str, index: int, why: str, arrays: Iterable[str] = ()) -> DamagedItemError:
    """Return the error of a damaged item: where, which item, why, and what to do."""
    return DamagedItemError(
        f"{where}: item {index} is damaged ({why}); regenerate the dataset at a new path",
        index,
        tuple(arrays),
    )


def damaged_arrays(where: str, index: int, problems: Mapping[str, str]) -> DamagedItemError:
    """Return the error of an item whose arrays ``{name: why}`` are damaged (all named)."""
    why = "; ".join(f"its array {name} {reason}" for name, reason in problems.items())
    return damaged(where, index, why, problems)
