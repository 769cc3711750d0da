"""Star-forming clumps: compact Gaussian knots in the disk plane that co-rotate.

A clump is an isotropic 3-D Gaussian of width ``sigma_kpc`` centred in the midplane at
radius ``radius_kpc`` and azimuth ``azimuth_deg`` (in the plane, from the receding
major axis toward the far side), holding ``flux_fraction`` of its galaxy's line flux.
It moves with the disk's rotation (and flows) at its centre, plus ``v_offset_kms``,
and its line has dispersion ``sigma_kms`` (default the galaxy's): a rigid knot, with no
rotation gradient across it.  On a warped disk (:mod:`GalCubeCraft.model.rings`) a
clump lies and moves in the plane of the ring at its radius.  The clumps are rendered exactly
(:mod:`GalCubeCraft.renderer.blobs`), and the smooth disk is dimmed by the clumps' total
fraction, so a galaxy's line flux stays :attr:`Galaxy.line_flux` whatever its clumps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._support import validate as _validate
from ..conventions import disk_to_sky, inclination_trig, major_minor_to_sky
from .blobs import GaussianBlobs

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .galaxy import Galaxy


@dataclass(frozen=True)
class Clump:
    """One clump (see the module docstring); ``sigma_kms=None`` takes the galaxy's."""

    radius_kpc: float
    azimuth_deg: float
    sigma_kpc: float
    flux_fraction: float
    v_offset_kms: float = 0.0
    sigma_kms: float | None = None

    def __post_init__(self) -> None:
        """Check the clump's parameters."""
        checked = {
            "radius_kpc": _validate.non_negative("radius_kpc", self.radius_kpc),
            "azimuth_deg": _validate.real("azimuth_deg", self.azimuth_deg),
            "sigma_kpc": _validate.positive("sigma_kpc", self.sigma_kpc),
            "flux_fraction": _validate.real("flux_fraction", self.flux_fraction, low=0.0, high=1.0),
            "v_offset_kms": _validate.real("v_offset_kms", self.v_offset_kms),
        }
        if self.sigma_kms is not None:
            checked["sigma_kms"] = _validate.non_negative("sigma_kms", self.sigma_kms)
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def clump_fraction(clumps: tuple[Clump, ...]) -> float:
    """Return the clumps' share of their galaxy's line flux."""
    return float(sum(c.flux_fraction for c in clumps))


def clump_blobs(galaxy: Galaxy, velocity: Callable[..., np.ndarray]) -> GaussianBlobs:
    """Return ``galaxy``'s clumps as blobs on the sky.

    ``velocity`` is the galaxy's line-of-sight velocity field,
    ``velocity(a, r, y) -> km/s`` in the disk plane (the renderer's, with flows and
    asymmetric drift), evaluated at each clump's centre.
    """
    clumps = galaxy.clumps
    theta = np.radians([c.azimuth_deg for c in clumps])
    radius = np.array([c.radius_kpc for c in clumps])
    x_d, y_d = radius * np.cos(theta), radius * np.sin(theta)
    if galaxy.rings is None:
        incl = math.radians(galaxy.inclination_deg)
        a, b, _ = disk_to_sky(x_d, y_d, np.zeros_like(x_d), math.cos(incl), math.sin(incl))
        x, y = major_minor_to_sky(a, b, galaxy.pa_deg)
        v = np.asarray(velocity(x_d, radius, y_d), dtype=np.float64)
    else:  # a warped disk: each clump lies and moves in the plane of its own ring
        x, y, v = np.empty_like(x_d), np.empty_like(x_d), np.empty_like(x_d)
        for k in range(len(clumps)):
            here = slice(k, k + 1)
            ring_incl, ring_pa, _ = galaxy.rings.at(radius[here], galaxy.inclination_deg,
                                                    galaxy.pa_deg, galaxy.h_z_kpc)  # fmt: skip
            cos_i, sin_i = inclination_trig(float(ring_incl[0]))
            a, b, _ = disk_to_sky(x_d[here], y_d[here], np.zeros(1), cos_i, sin_i)
            x[here], y[here] = major_minor_to_sky(a, b, float(ring_pa[0]))
            v[here] = np.asarray(velocity(x_d[here], radius[here], y_d[here], sin_i=sin_i))
    return GaussianBlobs(
        x_kpc=x + galaxy.x_kpc,
        y_kpc=y + galaxy.y_kpc,
        sigma_kpc=np.array([c.sigma_kpc for c in clumps]),
        flux=np.array([c.flux_fraction for c in clumps]) * galaxy.line_flux,
        v_kms=v + np.array([c.v_offset_kms for c in clumps]),
        sigma_kms=np.array(
            [galaxy.sigma_kms if c.sigma_kms is None else c.sigma_kms for c in clumps]
        ),
    )
