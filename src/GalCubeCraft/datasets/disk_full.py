"""A full disk, told in one line: what was kept and how to resume.

Libraries report a full disk in their own words; :func:`disk_full_error` turns any of them
into one :class:`DiskFullError` that the command line prints without a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .stores import Store


class DiskFullError(OSError):
    """The disk (or the file size limit) ran out while items were written."""

    def __str__(self) -> str:
        return str(self.strerror)


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_NEARLY_FULL_BYTES = 4 << 20  # a failed write with less free than this: the disk is full


def disk_full_error(error: BaseException, store: Store, n_cubes: int) -> DiskFullError | None:
    """Return the one-line error to raise for ``error`` if it means the disk is full.

    Libraries say it in their own words (HDF5's write report, numpy's "requested and
    written", astropy's "Not enough space"), some without an errno: a write error with
    the disk (nearly) full counts too.  None when ``error`` is something else.
    """
    if not isinstance(error, OSError) or isinstance(error, DiskFullError):
        return None
    try:
        free = shutil.disk_usage(store.path if store.path.exists() else store.path.parent).free
    except OSError:
        free = 0
    text = str(error)
    # A short write (numpy: "N requested and M written"; astropy: "Not enough space")
    # happens only when space, or the file size allowed ('ulimit -f'), runs out.
    short = ("requested and" in text and "written" in text) or "Not enough space" in text
    if error.errno not in _FULL and free >= _NEARLY_FULL_BYTES and not short:
        return None
    try:
        done = len(store.done_indices())
    except Exception:  # noqa: BLE001 - the count is a courtesy; the error is the point
        done = 0
    kept = f"{done} of {n_cubes} items are written and kept" if done else "no item is written"
    if error.errno == errno.EFBIG or (free >= _NEARLY_FULL_BYTES and error.errno not in _FULL):
        return DiskFullError(
            errno.EFBIG,
            f"{store.path}: a file reached the size this process may write ('ulimit -f'); "
            f"{kept}: raise the limit, then run the same command again to resume",
        )
    reason = os.strerror(error.errno) if error.errno in _FULL else "no space left on device"
    return DiskFullError(
        errno.ENOSPC if error.errno is None else error.errno,
        f"{store.path}: out of disk space ({reason}, {free / 2**20:.1f} MiB free); {kept}: "
        "free some space, then run the same command again to resume",
    )
