"""The compiled separable beam: one 1-D convolution down the columns, one along the rows.

A round or axis-aligned Gaussian beam is the product of two 1-D kernels, each a short
list of taps once cut below the working precision (:func:`.beam._axis_taps`).  Applied
as plain multiply-adds over whole rows, which LLVM vectorises, the two passes take about
``2 (2 reach + 1)`` operations per pixel, a third of the blocked matrix products they
replace; the sums are the same, in another order (float32 rounding apart).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def _axpy(row: np.ndarray, source: np.ndarray, weight: np.float32) -> None:
    """Add ``weight * source`` to ``row`` (1-D, equal lengths).

    A loop of its own over two 1-D arrays: LLVM vectorises it (4x faster than the same
    loop written inside the passes, over rows of 2-D arrays).
    """
    for x in range(row.shape[0]):
        row[x] += weight * source[x]


@njit(cache=True, nogil=True, error_model="numpy")
def separable_convolve(
    planes: np.ndarray, taps_y: np.ndarray, taps_x: np.ndarray, floor: float, out: np.ndarray
) -> None:
    """Fill ``out[k]`` with plane ``k`` convolved by ``taps_y`` along y, then ``taps_x`` along x.

    ``planes`` and ``out`` are ``(n, ny, nx)``; the taps have odd length ``2 r + 1``, tap
    ``r + d`` weighing the pixel ``d`` before (``out[i] += taps[r + d] * in[i - d]``).
    Pixels beyond the edges count as zero, and values below ``floor`` in magnitude are
    read as zero (their products with the kernel's wings would be subnormal, and slow).
    """
    n_planes, ny, nx = planes.shape
    ry = (taps_y.shape[0] - 1) // 2
    rx = (taps_x.shape[0] - 1) // 2
    clean = np.empty((ny, nx), dtype=out.dtype)
    work = np.empty((ny, nx), dtype=out.dtype)
    zero = out.dtype.type(0.0)
    threshold = out.dtype.type(floor)
    for k in range(n_planes):
        for y in range(ny):
            for x in range(nx):
                value = planes[k, y, x]
                clean[y, x] = value if abs(value) >= threshold else zero
        for y in range(ny):
            work[y, :] = zero
            for d in range(-ry, ry + 1):
                source = y - d
                if 0 <= source < ny and taps_y[ry + d] != zero:
                    _axpy(work[y], clean[source], taps_y[ry + d])
        for y in range(ny):
            out[k, y, :] = zero
            for d in range(-rx, rx + 1):
                if taps_x[rx + d] != zero:
                    low, high = max(0, d), min(nx, nx + d)
                    _axpy(out[k, y, low:high], work[y, low - d : high - d], taps_x[rx + d])
