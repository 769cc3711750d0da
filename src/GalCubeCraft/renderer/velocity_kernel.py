"""The compiled loop of the circular line-of-sight velocity (numba).

:meth:`GalCubeCraft.renderer.geometry.DiskGeometry.los_velocity` needs, at every sample,

    v_sys + v_c(R) (a / R) sin i       (0 rotation on the axis, R = 0)

As NumPy expressions over a cube's two million samples this made three full-size
temporaries and took a tenth of a plain render; here it is one pass, with the same
operations in the same order and the same types (so the same results, bit for bit).

The sky sampler's sight lines go through :func:`curve_velocity`, which also evaluates
the package's rotation curves in the same pass (:func:`GalCubeCraft.model.rotation.kernel_form`):
in the types their ``__call__`` uses: float32 for the power law and the arctan, with
the polynomial ``exp``/``log``/``atan`` of :mod:`~GalCubeCraft.kernels.float32_math`
(within 3e-7 of the speed, a float32 rounding or two, and 1e-6 at subnormal radii),
float64 for the flat and tabulated curves (bit for bit).  Any other callable is called
on the radii first, as before.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..kernels.float32_math import atan2_32, exp32, log32
from ..kernels.jit import njit
from ..model.rotation import (
    CURVE_ARCTAN,
    CURVE_FLAT,
    CURVE_MILKY_WAY,
    CURVE_TABULATED,
    kernel_form,
)

_F32 = np.float32
_SMALLEST_NORMAL = _F32(np.finfo(np.float32).tiny)
_UP = _F32(2.0**64)  # lifts a subnormal float32 into the normal range log32 expects
_LOG_UP = _F32(64.0 * np.log(2.0))


@njit(error_model="numpy")
def _circular(
    a: np.ndarray,
    r: np.ndarray,
    v_c: np.ndarray,
    sin_i: np.ndarray,
    v_sys: np.ndarray,
    out: np.ndarray,
) -> None:
    """Fill ``out`` (2-D) from 2-D views of equal shape (any strides, zero included).

    ``v_sys`` is a one-element array of ``out``'s type (a scalar's weak type, as NumPy
    gives it).
    """
    zero = r.dtype.type(0.0)
    systemic = v_sys[0]
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            radius = r[i, j]
            cos_theta = a[i, j] / radius if radius > zero else zero
            out[i, j] = systemic + (v_c[i, j] * cos_theta) * sin_i[i, j]


def circular_velocity(
    a: np.ndarray, r: np.ndarray, v_c: np.ndarray, sin_i: float | np.ndarray, v_sys: float
) -> np.ndarray:
    """Return ``v_sys + v_c (a / r) sin i`` (``a / r`` read as 0 where ``r`` is 0).

    Shapes broadcast; the type is NumPy's for the same expression, Python floats being
    weak (a float32 ``r`` and ``v_c`` give float32, as the renderer's samples are).
    """
    a, r, v_c = np.asarray(a), np.asarray(r), np.asarray(v_c)
    dtype = np.result_type(v_c, np.result_type(a, r), sin_i, v_sys)
    sin_array = np.asarray(sin_i, dtype=dtype if np.ndim(sin_i) == 0 else None)
    shape = np.broadcast_shapes(a.shape, r.shape, v_c.shape, sin_array.shape)
    out = np.empty(shape, dtype=dtype)
    if out.size == 0:
        return out
    columns = shape[-1] if shape else 1
    a2, r2, v2, s2 = (
        np.broadcast_to(x, shape).reshape(-1, columns) for x in (a, r, v_c, sin_array)
    )
    _circular(a2, r2, v2, s2, np.array([v_sys], dtype=dtype), out.reshape(-1, columns))
    return out


@njit(inline="always", error_model="numpy")
def _power32(x: np.float32, y: np.float32) -> np.float32:
    """Return ``x ** y`` in float32 for finite ``x >= 0`` and ``y > 0`` (0 at ``x = 0``)."""
    lifted = x < _SMALLEST_NORMAL
    log_x = log32(x * _UP if lifted else x) - (_LOG_UP if lifted else _F32(0.0))
    return exp32(y * log_x) if x > _F32(0.0) else _F32(0.0)


@njit(inline="always", error_model="numpy")
def _interpolate(x: float, table: np.ndarray, guess: int) -> tuple[float, int]:
    """Return ``np.interp(x, r, v)`` for the table ``(*r, *v)`` by NumPy's own formula.

    Also returns the interval found, ``r[low] <= x < r[low + 1]``, as the next call's
    ``guess``: a sight line's radii change slowly, so it is mostly right at once.
    """
    n = table.shape[0] // 2
    if x < table[0]:
        return table[n], guess
    if x >= table[n - 1]:
        return table[2 * n - 1], guess
    low = guess
    if not (table[low] <= x < table[low + 1]):
        low, high = 0, n - 1  # table[low] <= x < table[high]
        while high - low > 1:
            middle = (low + high) // 2
            if table[middle] <= x:
                low = middle
            else:
                high = middle
    if table[low] == x:
        return table[n + low], low
    slope = (table[n + low + 1] - table[n + low]) / (table[low + 1] - table[low])
    return slope * (x - table[low]) + table[n + low], low


# One kernel per curve, so that only the curves a render uses are compiled.  Each fills
# ``out`` (``(m, K)``, C-contiguous) from ``a`` (one per row) and C-contiguous float32
# radii ``r``, the speed from the curve's parameters ``p``
# (:func:`GalCubeCraft.model.rotation.kernel_form`); ``sin_i`` and ``v_sys`` are
# one-element arrays of ``out``'s type.  A loop has no branch that LLVM cannot turn into
# a select, so it vectorises.
#
# The float32 curves' speeds are formed first, a block of rows at a time, in one flat
# loop from index 0 over the block's samples: a row's own loop (the sampler's 42 or 70
# samples) is shorter than the vectorised body LLVM makes, so most of it ran without
# vectors (2 ns a sample against 0.9 at 42).  The velocities then follow row by row.
_ROWS_PER_PASS = 64  # rows whose speeds are formed in one flat loop (kept in cache)


@njit(inline="always", error_model="numpy")
def _project(a: np.ndarray, r: np.ndarray, sin_i: np.ndarray, v_sys: np.ndarray,
             out: np.ndarray, first: int, last: int) -> None:  # fmt: skip
    """Turn the speeds ``v_c`` in rows ``first .. last - 1`` of ``out`` into velocities."""
    zero, sine, systemic = _F32(0.0), sin_i[0], v_sys[0]
    for i in range(first, last):
        ai = a[i]
        for j in range(out.shape[1]):
            radius = r[i, j]
            cos_theta = ai / radius if radius > zero else zero
            out[i, j] = systemic + (out[i, j] * cos_theta) * sine


@njit(inline="always", error_model="numpy")
def _power_speeds(radii: np.ndarray, p: np.ndarray, speeds: np.ndarray) -> None:
    """Fill ``speeds`` with the power law's ``v_0 1.022 (R / R_0)^0.0803`` at ``radii``."""
    r_0, slope, amplitude = _F32(p[0]), _F32(p[1]), _F32(p[2])
    for t in range(radii.shape[0]):
        speeds[t] = _power32(radii[t] / r_0, slope) * amplitude


@njit(inline="always", error_model="numpy")
def _arctan_speeds(radii: np.ndarray, p: np.ndarray, speeds: np.ndarray) -> None:
    """Fill ``speeds`` with the arctan curve's ``(2 / pi) v_flat atan(R / r_turn)``."""
    r_turn, amplitude = _F32(p[0]), _F32(p[1])
    for t in range(radii.shape[0]):
        speeds[t] = amplitude * atan2_32(radii[t] / r_turn, _F32(1.0))


@njit(error_model="numpy")
def _circular_power(
    a: np.ndarray, r: np.ndarray, p: np.ndarray, sin_i: np.ndarray, v_sys: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out`` for :class:`~GalCubeCraft.model.rotation.MilkyWayRotationCurve` (float32)."""
    m, n = out.shape
    radii, speeds = r.reshape(m * n), out.reshape(m * n)
    for first in range(0, m, _ROWS_PER_PASS):
        last = min(first + _ROWS_PER_PASS, m)
        _power_speeds(radii[first * n : last * n], p, speeds[first * n : last * n])
        _project(a, r, sin_i, v_sys, out, first, last)


@njit(error_model="numpy")
def _circular_arctan(
    a: np.ndarray, r: np.ndarray, p: np.ndarray, sin_i: np.ndarray, v_sys: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out`` for :class:`~GalCubeCraft.model.rotation.ArctanRotationCurve` (float32)."""
    m, n = out.shape
    radii, speeds = r.reshape(m * n), out.reshape(m * n)
    for first in range(0, m, _ROWS_PER_PASS):
        last = min(first + _ROWS_PER_PASS, m)
        _arctan_speeds(radii[first * n : last * n], p, speeds[first * n : last * n])
        _project(a, r, sin_i, v_sys, out, first, last)


@njit(error_model="numpy")
def _circular_flat(
    a: np.ndarray, r: np.ndarray, p: np.ndarray, sin_i: np.ndarray, v_sys: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out`` for :class:`~GalCubeCraft.model.rotation.FlatRotationCurve` (float64)."""
    zero, sine, systemic = _F32(0.0), sin_i[0], v_sys[0]
    v_flat = p[0]
    for i in range(out.shape[0]):
        ai = a[i]
        for j in range(out.shape[1]):
            radius = r[i, j]
            cos_theta = ai / radius if radius > zero else zero
            out[i, j] = systemic + (v_flat * cos_theta) * sine


@njit(error_model="numpy")
def _circular_table(
    a: np.ndarray, r: np.ndarray, p: np.ndarray, sin_i: np.ndarray, v_sys: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out`` for :class:`~GalCubeCraft.model.rotation.TabulatedRotationCurve` (float64)."""
    zero, sine, systemic = _F32(0.0), sin_i[0], v_sys[0]
    for i in range(out.shape[0]):
        ai = a[i]
        guess = 0
        for j in range(out.shape[1]):
            radius = r[i, j]
            cos_theta = ai / radius if radius > zero else zero
            v_c, guess = _interpolate(np.float64(radius), p, guess)
            out[i, j] = systemic + (v_c * cos_theta) * sine


_CURVE_KERNELS = {
    CURVE_MILKY_WAY: (_circular_power, np.float32),
    CURVE_ARCTAN: (_circular_arctan, np.float32),
    CURVE_FLAT: (_circular_flat, np.float64),
    CURVE_TABULATED: (_circular_table, np.float64),
}
"""Each curve's kernel, and the type its ``__call__`` returns for float32 radii (the
velocities' type)."""


def curve_velocity(
    a: np.ndarray,
    r: np.ndarray,
    curve: Callable[[np.ndarray], np.ndarray],
    sin_i: float | np.ndarray,
    v_sys: float,
) -> np.ndarray:
    """Return :func:`circular_velocity` of ``v_c = curve(r)``, the curve evaluated in the pass.

    The package's curves (:func:`GalCubeCraft.model.rotation.kernel_form`) are evaluated
    inside the compiled loop for the sky sampler's samples: float32 radii ``(m, K)``,
    ``a`` of shape ``(m, 1)`` and one ``sin_i``.  Anything else calls ``curve(r)`` first.
    """
    form = kernel_form(curve)
    r = np.asarray(r)
    if (
        form is None
        or np.ndim(sin_i) != 0
        or r.dtype != np.float32
        or r.ndim != 2
        or np.shape(a) != (r.shape[0], 1)
        or np.asarray(a).dtype != np.float32
    ):
        return circular_velocity(a, r, curve(r), sin_i, v_sys)
    kind, parameters = form
    kernel, dtype = _CURVE_KERNELS[kind]
    out = np.empty(r.shape, dtype=dtype)
    if out.size:
        kernel(np.ascontiguousarray(np.asarray(a)[:, 0]), np.ascontiguousarray(r), parameters,
               np.array([sin_i], dtype=dtype), np.array([v_sys], dtype=dtype), out)  # fmt: skip
    return out
