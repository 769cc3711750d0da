"""The float32 polynomial exp/log of the compiled sight-line kernel against float64 NumPy."""

import numpy as np
import pytest
from numba import njit

from GalCubeCraft.renderer.float32_math import exp32, expm1_32, log1p32, log32


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
