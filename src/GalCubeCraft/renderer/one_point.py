"""The one-point rule of the sky sampling: pixel centres with a curvature correction.

Where the surface brightness is smooth on the pixel scale, a pixel's integral is its
centre value plus ``(f_xx + f_yy) / 24`` from the discrete Laplacian of the centre map,
and its line profile is shifted and widened by the velocity field's slope and curvature
across it.  :func:`smooth_pixels` decides which pixels may keep that rule and returns
their corrections; every other pixel is refined by :mod:`.sampling`'s 2x2 rule.
"""

from __future__ import annotations

import numpy as np

from .settings import RenderSettings

_VELOCITY_HEADROOM = 10.0  # one-point pixels: profile change allowed before correction
_MAX_CORRECTION = 0.05  # largest curvature correction trusted, relative to the pixel's flux
_FOURTH_ORDER_COEFFICIENT = 17.0 / 5760.0  # |1/1920 - 1/288|
_ABSOLUTE_BUDGET = 10.0  # summed residual of faint pixels, in refine_tolerance x line flux


def profile_change(
    flux: np.ndarray, shift: np.ndarray, widening: np.ndarray, width2: np.ndarray
) -> np.ndarray:
    """Return how far a line profile moves, in flux per km/s, when shifted and widened.

    A Gaussian line of width ``s`` (``width2 = s^2``) holding ``flux`` peaks at
    ``flux / s`` (dropping sqrt(2 pi), as the peak it is compared with does too); moving
    its mean by ``shift`` and its variance by ``widening`` changes it by at most about
    ``0.61 |shift| / s + 0.5 |widening| / s^2`` of that peak.
    """
    width = np.sqrt(width2)
    return flux / width * (0.61 * np.abs(shift) / width + 0.5 * np.abs(widening) / width2)


def _laplacian(image: np.ndarray) -> np.ndarray:
    """Return the 5-point discrete Laplacian of ``image`` (zero outside it)."""
    padded = np.pad(image, 1)
    return padded[1:-1, :-2] + padded[1:-1, 2:] + padded[:-2, 1:-1] + padded[2:, 1:-1] - 4.0 * image


def _fourth_differences(image: np.ndarray) -> np.ndarray:
    """Return ``|d4x f| + |d4y f|``, the 5-point fourth differences (zero outside)."""
    p = np.pad(image, 2)
    row = p[2:-2]
    col = p[:, 2:-2]
    d4x = row[:, :-4] - 4 * row[:, 1:-3] + 6 * image - 4 * row[:, 3:-1] + row[:, 4:]
    d4y = col[:-4] - 4 * col[1:-3] + 6 * image - 4 * col[3:-1] + col[4:]
    return np.abs(d4x) + np.abs(d4y)


def smooth_pixels(
    pixels: np.ndarray,
    brightness: np.ndarray,
    mean_velocity: np.ndarray,
    shape: tuple[int, int],
    line_width_kms: float,
    tolerance_abs: float,
    area: float,
    settings: RenderSettings,
    peak_density: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (accepted, flux factor, velocity shift, velocity variance) of the one-point rule.

    Over a pixel the flux-weighted velocity differs from the centre's by
    ``grad(ln f) . grad(v) / 12 + lap(v) / 24`` (pixel units) and spreads with variance
    ``|grad v|^2 / 12``: a pixel that keeps the one-point rule gets both, the velocity
    analogue of the flux's curvature correction.

    A pixel is accepted when its neighbours out to two pixels were sampled (so the
    derivatives are measured, not guessed), its fourth-order residual is small relative
    to its own flux or to the galaxy's, and its velocity structure is faint enough:
    the shift, the ramp's variance and the variance that the velocity field's curvature
    adds (``(v_xx^2 + v_yy^2) / 180 + v_xy^2 / 144``, not corrected) would together move
    its line profile by less than ``_VELOCITY_HEADROOM`` times ``voxel_tolerance`` of
    the brightest line profile ``peak_density``.  What the corrections leave is a small
    part of that, so the accepted pixels stay well inside the tolerance.
    """
    ny, nx = shape
    flat_sampled = np.zeros(ny * nx, dtype=bool)
    flat_sampled[pixels] = True
    flat_f = np.zeros(ny * nx)
    flat_f[pixels] = brightness
    flat_v = np.zeros(ny * nx)
    flat_v[pixels] = mean_velocity
    f, v = flat_f.reshape(ny, nx), flat_v.reshape(ny, nx)
    sampled = flat_sampled.reshape(ny, nx)
    correction = (_laplacian(f) / 24.0).ravel()[pixels]
    fourth = _fourth_differences(f).ravel()[pixels]
    padded = np.pad(sampled, 2)
    neighbours = np.ones_like(sampled)
    for dy, dx in ((0, -2), (0, -1), (0, 1), (0, 2), (-2, 0), (-1, 0), (1, 0), (2, 0)):
        neighbours &= padded[2 + dy : 2 + dy + ny, 2 + dx : 2 + dx + nx]
    neighbours = neighbours.ravel()[pixels]
    vp = np.pad(v, 1, mode="edge")
    fp = np.pad(f, 1, mode="edge")
    gvx, gvy = 0.5 * (vp[1:-1, 2:] - vp[1:-1, :-2]), 0.5 * (vp[2:, 1:-1] - vp[:-2, 1:-1])
    gfx, gfy = 0.5 * (fp[1:-1, 2:] - fp[1:-1, :-2]), 0.5 * (fp[2:, 1:-1] - fp[:-2, 1:-1])
    smear = (gvx**2 + gvy**2).ravel()[pixels] / 12.0  # variance of a velocity ramp over a pixel
    v_xx = vp[1:-1, 2:] + vp[1:-1, :-2] - 2.0 * v
    v_yy = vp[2:, 1:-1] + vp[:-2, 1:-1] - 2.0 * v
    v_xy = 0.25 * (vp[2:, 2:] - vp[2:, :-2] - vp[:-2, 2:] + vp[:-2, :-2])
    lap_v = v_xx + v_yy
    with np.errstate(divide="ignore", invalid="ignore"):
        weighted = np.where(f > 0.0, (gfx * gvx + gfy * gvy) / f, 0.0)
    shift = (weighted / 12.0 + lap_v / 24.0).ravel()[pixels]
    # Leading error of the corrected rule, |1/1920 - 1/288| f'''' per axis, with f''''
    # from fourth differences: large wherever a kink or cusp lies near the pixel.
    residual = _FOURTH_ORDER_COEFFICIENT * fourth
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(brightness > 0.0, correction / brightness, 0.0)
        residual_rel = np.where(brightness > 0.0, residual / brightness, 0.0)
    # Faint pixels may pass on absolute grounds, but only within one shared budget: a
    # per-pixel bound alone lets thousands of faint pixels add up to a visible error.
    relative_ok = residual_rel < settings.refine_tolerance
    candidates = np.flatnonzero(~relative_ok)
    order = candidates[np.argsort(residual[candidates])]
    within = np.cumsum(residual[order] * area) <= _ABSOLUTE_BUDGET * tolerance_abs
    flux_ok = relative_ok.copy()
    flux_ok[order[within]] = True
    curved = ((v_xx**2 + v_yy**2) / 180.0 + v_xy**2 / 144.0).ravel()[pixels]
    moved = profile_change(brightness * area, shift, smear + curved, line_width_kms**2 + smear)
    velocity_ok = moved < _VELOCITY_HEADROOM * settings.voxel_tolerance * peak_density
    accepted = neighbours & flux_ok & velocity_ok & (np.abs(relative) < _MAX_CORRECTION)
    return accepted, 1.0 + relative, shift, smear
