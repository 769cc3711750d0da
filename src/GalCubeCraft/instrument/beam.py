"""Elliptical Gaussian beam convolution of every channel at once.

The Gaussian's transfer function is evaluated analytically on a padded frequency grid:
it is exactly 1 at zero frequency, so the convolution conserves flux to rounding, and the
zero padding (at least five sigma on every side) prevents wrap-around.

A beam whose axes lie along the pixel axes (round, or PA a multiple of 90 degrees, as the
seed's default beam is) has a transfer function that is a product of one per axis, so
the same convolution (the same padded, circular one, cropped) is two small matrix
products per channel, ``K_y @ image @ K_x^T``, each ``K`` the cropped circulant of the
1-D kernel: exact to rounding and several times faster than the 2-D FFT.  Other beams
use the 2-D real FFT.
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
    sigmas = _axis_sigmas(beam)
    if sigmas is not None:
        kernel_y = _circulant_kernel(sigmas[0], py, ny).astype(data.dtype)
        kernel_x = _circulant_kernel(sigmas[1], px, nx).astype(data.dtype)
        # Subnormal products (far wings of the kernel times far wings of a line) make each
        # multiply-add that meets them tens of times slower: values below 1e-15 of the
        # cube's peak, far below float32 rounding of anything that shows, are set to zero.
        floor = 1e-15 * float(np.max(np.abs(data), initial=0.0))
        data = np.where(np.abs(data) < floor, data.dtype.type(0.0), data)
        return np.ascontiguousarray(np.matmul(np.matmul(kernel_y, data), kernel_x.T))
    spectrum = fft.rfft2(data, s=(py, px), workers=workers)
    spectrum *= beam.transfer_function(py, px).astype(spectrum.real.dtype)
    out = fft.irfft2(spectrum, s=(py, px), workers=workers)
    # The kernel is centred on pixel (0, 0) of the padded grid, so the image stays put.
    return np.ascontiguousarray(out[..., :ny, :nx])


def _axis_sigmas(beam: Beam) -> tuple[float, float] | None:
    """Return the beam's sigmas along y and x if its axes lie along them, else None."""
    if beam.sigma_major_px == beam.sigma_minor_px:
        return beam.sigma_major_px, beam.sigma_minor_px
    turns = beam.bpa_deg / 90.0
    if turns != round(turns):
        return None
    # PA 0 points north (+y): the major axis along y; PA 90 along x.
    if round(turns) % 2 == 0:
        return beam.sigma_major_px, beam.sigma_minor_px
    return beam.sigma_minor_px, beam.sigma_major_px


def _circulant_kernel(sigma_px: float, padded: int, n: int) -> np.ndarray:
    """Return the ``n x n`` corner of the circulant matrix of the 1-D beam on ``padded`` points.

    The 1-D kernel is the inverse real FFT of ``exp(-2 pi^2 sigma^2 k^2)`` on the padded
    grid, the factor of the 2-D transfer function along this axis, so the product of the
    two matrices is the 2-D FFT convolution restricted to the image.  Entries below
    1e-12 of the peak (the wings beyond about 7.4 sigma, and FFT round-off) are zero.
    """
    frequencies = fft.rfftfreq(padded)
    kernel = fft.irfft(np.exp(-2.0 * math.pi**2 * (sigma_px * frequencies) ** 2), n=padded)
    kernel[np.abs(kernel) < 1e-12 * kernel.max()] = 0.0  # beyond ~7.4 sigma: below rounding
    offsets = np.arange(n)[:, None] - np.arange(n)[None, :]
    return kernel[offsets % padded]


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
