"""Interferometric observations: beams, fluxes, noise, uv coverage, CLEAN and refusals."""

import math

import numpy as np
import pytest
from conftest import assert_items_equal, assert_store_reads_back

from GalCubeCraft import Cube, Observation
from GalCubeCraft.datasets import FORMATS, DatasetSpec
from GalCubeCraft.datasets.items import parameter_names, render_item
from GalCubeCraft.interferometry import nufft
from GalCubeCraft.interferometry.arrays import ARRAY_NAMES, load_array
from GalCubeCraft.interferometry.observe import (
    Interferometer,
    channel_frequencies_hz,
    observe_interferometer,
)
from GalCubeCraft.interferometry.primary_beam import primary_beam
from GalCubeCraft.interferometry.thermal import sefd_jy, visibility_sigma_jy
from GalCubeCraft.interferometry.uv import Track, uvw_m
from GalCubeCraft.priors.interferometry import INTERFEROMETER_COLUMNS

Z_230GHZ = 1900.5369 / 230.0 - 1.0  # [CII] observed at 230 GHz
ARCSEC = math.pi / 180 / 3600


def _observation(n_pix=65, pixel_arcsec=0.04, n_chan=1, width=20.0):
    return Observation.from_angular(n_pix=n_pix, pixel_arcsec=pixel_arcsec, beam_arcsec=None,
                                    n_chan=n_chan, channel_width_kms=width, line="[CII]158",
                                    redshift=Z_230GHZ)  # fmt: skip


def _interferometer(**changes):
    settings = {"array": "alma_c5", "track": Track(-30.0, 1.0, 60.0), "noise": False,
                "clean_threshold_rms": None}  # fmt: skip
    settings.update(changes)
    return Interferometer(**settings)


def _uv(array="alma_c5", track=None, frequency=230e9):
    uvw = uvw_m(load_array(array), track or Track(-30.0, 1.0, 60.0))
    wavelength = 299792458.0 / frequency
    return uvw[:, 0] / wavelength, uvw[:, 1] / wavelength


def test_arrays_are_the_documented_configurations():
    """Shipped arrays: ALMA C-1..C-10 (43 x 12 m), ACA (7 m), VLA A-D (27 x 25 m), sourced."""
    longest = {"alma_c1": 161, "alma_c5": 1398, "alma_c10": 16197, "aca": 45, "vla_a": 36623,
               "vla_d": 1031}  # fmt: skip
    for name, metres in longest.items():
        array = load_array(name)
        assert array.longest_baseline_m() == pytest.approx(metres, abs=1.0)
        assert "casadata" in array.source
    assert load_array("alma_c5").n_antennas == 43 and load_array("alma_c5").dish_diameter_m == 12
    assert load_array("aca").dish_diameter_m == 7 and load_array("vla_b").n_antennas == 27
    assert len(ARRAY_NAMES) == 16


def test_meerkat_is_the_built_array():
    """MeerKAT: 64 dishes of 13.5 m, baselines 29 m to 7.698 km (SARAO's published figures)."""
    meerkat = load_array("meerkat")
    lengths = np.linalg.norm(meerkat.baselines_enu_m(), axis=1)
    assert meerkat.n_antennas == 64 and set(meerkat.diameter_m) == {13.5}
    assert lengths.min() == pytest.approx(29.3, abs=0.5)
    assert lengths.max() == pytest.approx(7698, abs=2)
    # The positions are recentred on the array's mean, on its local horizontal plane.
    assert np.allclose(meerkat.enu_m.mean(axis=0), 0.0, atol=1e-3)
    assert np.max(np.abs(meerkat.enu_m[:, 2])) < 30.0
    assert meerkat.latitude_deg == pytest.approx(-30.71, abs=0.01)
    assert meerkat.telescope == "MeerKAT" and "simms" in meerkat.source


def test_meerkat_observes_hi():
    """MeerKAT at 21 cm, 4 h: a point source reads its flux; Briggs 0.5 beam near 0.574 lambda/L80.

    Measured: 8.95 arcsec against 8.22 (natural weighting, dominated by the dense core: 22.6).
    """
    obs = Observation.from_angular(n_pix=129, pixel_arcsec=1.0, beam_arcsec=None, n_chan=2,
                                   channel_width_kms=20.0, line="HI", redshift=0.01)  # fmt: skip
    point = np.zeros(obs.shape)
    point[:, 64, 64] = 2.0
    track = Track(-30.0, 4.0, 120.0)
    made = observe_interferometer(Cube(point, obs), _interferometer(
        array="meerkat", track=track, weighting="briggs", robust=0.5))  # fmt: skip
    np.testing.assert_allclose(made.dirty.data[:, 64, 64], 2.0, rtol=1e-3)
    beam = made.clean_beam
    u, v = _uv("meerkat", track, channel_frequencies_hz(obs)[0])
    expected = 0.574 / np.percentile(np.hypot(u, v), 80) / ARCSEC
    assert math.sqrt(beam.bmaj_px * beam.bmin_px) * 1.0 == pytest.approx(expected, rel=0.15)


def test_nufft_dirty_beam_equals_the_direct_fourier_sum():
    """The NUFFT dirty beam and image equal brute-force sums to 1e-5 of the peak; peak is 1."""
    u, v = _uv()
    pick = np.random.default_rng(0).choice(u.size, 3000, replace=False)
    u, v = u[pick], v[pick]
    pixel = 0.04 * ARCSEC
    for shape in ((33, 32), (31, 31)):
        w = np.full(u.size, 1.0 / u.size) + 0j
        direct = nufft.direct_dirty_image(u, v, w, shape, pixel)
        fast = nufft.dirty_images(u, v, w[None], shape, pixel)[0]
        assert np.max(np.abs(fast - direct)) < 1e-5 * np.max(direct)
        centred = nufft.dirty_images(u, v, w[None], shape, pixel, centre_on_pixel=True)[0]
        assert centred[shape[0] // 2, shape[1] // 2] == pytest.approx(1.0, abs=1e-6)
        assert centred.max() == pytest.approx(1.0, abs=1e-6)


def test_clean_beam_of_c5_matches_the_handbook_resolution():
    """C-5, 230 GHz, 1 h at transit, dec -30, Briggs 0.5: FWHM within 15% of 0.574 lambda/L80.

    L80 is the 80th percentile of the projected baselines (ALMA's handbook formula);
    measured: 0.233 arcsec against 0.248 (natural weighting: 0.312).
    """
    obs = _observation(n_pix=129, pixel_arcsec=0.03)
    made = observe_interferometer(Cube(np.zeros(obs.shape), obs),
                                  _interferometer(weighting="briggs", robust=0.5,
                                                  track=Track(-30.0, 1.0, 30.0)))  # fmt: skip
    beam = made.clean_beam
    fwhm = math.sqrt(beam.bmaj_px * beam.bmin_px) * 0.03
    u, v = _uv(track=Track(-30.0, 1.0, 30.0), frequency=channel_frequencies_hz(obs)[0])
    expected = 0.574 / np.percentile(np.hypot(u, v), 80) / ARCSEC
    assert fwhm == pytest.approx(expected, rel=0.15)
    assert made.dirty_beam.max() == pytest.approx(1.0, abs=1e-6)


def test_point_source_reads_its_flux_times_the_primary_beam():
    """S Jy on the centre pixel: S Jy/beam in the dirty image there; off-centre, S x PB (1e-3)."""
    obs = _observation(n_pix=129, pixel_arcsec=0.5, n_chan=2, width=200.0)
    centre = np.zeros(obs.shape)
    centre[:, 64, 64] = 2.0
    made = observe_interferometer(Cube(centre, obs), _interferometer(array="alma_c1"))
    np.testing.assert_allclose(made.dirty.data[:, 64, 64], 2.0, rtol=1e-3)
    assert made.dirty.unit == "Jy/beam" and made.dirty.kind == "dirty"
    off = np.zeros(obs.shape)
    off[:, 40, 90] = 3.0  # 17.7 arcsec from the centre
    made = observe_interferometer(Cube(off, obs), _interferometer(array="alma_c1"))
    offset = math.hypot(24, 26) * 0.5 * ARCSEC
    for c, frequency in enumerate(channel_frequencies_hz(obs)):
        pb = float(primary_beam(np.array(offset), 299792458.0 / frequency, 12.0))
        assert 0.2 < pb < 0.4
        assert made.dirty.data[c, 40, 90] == pytest.approx(3.0 * pb, rel=1e-3)


def test_noise_rms_follows_the_radiometer_equation_and_the_beam():
    """Noise-only dirty cubes: rms = prediction to 2%, autocorrelation = the dirty beam."""
    obs = _observation(n_pix=96, pixel_arcsec=0.05, n_chan=12)
    model = Cube(np.zeros(obs.shape), obs)
    for weighting in ("natural", "briggs"):
        made = observe_interferometer(model, _interferometer(noise=True, weighting=weighting),
                                      np.random.default_rng(3))  # fmt: skip
        measured = np.std(made.dirty.data.astype(np.float64), axis=(1, 2))
        np.testing.assert_allclose(measured.mean() / made.noise_rms.mean(), 1.0, atol=0.02)
    # The radiometer equation itself: SEFD of a 12-m dish at 100 K and 60% efficiency.
    sefd = sefd_jy(100.0, 12.0, 0.6)
    assert sefd == pytest.approx(2 * 1.380649e-23 * 100 / (0.6 * math.pi * 36) * 1e26)
    channel_hz = 230e9 * 20e3 / 299792458.0
    assert made.visibility_sigma[0] == pytest.approx(
        visibility_sigma_jy(100.0, 12.0, 0.6, channel_hz, 60.0), rel=2e-3)  # fmt: skip
    # Natural weights: the noise's autocorrelation is the dirty beam's shape.
    made = observe_interferometer(model, _interferometer(noise=True), np.random.default_rng(4))
    noise = made.dirty.data.astype(np.float64)
    beam = made.dirty_beam.mean(axis=0)
    variance = np.mean(noise * noise)
    for dy, dx in ((0, 2), (0, 4), (3, 0), (2, 2), (5, 5), (0, 8)):
        lagged = np.mean(noise[:, : 96 - dy, : 96 - dx] * noise[:, dy:, dx:]) / variance
        assert lagged == pytest.approx(beam[48 + dy, 48 + dx], abs=0.04)


def test_longer_tracks_fill_the_uv_plane():
    """The dirty beam's sidelobe rms falls as the track grows: 0.25, 1, 2 and 4 hours."""
    obs = _observation(n_pix=128, pixel_arcsec=0.04)
    model = Cube(np.zeros(obs.shape), obs)
    sidelobes = []
    for hours in (0.25, 1.0, 2.0, 4.0):
        made = observe_interferometer(model, _interferometer(track=Track(-30.0, hours, 120.0)))
        beam = made.dirty_beam[0]
        y, x = np.indices(beam.shape)
        far = np.hypot(y - 64, x - 64) > 3.0 * made.clean_beam.bmaj_px
        sidelobes.append(float(np.sqrt(np.mean(beam[far] ** 2))))
    assert all(a > b for a, b in zip(sidelobes, sidelobes[1:], strict=False)), sidelobes


def test_clean_restores_a_point_source():
    """CLEAN to 3 sigma: the restored peak is the source's flux (2%), the residual is noise."""
    obs = _observation(n_pix=96, pixel_arcsec=0.05, n_chan=2)
    data = np.zeros(obs.shape)
    data[:, 48, 48] = 0.05
    made = observe_interferometer(Cube(data, obs), _interferometer(
        noise=True, clean_threshold_rms=3.0), np.random.default_rng(5))  # fmt: skip
    assert made.restored is not None and made.restored.kind == "restored"
    np.testing.assert_allclose(made.restored.data[:, 48, 48], 0.05, rtol=0.02)
    away = made.restored.data[:, :20, :20]
    assert np.std(away) < 2.0 * made.noise_rms.mean()


def test_same_seed_same_cube_and_the_uv_mask():
    """A seed gives the same dirty cube; the uv mask is symmetric, out to the longest baseline."""
    obs = _observation(n_pix=64, pixel_arcsec=0.05, n_chan=2)
    data = np.zeros(obs.shape)
    data[:, 30, 30] = 0.02
    itf = _interferometer(noise=True)
    a = observe_interferometer(Cube(data, obs), itf, np.random.default_rng(9))
    b = observe_interferometer(Cube(data, obs), itf, np.random.default_rng(9))
    assert np.array_equal(a.dirty.data, b.dirty.data)
    mask = a.uv_mask[0]
    assert np.array_equal(mask[1:, 1:], mask[1:, 1:][::-1, ::-1])  # (u, v) and (-u, -v)
    u, v = _uv(track=Track(-30.0, 1.0, 60.0), frequency=channel_frequencies_hz(obs)[0])
    cell = 1.0 / (64 * 0.05 * ARCSEC)
    rows, cols = np.nonzero(mask)
    reach = np.max(np.hypot(rows - 32, cols - 32)) * cell
    assert reach == pytest.approx(np.max(np.hypot(u, v)), abs=1.5 * cell)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Track(-30.0, integration_s=-1.0), "integration_s"),
        (lambda: _interferometer(array="alma_c11"), "array must be one of"),
        (lambda: _interferometer(track=Track(70.0, 1.0)), "declination 70 deg is not observable"),
        (lambda: _interferometer(weighting="robust"), "weighting"),
        (
            lambda: observe_interferometer(
                Cube(np.zeros((1, 32, 32)), _observation(32, 1.0)),
                _interferometer(array="alma_c10"),
            ),
            "too coarse",
        ),
        (
            lambda: observe_interferometer(
                Cube(np.zeros((1, 32, 32)), _observation(32, 0.05)), _interferometer(noise=True)
            ),
            "rng",
        ),
    ],
)
def test_bad_observations_are_refused_before_any_work(build, message):
    """Bad integration time, configuration, declination, weighting, pixels or rng: refused."""
    with pytest.raises((TypeError, ValueError), match=message):
        build()


def test_a_galaxy_observed_end_to_end_and_written_to_fits(tmp_path):
    """Render, observe, CLEAN: restored flux ~ the attenuated model's; FITS holds every product."""
    from astropy.io import fits

    from GalCubeCraft import Galaxy, make_interferometric_cubes

    obs = _observation(n_pix=96, pixel_arcsec=0.05, n_chan=16, width=40.0)
    k = obs.sky.kpc_per_arcsec
    galaxy = Galaxy.with_line_flux(2.0, r_e_kpc=0.4 * k, inclination_deg=50, pa_deg=30)
    # Faint noise (T_sys = 2 K), so CLEAN to 2 sigma goes deep: flux is then conserved;
    # at realistic depths the residual's dirty-beam units bias it (the JvM effect).
    itf = _interferometer(noise=True, clean_threshold_rms=2.0, t_sys_k=2.0)
    made = make_interferometric_cubes(galaxy, obs, itf, np.random.default_rng(2))
    y, x = np.indices((96, 96))
    aperture = np.hypot(y - 47.5, x - 47.5) < 30  # 1.5 arcsec: the primary beam is ~1 there
    dv = obs.spectral.channel_width_kms
    model_flux = made.model.data[:, aperture].sum() * dv  # Jy km/s
    restored_flux = made.restored.data[:, aperture].sum() / made.clean_beam.area_px * dv
    assert restored_flux == pytest.approx(model_flux, rel=0.01)  # measured 0.4%
    path = made.write_fits(tmp_path / "observed.fits")
    back = Cube.from_fits(path)
    assert back.kind == "dirty" and back.unit == "Jy/beam"
    assert back.observation.beam.bmaj_px == pytest.approx(made.clean_beam.bmaj_px, rel=1e-6)
    np.testing.assert_array_equal(back.data, made.dirty.data)
    with fits.open(path) as hdul:
        hdul.verify("exception")
        assert (
            hdul[0].header["ARRAY"] == "alma_c5" and hdul[0].header["NVIS"] == made.n_visibilities
        )
        assert hdul[0].header["TELESCOP"] == "ALMA"
        assert hdul["DIRTY_BEAM"].data.shape == obs.shape
        np.testing.assert_array_equal(hdul["UV_MASK"].data.astype(bool), made.uv_mask)
        cell = 1.0 / (96 * 0.05 * ARCSEC)
        assert hdul["UV_MASK"].header["CDELT1"] == pytest.approx(cell)
        np.testing.assert_array_equal(hdul["NOISE_RMS"].data, made.noise_rms)
        assert hdul["RESTORED"].header["BUNIT"] == "Jy/beam"


OBSERVED_SPEC = DatasetSpec(
    n_cubes=2,
    seed=2,
    observation={"grid_size": 48, "n_chan": 6},
    galaxies={"resolution": (0.5, 1.0), "n_gals": (1, 1)},
    noise={"peak_snr": None},
    interferometer={"arrays": ("alma_c1", "alma_c2")},
)


@pytest.fixture(scope="module")
def observed_items():
    """Return the two items of OBSERVED_SPEC, rendered in this process."""
    return [render_item(OBSERVED_SPEC, i).as_dict() for i in range(OBSERVED_SPEC.n_cubes)]


def test_observed_items_are_reproducible_and_consistent(observed_items):
    """Same seed, same item; its dirty cube is its model seen by the drawn array, noise and all."""
    assert_items_equal(OBSERVED_SPEC, render_item(OBSERVED_SPEC, 0).as_dict(), observed_items[0])
    names = parameter_names(OBSERVED_SPEC)
    assert names[-len(INTERFEROMETER_COLUMNS) :] == list(INTERFEROMETER_COLUMNS)
    for item in observed_items:
        row = dict(zip(names, item["params"], strict=True))
        obs = OBSERVED_SPEC.observation.for_pixel(row["pixel_kpc"])
        itf = Interferometer(
            OBSERVED_SPEC.interferometer.arrays[int(row["array_index"])],
            Track(row["declination_deg"], row["track_hours"], row["integration_s"],
                  row["hour_angle_h"]),
            weighting="briggs", t_sys_k=row["t_sys_k"], noise=False, clean_threshold_rms=None,
        )  # fmt: skip
        noiseless = observe_interferometer(Cube(item["model"].astype(np.float64), obs), itf)
        noise = item["dirty"] - noiseless.dirty.data
        assert np.std(noise) == pytest.approx(row["dirty_rms"], rel=0.1)
        np.testing.assert_allclose(item["dirty_beam"], noiseless.dirty_beam, atol=1e-6)
        assert row["clean_bmaj_arcsec"] == pytest.approx(
            noiseless.clean_beam.bmaj_px * obs.pixel_arcsec, rel=1e-6)  # fmt: skip
        assert item["uv_mask"].sum() > 0 and item["restored"].any()


def test_observed_items_pair_the_products_for_deconvolution(observed_items):
    """An item pairs its dirty cube with residual, model_convolved and uv_weights.

    The residual is the dirty cube less the noiseless sky's; model_convolved holds the
    model's flux in Jy/beam of the clean beam; uv_weights are positive on uv_mask.
    """
    names = parameter_names(OBSERVED_SPEC)
    for item in observed_items:
        row = dict(zip(names, item["params"], strict=True))
        obs = OBSERVED_SPEC.observation.for_pixel(row["pixel_kpc"])
        itf = Interferometer(
            OBSERVED_SPEC.interferometer.arrays[int(row["array_index"])],
            Track(row["declination_deg"], row["track_hours"], row["integration_s"],
                  row["hour_angle_h"]),
            weighting="briggs", t_sys_k=row["t_sys_k"], noise=False, clean_threshold_rms=None,
        )  # fmt: skip
        noiseless = observe_interferometer(Cube(item["model"].astype(np.float64), obs), itf)
        scale = float(np.abs(item["dirty"]).max())
        np.testing.assert_allclose(item["dirty"] - item["residual"], noiseless.dirty.data,
                                   rtol=0, atol=4e-7 * scale)  # fmt: skip
        area = noiseless.clean_beam.area_px
        assert item["model_convolved"].sum(dtype=np.float64) / area == pytest.approx(
            item["model"].sum(dtype=np.float64), rel=2e-4)  # fmt: skip
        np.testing.assert_array_equal(item["uv_weights"] > 0, item["uv_mask"].astype(bool))
        np.testing.assert_allclose(item["uv_weights"].sum(axis=(1, 2)), 1.0, rtol=1e-6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_store_holds_the_interferometric_products(tmp_path, observed_items, fmt):
    """Each store format reads an observed item back bit for bit; FITS labels the uv axes."""
    path = assert_store_reads_back(OBSERVED_SPEC, observed_items, fmt, tmp_path)
    if fmt == "fits":
        from astropy.io import fits

        with fits.open(next(path.glob("*.fits"))) as hdul:
            assert hdul["UV_MASK"].header["CTYPE1"] == "UU"
            assert hdul["DIRTY"].header["BUNIT"] == "Jy/beam"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"arrays": ("alma_c99",)}, r"interferometer.arrays\[0\] must be one of"),
        ({"declination_deg": (60.0, 70.0)}, "not observable"),
        ({"arrays": ("alma_c10",)}, "resolves"),
        ({"arrays": ("aca",)}, "needs a field"),
    ],
)
def test_observed_specs_that_cannot_be_made_are_refused(change, message):
    """A spec whose arrays cannot see, resolve or fit what it draws is refused when made."""
    with pytest.raises(ValueError, match=message):
        OBSERVED_SPEC.replace(interferometer=change)


def test_a_lensed_scene_observed_by_an_interferometer():
    """Lens and interferometer together: both column blocks filled; the dirty cube is lensed."""
    spec = DatasetSpec(
        n_cubes=1,
        seed=5,
        observation={"grid_size": 48, "n_chan": 6, "beam": (3.0, 3.0, 0.0)},
        galaxies={"resolution": (1.0, 1.5), "h_z_kpc": (0.8, 1.0), "n_gals": (1, 1)},
        lens={"theta_e_re": (2.0, 3.0)},
        noise={"peak_snr": None},
        interferometer={"arrays": ("alma_c1",)},
    )
    item = render_item(spec, 0).arrays
    row = dict(zip(parameter_names(spec), item["params"], strict=True))
    assert np.all(np.isfinite(item["params"][-19:]))  # 9 lens and 10 interferometer columns
    assert row["total_magnification"] > 1.5
    # The model the array saw is the lensed one: in Jy/beam of the spec's Gaussian beam it
    # holds the clean cube's flux, the source's times the magnification.
    seen = item["model"].sum(dtype=np.float64) * spec.observation.beam.area_px
    assert seen == pytest.approx(item["clean"].sum(dtype=np.float64), rel=1e-3)
    assert item["clean"].sum() / item["source_clean"].sum() == pytest.approx(
        row["total_magnification"], rel=1e-3)  # fmt: skip
