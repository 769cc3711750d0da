"""Check a store once: every done item, every array, against the checksums of its writing.

Reads do not check checksums by default (a loader reads each item many times); this pass
reads every array of every done item once and reports all the damage it finds: each
damaged item with the arrays named, not only the first.  ``galcubecraft verify PATH``
runs it from the command line; :meth:`StoreDataset.verify
<GalCubeCraft.datasets.dataset.StoreDataset.verify>` from Python.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .checksums import DamagedItemError
from .stores import open_store


@dataclass(frozen=True)
class Damage:
    """One damaged item.

    Attributes
    ----------
    index : int
        The item.
    arrays : tuple of str
        Its damaged arrays (empty where the damage is not one array's: its checksum
        record lost, or the one checksum of a whole item in a store written before
        per-array checksums).
    message : str
        What the read reported.
    """

    index: int
    arrays: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify_store` found.

    Attributes
    ----------
    path : str
        The store.
    n_items : int
        Items its spec holds.
    checked : int
        Items checked: those done (written completely); the others are not in the store.
    damaged : tuple of Damage
        Every damaged item, by index.
    """

    path: str
    n_items: int
    checked: int
    damaged: tuple[Damage, ...]

    @property
    def ok(self) -> bool:
        """Whether every checked item is whole."""
        return not self.damaged

    def summary(self) -> str:
        """Return one line: how many items were checked, and which are damaged."""
        head = f"{self.path}: checked {self.checked} of {self.n_items} items"
        if self.ok:
            return f"{head}: all whole"
        listed = ", ".join(
            f"item {d.index}" + (f" ({', '.join(d.arrays)})" if d.arrays else "")
            for d in self.damaged
        )
        return f"{head}: {len(self.damaged)} damaged: {listed}"


def verify_store(path: str | os.PathLike[str]) -> VerifyReport:
    """Read every array of every done item of the store at ``path``, checking its checksums.

    Stores record a CRC-32 for every array when they write it (FITS HDUs also carry the
    standard ``CHECKSUM``/``DATASUM``); npy stores written before checksums were recorded
    can only be checked for readable files of the right shape.

    Parameters
    ----------
    path : str or path
        The store (any format).

    Returns
    -------
    VerifyReport
        How many items were checked, and every damaged one with its arrays.
    """
    store = open_store(path)
    found = []
    try:
        done = store.done_indices()
        for index in done.tolist():
            try:
                store.read_item(index, verify=True)
            except DamagedItemError as error:
                found.append(Damage(index, error.arrays, str(error)))
    finally:
        store.close()
    return VerifyReport(str(path), store.spec.n_cubes, len(done), tuple(found))
