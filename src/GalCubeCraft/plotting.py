"""Figures of a cube: moment maps with the beam, spectra, channel maps, PV diagrams.

The only module that imports matplotlib.  Figures are built with
``matplotlib.figure.Figure`` (no pyplot state), so saving works headless and no GUI
backend is forced on a user who has one; :func:`visualise_result` shows figures through
pyplot only when asked not to save.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from .moments import integrated_spectrum, moments, position_velocity_slice
from .observation import Beam


def _extent(
    shape: tuple[int, int], pixel_scale: float | None, pixel_unit: str = "kpc"
) -> tuple[list[float], str]:
    ny, nx = shape
    if pixel_scale is None:
        return [-0.5, nx - 0.5, -0.5, ny - 0.5], "pixel"
    hx, hy = 0.5 * nx * pixel_scale, 0.5 * ny * pixel_scale
    return [-hx, hx, -hy, hy], pixel_unit


def _draw_beam(ax: Any, beam: Beam | None, extent: list[float], pixel_scale: float | None) -> None:
    if beam is None:
        return
    scale = 1.0 if pixel_scale is None else pixel_scale
    x0 = extent[0] + 0.1 * (extent[1] - extent[0])
    y0 = extent[2] + 0.1 * (extent[3] - extent[2])
    # matplotlib's angle is counter-clockwise from +x; a BPA of 0 (north) is +y.
    ax.add_patch(
        Ellipse(
            (x0, y0),
            width=beam.bmin_px * scale,
            height=beam.bmaj_px * scale,
            angle=beam.bpa_deg,
            facecolor="none",
            edgecolor="white",
            lw=1.5,
        )
    )


def moment_figure(
    cube: np.ndarray,
    velocities_kms: np.ndarray,
    beam: Beam | None = None,
    pixel_scale: float | None = None,
    unit: str = "Jy/beam",
    mask: np.ndarray | None = None,
    orders: tuple[int, ...] = (0, 1),
    pixel_unit: str = "kpc",
) -> Figure:
    """Return a figure of moment maps (``orders`` from 0, 1, 2) with colour bars and beam.

    ``pixel_scale`` (in ``pixel_unit``, e.g. 'kpc' or 'arcsec') labels the axes in
    physical units; without it they are in pixels.  ``mask`` (e.g. ``clean > 0.05 *
    clean.max()``, or a clip of the noisy cube) keeps noise out of moments 1 and 2.
    """
    m = moments(cube, velocities_kms, mask=mask)
    maps = {
        0: (m.m0, f"moment 0 [{unit} km/s]", "inferno"),
        1: (m.m1, "moment 1 [km/s]", "RdBu_r"),
        2: (m.m2, "moment 2 [km/s]", "viridis"),
    }
    extent, axis_unit = _extent(cube.shape[1:], pixel_scale, pixel_unit)
    fig = Figure(figsize=(5.2 * len(orders), 4.4), layout="constrained")
    axes = fig.subplots(1, len(orders), squeeze=False)[0]
    for ax, order in zip(axes, orders, strict=True):
        image, label, cmap = maps[order]
        kwargs: dict[str, Any] = {}
        if order == 1 and np.isfinite(image).any():
            lim = float(np.nanmax(np.abs(image)))
            kwargs = {"vmin": -lim, "vmax": lim}
        shown = ax.imshow(image, origin="lower", extent=extent, cmap=cmap, **kwargs)
        fig.colorbar(shown, ax=ax, label=label)
        _draw_beam(ax, beam, extent, pixel_scale)
        ax.set_xlabel(f"x [{axis_unit}] (west →)")
        ax.set_ylabel(f"y [{axis_unit}] (north ↑)")
        ax.set_title(label.split(" [")[0])
    fig.moment_maps = m  # type: ignore[attr-defined]  # what the figure encodes, for tests
    return fig


def spectrum_figure(cube: np.ndarray, velocities_kms: np.ndarray, unit: str = "Jy/beam") -> Figure:
    """Return a figure of the spectrum summed over all pixels."""
    spectrum = integrated_spectrum(cube)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.step(velocities_kms, spectrum, where="mid", color="k")
    ax.set_xlabel("velocity [km/s]")
    ax.set_ylabel(f"summed intensity [{unit}]")
    ax.set_title("integrated spectrum")
    fig.spectrum = spectrum  # type: ignore[attr-defined]
    return fig


def channel_map_figure(
    cube: np.ndarray, velocities_kms: np.ndarray, n_panels: int = 9, unit: str = "Jy/beam"
) -> Figure:
    """Return a grid of ``n_panels`` channel maps spread evenly over the band."""
    channels = np.unique(np.linspace(0, cube.shape[0] - 1, n_panels).round().astype(int))
    columns = int(np.ceil(np.sqrt(channels.size)))
    rows = int(np.ceil(channels.size / columns))
    fig = Figure(figsize=(3 * columns, 3 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    vmax = float(cube.max()) if cube.size else 1.0
    for ax in axes[channels.size :]:
        ax.set_axis_off()
    for ax, c in zip(axes, channels, strict=False):
        shown = ax.imshow(cube[c], origin="lower", cmap="magma", vmin=0, vmax=vmax)
        ax.set_title(f"{velocities_kms[c]:.0f} km/s", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(axes[: channels.size]), label=unit, shrink=0.8)
    fig.channels = channels  # type: ignore[attr-defined]
    return fig


def pv_figure(
    cube: np.ndarray,
    velocities_kms: np.ndarray,
    pa_deg: float,
    centre_xy: tuple[float, float] | None = None,
    unit: str = "Jy/beam",
) -> Figure:
    """Return a position-velocity diagram along ``pa_deg`` through ``centre_xy``."""
    if centre_xy is None:
        centre_xy = (0.5 * (cube.shape[2] - 1), 0.5 * (cube.shape[1] - 1))
    offsets, pv = position_velocity_slice(cube, pa_deg, centre_xy)
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    shown = ax.pcolormesh(offsets, velocities_kms, pv, cmap="magma", shading="nearest")
    fig.colorbar(shown, ax=ax, label=unit)
    ax.set_xlabel(f"offset along PA {pa_deg:.0f}° [pixel]")
    ax.set_ylabel("velocity [km/s]")
    fig.pv = (offsets, pv)  # type: ignore[attr-defined]
    return fig


def read_fits_cube(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a FITS cube for plotting: data, channel velocities (km/s), beam, pixel scale.

    Works on the files :func:`GalCubeCraft.io.fits.write_fits` writes and on any cube
    with a linear VRAD/VOPT/VELO axis; velocities come from the header's WCS.
    """
    from astropy.io import fits
    from astropy.wcs import WCS

    with fits.open(path) as hdul:
        header = hdul[0].header
        data = np.asarray(hdul[0].data, dtype=np.float64)
    if data.ndim != 3:
        raise ValueError(f"{path}: expected a 3-D cube; got shape {data.shape}")
    wcs = WCS(header)
    channels = np.arange(data.shape[0])
    velocities = wcs.spectral.pixel_to_world_values(channels)
    unit = str(header.get("CUNIT3", "m/s")).strip().lower()
    velocities = np.asarray(velocities) / (1e3 if unit in ("m/s", "m s-1") else 1.0)
    pixel_arcsec = abs(float(header["CDELT2"])) * 3600.0 if "CDELT2" in header else None
    beam = None
    if "BMAJ" in header and pixel_arcsec:
        beam = Beam(bmaj_px=header["BMAJ"] * 3600.0 / pixel_arcsec,
                    bmin_px=header["BMIN"] * 3600.0 / pixel_arcsec,
                    bpa_deg=float(header.get("BPA", 0.0)))  # fmt: skip
    return {"data": data, "velocities_kms": velocities, "beam": beam,
            "pixel_arcsec": pixel_arcsec, "unit": str(header.get("BUNIT", ""))}  # fmt: skip


def visualise_result(
    data: list[tuple[np.ndarray, dict[str, Any]]],
    idx: int = 0,
    save: bool = False,
    fname_save: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Plot moment 0/1 maps and the spectrum of ``data[idx]`` (a ``(cube, params)`` pair).

    With ``save=True`` the figures go to ``figures/<nz>x<ny>x<nx>/`` (or the folder
    ``fname_save``) as ``cube_<idx+1>_moments.pdf`` and ``cube_<idx+1>_spectrum.pdf``.
    """
    if not 0 <= idx < len(data):
        raise ValueError(f"idx must lie in [0, {len(data) - 1}]; got {idx!r}")
    cube, params = data[idx]
    velocities = np.asarray(params["average_vels"])
    bmin, bmaj, bpa = params.get("beam_info", (None, None, 0.0))
    beam = Beam(bmaj_px=bmaj, bmin_px=bmin, bpa_deg=bpa) if bmin else None
    unit = params.get("bunit", "Jy/beam")
    figures = {
        "moments": moment_figure(cube, velocities, beam, params.get("pix_spatial_scale"), unit),
        "spectrum": spectrum_figure(cube, velocities, unit),
    }
    if not save:
        import matplotlib.pyplot as plt

        for fig in figures.values():
            manager = plt.figure().canvas.manager
            if manager is not None:
                manager.canvas.figure = fig
                fig.set_canvas(manager.canvas)
        plt.show()
        return []
    shape = "x".join(str(s) for s in cube.shape)
    folder = Path(fname_save) if fname_save is not None else Path("figures") / shape
    folder.mkdir(parents=True, exist_ok=True)
    from .io.atomic import atomic_path

    paths = []
    for name, fig in figures.items():
        path = folder / f"cube_{idx + 1}_{name}.pdf"
        with atomic_path(path) as temporary:
            fig.savefig(temporary, format="pdf")
        paths.append(path)
    return paths
