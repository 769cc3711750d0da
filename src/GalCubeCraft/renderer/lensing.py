"""The truth of a lensed cube: magnification map, critical curves, caustics, total magnification.

The lensed cube itself is rendered exactly by the sky sampler (each sight line sees the
source at ``beta = theta - alpha(theta)``; :mod:`GalCubeCraft.renderer.sky_frames`);
this module describes the lens on the observation's grid, for ground truth and plots.
Curves are in arcsec offsets ``(x, y)`` from the field centre, the frame of
:mod:`GalCubeCraft.model.lens`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model.lens import Lens
from ..observation.records import Observation, pixel_centres_kpc
from ..products.cube import Cube

CURVE_OVERSAMPLING = 4
"""Grid points per pixel on which ``det A`` is contoured for the critical curves."""


@dataclass(frozen=True, eq=False)
class LensingTruth:
    """What the lens did to a cube.

    Attributes
    ----------
    lens : Lens
        The lens.
    source_model : Cube
        The same scene without the lens (Jy/pixel), on the same grid.
    source_clean : numpy.ndarray
        ``source_model`` through the same instrument (float32, the clean cube's unit).
    magnification : numpy.ndarray
        Signed point magnification ``1 / det A`` at each pixel centre, ``(ny, nx)``
        float32 (its sign is the image's parity).
    total_magnification : float
        Lensed over unlensed line flux, both inside the field and band (NaN when the
        unlensed source puts no flux there).
    critical_curves : tuple of numpy.ndarray
        Closed or open polylines ``(n, 2)`` of ``(x, y)`` arcsec where ``det A = 0``.
    caustics : tuple of numpy.ndarray
        The critical curves mapped to the source plane (arcsec).
    """

    lens: Lens
    source_model: Cube
    source_clean: np.ndarray
    magnification: np.ndarray
    total_magnification: float
    critical_curves: tuple[np.ndarray, ...]
    caustics: tuple[np.ndarray, ...]


def pixel_centres_arcsec(observation: Observation) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x, y)`` arcsec offsets of every pixel centre, each ``(ny, nx)``."""
    scale = observation.require_sky().kpc_per_arcsec
    xs = pixel_centres_kpc(observation.nx, observation.pixel_kpc) / scale
    ys = pixel_centres_kpc(observation.ny, observation.pixel_kpc) / scale
    x, y = np.meshgrid(xs, ys)
    return x, y


def magnification_map(lens: Lens, observation: Observation) -> np.ndarray:
    """Return the signed point magnification at each pixel centre, ``(ny, nx)`` float32.

    Infinite where a pixel centre lies exactly on a critical curve.
    """
    x, y = pixel_centres_arcsec(observation)
    return lens.magnification(x, y).astype(np.float32)


def critical_curves(
    lens: Lens, observation: Observation, oversampling: int = CURVE_OVERSAMPLING
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Return ``(critical curves, caustics)`` inside the field, as ``(n, 2)`` arcsec polylines.

    ``det A`` is contoured at zero on a grid ``oversampling`` times finer than the
    pixels (linear interpolation: positions good to a small fraction of a grid step
    where ``det A`` is smooth); the singular centres of SIEs are masked, where ``det A``
    is undefined.  Caustics are the curves' points mapped to the source plane.
    """
    import contourpy

    sky = observation.require_sky()
    step = observation.pixel_kpc / sky.kpc_per_arcsec / oversampling
    half_x = 0.5 * observation.nx * observation.pixel_kpc / sky.kpc_per_arcsec
    half_y = 0.5 * observation.ny * observation.pixel_kpc / sky.kpc_per_arcsec
    xs = np.arange(-half_x + 0.5 * step, half_x, step)
    ys = np.arange(-half_y + 0.5 * step, half_y, step)
    x, y = np.meshgrid(xs, ys)
    det = lens.jacobian_determinant(x, y)
    undefined = np.zeros(det.shape, dtype=bool)
    for sx, sy in lens.singular_points():
        undefined |= (np.abs(x - sx) < step) & (np.abs(y - sy) < step)
    surface = np.ma.masked_array(det, mask=undefined | ~np.isfinite(det))
    lines = contourpy.contour_generator(xs, ys, surface).lines(0.0)
    curves = tuple(np.asarray(line, dtype=np.float64) for line in lines if len(line) > 1)
    caustics = tuple(np.column_stack(lens.source_position(c[:, 0], c[:, 1])) for c in curves)
    return curves, caustics


def total_magnification(lensed: Cube, unlensed: Cube) -> float:
    """Return the ratio of the two cubes' line fluxes (NaN if the unlensed one is dark)."""
    source = float(unlensed.data.sum(dtype=np.float64))
    if source <= 0.0:
        return math.nan
    return float(lensed.data.sum(dtype=np.float64)) / source


def curve_mask(curves: tuple[np.ndarray, ...], observation: Observation) -> np.ndarray:
    """Return a ``(ny, nx)`` uint8 mask of the pixels that ``curves`` (arcsec) pass through.

    The curves' vertices lie a fraction of a pixel apart (:func:`critical_curves`), so
    marking the pixel of every vertex leaves no gaps.
    """
    mask = np.zeros((observation.ny, observation.nx), dtype=np.uint8)
    if not curves:
        return mask
    points = np.concatenate(curves)
    pixel_arcsec = observation.pixel_kpc / observation.require_sky().kpc_per_arcsec
    cx, cy = observation.centre_px
    ix = np.floor(points[:, 0] / pixel_arcsec + cx + 0.5).astype(np.int64)
    iy = np.floor(points[:, 1] / pixel_arcsec + cy + 0.5).astype(np.int64)
    inside = (ix >= 0) & (ix < observation.nx) & (iy >= 0) & (iy < observation.ny)
    mask[iy[inside], ix[inside]] = 1
    return mask
