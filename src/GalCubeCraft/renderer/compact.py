"""Galaxies finer than the sky sampling: quadrature in the galaxy's own frame.

The adaptive sky sampler (:mod:`.sampling`) splits a pixel at most ``max_refine_depth``
times, so structure finer than its deepest cell escapes it: a source whose effective
radius is a small fraction of a pixel, or a disk seen so nearly edge-on that its
projected thickness ``h_z sin i + r_e cos i`` is a small fraction of a pixel.  Measured
with the default settings, such sources lost from 0.1% to all of their flux.

For them the emissivity is integrated in the disk's own coordinates instead: Gauss-
Legendre nodes in ``u = (R / R_e)^(1/n)`` (which makes the Sersic profile smooth), equally
spaced azimuths and equal-weight heights at the quantiles of the vertical exponential.  Each node
carries its share of the flux to the pixel its sky position falls in, with its
line-of-sight velocity and the velocity spread of the patch of disk it stands for.
The weights are normalised to the galaxy's line flux, so the flux is conserved exactly
(less what falls outside the field); how it divides among pixels converges with the
number of nodes (a few 1e-3 of a pixel's flux with the defaults here, a sub-pixel source
much better, as nearly all of its light lands in one pixel or is split by symmetry).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..conventions import disk_to_sky, major_minor_to_sky
from ..observation.records import Observation
from .columns import merge_columns, sky_pixels
from .geometry import DiskGeometry
from .los import gauss_legendre
from .settings import RenderSettings

SUB_PIXEL_RADIUS = 0.2
"""Effective radius (pixels) below which a galaxy is rendered in its own frame ..."""
THIN_RIDGE = 0.1
"""... and projected thickness ``h_z sin i + r_e cos i`` (pixels) below which, likewise."""
_NODES_PER_PANEL = 8
_CHUNK_RINGS = 16  # rings deposited at a time: bounds memory for large disks


def needs_own_frame(g: DiskGeometry, obs: Observation) -> bool:
    """Return whether ``g`` is too fine for the sky sampler (see the module docstring)."""
    pixel = obs.pixel_kpc
    thickness = g.h_z * g.sin_i + g.r_e * g.cos_i
    return g.r_e < SUB_PIXEL_RADIUS * pixel or thickness < THIN_RIDGE * pixel


def radial_rule(
    g: DiskGeometry, n_panels: int, edges: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return radii (kpc) and ring fluxes (unnormalised) of the radial quadrature.

    ``n_panels`` equal panels in ``u``, or the panels between the given ``edges`` (in u).
    """
    n = 1.0 / g.inv_n
    u_max = (g.r_max / g.r_e) ** g.inv_n
    x, w = gauss_legendre(_NODES_PER_PANEL)
    if edges is None:
        edges = np.linspace(0.0, u_max, n_panels + 1)
    half = 0.5 * np.diff(edges)
    u = ((edges[:-1] + half)[:, None] + half[:, None] * x[None, :]).ravel()
    du = (half[:, None] * w[None, :]).ravel()
    radius = g.r_e * u**n
    # Ring flux: Sigma(R) 2 pi R dR with R = r_e u^n, dR = n r_e u^(n-1) du.
    ring = np.exp(-g.b_n * (u - 1.0)) * 2.0 * math.pi * n * g.r_e**2 * u ** (2.0 * n - 1.0) * du
    return radius, ring


def own_frame_samples(
    g: DiskGeometry, obs: Observation, settings: RenderSettings
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(pixel, flux, velocity, variance)`` chunks of the galaxy's flux nodes.

    ``pixel`` are flat indices ``iy * nx + ix`` (nodes outside the field are dropped),
    ``flux`` in Jy km/s (all chunks together sum to the line flux inside the field),
    ``velocity`` in km/s and ``variance`` in (km/s)^2.
    """
    pixel_size = obs.pixel_kpc
    extent = g.r_max / pixel_size  # the disk's radius in pixels
    n_panels = int(min(max(math.ceil(8.0 * extent / _NODES_PER_PANEL), 32), 256))
    n_phi = int(min(max(math.ceil(16.0 * math.pi * extent), 512), 4096))
    radius, ring = radial_rule(g, n_panels)
    # Heights: equal-weight nodes at the midpoints of the exponential's quantiles, as
    # many as a thick disk needs to spread over its pixels (nodes land where light is).
    n_z = int(min(max(math.ceil(8.0 * 5.0 * g.h_z / pixel_size), 4), 64))
    quantile = (np.arange(n_z) + 0.5) / n_z
    t = -np.log1p(-quantile)
    heights = np.concatenate([-t[::-1], t]) * g.h_z
    height_weight = 0.5 / n_z
    phi = (np.arange(n_phi) + 0.5) * (2.0 * math.pi / n_phi)
    cos_phi, sin_phi = np.cos(phi), np.sin(phi)
    total = float(ring.sum())
    dr = np.gradient(radius) if radius.size > 1 else np.full(1, g.r_max)
    v_c = g.curve(radius)
    dv_dr = np.gradient(v_c, radius) if radius.size > 1 else np.zeros(1)
    for start in range(0, radius.size, _CHUNK_RINGS):
        r = radius[start : start + _CHUNK_RINGS, None]
        flux = (g.line_flux / total) * ring[start : start + _CHUNK_RINGS, None] * (
            height_weight / n_phi
        ) * np.ones((1, n_phi))  # fmt: skip
        x_d, y_d = r * cos_phi[None, :], r * sin_phi[None, :]
        # Every node's sky position: each in-plane node's column of heights only moves it
        # on the sky (:func:`.columns.merge_columns`).
        a, b, _ = disk_to_sky(x_d[..., None], y_d[..., None], heights, g.cos_i, g.sin_i)
        x, y = major_minor_to_sky(a, b, g.pa_deg)
        pixel = sky_pixels(x + g.x0, y + g.y0, pixel_size, obs.nx, obs.ny)
        column, pixel, count = merge_columns(pixel.reshape(-1, heights.size))
        node_radius = np.broadcast_to(r, x_d.shape)
        velocity = g.los_velocity(x_d, node_radius, y_d)
        if g.arms is not None:  # the arms modulate each node's emissivity
            flux = flux * g.arms.factor(node_radius, x_d, y_d, g.r_e)
        # Each node stands for a patch of disk across which the velocity ramps: in
        # azimuth by v (R) sin(phi) sin(i) dphi and in radius by dv/dR cos(phi) sin(i) dR.
        dphi = 2.0 * math.pi / n_phi
        ramp_phi = v_c[start : start + _CHUNK_RINGS, None] * sin_phi[None, :] * dphi
        ramp_r = (dv_dr * dr)[start : start + _CHUNK_RINGS, None] * cos_phi[None, :]
        variance = (ramp_phi**2 + ramp_r**2) * (g.sin_i**2 / 12.0)
        if g.sigma_profile is not None:  # a line width that varies with radius
            variance = variance + g.extra_variance(node_radius)
        yield (
            pixel,
            flux.ravel()[column] * count,
            np.broadcast_to(velocity, x_d.shape).ravel()[column],
            np.broadcast_to(variance, x_d.shape).ravel()[column],
        )
