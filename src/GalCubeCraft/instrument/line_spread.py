"""Channel response after binning: top-hat (none), Hanning, or a Gaussian."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .. import _validate
from .banded import BandedKernel


def channel_matrix(kind: str, sigma_chan: float, n_chan: int) -> np.ndarray:
    """Return the ``n_chan x n_chan`` line-spread matrix (column ``j``: channel ``j``'s response).

    It is SciPy's own filter ('hanning': ``convolve1d`` with (1/4, 1/2, 1/4);
    'gaussian': ``gaussian_filter1d``, truncated at 4 sigma; both ``mode='constant'``)
    applied to each unit spectrum, so the product with it is that filter exactly.
    """
    _validate.choice("kind", kind, ("tophat", "hanning", "gaussian"))
    unit = np.eye(n_chan)
    if kind == "tophat":
        return unit
    if kind == "hanning":
        return ndimage.convolve1d(unit, np.array([0.25, 0.5, 0.25]), axis=0, mode="constant")
    sigma = _validate.positive("sigma_chan", sigma_chan)
    return ndimage.gaussian_filter1d(unit, sigma=sigma, axis=0, mode="constant")


COLUMN_BLOCK = 1 << 14
"""Spatial pixels smoothed at a time: the temporaries stay a few MiB."""


def apply_line_spread(
    cube: np.ndarray,
    kind: str = "tophat",
    sigma_chan: float = 0.6,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Smooth ``cube`` along its spectral axis (axis -3).

    The filter is a banded channel x channel matrix (:func:`channel_matrix`), applied
    to :data:`COLUMN_BLOCK` pixels' spectra at a time (:class:`~.banded.BandedKernel`):
    the same sums as SciPy's filter, 1.7x faster than it on 256 x 512^2, and with ``out``
    no full-size temporary.

    Parameters
    ----------
    cube : numpy.ndarray
        Shape ``(..., n_chan, ny, nx)``.
    kind : {'tophat', 'hanning', 'gaussian'}
        'tophat' leaves the cube unchanged (channels are plain bins); 'hanning' applies
        the (1/4, 1/2, 1/4) taper of correlator spectra; 'gaussian' a Gaussian of
        ``sigma_chan`` channels, as the original does with 0.6.
    sigma_chan : float
        Gaussian sigma in channels.
    out : numpy.ndarray, optional
        C-contiguous array of the same shape to write to (may be ``cube`` itself).

    Returns
    -------
    numpy.ndarray
        The smoothed cube (``out`` if given; else ``cube`` itself for 'tophat' or a
        single channel, and a new array otherwise).  Edges are treated as zero beyond
        the band ('constant'), so flux is conserved except what the kernel spreads out
        of the band.
    """
    n_chan = cube.shape[-3]
    matrix = channel_matrix(kind, sigma_chan, n_chan)
    if out is not None and not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if kind == "tophat" or n_chan == 1:
        if out is None:
            return cube
        np.copyto(out, cube)
        return out
    data = np.ascontiguousarray(cube)
    dtype = data.dtype if data.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    target = np.empty(data.shape, dtype=dtype) if out is None else out
    banded = BandedKernel(matrix.astype(target.dtype))
    spectra = data.reshape(-1, n_chan, int(np.prod(cube.shape[-2:])))
    written = target.reshape(spectra.shape)
    for stack in range(spectra.shape[0]):
        for start in range(0, spectra.shape[2], COLUMN_BLOCK):
            columns = slice(start, start + COLUMN_BLOCK)
            written[stack, :, columns] = banded.apply_left(spectra[stack, :, columns])
    return target
