"""Non-circular flows in the disk plane: radial, bisymmetric (bar-like) and lopsided.

With ``theta`` the azimuth in the disk plane from the receding major axis (toward the far
side: ``sin theta > 0`` there), the line-of-sight velocity of a point at radius ``R`` is
(Spekkens & Sellwood 2007, their eq. 5 and its m = 1 analogue)::

    v = v_sys + sin i [ v_c cos(theta) + v_r sin(theta)
                        - v_2t cos(2 theta_b) cos(theta) - v_2r sin(2 theta_b) sin(theta)
                        + v_1t cos(theta_1) cos(theta) + v_1r sin(theta_1) sin(theta) ]

``theta_b = theta - bar_angle`` and ``theta_1 = theta - lopsided_angle``.  Radial
velocities are positive outward: inflow (``v_r < 0``) is redshifted on the near side of
the disk (``sin theta < 0``), as kinematic fitters (3D-Barolo's VRAD, KinMS) take it.
Every amplitude is a number or a callable of ``R`` (kpc), like a rotation curve.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate

Amplitude = float | Callable[[np.ndarray], np.ndarray]
_AMPLITUDES = ("radial_kms", "bar_tangential_kms", "bar_radial_kms",
               "lopsided_tangential_kms", "lopsided_radial_kms")  # fmt: skip


def _evaluate(amplitude: Amplitude, radius: np.ndarray) -> np.ndarray | float:
    return amplitude(radius) if callable(amplitude) else amplitude


@dataclass(frozen=True)
class NonCircularFlows:
    """The non-circular part of a disk's velocity field (all zero by default).

    Parameters
    ----------
    radial_kms : float or callable
        ``v_r(R)``, positive outward.
    bar_tangential_kms, bar_radial_kms : float or callable
        ``v_2t(R)``, ``v_2r(R)``: the bisymmetric (m = 2) flow.
    bar_angle_deg : float
        The bar's major axis in the disk plane, from the receding major axis toward the
        far side (degrees).
    lopsided_tangential_kms, lopsided_radial_kms : float or callable
        ``v_1t(R)``, ``v_1r(R)``: the lopsided (m = 1) flow.
    lopsided_angle_deg : float
        Its phase, measured as ``bar_angle_deg``.
    """

    radial_kms: Amplitude = 0.0
    bar_tangential_kms: Amplitude = 0.0
    bar_radial_kms: Amplitude = 0.0
    bar_angle_deg: float = 0.0
    lopsided_tangential_kms: Amplitude = 0.0
    lopsided_radial_kms: Amplitude = 0.0
    lopsided_angle_deg: float = 0.0

    def __post_init__(self) -> None:
        """Check the amplitudes (numbers or callables) and the angles."""
        for name in _AMPLITUDES:
            value = getattr(self, name)
            if not callable(value):
                object.__setattr__(self, name, _validate.real(name, value))
        for name in ("bar_angle_deg", "lopsided_angle_deg"):
            object.__setattr__(self, name, _validate.real(name, getattr(self, name)))

    @property
    def is_zero(self) -> bool:
        """True when every amplitude is the number 0 (the disk rotates circularly)."""
        return all(not callable(getattr(self, n)) and getattr(self, n) == 0.0 for n in _AMPLITUDES)

    def projected(
        self, radius: np.ndarray, cos_theta: np.ndarray, sin_theta: np.ndarray
    ) -> np.ndarray:
        """Return the non-circular terms of the bracket above (times ``sin i`` later).

        One compiled pass over the samples (:mod:`.flow_kernel`), in the dtype of
        ``cos_theta`` and ``sin_theta``; callable amplitudes are evaluated at ``radius``
        first and cast to that dtype.
        """
        from .flow_kernel import flow_terms  # numba: compiled on first use, not at import

        cos_t, sin_t = np.broadcast_arrays(cos_theta, sin_theta)
        dtype = np.result_type(cos_t, sin_t)
        shape = cos_t.shape
        amplitudes = []
        steps = np.zeros(len(_AMPLITUDES), dtype=np.int64)
        for k, name in enumerate(_AMPLITUDES):
            values = np.ravel(np.asarray(_evaluate(getattr(self, name), radius), dtype=dtype))
            if values.size not in (1, cos_t.size):
                raise ValueError(f"{name}(R) must give one value per radius; got {values.size}")
            steps[k] = 0 if values.size == 1 else 1
            amplitudes.append(values)
        bar = math.radians(self.bar_angle_deg)
        lop = math.radians(self.lopsided_angle_deg)
        rotations = np.array([math.cos(2 * bar), math.sin(2 * bar), math.cos(lop),
                              math.sin(lop)], dtype=dtype)  # fmt: skip
        out = np.empty(shape, dtype=dtype)
        flow_terms(np.ascontiguousarray(cos_t, dtype=dtype).ravel(),
                   np.ascontiguousarray(sin_t, dtype=dtype).ravel(), tuple(amplitudes), steps,
                   rotations, out.reshape(-1))  # fmt: skip
        return out


def _present(amplitude: Amplitude) -> bool:
    """Return whether an amplitude may be non-zero (a callable, or a non-zero number)."""
    return callable(amplitude) or amplitude != 0.0
