"""Logarithmic spiral arms: an m-armed modulation of the disk's surface brightness.

The emissivity is multiplied by

    f(R, theta) = 1 + A(R) (g(Phi) / <g> - 1),   g = ((1 + cos Phi) / 2)^p,
    Phi = m (theta - phase - w ln(R / R_e) / tan(pitch)),

with ``theta`` the azimuth in the plane from the receding major axis toward the far side
(as :mod:`GalCubeCraft.model.flows`); the disk rotates toward +theta (the receding
major axis moves toward the far side).  The crest (``Phi = 0``) lies at
``theta = phase + w ln(R / R_e) / tan(pitch)``: ``w = -1`` for trailing arms (the
default, as nearly all observed spirals are: the crest falls behind the rotation
outward) and ``w = +1`` for leading ones (``winding='leading'``).
``<g> = C(2p, p) / 4^p`` is the mean of ``g`` over a turn, and
``A(R) = contrast (1 - exp(-(R / R_e)^2))`` switches the arms on outside the centre,
where a logarithmic spiral winds without end.  At every radius the mean of
``f`` over azimuth is exactly 1, so the arms move light around each ring and the line
flux is the disk's.  ``sharpness = p`` narrows the arms (1: a cosine).

Streaming motions of a density wave (optional, zero by default) perturb the velocity
in phase with the arms, in the harmonic form of kinematic studies of spiral galaxies
(Canzian 1993; Schoenmakers, Franx & de Zeeuw 1997)::

    v_R = -S(R) streaming_radial_kms sin Phi,   v_phi = -S(R) streaming_tangential_kms cos Phi,

with ``S(R) = 1 - exp(-(R / R_e)^2)`` (the same taper): positive amplitudes make the gas
rotate slower on the arm crest (``Phi = 0``) and flow inward ahead of it (at larger
theta, ``0 < Phi < pi``), as inside corotation for trailing arms: the gas overtakes the
pattern, entering each arm from its concave side (behind the crest) and, slowest on the
crest as at an epicycle's outermost point, moving inward as it leaves.  The terms
follow ``Phi``, so the winding turns them with the arms.  They add
``(v_R sin theta + v_phi cos theta) sin i`` to the line of sight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate

WINDINGS = {"trailing": -1.0, "leading": 1.0}
"""The sign ``w`` of the crest's winding, ``theta = phase + w ln(R / R_e) / tan(pitch)``."""


@dataclass(frozen=True)
class SpiralArms:
    """The arms' shape (see the module docstring).

    ``winding`` is ``'trailing'`` (default) or ``'leading'``: which way the crest turns
    outward relative to the rotation.
    """

    m: int = 2
    pitch_deg: float = 15.0
    contrast: float = 0.5
    phase_deg: float = 0.0
    sharpness: int = 1
    streaming_radial_kms: float = 0.0
    streaming_tangential_kms: float = 0.0
    winding: str = "trailing"

    def __post_init__(self) -> None:
        """Check the parameters: 0 <= contrast <= 1 keeps the emissivity non-negative."""
        _validate.integer("m", self.m, low=1, high=12)
        object.__setattr__(
            self, "pitch_deg", _validate.real("pitch_deg", self.pitch_deg, low=1.0, high=89.0)
        )
        object.__setattr__(
            self, "contrast", _validate.real("contrast", self.contrast, low=0.0, high=1.0)
        )
        object.__setattr__(self, "phase_deg", _validate.real("phase_deg", self.phase_deg))
        _validate.integer("sharpness", self.sharpness, low=1, high=20)
        for name in ("streaming_radial_kms", "streaming_tangential_kms"):
            object.__setattr__(self, name, _validate.speed_kms(name, getattr(self, name)))
        _validate.choice("winding", self.winding, WINDINGS)

    @property
    def streams(self) -> bool:
        """Whether the arms carry streaming motions."""
        return self.streaming_radial_kms != 0.0 or self.streaming_tangential_kms != 0.0

    def _terms(
        self, radius: np.ndarray, x: np.ndarray, y: np.ndarray, r_e_kpc: float, streaming: bool
    ) -> np.ndarray:
        """Return :func:`.arm_kernel.arm_terms` over the broadcast inputs (float32)."""
        from .arm_kernel import arm_terms  # numba: compiled on first use, not at import

        r, x, y = np.broadcast_arrays(radius, x, y)
        constants = np.array([
            self.m,
            math.radians(self.phase_deg),
            WINDINGS[self.winding] / math.tan(math.radians(self.pitch_deg)),  # w / tan p
            1.0 / r_e_kpc,
            1e-6 * r_e_kpc,  # the phase winds without end at R = 0: floor R there
            self.contrast,
            4.0**self.sharpness / math.comb(2 * self.sharpness, self.sharpness),  # 1 / <g>
            -self.streaming_radial_kms,
            -self.streaming_tangential_kms,
        ], dtype=np.float32)  # fmt: skip
        out = np.empty(r.shape, dtype=np.float32)

        def flat(values: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(values, dtype=np.float32).reshape(-1)

        arm_terms(flat(r), flat(x), flat(y), constants, self.sharpness, streaming,
                  out.reshape(-1))  # fmt: skip
        return out

    def streaming(
        self, radius: np.ndarray, cos_theta: np.ndarray, sin_theta: np.ndarray, r_e_kpc: float
    ) -> np.ndarray:
        """Return ``v_R sin theta + v_phi cos theta`` (km/s, float32; times ``sin i`` later)."""
        return self._terms(radius, cos_theta, sin_theta, r_e_kpc, streaming=True)

    def factor(
        self, radius: np.ndarray, x_disk: np.ndarray, y_disk: np.ndarray, r_e_kpc: float
    ) -> np.ndarray:
        """Return ``f`` (float32) at disk-plane points ``(x_disk, y_disk)`` of radius ``radius``."""
        return self._terms(radius, x_disk, y_disk, r_e_kpc, streaming=False)
