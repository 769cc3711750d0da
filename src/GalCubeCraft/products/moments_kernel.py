"""The compiled sums behind :func:`~GalCubeCraft.products.moments.moments`.

Each pixel's flux, flux times velocity and flux times velocity squared, summed over the
channels in float64 in channel order, as the NumPy loop over channels summed them (bit
for bit), but a block of pixels at a time: the three sums stay in the cache while the
cube is read once, instead of three map-sized float64 arrays read and written per channel.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit

_BLOCK = 2048  # pixels summed at a time: three float64 sums of 16 KiB each


@njit(error_model="numpy")
def moment_sums(
    cube: np.ndarray,
    velocities: np.ndarray,
    mask: np.ndarray,
    total: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
) -> None:
    """Fill ``total``, ``first``, ``second`` (``(pixels,)``) with the sums over the channels.

    ``cube`` is ``(n_chan, pixels)``; ``mask`` the same shape (bool: voxels used, others
    read as 0) or ``(0, 0)`` for all.  ``total = sum_c x``, ``first = sum_c v_c x``,
    ``second = sum_c (v_c v_c) x``, each term in float64, added from 0 in channel order.
    """
    n_chan, pixels = cube.shape
    masked = mask.shape[0] == n_chan
    # The block's sums in arrays of the kernel's own (LLVM then knows they alias nothing
    # and vectorises the channel loop: twice as fast as summing into the outputs).
    width = max(1, min(_BLOCK, pixels))  # no pixels: no block, not a zero step
    t, f, s = np.empty(width), np.empty(width), np.empty(width)
    for start in range(0, pixels, width):
        w = min(width, pixels - start)
        for p in range(w):
            t[p] = 0.0
            f[p] = 0.0
            s[p] = 0.0
        for c in range(n_chan):
            v = velocities[c]
            vv = v * v
            row = cube[c, start : start + w]
            if masked:
                keep = mask[c, start : start + w]
                for p in range(w):
                    x = np.float64(row[p]) if keep[p] else 0.0
                    t[p] += x
                    f[p] += v * x
                    s[p] += vv * x
            else:
                for p in range(w):
                    x = np.float64(row[p])
                    t[p] += x
                    f[p] += v * x
                    s[p] += vv * x
        for p in range(w):
            total[start + p] = t[p]
            first[start + p] = f[p]
            second[start + p] = s[p]
