"""Compiled passes of the instrument chain over whole cubes: the clamp, the beam area, the floor.

After the beam, a cube is raised to 0, multiplied by the beam area and floored at its
peak's round-off (:func:`~GalCubeCraft.products.roundoff.zero_below_roundoff`): in NumPy
four passes over the cube (the clamp, the product, the peak, the floor's mask, product
and sum); here two, each value computed as NumPy computes it, bit for bit.  The noise is
added to the clean cube and the sum checked finite in one pass (:func:`add_finite`).
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit
from ..kernels.reductions import bits_value, finite_bits, max_magnitude_bits


@njit(error_model="numpy")
def clamp_scale_peaks(cubes: np.ndarray, scale: float, peaks: np.ndarray) -> None:
    """Raise ``cubes`` (``(n, size)``) to 0, multiply by ``scale``; fill each cube's peak.

    ``x = max(x, 0) * scale`` in ``cubes``' type (as ``np.maximum`` then ``*=`` a scalar
    of that type); ``peaks[k]`` is then the largest value of cube ``k`` (at least 0).
    """
    factor = cubes.dtype.type(scale)
    zero = cubes.dtype.type(0.0)
    for k in range(cubes.shape[0]):
        row = cubes[k]
        for x in range(row.shape[0]):
            value = row[x]
            row[x] = (value if value >= zero else zero) * factor
        # Every value is now >= 0 (or -0): the largest magnitude is the largest value.
        peaks[k] = bits_value(max_magnitude_bits(row, 0), row.itemsize)


@njit(error_model="numpy")
def zero_below(cubes: np.ndarray, thresholds: np.ndarray) -> None:
    """Set values of cube ``k`` (a row of ``cubes``) below ``thresholds[k]`` to exact 0.

    ``x * (x >= threshold) + 0``, as :func:`~GalCubeCraft.products.roundoff.zero_below_roundoff`
    computes it (the sum turns a ``-0.0`` into ``+0.0``).
    """
    zero = cubes.dtype.type(0.0)
    one = cubes.dtype.type(1.0)
    for k in range(cubes.shape[0]):
        row = cubes[k]
        threshold = thresholds[k]
        for x in range(row.shape[0]):
            value = row[x]
            row[x] = value * (one if value >= threshold else zero) + zero


@njit(error_model="numpy")
def add_finite(clean: np.ndarray, noise: np.ndarray) -> bool:
    """Add ``clean`` into ``noise`` (1-D, same length and type); return whether all is finite.

    ``noise[x] = clean[x] + noise[x]``, as ``np.add(clean, noise, out=noise)``, and the
    finiteness of the sums from the largest magnitude's bits in the same pass.
    """
    for x in range(noise.shape[0]):
        noise[x] = clean[x] + noise[x]
    return finite_bits(max_magnitude_bits(noise, 0), noise.itemsize)
