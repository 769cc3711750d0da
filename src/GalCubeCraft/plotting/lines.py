"""Spectra and position-velocity diagrams, and the overview figure that shows them with moments.

Their defaults look where the galaxy is (:mod:`GalCubeCraft.products.regions`): the
spectrum sums the emission aperture, not the whole field (whose empty pixels only add
noise), and the PV slit runs along the kinematic major axis through the galaxy's centre.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._support import validate as _validate
from ..conventions import pa_unit_vector
from ..products.cube import Cube
from ..products.masks import default_mask
from ..products.moments import position_velocity_slice
from ..products.regions import MajorAxis, emission_aperture, major_axis
from .frame import axes_unit, colour_scale, extent, pixel_scale, to_offsets
from .maps import MomentMaps

AXIS_SOURCES = {"galaxy": "the galaxy's PA", "moment 1": "kinematic PA from moment 1",
                "none": "no emission found", "given": "given PA"}  # fmt: skip


def _aperture(cube: Cube, aperture: np.ndarray | str | None, clean: Cube | None
              ) -> np.ndarray | None:  # fmt: skip
    """Return the checked aperture: a ``(ny, nx)`` bool array, or None for the whole field."""
    if aperture is None:
        return emission_aperture(cube, clean)
    if isinstance(aperture, str):
        _validate.choice("aperture", aperture, ("field",))
        return None
    pixels = np.asarray(aperture)
    if pixels.shape != cube.shape[1:] or pixels.dtype != bool:
        raise ValueError(f"aperture must be a bool array of shape {cube.shape[1:]} (ny, nx) or "
                         f"'field'; got {pixels.dtype} of shape {pixels.shape}")  # fmt: skip
    return pixels


def draw_spectrum(ax: Any, cube: Cube, aperture: np.ndarray | None) -> np.ndarray:
    """Draw the spectrum (Jy) summed over ``aperture`` (None: the field); return it."""
    data = np.asarray(cube.data, dtype=np.float64)
    inside = data.sum(axis=(1, 2)) if aperture is None else data[:, aperture].sum(axis=1)
    if cube.unit == "Jy/beam":
        assert cube.observation.beam is not None  # a Jy/beam cube has a beam
        inside = inside / cube.observation.beam.area_px
    ax.step(cube.velocities_kms, inside, where="mid", color="k")
    if np.min(inside) < 0:
        ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel("velocity [km/s]")
    ax.set_ylabel("flux density [Jy]")
    where = "whole field" if aperture is None else f"aperture of {np.count_nonzero(aperture)} px"
    ax.set_title(f"spectrum ({where})")
    return inside


def spectrum_figure(
    cube: Cube, aperture: np.ndarray | str | None = None, clean: Cube | None = None
) -> Figure:
    """Return a figure of the spectrum: flux density in Jy per channel, inside an aperture.

    Parameters
    ----------
    cube : Cube
        The cube; a Jy/beam cube's sum is divided by the beam area in pixels.
    aperture : numpy.ndarray of bool, 'field' or None
        The ``(ny, nx)`` pixels to sum, or 'field' for all of them.  Default: the
        emission aperture (:func:`~GalCubeCraft.products.regions.emission_aperture`:
        the moment mask's footprint grown by half a beam; the whole field for a
        noiseless cube, whose empty pixels add nothing).
    clean : Cube, optional
        The noiseless twin of a noisy cube, when known: it sets the mask.
    """
    _validate.instance("cube", cube, Cube)
    pixels = _aperture(cube, aperture, clean)
    fig = Figure(figsize=(6, 4), layout="constrained")
    draw_spectrum(fig.subplots(), cube, pixels)
    return fig


def _slit(cube: Cube, pa_deg: float | None, centre_xy: tuple[float, float] | None,
          clean: Cube | None) -> MajorAxis:  # fmt: skip
    """Return the checked slit: the major axis's PA and centre where not given."""
    if pa_deg is not None:
        pa_deg = _validate.real("pa_deg", pa_deg)
    if centre_xy is not None:
        x, y = _validate.real_sequence("centre_xy", centre_xy, 2)
        centre_xy = (float(x), float(y))
    if pa_deg is not None and centre_xy is not None:
        return MajorAxis(pa_deg, centre_xy, "given")
    axis = major_axis(cube, clean)
    return MajorAxis(axis.pa_deg if pa_deg is None else pa_deg,
                     axis.centre_xy if centre_xy is None else centre_xy,
                     axis.source if pa_deg is None else "given")  # fmt: skip


def draw_pv(fig: Figure, ax: Any, cube: Cube, slit: MajorAxis, unit: str) -> np.ndarray:
    """Draw the PV diagram along ``slit`` on ``ax`` with its colour bar; return the slice."""
    obs = cube.observation
    offsets, pv = position_velocity_slice(np.asarray(cube.data), slit.pa_deg, slit.centre_xy)
    shown = ax.pcolormesh(offsets * pixel_scale(obs, unit), cube.velocities_kms, pv,
                          shading="nearest", **colour_scale(cube, pv))  # fmt: skip
    fig.colorbar(shown, ax=ax, label=cube.unit)
    ax.set_xlabel(f"offset along PA {slit.pa_deg:.0f}° [{unit}]")
    ax.set_ylabel("velocity [km/s]")
    ax.set_title(f"position-velocity ({AXIS_SOURCES[slit.source]})")
    return pv


def pv_figure(
    cube: Cube,
    pa_deg: float | None = None,
    centre_xy: tuple[float, float] | None = None,
    axes: str | None = None,
    clean: Cube | None = None,
) -> Figure:
    """Return a position-velocity diagram along ``pa_deg`` through ``centre_xy`` (pixels).

    Parameters
    ----------
    cube : Cube
        The cube.
    pa_deg : float, optional
        Slit position angle (degrees, north through east); default the kinematic major
        axis (:func:`~GalCubeCraft.products.regions.major_axis`: the brightest recorded
        galaxy's PA, else measured from moment 1).
    centre_xy : tuple of float, optional
        0-based ``(x, y)`` pixel coordinates of the slit's centre; default the galaxy's
        centre (recorded, else the centroid of moment 0).
    axes : {'arcsec', 'kpc', 'pixel'}, optional
        Offset unit (as for ``moment_figure``); offsets are positive toward the PA.
    clean : Cube, optional
        The noiseless twin of a noisy cube: it sets the mask of a measured PA.
    """
    _validate.instance("cube", cube, Cube)
    slit = _slit(cube, pa_deg, centre_xy, clean)
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    draw_pv(fig, fig.subplots(), cube, slit, axes_unit(cube, axes))
    return fig


def overview_figure(cube: Cube, clean: Cube | None = None, axes: str | None = None) -> Figure:
    """Return one figure of a cube: moments 0, 1, 2 above its spectrum and PV diagram.

    Every panel takes its default: the moment mask (``clean`` sets it when given), the
    spectrum in the emission aperture (outlined, dashed, on moment 0) and the PV slit
    along the kinematic major axis (drawn on moment 1).  ``axes`` as for ``moment_figure``.
    """
    _validate.instance("cube", cube, Cube)
    unit = axes_unit(cube, axes)
    obs = cube.observation
    mask = default_mask(cube, clean)
    maps = MomentMaps(cube, mask)
    fig = Figure(figsize=(15.6, 9.0), layout="constrained")
    grid = fig.add_gridspec(2, 6)
    top = [fig.add_subplot(grid[0, 2 * k : 2 * k + 2]) for k in range(3)]
    for ax, order in zip(top, (0, 1, 2), strict=True):
        maps.draw(fig, ax, order, unit)
    box = extent(obs, unit)
    aperture = emission_aperture(cube, clean, mask)
    if aperture is not None:
        top[0].contour(aperture.astype(float), levels=[0.5], colors="cyan", linewidths=0.8,
                       linestyles="dashed", origin="lower", extent=box)  # fmt: skip
    slit = major_axis(cube, clean, mask)
    half = min(obs.nx, obs.ny) // 2
    direction = np.array(pa_unit_vector(slit.pa_deg))
    ends = np.asarray(slit.centre_xy)[:, None] + np.outer(direction, [-half, half])
    top[1].plot(*to_offsets(obs, unit, ends[0], ends[1]), color="k", lw=0.8, ls="--")
    top[1].set_xlim(box[0], box[1])
    top[1].set_ylim(box[2], box[3])
    draw_spectrum(fig.add_subplot(grid[1, :3]), cube, aperture)
    draw_pv(fig, fig.add_subplot(grid[1, 3:]), cube, slit, unit)
    return fig
