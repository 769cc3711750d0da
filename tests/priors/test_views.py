"""Many views of one scene: ``views = k`` gives item ``i`` view ``i % k`` of scene ``i // k``."""

import dataclasses

import numpy as np
import pytest

from GalCubeCraft._support.random import NOISE_STREAM, cube_generator
from GalCubeCraft.datasets import render_item
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.spec import DatasetSpec
from GalCubeCraft.priors.views import item_generator, scene_and_view

SMALL = DatasetSpec(n_cubes=3, seed=17, observation={"grid_size": 32, "n_chan": 8},
                    galaxies={"n_gals": (2, 3), "resolution": (0.5, 1.5), "offset_gals": 3.0},
                    noise={"peak_snr": (5.0, 20.0)},
                    features={"radial_flow_kms": (-30.0, 30.0)})  # fmt: skip
"""Three scenes of two or three galaxies, with flows (a feature from a stream of its own)."""
ANGLES = ("inclination_deg", "pa_deg")


def _without_angles(galaxy):
    """Return a galaxy's fields other than its orientation (and its warp, none here)."""
    fields = dataclasses.asdict(galaxy)
    return {k: v for k, v in fields.items() if k not in ANGLES}


def test_orientation_views_share_every_parameter_but_the_angles():
    """Views of one scene: same sizes, speeds, places, flows and S/N; new inclinations and PAs.

    View 0 is the scene as a one-view spec draws it.
    """
    views = SMALL.replace(n_cubes=SMALL.n_cubes * 4, views=4)
    for scene in range(SMALL.n_cubes):
        plain = draw_scene(SMALL, scene)
        drawn = [draw_scene(views, 4 * scene + v) for v in range(4)]
        assert [(d.scene, d.view) for d in drawn] == [(scene, v) for v in range(4)]
        assert [_drawn(d) for d in drawn[:1]] == [_drawn(plain)]
        for d in drawn[1:]:
            assert (d.resolution, d.pixel_kpc, d.peak_snr) == (
                plain.resolution, plain.pixel_kpc, plain.peak_snr)  # fmt: skip
            assert d.centres_px == plain.centres_px
            for g, p in zip(d.galaxies, plain.galaxies, strict=True):
                assert _without_angles(g) == _without_angles(p)
                assert g.inclination_deg != p.inclination_deg and g.pa_deg != p.pa_deg
        orientations = {tuple(g.pa_deg for g in d.galaxies) for d in drawn}
        assert len(orientations) == 4  # every view its own


def _drawn(draw):
    """Return what a draw holds, comparable (galaxies, angles, centres, scale, S/N)."""
    return (draw.resolution, draw.pixel_kpc, draw.peak_snr, draw.galaxies,
            [d.angles_deg for d in draw.drawn], draw.centres_px)  # fmt: skip


def test_noise_views_share_the_clean_cube_and_differ_in_noise():
    """'noise' views: the same clean cube bit for bit, the same rms, another noise field."""
    views = SMALL.replace(n_cubes=6, views=3, views_vary="noise")
    items = [render_item(views, 3 + v).arrays for v in range(3)]  # scene 1
    plain = render_item(SMALL, 1).arrays
    for item in items:
        np.testing.assert_array_equal(item["clean"], plain["clean"])
        np.testing.assert_array_equal(item["params"], plain["params"])  # noise rms included
    np.testing.assert_array_equal(items[0]["noisy"], plain["noisy"])  # view 0: the plain item
    noise = [item["noisy"] - item["clean"] for item in items]
    assert not np.array_equal(noise[1], noise[0]) and not np.array_equal(noise[2], noise[1])
    correlation = np.corrcoef(noise[1].ravel(), noise[2].ravel())[0, 1]
    assert abs(correlation) < 0.1  # independent draws, not shifted copies


def test_orientation_views_draw_their_own_noise():
    """Two orientations of a scene never share a noise field (views cannot be paired by it)."""
    views = SMALL.replace(n_cubes=4, views=2)
    a, b = (render_item(views, 2 + v).arrays for v in range(2))
    assert not np.array_equal(a["clean"], b["clean"])
    noise_a, noise_b = a["noisy"] - a["clean"], b["noisy"] - b["clean"]
    assert abs(np.corrcoef(noise_a.ravel(), noise_b.ravel())[0, 1]) < 0.1


def test_a_view_is_a_pure_function_of_spec_and_index():
    """Rendered alone, twice, in another order: every view is bit-identical."""
    views = SMALL.replace(n_cubes=5, views=2)
    first = [render_item(views, i).arrays["noisy"] for i in (4, 1, 3)]
    again = [render_item(views, i).arrays["noisy"] for i in (3, 4, 1)]
    for x, y in zip(first, [again[1], again[2], again[0]], strict=True):
        np.testing.assert_array_equal(x, y)


def test_one_view_is_the_plain_scheme():
    """With one view, item i draws from (seed, i) and its noise from (seed, i, 1), as before."""
    spec = SMALL.replace(n_cubes=40)
    for index in (0, 7, 39):
        assert scene_and_view(spec, index) == (index, 0)
        ours = item_generator(spec, index, NOISE_STREAM).random(4)
        np.testing.assert_array_equal(
            ours, cube_generator(spec.seed, index, NOISE_STREAM).random(4)
        )


def test_views_are_checked_and_travel_through_toml():
    """The views key lies in [1, 10**6], views_vary is a choice; both round-trip via TOML."""
    spec = SMALL.replace(views=5, views_vary="noise")
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    assert "views = 5" in spec.to_toml() and 'views_vary = "noise"' in spec.to_toml()
    with pytest.raises(ValueError, match=r"^views must lie in \[1, 1000000\]; got 0"):
        SMALL.replace(views=0)
    with pytest.raises(ValueError, match="^views_vary must be one of"):
        SMALL.replace(views_vary="lens")
