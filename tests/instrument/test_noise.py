"""Noise levels and correlations are what was asked for."""

import numpy as np
import pytest

from GalCubeCraft import Beam, GalCubeCraft
from GalCubeCraft.instrument.noise import add_noise_peak_snr, noise_cube


def _lag_correlation(noise, axis, lag=1):
    a = np.moveaxis(noise, axis, -1)
    return float(np.mean(a[..., :-lag] * a[..., lag:]) / np.mean(a * a))


def test_beam_correlated_noise_rms_and_width():
    """On 64x256x256, beam noise has the requested rms (2%) and the beam's autocorrelation."""
    beam = Beam(bmaj_px=6.0, bmin_px=6.0)
    noise = noise_cube((64, 256, 256), 0.3, np.random.default_rng(1), beam=beam)
    assert noise.std() == pytest.approx(0.3, rel=0.02)
    # Gaussian-filtered white noise has autocorrelation exp(-d^2 / (4 sigma^2)).
    expected = np.exp(-(3.0**2) / (4 * beam.sigma_major_px**2))
    for axis in (1, 2):
        assert _lag_correlation(noise, axis, lag=3) == pytest.approx(expected, abs=0.01)


def test_white_noise_is_uncorrelated_and_hanning_correlates_channels():
    """White noise is uncorrelated; Hanning gives (2 * 1/8) / (3/8) = 2/3 between channels."""
    white = noise_cube((32, 128, 128), 1.0, np.random.default_rng(2))
    assert white.std() == pytest.approx(1.0, rel=0.01)
    assert abs(_lag_correlation(white, 2)) < 0.01 and abs(_lag_correlation(white, 0)) < 0.01
    hann = noise_cube((64, 96, 96), 1.0, np.random.default_rng(3), hanning=True)
    assert hann.std() == pytest.approx(1.0, rel=0.01)
    assert _lag_correlation(hann, 0) == pytest.approx(2 / 3, abs=0.01)


def test_peak_snr_sets_rms_and_refuses_bad_levels():
    """Rms = peak / peak_snr; negative rms and non-positive S/N are refused."""
    cube = np.zeros((16, 64, 64))
    cube[8, 32, 32] = 10.0
    noisy = add_noise_peak_snr(cube, 5.0, None, np.random.default_rng(4))
    assert (noisy - cube).std() == pytest.approx(2.0, rel=0.02)
    with pytest.raises(ValueError, match="rms"):
        noise_cube((2, 8, 8), -1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="peak_snr"):
        add_noise_peak_snr(cube, 0.0, None, np.random.default_rng(0))


def test_facade_peak_snr_keeps_clean_cube_and_is_reproducible():
    """peak_snr adds noise reproducibly and keeps the clean cube beside the noisy one."""
    kw = dict(n_cubes=1, seed=9, grid_size=48, n_spectral_slices=20, verbose=False, save=False)
    noisy = GalCubeCraft(peak_snr=10.0, **kw)
    cube, _ = noisy.generate_cubes()[0]
    clean = GalCubeCraft(**kw).generate_cubes()[0][0]
    np.testing.assert_array_equal(noisy.clean_cubes[0], clean)
    residual = cube - clean
    assert residual.std() == pytest.approx(clean.max() / 10.0, rel=0.1)
    again = GalCubeCraft(peak_snr=10.0, **kw).generate_cubes()[0][0]
    np.testing.assert_array_equal(cube, again)
