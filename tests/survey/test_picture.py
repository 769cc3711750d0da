"""The picture of a field: what it draws is the stored moment 0 and the truth catalogue."""

from __future__ import annotations

import math

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import zarr
from matplotlib.collections import EllipseCollection, PathCollection
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from GalCubeCraft.cli import main
from GalCubeCraft.survey import FieldSpec, PopulationSpec, make_field, plot_field
from GalCubeCraft.survey.picture import crowded_box, recorded_spec

# Six galaxies of known place, size and orientation; the last one's centre lies outside
# the field (its emission reaches in), so the picture must not mark it.
GALAXIES = """\
x_px,y_px,z,log_m_hi,incl_deg,pa_deg
48.0,50.0,0.0918,10.0,75.0,30.0
20.0,20.0,0.0915,9.3,60.0,120.0
24.5,26.0,0.0925,9.0,40.0,200.0
75.0,30.0,0.0915,9.5,80.0,300.0
70.0,78.0,0.0910,9.2,50.0,80.0
-4.0,60.0,0.0918,9.4,60.0,10.0
"""
INSIDE = 5


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """Return the folder and spec of a noisy 96 x 96 x 64 field of the galaxies above."""
    root = tmp_path_factory.mktemp("picture")
    (root / "galaxies.csv").write_text(GALAXIES)
    spec = FieldSpec(nx=96, ny=96, n_chan=64, start_hz=1.30e9, noise_rms_jy_beam=1e-4,
                     tile=(32, 48, 48), seed=5,
                     population=PopulationSpec(catalogue=str(root / "galaxies.csv")))  # fmt: skip
    run = make_field(spec, root / "field", workers=0, progress=False)
    assert run.complete
    return root / "field", spec


def _truth(folder):
    """Return the field's truth table."""
    return pd.read_csv(folder / "truth.csv")


def _artists(ax, kind):
    """Return the artists of ``kind`` on ``ax`` (images, collections and patches)."""
    return [a for a in [*ax.images, *ax.collections, *ax.patches] if isinstance(a, kind)]


def test_the_whole_field_shows_the_stored_noiseless_moment0(field):
    """The first panel's image is the stored moment0 array, pixel edges at -0.5 .. n - 0.5."""
    folder, spec = field
    fig = plot_field(folder, axes="pixel")
    (image,) = _artists(fig.axes[0], AxesImage)
    stored = zarr.open_group(folder / "field.zarr", mode="r")["moment0"][:]
    np.testing.assert_array_equal(image.get_array(), stored)
    assert image.get_extent() == [-0.5, spec.nx - 0.5, -0.5, spec.ny - 0.5]
    assert image.origin == "lower"


def test_every_galaxy_inside_the_field_is_marked_at_its_catalogue_pixel(field):
    """One marker per galaxy whose centre is inside the field, at its x_px, y_px."""
    folder, _ = field
    truth = _truth(folder)
    fig = plot_field(folder, axes="pixel")
    (markers,) = _artists(fig.axes[0], PathCollection)
    inside = truth[truth["x_px"] >= 0]
    assert len(inside) == INSIDE
    np.testing.assert_array_equal(markers.get_offsets(), inside[["x_px", "y_px"]].to_numpy())


def test_the_zoom_box_and_the_zoom_panel_span_the_pixels_asked(field):
    """Box (y 10:42, x 20:60) in arcsec offsets: the marked box and the zoom's limits agree."""
    folder, spec = field
    fig = plot_field(folder, zoom=(slice(10, 42), slice(20, 60)), axes="arcsec")
    centre = (spec.nx - 1) / 2  # the field is square
    x0, x1 = (np.array([20, 60]) - 0.5 - centre) * spec.pixel_arcsec
    y0, y1 = (np.array([10, 42]) - 0.5 - centre) * spec.pixel_arcsec
    (box,) = _artists(fig.axes[0], Rectangle)
    np.testing.assert_allclose([*box.get_xy(), box.get_width(), box.get_height()],
                               [x0, y0, x1 - x0, y1 - y0], rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose([*fig.axes[1].get_xlim(), *fig.axes[1].get_ylim()],
                               [x0, x1, y0, y1], rtol=1e-12)  # fmt: skip
    assert fig.axes[1].get_xlabel() == "x offset [arcsec] (west →)"


def test_the_zoom_shows_the_moment0_of_the_noisy_field_in_the_box(field):
    """The zoom's image sums the noisy field's channels over the box, times the channel width."""
    folder, spec = field
    box = (slice(10, 42), slice(20, 60))
    noisy = zarr.open_group(folder / "field.zarr", mode="r")["field"][:]
    expected = noisy[:, box[0], box[1]].astype(np.float64).sum(axis=0) * spec.channel_width_hz
    (image,) = _artists(plot_field(folder, zoom=box).axes[1], AxesImage)
    np.testing.assert_allclose(image.get_array(), expected, rtol=1e-12, atol=1e-9)
    stored = zarr.open_group(folder / "field.zarr", mode="r")["moment0"][:]
    (clean,) = _artists(plot_field(folder, zoom=box, noisy_zoom=False).axes[1], AxesImage)
    np.testing.assert_array_equal(clean.get_array(), stored[box])


def test_zoom_ellipses_carry_each_galaxys_hi_size_inclination_pa_and_id(field):
    """In the zoom: one ellipse per galaxy inside it, hi_size x hi_size cos i at 90 + PA."""
    folder, spec = field
    truth = _truth(folder)
    fig = plot_field(folder, zoom=(slice(0, 64), slice(0, 64)), axes="arcsec")
    (ellipses,) = _artists(fig.axes[1], EllipseCollection)
    chosen = truth[(truth["x_px"].between(-0.5, 63.5)) & (truth["y_px"].between(-0.5, 63.5))]
    assert sorted(chosen["id"]) == [1, 2, 3]
    centre = (spec.nx - 1) / 2
    np.testing.assert_allclose(ellipses.get_offsets(),
                               (chosen[["x_px", "y_px"]].to_numpy() - centre) * spec.pixel_arcsec,
                               rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(ellipses.get_widths(), chosen["hi_size"], rtol=1e-12)
    minor = chosen["hi_size"] * np.cos(np.radians(chosen["i"]))
    np.testing.assert_allclose(ellipses.get_heights(), minor, rtol=1e-12)
    np.testing.assert_allclose(ellipses.get_angles(), 90.0 + chosen["pa"], rtol=1e-12)  # degrees
    assert sorted(int(t.get_text()) for t in fig.axes[1].texts) == [1, 2, 3]


def test_an_ellipse_lies_along_its_galaxys_emission(field):
    """The drawn major axis of galaxy 1 (i = 75) is the long axis of its moment-0 image.

    The long axis is measured from the image's second moments within 14 pixels of its
    centre; it agrees with the ellipse's angle (mod 180) to 0.5 degrees (measured: 0.04),
    so the picture's position angles are the renderer's.
    """
    folder, _ = field
    fig = plot_field(folder, axes="pixel")
    (image,) = _artists(fig.axes[0], AxesImage)
    m0 = np.asarray(image.get_array())
    y, x = np.mgrid[: m0.shape[0], : m0.shape[1]]
    dx, dy = x - 48.0, y - 50.0
    w = m0 * (dx**2 + dy**2 <= 14**2)
    cxx, cyy, cxy = (np.sum(w * a * b) / w.sum() for a, b in ((dx, dx), (dy, dy), (dx, dy)))
    measured = math.degrees(0.5 * math.atan2(2 * cxy, cxx - cyy))
    (ellipses,) = _artists(plot_field(folder, zoom=(slice(30, 70), slice(30, 70))).axes[1],
                           EllipseCollection)  # fmt: skip
    drawn = float(ellipses.get_angles()[0])  # degrees
    assert abs((measured - drawn + 90.0) % 180.0 - 90.0) < 0.5


def test_the_default_zoom_is_the_square_holding_most_galaxies():
    """Ten galaxies clustered near (x 200, y 50) among 30 scattered: the box holds the ten."""
    spec = FieldSpec(nx=256, ny=256, n_chan=8, tile=(8, 64, 64))
    rng = np.random.default_rng(1)
    x = np.concatenate([200 + rng.uniform(-8, 8, 10), rng.uniform(0, 256, 30)])
    y = np.concatenate([50 + rng.uniform(-8, 8, 10), rng.uniform(0, 256, 30)])
    ys, xs = crowded_box(spec, x, y, np.zeros((256, 256)))
    assert ys.stop - ys.start == xs.stop - xs.start == 32
    assert np.all((x[:10] >= xs.start - 0.5) & (x[:10] < xs.stop - 0.5))
    assert np.all((y[:10] >= ys.start - 0.5) & (y[:10] < ys.stop - 0.5))


def test_the_recorded_spec_is_read_back_without_running_it(field, tmp_path):
    """spec.txt reads back as the spec; a record that calls anything else is refused."""
    folder, spec = field
    assert recorded_spec(folder) == spec
    (tmp_path / "spec.txt").write_text("FieldSpec(nx=__import__('os').getpid())")
    with pytest.raises(ValueError, match="does not hold a field spec"):
        recorded_spec(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"zoom": (slice(0, 32), slice(80, 100))}, r"zoom\[1\] \(x\) must be a slice"),
        ({"zoom": (slice(0, 32, 2), slice(0, 32))}, r"zoom\[0\] \(y\) must be a slice"),
        ({"axes": "kpc"}, "axes"),
    ],
)
def test_a_bad_request_names_the_argument(field, kwargs, message):
    """A zoom outside the field or with a step, or an unknown unit, is refused by name."""
    folder, _ = field
    with pytest.raises(ValueError, match=message):
        plot_field(folder, **kwargs)


def test_an_unfinished_field_is_refused(tmp_path):
    """A run stopped after one tile has no moment map: the error says to finish it."""
    spec = FieldSpec(nx=32, ny=32, n_chan=16, start_hz=1.14e9, tile=(16, 16, 16),
                     population=PopulationSpec(n_galaxies=2))  # fmt: skip
    assert not make_field(spec, tmp_path, workers=0, progress=False, max_tiles=1).complete
    with pytest.raises(ValueError, match="not finished"):
        plot_field(tmp_path)


def test_the_survey_verb_draws_the_picture_of_its_field(tmp_path):
    """`galcubecraft survey ... --picture P` writes plot_field's picture of its folder."""
    (tmp_path / "spec.toml").write_text(
        "[field]\nnx = 32\nny = 32\n[band]\nn_chan = 16\nstart_hz = 1.14e9\n"
        "[population]\nn_galaxies = 3\n[run]\ntile = [16, 16, 16]\n"
    )
    code = main(["--quiet", "survey", str(tmp_path / "spec.toml"), str(tmp_path / "out"),
                 "--workers", "0", "--picture", str(tmp_path / "cli.png")])  # fmt: skip
    assert code == 0
    plot_field(tmp_path / "out").savefig(tmp_path / "api.png", dpi=110)
    drawn = matplotlib.image.imread(tmp_path / "cli.png")
    assert drawn.shape[:2] == (594, 1320)  # 12 x 5.4 inches at 110 dpi
    np.testing.assert_array_equal(drawn, matplotlib.image.imread(tmp_path / "api.png"))


def test_one_axes_instead_of_a_pair_is_refused_by_name(field):
    """``ax`` must be the two panels; a single Axes is refused naming ``ax``."""
    from matplotlib.figure import Figure

    folder, _ = field
    with pytest.raises(TypeError, match="ax must be a pair of Axes"):
        plot_field(folder, ax=Figure().subplots())
