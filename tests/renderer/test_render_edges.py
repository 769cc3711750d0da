"""The renderer at its numerical edges (issue 31).

No out-of-bounds write, no negative voxel, no allocation the memory limit does not see.
"""

from pathlib import Path

import numpy as np
import pytest
from conftest import render_array, run_script

import GalCubeCraft
from GalCubeCraft import Beam, Galaxy, Observation, RenderSettings, SpectralAxis
from GalCubeCraft._support.validate import SPEED_OF_LIGHT_KMS
from GalCubeCraft.renderer.budget import BudgetError
from GalCubeCraft.renderer.deposit import deposit_spectra

OBS = Observation(nx=24, ny=24, pixel_kpc=0.5, spectral=SpectralAxis(8, -500, 500),
                  beam=Beam(3, 2.5, 10))  # fmt: skip
"""The issue's reproducers' observation."""


@pytest.mark.parametrize("name", ["v_sys_kms", "sigma_kms"])
@pytest.mark.parametrize("value", [1e308, -1e308, SPEED_OF_LIGHT_KMS, -SPEED_OF_LIGHT_KMS])
def test_speeds_at_or_beyond_light_are_refused_naming_the_argument(name, value):
    """|v_sys_kms| and sigma_kms stay below c: their float32 squares stay finite."""
    with pytest.raises(ValueError, match=rf"{name} must lie in .*299792\.458.*speed of light"):
        Galaxy(r_e_kpc=1.0, **{name: value})
    Galaxy(r_e_kpc=1.0, v_sys_kms=299_792.0, sigma_kms=299_792.0)  # just below: accepted


@pytest.mark.parametrize("v_sys", [1e308, -1e308, float("nan"), float("inf")])
def test_a_galaxy_past_the_edge_cannot_corrupt_the_heap(tmp_path, v_sys):
    """With the edge bypassed, v_sys = +-1e308 (inf in float32) renders nothing, safely.

    Before, the deposit's kernel wrote out of bounds and the interpreter aborted at exit
    ("double free or corruption", rc 134): run in its own process to see the exit code.
    """
    source = Path(GalCubeCraft.__file__).resolve().parents[1]  # this checkout's package
    script = f"""
import sys
sys.path.insert(0, {str(source)!r})
import numpy as np
from GalCubeCraft import Beam, Galaxy, Observation, SpectralAxis, render
obs = Observation(nx=24, ny=24, pixel_kpc=0.5, spectral=SpectralAxis(8, -500, 500),
                  beam=Beam(3, 2.5, 10))
galaxy = Galaxy(r_e_kpc=1.0, inclination_deg=60.0)
object.__setattr__(galaxy, "v_sys_kms", {v_sys!r})
with np.errstate(all="ignore"):
    cube = render(galaxy, obs).data
assert np.all(np.isfinite(cube)) and np.all(cube == 0.0), cube
print("clean exit")
"""
    done = run_script(script.replace("inf", "float('inf')").replace("nan", "float('nan')"),
                      tmp_path, "bypass")  # fmt: skip
    assert done.returncode == 0 and "clean exit" in done.stdout, done.stderr[-2000:]


def test_deposit_kernels_skip_samples_they_cannot_place():
    """NaN, inf and huge velocities or variances add nothing, and write nowhere else.

    The finite sample next to them lands whole (its flux over the band is the cube's),
    so the guards cost nothing that is placeable.
    """
    spectral = SpectralAxis(8, -500.0, 500.0)
    flux = np.ones((6, 1), dtype=np.float32)
    velocity = np.array([[np.nan], [np.inf], [-np.inf], [3e38], [-3e38], [10.0]], np.float32)
    variance = np.array([[0.0], [0.0], [0.0], [0.0], [np.inf], [0.0]], dtype=np.float32)
    flat = np.zeros((8, 6))
    columns = np.arange(6)
    with np.errstate(all="ignore"):
        deposit_spectra(flat, columns, np.arange(6), flux, velocity, variance, 0.0, 30.0,
                        spectral, RenderSettings())  # fmt: skip
    assert np.all(np.isfinite(flat)) and np.all(flat[:, :5] == 0.0)
    assert flat[:, 5].sum() * spectral.channel_width_kms == pytest.approx(1.0, rel=1e-6)
    huge = np.full((6, 1), np.float32(3e38))
    with np.errstate(all="ignore"):
        deposit_spectra(flat, columns, np.arange(6), flux, velocity, huge, 0.0, 30.0,
                        spectral, RenderSettings())  # fmt: skip
    assert np.all(np.isfinite(flat))


@pytest.mark.parametrize(
    ("sigma", "settings"),
    [
        (0.0, RenderSettings()),
        (40.0, RenderSettings(max_fine_per_channel=1)),
        (0.0, RenderSettings(max_fine_per_channel=1)),
        (1.0, RenderSettings()),
        (15.0, RenderSettings(max_fine_per_channel=4)),
        (0.0, RenderSettings.fast()),
    ],
)
@pytest.mark.parametrize("inclination", [30.0, 60.0, 85.0])
def test_model_cubes_are_non_negative_for_narrow_lines(sigma, settings, inclination):
    """No voxel below zero where the line is narrower than two fine steps.

    Before, the deposit's weights (three nodes keeping a sample's mean and variance)
    went negative there: -0.6% of the peak at sigma_kms = 0, -3.5% with one fine node
    per channel.  The flux stays the galaxy's.
    """
    galaxy = Galaxy(r_e_kpc=1.5, inclination_deg=inclination, sigma_kms=sigma)
    field = OBS.replace(nx=48, ny=48, beam=None)
    cube = render_array(galaxy, field, settings)
    assert cube.min() >= 0.0 and cube.max() > 0.0
    flux = cube.sum() * field.spectral.channel_width_kms
    assert flux == pytest.approx(galaxy.line_flux, rel=2e-3)


@pytest.mark.parametrize("line2", [0.0, 1.0, 3.99, 4.0, 64.0])
def test_deposit_weights_keep_flux_and_mean_and_are_non_negative_below_a_hidden_line(line2):
    """Each sample's nodes keep its flux and mean; below HIDDEN_LINE2 no weight is negative.

    There the variance is the nearer of the sample's own and the two nearest nodes'
    ``|f| (1 - |f|)`` (cloud-in-cell), never below the sample's; from HIDDEN_LINE2 on,
    the weights are the exact ones of before (mean and variance kept, some negative).
    """
    from GalCubeCraft.renderer import kernels

    rng = np.random.default_rng(31)
    velocity = rng.uniform(-40.0, 40.0, (400, 1)).astype(np.float32)
    variance = rng.choice([0.0, 0.01, 0.1, 0.3], (400, 1)).astype(np.float32)
    flux = np.ones_like(velocity)
    negative = 0
    for k in range(velocity.shape[0]):
        kept, centre, spacing, *weights = kernels._sample_nodes(
            flux,
            velocity,
            variance,
            k,
            0,
            np.float32(0.0),
            np.float32(1.0),
            -100.0,
            100.0,
            line2,
        )
        assert kept
        nodes = centre + spacing * np.array([-1.0, 0.0, 1.0])
        w = np.array(weights, dtype=np.float64)
        mean = float(w @ nodes)
        spread = float(w @ (nodes - mean) ** 2)
        assert w.sum() == pytest.approx(1.0, abs=1e-6)
        assert mean == pytest.approx(float(velocity[k, 0]), abs=2e-5)
        if line2 < kernels.HIDDEN_LINE2:
            assert w.min() >= 0.0 and spread >= float(variance[k, 0]) - 1e-5
        else:
            assert spread == pytest.approx(float(variance[k, 0]), abs=2e-5)
        negative += int(w.min() < 0.0)
    assert negative == 0 if line2 < kernels.HIDDEN_LINE2 else negative > 100


@pytest.mark.parametrize("name", ["refine_tolerance", "voxel_tolerance"])
@pytest.mark.parametrize("value", [1e-300, 0.0, 9.9e-11])
def test_tolerances_below_rounding_are_refused(name, value):
    """A tolerance below float32 rounding splits every cell to the last level: refused."""
    with pytest.raises(ValueError, match=rf"{name} must lie in \[1e-10, 1\]"):
        RenderSettings(**{name: value})
    RenderSettings(**{name: 1e-10})


def test_refinement_beyond_the_memory_limit_is_refused_before_allocating():
    """The tightest tolerances at the deepest level hold more sight lines than allowed.

    The refusal is a BudgetError (a ValueError) naming the options that shrink it, raised
    before the level that would not fit is sampled.
    """
    settings = RenderSettings(refine_tolerance=1e-10, voxel_tolerance=1e-10,
                              max_refine_depth=12, memory_limit_gib=0.5)  # fmt: skip
    with pytest.raises(BudgetError, match="refine_tolerance or voxel_tolerance.*max_refine_depth"):
        render_array(Galaxy(r_e_kpc=1.5, inclination_deg=60.0), OBS, settings)


@pytest.mark.parametrize("s_e", [1e308, 1e38])
def test_a_scene_too_bright_for_float32_is_refused_naming_s_e(s_e):
    """Before, s_e = 1e38 rendered inf voxels and was refused only by the Cube ('data')."""
    with pytest.raises(ValueError, match=r"s_e must lie in \[0, 1e\+30\]"):
        render_array(Galaxy(r_e_kpc=1.0, inclination_deg=60.0, s_e=s_e), OBS)
    assert np.all(np.isfinite(render_array(Galaxy(r_e_kpc=1.0, s_e=1e30), OBS)))


@pytest.mark.parametrize("line2", [0.5, 16.0])
def test_pixel_extents_of_a_row_of_one_spread_are_its_samples_one_by_one(line2):
    """The per-row fast path gives the extents and count of the sample-by-sample path.

    A spread per row (``variance`` ``(m, 1)``) takes the row's lowest and highest kept
    positions; the same spreads given per sample take each sample's nodes.  Spreads
    cover three nodes, five nodes, the narrow lines' three-node spacing that varies by
    sample, and sampled Gaussians; rows hold dark samples, NaN and positions out of range.
    """
    from GalCubeCraft.renderer import kernels

    rng = np.random.default_rng(27)
    m, n = 400, 13
    flux = rng.random((m, n)) * (rng.random((m, n)) > 0.2)
    velocity = rng.normal(0.0, 40.0, (m, n)).astype(np.float32)
    velocity[3, 4] = np.nan
    steps2 = rng.choice([0.0, 0.1, 0.25, 0.6, 1.0, 3.0], m)  # spreads in steps^2
    inverse = np.float32(1.0 / 2.5)
    variance = (steps2 / float(inverse) ** 2).astype(np.float32)[:, None]
    local = rng.integers(0, 50, m)
    results = []
    for spreads in (variance, np.ascontiguousarray(np.broadcast_to(variance, (m, n)))):
        lows = np.full(50, np.iinfo(np.int64).max)
        highs = np.full(50, np.iinfo(np.int64).min)
        count = kernels.pixel_extents(local, flux, velocity, spreads, np.float32(3.0), inverse,
                                      -30.0, 35.0, line2, lows, highs)  # fmt: skip
        results.append((count, lows, highs))
    (count, lows, highs), (count_each, lows_each, highs_each) = results
    assert count == count_each > 0
    np.testing.assert_array_equal(lows, lows_each)
    np.testing.assert_array_equal(highs, highs_each)
