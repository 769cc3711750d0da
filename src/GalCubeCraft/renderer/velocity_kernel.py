"""The compiled loop of the circular line-of-sight velocity (numba).

:meth:`GalCubeCraft.renderer.geometry.DiskGeometry.los_velocity` needs, at every sample,

    v_sys + v_c(R) (a / R) sin i       (0 rotation on the axis, R = 0)

As NumPy expressions over a cube's two million samples this made three full-size
temporaries and took a tenth of a plain render; here it is one pass, with the same
operations in the same order and the same types (so the same results, bit for bit).
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit


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
