"""Noise, its own stage, always from an explicit ``numpy.random.Generator``.

- white: independent Gaussian noise per voxel;
- beam-correlated: white noise convolved with the beam, then scaled by the exact factor
  ``1 / sqrt(sum K^2)`` (K the sampled, unit-sum kernel) so the rms is what was asked;
- Hanning-correlated in frequency: the (1/4, 1/2, 1/4) taper, scaled by ``1/sqrt(3/8)``.

White noise is drawn on the beam's padded grid and cropped after the convolution, so the
noise is stationary up to the field edges.  How loud it is (an rms, a peak or an
integrated S/N) is :mod:`.noise_level`'s.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft, ndimage

from .._support import validate as _validate
from ..observation.beam import Beam
from .beam import padded_shape

HANNING = np.array([0.25, 0.5, 0.25])
"""The Hanning taper's channel weights."""


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
        Source of randomness.
    beam : Beam, optional
        Correlate spatially with this beam, its major FWHM smaller than the field
        (``min(ny, nx)`` pixels).
    hanning : bool
        Correlate spectrally with the Hanning taper.

    Returns
    -------
    numpy.ndarray
        float32 noise, shape ``shape``.
    """
    rms = _validate.non_negative("rms", rms)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    hanning = _validate.boolean("hanning", hanning)
    if beam is not None:
        _validate.instance("beam", beam, Beam)
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise TypeError(f"shape must be (n_chan, ny, nx); got {shape!r}")
    n_chan, ny, nx = (_validate.integer(f"shape[{k}]", n, low=1) for k, n in enumerate(shape))
    if beam is not None and beam.bmaj_px >= min(ny, nx):
        # As an Observation's: the noise is drawn on a grid padded by five beam sigmas,
        # which for a beam wider than the field is mostly padding (1e6 px: petabytes).
        raise ValueError(
            f"beam bmaj must be smaller than the field ({min(ny, nx)} px); got {beam.bmaj_px:g} px"
        )
    extra = 2 if hanning else 0
    # The draws are float64 (the seeded stream), a block of channels at a time (the same
    # stream, in the same order, without a cube-sized float64 array); the filtering runs
    # in float32, as the cubes are stored: twice as fast, and 1e-7 of the rms is far
    # below what shows.
    scale = 1.0
    planes = n_chan + extra
    if beam is None:
        noise = np.empty((planes, ny, nx), dtype=np.float32)
        for block in _channel_blocks(planes):
            noise[block] = rng.standard_normal((block.stop - block.start, ny, nx))
    else:
        py, px = padded_shape(ny, nx, beam)
        transfer = beam.transfer_function(py, px)
        transfer32 = transfer.astype(np.float32)
        noise = np.empty((planes, ny, nx), dtype=np.float32)
        for block in _channel_blocks(planes):
            white = rng.standard_normal((block.stop - block.start, py, px)).astype(np.float32)
            spectrum = fft.rfft2(white)
            spectrum *= transfer32
            noise[block] = fft.irfft2(spectrum, s=(py, px))[..., :ny, :nx]
        # Parseval: the variance of white noise filtered by T is mean |T|^2 over the grid.
        full = np.concatenate([transfer, transfer[:, 1 : (px + 1) // 2][:, ::-1]], axis=1)
        scale /= math.sqrt(float(np.mean(full**2)))
    if hanning:
        noise = ndimage.convolve1d(noise, HANNING.astype(np.float32), axis=0,
                                   mode="constant")[1:-1]  # fmt: skip
        scale /= math.sqrt(float(np.sum(HANNING**2)))
    factor = rms * scale
    if factor >= float(np.finfo(np.float32).max):  # beyond float32: the caller refuses it
        return noise.astype(np.float64) * factor
    noise *= np.float32(factor)
    return noise


NOISE_BLOCK = 16
"""Channels of noise drawn and filtered at a time."""


def _channel_blocks(n: int) -> list[slice]:
    """Return the blocks of :data:`NOISE_BLOCK` planes that cover ``n``."""
    return [slice(k, min(k + NOISE_BLOCK, n)) for k in range(0, n, NOISE_BLOCK)]


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
