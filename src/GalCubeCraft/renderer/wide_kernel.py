"""Samples wider than a few fine steps, laid down as sampled Gaussians on the fine grid.

A radial dispersion profile gives samples a variance of many fine steps squared: three
or five nodes would split or ripple their line, so :func:`deposit_wide` spreads each
one over a Gaussian's nodes (:data:`~.kernels.WIDE_SPREAD` and up);
:func:`wide_footprint` says which nodes, for the deposit's extents too.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit

_WIDE_REACH = 7.0  # the sampled Gaussian spans +-7 of its sigmas (2.6e-12 beyond)
_WIDE_SAMPLING = 1.2  # nodes per resolved width (see wide_footprint)


@njit()
def wide_footprint(position: np.float32, spread: np.float32, line2: float) -> tuple[int, int, int]:
    """Return the nearest node, the node spacing and the half-width (in spacings).

    The sampled Gaussian (width ``s``) is summed with the line's own (width ``sigma``,
    ``line2 = sigma^2`` in steps^2) by the response, so what must be resolved is the
    narrower of the two, ``s_eff = s sigma / sqrt(s^2 + sigma^2)``: nodes ``d`` apart
    leave a ripple of about ``2 exp(-2 pi^2 s_eff^2 / d^2)`` of the line's peak, so
    ``d`` is the whole number of fine steps nearest below ``s_eff / 1.2`` (1e-12), and
    at least one step, where the sampled Gaussian's own mean and variance are those of
    the continuous one to ``4 pi^2 exp(-2 pi^2 s^2)`` (2e-7 at ``s = 1``).
    """
    variance = np.float64(spread)
    s_eff = np.sqrt(variance * line2 / (variance + line2)) if line2 > 0.0 else 0.0
    spacing = max(int(s_eff / _WIDE_SAMPLING), 1)
    return (int(np.rint(position)), spacing,
            int(np.ceil(_WIDE_REACH * np.sqrt(variance) / spacing)))  # fmt: skip


@njit()
def deposit_wide(
    row: np.ndarray,
    position: np.float32,
    spread: np.float32,
    line2: float,
    value: np.float64,
    lowest: int,
) -> None:
    """Add ``value`` to ``row`` as a Gaussian of variance ``spread`` about ``position``.

    Nodes ``c + i d`` for ``|i| <= reach`` get ``value w_i / sum(w)`` with
    ``w_i = exp(-(i d - f)^2 / (2 V))`` (``f = position - c``); their mean and variance
    are ``position`` and ``V`` to the sampling's accuracy.  The exponentials follow by
    recurrence (each ratio of neighbours is the previous one times ``exp(-d^2 / V)``).
    At 1.2 nodes per ``sqrt(V)`` or more, ``sum(w)`` is ``sqrt(2 pi V) / d`` to 2e-11
    (Poisson summation; the tails beyond 7 sigma hold 3e-12), so one pass does;
    coarser, the weights are summed first.
    """
    centre, spacing, reach = wide_footprint(position, spread, line2)
    variance = np.float64(spread)
    d = np.float64(spacing)
    x = -reach * d - np.float64(position - np.float32(centre))
    first = np.exp(-x * x / (2.0 * variance))
    first_ratio = np.exp(-(2.0 * x * d + d * d) / (2.0 * variance))
    step = np.exp(-d * d / variance)
    if variance >= (_WIDE_SAMPLING * d) ** 2:
        total = np.sqrt(2.0 * np.pi * variance) / d
    else:
        total = 0.0
        weight, ratio = first, first_ratio
        for _ in range(2 * reach + 1):
            total += weight
            weight *= ratio
            ratio *= step
    weight, ratio = first * (value / total), first_ratio
    node = centre - lowest - reach * spacing
    size = row.shape[0]
    for _ in range(2 * reach + 1):
        if 0 <= node < size:  # always, for the extents pixel_extents gave; never beyond
            row[node] += weight
        weight *= ratio
        ratio *= step
        node += spacing
