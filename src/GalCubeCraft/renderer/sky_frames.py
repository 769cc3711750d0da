"""Where the sky sampler's sight lines meet the galaxy: directly, or through a lens.

The adaptive sampler (:mod:`.sampling`) integrates the surface brightness over image-plane
cells.  Unlensed, a cell's sight lines pierce the galaxy where the cell is; behind a lens
each image position ``theta`` looks at the source-plane position
``beta = theta - alpha(theta)`` (:mod:`GalCubeCraft.model.lens`), where the galaxy is
evaluated exactly.  Surface brightness is conserved, so integrating over the image-plane
cell gives the lensed flux, magnification included, with no Jacobian to apply.

A frame answers the sampler's five geometric questions: which pixels may hold light,
where a sight line meets the galaxy, which cells must be split whatever the error
estimates say (those around the galaxy's centre, and behind a lens those whose source
patch holds the centre or which touch a singular lens centre), which lie on the thin
midplane ridge of a disk seen edge-on, and which see a tapered core fade out.  Behind a
lens a cell of size ``s`` covers a source patch of about ``stretch * s``
(:meth:`Lens.stretch`), so the reach of each test grows with the local stretch; near
critical curves the patches shrink along one axis and the 2x2 error estimates drive the
refinement, down to ``max_refine_depth``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..conventions import sky_to_major_minor
from ..model.lens import Lens
from ..observation.records import Observation, pixel_centres_kpc
from .geometry import DiskGeometry

_CENTRE_REACH = 1.5  # cells: the centre's cell and its eight neighbours


def near_centre(cx: np.ndarray, cy: np.ndarray, reach: float | np.ndarray) -> np.ndarray:
    """Return which cells (offsets ``cx, cy`` from a point) lie within ``1.5 reach`` of it.

    The cell holding a cusp and its eight neighbours: a cusp just beyond a cell's edge
    bends the integrand inside it more than a 2x2 rule can follow.
    """
    limit = _CENTRE_REACH * reach * (1.0 + 1e-9)
    return (np.abs(cx) <= limit) & (np.abs(cy) <= limit)


def on_thin_ridge(
    a: np.ndarray, b: np.ndarray, g: DiskGeometry, size: float | np.ndarray
) -> np.ndarray:
    """Return which cells may hold the midplane ridge of a disk seen nearly edge-on.

    ``b`` is each cell's offset along the galaxy's minor axis and ``size`` its width.
    When the disk's projected thickness ``h_z sin i + r_e cos i`` is below a cell, its
    light gathers on a ridge along the major axis that cell centres can miss entirely
    (on a pixel edge, the centres see ``e^-5`` of it for ``h_z`` a tenth of a pixel): the
    curvature test, fed by those centres, would then accept them.  Cells within a cell
    diagonal of the ridge are refined instead.
    """
    thickness = g.h_z * g.sin_i + g.r_e * g.cos_i
    if np.ndim(size) == 0 and thickness >= size:
        return np.zeros(np.shape(a), dtype=bool)
    return (thickness < size) & (np.abs(b) <= 3.0 * thickness + math.sqrt(2.0) * size)


def in_taper_band(
    a: np.ndarray, b: np.ndarray, g: DiskGeometry, size: float | np.ndarray
) -> np.ndarray:
    """Return which cells' sight lines may cross the band where a tapered core fades out.

    The taper (:attr:`DiskGeometry.taper`) bends the surface brightness on the scale of a
    pixel or two, too sharply for the one-point rule's curvature estimate (measured:
    face-on cores lost up to 8e-4 of their flux), so such cells take the 2x2 rule.  A
    sight line at ``(a, b)`` (cell centre, grown by the cell's half-diagonal) meets the
    layer ``|z| <= z_max`` at in-plane ``y`` between ``(|b| -+ z_max sin i) / cos i``; the
    radii it passes lie between ``hypot(a, y)`` at the two ends of that range.
    """
    if g.taper is None:
        return np.zeros(np.shape(a), dtype=bool)
    start, end = g.taper
    margin = math.sqrt(0.5) * np.asarray(size)
    depth = g.z_max * g.sin_i
    with np.errstate(divide="ignore", invalid="ignore"):
        near_y = np.maximum(np.abs(b) - depth - margin, 0.0) / g.cos_i
        far_y = (np.abs(b) + depth + margin) / g.cos_i
    near_y = np.where(np.isnan(near_y), 0.0, near_y)  # edge-on, on the midplane
    near = np.hypot(np.maximum(np.abs(a) - margin, 0.0), near_y)
    far = np.hypot(np.abs(a) + margin, far_y)
    return (near <= end) & (far >= start)


def _inside_cylinder(
    a: np.ndarray, b: np.ndarray, g: DiskGeometry, margin: float | np.ndarray
) -> np.ndarray:
    """Return which offsets lie within the projected truncation cylinder grown by ``margin``."""
    return (np.abs(a) <= g.r_max + margin) & (np.abs(b) <= g.half_extent_minor + margin)


@dataclass(frozen=True)
class DirectFrame:
    """The unlensed sky: a sight line meets the galaxy where its cell is."""

    g: DiskGeometry

    def candidate_pixels(self, obs: Observation) -> np.ndarray:
        """Return flat indices of pixels whose centre lies within the projected cylinder.

        The cylinder is grown by one pixel diagonal.
        """
        xs = pixel_centres_kpc(obs.nx, obs.pixel_kpc) - self.g.x0
        ys = pixel_centres_kpc(obs.ny, obs.pixel_kpc) - self.g.y0
        a, b = sky_to_major_minor(xs[None, :], ys[:, None], self.g.pa_deg)
        return np.flatnonzero(_inside_cylinder(a, b, self.g, math.sqrt(2.0) * obs.pixel_kpc))

    def to_source(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the galaxy-relative offsets that sight lines at ``(x, y)`` see: the same."""
        return x, y

    def must_split(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return which cells of width ``size`` (offsets from the galaxy) are always split."""
        return near_centre(cx, cy, size)

    def on_thin_ridge(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return which cells may hold an edge-on disk's midplane ridge (:func:`on_thin_ridge`)."""
        a, b = sky_to_major_minor(cx, cy, self.g.pa_deg)
        return on_thin_ridge(a, b, self.g, size)

    def in_taper_band(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return which cells may see a tapered core fade out (:func:`in_taper_band`)."""
        if self.g.taper is None:  # nearly every galaxy: no transform to compute
            return np.zeros(np.shape(cx), dtype=bool)
        a, b = sky_to_major_minor(cx, cy, self.g.pa_deg)
        return in_taper_band(a, b, self.g, size)


@dataclass(frozen=True)
class LensedFrame:
    """The sky behind a lens: a sight line at ``theta`` meets the galaxy at ``beta``.

    Parameters
    ----------
    g : DiskGeometry
        The galaxy, in the source plane.
    lens : Lens
        The lens, in arcsec.
    kpc_per_arcsec : float
        Scale of the source plane: offsets in kpc at the source are arcsec times this.
    """

    g: DiskGeometry
    lens: Lens
    kpc_per_arcsec: float

    def _source_and_stretch(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return galaxy-relative source offsets (kpc) and the stretch at image offsets."""
        k = self.kpc_per_arcsec
        tx, ty = (x + self.g.x0) / k, (y + self.g.y0) / k
        bx, by = self.lens.source_position(tx, ty)
        return bx * k - self.g.x0, by * k - self.g.y0, self.lens.stretch(tx, ty)

    def to_source(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the galaxy-relative source offsets (kpc) of image offsets ``(x, y)`` (kpc)."""
        k = self.kpc_per_arcsec
        bx, by = self.lens.source_position((x + self.g.x0) / k, (y + self.g.y0) / k)
        return bx * k - self.g.x0, by * k - self.g.y0

    def _near_singularity(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return which cells touch a singular lens centre's block of cells."""
        near = np.zeros(np.shape(cx), dtype=bool)
        for sx, sy in self.lens.singular_points():
            near |= near_centre(cx + self.g.x0 - sx * self.kpc_per_arcsec,
                                cy + self.g.y0 - sy * self.kpc_per_arcsec, size)  # fmt: skip
        return near

    def candidate_pixels(self, obs: Observation) -> np.ndarray:
        """Return flat indices of pixels whose source patch may touch the galaxy.

        A pixel qualifies when its centre maps within the projected cylinder grown by
        the pixel's diagonal times the local stretch, or touches a singular lens centre.
        """
        xs = pixel_centres_kpc(obs.nx, obs.pixel_kpc) - self.g.x0
        ys = pixel_centres_kpc(obs.ny, obs.pixel_kpc) - self.g.y0
        x, y = np.broadcast_arrays(xs[None, :], ys[:, None])
        bx, by, stretch = self._source_and_stretch(x, y)
        a, b = sky_to_major_minor(bx, by, self.g.pa_deg)
        # Twice the stretch: it is taken at the pixel's centre and varies across it.
        margin = math.sqrt(2.0) * obs.pixel_kpc * 2.0 * np.maximum(stretch, 1.0)
        inside = _inside_cylinder(a, b, self.g, margin)
        inside |= self._near_singularity(x, y, obs.pixel_kpc)
        return np.flatnonzero(inside)

    def must_split(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return cells whose source patch holds the galaxy's centre, or near a lens centre."""
        bx, by, stretch = self._source_and_stretch(cx, cy)
        return near_centre(bx, by, size * stretch) | self._near_singularity(cx, cy, size)

    def on_thin_ridge(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return cells whose source patch may hold an edge-on disk's midplane ridge."""
        bx, by, stretch = self._source_and_stretch(cx, cy)
        a, b = sky_to_major_minor(bx, by, self.g.pa_deg)
        return on_thin_ridge(a, b, self.g, size * stretch)

    def in_taper_band(self, cx: np.ndarray, cy: np.ndarray, size: float) -> np.ndarray:
        """Return cells whose source patch may see a tapered core fade out."""
        if self.g.taper is None:  # nearly every galaxy: no deflections to compute
            return np.zeros(np.shape(cx), dtype=bool)
        bx, by, stretch = self._source_and_stretch(cx, cy)
        a, b = sky_to_major_minor(bx, by, self.g.pa_deg)
        return in_taper_band(a, b, self.g, size * stretch)


SkyFrame = DirectFrame | LensedFrame
