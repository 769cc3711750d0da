"""Fields from mass outside the lens: an external shear and a uniform convergence sheet."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..._support import validate as _validate
from ._common import set_checked


@dataclass(frozen=True)
class ExternalShear:
    """The shear of mass outside the lens: potential ``gamma (a^2 - b^2) / 2``.

    Parameters
    ----------
    gamma : float
        Shear strength, in [0, 1).
    angle_deg : float
        Position angle (north through east) of the axis ``a`` of the potential; the mass
        that causes the shear lies along ``angle_deg + 90``.
    x_arcsec, y_arcsec : float
        Where the shear deflects nothing (arcsec; default the field centre).
    """

    singular_at_centre: ClassVar[bool] = False

    gamma: float
    angle_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        set_checked(self, {
            "gamma": _validate.real("gamma", self.gamma, low=0.0, high=1.0, high_open=True),
            "angle_deg": _validate.real("angle_deg", self.angle_deg),
            "x_arcsec": _validate.real("x_arcsec", self.x_arcsec),
            "y_arcsec": _validate.real("y_arcsec", self.y_arcsec),
        })  # fmt: skip

    @property
    def is_null(self) -> bool:
        """Whether this shear deflects nothing."""
        return self.gamma == 0.0

    def _components(self) -> tuple[float, float]:
        """Return ``(gamma_1, gamma_2)`` on the sky axes (``x``, ``y``)."""
        # The axis at PA p points at angle p + 90 from +x: cos 2(p + 90) = -cos 2p.
        twice = math.radians(2.0 * self.angle_deg)
        return -self.gamma * math.cos(twice), -self.gamma * math.sin(twice)

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(alpha_x, alpha_y)`` (arcsec): ``(g1 x + g2 y, g2 x - g1 y)``."""
        g1, g2 = self._components()
        dx, dy = np.asarray(x) - self.x_arcsec, np.asarray(y) - self.y_arcsec
        return g1 * dx + g2 * dy, g2 * dx - g1 * dy

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(f_xx, f_xy, f_yy) = (g1, g2, -g1)`` everywhere."""
        g1, g2 = self._components()
        ones = np.ones(np.broadcast(np.asarray(x), np.asarray(y)).shape)
        return g1 * ones, g2 * ones, -g1 * ones


@dataclass(frozen=True)
class ConvergenceSheet:
    """A uniform sheet of convergence ``kappa``: ``alpha = kappa (theta - centre)``.

    Parameters
    ----------
    kappa : float
        Convergence, in [0, 1).
    x_arcsec, y_arcsec : float
        Where the sheet deflects nothing (arcsec; default the field centre).
    """

    singular_at_centre: ClassVar[bool] = False

    kappa: float
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        set_checked(self, {
            "kappa": _validate.real("kappa", self.kappa, low=0.0, high=1.0, high_open=True),
            "x_arcsec": _validate.real("x_arcsec", self.x_arcsec),
            "y_arcsec": _validate.real("y_arcsec", self.y_arcsec),
        })  # fmt: skip

    @property
    def is_null(self) -> bool:
        """Whether this sheet deflects nothing."""
        return self.kappa == 0.0

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(alpha_x, alpha_y) = kappa (x - x_0, y - y_0)`` (arcsec)."""
        return (self.kappa * (np.asarray(x) - self.x_arcsec),
                self.kappa * (np.asarray(y) - self.y_arcsec))  # fmt: skip

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(f_xx, f_xy, f_yy) = (kappa, 0, kappa)`` everywhere."""
        ones = np.ones(np.broadcast(np.asarray(x), np.asarray(y)).shape)
        return self.kappa * ones, 0.0 * ones, self.kappa * ones
