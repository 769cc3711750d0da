"""Model-only ground truth of a scene, for supervised learning.

The intrinsic (unconvolved, noiseless) cube in Jy/pixel, the flux-weighted
line-of-sight velocity field and the moment-0 map: what a perfect denoiser and
deconvolver would recover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .model.galaxy import Galaxy
from .observation.records import Observation
from .renderer.render import render
from .renderer.settings import RenderSettings


@dataclass(frozen=True)
class GroundTruth:
    """Intrinsic cube (Jy/pixel), velocity field (km/s; NaN off-source), moment 0."""

    intrinsic: np.ndarray
    velocity_field: np.ndarray
    moment0: np.ndarray


def ground_truth(
    galaxies: Galaxy | Iterable[Galaxy],
    observation: Observation,
    settings: RenderSettings | None = None,
) -> GroundTruth:
    """Return the ground-truth products of ``galaxies`` seen in ``observation``."""
    intrinsic = render(galaxies, observation, settings)
    m = intrinsic.moments()
    return GroundTruth(
        intrinsic=intrinsic.data.astype(np.float32), velocity_field=m.m1, moment0=m.m0
    )
