"""Isotropic Gaussian blobs with Gaussian lines, integrated exactly over pixels and channels.

A 3-D Gaussian seen along any sight line is a 2-D Gaussian on the sky of the same
width, and its line a Gaussian in velocity, so each voxel's share is a product of three
error-function differences: over the pixel's x and y edges and the channel's velocity
edges.  Nothing is sampled: the flux a blob puts in the cube is its flux times the
fraction of it inside the field and the band.
"""

from __future__ import annotations

import numpy as np

from ..model.blobs import GaussianBlobs
from ..observation.records import Observation

_REACH_SIGMAS = 9.0  # beyond this the Gaussian's share is below 1e-18: skipped


def _shares(edges: np.ndarray, centre: float, sigma: float) -> tuple[int, np.ndarray]:
    """Return ``(first, shares)``: the Gaussian's fraction in each bin that it reaches."""
    from scipy.special import ndtr  # loaded on first use, not at import

    first = int(np.searchsorted(edges, centre - _REACH_SIGMAS * sigma, side="right")) - 1
    last = int(np.searchsorted(edges, centre + _REACH_SIGMAS * sigma, side="left"))
    first = max(first, 0)
    last = min(last, edges.size - 1)
    if last <= first:
        return 0, np.zeros(0)
    return first, np.diff(ndtr((edges[first : last + 1] - centre) / sigma))


def render_blobs_into(cube: np.ndarray, blobs: GaussianBlobs, observation: Observation) -> None:
    """Add the blobs' emission (Jy/pixel, mean over each channel) to ``cube``.

    ``cube`` has shape ``observation.shape``; a blob adds ``flux x (share of the channel)
    / channel width x (share of the pixel)`` to each voxel it reaches.
    """
    obs = observation
    x_edges = (np.arange(obs.nx + 1) - 0.5 - 0.5 * (obs.nx - 1)) * obs.pixel_kpc
    y_edges = (np.arange(obs.ny + 1) - 0.5 - 0.5 * (obs.ny - 1)) * obs.pixel_kpc
    v_edges = obs.spectral.edges_kms
    width = obs.spectral.channel_width_kms
    for x, y, sigma, flux, v, sigma_v in zip(
        blobs.x_kpc, blobs.y_kpc, blobs.sigma_kpc, blobs.flux, blobs.v_kms, blobs.sigma_kms,
        strict=True,
    ):  # fmt: skip
        if flux == 0.0:
            continue
        x0, wx = _shares(x_edges, x, sigma)
        y0, wy = _shares(y_edges, y, sigma)
        v0, wv = _shares(v_edges, v, sigma_v)
        if wx.size == 0 or wy.size == 0 or wv.size == 0:
            continue
        block = (flux / width) * wv[:, None, None] * wy[None, :, None] * wx[None, None, :]
        cube[v0 : v0 + wv.size, y0 : y0 + wy.size, x0 : x0 + wx.size] += block
