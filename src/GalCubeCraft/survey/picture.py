"""A picture of a finished field: its moment 0 with the truth catalogue, and a zoom.

:func:`plot_field` draws two panels from a field folder (:func:`~.field.make_field`):

- **the whole field**: the noiseless field's moment 0 (``moment0`` of ``field.zarr``,
  Jy/beam Hz), every galaxy of ``truth.csv`` marked by a circle at its position, and the
  zoom's box;
- **the zoom**: the *noisy* field's moment 0 over that box (summed here from ``field``,
  a tile's depth of channels at a time), each galaxy drawn as an ellipse of its HI size,
  axis ratio and position angle and labelled by id, and the beam.  Beside the noiseless
  map it shows a finder's problem: which catalogued galaxies the noise hides, which
  noise peaks look like galaxies, and where neighbours blend.

A galaxy's ellipse has the catalogue's ``hi_size`` (the HI diameter at
1 M_sun pc^-2) as its major axis, ``hi_size cos i`` as its minor axis (a thin disk) and
``pa`` (north through east, :mod:`GalCubeCraft.conventions`) as its orientation.
Matplotlib is imported when a picture is drawn, never at import.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..conventions import pa_to_matplotlib_angle
from .catalogue import TRUTH_FILE
from .field import SPEC_FILE
from .spec import FieldSpec, PopulationSpec
from .tiles import ZARR

PICTURE_UNITS = ("arcmin", "arcsec", "pixel")
"""Axis units of :func:`plot_field`: offsets from the field centre, or 0-based pixels."""
LABEL_LIMIT = 30
"""A panel labels its galaxies by id when it holds at most this many."""
ZOOM_FRACTION = 0.125
"""The default zoom's side, as a fraction of the field's smaller side (at least
:data:`ZOOM_MIN_PX`)."""
ZOOM_MIN_PX = 32
"""The default zoom's smallest side (pixels), when the field has that many."""
CATALOGUE_COLOURS = {"emission": "cyan", "noise": "black"}
"""The catalogue's colour on a noiseless (magma) map and on a noisy (red-blue) one."""


def plot_field(
    folder: str | Path,
    *,
    zoom: tuple[slice, slice] | None = None,
    ax: Any = None,
    axes: str = "arcmin",
    noisy_zoom: bool = True,
) -> Any:
    """Draw a finished field: its moment 0 with the truth catalogue, and a zoom.

    Parameters
    ----------
    folder : str or Path
        A field folder written by :func:`~GalCubeCraft.survey.make_field` (complete).
    zoom : (slice, slice), optional
        The zoom's pixel box ``(y, x)``, as numpy indexes the field's planes (steps of 1,
        inside the field).  Default: the square of an eighth of the field's side (at
        least 32 pixels) that holds the most galaxies (:func:`crowded_box`).
    ax : pair of matplotlib Axes, optional
        The axes to draw the whole field and the zoom on; default a new figure.
    axes : {'arcmin', 'arcsec', 'pixel'}
        Axis unit: offsets from the field centre (x growing west, y north), or 0-based
        pixel coordinates (those of ``x_px``, ``y_px`` in ``truth.csv``).
    noisy_zoom : bool
        The zoom shows the noisy field's moment 0 (True, what a finder sees) or the
        noiseless one.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the two panels.
    """
    root = Path(folder)
    unit = _validate.choice("axes", axes, PICTURE_UNITS)
    noisy_zoom = _validate.boolean("noisy_zoom", noisy_zoom)
    spec = recorded_spec(root)
    moment0, field = _finished_arrays(root)
    truth = _truth(root, spec)
    box = crowded_box(spec, truth["x_px"], truth["y_px"], moment0) if zoom is None else zoom
    ys, xs = _checked_box(spec, box)
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(12.0, 5.4), layout="constrained")
        whole, detail = fig.subplots(1, 2)
    else:
        if not isinstance(ax, (tuple, list, np.ndarray)) or len(ax) != 2:
            raise TypeError("ax must be a pair of Axes (whole field, zoom); got "
                            f"{type(ax).__name__}")  # fmt: skip
        whole, detail = ax
        fig = whole.get_figure()
    frame = _Frame(spec, unit)
    _draw_whole(fig, whole, frame, moment0, truth, (ys, xs))
    zoomed = noisy_moment0(field, spec, ys, xs) if noisy_zoom else moment0[ys, xs]
    _draw_zoom(fig, detail, frame, zoomed, truth, (ys, xs), noisy_zoom)
    return fig


def recorded_spec(folder: str | Path) -> FieldSpec:
    """Return the spec a field folder was made for (read from its ``spec.txt``).

    The record is ``repr(spec)``; it is read back without running it: only the calls
    ``FieldSpec(...)`` and ``PopulationSpec(...)`` with literal keyword values are accepted.
    """
    path = Path(folder) / SPEC_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{folder} is not a field folder: no {SPEC_FILE}")
    try:
        spec = _record(ast.parse(path.read_text(encoding="utf-8"), mode="eval").body)
    except (SyntaxError, ValueError, TypeError) as error:
        raise ValueError(f"{path} does not hold a field spec: {error}") from None
    if not isinstance(spec, FieldSpec):
        raise ValueError(f"{path} does not hold a field spec; got {type(spec).__name__}")
    return spec


_RECORDS = {"FieldSpec": FieldSpec, "PopulationSpec": PopulationSpec}


def _record(node: ast.expr) -> Any:
    """Return the record of a ``Name(key=literal, ...)`` call of :data:`_RECORDS`."""
    if not isinstance(node, ast.Call):
        return ast.literal_eval(node)
    if not (isinstance(node.func, ast.Name) and node.func.id in _RECORDS) or node.args:
        raise ValueError(f"unexpected call {ast.unparse(node)[:60]!r}")
    values = {k.arg: _record(k.value) for k in node.keywords if k.arg is not None}
    return _RECORDS[node.func.id](**values)


def _finished_arrays(root: Path) -> tuple[np.ndarray, Any]:
    """Return the stored noiseless moment 0 and the (lazy) Zarr field of a finished run."""
    import zarr

    group = zarr.open_group(root / ZARR, mode="r")
    if "moment0" not in group or not group.attrs.get("complete", False):
        raise ValueError(f"the field in {root} is not finished (no moment map yet): run "
                         "make_field again on that folder to finish it")  # fmt: skip
    moment0: Any = group["moment0"]  # an Array (the type of a lookup is Array or Group)
    return np.asarray(moment0[:]), group["field"]


def _truth(root: Path, spec: FieldSpec) -> dict[str, np.ndarray]:
    """Return the catalogue's galaxies whose centres lie inside the field, as arrays."""
    import pandas as pd

    table = pd.read_csv(root / TRUTH_FILE)
    x, y = table["x_px"].to_numpy(float), table["y_px"].to_numpy(float)
    inside = (x >= -0.5) & (x < spec.nx - 0.5) & (y >= -0.5) & (y < spec.ny - 0.5)
    columns = ("id", "x_px", "y_px", "hi_size", "pa", "i")
    return {name: table[name].to_numpy()[inside] for name in columns}


def noisy_moment0(field: Any, spec: FieldSpec, ys: slice, xs: slice) -> np.ndarray:
    """Return the moment 0 (Jy/beam Hz) of ``field[:, ys, xs]``, read a tile deep at a time.

    Channels are summed in float64 in channel order, then times the channel width, as
    the stored noiseless ``moment0`` is (memory: one tile's depth of the box).
    """
    total = np.zeros((ys.stop - ys.start, xs.stop - xs.start), dtype=np.float64)
    depth = spec.tile[0]
    for c0 in range(0, spec.n_chan, depth):
        total += np.asarray(field[c0 : c0 + depth, ys, xs]).sum(axis=0, dtype=np.float64)
    return total * spec.channel_width_hz


def crowded_box(
    spec: FieldSpec, x_px: np.ndarray, y_px: np.ndarray, moment0: np.ndarray
) -> tuple[slice, slice]:
    """Return the square ``(y, x)`` box, an eighth of the field's side, with most galaxies.

    The side is :data:`ZOOM_FRACTION` of the field's smaller side, at least
    :data:`ZOOM_MIN_PX` (and at most the field).  Candidate boxes start every eighth of a
    side; among those holding the most galaxy centres (``x_px``, ``y_px``), the one with
    the largest sum of ``moment0`` is taken.
    """
    side = min(max(ZOOM_MIN_PX, int(ZOOM_FRACTION * min(spec.nx, spec.ny))), spec.nx, spec.ny)
    step = max(1, side // 8)
    oy, ox = (o.ravel() for o in np.meshgrid(np.arange(0, spec.ny - side + 1, step),
                                             np.arange(0, spec.nx - side + 1, step),
                                             indexing="ij"))  # fmt: skip
    # Galaxies per pixel, then summed-area tables: every candidate's count and moment-0
    # sum at once, in memory of the field's plane (not candidates x galaxies).
    column = np.clip(np.floor(np.asarray(x_px, float) + 0.5).astype(np.int64), 0, spec.nx - 1)
    row = np.clip(np.floor(np.asarray(y_px, float) + 0.5).astype(np.int64), 0, spec.ny - 1)
    per_pixel = np.bincount(row * spec.nx + column, minlength=spec.ny * spec.nx)

    def box_sums(plane: np.ndarray) -> np.ndarray:
        table = np.pad(np.cumsum(np.cumsum(plane, axis=0), axis=1), ((1, 0), (1, 0)))
        return (table[oy + side, ox + side] - table[oy, ox + side] - table[oy + side, ox]
                + table[oy, ox])  # fmt: skip

    counts = box_sums(per_pixel.reshape(spec.ny, spec.nx))
    flux = box_sums(np.asarray(moment0, dtype=np.float64))
    best = int(np.lexsort((-flux, -counts))[0])
    return slice(int(oy[best]), int(oy[best]) + side), slice(int(ox[best]), int(ox[best]) + side)


def _checked_box(spec: FieldSpec, box: Any) -> tuple[slice, slice]:
    """Return ``box`` as two slices with integer bounds inside the field, or raise."""
    if not (isinstance(box, tuple) and len(box) == 2 and all(isinstance(s, slice) for s in box)):
        raise TypeError(f"zoom must be a (y, x) pair of slices; got {box!r}")
    out = []
    for name, part, n in (("zoom[0] (y)", box[0], spec.ny), ("zoom[1] (x)", box[1], spec.nx)):
        start = 0 if part.start is None else part.start
        stop = n if part.stop is None else part.stop
        whole = all(isinstance(v, (int, np.integer)) for v in (start, stop))
        if not whole or part.step not in (None, 1) or not 0 <= start <= stop - 2 <= n - 2:
            raise ValueError(f"{name} must be a slice of step 1 of at least 2 pixels inside "
                             f"0..{n}; got {part!r}")  # fmt: skip
        out.append(slice(int(start), int(stop)))
    return out[0], out[1]


class _Frame:
    """Pixel coordinates to plotted coordinates, in one unit, for one field."""

    def __init__(self, spec: FieldSpec, unit: str) -> None:
        self.spec = spec
        self.unit = unit
        self.scale = {"arcmin": spec.pixel_arcsec / 60.0, "arcsec": spec.pixel_arcsec,
                      "pixel": 1.0}[unit]  # fmt: skip
        # Offsets are from the field centre, pixel (n - 1) / 2; pixels stay 0-based.
        centred = unit != "pixel"
        self.cx = 0.5 * (spec.nx - 1) if centred else 0.0
        self.cy = 0.5 * (spec.ny - 1) if centred else 0.0

    def point(self, x_px: Any, y_px: Any) -> tuple[Any, Any]:
        """Return the plotted coordinates of pixel positions."""
        return ((np.asarray(x_px, float) - self.cx) * self.scale,
                (np.asarray(y_px, float) - self.cy) * self.scale)  # fmt: skip

    def extent(self, ys: slice, xs: slice) -> list[float]:
        """Return the imshow extent of the pixel box ``(ys, xs)`` (pixel edges)."""
        x0, y0 = self.point(xs.start - 0.5, ys.start - 0.5)
        x1, y1 = self.point(xs.stop - 0.5, ys.stop - 0.5)
        return [float(x0), float(x1), float(y0), float(y1)]

    def label(self, ax: Any) -> None:
        """Name the axes, with the sky directions."""
        if self.unit == "pixel":
            ax.set_xlabel("x [pixel] (west →)")
            ax.set_ylabel("y [pixel] (north ↑)")
        else:
            ax.set_xlabel(f"x offset [{self.unit}] (west →)")
            ax.set_ylabel(f"y offset [{self.unit}] (north ↑)")


def _draw_whole(fig: Any, ax: Any, frame: _Frame, moment0: np.ndarray,
                truth: dict[str, np.ndarray], box: tuple[slice, slice]) -> None:  # fmt: skip
    """Draw the noiseless moment 0, the catalogue and the zoom's box on ``ax``."""
    from matplotlib.patches import Rectangle

    spec = frame.spec
    full = frame.extent(slice(0, spec.ny), slice(0, spec.nx))
    shown = ax.imshow(moment0, origin="lower", extent=full, interpolation="nearest",
                      **_emission_scale(moment0))  # fmt: skip
    fig.colorbar(shown, ax=ax, label="moment 0 [Jy/beam Hz]", shrink=0.9)
    # At the whole field's scale a galaxy spans a few screen pixels: a small circle around
    # each marks it without hiding it (the zoom draws each one's size and orientation).
    x, y = frame.point(truth["x_px"], truth["y_px"])
    ax.scatter(x, y, s=30.0, marker="o", facecolors="none", linewidths=0.5, alpha=0.8,
               edgecolors=CATALOGUE_COLOURS["emission"], label="truth catalogue")  # fmt: skip
    x0, x1, y0, y1 = frame.extent(*box)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="white",
                           linewidth=1.2, linestyle="--", label="zoom"))  # fmt: skip
    ax.set_xlim(full[0], full[1])
    ax.set_ylim(full[2], full[3])
    frame.label(ax)
    ax.set_title(f"noiseless field, moment 0: {truth['id'].size} galaxies")


def _draw_zoom(fig: Any, ax: Any, frame: _Frame, image: np.ndarray,
               truth: dict[str, np.ndarray], box: tuple[slice, slice],
               noisy: bool) -> None:  # fmt: skip
    """Draw ``image`` (the zoom's moment 0), its galaxies labelled by id and the beam."""
    from matplotlib.patches import Ellipse

    spec = frame.spec
    ys, xs = box
    limits = frame.extent(ys, xs)
    if noisy:
        # Noise shows as plainly below 0 as above: a diverging map symmetric about 0.
        peak = float(np.max(np.abs(image), initial=0.0)) or 1.0
        scale: dict[str, Any] = {"cmap": "RdBu_r", "vmin": -peak, "vmax": peak}
    else:
        scale = _emission_scale(image)
    shown = ax.imshow(image, origin="lower", extent=limits, interpolation="nearest", **scale)
    fig.colorbar(shown, ax=ax, label="moment 0 [Jy/beam Hz]", shrink=0.9)
    x, y = truth["x_px"], truth["y_px"]
    within = ((x >= xs.start - 0.5) & (x < xs.stop - 0.5)
              & (y >= ys.start - 0.5) & (y < ys.stop - 0.5))  # fmt: skip
    colour = CATALOGUE_COLOURS["noise" if noisy else "emission"]
    _draw_galaxies(ax, frame, truth, within, colour, labels=within.sum() <= LABEL_LIMIT)
    width, height = limits[1] - limits[0], limits[3] - limits[2]
    beam = spec.beam_arcsec / spec.pixel_arcsec * frame.scale
    centre = (limits[0] + 0.06 * width + 0.5 * beam, limits[2] + 0.06 * height + 0.5 * beam)
    ax.add_patch(Ellipse(centre, beam, beam, facecolor="white", edgecolor="black", lw=1.0,
                         label="beam"))  # fmt: skip
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    frame.label(ax)
    title = "zoom: noisy field, moment 0" if noisy else "zoom: noiseless field, moment 0"
    if noisy and spec.noise_rms_jy_beam > 0:
        # Moment 0 sums n_chan channels of independent noise: rms dnu sqrt(n_chan).
        sigma = spec.noise_rms_jy_beam * spec.channel_width_hz * math.sqrt(spec.n_chan)
        title = f"{title}, noise {sigma:.3g} Jy/beam Hz"
    ax.set_title(title)


def _emission_scale(image: np.ndarray) -> dict[str, Any]:
    """Return ``imshow`` colour keywords of a noiseless moment 0: a square-root stretch.

    From 0 to the 99.9th percentile, so the faint galaxies show beside the bright ones
    (the brightest cores saturate).
    """
    from matplotlib.colors import PowerNorm

    top = float(np.percentile(image, 99.9)) if image.size else 0.0
    top = top if top > 0 else float(np.max(image, initial=0.0)) or 1.0
    return {"cmap": "magma", "norm": PowerNorm(0.5, vmin=0.0, vmax=top)}


def _draw_galaxies(ax: Any, frame: _Frame, truth: dict[str, np.ndarray], chosen: np.ndarray,
                   colour: str, labels: bool) -> None:  # fmt: skip
    """Draw the ``chosen`` galaxies as ellipses of their HI size, inclination and PA."""
    from matplotlib.collections import EllipseCollection

    if not chosen.any():
        return
    x, y = frame.point(truth["x_px"][chosen], truth["y_px"][chosen])
    arcsec = frame.scale / frame.spec.pixel_arcsec  # plotted units per arcsec
    major = truth["hi_size"][chosen] * arcsec
    minor = major * np.cos(np.radians(truth["i"][chosen]))
    angles = pa_to_matplotlib_angle(truth["pa"][chosen])
    ellipses = EllipseCollection(major, minor, angles, units="xy", offsets=np.column_stack([x, y]),
                                 offset_transform=ax.transData, facecolors="none",
                                 edgecolors=colour, linewidths=1.0,
                                 label="truth: HI size, i, PA")  # fmt: skip
    ax.add_collection(ellipses)
    if labels:
        for galaxy, xi, yi, size in zip(truth["id"][chosen], x, y, major, strict=True):
            ax.text(xi + 0.4 * size, yi + 0.4 * size, str(int(galaxy)), color=colour,
                    fontsize=8, clip_on=True)  # fmt: skip
