"""Figures encode what they claim, headless; moments agree with spectral-cube."""

import math

import numpy as np
import pytest
from astropy import units as u
from conftest import moment_maps
from spectral_cube import SpectralCube

from GalCubeCraft import Galaxy, GalCubeCraft, observe, render
from GalCubeCraft.io.fits import write_fits
from GalCubeCraft.moments import moments
from GalCubeCraft.plotting import channel_map_figure, moment_figure, pv_figure, spectrum_figure
from GalCubeCraft.sky import SkyFrame


@pytest.fixture(scope="module")
def seed_results():
    g = GalCubeCraft(
        n_gals=1,
        n_cubes=1,
        seed=4,
        resolution=2.0,
        grid_size=48,
        n_spectral_slices=24,
        verbose=False,
        save=False,
    )
    return g, g.generate_cubes()


def test_visualise_writes_pdfs_headless(tmp_cwd, seed_results):
    """The seed's g.visualise(results, idx=0, save=True) writes PDFs under figures/<shape>/."""
    g, results = seed_results
    paths = g.visualise(results, idx=0, save=True)
    assert [p.resolve().parent for p in paths] == [tmp_cwd / "figures" / "24x48x48"] * 2
    for path in paths:
        assert path.read_bytes()[:5] == b"%PDF-"


def test_moment_figure_encodes_independent_moments(seed_results):
    """The moment-1 map drawn equals an independent intensity-weighted mean velocity."""
    _, results = seed_results
    cube, params = results[0]
    fig = moment_figure(cube, params["average_vels"], orders=(0, 1, 2))
    m0, m1 = moment_maps(cube.astype(float), params["average_vels"])
    shown = fig.moment_maps
    finite = np.isfinite(shown.m1)
    np.testing.assert_allclose(shown.m1[finite], m1[finite], rtol=1e-6, atol=1e-6)
    dv = params["average_vels"][1] - params["average_vels"][0]
    np.testing.assert_allclose(shown.m0, m0 * dv, rtol=1e-6)
    assert len(fig.axes) == 6  # three maps, three colour bars


def test_spectrum_and_channel_maps_show_the_cube(seed_results):
    """The spectrum is the pixel sum; channel panels show cube channels spread over the band."""
    _, results = seed_results
    cube, params = results[0]
    np.testing.assert_allclose(
        spectrum_figure(cube, params["average_vels"]).spectrum, cube.sum(axis=(1, 2)), rtol=1e-6
    )
    fig = channel_map_figure(cube, params["average_vels"], n_panels=9)
    assert list(fig.channels) == [0, 3, 6, 9, 12, 14, 17, 20, 23]
    panel = fig.axes[4].images[0].get_array()
    np.testing.assert_array_equal(np.asarray(panel), cube[12])


def test_pv_slit_follows_the_pa():
    """Along the PA the PV diagram shows the rotation; across it, none."""
    from GalCubeCraft import Observation, SpectralAxis

    obs = Observation(nx=41, ny=41, pixel_kpc=1.0, spectral=SpectralAxis(40, -400, 400))
    cube = render(Galaxy(r_e_kpc=4.0, inclination_deg=60, pa_deg=120), obs)
    v = obs.spectral.centres_kms
    offsets, pv = pv_figure(cube, v, pa_deg=120).pv
    mean_v = (pv * v[:, None]).sum(0) / np.maximum(pv.sum(0), 1e-300)
    at = np.argmin(np.abs(offsets - 6))
    assert mean_v[at] > 80 and mean_v[np.argmin(np.abs(offsets + 6))] < -80
    offsets, pv_across = pv_figure(cube, v, pa_deg=210).pv
    across_v = (pv_across * v[:, None]).sum(0) / np.maximum(pv_across.sum(0), 1e-300)
    # Across the PA only bilinear interpolation between pixels leaks a little rotation in.
    assert abs(across_v[np.argmin(np.abs(offsets - 4))]) < 0.05 * mean_v[at]


def test_moments_agree_with_spectral_cube(tmp_path):
    """Moment 0 and 1 from this module equal spectral-cube's on the same FITS file."""
    frame = SkyFrame(
        n_pix=40,
        pixel_arcsec=0.1,
        bmaj_arcsec=0.4,
        bmin_arcsec=0.3,
        n_chan=30,
        channel_width_kms=20.0,
        redshift=1.2,
    )
    obs = frame.observation()
    cube = observe(render(Galaxy(r_e_kpc=1.5, inclination_deg=55, pa_deg=30), obs), obs)
    path = write_fits(tmp_path / "c.fits", cube.astype(np.float32), frame)
    sc = SpectralCube.read(path).with_spectral_unit(u.km / u.s)
    ours = moments(cube.astype(np.float32), obs.spectral.centres_kms, min_fraction=0.0)
    np.testing.assert_allclose(sc.moment0().value, ours.m0, rtol=1e-5, atol=1e-9 * ours.m0.max())
    bright = ours.m0 > 1e-2 * ours.m0.max()
    np.testing.assert_allclose(sc.moment1().value[bright], ours.m1[bright], rtol=1e-5, atol=1e-3)
    width = sc.linewidth_sigma().value[bright]
    np.testing.assert_allclose(width, ours.m2[bright], rtol=1e-4, atol=1e-3)
    assert not math.isnan(float(ours.m1[20, 20]))


def test_masked_moments_ignore_noise():
    """With a mask from the clean cube, moment 1 of a noisy cube tracks the clean one."""
    from GalCubeCraft import Observation, SpectralAxis
    from GalCubeCraft.instrument.noise import add_noise

    obs = Observation(nx=41, ny=41, pixel_kpc=1.0, spectral=SpectralAxis(40, -400, 400))
    clean = render(Galaxy(r_e_kpc=4.0, inclination_deg=60, pa_deg=45), obs)
    noisy = add_noise(clean, 0.05 * clean.max(), np.random.default_rng(5))
    v = obs.spectral.centres_kms
    mask = clean > 0.02 * clean.max()
    masked = moments(noisy, v, mask=mask).m1
    unmasked = moments(noisy, v).m1
    truth = moments(clean, v, mask=mask).m1
    inner = mask.any(axis=0) & (clean.sum(0) > 0.2 * clean.sum(0).max())
    assert np.nanmax(np.abs(masked[inner] - truth[inner])) < 15.0
    assert np.nanmax(np.abs(unmasked[inner] - truth[inner])) > 2 * np.nanmax(
        np.abs(masked[inner] - truth[inner])
    )


def test_plot_reads_fits_axes_and_beam(tmp_path):
    """A FITS cube plots with its own velocities, beam (in pixels) and arcsec axes."""
    from GalCubeCraft.plotting import read_fits_cube

    frame = SkyFrame(n_pix=32, pixel_arcsec=0.1, bmaj_arcsec=0.5, bmin_arcsec=0.3, bpa_deg=20,
                     n_chan=12, channel_width_kms=25.0, redshift=1.0)  # fmt: skip
    obs = frame.observation()
    cube = observe(render(Galaxy(r_e_kpc=1.0, inclination_deg=40), obs), obs)
    path = write_fits(tmp_path / "c.fits", cube.astype(np.float32), frame)
    loaded = read_fits_cube(path)
    np.testing.assert_allclose(loaded["velocities_kms"], obs.spectral.centres_kms, atol=1e-6)
    assert loaded["beam"].bmaj_px == pytest.approx(5.0) and loaded["beam"].bpa_deg == 20
    assert loaded["pixel_arcsec"] == pytest.approx(0.1)
    from GalCubeCraft.cli import main

    out = tmp_path / "m.png"
    assert main(["-q", "plot", str(path), "--out", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
