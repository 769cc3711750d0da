"""The compiled loop of the spiral arms' modulation and streaming (numba, float32).

:class:`GalCubeCraft.model.arms.SpiralArms` needs, at every sample, the arm phase
``Phi = m (theta - phase - w ln(R / R_e) / tan(pitch))`` (``w = -1`` for trailing
arms: the constant ``inv_tan_pitch`` is ``w / tan(pitch)``) and from it either the
brightness factor ``1 + A(R) (g(Phi) / <g> - 1)`` or the streaming velocity.  As numpy
expressions over a cube's millions of samples this made a dozen full-size temporaries;
here it is one pass, with the float32 polynomial ``atan2``, ``sin``/``cos``, ``exp`` and
``log`` of :mod:`GalCubeCraft.kernels.float32_math` so LLVM vectorises it.  Float32
suffices: a modulation of the emissivity, or a few km/s, known to 1e-7.
"""

from __future__ import annotations

import numpy as np

from ..kernels.float32_math import atan2_32, exp32, log32, sincos32
from ..kernels.jit import njit

_ONE = np.float32(1.0)
_HALF = np.float32(0.5)
_POWER_BITS = 5  # sharpness <= 20 < 2^5: the power by squaring has a fixed trip count

CONSTANTS = ("m", "phase_rad", "inv_tan_pitch", "inv_r_e", "r_floor", "contrast", "inv_mean",
             "stream_radial", "stream_tangential")  # fmt: skip
"""The order of the float32 constants :func:`arm_terms` reads."""


@njit(error_model="numpy")
def arm_terms(
    radius: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    constants: np.ndarray,
    sharpness: int,
    streaming: bool,
    out: np.ndarray,
) -> None:
    """Fill ``out`` with the arms' factor, or with their streaming velocity (1-D float32).

    ``theta = atan2(y, x)``.  For the factor ``(x, y)`` is the in-plane position; for the
    streaming velocity it is ``(cos theta, sin theta)``, and ``out`` gets
    ``v_R sin theta + v_phi cos theta`` with ``v_R = stream_radial S sin Phi`` and
    ``v_phi = stream_tangential S cos Phi`` (the amplitudes already negated), ``S`` the
    taper ``1 - exp(-(R / R_e)^2)``.
    """
    m, phase, inv_tan, inv_r_e = constants[0], constants[1], constants[2], constants[3]
    floor, contrast, inv_mean = constants[4], constants[5], constants[6]
    v_radial, v_tangential = constants[7], constants[8]
    for k in range(out.size):
        q = max(radius[k], floor) * inv_r_e
        phi = m * (atan2_32(y[k], x[k]) - phase - log32(q) * inv_tan)
        sin_phi, cos_phi = sincos32(phi)
        taper = _ONE - exp32(-(q * q))
        if streaming:
            out[k] = taper * (v_radial * sin_phi * y[k] + v_tangential * cos_phi * x[k])
        else:
            base = _HALF * (_ONE + cos_phi)
            g = _ONE
            for bit in range(_POWER_BITS):
                if (sharpness >> bit) & 1:
                    g *= base
                base *= base
            out[k] = _ONE + contrast * taper * (g * inv_mean - _ONE)
