"""Compiled loops of the hot path (numba); the only module that imports numba.

Each kernel is the one implementation of its step, compiled on first use and cached on
disk (``cache=True``), so only the first call in a fresh environment pays the compile.
The arithmetic follows the float32 samples it is given, as the NumPy code it replaced
did, so cubes do not depend on which of the two ran.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from numba import njit
except ImportError as error:  # pragma: no cover - a core dependency
    raise ImportError("numba is needed to render cubes: pip install numba") from error


@njit(cache=True, nogil=True)
def _nodes(position: np.float32, spread: np.float32) -> tuple[int, int, Any, Any, Any]:
    """Return the three-node deposit of one sample: centre, spacing and weights.

    The nodes ``c - d``, ``c``, ``c + d`` with ``c`` the nearest node and ``d`` the
    smallest whole spacing with ``f^2 + spread <= d^2`` (``f = position - c``); weights
    ``((r - q) / 2, 1 - r, (r + q) / 2)``, ``q = f / d``, ``r = (f^2 + spread) / d^2``:
    they sum to 1 and keep the sample's mean and its variance ``spread`` exactly.
    """
    centre = np.float32(np.rint(position))
    f = np.float32(position - centre)
    second = np.float32(f * f + spread)
    spacing = max(np.float32(np.ceil(np.sqrt(second))), np.float32(1.0))
    r = np.float32(second / (spacing * spacing))
    q = np.float32(f / spacing)
    half = np.float32(0.5)
    return (int(centre), int(spacing), half * (r - q), np.float32(1.0) - r, half * (r + q))


@njit(cache=True, nogil=True)
def fine_extent(position: np.ndarray, spread: np.ndarray) -> tuple[int, int]:
    """Return the lowest and highest fine nodes any sample reaches (``(0, 0)`` if none)."""
    lowest, highest = 0, 0
    for k in range(position.size):
        centre, spacing, _, _, _ = _nodes(position[k], spread[k])
        if k == 0 or centre - spacing < lowest:
            lowest = centre - spacing
        if k == 0 or centre + spacing > highest:
            highest = centre + spacing
    return lowest, highest


@njit(cache=True, nogil=True)
def deposit_fine(
    local: np.ndarray,
    position: np.ndarray,
    spread: np.ndarray,
    flux: np.ndarray,
    lowest: int,
    out: np.ndarray,
) -> None:
    """Add each sample's flux to its three nodes of ``out[local, node - lowest]``.

    ``out`` is ``(n_pixels, n_fine)`` float64; each product flux x weight is formed in
    float32, as the samples are, and summed in float64 in the samples' order.
    """
    for k in range(position.size):
        centre, spacing, w_low, w_mid, w_high = _nodes(position[k], spread[k])
        row = local[k]
        node = centre - lowest
        out[row, node - spacing] += np.float64(np.float32(flux[k] * w_low))
        out[row, node] += np.float64(np.float32(flux[k] * w_mid))
        out[row, node + spacing] += np.float64(np.float32(flux[k] * w_high))
