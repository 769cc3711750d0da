"""A cube's noise level, drawn from the spec's ``[noise]`` table.

The level is drawn from the cube's parameter generator after its galaxies and before its
diffuse emission, one draw whichever way the level is set, so that setting it another way
(an rms rather than a peak S/N) moves no other draw of the cube.  The noise itself comes
from a stream of its own (:func:`GalCubeCraft.factory.make_indexed_cube`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..instrument.noise_level import NoiseModel

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .spec import NoiseSpec


def draw_level(bounds: tuple[float, float], distribution: str, rng: np.random.Generator) -> float:
    """Return one draw in ``bounds``: uniform, or uniform in the logarithm ('log-uniform').

    Either way exactly one number is drawn, and a fixed value ``(v, v)`` comes back as
    ``v`` itself.
    """
    low, high = bounds
    if distribution == "log-uniform":
        value = math.exp(float(rng.uniform(math.log(low), math.log(high))))
        return low if low == high else min(max(value, low), high)  # exp(log(v)) may miss v
    return float(rng.uniform(low, high))


def draw_noise(noise: NoiseSpec, rng: np.random.Generator) -> NoiseModel | None:
    """Return the noise of one cube as drawn from ``noise``, or None for noiseless cubes."""
    level = noise.level
    if level is None:
        return None
    key, bounds = level
    value = draw_level(bounds, noise.distribution, rng)
    if key == "rms_jy_beam":
        return NoiseModel(rms=value)
    if key == "integrated_snr":
        return NoiseModel(integrated_snr=value)
    return NoiseModel(peak_snr=value)
