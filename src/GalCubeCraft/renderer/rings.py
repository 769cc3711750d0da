"""Tilted rings (warps and flares) integrated in the disk's own frame.

A warped disk is not one plane, so the sky-frame sight-line quadrature (one plane per
galaxy) does not apply.  Instead each ring of the radial quadrature (Gauss-Legendre in
``u = (R / R_e)^(1/n)``, :func:`.compact.radial_rule`) is laid out in its own plane:
equally spaced azimuths, about three per pixel along the ring, and equal-weight heights
at the quantiles of its own vertical exponential.  Each node carries its share of the
ring's flux to the pixel its sky position falls in, with its line-of-sight velocity
(the ring's inclination) and the velocity spread of the patch of ring it stands for.
Each ring carries its exact share of the galaxy's line flux, so flux is conserved exactly
(less what falls outside the field); how it divides among pixels converges with the node
density, like KinMS's clouds but without their Poisson noise.

Most warps begin some way out: inside the radius ``R_f`` where every profile still holds
its central value (:meth:`~GalCubeCraft.model.rings.TiltedRings.flat_radius`) the disk
*is* one plane, and :func:`flat_core` hands that part to the exact sky renderer.  A hard
edge at ``R_f`` would be one the sky sampler's refinement resolves poorly (measured: up to
0.2% of the flux lost, 0.5% of the peak in a voxel), so the core fades out smoothly
(:func:`~GalCubeCraft.renderer.geometry.taper_weight`) over the :data:`TAPER_PIXELS`
inside ``R_f``, and the rings there carry the complement: together they are the flat disk
whatever the weights.  A "warp" that never changes is then the flat disk, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..conventions import inclination_trig
from ..model.profiles import total_flux
from ..model.rings import TiltedRings
from ..observation.records import Observation
from .columns import merge_columns, sky_pixels
from .compact import radial_rule
from .geometry import DiskGeometry, taper_weight
from .settings import RenderSettings

NODES_PER_PIXEL = 3.0
"""Nodes per pixel along each ring and between rings (radially)."""
CORE_PIXELS = 3.0
"""Radius (pixels) of the core sampled four times more densely in radius."""
TAPER_PIXELS = 2.0
"""Width (pixels) of the band inside the flat radius over which the core fades out."""
_NODES_PER_PANEL = 8
_CHUNK_NODES = 1 << 20  # nodes deposited at a time: bounds memory for large disks


def flat_core(
    g: DiskGeometry, rings: TiltedRings, inclination_deg: float, obs: Observation
) -> DiskGeometry | None:
    """Return the flat core of a tilted-ring disk for the sky renderer, or None.

    ``g`` in the rings' central plane and thickness, fading out (its ``taper``) over the
    :data:`TAPER_PIXELS` inside :meth:`~GalCubeCraft.model.rings.TiltedRings.flat_radius`;
    untapered when the disk is flat throughout; None when the flat part is narrower than
    twice the taper (the rings then render it all).  A thinner or thicker core keeps its
    surface brightness (a flare keeps each ring's flux), so its midplane emissivity scales
    inversely with its scale height.  The core keeps the galaxy's line flux as the
    yardstick of the sky renderer's refinement tolerance.
    """
    radius = rings.flat_radius(g.r_max)
    width = TAPER_PIXELS * obs.pixel_kpc
    if radius < 2.0 * width:
        return None
    incl, pa, h_z = (float(v[0]) for v in rings.at(np.zeros(1), inclination_deg, g.pa_deg, g.h_z))
    _check_profiles(np.array([incl]), np.array([h_z]))
    changes: dict[str, Any] = {}
    if incl != inclination_deg:
        changes["cos_i"], changes["sin_i"] = inclination_trig(incl)
    if pa != g.pa_deg:
        changes["pa_deg"] = pa
    if h_z != g.h_z:
        changes.update(h_z=h_z, z_max=g.z_max * (h_z / g.h_z), s_e=g.s_e * (g.h_z / h_z))
    if radius < g.r_max:
        changes.update(r_max=radius, taper=(radius - width, radius))
    return dataclasses.replace(g, **changes) if changes else g


def _check_profiles(inclination_deg: np.ndarray, h_z: np.ndarray) -> None:
    """Refuse inclinations outside [0, 90] degrees and scale heights that are not positive."""
    valid = (inclination_deg >= 0.0) & (inclination_deg <= 90.0 + 1e-10) & (h_z > 0.0)
    if not np.all(valid & np.isfinite(h_z)):  # NaN fails every comparison
        raise ValueError(
            "tilted rings need inclinations in [0, 90] deg and finite h_z > 0 at every radius"
        )


def _radial_edges(g: DiskGeometry, pixel_size: float, r_inner: float) -> np.ndarray:
    """Return the radial panels' edges in ``u = (R / R_e)^(1/n)``, from ``r_inner`` out.

    About :data:`NODES_PER_PIXEL` nodes per pixel, and four times as many within
    :data:`CORE_PIXELS` of the centre, where the rotation's cusp makes the velocity vary
    fastest across the sky.
    """
    core = min(max(CORE_PIXELS * pixel_size, r_inner), g.r_max)
    per_panel = _NODES_PER_PANEL / NODES_PER_PIXEL * pixel_size  # kpc per panel
    if core > r_inner:
        count = max(2, math.ceil(4.0 * (core - r_inner) / per_panel))
        inner = np.linspace(r_inner, core, count + 1)
    else:  # the rings begin outside the dense core
        inner = np.array([r_inner])
    outer_count = min(max(math.ceil((g.r_max - core) / per_panel), 1), 512)
    outer = np.linspace(core, g.r_max, outer_count + 1)[1:]
    return (np.concatenate([inner, outer]) / g.r_e) ** g.inv_n


def ring_samples(
    g: DiskGeometry,
    rings: TiltedRings,
    inclination_deg: float,
    obs: Observation,
    settings: RenderSettings,
    core: DiskGeometry | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(pixel, flux, velocity, variance)`` chunks of a tilted-ring disk's nodes.

    The rings beyond the flat ``core`` (:func:`flat_core`; from the centre without one),
    each with its exact share of the galaxy's line flux, less the tapered core's share.
    ``inclination_deg``, ``g.pa_deg`` and ``g.h_z`` stand where
    ``rings`` gives no profile.  ``pixel`` are flat indices ``iy * nx + ix`` (nodes outside
    the field are dropped), ``flux`` in Jy km/s, ``velocity`` in km/s and ``variance`` in
    (km/s)^2.
    """
    del settings  # the node densities follow the pixels; kept for the renderers' signature
    pixel_size = obs.pixel_kpc
    taper = None if core is None else core.taper
    edges = _radial_edges(g, pixel_size, 0.0 if taper is None else taper[0])
    if taper is not None:  # a panel edge where the core's weight reaches zero
        edges = np.union1d(edges, (taper[1] / g.r_e) ** g.inv_n)
    radius, ring_flux = radial_rule(g, 0, edges)
    # The rule's integral over all radii, in closed form (a unit emissivity over a unit
    # vertical integral): each ring's share of the whole line flux.
    whole_disk = total_flux(1.0, g.r_e, 1.0 / g.inv_n, 0.5)
    ring_flux = ring_flux * (g.line_flux / whole_disk)
    if taper is not None:
        ring_flux = ring_flux * (1.0 - taper_weight(radius, *taper))
    incl_deg, pa_deg, h_z = rings.at(radius, inclination_deg, g.pa_deg, g.h_z)
    _check_profiles(incl_deg, h_z)
    incl, pa = np.radians(incl_deg), np.radians(pa_deg)
    dr = np.gradient(radius) if radius.size > 1 else np.full(1, g.r_max)
    v_c = g.curve(radius)
    dv_dr = np.gradient(v_c, radius) if radius.size > 1 else np.zeros(1)
    n_phi = np.clip(np.ceil(NODES_PER_PIXEL * 2.0 * math.pi * radius / pixel_size), 128, 16384)
    n_z = np.clip(np.ceil(NODES_PER_PIXEL * 2.0 * h_z / pixel_size), 8, 32).astype(int)
    parts: list[tuple[np.ndarray, ...]] = []
    held = 0
    for k in range(radius.size):
        parts.append(_ring_nodes(g, obs, float(radius[k]), float(ring_flux[k]), float(incl[k]),
                                 float(pa[k]), float(h_z[k]), int(n_phi[k]), int(n_z[k]),
                                 float(v_c[k]), float(dv_dr[k] * dr[k])))  # fmt: skip
        held += parts[-1][0].size
        if held >= _CHUNK_NODES or k == radius.size - 1:
            yield tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[misc]
            parts, held = [], 0


def _ring_nodes(
    g: DiskGeometry,
    obs: Observation,
    radius: float,
    flux: float,
    incl: float,
    pa: float,
    h_z: float,
    n_phi: int,
    n_z: int,
    v_c: float,
    dv: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(pixel, flux, velocity, variance)`` of one ring's nodes inside the field.

    Each in-plane node's velocity, variance and emissivity factor are formed once; its
    column of heights only moves it on the sky (:func:`.columns.merge_columns`).
    """
    phi = (np.arange(n_phi) + 0.5) * (2.0 * math.pi / n_phi)
    quantile = (np.arange(n_z) + 0.5) / n_z
    t = -np.log1p(-quantile) * h_z
    heights = np.concatenate([-t[::-1], t])
    cos_phi, sin_phi = np.cos(phi), np.sin(phi)
    x_d, y_d = radius * cos_phi, radius * sin_phi
    cos_i, sin_i = math.cos(incl), math.sin(incl)
    # The ring's major/minor-axis sky coordinates, then the sky's, of every node.
    a, b = x_d[:, None], (y_d * cos_i)[:, None] - heights[None, :] * sin_i
    sin_pa, cos_pa = math.sin(pa), math.cos(pa)
    x, y = -a * sin_pa + b * cos_pa + g.x0, a * cos_pa + b * sin_pa + g.y0
    column, pixel, count = merge_columns(sky_pixels(x, y, obs.pixel_kpc, obs.nx, obs.ny))
    node_flux = np.full(n_phi, flux / (n_phi * heights.size))
    r_nodes = np.full(n_phi, radius)
    if g.arms is not None:  # the arms modulate each node's emissivity
        node_flux = node_flux * g.arms.factor(r_nodes, x_d, y_d, g.r_e)
    velocity = g.los_velocity(x_d, r_nodes, y_d, sin_i=sin_i)
    # Each node stands for a patch of ring across which the velocity ramps: in azimuth by
    # v(R) sin(phi) sin(i) dphi, and in radius by dv/dR cos(phi) sin(i) dR.
    ramp_phi = v_c * sin_phi * (2.0 * math.pi / n_phi)
    ramp_r = dv * cos_phi
    variance = (ramp_phi**2 + ramp_r**2) * (sin_i**2 / 12.0)
    if g.sigma_profile is not None:  # a line width that varies with radius
        variance = variance + g.extra_variance(r_nodes)
    return pixel, node_flux[column] * count, velocity[column], variance[column]
