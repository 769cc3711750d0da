"""The original's two model functions, under its names and argument names."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model.profiles import sersic_flux_density_3d as _sersic_flux_density_3d
from ..model.rotation import MilkyWayRotationCurve


def sersic_flux_density_3d(
    x: Any,
    y: Any,
    z: Any,
    Se: float,  # noqa: N803 - the original's names
    Re: float,  # noqa: N803
    n: float,
    hz: float,
) -> np.ndarray:
    """Return the original's ``sersic_flux_density_3d(x, y, z, Se, Re, n, hz)``.

    ``Se exp[-b_n((r/Re)^(1/n) - 1)] exp(-|z|/hz)`` with ``r = sqrt(x^2 + y^2)``;
    :func:`GalCubeCraft.model.profiles.sersic_flux_density_3d` under the original's
    argument names, so keyword calls written for it work.
    """
    return _sersic_flux_density_3d(x, y, z, Se, Re, n, hz)


def milky_way_rot_curve_analytical(
    R: np.ndarray | float,  # noqa: N803 - the original's names
    v_0: float,
    R_e: float,  # noqa: N803
    n: float,
) -> np.ndarray:
    """Return the original's analytic rotation curve, ``v_0 1.022 (R / R_0)^0.0803``.

    ``R_0 = 2 R_e / b_n^n``: :meth:`MilkyWayRotationCurve.for_sersic` evaluated at ``R``
    (kpc), with ``v_0`` in km/s and ``R_e`` in kpc.
    """
    curve = MilkyWayRotationCurve.for_sersic(v_0, R_e, n)
    return curve(np.asarray(R, dtype=float))
