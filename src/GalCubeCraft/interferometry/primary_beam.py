"""Primary beams: the dish's power response across the field, per frequency.

'gaussian' (default): FWHM = ``factor * lambda / D``; ``factor = 1.13`` describes ALMA's
12-m and 7-m antennas (their tapered illumination).  'airy': a uniformly illuminated
dish, ``[2 J_1(x) / x]^2`` with ``x = pi D theta / lambda`` (FWHM 1.029 lambda / D).
'none': no attenuation.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import j1

PRIMARY_BEAMS = ("gaussian", "airy", "none")
ALMA_FWHM_FACTOR = 1.13


def primary_beam(
    offset_rad: np.ndarray, wavelength_m: float, diameter_m: float, kind: str = "gaussian",
    fwhm_factor: float = ALMA_FWHM_FACTOR,
) -> np.ndarray:  # fmt: skip
    """Return the power response (1 on axis) at angular offsets ``offset_rad``."""
    if kind == "none":
        return np.ones_like(offset_rad)
    if kind == "gaussian":
        fwhm = fwhm_factor * wavelength_m / diameter_m
        return np.exp(-4.0 * math.log(2.0) * (offset_rad / fwhm) ** 2)
    x = math.pi * diameter_m * np.sin(offset_rad) / wavelength_m
    with np.errstate(invalid="ignore", divide="ignore"):
        amplitude = np.where(x == 0.0, 1.0, 2.0 * j1(x) / x)
    return amplitude**2
