"""From flux samples with velocities to channel spectra.

Each sample's flux is shared between three nodes of a fine velocity grid aligned on the
galaxy's systemic velocity, with weights that keep its mean velocity and the variance of
the velocities it stands for (unlike cloud-in-cell, they add no spurious width to the
line), in one compiled loop (:func:`GalCubeCraft.renderer.kernels.deposit_fine`).  A
sample whose own variance exceeds a quarter of a fine step squared (a radial dispersion
profile's ``sigma(R)^2 - sigma_min^2``) goes on five nodes keeping four moments, and
beyond a step squared it is laid down as a sampled Gaussian: three nodes would keep its
width but split its line into three peaks.
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
    flat: np.ndarray,
    columns: np.ndarray,
    local: np.ndarray,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    v_sys_kms: float,
    sigma_kms: float,
    spectral: SpectralAxis,
    settings: RenderSettings,
) -> None:
    """Bin samples into per-pixel spectra and add them to the cube's columns.

    Parameters
    ----------
    flat : numpy.ndarray
        The cube as ``(n_chan, ny * nx)`` (float32 or float64, C-contiguous), added to.
    columns : numpy.ndarray
        Column of ``flat`` of each of the ``n_pixels`` pixels the samples fall in.
    local : numpy.ndarray
        Pixel number (``0 .. n_pixels - 1``) of each sample, broadcastable to ``flux``.
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

    Notes
    -----
    What is added is the flux density (Jy) per pixel and channel.  The spectra are
    formed in float64 and added a block of pixels at a time, channel-major
    (:func:`~GalCubeCraft.renderer.kernels.add_columns`), so no pixel-major copy of
    the cube is ever made.
    """
    from . import kernels  # numba: compiled on first use, not at import

    n_pixels = columns.size
    step = fine_step_kms(sigma_kms, spectral, settings)
    # The kernel reads the samples in place, one row of a sight line at a time: 2-D
    # float32 arrays (fractions of a fine step to ~1e-5, far below the quadrature's own
    # error), the row's pixel and its variance (one per row, or one per sample).
    flux, velocity = np.atleast_2d(flux.T).T, np.atleast_2d(velocity.T).T
    variance = np.asarray(variance, dtype=np.float32)
    rows = flux.shape[0]
    variance = variance.reshape(rows, -1) if variance.ndim else np.full((rows, 1), variance)
    local = np.asarray(local)
    local = local.reshape(rows) if local.size == rows else np.broadcast_to(local, flux.shape)[:, 0]
    local = np.ascontiguousarray(local, dtype=np.int64)
    velocity = np.ascontiguousarray(velocity, dtype=np.float32)
    shift, inverse = np.float32(v_sys_kms), np.float32(1.0 / step)
    # Samples whose line lies wholly outside the band (beyond 8 sigma of its edges, where
    # the Gaussian's tail is below 1e-15) add nothing to any channel: skipping them keeps
    # the fine grid to the band, however narrow the channels.  Dark samples (empty
    # stretches of sight line, about 40% for an inclined disk) are skipped too.
    reach = 8.0 * (sigma_kms + math.sqrt(float(variance.max(initial=0.0)))) + 3.0 * step
    low = (spectral.v_min_kms - reach - v_sys_kms) / step
    high = (spectral.v_max_kms + reach - v_sys_kms) / step
    # The line's own width in fine steps squared: wide samples are resolved against it.
    line2 = float((sigma_kms / step) ** 2)
    window = (flux, velocity, variance, shift, inverse, low, high, line2)
    lowest, highest, count = kernels.fine_extent(*window)
    if count == 0:
        return
    n_fine = highest - lowest + 1
    node_kms = v_sys_kms + step * np.arange(lowest, lowest + n_fine)
    response_t = np.ascontiguousarray(channel_response(node_kms, sigma_kms, spectral).T)
    block = max(1, FINE_BLOCK_NODES // n_fine)  # pixels per block: bounds the fine spectra
    columns = np.ascontiguousarray(columns, dtype=np.int64)
    for first in range(0, n_pixels, block):
        fine = np.zeros((min(block, n_pixels - first), n_fine))
        kernels.deposit_fine(local, *window, lowest, first, fine)
        # (n_chan, n_fine) @ (n_fine, pixels): the spectra come out channel-major.
        kernels.add_columns(flat, columns[first : first + fine.shape[0]], response_t @ fine.T)


FINE_BLOCK_NODES = 1 << 22
"""Fine-grid nodes (pixels x velocity nodes) held at once: 32 MiB of float64."""
