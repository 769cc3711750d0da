"""The explorer's page: controls, linked views, live re-rendering, exports, dataset browsing.

A change of a control asks :class:`LiveRender` for a new cube; the cube is made on a
worker thread, so the page stays responsive, and a change made while a render runs
supersedes it: each request takes the next generation number, at most one render runs,
only the newest waiting request starts after it, and a result whose generation is no
longer the newest is dropped.  Results reach the figures on the document's own event
loop (``add_next_tick_callback``), the one place Bokeh models may change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import panel as pn
from bokeh.events import Tap

from ..factory import make_indexed_cube
from ..priors.spec import DatasetSpec
from .export import fits_bytes, npy_zip_bytes, png_bytes, toml_text
from .figures import Views
from .shown import Shown, from_indexed
from .state import CONTROLS, Control, controls_summary, spec_from_controls
from .store_browser import StoreBrowser

Rendered = tuple[DatasetSpec, Shown, float]


def render_controls(values: dict[str, Any]) -> Rendered:
    """Make item 0 of the controls' spec; return the spec, what to show and the seconds taken."""
    start = time.perf_counter()
    spec = spec_from_controls(values)
    shown = from_indexed(make_indexed_cube(spec, 0), title=controls_summary(values)).prepare()
    return spec, shown, time.perf_counter() - start


class LiveRender:
    """Renders on one worker thread; a newer request supersedes a running one.

    ``apply(generation, result)`` runs on the document's loop for the newest result only;
    ``fail(generation, error)`` for a request whose render raised.
    """

    def __init__(
        self,
        work: Callable[[Any], Any],
        apply: Callable[[int, Any], None],
        fail: Callable[[int, BaseException], None],
        doc: Any = None,
    ) -> None:
        self.work, self.apply, self.fail, self.doc = work, apply, fail, doc
        self.generation = 0
        self.running = False
        self.pending: tuple[int, Any] | None = None
        self.dropped = 0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="explorer-render")

    def request(self, payload: Any) -> int:
        """Ask for a render of ``payload``; return its generation number."""
        self.generation += 1
        self.pending = (self.generation, payload)
        if not self.running:
            self._start()
        return self.generation

    def _start(self) -> None:
        assert self.pending is not None
        generation, payload = self.pending
        self.pending = None
        self.running = True
        future = self.executor.submit(self.work, payload)
        future.add_done_callback(partial(self._hand_over, generation))

    def _hand_over(self, generation: int, future: Future[Any]) -> None:
        """Run on the worker: pass the finished render to the document's loop."""
        if self.doc is None:
            self._finish(generation, future)
        else:
            self.doc.add_next_tick_callback(partial(self._finish, generation, future))

    def _finish(self, generation: int, future: Future[Any]) -> None:
        self.running = False
        if self.pending is not None:  # a newer change arrived: start it, drop this one
            self.dropped += 1
            self._start()
            return
        if generation != self.generation:
            self.dropped += 1
            return
        error = future.exception()
        if error is not None:
            self.fail(generation, error)
        else:
            self.apply(generation, future.result())


def _widget(control: Control) -> Any:
    """Return the Panel widget of a control (its label carries the unit)."""
    common = {
        "label": control.label,
        "value": control.default,
        "sizing_mode": "stretch_width",
        "css_classes": [f"gcc-{control.name}"],
    }  # the tests find widgets by it
    if control.kind == "choice":
        return pn.widgets.Select(options=list(control.choices), **common)
    if control.kind == "bool":
        return pn.widgets.Checkbox(**common)
    if control.name == "seed":
        return pn.widgets.IntInput(start=int(control.low), end=int(control.high), **common)
    slider = pn.widgets.IntSlider if control.kind == "int" else pn.widgets.FloatSlider
    return slider(start=control.low, end=control.high, step=control.step, **common)


def _has_finufft() -> bool:
    try:
        import finufft  # noqa: F401
    except ImportError:
        return False
    return True


class ExplorerApp:
    """One browser session's page (a fresh one per session: :func:`build_page`)."""

    def __init__(self, store: str | None = None) -> None:
        self.views = Views()
        self.widgets = {c.name: _widget(c) for c in CONTROLS}
        self.spec: DatasetSpec | None = None
        self.shown: Shown | None = None
        self.status = pn.pane.HTML("starting…", name="status", sizing_mode="stretch_width")
        self.channel = pn.widgets.IntSlider(
            label="Channel", start=0, end=1, value=0, css_classes=["gcc-channel"]
        )
        self.pv_angle = pn.widgets.FloatSlider(
            label="PV angle [deg, N through E]", start=0.0, end=359.0, step=1.0, value=0.0
        )
        self.pv_follow = pn.widgets.Checkbox(label="PV along the kinematic major axis", value=True)
        self.table = pn.pane.HTML("", name="parameters", sizing_mode="stretch_width")
        self.doc = pn.state.curdoc
        self.live = LiveRender(render_controls, self._apply, self._fail, self.doc)
        self.browser = StoreBrowser(
            lambda shown: self._soon(partial(self._show, shown)), self._say, store
        )
        self._wire()

    # --- wiring -----------------------------------------------------------------------------

    def _wire(self) -> None:
        for widget in self.widgets.values():
            # Sliders re-render when released (value_throttled); menus and boxes at once.
            event = "value_throttled" if "value_throttled" in widget.param else "value"
            widget.param.watch(lambda _e: self.request(), event)
        self.channel.param.watch(
            lambda e: self._soon(partial(self.views.set_channel, e.new)), "value"
        )
        self.pv_angle.param.watch(lambda e: self._soon(self._pv), "value")
        self.pv_follow.param.watch(lambda e: self._soon(self._pv), "value")
        for fig in (self.views.channel_fig, *self.views.moment_figs):
            fig.on_event(Tap, self._tap)

    def _soon(self, change: Callable[[], None]) -> None:
        """Run ``change`` of the Bokeh figures where the document is locked (its next tick).

        Panel runs widget callbacks outside the document's lock; Bokeh models may change
        only inside it.
        """
        if self.doc is None:
            change()
        else:
            self.doc.add_next_tick_callback(change)

    def values(self) -> dict[str, Any]:
        """Return the controls' current values."""
        return {name: widget.value for name, widget in self.widgets.items()}

    def request(self) -> int:
        """Ask for a render of the controls' current values."""
        self._say(f"rendering {controls_summary(self.values())}…")
        return self.live.request(self.values())

    def _tap(self, event: Any) -> None:
        self.views.set_pixel(event.x, event.y)

    def _pv(self) -> None:
        if self.views.shown is None:
            return
        follow = self.pv_follow.value
        self.pv_angle.disabled = follow
        self.views.set_pv(self.views.shown.kinematic_pa_deg if follow else self.pv_angle.value)

    def _say(self, text: str) -> None:
        self.status.object = f"<span id='gcc-status'>{text}</span>"

    def _fail(self, generation: int, error: BaseException) -> None:
        self._say(f"<b>not rendered</b> (#{generation}): {type(error).__name__}: {error}")

    def _apply(self, generation: int, result: Rendered) -> None:
        spec, shown, seconds = result
        self.spec = spec
        with pn.io.hold():  # one message to the browser for every changed model
            self._show(shown)
            self._say(f"render #{generation}: {shown.title}; {1e3 * seconds:.0f} ms")

    def _show(self, shown: Shown) -> None:
        """Put ``shown`` on the views, the channel slider and the parameter table."""
        self.shown = shown
        n_chan = shown.cube.observation.spectral.n_chan
        self.channel.end = max(n_chan - 1, 1)
        if self.channel.value > n_chan - 1 or self.views.shown is None:
            self.channel.value = n_chan // 2
        self.views.channel = self.channel.value
        follow = self.pv_follow.value
        self.views.show(shown, None if follow else self.pv_angle.value)
        if follow:
            self.pv_angle.value = round(shown.kinematic_pa_deg % 360.0)
        self.table.object = _table_html(shown)

    # --- exports ----------------------------------------------------------------------------

    def _download(self, label: str, filename: str, make: Callable[[], bytes]) -> Any:
        def callback() -> Any:
            import io

            if self.shown is None:
                raise ValueError("nothing is shown yet")
            return io.BytesIO(make())

        return pn.widgets.FileDownload(
            callback=callback, filename=filename, label=label, color="primary", embed=False
        )

    def exports(self) -> Any:
        """Return the export buttons."""
        assert_shown = self._shown_or_fail
        return pn.Row(
            self._download("FITS", "galcubecraft_cube.fits", lambda: fits_bytes(assert_shown())),
            self._download(
                "npy + sidecar",
                "galcubecraft_cube.zip",
                lambda: npy_zip_bytes(assert_shown(), self.spec),
            ),
            self._download(
                "PNG",
                "galcubecraft_views.png",
                lambda: png_bytes(assert_shown(), self.views.pv_pa_deg),
            ),
            self._download(
                "Spec (TOML)",
                "galcubecraft_spec.toml",
                lambda: toml_text(self._spec_or_fail()).encode(),
            ),
        )

    def _shown_or_fail(self) -> Shown:
        if self.shown is None:
            raise ValueError("nothing is shown yet")
        return self.shown

    def _spec_or_fail(self) -> DatasetSpec:
        if self.spec is None:
            raise ValueError("no cube has been rendered from the controls yet")
        return self.spec

    # --- layout -----------------------------------------------------------------------------

    def page(self) -> Any:
        """Return the page's layout."""
        cards: dict[str, list[Any]] = {}
        for c in CONTROLS:
            if c.panel == "Interferometer" and not _has_finufft():
                continue
            cards.setdefault(c.panel, []).append(self.widgets[c.name])
        sidebar = [
            pn.Card(
                *ws,
                title=title,
                collapsed=title not in ("Cube", "Galaxy"),
                sizing_mode="stretch_width",
            )
            for title, ws in cards.items()
        ]
        sidebar.append(
            pn.Card(
                *self.browser.widgets(),
                title="Browse a dataset",
                collapsed=True,
                sizing_mode="stretch_width",
            )
        )
        v = self.views
        views = pn.Column(
            self.status,
            pn.pane.Bokeh(v.readout),
            pn.Row(self.channel, self.pv_follow, self.pv_angle),
            pn.Row(pn.pane.Bokeh(v.channel_fig), pn.pane.Bokeh(v.spectrum_fig)),
            pn.Row(*(pn.pane.Bokeh(f) for f in v.moment_figs)),
            pn.Row(*(pn.pane.Bokeh(f) for f in v.pv_figs)),
            self.exports(),
            pn.pane.Markdown("### Drawn parameters"),
            self.table,
        )
        return pn.Row(pn.Column(*sidebar, width=340, scroll=True, height=1100), views)


def _table_html(shown: Shown) -> str:
    """Return the drawn parameters as an HTML table (per-cube values first)."""
    head = "; ".join(f"{k} = {v:.6g}" for k, v in shown.items.items())
    rows = shown.parameter_rows()
    if not rows:
        return f"<p id='gcc-items'>{head}</p><table id='gcc-params'></table>"
    columns = list(rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{r.get(c, '')}</td>" for c in columns) + "</tr>" for r in rows
    )
    header = "".join(f"<th>{c}</th>" for c in columns)
    return (
        f"<p id='gcc-items'>{head}</p><table id='gcc-params' style='font-size:12px'>"
        f"<tr>{header}</tr>{body}</table>"
    )


def build_page(store: str | None = None) -> Any:
    """Return a new page (one per browser session) and start its first render."""
    app = ExplorerApp(store)
    layout = app.page()
    app.request()
    return layout
