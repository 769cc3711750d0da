"""Lensed cubes: magnification, Einstein rings, surface brightness, truth and refusals."""

import math

import numpy as np
import pytest
from conftest import assert_items_equal, assert_store_reads_back
from lenstronomy.LensModel.lens_model import LensModel
from lenstronomy.LensModel.Solver.lens_equation_solver import LensEquationSolver
from lenstronomy.Util import param_util

from GalCubeCraft import (
    SIE,
    ConvergenceSheet,
    ExternalShear,
    Galaxy,
    Lens,
    Observation,
    PowerLawEllipsoid,
    RenderSettings,
    make_cubes,
    render,
)
from GalCubeCraft.datasets import FORMATS, DatasetSpec
from GalCubeCraft.datasets.items import parameter_names, render_item
from GalCubeCraft.model.clumps import Clump
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.lenses import LENS_COLUMNS
from GalCubeCraft.renderer.lensing import pixel_centres_arcsec


def _observation(n_pix, pixel_arcsec, n_chan=4, width=300.0, beam=None):
    return Observation.from_angular(n_pix=n_pix, pixel_arcsec=pixel_arcsec, beam_arcsec=beam,
                                    n_chan=n_chan, channel_width_kms=width)  # fmt: skip


def _source(obs, x_arcsec, y_arcsec, r_e_arcsec, **kwargs):
    k = obs.sky.kpc_per_arcsec
    kwargs.setdefault("inclination_deg", 40.0)
    kwargs.setdefault("pa_deg", 10.0)
    return Galaxy(r_e_kpc=r_e_arcsec * k, h_z_kpc=0.2 * r_e_arcsec * k, x_kpc=x_arcsec * k,
                  y_kpc=y_arcsec * k, **kwargs)  # fmt: skip


def _distance_to_caustics(products, x, y):
    points = np.concatenate(products.lensing.caustics)
    return float(np.min(np.hypot(points[:, 0] - x, points[:, 1] - y)))


Q, PA, GAMMA, ANGLE = 0.75, 25.0, 0.04, 60.0
SHEAR = ExternalShear(GAMMA, ANGLE)
PROFILES = {  # ours, and lenstronomy's name and keywords for the same mass
    "SIE": (SIE(1.0, Q, PA), "SIE", {}),
    "EPL": (PowerLawEllipsoid(1.0, 1.8, Q, PA), "EPL", {"gamma": 1.8}),
}


@pytest.mark.parametrize(
    ("profile", "x", "y", "n_images"),
    [("SIE", 1.1, 0.4, 1), ("SIE", 0.45, 0.25, 2), ("EPL", 1.1, 0.4, 1), ("EPL", 0.175, 0.275, 2)],
)
def test_compact_source_gains_the_point_magnification(profile, x, y, n_images):
    """A compact source far from the caustics: lensed flux = source flux x sum |mu_i| (1e-3).

    The images and their magnifications come from lenstronomy's solver, independently.
    """
    mass, name, extra = PROFILES[profile]
    obs = _observation(180, 0.028)
    source = _source(obs, x, y, 0.008)
    made = make_cubes(source, obs)
    lensed = make_cubes(source, obs, lens=Lens((mass, SHEAR)))
    assert _distance_to_caustics(lensed, x, y) > 25 * 0.008  # the test means what it says
    model = LensModel([name, "SHEAR"])
    e1, e2 = param_util.phi_q2_ellipticity(math.radians(PA + 90), Q)
    g1, g2 = param_util.shear_polar2cartesian(math.radians(ANGLE + 90), GAMMA)
    kwargs = [{"theta_E": 1.0, "e1": e1, "e2": e2, **extra}, {"gamma1": g1, "gamma2": g2}]
    xs, ys = LensEquationSolver(model).image_position_from_source(
        x, y, kwargs, min_distance=0.01, search_window=5.0, precision_limit=1e-12
    )
    assert len(xs) == n_images
    expected = float(np.sum(np.abs(model.magnification(xs, ys, kwargs))))
    ratio = lensed.model.data.sum(dtype=np.float64) / made.model.data.sum(dtype=np.float64)
    assert ratio == pytest.approx(expected, rel=1e-3)
    assert lensed.lensing.total_magnification == pytest.approx(ratio, rel=1e-12)


def test_face_on_disk_behind_a_sphere_forms_the_einstein_ring():
    """Face-on disk at an SIS's centre: the image is Sigma(| |theta| - theta_E |), exactly.

    Each pixel's flux is compared with the pixel integral of the analytic ring
    (exponential disk of scale length h, flux-normalised), from 16x16 sub-samples,
    to 1e-3 of the brightest pixel (measured 1.8e-4; five refinement levels do as well as
    seven here, in a fifth of the time); the azimuthal profile peaks at theta_E.
    """
    pixel = 0.04
    obs = _observation(64, pixel, n_chan=2, width=400.0)
    r_e = 0.12
    source = _source(obs, 0.0, 0.0, r_e, inclination_deg=0.0, pa_deg=0.0)
    settings = RenderSettings(max_refine_depth=5)
    ring = render(source, obs, settings, lens=Lens((SIE(0.9),))).moments().m0
    h = r_e / 1.678346990016661  # n = 1: R_e = b_1 h
    sub = 16
    x, y = pixel_centres_arcsec(obs)
    offsets = (np.arange(sub) + 0.5) / sub - 0.5
    expected = np.zeros_like(x)
    for dx in offsets:
        for dy in offsets:
            beta = np.abs(np.hypot(x + dx * pixel, y + dy * pixel) - 0.9)
            expected += np.exp(-beta / h)
    expected *= source.line_flux / (2 * np.pi * h**2) * (pixel**2 / sub**2)
    assert np.max(np.abs(ring - expected)) < 1e-3 * expected.max()
    radius = np.hypot(x, y)
    bins = np.round(radius / pixel).astype(int)
    counts = np.bincount(bins.ravel())
    profile = np.bincount(bins.ravel(), ring.ravel()) / np.maximum(counts, 1)
    assert abs(np.argmax(profile) * pixel - 0.9) <= pixel


def test_surface_brightness_is_conserved_per_channel():
    """Behind a uniform sheet, every voxel is the unlensed sky seen at beta = (1 - kappa) theta.

    The lensed cube on pixels of size p equals the unlensed cube rendered on pixels of
    size (1 - kappa) p, times (1 - kappa)^-2: the same surface brightness at each
    source position, channel by channel (to 3e-4 of the peak voxel).
    """
    kappa = 0.35
    obs = _observation(64, 0.05, n_chan=24, width=25.0)
    source = _source(obs, 0.0, 0.0, 0.35, inclination_deg=60.0, pa_deg=30.0)
    lensed = render(source, obs, lens=Lens((ConvergenceSheet(kappa),))).data
    shrunk = obs.replace(pixel_kpc=obs.pixel_kpc * (1 - kappa))
    direct = render(source, shrunk).data / (1 - kappa) ** 2
    assert np.max(np.abs(lensed - direct)) < 3e-4 * direct.max()
    assert lensed.sum() == pytest.approx(direct.sum(), rel=1e-4)


def test_null_lens_gives_the_unlensed_cube_bit_for_bit():
    """Zero Einstein radius (and no shear): the very same cubes, and no lensing truth."""
    obs = _observation(48, 0.05, n_chan=16, width=30.0, beam=(0.15, 0.15, 0.0))
    source = _source(obs, 0.1, 0.0, 0.3)
    plain = make_cubes(source, obs)
    null = make_cubes(source, obs, lens=Lens((SIE(0.0, 0.7, 20.0), ExternalShear(0.0))))
    assert np.array_equal(plain.model.data, null.model.data)
    assert np.array_equal(plain.clean.data, null.clean.data)
    assert null.lensing is None


def test_lensing_truth_describes_the_lens():
    """Truth: unlensed twin, lenstronomy's magnification map, the SIS's circle and point."""
    obs = _observation(64, 0.05, n_chan=8, width=60.0, beam=(0.15, 0.15, 0.0))
    source = _source(obs, 0.05, 0.02, 0.2)
    lensed = make_cubes(source, obs, lens=Lens((SIE(1.0),)))
    truth = lensed.lensing
    assert np.array_equal(truth.source_model.data, make_cubes(source, obs).model.data)
    x, y = pixel_centres_arcsec(obs)
    reference = LensModel(["SIS"]).magnification(x, y, [{"theta_E": 1.0}])
    far = np.abs(np.hypot(x, y) - 1.0) > 0.05
    np.testing.assert_allclose(truth.magnification[far], reference[far], rtol=1e-5)
    curves = np.concatenate(truth.critical_curves)
    np.testing.assert_allclose(np.hypot(curves[:, 0], curves[:, 1]), 1.0, atol=2e-3)
    np.testing.assert_allclose(np.concatenate(truth.caustics), 0.0, atol=2e-3)
    assert truth.total_magnification == pytest.approx(
        lensed.model.data.sum() / truth.source_model.data.sum(), rel=1e-12
    )
    assert truth.source_clean.shape == lensed.clean.shape


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"obs": "no sky"}, "angular scale"),
        ({"lens": Lens((SIE(1.0),), z_lens=1.5)}, "in front of the sources"),
        ({"galaxy": {"clumps": (Clump(0.5, 0.0, 0.1, 0.1),)}}, "clumps"),
        ({"galaxy": {"r_e_kpc": 0.01}}, "finer than the sky sampler"),
    ],
)
def test_unrenderable_lensed_scenes_are_refused(change, message):
    """A lens without arcsec, behind the source, over clumps or an unresolved source: refused."""
    obs = _observation(48, 0.05)
    lens = change.get("lens", Lens((SIE(1.0),)))
    if change.get("obs") == "no sky":
        obs = obs.replace(sky=None)
    galaxy = Galaxy(**{"r_e_kpc": 1.5, **change.get("galaxy", {})})
    with pytest.raises(ValueError, match=message):
        make_cubes(galaxy, obs, lens=lens)


def test_lens_with_diffuse_emission_is_refused():
    """Diffuse components are not lensed: asking for both is an error, before any work."""
    from GalCubeCraft.model.diffuse import DiffuseComponents

    obs = _observation(48, 0.05)
    diffuse = DiffuseComponents(halo=Galaxy(r_e_kpc=2.0), bridges=(), tails=())
    with pytest.raises(ValueError, match="not lensed"):
        make_cubes(Galaxy(r_e_kpc=1.5), obs, diffuse=diffuse, lens=Lens((SIE(1.0),)))


LENSED_SPEC = DatasetSpec(
    n_cubes=2,
    seed=5,
    observation={"grid_size": 48, "n_chan": 8, "beam": (3.0, 3.0, 0.0)},
    galaxies={"resolution": (1.0, 1.5), "h_z_kpc": (0.8, 1.0), "n_gals": (1, 1)},
    lens={"theta_e_re": (2.0, 3.0)},
    noise={"peak_snr": (20.0, 30.0)},
)


@pytest.fixture(scope="module")
def lensed_items():
    """Return the two items of LENSED_SPEC, rendered in this process."""
    return [render_item(LENSED_SPEC, i).as_dict() for i in range(LENSED_SPEC.n_cubes)]


def test_lensed_items_are_reproducible_and_hold_their_truth(lensed_items):
    """Same seed, same lensed item bit for bit; the table's lens columns describe the cube."""
    assert_items_equal(LENSED_SPEC, render_item(LENSED_SPEC, 1).as_dict(), lensed_items[1])
    names = parameter_names(LENSED_SPEC)
    assert names[-len(LENS_COLUMNS) :] == list(LENS_COLUMNS)
    for item in lensed_items:
        row = dict(zip(names, item["params"], strict=True))
        theta_e_px = (
            row["lens_theta_e_arcsec"]
            / LENSED_SPEC.observation.for_pixel(row["pixel_kpc"]).pixel_arcsec
        )
        assert 2.0 * 1.0 <= theta_e_px / (row["g1_r_e_kpc"] / row["pixel_kpc"]) <= 3.0 + 1e-9
        assert row["lens_redshift"] == 0.5 and row["total_magnification"] > 1.5
        assert item["critical_curves"].sum() > 10 and item["caustics"].sum() > 0
        # The clean cube holds the lensed flux: total magnification times the source's.
        ratio = item["clean"].sum(dtype=np.float64) / item["source_clean"].sum(dtype=np.float64)
        assert ratio == pytest.approx(row["total_magnification"], rel=1e-3)


def test_switching_the_lens_on_moves_no_other_draw():
    """The lens has its own stream: the galaxies' parameters equal the unlensed spec's."""
    plain = LENSED_SPEC.replace(lens={"theta_e_re": (0.0, 0.0)})
    width = len(parameter_names(plain))
    for index in range(LENSED_SPEC.n_cubes):
        lensed = draw_scene(LENSED_SPEC, index)
        unlensed = draw_scene(plain, index)
        assert lensed.galaxies == unlensed.galaxies and unlensed.lens is None
        assert width == len(parameter_names(LENSED_SPEC)) - len(LENS_COLUMNS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_store_holds_the_lensing_truth(tmp_path, lensed_items, fmt):
    """Each store format reads a lensed item back bit for bit, lens arrays included."""
    assert_store_reads_back(LENSED_SPEC, lensed_items, fmt, tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lens": {"redshift": 1.5}}, "lens.redshift"),
        ({"features": {"clump_count": (1, 3), "clump_fraction": (0.1, 0.2)}}, "clumps"),
        ({"features": {"diffuse": {"enabled": True}}}, "diffuse"),
        ({"galaxies": {"resolution": (0.25, 1.5)}}, "must be resolved"),
        ({"observation": {"grid_size": 28}}, "grid_size must be >= 32"),
    ],
)
def test_lensed_specs_that_cannot_render_are_refused(change, message):
    """A lensed spec is checked whole when it is made, not cube by cube."""
    with pytest.raises(ValueError, match=message):
        LENSED_SPEC.replace(**change)


def test_lensing_figure_draws_the_curves_over_the_right_maps():
    """Lensed moments carry the critical curves, the source panel the caustics, in arcsec."""
    from GalCubeCraft.plotting import lensing_figure

    obs = _observation(48, 0.06, n_chan=8, width=60.0)
    made = make_cubes(_source(obs, 0.05, 0.02, 0.2), obs, lens=Lens((SIE(0.9, 0.8, 30.0),)))
    truth = made.lensing
    fig = lensing_figure(made.model, truth)
    image_axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in image_axes] == [
        "lensed moment 0", "lensed moment 1 [km/s]", "source moment 0"]  # fmt: skip
    for ax, curves in zip(image_axes, (truth.critical_curves, truth.critical_curves,
                                       truth.caustics), strict=True):  # fmt: skip
        lines = ax.get_lines()
        assert len(lines) == len(curves) > 0
        np.testing.assert_array_equal(lines[0].get_xydata(), curves[0])
        np.testing.assert_allclose(ax.get_images()[0].get_extent(), [-1.44, 1.44, -1.44, 1.44])
