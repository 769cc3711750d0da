"""The products paired for deconvolution: residual, PSF, beam-convolved model, gridded weights."""

import math

import numpy as np
import pytest

from GalCubeCraft import Cube, Observation
from GalCubeCraft.interferometry.observe import Interferometer, observe_interferometer
from GalCubeCraft.interferometry.uv import Track

Z_230GHZ = 1900.5369 / 230.0 - 1.0  # [CII] observed at 230 GHz


def _observation(n_pix=65, pixel_arcsec=0.5, n_chan=2):
    return Observation.from_angular(n_pix=n_pix, pixel_arcsec=pixel_arcsec, beam_arcsec=None,
                                    n_chan=n_chan, channel_width_kms=50.0, line="[CII]158",
                                    redshift=Z_230GHZ)  # fmt: skip


def _interferometer(**changes):
    settings = {"array": "alma_c1", "track": Track(-30.0, 1.0, 60.0), "noise": True,
                "clean_threshold_rms": None}  # fmt: skip
    settings.update(changes)
    return Interferometer(**settings)


def _blob(obs, x=40.0, y=28.0, width=3.0, flux=2.0):
    """Return a round Gaussian source of ``flux`` Jy per channel (Jy/pixel), off the centre."""
    yy, xx = np.mgrid[: obs.ny, : obs.nx]
    plane = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2.0 * width**2))
    return np.repeat((flux * plane / plane.sum())[None], obs.spectral.n_chan, axis=0)


def test_residual_is_the_dirty_cube_less_the_noiseless_skys_dirty_image():
    """The dirty cube less the residual is the same sky's dirty cube without noise."""
    obs = _observation()
    model = Cube(_blob(obs), obs)
    noisy = observe_interferometer(model, _interferometer(), np.random.default_rng(3))
    noiseless = observe_interferometer(model, _interferometer(noise=False))
    assert noisy.residual is not None and noiseless.residual is not None
    scale = float(np.max(np.abs(noisy.dirty.data)))
    np.testing.assert_allclose(noisy.dirty.data - noisy.residual, noiseless.dirty.data,
                               rtol=0, atol=1e-7 * scale)  # measured 1.3e-8  # fmt: skip
    assert not noiseless.residual.any()
    # The residual is the imaged thermal noise: its rms is the predicted one (about 330
    # independent beams in the field: 4% scatter; measured 1.7%).
    for c in range(obs.spectral.n_chan):
        assert np.std(noisy.residual[c]) == pytest.approx(noisy.noise_rms[c], rel=0.12)


def test_a_centred_point_source_is_residual_plus_flux_times_the_psf():
    """S Jy on the centre pixel (primary beam 1 there): dirty = residual + S dirty_beam."""
    obs = _observation()
    data = np.zeros(obs.shape)
    data[:, obs.ny // 2, obs.nx // 2] = 1.5
    made = observe_interferometer(Cube(data, obs), _interferometer(), np.random.default_rng(5))
    assert made.residual is not None
    np.testing.assert_allclose(made.residual + 1.5 * made.dirty_beam, made.dirty.data,
                               rtol=0, atol=5e-7 * 1.5)  # measured 8e-8  # fmt: skip


def test_the_beam_convolved_model_holds_the_model_flux_in_jy_per_beam():
    """sum(model_convolved) / beam area = sum(model); a point source peaks at its flux."""
    obs = _observation()
    made = observe_interferometer(Cube(_blob(obs), obs), _interferometer(noise=False))
    convolved = made.model_convolved()
    assert convolved.dtype == np.float32 and convolved.shape == obs.shape
    area = made.clean_beam.area_px
    for c in range(obs.spectral.n_chan):
        assert convolved[c].sum(dtype=np.float64) / area == pytest.approx(2.0, rel=1e-6)
    point = np.zeros(obs.shape)
    point[:, 32, 32] = 0.7
    made = observe_interferometer(Cube(point, obs), _interferometer(noise=False))
    assert made.model_convolved()[:, 32, 32] == pytest.approx(0.7, rel=2e-4)  # measured 2e-5


@pytest.mark.parametrize("weighting", ["natural", "uniform", "briggs"])
def test_gridded_weights_are_the_normalised_weights_on_the_sampled_cells(weighting):
    """Non-negative, positive exactly on uv_mask, Hermitian, summing to 1 per channel."""
    obs = _observation()
    made = observe_interferometer(Cube(np.zeros(obs.shape), obs),
                                  _interferometer(noise=False, weighting=weighting))  # fmt: skip
    weights = made.uv_weights
    assert weights is not None and weights.dtype == np.float32
    assert np.all(weights >= 0)
    np.testing.assert_array_equal(weights > 0, made.uv_mask)
    # Odd grid: every cell's conjugate (mirror about zero spacing) lies on the grid.
    np.testing.assert_allclose(weights, weights[:, ::-1, ::-1], rtol=1e-6, atol=0)
    np.testing.assert_allclose(weights.sum(axis=(1, 2), dtype=np.float64), 1.0, rtol=2e-7)
    if weighting == "natural":  # equal weights: each cell holds (count + mirror's) / 2N
        n_vis = made.n_visibilities
        counts = weights.astype(np.float64) * 2 * n_vis
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-3)
        assert math.isclose(counts.sum() / obs.spectral.n_chan, 2 * n_vis, rel_tol=1e-5)


def test_every_paired_product_goes_to_the_fits_file(tmp_path):
    """RESIDUAL (Jy/beam) and UV_WEIGHTS (uv axes) beside DIRTY_BEAM, MODEL and UV_MASK."""
    from astropy.io import fits

    obs = _observation(n_chan=1)
    made = observe_interferometer(Cube(_blob(obs), obs), _interferometer(),
                                  np.random.default_rng(1))  # fmt: skip
    with fits.open(made.write_fits(tmp_path / "paired.fits")) as hdul:
        np.testing.assert_array_equal(hdul["RESIDUAL"].data, made.residual)
        assert hdul["RESIDUAL"].header["BUNIT"] == "Jy/beam"
        np.testing.assert_array_equal(hdul["UV_WEIGHTS"].data, made.uv_weights)
        assert hdul["UV_WEIGHTS"].header["CTYPE1"] == "UU"
