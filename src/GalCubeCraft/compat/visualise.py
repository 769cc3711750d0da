"""The original's ``GalCubeCraft.compat.visualise`` functions over the package's plots.

Each takes the ``results`` list of :meth:`GalCubeCraft.generate_cubes` (``(cube,
params)`` pairs) and an index, and returns ``(fig, ax)`` as the original does; with
``save=True`` the figure goes to ``figures/<nz>x<ny>x<nx>/<name>.pdf`` (or the folder
``fname_save``).  ``slice_view`` is a matplotlib figure with a channel slider, where the
original opened a Tk window.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..plotting import moment_figure, spectrum_figure
from .observation import result_cube

__all__ = ["moment0", "moment1", "slice_view", "spectrum", "visualise_result"]

Results = list[tuple[np.ndarray, dict[str, Any]]]


def _result_cube(data: Results, idx: int) -> Any:
    if not isinstance(data, (list, tuple)) or not data:
        raise TypeError("data must be the non-empty list of (cube, params) from generate_cubes")
    _validate.integer("idx", idx, low=0, high=len(data) - 1)
    return result_cube(*data[idx])


def _finish(
    fig: Any, name: str, shape: tuple[int, ...], save: bool, fname_save: Any
) -> tuple[Any, Any]:
    """Save ``fig`` as ``<folder>/<name>.pdf`` when asked; return ``(fig, first axes)``."""
    if save:
        from .._support.atomic import atomic_path

        folder = (
            Path(fname_save)
            if fname_save is not None
            else Path("figures") / "x".join(str(s) for s in shape)
        )
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(folder / f"{name}.pdf") as temporary:
            fig.savefig(temporary, format="pdf")
    return fig, fig.axes[0]


def moment0(
    data: Results,
    idx: int,
    save: bool = False,
    fname_save: str | os.PathLike[str] | None = None,
    inline: bool = False,
) -> tuple[Any, Any]:
    """Plot the moment-0 map (integrated intensity) of cube ``idx``; return ``(fig, ax)``.

    ``inline`` is accepted for the original's notebooks and changes nothing: the figure
    is returned either way.
    """
    cube = _result_cube(data, idx)
    _validate.boolean("inline", inline)
    return _finish(moment_figure(cube, orders=(0,)), "moment0", cube.shape, save, fname_save)


def moment1(
    data: Results,
    idx: int,
    save: bool = False,
    fname_save: str | os.PathLike[str] | None = None,
) -> tuple[Any, Any]:
    """Plot the moment-1 map (mean velocity, masked to the emission) of cube ``idx``."""
    cube = _result_cube(data, idx)
    return _finish(moment_figure(cube, orders=(1,)), "moment1", cube.shape, save, fname_save)


def spectrum(
    data: Results,
    idx: int,
    save: bool = False,
    fname_save: str | os.PathLike[str] | None = None,
) -> tuple[Any, Any]:
    """Plot the spectrum (Jy per channel) of cube ``idx``, in the emission aperture.

    The whole field for a noiseless cube; the masked emission's footprint for a noisy
    one (:func:`GalCubeCraft.plotting.spectrum_figure`).
    """
    cube = _result_cube(data, idx)
    return _finish(spectrum_figure(cube), "spectrum", cube.shape, save, fname_save)


def slice_view(
    data: Results,
    idx: int = 0,
    channel: int | None = None,
    cmap: str = "viridis",
    parent: Any = None,
) -> tuple[Any, Any]:
    """Show one channel of cube ``idx`` with a slider that moves through the channels.

    Returns ``(fig, ax)``; the slider is ``fig.slider`` (keep the figure referenced so
    the slider stays live).  ``parent`` (the original's Tk container) is not used: the
    viewer is a plain matplotlib figure, shown by ``plt.show()`` on an interactive
    backend.
    """
    import matplotlib.pyplot as plt
    from matplotlib.widgets import Slider

    del parent  # the original's Tk parent: nothing to attach to here
    cube = _result_cube(data, idx)
    values = np.asarray(cube.data)
    n_chan = values.shape[0]
    start = (
        n_chan // 2
        if channel is None
        else _validate.integer("channel", channel, low=0, high=n_chan - 1)
    )
    velocities = cube.velocities_kms
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    fig.subplots_adjust(bottom=0.18)
    image = ax.imshow(values[start], origin="lower", cmap=cmap,
                      vmin=float(values.min()), vmax=float(values.max()))  # fmt: skip
    fig.colorbar(image, ax=ax, label=cube.unit)
    ax.set_title(f"channel {start}: v = {velocities[start]:.1f} km/s")
    slider_axes = fig.add_axes((0.15, 0.05, 0.65, 0.04))
    slider = Slider(slider_axes, "channel", 0, n_chan - 1, valinit=start, valstep=1)

    def show(value: float) -> None:
        c = int(value)
        image.set_data(values[c])
        ax.set_title(f"channel {c}: v = {velocities[c]:.1f} km/s")
        fig.canvas.draw_idle()

    slider.on_changed(show)
    fig.slider = slider  # type: ignore[attr-defined]
    return fig, ax


def visualise_result(
    data: list[tuple[np.ndarray, dict[str, Any]]],
    idx: int = 0,
    save: bool = False,
    fname_save: str | os.PathLike[str] | None = None,
    clean: np.ndarray | None = None,
) -> list[Path] | list[Any]:
    """Plot moment 0/1 maps and the spectrum of ``data[idx]`` (a ``(cube, params)`` pair).

    ``clean``, the noiseless twin of a noisy cube when known, sets the moment-1 mask and
    the spectrum's aperture.

    With ``save=True`` the figures go to ``figures/<nz>x<ny>x<nx>/`` (or the folder
    ``fname_save``) as ``cube_<idx+1>_moments.pdf`` and ``cube_<idx+1>_spectrum.pdf``, and
    their paths are returned.  Otherwise the figures are returned, and shown first when
    matplotlib has an interactive backend.
    """
    if not 0 <= idx < len(data):
        raise ValueError(f"idx must lie in [0, {len(data) - 1}]; got {idx!r}")
    cube = result_cube(*data[idx])
    clean_cube = None if clean is None else cube.with_data(clean, kind="observed", noise_rms=0.0)
    figures = {"moments": moment_figure(cube, clean=clean_cube),
               "spectrum": spectrum_figure(cube, clean=clean_cube)}  # fmt: skip
    if not save:
        import matplotlib
        import matplotlib.pyplot as plt

        if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
            for fig in figures.values():
                manager = plt.figure().canvas.manager
                if manager is not None:
                    manager.canvas.figure = fig
                    fig.set_canvas(manager.canvas)
            plt.show()
        return list(figures.values())
    shape = "x".join(str(s) for s in cube.shape)
    folder = Path(fname_save) if fname_save is not None else Path("figures") / shape
    folder.mkdir(parents=True, exist_ok=True)
    from .._support.atomic import atomic_path

    paths = []
    for name, fig in figures.items():
        path = folder / f"cube_{idx + 1}_{name}.pdf"
        with atomic_path(path) as temporary:
            fig.savefig(temporary, format="pdf")
        paths.append(path)
    return paths
