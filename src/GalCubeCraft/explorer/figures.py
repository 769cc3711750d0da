"""The page's Bokeh figures: channel map, spectrum, moments 0-2, PV diagrams, overlays.

:class:`Views` makes the figures once and then only replaces their data sources, so a
redraw sends arrays, not new figures.  Every figure keeps Bokeh's save tool (a PNG made in
the browser, offline).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, Div, LinearColorMapper
from bokeh.palettes import RdBu11, Viridis256
from bokeh.plotting import figure

from .shown import Shown, overlays

TOOLS = "pan,wheel_zoom,box_zoom,reset,save,tap"
OVERLAY_STYLE = {
    "centre": {"color": "white", "size": 9, "marker": "cross"},
    "axis": {"color": "white", "line_dash": "dashed", "line_width": 1.5},
    "ellipse": {"color": "orange", "line_width": 1.5},
    "beam": {"color": "white", "line_width": 1.5},
}


def _image_figure(title: str, palette: Any, name: str) -> tuple[Any, ColumnDataSource, Any]:
    """Return a square image figure, its source and colour mapper."""
    fig = figure(
        title=title,
        tools=TOOLS,
        width=330,
        height=300,
        match_aspect=True,
        name=name,
        x_axis_label="x [px]",
        y_axis_label="y [px]",
    )
    mapper = LinearColorMapper(palette=palette, nan_color="#d9d9d9")
    source = ColumnDataSource(
        {"image": [np.zeros((2, 2))], "x": [-0.5], "y": [-0.5], "dw": [2], "dh": [2]}
    )
    fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=source, color_mapper=mapper)
    fig.add_layout(ColorBar(color_mapper=mapper, width=8), "right")
    fig.grid.visible = False
    return fig, source, mapper


class Views:
    """The figures and their sources; :meth:`show` puts a :class:`Shown` on them."""

    def __init__(self) -> None:
        self.shown: Shown | None = None
        self.moments: Any = None
        self.channel = 0
        self.pixel = (0, 0)
        self.pv_pa_deg = 0.0
        self.channel_fig, self.channel_src, self.channel_map = _image_figure(
            "Channel map", Viridis256, "channel_map"
        )
        self.moment_figs = []
        self.moment_srcs = []
        self.moment_maps = []
        # RdBu11 runs blue to red: approaching blue, receding red, as astronomers draw them.
        for k, palette in enumerate((Viridis256, RdBu11, Viridis256)):
            fig, src, mapper = _image_figure(f"Moment {k}", palette, f"moment{k}")
            self.moment_figs.append(fig)
            self.moment_srcs.append(src)
            self.moment_maps.append(mapper)
        self.overlay_srcs: list[dict[str, ColumnDataSource]] = []
        for fig in (self.channel_fig, *self.moment_figs):
            self.overlay_srcs.append(self._add_overlays(fig))
        self.pixel_src = ColumnDataSource({"x": [0], "y": [0]})
        self.channel_fig.scatter(
            "x",
            "y",
            source=self.pixel_src,
            marker="circle_x",
            size=12,
            fill_alpha=0,
            line_color="red",
            line_width=2,
        )
        self.spectrum_fig = figure(
            title="Spectrum",
            tools="pan,wheel_zoom,box_zoom,reset,save",
            width=400,
            height=300,
            name="spectrum",
            x_axis_label="v [km/s]",
            y_axis_label="I",
        )
        self.noisy_src = ColumnDataSource({"v": [], "I": []})
        self.clean_src = ColumnDataSource({"v": [], "I": []})
        self.spectrum_fig.step(
            "v", "I", source=self.noisy_src, mode="center", color="gray", legend_label="observed"
        )
        self.spectrum_fig.line(
            "v", "I", source=self.clean_src, color="crimson", line_width=2, legend_label="noiseless"
        )
        self.pv_figs, self.pv_srcs, self.pv_maps = [], [], []
        for which in ("major", "minor"):
            fig = figure(
                title=f"PV, {which} axis",
                tools="pan,wheel_zoom,box_zoom,reset,save",
                width=400,
                height=300,
                name=f"pv_{which}",
                x_axis_label="offset [px]",
                y_axis_label="v [km/s]",
            )
            mapper = LinearColorMapper(palette=Viridis256)
            src = ColumnDataSource(
                {"image": [np.zeros((2, 2))], "x": [0.0], "y": [0.0], "dw": [1.0], "dh": [1.0]}
            )
            fig.image(
                image="image", x="x", y="y", dw="dw", dh="dh", source=src, color_mapper=mapper
            )
            fig.grid.visible = False
            self.pv_figs.append(fig)
            self.pv_srcs.append(src)
            self.pv_maps.append(mapper)
        self.readout = Div(text="", name="readout")
        self.notes: dict[str, str] = {}

    def note(self, key: str, text: str) -> None:
        """Set one part of the readout (``<span id="gcc-KEY">``): the text the page shows."""
        self.notes[key] = text
        self.readout.text = " · ".join(
            f"<span id='gcc-{k}'>{v}</span>" for k, v in self.notes.items()
        )

    @staticmethod
    def _add_overlays(fig: Any) -> dict[str, ColumnDataSource]:
        sources = {name: ColumnDataSource({"x": [], "y": []}) for name in OVERLAY_STYLE}
        fig.scatter("x", "y", source=sources["centre"], **OVERLAY_STYLE["centre"])
        for name in ("axis", "ellipse", "beam"):
            fig.line("x", "y", source=sources[name], **OVERLAY_STYLE[name])
        return sources

    # --- updates ----------------------------------------------------------------------------

    def show(self, shown: Shown, pv_pa_deg: float | None = None) -> None:
        """Put ``shown`` on every figure (the channel and pixel kept where they fit)."""
        self.shown = shown
        obs = shown.cube.observation
        self.channel = min(self.channel, obs.spectral.n_chan - 1)
        cx, cy = shown.centre_px
        if not (0 <= self.pixel[0] < obs.nx and 0 <= self.pixel[1] < obs.ny) or self.pixel == (
            0,
            0,
        ):
            self.pixel = (int(round(cx)), int(round(cy)))
        self.moments = shown.moment_maps
        placed = {"x": [-0.5], "y": [-0.5], "dw": [obs.nx], "dh": [obs.ny]}
        for k, (src, mapper) in enumerate(zip(self.moment_srcs, self.moment_maps, strict=True)):
            image = np.asarray(getattr(self.moments, f"m{k}"), dtype=np.float32)
            src.data = {"image": [image], **placed}
            _limits(mapper, image, symmetric=k == 1)
        shapes = overlays(shown)
        for sources in self.overlay_srcs:
            for name, src in sources.items():
                src.data = shapes[name]
        self.channel_src.data = {
            "image": [np.asarray(shown.cube.data[self.channel], np.float32)],
            **placed,
        }
        _limits(self.channel_map, np.asarray(shown.cube.data))
        self.set_channel(self.channel)
        self.set_pixel(*self.pixel)
        self.set_pv(shown.kinematic_pa_deg if pv_pa_deg is None else pv_pa_deg)

    def set_channel(self, channel: int) -> None:
        """Show channel ``channel`` in the channel map."""
        if self.shown is None:
            return
        cube = self.shown.cube
        self.channel = min(max(int(channel), 0), cube.observation.spectral.n_chan - 1)
        data = dict(self.channel_src.data)
        data["image"] = [np.asarray(cube.data[self.channel], dtype=np.float32)]
        self.channel_src.data = data
        v = float(cube.velocities_kms[self.channel])
        self.channel_fig.title.text = f"Channel {self.channel}: v = {v:.1f} km/s"
        self.note("channel", self.channel_fig.title.text)

    def set_pixel(self, x: float, y: float) -> None:
        """Show the spectra at pixel ``(x, y)`` (rounded, clipped into the grid)."""
        if self.shown is None:
            return
        obs = self.shown.cube.observation
        x = min(max(int(round(x)), 0), obs.nx - 1)
        y = min(max(int(round(y)), 0), obs.ny - 1)
        self.pixel = (x, y)
        noisy, clean = self.shown.spectra(x, y)
        v = self.shown.cube.velocities_kms.tolist()
        self.noisy_src.data = {"v": v, "I": noisy.tolist()}
        self.clean_src.data = {"v": v, "I": [] if clean is None else clean.tolist()}
        if clean is None:
            self.clean_src.data = {"v": [], "I": []}
        self.pixel_src.data = {"x": [x], "y": [y]}
        self.spectrum_fig.title.text = f"Spectrum at pixel ({x}, {y})"
        self.note("pixel", self.spectrum_fig.title.text)
        self.spectrum_fig.yaxis.axis_label = f"I [{self.shown.cube.unit}]"

    def set_pv(self, pa_deg: float) -> None:
        """Show PV diagrams along ``pa_deg`` (major) and ``pa_deg + 90`` (minor)."""
        if self.shown is None:
            return
        self.pv_pa_deg = float(pa_deg)
        v = self.shown.cube.velocities_kms
        dv = float(v[1] - v[0]) if v.size > 1 else 1.0
        for k, (fig, src, mapper) in enumerate(
            zip(self.pv_figs, self.pv_srcs, self.pv_maps, strict=True)
        ):
            angle = self.pv_pa_deg + 90.0 * k
            offsets, pv = self.shown.pv(angle)
            # Rows are channels: the image's x is the offset, its y the velocity.
            src.data = {
                "image": [pv.astype(np.float32)],
                "x": [float(offsets[0]) - 0.5],
                "y": [float(v[0]) - 0.5 * dv],
                "dw": [float(offsets.size)],
                "dh": [float(v.size) * dv],
            }
            _limits(mapper, pv)
            fig.title.text = f"PV, {'major' if k == 0 else 'minor'} axis (PA {angle % 360:.0f}°)"
        major, minor = self.pv_pa_deg % 360.0, (self.pv_pa_deg + 90.0) % 360.0
        self.note("pv", f"PV slits at PA {major:.0f}° and {minor:.0f}°")

    def figures(self) -> list[Any]:
        """Return every figure, in page order."""
        return [self.channel_fig, self.spectrum_fig, *self.moment_figs, *self.pv_figs]


def _limits(mapper: Any, image: np.ndarray, symmetric: bool = False) -> None:
    """Set a colour mapper's range to the image's finite values (symmetric about 0 for m1)."""
    finite = image[np.isfinite(image)]
    if finite.size == 0:
        mapper.low, mapper.high = 0.0, 1.0
        return
    low, high = float(finite.min()), float(finite.max())
    if symmetric:
        reach = max(abs(low), abs(high), 1e-9)
        low, high = -reach, reach
    if not high > low:
        high = low + (abs(low) if low else 1.0) * 1e-6 + 1e-30
    if not math.isfinite(high - low):
        low, high = 0.0, 1.0
    mapper.low, mapper.high = low, high
