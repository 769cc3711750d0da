"""Elliptical mass distributions: the singular isothermal ellipsoid and the power law.

Closed forms of Kormann, Schneider & Bartelmann (1994), Keeton & Kochanek (1998) and
Tessore & Metcalf (2015); see :mod:`GalCubeCraft.model.lens` for the conventions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..._support import validate as _validate
from ...conventions import major_minor_to_sky
from ._common import (
    ARCSEC_PER_RADIAN,
    SPEED_OF_LIGHT_KMS,
    ellipsoid_fields,
    lens_axes,
    rotate_hessian,
    set_checked,
)


@dataclass(frozen=True)
class SIE:
    """Singular isothermal ellipsoid (see :mod:`GalCubeCraft.model.lens`).

    Parameters
    ----------
    theta_e_arcsec : float
        Einstein radius (arcsec), >= 0; 0 deflects nothing.
    axis_ratio : float
        Minor over major axis of the mass's isodensity contours, in (0, 1]; 1 is a sphere.
    pa_deg : float
        Position angle of the mass's major axis, degrees north through east.
    x_arcsec, y_arcsec : float
        Centre, offsets from the field centre along the array's x and y axes (arcsec).
    """

    singular_at_centre: ClassVar[bool] = True
    """The deflection is singular at the centre (the renderer refines around it)."""

    theta_e_arcsec: float
    axis_ratio: float = 1.0
    pa_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        set_checked(self, ellipsoid_fields(self))

    @classmethod
    def from_velocity_dispersion(
        cls,
        sigma_kms: float,
        z_lens: float,
        z_source: float,
        cosmology: Any = None,
        **shape: float,
    ) -> SIE:
        """Return the SIE of a galaxy with velocity dispersion ``sigma_kms`` at ``z_lens``.

        ``theta_E = 4 pi (sigma / c)^2 D_ls / D_s`` with angular-diameter distances of
        ``cosmology`` (default flat LambdaCDM, H0 = 70, Omega_m = 0.3); ``shape`` takes
        ``axis_ratio``, ``pa_deg``, ``x_arcsec`` and ``y_arcsec``.
        """
        ratio = distance_ratio(z_lens, z_source, cosmology)
        sigma = _validate.non_negative("sigma_kms", sigma_kms)
        theta_e = 4.0 * math.pi * (sigma / SPEED_OF_LIGHT_KMS) ** 2 * ratio * ARCSEC_PER_RADIAN
        return cls(theta_e_arcsec=theta_e, **shape)

    @property
    def is_null(self) -> bool:
        """Whether this lens deflects nothing."""
        return self.theta_e_arcsec == 0.0

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the deflection ``(alpha_x, alpha_y)`` (arcsec) at ``(x, y)`` (arcsec)."""
        a, b, r2, psi = self._frame(x, y)
        scale = self._critical_radius()
        e = math.sqrt(1.0 - self.axis_ratio**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            if e < 1e-8:  # the sphere: alpha = theta_E theta / |theta|
                alpha_a, alpha_b = scale * a / psi, scale * b / psi
            else:
                alpha_a = (scale / e) * np.arctan(e * a / psi)
                alpha_b = (scale / e) * np.arctanh(e * b / psi)
        # At the centre itself the deflection is undefined (every direction at once): 0.
        alpha_a, alpha_b = np.where(r2 > 0.0, alpha_a, 0.0), np.where(r2 > 0.0, alpha_b, 0.0)
        return major_minor_to_sky(alpha_a, alpha_b, self.pa_deg)

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the potential's second derivatives ``(f_xx, f_xy, f_yy)`` at ``(x, y)``.

        Along the axes ``f_aa = s b^2 / (r^2 psi)``, ``f_bb = s a^2 / (r^2 psi)`` and
        ``f_ab = -s a b / (r^2 psi)`` with ``s = theta_E sqrt(q)`` and
        ``psi = sqrt(q^2 a^2 + b^2)``; rotated to the sky.  Zero at the centre.
        """
        a, b, r2, psi = self._frame(x, y)
        scale = self._critical_radius()
        with np.errstate(divide="ignore", invalid="ignore"):
            common = np.where(r2 > 0.0, scale / (r2 * psi), 0.0)
        return rotate_hessian(common * b * b, -common * a * b, common * a * a, self.pa_deg)

    def _critical_radius(self) -> float:
        """Return ``s = theta_E sqrt(q)``, the scale of the closed forms."""
        return self.theta_e_arcsec * math.sqrt(self.axis_ratio)

    def _frame(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(a, b, a^2 + b^2, psi)`` of sky positions, in the lens's own axes."""
        a, b = lens_axes(self, x, y)
        return a, b, a * a + b * b, np.sqrt(self.axis_ratio**2 * a * a + b * b)


@dataclass(frozen=True)
class PowerLawEllipsoid:
    """Elliptical power-law mass (EPL): ``kappa = (2 - t)/2 (s / psi)^t``, ``t = slope - 1``.

    ``psi = sqrt(q^2 a^2 + b^2)`` along the axes and ``s = theta_E sqrt(q)`` as for the
    :class:`SIE`, which is ``slope = 2``.  Deflection in the closed form of Tessore &
    Metcalf (2015), ``alpha = 2 s/(1 + q) (s/psi)^(t-1) e^{i phi} 2F1(1, t/2; 2 - t/2;
    -f e^{2 i phi})`` with ``f = (1 - q)/(1 + q)`` and ``phi`` the elliptical angle,
    evaluated by scipy's hypergeometric function; the Hessian from the convergence and
    the shear ``(1 - t) alpha / r e^{i theta} - kappa e^{2 i theta}`` (their eq. 17,
    corrected).  lenstronomy's ``EPL`` with ``gamma = slope``.

    Parameters
    ----------
    theta_e_arcsec : float
        Einstein radius (arcsec), >= 0.
    slope : float
        Logarithmic slope of the 3-D density, in (1, 3); 2 is isothermal.
    axis_ratio, pa_deg, x_arcsec, y_arcsec : float
        As for :class:`SIE`.
    """

    singular_at_centre: ClassVar[bool] = True
    """The deflection is singular at the centre (the renderer refines around it)."""

    theta_e_arcsec: float
    slope: float = 2.0
    axis_ratio: float = 1.0
    pa_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        set_checked(self, {
            **ellipsoid_fields(self),
            "slope": _validate.real("slope", self.slope, low=1.0, low_open=True, high=3.0,
                                    high_open=True),
        })  # fmt: skip

    @property
    def is_null(self) -> bool:
        """Whether this lens deflects nothing."""
        return self.theta_e_arcsec == 0.0

    def _axes_deflection(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Return the complex deflection ``alpha_a + i alpha_b`` along the lens's axes."""
        from scipy.special import hyp2f1

        q, t = self.axis_ratio, self.slope - 1.0
        scale = self.theta_e_arcsec * math.sqrt(q)
        z = q * a + 1j * b
        psi = np.abs(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(psi > 0.0, z / np.conj(z), 1.0)
            angular = z * hyp2f1(1.0, t / 2.0, 2.0 - t / 2.0, -(1.0 - q) / (1.0 + q) * ratio)
            alpha = 2.0 / (1.0 + q) * np.power(scale / psi, t) * angular
        return np.where(psi > 0.0, alpha, 0.0)

    def deflection(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the deflection ``(alpha_x, alpha_y)`` (arcsec) at ``(x, y)`` (arcsec)."""
        alpha = self._axes_deflection(*lens_axes(self, x, y))
        return major_minor_to_sky(alpha.real, alpha.imag, self.pa_deg)

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(f_xx, f_xy, f_yy)`` at ``(x, y)``; zero at the centre."""
        a, b = lens_axes(self, x, y)
        q, t = self.axis_ratio, self.slope - 1.0
        scale = self.theta_e_arcsec * math.sqrt(q)
        alpha = self._axes_deflection(a, b)
        r = np.hypot(a, b)
        psi = np.hypot(q * a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            kappa = np.where(psi > 0.0, (2.0 - t) / 2.0 * np.power(scale / psi, t), 0.0)
            cos, sin = np.where(r > 0.0, a / r, 1.0), np.where(r > 0.0, b / r, 0.0)
            gamma_1 = (1.0 - t) * (alpha.real * cos - alpha.imag * sin) / r - kappa * (
                2.0 * cos * cos - 1.0
            )
            gamma_2 = (1.0 - t) * (alpha.imag * cos + alpha.real * sin) / r - kappa * (
                2.0 * sin * cos)  # fmt: skip
        gamma_1 = np.where(r > 0.0, gamma_1, 0.0)
        gamma_2 = np.where(r > 0.0, gamma_2, 0.0)
        return rotate_hessian(kappa + gamma_1, gamma_2, kappa - gamma_1, self.pa_deg)


def distance_ratio(z_lens: float, z_source: float, cosmology: Any = None) -> float:
    """Return ``D_ls / D_s``, the lensing efficiency, from angular-diameter distances."""
    from ...cosmology import check_cosmology, default_cosmology

    z_l = _validate.real("z_lens", z_lens, low=0.0, low_open=True)
    z_s = _validate.real("z_source", z_source, low=0.0, low_open=True)
    if not z_l < z_s:
        raise ValueError(f"z_lens must be below z_source; got {z_l:g} and {z_s:g}")
    check_cosmology(cosmology)
    cosmo = default_cosmology() if cosmology is None else cosmology
    try:  # astropy >= 7 takes both redshifts here (and deprecates the _z1z2 spelling)
        d_ls = cosmo.angular_diameter_distance(z_l, z_s)
    except TypeError:  # pragma: no cover - older astropy
        d_ls = cosmo.angular_diameter_distance_z1z2(z_l, z_s)
    return float((d_ls / cosmo.angular_diameter_distance(z_s)).decompose())
