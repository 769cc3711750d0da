"""Maps of a cube: moment maps with the beam, channel maps, lensed maps."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

from .._support import validate as _validate
from ..products.cube import Cube
from ..products.masks import default_mask
from ..products.moments import Moments
from ..renderer.lensing import LensingTruth
from .frame import axes_unit, colour_scale, draw_beam, extent, label_offsets

VELOCITY_PERCENTILE = 98.0
"""Noisy cubes: the moment-1 colour range holds this percentile of |v - band centre| ..."""
VELOCITY_MIN_SNR = 3.0
"""... over pixels whose masked moment 0 reaches this S/N (all pixels if fewer than 10)."""


def velocity_limits(cube: Cube, m0: np.ndarray, m1: np.ndarray, mask: np.ndarray | None
                    ) -> tuple[float, float] | None:  # fmt: skip
    """Return the moment-1 colour range, symmetric about the band centre; None if empty.

    A noiseless cube uses the full range of ``m1``.  For a noisy one, noise at the
    faint edges of the mask would set the range, so it holds the 98th percentile of
    ``|m1 - centre|`` over the pixels where the masked moment 0 ``m0`` reaches 3 times
    its noise ``rms dv sqrt(n)`` (``n`` the channels the mask keeps there).
    """
    finite = np.isfinite(m1)
    if not finite.any():
        return None
    centre = float(np.mean(cube.velocities_kms))
    offsets = np.abs(m1 - centre)
    if cube.noise_rms <= 0:
        half = float(np.max(offsets[finite]))
    else:
        n_kept = cube.shape[0] if mask is None else np.count_nonzero(mask, axis=0)
        noise = cube.noise_rms * cube.observation.spectral.channel_width_kms * np.sqrt(n_kept)
        strong = finite & (m0 >= VELOCITY_MIN_SNR * noise)
        chosen = strong if np.count_nonzero(strong) >= 10 else finite
        half = float(np.percentile(offsets[chosen], VELOCITY_PERCENTILE))
    half = max(half, 1e-3)  # a flat map still gets a colour bar of non-zero width
    return centre - half, centre + half


def moment0_noise_levels(cube: Cube, multiples: tuple[float, ...] = (3, 6, 12, 24)) -> list[float]:
    """Return moment-0 contour levels at ``multiples`` of its noise.

    Moment 0 sums ``n`` channels of width ``dv``; with noise ``rms`` per voxel (independent
    between channels) its noise is ``rms dv sqrt(n)``, ``n`` all the channels of the
    cube (moment 0 is drawn unmasked).
    """
    spectral = cube.observation.spectral
    sigma = cube.noise_rms * spectral.channel_width_kms * np.sqrt(spectral.n_chan)
    return [m * sigma for m in multiples]


def moment_figure(
    cube: Cube,
    mask: np.ndarray | None = None,
    orders: tuple[int, ...] = (0, 1),
    axes: str | None = None,
    clean: Cube | None = None,
) -> Figure:
    """Return a figure of moment maps (``orders`` from 0, 1, 2) with colour bars and beam.

    Parameters
    ----------
    cube : Cube
        The cube; its observation gives axes, velocities and beam.
    mask : numpy.ndarray of bool, optional
        Voxels kept in moments 1 and 2 (moment 0 always sums everything); default
        :func:`~GalCubeCraft.products.masks.default_mask` (for noisy cubes: from ``clean``
        when given, else by smoothing and clipping; nothing for noiseless ones).
    orders : tuple of int
        Which moments to draw.
    axes : {'arcsec', 'kpc', 'pixel'}, optional
        Axis unit; default arcsec when the observation has an angular scale, else kpc.
    clean : Cube, optional
        The noiseless cube, when known: it sets the default mask of a noisy cube.
    """
    _validate.instance("cube", cube, Cube)
    unit = axes_unit(cube, axes)
    mask = mask if mask is not None else default_mask(cube, clean)
    maps = MomentMaps(cube, mask)
    fig = Figure(figsize=(5.2 * len(orders), 4.4), layout="constrained")
    panels = fig.subplots(1, len(orders), squeeze=False)[0]
    for ax, order in zip(panels, orders, strict=True):
        maps.draw(fig, ax, order, unit)
    return fig


class MomentMaps:
    """The moment maps of one cube, computed once, drawn one panel at a time."""

    def __init__(self, cube: Cube, mask: np.ndarray | None) -> None:
        self.cube = cube
        self.mask = mask
        self.everything: Moments = cube.moments()
        self.masked: Moments = cube.moments(mask=mask)

    def draw(self, fig: Figure, ax: Any, order: int, unit: str) -> Any:
        """Draw moment ``order`` (0, 1 or 2) on ``ax`` with its colour bar and beam."""
        cube, masked = self.cube, self.masked
        maps = {
            0: (self.everything.m0, f"moment 0 [{cube.unit} km/s]", "inferno"),
            1: (masked.m1, "moment 1 [km/s]", "RdBu_r"),
            2: (masked.m2, "moment 2 [km/s]", "viridis"),
        }
        image, label, cmap = maps[order]
        box = extent(cube.observation, unit)
        kwargs: dict[str, Any] = {}
        limits = velocity_limits(cube, masked.m0, masked.m1, self.mask) if order == 1 else None
        if limits is not None:
            kwargs = {"vmin": limits[0], "vmax": limits[1]}
        if order == 0 and cube.noise_rms <= 0 and np.nanmax(image, initial=0.0) > 0:
            # A square-root stretch shows a Sersic disk's faint outskirts, not only its core;
            # a noisy map stays linear, so noise keeps its true contrast against the contours.
            kwargs = {"norm": PowerNorm(0.5, vmin=0.0)}
        shown = ax.imshow(image, origin="lower", extent=box, cmap=cmap, **kwargs)
        fig.colorbar(shown, ax=ax, label=label)
        if order == 0 and cube.noise_rms > 0:
            ax.contour(image, levels=moment0_noise_levels(cube), colors="white",
                       linewidths=0.6, origin="lower", extent=box)  # fmt: skip
        draw_beam(ax, cube.observation, box, unit)
        label_offsets(ax, unit)
        ax.set_title(label.split(" [")[0])
        return shown


def lensing_figure(lensed: Cube, truth: LensingTruth) -> Figure:
    """Return the lensed moment maps with the critical curves, and the source with caustics.

    Three panels in arcsec: the lensed moment 0 and moment 1 (the image plane) with the
    critical curves drawn over them, and the unlensed source's moment 0 (the source plane,
    on the same grid) with the caustics.
    """
    obs = lensed.observation
    box = extent(obs, "arcsec")
    image = lensed.moments()
    source = truth.source_model.moments()
    fig = Figure(figsize=(15.6, 4.4), layout="constrained")
    panels = fig.subplots(1, 3)
    shown = [
        (image.m0, "lensed moment 0", "inferno", truth.critical_curves, "critical curves"),
        (image.m1, "lensed moment 1 [km/s]", "RdBu_r", truth.critical_curves, "critical curves"),
        (source.m0, "source moment 0", "inferno", truth.caustics, "caustics"),
    ]
    for ax, (data, title, cmap, curves, label) in zip(panels, shown, strict=True):
        kwargs: dict[str, Any] = {}
        if cmap == "inferno" and np.nanmax(data, initial=0.0) > 0:
            kwargs = {"norm": PowerNorm(0.5, vmin=0.0)}
        drawn = ax.imshow(data, origin="lower", extent=box, cmap=cmap, **kwargs)
        fig.colorbar(drawn, ax=ax)
        for k, curve in enumerate(curves):
            ax.plot(curve[:, 0], curve[:, 1], color="cyan", lw=0.8,
                    label=label if k == 0 else None)  # fmt: skip
        if curves:
            ax.legend(loc="upper right", fontsize="small")
        ax.set_xlim(box[0], box[1])
        ax.set_ylim(box[2], box[3])
        label_offsets(ax, "arcsec")
        ax.set_title(title)
    return fig


MAX_PANELS = 400
"""Most channel maps one figure draws (a 20 x 20 grid)."""


def channel_map_figure(cube: Cube, n_panels: int = 9, axes: str | None = None) -> Figure:
    """Return a grid of ``n_panels`` channel maps spread evenly over the emission's channels.

    Each panel has offset axes (``axes`` as for :func:`moment_figure`; labelled on the
    outer panels) and the beam; all share one colour scale, symmetric about 0 for noisy
    data (negative noise is drawn as plainly as positive), from 0 for noiseless data.
    """
    _validate.instance("cube", cube, Cube)
    n_panels = _validate.integer("n_panels", n_panels, low=1, high=MAX_PANELS)
    unit = axes_unit(cube, axes)
    data = np.asarray(cube.data)
    # Spread the panels over the channels that hold emission (the clean part of the
    # line: above 1% of the brightest channel, or 3 rms for a noisy cube).
    channel_peak = data.max(axis=(1, 2)) if data.size else np.zeros(1)
    floor = max(0.01 * float(channel_peak.max()), 3.0 * cube.noise_rms)
    lit = np.flatnonzero(channel_peak > floor)
    first, last = (int(lit[0]), int(lit[-1])) if lit.size else (0, data.shape[0] - 1)
    channels = np.unique(np.linspace(first, last, n_panels).round().astype(int))
    columns = int(np.ceil(np.sqrt(channels.size)))
    rows = int(np.ceil(channels.size / columns))
    fig = Figure(figsize=(3.2 * columns + 1.0, 3.2 * rows), layout="constrained")
    panels = np.atleast_2d(fig.subplots(rows, columns, sharex=True, sharey=True,
                                        squeeze=False))  # fmt: skip
    box = extent(cube.observation, unit)
    scale = colour_scale(cube, data[channels])
    for ax in panels.ravel()[channels.size :]:
        ax.set_axis_off()
    for k, c in enumerate(channels):
        row, column = divmod(k, columns)
        ax = panels[row, column]
        shown = ax.imshow(data[c], origin="lower", extent=box, **scale)
        draw_beam(ax, cube.observation, box, unit)
        ax.set_title(f"{cube.velocities_kms[c]:.0f} km/s", fontsize=9)
        # Labels on the left column and on the lowest panel of each column.
        label_offsets(ax, unit, x=k + columns >= channels.size, y=column == 0)
        ax.tick_params(labelbottom=k + columns >= channels.size)
    fig.colorbar(shown, ax=list(panels.ravel()[: channels.size]), label=cube.unit, shrink=0.8)
    return fig
