"""Compiled passes of the instrument chain over whole cubes: the clamp, the beam area, the floor.

After the beam, a cube is raised to 0, multiplied by the beam area and floored at its
peak's round-off (:func:`~GalCubeCraft.products.roundoff.zero_below_roundoff`): in NumPy
six passes over the cube (the clamp, the product, the peak, the floor's mask, product
and sum); here two in one kernel, each value computed as NumPy computes it, bit for bit.
The noise is added to the clean cube and the sum checked finite in one pass
(:func:`add_finite`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kernels.jit import njit
from ..kernels.reductions import max_magnitude


@njit(error_model="numpy")
def finish_cubes(cubes: np.ndarray, scale: float, floor: float) -> None:
    """Raise ``cubes`` (``(n, size)``) to 0, multiply by ``scale``, floor each at its peak.

    ``x = max(x, 0) * scale`` in ``cubes``' type (as ``np.maximum`` then ``*=`` a scalar
    of that type); then each cube's values below ``floor`` times its largest value are
    set to 0 as :func:`~GalCubeCraft.products.roundoff.zero_below_roundoff` does it:
    ``x * (x >= threshold) + 0`` (the sum turns a ``-0.0`` into ``+0.0``), the threshold
    ``floor * peak`` in ``cubes``' type (as NumPy multiplies a Python float by a float32).
    """
    factor = cubes.dtype.type(scale)
    zero = cubes.dtype.type(0.0)
    for k in range(cubes.shape[0]):
        row = cubes[k]
        for x in range(row.shape[0]):
            value = row[x]
            row[x] = (value if value >= zero else zero) * factor
        # Every value is now >= 0 (or -0): the largest magnitude is the largest value.
        zero_below(row, cubes.dtype.type(floor) * max_magnitude(row, zero))


@njit(inline="always", error_model="numpy")
def zero_below(row: np.ndarray, threshold: Any) -> None:
    """Set the values of ``row`` below ``threshold`` to exact 0: ``x * (x >= t) + 0``."""
    zero = row.dtype.type(0.0)
    one = row.dtype.type(1.0)
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
    return bool(np.isfinite(max_magnitude(noise, noise.dtype.type(0.0))))
