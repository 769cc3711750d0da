"""Asymmetric drift: the rotation lag of a disk supported partly by its dispersion.

Jeans' equation for a thin disk whose dispersion is isotropic in the plane gives
``v_rot^2 = v_c^2 + sigma^2 (d ln Sigma / d ln R)`` times the factor that the vertical
support brings; the standard form used by dysmalpy and by kinematic studies of
high-redshift disks (Burkert et al. 2010) for an exponential disk is
``v_rot^2 = v_c^2 - 2 sigma^2 R / R_d``.  We use its Sérsic generalisation,

    v_rot^2 = v_c^2 - 2 sigma(R)^2 (b_n / n) (R / R_e)^(1/n),

which is that form for n = 1 (``R_d = R_e / b_1``) and follows the disk's own surface
density otherwise; where the pressure term exceeds ``v_c^2`` the disk does not rotate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .profiles import b_n

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .galaxy import Galaxy


def drifted_curve(galaxy: Galaxy) -> Callable[[np.ndarray], np.ndarray]:
    """Return the rotation speed ``v_rot(R)`` of ``galaxy`` after asymmetric drift."""
    curve = galaxy.rotation_curve
    assert curve is not None  # Galaxy fills in the default

    def v_rot(radius: np.ndarray) -> np.ndarray:
        from .drift_kernel import drifted_speed  # numba: compiled on first use

        r = np.asarray(radius)
        v_c = np.asarray(curve(r))
        dtype = np.result_type(v_c.dtype, np.float32)
        r, v_c = np.broadcast_arrays(r, v_c)
        profile = galaxy.dispersion_profile
        sigma = np.ravel(np.asarray(profile(r) if profile else galaxy.sigma_kms, dtype=float))
        if sigma.size not in (1, r.size):  # the kernel reads sigma[k] or sigma[0]
            raise ValueError(
                f"dispersion_profile must return one value per radius; got {sigma.size} for "
                f"{r.size}"
            )
        n = galaxy.n_sersic
        constants = np.array([2.0 * b_n(n) / n, galaxy.r_e_kpc, 1.0 / n])
        out = np.empty(v_c.shape, dtype=dtype)
        drifted_speed(np.ascontiguousarray(v_c).reshape(-1), sigma, int(sigma.size > 1),
                      np.ascontiguousarray(r).reshape(-1), constants,
                      bool(r.dtype == np.float32), out.reshape(-1))  # fmt: skip
        return out

    return v_rot


@dataclass(frozen=True)
class ExponentialDispersion:
    """``sigma(R) = outer + (centre - outer) exp(-R / scale)``: a dispersion profile.

    A picklable callable (datasets send galaxies to worker processes), for
    :attr:`Galaxy.dispersion_profile`.
    """

    centre_kms: float
    outer_kms: float
    scale_kpc: float

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the dispersion (km/s) at ``r_kpc``."""
        r = np.asarray(r_kpc)
        return self.outer_kms + (self.centre_kms - self.outer_kms) * np.exp(-r / self.scale_kpc)
