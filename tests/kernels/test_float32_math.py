"""The float32 polynomial exp/log/sin/cos/atan2 of the compiled kernels against float64 NumPy."""

import numpy as np
import pytest
from numba import njit

from GalCubeCraft.kernels.float32_math import (
    atan2_32,
    exp32,
    expm1_32,
    log1p32,
    log32,
    sincos32,
)


def _vectorised(function):
    @njit
    def apply(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = function(x[i])
        return out

    return apply


RNG = np.random.default_rng(7)
CASES = {
    # function, float64 truth, arguments spanning the kernel's use (float32)
    "exp": (exp32, np.exp, RNG.uniform(-87.0, 80.0, 200_000)),
    "log": (log32, np.log, 10.0 ** RNG.uniform(-37.0, 38.0, 200_000)),
    "log1p": (log1p32, np.log1p, -(10.0 ** RNG.uniform(-12.0, -1e-7, 200_000))),
    "expm1": (expm1_32, np.expm1, -(10.0 ** RNG.uniform(-12.0, 1.9, 200_000))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_relative_error_within_two_float32_ulps(name):
    """Cephes polynomials: about one unit in the last place; tested at 2.4e-7 (2 ulp)."""
    function, truth, x = CASES[name]
    x32 = x.astype(np.float32)
    got = _vectorised(function)(x32).astype(np.float64)
    exact = truth(x32.astype(np.float64))
    relative = np.abs(got - exact) / np.abs(exact)
    assert np.max(relative) <= 2.4e-7


def test_exp_underflows_to_zero_and_log1p_expm1_are_exact_for_tiny_arguments():
    """Below the smallest normal result exp gives 0; log1p(x) = expm1(x) = x for |x| < 1e-8."""
    assert exp32(np.float32(-100.0)) == 0.0
    tiny = np.float32(-3e-9)
    assert log1p32(tiny) == tiny
    assert expm1_32(tiny) == tiny
    assert exp32(np.float32(0.0)) == 1.0
    assert log32(np.float32(1.0)) == 0.0


@njit
def _sincos_all(x):
    sine = np.empty_like(x)
    cosine = np.empty_like(x)
    for i in range(x.size):
        sine[i], cosine[i] = sincos32(x[i])
    return sine, cosine


@njit
def _atan2_all(y, x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = atan2_32(y[i], x[i])
    return out


def test_sin_cos_within_two_ulps_of_one_over_the_arms_phases():
    """Cephes sinf/cosf over |x| <= 300 (the arms' phases): absolute error <= 2.4e-7.

    Measured 7.7e-8 (sin) and 7.8e-8 (cos) over |x| <= 200.  Every octant and both
    signs are covered, and multiples of pi/4 exactly.
    """
    x = np.concatenate([RNG.uniform(-300.0, 300.0, 200_000),
                        np.arange(-16, 17) * np.pi / 4]).astype(np.float32)  # fmt: skip
    sine, cosine = _sincos_all(x)
    exact = x.astype(np.float64)
    assert np.max(np.abs(sine - np.sin(exact))) <= 2.4e-7
    assert np.max(np.abs(cosine - np.cos(exact))) <= 2.4e-7


def test_atan2_within_two_ulps_of_pi_in_every_quadrant():
    """atan2 from Cephes atanf: absolute error <= 4.8e-7 (2 ulps of pi), 0 at the origin.

    Measured 2.7e-7.  The axes and the origin take numpy's values exactly.
    """
    y = RNG.normal(size=200_000).astype(np.float32)
    x = RNG.normal(size=200_000).astype(np.float32)
    got = _atan2_all(y, x)
    assert np.max(np.abs(got - np.arctan2(y.astype(np.float64), x.astype(np.float64)))) <= 4.8e-7
    axes_y = np.array([0.0, 0.0, 1.0, -1.0, 0.0], dtype=np.float32)
    axes_x = np.array([0.0, -1.0, 0.0, 0.0, 2.0], dtype=np.float32)
    np.testing.assert_array_equal(_atan2_all(axes_y, axes_x), np.arctan2(axes_y, axes_x))
