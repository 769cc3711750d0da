"""Warps and flares: a disk of tilted rings whose plane and thickness change with radius.

Each ring of radius ``R`` keeps the disk's surface brightness, rotation and flows, but lies
in its own plane, at inclination ``i(R)`` and position angle ``PA(R)``, with the vertical
exponential of scale height ``h_z(R)`` about that plane: KinMS's and 3D-Barolo's
tilted-ring model.  Each of the three is a callable of radius (kpc), or None for the
galaxy's constant value.  A flare spreads each ring's light over a different height and
keeps its flux, so the galaxy's line flux stays that of the flat disk with ``h_z`` = the
galaxy's ``h_z_kpc`` (the emissivity at ``R_e`` in the midplane, ``s_e``, refers to it).

Tilted rings are rendered in the disk's own frame (:mod:`GalCubeCraft.renderer.rings`),
except the flat part inside the first change of any profile (:meth:`TiltedRings.flat_radius`),
which is one plane and goes to the sky sampler like any flat disk: a "warp" that never
turns renders as the flat disk, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate

RadialFunction = Callable[[np.ndarray], np.ndarray]

FLAT_PROBES = 4096
"""Radii at which :meth:`TiltedRings.flat_radius` probes a profile that is not a table."""


@dataclass(frozen=True)
class TiltedRings:
    """Inclination, position angle and scale height as functions of radius (see above).

    Parameters
    ----------
    inclination_deg : callable, optional
        ``i(R_kpc)`` in degrees, within [0, 90]; None keeps the galaxy's.
    pa_deg : callable, optional
        ``PA(R_kpc)`` in degrees north through east (receding side); None keeps the galaxy's.
    h_z_kpc : callable, optional
        ``h_z(R_kpc)`` > 0 (kpc); None keeps the galaxy's.
    """

    inclination_deg: RadialFunction | None = None
    pa_deg: RadialFunction | None = None
    h_z_kpc: RadialFunction | None = None

    def __post_init__(self) -> None:
        """Check that each profile is a callable or None."""
        for name in ("inclination_deg", "pa_deg", "h_z_kpc"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise TypeError(f"{name} must be a callable of radius or None; got {value!r}")

    def at(
        self, radius_kpc: np.ndarray, inclination_deg: float, pa_deg: float, h_z_kpc: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the inclination and PA (degrees) and ``h_z`` (kpc) at each radius (kpc).

        The galaxy's ``inclination_deg``, ``pa_deg`` and ``h_z_kpc`` stand where there is
        no profile; float64 arrays of the shape of ``radius_kpc``.
        """
        radius = np.asarray(radius_kpc, dtype=float)

        def profile(value: RadialFunction | None, fallback: float) -> np.ndarray:
            if value is None:
                return np.full(radius.shape, float(fallback))
            return np.asarray(value(radius), dtype=np.float64) * np.ones(radius.shape)

        return (profile(self.inclination_deg, inclination_deg), profile(self.pa_deg, pa_deg),
                profile(self.h_z_kpc, h_z_kpc))  # fmt: skip

    def flat_radius(self, r_max: float) -> float:
        """Return the radius (kpc) inside which the disk is flat: every profile at its centre value.

        Infinite when no profile changes out to ``r_max``.  A table's breakpoints give the
        radius exactly; any other callable is probed at :data:`FLAT_PROBES` equal steps
        out to ``r_max``, and the flat part ends at the last probe before the first one
        that differs (the rings beyond render whatever lies between, so a late probe costs
        speed, never accuracy; only a profile that leaves its centre value and comes back
        between two probes would be missed).
        """
        radius = math.inf
        for profile in (self.inclination_deg, self.pa_deg, self.h_z_kpc):
            if profile is None:
                continue
            if isinstance(profile, _Table):
                radii, values = profile.radii, profile.values
            else:
                radii = np.linspace(0.0, r_max, FLAT_PROBES + 1)
                values = np.asarray(profile(radii), dtype=float) * np.ones(radii.shape)
            changed = np.flatnonzero(values != values[0])
            if changed.size:
                radius = min(radius, float(radii[changed[0] - 1]) if changed[0] > 0 else 0.0)
        return radius

    @classmethod
    def tabulated(
        cls,
        radii_kpc: Sequence[float],
        inclination_deg: Sequence[float] | None = None,
        pa_deg: Sequence[float] | None = None,
        h_z_kpc: Sequence[float] | None = None,
    ) -> TiltedRings:
        """Return rings interpolated linearly between tabulated radii (constant beyond them)."""
        radii = np.asarray(radii_kpc, dtype=float)
        if radii.ndim != 1 or radii.size < 2 or not np.all(np.diff(radii) > 0):
            raise ValueError("radii_kpc must hold at least two increasing radii")

        def table(name: str, values: Sequence[float] | None) -> RadialFunction | None:
            if values is None:
                return None
            array = np.asarray(values, dtype=float)
            if array.shape != radii.shape or not np.all(np.isfinite(array)):
                raise ValueError(f"{name} must hold one finite value per radius")
            return _Table(radii, array)

        if inclination_deg is not None:
            for value in inclination_deg:
                _validate.real("inclination_deg", value, low=0.0, high=90.0)
        if h_z_kpc is not None:
            for value in h_z_kpc:
                _validate.positive("h_z_kpc", value)
        return cls(table("inclination_deg", inclination_deg), table("pa_deg", pa_deg),
                   table("h_z_kpc", h_z_kpc))  # fmt: skip


def linear_warp(
    start_kpc: float,
    length_kpc: float,
    inclination_deg: tuple[float, float],
    pa_deg: tuple[float, float],
    h_z_kpc: tuple[float, float],
) -> TiltedRings:
    """Return rings flat inside ``start_kpc`` that turn linearly over ``length_kpc``.

    Each pair is (inner value, outer value); the outer values hold beyond
    ``start_kpc + length_kpc``.  The datasets' warp prior
    (:class:`~GalCubeCraft.priors.spec.DatasetSpec`).
    """
    radii = [0.0, start_kpc, start_kpc + length_kpc]
    return TiltedRings.tabulated(
        radii,
        inclination_deg=[inclination_deg[0], inclination_deg[0], inclination_deg[1]],
        pa_deg=[pa_deg[0], pa_deg[0], pa_deg[1]],
        h_z_kpc=[h_z_kpc[0], h_z_kpc[0], h_z_kpc[1]],
    )


def warp_parameters(rings: TiltedRings | None) -> tuple[float, float, float, float]:
    """Return ``(start_kpc, inclination change, PA change, flare factor)`` of a linear warp.

    ``(0, 0, 0, 1)`` without rings; NaN for rings that :func:`linear_warp` did not make.
    """
    if rings is None:
        return (0.0, 0.0, 0.0, 1.0)
    tables = (rings.inclination_deg, rings.pa_deg, rings.h_z_kpc)
    if not all(isinstance(t, _Table) and t.values.size == 3 for t in tables):
        return (np.nan, np.nan, np.nan, np.nan)
    incl, pa, h_z = tables
    assert isinstance(incl, _Table) and isinstance(pa, _Table) and isinstance(h_z, _Table)
    return (float(incl.radii[1]), float(incl.values[2] - incl.values[0]),
            float(pa.values[2] - pa.values[0]), float(h_z.values[2] / h_z.values[0]))  # fmt: skip


@dataclass(frozen=True, eq=False)
class _Table:
    """Linear interpolation in a table of radii (picklable, unlike a closure)."""

    radii: np.ndarray
    values: np.ndarray

    def __call__(self, r: np.ndarray) -> np.ndarray:
        return np.interp(r, self.radii, self.values)
