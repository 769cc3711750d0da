"""From flux samples with velocities to channel spectra.

Each sample's flux is shared between three nodes of a fine velocity grid aligned on the
galaxy's systemic velocity, with weights that keep its mean velocity and the variance of
the velocities it stands for (unlike cloud-in-cell, they add no spurious width to the
line), in one compiled loop (:func:`GalCubeCraft.renderer.kernels.deposit_fine`).
The fine spectra are then multiplied by a response matrix whose entry ``[k, c]`` is the
fraction of a Gaussian line of width ``sigma`` centred on node ``k`` that falls inside
channel ``c`` (the exact error-function integral), divided by the channel width.  That
one product applies the velocity dispersion and the channel binning together, and keeps
every bit of flux that lands inside the band.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..observation import SpectralAxis
from .settings import RenderSettings


def fine_step_kms(sigma_kms: float, spectral: SpectralAxis, settings: RenderSettings) -> float:
    """Return the fine velocity step: resolves both sigma and the channel width."""
    width = spectral.channel_width_kms
    scale = min(sigma_kms, width) if sigma_kms > 0 else width
    return max(scale / settings.fine_per_width, width / settings.max_fine_per_channel)


def channel_response(node_kms: np.ndarray, sigma_kms: float, spectral: SpectralAxis) -> np.ndarray:
    """Return the flux density per channel of unit line flux at each node velocity.

    Parameters
    ----------
    node_kms : numpy.ndarray
        Line centres (km/s), shape ``(k,)``.
    sigma_kms : float
        Gaussian dispersion (km/s); 0 means an infinitely narrow line.
    spectral : SpectralAxis
        The channels.

    Returns
    -------
    numpy.ndarray
        Shape ``(k, n_chan)``, in 1/(km/s): the fraction of the line in each channel
        divided by the channel width.  Rows sum to ``1 / width`` for lines well inside the
        band.
    """
    edges = spectral.edges_kms
    if sigma_kms > 0.0:
        cdf = special.ndtr((edges[None, :] - node_kms[:, None]) / sigma_kms)
    else:
        cdf = (edges[None, :] > node_kms[:, None]).astype(float)
    return np.diff(cdf, axis=1) / spectral.channel_width_kms


def deposit_spectra(
    local: np.ndarray,
    n_pixels: int,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    v_sys_kms: float,
    sigma_kms: float,
    spectral: SpectralAxis,
    settings: RenderSettings,
) -> np.ndarray:
    """Bin samples into per-pixel spectra.

    Parameters
    ----------
    local : numpy.ndarray
        Pixel number (``0 .. n_pixels - 1``) of each sample, broadcastable to ``flux``.
    n_pixels : int
        Number of pixels.
    flux, velocity : numpy.ndarray
        Flux (Jy km/s) and line-of-sight velocity (km/s) of each sample.
    variance : numpy.ndarray
        Spread of each sample's velocity over the patch of sky it stands for
        ((km/s)^2), broadcastable to ``flux`` (one value per row is typical).
    v_sys_kms, sigma_kms : float
        Systemic velocity (aligns the fine grid) and line width of the galaxy.
    spectral : SpectralAxis
        Output channels.
    settings : RenderSettings
        Fine-grid resolution.

    Returns
    -------
    numpy.ndarray
        Flux density (Jy) per pixel and channel, shape ``(n_pixels, n_chan)``.
    """
    step = fine_step_kms(sigma_kms, spectral, settings)
    # Samples in empty stretches of sight line (pieces outside the disk) carry no flux:
    # about 40% of them for an inclined disk, so they are dropped before the work.
    lit = flux != 0.0
    flux = flux[lit]
    local = np.broadcast_to(local, lit.shape)[lit]
    # float32 (as the samples are): fractions of a fine step to ~1e-5, far below the
    # quadrature's own error, at half the memory traffic.
    inverse = np.float32(1.0 / step)
    position = (velocity[lit] - np.float32(v_sys_kms)) * inverse
    spread = np.broadcast_to(np.asarray(variance, dtype=np.float32), lit.shape)[lit]
    # Samples whose line lies wholly outside the band (beyond 8 sigma of its edges, where
    # the Gaussian's tail is below 1e-15) add nothing to any channel: dropping them keeps
    # the fine grid to the band, however narrow the channels.
    reach = 8.0 * (sigma_kms + math.sqrt(float(spread.max(initial=0.0)))) + 3.0 * step
    low = (spectral.v_min_kms - reach - v_sys_kms) / step
    high = (spectral.v_max_kms + reach - v_sys_kms) / step
    inside = (position >= low) & (position <= high)
    if not inside.all():
        flux, local = flux[inside], local[inside]
        position, spread = position[inside], spread[inside]
    # The kernels take plain contiguous arrays: float32 positions and spreads in fine
    # steps (fractions of a step to ~1e-5, far below the quadrature's own error).
    from . import kernels  # numba: compiled on first use, not at import

    position = np.ascontiguousarray(position, dtype=np.float32)
    spread = np.ascontiguousarray(spread * (inverse * inverse), dtype=np.float32)
    flux = np.ascontiguousarray(flux, dtype=np.float64)
    local = np.ascontiguousarray(local, dtype=np.int64)
    lowest, highest = kernels.fine_extent(position, spread) if position.size else (0, 0)
    n_fine = highest - lowest + 1
    node_kms = v_sys_kms + step * np.arange(lowest, lowest + n_fine)
    response = channel_response(node_kms, sigma_kms, spectral)
    block = max(1, FINE_BLOCK_NODES // n_fine)  # pixels per block: bounds the fine spectra
    if n_pixels <= block:
        fine = np.zeros((n_pixels, n_fine))
        kernels.deposit_fine(local, position, spread, flux, lowest, fine)
        return fine @ response
    # Large grids: pixels in blocks, their samples found by one sort.
    order = np.argsort(local, kind="stable")
    bounds = np.searchsorted(local[order], np.arange(0, n_pixels + block, block))
    spectra = np.empty((n_pixels, spectral.n_chan))
    for k, first in enumerate(range(0, n_pixels, block)):
        chosen = order[bounds[k] : bounds[k + 1]]
        count = min(block, n_pixels - first)
        fine = np.zeros((count, n_fine))
        kernels.deposit_fine(local[chosen] - first, position[chosen], spread[chosen],
                             flux[chosen], lowest, fine)  # fmt: skip
        spectra[first : first + count] = fine @ response
    return spectra


FINE_BLOCK_NODES = 1 << 22
"""Fine-grid nodes (pixels x velocity nodes) held at once: 32 MiB of float64."""
