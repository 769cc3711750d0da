"""Generic contracts over every implementation in a table, and the fast twins' agreement."""

import math
import pickle

import numpy as np
import pytest

from GalCubeCraft import (
    Cube,
    Galaxy,
    MilkyWayRotationCurve,
    Observation,
    SpectralAxis,
    observe,
    render,
)
from GalCubeCraft.conventions import sky_to_disk, sky_to_major_minor
from GalCubeCraft.model.profiles import sersic_flux_density_3d
from GalCubeCraft.model.rotation import ROTATION_CURVES as ROTATION_CURVE_REGISTRY
from GalCubeCraft.observation.line_spreads import LINE_SPREADS as LINE_SPREAD_REGISTRY
from GalCubeCraft.renderer.geometry import DiskGeometry

ROTATION_CURVES = [entry.make() for entry in ROTATION_CURVE_REGISTRY.values()]
LINE_SPREADS = [(name, sigma) for name in LINE_SPREAD_REGISTRY for sigma in (0.6, 1.5)]
OBS = Observation(nx=49, ny=49, pixel_kpc=0.5, spectral=SpectralAxis(40, -480.0, 480.0))


@pytest.mark.parametrize("curve", ROTATION_CURVES, ids=lambda c: type(c).__name__)
def test_rotation_curve_contract(curve):
    """Finite, non-negative, shape-preserving, pickles, and renders with the flux kept."""
    for r in (
        np.float64(2.0),
        np.linspace(0.0, 50.0, 101),
        np.linspace(0.0, 9.0, 12).reshape(3, 4),
    ):
        v = np.asarray(curve(np.asarray(r)))
        assert v.shape == np.shape(r)
        assert np.all(np.isfinite(v)) and np.all(v >= 0.0)
    assert pickle.loads(pickle.dumps(curve)) == curve
    galaxy = Galaxy(r_e_kpc=2.5, h_z_kpc=0.3, inclination_deg=55.0, pa_deg=40.0,
                    rotation_curve=curve)  # fmt: skip
    cube = render(galaxy, OBS)
    assert np.all(np.isfinite(cube.data))
    assert cube.line_flux_jykms() == pytest.approx(galaxy.line_flux, rel=1e-3)
    # The moment-1 gradient follows the curve: the receding side is at the PA.
    m1 = cube.moments().m1
    assert m1[24 + 4, 24 - 3] > 0 > m1[24 - 4, 24 + 3]


@pytest.mark.parametrize(("kind", "sigma"), LINE_SPREADS)
def test_line_spread_contract(kind, sigma):
    """Finite, shape-preserving, flux kept inside the band, pickles, and renders."""
    from GalCubeCraft.instrument.line_spread import apply_line_spread

    spike = np.zeros((2, 21, 3, 3))  # a stack of two cubes: the spectral axis is -3
    spike[:, 10, 1, 1] = 1.0
    out = apply_line_spread(spike, kind, sigma)
    assert out.shape == spike.shape and np.all(np.isfinite(out))
    assert out.sum() == pytest.approx(spike.sum(), rel=1e-12)
    np.testing.assert_array_equal(out[0], out[1])
    obs = OBS.replace(line_spread=kind, line_spread_sigma_chan=sigma)
    assert pickle.loads(pickle.dumps(obs)) == obs
    model = render(Galaxy(r_e_kpc=2.0, inclination_deg=30.0), obs)
    observed = observe(model)
    assert observed.data.shape == obs.shape and np.all(observed.data >= 0)
    # The round-off floor (values below 2**-20 of the peak set to 0) takes up to 3e-5 of
    # the flux; the smoothing itself keeps it to float32 rounding.
    assert observed.line_flux_jykms() == pytest.approx(model.line_flux_jykms(), rel=3e-5)


def _sample_points(geometry, n=4000):
    """Random sight-line samples (a, b, s) inside the disk's truncation box."""
    rng = np.random.default_rng(3)
    a = rng.uniform(-geometry.r_max, geometry.r_max, n) / 3
    b = rng.uniform(-geometry.r_max, geometry.r_max, n) / 3
    s = rng.uniform(-geometry.r_max, geometry.r_max, n) / 3
    return a, b, s


@pytest.mark.parametrize("inclination", [0.0, 35.0, 90.0])
def test_fast_emissivity_twin_equals_the_reference_formula(inclination):
    """The renderer's emissivity (float64 and its float32 samples) equals the seed's S(x, y, z)."""
    galaxy = Galaxy(r_e_kpc=2.0, n_sersic=1.3, h_z_kpc=0.4, s_e=2.5, inclination_deg=inclination)
    g = DiskGeometry.from_galaxy(galaxy, 1e-7)
    a, b, s = _sample_points(g)
    x, y, z = sky_to_disk(a, b, s, g.cos_i, g.sin_i)
    reference = sersic_flux_density_3d(x, y, z, galaxy.s_e, galaxy.r_e_kpc, galaxy.n_sersic,
                                       galaxy.h_z_kpc)  # fmt: skip
    fast = g.emissivity(np.hypot(x, y), z)
    np.testing.assert_allclose(fast, reference, rtol=1e-12)
    # The hot path samples in float32: at the same (rounded) points its error is that of a
    # float32 exponent x, |x| * 6e-8 relative: 1e-6 where S > 1e-3 peak (|x| < 9), and
    # 2e-6 down to 1e-6 of the peak (measured worst 1.3e-6).
    r32, z32 = np.hypot(x, y).astype(np.float32), z.astype(np.float32)
    fast32 = g.emissivity(r32, z32)
    at_rounded = sersic_flux_density_3d(r32.astype(float), 0.0, z32.astype(float), galaxy.s_e,
                                        galaxy.r_e_kpc, galaxy.n_sersic,
                                        galaxy.h_z_kpc)  # fmt: skip
    bright = at_rounded > 1e-3 * at_rounded.max()
    np.testing.assert_allclose(fast32[bright], at_rounded[bright], rtol=1e-6)
    faint = at_rounded > 1e-6 * at_rounded.max()
    np.testing.assert_allclose(fast32[faint], at_rounded[faint], rtol=2e-6)


@pytest.mark.parametrize("curve", ROTATION_CURVES, ids=lambda c: type(c).__name__)
def test_fast_velocity_twin_equals_the_reference_projection(curve):
    """los_velocity equals v_sys + v_c(R) cos(theta) sin(i) computed from the disk frame."""
    galaxy = Galaxy(r_e_kpc=2.0, inclination_deg=62.0, pa_deg=110.0, v_sys_kms=35.0,
                    rotation_curve=curve)  # fmt: skip
    g = DiskGeometry.from_galaxy(galaxy, 1e-7)
    rng = np.random.default_rng(4)
    x_sky, y_sky, s = rng.uniform(-6, 6, size=(3, 2000))
    a, b = sky_to_major_minor(x_sky, y_sky, galaxy.pa_deg)
    x_d, y_d, _ = sky_to_disk(a, b, s, g.cos_i, g.sin_i)
    radius = np.hypot(x_d, y_d)
    theta = np.arctan2(y_d, x_d)
    reference = galaxy.v_sys_kms + curve(radius) * np.cos(theta) * math.sin(math.radians(62.0))
    np.testing.assert_allclose(g.los_velocity(a, radius), reference, rtol=1e-6, atol=1e-9)


def test_seed_rotation_function_is_the_curve_class():
    """The seed's milky_way_rot_curve_analytical and MilkyWayRotationCurve are one formula."""
    from GalCubeCraft.compat.profiles import milky_way_rot_curve_analytical

    r = np.linspace(0.1, 20.0, 50)
    np.testing.assert_array_equal(
        milky_way_rot_curve_analytical(r, 210.0, 4.0, 0.8),
        MilkyWayRotationCurve.for_sersic(210.0, 4.0, 0.8)(r),
    )


def test_cube_is_a_frozen_value():
    """A cube's array is read-only; with_data returns a new cube; it pickles and keeps its unit."""
    cube = render(Galaxy(r_e_kpc=2.0, inclination_deg=30.0), OBS)
    assert cube.kind == "model" and cube.unit == "Jy/pixel"
    with pytest.raises(ValueError):
        cube.data[0, 0, 0] = 1.0
    doubled = cube.with_data(cube.data * 2.0)
    assert doubled.line_flux_jykms() == pytest.approx(2 * cube.line_flux_jykms(), rel=1e-12)
    back = pickle.loads(pickle.dumps(cube))
    np.testing.assert_array_equal(back.data, cube.data)
    assert not back.data.flags.writeable and back.observation == cube.observation
    with pytest.raises(ValueError, match="shape"):
        Cube(np.zeros((3, 4, 5)), OBS)
    with pytest.raises(ValueError, match="model"):
        observe(observe(cube))
    assert "shape=(40, 49, 49)" in repr(cube)
