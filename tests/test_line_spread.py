"""Channel response: top-hat, Hanning and the original's Gaussian smoothing."""

import numpy as np
import pytest
from conftest import render_array

from GalCubeCraft import Galaxy, Observation, SpectralAxis
from GalCubeCraft.instrument.line_spread import apply_line_spread


def _spike(n_chan=21):
    cube = np.zeros((n_chan, 3, 3))
    cube[10, 1, 1] = 1.0
    return cube


def test_tophat_is_identity_and_hanning_is_quarter_half_quarter():
    """'tophat' leaves channels alone; 'hanning' spreads a spike as (1/4, 1/2, 1/4)."""
    np.testing.assert_array_equal(apply_line_spread(_spike(), "tophat"), _spike())
    out = apply_line_spread(_spike(), "hanning")[:, 1, 1]
    np.testing.assert_allclose(out[9:12], [0.25, 0.5, 0.25])
    assert out.sum() == pytest.approx(1.0)


def test_gaussian_line_spread_has_the_requested_width_and_keeps_flux():
    """The sigma = 0.6 channel response keeps flux and is the Gaussian sampled per channel.

    As in the original (scipy's gaussian_filter1d), the kernel is the Gaussian sampled at
    whole-channel offsets out to 4 sigma and renormalised, so its variance is 0.3516, not
    0.36: that is the sampling, and the test pins it.
    """
    out = apply_line_spread(_spike(), "gaussian", 0.6)[:, 1, 1]
    k = np.arange(21) - 10
    sampled = np.where(np.abs(k) <= 2, np.exp(-(k**2) / (2 * 0.6**2)), 0.0)
    sampled /= sampled.sum()
    assert out.sum() == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(out, sampled, atol=1e-12)
    assert (out * k**2).sum() == pytest.approx(0.3516, abs=1e-4)
    with pytest.raises(ValueError, match="kind"):
        apply_line_spread(_spike(), "boxcar")


def test_line_flux_can_be_set_directly():
    """Galaxy.with_line_flux renders a cube holding that many Jy km/s."""
    galaxy = Galaxy.with_line_flux(2.5, r_e_kpc=3.0, inclination_deg=40.0, pa_deg=10.0)
    assert galaxy.line_flux == pytest.approx(2.5, rel=1e-12)
    obs = Observation(nx=65, ny=65, pixel_kpc=1.0, spectral=SpectralAxis(48, -480, 480))
    cube = render_array(galaxy, obs)
    assert cube.sum() * obs.spectral.channel_width_kms == pytest.approx(2.5, rel=1e-3)
