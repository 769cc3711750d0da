"""Label measurements on plain arrays: line widths (W20, W50) and the segmentation mask."""

import math

import numpy as np
import pytest

from GalCubeCraft.products.masks import segmentation_mask
from GalCubeCraft.products.moments import line_width

V = np.arange(-600.0, 600.1, 5.0)  # channel centres, 5 km/s apart
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
W20_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(5.0))


def _gaussian(centre, sigma):
    return np.exp(-0.5 * ((V - centre) / sigma) ** 2)


def test_widths_of_a_triangle_are_exact():
    """Linear flanks through the channels: the interpolated crossings are exact."""
    half_base = 137.0
    spectrum = np.maximum(0.0, 1.0 - np.abs(V - 10.0) / half_base)  # peak on channel 10 km/s
    for fraction in (0.2, 0.5, 0.9):
        assert line_width(spectrum, V, fraction) == pytest.approx(
            2.0 * half_base * (1.0 - fraction), rel=1e-12)  # fmt: skip


@pytest.mark.parametrize("sigma", [20.0, 40.0, 60.0])
@pytest.mark.parametrize("centre", [0.0, 1.7, 3.4])
def test_widths_of_a_gaussian_are_its_fwhm_and_w20(sigma, centre):
    """W50 = 2 sqrt(2 ln 2) sigma, W20 = 2 sqrt(2 ln 5) sigma (interpolated: 0.8% at worst)."""
    spectrum = 3.0 * _gaussian(centre, sigma)
    assert line_width(spectrum, V, 0.5) == pytest.approx(FWHM_PER_SIGMA * sigma, rel=0.02)
    assert line_width(spectrum, V, 0.2) == pytest.approx(W20_PER_SIGMA * sigma, rel=0.02)


@pytest.mark.parametrize("rotation", [100.0, 150.0, 250.0])
def test_a_double_horn_is_measured_across_both_horns(rotation):
    """Two horns at +-V whose trough falls to zero: the widths span both, V + the outer flank.

    Measured worst error 0.49 km/s on 5 km/s channels.
    """
    sigma = 20.0
    spectrum = _gaussian(rotation, sigma) + 0.8 * _gaussian(-rotation, sigma)
    assert spectrum[np.argmin(np.abs(V))] < 0.2 * spectrum.max()  # the trough is deep
    # The weaker horn peaks at 0.8: its outer flank crosses 0.5 and 0.2 of the peak (1)
    # where 0.8 exp(-d^2 / 2 sigma^2) equals them.
    weak_50 = sigma * math.sqrt(2.0 * math.log(0.8 / 0.5))
    weak_20 = sigma * math.sqrt(2.0 * math.log(0.8 / 0.2))
    expected_50 = 2 * rotation + FWHM_PER_SIGMA * sigma / 2 + weak_50
    expected_20 = 2 * rotation + W20_PER_SIGMA * sigma / 2 + weak_20
    assert line_width(spectrum, V, 0.5) == pytest.approx(expected_50, abs=1.5)
    assert line_width(spectrum, V, 0.2) == pytest.approx(expected_20, abs=1.5)


def test_a_lower_level_never_gives_a_narrower_width():
    """W20 >= W50 (and any lower level >= any higher) on random positive spectra."""
    rng = np.random.default_rng(4)
    for _ in range(200):
        spectrum = np.convolve(rng.random(V.size) ** 4, np.ones(9), mode="same")
        spectrum[:10] = spectrum[-10:] = 0.0
        widths = [line_width(spectrum, V, f) for f in (0.1, 0.2, 0.5, 0.8)]
        assert widths == sorted(widths, reverse=True)


def test_widths_are_nan_without_a_line_or_with_one_the_band_cuts():
    """No positive peak, or the level reached at the band's edge: NaN; a bad fraction raises."""
    assert math.isnan(line_width(np.zeros(V.size), V, 0.5))
    assert math.isnan(line_width(-_gaussian(0.0, 30.0), V, 0.5))
    cut = _gaussian(V[-1], 40.0)  # peaks in the last channel
    assert math.isnan(line_width(cut, V, 0.5))
    assert math.isfinite(line_width(_gaussian(V[-1] - 200.0, 40.0), V, 0.2))
    with pytest.raises(ValueError, match="fraction must lie in"):
        line_width(_gaussian(0.0, 30.0), V, 0.0)


def _two_blobs():
    """Two overlapping 3-D Gaussian blobs on a (6, 20, 20) grid, the second fainter."""
    c, y, x = np.meshgrid(np.arange(6), np.arange(20), np.arange(20), indexing="ij")
    first = 1.0 * np.exp(-((x - 7) ** 2 + (y - 10) ** 2) / 18.0 - (c - 2.5) ** 2 / 8.0)
    second = 0.6 * np.exp(-((x - 12) ** 2 + (y - 10) ** 2) / 12.0 - (c - 3.0) ** 2 / 8.0)
    return np.stack([first, second]).astype(np.float32)


def test_each_voxel_goes_to_the_brightest_galaxy_above_its_threshold():
    """Ids 1..G where a galaxy exceeds its threshold and outshines the others that do; 0 else."""
    cubes = _two_blobs()
    thresholds = np.array([0.05, 0.05])
    mask = segmentation_mask(cubes, thresholds)
    assert mask.dtype == np.uint8 and mask.shape == cubes.shape[1:]
    above = cubes > thresholds[:, None, None, None]
    np.testing.assert_array_equal(mask == 0, ~above.any(axis=0))
    brighter = np.where(above, cubes, -1.0).argmax(axis=0) + 1
    np.testing.assert_array_equal(mask[mask > 0], brighter[mask > 0])
    assert set(np.unique(mask)) == {0, 1, 2}
    # Where the fainter galaxy is brighter but below its own threshold, the other keeps it.
    mask = segmentation_mask(cubes, np.array([0.05, 10.0]))
    assert set(np.unique(mask)) == {0, 1}
    np.testing.assert_array_equal(mask == 1, cubes[0] > 0.05)


def test_the_mask_shrinks_as_the_threshold_rises():
    """A common threshold raised: labelled voxels are a subset, each keeping its id."""
    cubes = _two_blobs()
    previous = segmentation_mask(cubes, np.full(2, 0.01))
    for level in (0.02, 0.05, 0.1, 0.3, 0.7):
        mask = segmentation_mask(cubes, np.full(2, level))
        assert np.all(previous[mask > 0] == mask[mask > 0])
        assert (mask > 0).sum() < (previous > 0).sum()
        previous = mask


def test_ties_go_to_the_lower_id_and_bad_shapes_are_refused():
    """Equal brightness: the first galaxy; mismatched thresholds or > 255 galaxies raise."""
    cube = np.ones((1, 2, 3, 3), dtype=np.float32)
    assert np.all(segmentation_mask(np.concatenate([cube, cube]), np.zeros(2)) == 1)
    with pytest.raises(ValueError, match=r"thresholds \(G,\)"):
        segmentation_mask(cube, np.zeros(2))
    with pytest.raises(ValueError, match="at most 255"):
        segmentation_mask(np.zeros((256, 1, 1, 1)), np.zeros(256))
