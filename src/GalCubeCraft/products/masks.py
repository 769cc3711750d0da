"""Which voxels of a noisy cube hold emission: the masks behind moments 1 and 2.

Moments 1 and 2 are ratios: on a voxel of pure noise they are as large as the band is
wide, so a noisy cube needs a mask before they mean anything.  Two masks:

- :func:`clean_mask`, when the noiseless cube is known (the facade and the datasets keep
  it): the voxels where the true emission reaches the noise rms;
- :func:`smoothed_snr_mask`, from the noisy cube alone, the way source finders (SoFiA's
  smooth-and-clip, 3D-Barolo's search) do it: smooth by the beam and one channel, keep
  what lies above ``threshold`` times the smoothed cube's noise, and of that only the
  connected regions whose peak reaches ``peak_threshold`` (a noise peak rarely does).

And one label of whose emission a voxel holds, when each source's noiseless cube is known:
:func:`segmentation_mask`.
"""

from __future__ import annotations

import numpy as np

from .cube import Cube

FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
HALF_NORMAL_MEDIAN = 0.6744897501960817
"""Median of |x| for a unit Gaussian: turns the median of the negative voxels into an rms."""


def clean_mask(clean: Cube, noise_rms: float) -> np.ndarray:
    """Return the voxels where the noiseless cube ``clean`` reaches ``noise_rms``.

    Parameters
    ----------
    clean : Cube
        The noiseless observed cube.
    noise_rms : float
        The rms of the noise in the cube the moments are taken of (> 0).
    """
    if not noise_rms > 0:
        raise ValueError(f"noise_rms must be > 0; got {noise_rms!r}")
    return np.asarray(clean.data) >= noise_rms


def smoothed_noise_rms(smoothed: np.ndarray) -> float:
    """Return the noise rms of a cube from its negative voxels.

    Emission is positive, noise symmetric: the negative half is noise alone, whatever
    its spatial and spectral correlation, so ``median(-x[x < 0]) / 0.6745`` is its rms.
    Returns 0.0 when no voxel is negative.
    """
    negative = smoothed[smoothed < 0]
    return float(np.median(-negative)) / HALF_NORMAL_MEDIAN if negative.size else 0.0


def smoothed_snr_mask(
    cube: Cube, threshold: float = 3.5, peak_threshold: float = 6.0
) -> np.ndarray | None:
    """Return the emission mask of a noisy cube found by smoothing and clipping.

    Parameters
    ----------
    cube : Cube
        The cube; the spatial smoothing is a round Gaussian of the beam's geometric-mean
        width (1 pixel without a beam), the spectral one a Gaussian of one channel.
    threshold : float
        Keep smoothed voxels above this many of the smoothed cube's noise rms ...
    peak_threshold : float
        ... in connected regions whose smoothed peak reaches this many.

    Returns
    -------
    numpy.ndarray of bool or None
        The mask, or None when the cube has no negative voxel to measure noise from.

    Notes
    -----
    On the ``GalCubeCraft`` class's priors at peak S/N 5 (24 single-galaxy draws, round
    4-pixel beam) the moment-1 map inside this mask spans the noiseless cube's velocity
    range to within 1.5x; a 3-rms clip of single voxels leaves noise spikes that span the
    whole band.
    """
    from scipy import ndimage  # loaded on first use: ``import GalCubeCraft`` stays light

    beam = cube.observation.beam
    sigma_px = 1.0 if beam is None else float(np.sqrt(beam.bmaj_px * beam.bmin_px)) / FWHM_PER_SIGMA
    smoothed = ndimage.gaussian_filter(
        np.asarray(cube.data, dtype=np.float64), (1.0, sigma_px, sigma_px), mode="constant"
    )
    rms = smoothed_noise_rms(smoothed)
    if rms <= 0:
        return None
    snr = smoothed / rms
    labels, n_regions = ndimage.label(snr > threshold)
    if n_regions == 0:
        return np.zeros(snr.shape, dtype=bool)
    peaks = ndimage.maximum(snr, labels, index=np.arange(1, n_regions + 1))
    keep = np.concatenate([[False], peaks >= peak_threshold])
    return keep[labels]


def default_mask(cube: Cube, clean: Cube | None = None) -> np.ndarray | None:
    """Return the moment mask used when none is given; None (every voxel) for noiseless cubes.

    A noisy cube uses :func:`clean_mask` when its noiseless twin ``clean`` is given,
    otherwise :func:`smoothed_snr_mask`.
    """
    if cube.noise_rms <= 0:
        return None
    if clean is not None:
        if clean.shape != cube.shape:
            raise ValueError(f"clean cube has shape {clean.shape}; the cube has {cube.shape}")
        return clean_mask(clean, cube.noise_rms)
    return smoothed_snr_mask(cube)


def segmentation_mask(galaxy_cubes: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Return the voxel map of which galaxy's emission each voxel holds (0: none).

    Parameters
    ----------
    galaxy_cubes : numpy.ndarray
        ``(G, n_chan, ny, nx)``: each galaxy's noiseless cube, alone (G <= 255).
    thresholds : numpy.ndarray
        ``(G,)``: galaxy ``k`` claims the voxels where its cube exceeds ``thresholds[k]``.

    Returns
    -------
    numpy.ndarray
        ``(n_chan, ny, nx)`` uint8: ``k + 1`` where galaxy ``k`` exceeds its threshold
        and is the brightest of those that do (a tie goes to the lower ``k``), else 0.
    """
    cubes = np.asarray(galaxy_cubes)
    levels = np.asarray(thresholds, dtype=np.float64)
    if cubes.ndim != 4 or levels.shape != cubes.shape[:1]:
        raise ValueError(
            f"galaxy_cubes must be (G, n_chan, ny, nx) and thresholds (G,); got shapes "
            f"{cubes.shape} and {levels.shape}"
        )
    if cubes.shape[0] > 255:
        raise ValueError(f"at most 255 galaxies fit a uint8 mask; got {cubes.shape[0]}")
    mask = np.zeros(cubes.shape[1:], dtype=np.uint8)
    brightest = np.full(cubes.shape[1:], -np.inf)
    # One galaxy at a time: no (G, ...) temporaries beside the cubes themselves.
    for k in range(cubes.shape[0]):
        claims = (cubes[k] > levels[k]) & (cubes[k] > brightest)
        mask[claims] = k + 1
        brightest[claims] = cubes[k][claims]
    return mask
