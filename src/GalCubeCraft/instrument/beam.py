"""Elliptical Gaussian beam convolution of every channel at once, by real FFT.

The Gaussian's transfer function is evaluated analytically on the padded frequency grid:
it is exactly 1 at zero frequency, so the convolution conserves flux to rounding, and the
zero padding (at least five sigma on every side) prevents wrap-around.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft

from ..beam import Beam

_PAD_SIGMAS = 5.0


def padded_shape(ny: int, nx: int, beam: Beam) -> tuple[int, int]:
    """Return the FFT grid for an ``ny x nx`` image: five beam sigmas of zeros on each side."""
    pad = int(math.ceil(_PAD_SIGMAS * beam.sigma_major_px))
    return fft.next_fast_len(ny + 2 * pad, real=True), fft.next_fast_len(nx + 2 * pad, real=True)


def convolve_beam(cube: np.ndarray, beam: Beam, workers: int | None = None) -> np.ndarray:
    """Convolve every channel of ``cube`` with the beam, normalised to unit sum.

    Parameters
    ----------
    cube : numpy.ndarray
        Shape ``(..., ny, nx)``: any leading axes (channels, galaxies), any unit per pixel.
    beam : Beam
        The beam, FWHMs in pixels.
    workers : int, optional
        Threads for ``scipy.fft``.

    Returns
    -------
    numpy.ndarray
        The convolved cube, same shape and unit; float32 for float32 input (the FFTs then
        run in single precision, twice as fast), float64 otherwise.  Flux that the beam
        spreads beyond the field edges is lost, as on a real detector.
    """
    cube = np.asarray(cube)
    data = cube if cube.dtype == np.float32 else cube.astype(np.float64)
    ny, nx = data.shape[-2:]
    py, px = padded_shape(ny, nx, beam)
    spectrum = fft.rfft2(data, s=(py, px), workers=workers)
    spectrum *= beam.transfer_function(py, px).astype(spectrum.real.dtype)
    out = fft.irfft2(spectrum, s=(py, px), workers=workers)
    # The kernel is centred on pixel (0, 0) of the padded grid, so the image stays put.
    return np.ascontiguousarray(out[..., :ny, :nx])


def beam_kernel_image(beam: Beam, size: int | None = None) -> np.ndarray:
    """Return the sampled beam kernel (unit sum) on an odd ``size x size`` grid.

    It is the response of :func:`convolve_beam` to a unit point source, so it is
    exactly what the cube is convolved with.
    """
    if size is None:
        size = 2 * int(math.ceil(_PAD_SIGMAS * beam.sigma_major_px)) + 1
    delta = np.zeros((size, size))
    delta[size // 2, size // 2] = 1.0
    return convolve_beam(delta, beam)
