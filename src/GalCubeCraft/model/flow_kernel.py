"""The compiled loop of the non-circular flows' harmonic terms (numba).

:meth:`GalCubeCraft.model.flows.NonCircularFlows.projected` evaluates, at every sample,

    v_r sin t - v_2t cos 2(t - b) cos t - v_2r sin 2(t - b) sin t
              + v_1t cos(t - l) cos t + v_1r sin(t - l) sin t

from ``cos t`` and ``sin t``.  As numpy expressions over a cube's millions of samples it
made a dozen full-size temporaries and took a third of a plain render's time; here it is
one pass, with the same operations in the same order (so the same float32 results).
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit


@njit(error_model="numpy")
def flow_terms(
    cos_t: np.ndarray,
    sin_t: np.ndarray,
    amplitudes: tuple,
    steps: np.ndarray,
    rotations: np.ndarray,
    out: np.ndarray,
) -> None:
    """Fill ``out`` (1-D, like ``cos_t`` and ``sin_t``) with the harmonic terms above.

    ``amplitudes`` holds the five 1-D amplitude arrays (radial, bar tangential, bar
    radial, lopsided tangential, lopsided radial), each either one value per sample
    (``steps[k] = 1``) or a single value (``steps[k] = 0``).  ``rotations`` is
    ``(cos 2b, sin 2b, cos l, sin l)``.  A zero ``steps``/amplitude pair still adds
    ``0 x term``, which leaves every finite sum unchanged.
    """
    radial, bar_t, bar_r, lop_t, lop_r = amplitudes
    s0, s1, s2, s3, s4 = steps[0], steps[1], steps[2], steps[3], steps[4]
    cos_2b, sin_2b, cos_l, sin_l = rotations[0], rotations[1], rotations[2], rotations[3]
    two = out.dtype.type(2.0)
    if s0 == 0 and s1 == 0 and s2 == 0 and s3 == 0 and s4 == 0:
        # Constant amplitudes (the usual case): scalars in the loop, which LLVM vectorises.
        a0, a1, a2, a3, a4 = radial[0], bar_t[0], bar_r[0], lop_t[0], lop_r[0]
        for k in range(out.size):
            c = cos_t[k]
            s = sin_t[k]
            cos2 = c * c - s * s
            sin2 = two * s * c
            total = a0 * s
            total -= a1 * (cos2 * cos_2b + sin2 * sin_2b) * c
            total -= a2 * (sin2 * cos_2b - cos2 * sin_2b) * s
            total += a3 * (c * cos_l + s * sin_l) * c
            total += a4 * (s * cos_l - c * sin_l) * s
            out[k] = total
        return
    for k in range(out.size):
        c = cos_t[k]
        s = sin_t[k]
        cos2 = c * c - s * s
        sin2 = two * s * c
        total = radial[k * s0] * s
        total -= bar_t[k * s1] * (cos2 * cos_2b + sin2 * sin_2b) * c
        total -= bar_r[k * s2] * (sin2 * cos_2b - cos2 * sin_2b) * s
        total += lop_t[k * s3] * (c * cos_l + s * sin_l) * c
        total += lop_r[k * s4] * (s * cos_l - c * sin_l) * s
        out[k] = total
