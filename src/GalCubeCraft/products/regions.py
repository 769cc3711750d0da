"""Where on the sky a cube's figures look: the emission aperture and the kinematic major axis.

- :func:`emission_aperture`: the pixels a spectrum sums.  Summing the whole field adds
  the noise of every empty pixel: on a noisy cube the line sinks into it.  The aperture is
  the footprint of the moment mask (:func:`~GalCubeCraft.products.masks.default_mask`:
  the pixels where it keeps any voxel), grown by half a beam to take in the faint edge
  of the disk.  A noiseless cube has no noise to keep out: its aperture is the field.
- :func:`major_axis`: the position angle and centre of a position-velocity slit.  The
  brightest recorded galaxy's PA and centre when the cube knows its galaxies; otherwise
  the kinematic PA measured from moment 1 (:func:`kinematic_pa_deg`) through the
  centroid of moment 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .cube import Cube
from .masks import default_mask


def emission_aperture(
    cube: Cube, clean: Cube | None = None, mask: np.ndarray | None = None
) -> np.ndarray | None:
    """Return the ``(ny, nx)`` pixels a spectrum of ``cube`` sums; None for the whole field.

    Parameters
    ----------
    cube : Cube
        The cube.
    clean : Cube, optional
        Its noiseless twin, when known: it sets the mask (see ``default_mask``).
    mask : numpy.ndarray of bool, optional
        The voxel mask to take the footprint of; default ``default_mask(cube, clean)``.

    Returns
    -------
    numpy.ndarray of bool or None
        The footprint of the mask grown by half the beam's major axis (1 pixel without a
        beam), or None (the whole field) when the cube is noiseless or the mask keeps
        nothing.
    """
    from scipy import ndimage  # loaded on first use: ``import GalCubeCraft`` stays light

    mask = default_mask(cube, clean) if mask is None else mask
    if mask is None:
        return None
    footprint = np.asarray(mask, dtype=bool).any(axis=0)
    if not footprint.any():
        return None
    beam = cube.observation.beam
    radius = max(1.0, 0.5 * beam.bmaj_px) if beam is not None else 1.0
    reach = int(math.floor(radius))
    y, x = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = x * x + y * y <= radius * radius
    return np.asarray(ndimage.binary_dilation(footprint, structure=disk))


@dataclass(frozen=True)
class MajorAxis:
    """A slit along a galaxy's kinematic major axis.

    Attributes
    ----------
    pa_deg : float
        Position angle of the receding half, degrees north through east, in [0, 360).
    centre_xy : tuple of float
        0-based ``(x, y)`` pixel coordinates of the slit's centre.
    source : str
        'galaxy' (a recorded galaxy's PA and centre), 'moment 1' (measured) or 'none'
        (no emission to measure: PA 0 through the field centre).
    """

    pa_deg: float
    centre_xy: tuple[float, float]
    source: str


def kinematic_pa_deg(
    m0: np.ndarray, m1: np.ndarray, centre_xy: tuple[float, float] | None = None
) -> float:
    """Return the PA (degrees, north through east, in [0, 360)) of the velocity gradient.

    A plane ``v = v_0 + g . (r - centre)`` is fitted to moment 1 by least squares, each
    pixel weighted by moment 0; the PA is that of ``g``, which points to the receding
    side.  For a disk whose light and velocity field are symmetric about its axes the
    fitted gradient lies along the kinematic major axis exactly, whatever the rotation
    curve.  NaN when fewer than three pixels have a finite moment 1 and positive moment 0.

    Parameters
    ----------
    m0, m1 : numpy.ndarray
        ``(ny, nx)`` moment 0 (the weights) and moment 1 (km/s; NaN where undefined).
    centre_xy : tuple of float, optional
        The fit's origin; default the weighted centroid.
    """
    weights = np.where(np.isfinite(m1) & (m0 > 0), m0, 0.0)
    if np.count_nonzero(weights) < 3:
        return math.nan
    y, x = np.nonzero(weights)
    w = weights[y, x]
    if centre_xy is None:
        centre_xy = (float(np.average(x, weights=w)), float(np.average(y, weights=w)))
    design = np.stack([np.ones_like(w), x - centre_xy[0], y - centre_xy[1]], axis=1)
    root = np.sqrt(w)
    (_, gx, gy), *_ = np.linalg.lstsq(design * root[:, None], m1[y, x] * root, rcond=None)
    if gx == 0.0 and gy == 0.0:
        return math.nan
    # pa_unit_vector(pa) = (-sin pa, cos pa) points along the gradient (gx, gy).
    pa = math.degrees(math.atan2(-gx, gy)) % 360.0
    return 0.0 if pa >= 360.0 else pa  # -1e-15 % 360 rounds to 360


def major_axis(cube: Cube, clean: Cube | None = None, mask: np.ndarray | None = None) -> MajorAxis:
    """Return the slit along the kinematic major axis of the cube's brightest galaxy.

    The galaxy's own PA and centre when the cube records its galaxies (a cube from the
    factory does; one read from FITS does not); otherwise the PA measured from moment 1
    (masked as the moment figures mask it: ``mask``, or ``default_mask(cube, clean)``)
    through the centroid of the masked moment 0.
    """
    obs = cube.observation
    if cube.galaxies:
        galaxy = max(cube.galaxies, key=lambda g: g.line_flux)
        centre = (obs.centre_px[0] + galaxy.x_kpc / obs.pixel_kpc,
                  obs.centre_px[1] + galaxy.y_kpc / obs.pixel_kpc)  # fmt: skip
        return MajorAxis(float(galaxy.pa_deg) % 360.0, centre, "galaxy")
    mask = default_mask(cube, clean) if mask is None else mask
    maps = cube.moments(mask=mask)
    weights = np.where(np.isfinite(maps.m1) & (maps.m0 > 0), maps.m0, 0.0)
    if not weights.any():
        return MajorAxis(0.0, obs.centre_px, "none")
    y, x = np.indices(weights.shape)
    centre = (float(np.average(x, weights=weights)), float(np.average(y, weights=weights)))
    pa = kinematic_pa_deg(maps.m0, maps.m1, centre)
    if math.isnan(pa):
        return MajorAxis(0.0, obs.centre_px, "none")
    return MajorAxis(pa, centre, "moment 1")
