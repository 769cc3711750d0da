"""Isotropic 3-D Gaussian blobs: the building block of diffuse components and clumps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GaussianBlobs:
    """Isotropic 3-D Gaussians on the sky: where, how wide, how bright, how fast.

    Arrays of equal length: sky offsets ``x_kpc, y_kpc`` from the field centre (``x``
    along columns, ``y`` along rows), ``sigma_kpc``, ``flux`` (Jy km/s), line-of-sight
    velocity ``v_kms`` and line dispersion ``sigma_kms``.
    """

    x_kpc: np.ndarray
    y_kpc: np.ndarray
    sigma_kpc: np.ndarray
    flux: np.ndarray
    v_kms: np.ndarray
    sigma_kms: np.ndarray

    @property
    def total_flux(self) -> float:
        """The component's line flux (Jy km/s): the sum of its blobs'."""
        return float(np.sum(self.flux))


def gaussian_volume(sigma: np.ndarray) -> np.ndarray:
    """Return the integral of ``exp(-d^2 / (2 sigma^2))`` over 3-D space."""
    return (2.0 * math.pi) ** 1.5 * np.asarray(sigma, dtype=float) ** 3
