"""Noise, its own stage: a counter-based field, any part of which can be drawn alone.

- white: independent Gaussian noise per voxel;
- beam-correlated: white noise convolved with the beam, then scaled by the exact factor
  ``1 / sqrt(sum K^2)`` (K the unit-sum kernel) so the rms is what was asked;
- Hanning-correlated in frequency: the (1/4, 1/2, 1/4) taper, scaled by ``1/sqrt(3/8)``.

The white noise is a field over the whole, unbounded voxel grid: the value at global
voxel ``(c, y, x)`` is a function of a 64-bit key and that position alone (Philox4x32-10
and Box-Muller, :mod:`GalCubeCraft.kernels.counter_normals`).  The correlated noise at a
voxel depends only on the white noise within the filter's reach of it, which is drawn
from the same field: so :func:`noise_region` gives any part of a cube (a survey's tile)
by itself, equal to that part of the whole cube, and the noise is stationary up to the
field edges (the white noise beyond them exists; nothing is padded with zeros).

The beam's correlation is made by short 1-D passes along lattice lines
(:mod:`.noise_filter`: two for a round or axis-aligned beam, the beam's own separable
filters; three for a rotated elliptical one), each output summed in a fixed order of
plain float32 operations (no fast-math), so the parts equal the whole bit for bit.  A
rotated beam the lines cannot carry (narrower than about 3 pixels, or more elongated than
about 5:1 at an angle between the lines) uses its 2-D kernel by FFT, whose rounding
depends on the transform's size: there the parts equal the whole to float32 rounding
(1e-6 of the rms).  Everything is float32 and the work arrays are a few planes, so the
noise takes one cube of memory.

A cube's key is one 64-bit draw from the generator it is given (:func:`noise_cube`):
cube ``index`` of a dataset under ``seed`` has key
:func:`GalCubeCraft._support.random.noise_key` ``(seed, index)``.
How loud it is (an rms, a peak or an integrated S/N) is :mod:`.noise_level`'s.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .._support import buffers as _buffers
from .._support import random as _random
from .._support import validate as _validate
from ..observation.beam import Beam

if TYPE_CHECKING:
    from .noise_filter import NoiseFilter

HANNING = np.array([0.25, 0.5, 0.25])
"""The Hanning taper's channel weights."""

_ORIGIN_LIMIT = 2**31
"""Global voxel positions lie in [-2**31, 2**31): the stream counts them in 32-bit words."""
MAX_PLANE_VALUES = 2**28
"""Most values in one plane of white noise (the region and its halo): 1 GiB of float32."""
NOISE_BLOCK = 8
"""Channels of noise made at a time where the beam's 2-D kernel is applied by FFT."""


def channel_taper(hanning: bool) -> np.ndarray:
    """Return the weights that correlate the noise along the channels, at unit power.

    The Hanning taper over its root sum of squares (the noise keeps its rms), or the
    single weight 1 (no correlation).
    """
    return HANNING / math.sqrt(float(np.sum(HANNING**2))) if hanning else np.ones(1)


def noise_cube(
    shape: tuple[int, int, int],
    rms: float,
    rng: np.random.Generator,
    beam: Beam | None = None,
    hanning: bool = False,
) -> np.ndarray:
    """Return a Gaussian noise cube of standard deviation ``rms``.

    Parameters
    ----------
    shape : tuple of int
        ``(n_chan, ny, nx)``.
    rms : float
        Standard deviation of every voxel (cube units, e.g. Jy/beam), >= 0.
    rng : numpy.random.Generator
        Source of randomness: one 64-bit key is drawn from it, and the cube is the
        region ``(0, 0, 0)`` to ``shape`` of that key's field (:func:`noise_region`).
    beam : Beam, optional
        Correlate spatially with this beam, its major FWHM smaller than the field
        (``min(ny, nx)`` pixels).
    hanning : bool
        Correlate spectrally with the Hanning taper.

    Returns
    -------
    numpy.ndarray
        float32 noise, shape ``shape`` (float64 where ``rms`` is beyond float32's range).
    """
    key = _cube_key(_shape("shape", shape), rms, rng, beam, hanning)
    return noise_region(key, (0, 0, 0), shape, rms, beam, hanning)


def add_noise_into(
    cube: np.ndarray,
    rms: float,
    rng: np.random.Generator,
    beam: Beam | None = None,
    hanning: bool = False,
) -> bool:
    """Add :func:`noise_cube` ``(cube.shape, rms, rng, beam, hanning)`` to ``cube`` in place.

    The cube factory's way when the clean cube is not kept: the noise is made
    :data:`NOISE_BLOCK` channels or more at a time (its regions equal the whole cube's
    noise bit for bit, the blocks aligned to the FFT path's) and added in the same
    pass that checks the sums, so no noise cube exists beside ``cube``.  Each value is
    ``cube + noise`` as :func:`sum_into_noise` computes it.

    ``cube``: a C-contiguous float32 ``(n_chan, ny, nx)`` array the caller owns.  Returns
    whether every sum is finite.
    """
    from .observe_kernels import add_finite  # numba: compiled on first use

    # Checked before the key is drawn: a copy (a non-contiguous cube's reshape) would
    # take the noise and leave the cube as it was.
    if not isinstance(cube, np.ndarray) or cube.ndim != 3 or cube.shape[0] < 1:
        raise ValueError(
            "cube must be a (n_chan, ny, nx) NumPy array with at least one channel; got "
            f"{type(cube).__name__} of shape {np.shape(cube)}"
        )
    if cube.dtype != np.float32 or not cube.flags.c_contiguous or not cube.flags.writeable:
        raise ValueError(
            "cube must be a writeable, C-contiguous float32 array (the noise is added in "
            f"place); got {cube.dtype}, C-contiguous {cube.flags.c_contiguous}, "
            f"writeable {cube.flags.writeable}"
        )
    key = _cube_key(cube.shape, rms, rng, beam, hanning)
    # A whole number of the FFT path's blocks, at most 16 MiB and an eighth of the cube.
    n_chan = cube.shape[0]
    step = NOISE_BLOCK * max(1, min((16 << 20) // (4 * NOISE_BLOCK * cube[0].size),
                                    n_chan // (8 * NOISE_BLOCK)))  # fmt: skip
    finite = True
    for start in range(0, n_chan, step):
        block = cube[start : start + step]
        noise = noise_region(key, (start, 0, 0), block.shape, rms, beam, hanning)
        if noise.dtype == np.float32:  # the sum into the block, commuted: the same bits
            finite = add_finite(noise.reshape(-1), block.reshape(-1)) and finite
        else:  # an rms beyond float32's range, as sum_into_noise: refused by the caller
            with np.errstate(over="ignore"):
                block[...] = (block + noise).astype(np.float32)
            finite = _validate.all_finite(block) and finite
    return finite


def _cube_key(
    shape: tuple[int, int, int],
    rms: float,
    rng: np.random.Generator,
    beam: Beam | None,
    hanning: bool,
) -> int:
    """Check a whole cube's noise arguments; return its field's key, drawn from ``rng``."""
    _validate.non_negative("rms", rms)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    _validate.boolean("hanning", hanning)
    if beam is not None:
        _validate.instance("beam", beam, Beam)
    if beam is not None and beam.bmaj_px >= min(shape[1:]):
        # A beam as wide as the field correlates it as a whole: refused, as by an
        # Observation (at 1e6 px its halo alone would be petabytes).
        raise ValueError(
            f"beam bmaj must be smaller than the field ({min(shape[1:])} px); "
            f"got {beam.bmaj_px:g} px"
        )
    return _random.generator_key(rng)


def noise_region(
    key: int,
    origin: tuple[int, int, int],
    shape: tuple[int, int, int],
    rms: float,
    beam: Beam | None = None,
    hanning: bool = False,
) -> np.ndarray:
    """Return the noise of the voxels ``origin`` to ``origin + shape`` of ``key``'s field.

    The field covers the whole voxel grid, so a cube's noise is the region from
    ``(0, 0, 0)`` to its shape, and any part of it, or any tile of a larger field, is
    drawn alone by giving its origin: ``noise_region(key, (c0, y0, x0), (n_c, n_y, n_x),
    ...)`` equals ``noise_region(key, (0, 0, 0), shape, ...)[c0 : c0 + n_c, y0 : y0 + n_y,
    x0 : x0 + n_x]`` bit for bit (to float32 rounding for the few beams filtered by FFT,
    see the module's notes).

    Parameters
    ----------
    key : int
        The field's key, in ``[0, 2**64)`` (:func:`GalCubeCraft._support.random.noise_key`).
    origin : tuple of int
        Global ``(channel, y, x)`` of the region's first voxel, each in ``[-2**31, 2**31)``.
    shape : tuple of int
        ``(n_chan, ny, nx)`` of the region, each >= 1.
    rms : float
        Standard deviation of every voxel, >= 0.
    beam : Beam, optional
        Correlate spatially with this beam.
    hanning : bool
        Correlate spectrally with the Hanning taper.

    Returns
    -------
    numpy.ndarray
        float32 noise of shape ``shape`` (float64 where ``rms`` is beyond float32's range).
    """
    from ..kernels.counter_normals import fill_standard_normals, key_words
    from . import noise_filter as _filter
    from .noise_kernels import filtered_normals

    k0, k1 = key_words(_validate.integer("key", key, low=0, high=2**64 - 1))
    c0, y0, x0 = (
        _validate.integer(f"origin[{k}]", o, low=-_ORIGIN_LIMIT, high=_ORIGIN_LIMIT - 1)
        for k, o in enumerate(_triple("origin", origin, "(channel, y, x)"))
    )
    shape = _shape("shape", shape)
    rms = _validate.non_negative("rms", rms)
    hanning = _validate.boolean("hanning", hanning)
    if beam is not None:
        _validate.instance("beam", beam, Beam)
    if rms == 0.0:
        return np.zeros(shape, dtype=np.float32)
    if beam is not None:  # before planning, which itself makes planes of the halo's size
        _check_plane(shape, *_filter.halo_estimate(beam))
    plan = None if beam is None else _filter.noise_filter(beam)
    halo_y, halo_x = (0, 0) if plan is None else (plan.halo_y, plan.halo_x)
    _check_plane(shape, halo_y, halo_x)
    spatial = 1.0 if plan is None else 1.0 / math.sqrt(plan.sum_squares)
    channel = channel_taper(hanning)
    # Beyond float32's range the noise is made at unit rms and scaled in float64 (the
    # callers then refuse it, or keep a float64 cube).
    wide = rms * spatial * float(channel.max()) >= float(np.finfo(np.float32).max)
    gain = spatial * (1.0 if wide else rms)
    out = _buffers.empty(shape)  # the pool's memory: no fresh pages per cube
    if plan is None and not hanning:
        fill_standard_normals(out, c0, y0, x0, k0, k1)
        with np.errstate(over="ignore"):  # just below float32's range: inf, which callers refuse
            out *= np.float32(gain)
    elif plan is None or not plan.by_fft:
        # The gain rides on the last weights applied: the channel taper's, else the last
        # pass's taps or the kernel, so no pass over the cube is spent on scaling.
        taps, reaches, lines, kernel = _filter.packed_filter(plan or _filter.NO_FILTER,
                                                             1.0 if hanning else gain)  # fmt: skip
        weights = (channel * (gain if hanning else 1.0)).astype(np.float32)
        filtered_normals(out, c0, y0, x0, k0, k1, taps, reaches, lines, kernel, halo_y, halo_x,
                         weights)  # fmt: skip
    else:
        _fft_region(out, (c0, y0, x0), k0, k1, plan, channel * gain)
    if wide:
        return out.astype(np.float64) * rms
    return out


def _fft_region(
    out: np.ndarray,
    origin: tuple[int, int, int],
    k0: np.uint32,
    k1: np.uint32,
    plan: NoiseFilter,
    weights: np.ndarray,
) -> None:
    """Fill ``out`` with white noise filtered by ``plan.response`` (FFT) and ``weights``.

    :data:`NOISE_BLOCK` output channels at a time, from the planes around them: the
    standard normals of each plane and its halo, convolved with the kernel (a linear
    convolution: the FFT grid holds the plane and its halo, and the part kept never
    wraps), then summed over the channels with ``weights`` (odd length; one weight: just
    scaled).  The planes two blocks share are drawn twice, so no cube-sized array is made.
    """
    from scipy import fft

    from ..kernels.counter_normals import fill_standard_normals

    n_c, n_y, n_x = out.shape
    hy, hx = plan.halo_y, plan.halo_x
    height, width = n_y + 2 * hy, n_x + 2 * hx
    grid = (fft.next_fast_len(height, real=True), fft.next_fast_len(width, real=True))
    transfer = fft.rfft2(plan.response.astype(np.float32), s=grid)
    rc = (weights.size - 1) // 2
    weights32 = weights.astype(np.float32)
    for start in range(0, n_c, NOISE_BLOCK):
        count = min(NOISE_BLOCK, n_c - start)
        white = np.empty((count + 2 * rc, height, width), dtype=np.float32)
        fill_standard_normals(white, origin[0] - rc + start, origin[1] - hy, origin[2] - hx,
                              k0, k1)  # fmt: skip
        spectrum = fft.rfft2(white, s=grid)
        del white
        spectrum *= transfer
        planes = fft.irfft2(spectrum, s=grid)[:, 2 * hy : 2 * hy + n_y, 2 * hx : 2 * hx + n_x]
        block = out[start : start + count]
        np.multiply(planes[:count], weights32[0], out=block)
        for m in range(1, 2 * rc + 1):
            block += weights32[m] * planes[m : m + count]


def _check_plane(shape: tuple[int, int, int], halo_y: int, halo_x: int) -> None:
    """Refuse a region whose planes with their halo exceed :data:`MAX_PLANE_VALUES`."""
    plane = (shape[1] + 2 * halo_y) * (shape[2] + 2 * halo_x)
    if plane > MAX_PLANE_VALUES:
        raise ValueError(
            f"a region of {shape[1]} x {shape[2]} px with the beam's halo of {halo_y} x "
            f"{halo_x} px needs planes of {plane} values; at most {MAX_PLANE_VALUES}"
        )


def _triple(name: str, value: object, axes: str) -> tuple[object, object, object]:
    """Return ``value`` as three items, or raise TypeError naming ``name`` and its ``axes``."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"{name} must be {axes}; got {value!r}")
    return value[0], value[1], value[2]


def _shape(name: str, value: object) -> tuple[int, int, int]:
    """Return ``value`` as a shape of three positive integers."""
    n_c, n_y, n_x = (
        _validate.integer(f"{name}[{k}]", n, low=1)
        for k, n in enumerate(_triple(name, value, "(n_chan, ny, nx)"))
    )
    return n_c, n_y, n_x


def add_noise(
    cube: np.ndarray,
    rms: float,
    rng: np.random.Generator,
    beam: Beam | None = None,
    hanning: bool = False,
) -> np.ndarray:
    """Return ``cube`` plus noise of standard deviation ``rms``.

    A float cube keeps its dtype; an integer one becomes float64 (rather than truncating
    the noise).  Raises ValueError if the sum overflows the dtype.
    """
    data = _validate.finite_array("cube", cube)
    noisy = data + noise_cube(data.shape, rms, rng, beam, hanning)
    with np.errstate(over="ignore"):
        noisy = noisy.astype(data.dtype, copy=False)
    if not np.all(np.isfinite(noisy)):
        raise ValueError(f"rms {rms!r} overflows {data.dtype} once added to the cube")
    return noisy


def sum_into_noise(clean: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return ``clean + noise`` as float32 and whether it is finite (the factory's hot path).

    Into ``noise`` itself, checked in the same compiled pass, when it is a C-contiguous
    float32 array the caller owns (:func:`noise_cube`'s); else a new float32 array.
    """
    if noise.dtype == np.float32 and noise.flags.c_contiguous and clean.flags.c_contiguous:
        from .observe_kernels import add_finite  # numba: compiled on first use

        return noise, add_finite(clean.reshape(-1), noise.reshape(-1))
    with np.errstate(over="ignore"):  # an rms beyond float32's range: refused by the caller
        summed = (clean + noise).astype(np.float32, copy=False)
    return summed, _validate.all_finite(summed)


def add_noise_peak_snr(
    cube: np.ndarray,
    peak_snr: float,
    beam: Beam | None,
    rng: np.random.Generator,
    hanning: bool = False,
) -> np.ndarray:
    """Return ``cube`` plus noise at ``rms = peak / peak_snr`` (S/N measured at the peak)."""
    snr = _validate.positive("peak_snr", peak_snr)
    data = _validate.finite_array("cube", cube)
    with np.errstate(over="ignore"):
        rms = float(np.max(data)) / snr
    if not np.isfinite(rms):
        raise ValueError(f"peak_snr {peak_snr!r} gives an infinite noise rms")
    return add_noise(data, rms, rng, beam, hanning)
