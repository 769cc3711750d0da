"""Deconvolution: Högbom CLEAN of a dirty image, and the clean beam fitted to a dirty beam.

Högbom's loop finds the residual's largest absolute value, records ``gain`` times it as a
clean component on that pixel and subtracts the same fraction of the dirty beam centred
there, until the largest residual falls below ``threshold`` (or after ``max_iterations``).
The restored image is the components convolved with the clean beam (an elliptical
Gaussian of peak 1, so components in Jy become Jy/beam) plus the residual.

The clean beam is the Gaussian fitted by least squares to the dirty beam's main lobe
(the pixels above 0.35 connected to its peak), as CASA does: ``-ln B`` is a quadratic
form in the offsets, whose eigenvectors give the axes and position angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..conventions import sigma_to_fwhm
from ..instrument.beam import convolve_beam
from ..observation.beam import Beam

MAIN_LOBE_LEVEL = 0.35


@dataclass(frozen=True)
class CleanResult:
    """What CLEAN made of one dirty image: components (Jy), residual (Jy/beam), iterations."""

    components: np.ndarray
    residual: np.ndarray
    iterations: int


def hogbom(
    dirty: np.ndarray, beam_wide: np.ndarray, threshold: float, gain: float = 0.1,
    max_iterations: int = 10000,
) -> CleanResult:  # fmt: skip
    """Return Högbom CLEAN of ``dirty`` ``(ny, nx)`` with a dirty beam about twice its size.

    ``beam_wide`` has its peak (1) on pixel ``(my // 2, mx // 2)`` and holds lags up to
    ``n - 1`` both ways, so the beam centred on any pixel of the image is one slice of it.
    """
    ny, nx = dirty.shape
    cy, cx = beam_wide.shape[0] // 2, beam_wide.shape[1] // 2
    residual = dirty.astype(np.float64, copy=True)
    components = np.zeros_like(residual)
    for iteration in range(max_iterations):
        flat = int(np.argmax(np.abs(residual)))
        row, col = divmod(flat, nx)
        peak = residual[row, col]
        if abs(peak) < threshold:
            return CleanResult(components, residual, iteration)
        step = gain * peak
        components[row, col] += step
        residual -= step * beam_wide[cy - row : cy - row + ny, cx - col : cx - col + nx]
    return CleanResult(components, residual, max_iterations)


def fit_clean_beam(dirty_beam: np.ndarray) -> Beam:
    """Return the Gaussian fitted to the main lobe of ``dirty_beam`` (peak 1 at ``n // 2``)."""
    ny, nx = dirty_beam.shape
    cy, cx = ny // 2, nx // 2
    labels, _ = ndimage.label(dirty_beam > MAIN_LOBE_LEVEL)
    rows, cols = np.nonzero(labels == labels[cy, cx])
    x, y = cols - cx, rows - cy
    keep = (x != 0) | (y != 0)  # the peak itself is 1 exactly: -ln 1 = 0 carries no shape
    x, y = x[keep].astype(float), y[keep].astype(float)
    design = np.column_stack([x * x, 2.0 * x * y, y * y])
    target = -np.log(dirty_beam[rows[keep], cols[keep]])
    (a, b, c), *_ = np.linalg.lstsq(design, target, rcond=None)
    # exp(-r^T Q r) = exp(-r^T Sigma^-1 r / 2): Sigma = (2 Q)^-1.
    covariance = np.linalg.inv(2.0 * np.array([[a, b], [b, c]]))
    variances, vectors = np.linalg.eigh(covariance)
    minor, major = np.sqrt(variances)
    ex, ey = vectors[:, 1]  # major axis, in (x, y) pixels
    pa = math.degrees(math.atan2(-ex, ey)) % 180.0  # north (+y) through east (-x)
    return Beam(float(sigma_to_fwhm(major)), float(sigma_to_fwhm(minor)), pa)


def restore(components: np.ndarray, residual: np.ndarray, beam: Beam) -> np.ndarray:
    """Return components (Jy) convolved with the peak-1 clean ``beam``, plus the residual."""
    return convolve_beam(components, beam) * beam.area_px + residual
