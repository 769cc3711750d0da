"""The default cosmology's angular scale, computed without astropy, against astropy and quad."""

import numpy as np
import pytest
from astropy import units as u
from astropy.cosmology import FlatLambdaCDM, Planck18
from scipy import integrate

from GalCubeCraft import AngularScale
from GalCubeCraft.cosmology import kpc_per_arcsec

C_KMS = 299_792.458


@pytest.mark.parametrize("z", [1e-3, 0.02, 0.3, 1.0, 2.5, 7.0, 20.0])
def test_the_default_scale_is_astropys_flat_lambda_cdm(z):
    """Kilo-parsecs per arcsec at z equal astropy's FlatLambdaCDM(H0=70, Om0=0.3) to 3e-13."""
    astropy = FlatLambdaCDM(H0=70, Om0=0.3).kpc_proper_per_arcmin(z).to_value(u.kpc / u.arcsec)
    assert kpc_per_arcsec(z) == pytest.approx(astropy, rel=3e-13, abs=0)


@pytest.mark.parametrize("z", [1e-7, 1e-5, 1e-3, 0.1, 5.0])
def test_the_default_scale_is_the_distance_integral(z):
    """It is (c/H0) / (1+z) * integral dz/E(z) per arcsec to 1e-14, also where z -> 0."""
    integral, _ = integrate.quad(lambda x: 1.0 / np.sqrt(0.3 * (1 + x) ** 3 + 0.7), 0.0, z,
                                 epsabs=0.0, epsrel=1e-13)  # fmt: skip
    expected = 1000.0 * C_KMS / 70.0 * integral / (1.0 + z) * np.pi / 648_000.0
    assert kpc_per_arcsec(z) == pytest.approx(expected, rel=1e-14, abs=0)


def test_a_given_cosmology_is_astropys():
    """An astropy cosmology given to AngularScale is used as it is (Planck18 is not the default)."""
    expected = Planck18.kpc_proper_per_arcmin(0.5).to_value(u.kpc / u.arcsec)
    assert AngularScale(redshift=0.5, cosmology=Planck18).kpc_per_arcsec == expected
    assert abs(expected / kpc_per_arcsec(0.5) - 1) > 0.01
