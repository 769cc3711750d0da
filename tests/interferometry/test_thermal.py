"""Thermal noise: the radiometer equation with the band's channel width, in every channel."""

import math

import numpy as np
import pytest

from GalCubeCraft import Cube, Observation
from GalCubeCraft.interferometry.arrays import load_array
from GalCubeCraft.interferometry.observe import Interferometer, observe_interferometer
from GalCubeCraft.interferometry.thermal import (
    BOLTZMANN_JY_M2_PER_K,
    channel_bandwidth_hz,
    visibility_sigma_jy,
)
from GalCubeCraft.interferometry.uv import Track

C_MS = 299792458.0


def test_channel_bandwidth_is_the_band_s():
    """A channel dv wide on a radio-velocity axis is nu_obs dv / c wide in Hz."""
    assert channel_bandwidth_hz(230e9, 20.0) == pytest.approx(230e9 * 20e3 / C_MS, rel=1e-15)


def test_natural_image_noise_is_the_sensitivity_calculator_s_in_every_channel():
    """Natural weights: rms = 2 k T / (eta A sqrt(N (N-1) n_pol dnu t)), dnu the band's (1e-9).

    A wide band (16 channels of 40 km/s, +-320 km/s: channel frequencies 0.2% apart) gets
    the same noise in every channel: its channels all have the band's bandwidth.
    """
    obs = Observation.from_angular(n_pix=64, pixel_arcsec=0.05, beam_arcsec=None, n_chan=16,
                                   channel_width_kms=40.0, line="[CII]158",
                                   redshift=1900.5369 / 230.0 - 1.0)  # fmt: skip
    track = Track(-30.0, 0.5, 60.0)
    itf = Interferometer(array="alma_c5", track=track, noise=True, weighting="natural",
                         clean_threshold_rms=None, t_sys_k=80.0, efficiency=0.7)  # fmt: skip
    made = observe_interferometer(Cube(np.zeros(obs.shape), obs), itf, np.random.default_rng(0))
    n_ant = load_array("alma_c5").n_antennas
    dnu = obs.sky.observed_frequency_hz * 40e3 / C_MS
    area = math.pi * 12.0**2 / 4.0
    expected = (
        2.0
        * BOLTZMANN_JY_M2_PER_K
        * 80.0
        / (0.7 * area * math.sqrt(n_ant * (n_ant - 1) * 2 * dnu * track.n_integrations * 60.0))
    )
    np.testing.assert_allclose(made.noise_rms, expected, rtol=1e-9)
    sigma = visibility_sigma_jy(80.0, 12.0, 0.7, dnu, 60.0)
    np.testing.assert_allclose(made.visibility_sigma, sigma, rtol=1e-12)
