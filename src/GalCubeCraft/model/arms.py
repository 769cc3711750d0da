"""Logarithmic spiral arms: an m-armed modulation of the disk's surface brightness.

The emissivity is multiplied by

    f(R, theta) = 1 + A(R) (g(Phi) / <g> - 1),   g = ((1 + cos Phi) / 2)^p,
    Phi = m (theta - phase - ln(R / R_e) / tan(pitch)),

with ``theta`` the azimuth in the plane from the receding major axis toward the far side
(as :mod:`GalCubeCraft.model.flows`), ``<g> = C(2p, p) / 4^p`` the mean of ``g`` over a
turn, and ``A(R) = contrast (1 - exp(-(R / R_e)^2))`` switching the arms on outside
the centre, where a logarithmic spiral winds without end.  At every radius the mean of
``f`` over azimuth is exactly 1, so the arms move light around each ring and the line
flux is the disk's.  ``sharpness = p`` narrows the arms (1: a cosine).  The velocity
field is the disk's: no streaming motions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate


@dataclass(frozen=True)
class SpiralArms:
    """The arms' shape (see the module docstring)."""

    m: int = 2
    pitch_deg: float = 15.0
    contrast: float = 0.5
    phase_deg: float = 0.0
    sharpness: int = 1

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

    def factor(
        self, radius: np.ndarray, x_disk: np.ndarray, y_disk: np.ndarray, r_e_kpc: float
    ) -> np.ndarray:
        """Return ``f`` at disk-plane points ``(x_disk, y_disk)`` of radius ``radius`` (kpc)."""
        r = np.maximum(radius, np.float32(1e-6 * r_e_kpc))
        theta = np.arctan2(y_disk, x_disk)
        tan_pitch = np.float32(math.tan(math.radians(self.pitch_deg)))
        winding = np.log(r / np.float32(r_e_kpc)) / tan_pitch
        phi = np.float32(self.m) * (theta - np.float32(math.radians(self.phase_deg)) - winding)
        g = (0.5 * (1.0 + np.cos(phi))) ** self.sharpness
        mean = math.comb(2 * self.sharpness, self.sharpness) / 4.0**self.sharpness
        strength = self.contrast * (1.0 - np.exp(-np.square(r / np.float32(r_e_kpc))))
        return 1.0 + strength * (g / np.float32(mean) - 1.0)
