"""What the lens models share: checked fields, axis frames and the Hessian's rotation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._support import validate as _validate
from ...conventions import sky_to_major_minor

SPEED_OF_LIGHT_KMS = _validate.SPEED_OF_LIGHT_KMS
ARCSEC_PER_RADIAN = 180.0 * 3600.0 / math.pi


def rotate_hessian(
    h_aa: np.ndarray, h_ab: np.ndarray, h_bb: np.ndarray, pa_deg: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(f_xx, f_xy, f_yy)`` of a Hessian given along the axes at ``pa_deg``.

    With ``a = -x sin p + y cos p`` and ``b = x cos p + y sin p``
    (:func:`~GalCubeCraft.conventions.sky_to_major_minor`), ``H_xy = R^T H_ab R``.
    """
    pa = math.radians(pa_deg)
    s, c = math.sin(pa), math.cos(pa)
    f_xx = s * s * h_aa - 2.0 * s * c * h_ab + c * c * h_bb
    f_yy = c * c * h_aa + 2.0 * s * c * h_ab + s * s * h_bb
    f_xy = -s * c * h_aa + (c * c - s * s) * h_ab + s * c * h_bb
    return f_xx, f_xy, f_yy


def ellipsoid_fields(record: Any) -> dict[str, float]:
    """Return the checked Einstein radius, axis ratio, PA and centre of an ellipsoid."""
    return {
        "theta_e_arcsec": _validate.non_negative("theta_e_arcsec", record.theta_e_arcsec),
        "axis_ratio": _validate.real("axis_ratio", record.axis_ratio, low=0.0, low_open=True,
                                     high=1.0),
        "pa_deg": _validate.real("pa_deg", record.pa_deg),
        "x_arcsec": _validate.real("x_arcsec", record.x_arcsec),
        "y_arcsec": _validate.real("y_arcsec", record.y_arcsec),
    }  # fmt: skip


def lens_axes(record: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return sky positions (arcsec) along an ellipsoid's major and minor axes, from its centre."""
    return sky_to_major_minor(np.asarray(x) - record.x_arcsec, np.asarray(y) - record.y_arcsec,
                              record.pa_deg)  # fmt: skip


def set_checked(record: object, values: dict[str, float]) -> None:
    """Store checked plain floats on a frozen record."""
    for name, value in values.items():
        object.__setattr__(record, name, value)
