"""The instrument chain: line spread, then beam (Jy/pixel -> Jy/beam)."""

from __future__ import annotations

import numpy as np

from .._support import buffers as _buffers
from .._support import validate as _validate
from ..observation.records import Observation
from ..products.cube import Cube
from ..products.roundoff import roundoff_floor, zero_below_roundoff
from .beam import convolve_beam, padded_shape
from .line_spread import channel_taps


def apply_instrument(
    model_jy_per_pixel: np.ndarray, observation: Observation, dtype: type = np.float32
) -> np.ndarray:
    """Apply the observation's line spread and beam to Jy/pixel model arrays.

    Negatives from numerics are clipped to zero before and after the FFT, so the result
    is non-negative, and values below :func:`~.roundoff.roundoff_floor` of each cube's
    peak are set to exact zero (:func:`~.roundoff.zero_below_roundoff`).

    Parameters
    ----------
    model_jy_per_pixel : numpy.ndarray
        Shape ``(..., *observation.shape)``: one model cube, or a stack of them (one per
        galaxy), in Jy/pixel.
    observation : Observation
        Beam and line spread to apply.
    dtype : numpy dtype
        float32 (default, as cubes are stored) or float64; the smoothing and FFTs run in
        this precision.

    Returns
    -------
    numpy.ndarray
        Same shape, in Jy/beam when the observation has a beam (Jy/pixel times the beam
        area in pixels, after convolution with the unit-sum beam), else in Jy/pixel.

    Raises
    ------
    ValueError
        If the model is not finite, or so large that the beam's FFT would overflow
        ``dtype`` (its largest value over twice the padded plane's size times the beam
        area).
    """
    working = _validate.float_dtype("dtype", dtype)
    _validate.instance("observation", observation, Observation)
    model = _validate.finite_array("model_jy_per_pixel", model_jy_per_pixel)
    if model.shape[-3:] != observation.shape:
        raise ValueError(
            f"model_jy_per_pixel must have shape (..., *{observation.shape}); got {model.shape}"
        )
    check_instrument_range(model, observation, working)
    # One working copy, then in place: no other full-size temporary (256 x 512^2 is
    # 268 MB in float32).  Its memory is the pool's (fresh pages are not zeroed per cube).
    cube = _buffers.empty(model.shape, working)
    np.copyto(cube, model, casting="unsafe")  # as model.astype(working)
    observe_into(cube, observation)
    return cube


def check_instrument_range(
    model: np.ndarray,
    observation: Observation,
    dtype: type | np.dtype = np.float32,
    peak: float | None = None,
) -> None:
    """Raise ValueError if the beam's FFT could overflow ``dtype`` on ``model``.

    The line spread is a unit-sum average; the beam's FFT sums a whole padded plane (its
    zero frequency), and its area then scales the peak (Jy/pixel -> Jy/beam): the model's
    largest value must stay below ``dtype``'s largest over twice the padded plane's size
    times the beam area.  ``peak``: the model's largest ``|value|``, when known.
    """
    growth = 2.0
    if observation.beam is not None:
        py, px = padded_shape(observation.ny, observation.nx, observation.beam)
        growth *= float(py * px) * max(1.0, observation.beam.area_px)
    _validate.fits_dtype("model_jy_per_pixel", model, dtype, growth=growth, peak=peak)


def observe_into(cube: np.ndarray, observation: Observation) -> None:
    """Apply the line spread and beam to ``cube`` in place: :func:`apply_instrument`'s work.

    The unchecked twin, for the cube factory: ``cube`` is a C-contiguous float32 or
    float64 array of shape ``(..., *observation.shape)`` that the caller owns, finite and
    within :func:`check_instrument_range`.  Bit for bit what :func:`apply_instrument`
    returns for the same values.

    The chain is ``np.maximum(cube, 0)``, the line spread, the beam, ``np.maximum(cube,
    0)``, times the beam area, :func:`~.roundoff.zero_below_roundoff`, each value as
    those compute it, in compiled passes: the clamp with the line spread (which also
    finds the peak the beam's floor needs), the beam, then the clamp, the area and each
    cube's floor (:func:`~.observe_kernels.finish_cubes`).
    """
    from .fir import smooth_spectra  # numba: compiled on first use
    from .observe_kernels import finish_cubes

    n_chan, ny, nx = observation.shape
    # The observation's width was checked when it was made: its taps, unchecked again.
    taps = channel_taps(observation.line_spread, observation.line_spread_sigma_chan)
    spectra = cube.reshape(-1, n_chan, ny * nx)
    peak = smooth_spectra(spectra, taps.astype(cube.dtype), True, spectra)
    beam = observation.beam
    if beam is not None:
        convolve_beam(cube, beam, out=cube, peak=peak)
    cubes = cube.reshape(-1, n_chan * ny * nx)
    if beam is not None:  # each cube floored against its own peak
        finish_cubes(cubes, beam.area_px, roundoff_floor(cube.dtype))
    else:  # the line spread's taps may be of either sign: the largest value
        zero_below_roundoff(cube)


def observe(model: Cube, dtype: type = np.float32) -> Cube:
    """Return the observed (noiseless) cube of a model cube: line spread, then beam.

    Parameters
    ----------
    model : Cube
        A ``kind='model'`` cube in Jy/pixel (what :func:`GalCubeCraft.render` returns).
    dtype : numpy dtype
        Precision of the result (float32 by default, as cubes are stored).

    Returns
    -------
    Cube
        ``kind='observed'``: Jy/beam when the observation has a beam, else Jy/pixel.
    """
    if not isinstance(model, Cube):
        raise TypeError(f"model must be a Cube; got {type(model).__name__}")
    if model.kind != "model":
        raise ValueError(f"observe takes a model cube; got kind={model.kind!r}")
    return model.with_data(apply_instrument(model.data, model.observation, dtype), kind="observed")
