"""Compiled loops of the deposit (numba).

Each kernel is the one implementation of its step, compiled on first use and cached on
disk (``cache=True``), so only the first call in a fresh environment pays the compile.
The arithmetic follows the float32 samples it is given, as the NumPy code it replaced
did, so cubes do not depend on which of the two ran.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kernels.jit import njit
from .wide_kernel import deposit_wide, wide_footprint


@njit()
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
    half = np.float32(0.5)
    one = np.float32(1.0)
    if second <= one:  # the usual case, d = 1: the same weights without sqrt or division
        return int(centre), 1, half * (second - f), one - second, half * (second + f)
    spacing = max(np.float32(np.ceil(np.sqrt(second))), np.float32(1.0))
    r = np.float32(second / (spacing * spacing))
    q = np.float32(f / spacing)
    return (int(centre), int(spacing), half * (r - q), one - r, half * (r + q))


HIDDEN_LINE2 = 4.0
"""Line width (fine steps squared) from which a deposit's weights may be negative.

Three nodes keep a sample's mean and variance only with a negative weight when its
spread is below ``|f| (1 - |f|)`` (``f`` its offset from the nearest node), and the
five-node weights can be negative too.  The line's own Gaussian hides that from two
steps wide on (the cube's negatives then stay below 1e-16 of the peak, the round-off
of the default settings); a narrower line (``sigma_kms = 0``, or one fine node per
channel) would show it as negative voxels, up to 6% of the peak.  There, weights are
non-negative: cloud-in-cell for such a sample (its variance up to a quarter of a step
squared too wide), three nodes for spreads up to :data:`WIDE_SPREAD`.
"""

FIVE_SPREAD = 0.25
"""Spread (fine steps squared) above which a sample is deposited on five nodes.

Three nodes keep a sample's mean and variance, not its fourth moment; the line's own
Gaussian (``fine_per_width`` steps wide) hides that while the sample's spread is the
small velocity ramp of a pixel.  From a quarter of a step squared (as a radial
dispersion profile gives) the sample goes on the five nodes ``c - 2 ... c + 2`` with
the weights that keep its first four moments (:func:`_five_nodes`; for lines of at
least :data:`HIDDEN_LINE2`): after the line's Gaussian, a few 1e-6 of a line's peak
off where three nodes were 1.7e-4 off.
"""


@njit()
def _five_nodes(position: np.float32, spread: np.float32) -> tuple[int, Any, Any, Any, Any, Any]:
    """Return the nearest node ``c`` and the weights of nodes ``c - 2 ... c + 2``.

    The weights give the nodes the moments of a Gaussian of mean ``position`` and
    variance ``spread``: ``mu_k = E[(x - c)^k]`` for ``k <= 4``, through the Lagrange
    basis of the five nodes (the inverse of their Vandermonde matrix, written out).
    """
    centre = np.rint(np.float64(position))
    f = np.float64(position) - centre
    v = np.float64(spread)
    m1 = f
    m2 = f * f + v
    m3 = f * f * f + 3.0 * f * v
    m4 = f * f * f * f + 6.0 * f * f * v + 3.0 * v * v
    w0 = 1.0 - 1.25 * m2 + 0.25 * m4
    w1 = (2.0 * m1 + 2.0 * m2 - 0.5 * m3 - 0.5 * m4) / 3.0
    w_1 = (-2.0 * m1 + 2.0 * m2 + 0.5 * m3 - 0.5 * m4) / 3.0
    w2 = (-2.0 * m1 - m2 + 2.0 * m3 + m4) / 24.0
    w_2 = (2.0 * m1 - m2 - 2.0 * m3 + m4) / 24.0
    return int(centre), w_2, w_1, w0, w1, w2


WIDE_SPREAD = 1.0
"""Spread (fine steps squared) above which a sample is deposited as a sampled Gaussian.

A radial dispersion profile gives samples a variance of ``sigma(R)^2 - sigma_min^2``,
up to tens of steps squared: three nodes then split the line into three peaks (their
fourth cumulant ``V d^2 - 3 V^2`` is of order ``V^2``), and five nodes' sixth moment
shows too.  Such samples get a Gaussian sampled on the fine grid
(:func:`~.wide_kernel.deposit_wide`).
"""
MAX_SPREAD = np.float32(2.0**100)
"""Largest spread (fine steps squared) deposited: its footprint's node count fits an int64.

The public edge refuses the inputs that would reach it (speeds at or above light's);
the kernels skip such a sample rather than compute an index from it.
"""


@njit(inline="always")
def _spread(variance: np.ndarray, k: int, j: int, inverse: np.float32) -> Any:
    """Return sample ``[k, j]``'s variance in fine steps squared (float32)."""
    return np.float32(variance[k, j if variance.shape[1] > 1 else 0] * (inverse * inverse))


@njit(inline="always")
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
    line2: float,
) -> tuple[bool, int, int, Any, Any, Any]:
    """Return whether sample ``[k, j]`` is deposited, and its :func:`_nodes`.

    Dark samples and those whose fine-grid position ``(velocity - shift) * inverse``
    lies outside ``[low, high]`` are not; ``variance`` is ``(m, 1)`` or ``(m, L)``.
    Below :data:`HIDDEN_LINE2` (the line's width in steps squared) every weight is
    non-negative.
    """
    zero = np.float32(0.0)
    if flux[k, j] == 0.0:
        return False, 0, 0, zero, zero, zero
    position = np.float32((velocity[k, j] - shift) * inverse)
    # Written so that NaN fails: a NaN or infinite position or spread has no node, and
    # its conversion to an index would be undefined (an out-of-bounds write, once).
    if not (position >= low and position <= high):
        return False, 0, 0, zero, zero, zero
    spread = _spread(variance, k, j, inverse)
    if not (spread <= MAX_SPREAD):
        return False, 0, 0, zero, zero, zero
    centre, spacing, w_low, w_mid, w_high = _nodes(position, spread)
    if line2 < HIDDEN_LINE2 and (w_low < zero or w_high < zero):
        # A spread below the two nearest nodes' own, |f| (1 - |f|) (so spacing is 1): no
        # non-negative weights keep it.  The line is too narrow to hide a negative node,
        # so the sample goes on those two nodes (cloud-in-cell): flux and mean kept,
        # variance |f| (1 - |f|) instead of spread, at most a quarter of a step squared.
        f = np.float32(position - np.float32(centre))
        one = np.float32(1.0)
        if f >= zero:
            return True, centre, 1, zero, one - f, f
        return True, centre, 1, -f, one + f, zero
    return True, centre, spacing, w_low, w_mid, w_high


@njit(inline="always")
def _row_reach(variance: np.ndarray, k: int, inverse: np.float32, line2: float) -> int:
    """Return how far from its nearest node any sample of row ``k`` reaches; 0 if it varies.

    For a row of one spread (``variance`` ``(m, 1)``): three nodes one step apart up to
    :data:`FIVE_SPREAD` (with ``|f| <= 1/2``, ``f^2 + spread <= 1/2``, within the ``<= 1``
    that keeps the spacing at one step in :func:`_nodes`; the
    cloud-in-cell fallback uses the nearest two), two steps for five nodes (up to
    :data:`WIDE_SPREAD`, lines of at least :data:`HIDDEN_LINE2`).  Anything else (a
    three-node spacing that depends on the sample, a sampled Gaussian) returns 0: the
    samples are taken one by one.
    """
    spread = _spread(variance, k, 0, inverse)
    if spread <= FIVE_SPREAD:
        return 1
    if spread <= WIDE_SPREAD and line2 >= HIDDEN_LINE2:
        return 2
    return 0


@njit(inline="always")
def _kept_range(
    flux: np.ndarray,
    velocity: np.ndarray,
    k: int,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
) -> tuple[Any, Any, int]:
    """Return the lowest and highest fine-grid positions of row ``k``'s kept samples, and how many.

    Kept as :func:`_sample_nodes` keeps them: lit, and at a position inside ``[low,
    high]`` (NaN is not); the positions are the same float32 values.
    """
    first = np.float32(np.inf)
    last = np.float32(-np.inf)
    kept = 0
    for j in range(flux.shape[1]):
        position = np.float32((velocity[k, j] - shift) * inverse)
        keep = flux[k, j] != 0.0 and position >= low and position <= high
        first = min(first, position) if keep else first
        last = max(last, position) if keep else last
        kept += 1 if keep else 0
    return first, last, kept


@njit()
def pixel_extents(
    local: np.ndarray,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
    line2: float,
    lows: np.ndarray,
    highs: np.ndarray,
) -> int:
    """Widen each pixel's ``[lows, highs]`` to the fine nodes its samples reach; count them.

    Samples are the entries of ``flux``/``velocity`` (``(m, L)``; ``variance`` is
    ``(m, 1)`` or ``(m, L)``, in (km/s)^2); ``local[k]`` is row ``k``'s pixel.  Dark
    samples and those whose fine-grid position ``(velocity - shift) * inverse`` lies
    outside ``[low, high]`` are skipped.  A pixel no sample reaches keeps
    ``lows > highs``.
    """
    count = 0
    per_row = variance.shape[1] == 1
    for k in range(flux.shape[0]):
        pixel = local[k]
        if not 0 <= pixel < lows.shape[0]:
            continue
        # The row's own extent first, in registers: updating the pixel's in memory at
        # every sample made each wait on the last (a third of the deposit's time).
        row_low = lows[pixel]
        row_high = highs[pixel]
        reach = _row_reach(variance, k, inverse, line2) if per_row else 0
        if reach > 0:
            # One spread for the row, a narrow one: every kept sample's nodes lie within
            # ``reach`` of its nearest node, so the row's extent follows from its lowest
            # and highest kept positions (a vectorised pass; rint is monotone).
            first, last, kept = _kept_range(flux, velocity, k, shift, inverse, low, high)
            if kept:
                row_low = min(row_low, int(np.rint(first)) - reach)
                row_high = max(row_high, int(np.rint(last)) + reach)
                count += kept
            lows[pixel] = row_low
            highs[pixel] = row_high
            continue
        for j in range(flux.shape[1]):
            kept, centre, spacing, _, _, _ = _sample_nodes(
                flux, velocity, variance, k, j, shift, inverse, low, high, line2
            )
            if not kept:
                continue
            spread = _spread(variance, k, j, inverse)
            if spread > WIDE_SPREAD:
                centre, spacing, reach = wide_footprint(
                    np.float32((velocity[k, j] - shift) * inverse), spread, line2
                )
                spacing *= reach
            elif spread > FIVE_SPREAD:
                spacing = 2  # nodes c - 2 ... c + 2 about the nearest node c
                centre = int(np.rint(np.float32((velocity[k, j] - shift) * inverse)))
            row_low = min(row_low, centre - spacing)
            row_high = max(row_high, centre + spacing)
            count += 1
        lows[pixel] = row_low
        highs[pixel] = row_high
    return count


@njit()
def deposit_fine(
    rows: np.ndarray,
    slot: np.ndarray,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
    line2: float,
    lowest: int,
    out: np.ndarray,
) -> None:
    """Add the deposited samples of sight lines ``rows`` to ``out[slot[k], node - lowest]``.

    The samples are those :func:`pixel_extents` counts; ``slot[k]`` is the row of
    ``out`` (``(pixels, n_fine)`` float64) that sight line ``k``'s pixel fills, and
    ``out``'s nodes must span the extents of those pixels.
    """
    size = out.shape[1]
    for index in range(rows.shape[0]):
        k = rows[index]
        row = slot[k]
        if not 0 <= row < out.shape[0]:
            continue
        for j in range(flux.shape[1]):
            kept, centre, spacing, w_low, w_mid, w_high = _sample_nodes(
                flux, velocity, variance, k, j, shift, inverse, low, high, line2
            )
            if not kept:
                continue
            spread = _spread(variance, k, j, inverse)
            if spread > WIDE_SPREAD:
                position = np.float32((velocity[k, j] - shift) * inverse)
                deposit_wide(out[row], position, spread, line2, np.float64(flux[k, j]), lowest)
                continue
            if spread > FIVE_SPREAD and line2 >= HIDDEN_LINE2:
                position = np.float32((velocity[k, j] - shift) * inverse)
                centre, w_2, w_1, w0, w1, w2 = _five_nodes(position, spread)
                node = centre - lowest
                if node < 2 or node + 2 >= size:  # outside the extents: never written
                    continue
                value = np.float64(flux[k, j])
                out[row, node - 2] += value * w_2
                out[row, node - 1] += value * w_1
                out[row, node] += value * w0
                out[row, node + 1] += value * w1
                out[row, node + 2] += value * w2
                continue
            node = centre - lowest
            if node < spacing or node + spacing >= size:
                continue
            value = np.float64(flux[k, j])
            out[row, node - spacing] += value * w_low
            out[row, node] += value * w_mid
            out[row, node + spacing] += value * w_high


@njit()
def add_columns(flat: np.ndarray, columns: np.ndarray, spectra: np.ndarray) -> None:
    """Add ``spectra[c, p]`` to ``flat[c, columns[p]]`` for every channel and pixel.

    ``flat`` is the cube as ``(n_chan, ny * nx)``; ``spectra`` is float64
    ``(n_chan, len(columns))``.  Each sum is formed in float64 and rounded once to
    ``flat``'s type, as NumPy's ``flat[:, columns] += spectra`` does, without its
    gathered copy; the columns must be distinct.  Columns outside ``flat`` are refused
    before anything is added.
    """
    if columns.shape[0] != spectra.shape[1] or spectra.shape[0] > flat.shape[0]:
        raise ValueError("add_columns: spectra do not match flat and columns")
    for p in range(columns.shape[0]):
        if not 0 <= columns[p] < flat.shape[1]:
            raise ValueError("add_columns: a column lies outside flat")
    for c in range(spectra.shape[0]):
        row = flat[c]
        values = spectra[c]
        for p in range(columns.shape[0]):
            column = columns[p]
            row[column] = np.float64(row[column]) + values[p]
