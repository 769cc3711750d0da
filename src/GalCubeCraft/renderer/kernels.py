"""Compiled loops of the deposit (numba).

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


@njit(cache=True, nogil=True, inline="always")
def _sample_nodes(
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    k: int,
    j: int,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
) -> tuple[bool, int, int, Any, Any, Any]:
    """Return whether sample ``[k, j]`` is deposited, and its :func:`_nodes`.

    Dark samples and those whose fine-grid position ``(velocity - shift) * inverse``
    lies outside ``[low, high]`` are not; ``variance`` is ``(m, 1)`` or ``(m, L)``.
    """
    zero = np.float32(0.0)
    if flux[k, j] == 0.0:
        return False, 0, 0, zero, zero, zero
    position = np.float32((velocity[k, j] - shift) * inverse)
    if position < low or position > high:
        return False, 0, 0, zero, zero, zero
    spread = np.float32(variance[k, j if variance.shape[1] > 1 else 0] * (inverse * inverse))
    centre, spacing, w_low, w_mid, w_high = _nodes(position, spread)
    return True, centre, spacing, w_low, w_mid, w_high


@njit(cache=True, nogil=True)
def fine_extent(
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
) -> tuple[int, int, int]:
    """Return the lowest and highest fine nodes the deposited samples reach, and their count.

    Samples are the entries of ``flux``/``velocity`` (``(m, L)``; ``variance`` is
    ``(m, 1)`` or ``(m, L)``, in (km/s)^2).  Dark samples and those whose fine-grid
    position ``(velocity - shift) * inverse`` lies outside ``[low, high]`` are skipped.
    """
    lowest, highest, count = 0, 0, 0
    for k in range(flux.shape[0]):
        for j in range(flux.shape[1]):
            kept, centre, spacing, _, _, _ = _sample_nodes(
                flux, velocity, variance, k, j, shift, inverse, low, high
            )
            if not kept:
                continue
            if count == 0 or centre - spacing < lowest:
                lowest = centre - spacing
            if count == 0 or centre + spacing > highest:
                highest = centre + spacing
            count += 1
    return lowest, highest, count


@njit(cache=True, nogil=True)
def deposit_fine(
    local: np.ndarray,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
    lowest: int,
    first: int,
    out: np.ndarray,
) -> None:
    """Add each deposited sample's flux to its three nodes of ``out[pixel - first, node]``.

    The samples are those :func:`fine_extent` counts; ``local[k]`` is the pixel of row
    ``k``; rows whose pixel lies outside ``[first, first + len(out))`` are skipped (a
    block of pixels).  ``out`` is ``(pixels, n_fine)`` float64, node 0 being ``lowest``.
    """
    count = out.shape[0]
    for k in range(flux.shape[0]):
        row = local[k] - first
        if row < 0 or row >= count:
            continue
        for j in range(flux.shape[1]):
            kept, centre, spacing, w_low, w_mid, w_high = _sample_nodes(
                flux, velocity, variance, k, j, shift, inverse, low, high
            )
            if not kept:
                continue
            node = centre - lowest
            value = np.float64(flux[k, j])
            out[row, node - spacing] += value * w_low
            out[row, node] += value * w_mid
            out[row, node + spacing] += value * w_high
