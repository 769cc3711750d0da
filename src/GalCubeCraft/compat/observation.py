"""The original's observation, and its ``(cube, params)`` pairs as :class:`Cube` objects.

The original's band runs from -600 to +600 km/s and its channels are smoothed by a
Gaussian of 0.6 channel; its beam is ``beam_info`` (:mod:`GalCubeCraft.compat.beam`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..observation.records import AngularScale, Observation, SpectralAxis
from ..products.cube import Cube
from .beam import beam_from_original

BAND_KMS = 600.0
"""The original's band runs from ``-BAND_KMS`` to ``+BAND_KMS``."""
LINE_SPREAD_SIGMA_CHAN = 0.6
"""The original smooths its channels with a Gaussian of this many channels."""


def original_observation(
    grid_size: int,
    n_spectral_slices: int,
    beam_info: Sequence[float],
    pixel_kpc: float,
    sky: AngularScale | None = None,
) -> Observation:
    """Return the original's observation: its band, beam order and channel smoothing."""
    return Observation(
        nx=grid_size, ny=grid_size, pixel_kpc=pixel_kpc,
        spectral=SpectralAxis(n_spectral_slices, -BAND_KMS, BAND_KMS),
        beam=beam_from_original(beam_info), line_spread="gaussian",
        line_spread_sigma_chan=LINE_SPREAD_SIGMA_CHAN, sky=sky,
    )  # fmt: skip


def result_cube(cube: np.ndarray, params: dict[str, Any]) -> Cube:
    """Return a ``(cube, params)`` pair of the original's API as a :class:`Cube` (Jy/beam)."""
    obs = original_observation(
        grid_size=cube.shape[-1],
        n_spectral_slices=cube.shape[0],
        beam_info=params["beam_info"],
        pixel_kpc=float(params["pix_spatial_scale"]),
    ).replace(ny=cube.shape[1])
    kind = "noisy" if params.get("noise_rms", 0.0) > 0 else "observed"
    return Cube(np.asarray(cube), obs, kind=kind, noise_rms=float(params.get("noise_rms", 0.0)))
