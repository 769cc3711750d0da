"""The instrument chain: line spread, then beam (Jy/pixel -> Jy/beam)."""

from __future__ import annotations

import numpy as np

from ..observation import Observation
from .beam import convolve_beam
from .line_spread import apply_line_spread


def observe(
    model_jy_per_pixel: np.ndarray, observation: Observation, dtype: type = np.float32
) -> np.ndarray:
    """Apply the observation's line spread and beam to a Jy/pixel model cube.

    Negatives from numerics are clipped to zero before and after the FFT, so the result
    is non-negative.

    Parameters
    ----------
    model_jy_per_pixel : numpy.ndarray
        Shape ``observation.shape``, Jy/pixel.
    observation : Observation
        Beam and line spread to apply.
    dtype : numpy dtype
        float32 (default, as cubes are stored) or float64; the smoothing and FFTs run
        in this precision.

    Returns
    -------
    numpy.ndarray
        Cube in Jy/beam when the observation has a beam (Jy/pixel times the beam area in
        pixels, after convolution with the unit-sum beam), else in Jy/pixel.
    """
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype!r}")
    cube = np.maximum(np.asarray(model_jy_per_pixel, dtype=dtype), 0)
    cube = apply_line_spread(cube, observation.line_spread, observation.line_spread_sigma_chan)
    if observation.beam is None:
        return cube
    convolved = convolve_beam(cube, observation.beam)
    np.maximum(convolved, 0.0, out=convolved)
    convolved *= convolved.dtype.type(observation.beam.area_px)
    return convolved
