"""A galaxy reduced to the plain floats the hot path needs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..conventions import inclination_trig
from ..model.arms import SpiralArms
from ..model.clumps import clump_fraction
from ..model.drift import drifted_curve
from ..model.flows import NonCircularFlows
from ..model.galaxy import Galaxy
from ..model.profiles import b_n, sersic_truncation_radius


@dataclass(frozen=True)
class DiskGeometry:
    """Precomputed constants of one galaxy, in kpc and km/s.

    ``r_max`` and ``z_max`` bound the cylinder outside which the disk holds at most
    ``lost_fraction`` of its light radially and again vertically.
    """

    s_e: float
    r_e: float
    inv_n: float
    b_n: float
    h_z: float
    cos_i: float
    sin_i: float
    pa_deg: float
    r_max: float
    z_max: float
    x0: float
    y0: float
    v_sys: float
    sigma: float
    curve: Callable[[np.ndarray], np.ndarray]
    line_flux: float
    flows: NonCircularFlows | None = None
    sigma_profile: Callable[[np.ndarray], np.ndarray] | None = None
    arms: SpiralArms | None = None
    taper: tuple[float, float] | None = None
    """``(start, end)`` radii (kpc) over which the emissivity falls smoothly to zero
    (:func:`taper_weight`): a warped disk's flat core, which its rings complete."""

    @classmethod
    def from_galaxy(cls, galaxy: Galaxy, lost_fraction: float) -> DiskGeometry:
        """Reduce ``galaxy`` to floats, truncating at ``lost_fraction`` of its light.

        A radial dispersion profile sets ``sigma`` to its least value over the disk (the
        channel response's width); each sample adds the rest as variance
        (:meth:`extra_variance`).  With asymmetric drift the curve is the rotation
        speed, :func:`~GalCubeCraft.model.drift.drifted_curve`.
        """
        cos_i, sin_i = inclination_trig(galaxy.inclination_deg)
        r_max = float(sersic_truncation_radius(galaxy.r_e_kpc, galaxy.n_sersic, lost_fraction))
        sigma = float(galaxy.sigma_kms)
        profile = galaxy.dispersion_profile
        if profile is not None:
            radii = np.linspace(0.0, r_max, 1025)
            sigma = float(np.min(np.asarray(profile(radii), dtype=float)))
        curve = galaxy.rotation_curve
        if galaxy.asymmetric_drift:
            curve = drifted_curve(galaxy)
        # Clumps take their share of the light from the smooth disk.
        smooth = 1.0 - clump_fraction(galaxy.clumps)
        # Plain Python floats throughout: a NumPy float64 scalar would promote the
        # renderer's float32 sample arrays to float64 (NEP 50), changing results with the
        # type of the inputs rather than their values.
        return cls(
            s_e=float(galaxy.s_e) * (smooth if galaxy.clumps else 1.0),
            r_e=float(galaxy.r_e_kpc),
            inv_n=1.0 / float(galaxy.n_sersic),
            b_n=float(b_n(galaxy.n_sersic)),
            h_z=float(galaxy.h_z_kpc),
            cos_i=float(cos_i),
            sin_i=float(sin_i),
            pa_deg=float(galaxy.pa_deg),
            r_max=r_max,
            z_max=float(galaxy.h_z_kpc * math.log(1.0 / lost_fraction)),
            x0=float(galaxy.x_kpc),
            y0=float(galaxy.y_kpc),
            v_sys=float(galaxy.v_sys_kms),
            sigma=sigma,
            curve=curve,  # type: ignore[arg-type]
            line_flux=float(galaxy.line_flux) * (smooth if galaxy.clumps else 1.0),
            flows=None if galaxy.flows is None or galaxy.flows.is_zero else galaxy.flows,
            sigma_profile=profile,
            arms=galaxy.arms,
        )

    @property
    def half_extent_minor(self) -> float:
        """Largest projected distance from the centre along the minor axis with emission."""
        return self.r_max * self.cos_i + self.z_max * self.sin_i

    def emissivity(self, r: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Return the emissivity at disk radius ``r`` and height ``z`` (kpc)."""
        return self.s_e * np.exp(
            -self.b_n * (np.power(r / self.r_e, self.inv_n) - 1.0) - np.abs(z) / self.h_z
        )

    @property
    def needs_azimuth(self) -> bool:
        """Whether samples must carry their in-plane ``y`` (flows or arms need the azimuth)."""
        return self.flows is not None or self.arms is not None

    def extra_variance(self, r: np.ndarray) -> np.ndarray:
        """Return ``sigma(R)^2 - sigma^2`` (km/s)^2 at radii ``r`` (float32, >= 0).

        The line width beyond the channel response's, added to each sample's variance.
        """
        assert self.sigma_profile is not None
        profile = np.asarray(self.sigma_profile(r), dtype=np.float32)
        return np.maximum(profile * profile - np.float32(self.sigma * self.sigma), 0.0)

    def los_velocity(
        self,
        a: np.ndarray,
        r: np.ndarray,
        y: np.ndarray | None = None,
        sin_i: float | np.ndarray | None = None,
    ) -> np.ndarray:
        """Return the line-of-sight velocity at in-plane ``(x = a, y)`` and radius ``r``.

        ``v_sys + v_c(R) (a / R) sin i``; zero rotation on the axis itself.  With
        non-circular flows (:mod:`GalCubeCraft.model.flows`) their terms are added, which
        need ``y`` (toward the far side) for the azimuth.  ``sin_i`` replaces the disk's
        (tilted rings give each radius its own).
        """
        from .velocity_kernel import curve_velocity  # numba: loaded on first use

        sin_i = self.sin_i if sin_i is None else sin_i
        circular = curve_velocity(a, r, self.curve, sin_i, self.v_sys)
        streams = self.arms is not None and self.arms.streams
        if self.flows is None and not streams:
            return circular
        if y is None:
            raise ValueError("non-circular flows and streaming need the in-plane y of every sample")
        with np.errstate(invalid="ignore", divide="ignore"):
            cos_theta = np.where(r > 0.0, a / r, 0.0)
            sin_theta = np.where(r > 0.0, y / r, 0.0)
        if self.flows is not None:
            circular = circular + self.flows.projected(r, cos_theta, sin_theta) * sin_i
        if streams:
            assert self.arms is not None
            circular = circular + self.arms.streaming(r, cos_theta, sin_theta, self.r_e) * sin_i
        return circular


def taper_weight(r: np.ndarray, start: float, end: float) -> np.ndarray:
    """Return 1 inside ``start``, 0 beyond ``end``, and a smooth step between (kpc radii).

    The quintic ``1 - t^3 (10 - 15 t + 6 t^2)`` of ``t = (r - start) / (end - start)``:
    its first and second derivatives vanish at both ends, so a tapered disk has no edge
    for the sky sampler's refinement to chase.  In the type of ``r``.
    """
    t = np.clip((r - r.dtype.type(start)) * r.dtype.type(1.0 / (end - start)), 0.0, 1.0)
    return 1.0 - t * t * t * (10.0 - t * (15.0 - 6.0 * t))
