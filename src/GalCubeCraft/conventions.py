"""Sky conventions, in one place.

- Arrays are ``(n_chan, ny, nx)``; axis 2 is x, axis 1 is y.
- North is +y and east is -x (right ascension grows to the left), so FITS CDELT1 < 0.
- Position angles (galaxy and beam) are degrees from north through east.  A galaxy's PA
  points to the receding half of its kinematic major axis.
- Inclination is 0 for face-on and 90 for edge-on.
- Velocities are km/s, positive receding.

A galaxy seen at inclination ``i`` and position angle ``PA`` maps a sky offset ``(x, y)``
(pixel-axis directions, kpc) and a line-of-sight depth ``s`` (positive away from the
observer) to disk coordinates by ::

    a = -x sin PA + y cos PA          (along the receding major axis)
    b =  x cos PA + y sin PA          (along the projected minor axis)
    x_disk = a
    y_disk = b cos i + s sin i
    z_disk = -b sin i + s cos i

and a circular velocity ``v_c(R)`` projects onto the line of sight as
``v_c(R) * (x_disk / R) * sin i``: positive (receding) where ``a > 0``.
"""

from __future__ import annotations

import math

import numpy as np

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
"""FWHM of a Gaussian in units of its sigma, 2 sqrt(2 ln 2) ~= 2.3548."""


def fwhm_to_sigma(fwhm: float | np.ndarray) -> float | np.ndarray:
    """Return the Gaussian sigma for a FWHM: ``sigma = FWHM / (2 sqrt(2 ln 2))``."""
    return fwhm / FWHM_PER_SIGMA


def sigma_to_fwhm(sigma: float | np.ndarray) -> float | np.ndarray:
    """Return the FWHM for a Gaussian sigma: ``FWHM = 2 sqrt(2 ln 2) sigma``."""
    return sigma * FWHM_PER_SIGMA


def beam_area(bmaj: float, bmin: float) -> float:
    """Return the area of an elliptical Gaussian beam, ``pi bmaj bmin / (4 ln 2)``.

    The result is in the square of the unit of ``bmaj`` and ``bmin`` (FWHMs).  A cube in
    Jy/pixel times the beam area in pixels is in Jy/beam.
    """
    return math.pi * bmaj * bmin / (4.0 * math.log(2.0))


def pa_unit_vector(pa_deg: float) -> tuple[float, float]:
    """Return the pixel-frame ``(dx, dy)`` unit vector pointing along position angle ``pa_deg``.

    North (+y) is PA 0 and east (-x) is PA 90.
    """
    pa = math.radians(pa_deg)
    return -math.sin(pa), math.cos(pa)


def pa_to_matplotlib_angle(pa_deg: float) -> float:
    """Return the matplotlib angle (degrees counter-clockwise from +x) of position angle ``pa_deg``.

    An ``Ellipse(width=major, height=minor, angle=...)`` drawn on an image with north up
    and east left takes this angle: PA 0 (north, +y) is 90 degrees from +x.
    """
    return 90.0 + pa_deg


def sky_to_major_minor(
    x: np.ndarray, y: np.ndarray, pa_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate pixel-frame offsets ``(x, y)`` into ``(a, b)`` along the major and minor axes.

    ``a`` is the coordinate along position angle ``pa_deg`` (positive toward the PA) and
    ``b`` the coordinate along the perpendicular ``PA - 90`` direction.
    """
    pa = math.radians(pa_deg)
    sin_pa, cos_pa = math.sin(pa), math.cos(pa)
    return -x * sin_pa + y * cos_pa, x * cos_pa + y * sin_pa


def major_minor_to_sky(
    a: np.ndarray, b: np.ndarray, pa_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return pixel-frame offsets ``(x, y)`` of major/minor-axis coordinates ``(a, b)``.

    The inverse of :func:`sky_to_major_minor`.
    """
    pa = math.radians(pa_deg)
    sin_pa, cos_pa = math.sin(pa), math.cos(pa)
    return -a * sin_pa + b * cos_pa, a * cos_pa + b * sin_pa


def sky_to_disk(
    a: np.ndarray, b: np.ndarray, s: np.ndarray, cos_i: float, sin_i: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return disk-frame ``(x_disk, y_disk, z_disk)`` of a point at ``(a, b)`` and depth ``s``.

    ``a``, ``b`` are the major/minor-axis sky coordinates (:func:`sky_to_major_minor`),
    ``s`` the depth along the line of sight (positive away from the observer); ``x_disk``
    points to the receding side and ``z_disk`` along the disk's normal.
    """
    return a, b * cos_i + s * sin_i, -b * sin_i + s * cos_i


def disk_to_sky(
    x_disk: np.ndarray, y_disk: np.ndarray, z_disk: np.ndarray, cos_i: float, sin_i: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(a, b, s)`` of a disk-frame point: the inverse of :func:`sky_to_disk`."""
    return x_disk, y_disk * cos_i - z_disk * sin_i, y_disk * sin_i + z_disk * cos_i


def inclination_trig(inclination_deg: float) -> tuple[float, float]:
    """Return ``(cos i, sin i)``, with exact 0 and 1 at the face-on and edge-on ends.

    Exact values there keep the special cases of the line-of-sight quadrature exact.
    """
    if inclination_deg == 90.0:
        return 0.0, 1.0
    incl = math.radians(inclination_deg)
    return math.cos(incl), math.sin(incl)
