"""The bit-pattern maximum: the largest magnitude of a row, and whether the row is finite."""

import numpy as np
import pytest

from GalCubeCraft.kernels.jit import njit
from GalCubeCraft.kernels.reductions import max_magnitude


@njit()
def _largest(row: np.ndarray, start: float) -> float:
    return max_magnitude(row, row.dtype.type(start))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_largest_magnitude_is_numpys_to_the_bit(dtype):
    """The largest |x| over rows of either sign, subnormals, zeros of both signs, the start."""
    rng = np.random.default_rng(3)
    for scale in (1e-3, 1.0, 1e30):
        row = (rng.standard_normal(1001) * scale).astype(dtype)
        row[[5, 6, 7]] = [-0.0, np.finfo(dtype).smallest_subnormal, -np.finfo(dtype).max]
        peak = _largest(row, 0.0)
        assert type(peak) is float and peak == float(np.max(np.abs(row)))
    assert _largest(np.array([-0.0, 0.0], dtype=dtype), 0.0) == 0.0
    assert _largest(np.array([1.0, -2.0], dtype=dtype), 3.0) == 3.0  # the start counts
    assert _largest(np.zeros(0, dtype=dtype), 0.5) == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_value_makes_the_result_non_finite(dtype, bad):
    """NaN and inf read larger than every finite value: the result says the row is not finite."""
    row = np.ones(300, dtype=dtype)
    row[123] = bad
    assert not np.isfinite(_largest(row, 0.0))
