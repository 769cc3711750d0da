"""The counter-based normals: Philox4x32-10 as published, Gaussian, independent, local."""

import numpy as np
import pytest
from scipy import stats

from GalCubeCraft.kernels.counter_normals import fill_standard_normals, key_words, philox4x32

# Random123's tests/kat_vectors, the three "philox4x32 10" lines: counter, key, result.
KNOWN_ANSWERS = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    (
        [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
        [0xA4093822, 0x299F31D0],
        [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1],
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_gives_the_published_known_answers(counter, key, expected):
    """Philox4x32-10 matches Random123's known-answer vectors word for word."""
    words = philox4x32(np.array(counter, dtype=np.uint32), np.array(key, dtype=np.uint32))
    assert [int(w) for w in words] == expected


def _normals(shape, origin=(0, 0, 0), key=0x5EED_0F_C0FFEE):
    out = np.empty(shape, dtype=np.float32)
    fill_standard_normals(out, *origin, *key_words(key))
    return out


def test_values_are_standard_normal():
    """4M values: mean 0, variance 1, skew 0, kurtosis 3, tails and KS as a Gaussian's."""
    x = _normals((16, 256, 1024)).astype(np.float64).ravel()
    n = x.size
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert x.var() == pytest.approx(1.0, abs=5 * np.sqrt(2 / n))
    assert abs(np.mean(x**3)) < 5 * np.sqrt(15 / n)
    assert np.mean(x**4) == pytest.approx(3.0, abs=5 * np.sqrt(96 / n))
    for k in (2.0, 3.0, 4.0):
        expected = 2 * stats.norm.sf(k)
        assert np.mean(np.abs(x) > k) == pytest.approx(expected, abs=5 * np.sqrt(expected / n))
    assert stats.kstest(x[:1_000_000], "norm").statistic < 2e-3  # 5 sigma at 1e6


def test_neighbours_and_box_muller_pairs_are_independent():
    """No correlation between neighbours along any axis, nor of squares within a pair.

    Box-Muller's two values share a radius: they are independent only if the angle is
    uniform, which ``x^2`` against ``y^2`` would show (a wrong octant map does).
    """
    x = _normals((8, 256, 2048)).astype(np.float64)
    limit = 5 / np.sqrt(x.size)
    for axis in (0, 1, 2):
        a = np.moveaxis(x, axis, -1)
        assert abs(np.mean(a[..., 1:] * a[..., :-1])) < limit
    groups = x.reshape(-1, 4)  # voxels 4q .. 4q + 3: one counter
    for first, second in ((0, 1), (2, 3), (0, 2), (1, 3)):
        a, b = groups[:, first], groups[:, second]
        assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(a.size)
        assert abs(np.corrcoef(a**2, b**2)[0, 1]) < 5 / np.sqrt(a.size)


@pytest.mark.parametrize(
    ("origin", "shape"),
    [
        ((0, 0, 0), (3, 5, 8)),
        ((-2, -7, -5), (2, 3, 3)),
        ((1, 3, 2), (4, 9, 13)),
        ((0, 0, 7), (1, 1, 1)),
    ],
)
def test_a_region_is_the_same_part_of_the_field(origin, shape):
    """Any box of the field, at any origin (negative, unaligned), is that part of a larger box."""
    whole = _normals((10, 24, 32), origin=(-4, -10, -12))
    part = _normals(shape, origin=origin)
    c, y, x = origin[0] + 4, origin[1] + 10, origin[2] + 12
    np.testing.assert_array_equal(part, whole[c : c + shape[0], y : y + shape[1], x : x + shape[2]])


def test_keys_give_independent_fields_and_are_checked():
    """Keys 1 and 2 (and 2**32, the high word alone) draw uncorrelated fields."""
    a, b, c = (_normals((4, 64, 64), key=k).ravel() for k in (1, 2, 2**32))
    for u, v in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(u, v)[0, 1]) < 5 / np.sqrt(u.size)
    with pytest.raises(ValueError, match=r"key must be an integer in \[0, 2\*\*64\)"):
        key_words(2**64)
