"""Own-frame nodes stacked in height, merged where they share a pixel.

The own-frame quadratures (:mod:`.compact`, :mod:`.rings`) put a column of equal-weight
nodes at the quantiles of the vertical exponential under each in-plane node.  The
column's nodes share the in-plane node's velocity, and their sky positions step
monotonically along the projected height, so the nodes that fall in one pixel are
consecutive.  Merging each such run into one node of summed flux changes nothing but
the order of the additions, and spares the deposit most of its work: a thin disk's
columns of 16 nodes cover one to three pixels.
"""

from __future__ import annotations

import numpy as np

OUTSIDE = -1
"""The pixel index given to nodes outside the field."""


def merge_columns(pixel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(column, pixel, count)`` of each run of a column's nodes in one pixel.

    Parameters
    ----------
    pixel : numpy.ndarray
        Shape ``(n_columns, n_heights)``, the flat pixel index of each node, or
        :data:`OUTSIDE`.

    Returns
    -------
    tuple of numpy.ndarray
        For each run inside the field: its column, its pixel and its number of nodes.
    """
    n_columns, n_heights = pixel.shape
    flat = pixel.ravel()
    if flat.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    starts = np.empty(flat.size, dtype=bool)
    starts[0] = True
    np.not_equal(flat[1:], flat[:-1], out=starts[1:])
    starts[::n_heights] = True  # a run never crosses into the next column
    first = np.flatnonzero(starts)
    count = np.diff(first, append=flat.size)
    run_pixel = flat[first]
    inside = run_pixel != OUTSIDE
    return first[inside] // n_heights, run_pixel[inside], count[inside]


def sky_pixels(x: np.ndarray, y: np.ndarray, pixel_kpc: float, nx: int, ny: int) -> np.ndarray:
    """Return the flat index ``iy * nx + ix`` of the pixel at sky offsets ``x, y``.

    Offsets in kpc from the field's centre; :data:`OUTSIDE` beyond the field.
    """
    ix = np.floor(x / pixel_kpc + 0.5 * nx).astype(np.int64)
    iy = np.floor(y / pixel_kpc + 0.5 * ny).astype(np.int64)
    inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    return np.where(inside, iy * nx + ix, OUTSIDE)
