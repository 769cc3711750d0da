"""The labels of a dataset item: whose emission each voxel holds, noiseless moments, a catalogue.

Made from what the cube factory returns (:class:`~GalCubeCraft.factory.CubeProducts`),
noiseless throughout:

- ``segmentation`` ``(n_chan, ny, nx)`` uint8: galaxy ``k`` (1-based, as ``g<k>_`` in the
  parameter table) where its own noiseless observed cube (``galaxy_clean[k - 1]``)
  exceeds :data:`SEGMENTATION_RMS_MULTIPLE` times the item's noise rms, or, in a noiseless
  item, :data:`SEGMENTATION_PEAK_FRACTION` of that galaxy's own peak; where several
  galaxies do, the brightest in that voxel (:func:`~GalCubeCraft.products.masks.segmentation_mask`);
  0 elsewhere.  Diffuse emission (halo, bridges, tails) belongs to no galaxy: it is never
  labelled.
- From the intrinsic model (Jy/pixel, before line spread and beam), beside ``moment0`` and
  ``velocity_field`` (moment 1): ``dispersion_field``, its moment 2 (km/s), NaN where
  ``velocity_field`` is.
- From the noiseless observed cube ``clean`` (Jy/beam): ``clean_moment0`` (Jy/beam km/s,
  every voxel, as the package's moment-0 maps sum), ``clean_moment1`` and
  ``clean_moment2`` (km/s) over the mask the package puts on the noisy cube's moments 1
  and 2 (:func:`~GalCubeCraft.products.masks.default_mask`: the voxels where ``clean``
  reaches the noise rms; every voxel in a noiseless item), NaN where that leaves less than
  1e-3 of the peak moment 0.  These are what a network can recover from the noisy cube.
- ``catalogue`` ``(max_galaxies, len(CATALOGUE_COLUMNS))`` float64: one row per galaxy
  (NaN rows for absent ones) of :data:`CATALOGUE_COLUMNS`; the parameter tables add the
  world positions (:data:`SKY_COLUMNS`) when they are read (:mod:`.tables`), so making
  an item needs no cosmology or WCS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..model.galaxy import Galaxy
from ..observation.axes import AngularScale
from ..observation.records import Observation
from ..products.masks import default_mask, segmentation_mask
from ..products.moments import line_width, moments

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..factory import CubeProducts

SEGMENTATION_RMS_MULTIPLE = 1.0
"""A galaxy claims the voxels where its noiseless emission exceeds this many noise rms."""
SEGMENTATION_PEAK_FRACTION = 0.01
"""In a noiseless item: ... this fraction of the galaxy's own peak (Jy/beam)."""
V_ROT_RADIUS_RE = 2.0
"""``v_rot_kms`` is the circular speed at this many effective radii."""
WIDTH_LEVELS = {"w20_kms": 0.2, "w50_kms": 0.5}
"""Line widths and the fraction of the spectrum's peak each is measured at."""
CATALOGUE_COLUMNS = ("x_px", "y_px", "v_rot_kms", "cube_flux_jykms", "w20_kms", "w50_kms")
"""The columns of an item's ``catalogue`` array (units in :data:`CATALOGUE_UNITS`).

``x_px``, ``y_px``: 0-based pixel coordinates of the galaxy's centre (its own position;
the source plane's in a lensed item); ``v_rot_kms``: the circular speed at
:data:`V_ROT_RADIUS_RE` effective radii; ``cube_flux_jykms``: the line flux the galaxy's
noiseless observed cube holds (field and band: at most its model's ``line_flux``);
``w20_kms``, ``w50_kms``: the widths of its noiseless observed spectrum (``galaxy_clean``
summed over the field, so the channel response is in them) at 20% and 50% of the peak
(:func:`~GalCubeCraft.products.moments.line_width`; NaN where the band cuts the line).
"""
SKY_COLUMNS = ("ra_deg", "dec_deg", "offset_east_arcsec", "offset_north_arcsec")
"""Columns the galaxy table adds from the positions (:func:`sky_positions`): the centre
through the item's WCS, and its offsets from the field centre in the tangent plane."""
CATALOGUE_UNITS = {
    "x_px": "pix", "y_px": "pix", "v_rot_kms": "km/s", "cube_flux_jykms": "Jy km/s",
    "w20_kms": "km/s", "w50_kms": "km/s", "ra_deg": "deg", "dec_deg": "deg",
    "offset_east_arcsec": "arcsec", "offset_north_arcsec": "arcsec",
}  # fmt: skip
MEASURED_COLUMNS = ("cube_flux_jykms", "w20_kms", "w50_kms")
"""Catalogue columns measured on the galaxy's cube (NaN when a layout-5 store is read)."""


def segmentation_thresholds(galaxy_clean: np.ndarray, noise_rms: float) -> np.ndarray:
    """Return each galaxy's threshold for ``segmentation`` (see the module docstring)."""
    cubes = np.asarray(galaxy_clean)
    if noise_rms > 0:
        return np.full(cubes.shape[0], SEGMENTATION_RMS_MULTIPLE * noise_rms)
    # Over all axes but the galaxy's (no reshape: an empty field has no galaxy to size it).
    peaks = cubes.max(axis=tuple(range(1, cubes.ndim)), initial=0.0)
    return SEGMENTATION_PEAK_FRACTION * peaks.astype(np.float64)


def label_arrays(products: CubeProducts) -> dict[str, np.ndarray]:
    """Return an item's segmentation and moment-map labels (see the module docstring)."""
    velocities = products.clean.velocities_kms
    model = moments(products.model.data, velocities)
    everything = products.clean.moments()
    mask = default_mask(products.noisy, products.clean)
    masked = everything if mask is None else products.clean.moments(mask=mask)
    thresholds = segmentation_thresholds(products.galaxy_clean, products.noise_rms)
    return {
        "segmentation": segmentation_mask(products.galaxy_clean, thresholds),
        "dispersion_field": model.m2.astype(np.float32),
        "clean_moment0": everything.m0.astype(np.float32),
        "clean_moment1": masked.m1.astype(np.float32),
        "clean_moment2": masked.m2.astype(np.float32),
    }


def pixel_positions(
    x_kpc: np.ndarray, y_kpc: np.ndarray, pixel_kpc: np.ndarray | float, grid: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Return 0-based pixel coordinates of offsets ``(x_kpc, y_kpc)`` from the field centre.

    ``grid`` is ``(nx, ny)``: the field centre is pixel ``((nx - 1) / 2, (ny - 1) / 2)``.
    """
    x = np.asarray(x_kpc, dtype=np.float64) / pixel_kpc + 0.5 * (grid[0] - 1)
    y = np.asarray(y_kpc, dtype=np.float64) / pixel_kpc + 0.5 * (grid[1] - 1)
    return x, y


def sky_positions(x_kpc: np.ndarray, y_kpc: np.ndarray, sky: AngularScale
                  ) -> dict[str, np.ndarray]:  # fmt: skip
    """Return the :data:`SKY_COLUMNS` of points at offsets ``(x_kpc, y_kpc)`` from the field centre.

    World coordinates are those of the item's FITS WCS (``RA---SIN``, ``DEC--SIN``, the
    field centre at the pointing), for all points at once: a WCS whose pixel is one
    arcsec maps tangent-plane offsets in arcsec as the item's WCS maps its pixels.
    """
    from astropy.wcs import WCS

    x_arcsec = np.asarray(x_kpc, dtype=np.float64) / sky.kpc_per_arcsec
    y_arcsec = np.asarray(y_kpc, dtype=np.float64) / sky.kpc_per_arcsec
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---SIN", "DEC--SIN"]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.crval = [sky.ra_deg, sky.dec_deg]
    wcs.wcs.crpix = [1.0, 1.0]
    wcs.wcs.cdelt = [-1.0 / 3600.0, 1.0 / 3600.0]  # east is -x, as CDELT1 < 0 in the item
    ra, dec = wcs.wcs_pix2world(x_arcsec, y_arcsec, 0) if x_arcsec.size else (x_arcsec,) * 2
    return {
        "ra_deg": np.asarray(ra, dtype=np.float64),
        "dec_deg": np.asarray(dec, dtype=np.float64),
        "offset_east_arcsec": -x_arcsec,
        "offset_north_arcsec": y_arcsec,
    }


def galaxy_catalogue(
    galaxies: Sequence[Galaxy], galaxy_clean: np.ndarray, observation: Observation
) -> np.ndarray:
    """Return the ``catalogue`` rows ``(len(galaxies), len(CATALOGUE_COLUMNS))`` of one item.

    ``galaxy_clean`` holds each galaxy's noiseless observed cube (Jy/beam; Jy/pixel
    without a beam) on ``observation``.
    """
    n = len(galaxies)
    x_px, y_px = pixel_positions(
        np.array([g.x_kpc for g in galaxies]), np.array([g.y_kpc for g in galaxies]),
        observation.pixel_kpc, (observation.nx, observation.ny),
    )  # fmt: skip
    columns = {"x_px": x_px, "y_px": y_px}
    columns["v_rot_kms"] = np.array([_circular_speed(g, V_ROT_RADIUS_RE * g.r_e_kpc)
                                     for g in galaxies])  # fmt: skip
    velocities = observation.velocities_kms
    per_pixel = observation.beam.area_px if observation.beam is not None else 1.0
    spectra = np.asarray(galaxy_clean[:n], dtype=np.float64).sum(axis=(2, 3)) / per_pixel
    columns["cube_flux_jykms"] = spectra.sum(axis=1) * observation.spectral.channel_width_kms
    for name, fraction in WIDTH_LEVELS.items():
        columns[name] = np.array([line_width(s, velocities, fraction) for s in spectra])
    return _stacked(columns, n)


def _circular_speed(galaxy: Galaxy, r_kpc: float) -> float:
    """Return ``galaxy``'s circular speed (km/s) at radius ``r_kpc``."""
    curve = galaxy.rotation_curve
    assert curve is not None  # a Galaxy always has one (a default made on construction)
    return float(np.asarray(curve(np.array([r_kpc])))[0])


def layout5_catalogue(rows: dict[str, np.ndarray], pixel_kpc: np.ndarray, grid: tuple[int, int]
                      ) -> np.ndarray:  # fmt: skip
    """Return ``catalogue`` rows for galaxies read from a layout-5 parameter table.

    ``rows`` maps galaxy columns (``x_kpc``, ``y_kpc``, ``r_e_kpc``, ``n_sersic``,
    ``v_0_kms``) to one value per galaxy.  Positions and ``v_rot_kms`` (from the drawn
    rotation curve, :meth:`MilkyWayRotationCurve.for_sersic`) follow from them; the
    :data:`MEASURED_COLUMNS` need the galaxies' cubes and are NaN.
    """
    from ..model.rotation import MilkyWayRotationCurve

    x_px, y_px = pixel_positions(rows["x_kpc"], rows["y_kpc"], pixel_kpc, grid)
    columns = {"x_px": x_px, "y_px": y_px}
    speeds = []
    for v_0, r_e, n in zip(rows["v_0_kms"], rows["r_e_kpc"], rows["n_sersic"], strict=True):
        if math.isfinite(v_0):
            curve = MilkyWayRotationCurve.for_sersic(float(v_0), float(r_e), float(n))
            speeds.append(float(curve(V_ROT_RADIUS_RE * r_e)))
        else:  # a curve the table does not describe
            speeds.append(math.nan)
    columns["v_rot_kms"] = np.array(speeds)
    count = np.asarray(rows["x_kpc"]).size
    for name in MEASURED_COLUMNS:
        columns[name] = np.full(count, np.nan)
    return _stacked(columns, count)


def _stacked(columns: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Return the catalogue rows ``(n, len(CATALOGUE_COLUMNS))`` from its columns."""
    rows = np.empty((n, len(CATALOGUE_COLUMNS)))
    for k, name in enumerate(CATALOGUE_COLUMNS):
        rows[:, k] = columns[name]
    return rows
