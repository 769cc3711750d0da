"""Standard normals from a counter-based stream: each voxel's value is a function of its place.

The value at global voxel ``(c, y, x)`` under a 64-bit ``key`` depends on nothing else:
not on the region drawn, nor on what was drawn before.  So any part of a field can be
drawn alone (a tile plus its filter halo), in any order, by any worker, and the parts
agree bit for bit with the whole.

- **Bits**: Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers:
  as easy as 1, 2, 3"; the generator of Random123, cuRAND and PyTorch), keyed by the two
  32-bit halves of ``key``, counting ``(x >> 2, y, c, 0)`` (each word modulo 2**32):
  one counter gives the four voxels ``x = 4q .. 4q + 3`` of a row.  It passes BigCrush;
  ``tests/kernels/test_counter_normals.py`` checks the published known answers.
- **Normals**: Box-Muller, two per pair of words.  The radius ``sqrt(-2 ln u)`` takes
  ``u = (w + 1/2) 2**-32`` from the first word (so ``|z| <= 6.8``, a tail of 1e-11 cut);
  the angle is uniform on the circle from the second: 29 bits give an angle in the first
  octant, the other three a reflection of the octant's eight (two signs and a swap of
  the axes), so no reduction of the angle is needed.  Words 0, 1 make voxels ``4q``,
  ``4q + 1``; words 2, 3 make ``4q + 2``, ``4q + 3``.

Everything is float32 arithmetic written so LLVM vectorises it (``log32``, two short
polynomials, ``sqrt``): about 1 ns a value, 15-20 times NumPy's float32 ziggurat.
"""

from __future__ import annotations

import numpy as np

from .float32_math import log32
from .jit import njit

_F32 = np.float32
_U32 = np.uint32
_U64 = np.uint64
_PHILOX_M0 = _U64(0xD2511F53)
_PHILOX_M1 = _U64(0xCD9E8D57)
_PHILOX_W0 = _U32(0x9E3779B9)
_PHILOX_W1 = _U32(0xBB67AE85)
_LOW32 = _U64(0xFFFFFFFF)
_SHIFT32 = _U64(32)
_TWO_M32 = _F32(2.0**-32)
_OCTANT_STEP = _F32(2.0**-29 * np.pi / 4)  # the angle of one unit of the 29 angle bits
_OCTANT_BITS = _U32(0x1FFFFFFF)


def key_words(key: int) -> tuple[np.uint32, np.uint32]:
    """Return the Philox key words (low, high) of a 64-bit ``key``."""
    key = int(key)
    if not 0 <= key < 2**64:
        raise ValueError(f"key must be an integer in [0, 2**64); got {key!r}")
    return _U32(key & 0xFFFFFFFF), _U32(key >> 32)


@njit(inline="always", error_model="numpy")
def _philox4x32(
    c0: np.uint32, c1: np.uint32, c2: np.uint32, c3: np.uint32, k0: np.uint32, k1: np.uint32
) -> tuple[np.uint32, np.uint32, np.uint32, np.uint32]:
    """Return Philox4x32-10 of counter ``(c0, c1, c2, c3)`` under key ``(k0, k1)``."""
    for _ in range(10):
        p0 = _PHILOX_M0 * _U64(c0)
        p1 = _PHILOX_M1 * _U64(c2)
        n0 = _U32(p1 >> _SHIFT32) ^ c1 ^ k0
        n2 = _U32(p0 >> _SHIFT32) ^ c3 ^ k1
        c1 = _U32(p1 & _LOW32)
        c3 = _U32(p0 & _LOW32)
        c0 = n0
        c2 = n2
        k0 = _U32(k0 + _PHILOX_W0)
        k1 = _U32(k1 + _PHILOX_W1)
    return c0, c1, c2, c3


@njit(error_model="numpy")
def philox4x32(counter: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Return the four uint32 words of Philox4x32-10 at ``counter`` (4 words), ``key`` (2)."""
    a, b, c, d = _philox4x32(
        _U32(counter[0]), _U32(counter[1]), _U32(counter[2]), _U32(counter[3]),
        _U32(key[0]), _U32(key[1]),
    )  # fmt: skip
    return np.array([a, b, c, d], dtype=np.uint32)


@njit(error_model="numpy")
def _normal_row(
    q0: int, y: int, c: int, k0: np.uint32, k1: np.uint32,
    radius: np.ndarray, angle: np.ndarray, row: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``row`` (``4 n`` values) with the normals of groups ``q0 .. q0 + n - 1`` of a row.

    ``radius`` (float32) and ``angle`` (uint32) are scratch of ``2 n`` values.  Three
    plain loops, each of which LLVM vectorises: the bits, the radii, the rotations.
    """
    n = row.shape[0] // 4
    yw = _U32(y & 0xFFFFFFFF)
    cw = _U32(c & 0xFFFFFFFF)
    half = _F32(0.5)
    for i in range(n):
        w0, w1, w2, w3 = _philox4x32(_U32((q0 + i) & 0xFFFFFFFF), yw, cw, _U32(0), k0, k1)
        radius[2 * i] = (_F32(w0) + half) * _TWO_M32
        radius[2 * i + 1] = (_F32(w2) + half) * _TWO_M32
        angle[2 * i] = w1
        angle[2 * i + 1] = w3
    for j in range(2 * n):
        radius[j] = np.sqrt(_F32(-2.0) * log32(radius[j]))
    one = _F32(1.0)
    two = _F32(2.0)
    for j in range(2 * n):
        w = angle[j]
        phi = (_F32(w & _OCTANT_BITS) + half) * _OCTANT_STEP  # in (0, pi/4)
        p2 = phi * phi
        sine = (_F32(-1.9515295891e-4) * p2 + _F32(8.3321608736e-3)) * p2 - _F32(1.6666654611e-1)
        sine = sine * p2 * phi + phi
        cosine = ((_F32(2.443315711809948e-5) * p2 - _F32(1.388731625493765e-3)) * p2
                  + _F32(4.166664568298827e-2))  # fmt: skip
        cosine = cosine * p2 * p2 - half * p2 + one
        sign_x = one - two * _F32(w >> _U32(31))
        sign_y = one - two * _F32((w >> _U32(30)) & _U32(1))
        swap = ((w >> _U32(29)) & _U32(1)) == _U32(1)
        r = radius[j]
        row[2 * j] = r * sign_x * (sine if swap else cosine)
        row[2 * j + 1] = r * sign_y * (cosine if swap else sine)


@njit(error_model="numpy")
def fill_standard_normals(
    out: np.ndarray, c0: int, y0: int, x0: int, k0: np.uint32, k1: np.uint32
) -> None:
    """Fill ``out`` ``(n_c, n_y, n_x)`` with the standard normals of the global voxels
    ``(c0 + k, y0 + j, x0 + i)`` under key ``(k0, k1)``.
    """  # noqa: D205 - the summary needs both lines
    n_c, n_y, n_x = out.shape
    if n_x == 0:
        return
    q0 = x0 >> 2
    skip = x0 - 4 * q0
    groups = (skip + n_x + 3) // 4
    row = np.empty(4 * groups, dtype=np.float32)
    radius = np.empty(2 * groups, dtype=np.float32)
    angle = np.empty(2 * groups, dtype=np.uint32)
    aligned = skip == 0 and n_x == 4 * groups
    for k in range(n_c):
        for j in range(n_y):
            if aligned:  # whole groups: straight into the output row
                _normal_row(q0, y0 + j, c0 + k, k0, k1, radius, angle, out[k, j])
            else:
                _normal_row(q0, y0 + j, c0 + k, k0, k1, radius, angle, row)
                for i in range(n_x):
                    out[k, j, i] = row[skip + i]
