"""Figures encode what they claim (read back from the artists), headless."""

import math

import numpy as np
import pytest
from astropy import units as u
from conftest import moment_maps
from spectral_cube import SpectralCube

from GalCubeCraft import Cube, Galaxy, GalCubeCraft, Observation, SpectralAxis, observe, render
from GalCubeCraft.instrument.noise import noise_cube
from GalCubeCraft.plotting import channel_map_figure, moment_figure, pv_figure, spectrum_figure
from GalCubeCraft.products.moments import moments


@pytest.fixture(scope="module")
def seed_results():
    g = GalCubeCraft(n_gals=1, n_cubes=1, seed=4, resolution=2.0, grid_size=48,
                     n_spectral_slices=24, verbose=False, save=False)  # fmt: skip
    return g, g.generate_cubes()


def _image(ax):
    """Return the array an axes' image shows."""
    return np.ma.filled(ax.images[0].get_array().astype(float), np.nan)


def test_visualise_writes_pdfs_headless(tmp_cwd, seed_results):
    """The seed's g.visualise(results, idx=0, save=True) writes PDFs under figures/<shape>/."""
    g, results = seed_results
    paths = g.visualise(results, idx=0, save=True)
    assert [p.resolve().parent for p in paths] == [tmp_cwd / "figures" / "24x48x48"] * 2
    for path in paths:
        assert path.read_bytes()[:5] == b"%PDF-"


def test_moment_figure_draws_independent_moments(seed_results):
    """The images drawn equal an independent moment 0 and intensity-weighted mean velocity."""
    g, results = seed_results
    data, params = results[0]
    cube = Cube(data, g.observation(0), kind="observed")
    fig = moment_figure(cube, orders=(0, 1, 2))
    m0, m1 = moment_maps(data.astype(float), params["average_vels"])
    dv = params["average_vels"][1] - params["average_vels"][0]
    np.testing.assert_allclose(_image(fig.axes[0]), m0 * dv, rtol=1e-6)
    drawn = _image(fig.axes[1])
    finite = np.isfinite(drawn)
    assert finite.sum() > 100
    np.testing.assert_allclose(drawn[finite], m1[finite], rtol=1e-6, atol=1e-6)
    assert len(fig.axes) == 6  # three maps, three colour bars
    # Axes in arcsec from the observation's angular scale, centred on the field.
    extent = fig.axes[0].images[0].get_extent()
    assert extent[1] == pytest.approx(24 * g.observation(0).pixel_arcsec)


def test_spectrum_and_channel_maps_show_the_cube(seed_results):
    """The spectrum is the pixel sum in Jy; channel panels show the channels with emission."""
    g, results = seed_results
    data, params = results[0]
    cube = Cube(data, g.observation(0), kind="observed")
    line = spectrum_figure(cube).axes[0].lines[0]
    np.testing.assert_allclose(line.get_xdata(), params["average_vels"])
    area = g.observation(0).beam.area_px
    np.testing.assert_allclose(line.get_ydata(), data.sum(axis=(1, 2)) / area, rtol=1e-6)
    # Line flux from the drawn spectrum: sum(S dv) equals the Jy/pixel cube's flux.
    dv = params["average_vels"][1] - params["average_vels"][0]
    assert line.get_ydata().sum() * dv == pytest.approx(cube.line_flux_jykms(), rel=1e-6)
    fig = channel_map_figure(cube, n_panels=9)
    lit = np.flatnonzero(data.max(axis=(1, 2)) > 0.01 * data.max())
    channels = np.unique(np.linspace(lit[0], lit[-1], 9).round().astype(int))
    titles = [ax.get_title() for ax in fig.axes[: channels.size]]
    assert titles == [f"{params['average_vels'][c]:.0f} km/s" for c in channels]
    for k, c in enumerate(channels):
        panel = _image(fig.axes[k])
        np.testing.assert_array_equal(panel, data[c])
        assert panel.max() > 0.01 * data.max()  # every panel holds emission


def test_visualise_without_saving_returns_the_figures(seed_results):
    """Headless visualise(save=False) returns the moment and spectrum figures."""
    g, results = seed_results
    figures = g.visualise(results, idx=0, save=False)
    assert len(figures) == 2
    assert len(figures[0].axes[0].images) == 1 and len(figures[1].axes[0].lines) == 1


def test_pv_slit_follows_the_pa():
    """Along the PA the PV diagram drawn shows the rotation; across it, none."""
    obs = Observation(nx=41, ny=41, pixel_kpc=1.0, spectral=SpectralAxis(40, -400, 400))
    cube = render(Galaxy(r_e_kpc=4.0, inclination_deg=60, pa_deg=120), obs)
    v = obs.velocities_kms

    def drawn_mean_velocity(pa):
        mesh = pv_figure(cube, pa_deg=pa, axes="pixel").axes[0].collections[0]
        pv = np.asarray(mesh.get_array()).reshape(v.size, -1)
        offsets = np.arange(-20, 21)
        return offsets, (pv * v[:, None]).sum(0) / np.maximum(pv.sum(0), 1e-300)

    offsets, along = drawn_mean_velocity(120)
    at = np.argmin(np.abs(offsets - 6))
    assert along[at] > 80 and along[np.argmin(np.abs(offsets + 6))] < -80
    offsets, across = drawn_mean_velocity(210)
    # Across the PA only bilinear interpolation between pixels leaks a little rotation in.
    assert abs(across[np.argmin(np.abs(offsets - 4))]) < 0.05 * along[at]


def test_moments_agree_with_spectral_cube(tmp_path):
    """Moment 0 and 1 from this module equal spectral-cube's on the same FITS file."""
    obs = Observation.from_angular(n_pix=40, pixel_arcsec=0.1, beam_arcsec=(0.4, 0.3, 0.0),
                                   n_chan=30, channel_width_kms=20.0, redshift=1.2)  # fmt: skip
    cube = observe(render(Galaxy(r_e_kpc=1.5, inclination_deg=55, pa_deg=30), obs))
    path = cube.write_fits(tmp_path / "c.fits")
    # The file's axis holds observed frequencies: velocities from systemic are radio
    # velocities about the redshifted line.
    sc = SpectralCube.read(path).with_spectral_unit(
        u.km / u.s, velocity_convention="radio", rest_value=obs.sky.observed_frequency_hz * u.Hz
    )
    ours = cube.moments(min_fraction=0.0)
    np.testing.assert_allclose(sc.moment0().value, ours.m0, rtol=1e-5, atol=1e-9 * ours.m0.max())
    bright = ours.m0 > 1e-2 * ours.m0.max()
    np.testing.assert_allclose(sc.moment1().value[bright], ours.m1[bright], rtol=1e-5, atol=1e-3)
    width = sc.linewidth_sigma().value[bright]
    np.testing.assert_allclose(width, ours.m2[bright], rtol=1e-4, atol=1e-3)
    assert not math.isnan(float(ours.m1[20, 20]))


def test_noisy_cube_moment_one_is_masked_by_default():
    """A noisy cube's moment 1 is drawn from voxels above 3 rms: it tracks the clean map."""
    obs = Observation(nx=41, ny=41, pixel_kpc=1.0, spectral=SpectralAxis(40, -400, 400))
    clean = render(Galaxy(r_e_kpc=4.0, inclination_deg=60, pa_deg=45), obs)
    rms = 0.05 * float(clean.data.max())
    noisy = clean.with_data(
        clean.data + noise_cube(obs.shape, rms, np.random.default_rng(5)), kind="noisy",
        noise_rms=rms,
    )  # fmt: skip
    fig = moment_figure(noisy, axes="pixel")
    drawn = _image(fig.axes[1])
    truth = clean.moments().m1
    inner = clean.data.sum(0) > 0.2 * clean.data.sum(0).max()
    # Measured over 5 noise draws: median error 2.3-4.1 km/s masked, 9-17 km/s unmasked.
    error = np.nanmedian(np.abs(drawn[inner] - truth[inner]))
    assert error < 8.0
    unmasked = moments(noisy.data, obs.velocities_kms).m1
    assert np.nanmedian(np.abs(unmasked[inner] - truth[inner])) > 2 * error
    # The colour scale stays within the band; unmasked noise reaches ~10,000 km/s.
    assert fig.axes[1].images[0].get_clim()[1] < 400.0


@pytest.mark.parametrize("seed", range(8))
def test_moment_one_colour_range_follows_the_rotation_at_snr_5(seed):
    """At peak S/N 5 the moment-1 colours span the noiseless cube's velocities within 1.5x.

    The truth is moment 1 of the noiseless cube over the same mask: the velocities a
    noise-free observation shows where the map shows emission (beam smearing included).
    Before the smoothed-S/N mask the range was set by noise spikes: +-400 to 600 km/s.
    """
    from GalCubeCraft.products.masks import smoothed_snr_mask

    g = GalCubeCraft(n_gals=1, n_cubes=1, seed=seed, peak_snr=5, verbose=False, save=False)
    products = g.make(0).products
    fig = moment_figure(products.noisy, axes="pixel")
    low, high = fig.axes[1].images[0].get_clim()
    mask = smoothed_snr_mask(products.noisy)
    truth = products.clean.moments(mask=mask).m1
    true_range = np.nanmax(np.abs(truth))
    assert -low == pytest.approx(high)
    assert true_range / 1.5 <= high <= 1.5 * true_range
    assert np.isfinite(_image(fig.axes[1])).sum() >= 20  # the map shows the galaxy


def test_visualise_masks_moment_one_with_the_clean_cube():
    """The facade's own noisy results are masked by their noiseless twins (clean >= rms)."""
    g = GalCubeCraft(n_gals=1, n_cubes=1, seed=3, peak_snr=5, grid_size=64, verbose=False,
                     save=False)  # fmt: skip
    results = g.generate_cubes()
    drawn = _image(g.visualise(results, idx=0)[0].axes[1])
    kept = (g.clean_cubes[0] >= results[0][1]["noise_rms"]).any(axis=0)
    assert np.isfinite(drawn).sum() > 20
    assert not np.isfinite(drawn[~kept]).any()


def test_noisy_moment0_has_contours_at_multiples_of_its_noise():
    """Moment 0 of a noisy cube is drawn with contours at 3, 6, 12 and 24 times its noise."""
    from GalCubeCraft import Beam, NoiseModel, make_cubes

    obs = Observation(nx=48, ny=48, pixel_kpc=0.5, spectral=SpectralAxis(40, -400, 400),
                      beam=Beam(3.0, 3.0))  # fmt: skip
    galaxy = Galaxy(r_e_kpc=3.0, inclination_deg=60.0, pa_deg=30.0, sigma_kms=20.0)
    products = make_cubes(galaxy, obs, noise=NoiseModel(peak_snr=5.0),
                          noise_rng=np.random.default_rng(8))  # fmt: skip
    levels = moment_figure(products.noisy).axes[0].collections[0].levels
    sigma = products.noise_rms * 20.0 * np.sqrt(40)
    np.testing.assert_allclose(levels, [3 * sigma, 6 * sigma, 12 * sigma, 24 * sigma], rtol=1e-12)
    assert not moment_figure(products.clean).axes[0].collections  # no noise, no contours


def test_cli_plots_a_fits_cube_with_its_axes_and_beam(tmp_path):
    """`galcubecraft plot` on a FITS cube writes a PNG; the beam drawn is the file's."""
    from GalCubeCraft.cli import main

    obs = Observation.from_angular(n_pix=32, pixel_arcsec=0.1, beam_arcsec=(0.5, 0.3, 20.0),
                                   n_chan=12, channel_width_kms=25.0, redshift=1.0)  # fmt: skip
    cube = observe(render(Galaxy(r_e_kpc=1.0, inclination_deg=40), obs))
    path = cube.write_fits(tmp_path / "c.fits")
    out = tmp_path / "m.png"
    assert main(["-q", "plot", str(path), "--out", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    ellipse = moment_figure(Cube.from_fits(path)).axes[0].patches[0]
    assert (ellipse.width, ellipse.height, ellipse.angle) == pytest.approx((0.5, 0.3, 110.0))
