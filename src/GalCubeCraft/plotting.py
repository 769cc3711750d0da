"""Figures of a cube: moment maps with the beam, spectra, channel maps, PV diagrams.

The only module that imports matplotlib.  Every figure takes a
:class:`~GalCubeCraft.products.cube.Cube`, so axes, units, velocities and the beam come from the
cube's observation.  Figures are built with ``matplotlib.figure.Figure`` (no pyplot
state), so saving works headless and no GUI backend is forced on a user who has one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from ._support import validate as _validate
from .observation.records import Observation
from .products.cube import Cube
from .products.masks import default_mask
from .products.moments import integrated_spectrum, position_velocity_slice
from .renderer.lensing import LensingTruth

AXES_UNITS = ("arcsec", "kpc", "pixel")
VELOCITY_PERCENTILE = 98.0
"""Noisy cubes: the moment-1 colour range holds this percentile of |v - band centre| ..."""
VELOCITY_MIN_SNR = 3.0
"""... over pixels whose masked moment 0 reaches this S/N (all pixels if fewer than 10)."""


def _axes_unit(cube: Cube, axes: str | None) -> str:
    if axes is None:
        return "arcsec" if cube.observation.sky is not None else "kpc"
    return _validate.choice("axes", axes, AXES_UNITS)


def _pixel_scale(obs: Observation, unit: str) -> float:
    return {"arcsec": lambda: obs.pixel_arcsec, "kpc": lambda: obs.pixel_kpc,
            "pixel": lambda: 1.0}[unit]()  # fmt: skip


def _extent(obs: Observation, unit: str) -> list[float]:
    """Return the imshow extent: offsets from the field centre, x growing west."""
    scale = _pixel_scale(obs, unit)
    hx, hy = 0.5 * obs.nx * scale, 0.5 * obs.ny * scale
    return [-hx, hx, -hy, hy]


def _draw_beam(ax: Any, obs: Observation, extent: list[float], unit: str) -> None:
    if obs.beam is None:
        return
    centre = (
        extent[0] + 0.1 * (extent[1] - extent[0]),
        extent[2] + 0.1 * (extent[3] - extent[2]),
    )
    # White fill and black edge: visible on dark and light colour maps alike.
    ax.add_patch(
        Ellipse(**obs.beam.ellipse(centre, _pixel_scale(obs, unit)), facecolor="white",
                edgecolor="black", lw=1.0)
    )  # fmt: skip


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
    unit = _axes_unit(cube, axes)
    everything = cube.moments()
    mask = mask if mask is not None else default_mask(cube, clean)
    masked = cube.moments(mask=mask)
    maps = {
        0: (everything.m0, f"moment 0 [{cube.unit} km/s]", "inferno"),
        1: (masked.m1, "moment 1 [km/s]", "RdBu_r"),
        2: (masked.m2, "moment 2 [km/s]", "viridis"),
    }
    extent = _extent(cube.observation, unit)
    fig = Figure(figsize=(5.2 * len(orders), 4.4), layout="constrained")
    panels = fig.subplots(1, len(orders), squeeze=False)[0]
    for ax, order in zip(panels, orders, strict=True):
        image, label, cmap = maps[order]
        kwargs: dict[str, Any] = {}
        limits = velocity_limits(cube, masked.m0, masked.m1, mask) if order == 1 else None
        if limits is not None:
            kwargs = {"vmin": limits[0], "vmax": limits[1]}
        if order == 0 and cube.noise_rms <= 0 and np.nanmax(image, initial=0.0) > 0:
            # A square-root stretch shows a Sersic disk's faint outskirts, not only its core;
            # a noisy map stays linear, so noise keeps its true contrast against the contours.
            kwargs = {"norm": PowerNorm(0.5, vmin=0.0)}
        shown = ax.imshow(image, origin="lower", extent=extent, cmap=cmap, **kwargs)
        fig.colorbar(shown, ax=ax, label=label)
        if order == 0 and cube.noise_rms > 0:
            ax.contour(image, levels=moment0_noise_levels(cube), colors="white",
                       linewidths=0.6, origin="lower", extent=extent)  # fmt: skip
        _draw_beam(ax, cube.observation, extent, unit)
        ax.set_xlabel(f"x offset [{unit}] (west →)")
        ax.set_ylabel(f"y offset [{unit}] (north ↑)")
        ax.set_title(label.split(" [")[0])
    return fig


def lensing_figure(lensed: Cube, truth: LensingTruth) -> Figure:
    """Return the lensed moment maps with the critical curves, and the source with caustics.

    Three panels in arcsec: the lensed moment 0 and moment 1 (the image plane) with the
    critical curves drawn over them, and the unlensed source's moment 0 (the source plane,
    on the same grid) with the caustics.
    """
    obs = lensed.observation
    extent = _extent(obs, "arcsec")
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
        drawn = ax.imshow(data, origin="lower", extent=extent, cmap=cmap, **kwargs)
        fig.colorbar(drawn, ax=ax)
        for k, curve in enumerate(curves):
            ax.plot(curve[:, 0], curve[:, 1], color="cyan", lw=0.8,
                    label=label if k == 0 else None)  # fmt: skip
        if curves:
            ax.legend(loc="upper right", fontsize="small")
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel("x offset [arcsec] (west →)")
        ax.set_ylabel("y offset [arcsec] (north ↑)")
        ax.set_title(title)
    return fig


def spectrum_figure(cube: Cube) -> Figure:
    """Return a figure of the integrated spectrum: flux density in Jy per channel.

    The cube summed over all pixels, divided by the beam area in pixels for a Jy/beam cube.
    """
    _validate.instance("cube", cube, Cube)
    spectrum = integrated_spectrum(cube.data)
    if cube.unit == "Jy/beam":
        assert cube.observation.beam is not None  # a Jy/beam cube has a beam
        spectrum = spectrum / cube.observation.beam.area_px
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.step(cube.velocities_kms, spectrum, where="mid", color="k")
    ax.set_xlabel("velocity [km/s]")
    ax.set_ylabel("flux density [Jy]")
    ax.set_title("integrated spectrum")
    return fig


MAX_PANELS = 400
"""Most channel maps one figure draws (a 20 x 20 grid)."""


def channel_map_figure(cube: Cube, n_panels: int = 9) -> Figure:
    """Return a grid of ``n_panels`` channel maps spread evenly over the emission's channels."""
    _validate.instance("cube", cube, Cube)
    n_panels = _validate.integer("n_panels", n_panels, low=1, high=MAX_PANELS)
    data = cube.data
    # Spread the panels over the channels that hold emission (the clean part of the
    # line: above 1% of the brightest channel, or 3 rms for a noisy cube).
    channel_peak = np.asarray(data).max(axis=(1, 2)) if data.size else np.zeros(1)
    floor = max(0.01 * float(channel_peak.max()), 3.0 * cube.noise_rms)
    lit = np.flatnonzero(channel_peak > floor)
    first, last = (int(lit[0]), int(lit[-1])) if lit.size else (0, data.shape[0] - 1)
    channels = np.unique(np.linspace(first, last, n_panels).round().astype(int))
    columns = int(np.ceil(np.sqrt(channels.size)))
    rows = int(np.ceil(channels.size / columns))
    fig = Figure(figsize=(3 * columns, 3 * rows), layout="constrained")
    panels = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    vmax = float(np.max(data)) if data.size else 1.0
    for ax in panels[channels.size :]:
        ax.set_axis_off()
    for ax, c in zip(panels, channels, strict=False):
        shown = ax.imshow(data[c], origin="lower", cmap="magma", vmin=0, vmax=vmax)
        ax.set_title(f"{cube.velocities_kms[c]:.0f} km/s", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(panels[: channels.size]), label=cube.unit, shrink=0.8)
    return fig


def pv_figure(
    cube: Cube,
    pa_deg: float,
    centre_xy: tuple[float, float] | None = None,
    axes: str | None = None,
) -> Figure:
    """Return a position-velocity diagram along ``pa_deg`` through ``centre_xy`` (pixels).

    The default centre is the field centre; offsets are positive toward the PA, in the
    ``axes`` unit (as for :func:`moment_figure`).
    """
    _validate.instance("cube", cube, Cube)
    pa_deg = _validate.real("pa_deg", pa_deg)
    if centre_xy is not None:
        centre_xy = _validate.real_sequence("centre_xy", centre_xy, 2)  # type: ignore[assignment]
    obs = cube.observation
    centre = obs.centre_px if centre_xy is None else centre_xy
    offsets, pv = position_velocity_slice(np.asarray(cube.data), pa_deg, centre)
    unit = _axes_unit(cube, axes)
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    shown = ax.pcolormesh(
        offsets * _pixel_scale(obs, unit), cube.velocities_kms, pv, cmap="magma", shading="nearest"
    )
    fig.colorbar(shown, ax=ax, label=cube.unit)
    ax.set_xlabel(f"offset along PA {pa_deg:.0f}° [{unit}]")
    ax.set_ylabel("velocity [km/s]")
    return fig
