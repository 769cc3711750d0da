"""Adaptive sky sampling: every pixel integrated, cusps refined.

Each pixel is integrated with a 2x2 Gauss-Legendre product rule (exact for bicubic
surface brightness, so smooth profiles need no refinement).  Its error is estimated by
comparing with the one-point rule at the cell centre; cells whose estimate exceeds
``refine_tolerance`` of the galaxy's flux are split into four and treated again, down to
``max_refine_depth`` halvings.  Only the centres of galaxies (cusps) and the midplane of
thin edge-on disks (the |z| kink) ever need it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..conventions import sky_to_major_minor
from ..observation import Observation, pixel_centres_kpc
from .geometry import DiskGeometry
from .los import gauss_legendre_unit, los_samples
from .settings import RenderSettings

_GL_OFFSET = 0.5 / math.sqrt(3.0)  # 2-point Gauss-Legendre node, in cell widths from centre
_CHILD_OFFSETS = np.array([[-0.25, -0.25], [0.25, -0.25], [-0.25, 0.25], [0.25, 0.25]])
_GL_OFFSETS = np.array(
    [
        [-_GL_OFFSET, -_GL_OFFSET],
        [_GL_OFFSET, -_GL_OFFSET],
        [-_GL_OFFSET, _GL_OFFSET],
        [_GL_OFFSET, _GL_OFFSET],
    ]
)


@dataclass(frozen=True)
class SkySamples:
    """Flux samples of one galaxy: where they fall on the sky and where in the disk.

    Attributes
    ----------
    pixels : numpy.ndarray
        Flat indices ``iy * nx + ix`` of the pixels sampled, shape ``(p,)``.
    local : numpy.ndarray
        Position in ``pixels`` of each sample's pixel, shape ``(k,)``.
    flux : numpy.ndarray
        Line flux of each sample (Jy km/s), shape ``(k, L)``.
    a, radius : numpy.ndarray
        Major-axis coordinate (k, 1) and disk radius (k, L) in kpc, for the velocities.
    """

    pixels: np.ndarray
    local: np.ndarray
    flux: np.ndarray
    a: np.ndarray
    radius: np.ndarray


def candidate_pixels(g: DiskGeometry, obs: Observation) -> np.ndarray:
    """Return flat indices of pixels that may hold emission of ``g``.

    A pixel qualifies when its centre lies within the projected truncation cylinder
    grown by one pixel diagonal.
    """
    xs = pixel_centres_kpc(obs.nx, obs.pixel_kpc) - g.x0
    ys = pixel_centres_kpc(obs.ny, obs.pixel_kpc) - g.y0
    a, b = sky_to_major_minor(xs[None, :], ys[:, None], g.pa_deg)
    margin = math.sqrt(2.0) * obs.pixel_kpc
    inside = (np.abs(a) <= g.r_max + margin) & (np.abs(b) <= g.half_extent_minor + margin)
    return np.flatnonzero(inside)


def _surface_flux(x: np.ndarray, y: np.ndarray, g: DiskGeometry, rule: tuple, panels: int) -> tuple:
    """Return (flux per unit area, samples, a, radius) for sight lines at sky offsets x, y."""
    a, b = sky_to_major_minor(x, y, g.pa_deg)
    flux, radius = los_samples(a, b, g, *rule, panels=panels)
    return flux.sum(axis=1), flux, a, radius


def sample_sky(g: DiskGeometry, obs: Observation, settings: RenderSettings) -> SkySamples:
    """Sample galaxy ``g`` over the sky grid of ``obs``.

    Returns
    -------
    SkySamples
        Flux samples whose sum is the galaxy's line flux inside the field (Jy km/s).
    """
    rule = gauss_legendre_unit(settings.los_nodes)
    # Face-on, every piece of a sight line is an exact exponential: one panel is exact.
    panels = 1 if g.sin_i == 0.0 else settings.los_panels
    pixels = candidate_pixels(g, obs)
    pixel = np.arange(pixels.size)
    iy, ix = np.divmod(pixels, obs.nx)
    cx = (ix - 0.5 * (obs.nx - 1)) * obs.pixel_kpc - g.x0
    cy = (iy - 0.5 * (obs.ny - 1)) * obs.pixel_kpc - g.y0
    size = obs.pixel_kpc
    tolerance = settings.refine_tolerance * g.line_flux

    kept_pixel, kept_flux, kept_a, kept_r = [], [], [], []
    for depth in range(settings.max_refine_depth + 1):
        if pixel.size == 0:
            break
        area = size * size
        nodes_x = (cx[:, None] + _GL_OFFSETS[None, :, 0] * size).ravel()
        nodes_y = (cy[:, None] + _GL_OFFSETS[None, :, 1] * size).ravel()
        node_sb, node_flux, node_a, node_r = _surface_flux(nodes_x, nodes_y, g, rule, panels)
        quad4 = 0.25 * area * node_sb.reshape(-1, 4).sum(axis=1)
        if depth < settings.max_refine_depth:
            centre_sb = _surface_flux(cx, cy, g, rule, panels)[0]
            refine = np.abs(quad4 - area * centre_sb) > tolerance
        else:
            refine = np.zeros(pixel.size, dtype=bool)
        keep_nodes = np.repeat(~refine, 4)
        kept_pixel.append(np.repeat(pixel[~refine], 4))
        kept_flux.append(node_flux[keep_nodes] * (0.25 * area))
        kept_a.append(node_a[keep_nodes])
        kept_r.append(node_r[keep_nodes])
        if not refine.any():
            break
        # Split the flagged cells into four children of half the size.
        pixel = np.repeat(pixel[refine], 4)
        cx = (cx[refine][:, None] + _CHILD_OFFSETS[None, :, 0] * size).ravel()
        cy = (cy[refine][:, None] + _CHILD_OFFSETS[None, :, 1] * size).ravel()
        size *= 0.5

    return SkySamples(
        pixels=pixels,
        local=np.concatenate(kept_pixel),
        flux=np.concatenate(kept_flux),
        a=np.concatenate(kept_a)[:, None],
        radius=np.concatenate(kept_r),
    )
