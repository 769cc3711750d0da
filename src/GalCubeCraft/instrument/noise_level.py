"""How loud the noise is: an rms, a peak S/N or an integrated S/N, each defined exactly.

``clean`` is the noiseless observed cube (Jy/beam) and ``rms`` the standard deviation of
every voxel of the noise :func:`~GalCubeCraft.instrument.noise.noise_cube` adds (white
noise filtered by the beam and, optionally, the Hanning taper, scaled to ``rms``):

- **peak S/N** ``= max(clean) / rms``;
- **integrated S/N** ``= F / sigma_F``: ``F`` is the sum of ``clean`` over the mask ``M``
  of the voxels where ``clean >= INTEGRATED_SNR_FRACTION * max(clean)`` (10% of the
  peak), and ``sigma_F`` the standard deviation of the sum over ``M`` of the noise.  The
  noise is linear in the white draws ``w`` (a field over the unbounded voxel grid): per
  plane ``p`` of draws, ``n = s K * w``, ``K`` the 2-D kernel the noise is correlated
  with (:attr:`~GalCubeCraft.instrument.noise_filter.NoiseFilter.response`, the product
  of its passes) and ``s = 1 / ||K||`` the scale that makes the rms 1; with Hanning,
  channel ``c`` is ``sum_j h_j n_{c+j}`` (``h`` the taper over its root sum of squares).
  So the sum over ``M`` is ``sum_p <K * B_p, w_p>`` with ``B`` the mask convolved along
  the channels with ``h`` (the mask itself without Hanning), and exactly

      ``sigma_F = rms * s * sqrt(sum_p ||K * B_p||^2)``,

  the convolution linear (full: every draw a masked voxel reads), over the mask's
  bounding box alone, by FFT.  ``K`` is point-symmetric, so correlating is convolving.
  For white noise (no beam) this is ``rms * sqrt(|M|)``.  Both ``F`` and ``sigma_F`` are
  sums over voxels, so the ratio has no unit (multiplying both by the channel width over
  the beam area, to Jy km/s, changes nothing).

An rms that gives an integrated S/N ``S`` follows in closed form:
``rms = F / (S * sigma_F(rms = 1))`` (:func:`rms_for_integrated_snr`).  A cube whose peak is
not positive has no S/N: its noise for a target S/N is zero (no noise), and its S/N NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate
from ..observation.beam import Beam
from .noise import channel_taper

INTEGRATED_SNR_FRACTION = 0.1
"""The integrated S/N sums the voxels at or above this fraction of the clean cube's peak."""
_SUM_BLOCK = 16
"""Planes of the signal mask made, and of :func:`summed_noise_std`'s sums correlated, at a
time (bounded temporaries)."""


def signal_mask(clean: np.ndarray, fraction: float = INTEGRATED_SNR_FRACTION) -> np.ndarray:
    """Return the voxels where ``clean >= fraction * max(clean)`` (none if the peak is <= 0)."""
    peak = float(np.max(clean))
    if not peak > 0.0:
        return np.zeros(np.shape(clean), dtype=bool)
    return np.asarray(clean) >= fraction * peak


def summed_noise_std(mask: np.ndarray, beam: Beam | None = None, hanning: bool = False) -> float:
    """Return the standard deviation of the sum over ``mask`` of unit-rms noise, exactly.

    The noise is :func:`~GalCubeCraft.instrument.noise.noise_cube`'s at ``rms = 1`` with
    the same ``beam`` and ``hanning`` (the module docstring gives the formula).

    Parameters
    ----------
    mask : numpy.ndarray
        Boolean ``(n_chan, ny, nx)``: the voxels summed.
    beam : Beam, optional
        The beam that correlates the noise (None: white noise).
    hanning : bool
        Whether the noise is Hanning-correlated along the channels too.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 3:
        raise ValueError(f"mask must be (n_chan, ny, nx); got shape {mask.shape}")
    return _summed_noise_std(lambda low, high: mask[low:high], mask.shape, beam, hanning)


_Planes = Callable[[int, int], np.ndarray]
"""The planes ``low:high`` of a mask, made when asked."""


def _summed_noise_std(
    mask_planes: _Planes, shape: tuple[int, ...], beam: Beam | None, hanning: bool
) -> float:
    """Return :func:`summed_noise_std` of the mask whose planes ``mask_planes`` gives."""
    from scipy import signal  # loaded on first use: ``import GalCubeCraft`` stays light

    from .noise_filter import NO_FILTER, noise_filter  # imports scipy.fft

    n_chan = shape[0]
    taps = channel_taper(hanning)  # as noise_region weighs the channels
    kernel = (NO_FILTER if beam is None else noise_filter(beam)).response
    scale = 1.0 / math.sqrt(float(np.sum(kernel**2)))  # as noise_region scales it
    # Only the mask's bounding box in y and x matters: the correlation with the kernel
    # is linear (the white field is unbounded), so what lies outside the box is zeros.
    rows, columns = np.zeros(shape[1], dtype=bool), np.zeros(shape[2], dtype=bool)
    for low in range(0, n_chan, _SUM_BLOCK):
        block = mask_planes(low, low + _SUM_BLOCK)
        rows |= block.any(axis=(0, 2))
        columns |= block.any(axis=(0, 1))
    y, x = np.flatnonzero(rows), np.flatnonzero(columns)
    if y.size == 0:
        return 0.0
    box = (slice(None), slice(y[0], y[-1] + 1), slice(x[0], x[-1] + 1))
    planes = n_chan + len(taps) - 1
    total = 0.0
    for start in range(0, planes, _SUM_BLOCK):
        stop = min(start + _SUM_BLOCK, planes)
        # B_p = sum_j h_j mask_{p - j}: the planes of draws that feed the summed channels.
        block = np.zeros((stop - start, y[-1] - y[0] + 1, x[-1] - x[0] + 1))
        for j, tap in enumerate(taps):
            low, high = max(start - j, 0), min(stop - j, n_chan)
            if low < high:
                block[low + j - start : high + j - start] += tap * mask_planes(low, high)[box]
        block = block[block.any(axis=(1, 2))]  # planes the mask does not reach add nothing
        if kernel.size > 1 and len(block):
            block = signal.fftconvolve(block, kernel[None], mode="full", axes=(1, 2))
        total += float(np.sum(block**2))
    return scale * math.sqrt(total)


def peak_snr(clean: np.ndarray, rms: float) -> float:
    """Return ``max(clean) / rms`` (NaN when ``rms`` is 0 or the peak is not positive)."""
    peak = float(np.max(clean))
    if not (rms > 0.0 and peak > 0.0):
        return math.nan
    return peak / rms


def integrated_snr(
    clean: np.ndarray, rms: float, beam: Beam | None = None, hanning: bool = False
) -> float:
    """Return the integrated S/N of ``clean`` under noise of ``rms`` (module docstring).

    NaN when ``rms`` is 0 or the peak of ``clean`` is not positive.
    """
    measured = _signal_flux(clean) if rms > 0.0 else None
    if measured is None:
        return math.nan
    flux, planes = measured
    return flux / (rms * _summed_noise_std(planes, np.shape(clean), beam, hanning))


def rms_for_integrated_snr(
    clean: np.ndarray, snr: float, beam: Beam | None = None, hanning: bool = False
) -> float:
    """Return the rms that gives ``clean`` the integrated S/N ``snr`` (0 for an empty cube)."""
    measured = _signal_flux(clean)
    if measured is None:
        return 0.0
    flux, planes = measured
    return flux / (snr * _summed_noise_std(planes, np.shape(clean), beam, hanning))


def _signal_flux(clean: np.ndarray) -> tuple[float, _Planes] | None:
    """Return ``F`` and the planes of :func:`signal_mask`; None where the mask is empty.

    The mask is made a block of planes at a time, when asked, not as a cube (a 256 x 512^2
    cube's is 64 MiB); ``F`` sums the same float32 values in the same order as
    ``np.sum(clean[signal_mask(clean)], dtype=np.float64)``, so it has the same bits.
    """
    data = np.asarray(clean)
    peak = float(np.max(data))
    if not peak > 0.0:
        return None
    threshold = INTEGRATED_SNR_FRACTION * peak  # as signal_mask compares

    def planes(low: int, high: int) -> np.ndarray:
        return data[low:high] >= threshold

    starts = range(0, data.shape[0], _SUM_BLOCK)
    counts = [int(np.count_nonzero(planes(c, c + _SUM_BLOCK))) for c in starts]
    if not sum(counts):
        return None
    # clean[mask], block by block: up to a cube's size where most voxels are bright (not
    # counted by the memory check), one array so that np.sum adds as the mask's sum did.
    values = np.empty(sum(counts), dtype=data.dtype)
    at = 0
    for c, count in zip(starts, counts, strict=True):
        block = data[c : c + _SUM_BLOCK]
        values[at : at + count] = block[block >= threshold]
        at += count
    return float(np.sum(values, dtype=np.float64)), planes


@dataclass(frozen=True)
class NoiseModel:
    """How much noise to add: exactly one of a peak S/N, an rms or an integrated S/N.

    Parameters
    ----------
    peak_snr : float, optional
        ``rms = max(clean) / peak_snr``.
    rms : float, optional
        Absolute rms in the observed cube's unit (Jy/beam), >= 0.
    integrated_snr : float, optional
        ``rms`` such that the integrated S/N (module docstring) is this.
    hanning : bool
        Correlate the noise spectrally with the Hanning taper as well.

    The noise is always correlated by the beam (as in a real image).
    """

    peak_snr: float | None = None
    rms: float | None = None
    integrated_snr: float | None = None
    hanning: bool = False

    def __post_init__(self) -> None:
        """Check that exactly one of ``peak_snr``, ``rms`` and ``integrated_snr`` is given."""
        given = [name for name in LEVELS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(LEVELS)}; got {', '.join(given) or 'none'}"
            )
        name = given[0]
        check = _validate.non_negative if name == "rms" else _validate.positive
        object.__setattr__(self, name, check(name, getattr(self, name)))
        object.__setattr__(self, "hanning", _validate.boolean("hanning", self.hanning))

    @property
    def level(self) -> tuple[str, float]:
        """Return ``(name, value)`` of the level given (``('rms', 1e-3)``, ...)."""
        name = next(name for name in LEVELS if getattr(self, name) is not None)
        return name, float(getattr(self, name))

    def rms_for(self, clean: np.ndarray, beam: Beam | None = None) -> float:
        """Return the rms for the clean cube ``clean`` observed with ``beam``."""
        name, value = self.level
        if name == "rms":
            return value
        with np.errstate(over="ignore", divide="ignore"):
            if name == "peak_snr":
                rms = float(np.max(clean)) / value
            else:
                rms = rms_for_integrated_snr(clean, value, beam, self.hanning)
        if not np.isfinite(rms):
            raise ValueError(f"{name} {value!r} gives an infinite noise rms")
        return max(rms, 0.0)


LEVELS = ("peak_snr", "rms", "integrated_snr")
"""The three ways to set the noise level, as :class:`NoiseModel` names them."""
