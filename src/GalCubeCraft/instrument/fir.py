"""Compiled 1-D convolutions with short lists of taps: the beam's two passes, the line spread.

A round or axis-aligned Gaussian beam is the product of two 1-D kernels, each a short
list of taps once cut below the working precision (:func:`.beam._axis_taps`); the line
spread is one along the channels (:func:`.line_spread.channel_taps`).  Applied as plain
multiply-adds over whole rows, which LLVM vectorises, each pass takes ``2 reach + 1``
operations per value, a third of the blocked matrix products they replace; the sums
are the same, in another order (float32 rounding apart).  Values beyond the edges count
as zero.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit


@njit(error_model="numpy")
def _axpy(row: np.ndarray, source: np.ndarray, weight: np.float32) -> None:
    """Add ``weight * source`` to ``row`` (1-D, equal lengths).

    A loop of its own over two 1-D arrays: LLVM vectorises it (4x faster than the same
    loop written inside the passes, over rows of 2-D arrays).
    """
    for x in range(row.shape[0]):
        row[x] += weight * source[x]


@njit(error_model="numpy")
def convolve_rows(data: np.ndarray, taps: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (2-D, like ``data``) with ``data`` convolved along its first axis.

    ``taps`` has odd length ``2 r + 1``; tap ``r + d`` weighs the row ``d`` before:
    ``out[i] = sum_d taps[r + d] * data[i - d]``.
    """
    n = data.shape[0]
    r = (taps.shape[0] - 1) // 2
    zero = out.dtype.type(0.0)
    for i in range(n):
        out[i, :] = zero
        # Only the taps that meet a row (|d| < n): a spread wider than the band costs
        # n^2 row passes, not n (2 r + 1).
        for d in range(max(-r, i - n + 1), min(r, i) + 1):
            if taps[r + d] != zero:
                _axpy(out[i], data[i - d], taps[r + d])


@njit(error_model="numpy")
def convolve_columns(data: np.ndarray, taps: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (2-D, like ``data``) with ``data`` convolved along its second axis.

    ``out[:, j] = sum_d taps[r + d] * data[:, j - d]``, as :func:`convolve_rows`.
    """
    n = data.shape[1]
    r = (taps.shape[0] - 1) // 2
    zero = out.dtype.type(0.0)
    for i in range(data.shape[0]):
        out[i, :] = zero
        for d in range(max(-r, 1 - n), min(r, n - 1) + 1):  # |d| < n: the taps that meet
            if taps[r + d] != zero:
                low, high = max(0, d), min(n, n + d)
                _axpy(out[i, low:high], data[i, low - d : high - d], taps[r + d])


@njit(error_model="numpy")
def separable_convolve(
    planes: np.ndarray, taps_y: np.ndarray, taps_x: np.ndarray, floor: float, out: np.ndarray
) -> None:
    """Fill ``out[k]`` with plane ``k`` convolved by ``taps_y`` along y, then ``taps_x`` along x.

    ``planes`` and ``out`` are ``(n, ny, nx)``.  Values below ``floor`` in magnitude are
    read as zero (their products with the kernel's wings would be subnormal, and slow).
    """
    n_planes, ny, nx = planes.shape
    clean = np.empty((ny, nx), dtype=out.dtype)
    work = np.empty((ny, nx), dtype=out.dtype)
    zero = out.dtype.type(0.0)
    threshold = out.dtype.type(floor)
    for k in range(n_planes):
        for y in range(ny):
            for x in range(nx):
                value = planes[k, y, x]
                clean[y, x] = value if abs(value) >= threshold else zero
        convolve_rows(clean, taps_y, work)
        convolve_columns(work, taps_x, out[k])
