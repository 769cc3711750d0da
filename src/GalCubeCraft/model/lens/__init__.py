"""Gravitational lenses in front of the scene: frozen records and their closed-form deflections.

Every angle here is in arcsec on the sky grid: ``x`` along the array's axis 2 (east is
-x) and ``y`` along axis 1 (north), offsets from the field centre, as galaxies are placed.
Position angles are degrees north through east, as everywhere in the package.  A lens
maps each image-plane position ``theta`` to the source plane, ``beta = theta - alpha(theta)``;
``alpha`` is the gradient of the lensing potential and its Hessian gives the
magnification ``1 / det(I - H)``.

The models (one table, :data:`~.registry.LENS_MODELS`, names them all; adding one is
its class and one entry there):

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
angle because it starts at north (+y) where lenstronomy's starts at +x.  The registry
carries this mapping for each model (:attr:`~.registry.LensModelEntry.lenstronomy`).

Modules: :mod:`.ellipsoids` (SIE, EPL, the distance ratio), :mod:`.fields` (shear,
sheet), :mod:`.registry` (the table) and :mod:`.plane` (:class:`Lens`).
"""

from .ellipsoids import SIE, PowerLawEllipsoid, distance_ratio
from .fields import ConvergenceSheet, ExternalShear
from .plane import Lens, LensComponent
from .registry import LENS_COMPONENTS, LENS_MODELS, LensModelEntry

__all__ = [
    "LENS_COMPONENTS",
    "LENS_MODELS",
    "SIE",
    "ConvergenceSheet",
    "ExternalShear",
    "Lens",
    "LensComponent",
    "LensModelEntry",
    "PowerLawEllipsoid",
    "distance_ratio",
]
