"""Gravitational lenses in front of the scene: frozen records and their closed-form deflections.

Every angle here is in arcsec on the sky grid: ``x`` along the array's axis 2 (east is
-x) and ``y`` along axis 1 (north), offsets from the field centre, as galaxies are placed.
Position angles are degrees north through east, as everywhere in the package.  A lens
maps each image-plane position ``theta`` to the source plane, ``beta = theta - alpha(theta)``;
``alpha`` is the gradient of the lensing potential and its Hessian gives the
magnification ``1 / det(I - H)``.

The models:

* :class:`SIE`, the singular isothermal ellipsoid with convergence
  ``kappa = theta_E / (2 sqrt(q a^2 + b^2 / q))`` in coordinates ``(a, b)`` along its major
  and minor axes (Einstein radius averaged over the axes, lenstronomy's convention);
  deflection and Hessian in the closed forms of Kormann, Schneider & Bartelmann (1994)
  and Keeton & Kochanek (1998).  ``q = 1`` is the singular isothermal sphere.
* :class:`PowerLawEllipsoid`, the elliptical power law (EPL) of any slope, Tessore &
  Metcalf's (2015) closed form; slope 2 is the SIE.
* :class:`ExternalShear`, the tidal field of mass outside the lens, ``alpha = Gamma theta``.
* :class:`ConvergenceSheet`, a uniform sheet of mass, ``alpha = kappa theta`` (the
  mass-sheet degeneracy's sheet; it also magnifies the sky isotropically by ``(1-kappa)^-2``).

Mapping to lenstronomy (``LensModel(['SIE', 'SHEAR', 'CONVERGENCE'])``, same ``x, y``):
``theta_E`` is the same; ``e1, e2 = phi_q2_ellipticity(radians(pa_deg + 90), q)``;
the shear's ``gamma1, gamma2 = shear_polar2cartesian(radians(angle_deg + 90), gamma)``;
the sheet's ``kappa`` is the same.  A position angle is 90 degrees from lenstronomy's
angle because it starts at north (+y) where lenstronomy's starts at +x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from .._support import validate as _validate
from ..conventions import major_minor_to_sky, sky_to_major_minor

_SPEED_OF_LIGHT_KMS = 299792.458
_ARCSEC_PER_RADIAN = 180.0 * 3600.0 / math.pi


@dataclass(frozen=True)
class SIE:
    """Singular isothermal ellipsoid (see the module docstring).

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

    theta_e_arcsec: float
    axis_ratio: float = 1.0
    pa_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        _set_checked(self, _ellipsoid_fields(self))

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
        theta_e = 4.0 * math.pi * (sigma / _SPEED_OF_LIGHT_KMS) ** 2 * ratio * _ARCSEC_PER_RADIAN
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
        return _rotate_hessian(common * b * b, -common * a * b, common * a * a, self.pa_deg)

    def _critical_radius(self) -> float:
        """Return ``s = theta_E sqrt(q)``, the scale of the closed forms."""
        return self.theta_e_arcsec * math.sqrt(self.axis_ratio)

    def _frame(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(a, b, a^2 + b^2, psi)`` of sky positions, in the lens's own axes."""
        a, b = _lens_axes(self, x, y)
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

    theta_e_arcsec: float
    slope: float = 2.0
    axis_ratio: float = 1.0
    pa_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        _set_checked(self, {
            **_ellipsoid_fields(self),
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
        alpha = self._axes_deflection(*_lens_axes(self, x, y))
        return major_minor_to_sky(alpha.real, alpha.imag, self.pa_deg)

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(f_xx, f_xy, f_yy)`` at ``(x, y)``; zero at the centre."""
        a, b = _lens_axes(self, x, y)
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
        return _rotate_hessian(kappa + gamma_1, gamma_2, kappa - gamma_1, self.pa_deg)


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

    gamma: float
    angle_deg: float = 0.0
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        _set_checked(self, {
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

    kappa: float
    x_arcsec: float = 0.0
    y_arcsec: float = 0.0

    def __post_init__(self) -> None:
        """Check the parameters."""
        _set_checked(self, {
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


LensComponent = Union[SIE, PowerLawEllipsoid, ExternalShear, ConvergenceSheet]
LENS_COMPONENTS = (SIE, PowerLawEllipsoid, ExternalShear, ConvergenceSheet)


@dataclass(frozen=True)
class Lens:
    """A lens plane: the sum of its components' deflections, at redshift ``z_lens``.

    Parameters
    ----------
    components : tuple
        :class:`SIE`, :class:`ExternalShear` and :class:`ConvergenceSheet` records; their
        deflections add (one plane).
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
                raise TypeError(
                    f"components[{k}] must be an SIE, PowerLawEllipsoid, ExternalShear or "
                    "ConvergenceSheet; "
                    f"got {type(component).__name__}"
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
        """Return the centres of the SIEs and EPLs (arcsec), where the deflection is singular."""
        return [(c.x_arcsec, c.y_arcsec) for c in self.components
                if isinstance(c, (SIE, PowerLawEllipsoid)) and not c.is_null]  # fmt: skip


def distance_ratio(z_lens: float, z_source: float, cosmology: Any = None) -> float:
    """Return ``D_ls / D_s``, the lensing efficiency, from angular-diameter distances."""
    from ..cosmology import check_cosmology, default_cosmology

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


def _rotate_hessian(
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


def _ellipsoid_fields(record: SIE | PowerLawEllipsoid) -> dict[str, float]:
    """Return the checked Einstein radius, axis ratio, PA and centre of an ellipsoid."""
    return {
        "theta_e_arcsec": _validate.non_negative("theta_e_arcsec", record.theta_e_arcsec),
        "axis_ratio": _validate.real("axis_ratio", record.axis_ratio, low=0.0, low_open=True,
                                     high=1.0),
        "pa_deg": _validate.real("pa_deg", record.pa_deg),
        "x_arcsec": _validate.real("x_arcsec", record.x_arcsec),
        "y_arcsec": _validate.real("y_arcsec", record.y_arcsec),
    }  # fmt: skip


def _lens_axes(
    record: SIE | PowerLawEllipsoid, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return sky positions (arcsec) along an ellipsoid's major and minor axes, from its centre."""
    return sky_to_major_minor(np.asarray(x) - record.x_arcsec, np.asarray(y) - record.y_arcsec,
                              record.pa_deg)  # fmt: skip


def _set_checked(record: object, values: dict[str, float]) -> None:
    """Store checked plain floats on a frozen record."""
    for name, value in values.items():
        object.__setattr__(record, name, value)
