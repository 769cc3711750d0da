"""Distances and the Hubble flow from one default cosmology, imported when first needed.

``astropy.cosmology`` takes most of a second to import, so nothing here touches it until
another cosmology is asked for: the default's angular scale and Hubble flow are computed
here (:func:`kpc_per_arcsec`, :func:`hubble_flow_kms`), so ``import GalCubeCraft``,
``galcubecraft --help`` and the first cube stay fast.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

DEFAULT_H0_KMS_MPC = 70.0
"""Hubble constant of the default cosmology (km/s/Mpc)."""

DEFAULT_OMEGA_M = 0.3
"""Matter density of the default flat LambdaCDM cosmology."""

_C_KMS = 299_792.458  # the speed of light (km/s), exact
_ARCSEC_PER_RADIAN = 648_000.0 / math.pi
# Gauss-Legendre nodes and weights on [-1, 1] for the default's distance integral.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)


@functools.lru_cache(maxsize=1)
def default_cosmology() -> Any:
    """Return the default cosmology: flat LambdaCDM with H0 = 70 km/s/Mpc, Omega_m = 0.3."""
    from astropy.cosmology import FlatLambdaCDM

    return FlatLambdaCDM(H0=DEFAULT_H0_KMS_MPC, Om0=DEFAULT_OMEGA_M)


def check_cosmology(cosmology: Any) -> None:
    """Raise ``TypeError`` unless ``cosmology`` is an astropy FLRW cosmology (or None)."""
    if cosmology is None:
        return
    from astropy.cosmology import FLRW

    if not isinstance(cosmology, FLRW):
        raise TypeError(f"cosmology must be an astropy FLRW; got {type(cosmology).__name__}")


def kpc_per_arcsec(redshift: float, cosmology: Any = None) -> float:
    """Return proper kpc per arcsec at ``redshift``: the angular-diameter distance times 1 arcsec.

    ``cosmology`` None means :func:`default_cosmology`, computed without astropy
    (:func:`_flat_kpc_per_arcsec`).
    """
    if cosmology is None:
        return _flat_kpc_per_arcsec(float(redshift), DEFAULT_H0_KMS_MPC, DEFAULT_OMEGA_M)
    # Not cached: astropy's cosmologies are not hashable.
    from astropy import units as u

    return float(cosmology.kpc_proper_per_arcmin(redshift).to_value(u.kpc / u.arcsec))


@functools.lru_cache(maxsize=256)
def _flat_kpc_per_arcsec(redshift: float, h0_kms_mpc: float, omega_m: float) -> float:
    """Return proper kpc per arcsec in a flat LambdaCDM universe without radiation.

    ``D_A = (c / H0) / (1 + z) int_0^z dz' / E(z')`` with ``E^2 = Om (1 + z)^3 + 1 - Om``
    (astropy's ``FlatLambdaCDM`` with its default ``Tcmb0 = 0``).  With
    ``u = (1 + z)^(-1/2)`` the integral is ``int_{u0}^1 2 du / sqrt(Om + (1 - Om) u^6)``,
    smooth on [0, 1]: 24 Gauss-Legendre nodes give it to 1e-15 at any redshift (against
    40-digit quadrature).  astropy's closed form (a hypergeometric function) agrees to
    3e-13 from z = 0.001 up, and to 1e-15 from z = 1; nearer z = 0 its difference of two
    nearly equal terms loses digits (3e-10 at z = 1e-6).
    """
    root = math.sqrt(1.0 + redshift)
    half = 0.5 * redshift / (root * (1.0 + root))  # (1 - u0) / 2, without the cancellation
    u = half * _NODES + (1.0 - half)
    integral = half * float(np.dot(_WEIGHTS, 2.0 / np.sqrt(omega_m + (1.0 - omega_m) * u**6)))
    d_a_kpc = 1000.0 * _C_KMS / h0_kms_mpc * integral / (1.0 + redshift)
    return d_a_kpc / _ARCSEC_PER_RADIAN


def hubble_flow_kms(depth_kpc: float, cosmology: Any = None) -> float:
    """Return the Hubble-flow velocity ``H0 * d`` (km/s) of a depth offset ``d`` (kpc)."""
    if cosmology is None:
        # H0 in km/s/kpc is exact from the constant: no astropy import on the hot path.
        return DEFAULT_H0_KMS_MPC * depth_kpc / 1000.0
    from astropy import units as u

    return float((cosmology.H0 * (depth_kpc * u.kpc)).to_value(u.km / u.s))
