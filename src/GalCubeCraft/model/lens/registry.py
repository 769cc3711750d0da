"""The lens mass models, by name: the one table a new model is added to.

Each entry names a component class (a frozen record with ``deflection``, ``hessian``,
``is_null``, a centre and ``singular_at_centre``), parameters of a typical example, and
the model and keywords that lenstronomy gives the same deflection (the convention
mapping of :mod:`GalCubeCraft.model.lens`, as code; lenstronomy itself is never
imported here).  :class:`~.plane.Lens` accepts exactly these classes, and the contract
test in ``tests/model/test_lens_model.py`` runs every entry: deflection curl-free with the
Hessian as its derivative, point symmetry about the centre, pickling and lenstronomy's
values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .ellipsoids import SIE, PowerLawEllipsoid
from .fields import ConvergenceSheet, ExternalShear

LenstronomyModel = tuple[str, dict[str, float]]


@dataclass(frozen=True)
class LensModelEntry:
    """A lens component class, an example of it, and its lenstronomy counterpart.

    Parameters
    ----------
    cls : type
        The component class.
    example : mapping
        Keyword arguments of a typical, non-trivial example.
    lenstronomy : callable, optional
        ``lenstronomy(component) -> (model_name, kwargs)`` of lenstronomy's ``LensModel``
        that deflects as ``component`` does.
    """

    cls: type
    example: Mapping[str, float]
    lenstronomy: Callable[[Any], LenstronomyModel] | None = None

    def make(self) -> Any:
        """Return the example component."""
        return self.cls(**self.example)


def _ellipticity(axis_ratio: float, pa_deg: float) -> tuple[float, float]:
    """Return lenstronomy's ``(e1, e2)``: ``phi_q2_ellipticity(radians(pa + 90), q)``."""
    e = (1.0 - axis_ratio) / (1.0 + axis_ratio)
    phi = math.radians(pa_deg + 90.0)  # a PA starts at north (+y), lenstronomy's at +x
    return e * math.cos(2.0 * phi), e * math.sin(2.0 * phi)


def _sie(lens: SIE) -> LenstronomyModel:
    e1, e2 = _ellipticity(lens.axis_ratio, lens.pa_deg)
    return "SIE", {"theta_E": lens.theta_e_arcsec, "e1": e1, "e2": e2,
                   "center_x": lens.x_arcsec, "center_y": lens.y_arcsec}  # fmt: skip


def _epl(lens: PowerLawEllipsoid) -> LenstronomyModel:
    e1, e2 = _ellipticity(lens.axis_ratio, lens.pa_deg)
    return "EPL", {"theta_E": lens.theta_e_arcsec, "gamma": lens.slope, "e1": e1, "e2": e2,
                   "center_x": lens.x_arcsec, "center_y": lens.y_arcsec}  # fmt: skip


def _shear(shear: ExternalShear) -> LenstronomyModel:
    phi = math.radians(shear.angle_deg + 90.0)  # shear_polar2cartesian(phi, gamma)
    return "SHEAR", {"gamma1": shear.gamma * math.cos(2.0 * phi),
                     "gamma2": shear.gamma * math.sin(2.0 * phi),
                     "ra_0": shear.x_arcsec, "dec_0": shear.y_arcsec}  # fmt: skip


def _sheet(sheet: ConvergenceSheet) -> LenstronomyModel:
    return "CONVERGENCE", {"kappa": sheet.kappa, "ra_0": sheet.x_arcsec,
                           "dec_0": sheet.y_arcsec}  # fmt: skip


LENS_MODELS: Mapping[str, LensModelEntry] = MappingProxyType(
    {
        "sie": LensModelEntry(SIE, {"theta_e_arcsec": 1.3, "axis_ratio": 0.6, "pa_deg": 30.0,
                                    "x_arcsec": 0.3, "y_arcsec": -0.2}, _sie),
        "epl": LensModelEntry(PowerLawEllipsoid, {"theta_e_arcsec": 1.2, "slope": 1.8,
                                                  "axis_ratio": 0.5, "pa_deg": -70.0,
                                                  "x_arcsec": 0.3, "y_arcsec": -0.2}, _epl),
        "shear": LensModelEntry(ExternalShear, {"gamma": 0.12, "angle_deg": 100.0,
                                                "x_arcsec": -0.3, "y_arcsec": 0.5}, _shear),
        "convergence": LensModelEntry(ConvergenceSheet, {"kappa": 0.3, "x_arcsec": 0.1,
                                                         "y_arcsec": -0.4}, _sheet),
    }
)  # fmt: skip
"""Every lens mass model, by name: adding one is its class and one entry here."""

LENS_COMPONENTS: tuple[type, ...] = tuple(entry.cls for entry in LENS_MODELS.values())
"""The classes a :class:`~.plane.Lens` accepts as components."""
