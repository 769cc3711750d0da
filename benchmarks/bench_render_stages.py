"""Where a sky-sampled render spends its time, stage by stage.

Run:  python benchmarks/bench_render_stages.py [--repeats N]

The stages of :func:`GalCubeCraft.render` for the scenes of ``bench_render.py``, one core:

- ``sight lines``: the compiled line-of-sight quadrature (``los_samples``);
- ``velocities``: the rest of each set of sight lines (``sampling._sight_lines``): the
  rotation curve v(R), the line-of-sight velocities and each sight line's sums;
- ``bookkeeping``: the rest of the sky sampler (``sample_sky``): the one-point test,
  the refinement's error estimates, selecting and gathering the kept samples;
- ``deposit``: the samples onto the fine velocity grid, the channel response, the cube;
- ``other``: the rest of ``render`` (checks, the cube's allocation, the final clamp).

Each stage is timed by a wrapper around its function, installed in this process only
(tens of calls per cube: microseconds).  Every figure is the least over ``--repeats``
renders (the stages of that fastest render), in milliseconds: on a shared machine the
least is the least disturbed.  ``--clock cpu`` counts the process's CPU time instead of
the wall clock (the same on a quiet machine, as everything runs in one thread; on a
loaded one it leaves out the waits for a core).  The render alone is timed, without
``observe``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

from bench_render import scene  # noqa: E402

from GalCubeCraft import RenderSettings, SpectralAxis, render  # noqa: E402
from GalCubeCraft.renderer import render as render_module  # noqa: E402
from GalCubeCraft.renderer import sampling  # noqa: E402

STAGES = ("sight lines", "velocities", "bookkeeping", "deposit", "other", "total")
_spent: dict[str, float] = {}
_clock = time.perf_counter


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``function`` adding the seconds each call takes to ``_spent[name]``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = _clock()
        try:
            return function(*args, **kwargs)
        finally:
            _spent[name] = _spent.get(name, 0.0) + _clock() - start

    return wrapper


def _timed_generator(name: str, function: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
    """Return ``function`` (a generator) adding the seconds spent inside it to ``_spent``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        items = function(*args, **kwargs)
        while True:
            start = _clock()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                _spent[name] = _spent.get(name, 0.0) + _clock() - start
            yield item

    return wrapper


def install_timers() -> None:
    """Wrap the stages' functions where the renderer looks them up."""
    sampling.los_samples = _timed("los", sampling.los_samples)  # type: ignore[attr-defined]
    sampling._sight_lines = _timed("lines", sampling._sight_lines)  # type: ignore[attr-defined]
    render_module.sample_sky = _timed_generator("sky", render_module.sample_sky)  # type: ignore[attr-defined]
    render_module.deposit_spectra = _timed("deposit", render_module.deposit_spectra)  # type: ignore[attr-defined]


def stages(n_gals: int, grid: int, n_chan: int, settings: RenderSettings, repeats: int) -> dict:
    """Return the stages (ms) of the fastest of ``repeats`` renders of the scene."""
    galaxies, obs = scene(n_gals, grid)
    obs = obs.replace(spectral=SpectralAxis(n_chan, -600, 600))
    render(galaxies, obs, settings)  # compile or load the kernels
    best: dict[str, float] = {}
    for _ in range(repeats):
        _spent.clear()
        start = _clock()
        render(galaxies, obs, settings)
        total = _clock() - start
        if best and total >= best["total"]:
            continue
        spent = {key: _spent.get(key, 0.0) for key in ("los", "lines", "sky", "deposit")}
        best = {
            "sight lines": spent["los"],
            "velocities": spent["lines"] - spent["los"],
            "bookkeeping": spent["sky"] - spent["lines"],
            "deposit": spent["deposit"],
            "other": total - spent["sky"] - spent["deposit"],
            "total": total,
        }
    return {key: 1e3 * value for key, value in best.items()}


CASES = (
    ("40x125^2, 1 galaxy", 1, 125, 40),
    ("128x256^2, 1 galaxy", 1, 256, 128),
    ("40x64^2, 1 galaxy", 1, 64, 40),
    ("40x64^2, 2 galaxies", 2, 64, 40),
    ("40x64^2, 3 galaxies", 3, 64, 40),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="renders per case (least kept)")
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="wall clock or CPU time"
    )
    arguments = parser.parse_args()
    repeats = arguments.repeats
    global _clock
    _clock = time.process_time if arguments.clock == "cpu" else time.perf_counter
    install_timers()
    print(f"render stages, ms ({arguments.clock} clock), least of {repeats} renders, one core")
    print(f"{'case':<22} {'accuracy':<8} " + " ".join(f"{s:>11}" for s in STAGES))
    for label, n_gals, grid, n_chan in CASES:
        for accuracy in ("default", "fast"):
            settings = RenderSettings.for_accuracy(accuracy)
            row = stages(n_gals, grid, n_chan, settings, repeats)
            print(f"{label:<22} {accuracy:<8} " + " ".join(f"{row[s]:>11.1f}" for s in STAGES))


if __name__ == "__main__":
    main()
