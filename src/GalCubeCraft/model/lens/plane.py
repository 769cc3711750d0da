"""A lens plane: the sum of its components' deflections, and what follows from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from ..._support import validate as _validate
from .registry import LENS_COMPONENTS


class LensComponent(Protocol):
    """What a lens component is: a centre, a deflection and its Hessian (arcsec)."""

    singular_at_centre: ClassVar[bool]

    @property
    def x_arcsec(self) -> float:
        """Centre along x (arcsec)."""
        ...

    @property
    def y_arcsec(self) -> float:
        """Centre along y (arcsec)."""
        ...

    @property
    def is_null(self) -> bool:
        """Whether it deflects nothing."""
        ...

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(alpha_x, alpha_y)`` (arcsec) at ``(x, y)`` (arcsec)."""
        ...

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the potential's ``(f_xx, f_xy, f_yy)`` at ``(x, y)``."""
        ...


@dataclass(frozen=True)
class Lens:
    """A lens plane: the sum of its components' deflections, at redshift ``z_lens``.

    Parameters
    ----------
    components : tuple
        Components of the kinds in :data:`~.registry.LENS_MODELS` (:class:`SIE`,
        :class:`PowerLawEllipsoid`, :class:`ExternalShear`, :class:`ConvergenceSheet`);
        their deflections add (one plane).
    z_lens : float, optional
        Redshift of the lens; when given, it must lie in front of the sources.  The
        components carry their own Einstein radii (see
        :meth:`SIE.from_velocity_dispersion` to derive one from ``z_lens``).
    """

    components: tuple[LensComponent, ...]
    z_lens: float | None = None

    def __post_init__(self) -> None:
        """Check the components."""
        components = tuple(self.components)
        if not components:
            raise ValueError("a Lens needs at least one component")
        for k, component in enumerate(components):
            if not isinstance(component, LENS_COMPONENTS):
                kinds = ", ".join(cls.__name__ for cls in LENS_COMPONENTS)
                raise TypeError(
                    f"components[{k}] must be one of {kinds}; got {type(component).__name__}"
                )
        object.__setattr__(self, "components", components)
        if self.z_lens is not None:
            object.__setattr__(
                self, "z_lens", _validate.real("z_lens", self.z_lens, low=0.0, low_open=True)
            )

    @property
    def is_null(self) -> bool:
        """Whether the lens deflects nothing (then it renders the unlensed cube exactly)."""
        return all(c.is_null for c in self.components)

    def check_source_redshift(self, z_source: float) -> None:
        """Raise ``ValueError`` unless the sources at ``z_source`` lie behind the lens."""
        if self.z_lens is not None and not self.z_lens < z_source:
            raise ValueError(
                f"the lens (z_lens={self.z_lens:g}) must lie in front of the sources "
                f"(redshift {z_source:g})"
            )

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the summed deflection ``(alpha_x, alpha_y)`` (arcsec) at ``(x, y)``."""
        total_x, total_y = np.zeros(np.shape(x)), np.zeros(np.shape(y))
        for component in self.components:
            alpha_x, alpha_y = component.deflection(x, y)
            total_x, total_y = total_x + alpha_x, total_y + alpha_y
        return total_x, total_y

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the summed potential Hessian ``(f_xx, f_xy, f_yy)`` at ``(x, y)``."""
        f_xx = f_xy = f_yy = np.zeros(np.broadcast(np.asarray(x), np.asarray(y)).shape)
        for component in self.components:
            h_xx, h_xy, h_yy = component.hessian(x, y)
            f_xx, f_xy, f_yy = f_xx + h_xx, f_xy + h_xy, f_yy + h_yy
        return f_xx, f_xy, f_yy

    def source_position(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the source-plane position ``beta = theta - alpha(theta)`` (arcsec)."""
        alpha_x, alpha_y = self.deflection(x, y)
        return np.asarray(x) - alpha_x, np.asarray(y) - alpha_y

    def jacobian_determinant(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return ``det A = (1 - f_xx)(1 - f_yy) - f_xy^2``; the magnification is its inverse."""
        f_xx, f_xy, f_yy = self.hessian(x, y)
        return (1.0 - f_xx) * (1.0 - f_yy) - f_xy * f_xy

    def magnification(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the signed point magnification ``1 / det A`` (inf on critical curves)."""
        with np.errstate(divide="ignore"):
            return 1.0 / self.jacobian_determinant(x, y)

    def stretch(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return ``|1 - kappa| + gamma``: the most a small image patch grows in the source plane.

        The largest singular value of ``A = I - H``: a cell of size ``s`` maps onto a
        source patch no wider than about ``stretch * s`` (exactly, where ``A`` is uniform).
        """
        f_xx, f_xy, f_yy = self.hessian(x, y)
        kappa = 0.5 * (f_xx + f_yy)
        gamma = np.hypot(0.5 * (f_xx - f_yy), f_xy)
        return np.abs(1.0 - kappa) + gamma

    def singular_points(self) -> list[tuple[float, float]]:
        """Return the centres (arcsec) of the components whose deflection is singular there."""
        return [(c.x_arcsec, c.y_arcsec) for c in self.components
                if c.singular_at_centre and not c.is_null]  # fmt: skip
