"""What every sky panel shares: offset axes in a chosen unit, the beam, the colour scale."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.patches import Ellipse

from .._support import validate as _validate
from ..observation.records import Observation
from ..products.cube import Cube

AXES_UNITS = ("arcsec", "kpc", "pixel")
"""The units the offset axes of maps may be drawn in (``axes=`` of the plotting functions)."""
DIVERGING_CMAP = "RdBu_r"
"""Colour map of data with negative values (noise): white at 0, symmetric limits."""
EMISSION_CMAP = "magma"
"""Colour map of noiseless, non-negative intensities, from 0."""


def axes_unit(cube: Cube, axes: str | None) -> str:
    """Return the offset unit: ``axes``, or arcsec with an angular scale, else kpc."""
    if axes is None:
        return "arcsec" if cube.observation.sky is not None else "kpc"
    return _validate.choice("axes", axes, AXES_UNITS)


def pixel_scale(obs: Observation, unit: str) -> float:
    """Return the size of one pixel in ``unit``."""
    return {"arcsec": lambda: obs.pixel_arcsec, "kpc": lambda: obs.pixel_kpc,
            "pixel": lambda: 1.0}[unit]()  # fmt: skip


def extent(obs: Observation, unit: str) -> list[float]:
    """Return the imshow extent: offsets from the field centre, x growing west."""
    scale = pixel_scale(obs, unit)
    hx, hy = 0.5 * obs.nx * scale, 0.5 * obs.ny * scale
    return [-hx, hx, -hy, hy]


def to_offsets(obs: Observation, unit: str, x_px: Any, y_px: Any) -> tuple[Any, Any]:
    """Return the plotted offsets of 0-based pixel coordinates ``(x_px, y_px)``."""
    scale = pixel_scale(obs, unit)
    cx, cy = obs.centre_px
    return (np.asarray(x_px) - cx) * scale, (np.asarray(y_px) - cy) * scale


def draw_beam(ax: Any, obs: Observation, box: list[float], unit: str) -> Ellipse | None:
    """Draw the beam in the lower left of ``box`` (an extent); return the patch (None: no beam)."""
    if obs.beam is None:
        return None
    centre = (box[0] + 0.1 * (box[1] - box[0]), box[2] + 0.1 * (box[3] - box[2]))
    # White fill and black edge: visible on dark and light colour maps alike.
    patch = Ellipse(**obs.beam.ellipse(centre, pixel_scale(obs, unit)), facecolor="white",
                    edgecolor="black", lw=1.0)  # fmt: skip
    ax.add_patch(patch)
    return patch


def label_offsets(ax: Any, unit: str, x: bool = True, y: bool = True) -> None:
    """Label the axes as offsets from the field centre, with the sky directions."""
    if x:
        ax.set_xlabel(f"x offset [{unit}] (west →)")
    if y:
        ax.set_ylabel(f"y offset [{unit}] (north ↑)")


def shows_noise(cube: Cube) -> bool:
    """Return whether the cube is drawn as noisy: it has noise or negative values.

    Such data are drawn on a colour scale symmetric about 0 (:data:`DIVERGING_CMAP`), so
    negative noise shows as plainly as positive noise; clipping at 0 would hide it and
    make every noise peak look like emission.
    """
    return cube.noise_rms > 0 or bool(np.min(cube.data, initial=0.0) < 0)


def colour_scale(cube: Cube, values: np.ndarray) -> dict[str, Any]:
    """Return ``imshow`` colour keywords for ``values`` of ``cube``.

    Noisy data: limits ``±max|values|`` on a diverging map; noiseless: ``0 .. max``.
    """
    peak = float(np.max(np.abs(values), initial=0.0))
    peak = peak if peak > 0 else 1.0  # an empty map still gets a colour bar of non-zero width
    if shows_noise(cube):
        return {"cmap": DIVERGING_CMAP, "vmin": -peak, "vmax": peak}
    return {"cmap": EMISSION_CMAP, "vmin": 0.0, "vmax": peak}
