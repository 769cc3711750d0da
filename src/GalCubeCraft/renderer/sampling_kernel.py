"""Compiled loops of the sky sampler's bookkeeping (numba).

:mod:`.sampling` needs, for every set of sight lines, each line's summed flux and the
flux-weighted mean and variance of its velocities, and in the end the kept sight lines
gathered into one array, scaled.  As NumPy expressions these made several temporaries
the size of all the samples (products, differences, fancy-indexed copies, their
concatenation); here each is one pass that writes only what it returns.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit


@njit(error_model="numpy")
def line_sums(
    flux: np.ndarray,
    velocity: np.ndarray,
    extra: np.ndarray,
    brightness: np.ndarray,
    mean: np.ndarray,
    spread: np.ndarray,
    extra_mean: np.ndarray,
) -> None:
    """Fill each row's summed flux and flux-weighted velocity mean and variance.

    ``flux`` and ``velocity`` are ``(m, K)``; ``extra`` is ``(m, K)`` (a variance added
    to each sample's, whose flux-weighted mean goes to ``extra_mean``) or ``(0, 0)``.
    Sums are formed in float64, four interleaved partial sums per quantity (so the
    additions do not wait on each other), about the row's first velocity (so the
    variance loses nothing to the mean's size).  A dark row's mean and variance are
    NaN (the means of no flux), its ``extra_mean`` 0.
    """
    with_extra = extra.shape[0] == flux.shape[0]
    n = flux.shape[1]
    body = n - n % 4
    for i in range(flux.shape[0]):
        origin = np.float64(velocity[i, 0])
        w0 = w1 = w2 = w3 = 0.0
        m0 = m1 = m2 = m3 = 0.0
        s0 = s1 = s2 = s3 = 0.0
        for j in range(0, body, 4):
            f0, f1 = np.float64(flux[i, j]), np.float64(flux[i, j + 1])
            f2, f3 = np.float64(flux[i, j + 2]), np.float64(flux[i, j + 3])
            d0 = np.float64(velocity[i, j]) - origin
            d1 = np.float64(velocity[i, j + 1]) - origin
            d2 = np.float64(velocity[i, j + 2]) - origin
            d3 = np.float64(velocity[i, j + 3]) - origin
            w0 += f0
            w1 += f1
            w2 += f2
            w3 += f3
            m0 += f0 * d0
            m1 += f1 * d1
            m2 += f2 * d2
            m3 += f3 * d3
            s0 += f0 * d0 * d0
            s1 += f1 * d1 * d1
            s2 += f2 * d2 * d2
            s3 += f3 * d3 * d3
        for j in range(body, n):
            f0 = np.float64(flux[i, j])
            d0 = np.float64(velocity[i, j]) - origin
            w0 += f0
            m0 += f0 * d0
            s0 += f0 * d0 * d0
        weight = (w0 + w1) + (w2 + w3)
        brightness[i] = weight
        if weight > 0.0:
            first = ((m0 + m1) + (m2 + m3)) / weight
            mean[i] = origin + first
            spread[i] = max(((s0 + s1) + (s2 + s3)) / weight - first * first, 0.0)
        else:
            mean[i] = np.nan
            spread[i] = np.nan
        if with_extra:
            total = 0.0
            for j in range(n):
                total += np.float64(flux[i, j]) * np.float64(extra[i, j])
            extra_mean[i] = total / weight if weight > 0.0 else 0.0


@njit(error_model="numpy")
def gather_rows(
    source: np.ndarray,
    rows: np.ndarray,
    scale: np.ndarray,
    offset: np.ndarray,
    out: np.ndarray,
    start: int,
) -> None:
    """Set ``out[start + k] = source[rows[k]] * scale[k] + offset[k]`` for every ``k``.

    Each product and sum is formed in the type NumPy gives the same expression (float32
    by float64 in float64) and rounded once to ``out``'s type; a ``scale`` of 1 or an
    ``offset`` of 0 leaves the other operation's result exact, as if it were not there.
    """
    for k in range(rows.shape[0]):
        row = rows[k]
        factor = scale[k]
        shift = offset[k]
        target = start + k
        for j in range(source.shape[1]):
            out[target, j] = source[row, j] * factor + shift
