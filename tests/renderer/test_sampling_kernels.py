"""The compiled sampler's loops equal the NumPy expressions they replace."""

import numpy as np
import pytest

from GalCubeCraft import MilkyWayRotationCurve
from GalCubeCraft.model.rotation import ROTATION_CURVES, kernel_form
from GalCubeCraft.renderer.sampling import _LineSums, _spectral_error
from GalCubeCraft.renderer.sampling_kernel import gather_rows, line_sums
from GalCubeCraft.renderer.velocity_kernel import circular_velocity, curve_velocity


def _sight_lines(seed: int = 3, m: int = 200, k: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 ``a`` (m, 1) and radii (m, K) as the sampler makes them, edge cases in."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 4.0, (m, 1)).astype(np.float32)
    y = rng.normal(0.0, 4.0, (m, k)).astype(np.float32)
    a[0] = 0.0  # on the minor axis: radii down to 0 and subnormal
    y[0, :6] = [0.0, 1e-40, 1e-38, 2e-38, 1e-30, 1e-10]
    a[1] = 3.0e3  # far out
    y[2, :4] = [0.0, 1.0, 4.0, 10.0]  # on the tabulated example's knots
    return a, np.hypot(a, y).astype(np.float32)


@pytest.mark.parametrize("name", sorted(ROTATION_CURVES))
def test_every_curve_in_the_velocity_kernel_is_the_numpy_curve(name):
    """Compiled v(R): the NumPy type; float32 curves within 3e-7 of v_c, float64 ones exact."""
    curve = ROTATION_CURVES[name].make()
    assert kernel_form(curve) is not None
    a, r = _sight_lines()
    got = curve_velocity(a, r, curve, 0.7, -25.0)
    expected = circular_velocity(a, r, curve(r), 0.7, -25.0)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if expected.dtype == np.float64:
        np.testing.assert_array_equal(got, expected)
    else:
        v_max = float(np.max(np.abs(curve(r))))
        np.testing.assert_allclose(got, expected, rtol=0.0, atol=3e-7 * v_max + 3e-5)
    speed = curve_velocity(r, r, curve, 1.0, 0.0)  # a = r: cos(theta) = 1, the speed itself
    inside = r > 0
    np.testing.assert_allclose(speed[inside], np.asarray(curve(r))[inside], rtol=3e-7, atol=0)


def test_power_law_holds_at_subnormal_radii():
    """The compiled power law lifts subnormal radii into log's range: R^0.0803 there too.

    Within 1e-6 there: ``log R`` near -100 holds float32's absolute rounding (8e-6),
    which the slope scales down to 6e-7 of the speed.
    """
    curve = MilkyWayRotationCurve(v_0_kms=200.0, r_0_kpc=1.0)
    r = np.float32([[1e-45, 1e-40, 1e-38, 1.2e-38, 0.0]])
    speed = curve_velocity(r, r, curve, 1.0, 0.0)[0]
    exact = 200.0 * 1.022 * r.astype(np.float64)[0] ** 0.0803
    np.testing.assert_allclose(speed, exact, rtol=1e-6)


def test_a_subclass_or_any_callable_is_called_not_compiled():
    """Only the package's classes, exactly, are compiled: a subclass's own __call__ is used."""

    class Doubled(MilkyWayRotationCurve):
        def __call__(self, r_kpc):
            return 2.0 * super().__call__(r_kpc)

    curve = Doubled()
    assert kernel_form(curve) is None and kernel_form(lambda r: r) is None
    a, r = _sight_lines()
    np.testing.assert_array_equal(
        curve_velocity(a, r, curve, 0.5, 10.0), circular_velocity(a, r, curve(r), 0.5, 10.0)
    )


def test_line_sums_are_the_flux_weighted_moments():
    """Brightness, mean, variance and mean extra variance per row equal NumPy's float64 ones."""
    rng = np.random.default_rng(7)
    flux = rng.exponential(1.0, (50, 42)).astype(np.float32)
    flux[:, ::3] = 0.0  # empty pieces
    flux[4] = 0.0  # a dark sight line
    velocity = (300.0 + rng.normal(0.0, 40.0, flux.shape)).astype(np.float32)
    extra = rng.uniform(0.0, 50.0, flux.shape).astype(np.float32)
    sums = [np.empty(50) for _ in range(4)]
    line_sums(flux, velocity, extra, *sums)
    f, v = flux.astype(np.float64), velocity.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = f.sum(axis=1)
        mean = (f * v).sum(axis=1) / weight
        spread = (f * (v - mean[:, None]) ** 2).sum(axis=1) / weight
        extra_mean = np.where(weight > 0, (f * extra).sum(axis=1) / weight, 0.0)
    np.testing.assert_allclose(sums[0], weight, rtol=1e-13)
    np.testing.assert_allclose(sums[1], mean, rtol=1e-13)  # NaN where dark, as NumPy's
    np.testing.assert_allclose(sums[2], spread, rtol=1e-9)
    np.testing.assert_allclose(sums[3], extra_mean, rtol=1e-12)
    assert np.isnan(sums[1][4]) and np.isnan(sums[2][4]) and sums[3][4] == 0.0


def test_gather_rows_is_the_numpy_expression_bit_for_bit():
    """out[start + k] = source[rows[k]] * scale[k] + offset[k], in NumPy's types."""
    rng = np.random.default_rng(11)
    source = rng.normal(0.0, 100.0, (30, 14)).astype(np.float32)
    rows = np.array([3, 3, 0, 29, 17])
    for scale, offset, dtype in (
        (rng.uniform(0.5, 2.0, 5), np.zeros(5), np.float64),
        (np.ones(5, dtype=np.float32), rng.normal(0, 1, 5).astype(np.float32), np.float32),
        (np.ones(5), rng.uniform(0, 9, 5), np.float32),
    ):
        out = np.full((8, 14), -1.0, dtype=dtype)
        gather_rows(source, rows, scale, offset, out, 2)
        expected = (source[rows] * scale[:, None] + offset[:, None]).astype(dtype)
        np.testing.assert_array_equal(out[2:7], expected)
        assert np.all(out[:2] == -1.0) and np.all(out[7:] == -1.0)


def test_spectral_error_pools_the_four_sight_lines():
    """The 2x2 rule's moments from its sight lines' sums equal those of all its samples."""
    rng = np.random.default_rng(5)
    n, k = 6, 20
    flux = rng.exponential(1.0, (4 * n, k))
    velocity = rng.normal(100.0, 30.0, (4 * n, k))
    sums = [np.empty(4 * n) for _ in range(3)]
    line_sums(flux, velocity, np.empty((0, 0)), *sums, np.empty(0))
    nodes = _LineSums(*sums)
    centres = _LineSums(np.full(n, 1.0), np.full(n, 100.0), np.full(n, 900.0))
    quad = rng.uniform(1.0, 2.0, n)
    got = _spectral_error(centres, nodes, 1.0, quad, 30.0)
    f, v = flux.reshape(n, 4 * k), velocity.reshape(n, 4 * k)
    mean4 = (f * v).sum(axis=1) / f.sum(axis=1)
    var4 = (f * (v - mean4[:, None]) ** 2).sum(axis=1) / f.sum(axis=1)
    node_mean = (flux * velocity).sum(axis=1).reshape(n, 4) / flux.sum(axis=1).reshape(n, 4)
    gx = 0.5 * ((node_mean[:, 1] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 2]))
    gy = 0.5 * ((node_mean[:, 2] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 1]))
    var1 = 900.0 + (gx**2 + gy**2) * (1.0 / (1.0 / np.sqrt(3.0))) ** 2 / 12.0
    width = np.sqrt(900.0 + var4)
    moved = 0.61 * np.abs(mean4 - 100.0) / width + 0.5 * np.abs(var4 - var1) / width**2
    expected = quad / width * moved
    np.testing.assert_allclose(got, expected, rtol=1e-10)
