"""Diffuse emission (halo, bridges, tidal tails) as exact, seeded components.

Rather than painting voxels with a random velocity each, every component is an
emissivity with a velocity field and a Gaussian line profile (its expectation):

- the **halo** is a disk record like the galaxies (a Sérsic ``halo_n``
  profile in the plane times a vertical exponential, ``halo_Re_factor`` x the primary's
  R_e, ``halo_hz_factor`` x its h_z, ``halo_Se_factor`` x its S_e), in the primary's
  plane and centre, not rotating, with dispersion ``halo_sigma_vz``; the renderer
  integrates it like any galaxy;
- a **bridge** to each satellite is a Gaussian tube along the segment ``[start, 1 -
  stop]`` of the primary-satellite line (3-D, depth included), its width tapering from
  ``bridge_width_start_factor`` x the primary's R_e to ``bridge_width_end_factor`` x
  the satellite's, its on-axis amplitude ``bridge_Se_factor`` x the smaller S_e under a
  trapezoid window with ramps ``bridge_edge_fade``; its velocity runs linearly from
  the primary's systemic velocity to the satellite's, dispersion ``bridge_sigma_vz``;
- a **tidal tail** per satellite is an arc of ``tail_n_samples`` Gaussian blobs
  from the satellite away from the primary, bent by ``tail_curvature`` x the separation
  toward a direction drawn from the cube's generator, amplitude falling linearly from
  ``tail_Se_factor`` x the satellite's S_e, velocity rising by ``tail_vel_gradient``.

Bridges and tails are sums of isotropic 3-D Gaussians (the tube sampled at half its
narrowest width, which makes its surface smooth to about 1e-3), each rendered exactly
(:mod:`GalCubeCraft.renderer.blobs`), so a component's flux is the sum of its blobs'.

Choices where a voxel-painting model is ambiguous:

- ``tail_length_factor`` defaults to 0.5: a length of 0.001 would put every blob of a
  tail on the satellite (no tail);
- a tail's width is ``tail_width_factor`` x the satellite's h_z, at least one pixel (a
  width in R_e would make a tail several times brighter than its satellite);
- tails have no sigmoid gate behind the satellite (it would make the blobs
  non-Gaussian; the arc starts at the satellite and leaves away from the primary anyway);
- the halo lies in the primary's plane, whatever the primary's orientation.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._support import validate as _validate
from .blobs import GaussianBlobs, gaussian_volume
from .galaxy import Galaxy
from .rotation import FlatRotationCurve

_BRIDGE_SAMPLING = 0.5  # blob spacing along a bridge, in its narrowest width (sigma)


@dataclass(frozen=True)
class DiffuseParams:
    """The diffuse-emission knobs; off by default.

    Lengths are factors of the galaxies' sizes (see the module docstring), velocities
    km/s.  ``DiffuseParams.from_dict({'enabled': True})`` gives the defaults, on.
    """

    enabled: bool = False
    halo_Re_factor: float = 3.0  # noqa: N815 - the knobs' names in specs and dicts
    halo_Se_factor: float = 0.065  # noqa: N815
    halo_hz_factor: float = 2.0
    halo_n: float = 0.5
    halo_sigma_vz: float = 70.0
    bridge_start_frac: float = 0.2
    bridge_stop_frac: float = 0.0
    bridge_width_start_factor: float = 1.5
    bridge_width_end_factor: float = 1.0
    bridge_edge_fade: float = 0.04
    bridge_Se_factor: float = 0.05  # noqa: N815
    bridge_sigma_vz: float = 100.0
    tail_length_factor: float = 0.5
    tail_curvature: float = 0.5
    tail_width_factor: float = 1.5
    tail_Se_factor: float = 0.4  # noqa: N815
    tail_vel_gradient: float = 50.0
    tail_sigma_vz: float = 100.0
    tail_n_samples: int = 25

    def __post_init__(self) -> None:
        """Check every knob."""
        _validate.boolean("enabled", self.enabled)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "enabled":
                continue
            if f.name == "tail_n_samples":
                _validate.integer(f.name, value, low=2, high=10_000)
            elif f.name in ("bridge_start_frac", "bridge_stop_frac"):
                _validate.real(f.name, value, low=0.0, high=1.0)
            elif f.name in ("tail_curvature", "tail_vel_gradient"):
                _validate.real(f.name, value)
            elif f.name == "halo_n":
                _validate.real(f.name, value, low=0.2, high=10.0)
            else:
                _validate.non_negative(f.name, value)
        if self.bridge_start_frac + self.bridge_stop_frac >= 1.0:
            raise ValueError(
                "bridge_start_frac + bridge_stop_frac must be < 1; got "
                f"{self.bridge_start_frac} + {self.bridge_stop_frac}"
            )

    @classmethod
    def from_dict(cls, values: DiffuseParams | dict[str, Any] | None) -> DiffuseParams:
        """Return a ``diffuse_params`` dict merged into the defaults (``None``: off).

        A dict without ``'enabled'`` switches the components on.
        """
        if values is None:
            return cls()
        if isinstance(values, DiffuseParams):
            return values
        if not isinstance(values, dict):
            raise TypeError(f"diffuse_params must be a dict or None; got {type(values).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown diffuse_params key(s) {unknown}; known: {sorted(known)}")
        return cls(**{"enabled": True, **values})

    def to_dict(self) -> dict[str, Any]:
        """Return the knobs as a plain dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DiffuseComponents:
    """The diffuse emission of one cube: a halo, and a bridge and a tail per satellite."""

    halo: Galaxy | None
    bridges: tuple[GaussianBlobs, ...]
    tails: tuple[GaussianBlobs, ...]

    @property
    def blobs(self) -> tuple[GaussianBlobs, ...]:
        """Every blob component (bridges, then tails)."""
        return self.bridges + self.tails


@dataclass(frozen=True)
class DiffuseSource:
    """What the diffuse components are built from, per galaxy, in the cube's pixels.

    ``centres_px`` are ``(x, y, depth)`` whole pixels; ``s_e_per_voxel`` each galaxy's
    emissivity at R_e per voxel of the grid; ``r_e_px``, ``h_z_px`` sizes; ``v_sys_kms``
    systemic velocities.
    """

    centres_px: np.ndarray
    s_e_per_voxel: np.ndarray
    r_e_px: np.ndarray
    h_z_px: np.ndarray
    v_sys_kms: np.ndarray
    primary: Galaxy
    pixel_kpc: float
    grid_size: int


def _blobs(
    source: DiffuseSource,
    positions_px: np.ndarray,
    sigma_px: np.ndarray,
    voxel_flux: np.ndarray,
    v_kms: np.ndarray,
    sigma_kms: float,
) -> GaussianBlobs:
    """Return blobs at ``(x, y, depth)`` pixel positions, in the sky's kpc."""
    half = 0.5 * (source.grid_size - 1)
    p = source.pixel_kpc
    # A per-voxel amplitude summed over voxels is the record's flux (S_e per voxel over
    # pixel_kpc^3 per kpc^3, times kpc^3): the blob's flux in Jy km/s.
    return GaussianBlobs(
        x_kpc=(positions_px[:, 0] - half) * p,
        y_kpc=(positions_px[:, 1] - half) * p,
        sigma_kpc=sigma_px * p,
        flux=np.asarray(voxel_flux, dtype=float),
        v_kms=np.asarray(v_kms, dtype=float),
        sigma_kms=np.full(len(voxel_flux), float(sigma_kms)),
    )


def _bridge(params: DiffuseParams, source: DiffuseSource, k: int) -> GaussianBlobs | None:
    """Return the bridge from the primary to satellite ``k`` (None if they coincide)."""
    c0 = source.centres_px[0].astype(float)
    ck = source.centres_px[k].astype(float)
    vec = ck - c0
    separation = float(np.linalg.norm(vec))
    if separation < 1e-6:
        return None
    start = params.bridge_start_frac
    end = 1.0 - params.bridge_stop_frac
    fade = max(params.bridge_edge_fade, 1e-3)
    sigma_start = max(params.bridge_width_start_factor * source.r_e_px[0], 1.0)
    sigma_end = max(params.bridge_width_end_factor * source.r_e_px[k], 1.0)
    length = (end - start) * separation
    # Blobs half the narrowest width apart (a smooth tube) and a quarter of a fade ramp
    # apart (the window's ramps integrated to 1e-3).
    count = max(
        2,
        math.ceil(length / (_BRIDGE_SAMPLING * min(sigma_start, sigma_end))),
        math.ceil((end - start) / (0.25 * fade)),
    )
    ds = (end - start) / count
    s = start + (np.arange(count) + 0.5) * ds  # midpoints along the line
    along = (s - start) / (end - start)
    sigma = sigma_start * (1.0 - along) + sigma_end * along
    window = np.minimum(np.clip((s - start) / fade, 0.0, 1.0), np.clip((end - s) / fade, 0.0, 1.0))
    amplitude = params.bridge_Se_factor * min(source.s_e_per_voxel[0], source.s_e_per_voxel[k])
    # A Gaussian tube of on-axis amplitude A and width sigma holds 2 pi sigma^2 A per
    # unit length: each blob carries its stretch of tube.
    per_length = amplitude * 2.0 * math.pi * sigma**2 * window
    flux = per_length * ds * separation
    velocity = (1.0 - s) * source.v_sys_kms[0] + s * source.v_sys_kms[k]
    positions = c0[None, :] + s[:, None] * vec[None, :]
    return _blobs(source, positions, sigma, flux, velocity, params.bridge_sigma_vz)


def _tail(
    params: DiffuseParams, source: DiffuseSource, k: int, rng: np.random.Generator
) -> GaussianBlobs | None:
    """Return satellite ``k``'s tidal tail (None if it sits on the primary)."""
    c0 = source.centres_px[0].astype(float)
    ck = source.centres_px[k].astype(float)
    vec = ck - c0
    separation = float(np.linalg.norm(vec))
    # The bend's direction: drawn whether or not it is used, so draws stay in step.
    draw = rng.normal(size=3)
    if separation < 1e-6:
        return None
    direction = vec / separation
    perp = draw - np.dot(draw, direction) * direction
    if np.linalg.norm(perp) < 1e-6:
        alternative = np.array([1.0, 0.0, 0.0])
        perp = alternative - np.dot(alternative, direction) * direction
    perp /= np.linalg.norm(perp)
    n = params.tail_n_samples
    u = np.linspace(0.0, 1.0, n)
    positions = (
        ck[None, :]
        + (u * params.tail_length_factor * separation)[:, None] * direction[None, :]
        + (params.tail_curvature * separation * u**2)[:, None] * perp[None, :]
    )
    sigma = np.full(n, max(params.tail_width_factor * source.h_z_px[k], 1.0))
    amplitude = params.tail_Se_factor * source.s_e_per_voxel[k] * (1.0 - u)
    # Each blob weighs 5 / n, so a tail's flux barely depends on n.
    flux = amplitude * gaussian_volume(sigma) * (5.0 / n)
    velocity = source.v_sys_kms[k] + params.tail_vel_gradient * u
    return _blobs(source, positions, sigma, flux, velocity, params.tail_sigma_vz)


def draw_diffuse(
    params: DiffuseParams, source: DiffuseSource, rng: np.random.Generator
) -> DiffuseComponents:
    """Return the diffuse components of one cube (tail bends drawn from ``rng``)."""
    primary = source.primary
    p = source.pixel_kpc
    halo: Galaxy | None = dataclasses.replace(
        primary,
        r_e_kpc=params.halo_Re_factor * source.r_e_px[0] * p,
        n_sersic=params.halo_n,
        h_z_kpc=params.halo_hz_factor * source.h_z_px[0] * p,
        s_e=params.halo_Se_factor * source.s_e_per_voxel[0] / p**3,
        sigma_kms=params.halo_sigma_vz,
        rotation_curve=FlatRotationCurve(0.0),
    )
    halo = halo if params.halo_Se_factor > 0 else None
    bridges, tails = [], []
    for k in range(1, len(source.centres_px)):
        bridge = _bridge(params, source, k)
        tail = _tail(params, source, k, rng)
        if bridge is not None:
            bridges.append(bridge)
        if tail is not None:
            tails.append(tail)
    return DiffuseComponents(halo=halo, bridges=tuple(bridges), tails=tuple(tails))
