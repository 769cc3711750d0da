"""A galaxy population from physical relations, or completed from a user's catalogue.

Each relation, with its source:

- **HI mass function**: Schechter, ``phi(M) dlog M = ln(10) phi* (M/M*)^(alpha+1)
  exp(-M/M*) dlog M`` with ALFALFA's ``alpha = -1.25``, ``log M* = 9.94``,
  ``phi* = 4.5e-3 Mpc^-3 dex^-1`` (Jones et al. 2018, MNRAS 477, 2), sampled in the
  comoving volume of the band (astropy's ``comoving_volume``; redshifts drawn with density
  ``dV_c/dz``, a Poisson number of galaxies of mean ``n V``).
- **HI mass-size**: ``log D_HI = 0.506 log M_HI - 3.293`` (Wang et al. 2016, MNRAS 460,
  2143; ``D_HI`` in kpc the diameter where ``Sigma_HI = 1 M_sun pc^-2``, M in M_sun), exact.
- **Rotation speed**: the baryonic Tully-Fisher relation of
  :mod:`GalCubeCraft.priors.tully_fisher` (McGaugh 2012) with a Gaussian scatter in
  ``log M_b`` (0.1 dex, Lelli et al. 2016); ``M_b = baryon_per_hi * M_HI`` (default 2.33:
  helium's 1.33 times ``M_HI``, plus stars of about ``M_HI`` as in ALFALFA's gas-rich
  galaxies, Huang et al. 2012, ApJ 756, 113).
- **Orientation**: isotropic, ``cos i`` uniform in [0, 1], PA uniform in [0, 360).
- **Dispersion**: ``sigma_kms`` (10 km/s by default), the same for all.
- **Positions**: uniform over the field's pixels.
- **Flux**: ``M_HI = 2.356e5 D_L^2 int S dv / (1 + z)`` (Meyer et al. 2017, PASA 34, 52;
  ``D_L`` in Mpc, ``int S dv`` in Jy km/s with ``dv`` the galaxy's rest-frame velocity).
  Since ``dnu_obs = nu_rest dv / ((1 + z) c)``, the observed frequency integral is
  ``int S dnu = M_HI nu_rest / (2.356e5 c D_L^2) = M_HI / (49.7 D_L^2)`` Jy Hz: no
  redshift term is left, the convention of SDC2's ``line_flux_integral``.

These are HI's relations: a field of another line (CO, [CII]) is not drawn but takes a
catalogue giving :data:`~.spec.LINE_CATALOGUE_COLUMNS` (its line flux, disc diameter and
rotation speed); only orientations, dispersion and the luminosity distance are filled in
(``log_m_hi`` may be given, and is kept, but drives nothing).

The catalogue is a :class:`pandas.DataFrame`, one row per galaxy, ``id`` from 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..cosmology import default_cosmology
from ..priors.tully_fisher import TULLY_FISHER_A, TULLY_FISHER_SLOPE
from .spec import LINE_CATALOGUE_COLUMNS, SPEED_OF_LIGHT_KMS, FieldSpec

HI_MASS_COEFFICIENT = 2.356e5
"""``M_HI / (D_L^2 int S dv / (1 + z))`` in M_sun / (Mpc^2 Jy km/s) (Meyer et al. 2017)."""
SIZE_SLOPE, SIZE_INTERCEPT = 0.506, -3.293
"""Wang et al. (2016): ``log D_HI[kpc] = 0.506 log M_HI[M_sun] - 3.293``."""
REQUIRED = ("x_px", "y_px", "z", "log_m_hi")
"""Columns a user's HI catalogue must give; the others are drawn or derived as here (for
another line: :data:`~.spec.LINE_CATALOGUE_COLUMNS`)."""
_STREAMS = {"count": 0, "z": 1, "mass": 2, "x": 3, "y": 4, "incl": 5, "pa": 6, "tf": 7}


def _rng(spec: FieldSpec, name: str) -> np.random.Generator:
    """Return the generator of one quantity: each its own stream of the spec's seed."""
    return np.random.default_rng(np.random.SeedSequence([spec.seed, 29, _STREAMS[name]]))


def hi_mass_function(log_m: np.ndarray, alpha: float, log_m_star: float,
                     phi_star: float) -> np.ndarray:  # fmt: skip
    """Return the Schechter HI mass function ``phi`` (Mpc^-3 dex^-1) at ``log_m``."""
    ratio = 10.0 ** (np.asarray(log_m, dtype=float) - log_m_star)
    return math.log(10.0) * phi_star * ratio ** (alpha + 1.0) * np.exp(-ratio)


def hi_diameter_kpc(log_m_hi: np.ndarray) -> np.ndarray:
    """Return ``D_HI`` (kpc) of the Wang et al. (2016) mass-size relation."""
    return 10.0 ** (SIZE_SLOPE * np.asarray(log_m_hi, dtype=float) + SIZE_INTERCEPT)


def line_flux_jy_hz(m_hi: np.ndarray, d_l_mpc: np.ndarray, rest_hz: float) -> np.ndarray:
    """Return ``int S dnu`` (Jy Hz) of HI masses ``m_hi`` (M_sun) at ``d_l_mpc`` (Mpc)."""
    return m_hi * rest_hz / (HI_MASS_COEFFICIENT * SPEED_OF_LIGHT_KMS * d_l_mpc**2)


def band_volume_mpc3(spec: FieldSpec, cosmology: Any = None) -> float:
    """Return the comoving volume (Mpc^3) of the field's solid angle over the band."""
    cosmo = default_cosmology() if cosmology is None else cosmology
    z_low, z_high = spec.redshift_range
    shell = cosmo.comoving_volume(z_high).value - cosmo.comoving_volume(z_low).value
    return float(shell * spec.solid_angle_sr / (4.0 * math.pi))


def _inverse_cdf(grid: np.ndarray, density: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return draws at uniform ``u`` of the density tabulated on ``grid`` (trapezoids)."""
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(grid))])
    return np.interp(u * cdf[-1], cdf, grid)


def draw_population(spec: FieldSpec, cosmology: Any = None) -> Any:
    """Return the drawn catalogue of ``spec`` (or its user catalogue, completed).

    The same spec gives the same catalogue: each quantity has its own random stream of
    ``spec.seed``, so changing one relation leaves the others' draws as they were.
    """
    import pandas as pd

    pop = spec.population
    if pop.catalogue is not None:
        return complete_catalogue(pd.read_csv(pop.catalogue), spec, cosmology)
    cosmo = default_cosmology() if cosmology is None else cosmology
    log_m = np.linspace(pop.log_m_min, pop.log_m_max, 4097)
    phi = hi_mass_function(log_m, pop.alpha, pop.log_m_star, pop.phi_star)
    if pop.n_galaxies is not None:
        n = pop.n_galaxies
    else:
        density = float(np.sum(0.5 * (phi[1:] + phi[:-1]) * np.diff(log_m)))
        n = int(_rng(spec, "count").poisson(density * band_volume_mpc3(spec, cosmo)))
    z_low, z_high = spec.redshift_range
    z_grid = np.linspace(z_low, z_high, 1025)
    dv_dz = cosmo.differential_comoving_volume(z_grid).value
    table = pd.DataFrame(
        {
            "x_px": _rng(spec, "x").uniform(-0.5, spec.nx - 0.5, n),
            "y_px": _rng(spec, "y").uniform(-0.5, spec.ny - 0.5, n),
            "z": _inverse_cdf(z_grid, dv_dz, _rng(spec, "z").random(n)),
            "log_m_hi": _inverse_cdf(log_m, phi, _rng(spec, "mass").random(n)),
        }
    )
    return complete_catalogue(table, spec, cosmo)


def complete_catalogue(table: Any, spec: FieldSpec, cosmology: Any = None) -> Any:
    """Return ``table`` with every column the renderer and the catalogues need.

    ``table`` must give :data:`REQUIRED` (for a line other than HI,
    :data:`~.spec.LINE_CATALOGUE_COLUMNS`); ``d_hi_kpc``, ``v_flat_kms``, ``incl_deg``,
    ``pa_deg``, ``sigma_kms`` and ``line_flux_jy_hz`` are kept where given, else drawn or
    derived by the relations of the module docstring.  Rows keep their order; ``id`` is
    1..N in that order.
    """
    needed = REQUIRED if spec.line == "HI" else LINE_CATALOGUE_COLUMNS
    missing = [name for name in needed if name not in table.columns]
    if missing:
        raise ValueError(f"the catalogue lacks the columns {missing}; a {spec.line} field "
                         f"needs {needed}")  # fmt: skip
    cosmo = default_cosmology() if cosmology is None else cosmology
    out = table.reset_index(drop=True).copy()
    n = len(out)
    bad = ~np.isfinite(out["z"].to_numpy(float)) | (out["z"].to_numpy(float) <= 0.0)
    if bad.any():
        raise ValueError(f"catalogue z must be finite and > 0; row {int(np.argmax(bad))} is not")
    out.insert(0, "id", np.arange(1, n + 1, dtype=np.int64))
    if "log_m_hi" not in out:  # a field of another line: no HI mass given (none needed)
        out["log_m_hi"] = np.nan
    m_hi = 10.0 ** out["log_m_hi"].to_numpy(float)
    out["m_hi"] = m_hi
    if "d_hi_kpc" not in out:
        out["d_hi_kpc"] = hi_diameter_kpc(out["log_m_hi"].to_numpy(float))
    if "v_flat_kms" not in out:
        pop = spec.population
        log_mb = np.log10(pop.baryon_per_hi * m_hi)
        log_mb = log_mb + _rng(spec, "tf").normal(0.0, 1.0, n) * pop.tully_fisher_scatter_dex
        out["v_flat_kms"] = 10.0 ** ((log_mb - math.log10(TULLY_FISHER_A)) / TULLY_FISHER_SLOPE)
    if "incl_deg" not in out:
        out["incl_deg"] = np.degrees(np.arccos(_rng(spec, "incl").random(n)))
    if "pa_deg" not in out:
        out["pa_deg"] = _rng(spec, "pa").uniform(0.0, 360.0, n)
    if "sigma_kms" not in out:
        out["sigma_kms"] = np.full(n, spec.population.sigma_kms)
    z = out["z"].to_numpy(float)
    out["d_l_mpc"] = cosmo.luminosity_distance(z).value
    if "line_flux_jy_hz" not in out:
        out["line_flux_jy_hz"] = line_flux_jy_hz(m_hi, out["d_l_mpc"].to_numpy(), spec.rest_hz)
    out["central_freq"] = spec.rest_hz / (1.0 + z)
    return out
