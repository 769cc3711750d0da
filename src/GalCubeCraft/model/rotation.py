"""Rotation curves behind one small interface.

A rotation curve is any callable ``v_circ(r_kpc) -> km/s`` that accepts a NumPy array of
non-negative radii.  The classes here are frozen dataclasses, so they compare, print and
pickle (Dask ships them to workers).  :data:`ROTATION_CURVES` names every class with an
example of it; the contract test runs over that table.

The renderer's compiled velocity kernel evaluates these classes itself, at every sample,
from the code and parameters :func:`kernel_form` gives (no NumPy temporaries over the
samples); any other callable is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .._support import validate as _validate
from .profiles import b_n

MW_CURVE_AMPLITUDE = 1.022
"""Amplitude of the Milky-Way power law ``v(R) = v_0 * 1.022 * (R / R_0)^0.0803``."""
MW_CURVE_SLOPE = 0.0803
"""Logarithmic slope of the Milky-Way power law."""
MW_CURVE_R0_FACTOR = 2.0
"""Scale radius of the power law attached to a Sérsic disk: ``R_0 = 2 R_e / b_n^n``."""


@runtime_checkable
class RotationCurve(Protocol):
    """Circular velocity (km/s) as a function of cylindrical radius (kpc)."""

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the circular speed at ``r_kpc``."""
        ...


@dataclass(frozen=True)
class MilkyWayRotationCurve:
    """A power-law fit to the Milky Way's rotation curve, ``v_0 * 1.022 * (R / R_0)^0.0803``.

    Parameters
    ----------
    v_0_kms : float
        Characteristic velocity (km/s).
    r_0_kpc : float
        Scale radius (kpc); :meth:`for_sersic` derives it as ``2 R_e / b_n^n``.
    """

    v_0_kms: float = 200.0
    r_0_kpc: float = 1.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        v_0 = _validate.speed_kms("v_0_kms", self.v_0_kms, signed=False)
        object.__setattr__(self, "v_0_kms", v_0)
        object.__setattr__(self, "r_0_kpc", _validate.positive("r_0_kpc", self.r_0_kpc))

    @classmethod
    def for_sersic(cls, v_0_kms: float, r_e_kpc: float, n: float) -> MilkyWayRotationCurve:
        """Return the curve of a Sérsic disk, ``R_0 = 2 R_e / b_n^n`` (drawn galaxies')."""
        return cls(v_0_kms=v_0_kms, r_0_kpc=MW_CURVE_R0_FACTOR * r_e_kpc / b_n(n) ** n)

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the circular speed (km/s) at ``r_kpc``."""
        # In place on one new array (the renderer asks for millions of samples at once):
        # the same operations, in the same order and types, as the plain expression.
        speed = np.asarray(np.divide(np.asarray(r_kpc), self.r_0_kpc))
        np.power(speed, MW_CURVE_SLOPE, out=speed)
        speed *= self.v_0_kms * MW_CURVE_AMPLITUDE
        return speed if speed.ndim else speed[()]  # a scalar for a scalar, as NumPy gives


@dataclass(frozen=True)
class FlatRotationCurve:
    """A constant circular speed ``v_flat_kms`` at every radius."""

    v_flat_kms: float = 200.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        object.__setattr__(
            self, "v_flat_kms", _validate.speed_kms("v_flat_kms", self.v_flat_kms, signed=False)
        )

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the circular speed (km/s) at ``r_kpc``."""
        return np.full_like(np.asarray(r_kpc, dtype=float), self.v_flat_kms)


@dataclass(frozen=True)
class ArctanRotationCurve:
    """The arctan curve ``v(R) = (2 / pi) v_flat arctan(R / r_turn)`` (Courteau 1997)."""

    v_flat_kms: float = 200.0
    r_turn_kpc: float = 1.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        object.__setattr__(
            self, "v_flat_kms", _validate.speed_kms("v_flat_kms", self.v_flat_kms, signed=False)
        )
        object.__setattr__(self, "r_turn_kpc", _validate.positive("r_turn_kpc", self.r_turn_kpc))

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the circular speed (km/s) at ``r_kpc``."""
        return (2.0 / np.pi) * self.v_flat_kms * np.arctan(np.asarray(r_kpc) / self.r_turn_kpc)


@dataclass(frozen=True)
class TabulatedRotationCurve:
    """A rotation curve interpolated linearly from tabulated ``(r_kpc, v_kms)`` pairs.

    Outside the table the end values are held constant.
    """

    r_kpc: tuple[float, ...]
    v_kms: tuple[float, ...]

    def __post_init__(self) -> None:
        """Check the table: matching lengths, ascending finite radii, finite speeds."""
        r = _validate.finite_array("r_kpc", self.r_kpc).astype(float)
        v = _validate.finite_array("v_kms", self.v_kms).astype(float)
        c = _validate.SPEED_OF_LIGHT_KMS
        if np.any(np.abs(v) >= c):
            raise ValueError(f"v_kms must lie in (-{c:.10g}, {c:.10g}) km/s; got {self.v_kms!r}")
        if r.ndim != 1 or r.shape != v.shape or r.size < 2:
            raise ValueError(
                "r_kpc and v_kms must be 1-D of equal length >= 2; "
                f"got shapes {r.shape} and {v.shape}"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise ValueError("r_kpc and v_kms must be finite")
        if np.any(np.diff(r) <= 0) or r[0] < 0:
            raise ValueError("r_kpc must be non-negative and strictly ascending")
        object.__setattr__(self, "r_kpc", tuple(float(x) for x in r))
        object.__setattr__(self, "v_kms", tuple(float(x) for x in v))

    def __call__(self, r_kpc: np.ndarray) -> np.ndarray:
        """Return the interpolated circular speed (km/s) at ``r_kpc``."""
        return np.interp(np.asarray(r_kpc, dtype=float), self.r_kpc, self.v_kms)


CURVE_MILKY_WAY = 1
"""Code of :class:`MilkyWayRotationCurve` in :func:`kernel_form`: ``(r_0, slope, v_0 * 1.022)``."""
CURVE_FLAT = 2
"""Code of :class:`FlatRotationCurve` in :func:`kernel_form`: ``(v_flat,)``."""
CURVE_ARCTAN = 3
"""Code of :class:`ArctanRotationCurve` in :func:`kernel_form`: ``(r_turn, 2 v_flat / pi)``."""
CURVE_TABULATED = 4
"""Code of :class:`TabulatedRotationCurve` in :func:`kernel_form`: ``(*r_kpc, *v_kms)``."""


def kernel_form(curve: object) -> tuple[int, np.ndarray] | None:
    """Return ``(code, parameters)`` by which compiled code evaluates ``curve``, or None.

    The parameters (float64) are those each ``__call__`` above combines, in the same
    order, so compiled code can repeat its arithmetic (see the ``CURVE_*`` codes).  Only
    the classes here qualify, exactly: a subclass may override ``__call__``, and any
    other callable is called.
    """
    kind = type(curve)
    if kind is MilkyWayRotationCurve:
        assert isinstance(curve, MilkyWayRotationCurve)
        values = (curve.r_0_kpc, MW_CURVE_SLOPE, curve.v_0_kms * MW_CURVE_AMPLITUDE)
        return CURVE_MILKY_WAY, np.array(values)
    if kind is FlatRotationCurve:
        assert isinstance(curve, FlatRotationCurve)
        return CURVE_FLAT, np.array([curve.v_flat_kms])
    if kind is ArctanRotationCurve:
        assert isinstance(curve, ArctanRotationCurve)
        return CURVE_ARCTAN, np.array([curve.r_turn_kpc, (2.0 / np.pi) * curve.v_flat_kms])
    if kind is TabulatedRotationCurve:
        assert isinstance(curve, TabulatedRotationCurve)
        return CURVE_TABULATED, np.array(curve.r_kpc + curve.v_kms)
    return None


@dataclass(frozen=True)
class CurveEntry:
    """A rotation curve class and parameters that make a typical example of it.

    The examples drive the contract test that every curve passes
    (``tests/model/test_rotation.py``), as astropy's table of example models does.
    """

    cls: type
    example: Mapping[str, Any]

    def make(self) -> RotationCurve:
        """Return the example curve."""
        curve: RotationCurve = self.cls(**self.example)
        return curve


ROTATION_CURVES: Mapping[str, CurveEntry] = MappingProxyType(
    {
        "milky_way": CurveEntry(MilkyWayRotationCurve, {"v_0_kms": 200.0, "r_0_kpc": 2.5}),
        "flat": CurveEntry(FlatRotationCurve, {"v_flat_kms": 180.0}),
        "arctan": CurveEntry(ArctanRotationCurve, {"v_flat_kms": 220.0, "r_turn_kpc": 1.5}),
        "tabulated": CurveEntry(
            TabulatedRotationCurve,
            {"r_kpc": (0.0, 1.0, 4.0, 10.0), "v_kms": (0.0, 150.0, 210.0, 205.0)},
        ),
    }
)
"""Every rotation curve the package offers, by name: adding one is one entry here."""
