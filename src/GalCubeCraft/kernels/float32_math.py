"""Float32 ``exp``/``log`` written out as polynomials, for compiled loops to vectorise.

numba calls the C library's scalar ``expf``/``logf`` inside a loop, one sample at a time
(these machines' LLVM has no vector maths library), which is slower than NumPy's SIMD
ufuncs.  The Cephes single-precision polynomials below (range reduction by powers of
two, set and read through the float's bits) are plain arithmetic, so LLVM vectorises
the loops that call them.  Their error is about one unit in the last place (measured
against float64 in ``tests/kernels/test_float32_math.py``).

Arguments must be finite; ``log`` expects a positive normal float (callers floor it).

``exp32`` and ``log32`` are kernels of their own, not ``inline="always"``: numba inlines
such a function by compiling its body again at every call site (~30 ms each, ten sites
in a first cube), while a kernel compiles once and LLVM inlines it into the calling
loop all the same (the loops vectorise as before; the values are the same IEEE
operations in the same order).  The others are inlined by numba: one or two call
sites each in a first cube.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import njit

_F32 = np.float32
_LOG2E = _F32(1.44269504088896341)
_LN2_HI = _F32(0.693359375)
_LN2_LO = _F32(-2.12194440e-4)
_SQRT_HALF = _F32(0.707106781186547524)
_EXP_MAX = _F32(88.0)
_EXP_MIN = _F32(-87.3365447504019)  # below it the result would be subnormal: returned as 0


def _bitcast(source: Any, target: Any, llvm_target: ir.Type) -> Any:
    """Return a numba intrinsic that reinterprets a ``source`` scalar's bits as ``target``."""

    def typer(typingctx: Any, value: Any) -> tuple[Any, Callable[..., Any]]:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], llvm_target)

        return target(source), codegen

    return intrinsic(typer)


_float_bits: Any = _bitcast(types.float32, types.int32, ir.IntType(32))
"""The int32 holding a float32's bits."""
_bits_float: Any = _bitcast(types.int32, types.float32, ir.FloatType())
"""The float32 an int32's bits encode."""


@njit(error_model="numpy")
def exp32(x: np.float32) -> np.float32:
    """Return ``e**x`` in float32 (0 below about -87.3, e**88 above 88)."""
    if x < _EXP_MIN:
        return _F32(0.0)
    x = min(x, _EXP_MAX)
    k = np.floor(x * _LOG2E + _F32(0.5))
    r = x - k * _LN2_HI - k * _LN2_LO
    r2 = r * r
    p = _F32(1.9875691500e-4)
    p = p * r + _F32(1.3981999507e-3)
    p = p * r + _F32(8.3334519073e-3)
    p = p * r + _F32(4.1665795894e-2)
    p = p * r + _F32(1.6666665459e-1)
    p = p * r + _F32(5.0000001201e-1)
    y = p * r2 + r + _F32(1.0)
    return y * _bits_float((np.int32(k) + np.int32(127)) << np.int32(23))


@njit(error_model="numpy")
def log32(x: np.float32) -> np.float32:
    """Return the natural logarithm of a positive normal float32."""
    bits = _float_bits(x)
    exponent = _F32((bits >> np.int32(23)) - np.int32(126))
    m = _bits_float((bits & np.int32(0x007FFFFF)) | np.int32(0x3F000000))  # in [0.5, 1)
    if m < _SQRT_HALF:
        exponent -= _F32(1.0)
        f = m + m - _F32(1.0)
    else:
        f = m - _F32(1.0)
    z = f * f
    p = _F32(7.0376836292e-2)
    p = p * f - _F32(1.1514610310e-1)
    p = p * f + _F32(1.1676998740e-1)
    p = p * f - _F32(1.2420140846e-1)
    p = p * f + _F32(1.4249322787e-1)
    p = p * f - _F32(1.6668057665e-1)
    p = p * f + _F32(2.0000714765e-1)
    p = p * f - _F32(2.4999993993e-1)
    p = p * f + _F32(3.3333331174e-1)
    y = p * f * z + exponent * _LN2_LO - _F32(0.5) * z
    return f + y + exponent * _LN2_HI


@njit(inline="always", error_model="numpy")
def log1p32(x: np.float32) -> np.float32:
    """Return ``log(1 + x)`` for ``x > -1``, accurate also for tiny ``x``.

    Goldberg's correction: with ``u = 1 + x`` rounded, ``log(u) * x / (u - 1)`` cancels
    the rounding of ``u``.
    """
    u = _F32(1.0) + x
    if u == _F32(1.0):
        return x
    return log32(u) * (x / (u - _F32(1.0)))


@njit(inline="always", error_model="numpy")
def expm1_32(x: np.float32) -> np.float32:
    """Return ``e**x - 1``, accurate also for tiny ``x`` (Kahan's correction)."""
    u = exp32(x)
    if u == _F32(1.0):
        return x
    d = u - _F32(1.0)
    if d == _F32(-1.0):
        return d
    return d * (x / log32(u))


_FOUR_OVER_PI = _F32(1.27323954473516)
_PIO4_1 = _F32(0.78515625)  # pi/4 in three parts (Cody & Waite), each product exact
_PIO4_2 = _F32(2.4187564849853515625e-4)
_PIO4_3 = _F32(3.77489497744594108e-8)
_HALF_PI = _F32(np.pi / 2)
_PI = _F32(np.pi)
_TAN_PI_8 = _F32(0.414213562373095)


@njit(inline="always", error_model="numpy")
def sincos32(x: np.float32) -> tuple[np.float32, np.float32]:
    """Return ``(sin x, cos x)`` in float32 for finite ``|x|`` up to about 1e4.

    Cephes's ``sinf``/``cosf``: the octant ``j`` of ``|x|``, the remainder taken off in
    three parts of pi/4 so it stays exact, and the two minimax polynomials on
    ``[-pi/4, pi/4]``; the octant then picks which polynomial is sine and their signs.
    """
    ax = abs(x)
    j = np.int32(ax * _FOUR_OVER_PI)
    j += j & np.int32(1)  # round the octant up to even: the remainder lies in [-pi/4, pi/4]
    y = _F32(j)
    r = ((ax - y * _PIO4_1) - y * _PIO4_2) - y * _PIO4_3
    z = r * r
    s = (_F32(-1.9515295891e-4) * z + _F32(8.3321608736e-3)) * z - _F32(1.6666654611e-1)
    s = s * z * r + r
    c = ((_F32(2.443315711809948e-5) * z - _F32(1.388731625493765e-3)) * z
         + _F32(4.166664568298827e-2))  # fmt: skip
    c = c * z * z - _F32(0.5) * z + _F32(1.0)
    quadrant = (j >> np.int32(1)) & np.int32(3)  # which quarter turn |x| is in
    swap = (quadrant & np.int32(1)) == np.int32(1)
    sine = c if swap else s
    cosine = s if swap else c
    if quadrant == np.int32(1) or quadrant == np.int32(2):
        cosine = -cosine
    if quadrant >= np.int32(2):
        sine = -sine
    if x < _F32(0.0):
        sine = -sine
    return sine, cosine


@njit(inline="always", error_model="numpy")
def atan2_32(y: np.float32, x: np.float32) -> np.float32:
    """Return ``atan2(y, x)`` in float32 (0 at the origin), from Cephes's ``atanf``.

    The ratio of the smaller to the larger of ``|x|``, ``|y|`` lies in [0, 1]; above
    tan(pi/8) it is moved by the addition formula about pi/4, then one polynomial gives
    the angle, which the signs and the swap place in its quadrant.
    """
    ax = abs(x)
    ay = abs(y)
    big = max(ax, ay)
    small = min(ax, ay)
    t = small / big if big > _F32(0.0) else _F32(0.0)
    shifted = t > _TAN_PI_8
    u = (t - _F32(1.0)) / (t + _F32(1.0)) if shifted else t
    z = u * u
    a = (((_F32(8.05374449538e-2) * z - _F32(1.38776856032e-1)) * z + _F32(1.99777106478e-1))
         * z - _F32(3.33329491539e-1)) * z * u + u  # fmt: skip
    if shifted:
        a += _F32(np.pi / 4)
    if ay > ax:
        a = _HALF_PI - a
    if x < _F32(0.0):
        a = _PI - a
    if y < _F32(0.0):
        a = -a
    return a
