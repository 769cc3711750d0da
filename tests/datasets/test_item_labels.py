"""Item labels: the segmentation, noiseless moment maps, the galaxy catalogue and the two tables."""

import math
import re

import numpy as np
import pytest
from scipy.stats import norm

from GalCubeCraft import Cube, Observation
from GalCubeCraft.datasets import DatasetSpec, StoreDataset, parameter_table, render_item
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import GLOBAL_COLUMNS, parameter_names
from GalCubeCraft.datasets.labels import (
    CATALOGUE_COLUMNS,
    SEGMENTATION_PEAK_FRACTION,
    SEGMENTATION_RMS_MULTIPLE,
    SKY_COLUMNS,
    V_ROT_RADIUS_RE,
    label_arrays,
    segmentation_thresholds,
)
from GalCubeCraft.factory import CubeProducts
from GalCubeCraft.model.parameters import GALAXY_PARAMETER_NAMES
from GalCubeCraft.observation.axes import SpectralAxis
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.products.masks import segmentation_mask

LABELLED = DatasetSpec(
    n_cubes=4,
    seed=21,
    observation={"grid_size": 24, "n_chan": 24, "beam": (3.0, 3.0, 0.0)},
    galaxies={"n_gals": (2, 3), "resolution": (1.0, 2.0), "offset_gals": 4.0},
    noise={"peak_snr": (5.0, 10.0)},
    # Full accuracy: the flux test below is about what the field and band cut, and 'auto'
    # would pick 'fast' here, whose flux error reaches 2e-3 on sub-pixel satellites.
    render={"accuracy": "default"},
)
# Compact galaxies (R_e <= 1.2 px) in a noiseless field: the primary's flux stays in it.
NOISELESS = LABELLED.replace(
    n_cubes=2,
    galaxies={"n_gals": (2, 3), "resolution": (0.5, 0.8), "offset_gals": 4.0},
    noise={"peak_snr": None},
)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """LABELLED and NOISELESS written to npy stores (one process)."""
    root = tmp_path_factory.mktemp("labels")
    for name, spec in (("noisy", LABELLED), ("noiseless", NOISELESS)):
        generate_dataset(spec, root / name, fmt="npy", workers=0, progress=False)
    return {"noisy": root / "noisy", "noiseless": root / "noiseless"}


def _expected_mask(galaxy_clean, n, thresholds):
    """Each voxel: 1 + the brightest galaxy of those above their threshold, else 0."""
    cubes = galaxy_clean[:n].astype(np.float64)
    above = cubes > np.asarray(thresholds)[:, None, None, None]
    winner = np.where(above, cubes, -np.inf).argmax(axis=0) + 1
    return np.where(above.any(axis=0), winner, 0)


@pytest.mark.parametrize("name", ["noisy", "noiseless"])
def test_segmentation_labels_the_galaxy_whose_noiseless_emission_dominates(stores, name):
    """Each voxel holds the id of the galaxy whose noiseless emission dominates there.

    Galaxy k where its own noiseless cube exceeds 1 rms (noiseless: 1% of its peak) and
    outshines the other galaxies that do; 0 where none does.
    """
    dataset = StoreDataset(stores[name])
    names = dataset.parameter_names
    for index in range(len(dataset)):
        item = dataset[index]
        n, rms = int(item["params"][0]), item["params"][names.index("noise_rms")]
        cubes = item["galaxy_clean"][:n]
        if name == "noisy":
            assert rms > 0
            thresholds = np.full(n, SEGMENTATION_RMS_MULTIPLE * rms)
        else:
            thresholds = SEGMENTATION_PEAK_FRACTION * cubes.reshape(n, -1).max(axis=1)
        mask = item["segmentation"]
        assert mask.dtype == np.uint8
        np.testing.assert_array_equal(mask, _expected_mask(cubes, n, thresholds))
        assert mask.max() <= n and (mask == 1).any()  # the primary always shows
        if name == "noiseless":  # every galaxy claims at least its own peak
            assert set(np.unique(mask)) == set(range(n + 1))


def test_segmentation_shrinks_and_keeps_its_ids_as_the_rms_multiple_rises(stores):
    """On a rendered item's galaxies: raising the multiple labels a subset, ids unchanged."""
    item = StoreDataset(stores["noisy"])[0]
    n = int(item["params"][0])
    rms = item["params"][list(GLOBAL_COLUMNS).index("noise_rms")]
    previous = None
    for multiple in (0.25, 0.5, 1.0, 2.0, 4.0):
        mask = segmentation_mask(item["galaxy_clean"][:n], segmentation_thresholds(
            item["galaxy_clean"][:n], multiple * rms / SEGMENTATION_RMS_MULTIPLE))  # fmt: skip
        if previous is not None:
            assert (mask > 0).sum() < (previous > 0).sum()
            assert np.all(previous[mask > 0] == mask[mask > 0])
        previous = mask


def _analytic_products(rms):
    """Return products of Gaussian lines: amplitude exp(-r^2 / 32), centre 4 km/s per x pixel."""
    obs = Observation(nx=16, ny=16, pixel_kpc=1.0, spectral=SpectralAxis(601, -300.5, 300.5))
    v = obs.velocities_kms
    yy, xx = np.mgrid[:16, :16]
    amplitude = np.exp(-((xx - 7.5) ** 2 + (yy - 7.5) ** 2) / 32.0)
    centre = 4.0 * (xx - 8)  # on a channel centre: a symmetric mask keeps moment 1 exact
    cube = amplitude * np.exp(-0.5 * ((v[:, None, None] - centre) / 30.0) ** 2)
    clean = Cube(cube.astype(np.float32), obs, kind="observed")
    noisy = clean.with_data(clean.data, kind="noisy", noise_rms=rms) if rms else clean
    products = CubeProducts(model=Cube(cube, obs), clean=clean, noisy=noisy, noise_rms=rms,
                            galaxy_clean=clean.data[None], moment0=np.zeros((16, 16)),
                            velocity_field=np.zeros((16, 16)))  # fmt: skip
    return products, amplitude, centre


def test_noiseless_moment_maps_of_an_analytic_cube():
    """Gaussian lines: moment 0 = A sqrt(2 pi) sigma, moment 1 = the centre, moment 2 = sigma."""
    products, amplitude, centre = _analytic_products(0.0)
    labels = label_arrays(products)
    np.testing.assert_allclose(labels["clean_moment0"], amplitude * math.sqrt(2 * math.pi) * 30.0,
                               rtol=1e-6)  # fmt: skip
    assert amplitude.min() > 1e-3 and not np.isnan(labels["clean_moment1"]).any()
    np.testing.assert_allclose(labels["clean_moment1"], centre, atol=1e-6)
    for name in ("clean_moment2", "dispersion_field"):
        np.testing.assert_allclose(labels[name], 30.0, rtol=1e-6)


def test_noisy_items_mask_moments_1_and_2_where_the_clean_cube_reaches_the_rms():
    """Moment 0 sums everything; moments 1 and 2 keep |v - v0| <= sigma sqrt(2 ln(A / rms)).

    The truncated Gaussian keeps its centre and has variance sigma^2 (1 - 2 a phi(a) /
    (2 Phi(a) - 1)); on 1 km/s channels the discrete window is within 0.7% of it where
    A >= 2.5 rms (measured).
    """
    rms = 0.2
    products, amplitude, centre = _analytic_products(rms)
    labels = label_arrays(products)
    np.testing.assert_allclose(labels["clean_moment0"], amplitude * math.sqrt(2 * math.pi) * 30.0,
                               rtol=1e-6)  # fmt: skip
    np.testing.assert_array_equal(np.isnan(labels["clean_moment1"]), amplitude < rms)
    strong = amplitude >= 2.5 * rms
    np.testing.assert_allclose(labels["clean_moment1"][strong], centre[strong], atol=1e-6)
    a = np.sqrt(2.0 * np.log(amplitude[strong] / rms))
    truncated = 30.0 * np.sqrt(1.0 - 2.0 * a * norm.pdf(a) / (2.0 * norm.cdf(a) - 1.0))
    np.testing.assert_allclose(labels["clean_moment2"][strong], truncated, rtol=0.02)
    np.testing.assert_allclose(labels["dispersion_field"], 30.0, rtol=1e-6)  # the model: unmasked


def test_the_catalogue_holds_one_row_per_drawn_galaxy(stores):
    """Rows = sum of n_gals; the parameters are the drawn ones; positions, v_rot, flux, widths."""
    tables = parameter_table(stores["noisy"])
    galaxies = tables.galaxies
    assert len(galaxies) == int(tables.items["n_gals"].sum())
    assert list(galaxies.index.names) == ["index", "galaxy"]
    dataset = StoreDataset(stores["noisy"])
    for index in range(LABELLED.n_cubes):
        draw = draw_scene(LABELLED, index)
        item = dataset[index]
        rows = galaxies.loc[index]
        assert list(rows.index) == list(range(1, len(draw.galaxies) + 1))
        for k, (drawn, galaxy) in enumerate(zip(draw.drawn, draw.galaxies, strict=True), start=1):
            row = rows.loc[k]
            for column in ("inclination_deg", "pa_deg", "r_e_kpc", "h_z_kpc", "n_sersic",
                           "sigma_kms", "v_sys_kms", "s_e", "x_kpc", "y_kpc"):  # fmt: skip
                assert row[column] == getattr(galaxy, column), column
            assert (row["x_px"], row["y_px"]) == pytest.approx(drawn.centre_px[:2], abs=1e-9)
            assert row["v_rot_kms"] == pytest.approx(
                float(galaxy.rotation_curve(np.array([V_ROT_RADIUS_RE * galaxy.r_e_kpc]))[0]),
                rel=1e-12)  # fmt: skip
            # The cube holds the galaxy's flux less what falls off the field and band.
            assert 0.5 * row["line_flux"] < row["cube_flux_jykms"] <= row["line_flux"] * 1.001
            assert row["w20_kms"] >= row["w50_kms"] > 0
            np.testing.assert_array_equal(
                row[list(CATALOGUE_COLUMNS)].to_numpy(float), item["catalogue"][k - 1]
            )
        assert np.all(np.isnan(item["catalogue"][len(draw.galaxies) :]))


def test_an_empty_field_has_no_galaxy_in_its_labels():
    """A field of no galaxy (n_gals from 0): no voxel labelled, every catalogue row NaN.

    Its noiseless moment 0 is zero, and moments 1 and 2 (of no emission) NaN everywhere.
    """
    spec = DatasetSpec.from_preset("alma-point-sources", n_cubes=40, observation={"n_chan": 8})
    empty = next(i for i in range(spec.n_cubes) if not draw_scene(spec, i).drawn)
    item = render_item(spec, empty).arrays
    assert not item["segmentation"].any() and not item["clean_moment0"].any()
    for name in ("dispersion_field", "clean_moment1", "clean_moment2", "catalogue"):
        assert np.isnan(item[name]).all(), name


def test_the_primary_holds_its_flux_and_its_widths_follow_its_rotation(stores):
    """A compact primary of a noiseless item: its flux in the cube, W50 from its rotation.

    Cube flux = line flux (measured 4e-5); W50 is 2 v_rot sin i broadened by less than the
    dispersion's FWHM and a 50 km/s channel.
    """
    galaxies = parameter_table(stores["noiseless"]).galaxies
    for index in range(NOISELESS.n_cubes):
        row = galaxies.loc[(index, 1)]
        assert row["cube_flux_jykms"] == pytest.approx(row["line_flux"], rel=2e-4)
        projected = 2 * row["v_rot_kms"] * math.sin(math.radians(row["inclination_deg"]))
        assert 0 < row["w50_kms"] - projected < 2.355 * row["sigma_kms"] + 50.0


def test_the_tables_have_no_padding_and_the_wide_table_is_the_stored_vector(stores):
    """items: per-item columns only; galaxies: per-galaxy; wide(): params with g<k>_ slots."""
    tables = parameter_table(stores["noisy"])
    assert not [c for c in tables.items.columns if re.fullmatch(r"g\d+_.+", c)]
    assert list(tables.items.columns) == list(GLOBAL_COLUMNS)
    assert list(tables.galaxies.columns) == [
        "x_px", "y_px", *SKY_COLUMNS, *CATALOGUE_COLUMNS[2:], *GALAXY_PARAMETER_NAMES]  # fmt: skip
    assert not tables.galaxies.isna().any().any()
    wide = tables.wide()
    assert list(wide.columns) == parameter_names(LABELLED)
    dataset = StoreDataset(stores["noisy"])
    for index in range(LABELLED.n_cubes):
        np.testing.assert_array_equal(wide.loc[index].to_numpy(), dataset[index]["params"])
    joined = tables.galaxies.join(tables.items, on="index")
    assert len(joined) == len(tables.galaxies) and joined["pixel_kpc"].notna().all()
    assert "galaxies=" in repr(tables)


def test_world_positions_are_the_items_wcs_at_the_galaxy_centres(stores):
    """ra/dec through each item's own FITS WCS; offsets east (-x) and north (+y) in arcsec."""
    tables = parameter_table(stores["noisy"])
    for (index, _k), row in tables.galaxies.iterrows():
        obs = LABELLED.observation.for_pixel(tables.items.loc[index, "pixel_kpc"])
        ra, dec = obs.wcs.celestial.pixel_to_world_values(row["x_px"], row["y_px"])
        assert (row["ra_deg"], row["dec_deg"]) == pytest.approx((ra, dec), abs=1e-10)
        centre_x, centre_y = obs.centre_px
        assert row["offset_east_arcsec"] == pytest.approx(
            -(row["x_px"] - centre_x) * obs.pixel_arcsec, abs=1e-9)  # fmt: skip
        assert row["offset_north_arcsec"] == pytest.approx(
            (row["y_px"] - centre_y) * obs.pixel_arcsec, abs=1e-9)  # fmt: skip
