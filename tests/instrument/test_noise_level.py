"""The three noise levels: the integrated S/N's exact noise of a sum, and NoiseModel."""

import math

import numpy as np
import pytest

from GalCubeCraft import Beam
from GalCubeCraft.instrument.noise import noise_cube
from GalCubeCraft.instrument.noise_level import (
    NoiseModel,
    integrated_snr,
    peak_snr,
    rms_for_integrated_snr,
    signal_mask,
    summed_noise_std,
)

SHAPE = (6, 18, 16)
BEAM = Beam(4.0, 2.5, 30.0)


def _mask():
    """Return a box of voxels and a lone corner pixel (first channel): the summed voxels."""
    mask = np.zeros(SHAPE, dtype=bool)
    mask[1:5, 4:13, 3:11] = True
    mask[0, 0:2, 0:2] = True
    return mask


@pytest.mark.parametrize(
    ("beam", "hanning"), [(None, False), (None, True), (BEAM, False), (BEAM, True)]
)
def test_the_noise_of_a_sum_is_what_the_draws_give(beam, hanning):
    """sigma_F matches the spread of sums of 3000 noise_cube draws over the mask (3.5%).

    The standard error of a standard deviation from 3000 draws is 1.3%.
    """
    mask = _mask()
    rng = np.random.default_rng(26)
    sums = [noise_cube(SHAPE, 1.0, rng, beam, hanning)[mask].sum(dtype=np.float64)
            for _ in range(3000)]  # fmt: skip
    expected = summed_noise_std(mask, beam, hanning)
    assert np.std(sums) == pytest.approx(expected, rel=0.035)
    # Correlated noise sums to far more than white noise's sqrt(|M|): the test can fail.
    if beam is not None:
        assert expected > 2.0 * math.sqrt(mask.sum())


@pytest.mark.parametrize(
    ("beam", "hanning"), [(None, False), (None, True), (BEAM, False), (BEAM, True)]
)
def test_the_sum_over_one_voxel_has_the_rms_and_white_noise_adds_in_quadrature(beam, hanning):
    """One voxel's sum is the voxel: std 1; white noise over M gives sqrt(|M|).

    (noise_cube's scale takes the beam's mean |T|^2 from the half spectrum mirrored: the
    rms it makes is 1 within 1e-7.)
    """
    one = np.zeros(SHAPE, dtype=bool)
    one[3, 9, 8] = True
    assert summed_noise_std(one, beam, hanning) == pytest.approx(1.0, rel=1e-7)
    if beam is None and not hanning:
        assert summed_noise_std(_mask(), None) == pytest.approx(math.sqrt(_mask().sum()), 1e-12)


def _covariance_sum(mask, beam, hanning):
    """Return sum over pairs of masked voxels of the noise's covariance, pair by pair.

    Independent of :func:`summed_noise_std`'s FFT: the covariance of voxels ``d`` apart
    is the kernel's autocorrelation at ``d`` times the taper's, over the kernel's sum of
    squares (unit variance at ``d = 0``).
    """
    from scipy.signal import correlate2d

    from GalCubeCraft.instrument.noise import HANNING
    from GalCubeCraft.instrument.noise_filter import NO_FILTER, noise_filter

    kernel = (NO_FILTER if beam is None else noise_filter(beam)).response
    spatial = correlate2d(kernel, kernel) / np.sum(kernel**2)
    taper = HANNING if hanning else np.ones(1)
    spectral = np.correlate(taper, taper, "full") / np.sum(taper**2)
    cy, cx, cc = (spatial.shape[0] - 1) // 2, (spatial.shape[1] - 1) // 2, (spectral.size - 1) // 2
    total = 0.0
    voxels = np.argwhere(mask)
    for c, y, x in voxels:
        dc, dy, dx = (voxels - (c, y, x)).T
        inside = (abs(dc) <= cc) & (abs(dy) <= cy) & (abs(dx) <= cx)
        total += np.sum(spectral[cc + dc[inside]] * spatial[cy + dy[inside], cx + dx[inside]])
    return total


@pytest.mark.parametrize("beam", [None, BEAM, Beam(3.0, 3.0)])
@pytest.mark.parametrize("hanning", [False, True])
def test_the_noise_of_a_sum_is_the_sum_of_the_covariances(beam, hanning):
    """sigma_F^2 is the double sum of the drawn noise's covariance over the mask (1e-12).

    The kernel is the one ``noise_cube`` correlates with (its passes' product, cut at
    1e-4), not the beam's ideal Gaussian: the formula is exact for the noise drawn.
    """
    mask = _mask()
    expected = math.sqrt(_covariance_sum(mask, beam, hanning))
    assert summed_noise_std(mask, beam, hanning) == pytest.approx(expected, rel=1e-12)


def test_the_noise_of_an_empty_sum_is_zero():
    """No voxel summed: sigma_F = 0 (and the integrated S/N of an empty cube is NaN)."""
    assert summed_noise_std(np.zeros(SHAPE, dtype=bool), BEAM, True) == 0.0


def _clean():
    """Return a smooth positive blob: a clean cube's stand-in."""
    c, y, x = np.mgrid[: SHAPE[0], : SHAPE[1], : SHAPE[2]]
    return np.exp(-((c - 2.5) ** 2) / 3.0 - ((y - 9) ** 2 + (x - 7) ** 2) / 10.0).astype(np.float32)


def test_signal_mask_holds_the_voxels_above_a_tenth_of_the_peak():
    """The mask is clean >= 0.1 max(clean); an empty cube has none."""
    clean = _clean()
    assert np.array_equal(signal_mask(clean), clean >= 0.1 * clean.max())
    assert not signal_mask(np.zeros(SHAPE)).any()


def test_an_integrated_snr_sets_the_rms_in_closed_form():
    """The rms for S gives back S; S scales as 1 / rms; sigma_F is rms times the unit std."""
    clean = _clean()
    rms = rms_for_integrated_snr(clean, 25.0, BEAM, True)
    assert integrated_snr(clean, rms, BEAM, True) == pytest.approx(25.0, rel=1e-12)
    assert integrated_snr(clean, 2.0 * rms, BEAM, True) == pytest.approx(12.5, rel=1e-12)
    mask = clean >= 0.1 * clean.max()
    flux = clean[mask].sum(dtype=np.float64)
    assert rms == pytest.approx(flux / (25.0 * summed_noise_std(mask, BEAM, True)), rel=1e-12)


def test_a_cube_without_signal_or_noise_has_no_snr():
    """S/N is NaN with no noise or no positive peak; a target S/N of an empty cube is no noise."""
    clean = _clean()
    assert math.isnan(peak_snr(clean, 0.0)) and math.isnan(integrated_snr(clean, 0.0))
    assert peak_snr(clean, 0.5) == pytest.approx(float(clean.max()) / 0.5)
    empty = np.zeros(SHAPE)
    assert math.isnan(integrated_snr(empty, 1.0)) and rms_for_integrated_snr(empty, 5.0) == 0.0
    assert NoiseModel(integrated_snr=5.0).rms_for(empty, BEAM) == 0.0


def test_noise_model_sets_the_rms_each_way():
    """peak_snr, rms and integrated_snr each give the rms their definition says."""
    clean = _clean()
    assert NoiseModel(peak_snr=8.0).rms_for(clean) == pytest.approx(float(clean.max()) / 8.0)
    assert NoiseModel(rms=0.01).rms_for(clean, BEAM) == 0.01
    rms = NoiseModel(integrated_snr=30.0, hanning=True).rms_for(clean, BEAM)
    assert rms == rms_for_integrated_snr(clean, 30.0, BEAM, True)
    assert NoiseModel(rms=0.01).level == ("rms", 0.01)
