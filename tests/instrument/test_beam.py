"""Beam convolution: flux, shape, orientation, Jy/beam."""

import math

import numpy as np
import pytest
from conftest import render_array

from GalCubeCraft import Beam, Cube, Galaxy, Observation, SpectralAxis, observe
from GalCubeCraft.conventions import beam_area, fwhm_to_sigma
from GalCubeCraft.instrument.beam import beam_kernel_image, convolve_beam


def test_fwhm_to_sigma():
    """Sigma = FWHM / (2 sqrt(2 ln 2)) ~= FWHM / 2.355."""
    assert fwhm_to_sigma(2.3548200450309493) == pytest.approx(1.0, rel=1e-15)
    assert beam_area(3.0, 2.0) == pytest.approx(math.pi * 6.0 / (4 * math.log(2)))


def test_beam_convolution_conserves_flux():
    """Convolving a rendered cube with the beam keeps its flux within 1e-6."""
    obs = Observation(nx=65, ny=65, pixel_kpc=1.0, spectral=SpectralAxis(30, -450, 450))
    cube = render_array(Galaxy(r_e_kpc=3.0, inclination_deg=50.0, pa_deg=20.0), obs)
    convolved = convolve_beam(cube, Beam(5.0, 3.0, 30.0))
    assert convolved.sum() == pytest.approx(cube.sum(), rel=1e-6)
    np.testing.assert_allclose(
        convolved.sum(axis=(1, 2)), cube.sum(axis=(1, 2)), rtol=1e-6, atol=1e-11
    )


@pytest.mark.parametrize("bpa", [0.0, 30.0, 90.0, 135.0])
def test_kernel_has_requested_widths_along_bpa(bpa):
    """The kernel sums to 1; its second moments are sigma_maj^2 along the BPA (N through E)."""
    beam = Beam(bmaj_px=8.0, bmin_px=4.0, bpa_deg=bpa)
    kernel = beam_kernel_image(beam, size=81)
    # Sampling the analytic transfer function truncates it at Nyquist: tails of ~1e-9.
    assert kernel.sum() == pytest.approx(1.0, abs=1e-8)
    y, x = np.mgrid[-40:41, -40:41]
    pa = math.radians(bpa)
    along = -x * math.sin(pa) + y * math.cos(pa)
    across = x * math.cos(pa) + y * math.sin(pa)
    assert (kernel * along**2).sum() == pytest.approx(beam.sigma_major_px**2, rel=1e-4)
    assert (kernel * across**2).sum() == pytest.approx(beam.sigma_minor_px**2, rel=1e-4)


def test_point_source_peak_in_jy_per_beam_equals_its_flux():
    """A point source of flux F peaks at F Jy/beam after the beam (Jy/pixel x beam area)."""
    obs = Observation(
        nx=64, ny=64, pixel_kpc=1.0, spectral=SpectralAxis(1, -1, 1), beam=Beam(6.0, 6.0)
    )
    data = np.zeros(obs.shape)
    data[0, 32, 32] = 2.5
    observed = observe(Cube(data, obs, kind="model"))
    assert observed.kind == "observed"
    assert observed.unit == "Jy/beam"
    assert observed.data.max() == pytest.approx(2.5, rel=1e-3)
    assert observed.data.min() >= 0.0


@pytest.mark.parametrize("bmaj, bmin, bpa", [(4.0, 4.0, 17.0), (6.0, 3.0, 0.0), (6.0, 3.0, 90.0),
                                             (5.0, 2.5, 180.0), (5.0, 2.5, -270.0)])  # fmt: skip
def test_axis_aligned_beams_convolve_as_the_2d_fft_does(bmaj, bmin, bpa):
    """Round and axis-aligned beams (two matrix products) equal the padded 2-D FFT to 1e-6."""
    from scipy import fft

    from GalCubeCraft.instrument.beam import padded_shape

    beam = Beam(bmaj, bmin, bpa)
    image = np.random.default_rng(3).random((3, 37, 52))
    py, px = padded_shape(37, 52, beam)
    direct = fft.irfft2(fft.rfft2(image, s=(py, px)) * beam.transfer_function(py, px),
                        s=(py, px))[..., :37, :52]  # fmt: skip
    np.testing.assert_allclose(convolve_beam(image, beam), direct, rtol=0, atol=1e-12)
    single = convolve_beam(image.astype(np.float32), beam)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, direct, rtol=0, atol=1e-6 * direct.max())


@pytest.mark.parametrize("n, reach", [(5, 1), (37, 3), (40, 9), (6, 9)])
def test_tap_convolutions_along_either_axis_equal_numpy(n, reach):
    """convolve_rows/convolve_columns equal numpy's zero-padded convolution, taps of any reach."""
    from GalCubeCraft.instrument.fir import convolve_columns, convolve_rows

    rng = np.random.default_rng(n + reach)
    taps = rng.random(2 * reach + 1)
    data = rng.random((n, n + 3))
    # out[i] = sum_d taps[r + d] data[i - d]: numpy's full convolution, centred.
    full = np.apply_along_axis(lambda column: np.convolve(column, taps), 0, data)
    rows = np.empty_like(data)
    convolve_rows(data, taps, rows)
    np.testing.assert_allclose(rows, full[reach : reach + n], rtol=1e-13)
    full = np.apply_along_axis(lambda row: np.convolve(row, taps), 1, data)
    columns = np.empty_like(data)
    convolve_columns(data, taps, columns)
    np.testing.assert_allclose(columns, full[:, reach : reach + n + 3], rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shape, reach_y, reach_x",
    [((3, 37, 52), 9, 9), ((2, 5, 7), 4, 6), ((1, 12, 30), 0, 3), ((2, 9, 9), 8, 8)],
)
def test_fused_passes_are_the_reference_sums_bit_for_bit(dtype, shape, reach_y, reach_x):
    """The fused passes are the reference sums to the last bit (a zero's sign aside).

    separable_convolve is convolve_rows then convolve_columns (in place); smooth_spectra
    with its clamp is convolve_rows of the spectra raised to 0, and returns max |out|.
    """
    from GalCubeCraft.instrument.fir import (
        convolve_columns,
        convolve_rows,
        separable_convolve,
        smooth_spectra,
    )

    rng = np.random.default_rng(sum(shape) + reach_y)
    planes = (rng.standard_normal(shape) * (rng.random(shape) > 0.3)).astype(dtype)
    taps_y = rng.random(2 * reach_y + 1).astype(dtype)
    taps_x = rng.random(2 * reach_x + 1).astype(dtype)
    taps_x[0] = 0.0  # a zero tap
    reference = np.empty_like(planes)
    for k in range(shape[0]):
        work = np.empty_like(planes[k])
        convolve_rows(planes[k], taps_y, work)
        convolve_columns(work, taps_x, reference[k])
    fused = planes.copy()
    separable_convolve(fused, taps_y, taps_x, 0.0, fused)
    assert np.array_equal(fused + 0.0, reference + 0.0)  # (+0.0: a zero's sign aside)
    spectra = planes.reshape(shape[0], shape[1], -1)
    expected = np.empty_like(spectra)
    for k in range(shape[0]):
        convolve_rows(np.maximum(spectra[k], 0.0), taps_y, expected[k])
    smoothed = np.empty_like(spectra)
    peak = smooth_spectra(spectra, taps_y, True, smoothed)
    assert np.array_equal(smoothed + 0.0, expected + 0.0)
    assert peak == np.abs(expected).max()


@pytest.mark.parametrize("seed", range(6))
def test_the_passes_over_each_planes_box_are_the_whole_planes_sums(seed):
    """Sparse, empty and sub-floor planes: the box's passes equal the whole plane's.

    Each plane is convolved only over the box of its kept values grown by the taps'
    reach; the reference convolves the whole plane (values below ``floor`` read as
    zero), with reaches up to past half the field and blobs at the edges.
    """
    from GalCubeCraft.instrument.fir import convolve_columns, convolve_rows, separable_convolve

    rng = np.random.default_rng(seed)
    floor = 1e-20
    for _ in range(40):
        ny, nx = (int(v) for v in rng.integers(3, 40, 2))
        planes = np.zeros((4, ny, nx), np.float32)  # plane 0 stays empty
        for k in (1, 2):
            y, x = int(rng.integers(0, ny)), int(rng.integers(0, nx))
            blob = planes[k, y : y + int(rng.integers(1, 4)), x : x + int(rng.integers(1, 4))]
            blob[...] = rng.standard_normal(blob.shape)
        planes[3, int(rng.integers(0, ny)), int(rng.integers(0, nx))] = 1e-30  # below floor
        taps_y = rng.random(2 * int(rng.integers(0, 24)) + 1).astype(np.float32)
        taps_x = rng.random(2 * int(rng.integers(0, 24)) + 1).astype(np.float32)
        kept = np.where(np.abs(planes) >= floor, planes, np.float32(0.0))
        reference = np.empty_like(planes)
        for k in range(4):
            work = np.empty_like(kept[k])
            convolve_rows(kept[k], taps_y, work)
            convolve_columns(work, taps_x, reference[k])
        out = np.full_like(planes, np.nan)
        separable_convolve(planes, taps_y, taps_x, floor, out)
        assert np.array_equal(out + 0.0, reference + 0.0)
        in_place = planes.copy()
        separable_convolve(in_place, taps_y, taps_x, floor, in_place)
        assert np.array_equal(in_place + 0.0, reference + 0.0)
        assert not out[0].any() and not out[3].any()


def test_float32_beam_kernel_is_short_and_keeps_the_flux():
    """In float32 the 4-pixel beam's kernel reaches 9 pixels, not the image; its sum is 1."""
    from GalCubeCraft.instrument.beam import _channel_convolver

    image = np.zeros((1, 200, 200), dtype=np.float32)
    image[0, 100, 100] = 1.0
    out = _channel_convolver(Beam(4.0, 4.0), 200, 200, np.dtype(np.float32), 0.0, None)(image)
    rows, cols = np.nonzero(out[0])
    assert np.abs(rows - 100).max() == 9 and np.abs(cols - 100).max() == 9
    assert float(out.sum(dtype=np.float64)) == pytest.approx(1.0, abs=1e-6)
