"""What every store's read path shares: which arrays to read, and which items are done.

A loader reads one item at a time, many thousand times an epoch, so a store's
``read_item`` does only what that item needs: it reads the arrays asked for (never the
others), checks checksums only when asked, and learns which items are done from one scan
kept for the life of the store object (:class:`DoneMask`) rather than from the disk at
every read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def selected(available: tuple[str, ...], arrays: Sequence[str] | None) -> tuple[str, ...]:
    """Return the arrays to read: ``arrays`` (checked against ``available``), or all.

    Raises
    ------
    TypeError
        If ``arrays`` is one string rather than a sequence of names.
    ValueError
        If ``arrays`` is empty or names an array the store does not hold.
    """
    if arrays is None:
        return available
    if isinstance(arrays, str):
        raise TypeError(f"arrays must be a sequence of array names, not one string; got {arrays!r}")
    unknown = [name for name in arrays if name not in available]
    if unknown or not arrays:
        raise ValueError(
            f"arrays must name some of this store's arrays {list(available)}; got {list(arrays)}"
        )
    return tuple(arrays)


class DoneMask:
    """Which items are done, from one scan, scanned again only for an item not seen done.

    An item once done stays done (stores never un-mark one), so a cached ``True`` is
    always right; a ``False`` may be stale while another process writes, so it is
    checked by one new scan before an item is called missing.  (The scan is passed at
    each call rather than kept: a store holding its own bound method would be freed only
    by the garbage collector, keeping an HDF5 file open after its last use.)

    Parameters
    ----------
    n_items : int
        The store's number of items.
    """

    def __init__(self, n_items: int) -> None:
        self._mask = np.zeros(n_items, dtype=bool)

    def holds(self, index: int, scan: Callable[[], np.ndarray]) -> bool:
        """Return whether item ``index`` is done; ``scan()`` (the done indices now) on a miss."""
        if not 0 <= index < len(self._mask):
            return False
        if self._mask[index]:
            return True
        self._mask[scan()] = True
        return bool(self._mask[index])
