"""Channel response after binning: top-hat (none), Hanning, or a Gaussian."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .. import _validate


def apply_line_spread(
    cube: np.ndarray, kind: str = "tophat", sigma_chan: float = 0.6
) -> np.ndarray:
    """Smooth ``cube`` along its spectral axis (axis -3).

    Parameters
    ----------
    cube : numpy.ndarray
        Shape ``(..., n_chan, ny, nx)``.
    kind : {'tophat', 'hanning', 'gaussian'}
        'tophat' returns the cube unchanged (channels are plain bins); 'hanning' applies
        the (1/4, 1/2, 1/4) taper of correlator spectra; 'gaussian' a Gaussian of
        ``sigma_chan`` channels, as the original does with 0.6.
    sigma_chan : float
        Gaussian sigma in channels.

    Returns
    -------
    numpy.ndarray
        The smoothed cube.  Edges are treated as zero beyond the band ('constant'),
        so flux is conserved except what the kernel spreads out of the band.
    """
    _validate.choice("kind", kind, ("tophat", "hanning", "gaussian"))
    if kind == "tophat" or cube.shape[-3] == 1:
        return cube
    if kind == "hanning":
        kernel = np.array([0.25, 0.5, 0.25])
        return ndimage.convolve1d(cube, kernel, axis=-3, mode="constant")
    sigma = _validate.positive("sigma_chan", sigma_chan)
    return ndimage.gaussian_filter1d(cube, sigma=sigma, axis=-3, mode="constant")
