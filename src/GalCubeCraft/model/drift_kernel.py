"""The compiled loop of asymmetric drift (numba): ``v_rot`` from ``v_c`` in one pass.

:func:`GalCubeCraft.model.drift.drifted_curve` needs, at every sample,
``sqrt(max(v_c^2 - 2 sigma^2 (b_n / n) (R / R_e)^(1/n), 0))``.  As numpy expressions
this took six full-size temporaries and a generic ``power``; here it is one loop,
in float64 whatever the samples' dtype.  Float32 samples take the power from the float32
polynomial ``exp``/``log`` (:mod:`GalCubeCraft.kernels.float32_math`), which LLVM
vectorises; float64 inputs (ground-truth maps) keep the C library's.  For ``n = 1`` no
power is taken at all.
"""

from __future__ import annotations

import math

import numpy as np

from ..kernels.float32_math import exp32, log32
from ..kernels.jit import njit


@njit(error_model="numpy")
def drifted_speed(
    v_c: np.ndarray,
    sigma: np.ndarray,
    sigma_step: int,
    radius: np.ndarray,
    constants: np.ndarray,
    single: bool,
    out: np.ndarray,
) -> None:
    """Fill ``out`` (1-D) with the drifted rotation speed, computed in float64.

    ``sigma`` holds one dispersion per sample (``sigma_step = 1``) or one for all
    (``sigma_step = 0``).  ``constants`` is ``(2 b_n / n, R_e, 1 / n)``.  With ``single``
    the power ``(R / R_e)^(1/n)`` comes from the float32 polynomials (the samples are
    float32: their radii carry no more).
    """
    factor, r_e, inv_n = constants[0], constants[1], constants[2]
    one = inv_n == 1.0
    inv_n32 = np.float32(inv_n)
    for k in range(out.size):
        scaled = np.float64(radius[k]) / r_e
        if not one:
            if scaled <= 0.0:
                scaled = 0.0
            elif single:
                scaled = np.float64(exp32(inv_n32 * log32(np.float32(scaled))))
            else:
                scaled = math.exp(inv_n * math.log(scaled))
        s = np.float64(sigma[k * sigma_step])
        v = np.float64(v_c[k])
        out[k] = math.sqrt(max(v * v - s * s * factor * scaled, 0.0))
