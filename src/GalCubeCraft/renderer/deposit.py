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
every bit of flux that lands inside the band.  It is taken for blocks of pixels of
similar velocity, each over its own span of nodes (at 256 x 512^2 the chunk's span is a
few times a block's), with the galaxy's response rows computed once
(:class:`ChannelResponse`).
"""

from __future__ import annotations

import math

import numpy as np

from ..observation.records import SpectralAxis
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
    from scipy.special import ndtr  # loaded on first use, not at import (~0.15 s)

    edges = spectral.edges_kms
    if sigma_kms > 0.0:
        cdf = ndtr((edges[None, :] - node_kms[:, None]) / sigma_kms)
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
    response: ChannelResponse | None = None,
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
    response : ChannelResponse, optional
        The galaxy's response rows, shared by its deposits (made here if not given).

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
    if variance.shape[1] not in (1, flux.shape[1]):  # the kernels read [k, j] or [k, 0]
        shape = variance.shape
        raise ValueError(f"variance must hold one value per row or per sample; got {shape}")
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
    # Clipped so that every kept position is a safe int64 (the kernels skip NaN, and the
    # public edge keeps speeds below light's, far inside these bounds).
    low = max((spectral.v_min_kms - reach - v_sys_kms) / step, -MAX_NODE)
    high = min((spectral.v_max_kms + reach - v_sys_kms) / step, MAX_NODE)
    # The line's own width in fine steps squared: wide samples are resolved against it.
    line2 = float((sigma_kms / step) ** 2)
    window = (flux, velocity, variance, shift, inverse, low, high, line2)
    lows = np.full(n_pixels, np.iinfo(np.int64).max, dtype=np.int64)
    highs = np.full(n_pixels, np.iinfo(np.int64).min, dtype=np.int64)
    if kernels.pixel_extents(local, *window, lows, highs) == 0:
        return
    if response is None:
        response = ChannelResponse(v_sys_kms, sigma_kms, step, spectral)
    # Pixels in order of their lowest node, in blocks: each block's fine grid spans only
    # its own pixels' velocities, a few times fewer nodes than the whole chunk's, and the
    # response product shrinks with it.
    active = np.flatnonzero(lows <= highs)
    order = active[np.argsort(lows[active], kind="stable")]
    n_fine = int(highs[active].max() - lows[active].min() + 1)
    block = min(PIXEL_BLOCK, max(1, FINE_BLOCK_NODES // n_fine))
    # Inside a block, pixels in the cube's order: the spectra are added along its rows.
    columns = np.ascontiguousarray(columns, dtype=np.int64)
    order = order[np.lexsort((columns[order], np.arange(order.size) // block))]
    block_of = np.full(n_pixels, -1, dtype=np.int64)
    block_of[order] = np.arange(order.size) // block
    slot = np.zeros(n_pixels, dtype=np.int64)
    slot[order] = np.arange(order.size) % block
    # Rows by block, each pixel's rows in their order: a stable sort of small keys, which
    # NumPy does by radix (a million own-frame nodes: 15 ms, not 70).
    n_blocks = -(-order.size // block)
    row_block = (block_of[local] + 1).astype(np.min_scalar_type(n_blocks))
    row_order = np.argsort(row_block, kind="stable")
    bounds = np.searchsorted(row_block[row_order], np.arange(n_blocks + 2))
    row_slot = slot[local]
    for b, first in enumerate(range(0, order.size, block)):
        pixels = order[first : first + block]
        lowest, highest = int(lows[pixels].min()), int(highs[pixels].max())
        fine = np.zeros((pixels.size, highest - lowest + 1))
        rows = row_order[bounds[b + 1] : bounds[b + 2]]
        kernels.deposit_fine(rows, row_slot, *window, lowest, fine)
        # (channels, nodes) @ (nodes, pixels): the spectra come out channel-major, for the
        # channels the block's lines reach only.
        band = response.band(lowest, highest)
        spectra = response.columns(lowest, highest)[band] @ fine.T
        kernels.add_columns(flat[band], columns[pixels], spectra)


MAX_NODE = float(2**50)
"""Largest fine-node number (either sign) a sample is deposited at."""

LINE_REACH = 8.5
"""Sigmas beyond which a Gaussian line's flux (below 1e-17 of it) is not added."""

PIXEL_BLOCK = 128
"""Pixels whose fine spectra are formed and multiplied by the response at a time.

Blocks of 64-128 pixels rendered 256 x 512^2 fastest (740 ms against 900 ms for 256,
and 1,150 ms for one block per chunk of sight lines); 125^2 does not notice.
"""


class ChannelResponse:
    """The channel response of one galaxy's fine nodes, computed once, as deposits need them.

    Node ``k`` lies at ``v_sys + k step`` for every deposit of the galaxy, so its row of
    :func:`channel_response` is the same in each; the rows are kept (transposed,
    ``(n_chan, nodes)``) and extended when a deposit reaches beyond them.
    """

    def __init__(self, v_sys_kms: float, sigma_kms: float, step_kms: float,
                 spectral: SpectralAxis) -> None:  # fmt: skip
        self.v_sys_kms, self.sigma_kms, self.step_kms = v_sys_kms, sigma_kms, step_kms
        self.spectral = spectral
        self.first = 0
        self.table = np.zeros((spectral.n_chan, 0))

    def _rows(self, lowest: int, highest: int) -> np.ndarray:
        """Return the transposed response of nodes ``lowest .. highest``."""
        nodes = self.v_sys_kms + self.step_kms * np.arange(lowest, highest + 1)
        return channel_response(nodes, self.sigma_kms, self.spectral).T

    def band(self, lowest: int, highest: int) -> slice:
        """Return the channels that lines on nodes ``lowest .. highest`` reach.

        Beyond :data:`LINE_REACH` sigma of the nodes (and a channel's margin) a line puts
        less than 1e-17 of its flux: skipping those channels makes the response product
        cost nearly independent of the channel count.
        """
        spectral = self.spectral
        reach = LINE_REACH * self.sigma_kms
        low = self.v_sys_kms + self.step_kms * lowest - reach - spectral.v_min_kms
        high = self.v_sys_kms + self.step_kms * highest + reach - spectral.v_min_kms
        width = spectral.channel_width_kms
        first = min(max(math.floor(low / width) - 1, 0), spectral.n_chan)
        last = min(max(math.ceil(high / width) + 1, first), spectral.n_chan)
        return slice(first, last)

    def columns(self, lowest: int, highest: int) -> np.ndarray:
        """Return the response of nodes ``lowest .. highest``, shape ``(n_chan, nodes)``."""
        last = self.first + self.table.shape[1] - 1
        if self.table.shape[1] == 0:
            self.first, self.table = lowest, np.ascontiguousarray(self._rows(lowest, highest))
        elif lowest < self.first or highest > last:
            parts = [self.table]
            if lowest < self.first:
                parts.insert(0, self._rows(lowest, self.first - 1))
            if highest > last:
                parts.append(self._rows(last + 1, highest))
            self.table = np.ascontiguousarray(np.concatenate(parts, axis=1))
            self.first = min(lowest, self.first)
        return self.table[:, lowest - self.first : highest - self.first + 1]


FINE_BLOCK_NODES = 1 << 22
"""Fine-grid nodes (pixels x velocity nodes) held at once: 32 MiB of float64."""
