"""Moment maps, defined once and shared by plots, the CLI and the tests.

For a cube ``I[c, y, x]`` on channel velocities ``v[c]`` of width ``dv``:

- moment 0: ``sum_c I dv`` (intensity unit times km/s);
- moment 1: ``sum_c I v / sum_c I`` (km/s), the intensity-weighted mean velocity;
- moment 2: ``sqrt(sum_c I (v - m1)^2 / sum_c I)`` (km/s), the velocity dispersion.

A mask (from a clip level, or from the clean cube) keeps noise out of moments 1 and 2;
pixels with no unmasked emission are NaN in those maps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..conventions import pa_unit_vector


@dataclass(frozen=True)
class Moments:
    """Moment 0, 1 and 2 maps of one cube."""

    m0: np.ndarray
    m1: np.ndarray
    m2: np.ndarray


def emission_mask(cube: np.ndarray, clip: float) -> np.ndarray:
    """Return ``cube > clip``: voxels counted in the moments."""
    return np.asarray(cube) > clip


def moments(
    cube: np.ndarray,
    velocities_kms: np.ndarray,
    mask: np.ndarray | None = None,
    min_fraction: float = 1e-3,
) -> Moments:
    """Return the moment maps of ``cube``.

    Parameters
    ----------
    cube : numpy.ndarray
        Shape ``(n_chan, ny, nx)``.
    velocities_kms : numpy.ndarray
        Channel centres (km/s), equally spaced.
    mask : numpy.ndarray of bool, optional
        Voxels to use; default all.
    min_fraction : float
        Moments 1 and 2 are NaN where moment 0 is below this fraction of its peak.

    Returns
    -------
    Moments
        The three maps, shape ``(ny, nx)``.
    """
    from .moments_kernel import moment_sums  # numba: compiled on first use

    data = np.asarray(cube)
    v = np.asarray(velocities_kms, dtype=np.float64)
    dv = float(abs(v[1] - v[0])) if v.size > 1 else 1.0
    # Summed over the channels in float64, a block of pixels at a time (compiled): no
    # cube-sized float64 copy of the cube, and the cube is read once.
    n_chan, pixels = data.shape[0], int(np.prod(data.shape[1:]))
    flat = np.ascontiguousarray(data).reshape(n_chan, pixels)
    if flat.dtype not in (np.float32, np.float64):
        flat = flat.astype(np.float64)  # as each channel's astype did
    keep = np.zeros((0, 0), dtype=bool)
    if mask is not None:
        keep = np.ascontiguousarray(np.broadcast_to(mask, data.shape), dtype=bool)
        keep = keep.reshape(n_chan, pixels)
    sums = np.empty((3, flat.shape[1]))
    # The inputs always go in as read-only views: numba compiles a kernel for each
    # read-only/writable mix it meets (~0.3 s each on a fresh install), and cubes come
    # both ways (a render's own array, a Cube's read-only data, a broadcast mask).
    moment_sums(_read_only(flat), _read_only(v), _read_only(keep), sums[0], sums[1], sums[2])
    total, first, second_sum = (s.reshape(data.shape[1:]) for s in sums)
    m0 = total * dv
    peak = np.max(total) if total.size else 0.0
    valid = total > min_fraction * peak if peak > 0 else np.zeros_like(total, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        m1 = first / total
        second = second_sum / total - m1 * m1
    m1 = np.where(valid, m1, np.nan)
    m2 = np.where(valid, np.sqrt(np.maximum(second, 0.0)), np.nan)
    return Moments(m0=m0, m1=m1, m2=m2)


def _read_only(array: np.ndarray) -> np.ndarray:
    """Return a read-only view of ``array`` (the array itself is left as it is)."""
    view = array.view()
    view.flags.writeable = False
    return view


def integrated_spectrum(cube: np.ndarray) -> np.ndarray:
    """Return the spectrum summed over all pixels, shape ``(n_chan,)``."""
    return np.asarray(cube, dtype=np.float64).sum(axis=(1, 2))


def line_width(spectrum: np.ndarray, velocities_kms: np.ndarray, fraction: float) -> float:
    """Return the width (km/s) of a line at ``fraction`` of its peak (W50: 0.5, W20: 0.2).

    The width runs between the outermost crossings of the level ``fraction * max(spectrum)``:
    from each end of the band inwards, the first channel at or above the level and the
    channel before it, with the crossing interpolated linearly between their centres.  A
    double-horned profile whose trough dips below the level is therefore measured across
    both horns, as in HI surveys.  A lower level never gives a narrower width.

    Parameters
    ----------
    spectrum : numpy.ndarray
        Flux per channel, shape ``(n_chan,)``, on ``velocities_kms`` (ascending).
    velocities_kms : numpy.ndarray
        Channel centres (km/s), ascending.
    fraction : float
        The level as a fraction of the peak, in (0, 1].

    Returns
    -------
    float
        The width, or NaN when the spectrum has no positive peak or the line still lies at
        or above the level in the first or last channel (the band cuts it: no crossing).
    """
    s = np.asarray(spectrum, dtype=np.float64)
    v = np.asarray(velocities_kms, dtype=np.float64)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must lie in (0, 1]; got {fraction!r}")
    peak = float(np.max(s, initial=0.0))
    if not peak > 0.0:
        return math.nan
    level = fraction * peak
    above = np.flatnonzero(s >= level)
    low, high = int(above[0]), int(above[-1])
    if low == 0 or high == s.size - 1:
        return math.nan
    # s[low - 1] < level <= s[low] and s[high] >= level > s[high + 1]: both steps positive.
    v_low = v[low - 1] + (level - s[low - 1]) / (s[low] - s[low - 1]) * (v[low] - v[low - 1])
    v_high = v[high] + (s[high] - level) / (s[high] - s[high + 1]) * (v[high + 1] - v[high])
    return float(v_high - v_low)


def position_velocity_slice(
    cube: np.ndarray, pa_deg: float, centre_xy: tuple[float, float], half_length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return a position-velocity slice along position angle ``pa_deg`` through ``centre_xy``.

    The slit is sampled every pixel by bilinear interpolation; offsets are positive
    toward the PA (north through east; north is +y, east is -x).

    Returns
    -------
    offsets_px : numpy.ndarray
        Offsets along the slit (pixels), shape ``(n_pos,)``.
    pv : numpy.ndarray
        Intensity, shape ``(n_chan, n_pos)``.
    """
    from scipy import ndimage

    n_chan, ny, nx = cube.shape
    if half_length is None:
        half_length = min(nx, ny) // 2
    offsets = np.arange(-half_length, half_length + 1, dtype=float)
    dx, dy = pa_unit_vector(pa_deg)
    xs = centre_xy[0] + offsets * dx
    ys = centre_xy[1] + offsets * dy
    pv = np.empty((n_chan, offsets.size))
    for c in range(n_chan):  # one interpolation per channel: cheap, cube-sized at most
        pv[c] = ndimage.map_coordinates(cube[c], [ys, xs], order=1, mode="constant", cval=0.0)
    return offsets, pv
