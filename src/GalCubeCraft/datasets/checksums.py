"""Item checksums: CRC-32s recorded when an item is written and checked when it is read.

Every store records, for each item, the CRC-32 of each of its arrays (and stores of
layout 5 written before per-array checksums, the CRC-32 of the whole item), so a torn,
blank or altered item is reported, naming the item and its array, never returned as
data.  :func:`check_item` is the one place a read checks them; :data:`VERIFY_ON_READ`
turns that off for a caller that has verified the store once already.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

VERIFY_ON_READ = True
"""Whether :func:`check_item` checks (every read, by default)."""


class DamagedItemError(OSError):
    """An item marked done whose stored arrays are not what was written."""


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


def check_item(
    arrays: Mapping[str, np.ndarray],
    recorded: Mapping[str, int],
    where: str,
    index: int,
) -> None:
    """Raise :class:`DamagedItemError` unless ``arrays`` have the ``recorded`` CRC-32s.

    ``recorded`` maps array names to their checksums (empty: a store written before
    they were recorded, whose arrays go unchecked).  Nothing is checked while
    :data:`VERIFY_ON_READ` is false.
    """
    if not VERIFY_ON_READ:
        return
    # A store that records checksums records one for every array: a missing one is damage.
    bad = [
        name
        for name, array in arrays.items()
        if recorded and (name not in recorded or array_crc(array) != int(recorded[name]))
    ]
    if bad:
        raise damaged(where, index, f"its array(s) {', '.join(bad)} do not match the "
                      "checksums recorded when it was written")  # fmt: skip


def damaged(where: str, index: int, why: str) -> DamagedItemError:
    """Return the error of a damaged item: where, which item, why, and what to do."""
    return DamagedItemError(
        f"{where}: item {index} is damaged ({why}); regenerate the dataset at a new path"
    )
