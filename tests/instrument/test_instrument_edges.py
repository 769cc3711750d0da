"""The instrument stage at its numerical edges (issue 31).

Bounded work, no overflow, no empty cube from a vanishing beam.
"""

import time

import numpy as np
import pytest
from scipy import ndimage

from GalCubeCraft import Beam, Galaxy, Observation, SpectralAxis, observe, render
from GalCubeCraft.instrument.fir import convolve_columns, convolve_rows
from GalCubeCraft.instrument.line_spread import apply_line_spread
from GalCubeCraft.instrument.noise import add_noise
from GalCubeCraft.instrument.observe import apply_instrument

OBS = Observation(nx=24, ny=24, pixel_kpc=0.5, spectral=SpectralAxis(8, -500, 500),
                  beam=Beam(3, 2.5, 10))  # fmt: skip
"""The issue's reproducers' observation."""


@pytest.mark.parametrize("sigma", [1e6, 8.001, 1e-300, 0.0, 9e-4])
def test_line_spread_width_is_bounded_by_the_band(sigma):
    """line_spread_sigma_chan lies in [1e-3, n_chan]: a wider spread only flattens more.

    Before, 1e6 channels made 8 million taps and observe ran past 120 s; 1e-300 divided
    by zero inside SciPy.
    """
    with pytest.raises(ValueError, match=r"line_spread_sigma_chan must lie in \[0\.001, 8\]"):
        OBS.replace(line_spread="gaussian", line_spread_sigma_chan=sigma)
    with pytest.raises(ValueError, match=r"sigma_chan must lie in \[0\.001, 8\]"):
        apply_line_spread(np.ones((8, 2, 2)), "gaussian", sigma)


def test_the_widest_line_spread_is_quick_and_equals_scipy():
    """A spread of n_chan channels (33 taps on 8) takes well under a second: SciPy's sums."""
    field = OBS.replace(line_spread="gaussian", line_spread_sigma_chan=8.0)
    start = time.perf_counter()
    cube = observe(render(Galaxy(r_e_kpc=1.5, inclination_deg=60.0), field))
    assert time.perf_counter() - start < 5.0
    assert np.all(np.isfinite(cube.data)) and cube.data.max() > 0.0
    spectra = np.random.default_rng(2).random((8, 5, 5))
    expected = ndimage.gaussian_filter1d(spectra, 8.0, axis=0, mode="constant")
    np.testing.assert_allclose(apply_line_spread(spectra, "gaussian", 8.0), expected,
                               rtol=1e-12, atol=1e-15)  # fmt: skip


@pytest.mark.parametrize("n", [1, 2, 5])
def test_fir_passes_with_more_taps_than_values_stay_inside_their_arrays(n):
    """Taps reaching beyond the data (r >= n) touch only the values that exist.

    Before, the column pass sliced ``out[:, 0:n + d]`` with ``n + d < 0`` (a slice from
    the end) against an empty source, and read past it.
    """
    rng = np.random.default_rng(n)
    taps = rng.random(4 * n + 7)
    taps /= taps.sum()
    data = rng.random((n, n))
    r = (taps.size - 1) // 2
    expected_rows = np.zeros_like(data)
    expected_columns = np.zeros_like(data)
    for i in range(n):
        for d in range(-r, r + 1):
            if 0 <= i - d < n:
                expected_rows[i] += taps[r + d] * data[i - d]
                expected_columns[:, i] += taps[r + d] * data[:, i - d]
    out = np.full_like(data, np.nan)
    convolve_rows(data, taps, out)
    np.testing.assert_allclose(out, expected_rows, rtol=1e-13)
    convolve_columns(data, taps, out)
    np.testing.assert_allclose(out, expected_columns, rtol=1e-13)


@pytest.mark.parametrize("value", [1e39, 1e37, 3e38, -1e39])
def test_model_values_that_would_overflow_float32_are_refused(value):
    """Values whose beam FFT would overflow float32 are refused, not returned as NaN."""
    with pytest.raises(ValueError, match=r"model_jy_per_pixel must have \|values\| <= .* float32"):
        apply_instrument(np.full(OBS.shape, value), OBS)


def test_the_largest_accepted_model_gives_a_finite_cube():
    """Just inside the bound, every voxel is finite (in float32 and float64)."""
    big = 1e33
    for dtype in (np.float32, np.float64):
        out = apply_instrument(np.full(OBS.shape, big), OBS, dtype=dtype)
        assert np.all(np.isfinite(out)) and out.max() > big
    assert np.all(np.isfinite(apply_instrument(np.full(OBS.shape, 1e39), OBS, np.float64)))


def test_noise_beam_wider_than_the_field_is_refused_before_allocating():
    """Beam(1e6, 1e6) would pad each noise plane to 4e6 px square: refused, naming it."""
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"beam bmaj must be smaller than the field \(24 px\)"):
        add_noise(np.zeros(OBS.shape), 1.0, rng, beam=Beam(1e6, 1e6))
    assert np.all(np.isfinite(add_noise(np.zeros(OBS.shape), 1.0, rng, beam=Beam(20.0, 15.0))))


@pytest.mark.parametrize("fwhm", [1e-200, 1e-4, 0.0])
def test_a_vanishing_beam_is_refused(fwhm):
    """Below 1e-3 px a beam is refused: at 1e-200 px its area underflowed to 0 (an empty cube)."""
    with pytest.raises(ValueError, match=r"bmaj_px must lie in \[0\.001, 1000000\]"):
        Beam(fwhm, fwhm)
    cube = apply_instrument(np.ones(OBS.shape), OBS.replace(beam=Beam(1e-3, 1e-3)))
    assert np.all(cube > 0.0)
