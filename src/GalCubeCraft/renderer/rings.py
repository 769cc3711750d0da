"""Tilted rings (warps and flares) integrated in the disk's own frame.

A warped disk is not one plane, so the sky-frame sight-line quadrature (one plane per
galaxy) does not apply.  Instead each ring of the radial quadrature (Gauss-Legendre in
``u = (R / R_e)^(1/n)``, :func:`.compact.radial_rule`) is laid out in its own plane:
equally spaced azimuths, about three per pixel along the ring, and equal-weight heights
at the quantiles of its own vertical exponential.  Each node carries its share of the
ring's flux to the pixel its sky position falls in, with its line-of-sight velocity
(the ring's inclination) and the velocity spread of the patch of ring it stands for.
The weights are normalised to the galaxy's line flux, so flux is conserved exactly (less
what falls outside the field); how it divides among pixels converges with the node
density, like KinMS's clouds but without their Poisson noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from ..model.rings import TiltedRings
from ..observation import Observation
from .compact import radial_rule
from .geometry import DiskGeometry
from .settings import RenderSettings

NODES_PER_PIXEL = 3.0
"""Nodes per pixel along each ring and between rings (radially)."""
CORE_PIXELS = 3.0
"""Radius (pixels) of the core sampled four times more densely in radius."""
_NODES_PER_PANEL = 8
_CHUNK_NODES = 1 << 20  # nodes deposited at a time: bounds memory for large disks


def _profile(
    value: Callable[[np.ndarray], np.ndarray] | None, fallback: float, radius: np.ndarray
) -> np.ndarray:
    """Return a ring profile at ``radius``: the callable's values, or the constant."""
    if value is None:
        return np.full(radius.shape, fallback)
    return np.asarray(value(radius), dtype=np.float64) * np.ones(radius.shape)


def _radial_edges(g: DiskGeometry, pixel_size: float) -> np.ndarray:
    """Return the radial panels' edges in ``u = (R / R_e)^(1/n)``.

    About :data:`NODES_PER_PIXEL` nodes per pixel, and four times as many within
    :data:`CORE_PIXELS` of the centre, where the rotation's cusp makes the velocity vary
    fastest across the sky.
    """
    core = min(CORE_PIXELS * pixel_size, g.r_max)
    per_panel = _NODES_PER_PANEL / NODES_PER_PIXEL * pixel_size  # kpc per panel
    inner = np.linspace(0.0, core, max(2, math.ceil(4.0 * core / per_panel)) + 1)
    outer_count = min(max(math.ceil((g.r_max - core) / per_panel), 1), 512)
    outer = np.linspace(core, g.r_max, outer_count + 1)[1:]
    return (np.concatenate([inner, outer]) / g.r_e) ** g.inv_n


def ring_samples(
    g: DiskGeometry,
    rings: TiltedRings,
    inclination_deg: float,
    obs: Observation,
    settings: RenderSettings,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(pixel, flux, velocity, variance)`` chunks of a tilted-ring disk's nodes.

    ``inclination_deg``, ``g.pa_deg`` and ``g.h_z`` stand where ``rings`` gives no
    profile.  ``pixel`` are flat indices ``iy * nx + ix`` (nodes outside the field are
    dropped), ``flux`` in Jy km/s, ``velocity`` in km/s and ``variance`` in (km/s)^2.
    """
    del settings  # the node densities follow the pixels; kept for the renderers' signature
    pixel_size = obs.pixel_kpc
    radius, ring_flux = radial_rule(g, 0, _radial_edges(g, pixel_size))
    ring_flux = ring_flux * (g.line_flux / float(ring_flux.sum()))
    incl = np.radians(_profile(rings.inclination_deg, inclination_deg, radius))
    pa = np.radians(_profile(rings.pa_deg, g.pa_deg, radius))
    h_z = _profile(rings.h_z_kpc, g.h_z, radius)
    if np.any(incl < 0.0) or np.any(incl > 0.5 * math.pi + 1e-12) or np.any(h_z <= 0.0):
        raise ValueError(
            "tilted rings need inclinations in [0, 90] deg and h_z > 0 at every radius"
        )
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
    """Return ``(pixel, flux, velocity, variance)`` of one ring's nodes inside the field."""
    phi = (np.arange(n_phi) + 0.5) * (2.0 * math.pi / n_phi)
    quantile = (np.arange(n_z) + 0.5) / n_z
    t = -np.log1p(-quantile) * h_z
    heights = np.concatenate([-t[::-1], t])
    x_d = radius * np.cos(phi)[:, None] * np.ones((1, heights.size))
    y_d = radius * np.sin(phi)[:, None] * np.ones((1, heights.size))
    z_d = np.broadcast_to(heights[None, :], x_d.shape)
    cos_i, sin_i = math.cos(incl), math.sin(incl)
    a, b = x_d, y_d * cos_i - z_d * sin_i  # the ring's major/minor-axis sky coordinates
    sin_pa, cos_pa = math.sin(pa), math.cos(pa)
    x, y = -a * sin_pa + b * cos_pa, a * cos_pa + b * sin_pa
    ix = np.floor((x + g.x0) / obs.pixel_kpc + 0.5 * obs.nx).astype(np.int64)
    iy = np.floor((y + g.y0) / obs.pixel_kpc + 0.5 * obs.ny).astype(np.int64)
    inside = (ix >= 0) & (ix < obs.nx) & (iy >= 0) & (iy < obs.ny)
    node_flux = np.full(x_d.shape, flux / (n_phi * heights.size))
    r_nodes = np.full(x_d.shape, radius)
    if g.arms is not None:  # the arms modulate each node's emissivity
        node_flux = node_flux * g.arms.factor(r_nodes, x_d, y_d, g.r_e)
    velocity = g.los_velocity(x_d, r_nodes, y_d, sin_i=sin_i)
    # Each node stands for a patch of ring across which the velocity ramps: in azimuth by
    # v(R) sin(phi) sin(i) dphi, and in radius by dv/dR cos(phi) sin(i) dR.
    ramp_phi = v_c * np.sin(phi)[:, None] * (2.0 * math.pi / n_phi)
    ramp_r = dv * np.cos(phi)[:, None]
    variance = np.broadcast_to((ramp_phi**2 + ramp_r**2) * (sin_i**2 / 12.0), x_d.shape)
    if g.sigma_profile is not None:  # a line width that varies with radius
        variance = variance + g.extra_variance(r_nodes)
    return ((iy * obs.nx + ix)[inside], node_flux[inside], velocity[inside],
            np.asarray(variance)[inside])  # fmt: skip
