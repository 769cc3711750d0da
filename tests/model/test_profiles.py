"""The model's formulas against independent integrals and the seed's definitions."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from GalCubeCraft import GalCubeCraft
from GalCubeCraft.model.profiles import (
    b_n,
    sersic_enclosed_fraction,
    sersic_flux_density_3d,
    sersic_truncation_radius,
    total_flux,
)


@pytest.mark.parametrize(
    ("n", "tolerance"), [(0.5, 1.5e-4), (1.0, 1.5e-5), (1.5, 3e-6), (4.0, 1e-7)]
)
def test_b_n_makes_r_e_the_half_light_radius(n, tolerance):
    """The b_n series makes R_e enclose half the light, to the series' asymptotic accuracy."""
    assert special.gammainc(2 * n, b_n(n)) == pytest.approx(0.5, abs=tolerance)


def test_b_n_series_terms():
    """b_n is the five-term series the seed and DESIGN.md quote, evaluated at n = 1."""
    expected = 2 - 1 / 3 + 4 / 405 + 46 / 25515 + 131 / 1148175 - 2194697 / 30690717750
    assert b_n(1.0) == pytest.approx(expected, rel=1e-15)


def test_emissivity_at_effective_radius_and_scale_height():
    """S(R_e, 0) = S_e and the vertical profile falls by e at z = h_z."""
    s = sersic_flux_density_3d(3.0, 4.0, 0.0, s_e=2.0, r_e=5.0, n=1.3, h_z=0.7)
    assert s == pytest.approx(2.0, rel=1e-14)
    s_hz = sersic_flux_density_3d(3.0, 4.0, -0.7, s_e=2.0, r_e=5.0, n=1.3, h_z=0.7)
    assert s_hz == pytest.approx(2.0 / math.e, rel=1e-14)


@pytest.mark.parametrize("n", [0.5, 1.0, 1.5])
def test_total_flux_matches_numerical_volume_integral(n):
    """The analytic volume integral equals a numerical one of the emissivity."""
    r_e, h_z, s_e = 4.0, 0.6, 1.7

    def radial(r):
        return 2 * math.pi * r * float(sersic_flux_density_3d(r, 0.0, 0.0, s_e, r_e, n, h_z))

    radial_integral = integrate.quad(radial, 0, 60 * r_e, limit=400, epsrel=1e-11)[0]
    assert total_flux(s_e, r_e, n, h_z) == pytest.approx(radial_integral * 2 * h_z, rel=1e-8)


@pytest.mark.parametrize("n", [0.5, 1.0, 1.5])
def test_truncation_radius_inverts_enclosed_fraction(n):
    """The truncation radius leaves exactly the requested fraction of light outside."""
    r = sersic_truncation_radius(5.0, n, 1e-6)
    assert 1 - sersic_enclosed_fraction(r, 5.0, n) == pytest.approx(1e-6, rel=1e-6)


def test_seed_static_method_is_the_same_function():
    """GalCubeCraft.sersic_flux_density_3d is the seed's function with the seed's arguments."""
    x = np.linspace(-3, 3, 7)
    got = GalCubeCraft.sersic_flux_density_3d(x, x, x, 0.1, 5.0, 1.0, 0.5)
    np.testing.assert_array_equal(got, sersic_flux_density_3d(x, x, x, 0.1, 5.0, 1.0, 0.5))
