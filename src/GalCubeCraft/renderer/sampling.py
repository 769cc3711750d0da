"""Adaptive sky sampling: every pixel integrated, cusps refined.

First every candidate pixel gets one sight line, at its centre.  Where the surface
brightness is smooth on the pixel scale, the pixel integral is the centre value plus the
classical curvature correction ``(f_xx + f_yy) / 24`` taken from the discrete Laplacian
of the centre map: a fourth-order rule whose leading residual, ``(17/5760) f''''`` per
axis, is estimated from the map's fourth differences.  A pixel keeps it when that residual
is below ``refine_tolerance`` of its own flux (or, for faint pixels, while the summed
residual of all such pixels stays within ten times ``refine_tolerance`` of the galaxy's
flux) and its velocity structure moves its line profile by little (see
:func:`.one_point.smooth_pixels`, which also corrects the profile's mean and width).

Every other pixel (cusps, the midplane kink of thin edge-on disks, steep velocity
gradients) is integrated with a 2x2 Gauss-Legendre product rule, its error estimated
against the one-point rule at the cell centre; cells whose flux estimate exceeds
``refine_tolerance`` of the galaxy's flux, or whose spectra differ by more than
``voxel_tolerance`` of the highest line profile (:func:`_spectral_error`), are split into
four and treated again, down to ``max_refine_depth`` halvings.  The cell holding the
galaxy's centre and its eight neighbours are always split: a cusp on or near a cell's
edge is missed alike by both rules, so their agreement proves nothing there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..conventions import sky_to_major_minor
from ..observation.records import Observation
from .budget import check_refinement
from .geometry import DiskGeometry, taper_weight
from .los import gauss_legendre_unit, los_samples
from .one_point import profile_change, smooth_pixels
from .settings import RenderSettings
from .sky_frames import DirectFrame, LensedFrame, SkyFrame

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
    velocity : numpy.ndarray
        Line-of-sight velocity of each sample (km/s), shape ``(k, L)``.
    variance : numpy.ndarray
        Variance of the velocities over the patch of sky each row of samples stands for
        ((km/s)^2), shape ``(k, 1)``: the one-point rule's velocity ramp across its
        pixel, zero for Gauss-Legendre nodes (their spread is integrated by the rule).
    """

    pixels: np.ndarray
    local: np.ndarray
    flux: np.ndarray
    velocity: np.ndarray
    variance: np.ndarray


@dataclass(frozen=True)
class _SightLines:
    """Sight lines at some sky offsets: surface brightness, samples, velocities."""

    brightness: np.ndarray  # (m,) flux per unit sky area
    flux: np.ndarray  # (m, L)
    velocity: np.ndarray  # (m, L)
    extra_variance: np.ndarray | None = None  # (m, L): sigma(R)^2 - sigma_0^2, if it varies

    def mean_extra_variance(self) -> np.ndarray | None:
        """Return each sight line's flux-weighted ``sigma(R)^2 - sigma^2`` (None without it)."""
        if self.extra_variance is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (self.flux * self.extra_variance).sum(axis=1) / self.brightness
        return np.where(self.brightness > 0, mean, 0.0)

    def velocity_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each sight line's flux-weighted mean velocity and variance (NaN if dark)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (self.flux * self.velocity).sum(axis=1) / self.brightness
            spread = (self.flux * (self.velocity - mean[:, None]) ** 2).sum(axis=1)
            return mean, spread / self.brightness


def _sight_lines(
    x: np.ndarray,
    y: np.ndarray,
    frame: SkyFrame,
    rule: tuple[np.ndarray, np.ndarray],
    panels: int,
) -> _SightLines:
    """Return the sight lines at sky offsets ``x, y`` (kpc from the galaxy's centre)."""
    g = frame.g
    a, b = sky_to_major_minor(*frame.to_source(x, y), g.pa_deg)
    samples = los_samples(a, b, g, *rule, panels=panels, want_y=g.needs_azimuth)
    a_disk = a.astype(np.float32)[:, None]
    velocity = g.los_velocity(a_disk, samples.radius, samples.y_disk)
    flux = samples.flux
    if g.arms is not None:  # the arms modulate each sample's emissivity
        assert samples.y_disk is not None
        flux = flux * g.arms.factor(samples.radius, a_disk, samples.y_disk, g.r_e)
    if g.taper is not None:  # a warped disk's flat core fades out where its rings begin
        flux = flux * taper_weight(samples.radius, *g.taper)
    extra = None if g.sigma_profile is None else g.extra_variance(samples.radius)
    return _SightLines(brightness=flux.sum(axis=1), flux=flux, velocity=velocity,
                       extra_variance=extra)  # fmt: skip


def _spectral_error(
    centres: _SightLines, nodes: _SightLines, size: float, flux: np.ndarray, line_width: float
) -> np.ndarray:
    """Estimate how far a cell's one-point spectrum is from its 2x2 one, in flux per km/s.

    The one-point rule (centre sight line, broadened by the velocity ramp across the
    cell) and the 2x2 rule give the cell's line a mean and a variance; their difference
    moves the profile by :func:`.one_point.profile_change`.  The 2x2 rule is the more accurate, so
    this bounds the error of keeping it.
    """
    n = centres.brightness.size
    node_flux = nodes.flux.reshape(n, 4, -1)
    node_v = nodes.velocity.reshape(n, 4, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight4 = node_flux.sum(axis=(1, 2))
        mean4 = (node_flux * node_v).sum(axis=(1, 2)) / weight4
        var4 = (node_flux * (node_v - mean4[:, None, None]) ** 2).sum(axis=(1, 2)) / weight4
        node_mean = (node_flux * node_v).sum(axis=2) / node_flux.sum(axis=2)
    mean1, var1 = centres.velocity_moments()
    baseline = 2.0 * _GL_OFFSET * size
    gx = 0.5 * ((node_mean[:, 1] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 2]))
    gy = 0.5 * ((node_mean[:, 2] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 1]))
    var1 = var1 + (gx * gx + gy * gy) * (size / baseline) ** 2 / 12.0
    if nodes.extra_variance is not None:  # sigma(R): the rules' line widths differ too
        node_extra = np.broadcast_to(nodes.extra_variance, nodes.flux.shape).reshape(n, 4, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            var4 = var4 + (node_flux * node_extra).sum(axis=(1, 2)) / weight4
        extra1 = centres.mean_extra_variance()
        assert extra1 is not None
        var1 = var1 + extra1
    error = profile_change(flux, mean4 - mean1, var4 - var1, line_width * line_width + var4)
    return np.where(np.isfinite(error), error, 0.0)


SKY_BLOCK_PIXELS = 1 << 15
"""Candidate pixels sampled at a time: bounds the samples held for large galaxies."""


def sample_sky(
    g: DiskGeometry,
    obs: Observation,
    settings: RenderSettings,
    block_pixels: int = SKY_BLOCK_PIXELS,
    *,
    lens_frame: LensedFrame | None = None,
) -> Iterator[SkySamples]:
    """Sample galaxy ``g`` over the sky grid of ``obs``, in blocks of candidate pixels.

    With ``lens_frame`` the grid is the image plane of a lens, and every sight line sees
    the galaxy at its source-plane position (:mod:`.sky_frames`).

    The one-point test needs every pixel's neighbours, so the centre sight lines are
    first summarised (brightness and mean velocity) for all candidates, a block at a
    time; then each block is sampled in full (its accepted centres, its refined cells).
    Every cell is refined on its own, so the blocks give the same samples as one pass.

    Yields
    ------
    SkySamples
        Flux samples of one block; together they hold the galaxy's line flux inside the
        field (Jy km/s).  ``pixels`` is the same list of candidates in every block.
    """
    rule = gauss_legendre_unit(settings.los_nodes)
    # Face-on, every piece of a sight line is an exact exponential: one panel is exact.
    panels = 1 if g.sin_i == 0.0 else settings.los_panels
    frame: SkyFrame = DirectFrame(g) if lens_frame is None else lens_frame
    pixels = frame.candidate_pixels(obs)
    iy, ix = np.divmod(pixels, obs.nx)
    cx = (ix - 0.5 * (obs.nx - 1)) * obs.pixel_kpc - g.x0
    cy = (iy - 0.5 * (obs.ny - 1)) * obs.pixel_kpc - g.y0
    size = obs.pixel_kpc
    area = size * size
    tolerance = settings.refine_tolerance * g.line_flux
    line_width = float(np.hypot(g.sigma, obs.spectral.channel_width_kms / np.sqrt(12.0)))
    blocks = [slice(k, k + block_pixels) for k in range(0, pixels.size, block_pixels)]

    # Pass 1: the centre map.  One block keeps its sight lines for pass 2.
    kept: _SightLines | None = None
    brightness = np.empty(pixels.size)
    mean_v = np.empty(pixels.size)
    spread = np.empty(pixels.size)
    for block in blocks:
        lines = _sight_lines(cx[block], cy[block], frame, rule, panels)
        brightness[block] = lines.brightness
        mean_v[block], spread[block] = lines.velocity_moments()
        if len(blocks) == 1:
            kept = lines
    mean_v = np.where(brightness > 0, mean_v, g.v_sys)
    # The highest line profile, what per-voxel errors are measured against: each pixel's
    # flux over its line width, widened by the spread of velocities along its sight line
    # (the brightest pixel of an edge-on disk spreads its light over the whole rotation).
    widths = np.sqrt(line_width**2 + np.where(np.isfinite(spread), spread, 0.0))
    peak_density = float((brightness / widths).max(initial=0.0)) * area
    accepted, factor, shift, smear = smooth_pixels(
        pixels, brightness, mean_v, (obs.ny, obs.nx), line_width, tolerance, area,
        settings, peak_density,
    )  # fmt: skip
    accepted &= ~frame.must_split(cx, cy, size)
    accepted &= ~frame.on_thin_ridge(cx, cy, size)
    accepted &= ~frame.in_taper_band(cx, cy, size)

    # Pass 2: each block's samples.
    for block in blocks:
        first = block.start
        centre = kept
        if centre is None:
            centre = _sight_lines(cx[block], cy[block], frame, rule, panels)
        yes = accepted[block]
        kept_pixel = [first + np.flatnonzero(yes)]
        kept_flux = [centre.flux[yes] * (area * factor[block][yes])[:, None]]
        kept_v = [centre.velocity[yes] + shift[block][yes, None].astype(np.float32)]
        # Gauss-Legendre nodes (along the sight line, and the 2x2 rule below) already
        # integrate the velocity spread between them; only the one-point rule needs its own.
        kept_var = [smear[block][yes][:, None]]
        if centre.extra_variance is not None:  # a line width that varies with radius
            kept_var = [kept_var[0] + centre.extra_variance[yes]]
        refined = _refine(
            first + np.flatnonzero(~yes), cx[block][~yes], cy[block][~yes],
            _SightLines(centre.brightness[~yes], centre.flux[~yes], centre.velocity[~yes],
                        None if centre.extra_variance is None else centre.extra_variance[~yes]),
            frame, rule, panels, size, tolerance, line_width, peak_density, settings,
        )  # fmt: skip
        for local, flux, velocity, variance in refined:
            kept_pixel.append(local)
            kept_flux.append(flux)
            kept_v.append(velocity)
            kept_var.append(variance)
        yield SkySamples(
            pixels=pixels,
            local=np.concatenate(kept_pixel),
            flux=np.concatenate(kept_flux),
            velocity=np.concatenate(kept_v),
            variance=np.concatenate(kept_var),
        )


def _refine(
    pixel: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    cell_centres: _SightLines,
    frame: SkyFrame,
    rule: tuple[np.ndarray, np.ndarray],
    panels: int,
    size: float,
    tolerance: float,
    line_width: float,
    peak_density: float,
    settings: RenderSettings,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(local, flux, velocity, variance)`` of cells integrated by the 2x2 rule.

    Cells are split into four while either error estimate exceeds its tolerance (see
    the module docstring), down to ``max_refine_depth`` halvings.
    """
    held = 0  # sight lines sampled so far: every level's are kept until the deposit
    for depth in range(settings.max_refine_depth + 1):
        if pixel.size == 0:
            return
        held += 4 * pixel.size
        check_refinement(held, cell_centres.flux.shape[1], settings.memory_limit_bytes)
        area = size * size
        nodes_x = (cx[:, None] + _GL_OFFSETS[None, :, 0] * size).ravel()
        nodes_y = (cy[:, None] + _GL_OFFSETS[None, :, 1] * size).ravel()
        nodes = _sight_lines(nodes_x, nodes_y, frame, rule, panels)
        quad4 = 0.25 * area * nodes.brightness.reshape(-1, 4).sum(axis=1)
        if depth < settings.max_refine_depth:
            if depth > 0:
                cell_centres = _sight_lines(cx, cy, frame, rule, panels)
            refine = np.abs(quad4 - area * cell_centres.brightness) > tolerance
            refine |= (
                _spectral_error(cell_centres, nodes, size, quad4, line_width)
                > settings.voxel_tolerance * peak_density
            )
            # A cusp on or near a cell's edge fools both rules alike (neither samples it),
            # so the cells around the galaxy's centre are always split to the last level.
            refine |= frame.must_split(cx, cy, size)
        else:
            refine = np.zeros(pixel.size, dtype=bool)
        keep_nodes = np.repeat(~refine, 4)
        velocity = nodes.velocity[keep_nodes]
        yield (np.repeat(pixel[~refine], 4), nodes.flux[keep_nodes] * (0.25 * area), velocity,
               np.zeros((velocity.shape[0], 1)) if nodes.extra_variance is None
               else nodes.extra_variance[keep_nodes])  # fmt: skip
        if not refine.any():
            return
        # Split the flagged cells into four children of half the size.
        pixel = np.repeat(pixel[refine], 4)
        cx = (cx[refine][:, None] + _CHILD_OFFSETS[None, :, 0] * size).ravel()
        cy = (cy[refine][:, None] + _CHILD_OFFSETS[None, :, 1] * size).ravel()
        size *= 0.5
