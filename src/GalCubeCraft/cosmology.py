"""Distances and the Hubble flow from one default cosmology, imported when first needed.

``astropy.cosmology`` takes most of a second to import, so nothing here touches it until
an angular scale or a Hubble-flow velocity is asked for: ``import GalCubeCraft`` and
``galcubecraft --help`` stay fast.
"""

from __future__ import annotations

import functools
from typing import Any

DEFAULT_H0_KMS_MPC = 70.0
"""Hubble constant of the default cosmology (km/s/Mpc)."""

DEFAULT_OMEGA_M = 0.3
"""Matter density of the default flat LambdaCDM cosmology."""


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


@functools.lru_cache(maxsize=256)
def kpc_per_arcsec(redshift: float, cosmology: Any = None) -> float:
    """Return proper kpc per arcsec at ``redshift``: the angular-diameter distance times 1 arcsec.

    ``cosmology`` None means :func:`default_cosmology`.
    """
    from astropy import units as u

    cosmo = default_cosmology() if cosmology is None else cosmology
    return float(cosmo.kpc_proper_per_arcmin(redshift).to_value(u.kpc / u.arcsec))


def hubble_flow_kms(depth_kpc: float, cosmology: Any = None) -> float:
    """Return the Hubble-flow velocity ``H0 * d`` (km/s) of a depth offset ``d`` (kpc)."""
    if cosmology is None:
        # H0 in km/s/kpc is exact from the constant: no astropy import on the hot path.
        return DEFAULT_H0_KMS_MPC * depth_kpc / 1000.0
    from astropy import units as u

    return float((cosmology.H0 * (depth_kpc * u.kpc)).to_value(u.km / u.s))
