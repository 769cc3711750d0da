"""The population: each relation as its source states it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from survey_helpers import SMALL

from GalCubeCraft.cosmology import default_cosmology
from GalCubeCraft.survey import PopulationSpec, draw_population, load_field_spec
from GalCubeCraft.survey.population import band_volume_mpc3, hi_mass_function


@pytest.fixture(scope="module")
def many():
    """20,000 galaxies drawn (not rendered)."""
    return draw_population(SMALL.replace(population=PopulationSpec(n_galaxies=20_000)))


def test_the_mass_size_relation_holds_exactly(many):
    """Log D_HI = 0.506 log M_HI - 3.293 (Wang et al. 2016) for every galaxy."""
    expected = 0.506 * many["log_m_hi"] - 3.293
    np.testing.assert_allclose(np.log10(many["d_hi_kpc"]), expected, rtol=0, atol=1e-12)


def test_masses_follow_the_schechter_function(many):
    """Binned counts match the mass function's shape (chi^2), and the low-mass slope is alpha+1."""
    pop = PopulationSpec()
    edges = np.linspace(pop.log_m_min, pop.log_m_max, 11)
    counts, _ = np.histogram(many["log_m_hi"], edges)
    fine = np.linspace(pop.log_m_min, pop.log_m_max, 20_001)
    phi = hi_mass_function(fine, pop.alpha, pop.log_m_star, pop.phi_star)
    cdf = np.concatenate([[0], np.cumsum(0.5 * (phi[1:] + phi[:-1]) * np.diff(fine))])
    expected = np.diff(np.interp(edges, fine, cdf)) / cdf[-1] * len(many)
    keep = expected > 20
    chi2 = float(np.sum((counts[keep] - expected[keep]) ** 2 / expected[keep]))
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3
    # Below M*: dN/dlogM / exp(-M/M*) is a power law of slope alpha + 1 = -0.25.
    centres = 0.5 * (edges[1:] + edges[:-1])
    low = centres < pop.log_m_star - 0.3
    y = np.log10(counts[low]) + 10.0 ** (centres[low] - pop.log_m_star) / math.log(10.0)
    slope = np.polyfit(centres[low], y, 1)[0]
    assert slope == pytest.approx(pop.alpha + 1.0, abs=0.05)


def test_the_number_of_galaxies_is_the_mass_function_times_the_comoving_volume():
    """Without n_galaxies, the count is Poisson about n V (within 5 sigma)."""
    spec = load_field_spec("sdc2")
    pop = spec.population
    grid = np.linspace(pop.log_m_min, pop.log_m_max, 4097)
    density = np.trapezoid(hi_mass_function(grid, pop.alpha, pop.log_m_star, pop.phi_star), grid)
    mean = density * band_volume_mpc3(spec)
    n = len(draw_population(spec))
    assert abs(n - mean) < 5.0 * math.sqrt(mean)
    cosmo = default_cosmology()
    z0, z1 = spec.redshift_range
    shell = cosmo.comoving_volume(z1).value - cosmo.comoving_volume(z0).value
    assert band_volume_mpc3(spec) == pytest.approx(shell * spec.solid_angle_sr / (4 * math.pi))


def test_flux_follows_from_mass_and_luminosity_distance(many):
    """M_HI = 2.356e5 D_L^2 int S dv / (1 + z), dv rest-frame: in Jy Hz, M = 49.7 D_L^2 S."""
    s = many["line_flux_jy_hz"].to_numpy()
    d = many["d_l_mpc"].to_numpy()
    z = many["z"].to_numpy()
    # int S dv (rest-frame km/s) = int S dnu * c (1 + z) / nu_rest.
    s_dv = s * 299_792.458 * (1.0 + z) / 1.420405751768e9
    np.testing.assert_allclose(2.356e5 * d**2 * s_dv / (1.0 + z), many["m_hi"], rtol=1e-12)
    assert np.median(many["m_hi"] / (d**2 * s)) == pytest.approx(49.73, rel=1e-3)


def test_orientations_are_isotropic(many):
    """Cos i is uniform on [0, 1] and PA uniform on [0, 360) (Kolmogorov-Smirnov)."""
    assert stats.kstest(np.cos(np.radians(many["incl_deg"])), "uniform").pvalue > 1e-3
    assert stats.kstest(many["pa_deg"] / 360.0, "uniform").pvalue > 1e-3


def test_rotation_speeds_follow_the_tully_fisher_relation_with_its_scatter(many):
    """log(2.33 M_HI) - log(47 V^4) has mean 0 and sd 0.1 dex."""
    offset = np.log10(2.33 * many["m_hi"]) - np.log10(47.0 * many["v_flat_kms"] ** 4)
    assert abs(offset.mean()) < 0.005
    assert offset.std() == pytest.approx(0.1, rel=0.03)


def test_redshifts_lie_in_the_band_and_follow_the_comoving_volume(many):
    """Every z is inside the band; their distribution is dV_c/dz (KS against its CDF)."""
    z0, z1 = SMALL.redshift_range
    z = many["z"].to_numpy()
    assert z.min() >= z0 and z.max() <= z1
    cosmo = default_cosmology()

    def cdf(x: np.ndarray) -> np.ndarray:
        v0 = cosmo.comoving_volume(z0).value
        return (cosmo.comoving_volume(x).value - v0) / (cosmo.comoving_volume(z1).value - v0)

    assert stats.kstest(z, cdf).pvalue > 1e-3
