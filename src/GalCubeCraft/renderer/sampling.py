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

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..conventions import sky_to_major_minor
from ..observation.records import Observation
from .budget import check_refinement
from .geometry import DiskGeometry, taper_weight
from .los import PIECES, gauss_legendre_unit, los_samples
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
        Line flux of each sample (Jy km/s), shape ``(k, L)``, float64.
    velocity : numpy.ndarray
        Line-of-sight velocity of each sample (km/s), shape ``(k, L)``.
    variance : numpy.ndarray
        Variance of the velocities over the patch of sky each row of samples stands for
        ((km/s)^2), shape ``(k, 1)``, float32: the one-point rule's velocity ramp across
        its pixel, zero for Gauss-Legendre nodes (their spread is integrated by the
        rule); with a dispersion profile, ``(k, L)`` with each sample's own added.

    Sight lines without light are left out.
    """

    pixels: np.ndarray
    local: np.ndarray
    flux: np.ndarray
    velocity: np.ndarray
    variance: np.ndarray


@dataclass(frozen=True)
class _LineSums:
    """Each sight line's summed flux and the flux-weighted moments of its velocities."""

    brightness: np.ndarray  # (m,) flux per unit sky area
    mean: np.ndarray  # (m,) mean velocity (NaN if dark)
    spread: np.ndarray  # (m,) variance of the velocities (NaN if dark)
    extra_mean: np.ndarray | None = None  # (m,) mean of sigma(R)^2 - sigma_0^2 (0 if dark)

    def take(self, rows: np.ndarray) -> _LineSums:
        """Return the sums of sight lines ``rows`` (indices or a mask)."""
        extra = None if self.extra_mean is None else self.extra_mean[rows]
        return _LineSums(self.brightness[rows], self.mean[rows], self.spread[rows], extra)


@dataclass(frozen=True)
class _SightLines:
    """Sight lines at some sky offsets: their samples, and each line's sums."""

    flux: np.ndarray  # (m, L)
    velocity: np.ndarray  # (m, L)
    sums: _LineSums
    extra_variance: np.ndarray | None = None  # (m, L): sigma(R)^2 - sigma_0^2, if it varies


def _sight_lines(
    x: np.ndarray,
    y: np.ndarray,
    frame: SkyFrame,
    rule: tuple[np.ndarray, np.ndarray],
    panels: int,
) -> _SightLines:
    """Return the sight lines at sky offsets ``x, y`` (kpc from the galaxy's centre)."""
    from . import sampling_kernel  # numba: compiled on first use, not at import

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
    m = flux.shape[0]
    sums = _LineSums(np.empty(m), np.empty(m), np.empty(m), None if extra is None else np.empty(m))
    sampling_kernel.line_sums(
        flux, velocity, np.empty((0, 0), dtype=np.float32) if extra is None else extra,
        sums.brightness, sums.mean, sums.spread,
        np.empty(0) if sums.extra_mean is None else sums.extra_mean,
    )  # fmt: skip
    return _SightLines(flux, velocity, sums, extra)


def _spectral_error(
    centres: _LineSums, nodes: _LineSums, size: float, flux: np.ndarray, line_width: float
) -> np.ndarray:
    """Estimate how far a cell's one-point spectrum is from its 2x2 one, in flux per km/s.

    The one-point rule (centre sight line, broadened by the velocity ramp across the
    cell) and the 2x2 rule give the cell's line a mean and a variance; their difference
    moves the profile by :func:`.one_point.profile_change`.  The 2x2 rule is the more accurate, so
    this bounds the error of keeping it.  The 2x2 rule's moments are its four sight
    lines' (``nodes``, four per cell) pooled: ``var4`` is their flux-weighted variances
    plus the spread of their means.  Cells with a dark sight line get no estimate (0).
    """
    n = centres.brightness.size
    weight = nodes.brightness.reshape(n, 4)
    node_mean = nodes.mean.reshape(n, 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight4 = weight.sum(axis=1)
        mean4 = (weight * node_mean).sum(axis=1) / weight4
        pooled = nodes.spread.reshape(n, 4) + (node_mean - mean4[:, None]) ** 2
        var4 = (weight * pooled).sum(axis=1) / weight4
    baseline = 2.0 * _GL_OFFSET * size
    gx = 0.5 * ((node_mean[:, 1] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 2]))
    gy = 0.5 * ((node_mean[:, 2] - node_mean[:, 0]) + (node_mean[:, 3] - node_mean[:, 1]))
    var1 = centres.spread + (gx * gx + gy * gy) * (size / baseline) ** 2 / 12.0
    if nodes.extra_mean is not None:  # sigma(R): the rules' line widths differ too
        assert centres.extra_mean is not None
        with np.errstate(divide="ignore", invalid="ignore"):
            var4 = var4 + (weight * nodes.extra_mean.reshape(n, 4)).sum(axis=1) / weight4
        var1 = var1 + centres.extra_mean
    error = profile_change(flux, mean4 - centres.mean, var4 - var1, line_width * line_width + var4)
    return np.where(np.isfinite(error), error, 0.0)


@dataclass(frozen=True)
class _Kept:
    """Rows of some sight lines that the sampler keeps, and how each enters the cube."""

    lines: _SightLines
    rows: np.ndarray  # (k,) the rows of lines kept
    pixel: np.ndarray  # (k,) each row's pixel, as a position in the list of candidates
    scale: np.ndarray  # (k,) sky area each row stands for, times the one-point correction
    shift: np.ndarray | None = None  # (k,) float32: the one-point rule's velocity shift
    smear: np.ndarray | None = None  # (k,) the one-point rule's velocity variance


def _gather(pixels: np.ndarray, kept: list[_Kept]) -> SkySamples:
    """Return the kept rows as one :class:`SkySamples`, each array written once.

    The flux is the samples' (per unit area) times each row's ``scale``, in float64;
    the velocity is shifted in its own type; the variance is float32, ``(k, 1)`` or,
    with a dispersion profile, ``(k, L)``.
    """
    from . import sampling_kernel  # numba: compiled on first use, not at import

    total = sum(part.rows.size for part in kept)
    width = kept[0].lines.flux.shape[1]
    per_sample = kept[0].lines.extra_variance is not None
    flux = np.empty((total, width))
    velocity_type = np.result_type(np.float32, *(part.lines.velocity.dtype for part in kept))
    velocity = np.empty((total, width), dtype=velocity_type)
    variance = np.empty((total, width if per_sample else 1), dtype=np.float32)
    start = 0
    for part in kept:
        n = part.rows.size
        if n == 0:
            continue
        ones = np.ones(n, dtype=np.float32)
        shift = np.zeros(n, dtype=np.float32) if part.shift is None else part.shift
        smear = np.zeros(n) if part.smear is None else part.smear
        gather = functools.partial(sampling_kernel.gather_rows, rows=part.rows, start=start)
        gather(part.lines.flux, scale=part.scale, offset=np.zeros(n), out=flux)
        gather(part.lines.velocity, scale=ones, offset=shift, out=velocity)
        if per_sample:  # a line width that varies with radius, per sample
            assert part.lines.extra_variance is not None
            gather(part.lines.extra_variance, scale=ones, offset=smear, out=variance)
        else:
            variance[start : start + n, 0] = smear
        start += n
    local = np.concatenate([part.pixel for part in kept])
    return SkySamples(pixels=pixels, local=local, flux=flux, velocity=velocity,
                      variance=variance)  # fmt: skip


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
        brightness[block] = lines.sums.brightness
        mean_v[block], spread[block] = lines.sums.mean, lines.sums.spread
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
        # Dark sight lines (a third of the candidates lie outside the disk) add nothing.
        rows = np.flatnonzero(yes & (centre.sums.brightness > 0.0))
        # Gauss-Legendre nodes (along the sight line, and the 2x2 rule below) already
        # integrate the velocity spread between them; only the one-point rule needs its own.
        parts = [_Kept(centre, rows, first + rows, area * factor[block][rows],
                       shift[block][rows].astype(np.float32), smear[block][rows])]  # fmt: skip
        split = np.flatnonzero(~yes)
        parts.extend(_refine(
            first + split, cx[block][split], cy[block][split], centre.sums.take(split),
            frame, rule, panels, size, tolerance, line_width, peak_density, settings,
        ))  # fmt: skip
        yield _gather(pixels, parts)


def _refine(
    pixel: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    cell_centres: _LineSums,
    frame: SkyFrame,
    rule: tuple[np.ndarray, np.ndarray],
    panels: int,
    size: float,
    tolerance: float,
    line_width: float,
    peak_density: float,
    settings: RenderSettings,
) -> Iterator[_Kept]:
    """Yield the sight lines of cells integrated by the 2x2 rule, a level at a time.

    Cells are split into four while either error estimate exceeds its tolerance (see
    the module docstring), down to ``max_refine_depth`` halvings.
    """
    held = 0  # sight lines sampled so far: every level's are kept until the deposit
    for depth in range(settings.max_refine_depth + 1):
        if pixel.size == 0:
            return
        held += 4 * pixel.size
        check_refinement(held, _samples_per_line(rule, panels), settings.memory_limit_bytes)
        area = size * size
        nodes_x = (cx[:, None] + _GL_OFFSETS[None, :, 0] * size).ravel()
        nodes_y = (cy[:, None] + _GL_OFFSETS[None, :, 1] * size).ravel()
        nodes = _sight_lines(nodes_x, nodes_y, frame, rule, panels)
        quad4 = 0.25 * area * nodes.sums.brightness.reshape(-1, 4).sum(axis=1)
        if depth < settings.max_refine_depth:
            if depth > 0:
                cell_centres = _sight_lines(cx, cy, frame, rule, panels).sums
            refine = np.abs(quad4 - area * cell_centres.brightness) > tolerance
            refine |= (
                _spectral_error(cell_centres, nodes.sums, size, quad4, line_width)
                > settings.voxel_tolerance * peak_density
            )
            # A cusp on or near a cell's edge fools both rules alike (neither samples it),
            # so the cells around the galaxy's centre are always split to the last level.
            refine |= frame.must_split(cx, cy, size)
        else:
            refine = np.zeros(pixel.size, dtype=bool)
        rows = np.flatnonzero(np.repeat(~refine, 4) & (nodes.sums.brightness > 0.0))
        yield _Kept(nodes, rows, pixel[rows // 4], np.full(rows.size, 0.25 * area))
        if not refine.any():
            return
        # Split the flagged cells into four children of half the size.
        pixel = np.repeat(pixel[refine], 4)
        cx = (cx[refine][:, None] + _CHILD_OFFSETS[None, :, 0] * size).ravel()
        cy = (cy[refine][:, None] + _CHILD_OFFSETS[None, :, 1] * size).ravel()
        size *= 0.5


def _samples_per_line(rule: tuple[np.ndarray, np.ndarray], panels: int) -> int:
    """Return the samples along each sight line (:func:`.los.los_samples`)."""
    return PIECES * panels * rule[0].size
